/* compare_report.h — the report of `replsim compare`: the same scenario and seeds run under
 * several strategies; reads each run's summary.json, and writes comparison.json and
 * comparison.md with, per strategy and KPI, the mean over the seeds with its 95% confidence
 * interval, and the difference against the first strategy paired by seed
 * (reports/stats.h). Output is byte-stable: fixed key and row order, numbers rounded as in
 * summary.json. */
#ifndef RS_COMPARE_REPORT_H
#define RS_COMPARE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RS_COMPARE_ENTRY_SETS_MAX 40  /* overrides one entry adds (type, drops, parameters) */
#define RS_COMPARE_TEXT_MAX 512       /* bytes of an entry's label or one override, with NUL */
#define RS_COMPARE_CONFIDENCE 0.95    /* of every interval */

/* One figure compared: a number of summary.json. */
typedef struct rs_compare_kpi {
    const char *name;         /* key in comparison.json ("write_latency_ms_p99") */
    const char *field;        /* dotted path in summary.json ("write_latency_ms.p99") */
    const char *unit;         /* for people ("ms", "fraction", "events/s") */
    int decimals;             /* rounding, as summary.json rounds the field (3 for ms, else 6) */
} rs_compare_kpi;

/* The KPIs, in report order (a static table). Returns their count. */
size_t rs_compare_kpis(const rs_compare_kpi **out);

typedef struct rs_compare_entry {
    char label[RS_COMPARE_TEXT_MAX];     /* as given to --strategies ("batch:batch_size=5") */
    char directory[RS_COMPARE_TEXT_MAX]; /* its reports: <out>/<directory>/seed-<n>/ */
    char strategy[64];                   /* strategy name ("batch") */
    char sets[RS_COMPARE_ENTRY_SETS_MAX][RS_COMPARE_TEXT_MAX]; /* overrides it adds, in order */
    size_t set_count;                    /* how many */
    char hash[17];                       /* scenario hash of its runs (file + overrides) */
    size_t verdict_pass;                 /* runs whose verdict passed */
    double *values;                      /* [seed][kpi], NaN = no value (borrowed) */
} rs_compare_entry;

typedef struct rs_compare {
    const char *scenario_name;           /* the scenario's "name" (borrowed) */
    const char *scenario_file;           /* as given on the command line (borrowed) */
    const char *const *sets;             /* the command's --set options, for every entry */
    size_t set_count;
    uint64_t seed_first;                 /* seeds seed_first .. seed_first + seed_count - 1 */
    size_t seed_count;                   /* 1..RS_COMPARE_SEEDS_MAX */
    size_t entry_count;                  /* 1..RS_COMPARE_ENTRIES_MAX; entries[0] is the
                                            baseline of the differences */
    rs_compare_entry *entries;           /* borrowed */
    const struct rs_scenario *scenario;  /* borrowed, or NULL: the scenario as run (its fault
                                            windows shade the plots of report.html) */
} rs_compare;

/* Reads one run's <dir>/summary.json: values[0..kpi count) (NaN for null or absent), whether
 * its verdict passed, and its scenario hash (16 hex digits + NUL). 0, or -1 with a message. */
int rs_compare_read_run(const char *dir, double *values, bool *verdict_pass, char hash[17],
                        char *error, size_t error_size);

/* Writes <out_dir>/comparison.json, <out_dir>/comparison.md, the overlay plots in
 * <out_dir>/plots/ (from each run's plots/ data files) and <out_dir>/report.html (atomically:
 * temporaries, renamed together). 0, or -1 with a message. */
int rs_compare_write(const rs_compare *comparison, const char *out_dir, char *error,
                     size_t error_size);

#endif
