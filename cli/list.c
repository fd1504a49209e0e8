/* list.c — `replsim list`: every component of the registry with its description and its
 * parameters (type, default, range or choices), generated from the same tables the scenario
 * loader validates against, so the list can never disagree with what a scenario accepts. */
#include <stdio.h>

#include "cli/commands.h"
#include "strategies/conditional.h"
#include "strategies/strategy.h"

static void print_param(const rs_param_spec *param) {
    printf("      %-18s ", param->name);
    switch (param->type) {
    case RS_PARAM_NUMBER:
        printf("number %g..%g, default %g", param->min_value, param->max_value,
               param->default_value);
        break;
    case RS_PARAM_INTEGER:
        printf("integer %.0f..%.0f, default %.0f", param->min_value, param->max_value,
               param->default_value);
        break;
    case RS_PARAM_BOOL:
        printf("boolean, default %s", param->default_value != 0 ? "true" : "false");
        break;
    case RS_PARAM_ENUM:
        printf("one of");
        for (const char *const *choice = param->choices; *choice != NULL; choice++) {
            printf(" %s", *choice);
        }
        printf(", default %s", param->choices[(int)param->default_value]);
        break;
    }
    printf("\n        %s\n", param->description);
}

int rs_cli_list(int argc, char **argv) {
    (void)argv;
    if (argc != 0) {
        fprintf(stderr, "replsim list: takes no arguments\n");
        return 2;
    }
    const rs_component *const *components;
    size_t count = rs_components(&components);
    const char *headings[] = {"replication strategies (scenario field strategy.type):",
                              "consistency policies (scenario field consistency.type):"};
    for (int kind = RS_COMPONENT_STRATEGY; kind <= RS_COMPONENT_POLICY; kind++) {
        printf("%s\n", headings[kind]);
        for (size_t i = 0; i < count; i++) {
            if ((int)components[i]->kind != kind) {
                continue;
            }
            printf("  %-10s %s\n", components[i]->name, components[i]->description);
            if (components[i] == &rs_conditional_component) {
                printf("      %-18s 1..%d rules {name, when: condition, targets} (see "
                       "docs/scenario.md)\n", "rules", RS_RULES_MAX);
                printf("      %-18s stores for events no rule matches (default: none: "
                       "rejected)\n", "default_targets");
            } else if (kind == RS_COMPONENT_STRATEGY) {
                printf("      %-18s store or region names to write (default: every store)\n",
                       "targets");
            }
            for (size_t p = 0; p < components[i]->param_count; p++) {
                print_param(&components[i]->params[p]);
            }
        }
        printf("\n");
    }
    return 0;
}
