/* json_read.c — checked reads over a parsed document (json_pos.h): members, the kind of a
 * value, the allowed fields of an object (with "did you mean"), numbers within a range,
 * choices, strings, and the same for a named member with a default. Every failure is one
 * message through rs_json_fail, at the value's position. Built only on json_pos.h's public
 * calls; the lexer is in json_lex.c, the positions in json_pos.c. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/json_pos.h"

#define JSON_FIELDS_MAX 32    /* allowed fields of one object in rs_json_check_fields */

/* ---------------------------------------------------------------------------------------- */
/* Checked reads.                                                                            */

const cJSON *rs_json_member(const cJSON *object, const char *name) {
    assert(object != NULL && name != NULL);
    assert(cJSON_IsObject(object));
    for (const cJSON *child = object->child; child != NULL; child = child->next) {
        if (child->string != NULL && strcmp(child->string, name) == 0) {
            return child;
        }
    }
    return NULL;
}

static int need_kind(const rs_json_doc *doc, const cJSON *node, const char *path, bool ok,
                     const char *kind) {
    assert(doc != NULL && node != NULL);
    if (ok) {
        return 0;
    }
    char got[64];
    rs_json_describe(doc, node, got, sizeof got);
    return rs_json_fail(doc, rs_json_value_offset(doc, node), path,
                        "must be %s, got %s; allowed: %s", kind, got, kind);
}

int rs_json_need_object(const rs_json_doc *doc, const cJSON *node, const char *path) {
    return need_kind(doc, node, path, cJSON_IsObject(node), "an object");
}

int rs_json_need_array(const rs_json_doc *doc, const cJSON *node, const char *path) {
    return need_kind(doc, node, path, cJSON_IsArray(node), "an array");
}

static int fail_unknown_field(const rs_json_doc *doc, const cJSON *member, const char *path,
                              const char *const *allowed, size_t count) {
    char field_path[RS_JSON_PATH_MAX];
    char names[512];
    char hint[96] = "";
    rs_json_path_key(field_path, sizeof field_path, path, member->string);
    rs_json_join(names, sizeof names, allowed, count);
    int close = rs_json_suggest(member->string, allowed, count);
    if (close >= 0) {
        snprintf(hint, sizeof hint, " (did you mean \"%s\"?)", allowed[close]);
    }
    return rs_json_fail(doc, rs_json_key_offset(doc, member), field_path,
                        "unknown field%s; allowed: %s", hint, count > 0 ? names : "no fields");
}

int rs_json_check_fields(const rs_json_doc *doc, const cJSON *object, const char *path,
                         const char *const *allowed, size_t count) {
    assert(doc != NULL && cJSON_IsObject(object));
    assert(count <= JSON_FIELDS_MAX);
    const cJSON *seen[JSON_FIELDS_MAX] = {0};
    for (const cJSON *member = object->child; member != NULL; member = member->next) {
        size_t index = 0;
        while (index < count && strcmp(allowed[index], member->string) != 0) {
            index++;
        }
        if (index == count) {
            return fail_unknown_field(doc, member, path, allowed, count);
        }
        if (seen[index] != NULL) {
            char field_path[RS_JSON_PATH_MAX];
            uint32_t line = 0;
            uint32_t col = 0;
            rs_json_path_key(field_path, sizeof field_path, path, member->string);
            rs_json_line_col(doc, rs_json_key_offset(doc, seen[index]), &line, &col);
            return rs_json_fail(doc, rs_json_key_offset(doc, member), field_path,
                                "duplicate key (first at %u:%u); allowed: each key once", line,
                                col);
        }
        seen[index] = member;
    }
    return 0;
}

int rs_json_fail_missing(const rs_json_doc *doc, const cJSON *object, const char *path,
                         const char *name) {
    assert(doc != NULL && object != NULL);
    assert(name != NULL);
    char field_path[RS_JSON_PATH_MAX];
    rs_json_path_key(field_path, sizeof field_path, path, name);
    return rs_json_fail(doc, rs_json_value_offset(doc, object), field_path,
                        "missing required field");
}

int rs_json_check_number(const rs_json_doc *doc, const cJSON *node, const char *path,
                         const rs_json_range *range, double *out) {
    assert(doc != NULL && node != NULL);
    assert(range != NULL && out != NULL);
    char allowed[96];
    char got[64];
    rs_json_range_text(range, allowed, sizeof allowed);
    rs_json_describe(doc, node, got, sizeof got);
    size_t offset = rs_json_value_offset(doc, node);
    const char *kind = range->integer ? "an integer" : "a number";
    if (!cJSON_IsNumber(node) || !isfinite(node->valuedouble)) {
        return rs_json_fail(doc, offset, path, "must be %s, got %s; allowed: %s", kind, got,
                            allowed);
    }
    double value = node->valuedouble;
    if (range->integer && value != floor(value)) {
        return rs_json_fail(doc, offset, path, "must be an integer, got %s; allowed: %s", got,
                            allowed);
    }
    char bound[32];
    if (value < range->min_value || (range->min_exclusive && value == range->min_value)) {
        rs_json_format_number(range->min_value, bound, sizeof bound);
        return rs_json_fail(doc, offset, path, "must be %s %s, got %s; allowed: %s",
                            range->min_exclusive ? ">" : ">=", bound, got, allowed);
    }
    if (value > range->max_value) {
        rs_json_format_number(range->max_value, bound, sizeof bound);
        return rs_json_fail(doc, offset, path, "must be <= %s, got %s; allowed: %s", bound, got,
                            allowed);
    }
    rs_json_format_number(value, bound, sizeof bound);
    if (range->integer && fabs(value) >= 9007199254740992.0 && strcmp(bound, got) != 0) {
        /* above 2^53 a double skips integers: 9007199254740993 would silently become ...992 */
        return rs_json_fail(doc, offset, path, "integer %s is not exactly representable; "
                            "allowed: %s", got, allowed);
    }
    *out = value;
    return 0;
}

int rs_json_check_choice(const rs_json_doc *doc, const cJSON *node, const char *path,
                         const char *what, const char *const *choices, size_t count,
                         size_t *out) {
    assert(doc != NULL && node != NULL);
    assert(what != NULL && out != NULL);
    char names[512];
    char got[64];
    rs_json_join(names, sizeof names, choices, count);
    size_t offset = rs_json_value_offset(doc, node);
    if (!cJSON_IsString(node)) {
        rs_json_describe(doc, node, got, sizeof got);
        return rs_json_fail(doc, offset, path, "must be a string, got %s; allowed: %s", got,
                            names);
    }
    for (size_t i = 0; i < count; i++) {
        if (strcmp(node->valuestring, choices[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    char hint[96] = "";
    int close = rs_json_suggest(node->valuestring, choices, count);
    if (close >= 0) {
        snprintf(hint, sizeof hint, " (did you mean \"%s\"?)", choices[close]);
    }
    rs_json_quote(node->valuestring, got, sizeof got);
    return rs_json_fail(doc, offset, path, "unknown %s %s%s; allowed: %s", what, got, hint,
                        count > 0 ? names : "none registered");
}

int rs_json_check_string(const rs_json_doc *doc, const cJSON *node, const char *path,
                         char *out, size_t size) {
    assert(doc != NULL && node != NULL);
    assert(out != NULL && size >= 2);
    char got[64];
    size_t offset = rs_json_value_offset(doc, node);
    if (!cJSON_IsString(node)) {
        rs_json_describe(doc, node, got, sizeof got);
        return rs_json_fail(doc, offset, path, "must be a string, got %s; allowed: a string of "
                            "1..%zu bytes", got, size - 1);
    }
    size_t length = strlen(node->valuestring);
    if (length == 0 || length >= size) {
        return rs_json_fail(doc, offset, path, "%s string (%zu bytes); allowed: a string of "
                            "1..%zu bytes", length == 0 ? "empty" : "too long", length, size - 1);
    }
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)node->valuestring[i];
        if (c < 0x20 || c == 0x7f) {
            return rs_json_fail(doc, offset, path, "contains control character 0x%02x; allowed: "
                                "printable text", (unsigned)c);
        }
    }
    memcpy(out, node->valuestring, length + 1);
    return 0;
}

int rs_json_get_number(const rs_json_doc *doc, const cJSON *object, const char *path,
                       const char *name, const rs_json_range *range,
                       const double *default_value, double *out) {
    assert(doc != NULL && object != NULL);
    assert(name != NULL && out != NULL);
    const cJSON *member = rs_json_member(object, name);
    if (member == NULL) {
        if (default_value == NULL) {
            return rs_json_fail_missing(doc, object, path, name);
        }
        *out = *default_value;
        return 0;
    }
    char field_path[RS_JSON_PATH_MAX];
    rs_json_path_key(field_path, sizeof field_path, path, name);
    return rs_json_check_number(doc, member, field_path, range, out);
}

int rs_json_get_uint(const rs_json_doc *doc, const cJSON *object, const char *path,
                     const char *name, const rs_json_range *range, uint64_t default_value,
                     uint64_t *out) {
    assert(range != NULL && range->integer);
    assert(range->min_value >= 0 && range->max_value <= 18446744073709551615.0);
    double value = (double)default_value;
    if (rs_json_get_number(doc, object, path, name, range, &value, &value) != 0) {
        return 2;
    }
    *out = rs_json_member(object, name) != NULL ? (uint64_t)value : default_value;
    return 0;
}

int rs_json_get_choice(const rs_json_doc *doc, const cJSON *object, const char *path,
                       const char *name, const char *what, const char *const *choices,
                       size_t count, size_t default_index, size_t *out) {
    assert(doc != NULL && object != NULL);
    assert(default_index < count && out != NULL);
    const cJSON *member = rs_json_member(object, name);
    if (member == NULL) {
        *out = default_index;
        return 0;
    }
    char field_path[RS_JSON_PATH_MAX];
    rs_json_path_key(field_path, sizeof field_path, path, name);
    return rs_json_check_choice(doc, member, field_path, what, choices, count, out);
}
