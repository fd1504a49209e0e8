/* test_util.c — see test_util.h. */
#include "tests/support/test_util.h"

#include <cjson/cJSON.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void rs_test_add_suite(const char *name, CU_TestInfo *tests) {
    if (CU_get_registry() == NULL && CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "CUnit: cannot initialise the registry\n");
        exit(2);
    }
    CU_pSuite suite = CU_add_suite(name, NULL, NULL);
    if (suite == NULL) {
        fprintf(stderr, "CUnit: cannot add suite %s\n", name);
        exit(2);
    }
    for (CU_TestInfo *test = tests; test->pName != NULL; test++) {
        if (CU_add_test(suite, test->pName, test->pTestFunc) == NULL) {
            fprintf(stderr, "CUnit: cannot add test %s\n", test->pName);
            exit(2);
        }
    }
}

int rs_test_run_all(void) {
    if (CU_get_registry() == NULL) {
        fprintf(stderr, "CUnit: no suite registered\n");
        return 1;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    unsigned tests_run = CU_get_number_of_tests_run();
    unsigned suites_failed = CU_get_number_of_suites_failed();
    CU_cleanup_registry();
    return (failures == 0 && suites_failed == 0 && tests_run > 0) ? 0 : 1;
}

const char *rs_test_source_dir(void) {
    const char *dir = getenv("RS_SOURCE_DIR");
    return dir != NULL ? dir : ".";
}

const char *rs_test_replsim(void) {
    const char *path = getenv("RS_REPLSIM");
    return path != NULL ? path : "replsim";
}

int rs_test_exec(const char *const argv[], const char *stdout_path, const char *stderr_path) {
    pid_t child = fork();
    if (child < 0) {
        return -1;
    }
    if (child == 0) {
        if (stdout_path != NULL && freopen(stdout_path, "w", stdout) == NULL) {
            _exit(127);
        }
        if (stderr_path != NULL && freopen(stderr_path, "w", stderr) == NULL) {
            _exit(127);
        }
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int status = 0;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status)) {
        return -1;
    }
    return WEXITSTATUS(status);
}

char *rs_test_slurp(const char *path, size_t *length) {
    FILE *in = fopen(path, "rb");
    if (in == NULL) {
        return NULL;
    }
    size_t capacity = 4096, used = 0;
    char *buffer = malloc(capacity);
    size_t got;
    while (buffer != NULL && (got = fread(buffer + used, 1, capacity - used - 1, in)) > 0) {
        used += got;
        if (capacity - used - 1 == 0) {
            capacity *= 2;
            char *grown = realloc(buffer, capacity);
            if (grown == NULL) {
                free(buffer);
                buffer = NULL;
            }
            buffer = grown;
        }
    }
    fclose(in);
    if (buffer != NULL) {
        buffer[used] = '\0';
        if (length != NULL) {
            *length = used;
        }
    }
    return buffer;
}

void rs_test_write_file(const char *path, const char *text) {
    FILE *out = fopen(path, "w");
    if (out == NULL || fputs(text, out) == EOF || fclose(out) != 0) {
        fprintf(stderr, "test: cannot write %s\n", path);
        exit(2);
    }
}

const char *rs_test_make_temp_dir(void) {
    static char path[4096];
    const char *tmp = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/replsim-test-XXXXXX", tmp != NULL ? tmp : "/tmp");
    if (mkdtemp(path) == NULL) {
        fprintf(stderr, "test: cannot create a temporary directory\n");
        exit(2);
    }
    return path;
}

const char *rs_test_path(const char *dir, const char *name) {
    static char paths[16][4096];
    static int next;
    char joined[4096];
    int length = snprintf(joined, sizeof joined, "%s/%s", dir, name);
    if (length < 0 || (size_t)length >= sizeof joined) {
        fprintf(stderr, "test: path too long: %s/%s\n", dir, name);
        exit(2);
    }
    char *path = paths[next++ % 16];
    memcpy(path, joined, (size_t)length + 1);
    return path;
}

struct cJSON *rs_test_run_summary(const char *scratch, const char *const args[],
                                  int expected_status) {
    const char *argv[32] = {rs_test_replsim(), "run"};
    size_t count = 2;
    for (size_t i = 0; args[i] != NULL; i++) {
        CU_ASSERT_FATAL(count + 3 < sizeof argv / sizeof argv[0]);
        argv[count++] = args[i];
    }
    argv[count++] = "--out";
    argv[count++] = rs_test_path(scratch, "out");
    argv[count] = NULL;
    int status = rs_test_exec(argv, rs_test_path(scratch, "stdout"),
                              rs_test_path(scratch, "stderr"));
    CU_ASSERT_EQUAL_FATAL(status, expected_status);
    char *text = rs_test_slurp(rs_test_path(rs_test_path(scratch, "out"), "summary.json"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    cJSON *summary = cJSON_Parse(text);
    free(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(summary);
    return summary;
}

const cJSON *rs_test_member(const cJSON *node, const char *name) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(node, name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(item);
    return item;
}
