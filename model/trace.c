/* trace.c — the trace recorder (see trace.h; schema in docs/trace.md). Each record is one line
 * "{"seq":N,"t_us":T,"kind":"...",...}" with a fixed key order, printed straight into a stdio
 * buffer of RS_TRACE_BUFFER_BYTES. Before each record, the fault boundaries (starts and ends of
 * the scenario's windows, sorted by time, ends first at equal times) due at or before the
 * record's time are written, so the file is in simulated-time order and a window's start
 * precedes every record it affects (a window covers [start, end)). Names from the scenario
 * (regions, event types, fault labels) are JSON-escaped once, at open. Costs: O(1) per record
 * (the fault boundaries are a sorted array walked once, O(faults log faults) to build). */
#include "model/trace.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/world.h"

#define TRACE_NAME_BYTES (6 * 2 * RS_NAME_MAX + 32) /* an escaped "region/store-K" */

/* One fault window edge. */
typedef struct trace_boundary {
    int64_t time_us;          /* when */
    uint32_t fault;           /* scenario fault index */
    bool start;               /* start (true) or end of the window */
} trace_boundary;

struct rs_trace {
    FILE *out;                        /* the file being written */
    char *buffer;                     /* its stdio buffer, RS_TRACE_BUFFER_BYTES */
    const rs_scenario *scenario;      /* borrowed */
    const rs_world *world;            /* borrowed while the simulation runs; NULL before */
    uint64_t sequence;                /* next record's seq */
    uint64_t next_message;            /* last msg id handed out */
    uint32_t node_count;              /* nodes of the topology */
    char (*node_names)[TRACE_NAME_BYTES]; /* per node: its name, JSON-escaped */
    char (*type_names)[6 * RS_NAME_MAX + 1]; /* per event type: its name, JSON-escaped */
    trace_boundary *boundaries;       /* 2 per fault, sorted by (time, ends first, fault) */
    uint32_t boundary_count;          /* entries */
    uint32_t boundary_next;           /* first one not written yet */
};

/* `text` as the inside of a JSON string: quote, backslash and control bytes escaped; other
 * bytes (UTF-8 included) as they are. Truncated to fit `size`, never inside an escape. */
static void trace_escape(char *buf, size_t size, const char *text) {
    assert(buf != NULL && size >= 7);
    size_t used = 0;
    for (const unsigned char *c = (const unsigned char *)text; *c != '\0'; c++) {
        char piece[8];
        if (*c == '"' || *c == '\\') {
            snprintf(piece, sizeof piece, "\\%c", *c);
        } else if (*c < 0x20 || *c == 0x7f) {
            snprintf(piece, sizeof piece, "\\u%04x", *c);
        } else {
            piece[0] = (char)*c;
            piece[1] = '\0';
        }
        size_t length = strlen(piece);
        if (used + length + 1 > size) {
            break;
        }
        memcpy(buf + used, piece, length);
        used += length;
    }
    buf[used] = '\0';
}

static int boundary_compare(const void *left, const void *right) {
    const trace_boundary *a = left, *b = right;
    if (a->time_us != b->time_us) {
        return a->time_us < b->time_us ? -1 : 1;
    }
    if (a->start != b->start) {
        return a->start ? 1 : -1; /* at one instant, windows close before others open */
    }
    return a->fault < b->fault ? -1 : a->fault > b->fault ? 1 : 0;
}

/* Names and fault boundaries, from the scenario. 0, or -1 when out of memory. */
static int trace_prepare(rs_trace *trace, const rs_scenario *scenario) {
    trace->node_count = rs_scenario_node_count(scenario);
    trace->node_names = calloc(trace->node_count + 1, sizeof *trace->node_names);
    trace->type_names = calloc(scenario->type_count + 1, sizeof *trace->type_names);
    trace->boundaries = calloc(2 * (size_t)scenario->fault_count + 1, sizeof *trace->boundaries);
    if (trace->node_names == NULL || trace->type_names == NULL || trace->boundaries == NULL) {
        return -1;
    }
    for (uint32_t node = 0; node < trace->node_count; node++) {
        char name[2 * RS_NAME_MAX + 32];
        rs_scenario_node_name(scenario, node, name, sizeof name);
        trace_escape(trace->node_names[node], sizeof trace->node_names[node], name);
    }
    for (uint32_t type = 0; type < scenario->type_count; type++) {
        trace_escape(trace->type_names[type], sizeof trace->type_names[type],
                     scenario->types[type].name);
    }
    for (uint32_t f = 0; f < scenario->fault_count; f++) {
        const rs_fault *fault = &scenario->faults[f];
        trace->boundaries[trace->boundary_count++] = (trace_boundary){fault->start_us, f, true};
        trace->boundaries[trace->boundary_count++] = (trace_boundary){fault->end_us, f, false};
    }
    qsort(trace->boundaries, trace->boundary_count, sizeof *trace->boundaries, boundary_compare);
    return 0;
}

static void trace_free(rs_trace *trace) {
    free(trace->node_names);
    free(trace->type_names);
    free(trace->boundaries);
    free(trace->buffer);
    free(trace);
}

rs_trace *rs_trace_open(const char *path, const rs_scenario *scenario, char *error,
                        size_t error_size) {
    assert(path != NULL && scenario != NULL);
    assert(error != NULL && error_size > 0);
    rs_trace *trace = calloc(1, sizeof *trace);
    if (trace == NULL || (trace->buffer = malloc(RS_TRACE_BUFFER_BYTES)) == NULL ||
        trace_prepare(trace, scenario) != 0) {
        snprintf(error, error_size, "%s: out of memory for the trace recorder", path);
        if (trace != NULL) {
            trace_free(trace);
        }
        return NULL;
    }
    trace->scenario = scenario;
    trace->out = fopen(path, "wb");
    if (trace->out == NULL) {
        snprintf(error, error_size, "cannot create %s: %s", path, strerror(errno));
        trace_free(trace);
        return NULL;
    }
    setvbuf(trace->out, trace->buffer, _IOFBF, RS_TRACE_BUFFER_BYTES);
    return trace;
}

void rs__trace_attach(rs_trace *trace, const rs_world *world) {
    if (trace == NULL) {
        return; /* --trace off */
    }
    assert(world == NULL || world->node_count == trace->node_count);
    assert(world == NULL || world->scenario == trace->scenario);
    trace->world = world;
}

/* Writes the boundaries due at or before `now_us`. */
static void trace_boundaries_until(rs_trace *trace, int64_t now_us) {
    while (trace->boundary_next < trace->boundary_count &&
           trace->boundaries[trace->boundary_next].time_us <= now_us) {
        const trace_boundary *edge = &trace->boundaries[trace->boundary_next++];
        const rs_fault *fault = &trace->scenario->faults[edge->fault];
        char label[6 * sizeof fault->label + 1];
        trace_escape(label, sizeof label, fault->label);
        fprintf(trace->out, "{\"seq\":%" PRIu64 ",\"t_us\":%" PRId64 ",\"kind\":\"%s\","
                "\"fault\":%u,\"fault_kind\":\"%s\",\"label\":\"%s\"}\n",
                trace->sequence++, edge->time_us, edge->start ? "fault_start" : "fault_end",
                edge->fault, rs_fault_kind_name(fault->kind), label);
    }
}

/* Starts a record of `kind` at the current simulated time: pending boundaries first. */
static void trace_begin(rs_trace *trace, const char *kind) {
    int64_t now_us = rs_world_now_us();
    trace_boundaries_until(trace, now_us);
    fprintf(trace->out, "{\"seq\":%" PRIu64 ",\"t_us\":%" PRId64 ",\"kind\":\"%s\"",
            trace->sequence++, now_us, kind);
}

static const char *trace_node(const rs_trace *trace, uint32_t node) {
    assert(node < trace->node_count);
    return trace->node_names[node];
}

/* ,"event":E,"stream":"C:S","version":V,"type":"T" */
static void trace_event_fields(rs_trace *trace, const rs_event *event) {
    assert(event->type_index < trace->scenario->type_count);
    fprintf(trace->out, ",\"event\":%" PRIu64 ",\"stream\":\"%" PRIu64 ":%" PRIu64 "\","
            "\"version\":%u,\"type\":\"%s\"", event->id, event->stream >> 32,
            event->stream & 0xffffffffu, event->version, trace->type_names[event->type_index]);
}

void rs__trace_invoke(rs_trace *trace, uint64_t request, uint32_t client_node,
                      uint32_t manager_node, const rs_event *event) {
    assert(trace != NULL && event != NULL);
    trace_begin(trace, "invoke");
    fprintf(trace->out, ",\"request\":%" PRIu64 ",\"client\":\"%s\",\"manager\":\"%s\"", request,
            trace_node(trace, client_node), trace_node(trace, manager_node));
    trace_event_fields(trace, event);
    fputs("}\n", trace->out);
}

void rs__trace_ack(rs_trace *trace, uint64_t request, uint32_t client_node, int status) {
    assert(trace != NULL);
    assert(status >= 0 && status < RS_STATUS_COUNT);
    trace_begin(trace, "ack");
    fprintf(trace->out, ",\"request\":%" PRIu64 ",\"client\":\"%s\",\"status\":\"%s\"}\n", request,
            trace_node(trace, client_node), rs_status_label((rs_status)status));
}

void rs__trace_read(rs_trace *trace, uint64_t read, uint32_t client_node, uint32_t manager_node,
                    uint64_t stream, int32_t probe) {
    assert(trace != NULL);
    assert(probe >= -1);
    trace_begin(trace, "read");
    fprintf(trace->out, ",\"read\":%" PRIu64 ",\"client\":\"%s\",\"manager\":\"%s\","
            "\"stream\":\"%" PRIu64 ":%" PRIu64 "\",\"probe\":%d}\n", read,
            trace_node(trace, client_node), trace_node(trace, manager_node), stream >> 32,
            stream & 0xffffffffu, (int)probe);
}

void rs__trace_read_ack(rs_trace *trace, uint64_t read, uint32_t client_node, int status,
                        uint32_t version) {
    assert(trace != NULL);
    assert(status >= 0 && status < RS_STATUS_COUNT);
    trace_begin(trace, "read_ack");
    fprintf(trace->out, ",\"read\":%" PRIu64 ",\"client\":\"%s\",\"status\":\"%s\","
            "\"version\":%u}\n", read, trace_node(trace, client_node),
            rs_status_label((rs_status)status), version);
}

/* ,"msg":M,"msg_kind":"K","from":"F","to":"T","request":R,"status":"S","events":N,
 * "first_event":E,"bytes":B */
static void trace_message_fields(rs_trace *trace, const rs_message *message) {
    assert(message->status < RS_STATUS_COUNT);
    fprintf(trace->out, ",\"msg\":%" PRIu64 ",\"msg_kind\":\"%s\",\"from\":\"%s\",\"to\":\"%s\","
            "\"request\":%" PRIu64 ",\"status\":\"%s\",\"events\":%u,\"first_event\":%" PRIu64
            ",\"bytes\":%u", message->trace_id, rs_message_kind_name(message->kind),
            trace_node(trace, message->from_node), trace_node(trace, message->to_node),
            message->request, rs_status_label(message->status), message->event_count,
            message->event_count > 0 ? message->events[0].id : 0, message->size_bytes);
}

void rs__trace_message(rs_trace *trace, const char *what, rs_message *message) {
    assert(trace != NULL && message != NULL);
    assert(strcmp(what, "send") == 0 || strcmp(what, "deliver") == 0 ||
           strcmp(what, "duplicate") == 0);
    if (what[0] == 's') {
        message->trace_id = ++trace->next_message;
    }
    trace_begin(trace, what);
    trace_message_fields(trace, message);
    fputs("}\n", trace->out);
}

/* Why rs_faults_drop lost a message from `from` to `to` now (see rs_trace_drop). */
static const char *trace_drop_reason(const rs_trace *trace, uint32_t from, uint32_t to) {
    const rs_world *world = trace->world;
    assert(world != NULL);
    if (world->nodes[to].down) {
        return "crash";
    }
    int64_t now_us = rs_world_now_us();
    for (uint32_t f = 0; f < trace->scenario->fault_count; f++) {
        const rs_fault *fault = &trace->scenario->faults[f];
        const int8_t *groups = &world->fault_groups[(size_t)f * world->node_count];
        if (fault->kind == RS_FAULT_PARTITION && fault->start_us <= now_us &&
            now_us < fault->end_us && rs_fault_partition_blocks(fault, groups[from], groups[to])) {
            return "partition";
        }
    }
    return "loss";
}

void rs__trace_drop(rs_trace *trace, const rs_message *message, bool at_send) {
    assert(trace != NULL && message != NULL);
    const char *reason = trace_drop_reason(trace, message->from_node, message->to_node);
    trace_begin(trace, "drop");
    trace_message_fields(trace, message);
    fprintf(trace->out, ",\"reason\":\"%s\",\"at\":\"%s\"}\n", reason,
            at_send ? "send" : "delivery");
}

void rs__trace_append(rs_trace *trace, uint32_t store, const rs_event *event, bool duplicate) {
    assert(trace != NULL && event != NULL);
    assert(store < trace->scenario->store_count);
    trace_begin(trace, "append");
    fprintf(trace->out, ",\"store\":\"%s\"", trace_node(trace, store)); /* stores: nodes 0.. */
    trace_event_fields(trace, event);
    fprintf(trace->out, ",\"checksum\":%u,\"duplicate\":%s}\n", event->checksum,
            duplicate ? "true" : "false");
}

void rs__trace_node(rs_trace *trace, const char *what, uint32_t node, uint64_t events_lost) {
    assert(trace != NULL);
    assert(strcmp(what, "crash") == 0 || strcmp(what, "restart") == 0);
    trace_begin(trace, what);
    fprintf(trace->out, ",\"node\":\"%s\"", trace_node(trace, node));
    if (what[0] == 'c') {
        fprintf(trace->out, ",\"events_lost\":%" PRIu64, events_lost);
    }
    fputs("}\n", trace->out);
}

int rs_trace_close(rs_trace *trace, int64_t end_us, char *error, size_t error_size) {
    if (trace == NULL) {
        return 0;
    }
    assert(error != NULL && error_size > 0);
    trace_boundaries_until(trace, end_us);
    int failed = ferror(trace->out) || fflush(trace->out) != 0;
    int saved = errno;
    if (!failed && fsync(fileno(trace->out)) != 0 && errno != EINVAL && errno != EROFS) {
        failed = 1;
        saved = errno;
    }
    failed |= fclose(trace->out) != 0;
    if (failed) {
        snprintf(error, error_size, "cannot write the trace: %s", strerror(saved));
    }
    trace_free(trace);
    return failed ? -1 : 0;
}
