/* report_internal.h — what the report writers share, private to reports/ (the rs__ prefix
 * marks it internal, as libuv's uv__): a growable text buffer and number formatting
 * (text.c), staged atomic files (fileio.c), the per-second time series (timeseries.c), and
 * one writer per output (summary_json.c, summary_md.c, plots.c), all driven by report.c. */
#ifndef RS_REPORT_INTERNAL_H
#define RS_REPORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks/expect.h"
#include "checks/invariants.h"
#include "reports/kpi.h"
#include "reports/report.h"

/* --- text.c -------------------------------------------------------------------------------- */

#define RS__TEXT_BYTES_MAX ((size_t)1 << 31) /* one report file; a larger one is a bug */
#define RS__NUMBER_BYTES 64                   /* enough for any rs__format_number result */

typedef struct rs__text {
    char *data;       /* NUL-terminated once anything was appended; owned */
    size_t length;    /* bytes used, without the NUL */
    size_t capacity;  /* bytes allocated */
    bool failed;      /* an append ran out of memory or past RS__TEXT_BYTES_MAX */
} rs__text;

void rs__text_init(rs__text *text);
void rs__text_free(rs__text *text);
void rs__text_append(rs__text *text, const char *bytes, size_t length);
void rs__text_puts(rs__text *text, const char *string);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void rs__text_printf(rs__text *text, const char *format, ...);

/* `value` printed with `decimals` decimals ("%.*f": the nearest such decimal), trailing zeros
 * (and a bare point) removed, "-0" written "0"; "null" when value is NaN, infinite or beyond
 * 1e50. Into buf (at least RS__NUMBER_BYTES). Needs the C locale (the default). */
void rs__format_number(char *buf, size_t size, double value, int decimals);

/* Copies `name` into buf keeping only [A-Za-z0-9 _./:+-,()]; every other byte becomes '_'.
 * The result is safe inside a single- or double-quoted gnuplot string and in a CSV/.dat
 * comment (no quote, backquote, backslash, '@', '$', '{' or newline survives). */
void rs__sanitise_label(char *buf, size_t size, const char *name);

/* --- fileio.c: a set of files written to temporaries, renamed together at the end ----------- */

/* The helper process (gnuplot) writing into the stage right now, or 0: the interrupt handler
 * kills and reaps it before removing the temporaries. */
#include <sys/types.h>
#define RS__REPORT_CHILDREN_MAX 2    /* gnuplot processes a report runs at once */
/* The gnuplot children running now (0: none), for the interrupt handler (fileio.c). */
extern volatile pid_t rs__report_children[RS__REPORT_CHILDREN_MAX];

#define RS__STAGE_FILES_MAX 64 /* files one report writes (about 40: 8 plots x 4 files) */

typedef struct rs__stage {
    size_t count;                             /* files staged */
    char *temporary[RS__STAGE_FILES_MAX];     /* "<dir>/<name>.tmp.<pid>", owned */
    char *final[RS__STAGE_FILES_MAX];         /* "<dir>/<name>", owned */
} rs__stage;

void rs__stage_init(rs__stage *stage);
/* Creates `dir` and its missing parents (mode 0777 less umask). 0, or -1 with a message. */
int rs__make_directories(const char *dir, char *error, size_t error_size);
/* Registers "<dir>/<name>" and returns its temporary path (owned by the stage), or NULL with
 * a message. Nothing is written: for files another program (gnuplot) produces. */
const char *rs__stage_reserve(rs__stage *stage, const char *dir, const char *name, char *error,
                              size_t error_size);
/* Forgets the last reserved file, removing its temporary if it exists. */
void rs__stage_drop_last(rs__stage *stage);
/* Writes `text` to the temporary of "<dir>/<name>" (fsync'd). 0, or -1 with a message. */
int rs__stage_write(rs__stage *stage, const char *dir, const char *name, const rs__text *text,
                    char *error, size_t error_size);
/* Renames every temporary to its final name, in staging order. 0, or -1 with a message (the
 * temporaries not yet renamed are removed). The stage is empty afterwards either way. */
int rs__stage_commit(rs__stage *stage, char *error, size_t error_size);
/* Removes every temporary and empties the stage. */
void rs__stage_abort(rs__stage *stage);

/* --- timeseries.c --------------------------------------------------------------------------- */

#define RS__TIMESERIES_ROWS_MAX ((size_t)(2 * RS_DURATION_S_MAX) + 2) /* workload + settle */

typedef struct rs__timeseries_row {
    uint64_t requests_invoked;     /* requests whose invoke_us falls in this second */
    uint64_t acked_ok;             /* ok requests whose client_ack_us falls in it */
    uint64_t acked_ok_events;      /* the events those ok requests carried */
    uint64_t acked_failed;         /* requests acked with an error status in it */
    uint64_t appends;              /* non-duplicate appends whose time_us falls in it */
    double write_latency_ms_p50;   /* over the write-latency samples acked in it; NaN if none */
    double write_latency_ms_p99;
    double replication_latency_ms_p50; /* over the replication samples appended in it */
    double replication_latency_ms_p99;
} rs__timeseries_row;

typedef struct rs__timeseries {
    size_t row_count;              /* seconds 0 .. row_count - 1 */
    rs__timeseries_row *rows;      /* owned */
} rs__timeseries;

int rs__timeseries_compute(const rs_history *history, rs__timeseries *out); /* 0 or -1 */
void rs__timeseries_free(rs__timeseries *timeseries);

/* --- the report being written ------------------------------------------------------------- */

typedef struct rs__report {
    const rs_scenario *scenario;      /* borrowed */
    const rs_history *history;        /* borrowed */
    const rs_metrics *metrics;        /* borrowed; NULL when the strategy reported nothing */
    const rs_run_facts *facts;        /* borrowed */
    rs_kpis kpis;                     /* computed from history */
    rs__timeseries timeseries;        /* computed from history */
    rs_expect_outcome outcomes[RS_EXPECT_METRIC_COUNT]; /* kpis.expect_actual vs expect */
    int expectation_failures;         /* present thresholds that do not hold */
    rs_check_result checks;           /* invariants judged from the history */
    int invariant_failures;           /* invariants violated */
    char hash_hex[17];                /* scenario->content_hash, 16 lowercase hex digits */
} rs__report;

/* Markdown: `name` with table/emphasis characters escaped and control bytes as spaces. */
void rs__md_escaped(rs__text *out, const char *name);

/* fault_report.c: the fault windows, crashes and dropped messages into the summary root
 * (false on allocation failure), a "## Faults" section, and the faults active in a second. */
struct cJSON;
bool rs__faults_json(const rs__report *report, struct cJSON *root);
void rs__faults_md(const rs__report *report, rs__text *out);
uint32_t rs__faults_active(const rs_scenario *scenario, size_t second);
/* Per second 0..rows-1: percent of the events acknowledged ok by its end that every target
 * store then holds (NaN: none acknowledged yet, or targets differ per event). Caller frees;
 * NULL when out of memory. */
double *rs__faults_consistency(const rs__report *report, size_t rows);

/* read_report.c: quorum reads (outcomes, latency, P(consistent) per probe delay, staleness)
 * into the summary root (false on allocation failure) and a "## Reads" section; nothing when
 * the workload does not read. */
bool rs__reads_json(const rs__report *report, struct cJSON *root);
void rs__reads_md(const rs__report *report, rs__text *out);

/* conflict_report.c: multi-primary conflicts (reported by the managers, and as the appends
 * show them) into the summary root (false on allocation failure) and a "## Conflicts"
 * section; nothing unless the clients share streams. */
bool rs__conflicts_json(const rs__report *report, struct cJSON *root);
void rs__conflicts_md(const rs__report *report, rs__text *out);

/* health_report.c: the health checks' settings and state timeline into the summary root
 * (false on allocation failure) and a "## Health checks" section; nothing when disabled. */
bool rs__health_json(const rs__report *report, struct cJSON *root);
void rs__health_md(const rs__report *report, rs__text *out);

/* invariant_report.c: the invariants' verdicts into the summary root (false on allocation
 * failure) and a "## Invariants" section. */
bool rs__invariants_json(const rs__report *report, struct cJSON *root);
void rs__invariants_md(const rs__report *report, rs__text *out);

/* Writers: each appends its whole file to `out` (check out->failed for out of memory). */
void rs__summary_json(const rs__report *report, rs__text *out);
void rs__summary_md(const rs__report *report, rs__text *out);
void rs__timeseries_csv(const rs__report *report, rs__text *out);
void rs__history_edn(const rs__report *report, rs__text *out);   /* history_edn.c */

/* Stages every plot of the run (plots/<base>.{dat,gp,png,svg}, reports/plots_internal.h) into
 * `stage` and lists them in *set. A missing or failing gnuplot costs only the images (a
 * warning on stderr); 0, or -1 with a message when a .dat or .gp cannot be written. */
struct rs__plot_set;
int rs__plots_write(const rs__report *report, rs__stage *stage, const char *plots_dir,
                    struct rs__plot_set *set, char *error, size_t error_size);

/* report.html of a run (html_report.c), embedding the staged SVGs of `plots`. */
void rs__report_html(const rs__report *report, const struct rs__plot_set *plots, rs__text *out);

#endif
