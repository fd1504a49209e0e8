/* test_trace.c — `replsim run --trace` writes trace.jsonl as docs/trace.md says: every line one
 * JSON object opening with seq (0, 1, 2, ...), t_us (never decreasing) and kind; as many
 * records of each kind as the summary counts (invokes = requests, sends = messages, drops =
 * messages dropped by faults, deliveries + drops = sends when nothing crashes, appends =
 * appends + duplicate appends, ok acks = ok requests, reads = reads, duplicate copies =
 * messages duplicated, store_error replies = appends rejected by faults, one fault_start and
 * fault_end per window); the drop reason of each fault kind (partition, loss, crash); byte-identical across
 * two runs of one seed; the run itself unchanged by tracing (same summary.json bytes); no
 * trace.jsonl without --trace and no staging file left, even when SIGINT stops the run during
 * the simulation. Method: run the replsim binary on CI
 * scenarios (15 s each, one fault) and read the files back with cJSON. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/support/test_util.h"

static char scratch[4096];

/* Record counts of one trace, by kind and by drop reason. */
typedef struct trace_counts {
    int lines, invoke, ack_ok, read, send, deliver, drop, append, duplicate, fault_start, fault_end;
    int crash, restart, duplicate_copies, error_replies;
    int drop_partition, drop_loss, drop_crash;
    int well_formed;         /* 1 while every line passed the structural checks */
} trace_counts;

static int run_replsim(const char *scenario, const char *out, bool trace) {
    char source[4096];
    snprintf(source, sizeof source, "%s/scenarios/ci/%s", rs_test_source_dir(), scenario);
    const char *argv[] = {rs_test_replsim(), "run", source, "--out", out,
                          trace ? "--trace" : NULL, NULL};
    return rs_test_exec(argv, rs_test_path(scratch, "stdout"), rs_test_path(scratch, "stderr"));
}

static bool has_kind(const cJSON *line, const char *kind) {
    return strcmp(cJSON_GetObjectItemCaseSensitive(line, "kind")->valuestring, kind) == 0;
}

/* Structure of one line: its prefix, seq == index, t_us >= previous. */
static void count_line(const char *text, int index, long long *previous_us, trace_counts *counts) {
    char prefix[64];
    snprintf(prefix, sizeof prefix, "{\"seq\":%d,\"t_us\":", index);
    cJSON *line = cJSON_Parse(text);
    const cJSON *time = cJSON_GetObjectItemCaseSensitive(line, "t_us");
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(line, "kind");
    if (line == NULL || strncmp(text, prefix, strlen(prefix)) != 0 || !cJSON_IsNumber(time) ||
        (long long)time->valuedouble < *previous_us || !cJSON_IsString(kind)) {
        counts->well_formed = 0;
        cJSON_Delete(line);
        return;
    }
    *previous_us = (long long)time->valuedouble;
    const char *reason = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(line, "reason"));
    const char *status = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(line, "status"));
    counts->invoke += has_kind(line, "invoke");
    counts->read += has_kind(line, "read");
    counts->ack_ok += has_kind(line, "ack") && strcmp(status, "ok") == 0;
    counts->send += has_kind(line, "send");
    counts->duplicate_copies += has_kind(line, "duplicate");
    counts->error_replies += has_kind(line, "send") && strcmp(status, "store_error") == 0;
    counts->deliver += has_kind(line, "deliver");
    counts->drop += has_kind(line, "drop");
    counts->append += has_kind(line, "append");
    counts->duplicate += cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(line, "duplicate"));
    counts->fault_start += has_kind(line, "fault_start");
    counts->fault_end += has_kind(line, "fault_end");
    counts->crash += has_kind(line, "crash");
    counts->restart += has_kind(line, "restart");
    counts->drop_partition += reason != NULL && strcmp(reason, "partition") == 0;
    counts->drop_loss += reason != NULL && strcmp(reason, "loss") == 0;
    counts->drop_crash += reason != NULL && strcmp(reason, "crash") == 0;
    cJSON_Delete(line);
}

static trace_counts read_trace(const char *out) {
    trace_counts counts = {.well_formed = 1};
    char *text = rs_test_slurp(rs_test_path(out, "trace.jsonl"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    long long previous_us = 0;
    for (char *line = text, *end; *line != '\0'; line = end + 1) {
        end = strchr(line, '\n');
        CU_ASSERT_PTR_NOT_NULL_FATAL(end); /* every line ends with a newline */
        *end = '\0';
        count_line(line, counts.lines++, &previous_us, &counts);
    }
    free(text);
    return counts;
}

static cJSON *read_summary(const char *out) {
    char *text = rs_test_slurp(rs_test_path(out, "summary.json"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    cJSON *summary = cJSON_Parse(text);
    free(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(summary);
    return summary;
}

static int summary_int(const cJSON *summary, const char *object, const char *name) {
    const cJSON *parent = object != NULL ? cJSON_GetObjectItemCaseSensitive(summary, object)
                                         : summary;
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(parent, name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(item);
    return item->valueint;
}

/* The counts every trace owes its summary (the scenario has `faults` fault windows). */
static void check_counts(const trace_counts *counts, const cJSON *summary, int faults) {
    CU_ASSERT_EQUAL(counts->well_formed, 1);
    CU_ASSERT_EQUAL(counts->invoke, summary_int(summary, "requests", "total"));
    CU_ASSERT_EQUAL(counts->ack_ok, summary_int(summary, "requests", "ok"));
    const cJSON *reads = cJSON_GetObjectItemCaseSensitive(summary, "reads"); /* when any */
    CU_ASSERT_EQUAL(counts->read, cJSON_IsObject(reads) ? summary_int(summary, "reads", "total")
                                                        : 0);
    CU_ASSERT_EQUAL(counts->send, summary_int(summary, "messages", "total"));
    CU_ASSERT_EQUAL(counts->drop, summary_int(summary, NULL, "messages_dropped_by_faults"));
    CU_ASSERT_EQUAL(counts->append, summary_int(summary, "throughput", "appends") +
                                        summary_int(summary, "throughput", "duplicate_appends"));
    CU_ASSERT_EQUAL(counts->duplicate, summary_int(summary, "throughput", "duplicate_appends"));
    CU_ASSERT_EQUAL(counts->duplicate_copies,
                    summary_int(summary, NULL, "messages_duplicated_by_faults"));
    CU_ASSERT_EQUAL(counts->fault_start, faults);
    CU_ASSERT_EQUAL(counts->fault_end, faults);
}

static bool staging_file_left(const char *dir) {
    DIR *listing = opendir(dir);
    bool left = false;
    for (struct dirent *entry; listing != NULL && (entry = readdir(listing)) != NULL;) {
        left = left || strstr(entry->d_name, ".tmp.") != NULL;
    }
    if (listing != NULL) {
        closedir(listing);
    }
    return left;
}

/* ap cut off 4..9 s: drops at send (and in flight) are all partitions; nothing crashes, so
 * every message is delivered or dropped. Two runs agree byte for byte, and tracing does not
 * change the run. */
static void test_partition_trace_is_complete_and_deterministic(void) {
    const char *first = rs_test_path(scratch, "partition-1");
    const char *second = rs_test_path(scratch, "partition-2");
    const char *untraced = rs_test_path(scratch, "partition-untraced");
    CU_ASSERT_EQUAL(run_replsim("star-quorum-partition.json", first, true), 0);
    CU_ASSERT_EQUAL(run_replsim("star-quorum-partition.json", second, true), 0);
    CU_ASSERT_EQUAL(run_replsim("star-quorum-partition.json", untraced, false), 0);
    size_t length_1 = 0, length_2 = 0;
    char *trace_1 = rs_test_slurp(rs_test_path(first, "trace.jsonl"), &length_1);
    char *trace_2 = rs_test_slurp(rs_test_path(second, "trace.jsonl"), &length_2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(trace_1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(trace_2);
    CU_ASSERT(length_1 > 100000);
    CU_ASSERT_TRUE(length_1 == length_2 && memcmp(trace_1, trace_2, length_1) == 0);
    free(trace_1);
    free(trace_2);
    char *summary_traced = rs_test_slurp(rs_test_path(first, "summary.json"), NULL);
    char *summary_untraced = rs_test_slurp(rs_test_path(untraced, "summary.json"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(summary_traced);
    CU_ASSERT_PTR_NOT_NULL_FATAL(summary_untraced);
    CU_ASSERT_STRING_EQUAL(summary_traced, summary_untraced);
    free(summary_traced);
    free(summary_untraced);
    CU_ASSERT_PTR_NULL(rs_test_slurp(rs_test_path(untraced, "trace.jsonl"), NULL));
    CU_ASSERT_FALSE(staging_file_left(first));
    trace_counts counts = read_trace(first);
    cJSON *summary = read_summary(first);
    check_counts(&counts, summary, 1);
    CU_ASSERT_EQUAL(counts.deliver + counts.drop, counts.send);
    CU_ASSERT(counts.drop_partition > 0);
    CU_ASSERT_EQUAL(counts.drop_partition, counts.drop);
    CU_ASSERT_EQUAL(counts.crash + counts.restart, 0);
    cJSON_Delete(summary);
}

/* eu-us loses 10% of its messages 3..9 s: the drops are losses, at send. */
static void test_lossy_link_drops_are_losses(void) {
    const char *out = rs_test_path(scratch, "lossy");
    CU_ASSERT_EQUAL(run_replsim("star-lossy-link.json", out, true), 0);
    trace_counts counts = read_trace(out);
    cJSON *summary = read_summary(out);
    check_counts(&counts, summary, 1);
    CU_ASSERT(counts.drop_loss > 10);
    CU_ASSERT_EQUAL(counts.drop_loss, counts.drop);
    CU_ASSERT_EQUAL(counts.deliver + counts.drop, counts.send);
    cJSON_Delete(summary);
}

/* us/store-1 down 5..7 s: one crash and one restart, and what was sent to it meanwhile is
 * dropped with reason crash. */
static void test_crash_is_traced_with_its_drops(void) {
    const char *out = rs_test_path(scratch, "crash");
    CU_ASSERT_EQUAL(run_replsim("cascade-store-crash.json", out, true), 0);
    trace_counts counts = read_trace(out);
    cJSON *summary = read_summary(out);
    check_counts(&counts, summary, 1);
    CU_ASSERT_EQUAL(counts.crash, 1);
    CU_ASSERT_EQUAL(counts.restart, 1);
    CU_ASSERT(counts.drop_crash > 0);
    CU_ASSERT_EQUAL(counts.drop_crash, counts.drop);
    CU_ASSERT(counts.deliver + counts.drop <= counts.send); /* a crashed node's held messages */
    cJSON_Delete(summary);
}

/* SIGINT 0.7 s into a traced run of several seconds: exit 130 and nothing left in its
 * directory, not even the trace's staging file. */
static void test_interrupted_traced_run_leaves_no_file(void) {
    const char *out = rs_test_path(scratch, "interrupted");
    char source[4096];
    snprintf(source, sizeof source, "%s/scenarios/three-regions-star.json", rs_test_source_dir());
    char *const argv[] = {(char *)rs_test_replsim(), "run", source, "--out", (char *)out,
                          "--trace", "--set", "duration_s=20", "--set",
                          "workload.rate_per_s=600", NULL};
    fflush(NULL);
    pid_t child = fork();
    CU_ASSERT_FATAL(child >= 0);
    if (child == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    nanosleep(&(struct timespec){.tv_sec = 0, .tv_nsec = 700000000}, NULL);
    kill(child, SIGINT);
    int status = 0;
    CU_ASSERT_EQUAL_FATAL(waitpid(child, &status, 0), child);
    CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 130);
    DIR *listing = opendir(out);
    int files = 0;
    for (struct dirent *entry; listing != NULL && (entry = readdir(listing)) != NULL;) {
        files += entry->d_name[0] != '.';
    }
    if (listing != NULL) {
        closedir(listing);
    }
    CU_ASSERT_EQUAL(files, 0);
}

/* Six message and store faults: duplicate copies are traced as such and each delivered or
 * dropped on its own; a full store's rejections travel as store_error replies. */
static void test_message_and_store_faults_are_traced(void) {
    const char *out = rs_test_path(scratch, "message-faults");
    CU_ASSERT_EQUAL(run_replsim("star-message-and-store-faults.json", out, true), 0);
    trace_counts counts = read_trace(out);
    cJSON *summary = read_summary(out);
    check_counts(&counts, summary, 6);
    CU_ASSERT(counts.duplicate_copies > 10); /* half of eu/manager-1 -> us for 3 s */
    CU_ASSERT_EQUAL(counts.deliver + counts.drop, counts.send + counts.duplicate_copies);
    CU_ASSERT(counts.error_replies > 0);
    CU_ASSERT_EQUAL(counts.error_replies,
                    summary_int(summary, NULL, "appends_rejected_by_faults"));
    cJSON_Delete(summary);
}

int main(void) {
    snprintf(scratch, sizeof scratch, "%s", rs_test_make_temp_dir());
    static CU_TestInfo tests[] = {
        {"partition trace complete and deterministic",
         test_partition_trace_is_complete_and_deterministic},
        {"lossy link drops are losses", test_lossy_link_drops_are_losses},
        {"crash traced with its drops", test_crash_is_traced_with_its_drops},
        {"message and store faults traced", test_message_and_store_faults_are_traced},
        {"interrupted traced run leaves no file", test_interrupted_traced_run_leaves_no_file},
        CU_TEST_INFO_NULL,
    };
    rs_test_add_suite("trace", tests);
    return rs_test_run_all();
}
