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
    bool history_edn;        /* --history-edn */
    const char *sets[RS_OVERRIDES_MAX]; /* --set path=value, in order */
    size_t set_count;        /* how many */
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
            options->history_edn = true;
        } else if (strcmp(argv[i], "--set") == 0 && i + 1 < argc) {
            if (rs_cli_add_set("run", argv[++i], options->sets, &options->set_count) != 0) {
                return 2;
            }
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "replsim run: unknown or incomplete option '%s'; allowed: --seed N, "
                            "--out DIR, --history-edn, --set path=value\n", argv[i]);
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
                        "[--out DIR] [--set path=value]...\n");
        return 2;
    }
    return 0;
}

int rs_cli_run_scenario(const rs_scenario *scenario, const char *out_dir, bool history_edn) {
    rs_history history;
    rs_metrics metrics;
    char error[1024] = "";
    if (rs_history_init(&history, scenario->store_count) != 0 ||
        rs_metrics_init(&metrics, scenario->store_count) != 0) {
        fprintf(stderr, "replsim run: out of memory\n");
        return 3;
    }
    rs_run_facts facts = {.seed = scenario->seed, .history_edn = history_edn};
    int status = rs_world_run(scenario, scenario->seed, &history, &metrics,
                              &facts.simulated_events, error, sizeof error);
    bool hold = false;
    if (status == 0) {
        status = rs_report_write(scenario, &history, &metrics, &facts, out_dir, &hold, error,
                                 sizeof error);
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
    if (options.seed_given) {
        scenario->seed = options.seed;
    }
    char out_dir[1024];
    if (options.out_dir != NULL) {
        snprintf(out_dir, sizeof out_dir, "%s", options.out_dir);
    } else {
        default_out_dir(options.file, out_dir, sizeof out_dir);
    }
    status = rs_cli_run_scenario(scenario, out_dir, options.history_edn);
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
