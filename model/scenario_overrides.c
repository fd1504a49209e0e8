/* scenario_overrides.c — `--set path=value`: command-line overrides of any scenario field,
 * applied to the parsed tree before the loader checks it, so an overridden value is held to
 * exactly the rules of the file. Each new value is grafted onto the document
 * (rs_json_doc_graft) so a problem in it reads "--set path=value: field: what; allowed: ..."
 * instead of a file position. Replaced and removed nodes are detached, never freed, until the
 * document is gone (the document still records their addresses). Cost: O(path length x
 * members) per override plus one re-sort of the position table, fine for a few dozen. */
#include "model/scenario.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "model/json_pos.h"

#define OVERRIDE_SEGMENTS_MAX 16   /* fields and indices on one path */
#define OVERRIDE_INDEX_MAX 1000000 /* array index on a path (arrays are far shorter) */
#define OVERRIDE_LABEL_SHOWN 120   /* bytes of "path=value" quoted in messages */

static const char override_path_allowed[] =
    "allowed: field names joined by '.', array indices as [N], then '=' and a JSON value or "
    "text (e.g. topology.regions[1].stores=5); an empty value removes the field";

typedef struct override_segment {
    const char *key;          /* field name (not NUL-terminated), or NULL for an index */
    size_t key_length;        /* its bytes */
    size_t index;             /* array index when key is NULL */
    size_t end;               /* bytes of the path up to and including this segment */
} override_segment;

typedef struct override_edit {
    const char *const *overrides; /* "path=value" strings, in order (borrowed) */
    size_t count;                 /* how many */
    cJSON *removed;               /* detached nodes, kept alive until the doc is freed */
} override_edit;

/* The current override, as messages name it. */
typedef struct override_item {
    const char *text;                       /* "path=value" */
    const char *value;                      /* after the first '=' */
    size_t path_length;                     /* bytes before the '=' */
    override_segment segments[OVERRIDE_SEGMENTS_MAX];
    size_t segment_count;
    char label[OVERRIDE_LABEL_SHOWN + 16];  /* "--set path=value", cut with "..." */
} override_item;

/* "label: <format...>" into doc's error buffer on one line; returns 2. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int override_fail(const rs_json_doc *doc, const override_item *item, const char *format,
                         ...) {
    assert(doc != NULL && item != NULL);
    assert(format != NULL);
    if (doc->error_size == 0) {
        return 2;
    }
    int used = snprintf(doc->error, doc->error_size, "%s: ", item->label);
    if (used >= 0 && (size_t)used < doc->error_size) {
        va_list args;
        va_start(args, format);
        vsnprintf(doc->error + used, doc->error_size - (size_t)used, format, args);
        va_end(args);
    }
    for (char *c = doc->error; *c != '\0'; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f) {
            *c = '?';
        }
    }
    return 2;
}

/* Bytes of the well-formed UTF-8 sequence at text (1 for ASCII), or 0 when it is not one
 * (overlong forms and surrogates are let through: this only keeps messages printable). */
static size_t utf8_sequence(const unsigned char *text) {
    assert(text != NULL);
    assert(text[0] != '\0');
    size_t length = text[0] < 0x80 ? 1 : (text[0] & 0xe0) == 0xc0 ? 2
                  : (text[0] & 0xf0) == 0xe0 ? 3 : (text[0] & 0xf8) == 0xf0 ? 4 : 0;
    for (size_t i = 1; i < length; i++) {
        if ((text[i] & 0xc0) != 0x80) {
            return 0;
        }
    }
    return length;
}

/* "--set path=value", cut at OVERRIDE_LABEL_SHOWN bytes with "...", bytes that are not
 * UTF-8 as '?' (control characters become '?' when the message is written). */
static void make_label(override_item *item) {
    assert(item != NULL && item->text != NULL);
    const unsigned char *text = (const unsigned char *)item->text;
    size_t at = snprintf(item->label, sizeof item->label, "--set ") > 0 ? 6 : 0;
    size_t shown = 0;
    while (text[shown] != '\0' && shown < OVERRIDE_LABEL_SHOWN) {
        size_t length = utf8_sequence(text + shown);
        if (length == 0) {
            item->label[at++] = '?';
            shown++;
            continue;
        }
        if (shown + length > OVERRIDE_LABEL_SHOWN) {
            break;
        }
        memcpy(item->label + at, text + shown, length);
        at += length;
        shown += length;
    }
    snprintf(item->label + at, sizeof item->label - at, "%s", text[shown] != '\0' ? "..." : "");
    assert(strlen(item->label) < sizeof item->label);
}

/* "[N]" at text[*at] (decimal, no leading zero) into *index. */
static bool parse_index(const char *text, size_t length, size_t *at, size_t *index) {
    assert(text != NULL && index != NULL);
    assert(*at < length && text[*at] == '[');
    size_t start = ++*at; /* past '[' */
    size_t value = 0;
    while (*at < length && text[*at] >= '0' && text[*at] <= '9' && value <= OVERRIDE_INDEX_MAX) {
        value = value * 10 + (size_t)(text[(*at)++] - '0');
    }
    size_t digits = *at - start;
    if (digits == 0 || (digits > 1 && text[start] == '0') || value > OVERRIDE_INDEX_MAX ||
        *at >= length || text[*at] != ']') {
        return false;
    }
    (*at)++;
    *index = value;
    return true;
}

/* Splits item->text[0..path_length) into segments; false on bad syntax. */
static bool parse_path(override_item *item) {
    assert(item != NULL && item->text != NULL);
    assert(item->path_length <= strlen(item->text));
    const char *text = item->text;
    size_t length = item->path_length;
    size_t at = 0;
    item->segment_count = 0;
    while (at < length) {
        if (item->segment_count == OVERRIDE_SEGMENTS_MAX) {
            return false;
        }
        override_segment *segment = &item->segments[item->segment_count];
        *segment = (override_segment){0};
        if (text[at] == '[' && item->segment_count > 0) {
            if (!parse_index(text, length, &at, &segment->index)) {
                return false;
            }
        } else {
            if (item->segment_count > 0 && text[at++] != '.') {
                return false; /* "a[0]b" */
            }
            size_t start = at;
            while (at < length && strchr(".[]", text[at]) == NULL) {
                at++;
            }
            segment->key = text + start;
            segment->key_length = at - start;
            if (segment->key_length == 0 || (at < length && text[at] == ']')) {
                return false;
            }
        }
        segment->end = at;
        item->segment_count++;
    }
    assert(item->segment_count <= OVERRIDE_SEGMENTS_MAX);
    return item->segment_count > 0;
}

static char *segment_key(const override_segment *segment) {
    assert(segment != NULL && segment->key != NULL);
    assert(segment->key_length > 0);
    char *key = malloc(segment->key_length + 1);
    if (key != NULL) {
        memcpy(key, segment->key, segment->key_length);
        key[segment->key_length] = '\0';
    }
    return key;
}

/* The child a segment names in `parent`, or NULL. */
static cJSON *segment_child(cJSON *parent, const override_segment *segment) {
    assert(parent != NULL && segment != NULL);
    if (segment->key == NULL) {
        return cJSON_IsArray(parent) ? cJSON_GetArrayItem(parent, (int)segment->index) : NULL;
    }
    for (cJSON *child = parent->child; child != NULL; child = child->next) {
        if (child->string != NULL && strlen(child->string) == segment->key_length &&
            memcmp(child->string, segment->key, segment->key_length) == 0) {
            return child;
        }
    }
    return NULL;
}

/* `value` as a JSON string literal: quotes, backslashes and control bytes escaped. */
static char *quote_text(const char *value) {
    assert(value != NULL);
    size_t length = strlen(value);
    char *quoted = malloc(length * 6 + 3);
    if (quoted == NULL) {
        return NULL;
    }
    size_t at = 0;
    quoted[at++] = '"';
    for (const unsigned char *c = (const unsigned char *)value; *c != '\0'; c++) {
        if (*c == '"' || *c == '\\') {
            quoted[at++] = '\\';
            quoted[at++] = (char)*c;
        } else if (*c < 0x20) {
            at += (size_t)snprintf(quoted + at, 7, "\\u%04x", (unsigned)*c);
        } else {
            quoted[at++] = (char)*c;
        }
    }
    quoted[at++] = '"';
    quoted[at] = '\0';
    assert(at <= length * 6 + 2);
    return quoted;
}

/* The value parsed as strict JSON, else as a string (which must be UTF-8); NULL with a
 * message in doc's error buffer. */
static cJSON *parse_value(const rs_json_doc *doc, const override_item *item) {
    assert(doc != NULL && item != NULL);
    assert(item->segment_count >= 1 && item->segment_count < RS_JSON_DEPTH_MAX);
    uint32_t depth_max = RS_JSON_DEPTH_MAX - (uint32_t)item->segment_count;
    char ignored[256];
    rs_json_doc value = {0};
    size_t length = strlen(item->value);
    cJSON *node = NULL;
    if (rs_json_doc_parse(&value, "--set", item->value, length, RS_OVERRIDE_BYTES_MAX, depth_max,
                          ignored, sizeof ignored) == 0) {
        node = value.root;
        value.root = NULL;
    }
    rs_json_doc_free(&value);
    char *quoted = node == NULL ? quote_text(item->value) : NULL;
    if (quoted != NULL && rs_json_doc_parse(&value, "--set", quoted, strlen(quoted),
                                            RS_OVERRIDE_BYTES_MAX * 6 + 2, depth_max, ignored,
                                            sizeof ignored) == 0) {
        node = value.root;
        value.root = NULL;
    }
    rs_json_doc_free(&value);
    free(quoted);
    if (node == NULL) {
        override_fail(doc, item, "value: neither JSON nor UTF-8 text; allowed: a JSON value "
                      "(5, true, [\"eu\"], {...}) or UTF-8 text taken as a string");
    }
    assert(node == NULL || node->string == NULL); /* a root value, not yet a member */
    return node;
}

/* A new value for the missing member segments[first] of parent: objects for the remaining
 * fields, the value at the bottom. NULL with a message. */
static cJSON *build_chain(const rs_json_doc *doc, const override_item *item, size_t first) {
    assert(doc != NULL && item != NULL);
    assert(first < item->segment_count && item->segments[first].key != NULL);
    for (size_t i = first + 1; i < item->segment_count; i++) {
        if (item->segments[i].key == NULL) {
            int end = (int)item->segments[i - 1].end;
            override_fail(doc, item, "%.*s: missing, so it has no element [%zu]; allowed: an "
                          "index into an array the scenario has (or the whole array: --set "
                          "%.*s=[...])", end, item->text, item->segments[i].index, end,
                          item->text);
            return NULL;
        }
    }
    cJSON *top = parse_value(doc, item);
    for (size_t i = item->segment_count - 1; top != NULL && i > first; i--) {
        cJSON *object = cJSON_CreateObject();
        char *key = segment_key(&item->segments[i]);
        if (object == NULL || key == NULL || !cJSON_AddItemToObject(object, key, top)) {
            cJSON_Delete(object);
            cJSON_Delete(top);
            free(key);
            override_fail(doc, item, "out of memory; allowed: fewer overrides");
            return NULL;
        }
        free(key);
        top = object;
    }
    return top;
}

static const char *kind_name(const cJSON *node) {
    assert(node != NULL);
    assert(!cJSON_IsInvalid(node));
    return cJSON_IsObject(node) ? "an object" : cJSON_IsArray(node) ? "an array"
         : cJSON_IsString(node) ? "a string" : cJSON_IsNumber(node) ? "a number"
         : cJSON_IsBool(node) ? "a boolean" : "null";
}

/* Walks to the parent of the last segment. Sets *parent, or *created when a missing member
 * on the way was made (then the override is done), or *parent = NULL when one is missing and
 * the override removes (nothing to do). Returns 0 or 2. */
static int walk_to_parent(const rs_json_doc *doc, override_item *item, cJSON **parent,
                          cJSON **created) {
    assert(doc != NULL && item != NULL);
    assert(parent != NULL && *parent != NULL && created != NULL);
    *created = NULL;
    bool removes = item->value[0] == '\0';
    for (size_t i = 0; i < item->segment_count; i++) {
        const override_segment *segment = &item->segments[i];
        bool want_object = segment->key != NULL;
        if (want_object ? !cJSON_IsObject(*parent) : !cJSON_IsArray(*parent)) {
            return override_fail(doc, item, "%.*s: is %s, so it has no %s; %s",
                                 i == 0 ? 10 : (int)item->segments[i - 1].end,
                                 i == 0 ? "(document)" : item->text, kind_name(*parent),
                                 want_object ? "fields" : "elements", override_path_allowed);
        }
        if (i + 1 == item->segment_count) {
            return 0;
        }
        cJSON *child = segment_child(*parent, segment);
        if (child == NULL && segment->key == NULL) {
            return override_fail(doc, item, "%.*s: no element [%zu] (the array has %d); "
                                 "allowed: an index into the array", (int)segment->end,
                                 item->text, segment->index, cJSON_GetArraySize(*parent));
        }
        if (child == NULL && removes) {
            *parent = NULL;
            return 0;
        }
        if (child == NULL) {
            *created = build_chain(doc, item, i);
            char *key = *created != NULL ? segment_key(segment) : NULL;
            bool added = key != NULL && cJSON_AddItemToObject(*parent, key, *created);
            free(key);
            if (!added && *created != NULL) {
                cJSON_Delete(*created);
                return override_fail(doc, item, "out of memory; allowed: fewer overrides");
            }
            return *created != NULL ? 0 : 2;
        }
        *parent = child;
    }
    assert(false && "the loop returns at the last segment");
    return 2;
}

/* Puts `node` where `existing` is (or at the end), keeping the member's place in the file
 * order; `existing` moves to the removed list. */
static bool put_node(override_edit *edit, cJSON *parent, cJSON *existing, cJSON *node,
                     const override_segment *segment) {
    assert(parent != NULL && node != NULL);
    int position = 0;
    for (cJSON *c = parent->child; existing != NULL && c != existing; c = c->next) {
        position++;
    }
    if (segment->key != NULL) {
        char *key = segment_key(segment);
        bool added = key != NULL && cJSON_AddItemToObject(parent, key, node);
        free(key);
        if (!added) {
            return false;
        }
        cJSON_DetachItemViaPointer(parent, node); /* keeps the key */
    }
    if (existing == NULL) {
        return cJSON_AddItemToArray(parent, node);
    }
    cJSON_AddItemToArray(edit->removed, cJSON_DetachItemViaPointer(parent, existing));
    /* Debian's cJSON 1.7.15 (deb12u4) cJSON_InsertItemInArray always fails: move the members
     * after `position` aside, append, and move them back (addresses never change). */
    cJSON *tail = cJSON_CreateArray();
    if (tail == NULL) {
        return false;
    }
    for (cJSON *item; (item = cJSON_GetArrayItem(parent, position)) != NULL;) {
        cJSON_AddItemToArray(tail, cJSON_DetachItemViaPointer(parent, item));
    }
    bool added = cJSON_AddItemToArray(parent, node);
    for (cJSON *item; (item = tail->child) != NULL;) {
        cJSON_AddItemToArray(parent, cJSON_DetachItemViaPointer(tail, item));
    }
    assert(cJSON_GetArraySize(tail) == 0);
    cJSON_Delete(tail);
    return added;
}

static int apply_override(rs_json_doc *doc, override_edit *edit, const char *text) {
    assert(doc != NULL && edit != NULL);
    assert(text != NULL && strlen(text) <= RS_OVERRIDE_BYTES_MAX);
    override_item item = {.text = text};
    make_label(&item);
    const char *equals = strchr(text, '=');
    item.path_length = equals != NULL ? (size_t)(equals - text) : 0;
    item.value = equals != NULL ? equals + 1 : "";
    if (equals == NULL || !parse_path(&item)) {
        return override_fail(doc, &item, "%s path; %s", equals == NULL ? "no '=' after the" :
                             "bad", override_path_allowed);
    }
    cJSON *parent = doc->root;
    cJSON *created = NULL;
    if (walk_to_parent(doc, &item, &parent, &created) != 0) {
        return 2;
    }
    if (created != NULL) {
        return rs_json_doc_graft(doc, created, item.label);
    }
    if (parent == NULL) {
        return 0; /* removing a field whose parent is missing */
    }
    const override_segment *last = &item.segments[item.segment_count - 1];
    assert(last->key != NULL ? cJSON_IsObject(parent) : cJSON_IsArray(parent));
    cJSON *existing = segment_child(parent, last);
    if (item.value[0] == '\0') {
        if (existing != NULL) {
            cJSON_AddItemToArray(edit->removed, cJSON_DetachItemViaPointer(parent, existing));
        }
        return 0;
    }
    if (existing == NULL && last->key == NULL) {
        return override_fail(doc, &item, "%.*s: no element [%zu] (the array has %d); allowed: "
                             "an index into the array", (int)last->end, text, last->index,
                             cJSON_GetArraySize(parent));
    }
    cJSON *node = parse_value(doc, &item);
    if (node == NULL) {
        return 2;
    }
    if (!put_node(edit, parent, existing, node, last)) {
        cJSON_Delete(node);
        return override_fail(doc, &item, "out of memory; allowed: fewer overrides");
    }
    return rs_json_doc_graft(doc, node, item.label);
}

static int apply_all(rs_json_doc *doc, void *context) {
    override_edit *edit = context;
    assert(doc != NULL && doc->root != NULL);
    assert(edit != NULL && edit->removed != NULL);
    for (size_t i = 0; i < edit->count; i++) {
        if (apply_override(doc, edit, edit->overrides[i]) != 0) {
            return 2;
        }
    }
    return 0;
}

/* FNV-1a 64 continued from `hash` over `length` bytes (model/scenario_load.c starts it). */
static uint64_t fnv1a64_more(uint64_t hash, const char *bytes, size_t length) {
    assert(bytes != NULL || length == 0);
    uint64_t before = hash;
    for (size_t i = 0; i < length; i++) {
        hash ^= (unsigned char)bytes[i];
        hash *= 1099511628211ULL;
    }
    assert(length > 0 || hash == before);
    return hash;
}

int rs_scenario_load_with_overrides(const char *path, const char *const *overrides,
                                    size_t count, rs_scenario *out, char *error,
                                    size_t error_size) {
    assert(path != NULL && out != NULL);
    assert(overrides != NULL || count == 0);
    for (size_t i = 0; i < count; i++) {
        if (count > RS_OVERRIDES_MAX || strlen(overrides[i]) > RS_OVERRIDE_BYTES_MAX) {
            memset(out, 0, sizeof *out);
            snprintf(error, error_size, "--set: %s; allowed: at most %d options of at most %d "
                     "bytes each", count > RS_OVERRIDES_MAX ? "too many options" :
                     "option too long", RS_OVERRIDES_MAX, RS_OVERRIDE_BYTES_MAX);
            return 2;
        }
    }
    override_edit edit = {.overrides = overrides, .count = count, .removed = cJSON_CreateArray()};
    if (edit.removed == NULL) {
        memset(out, 0, sizeof *out);
        snprintf(error, error_size, "--set: out of memory");
        return 2;
    }
    int status = rs_scenario_load_edited(path, count > 0 ? apply_all : NULL, &edit, out, error,
                                         error_size);
    cJSON_Delete(edit.removed);
    for (size_t i = 0; status == 0 && i < count; i++) {
        /* a NUL before each override: "a=1" + "b=2" never hashes like "a=1b=2" */
        out->content_hash = fnv1a64_more(out->content_hash, "", 1);
        out->content_hash = fnv1a64_more(out->content_hash, overrides[i], strlen(overrides[i]));
    }
    assert(status == 0 || status == 2);
    return status;
}
