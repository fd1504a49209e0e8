/* json_pos.c — see json_pos.h. Three passes over a document of at most a few MiB:
 *
 *   1. a strict RFC 8259 lexer (json_lex.c) that reports the first problem with its byte
 *      offset and field path, and bounds the depth before anything recurses;
 *   2. cJSON builds the tree (it accepts a superset of what pass 1 accepts, so it only fails
 *      when memory runs out);
 *   3. a walk of text and tree in document order recording each value's and key's offset.
 *
 * Here are pass 3, the document (parse, free, graft), the position lookups and the messages
 * that need positions (rs_json_fail, rs_json_describe). The position-free text helpers
 * (quoting, paths, "did you mean", numbers) are in json_text.c; the checked readers the
 * loader is built on are in json_read.c.
 * Cost: O(bytes) for the passes, O(log values) per position lookup; only error paths compute
 * a line and column (O(bytes) once). */
#include "model/json_pos.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/json_internal.h"

struct rs_json_entry {
    const cJSON *node;        /* a value of the tree */
    size_t value_offset;      /* its first byte */
    size_t key_offset;        /* opening quote of its key; value_offset when not a member */
};

struct rs_json_graft {
    size_t offset;                  /* first byte of its printed value in doc->text */
    char label[RS_JSON_LABEL_MAX];  /* named in messages instead of file:line:col */
};

#define JSON_SHOWN_MAX 40     /* bytes of a value quoted in "got ..." */

static const char json_allowed_text[] = RS__JSON_ALLOWED_TEXT;

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
    if (rs__json_lex_document(doc, depth_max) != 0) {
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
    size_t cut = rs__json_copy_utf8_prefix(graft->label, sizeof graft->label, label,
                                           label_length < sizeof graft->label
                                               ? label_length
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
    size_t copied = rs__json_copy_utf8_prefix(shown, sizeof shown, doc->text + start,
                                              n < JSON_SHOWN_MAX ? n : JSON_SHOWN_MAX);
    snprintf(buf, size, "%s%s", shown, copied < n ? "..." : "");
}
