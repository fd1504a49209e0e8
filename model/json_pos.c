/* json_pos.c — see json_pos.h. Three passes over a document of at most a few MiB:
 *
 *   1. a strict RFC 8259 lexer (recursive descent, depth bounded by depth_max before it
 *      recurses) that reports the first problem with its byte offset and field path;
 *   2. cJSON builds the tree (it accepts a superset of what pass 1 accepts, so it only fails
 *      when memory runs out);
 *   3. a walk of text and tree in document order recording each value's and key's offset.
 *
 * Then come the message helpers; the checked readers the loader is built on are in
 * json_read.c.
 * Cost: O(bytes) for the passes, O(log values) per position lookup; only error paths compute
 * a line and column (O(bytes) once). */
#include "model/json_pos.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rs_json_entry {
    const cJSON *node;        /* a value of the tree */
    size_t value_offset;      /* its first byte */
    size_t key_offset;        /* opening quote of its key; value_offset when not a member */
};

struct rs_json_graft {
    size_t offset;                  /* first byte of its printed value in doc->text */
    char label[RS_JSON_LABEL_MAX];  /* named in messages instead of file:line:col */
};

#define JSON_SUGGEST_LENGTH_MAX 64 /* longer words are never "did you mean"-matched */
#define JSON_SHOWN_MAX 40     /* bytes of a value quoted in "got ..." */

static const char json_allowed_text[] = "allowed: JSON text (RFC 8259)";

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

static int lex_document(const rs_json_doc *doc, uint32_t depth_max) {
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

/* ---------------------------------------------------------------------------------------- */
/* Pass 3: record where each value and key of the tree starts.                                */

typedef struct walker {
    const char *text;         /* the document, already validated by pass 1 */
    size_t length;            /* its bytes */
    size_t offset;            /* next byte */
    rs_json_entry *entries;   /* one per value, in document order while walking */
    size_t count;             /* entries filled */
    size_t capacity;          /* entries allocated */
    bool lost;                /* text and tree disagreed (a bug, never expected) */
} walker;

static size_t count_values(const cJSON *node) {
    size_t count = 1;
    for (const cJSON *child = node->child; child != NULL; child = child->next) {
        count += count_values(child);
    }
    return count;
}

static void walk_whitespace(walker *w) {
    while (w->offset < w->length && strchr(" \t\r\n", w->text[w->offset]) != NULL &&
           w->text[w->offset] != '\0') {
        w->offset++;
    }
}

/* Steps over a string, number or literal (the text is known to be valid). */
static void walk_scalar(walker *w) {
    if (w->text[w->offset] == '"') {
        w->offset++;
        while (w->offset < w->length && w->text[w->offset] != '"') {
            w->offset += w->text[w->offset] == '\\' ? 2 : 1;
        }
        w->offset++;
        return;
    }
    while (w->offset < w->length && strchr(",]} \t\r\n", w->text[w->offset]) == NULL) {
        w->offset++;
    }
}

static bool walk_expect(walker *w, char c) {
    walk_whitespace(w);
    if (w->offset >= w->length || w->text[w->offset] != c) {
        w->lost = true;
        return false;
    }
    w->offset++;
    return true;
}

static void walk_value(walker *w, const cJSON *node, size_t key_offset, bool is_member) {
    walk_whitespace(w);
    if (w->lost || w->count >= w->capacity || w->offset >= w->length) {
        w->lost = true;
        return;
    }
    size_t value_offset = w->offset;
    w->entries[w->count++] = (rs_json_entry){node, value_offset,
                                             is_member ? key_offset : value_offset};
    bool is_object = cJSON_IsObject(node);
    if (!is_object && !cJSON_IsArray(node)) {
        bool is_string = w->text[value_offset] == '"';
        w->lost = is_string != (cJSON_IsString(node) != 0);
        walk_scalar(w);
        return;
    }
    if (!walk_expect(w, is_object ? '{' : '[')) {
        return;
    }
    for (const cJSON *child = node->child; child != NULL && !w->lost; child = child->next) {
        size_t child_key = 0;
        if (is_object) {
            walk_whitespace(w);
            child_key = w->offset;
            walk_scalar(w);
            walk_expect(w, ':');
        }
        walk_value(w, child, child_key, is_object);
        if (child->next != NULL) {
            walk_expect(w, ',');
        }
    }
    walk_expect(w, is_object ? '}' : ']');
}

static int compare_entries(const void *a, const void *b) {
    uintptr_t x = (uintptr_t)((const rs_json_entry *)a)->node;
    uintptr_t y = (uintptr_t)((const rs_json_entry *)b)->node;
    return x < y ? -1 : x > y ? 1 : 0;
}

static int record_positions(rs_json_doc *doc) {
    assert(doc->root != NULL);
    size_t count = count_values(doc->root);
    walker w = {.text = doc->text, .length = doc->length, .capacity = count};
    w.entries = malloc(count * sizeof *w.entries);
    if (w.entries == NULL) {
        return rs_json_fail(doc, 0, "(document)", "out of memory recording %zu positions; "
                            "allowed: a smaller document", count);
    }
    if (w.length >= 3 && memcmp(w.text, "\xef\xbb\xbf", 3) == 0) {
        w.offset = 3;
    }
    walk_value(&w, doc->root, 0, false);
    doc->entries = w.entries;
    doc->entry_count = w.count;
    if (w.lost || w.count != count) {
        return rs_json_fail(doc, w.offset, "(document)", "internal error: positions lost at "
                            "this byte; allowed: please report this file");
    }
    /* Sorted by address for lookups only; nothing ever iterates this order. */
    qsort(doc->entries, doc->entry_count, sizeof *doc->entries, compare_entries);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* The document.                                                                             */

int rs_json_doc_parse(rs_json_doc *doc, const char *file, const char *text, size_t length,
                      size_t bytes_max, uint32_t depth_max, char *error, size_t error_size) {
    assert(doc != NULL && file != NULL);
    assert(text != NULL || length == 0);
    assert(error != NULL || error_size == 0);
    *doc = (rs_json_doc){.file = file, .error = error, .error_size = error_size};
    if (error_size > 0) {
        error[0] = '\0';
    }
    if (length > bytes_max) {
        return rs_json_fail(doc, 0, "(file)", "file has more than %zu bytes; allowed: at most %zu "
                            "bytes", bytes_max, bytes_max);
    }
    doc->text = malloc(length + 1);
    if (doc->text == NULL) {
        return rs_json_fail(doc, 0, "(file)", "out of memory for %zu bytes; allowed: a smaller "
                            "file", length);
    }
    if (length > 0) {
        memcpy(doc->text, text, length);
    }
    doc->text[length] = '\0';
    doc->length = length;
    if (lex_document(doc, depth_max) != 0) {
        return 2;
    }
    const char *end = NULL;
    doc->root = cJSON_ParseWithLengthOpts(doc->text, length + 1, &end, 1);
    if (doc->root == NULL) {
        size_t at = end != NULL ? (size_t)(end - doc->text) : 0;
        return rs_json_fail(doc, at, "(document)", "cJSON could not parse past this point "
                            "(out of memory?); allowed: %s", json_allowed_text + 9);
    }
    return record_positions(doc);
}

void rs_json_doc_free(rs_json_doc *doc) {
    assert(doc != NULL);
    cJSON_Delete(doc->root);
    free(doc->entries);
    free(doc->grafts);
    doc->grafts = NULL;
    doc->graft_count = 0;
    free(doc->text);
    doc->root = NULL;
    doc->entries = NULL;
    doc->text = NULL;
    doc->entry_count = 0;
}

static size_t copy_utf8_prefix(char *buf, size_t size, const char *text, size_t n);

/* Appends "\n<text>\n" to doc's text (the newlines end a trailing number for walk_scalar).
 * Returns the offset of <text>, or 0 when out of memory (a graft never starts at 0). */
static size_t append_text(rs_json_doc *doc, const char *text) {
    assert(doc->text != NULL && text != NULL);
    size_t length = strlen(text);
    char *grown = realloc(doc->text, doc->length + length + 3);
    if (grown == NULL) {
        return 0;
    }
    doc->text = grown;
    size_t start = doc->length + 1;
    grown[doc->length] = '\n';
    memcpy(grown + start, text, length);
    grown[start + length] = '\n';
    grown[start + length + 1] = '\0';
    doc->length = start + length + 1;
    assert(start > 0);
    return start;
}

int rs_json_doc_graft(rs_json_doc *doc, const cJSON *node, const char *label) {
    assert(doc != NULL && doc->root != NULL && doc->entries != NULL);
    assert(node != NULL && label != NULL);
    size_t count = count_values(node);
    char *printed = cJSON_PrintUnformatted(node);
    rs_json_graft *grafts = printed == NULL ? NULL
        : realloc(doc->grafts, (doc->graft_count + 1) * sizeof *grafts);
    doc->grafts = grafts != NULL ? grafts : doc->grafts;
    rs_json_entry *entries = grafts == NULL ? NULL
        : realloc(doc->entries, (doc->entry_count + count) * sizeof *entries);
    doc->entries = entries != NULL ? entries : doc->entries;
    size_t start = entries != NULL ? append_text(doc, printed) : 0;
    free(printed);
    if (start == 0) {
        return rs_json_fail(doc, 0, "(document)", "out of memory adding %s; allowed: less",
                            label);
    }
    rs_json_graft *graft = &doc->grafts[doc->graft_count++];
    graft->offset = start;
    size_t label_length = strlen(label);
    size_t cut = copy_utf8_prefix(graft->label, sizeof graft->label, label,
                                  label_length < sizeof graft->label ? label_length
                                                                     : sizeof graft->label - 4);
    if (cut < label_length) {
        memcpy(graft->label + cut, "...", 4);
    }
    walker w = {.text = doc->text, .length = doc->length, .offset = start,
                .entries = doc->entries, .count = doc->entry_count,
                .capacity = doc->entry_count + count};
    walk_value(&w, node, start, false);
    if (w.lost || w.count != doc->entry_count + count) {
        return rs_json_fail(doc, start, "(document)", "internal error: positions lost; allowed: "
                            "please report this value");
    }
    doc->entry_count = w.count;
    qsort(doc->entries, doc->entry_count, sizeof *doc->entries, compare_entries);
    return 0;
}

/* The graft holding `offset`, or NULL when it lies in the file's own text. O(grafts). */
static const rs_json_graft *find_graft(const rs_json_doc *doc, size_t offset) {
    assert(doc != NULL);
    assert(doc->graft_count == 0 || doc->grafts != NULL);
    const rs_json_graft *found = NULL;
    for (size_t i = 0; i < doc->graft_count && doc->grafts[i].offset <= offset; i++) {
        found = &doc->grafts[i];
    }
    return found;
}

static const rs_json_entry *find_entry(const rs_json_doc *doc, const cJSON *node) {
    assert(node != NULL);
    rs_json_entry key = {.node = node};
    const rs_json_entry *entry = NULL;
    if (doc->entries != NULL) {
        entry = bsearch(&key, doc->entries, doc->entry_count, sizeof key, compare_entries);
    }
    assert(entry != NULL && "node is not from this document");
    return entry;
}

size_t rs_json_value_offset(const rs_json_doc *doc, const cJSON *node) {
    const rs_json_entry *entry = find_entry(doc, node);
    return entry != NULL ? entry->value_offset : 0;
}

size_t rs_json_key_offset(const rs_json_doc *doc, const cJSON *node) {
    const rs_json_entry *entry = find_entry(doc, node);
    return entry != NULL ? entry->key_offset : 0;
}

void rs_json_line_col(const rs_json_doc *doc, size_t offset, uint32_t *line, uint32_t *col) {
    assert(doc != NULL);
    assert(line != NULL && col != NULL);
    size_t line_count = 1;
    const rs_json_graft *graft = find_graft(doc, offset);
    size_t line_start = graft != NULL ? graft->offset : 0; /* a graft is one line of its own */
    size_t end = doc->text == NULL ? 0 : (offset < doc->length ? offset : doc->length);
    for (size_t i = line_start; i < end; i++) {
        if (doc->text[i] == '\n') {
            line_count++;
            line_start = i + 1;
        }
    }
    *line = (uint32_t)line_count;
    *col = (uint32_t)(end - line_start + 1);
}

/* ---------------------------------------------------------------------------------------- */
/* Messages.                                                                                 */

int rs_json_fail(const rs_json_doc *doc, size_t offset, const char *path, const char *format,
                 ...) {
    assert(doc != NULL && path != NULL);
    assert(format != NULL);
    if (doc->error_size == 0) {
        return 2;
    }
    uint32_t line = 0;
    uint32_t col = 0;
    rs_json_line_col(doc, offset, &line, &col);
    const rs_json_graft *graft = find_graft(doc, offset);
    int used = graft != NULL
        ? snprintf(doc->error, doc->error_size, "%s: %s: ", graft->label,
                   path[0] != '\0' ? path : "(document)")
        : snprintf(doc->error, doc->error_size, "%s:%u:%u: %s: ", doc->file, line, col,
                   path[0] != '\0' ? path : "(document)");
    if (used >= 0 && (size_t)used < doc->error_size) {
        va_list args;
        va_start(args, format);
        vsnprintf(doc->error + used, doc->error_size - (size_t)used, format, args);
        va_end(args);
    }
    /* One line, whatever names the file smuggled in through escapes. */
    for (char *c = doc->error; *c != '\0'; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f) {
            *c = '?';
        }
    }
    return 2;
}

/* Copies at most `n` bytes of text, backing off so no UTF-8 sequence is split. Returns the
 * bytes copied. */
static size_t copy_utf8_prefix(char *buf, size_t size, const char *text, size_t n) {
    assert(size >= 1);
    if (n > size - 1) {
        n = size - 1;
    }
    size_t full = strlen(text);
    if (n < full) {
        while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80) {
            n--;
        }
    } else {
        n = full;
    }
    memcpy(buf, text, n);
    buf[n] = '\0';
    return n;
}

void rs_json_describe(const rs_json_doc *doc, const cJSON *node, char *buf, size_t size) {
    assert(doc != NULL && node != NULL);
    assert(buf != NULL && size >= 16);
    if (cJSON_IsObject(node) || cJSON_IsArray(node)) {
        snprintf(buf, size, "%s", cJSON_IsObject(node) ? "an object" : "an array");
        return;
    }
    walker w = {.text = doc->text, .length = doc->length,
                .offset = rs_json_value_offset(doc, node)};
    size_t start = w.offset;
    walk_scalar(&w);
    size_t n = (w.offset > doc->length ? doc->length : w.offset) - start;
    char shown[JSON_SHOWN_MAX + 1];
    size_t copied = copy_utf8_prefix(shown, sizeof shown, doc->text + start,
                                     n < JSON_SHOWN_MAX ? n : JSON_SHOWN_MAX);
    snprintf(buf, size, "%s%s", shown, copied < n ? "..." : "");
}

void rs_json_quote(const char *text, char *buf, size_t size) {
    assert(text != NULL);
    assert(buf != NULL && size >= 8);
    char shown[49];
    size_t copied = copy_utf8_prefix(shown, sizeof shown, text, 48);
    snprintf(buf, size, "\"%s%s\"", shown, copied < strlen(text) ? "..." : "");
}

void rs_json_path_key(char *buf, size_t size, const char *parent, const char *key) {
    assert(buf != NULL && size > 0);
    assert(parent != NULL && key != NULL);
    snprintf(buf, size, "%s%s%s", parent, parent[0] != '\0' ? "." : "", key);
}

void rs_json_path_index(char *buf, size_t size, const char *parent, size_t index) {
    assert(buf != NULL && size > 0);
    assert(parent != NULL);
    snprintf(buf, size, "%s[%zu]", parent, index);
}

/* Levenshtein distance of two words of at most JSON_SUGGEST_LENGTH_MAX bytes. */
static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb) {
    size_t row[JSON_SUGGEST_LENGTH_MAX + 1];
    assert(la <= JSON_SUGGEST_LENGTH_MAX && lb <= JSON_SUGGEST_LENGTH_MAX);
    for (size_t j = 0; j <= lb; j++) {
        row[j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t above = row[j];
            size_t best = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
            best = above + 1 < best ? above + 1 : best;
            best = row[j - 1] + 1 < best ? row[j - 1] + 1 : best;
            row[j] = best;
            diagonal = above;
        }
    }
    return row[lb];
}

int rs_json_suggest(const char *word, const char *const *candidates, size_t count) {
    assert(word != NULL);
    assert(candidates != NULL || count == 0);
    size_t length = strlen(word);
    if (length > JSON_SUGGEST_LENGTH_MAX) {
        return -1;
    }
    int best = -1;
    size_t best_distance = 3;
    for (size_t i = 0; i < count && best < 0 && length > 0; i++) {
        /* "timeout" for "timeout_ms": the unit suffix was left off */
        if (strncmp(candidates[i], word, length) == 0 && candidates[i][length] == '_') {
            best = (int)i;
        }
    }
    for (size_t i = 0; i < count && best < 0; i++) {
        size_t other = strlen(candidates[i]);
        size_t gap = other > length ? other - length : length - other;
        if (other > JSON_SUGGEST_LENGTH_MAX || gap > 2) {
            continue;
        }
        size_t distance = edit_distance(word, length, candidates[i], other);
        if (distance < best_distance) {
            best_distance = distance;
            best = (int)i;
        }
    }
    return best;
}

void rs_json_join(char *buf, size_t size, const char *const *names, size_t count) {
    assert(buf != NULL && size >= 8);
    assert(names != NULL || count == 0);
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        size_t need = (i > 0 ? 2 : 0) + strlen(names[i]);
        if (used + need + 5 + 1 > size) {
            snprintf(buf + used, size - used, "%s...", i > 0 ? ", " : "");
            return;
        }
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i > 0 ? ", " : "", names[i]);
    }
}

/* A number as a person would write it: 0.2, 10000, 9007199254740992, 1e+300. */
void rs_json_format_number(double value, char *buf, size_t size) {
    if (isfinite(value) && value == floor(value) && fabs(value) < 1e16) {
        snprintf(buf, size, "%.0f", value);
    } else {
        snprintf(buf, size, "%.15g", value);
    }
}

void rs_json_range_text(const rs_json_range *range, char *buf, size_t size) {
    assert(range != NULL);
    assert(buf != NULL && size > 0);
    char low[32];
    char high[32];
    rs_json_format_number(range->min_value, low, sizeof low);
    rs_json_format_number(range->max_value, high, sizeof high);
    if (range->integer) {
        snprintf(buf, size, "integer %s..%s", low, high);
    } else {
        snprintf(buf, size, "number %s %s and <= %s", range->min_exclusive ? ">" : ">=", low,
                 high);
    }
}
