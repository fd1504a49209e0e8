/* json_pos.h — a parsed JSON document that knows where each of its values sits in the text,
 * and checked reads from it whose failures say "file:line:col: path: what; allowed: ...".
 *
 * cJSON builds the tree but keeps no positions and is lenient (leading zeros, "1.", raw
 * control characters and invalid UTF-8 in strings, 1e999 as infinity, text after a NUL byte).
 * So rs_json_doc_parse first runs a strict RFC 8259 lexer of its own over the text — which
 * also bounds the nesting depth before cJSON recurses — then lets cJSON build the tree, then
 * walks text and tree together once to record the byte offset of every value and key. The
 * offsets live in an array sorted by node address that is only ever searched, never
 * iterated, so pointer order cannot reach an output. Memory: the copy of the text, the cJSON
 * tree and one 24-byte entry per value, all owned by the doc. Implemented in json_lex.c (the
 * lexer), json_pos.c (the document, positions and messages), json_text.c (text helpers) and
 * json_read.c (checked reads); json_internal.h is what they share. */
#ifndef RS_JSON_POS_H
#define RS_JSON_POS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define RS_JSON_PATH_MAX 256  /* bytes of a field path in messages ("a.b[3].c"), with NUL */

typedef struct rs_json_entry rs_json_entry;
typedef struct rs_json_graft rs_json_graft;

#define RS_JSON_LABEL_MAX 160 /* bytes of a graft's label in messages, with NUL */

typedef struct rs_json_doc {
    const char *file;         /* name used in messages (borrowed) */
    char *text;               /* NUL-terminated copy of the document (owned) */
    size_t length;            /* bytes of the document, without the NUL */
    cJSON *root;              /* the parsed tree (owned); NULL until parsed */
    rs_json_entry *entries;   /* value/key offsets, sorted by node address (owned) */
    size_t entry_count;       /* one per value in the tree */
    rs_json_graft *grafts;    /* text appended by rs_json_doc_graft, by offset (owned) */
    size_t graft_count;       /* 0 for a document read from a file alone */
    char *error;              /* caller's message buffer (borrowed) */
    size_t error_size;        /* its size in bytes, including the NUL */
} rs_json_doc;

/* Reads `text` (`length` bytes, need not be NUL-terminated) into `doc`: checks the size
 * against `bytes_max`, the syntax (strict JSON, UTF-8 strings, finite numbers) and the depth
 * against `depth_max`, parses, and records positions. Returns 0, or 2 with one line in
 * `error`. Call rs_json_doc_free afterwards in both cases. `file` must outlive the doc. */
int rs_json_doc_parse(rs_json_doc *doc, const char *file, const char *text, size_t length,
                      size_t bytes_max, uint32_t depth_max, char *error, size_t error_size);

/* Releases what the doc owns; the doc may be zeroed or parsed. */
void rs_json_doc_free(rs_json_doc *doc);

/* Records `node` — a value put into doc's tree after parsing, such as a command-line
 * override (model/scenario_overrides.c), and everything under it: its printed text is
 * appended to doc's text (so rs_json_describe shows it) and messages at its positions read
 * "label: path: ..." instead of "file:line:col: path: ...". `label` is copied, cut at
 * RS_JSON_LABEL_MAX - 1 bytes. Nodes the edit removed must stay allocated until the doc is
 * freed (their addresses are still recorded). Returns 0, or 2 with a message (out of memory). */
int rs_json_doc_graft(rs_json_doc *doc, const cJSON *node, const char *label);

/* Byte offset of `node`'s value, and of its key when it is an object member (else of the
 * value). `node` must belong to doc's tree. */
size_t rs_json_value_offset(const rs_json_doc *doc, const cJSON *node);
size_t rs_json_key_offset(const rs_json_doc *doc, const cJSON *node);

/* 1-based line and byte column of `offset` in doc's text. */
void rs_json_line_col(const rs_json_doc *doc, size_t offset, uint32_t *line, uint32_t *col);

/* --- messages ------------------------------------------------------------------------------ */

/* Writes "file:line:col: path: <format...>" into doc's error buffer (one line: control
 * characters become '?'), and returns 2 so callers can `return rs_json_fail(...)`. */
#if defined(__GNUC__)
#define RS_JSON_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define RS_JSON_PRINTF(f, a)
#endif
int rs_json_fail(const rs_json_doc *doc, size_t offset, const char *path, const char *format,
                 ...) RS_JSON_PRINTF(4, 5);

/* The value as written in the file, for "got ...": the literal text (strings with their
 * quotes, cut at 40 bytes with "..."), or "an object" / "an array". */
void rs_json_describe(const rs_json_doc *doc, const cJSON *node, char *buf, size_t size);

/* `text` in double quotes, cut at 48 bytes (on a UTF-8 boundary) with "...". */
void rs_json_quote(const char *text, char *buf, size_t size);

/* Paths: parent + "." + key, or parent + "[index]" ("" parent gives just the key). */
void rs_json_path_key(char *buf, size_t size, const char *parent, const char *key);
void rs_json_path_index(char *buf, size_t size, const char *parent, size_t index);

/* Index of the candidate that `word` plus a "_unit" suffix spells ("timeout" ->
 * "timeout_ms"), else of the one within Levenshtein distance 2 (closest, first on ties), or
 * -1. Words over 64 bytes never match by distance. */
int rs_json_suggest(const char *word, const char *const *candidates, size_t count);

/* Joins names as "a, b, c" into buf, ending in ", ..." when they do not fit. */
void rs_json_join(char *buf, size_t size, const char *const *names, size_t count);

/* --- checked reads ------------------------------------------------------------------------- */

/* What a number may be; `integer` demands a whole number. */
typedef struct rs_json_range {
    double min_value;         /* lower bound */
    bool min_exclusive;       /* > min_value instead of >= */
    double max_value;         /* upper bound, inclusive */
    bool integer;             /* whole numbers only */
} rs_json_range;

/* A number as a person would write it (0.2, 10000, 9007199254740992, 1e+300) into buf. */
void rs_json_format_number(double value, char *buf, size_t size);

/* "integer 0..256", "number > 0 and <= 86400": the allowed part of a message. */
void rs_json_range_text(const rs_json_range *range, char *buf, size_t size);

/* First member called `name` (exact, case-sensitive), or NULL. */
const cJSON *rs_json_member(const cJSON *object, const char *name);

/* `node` must be an object (array). On failure the message names `path`. */
int rs_json_need_object(const rs_json_doc *doc, const cJSON *node, const char *path);
int rs_json_need_array(const rs_json_doc *doc, const cJSON *node, const char *path);

/* Every key of `object` must be one of allowed[0..count) and appear once: else an error at
 * the key, with a "did you mean" when one is close. Document order, so the first offender in
 * the file is the one reported. O(keys x count). */
int rs_json_check_fields(const rs_json_doc *doc, const cJSON *object, const char *path,
                         const char *const *allowed, size_t count);

/* "path.name: missing required field", at `object`. */
int rs_json_fail_missing(const rs_json_doc *doc, const cJSON *object, const char *path,
                         const char *name);

/* `node` must be a number within `range`. */
int rs_json_check_number(const rs_json_doc *doc, const cJSON *node, const char *path,
                         const rs_json_range *range, double *out);

/* `node` must be one of choices[0..count); *out = its index. `what` names the kind of name
 * in the message ("durability", "strategy"). */
int rs_json_check_choice(const rs_json_doc *doc, const cJSON *node, const char *path,
                         const char *what, const char *const *choices, size_t count,
                         size_t *out);

/* `node` must be a string of 1..size-1 bytes without control characters (escaped ones
 * included), copied into out. */
int rs_json_check_string(const rs_json_doc *doc, const cJSON *node, const char *path,
                         char *out, size_t size);

/* Member `name` of `object` (at `path`) as a number within range; when absent: *out =
 * *default_value, or a missing-field error when default_value is NULL. */
int rs_json_get_number(const rs_json_doc *doc, const cJSON *object, const char *path,
                       const char *name, const rs_json_range *range,
                       const double *default_value, double *out);

/* Member `name` as an integer within range (bounds must fit uint64), with a default. */
int rs_json_get_uint(const rs_json_doc *doc, const cJSON *object, const char *path,
                     const char *name, const rs_json_range *range, uint64_t default_value,
                     uint64_t *out);

/* Member `name` as one of choices; default_index when absent. */
int rs_json_get_choice(const rs_json_doc *doc, const cJSON *object, const char *path,
                       const char *name, const char *what, const char *const *choices,
                       size_t count, size_t default_index, size_t *out);

#endif
