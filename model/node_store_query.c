/* node_store_query.c — a store's answers to consistency checkers (runtime store_digest and
 * store_read): the digests of its streams, a page at a time, and the events of one stream.
 * Answered from memory at once, without the append service time (a store serves such reads
 * from its index). Events are rebuilt from the history's record of each held id: the store
 * model keeps ids, not payloads.
 *
 * Wire format, private to model/: a query carries one rs_event whose stream (and version, for
 * reads) says what is asked; a digest reply carries one rs_event per stream as a carrier
 * (rs_digest_to_carrier). Cost: O(L log L) per query for a log of L entries (a sort of the
 * matching entries), fine for the periodic checks of a simulated run. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

#include "model/world.h"

rs_event rs_digest_to_carrier(const rs_stream_digest *digest) {
    return (rs_event){.stream = digest->stream, .id = digest->digest, .version = digest->count};
}

rs_stream_digest rs_digest_from_carrier(const rs_event *carrier) {
    return (rs_stream_digest){.stream = carrier->stream, .digest = carrier->id,
                              .count = carrier->version};
}

uint64_t rs_digest_mix(rs_event_id id) {
    uint64_t z = id + 0x9e3779b97f4a7c15ull; /* splitmix64's finaliser */
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

typedef struct query_entry {
    uint64_t key;             /* stream (digest) or version (read) */
    rs_event_id id;           /* the held event */
} query_entry;

static int compare_entries(const void *left, const void *right) {
    const query_entry *a = left, *b = right;
    if (a->key != b->key) {
        return a->key < b->key ? -1 : 1;
    }
    return a->id < b->id ? -1 : a->id > b->id ? 1 : 0;
}

/* The log entries the query is about, sorted by key; *count of them. Aborts without memory. */
static query_entry *query_collect(const rs_node *node, const rs_event *ask, bool read,
                                  size_t *count) {
    size_t log_count = 0;
    const uint32_t *log = rs_store_log(node, &log_count);
    const rs_history *history = node->world->history;
    query_entry *entries = malloc((log_count + 1) * sizeof *entries);
    if (entries == NULL) {
        fprintf(stderr, "replsim: out of memory (store query)\n");
        abort();
    }
    size_t used = 0;
    for (size_t i = 0; i < log_count; i++) {
        rs_event_id id = history->appends[log[i]].event;
        const rs_history_event *event = &history->events[id - 1];
        if (read ? event->stream == ask->stream && event->version >= ask->version
                 : event->stream >= ask->stream) {
            entries[used++] = (query_entry){read ? event->version : event->stream, id};
        }
    }
    qsort(entries, used, sizeof *entries, compare_entries);
    *count = used;
    return entries;
}

static rs_message *query_digest_reply(const rs_node *node, const rs_event *ask) {
    size_t count = 0;
    query_entry *entries = query_collect(node, ask, false, &count);
    rs_stream_digest *digests = malloc(RS_DIGESTS_PER_REPLY * sizeof *digests); /* 24 kB */
    if (digests == NULL) {
        fprintf(stderr, "replsim: out of memory (store query)\n");
        abort();
    }
    uint32_t streams = 0;
    for (size_t i = 0; i < count; i++) {
        if (i == 0 || entries[i].key != entries[i - 1].key) {
            if (streams == RS_DIGESTS_PER_REPLY) {
                break;
            }
            digests[streams++] = (rs_stream_digest){.stream = entries[i].key};
        }
        digests[streams - 1].digest += rs_digest_mix(entries[i].id);
        digests[streams - 1].count++;
    }
    free(entries);
    rs_message *reply = rs_message_new(RS_MSG_DIGEST_REPLY, streams);
    for (uint32_t s = 0; s < streams; s++) {
        reply->events[s] = rs_digest_to_carrier(&digests[s]);
    }
    reply->size_bytes += streams * (uint32_t)(sizeof(rs_stream_id) + 12); /* id, digest, count */
    free(digests);
    return reply;
}

static rs_message *query_read_reply(const rs_node *node, const rs_event *ask) {
    size_t count = 0;
    bool latest = ask->version == RS_READ_LATEST;
    rs_event all_versions = *ask;
    all_versions.version = latest ? 0 : ask->version;
    query_entry *entries = query_collect(node, &all_versions, true, &count);
    size_t first = latest && count > 0 ? count - 1 : 0; /* sorted by version: the last */
    uint32_t events = count - first < RS_EVENTS_PER_APPEND_MAX ? (uint32_t)(count - first)
                                                               : RS_EVENTS_PER_APPEND_MAX;
    rs_message *reply = rs_message_new(RS_MSG_READ_REPLY, events);
    const rs_history *history = node->world->history;
    for (uint32_t i = 0; i < events; i++) {
        const rs_history_event *held = &history->events[entries[first + i].id - 1];
        reply->events[i] = (rs_event){.id = entries[first + i].id, .stream = held->stream,
                                      .version = held->version, .type_index = held->type_index,
                                      .origin_region = held->origin_region,
                                      .size_bytes = held->size_bytes, .checksum = held->checksum,
                                      .created_us = held->created_us,
                                      .compensates = held->compensates};
        reply->size_bytes += held->size_bytes;
    }
    free(entries);
    return reply;
}

void rs_store_on_query(rs_node *node, const rs_message *query) {
    assert(node->kind == RS_NODE_STORE);
    assert(query->kind == RS_MSG_STORE_DIGEST || query->kind == RS_MSG_STORE_READ);
    assert(query->event_count == 1);
    rs_message *reply = query->kind == RS_MSG_STORE_DIGEST
                            ? query_digest_reply(node, &query->events[0])
                            : query_read_reply(node, &query->events[0]);
    reply->request = query->request;
    reply->status = RS_OK;
    rs_net_send(node, query->from_node, reply);
}
