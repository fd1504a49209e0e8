/* list.c — `replsim list`: every component of the registry with its description and its
 * parameters (type, default, range or choices), generated from the same tables the scenario
 * loader validates against, so the list can never disagree with what a scenario accepts;
 * then the fault kinds with their fields (faults/fault.c). */
#include <stdio.h>

#include "cli/commands.h"
#include "faults/fault.h"
#include "strategies/conditional.h"
#include "strategies/geographic.h"
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
            if (components[i] == &rs_geographic_component) {
                printf("      %-18s 0..%d rules {attribute, equals, regions}: matching events "
                       "go only to those regions\n", "residency", RS_RESIDENCY_RULES_MAX);
            }
            for (size_t p = 0; p < components[i]->param_count; p++) {
                print_param(&components[i]->params[p]);
            }
        }
        printf("\n");
    }
    printf("fault kinds (scenario field faults[].kind; each also takes at_s and for_s or "
           "until_s):\n");
    for (int kind = 0; kind < RS_FAULT_KIND_COUNT; kind++) {
        printf("  %-10s %s\n", rs_fault_kind_name((rs_fault_kind)kind),
               rs_fault_kind_description((rs_fault_kind)kind));
    }
    printf("\nrandom nemesis (scenario field nemesis): kinds (any of the above), rate_per_min, "
           "start_s, end_s,\n  duration_min_s, duration_max_s; faults drawn per seed, kept in "
           "the report's faults.json,\n  replayed with replsim run FILE --faults-from DIR\n");
    printf("\nhealth checks (scenario field health_check): interval_ms, timeout_ms, "
           "unhealthy_after,\n  healthy_after; each manager probes its target stores, "
           "strategies read the verdict\n  (star: unhealthy=skip)\n");
    printf("\nquorum reads (scenario field workload.reads): ratio, probe_delays_ms; answered "
           "when\n  consistency.read_quorum stores replied; the report gives P(consistent) "
           "per probe delay\n");
    return 0;
}
