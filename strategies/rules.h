/* rules.h — the rule set of conditional replication (the chapter's
 * ConditionalReplicationStrategy) and its evaluation: conditions over an event's attributes
 * decide which target stores the event goes to. Pure C over fixed arrays: no JSON, no
 * allocation, no runtime calls, so a rule set can sit inside the flat rs_scenario and be
 * tested on its own (tests/test_rules.c). The scenario loader (model/scenario_rules.c) builds
 * it with the rs_rules_add_* calls below; strategies/conditional.c evaluates it.
 *
 * Attributes an event exposes: the built-ins `type` (its event type's name) and
 * `origin_region` (region name of the client that produced it), then its event type's
 * attributes; a built-in shadows a type attribute of the same name. Comparisons: eq, ne, lt,
 * le, gt, ge compare numbers numerically and strings byte-wise (strcmp); a number attribute
 * against a string value (or the reverse) is false for every comparison, ne included, and so
 * is an absent attribute — `not eq` is therefore not the same as `ne`. `in` holds when the
 * attribute equals one of its values; `prefix` when a string attribute starts with the (string)
 * value. Combinators: and (all children), or (any child), not (its one child).
 *
 * Conditions form a forest in one array: a combinator's children are linked through `next`
 * from `first`; a comparison's values are values[first .. first + count). Targets of every
 * rule and the default targets are slices of one shared pool of global store indices. */
#ifndef RS_RULES_H
#define RS_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "strategies/limits.h"
#include "strategies/types.h"

typedef enum rs_rule_op {
    RS_RULE_OP_EQ,        /* attribute == value */
    RS_RULE_OP_NE,        /* attribute != value (both present, same kind) */
    RS_RULE_OP_LT,        /* attribute < value */
    RS_RULE_OP_LE,        /* attribute <= value */
    RS_RULE_OP_GT,        /* attribute > value */
    RS_RULE_OP_GE,        /* attribute >= value */
    RS_RULE_OP_IN,        /* attribute == one of the values */
    RS_RULE_OP_PREFIX,    /* string attribute starts with the string value */
    RS_RULE_OP_AND,       /* every child holds (1..n children) */
    RS_RULE_OP_OR,        /* some child holds (1..n children) */
    RS_RULE_OP_NOT,       /* its one child does not hold */
    RS_RULE_OP_COUNT
} rs_rule_op;

/* Operator name as written in scenarios ("eq", "prefix", "and", ...). */
const char *rs_rule_op_name(rs_rule_op op);

typedef enum rs_rule_mode {
    RS_RULE_MODE_FIRST_MATCH,  /* the first matching rule's targets */
    RS_RULE_MODE_ALL_MATCH     /* the union of every matching rule's targets, in rule order */
} rs_rule_mode;

#define RS_CONDITION_NONE UINT32_MAX  /* "no condition": end of a sibling list, pool full */

typedef struct rs_rule_value {
    bool is_number;                   /* number or string */
    double number;                    /* when is_number */
    char text[RS_ATTR_VALUE_MAX];     /* when !is_number, NUL-terminated */
} rs_rule_value;

typedef struct rs_condition {
    rs_rule_op op;                    /* comparison or combinator */
    char attribute[RS_NAME_MAX];      /* comparisons: the attribute read; "" for combinators */
    uint32_t first;                   /* comparisons: first value index; combinators: first
                                         child condition index */
    uint32_t count;                   /* values (1; in: 1..RS_IN_VALUES_MAX) or children
                                         (and/or: >= 1; not: 1) */
    uint32_t next;                    /* next sibling under the same parent, or NONE */
    uint32_t height;                  /* 1 for a comparison, 1 + the tallest child otherwise;
                                         <= RS_CONDITION_DEPTH_MAX */
    bool attached;                    /* already a child of a combinator or a rule's root */
} rs_condition;

typedef struct rs_rule {
    char name[RS_NAME_MAX];           /* unique in the set; user data, never a metric name */
    uint32_t condition;               /* root condition index */
    uint32_t first_target;            /* first slot in target_slots */
    uint32_t target_count;            /* >= 1 stores, each once */
} rs_rule;

typedef struct rs_rule_set {
    uint32_t rule_count;                               /* 0..RS_RULES_MAX (0: no rules) */
    rs_rule rules[RS_RULES_MAX];                       /* in evaluation order */
    uint32_t default_first;                            /* default targets' first slot */
    uint32_t default_count;                            /* 0 = unmatched events go nowhere */
    uint32_t condition_count;                          /* nodes in use */
    rs_condition conditions[RS_CONDITIONS_MAX];        /* every rule's condition tree */
    uint32_t value_count;                              /* values in use */
    rs_rule_value values[RS_RULE_VALUES_MAX];          /* comparison operands */
    uint32_t target_slot_count;                        /* slots in use */
    uint32_t target_slots[RS_RULE_TARGETS_MAX];        /* global store indices */
} rs_rule_set;

/* What the rules may read of one event: the built-ins and its type's attributes (borrowed). */
typedef struct rs_rule_input {
    const char *type_name;            /* value of `type` */
    const char *origin_region;        /* value of `origin_region` */
    const rs_attribute *attributes;   /* the event type's attributes */
    uint32_t attribute_count;         /* entries in attributes */
} rs_rule_input;

/* --- building (loader, tests) ------------------------------------------------------------- */

/* Empties `rules`. */
void rs_rules_init(rs_rule_set *rules);

/* Appends a comparison (eq..prefix) on `attribute` with `count` values (copied; 1 except for
 * in, 1..RS_IN_VALUES_MAX; prefix takes one string). Returns the new condition's index, or
 * RS_CONDITION_NONE when the condition or value pool is full. */
uint32_t rs_rules_add_comparison(rs_rule_set *rules, rs_rule_op op, const char *attribute,
                                 const rs_rule_value *values, uint32_t count);

/* Appends and/or/not over `count` earlier, unattached conditions (not: exactly one), which it
 * attaches in the given order. Their height must be < RS_CONDITION_DEPTH_MAX. Returns the new
 * index, or RS_CONDITION_NONE when the condition pool is full. */
uint32_t rs_rules_add_combinator(rs_rule_set *rules, rs_rule_op op, const uint32_t *children,
                                 uint32_t count);

/* Appends rule `name` with root `condition` (unattached) and `count` >= 1 distinct targets
 * (copied). Returns 0, or -1 when the rule table or target pool is full. */
int rs_rules_add_rule(rs_rule_set *rules, const char *name, uint32_t condition,
                      const uint32_t *targets, uint32_t count);

/* Sets the default targets (`count` >= 0 distinct stores, copied). Once. 0 or -1 (pool full). */
int rs_rules_set_default(rs_rule_set *rules, const uint32_t *targets, uint32_t count);

/* --- evaluation ---------------------------------------------------------------------------- */

/* Does condition `condition` hold for `input`? O(nodes of its subtree x attributes). */
bool rs_condition_holds(const rs_rule_set *rules, uint32_t condition,
                        const rs_rule_input *input);

/* The matching rules as a bit mask (bit i = rules[i]): in first_match mode at most the lowest
 * matching bit, in all_match mode every one. 0 = no rule matched. */
uint64_t rs_rules_match(const rs_rule_set *rules, rs_rule_mode mode, const rs_rule_input *input);

/* The target stores of a match mask into out (RS_TARGETS_MAX entries): the union of the
 * matched rules' targets in rule order, each store once; the default targets when `matched`
 * is 0. Returns the count (0 when nothing matched and the default is empty). */
uint32_t rs_rules_targets(const rs_rule_set *rules, uint64_t matched,
                          uint32_t out[RS_TARGETS_MAX]);

#endif
