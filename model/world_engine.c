/* world_engine.c — SimGrid's start: the configuration a user may give with `--cfg KEY:VALUE`
 * (replsim run and check; the keys allowed and each value's check), then rs__world_init_engine,
 * which passes replsim's defaults and those settings to simgrid_init as "--cfg=KEY:VALUE" and
 * pins the network model, and rs__world_load_platform, which loads the scenario's platform.
 * Only speed-only keys are allowed: the same scenario and seed give byte-identical reports
 * whatever their value (measured: docs/performance.md, "Engine choices"; pinned by
 * tests/test_cfg.sh). Keys that change simulated results are refused with the reason: replsim
 * pins the network model so declared latencies are exact (SIMGRID_NOTES.md), and parallel
 * actors would race on its shared state. Everything is checked before SimGrid starts because
 * SimGrid 3.32 aborts with a backtrace on an unknown key or a bad value. */
#include "model/world.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <simgrid/engine.h>
#include <xbt/config.h>
#include <xbt/log.h>

#include "model/platform.h"
#include "reports/report.h"

typedef enum cfg_kind {
    CFG_CHOICE,               /* one of `choices` ("a|b|c"), exactly as written */
    CFG_INTEGER,              /* a decimal integer in [minimum, maximum] */
} cfg_kind;

typedef struct cfg_key {
    const char *key;          /* SimGrid's option name */
    cfg_kind kind;            /* how its value is checked */
    const char *choices;      /* CFG_CHOICE: the allowed values, '|'-separated */
    long minimum, maximum;    /* CFG_INTEGER: the allowed range, inclusive */
    const char *allowed;      /* the "allowed:" text of an error */
} cfg_key;

/* Speed-only keys: every value gave byte-identical summary.json, summary.md and timeseries.csv
 * on all 37 bundled scenarios, both transports. contexts/factory: the four Debian's libsimgrid
 * 3.32 has compiled in. contexts/stack-size (KiB): 16 ran every bundled scenario, 4 crashed
 * (segmentation fault), so the floor of 64 keeps a 4x margin; the ceiling is SimGrid's default
 * (8 MiB) x 128. contexts/guard-size: pages below each stack (SimGrid's default 1). */
static const cfg_key cfg_keys[] = {
    {"contexts/factory", CFG_CHOICE, "raw|ucontext|boost|thread", 0, 0,
     "raw, ucontext, boost or thread"},
    {"contexts/stack-size", CFG_INTEGER, NULL, 64, 1048576, "KiB, an integer 64..1048576"},
    {"contexts/guard-size", CFG_INTEGER, NULL, 0, 64, "pages, an integer 0..64"},
};

/* Keys replsim refuses, with why (measured where said; docs/performance.md). Prefixes end with
 * '/'; the first match wins. */
static const struct {
    const char *key;          /* an option name, or a prefix ending with '/' */
    const char *reason;       /* why it is refused */
} cfg_refused[] = {
    {"network/optim", "Full changes results (message times by ~10 us in 4 of 37 bundled "
                      "scenarios); replsim keeps SimGrid's Lazy"},
    {"network/maxmin-selective-update", "forced on by the Lazy update replsim keeps (off aborts)"},
    {"network/solver", "changes results (fairbottleneck) or aborts (bmf)"},
    {"network/", "pinned by replsim: CM02 without cross-traffic and TCP gamma makes declared "
                 "latency and bandwidth exact; other network settings change the results"},
    {"contexts/nthreads", "parallel actors race on replsim's shared state (2 aborted or changed "
                          "results)"},
    {"contexts/synchro", "only matters with contexts/nthreads > 1, which replsim refuses"},
    {"maxmin/", "changes the bandwidth sharing, hence possibly the results "
                "(concurrency-limit:10 changed 2 of 37 bundled scenarios)"},
    {"surf/precision", "changes when actions complete (1e-5 changed 36 of 37 bundled scenarios)"},
};

static rs_engine_options cfg_current; /* settings for the next rs_world_run */

/* The allowed keys, "a, b, c", into buf. */
static void cfg_allowed_keys(char *buf, size_t size) {
    assert(buf != NULL && size > 0);
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof cfg_keys / sizeof cfg_keys[0]; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s%s", i > 0 ? ", " : "", cfg_keys[i].key);
    }
}

static bool cfg_choice_ok(const char *choices, const char *value) {
    assert(choices != NULL && value != NULL);
    size_t length = strlen(value);
    for (const char *c = choices; *c != '\0';) {
        size_t n = strcspn(c, "|");
        if (n == length && length > 0 && strncmp(c, value, n) == 0) {
            return true;
        }
        c += n + (c[n] == '|');
    }
    return false;
}

static bool cfg_value_ok(const cfg_key *key, const char *value) {
    assert(key != NULL && value != NULL);
    if (key->kind == CFG_CHOICE) {
        return cfg_choice_ok(key->choices, value);
    }
    assert(key->kind == CFG_INTEGER);
    char *end = NULL;
    errno = 0;
    long number = strtol(value, &end, 10);
    return *value != '\0' && *end == '\0' && errno == 0 && number >= key->minimum &&
           number <= key->maximum;
}

int rs_engine_cfg_check(const char *setting, char *error, size_t error_size) {
    assert(setting != NULL && error != NULL && error_size > 0);
    const char *colon = strchr(setting, ':');
    char allowed[512];
    cfg_allowed_keys(allowed, sizeof allowed);
    if (colon == NULL || colon == setting || strlen(setting) >= RS_ENGINE_CFG_LENGTH) {
        snprintf(error, error_size, "not KEY:VALUE (at most %d characters); allowed keys: %s",
                 RS_ENGINE_CFG_LENGTH - 1, allowed);
        return -1;
    }
    size_t key_length = (size_t)(colon - setting);
    for (size_t i = 0; i < sizeof cfg_keys / sizeof cfg_keys[0]; i++) {
        const cfg_key *key = &cfg_keys[i];
        if (strlen(key->key) == key_length && strncmp(key->key, setting, key_length) == 0) {
            if (cfg_value_ok(key, colon + 1)) {
                return 0;
            }
            snprintf(error, error_size, "%s: bad value '%s'; allowed: %s", key->key, colon + 1,
                     key->allowed);
            return -1;
        }
    }
    for (size_t i = 0; i < sizeof cfg_refused / sizeof cfg_refused[0]; i++) {
        size_t n = strlen(cfg_refused[i].key);
        bool prefix = cfg_refused[i].key[n - 1] == '/';
        if ((prefix ? key_length >= n : key_length == n) &&
            strncmp(cfg_refused[i].key, setting, n) == 0) {
            snprintf(error, error_size, "%.*s: %s; allowed keys: %s", (int)key_length, setting,
                     cfg_refused[i].reason, allowed);
            return -1;
        }
    }
    snprintf(error, error_size, "%.*s: not a key replsim passes to SimGrid; allowed keys: %s",
             (int)key_length, setting, allowed);
    return -1;
}

int rs_engine_options_add(rs_engine_options *options, const char *command, const char *setting) {
    assert(options != NULL && command != NULL && setting != NULL);
    assert(options->cfg_count <= RS_ENGINE_CFG_MAX);
    char error[1024];
    if (rs_engine_cfg_check(setting, error, sizeof error) != 0) {
        fprintf(stderr, "replsim %s: --cfg %s: %s\n", command, setting, error);
        return 2;
    }
    if (options->cfg_count == RS_ENGINE_CFG_MAX) {
        fprintf(stderr, "replsim %s: --cfg: more than %d settings; allowed: at most %d\n",
                command, RS_ENGINE_CFG_MAX, RS_ENGINE_CFG_MAX);
        return 2;
    }
    options->cfg[options->cfg_count++] = setting;
    return 0;
}

void rs_world_set_engine_options(const rs_engine_options *options) {
    assert(options != NULL);
    assert(options->cfg_count <= RS_ENGINE_CFG_MAX);
    cfg_current = *options;
}

const rs_engine_options *rs__world_engine_options(void) {
    assert(cfg_current.cfg_count <= RS_ENGINE_CFG_MAX);
    return &cfg_current;
}

/* --- SimGrid's start --------------------------------------------------------------------- */

int rs__world_load_platform(const rs_scenario *scenario, char *error, size_t error_size) {
    const char *tmp = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/replsim-platform-XXXXXX", tmp != NULL ? tmp : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        snprintf(error, error_size, "cannot create a temporary platform file in %s", path);
        return -1;
    }
    FILE *out = fdopen(fd, "w");
    int failed = out == NULL || rs_platform_write(scenario, out) != 0;
    if (out != NULL) {
        failed |= fclose(out) != 0;
    } else {
        close(fd);
    }
    if (!failed) {
        simgrid_load_platform(path);
    }
    unlink(path);
    if (failed) {
        snprintf(error, error_size, "cannot write the platform file %s", path);
        return -1;
    }
    return 0;
}

/* SimGrid's start: replsim's speed defaults, then the user's --cfg settings (above; a later
 * setting wins), all through simgrid_init's argv so the context factory is known when the
 * engine starts. The factory stays SimGrid's default, raw: the fastest of the four Debian's 3.32
 * has (boost ties with it, ucontext is ~30-50% slower, thread ~10x), and every factory gives
 * byte-identical reports (docs/performance.md, "Engine choices"). 128 KiB stacks instead of
 * SimGrid's 8 MiB: no speed difference at tens of actors, less address space at thousands. */
void rs__world_init_engine(void) {
    static bool initialised = false;
    assert(!initialised && "SimGrid can be initialised once per process");
    initialised = true;
    const rs_engine_options *options = rs__world_engine_options();
    assert(options->cfg_count <= RS_ENGINE_CFG_MAX);
    char program[] = "replsim";
    char stack[] = "--cfg=contexts/stack-size:128";
    char settings[RS_ENGINE_CFG_MAX][RS_ENGINE_CFG_LENGTH + 8];
    char *argv[RS_ENGINE_CFG_MAX + 3] = {program, stack};
    int argc = 2;
    for (size_t i = 0; i < options->cfg_count; i++) {
        snprintf(settings[i], sizeof settings[i], "--cfg=%s", options->cfg[i]);
        argv[argc++] = settings[i];
    }
    argv[argc] = NULL;
    xbt_log_control_set("root.thres:critical");
    simgrid_init(&argc, argv);
    /* Make declared latency true (SIMGRID_NOTES.md): CM02 without cross-traffic and TCP gamma
     * gives exactly latency + size / bandwidth. Pinned: the table above refuses network/ keys. */
    sg_cfg_set_string("network/model", "CM02");
    sg_cfg_set_boolean("network/crosstraffic", "no");
    sg_cfg_set_double("network/TCP-gamma", 0.0);
    sg_cfg_set_boolean("debug/verbose-exit", "no");
    /* After simgrid_init, which installs its own SIGINT handler (an actor dump): an
     * interrupted run stops at once and leaves no partial report (reports/report.h). */
    rs_report_handle_interrupts();
}
