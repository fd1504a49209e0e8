/* test_util.c — see test_util.h. */
#include "tests/support/test_util.h"

#include <stdio.h>
#include <stdlib.h>

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
