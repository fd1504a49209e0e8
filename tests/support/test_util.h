/* test_util.h — shared plumbing for the CUnit test programs: run the registry and turn any
 * failed assertion, test or suite into a non-zero exit status; locate the source tree and the
 * replsim binary (set by CTest in the environment). */
#ifndef RS_TEST_UTIL_H
#define RS_TEST_UTIL_H

#include <CUnit/Basic.h>

/* Runs every registered suite verbosely, cleans up the registry, returns the exit status:
 * 0 when every assertion passed and at least one test ran, 1 otherwise. */
int rs_test_run_all(void);

/* Adds a suite with the given tests (NULL-terminated name/function pairs via CU_TestInfo). */
void rs_test_add_suite(const char *name, CU_TestInfo *tests);

/* $RS_SOURCE_DIR (the repository root), or "." when unset. */
const char *rs_test_source_dir(void);
/* $RS_REPLSIM (path of the replsim binary), or "replsim" when unset. */
const char *rs_test_replsim(void);

/* Runs argv[0] with argv (NULL-terminated) without a shell, stdout and stderr redirected to
 * the given files (NULL = inherit). Returns the exit status, or -1 if it did not exit. */
int rs_test_exec(const char *const argv[], const char *stdout_path, const char *stderr_path);

/* Whole file into a NUL-terminated heap buffer (caller frees); NULL when unreadable. */
char *rs_test_slurp(const char *path, size_t *length);

/* Writes `text` to `path`; aborts the test program on failure. */
void rs_test_write_file(const char *path, const char *text);

/* A fresh directory under $TMPDIR or /tmp (static buffer, valid until the next call). */
const char *rs_test_make_temp_dir(void);

/* "dir/name" in one of 16 rotating static buffers (so a few can be alive at once). */
const char *rs_test_path(const char *dir, const char *name);

/* Runs `replsim run` with `args` (NULL-terminated, after "run"; the report goes to
 * scratch/out, its output to scratch/stdout and scratch/stderr), asserts (fatally) the exit
 * status, and returns the parsed summary.json (cJSON_Delete it). */
struct cJSON;
struct cJSON *rs_test_run_summary(const char *scratch, const char *const args[],
                                  int expected_status);
/* Member `name` of `node`; a fatal assertion when it is absent. */
const struct cJSON *rs_test_member(const struct cJSON *node, const char *name);

#endif
