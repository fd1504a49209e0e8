/* compare.c — `replsim compare FILE --strategies a,b:param=value,... [--seeds N] [--out DIR]
 * [--set path=value]...`: runs one scenario under several strategies over the same seeds (so
 * the same workload and fault schedule), each run in its own process like `check`, reports in
 * DIR/<entry>/seed-<n>/, then writes DIR/comparison.json, DIR/comparison.md, DIR/plots/ and
 * DIR/report.html (reports/compare_report.h). An entry "name:p=v:q=w" becomes the overrides
 * strategy.type=name, strategy.p=v, strategy.q=w on top of the command's --set options;
 * fields of the file's strategy the new one does not accept are removed for that entry (said
 * once on stderr). Every entry is loaded and checked before anything runs. Exit 0 when every
 * run finished (whatever its verdict), 2 on bad input, 3 when a run or the report failed. */
#include <assert.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cli/commands.h"
#include "model/scenario.h"
#include "reports/compare_report.h"

#define COMPARE_SEEDS_DEFAULT 5
#define COMPARE_FIELDS_MAX 64     /* fields of the file's strategy object we look at */

typedef struct compare_options {
    const char *file;                    /* scenario path */
    const char *strategies;              /* --strategies as given */
    size_t seed_count;                   /* --seeds (runs seeds 1..N) */
    const char *out_dir;                 /* --out, or NULL for out/compare/<file name> */
    const char *sets[RS_OVERRIDES_MAX];  /* --set, for every entry */
    size_t set_count;
    rs_cli_run_flags flags;              /* --no-plots: the runs' reports without images */
} compare_options;

/* The command's state: entries with their overrides and the runs' figures. */
typedef struct compare_state {
    compare_options options;
    char out_dir[1024];
    rs_compare_entry entries[RS_COMPARE_ENTRIES_MAX];
    size_t entry_count;
    size_t kpi_count;                    /* rs_compare_kpis() */
    double *values;                      /* [entry][seed][kpi], owned */
    char scenario_name[RS_SCENARIO_NAME_MAX];
    rs_scenario scenario;                /* the entry being loaded or run */
} compare_state;

static int parse_options(int argc, char **argv, compare_options *options) {
    assert(argc >= 0 && (argv != NULL || argc == 0));
    assert(options != NULL);
    memset(options, 0, sizeof *options);
    options->seed_count = COMPARE_SEEDS_DEFAULT;
    for (int i = 0; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned long long seeds = 0;
        if (strcmp(argv[i], "--strategies") == 0 && value != NULL) {
            options->strategies = argv[++i];
        } else if (strcmp(argv[i], "--seeds") == 0 && value != NULL) {
            if (rs_cli_parse_seed(value, &seeds) != 0 || seeds < 2 ||
                seeds > RS_COMPARE_SEEDS_MAX) {
                fprintf(stderr, "replsim compare: --seeds: '%s'; allowed: 2..%d (runs seeds "
                                "1..N; an interval needs two)\n", value, RS_COMPARE_SEEDS_MAX);
                return 2;
            }
            options->seed_count = (size_t)seeds;
            i++;
        } else if (strcmp(argv[i], "--out") == 0 && value != NULL) {
            options->out_dir = argv[++i];
        } else if (strcmp(argv[i], "--set") == 0 && value != NULL) {
            if (rs_cli_add_set("compare", argv[++i], options->sets, &options->set_count) != 0) {
                return 2;
            }
        } else if (strcmp(argv[i], "--no-plots") == 0) {
            options->flags.no_plots = true;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "replsim compare: unknown or incomplete option '%s'; allowed: "
                            "--strategies LIST, --seeds N, --out DIR, --set path=value, "
                            "--no-plots\n", argv[i]);
            return 2;
        } else if (options->file == NULL) {
            options->file = argv[i];
        } else {
            fprintf(stderr, "replsim compare: one scenario file at a time (got '%s' and '%s')\n",
                    options->file, argv[i]);
            return 2;
        }
    }
    if (options->file == NULL || options->strategies == NULL) {
        fprintf(stderr, "replsim compare: missing %s; usage: replsim compare FILE --strategies "
                        "a,b:param=value,... [--seeds N] [--out DIR] [--set path=value]...\n",
                options->file == NULL ? "scenario file" : "--strategies");
        return 2;
    }
    assert(options->seed_count >= 2 && options->seed_count <= RS_COMPARE_SEEDS_MAX);
    return 0;
}

/* Length of the next part of `text` up to `separator` outside quotes and brackets, so
 * "batch:targets=[\"eu\",\"us\"]" stays one entry. */
static size_t split_length(const char *text, char separator) {
    assert(text != NULL);
    int depth = 0;
    bool quoted = false;
    size_t i = 0;
    for (; text[i] != '\0'; i++) {
        char c = text[i];
        if (quoted) {
            i += c == '\\' && text[i + 1] != '\0' ? 1 : 0;
            quoted = c != '"';
        } else if (c == '"') {
            quoted = true;
        } else if (c == '[' || c == '{') {
            depth++;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        } else if (c == separator && depth == 0) {
            break;
        }
    }
    assert(text[i] == '\0' || text[i] == separator);
    return i;
}

/* The entry's directory: its label with every byte outside [A-Za-z0-9_.=:,+-] as '_', never
 * "", "." or "..". */
static void entry_directory(const char *label, char *buf, size_t size) {
    assert(label != NULL && buf != NULL && size > 2);
    size_t at = 0;
    if (label[0] == '.' || label[0] == '\0') {
        buf[at++] = '_';
    }
    for (const char *c = label; *c != '\0' && at + 1 < size; c++) {
        bool plain = isalnum((unsigned char)*c) || strchr("_.=:,+-", *c) != NULL;
        buf[at++] = plain && (unsigned char)*c < 0x80 ? *c : '_';
    }
    buf[at] = '\0';
    assert(at > 0);
}

static int add_entry_set(rs_compare_entry *entry, const char *format, const char *key,
                         size_t key_length, const char *value, size_t value_length) {
    assert(entry != NULL && format != NULL);
    assert(key != NULL && value != NULL);
    assert(entry->set_count <= RS_COMPARE_ENTRY_SETS_MAX);
    if (entry->set_count == RS_COMPARE_ENTRY_SETS_MAX) {
        fprintf(stderr, "replsim compare: %s: more than %d overrides; allowed: fewer "
                        "parameters\n", entry->label, RS_COMPARE_ENTRY_SETS_MAX);
        return 2;
    }
    char *set = entry->sets[entry->set_count++];
    int length = snprintf(set, RS_COMPARE_TEXT_MAX, format, (int)key_length, key,
                          (int)value_length, value);
    if (length < 0 || length >= RS_COMPARE_TEXT_MAX) {
        fprintf(stderr, "replsim compare: %s: parameter too long; allowed: at most %d bytes\n",
                entry->label, RS_COMPARE_TEXT_MAX - 1);
        return 2;
    }
    return 0;
}

/* "name:p=v:q=w" -> strategy name and the overrides strategy.type=name, strategy.p=v, ... */
static int parse_entry(const char *text, size_t length, rs_compare_entry *entry) {
    assert(text != NULL && entry != NULL);
    assert(strlen(text) >= length);
    memset(entry, 0, sizeof *entry);
    if (length == 0 || length >= RS_COMPARE_TEXT_MAX) {
        fprintf(stderr, "replsim compare: --strategies: %s entry; allowed: name[:param=value]..."
                        " separated by ',', at most %d bytes each\n",
                length == 0 ? "an empty" : "a too long", RS_COMPARE_TEXT_MAX - 1);
        return 2;
    }
    memcpy(entry->label, text, length);
    size_t name_length = split_length(entry->label, ':');
    if (name_length == 0 || name_length >= sizeof entry->strategy) {
        fprintf(stderr, "replsim compare: %s: missing or too long strategy name; allowed: "
                        "name[:param=value]...\n", entry->label);
        return 2;
    }
    memcpy(entry->strategy, entry->label, name_length);
    int status = add_entry_set(entry, "strategy.type=%.*s%.*s", entry->label, name_length, "", 0);
    const char *at = entry->label + name_length;
    while (status == 0 && *at == ':') {
        at++;
        size_t part = split_length(at, ':');
        size_t key = strcspn(at, "=");
        bool plain = key > 0 && key < part;
        for (size_t i = 0; plain && i < key; i++) {
            plain = isalnum((unsigned char)at[i]) || at[i] == '_';
        }
        if (!plain) {
            fprintf(stderr, "replsim compare: %s: parameter '%.*s'; allowed: param=value with a "
                            "parameter name of letters, digits and '_'\n", entry->label,
                    (int)part, at);
            return 2;
        }
        status = add_entry_set(entry, "strategy.%.*s=%.*s", at, key, at + key + 1,
                               part - key - 1);
        at += part;
    }
    entry_directory(entry->label, entry->directory, sizeof entry->directory);
    assert(status != 0 || entry->set_count >= 1);
    return status;
}

static int parse_entries(compare_state *state) {
    assert(state != NULL && state->options.strategies != NULL);
    assert(state->entry_count == 0);
    const char *at = state->options.strategies;
    for (;;) {
        size_t length = split_length(at, ',');
        if (state->entry_count == RS_COMPARE_ENTRIES_MAX) {
            fprintf(stderr, "replsim compare: --strategies: more than %d entries\n",
                    RS_COMPARE_ENTRIES_MAX);
            return 2;
        }
        rs_compare_entry *entry = &state->entries[state->entry_count];
        if (parse_entry(at, length, entry) != 0) {
            return 2;
        }
        for (size_t e = 0; e < state->entry_count; e++) {
            if (strcmp(state->entries[e].directory, entry->directory) == 0) {
                fprintf(stderr, "replsim compare: --strategies: '%s' and '%s' would share the "
                                "directory %s; allowed: distinct entries\n",
                        state->entries[e].label, entry->label, entry->directory);
                return 2;
            }
        }
        state->entry_count++;
        if (at[length] == '\0') {
            return 0;
        }
        at += length + 1;
    }
}

/* Does strategy `name` accept field `key` in the scenario's "strategy" object? (Unknown
 * strategies accept everything: the loader reports them.) */
static bool strategy_accepts(const char *name, const char *key) {
    assert(name != NULL && key != NULL);
    assert(name[0] != '\0');
    const rs_component *component = rs_component_find(RS_COMPONENT_STRATEGY, name);
    if (component == NULL || strcmp(key, "type") == 0) {
        return true;
    }
    bool conditional = strcmp(name, "conditional") == 0; /* model/scenario_rules.c */
    if (strcmp(key, "rules") == 0 || strcmp(key, "default_targets") == 0) {
        return conditional;
    }
    if (strcmp(key, "targets") == 0) {
        return !conditional;
    }
    return rs_component_param_index(component, key) >= 0;
}

/* Fields of the file's "strategy" object, adjusted by the command's strategy.<key>=... sets;
 * into keys (at most COMPARE_FIELDS_MAX, each < 128 bytes). A file that cannot be read gives
 * none (the loader will say why). */
static size_t strategy_fields(const compare_options *options, char keys[][128]) {
    assert(options != NULL && options->file != NULL);
    assert(keys != NULL);
    size_t count = 0;
    FILE *in = fopen(options->file, "rb");
    char *text = in != NULL ? calloc(1, RS_SCENARIO_BYTES_MAX + 1) : NULL;
    if (text != NULL) {
        size_t ignored = fread(text, 1, RS_SCENARIO_BYTES_MAX, in);
        (void)ignored;
    }
    if (in != NULL) {
        fclose(in);
    }
    cJSON *root = text != NULL ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *member;
    cJSON_ArrayForEach(member, cJSON_GetObjectItemCaseSensitive(root, "strategy")) {
        if (member->string != NULL && count < COMPARE_FIELDS_MAX && strlen(member->string) < 128) {
            snprintf(keys[count++], 128, "%s", member->string);
        }
    }
    cJSON_Delete(root);
    for (size_t i = 0; i < options->set_count; i++) {
        const char *set = options->sets[i];
        size_t key = strncmp(set, "strategy.", 9) == 0 ? strcspn(set + 9, ".[=") : 0;
        if (key == 0 || key >= 128 || set[9 + key] != '=') {
            continue;
        }
        size_t found = 0;
        while (found < count && (strlen(keys[found]) != key ||
                                 strncmp(keys[found], set + 9, key) != 0)) {
            found++;
        }
        if (set[10 + key] == '\0' && found < count) {
            memmove(keys[found], keys[count - 1], 128); /* removed by the command */
            count--;
        } else if (set[10 + key] != '\0' && found == count && count < COMPARE_FIELDS_MAX) {
            snprintf(keys[count++], 128, "%.*s", (int)key, set + 9);
        }
    }
    assert(count <= COMPARE_FIELDS_MAX);
    return count;
}

/* For each entry: after its strategy.type, removes (strategy.<key>=) the fields of the
 * file's strategy that its strategy does not accept, and says so once; then its parameters. */
static int add_drops(compare_state *state) {
    static char keys[COMPARE_FIELDS_MAX][128];
    static char params[RS_COMPARE_ENTRY_SETS_MAX][RS_COMPARE_TEXT_MAX];
    size_t count = strategy_fields(&state->options, keys);
    assert(count <= COMPARE_FIELDS_MAX);
    assert(state->entry_count >= 1);
    for (size_t e = 0; e < state->entry_count; e++) {
        rs_compare_entry *entry = &state->entries[e];
        assert(entry->set_count >= 1); /* strategy.type=... first */
        size_t param_count = entry->set_count - 1;
        memcpy(params, entry->sets[1], param_count * sizeof params[0]);
        entry->set_count = 1;
        char dropped[1024] = "";
        for (size_t k = 0; k < count; k++) {
            if (strategy_accepts(entry->strategy, keys[k])) {
                continue;
            }
            if (add_entry_set(entry, "strategy.%.*s=%.*s", keys[k], strlen(keys[k]), "", 0) != 0) {
                return 2;
            }
            size_t used = strlen(dropped);
            snprintf(dropped + used, sizeof dropped - used, "%sstrategy.%s",
                     used > 0 ? ", " : "", keys[k]);
        }
        if (dropped[0] != '\0') { /* once per entry, not per run */
            fprintf(stderr, "replsim compare: %s: dropping %s (not fields of strategy %s)\n",
                    entry->label, dropped, entry->strategy);
        }
        for (size_t i = 0; i < param_count; i++) {
            if (add_entry_set(entry, "%.*s%.*s", params[i], strlen(params[i]), "", 0) != 0) {
                return 2;
            }
        }
    }
    return 0;
}

/* Loads entry `e` (the command's --set, then the entry's) into state->scenario. 0 or 2. */
static int load_entry(compare_state *state, size_t e) {
    assert(state != NULL);
    assert(e < state->entry_count);
    const compare_options *options = &state->options;
    const rs_compare_entry *entry = &state->entries[e];
    const char *sets[RS_OVERRIDES_MAX + RS_COMPARE_ENTRY_SETS_MAX];
    size_t count = 0;
    for (size_t i = 0; i < options->set_count; i++) {
        sets[count++] = options->sets[i];
    }
    for (size_t i = 0; i < entry->set_count; i++) {
        sets[count++] = entry->sets[i];
    }
    char error[1024];
    if (count > RS_OVERRIDES_MAX) {
        fprintf(stderr, "replsim compare: %s: more than %d overrides with the --set options; "
                        "allowed: fewer\n", entry->label, RS_OVERRIDES_MAX);
        return 2;
    }
    if (rs_scenario_load_with_overrides(options->file, sets, count, &state->scenario, error,
                                        sizeof error) != 0) {
        fprintf(stderr, "%s\n", error);
        return 2;
    }
    return rs_cli_check_memory(&state->scenario, options->file);
}

/* Runs every seed of entry `e` and reads its figures back. 0, or 3 when a run failed. */
static int run_entry(compare_state *state, size_t e) {
    assert(state != NULL && e < state->entry_count);
    assert(state->entries[e].values != NULL);
    rs_compare_entry *entry = &state->entries[e];
    size_t seeds = state->options.seed_count;
    int status = load_entry(state, e) == 0 ? 0 : 3; /* checked before: only a changed file */
    for (size_t s = 0; status == 0 && s < seeds; s++) {
        char dir[2048], log[2100], error[1024];
        snprintf(dir, sizeof dir, "%s/%s/seed-%zu", state->out_dir, entry->directory, s + 1);
        snprintf(log, sizeof log, "%s.log", dir);
        struct timespec start, end;
        clock_gettime(CLOCK_MONOTONIC, &start);
        state->scenario.seed = s + 1;
        int exit_status = rs_cli_run_in_child(&state->scenario, dir, log, &state->options.flags);
        clock_gettime(CLOCK_MONOTONIC, &end);
        double wall_s = (double)(end.tv_sec - start.tv_sec) +
                        (double)(end.tv_nsec - start.tv_nsec) / 1e9;
        double *values = &entry->values[s * state->kpi_count];
        bool pass = false;
        if (exit_status != 0 && exit_status != 1) {
            fprintf(stderr, "replsim compare: %s seed %zu: run %s (exit %d); log: %s\n",
                    entry->label, s + 1, exit_status < 0 ? "crashed" : "failed", exit_status,
                    log);
            status = 3;
        } else if (rs_compare_read_run(dir, values, &pass, s == 0 ? entry->hash
                                       : (char[17]){0}, error, sizeof error) != 0) {
            fprintf(stderr, "replsim compare: %s\n", error);
            status = 3;
        }
        entry->verdict_pass += pass;
        assert(entry->verdict_pass <= s + 1);
        printf("%s seed %zu (%.1f s): verdict %s\n", entry->label, s + 1, wall_s,
               status != 0 ? "n/a" : pass ? "pass" : "fail");
        fflush(stdout);
    }
    return status;
}

static int compare_all(compare_state *state) {
    assert(state != NULL && state->values == NULL);
    assert(state->entry_count >= 1 && state->entry_count <= RS_COMPARE_ENTRIES_MAX);
    for (size_t e = 0; e < state->entry_count; e++) {
        if (load_entry(state, e) != 0) {
            return 2; /* every entry is checked before anything runs */
        }
        if (e == 0) {
            snprintf(state->scenario_name, sizeof state->scenario_name, "%s",
                     state->scenario.name);
        }
    }
    size_t per_entry = state->options.seed_count * state->kpi_count;
    state->values = malloc(state->entry_count * per_entry * sizeof *state->values);
    if (state->values == NULL) {
        fprintf(stderr, "replsim compare: out of memory\n");
        return 3;
    }
    for (size_t i = 0; i < state->entry_count * per_entry; i++) {
        state->values[i] = NAN;
    }
    int status = 0;
    for (size_t e = 0; e < state->entry_count; e++) {
        state->entries[e].values = &state->values[e * per_entry];
        status = run_entry(state, e) != 0 ? 3 : status;
    }
    rs_compare comparison = {.scenario_name = state->scenario_name,
                             .scenario_file = state->options.file,
                             .sets = state->options.sets, .set_count = state->options.set_count,
                             .seed_first = 1, .seed_count = state->options.seed_count,
                             .entry_count = state->entry_count, .entries = state->entries,
                             .scenario = &state->scenario};
    char error[1024];
    if (rs_compare_write(&comparison, state->out_dir, error, sizeof error) != 0) {
        fprintf(stderr, "replsim compare: %s\n", error);
        return 3;
    }
    printf("compare: %zu strategies x %zu seeds; comparison in %s/comparison.md, "
           "comparison.json, report.html and plots/\n", state->entry_count,
           state->options.seed_count, state->out_dir);
    return status;
}

int rs_cli_compare(int argc, char **argv) {
    assert(argc >= 0);
    assert(argv != NULL || argc == 0);
    compare_state *state = calloc(1, sizeof *state);
    if (state == NULL) {
        fprintf(stderr, "replsim compare: out of memory\n");
        return 3;
    }
    const rs_compare_kpi *kpis = NULL;
    state->kpi_count = rs_compare_kpis(&kpis);
    int status = parse_options(argc, argv, &state->options);
    if (status == 0) {
        const char *file = state->options.file;
        const char *base = strrchr(file, '/') != NULL ? strrchr(file, '/') + 1 : file;
        size_t length = strlen(base);
        length -= length > 5 && strcmp(base + length - 5, ".json") == 0 ? 5 : 0;
        if (state->options.out_dir != NULL) {
            snprintf(state->out_dir, sizeof state->out_dir, "%s", state->options.out_dir);
        } else {
            snprintf(state->out_dir, sizeof state->out_dir, "out/compare/%.*s", (int)length, base);
        }
        status = parse_entries(state);
    }
    status = status == 0 ? add_drops(state) : status;
    status = status == 0 ? compare_all(state) : status;
    free(state->values);
    free(state);
    return status;
}
