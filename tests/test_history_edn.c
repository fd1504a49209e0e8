/* test_history_edn.c — `replsim run --history-edn` writes the client history as EDN op maps
 * that parse: every line one map whose keys are exactly :type :f :value :process :time
 * :index (plus :error on a :fail), values of the right EDN kinds, :index 0..n-1 in order,
 * :time non-decreasing, one :invoke and one completion per request, and as many :fail ops as
 * the summary counts failed requests. Method: a small EDN reader over the run's file. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/test_util.h"

typedef struct edn_op {
    char type[32];           /* invoke, ok, fail, info */
    long long time;          /* :time */
    long long index;         /* :index */
    int keys;                /* keys seen */
} edn_op;

/* Reads one EDN value at *p: a keyword (copied to word), an integer, or a vector of integers.
 * Returns its kind ('k', 'i', 'v') or 0 on a syntax error. */
static char edn_value(const char **p, char *word, size_t size, long long *number) {
    const char *c = *p;
    if (*c == ':') {
        size_t n = 0;
        for (c++; isalnum((unsigned char)*c) || *c == '_' || *c == '-'; c++) {
            if (n + 1 < size) {
                word[n++] = *c;
            }
        }
        word[n] = '\0';
        *p = c;
        return n > 0 ? 'k' : 0;
    }
    if (*c == '[') {
        for (c++; *c != ']' && *c != '\0'; c++) {
            if (!isdigit((unsigned char)*c) && *c != ' ') {
                return 0;
            }
        }
        *p = *c == ']' ? c + 1 : c;
        return *c == ']' ? 'v' : 0;
    }
    char *end = NULL;
    *number = strtoll(c, &end, 10);
    *p = end;
    return end != c ? 'i' : 0;
}

/* Parses one line "{:k v, :k v, ...}"; 0 on success. */
static int edn_parse_line(const char *line, edn_op *op) {
    static const struct { const char *key; char kind; } expected[] = {
        {"type", 'k'}, {"f", 'k'}, {"value", 'v'}, {"process", 'i'}, {"time", 'i'}, {"index", 'i'},
        {"error", 'k'}};
    memset(op, 0, sizeof *op);
    const char *p = line;
    if (*p++ != '{') {
        return -1;
    }
    while (*p != '}') {
        char key[32], word[32];
        long long number = 0;
        if (edn_value(&p, key, sizeof key, &number) != 'k' || *p++ != ' ') {
            return -1;
        }
        char kind = edn_value(&p, word, sizeof word, &number);
        size_t k = 0;
        while (k < 7 && strcmp(expected[k].key, key) != 0) {
            k++;
        }
        if (k == 7 || kind != expected[k].kind) {
            return -1;
        }
        op->keys |= 1 << k;
        if (k == 0) {
            snprintf(op->type, sizeof op->type, "%s", word);
        } else if (k == 4) {
            op->time = number;
        } else if (k == 5) {
            op->index = number;
        }
        if (*p == ',') {
            p += 2;
        } else if (*p != '}') {
            return -1;
        }
    }
    return strcmp(p, "}") == 0 ? 0 : -1;
}

static void test_history_edn_parses_and_matches_the_summary(void) {
    const char *scratch = rs_test_make_temp_dir();
    char scenario[4096], out[4096];
    snprintf(scenario, sizeof scenario, "%s/scenarios/ci/star-all-manager-crash.json",
             rs_test_source_dir());
    snprintf(out, sizeof out, "%s/run", scratch);
    const char *argv[] = {rs_test_replsim(), "run", scenario, "--out", out, "--history-edn", NULL};
    CU_ASSERT_EQUAL_FATAL(rs_test_exec(argv, NULL, NULL), 0);
    char *text = rs_test_slurp(rs_test_path(out, "history.edn"), NULL);
    char *summary_text = rs_test_slurp(rs_test_path(out, "summary.json"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(summary_text);
    cJSON *summary = cJSON_Parse(summary_text);
    const cJSON *requests = cJSON_GetObjectItem(summary, "requests");
    long long expected_ops = 2LL * cJSON_GetObjectItem(requests, "total")->valueint;
    long long lines = 0, invokes = 0, not_ok = 0, last_time = -1;
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n"), lines++) {
        edn_op op;
        CU_ASSERT_EQUAL_FATAL(edn_parse_line(line, &op), 0);
        CU_ASSERT_EQUAL(op.keys & 0x3f, 0x3f);           /* the six keys, each present */
        CU_ASSERT_EQUAL(op.index, lines);
        CU_ASSERT(op.time >= last_time);
        last_time = op.time;
        invokes += strcmp(op.type, "invoke") == 0;
        not_ok += strcmp(op.type, "fail") == 0 || strcmp(op.type, "info") == 0;
    }
    CU_ASSERT_EQUAL(lines, expected_ops);
    CU_ASSERT_EQUAL(invokes, expected_ops / 2);
    /* the manager crash leaves requests unanswered (:info) and fails others */
    CU_ASSERT(not_ok > 0);
    CU_ASSERT_EQUAL(not_ok, cJSON_GetObjectItem(requests, "failed")->valueint);
    cJSON_Delete(summary);
    free(summary_text);
    free(text);
}

int main(void) {
    static CU_TestInfo tests[] = {
        {"history.edn parses and matches the summary", test_history_edn_parses_and_matches_the_summary},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("history edn", tests);
    return rs_test_run_all();
}
