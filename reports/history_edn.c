/* history_edn.c — the client history in Jepsen's op-map format (history.edn), one map per
 * line, so users can feed Elle or Knossos: for every client request an :invoke when the
 * client sent it and a completion when it heard back — :ok, :fail (the request was refused,
 * e.g. quorum not reached: it definitely did not take effect as a write the client may count
 * on) or :info (no answer: indeterminate) at the end of the run. :f is :append, :value is
 * [stream version] of the request's first event, :process the client, :time nanoseconds of
 * simulated time, :index the position in the history. Reads (workload.reads) are :f :read
 * with :value [stream nil] at the invoke and [stream version] when ok (the highest version
 * the read quorum returned; 0 = the stream was empty). Ops are sorted by (time, invoke before
 * completion, appends before reads, request). */
#include "reports/report_internal.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>

typedef struct edn_op {
    int64_t time_us;          /* when */
    uint32_t request;         /* which request */
    uint8_t completion;       /* 0 invoke, 1 completion */
    uint8_t read;             /* 0: requests[request]; 1: reads[request] */
} edn_op;

static int edn_compare(const void *left, const void *right) {
    const edn_op *a = left, *b = right;
    if (a->time_us != b->time_us) {
        return a->time_us < b->time_us ? -1 : 1;
    }
    if (a->completion != b->completion) {
        return a->completion < b->completion ? -1 : 1;
    }
    if (a->read != b->read) {
        return a->read < b->read ? -1 : 1;
    }
    return a->request < b->request ? -1 : a->request > b->request ? 1 : 0;
}

static const char *edn_type(const rs_history_request *request) {
    if (request->client_ack_us < 0) {
        return ":info";
    }
    return request->status == RS_OK ? ":ok" : ":fail";
}

static void edn_read(rs__text *out, const rs_history_read *read, const edn_op *op,
                     size_t index) {
    bool answered = read->client_ack_us >= 0;
    const char *type = !op->completion ? ":invoke"
                       : !answered     ? ":info"
                       : read->status == RS_OK ? ":ok" : ":fail";
    rs__text_printf(out, "{:type %s, :f :read, :value [%" PRIu64 " ", type, read->stream);
    if (op->completion && answered && read->status == RS_OK) {
        rs__text_printf(out, "%u]", read->version);
    } else {
        rs__text_puts(out, "nil]");
    }
    rs__text_printf(out, ", :process %u, :time %" PRId64 ", :index %zu", read->client,
                    op->time_us * 1000, index);
    if (op->completion && answered && read->status != RS_OK) {
        rs__text_printf(out, ", :error :%s", rs_status_label(read->status));
    }
    rs__text_puts(out, "}\n");
}

void rs__history_edn(const rs__report *report, rs__text *out) {
    assert(report != NULL && out != NULL);
    const rs_history *history = report->history;
    edn_op *ops = malloc((2 * (history->request_count + history->read_count) + 1) * sizeof *ops);
    if (ops == NULL) {
        out->failed = true;
        return;
    }
    size_t count = 0;
    for (size_t r = 0; r < history->request_count; r++) {
        const rs_history_request *request = &history->requests[r];
        int64_t done_us = request->client_ack_us >= 0 ? request->client_ack_us : history->end_us;
        ops[count++] = (edn_op){request->invoke_us, (uint32_t)r, 0, 0};
        ops[count++] = (edn_op){done_us, (uint32_t)r, 1, 0};
    }
    for (size_t r = 0; r < history->read_count; r++) {
        const rs_history_read *read = &history->reads[r];
        int64_t done_us = read->client_ack_us >= 0 ? read->client_ack_us : history->end_us;
        ops[count++] = (edn_op){read->invoke_us, (uint32_t)r, 0, 1};
        ops[count++] = (edn_op){done_us, (uint32_t)r, 1, 1};
    }
    qsort(ops, count, sizeof *ops, edn_compare);
    for (size_t i = 0; i < count; i++) {
        if (ops[i].read) {
            edn_read(out, &history->reads[ops[i].request], &ops[i], i);
            continue;
        }
        const rs_history_request *request = &history->requests[ops[i].request];
        const rs_history_event *event = &history->events[request->first_event - 1];
        rs__text_printf(out, "{:type %s, :f :append, :value [%" PRIu64 " %u], :process %u, "
                             ":time %" PRId64 ", :index %zu",
                        ops[i].completion ? edn_type(request) : ":invoke", event->stream,
                        event->version, request->client, ops[i].time_us * 1000, i);
        if (ops[i].completion && request->client_ack_us >= 0 && request->status != RS_OK) {
            rs__text_printf(out, ", :error :%s", rs_status_label(request->status));
        }
        rs__text_puts(out, "}\n");
    }
    free(ops);
}
