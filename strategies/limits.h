/* limits.h — every bound replsim places on its inputs and its state, in one place.
 *
 * Each limit says what it bounds and why that value. The scenario loader rejects a value above
 * its limit with the limit in the message; the runtime asserts the ones a run could otherwise
 * overflow. Products (rate x duration, stores x events) are bounded by the budget limits at the
 * bottom, checked before anything is allocated in proportion to them. */
#ifndef RS_LIMITS_H
#define RS_LIMITS_H

/* Names of regions, stores, event types, attributes: short identifiers, printed in tables. */
#define RS_NAME_MAX 64                 /* bytes including the NUL */
#define RS_SCENARIO_NAME_MAX 200       /* the scenario's title, shown in report headers */
#define RS_ATTR_VALUE_MAX 64           /* an attribute's string value, bytes including NUL */

/* Topology. 1000 stores (20 regions x 50) is the scale target; 64 regions leaves headroom. */
#define RS_REGIONS_MAX 64
#define RS_STORES_PER_REGION_MAX 256
#define RS_MANAGERS_PER_REGION_MAX 16
#define RS_CLIENTS_PER_REGION_MAX 64
#define RS_STORES_MAX 2048             /* all regions together */
#define RS_NODES_MAX 4096              /* stores + managers + clients */
#define RS_LINKS_MAX (RS_REGIONS_MAX * (RS_REGIONS_MAX - 1) / 2) /* one per region pair */

/* Network figures: a latency above 10 s or a bandwidth above 1 Tb/s is a typo, not a WAN. */
#define RS_LATENCY_MS_MAX 10000.0
#define RS_BANDWIDTH_MBPS_MAX 1000000.0
#define RS_BANDWIDTH_MBPS_MIN 0.001
#define RS_DIST_COMPONENTS_MAX 8       /* components of a latency mixture */

/* Time: a simulated run of at most one day; everything is in microseconds internally, so a
 * day is 8.64e10 us — far inside int64. */
#define RS_DURATION_S_MAX 86400.0
#define RS_TIMEOUT_MS_MAX 600000.0     /* ten minutes */
#define RS_SERVICE_MS_MAX 60000.0      /* one append taking a minute is a broken disk */

/* Workload. */
#define RS_RATE_PER_S_MAX 1000000.0
#define RS_STREAMS_MAX 10000000
#define RS_EVENT_BYTES_MAX (16 * 1024 * 1024)
#define RS_EVENT_TYPES_MAX 64
#define RS_ATTRIBUTES_MAX 16           /* attributes per event type */
#define RS_EVENTS_PER_APPEND_MAX 1024  /* events one append (event stream) may carry */

/* Strategy parameters and targets. */
#define RS_PARAMS_MAX 16               /* parameters one strategy or policy declares */
#define RS_TARGETS_MAX RS_STORES_MAX

/* Conditional replication rules (strategies/rules.h). Everything lives in fixed arrays inside
 * the scenario, so these bound its size (about 150 kB together). */
#define RS_RULES_MAX 60                /* rules of one rule set: one named counter per rule
                                          (conditional_rule_<i>_events) plus the default and
                                          unrouted counters must fit the 64 named metrics a run
                                          may define (runtime.h), with room to spare */
#define RS_CONDITIONS_MAX 512          /* condition nodes (comparisons and combinators) in all
                                          rules together */
#define RS_CONDITION_DEPTH_MAX 8       /* nesting of and/or/not: a deeper rule is unreadable */
#define RS_IN_VALUES_MAX 32            /* values of one "in" list */
#define RS_RULE_VALUES_MAX 1024        /* comparison values in all rules together (an "in"
                                          takes one per list entry) */
#define RS_RULE_TARGETS_MAX 8192       /* store slots in the shared pool of rule targets and
                                          default targets (a region expands to its stores) */

/* Budgets: products checked before a run allocates in proportion to them. A stored
 * event-replica costs about 40 bytes in a store plus its history record. */
#define RS_EVENTS_MAX 20000000LL       /* rate_per_s x duration_s, all clients together */
#define RS_REPLICAS_MAX 200000000LL    /* events x target stores */
#define RS_IN_FLIGHT_MAX 1000000       /* outstanding store requests in one manager */

/* Faults: a schedule, not a trace. Group and selector counts keep one fault's description
 * (and its per-node group table row) small. */
#define RS_FAULTS_MAX 256              /* faults in one scenario */
#define RS_FAULT_SELECTORS_MAX 64      /* regions or nodes named by one fault */
#define RS_FAULT_GROUPS_MAX 8          /* groups of one partition */

/* Strategy-defined metrics: one table entry each, searched linearly on every report call, so
 * keep it small; names are identifiers printed as CSV columns. */
#define RS_NAMED_METRICS_MAX 64        /* distinct metric names in one run */
#define RS_NAMED_METRIC_NAME_MAX 48    /* bytes including NUL: [a-z0-9_]+ */
#define RS_EXTRA_COMPONENTS_MAX 16     /* components a test binary registers (planted bugs) */

/* Command line: what one invocation may ask for. Each run of check and compare is a process
 * of its own (~0.1-5 s), so these bound hours of work, not memory. */
#define RS_OVERRIDES_MAX 64            /* --set options of one command */
#define RS_OVERRIDE_BYTES_MAX 4096     /* bytes of one "path=value" */
#define RS_CHECK_FILES_MAX 512         /* scenarios in one check */
#define RS_CHECK_SEEDS_MAX 100000      /* seeds per scenario in one check */
#define RS_COMPARE_ENTRIES_MAX 16      /* strategies in one comparison */
#define RS_COMPARE_SEEDS_MAX 1000      /* seeds per strategy in one comparison */
/* sweep: the parent loads every point before running (a few ms each) and keeps one record
 * of ~18 KPIs per run; a merge reads one manifest + summary.json per run. */
#define RS_SWEEP_PARAMETERS_MAX 16     /* swept --set paths (the cartesian product's axes) */
#define RS_SWEEP_VALUES_MAX 256        /* values of one swept parameter */
#define RS_SWEEP_POINTS_MAX 4096       /* parameter points (product of the value counts) */
#define RS_SWEEP_SEEDS_MAX 1000        /* seeds per point */
#define RS_SWEEP_RUNS_MAX 100000       /* points x seeds, and run directories one merge reads */
#define RS_SWEEP_JOBS_MAX 256          /* parallel child processes (-j) */

/* Memory estimate used to refuse a hopeless run before it starts (cli: REPLSIM_MEMORY_
 * BUDGET_MIB): per event, a history event and request; per replica on a target store, its
 * history append (16 B) and receipt (16 B), its log entry (4 B) and the reports' samples
 * (8 B); per store, its bitmap of held ids (model/scenario_nodes.c); plus the engine's base. */
#define RS_MEMORY_BYTES_PER_EVENT 96.0
#define RS_MEMORY_BYTES_PER_REPLICA 48.0
#define RS_MEMORY_BASE_BYTES (64.0 * 1024 * 1024)

/* Scenario files: a hand-written scenario is a few kB; 4 MiB leaves room for generated ones. */
#define RS_SCENARIO_BYTES_MAX (4 * 1024 * 1024)
#define RS_JSON_DEPTH_MAX 32

/* Geographic replication (strategies/geographic.h): residency rules live in a fixed array
 * inside the scenario (~150 bytes each); a data-residency policy names a few jurisdictions. */
#define RS_RESIDENCY_RULES_MAX 16

/* Adaptive replication (strategies/adaptive.c): its sliding windows hold at most this many
 * latency and result samples each (16 bytes a sample, copied and sorted at every evaluation,
 * O(n log n)); a busier window keeps only its newest samples. */
#define RS_ADAPTIVE_WINDOW_SAMPLES_MAX 65536

/* Fault parameters (model/scenario_faults.c). A reorder delay beyond the longest latency a
 * link may declare, or a clock skew beyond an hour, says nothing more about the code under
 * test; drift stays far below 10^6 ppm so a skewed clock still runs forward (monotonic
 * within its window); a store slowed more than 1000x is down, which crash models better. */
#define RS_REORDER_DELAY_MS_MAX 10000.0     /* reorder: delay_ms_max, ms */
#define RS_SLOW_STORE_FACTOR_MAX 1000.0     /* slow_store: factor */
#define RS_CLOCK_OFFSET_MS_MAX 3600000.0    /* clock: |offset_ms|, one hour */
#define RS_CLOCK_DRIFT_PPM_MAX 100000.0     /* clock: |drift_ppm|, 10% */


/* Quorum reads (model/scenario_reads.c): read-after-write probe delays per scenario (each
 * acked write triggers one probe per delay, so this multiplies the read load), and reads per
 * write (a ratio: reads cost the same history and messages as writes). */
#define RS_PROBE_DELAYS_MAX 16
#define RS_READ_RATIO_MAX 100.0
#endif
