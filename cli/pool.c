/* pool.c — runs N jobs in forked children, at most `jobs` at a time (rs_cli_pool_run, see
 * commands.h), for commands whose every run needs a process of its own (a SimGrid engine per
 * process). The parent blocks SIGCHLD, SIGINT and SIGTERM and waits for them with
 * sigwaitinfo, so no signal is lost between checks: a child's end starts the next job, an
 * interrupt sends SIGTERM to every child (each removes its temporaries, reports/fileio.c),
 * waits for them all, and returns the signal. Children get the caller's signal mask back.
 * A progress bar goes to stderr when it is a terminal. O(jobs) per finished child. */
#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/commands.h"

#define POOL_BAR_WIDTH 30 /* progress bar cells */

typedef struct pool_state {
    size_t count;                 /* jobs to run */
    size_t next;                  /* next job to start */
    size_t done;                  /* jobs finished */
    size_t failed;                /* jobs that exited other than 0 or 1 */
    size_t running;               /* children alive */
    pid_t *pids;                  /* [job]: its child while it runs, else 0 (owned) */
    int *statuses;                /* [job]: exit status, -1 crashed or never started (borrowed) */
    bool progress;                /* stderr is a terminal */
    const char *label;            /* progress bar's name ("sweep") */
    sigset_t previous;            /* the mask to give back (and to children) */
} pool_state;

static void pool_progress(const pool_state *pool, bool last) {
    assert(pool != NULL && pool->count > 0);
    if (!pool->progress) {
        return;
    }
    size_t cells = pool->done * POOL_BAR_WIDTH / pool->count;
    char bar[POOL_BAR_WIDTH + 1];
    for (size_t i = 0; i < POOL_BAR_WIDTH; i++) {
        bar[i] = i < cells ? '#' : '.';
    }
    bar[POOL_BAR_WIDTH] = '\0';
    fprintf(stderr, "\r%s [%s] %zu/%zu runs, %zu running, %zu failed%s", pool->label, bar,
            pool->done, pool->count, pool->running, pool->failed, last ? "\n" : "");
    fflush(stderr);
}

/* Forks job i. 0, or -1 when fork failed. */
static int pool_start(pool_state *pool, size_t i, rs_cli_pool_job job, void *context) {
    assert(pool != NULL && i < pool->count);
    assert(job != NULL);
    fflush(stdout);
    fflush(stderr);
    pid_t child = fork();
    if (child < 0) {
        fprintf(stderr, "replsim %s: cannot start a run: %s\n", pool->label, strerror(errno));
        return -1;
    }
    if (child == 0) {
        sigprocmask(SIG_SETMASK, &pool->previous, NULL);
        _exit(job(context, i));
    }
    pool->pids[i] = child;
    pool->running++;
    return 0;
}

/* Reaps every finished child. */
static void pool_reap(pool_state *pool) {
    assert(pool != NULL);
    int status = 0;
    pid_t child;
    while ((child = waitpid(-1, &status, WNOHANG)) > 0) {
        size_t i = 0;
        while (i < pool->count && pool->pids[i] != child) {
            i++;
        }
        if (i == pool->count) {
            continue; /* not one of ours (the caller started it) */
        }
        pool->pids[i] = 0;
        pool->running--;
        pool->done++;
        pool->statuses[i] = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        pool->failed += pool->statuses[i] != 0 && pool->statuses[i] != 1;
    }
    assert(pool->done <= pool->count);
}

/* Stops every child (SIGTERM) and waits for them. */
static void pool_stop(pool_state *pool) {
    assert(pool != NULL);
    for (size_t i = 0; i < pool->count; i++) {
        if (pool->pids[i] > 0) {
            kill(pool->pids[i], SIGTERM);
        }
    }
    for (size_t i = 0; i < pool->count; i++) {
        if (pool->pids[i] > 0) {
            while (waitpid(pool->pids[i], NULL, 0) < 0 && errno == EINTR) {
            }
            pool->pids[i] = 0;
            pool->running--;
        }
    }
    assert(pool->running == 0);
}

int rs_cli_pool_run(size_t count, size_t jobs, rs_cli_pool_job job, void *context,
                    int *statuses, const char *label) {
    assert(count >= 1 && jobs >= 1);
    assert(job != NULL && statuses != NULL && label != NULL);
    pool_state pool = {.count = count, .statuses = statuses, .label = label,
                       .progress = isatty(STDERR_FILENO) == 1};
    pool.pids = calloc(count, sizeof *pool.pids);
    if (pool.pids == NULL) {
        fprintf(stderr, "replsim %s: out of memory\n", label);
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        statuses[i] = -1;
    }
    sigset_t waited;
    sigemptyset(&waited);
    sigaddset(&waited, SIGCHLD);
    sigaddset(&waited, SIGINT);
    sigaddset(&waited, SIGTERM);
    sigprocmask(SIG_BLOCK, &waited, &pool.previous);
    int outcome = 0;
    while (outcome == 0 && pool.done < count) {
        while (outcome == 0 && pool.running < jobs && pool.next < count) {
            outcome = pool_start(&pool, pool.next++, job, context);
        }
        pool_progress(&pool, false);
        int signal_number = outcome == 0 ? sigwaitinfo(&waited, NULL) : -1;
        if (signal_number == SIGINT || signal_number == SIGTERM) {
            outcome = signal_number;
        }
        pool_reap(&pool);
    }
    if (outcome != 0) {
        pool_stop(&pool);
    }
    pool_progress(&pool, true);
    sigprocmask(SIG_SETMASK, &pool.previous, NULL);
    free(pool.pids);
    return outcome;
}
