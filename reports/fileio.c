/* fileio.c — atomic report files: every file is first written (and fsync'd) under
 * "<name>.tmp.<pid>" in its own directory, and only when all of them are written does the
 * commit rename each onto its final name. A failure before the commit removes every
 * temporary, so the directory holds no partial file of the run. See report_internal.h. */
#include "reports/report_internal.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define FILEIO_PATH_MAX 4096 /* bytes of a path we build, NUL included */

/* The stage being written, for the interrupt handler (one report at a time per process). */
static rs__stage *volatile active_stage;

/* SIGINT/SIGTERM: remove this run's temporaries (unlink and write are async-signal-safe), say
 * so, and exit 128 + signal. The directory keeps whatever complete report it had before. */
volatile pid_t rs__report_children[RS__REPORT_CHILDREN_MAX];

static void fileio_on_interrupt(int signal_number) {
    for (size_t i = 0; i < RS__REPORT_CHILDREN_MAX; i++) {
        pid_t child = rs__report_children[i];
        if (child > 0) { /* gnuplot may be writing a temporary: stop it first */
            kill(child, SIGKILL);
            waitpid(child, NULL, 0);
        }
    }
    rs__stage *stage = active_stage;
    for (size_t i = 0; stage != NULL && i < stage->count; i++) {
        if (stage->temporary[i] != NULL) {
            unlink(stage->temporary[i]);
        }
    }
    static const char message[] = "replsim: interrupted; stopped without writing a report "
                                  "(no partial file left)\n";
    ssize_t ignored = write(2, message, sizeof message - 1);
    (void)ignored;
    _exit(128 + signal_number);
}

void rs_report_handle_interrupts(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = fileio_on_interrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
}

void rs__stage_init(rs__stage *stage) {
    assert(stage != NULL);
    memset(stage, 0, sizeof *stage);
    active_stage = stage;
}

int rs__make_directories(const char *dir, char *error, size_t error_size) {
    assert(dir != NULL && error != NULL);
    char path[FILEIO_PATH_MAX];
    size_t length = strlen(dir);
    if (length == 0 || length >= sizeof path) {
        snprintf(error, error_size, "report directory '%s': empty or longer than %d bytes", dir,
                 FILEIO_PATH_MAX - 1);
        return -1;
    }
    memcpy(path, dir, length + 1);
    for (size_t index = 1; index <= length; index++) {
        if (path[index] != '/' && path[index] != '\0') {
            continue;
        }
        char saved = path[index];
        path[index] = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            snprintf(error, error_size, "cannot create directory %s: %s", path, strerror(errno));
            return -1;
        }
        path[index] = saved;
    }
    struct stat info;
    if (stat(dir, &info) != 0 || !S_ISDIR(info.st_mode)) {
        snprintf(error, error_size, "%s exists and is not a directory", dir);
        return -1;
    }
    return 0;
}

static char *fileio_join(const char *dir, const char *name, const char *suffix) {
    assert(dir != NULL && name != NULL && suffix != NULL);
    int needed = snprintf(NULL, 0, "%s/%s%s", dir, name, suffix);
    if (needed < 0 || needed >= FILEIO_PATH_MAX) {
        return NULL;
    }
    char *path = malloc((size_t)needed + 1);
    if (path != NULL) {
        snprintf(path, (size_t)needed + 1, "%s/%s%s", dir, name, suffix);
    }
    return path;
}

const char *rs__stage_reserve(rs__stage *stage, const char *dir, const char *name, char *error,
                              size_t error_size) {
    assert(stage != NULL && dir != NULL && name != NULL);
    assert(strchr(name, '/') == NULL);
    if (stage->count == RS__STAGE_FILES_MAX) {
        snprintf(error, error_size, "%s/%s: more than %d report files", dir, name,
                 RS__STAGE_FILES_MAX);
        return NULL;
    }
    char suffix[32];
    snprintf(suffix, sizeof suffix, ".tmp.%ld", (long)getpid());
    char *temporary = fileio_join(dir, name, suffix);
    char *final = fileio_join(dir, name, "");
    if (temporary == NULL || final == NULL) {
        free(temporary);
        free(final);
        snprintf(error, error_size, "%s/%s: path too long or out of memory", dir, name);
        return NULL;
    }
    stage->temporary[stage->count] = temporary;
    stage->final[stage->count] = final;
    stage->count++;
    return temporary;
}

void rs__stage_drop_last(rs__stage *stage) {
    assert(stage != NULL);
    assert(stage->count > 0);
    stage->count--;
    unlink(stage->temporary[stage->count]);
    free(stage->temporary[stage->count]);
    free(stage->final[stage->count]);
    stage->temporary[stage->count] = NULL;
    stage->final[stage->count] = NULL;
}

/* Writes all of data to a new file at path and fsyncs it. 0, or -1 with errno set. */
static int fileio_write_all(const char *path, const char *data, size_t length) {
    assert(path != NULL);
    assert(data != NULL || length == 0);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0) {
        return -1;
    }
    size_t done = 0;
    while (done < length) {
        ssize_t written = write(fd, data + done, length - done);
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written <= 0) {
            int saved = written < 0 ? errno : EIO;
            close(fd);
            errno = saved;
            return -1;
        }
        done += (size_t)written;
    }
    if (fsync(fd) != 0 && errno != EINVAL && errno != EROFS) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return close(fd);
}

int rs__stage_write(rs__stage *stage, const char *dir, const char *name, const rs__text *text,
                    char *error, size_t error_size) {
    assert(stage != NULL && text != NULL);
    if (text->failed) {
        snprintf(error, error_size, "%s/%s: out of memory while formatting", dir, name);
        return -1;
    }
    const char *temporary = rs__stage_reserve(stage, dir, name, error, error_size);
    if (temporary == NULL) {
        return -1;
    }
    if (fileio_write_all(temporary, text->data, text->length) != 0) {
        snprintf(error, error_size, "cannot write %s: %s", temporary, strerror(errno));
        rs__stage_drop_last(stage);
        return -1;
    }
    return 0;
}

int rs__stage_commit(rs__stage *stage, char *error, size_t error_size) {
    assert(stage != NULL && error != NULL);
    int status = 0;
    /* all renames or none seen by an interrupt: signals wait until the set is in place */
    sigset_t blocked, previous;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGINT);
    sigaddset(&blocked, SIGTERM);
    sigprocmask(SIG_BLOCK, &blocked, &previous);
    for (size_t index = 0; index < stage->count; index++) {
        if (status == 0 && rename(stage->temporary[index], stage->final[index]) != 0) {
            snprintf(error, error_size, "cannot rename %s to %s: %s", stage->temporary[index],
                     stage->final[index], strerror(errno));
            status = -1;
        }
        if (status != 0) {
            unlink(stage->temporary[index]);
        }
        free(stage->temporary[index]);
        free(stage->final[index]);
    }
    memset(stage, 0, sizeof *stage);
    active_stage = NULL;
    sigprocmask(SIG_SETMASK, &previous, NULL);
    return status;
}

void rs__stage_abort(rs__stage *stage) {
    assert(stage != NULL);
    while (stage->count > 0) {
        rs__stage_drop_last(stage);
    }
    assert(stage->count == 0);
    active_stage = NULL;
}
