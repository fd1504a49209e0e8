/* text.c — the report writers' text buffer (grows by doubling, bounded by RS__TEXT_BYTES_MAX),
 * stable number formatting and label sanitising. See report_internal.h. */
#include "reports/report_internal.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_CAPACITY_MIN 4096 /* first allocation, bytes */

void rs__text_init(rs__text *text) {
    assert(text != NULL);
    text->data = NULL;
    text->length = 0;
    text->capacity = 0;
    text->failed = false;
}

void rs__text_free(rs__text *text) {
    assert(text != NULL);
    free(text->data);
    rs__text_init(text);
}

/* Ensures room for `extra` more bytes plus the NUL; false (and failed set) when impossible. */
static bool text_reserve(rs__text *text, size_t extra) {
    assert(text != NULL);
    if (text->failed) {
        return false;
    }
    if (extra >= RS__TEXT_BYTES_MAX - text->length) {
        text->failed = true;
        return false;
    }
    size_t needed = text->length + extra + 1;
    if (needed <= text->capacity) {
        return true;
    }
    size_t capacity = text->capacity == 0 ? TEXT_CAPACITY_MIN : text->capacity;
    while (capacity < needed) {
        capacity *= 2;
    }
    char *data = realloc(text->data, capacity);
    if (data == NULL) {
        text->failed = true;
        return false;
    }
    text->data = data;
    text->capacity = capacity;
    return true;
}

void rs__text_append(rs__text *text, const char *bytes, size_t length) {
    assert(text != NULL);
    assert(bytes != NULL || length == 0);
    if (!text_reserve(text, length)) {
        return;
    }
    memcpy(text->data + text->length, bytes, length);
    text->length += length;
    text->data[text->length] = '\0';
}

void rs__text_puts(rs__text *text, const char *string) {
    assert(string != NULL);
    rs__text_append(text, string, strlen(string));
}

void rs__text_printf(rs__text *text, const char *format, ...) {
    assert(text != NULL && format != NULL);
    va_list arguments;
    va_start(arguments, format);
    va_list copy;
    va_copy(copy, arguments);
    int needed = vsnprintf(NULL, 0, format, copy);
    va_end(copy);
    if (needed < 0 || !text_reserve(text, (size_t)needed)) {
        text->failed = true;
        va_end(arguments);
        return;
    }
    int written = vsnprintf(text->data + text->length, (size_t)needed + 1, format, arguments);
    va_end(arguments);
    assert(written == needed);
    text->length += (size_t)needed;
}

void rs__format_number(char *buf, size_t size, double value, int decimals) {
    assert(buf != NULL && size >= RS__NUMBER_BYTES);
    assert(decimals >= 0 && decimals <= 9);
    if (!isfinite(value) || fabs(value) >= 1e50) {
        snprintf(buf, size, "null");
        return;
    }
    int length = snprintf(buf, size, "%.*f", decimals, value);
    assert(length > 0 && (size_t)length < size);
    if (decimals > 0) {
        while (length > 0 && buf[length - 1] == '0') {
            buf[--length] = '\0';
        }
        if (length > 0 && buf[length - 1] == '.') {
            buf[--length] = '\0';
        }
    }
    if (strcmp(buf, "-0") == 0) {
        snprintf(buf, size, "0");
    }
}

void rs__sanitise_label(char *buf, size_t size, const char *name) {
    assert(buf != NULL && size > 0);
    assert(name != NULL);
    static const char allowed[] = " _./:+-,()";
    size_t length = 0;
    for (; name[length] != '\0' && length + 1 < size; length++) {
        unsigned char c = (unsigned char)name[length];
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    (c != '\0' && strchr(allowed, c) != NULL);
        buf[length] = keep ? (char)c : '_';
    }
    buf[length] = '\0';
}
