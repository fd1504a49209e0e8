/* types.c — status labels and the event checksum (FNV-1a over the identity fields, taken
 * field by field so struct padding never enters it). */
#include "strategies/types.h"

#include <assert.h>
#include <stddef.h>

const char *rs_status_label(rs_status status) {
    switch (status) {
    case RS_OK: return "ok";
    case RS_ERR_QUORUM: return "quorum_not_reached";
    case RS_ERR_TIMEOUT: return "timeout";
    case RS_ERR_STORE: return "store_error";
    case RS_ERR_REJECTED: return "rejected";
    case RS_ERR_INPUT: return "bad_input";
    case RS_STATUS_COUNT: break;
    }
    assert(0 && "unknown status");
    return "unknown";
}

static uint32_t fnv1a_u64(uint32_t hash, uint64_t value) {
    for (int i = 0; i < 8; i++) {
        hash ^= (uint32_t)(value & 0xffu);
        hash *= 16777619u;
        value >>= 8;
    }
    return hash;
}

uint32_t rs_event_checksum(const rs_event *event) {
    assert(event != NULL);
    assert(event->id != 0);
    uint32_t hash = 2166136261u;
    hash = fnv1a_u64(hash, event->id);
    hash = fnv1a_u64(hash, event->stream);
    hash = fnv1a_u64(hash, event->version);
    hash = fnv1a_u64(hash, event->type_index);
    hash = fnv1a_u64(hash, event->origin_region);
    hash = fnv1a_u64(hash, event->size_bytes);
    hash = fnv1a_u64(hash, (uint64_t)event->created_us);
    return hash;
}
