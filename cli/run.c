/* run.c — `replsim run` and `replsim validate`: load and check a scenario, run it on the
 * simulated world, write the report, and turn the verdict into the exit status. */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "model/history.h"
#include "model/scenario.h"
#include "model/trace.h"
#include "model/world.h"
#include "reports/metrics.h"
#include "reports/report.h"

int rs_cli_parse_seed(const char *text, unsigned long long *out) {
    if (text == NULL || *text == '\0' || strlen(text) > 20) {
        return -1;
    }
    for (const char *c = text; *c != '\0'; c++) {
        if (!isdigit((unsigned char)*c)) {
            return -1;
        }
    }
    errno = 0;
    unsigned long long value = strtoull(text, NULL, 10);
    if (errno != 0) {
        return -1;
    }
    *out = value;
    return 0;
}

int rs_cli_check_memory(const rs_scenario *scenario, const char *file) {
    double budget_mib = 0;
    const char *setting = getenv("REPLSIM_MEMORY_BUDGET_MIB");
    if (setting != NULL && *setting != '\0') {
        char *end = NULL;
        budget_mib = strtod(setting, &end);
        if (end == setting || *end != '\0' || !(budget_mib > 0)) {
            fprintf(stderr, "replsim: REPLSIM_MEMORY_BUDGET_MIB='%s'; allowed: a number of MiB > 0\n",
                    setting);
            return 2;
        }
    } else {
        double pages = (double)sysconf(_SC_PHYS_PAGES), page = (double)sysconf(_SC_PAGESIZE);
        budget_mib = pages > 0 && page > 0 ? pages * page * 0.75 / 1048576.0 : 4096.0;
    }
    double estimate_mib = rs_scenario_memory_estimate(scenario) / 1048576.0;
    if (estimate_mib <= budget_mib) {
        return 0;
    }
    fprintf(stderr, "%s: estimated memory %.0f MiB (%.0f events x %u target stores at ~%.0f B per "
                    "replica) exceeds the budget of %.0f MiB; allowed: a shorter or slower run, "
                    "fewer targets, or a larger REPLSIM_MEMORY_BUDGET_MIB\n",
            file, estimate_mib, scenario->rate_per_s * scenario->duration_s,
            scenario->target_count, RS_MEMORY_BYTES_PER_REPLICA, budget_mib);
    return 2;
}

/* out/<file name without directory and .json> */
static void default_out_dir(const char *path, char *out, size_t size) {
    const char *base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    size_t length = strlen(base);
    if (length > 5 && strcmp(base + length - 5, ".json") == 0) {
        length -= 5;
    }
    snprintf(out, size, "out/%.*s", (int)length, base);
}

int rs_cli_add_set(const char *command, const char *value, const char **sets, size_t *count) {
    assert(command != NULL && value != NULL);
    assert(sets != NULL && count != NULL && *count <= RS_OVERRIDES_MAX);
    if (*count == RS_OVERRIDES_MAX) {
        fprintf(stderr, "replsim %s: --set: more than %d overrides; allowed: at most %d\n",
                command, RS_OVERRIDES_MAX, RS_OVERRIDES_MAX);
        return 2;
    }
    sets[(*count)++] = value;
    return 0;
}

void rs_cli_print_sets(FILE *out, const char *const *sets, size_t count) {
    assert(out != NULL);
    assert(sets != NULL || count == 0);
    for (size_t i = 0; i < count; i++) {
        fputs(" --set ", out);
        rs_cli_print_shell_word(out, sets[i]);
    }
}

void rs_cli_print_shell_word(FILE *out, const char *word) {
    assert(out != NULL && word != NULL);
    bool plain = word[0] != '\0';
    for (const char *c = word; *c != '\0'; c++) {
        plain = plain && (isalnum((unsigned char)*c) || strchr("_./=,:+-@%", *c) != NULL);
    }
    if (plain) {
        fputs(word, out);
        return;
    }
    fputc('\'', out); /* POSIX shell: '...' keeps everything but ', written '\'' */
    for (const char *c = word; *c != '\0'; c++) {
        if (*c == '\'') {
            fputs("'\\''", out);
        } else {
            fputc(*c, out);
        }
    }
    fputc('\'', out);
}

typedef struct run_options {
    const char *file;        /* scenario path */
    const char *out_dir;     /* NULL = default */
    bool seed_given;         /* --seed present */
    unsigned long long seed; /* its value */
    rs_cli_run_flags flags;  /* --history-edn, --trace, --no-plots */
    const char *faults_from; /* --faults-from DIR: replay the faults a nemesis drew there */
    const char *sets[RS_OVERRIDES_MAX]; /* --set path=value, in order */
    size_t set_count;        /* how many */
    rs_engine_options engine; /* --cfg KEY:VALUE: SimGrid settings (speed-only) */
} run_options;

static int parse_run_options(int argc, char **argv, run_options *options) {
    memset(options, 0, sizeof *options);
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            if (rs_cli_parse_seed(argv[++i], &options->seed) != 0) {
                fprintf(stderr, "replsim run: --seed: '%s' is not a seed; allowed: an integer "
                                "0..18446744073709551615\n", argv[i]);
                return 2;
            }
            options->seed_given = true;
        } else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            options->out_dir = argv[++i];
        } else if (strcmp(argv[i], "--history-edn") == 0) {
            options->flags.history_edn = true;
        } else if (strcmp(argv[i], "--trace") == 0) {
            options->flags.trace = true;
        } else if (strcmp(argv[i], "--no-plots") == 0) {
            options->flags.no_plots = true;
        } else if (strcmp(argv[i], "--faults-from") == 0 && i + 1 < argc) {
            options->faults_from = argv[++i];
        } else if (strcmp(argv[i], "--set") == 0 && i + 1 < argc) {
            if (rs_cli_add_set("run", argv[++i], options->sets, &options->set_count) != 0) {
                return 2;
            }
        } else if (strcmp(argv[i], "--cfg") == 0 && i + 1 < argc) {
            if (rs_engine_options_add(&options->engine, "run", argv[++i]) != 0) {
                return 2;
            }
        } else if (strncmp(argv[i], "--cfg=", 6) == 0) { /* SimGrid's own spelling */
            if (rs_engine_options_add(&options->engine, "run", argv[i] + 6) != 0) {
                return 2;
            }
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "replsim run: unknown or incomplete option '%s'; allowed: --seed N, "
                            "--out DIR, --history-edn, --trace, --no-plots, --faults-from DIR, "
                            "--set path=value, --cfg KEY:VALUE\n", argv[i]);
            return 2;
        } else if (options->file == NULL) {
            options->file = argv[i];
        } else {
            fprintf(stderr, "replsim run: one scenario file at a time (got '%s' and '%s')\n",
                    options->file, argv[i]);
            return 2;
        }
    }
    if (options->file == NULL) {
        fprintf(stderr, "replsim run: missing scenario file; usage: replsim run FILE [--seed N] "
                        "[--out DIR] [--history-edn] [--trace] [--no-plots] [--faults-from DIR] "
                        "[--set path=value]... [--cfg KEY:VALUE]...\n");
        return 2;
    }
    return 0;
}

/* --trace: opens the recorder on trace.jsonl's staging path (into path[size]); NULL with a
 * message in `error` when it cannot. */
static rs_trace *run_open_trace(const rs_scenario *scenario, const char *out_dir, char *path,
                                size_t size, char *error, size_t error_size) {
    if (rs_report_staging_path(out_dir, "trace.jsonl", path, size, error, error_size) != 0) {
        return NULL;
    }
    return rs_trace_open(path, scenario, error, error_size);
}

static int run_scenario_as_given(const rs_scenario *scenario, const char *out_dir,
                                 const rs_cli_run_flags *flags, const char *faults_json);

/* The scenario as run with its seed: with the nemesis's faults drawn and appended (a heap
 * copy in *owned, and the drawn schedule in *faults_json), or `scenario` itself. */
static const rs_scenario *run_effective(const rs_scenario *scenario, rs_scenario **owned,
                                        char **faults_json) {
    *owned = NULL;
    *faults_json = NULL;
    if (!scenario->nemesis.enabled) {
        return scenario;
    }
    char error[1024];
    *owned = malloc(sizeof **owned);
    if (*owned == NULL) {
        fprintf(stderr, "replsim run: out of memory\n");
        return NULL;
    }
    **owned = *scenario;
    if (rs_scenario_apply_nemesis(*owned, scenario->seed, faults_json, error, sizeof error) != 0) {
        fprintf(stderr, "%s: %s\n", scenario->source_path, error);
        free(*owned);
        *owned = NULL;
        return NULL;
    }
    return *owned;
}

int rs_cli_run_scenario(const rs_scenario *given, const char *out_dir,
                        const rs_cli_run_flags *flags) {
    rs_scenario *owned = NULL;
    char *faults_json = NULL;
    const rs_scenario *scenario = run_effective(given, &owned, &faults_json);
    if (scenario == NULL) {
        return 2;
    }
    static const rs_cli_run_flags none = {0};
    int code = run_scenario_as_given(scenario, out_dir, flags != NULL ? flags : &none,
                                     faults_json);
    free(owned);
    free(faults_json);
    return code;
}

static int run_scenario_as_given(const rs_scenario *scenario, const char *out_dir,
                                 const rs_cli_run_flags *flags, const char *faults_json) {
    bool trace = flags->trace;
    rs_history history;
    rs_metrics metrics;
    char error[1024] = "";
    if (rs_history_init(&history, scenario->store_count) != 0 ||
        rs_metrics_init(&metrics, scenario->store_count) != 0) {
        fprintf(stderr, "replsim run: out of memory\n");
        return 3;
    }
    rs_run_facts facts = {.seed = scenario->seed, .history_edn = flags->history_edn,
                          .trace = trace, .no_plots = flags->no_plots,
                          .faults_json = faults_json};
    char trace_path[4200] = "";
    rs_trace *recorder = trace ? run_open_trace(scenario, out_dir, trace_path, sizeof trace_path,
                                                error, sizeof error)
                               : NULL;
    int status = trace && recorder == NULL ? -1 : 0;
    if (status == 0) {
        status = rs_world_run(scenario, scenario->seed, &history, &metrics, recorder,
                              &facts.simulated_events, error, sizeof error);
    }
    char close_error[1024] = "";
    if (rs_trace_close(recorder, history.end_us, close_error, sizeof close_error) != 0 &&
        status == 0) {
        snprintf(error, sizeof error, "%s", close_error);
        status = -1;
    }
    bool hold = false;
    if (status == 0) {
        status = rs_report_write(scenario, &history, &metrics, &facts, out_dir, &hold, error,
                                 sizeof error);
    }
    if (status != 0 && trace_path[0] != '\0') {
        unlink(trace_path); /* no partial trace: it is committed with a report or not at all */
    }
    if (status != 0) {
        fprintf(stderr, "replsim run: %s\n", error);
    } else {
        printf("%s: seed %llu, %zu requests; verdict %s; report in %s/\n", scenario->name,
               (unsigned long long)scenario->seed, history.request_count,
               hold ? "pass" : "FAIL (see summary.md: Expectations, Invariants)", out_dir);
    }
    rs_history_free(&history);
    rs_metrics_free(&metrics);
    return status != 0 ? 3 : hold ? 0 : 1;
}

int rs_cli_run(int argc, char **argv) {
    run_options options;
    int status = parse_run_options(argc, argv, &options);
    if (status != 0) {
        return status;
    }
    rs_scenario *scenario = calloc(1, sizeof *scenario);
    if (scenario == NULL) {
        fprintf(stderr, "replsim run: out of memory\n");
        return 3;
    }
    char error[1024];
    if (rs_scenario_load_with_overrides(options.file, options.sets, options.set_count, scenario,
                                        error, sizeof error) != 0) {
        fprintf(stderr, "%s\n", error);
        free(scenario);
        return 2;
    }
    if (rs_cli_check_memory(scenario, options.file) != 0) {
        free(scenario);
        return 2;
    }
    if (scenario->partial_quorum && (scenario->read_ratio > 0 || scenario->probe_count > 0)) {
        fprintf(stderr, "%s: warning: read_quorum %u + write_quorum %u <= %u targets: a read "
                "may miss an acknowledged write (a partial quorum; the report measures how "
                "often)\n", options.file, scenario->read_quorum, scenario->write_quorum,
                scenario->target_count);
    }
    if (options.seed_given) {
        scenario->seed = options.seed;
    }
    if (options.faults_from != NULL &&
        rs_scenario_apply_replay(scenario, options.faults_from, error, sizeof error) != 0) {
        fprintf(stderr, "%s\n", error);
        free(scenario);
        return 2;
    }
    char out_dir[1024];
    if (options.out_dir != NULL) {
        snprintf(out_dir, sizeof out_dir, "%s", options.out_dir);
    } else {
        default_out_dir(options.file, out_dir, sizeof out_dir);
    }
    rs_world_set_engine_options(&options.engine);
    status = rs_cli_run_scenario(scenario, out_dir, &options.flags);
    free(scenario);
    return status;
}

int rs_cli_validate(int argc, char **argv) {
    if (argc == 0) {
        fprintf(stderr, "replsim validate: missing scenario file; usage: replsim validate FILE...\n");
        return 2;
    }
    rs_scenario *scenario = calloc(1, sizeof *scenario);
    if (scenario == NULL) {
        fprintf(stderr, "replsim validate: out of memory\n");
        return 3;
    }
    int status = 0;
    for (int i = 0; i < argc; i++) {
        char error[1024];
        if (rs_scenario_load(argv[i], scenario, error, sizeof error) != 0) {
            fprintf(stderr, "%s\n", error);
            status = 2;
        } else {
            printf("%s: ok (%u regions, %u stores, strategy %s, consistency %s)\n", argv[i],
                   scenario->region_count, scenario->store_count, scenario->strategy->name,
                   scenario->policy->name);
        }
    }
    free(scenario);
    return status;
}
