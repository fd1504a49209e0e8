/* json_text.c — the text helpers of json_pos.h that need no document: quoting a name for a
 * message, building field paths, "did you mean" (a unit suffix left off, or Levenshtein
 * distance at most 2), joining names into a list, and writing numbers and ranges as a person
 * would. Plus rs__json_copy_utf8_prefix (json_internal.h), the UTF-8-safe cut they and
 * json_pos.c's messages share. Pure functions over bounded buffers; no allocation. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model/json_internal.h"
#include "model/json_pos.h"

#define JSON_SUGGEST_LENGTH_MAX 64 /* longer words are never "did you mean"-matched */

/* Copies at most `n` bytes of text, backing off so no UTF-8 sequence is split. Returns the
 * bytes copied. */
size_t rs__json_copy_utf8_prefix(char *buf, size_t size, const char *text, size_t n) {
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

void rs_json_quote(const char *text, char *buf, size_t size) {
    assert(text != NULL);
    assert(buf != NULL && size >= 8);
    char shown[49];
    size_t copied = rs__json_copy_utf8_prefix(shown, sizeof shown, text, 48);
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
