/* merge.c — the two halves of a sweep that run apart from it. `replsim sweep-run FILE --seed
 * N --out DIR [--set path=value]...` is one run of a sweep: what every --emit-jobs line and
 * every child of `replsim sweep` executes; it runs like `replsim run` and then writes
 * DIR/manifest.json (reports/sweep_report.h) with the parameter values and seed, so a
 * directory with a manifest holds a finished run. `replsim merge [--out DIR] DIRS...` reads
 * run directories (or sweep directories: the runs in their runs/) and writes the merged
 * sweep.csv, sweep.json, report.html and plots/ exactly as `replsim sweep` does, since the
 * sweep merges through the same rs_cli_merge_runs. Exit 0, 2 on bad input (no run found,
 * runs of different sweeps), 3 when a run failed or a file cannot be written. */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "model/scenario.h"
#include "reports/sweep_report.h"

/* ---------------------------------------------------------------------------------------- */
/* sweep-run                                                                                 */

typedef struct sweep_run_options {
    const char *file;                         /* scenario path */
    const char *out_dir;                      /* --out DIR (required) */
    unsigned long long seed;                  /* --seed N (required) */
    bool seed_given;                          /* --seed present */
    const char *sets[RS_SWEEP_PARAMETERS_MAX]; /* --set path=value, one value each */
    size_t set_count;                         /* how many */
    bool no_plots;                            /* --no-plots: the report without images */
} sweep_run_options;

static int sweep_run_parse(int argc, char **argv, sweep_run_options *options) {
    assert(argc >= 0 && options != NULL);
    memset(options, 0, sizeof *options);
    for (int i = 0; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--seed") == 0 && value != NULL &&
            rs_cli_parse_seed(value, &options->seed) == 0) {
            options->seed_given = true;
            i++;
        } else if (strcmp(argv[i], "--out") == 0 && value != NULL) {
            options->out_dir = argv[++i];
        } else if (strcmp(argv[i], "--no-plots") == 0) {
            options->no_plots = true;
        } else if (strcmp(argv[i], "--set") == 0 && value != NULL &&
                   options->set_count < RS_SWEEP_PARAMETERS_MAX && strchr(value, '=') != NULL &&
                   strlen(value) < RS_SWEEP_TEXT_MAX) {
            options->sets[options->set_count++] = argv[++i];
        } else if (argv[i][0] != '-' && options->file == NULL) {
            options->file = argv[i];
        } else {
            fprintf(stderr, "replsim sweep-run: '%s' (bad, repeated or too many); usage: "
                            "replsim sweep-run FILE --seed N --out DIR [--no-plots] [--set path=value]... "
                            "(at most %d --set, each under %d bytes)\n", argv[i],
                    RS_SWEEP_PARAMETERS_MAX, RS_SWEEP_TEXT_MAX);
            return 2;
        }
    }
    if (options->file == NULL || options->out_dir == NULL || !options->seed_given) {
        fprintf(stderr, "replsim sweep-run: missing %s; usage: replsim sweep-run FILE --seed N "
                        "--out DIR [--no-plots] [--set path=value]...\n",
                options->file == NULL ? "scenario file" : options->out_dir == NULL ? "--out"
                                                                                   : "--seed");
        return 2;
    }
    return 0;
}

/* The manifest of a finished run. */
static void sweep_run_manifest(const sweep_run_options *options, const rs_scenario *scenario,
                               int exit_status, rs_sweep_manifest *manifest) {
    assert(options != NULL && scenario != NULL && manifest != NULL);
    assert(options->set_count <= RS_SWEEP_PARAMETERS_MAX);
    memset(manifest, 0, sizeof *manifest);
    snprintf(manifest->scenario_name, sizeof manifest->scenario_name, "%s", scenario->name);
    snprintf(manifest->scenario_file, sizeof manifest->scenario_file, "%s", options->file);
    manifest->parameter_count = options->set_count;
    for (size_t p = 0; p < options->set_count; p++) {
        const char *set = options->sets[p];
        size_t path = strcspn(set, "=");
        snprintf(manifest->paths[p], RS_SWEEP_TEXT_MAX, "%.*s", (int)path, set);
        snprintf(manifest->values[p], RS_SWEEP_TEXT_MAX, "%s", set + path + 1);
    }
    manifest->seed = options->seed;
    manifest->exit_status = exit_status;
}

int rs_cli_sweep_run(int argc, char **argv) {
    assert(argc >= 0);
    assert(argv != NULL || argc == 0);
    static sweep_run_options options; /* the manifest is 16 kB: both off the stack */
    static rs_sweep_manifest manifest;
    int status = sweep_run_parse(argc, argv, &options);
    if (status != 0) {
        return status;
    }
    rs_scenario *scenario = calloc(1, sizeof *scenario);
    if (scenario == NULL) {
        fprintf(stderr, "replsim sweep-run: out of memory\n");
        return 3;
    }
    char error[1024];
    if (rs_scenario_load_with_overrides(options.file, options.sets, options.set_count, scenario,
                                        error, sizeof error) != 0) {
        fprintf(stderr, "%s\n", error);
        status = 2;
    } else {
        status = rs_cli_check_memory(scenario, options.file);
    }
    if (status == 0) {
        scenario->seed = options.seed;
        rs_cli_run_flags flags = {.no_plots = options.no_plots};
        status = rs_cli_run_scenario(scenario, options.out_dir, &flags);
    }
    if (status == 0 || status == 1) {
        sweep_run_manifest(&options, scenario, status, &manifest);
        if (rs_sweep_manifest_write(&manifest, options.out_dir, error, sizeof error) != 0) {
            fprintf(stderr, "replsim sweep-run: %s\n", error);
            status = 3;
        }
    }
    free(scenario);
    return status;
}

/* ---------------------------------------------------------------------------------------- */
/* merge                                                                                     */

int rs_cli_merge_runs(const char *const *dirs, size_t count, const char *out_dir) {
    assert(dirs != NULL && count >= 1);
    assert(out_dir != NULL);
    rs_sweep *sweep = malloc(sizeof *sweep);
    if (sweep == NULL) {
        fprintf(stderr, "replsim merge: out of memory\n");
        return 3;
    }
    rs_sweep_init(sweep);
    char error[2048];
    int result = 0;
    for (size_t i = 0; result == 0 && i < count; i++) {
        result = rs_sweep_add_run(sweep, dirs[i], error, sizeof error);
    }
    size_t points = 0;
    result = result == 0 ? rs_sweep_write(sweep, out_dir, &points, error, sizeof error) : result;
    if (result != 0) {
        fprintf(stderr, "replsim merge: %s\n", error);
    } else {
        printf("merge: %zu runs, %zu parameter points; %s/sweep.csv, sweep.json, report.html, "
               "plots/\n",
               sweep->run_count, points, out_dir);
    }
    rs_sweep_free(sweep);
    free(sweep);
    return result == 0 ? 0 : result == -2 ? 2 : 3;
}

static bool merge_has_manifest(const char *dir) {
    assert(dir != NULL);
    char path[8192 + 64];
    snprintf(path, sizeof path, "%s/%s", dir, RS_SWEEP_MANIFEST);
    return access(path, F_OK) == 0;
}

static int merge_compare_names(const void *left, const void *right) {
    return strcmp(*(char *const *)left, *(char *const *)right);
}

static int merge_push(const char *path, char ***dirs, size_t *count, size_t *capacity) {
    assert(path != NULL && dirs != NULL);
    assert(count != NULL && capacity != NULL && *count <= *capacity);
    if (*count == RS_SWEEP_RUNS_MAX) {
        fprintf(stderr, "replsim merge: more than %d runs; allowed: at most %d\n",
                RS_SWEEP_RUNS_MAX, RS_SWEEP_RUNS_MAX);
        return 2;
    }
    if (*count == *capacity) {
        size_t grown = *capacity == 0 ? 64 : 2 * *capacity;
        char **bigger = realloc(*dirs, grown * sizeof **dirs);
        if (bigger == NULL) {
            fprintf(stderr, "replsim merge: out of memory\n");
            return 3;
        }
        *dirs = bigger;
        *capacity = grown;
    }
    (*dirs)[*count] = strdup(path);
    if ((*dirs)[*count] == NULL) {
        fprintf(stderr, "replsim merge: out of memory\n");
        return 3;
    }
    (*count)++;
    return 0;
}

/* Appends the run directories of `dir`: itself when it has a manifest, else those of its
 * runs/ (or, without runs/, its own) subdirectories that have one, sorted by name;
 * subdirectories without one are said and skipped (unfinished runs). 0, or 2 when it holds
 * no run. */
static int merge_collect(const char *dir, char ***dirs, size_t *count, size_t *capacity) {
    assert(dir != NULL && dirs != NULL && count != NULL);
    if (merge_has_manifest(dir)) {
        return merge_push(dir, dirs, count, capacity);
    }
    char parent[4096];
    snprintf(parent, sizeof parent, "%s/runs", dir);
    DIR *listing = opendir(parent);
    if (listing == NULL) {
        snprintf(parent, sizeof parent, "%s", dir);
        listing = opendir(parent);
    }
    if (listing == NULL) {
        fprintf(stderr, "replsim merge: %s: %s\n", dir, strerror(errno));
        return 2;
    }
    size_t first = *count;
    int status = 0;
    for (struct dirent *entry; status == 0 && (entry = readdir(listing)) != NULL;) {
        char path[8192];
        struct stat info;
        snprintf(path, sizeof path, "%s/%s", parent, entry->d_name);
        if (entry->d_name[0] == '.' || stat(path, &info) != 0 || !S_ISDIR(info.st_mode)) {
            continue;
        }
        if (merge_has_manifest(path)) {
            status = merge_push(path, dirs, count, capacity);
        } else {
            fprintf(stderr, "replsim merge: %s: no %s (an unfinished or failed run), skipped\n",
                    path, RS_SWEEP_MANIFEST);
        }
    }
    closedir(listing);
    qsort(*dirs + first, *count - first, sizeof **dirs, merge_compare_names);
    if (status == 0 && *count == first) {
        fprintf(stderr, "replsim merge: %s: no finished run (no %s in it, in its runs/ or in "
                        "its subdirectories)\n", dir, RS_SWEEP_MANIFEST);
        status = 2;
    }
    return status;
}

int rs_cli_merge(int argc, char **argv) {
    assert(argc >= 0);
    assert(argv != NULL || argc == 0);
    const char *out_dir = NULL;
    char **dirs = NULL;
    const char *last_dir = NULL;
    size_t count = 0, capacity = 0, arguments = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            rs_cli_sweep_help(stdout);
            return 0;
        }
    }
    int status = 0;
    for (int i = 0; status == 0 && i < argc; i++) {
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            out_dir = argv[++i];
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "replsim merge: unknown or incomplete option '%s'; usage: replsim "
                            "merge [--out DIR] SWEEP_DIR|RUN_DIR...\n", argv[i]);
            status = 2;
        } else {
            status = merge_collect(argv[i], &dirs, &count, &capacity);
            last_dir = argv[i];
            arguments++;
        }
    }
    /* one sweep directory: merge into it, as the sweep itself would */
    bool one_sweep = arguments == 1 && count >= 1 && strcmp(dirs[0], last_dir) != 0;
    if (status == 0 && arguments == 0) {
        fprintf(stderr, "replsim merge: no directory given; usage: replsim merge [--out DIR] "
                        "SWEEP_DIR|RUN_DIR...\n");
        status = 2;
    } else if (status == 0 && out_dir == NULL && !one_sweep) {
        fprintf(stderr, "replsim merge: --out DIR is needed unless one sweep directory is "
                        "given\n");
        status = 2;
    }
    if (status == 0) {
        status = rs_cli_merge_runs((const char *const *)dirs, count,
                                   out_dir != NULL ? out_dir : last_dir);
    }
    for (size_t i = 0; i < count; i++) {
        free(dirs[i]);
    }
    free(dirs);
    return status;
}

void rs_cli_sweep_help(FILE *out) {
    assert(out != NULL);
    fputs("replsim sweep FILE --set PATH=V1,V2,... [--set ...] [--seeds N] [-j JOBS] [--out DIR]\n"
          "              [--emit-jobs FILE]\n"
          "  Runs FILE at every combination of the --set values (the cartesian product; one\n"
          "  --set per path, values split at ',' outside quotes and brackets, each JSON or else\n"
          "  text, checked like the file) x seeds 1..N (default 5, at most 1000): one process\n"
          "  per run, JOBS at a time (default: the online cores). Every combination is loaded\n"
          "  and checked first: bad input exits 2 and writes nothing. A progress bar shows on a\n"
          "  terminal. Into DIR (default out/sweep/<FILE name>):\n"
          "    runs/point-P-seed-S/   each run's report and manifest.json (values, seed)\n"
          "    sweep.csv, sweep.json  one row per parameter point, sorted by the values\n"
          "                           (numerically when all are numbers): runs, verdicts, and\n"
          "                           per KPI the mean over the seeds and its 95% confidence\n"
          "                           interval (Student's t); no wall-clock value, so the same\n"
          "                           runs always give the same bytes\n"
          "    plots/<kpi>-vs-<path>.{dat,gp,png,svg}  each KPI against each path with two\n"
          "                           values or more, one curve per combination of the others\n"
          "    report.html            the points table and every plot on one self-contained\n"
          "                           page (inline SVG, no script), with the scenario file\n"
          "  --emit-jobs FILE writes one self-contained shell command per run (absolute paths,\n"
          "  quoted) instead of running them; run the lines anywhere those paths are shared,\n"
          "  then merge. Ctrl-C stops every run (no partial file) and merges nothing.\n"
          "  Exit: 0 every run finished (whatever its verdict), 2 bad input, 3 a run or the\n"
          "  merge failed, 130 interrupted.\n"
          "\n"
          "replsim merge [--out DIR] SWEEP_DIR|RUN_DIR...\n"
          "  Reads finished runs (directories with manifest.json; a sweep directory gives its\n"
          "  runs/*) and writes sweep.csv, sweep.json, report.html and plots/ into DIR (default:\n"
          "  the sweep directory, when it is the only one given) exactly as sweep does.\n"
          "\n"
          "replsim sweep-run FILE --seed N --out DIR [--set PATH=VALUE]...\n"
          "  One run of a sweep (what each --emit-jobs line calls): `replsim run`, then\n"
          "  DIR/manifest.json.\n"
          "\n"
          "examples:\n"
          "  replsim sweep scenarios/three-regions-star.json --seeds 3 -j 2 \\\n"
          "      --set workload.rate_per_s=50,100,200 --set strategy.type=star,batch\n"
          "      # 6 points x 3 seeds = 18 runs; out/sweep/three-regions-star/sweep.csv\n"
          "  replsim sweep scenarios/three-regions-star.json --seeds 20 \\\n"
          "      --set 'strategy.targets=[\"eu\",\"us\"],[\"eu\",\"us\",\"ap\"]' \\\n"
          "      --out /shared/sweep --emit-jobs jobs.txt\n"
          "  parallel --sshloginfile hosts.txt < jobs.txt   # or: bash jobs.txt\n"
          "  replsim merge /shared/sweep\n",
          out);
}
