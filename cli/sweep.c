/* sweep.c — `replsim sweep FILE --set path=v1,v2,... [--set ...] [--seeds N] [-j JOBS]
 * [--out DIR] [--emit-jobs FILE]`: the cartesian product of the parameters' values x seeds
 * 1..N. Every point is loaded and checked before anything runs or is written (bad input:
 * exit 2, nothing written). Each run is one command line, `replsim sweep-run ABSFILE --seed S
 * --out DIR/runs/point-P-seed-S --set path=value...` (cli/merge.c); --emit-jobs writes those
 * lines to FILE instead of running them, otherwise up to JOBS (default: online cores) forked
 * children run the very same argument vectors, a SimGrid engine per process. Finished runs are
 * merged like `replsim merge` into DIR/sweep.csv, sweep.json, report.html and plots/.
 * SIGINT/SIGTERM stop the children (each removes its temporaries, fileio.c) and nothing is
 * merged: exit 130/143.
 * Exit 0 when every run finished (whatever its verdict), 3 when one failed or the merge did. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "model/scenario.h"
#include "reports/sweep_report.h"

#define SWEEP_SEEDS_DEFAULT 5
#define SWEEP_ARGV_MAX (8 + 2 * RS_SWEEP_PARAMETERS_MAX) /* a run's argument vector */

typedef struct sweep_parameter {
    const char *set;                        /* the --set option as given (borrowed) */
    size_t path_length;                     /* bytes before its '=' */
    size_t value_count;                     /* 1..RS_SWEEP_VALUES_MAX */
    char *values[RS_SWEEP_VALUES_MAX];      /* each "path=value", owned */
} sweep_parameter;

typedef struct sweep_state {
    const char *file;                       /* scenario path, as given */
    size_t seed_count;                      /* seeds 1..N */
    long jobs;                              /* parallel children */
    const char *out_option;                 /* --out, or NULL */
    const char *emit_jobs;                  /* --emit-jobs FILE, or NULL */
    bool no_plots;                          /* --no-plots: the runs' reports without images */
    size_t parameter_count;                 /* --set options */
    sweep_parameter parameters[RS_SWEEP_PARAMETERS_MAX]; /* in --set order */
    size_t point_count;                     /* product of the value counts */
    char file_abs[PATH_MAX];                /* file, absolute (not resolved further) */
    char out_abs[PATH_MAX];                 /* absolute out dir */
    char exe[PATH_MAX];                     /* this program, absolute */
} sweep_state;

/* A run's argument vector and the storage it points into. */
typedef struct sweep_argv {
    char *argv[SWEEP_ARGV_MAX + 1];         /* NULL-terminated */
    int argc;                               /* words before the NULL */
    char seed[32];                          /* "--seed" value */
    char dir[PATH_MAX + 64];                /* its run directory */
} sweep_argv;

static void sweep_usage_error(const char *what) {
    fprintf(stderr, "replsim sweep: %s; usage: replsim sweep FILE --set path=v1,v2,... "
                    "[--set ...] [--seeds N] [-j JOBS] [--out DIR] [--emit-jobs FILE] [--no-plots] "
                    "(replsim help sweep)\n", what);
}

/* Length of the next value of `text` up to a ',' outside quotes and brackets, so that
 * [1,2] and "a,b" stay one value. */
static size_t sweep_value_length(const char *text) {
    assert(text != NULL);
    int depth = 0;
    bool quoted = false;
    size_t i = 0;
    for (; text[i] != '\0' && (quoted || depth > 0 || text[i] != ','); i++) {
        if (quoted && text[i] == '\\' && text[i + 1] != '\0') {
            i++;
        } else if (text[i] == '"') {
            quoted = !quoted;
        } else if (!quoted && (text[i] == '[' || text[i] == '{')) {
            depth++;
        } else if (!quoted && (text[i] == ']' || text[i] == '}') && depth > 0) {
            depth--;
        }
    }
    assert(text[i] == '\0' || text[i] == ',');
    return i;
}

/* Adds one value ("path=" + value) to the parameter; 0 or 2 with a message. */
static int sweep_add_value(sweep_parameter *parameter, const char *value, size_t length) {
    assert(parameter != NULL && value != NULL);
    const char *set = parameter->set;
    size_t path = parameter->path_length;
    if (length == 0) {
        fprintf(stderr, "replsim sweep: --set %s: an empty value; allowed: path=v1,v2,... with "
                        "non-empty values (a sweep cannot remove a field)\n", set);
        return 2;
    }
    for (size_t i = 0; i < length; i++) {
        if ((unsigned char)value[i] < 0x20 || value[i] == 0x7f) {
            fprintf(stderr, "replsim sweep: --set %s: a control character in a value; allowed: "
                            "printable text (each run is one command line)\n", set);
            return 2;
        }
    }
    for (size_t v = 0; v < parameter->value_count; v++) {
        const char *other = parameter->values[v] + path + 1;
        if (strlen(other) == length && memcmp(other, value, length) == 0) {
            fprintf(stderr, "replsim sweep: --set %s: the value '%.*s' twice; allowed: distinct "
                            "values\n", set, (int)length, value);
            return 2;
        }
    }
    if (parameter->value_count == RS_SWEEP_VALUES_MAX || path + length >= RS_SWEEP_TEXT_MAX) {
        fprintf(stderr, "replsim sweep: --set %s: more than %d values, or one longer than %d "
                        "bytes with its path\n", set, RS_SWEEP_VALUES_MAX, RS_SWEEP_TEXT_MAX - 1);
        return 2;
    }
    char *text = malloc(path + length + 2);
    if (text == NULL) {
        fprintf(stderr, "replsim sweep: out of memory\n");
        return 3;
    }
    snprintf(text, path + length + 2, "%.*s=%.*s", (int)path, set, (int)length, value);
    parameter->values[parameter->value_count++] = text;
    return 0;
}

/* "--set path=v1,v2,..." into a new parameter. 0 or 2 with a message. */
static int sweep_add_parameter(sweep_state *state, const char *set) {
    assert(state != NULL && set != NULL);
    const char *equals = strchr(set, '=');
    if (state->parameter_count == RS_SWEEP_PARAMETERS_MAX) {
        fprintf(stderr, "replsim sweep: more than %d --set options; allowed: at most %d\n",
                RS_SWEEP_PARAMETERS_MAX, RS_SWEEP_PARAMETERS_MAX);
        return 2;
    }
    if (equals == NULL || equals == set || equals[1] == '\0') {
        fprintf(stderr, "replsim sweep: --set '%s': %s; allowed: path=v1,v2,... (e.g. "
                        "workload.rate_per_s=100,200)\n", set,
                equals == NULL ? "no '='"
                : equals == set ? "an empty path" : "an empty value list");
        return 2;
    }
    sweep_parameter *parameter = &state->parameters[state->parameter_count++];
    parameter->set = set;
    parameter->path_length = (size_t)(equals - set);
    for (size_t p = 0; p + 1 < state->parameter_count; p++) {
        const sweep_parameter *other = &state->parameters[p];
        if (other->path_length == parameter->path_length &&
            memcmp(other->set, set, parameter->path_length) == 0) {
            fprintf(stderr, "replsim sweep: --set %.*s given twice; allowed: one --set per path, "
                            "its values separated by ','\n", (int)parameter->path_length, set);
            return 2;
        }
    }
    for (const char *at = equals + 1;;) {
        size_t length = sweep_value_length(at);
        int status = sweep_add_value(parameter, at, length);
        if (status != 0) {
            return status;
        }
        if (at[length] == '\0') {
            return 0;
        }
        at += length + 1;
    }
}

static int sweep_parse_count(const char *option, const char *text, unsigned long long max,
                             unsigned long long *out) {
    assert(option != NULL && out != NULL);
    if (text == NULL || rs_cli_parse_seed(text, out) != 0 || *out == 0 || *out > max) {
        fprintf(stderr, "replsim sweep: %s: '%s'; allowed: an integer 1..%llu\n", option,
                text != NULL ? text : "", max);
        return 2;
    }
    return 0;
}

static int sweep_parse_options(int argc, char **argv, sweep_state *state) {
    assert(argc >= 0 && state != NULL);
    state->seed_count = SWEEP_SEEDS_DEFAULT;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    state->jobs = cores >= 1 && cores <= RS_SWEEP_JOBS_MAX ? cores : 1;
    for (int i = 0; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned long long number = 0;
        int status = 0;
        if (strcmp(argv[i], "--set") == 0 && value != NULL) {
            status = sweep_add_parameter(state, argv[++i]);
        } else if (strcmp(argv[i], "--seeds") == 0) {
            status = sweep_parse_count("--seeds", value, RS_SWEEP_SEEDS_MAX, &number);
            state->seed_count = (size_t)number;
            i++;
        } else if (strcmp(argv[i], "-j") == 0 || strcmp(argv[i], "--jobs") == 0) {
            status = sweep_parse_count(argv[i], value, RS_SWEEP_JOBS_MAX, &number);
            state->jobs = (long)number;
            i++;
        } else if (strcmp(argv[i], "--out") == 0 && value != NULL) {
            state->out_option = argv[++i];
        } else if (strcmp(argv[i], "--emit-jobs") == 0 && value != NULL) {
            state->emit_jobs = argv[++i];
        } else if (strcmp(argv[i], "--no-plots") == 0) {
            state->no_plots = true;
        } else if (argv[i][0] == '-') {
            char what[256];
            snprintf(what, sizeof what, "unknown or incomplete option '%.100s'", argv[i]);
            sweep_usage_error(what);
            status = 2;
        } else if (state->file == NULL) {
            state->file = argv[i];
        } else {
            sweep_usage_error("one scenario file at a time");
            status = 2;
        }
        if (status != 0) {
            return status;
        }
    }
    if (state->file == NULL) {
        sweep_usage_error("missing scenario file");
        return 2;
    }
    return 0;
}

/* The point's value index of parameter p: the product in --set order, the first parameter
 * varying slowest. */
static size_t sweep_value_index(const sweep_state *state, size_t point, size_t p) {
    assert(state != NULL && point < state->point_count);
    assert(p < state->parameter_count);
    for (size_t q = state->parameter_count - 1; q > p; q--) {
        point /= state->parameters[q].value_count;
    }
    return point % state->parameters[p].value_count;
}

/* Loads every point: 0, or 2 with the loader's message (nothing runs, nothing is written). */
static int sweep_check_points(sweep_state *state) {
    assert(state != NULL);
    state->point_count = 1;
    for (size_t p = 0; p < state->parameter_count; p++) {
        state->point_count *= state->parameters[p].value_count;
        if (state->point_count > RS_SWEEP_POINTS_MAX) {
            fprintf(stderr, "replsim sweep: more than %d parameter points; allowed: at most %d "
                            "(fewer values)\n", RS_SWEEP_POINTS_MAX, RS_SWEEP_POINTS_MAX);
            return 2;
        }
    }
    if (state->point_count * state->seed_count > RS_SWEEP_RUNS_MAX) {
        fprintf(stderr, "replsim sweep: %zu points x %zu seeds is more than %d runs\n",
                state->point_count, state->seed_count, RS_SWEEP_RUNS_MAX);
        return 2;
    }
    rs_scenario *scenario = calloc(1, sizeof *scenario);
    int status = scenario == NULL ? 3 : 0;
    for (size_t point = 0; status == 0 && point < state->point_count; point++) {
        const char *sets[RS_SWEEP_PARAMETERS_MAX];
        for (size_t p = 0; p < state->parameter_count; p++) {
            sets[p] = state->parameters[p].values[sweep_value_index(state, point, p)];
        }
        char error[1024];
        if (rs_scenario_load_with_overrides(state->file, sets, state->parameter_count, scenario,
                                            error, sizeof error) != 0) {
            fprintf(stderr, "%s\n", error);
            status = 2;
        } else {
            status = rs_cli_check_memory(scenario, state->file);
        }
    }
    if (scenario == NULL) {
        fprintf(stderr, "replsim sweep: out of memory\n");
    }
    free(scenario);
    return status;
}

/* Absolute scenario path, out dir and program path, for self-contained command lines. */
static int sweep_resolve_paths(sweep_state *state) {
    assert(state != NULL && state->file != NULL);
    char cwd[PATH_MAX];
    const char *out = state->out_option;
    char out_default[PATH_MAX];
    if (out == NULL) {
        const char *slash = strrchr(state->file, '/');
        const char *base = slash != NULL ? slash + 1 : state->file;
        size_t length = strlen(base);
        length -= length > 5 && strcmp(base + length - 5, ".json") == 0 ? 5 : 0;
        snprintf(out_default, sizeof out_default, "out/sweep/%.*s", (int)length, base);
        out = out_default;
    }
    ssize_t exe_length = readlink("/proc/self/exe", state->exe, sizeof state->exe - 1);
    if (getcwd(cwd, sizeof cwd) == NULL || exe_length <= 0 ||
        (size_t)exe_length >= sizeof state->exe - 1) {
        fprintf(stderr, "replsim sweep: cannot resolve the working directory or this program's "
                        "path: %s\n", strerror(errno));
        return 3;
    }
    state->exe[exe_length] = '\0';
    int file_length = state->file[0] == '/'
        ? snprintf(state->file_abs, sizeof state->file_abs, "%s", state->file)
        : snprintf(state->file_abs, sizeof state->file_abs, "%s/%s", cwd, state->file);
    int length = out[0] == '/' ? snprintf(state->out_abs, sizeof state->out_abs, "%s", out)
                               : snprintf(state->out_abs, sizeof state->out_abs, "%s/%s", cwd, out);
    if (file_length < 0 || (size_t)file_length >= sizeof state->file_abs) {
        fprintf(stderr, "replsim sweep: %s: path too long\n", state->file);
        return 2;
    }
    bool control = false;
    for (const char *c = state->out_abs; *c != '\0'; c++) {
        control |= (unsigned char)*c < 0x20;
    }
    for (const char *c = state->file_abs; *c != '\0'; c++) {
        control |= (unsigned char)*c < 0x20;
    }
    if (length < 0 || (size_t)length >= sizeof state->out_abs - 64 || control) {
        fprintf(stderr, "replsim sweep: --out %s: too long, or a path with a control "
                        "character\n", out);
        return 2;
    }
    return 0;
}

/* Run `run` (point-major, then seed) as an argument vector: what --emit-jobs prints. */
static void sweep_run_argv(const sweep_state *state, size_t run, sweep_argv *out) {
    assert(state != NULL && out != NULL);
    assert(run < state->point_count * state->seed_count);
    size_t point = run / state->seed_count;
    size_t seed = run % state->seed_count + 1;
    snprintf(out->seed, sizeof out->seed, "%zu", seed);
    snprintf(out->dir, sizeof out->dir, "%s/runs/point-%zu-seed-%zu", state->out_abs,
             point + 1, seed);
    int argc = 0;
    out->argv[argc++] = (char *)state->exe;
    out->argv[argc++] = "sweep-run";
    out->argv[argc++] = (char *)state->file_abs;
    out->argv[argc++] = "--seed";
    out->argv[argc++] = out->seed;
    out->argv[argc++] = "--out";
    out->argv[argc++] = out->dir;
    if (state->no_plots) {
        out->argv[argc++] = "--no-plots";
    }
    for (size_t p = 0; p < state->parameter_count; p++) {
        out->argv[argc++] = "--set";
        out->argv[argc++] = state->parameters[p].values[sweep_value_index(state, point, p)];
    }
    assert(argc <= SWEEP_ARGV_MAX);
    out->argv[argc] = NULL;
    out->argc = argc;
}

/* --emit-jobs: one shell-quoted command per run into FILE (temporary, then renamed). */
static int sweep_emit(const sweep_state *state, size_t run_count) {
    assert(state != NULL && state->emit_jobs != NULL);
    char temporary[PATH_MAX + 32];
    snprintf(temporary, sizeof temporary, "%s.tmp.%ld", state->emit_jobs, (long)getpid());
    FILE *out = fopen(temporary, "w");
    if (out == NULL) {
        fprintf(stderr, "replsim sweep: --emit-jobs %s: %s\n", state->emit_jobs, strerror(errno));
        return 3;
    }
    static sweep_argv run; /* PATH_MAX-sized: off the stack */
    for (size_t r = 0; r < run_count; r++) {
        sweep_run_argv(state, r, &run);
        for (int i = 0; i < run.argc; i++) {
            fputs(i > 0 ? " " : "", out);
            rs_cli_print_shell_word(out, run.argv[i]);
        }
        fputs("\n", out);
    }
    bool failed = ferror(out) != 0;
    failed |= fclose(out) != 0;
    if (failed || rename(temporary, state->emit_jobs) != 0) {
        fprintf(stderr, "replsim sweep: cannot write %s: %s\n", state->emit_jobs, strerror(errno));
        unlink(temporary);
        return 3;
    }
    printf("sweep: %zu points x %zu seeds = %zu commands in %s; run them anywhere that sees "
           "these paths (e.g. parallel < %s), then: replsim merge ", state->point_count,
           state->seed_count, run_count, state->emit_jobs, state->emit_jobs);
    rs_cli_print_shell_word(stdout, state->out_abs);
    printf("\n");
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Running.                                                                                  */

/* mkdir -p of an absolute path: 0, or -1 with errno set. */
static int sweep_make_directories(char *path) {
    assert(path != NULL && path[0] == '/');
    for (char *slash = strchr(path + 1, '/');; slash = strchr(slash + 1, '/')) {
        if (slash != NULL) {
            *slash = '\0';
        }
        int made = mkdir(path, 0777) == 0 || errno == EEXIST ? 0 : -1;
        if (slash != NULL) {
            *slash = '/';
        }
        if (slash == NULL || made != 0) {
            return made;
        }
    }
}

/* Run r in a pool child: output into <run dir>.log, then the same code path as an emitted
 * command line. Returns the child's exit status. */
static int sweep_job(void *context, size_t r) {
    const sweep_state *state = context;
    assert(state != NULL && r < state->point_count * state->seed_count);
    static sweep_argv run;
    sweep_run_argv(state, r, &run);
    char log[sizeof run.dir + 8];
    snprintf(log, sizeof log, "%s.log", run.dir); /* runs/ exists: sweep_run_all */
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
    return rs_cli_sweep_run(run.argc - 2, run.argv + 2);
}

/* The directories of the runs that finished (exit 0 or 1) into dirs; says which did not. 0,
 * or 3 when a run failed or memory ran out. *finished gets their count. */
static int sweep_finished(const sweep_state *state, const int *statuses, size_t run_count,
                          char **dirs, size_t *finished) {
    assert(state != NULL && statuses != NULL);
    assert(dirs != NULL && finished != NULL);
    static sweep_argv run;
    int status = 0;
    *finished = 0;
    for (size_t r = 0; r < run_count; r++) {
        sweep_run_argv(state, r, &run);
        if (statuses[r] != 0 && statuses[r] != 1) {
            fprintf(stderr, "replsim sweep: run %s %s (exit %d); log: %s.log\n", run.dir,
                    statuses[r] < 0 ? "crashed or never started" : "failed", statuses[r],
                    run.dir);
            status = 3;
        } else if ((dirs[*finished] = strdup(run.dir)) != NULL) {
            (*finished)++;
        } else {
            fprintf(stderr, "replsim sweep: out of memory\n");
            return 3;
        }
    }
    return status;
}

/* Runs every run, then merges the finished ones. The exit status. */
static int sweep_run_all(const sweep_state *state, size_t run_count) {
    assert(state != NULL && run_count >= 1);
    int *statuses = malloc(run_count * sizeof *statuses);
    char **dirs = calloc(run_count, sizeof *dirs);
    char runs[sizeof state->out_abs + 8];
    snprintf(runs, sizeof runs, "%s/runs", state->out_abs);
    int status = 0;
    if (statuses == NULL || dirs == NULL) {
        fprintf(stderr, "replsim sweep: out of memory\n");
        status = 3;
    } else if (sweep_make_directories(runs) != 0) {
        fprintf(stderr, "replsim sweep: cannot create %s: %s\n", runs, strerror(errno));
        status = 3;
    }
    int outcome = status == 0 ? rs_cli_pool_run(run_count, (size_t)state->jobs, sweep_job,
                                                (void *)state, statuses, "sweep") : -1;
    size_t finished = 0;
    if (outcome > 0) {
        fprintf(stderr, "replsim sweep: interrupted; the runs in progress were stopped and "
                        "nothing was merged (replsim merge %s merges the finished runs)\n",
                state->out_abs);
        status = 128 + outcome;
    } else if (status == 0) {
        status = sweep_finished(state, statuses, run_count, dirs, &finished);
        if (finished == 0) {
            fprintf(stderr, "replsim sweep: no run finished; nothing to merge\n");
        }
        rs_sweep_set_render_jobs(state->jobs); /* -j 1: one gnuplot at a time too */
        int merged = finished > 0 ? rs_cli_merge_runs((const char *const *)dirs, finished,
                                                      state->out_abs) : 3;
        status = merged != 0 || outcome != 0 ? 3 : status;
    }
    for (size_t r = 0; r < finished; r++) {
        free(dirs[r]);
    }
    free(statuses);
    free(dirs);
    return status;
}

int rs_cli_sweep(int argc, char **argv) {
    assert(argc >= 0);
    assert(argv != NULL || argc == 0);
    sweep_state *state = calloc(1, sizeof *state);
    if (state == NULL) {
        fprintf(stderr, "replsim sweep: out of memory\n");
        return 3;
    }
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            rs_cli_sweep_help(stdout);
            free(state);
            return 0;
        }
    }
    int status = sweep_parse_options(argc, argv, state);
    status = status == 0 ? sweep_check_points(state) : status;
    status = status == 0 ? sweep_resolve_paths(state) : status;
    size_t run_count = state->point_count * state->seed_count;
    if (status == 0 && state->emit_jobs != NULL) {
        status = sweep_emit(state, run_count);
    } else if (status == 0) {
        status = sweep_run_all(state, run_count);
    }
    for (size_t p = 0; p < state->parameter_count; p++) {
        for (size_t v = 0; v < state->parameters[p].value_count; v++) {
            free(state->parameters[p].values[v]);
        }
    }
    free(state);
    return status;
}
