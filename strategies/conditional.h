/* conditional.h — conditional replication (the chapter's ConditionalReplicationStrategy): a
 * rule engine over event attributes (strategies/rules.h) maps each event to its own target
 * stores. See conditional.c. */
#ifndef RS_CONDITIONAL_H
#define RS_CONDITIONAL_H

#include "strategies/strategy.h"

enum {
    RS_CONDITIONAL_PARAM_MODE = 0,        /* enum: 0 first_match, 1 all_match (rs_rule_mode) */
    RS_CONDITIONAL_PARAM_TIMEOUT_MS = 1   /* per store append, ms */
};

extern const rs_component rs_conditional_component;

#endif
