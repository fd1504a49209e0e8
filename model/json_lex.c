/* json_lex.c — pass 1 of rs_json_doc_parse (json_pos.h): a strict RFC 8259 lexer, by
 * recursive descent with the depth bounded by depth_max before it recurses, that reports the
 * first problem with its byte offset and field path ("expected ..., found ...", leading
 * zeros, raw control characters and invalid UTF-8 in strings, bad escapes and unpaired
 * surrogates, numbers that overflow a double, NaN/Infinity, trailing commas, text after the
 * top-level value). It only reads the text; cJSON builds the tree afterwards (json_pos.c).
 * Cost: O(bytes), with at most depth_max nested calls. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/json_internal.h"
#include "model/json_pos.h"

static const char json_allowed_text[] = RS__JSON_ALLOWED_TEXT;

/* ---------------------------------------------------------------------------------------- */
/* Pass 1: the strict lexer.                                                                 */

typedef struct lexer {
    const rs_json_doc *doc;   /* for messages */
    const unsigned char *text;/* the document */
    size_t length;            /* its bytes */
    size_t offset;            /* next byte to read */
    uint32_t depth;           /* objects and arrays currently open */
    uint32_t depth_max;       /* deepest nesting allowed */
    char path[RS_JSON_PATH_MAX]; /* field path of the value being read */
} lexer;

static int lex_value(lexer *lx);

static void lex_skip_whitespace(lexer *lx) {
    while (lx->offset < lx->length) {
        unsigned char c = lx->text[lx->offset];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            return;
        }
        lx->offset++;
    }
}

/* What sits at `offset`, for "found ...": a word, a character, a byte or the end. */
static void lex_found(const lexer *lx, size_t offset, char *buf, size_t size) {
    assert(size >= 24);
    if (offset >= lx->length) {
        snprintf(buf, size, "end of input");
        return;
    }
    unsigned char c = lx->text[offset];
    size_t word = 0;
    while (offset + word < lx->length && word < 16) {
        unsigned char w = lx->text[offset + word];
        if (!((w >= 'a' && w <= 'z') || (w >= 'A' && w <= 'Z') || (w >= '0' && w <= '9'))) {
            break;
        }
        word++;
    }
    if (word > 1) {
        snprintf(buf, size, "'%.*s'", (int)word, (const char *)lx->text + offset);
    } else if (c >= 0x20 && c < 0x7f) {
        snprintf(buf, size, "'%c'", (char)c);
    } else {
        snprintf(buf, size, "byte 0x%02x", (unsigned)c);
    }
}

/* A syntax error at `offset`: "(syntax): expected <what>, found <it> (in <path>); allowed". */
static int lex_fail_expected(const lexer *lx, size_t offset, const char *what) {
    char found[40];
    lex_found(lx, offset, found, sizeof found);
    if (lx->path[0] == '\0') {
        return rs_json_fail(lx->doc, offset, "(syntax)", "expected %s, found %s; %s", what, found,
                            json_allowed_text);
    }
    return rs_json_fail(lx->doc, offset, "(syntax)", "expected %s, found %s (in %s); %s", what,
                        found, lx->path, json_allowed_text);
}

/* Length of the valid UTF-8 sequence at p (at most `left` bytes), or 0 when invalid
 * (overlong forms, surrogates and code points above U+10FFFF are invalid). */
static size_t utf8_sequence_length(const unsigned char *p, size_t left) {
    assert(left >= 1);
    unsigned char c = p[0];
    if (c < 0x80) {
        return 1;
    }
    size_t n = (c >= 0xc2 && c <= 0xdf) ? 2 : (c >= 0xe0 && c <= 0xef) ? 3
                                            : (c >= 0xf0 && c <= 0xf4) ? 4 : 0;
    if (n == 0 || n > left) {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }
    }
    if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) ||
        (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f)) {
        return 0;
    }
    return n;
}

static int hex4(const unsigned char *p, size_t left, unsigned *out) {
    if (left < 4) {
        return -1;
    }
    unsigned value = 0;
    for (size_t i = 0; i < 4; i++) {
        unsigned char c = p[i];
        unsigned digit = (c >= '0' && c <= '9') ? (unsigned)(c - '0')
                       : (c >= 'a' && c <= 'f') ? (unsigned)(c - 'a' + 10)
                       : (c >= 'A' && c <= 'F') ? (unsigned)(c - 'A' + 10) : 16u;
        if (digit == 16) {
            return -1;
        }
        value = value * 16 + digit;
    }
    *out = value;
    return 0;
}

/* At a backslash inside a string: checks the escape and steps over it. */
static int lex_escape(lexer *lx, const char *where) {
    size_t at = lx->offset;
    const unsigned char *p = lx->text + at;
    size_t left = lx->length - at;
    if (left >= 2 && strchr("\"\\/bfnrt", (char)p[1]) != NULL && p[1] != '\0') {
        lx->offset += 2;
        return 0;
    }
    unsigned code = 0;
    if (left < 2 || p[1] != 'u' || hex4(p + 2, left - 2, &code) != 0) {
        return rs_json_fail(lx->doc, at, lx->path[0] ? lx->path : "(syntax)",
                            "invalid escape in %s; allowed: \\\" \\\\ \\/ \\b \\f \\n \\r \\t "
                            "\\uXXXX", where);
    }
    if (code == 0) {
        return rs_json_fail(lx->doc, at, lx->path[0] ? lx->path : "(syntax)",
                            "\\u0000 in %s; allowed: text without NUL characters", where);
    }
    unsigned low = 0;
    if (code >= 0xdc00 && code <= 0xdfff) {
        return rs_json_fail(lx->doc, at, lx->path[0] ? lx->path : "(syntax)",
                            "unpaired surrogate \\u%04x in %s; allowed: \\uD800-\\uDBFF followed "
                            "by \\uDC00-\\uDFFF", code, where);
    }
    if (code >= 0xd800 && code <= 0xdbff) {
        if (left < 12 || p[6] != '\\' || p[7] != 'u' || hex4(p + 8, left - 8, &low) != 0 ||
            low < 0xdc00 || low > 0xdfff) {
            return rs_json_fail(lx->doc, at, lx->path[0] ? lx->path : "(syntax)",
                                "unpaired surrogate \\u%04x in %s; allowed: \\uD800-\\uDBFF "
                                "followed by \\uDC00-\\uDFFF", code, where);
        }
        lx->offset += 12;
        return 0;
    }
    lx->offset += 6;
    return 0;
}

/* At the opening quote: checks the string (escapes, control characters, UTF-8). */
static int lex_string(lexer *lx, bool is_key) {
    size_t start = lx->offset;
    const char *where = is_key ? "a key" : "a string";
    const char *path = lx->path[0] ? lx->path : "(syntax)";
    assert(lx->text[start] == '"');
    lx->offset++;
    while (lx->offset < lx->length) {
        unsigned char c = lx->text[lx->offset];
        if (c == '"') {
            lx->offset++;
            return 0;
        }
        if (c == '\\') {
            if (lex_escape(lx, where) != 0) {
                return 2;
            }
            continue;
        }
        if (c < 0x20) {
            return rs_json_fail(lx->doc, lx->offset, path,
                                "control character 0x%02x in %s; allowed: escape it (\\n, \\t, "
                                "\\u00XX)", (unsigned)c, where);
        }
        size_t n = utf8_sequence_length(lx->text + lx->offset, lx->length - lx->offset);
        if (n == 0) {
            return rs_json_fail(lx->doc, lx->offset, path,
                                "invalid UTF-8 byte 0x%02x in %s; allowed: UTF-8 text",
                                (unsigned)c, where);
        }
        lx->offset += n;
    }
    return rs_json_fail(lx->doc, start, "(syntax)", "unterminated string; %s", json_allowed_text);
}

static size_t lex_digits(lexer *lx) {
    size_t start = lx->offset;
    while (lx->offset < lx->length && lx->text[lx->offset] >= '0' && lx->text[lx->offset] <= '9') {
        lx->offset++;
    }
    return lx->offset - start;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? and finite as a double. */
static int lex_number(lexer *lx) {
    size_t start = lx->offset;
    const char *path = lx->path[0] ? lx->path : "(document)";
    if (lx->text[lx->offset] == '-') {
        lx->offset++;
    }
    if (lx->offset < lx->length && lx->text[lx->offset] == '0') {
        lx->offset++;
        if (lx->offset < lx->length && lx->text[lx->offset] >= '0' &&
            lx->text[lx->offset] <= '9') {
            return rs_json_fail(lx->doc, start, path, "number with a leading zero; allowed: "
                                "JSON numbers (0, 12, -3.5, 1e6)");
        }
    } else if (lex_digits(lx) == 0) {
        return lex_fail_expected(lx, lx->offset, "a digit");
    }
    if (lx->offset < lx->length && lx->text[lx->offset] == '.') {
        lx->offset++;
        if (lex_digits(lx) == 0) {
            return lex_fail_expected(lx, lx->offset, "a digit after '.'");
        }
    }
    if (lx->offset < lx->length && (lx->text[lx->offset] == 'e' || lx->text[lx->offset] == 'E')) {
        lx->offset++;
        if (lx->offset < lx->length &&
            (lx->text[lx->offset] == '+' || lx->text[lx->offset] == '-')) {
            lx->offset++;
        }
        if (lex_digits(lx) == 0) {
            return lex_fail_expected(lx, lx->offset, "a digit in the exponent");
        }
    }
    /* The doc's copy is NUL-terminated, and strtod stops where the JSON number stops. */
    double value = strtod(lx->doc->text + start, NULL);
    if (!isfinite(value)) {
        return rs_json_fail(lx->doc, start, path, "number %.*s is out of range; allowed: finite "
                            "numbers (magnitude below 1.8e308)",
                            (int)(lx->offset - start > 40 ? 40 : lx->offset - start),
                            lx->doc->text + start);
    }
    return 0;
}

/* True when the text at the offset reads NaN or Infinity (any case, optional sign). */
static bool lex_is_nonfinite_word(const lexer *lx) {
    size_t at = lx->offset;
    if (at < lx->length && (lx->text[at] == '-' || lx->text[at] == '+')) {
        at++;
    }
    if (lx->length - at < 3) {
        return false;
    }
    char word[4] = {0};
    for (size_t i = 0; i < 3; i++) {
        unsigned char c = lx->text[at + i];
        word[i] = (char)((c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c);
    }
    return strcmp(word, "nan") == 0 || strcmp(word, "inf") == 0;
}

static int lex_literal(lexer *lx) {
    static const char *const words[] = {"true", "false", "null"};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(words[i]);
        if (lx->length - lx->offset >= n && memcmp(lx->text + lx->offset, words[i], n) == 0) {
            lx->offset += n;
            return 0;
        }
    }
    return lex_fail_expected(lx, lx->offset, "a value");
}

static int lex_open(lexer *lx) {
    if (lx->depth >= lx->depth_max) {
        return rs_json_fail(lx->doc, lx->offset, lx->path[0] ? lx->path : "(document)",
                            "nesting deeper than %u levels; allowed: at most %u nested objects "
                            "and arrays", lx->depth_max, lx->depth_max);
    }
    lx->depth++;
    lx->offset++;
    lex_skip_whitespace(lx);
    return 0;
}

/* After a member or element: ',' (not followed by the closer) or the closer. Returns 0 and
 * sets *more, or an error. */
static int lex_separator(lexer *lx, char closer, bool *more) {
    lex_skip_whitespace(lx);
    if (lx->offset < lx->length && lx->text[lx->offset] == ',') {
        size_t comma = lx->offset;
        lx->offset++;
        lex_skip_whitespace(lx);
        if (lx->offset < lx->length && lx->text[lx->offset] == (unsigned char)closer) {
            return rs_json_fail(lx->doc, comma, "(syntax)", "trailing comma before '%c'; %s",
                                closer, json_allowed_text);
        }
        *more = true;
        return 0;
    }
    if (lx->offset < lx->length && lx->text[lx->offset] == (unsigned char)closer) {
        lx->offset++;
        lx->depth--;
        *more = false;
        return 0;
    }
    return lex_fail_expected(lx, lx->offset, closer == '}' ? "',' or '}' after a member"
                                                           : "',' or ']' after an element");
}

/* Appends up to `n` bytes of `text` to path, never splitting a UTF-8 sequence. */
static void path_append(char *path, const char *text, size_t n) {
    size_t used = strlen(path);
    size_t room = RS_JSON_PATH_MAX - 1 - used;
    if (n > room) {
        n = room;
        while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80) {
            n--;
        }
    }
    memcpy(path + used, text, n);
    path[used + n] = '\0';
}

static int lex_object(lexer *lx) {
    if (lex_open(lx) != 0) {
        return 2;
    }
    size_t saved = strlen(lx->path);
    if (lx->offset < lx->length && lx->text[lx->offset] == '}') {
        lx->offset++;
        lx->depth--;
        return 0;
    }
    for (bool more = true; more;) {
        if (lx->offset >= lx->length || lx->text[lx->offset] != '"') {
            return lex_fail_expected(lx, lx->offset, "a key in double quotes");
        }
        size_t key = lx->offset;
        if (lex_string(lx, true) != 0) {
            return 2;
        }
        size_t key_end = lx->offset;
        lex_skip_whitespace(lx);
        if (lx->offset >= lx->length || lx->text[lx->offset] != ':') {
            return lex_fail_expected(lx, lx->offset, "':' after the key");
        }
        lx->offset++;
        if (saved > 0) {
            path_append(lx->path, ".", 1);
        }
        path_append(lx->path, (const char *)lx->text + key + 1, key_end - key - 2);
        int status = lex_value(lx);
        lx->path[saved] = '\0';
        if (status != 0 || lex_separator(lx, '}', &more) != 0) {
            return 2;
        }
    }
    return 0;
}

static int lex_array(lexer *lx) {
    if (lex_open(lx) != 0) {
        return 2;
    }
    size_t saved = strlen(lx->path);
    if (lx->offset < lx->length && lx->text[lx->offset] == ']') {
        lx->offset++;
        lx->depth--;
        return 0;
    }
    size_t index = 0;
    for (bool more = true; more; index++) {
        char step[32];
        int n = snprintf(step, sizeof step, "[%zu]", index);
        path_append(lx->path, step, (size_t)n);
        int status = lex_value(lx);
        lx->path[saved] = '\0';
        if (status != 0 || lex_separator(lx, ']', &more) != 0) {
            return 2;
        }
    }
    return 0;
}

static int lex_value(lexer *lx) {
    lex_skip_whitespace(lx);
    if (lx->offset >= lx->length) {
        return lex_fail_expected(lx, lx->offset, "a value");
    }
    if (lex_is_nonfinite_word(lx)) {
        return rs_json_fail(lx->doc, lx->offset, lx->path[0] ? lx->path : "(document)",
                            "NaN and Infinity are not JSON numbers; allowed: finite numbers");
    }
    unsigned char c = lx->text[lx->offset];
    if (c == '{') {
        return lex_object(lx);
    }
    if (c == '[') {
        return lex_array(lx);
    }
    if (c == '"') {
        return lex_string(lx, false);
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        return lex_number(lx);
    }
    if (c == '\'') {
        return lex_fail_expected(lx, lx->offset, "a value (strings take double quotes)");
    }
    return lex_literal(lx);
}

int rs__json_lex_document(const rs_json_doc *doc, uint32_t depth_max) {
    assert(doc != NULL && doc->text != NULL);
    lexer lx = {.doc = doc, .text = (const unsigned char *)doc->text, .length = doc->length,
                .depth_max = depth_max};
    if (lx.length >= 3 && memcmp(lx.text, "\xef\xbb\xbf", 3) == 0) {
        lx.offset = 3; /* a UTF-8 byte order mark, which cJSON skips too */
    }
    if (lex_value(&lx) != 0) {
        return 2;
    }
    lex_skip_whitespace(&lx);
    if (lx.offset < lx.length) {
        return lex_fail_expected(&lx, lx.offset, "end of input after the top-level value");
    }
    assert(lx.depth == 0);
    return 0;
}
