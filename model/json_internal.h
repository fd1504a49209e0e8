/* json_internal.h — what the JSON files of model/ share, private to them (the rs__ prefix
 * marks it internal): json_lex.c's strict lexer, called by json_pos.c before cJSON parses,
 * and json_text.c's UTF-8-safe copy, used by json_pos.c's messages and grafts. The public
 * interface is json_pos.h. */
#ifndef RS_JSON_INTERNAL_H
#define RS_JSON_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "model/json_pos.h"

/* The "allowed" part of every syntax message. */
#define RS__JSON_ALLOWED_TEXT "allowed: JSON text (RFC 8259)"

/* Pass 1 of rs_json_doc_parse: checks doc->text (doc->length bytes, NUL-terminated) as
 * strict RFC 8259 JSON — UTF-8 strings, finite numbers, nesting at most `depth_max` deep,
 * checked before recursing. Returns 0, or 2 with the first problem in doc's error buffer
 * (through rs_json_fail). O(bytes); recursion depth at most depth_max. */
int rs__json_lex_document(const rs_json_doc *doc, uint32_t depth_max);

/* Copies at most `n` bytes of text (and at most size - 1) into buf, NUL-terminated,
 * backing off so no UTF-8 sequence is split. Returns the bytes copied. */
size_t rs__json_copy_utf8_prefix(char *buf, size_t size, const char *text, size_t n);

#endif
