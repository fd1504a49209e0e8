/* bench_measure.c — runs one command and measures it, for bench/run.sh: wall seconds (monotonic
 * clock around fork .. waitpid), user and system CPU seconds, and peak resident set size in KiB
 * (getrusage(RUSAGE_CHILDREN).ru_maxrss: the largest of the command and the children it waited
 * for — replsim's gnuplot children are far smaller than replsim itself). Usage:
 *
 *     bench_measure RESULT_FILE COMMAND [ARGUMENT]...
 *
 * writes one line "wall_s user_s sys_s maxrss_kib exit_status" to RESULT_FILE and exits with
 * the command's status (128 + signal when it was killed, 127 when it could not be started).
 * The command's stdin, stdout and stderr are the wrapper's own. No shell is involved. */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MEASURE_EXEC_FAILED 127   /* the child's status when execvp fails, as a shell's */
#define MEASURE_SIGNAL_BASE 128   /* status of a command killed by signal N: 128 + N */

static double measure_seconds(struct timespec time) {
    return (double)time.tv_sec + (double)time.tv_nsec / 1e9;
}

static double measure_timeval_seconds(struct timeval time) {
    return (double)time.tv_sec + (double)time.tv_usec / 1e6;
}

/* Runs argv[0..] to completion; *status_out gets its shell-style exit status. Returns the
 * wall seconds, or a negative value when fork or waitpid failed. */
static double measure_run(char **argv, int *status_out) {
    assert(argv != NULL && argv[0] != NULL);
    assert(status_out != NULL);
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pid_t child = fork();
    if (child < 0) {
        return -1.0;
    }
    if (child == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "bench_measure: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(MEASURE_EXEC_FAILED);
    }
    int status = 0;
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) {
            return -1.0;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    *status_out = WIFEXITED(status)     ? WEXITSTATUS(status)
                  : WIFSIGNALED(status) ? MEASURE_SIGNAL_BASE + WTERMSIG(status)
                                        : MEASURE_EXEC_FAILED;
    double wall_s = measure_seconds(end) - measure_seconds(start);
    assert(wall_s >= 0.0);
    return wall_s;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: bench_measure RESULT_FILE COMMAND [ARGUMENT]...\n");
        return 2;
    }
    int status = 0;
    double wall_s = measure_run(&argv[2], &status);
    if (wall_s < 0.0) {
        fprintf(stderr, "bench_measure: fork or waitpid failed: %s\n", strerror(errno));
        return 3;
    }
    struct rusage usage;
    if (getrusage(RUSAGE_CHILDREN, &usage) != 0) {
        fprintf(stderr, "bench_measure: getrusage failed: %s\n", strerror(errno));
        return 3;
    }
    FILE *out = fopen(argv[1], "w");
    if (out == NULL) {
        fprintf(stderr, "bench_measure: cannot write %s: %s\n", argv[1], strerror(errno));
        return 3;
    }
    int failed = fprintf(out, "%.6f %.6f %.6f %ld %d\n", wall_s,
                         measure_timeval_seconds(usage.ru_utime),
                         measure_timeval_seconds(usage.ru_stime), usage.ru_maxrss, status) < 0;
    failed |= fclose(out) != 0;
    if (failed) {
        fprintf(stderr, "bench_measure: cannot write %s\n", argv[1]);
        return 3;
    }
    return status;
}
