/* check.c — `replsim check`, the CI gate: every scenario (files, or the *.json of
 * directories) over a set of seeds, each run in its own process (SimGrid initialises once per
 * process), one line per run, the exact command that reproduces each failure, a closing
 * "N passed, M failed" line, and JUnit XML. Exit 0 when every run passes, 1 when one fails,
 * 2 on bad input (every file is loaded and checked before anything runs). */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli/commands.h"
#include "model/scenario.h"
#include "model/world.h"


typedef struct check_options {
    const char *paths[RS_CHECK_FILES_MAX];  /* as given */
    int path_count;
    unsigned long long seed_first;       /* first seed */
    unsigned long long seed_last;        /* last seed, inclusive */
    const char *junit;                   /* JUnit XML path, or NULL */
    const char *out_dir;                 /* where run reports go */
    const char *sets[RS_OVERRIDES_MAX];  /* --set path=value, applied to every scenario */
    size_t set_count;                    /* how many */
    bool trace;                          /* --trace: trace.jsonl in each run's directory */
    bool no_plots;                       /* --no-plots: the runs' reports without images */
    rs_engine_options engine;            /* --cfg KEY:VALUE: SimGrid settings (speed-only) */
} check_options;

typedef struct check_run {
    char file[1024];             /* scenario path */
    unsigned long long seed;     /* seed */
    int status;                  /* exit status of the run; -1 = crashed */
    double wall_s;               /* wall time (JUnit only; never in a report) */
    char reason[512];            /* why it failed */
} check_run;

static int parse_seed_range(const char *text, check_options *options) {
    char first[32], last[32];
    const char *dots = strstr(text, "..");
    if (dots == NULL || (size_t)(dots - text) >= sizeof first || strlen(dots + 2) >= sizeof last) {
        return -1;
    }
    memcpy(first, text, (size_t)(dots - text));
    first[dots - text] = '\0';
    snprintf(last, sizeof last, "%s", dots + 2);
    if (rs_cli_parse_seed(first, &options->seed_first) != 0 ||
        rs_cli_parse_seed(last, &options->seed_last) != 0 ||
        options->seed_last < options->seed_first ||
        options->seed_last - options->seed_first >= RS_CHECK_SEEDS_MAX) {
        return -1;
    }
    return 0;
}

static int parse_check_options(int argc, char **argv, check_options *options) {
    memset(options, 0, sizeof *options);
    options->seed_first = 1;
    options->seed_last = 3;
    options->out_dir = "out/check";
    for (int i = 0; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned long long seeds = 0;
        if (strcmp(argv[i], "--seeds") == 0 && value != NULL) {
            if (rs_cli_parse_seed(value, &seeds) != 0 || seeds == 0 || seeds > RS_CHECK_SEEDS_MAX) {
                fprintf(stderr, "replsim check: --seeds: '%s'; allowed: 1..%d (runs seeds 1..N)\n",
                        value, RS_CHECK_SEEDS_MAX);
                return 2;
            }
            options->seed_first = 1;
            options->seed_last = seeds;
            i++;
        } else if (strcmp(argv[i], "--seed-range") == 0 && value != NULL) {
            if (parse_seed_range(value, options) != 0) {
                fprintf(stderr, "replsim check: --seed-range: '%s'; allowed: A..B with A <= B "
                                "and at most %d seeds\n", value, RS_CHECK_SEEDS_MAX);
                return 2;
            }
            i++;
        } else if (strcmp(argv[i], "--junit") == 0 && value != NULL) {
            options->junit = argv[++i];
        } else if (strcmp(argv[i], "--out") == 0 && value != NULL) {
            options->out_dir = argv[++i];
        } else if (strcmp(argv[i], "--trace") == 0) {
            options->trace = true;
        } else if (strcmp(argv[i], "--no-plots") == 0) {
            options->no_plots = true;
        } else if (strcmp(argv[i], "--set") == 0 && value != NULL) {
            if (rs_cli_add_set("check", argv[++i], options->sets, &options->set_count) != 0) {
                return 2;
            }
        } else if (strcmp(argv[i], "--cfg") == 0 && value != NULL) {
            if (rs_engine_options_add(&options->engine, "check", argv[++i]) != 0) {
                return 2;
            }
        } else if (strncmp(argv[i], "--cfg=", 6) == 0) { /* SimGrid's own spelling */
            if (rs_engine_options_add(&options->engine, "check", argv[i] + 6) != 0) {
                return 2;
            }
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "replsim check: unknown or incomplete option '%s'; allowed: --seeds N, "
                            "--seed-range A..B, --junit FILE, --out DIR, --trace, "
                            "--no-plots, --set path=value, --cfg KEY:VALUE\n",
                    argv[i]);
            return 2;
        } else if (options->path_count == RS_CHECK_FILES_MAX) {
            fprintf(stderr, "replsim check: more than %d paths\n", RS_CHECK_FILES_MAX);
            return 2;
        } else {
            options->paths[options->path_count++] = argv[i];
        }
    }
    if (options->path_count == 0) {
        options->paths[options->path_count++] = "scenarios/ci";
    }
    return 0;
}

static int compare_names(const void *left, const void *right) {
    return strcmp(*(char *const *)left, *(char *const *)right);
}

/* Appends path (a file) or the sorted *.json of path (a directory, schema.json excluded). */
static int expand_path(const char *path, char **files, int *count) {
    struct stat info;
    if (stat(path, &info) != 0) {
        fprintf(stderr, "replsim check: %s: %s\n", path, strerror(errno));
        return 2;
    }
    if (!S_ISDIR(info.st_mode)) {
        if (*count == RS_CHECK_FILES_MAX || (files[*count] = strdup(path)) == NULL) {
            fprintf(stderr, "replsim check: too many scenarios (at most %d)\n", RS_CHECK_FILES_MAX);
            return 2;
        }
        (*count)++;
        return 0;
    }
    DIR *dir = opendir(path);
    if (dir == NULL) {
        fprintf(stderr, "replsim check: %s: %s\n", path, strerror(errno));
        return 2;
    }
    int first = *count, status = 0;
    for (struct dirent *entry; status == 0 && (entry = readdir(dir)) != NULL;) {
        size_t length = strlen(entry->d_name);
        if (length <= 5 || strcmp(entry->d_name + length - 5, ".json") != 0 ||
            strcmp(entry->d_name, "schema.json") == 0) {
            continue;
        }
        char full[2048];
        snprintf(full, sizeof full, "%s/%s", path, entry->d_name);
        status = expand_path(full, files, count);
    }
    closedir(dir);
    qsort(files + first, (size_t)(*count - first), sizeof *files, compare_names);
    return status;
}

/* "<out>/<file name without .json>" */
static void run_dir(const check_options *options, const char *file, unsigned long long seed,
                    char *buf, size_t size) {
    const char *base = strrchr(file, '/');
    base = base != NULL ? base + 1 : file;
    size_t length = strlen(base);
    length = length > 5 && strcmp(base + length - 5, ".json") == 0 ? length - 5 : length;
    snprintf(buf, size, "%s/%.*s/seed-%llu", options->out_dir, (int)length, base, seed);
}

/* The failing expectations and invariants named in <dir>/summary.json, into reason. */
static void read_reason(const char *dir, char *reason, size_t size) {
    char path[2100];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    FILE *in = fopen(path, "rb");
    char *text = in != NULL ? calloc(1, 16 * 1024 * 1024) : NULL;
    size_t length = text != NULL ? fread(text, 1, 16 * 1024 * 1024 - 1, in) : 0;
    if (in != NULL) {
        fclose(in);
    }
    cJSON *summary = length > 0 ? cJSON_Parse(text) : NULL;
    free(text);
    snprintf(reason, size, "%s", summary == NULL ? "no summary.json (see the run's log)" : "");
    const cJSON *item;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(summary, "expectations")) {
        if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(item, "pass"))) {
            size_t used = strlen(reason);
            snprintf(reason + used, size - used, "%sexpectation %s", used > 0 ? ", " : "",
                     cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item, "name")));
        }
    }
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(summary, "invariants")) {
        if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(item, "pass")) &&
            !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(item, "tolerated"))) {
            size_t used = strlen(reason);
            snprintf(reason + used, size - used, "%sinvariant %s (%d violations)",
                     used > 0 ? ", " : "", item->string,
                     cJSON_GetObjectItemCaseSensitive(item, "violations")->valueint);
        }
    }
    cJSON_Delete(summary);
}

int rs_cli_run_in_child(const rs_scenario *scenario, const char *dir, const char *log,
                        const rs_cli_run_flags *flags) {
    assert(scenario != NULL);
    assert(dir != NULL && log != NULL);
    fflush(stdout);
    fflush(stderr);
    pid_t child = fork();
    if (child == 0) {
        char parent[2048];
        snprintf(parent, sizeof parent, "%s", log);
        for (char *slash = strchr(parent + 1, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
            *slash = '\0';
            mkdir(parent, 0777);
            *slash = '/';
        }
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        _exit(rs_cli_run_scenario(scenario, dir, flags));
    }
    int status = 0;
    int result = child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status)
                     ? WEXITSTATUS(status)
                     : -1;
    assert(result >= -1 && result <= 255);
    return result;
}

/* Runs one scenario x seed in a child process; its output goes to <dir>.log. */
static void run_one(const check_options *options, rs_scenario *scenario, check_run *run) {
    char dir[2048], log[2100];
    run_dir(options, run->file, run->seed, dir, sizeof dir);
    snprintf(log, sizeof log, "%s.log", dir);
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    scenario->seed = run->seed;
    rs_cli_run_flags flags = {.trace = options->trace, .no_plots = options->no_plots};
    run->status = rs_cli_run_in_child(scenario, dir, log, &flags);
    clock_gettime(CLOCK_MONOTONIC, &end);
    run->wall_s = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    if (run->status == 1) {
        read_reason(dir, run->reason, sizeof run->reason);
    } else if (run->status != 0) {
        snprintf(run->reason, sizeof run->reason, "%s (exit %d); log: %.400s",
                 run->status < 0 ? "crashed" : "internal error", run->status, log);
    }
}

/* "replsim run FILE --seed N [--set ...]", shell-quoted where needed, into buf. */
static void reproduce_command(const check_options *options, const char *file,
                              unsigned long long seed, char *buf, size_t size) {
    assert(options != NULL && file != NULL);
    assert(buf != NULL && size > 0);
    FILE *out = fmemopen(buf, size, "w");
    if (out == NULL) {
        snprintf(buf, size, "replsim run %s --seed %llu", file, seed);
        return;
    }
    fputs("replsim run ", out);
    rs_cli_print_shell_word(out, file);
    fprintf(out, " --seed %llu", seed);
    rs_cli_print_sets(out, options->sets, options->set_count);
    fclose(out);
}

static void xml_escaped(FILE *out, const char *text) {
    for (const unsigned char *c = (const unsigned char *)text; *c != '\0'; c++) {
        switch (*c) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&apos;", out); break;
        default: fputc(*c < 0x20 && *c != '\t' ? ' ' : *c, out); break;
        }
    }
}

static int write_junit(const check_options *options, const check_run *runs, size_t count,
                       size_t failures) {
    const char *path = options->junit;
    FILE *out = fopen(path, "w");
    if (out == NULL) {
        fprintf(stderr, "replsim check: --junit %s: %s\n", path, strerror(errno));
        return -1;
    }
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
                 "  <testsuite name=\"replsim check\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n",
            count, failures);
    for (size_t i = 0; i < count; i++) {
        fputs("    <testcase classname=\"", out);
        xml_escaped(out, runs[i].file);
        fprintf(out, "\" name=\"seed %llu\" time=\"%.3f\"", runs[i].seed, runs[i].wall_s);
        if (runs[i].status == 0) {
            fputs("/>\n", out);
            continue;
        }
        fputs(">\n      <failure message=\"", out);
        xml_escaped(out, runs[i].reason);
        fputs("\">reproduce: ", out);
        char command[4096];
        reproduce_command(options, runs[i].file, runs[i].seed, command, sizeof command);
        xml_escaped(out, command);
        fputs("</failure>\n    </testcase>\n", out);
    }
    fputs("  </testsuite>\n</testsuites>\n", out);
    return fclose(out) == 0 ? 0 : -1;
}

/* Loads every file before running anything: one bad file is exit 2 with nothing run. */
static int load_all(const check_options *options, char **files, int count,
                    rs_scenario *scenario) {
    int status = 0;
    for (int i = 0; i < count; i++) {
        char error[1024];
        if (rs_scenario_load_with_overrides(files[i], options->sets, options->set_count,
                                            scenario, error, sizeof error) != 0) {
            fprintf(stderr, "%s\n", error);
            status = 2;
        } else if (rs_cli_check_memory(scenario, files[i]) != 0) {
            status = 2;
        }
    }
    return status;
}

static int run_all(const check_options *options, char **files, int count, rs_scenario *scenario) {
    size_t seeds = (size_t)(options->seed_last - options->seed_first + 1);
    check_run *runs = calloc((size_t)count * seeds, sizeof *runs);
    if (runs == NULL) {
        fprintf(stderr, "replsim check: out of memory\n");
        return 3;
    }
    size_t done = 0, failures = 0;
    for (int f = 0; f < count; f++) {
        char error[1024];
        if (rs_scenario_load_with_overrides(files[f], options->sets, options->set_count,
                                            scenario, error, sizeof error) != 0) {
            fprintf(stderr, "%s\n", error); /* changed since load_all: still bad input */
            free(runs);
            return 2;
        }
        for (unsigned long long seed = options->seed_first; seed <= options->seed_last; seed++) {
            check_run *run = &runs[done++];
            snprintf(run->file, sizeof run->file, "%s", files[f]);
            run->seed = seed;
            run_one(options, scenario, run);
            failures += run->status != 0;
            printf("%s %s seed %llu (%.1f s)%s%s\n", run->status == 0 ? "PASS" : "FAIL", run->file,
                   seed, run->wall_s, run->status == 0 ? "" : ": ", run->reason);
            if (run->status != 0) {
                char command[4096];
                reproduce_command(options, run->file, seed, command, sizeof command);
                printf("     reproduce: %s\n", command);
            }
            fflush(stdout);
        }
    }
    int junit_failed = options->junit != NULL && write_junit(options, runs, done, failures) != 0;
    printf("check: %zu passed, %zu failed\n", done - failures, failures);
    free(runs);
    return junit_failed ? 3 : failures > 0 ? 1 : 0;
}

int rs_cli_check(int argc, char **argv) {
    check_options options;
    int status = parse_check_options(argc, argv, &options);
    char *files[RS_CHECK_FILES_MAX];
    int count = 0;
    for (int i = 0; status == 0 && i < options.path_count; i++) {
        status = expand_path(options.paths[i], files, &count);
    }
    if (status == 0 && count == 0) {
        fprintf(stderr, "replsim check: no scenario (*.json) found\n");
        status = 2;
    }
    rs_scenario *scenario = status == 0 ? calloc(1, sizeof *scenario) : NULL;
    if (status == 0 && scenario == NULL) {
        fprintf(stderr, "replsim check: out of memory\n");
        status = 3;
    }
    if (status == 0) {
        status = load_all(&options, files, count, scenario);
    }
    if (status == 0) {
        rs_world_set_engine_options(&options.engine); /* the forked runs inherit them */
        status = run_all(&options, files, count, scenario);
    }
    for (int i = 0; i < count; i++) {
        free(files[i]);
    }
    free(scenario);
    return status;
}
