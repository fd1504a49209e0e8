/* courier.c — the `latency` transport: the whole world as one discrete-event loop. One
 * courier actor owns the pending entries — a message arriving (due at send + route latency +
 * size / narrowest bandwidth) or a node's timer firing — and runs the receiving node's
 * handlers itself: no SimGrid communication, no node actor, no context switch per message.
 *
 * Time: the courier runs ahead of SimGrid's clock. Between two points where another actor
 * acts (the fault actor's next boundary, world->faults_next_us, and the end of the run) no
 * one but the courier can observe the time, so it handles every entry due before the next
 * such point in one go, setting the simulated clock (rs_world_now_s/_us) to each entry's due
 * time — the time it would have slept to — and then blocks on a semaphore that the fault
 * actor releases once it has applied that boundary (SimGrid's clock jumps there meanwhile).
 * Waking SimGrid once per distinct instant cost ~1.7 µs each, about half of a run
 * (docs/performance.md); now it happens once per fault boundary.
 *
 * Queue: entries are ordered on (due time, push order), exactly as one binary heap would
 * order them, but most are pushed with a delay that recurs (a route's one-way delay, a
 * store's service time, a request timeout), and entries pushed with the same delay are due in
 * push order. So each recurring delay gets a lane, a FIFO ring that is sorted by
 * construction (O(1) push and pop); a small heap orders the lanes' heads; entries whose lane
 * is taken by another delay, or would fall out of order, go to a fallback binary heap; the
 * earlier of the lanes' first head and the fallback's root is next. Entries are 24 bytes (due,
 * order, pool slot, lane); payloads sit in a pool with a free list. A crash bumps the node's
 * epoch, which voids its pending timers. */
#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <simgrid/actor.h>
#include <simgrid/engine.h>
#include <simgrid/semaphore.h>

#include "model/platform.h"
#include "model/world.h"

#define COURIER_LANES 64u      /* direct-mapped lanes; a power of two */

/* One pending entry: when, in which order, where its payload is, and which lane holds it. */
typedef struct rs_delivery {
    double due_s;             /* simulated time it happens (seconds) */
    uint64_t sequence;        /* tie-break: order of pushing */
    uint32_t slot;            /* its parcel in the courier's pool */
    uint32_t lane;            /* its lane, or COURIER_LANES in the fallback heap */
} rs_delivery;

/* What an entry carries: a message arriving, or a node's timer. */
typedef struct rs_parcel {
    rs_message *message;      /* a message arriving, or NULL for a timer */
    uint32_t node;            /* timer: the node it belongs to */
    uint32_t epoch;           /* timer: the node's epoch when armed (void after a crash) */
    rs_timer timer;           /* timer: what fires */
} rs_parcel;

/* Entries pushed with one delay, hence already in (due, sequence) order: a ring. */
typedef struct courier_lane {
    rs_delivery *ring;        /* entries, the earliest at `head` */
    uint32_t head;            /* index of the earliest entry */
    uint32_t count;           /* entries in the ring */
    uint32_t capacity;        /* ring size, a power of two (0 before the first push) */
    uint64_t key;             /* the delay it carries; meaningful while count > 0 */
} courier_lane;

/* One region pair's route, for the one-way delay of a message (rs_platform_one_way_us). */
typedef struct courier_route {
    double latency_us;        /* route latency */
    double bandwidth_mbps;    /* narrowest bandwidth on the route */
} courier_route;

struct rs_courier {
    courier_lane lanes[COURIER_LANES];  /* recurring delays */
    rs_delivery heads[COURIER_LANES];   /* a min-heap of the non-empty lanes' earliest entries */
    uint32_t head_count;      /* non-empty lanes */
    rs_delivery *heap;        /* the fallback: a binary min-heap on (due_s, sequence) */
    uint32_t heap_count;      /* entries in it */
    uint32_t heap_capacity;   /* entries it has room for */
    uint32_t count;           /* entries pending in lanes and fallback together */
    rs_parcel *pool;          /* payloads, indexed by rs_delivery.slot */
    uint32_t *free_slots;     /* stack of unused pool slots */
    uint32_t free_count;      /* slots on that stack */
    uint32_t pool_capacity;   /* parcels the pool has room for */
    uint64_t sequence;        /* next sequence number */
    courier_route *routes;    /* [from region * regions + to region] */
    uint32_t region_count;    /* regions of the scenario */
    sg_sem_t semaphore;       /* the courier blocks on it; released once per wait, by the fault
                               * actor (rs_courier_wake, or a push while it restarts a node) */
    bool waiting;             /* the courier blocks in SimGrid (the next release wakes it) */
};

/* The simulated time the courier is handling (seconds; its µs rounding beside it), or
 * negative while it is not running ahead (then SimGrid's clock is the time). One per
 * process, as SimGrid's engine. */
static double courier_clock_s = -1.0;
static int64_t courier_clock_us = 0;

double rs_world_now_s(void) { return courier_clock_s >= 0 ? courier_clock_s : simgrid_get_clock(); }

int64_t rs_world_now_us(void) {
    return courier_clock_s >= 0 ? courier_clock_us : llround(simgrid_get_clock() * 1e6);
}

static void *courier_realloc(void *old, size_t count, size_t size) {
    void *memory = realloc(old, count * size);
    if (memory == NULL) {
        fprintf(stderr, "replsim: out of memory (courier, %zu x %zu bytes)\n", count, size);
        abort();
    }
    return memory;
}

static bool delivery_before(const rs_delivery *a, const rs_delivery *b) {
    return a->due_s < b->due_s || (a->due_s == b->due_s && a->sequence < b->sequence);
}

/* --- binary min-heaps of deliveries (the lanes' heads, and the fallback) ------------------ */

static void heap_push(rs_delivery *heap, uint32_t *count, rs_delivery delivery) {
    uint32_t index = (*count)++;
    while (index > 0 && delivery_before(&delivery, &heap[(index - 1) / 2])) {
        heap[index] = heap[(index - 1) / 2];
        index = (index - 1) / 2;
    }
    heap[index] = delivery;
}

/* Puts `delivery` in place of the root of a heap of `count` entries and sifts it down. */
static void heap_replace_root(rs_delivery *heap, uint32_t count, rs_delivery delivery) {
    assert(count > 0);
    uint32_t index = 0;
    for (uint32_t child = 1; child < count; child = 2 * index + 1) {
        if (child + 1 < count && delivery_before(&heap[child + 1], &heap[child])) {
            child++;
        }
        if (!delivery_before(&heap[child], &delivery)) {
            break;
        }
        heap[index] = heap[child];
        index = child;
    }
    heap[index] = delivery;
}

/* Removes the root. */
static void heap_pop(rs_delivery *heap, uint32_t *count) {
    assert(*count > 0);
    (*count)--;
    if (*count > 0) {
        heap_replace_root(heap, *count, heap[*count]);
    }
}

/* --- lanes and the whole queue ------------------------------------------------------------ */

static void lane_append(rs_courier *courier, courier_lane *lane, rs_delivery delivery) {
    if (lane->count == lane->capacity) {
        uint32_t capacity = lane->capacity == 0 ? 64 : lane->capacity * 2;
        assert(capacity > lane->capacity);
        rs_delivery *ring = courier_realloc(NULL, capacity, sizeof *ring);
        for (uint32_t i = 0; i < lane->count; i++) {
            ring[i] = lane->ring[(lane->head + i) & (lane->capacity - 1)];
        }
        free(lane->ring);
        lane->ring = ring;
        lane->head = 0;
        lane->capacity = capacity;
    }
    lane->ring[(lane->head + lane->count) & (lane->capacity - 1)] = delivery;
    if (lane->count++ == 0) {
        assert(courier->head_count < COURIER_LANES);
        heap_push(courier->heads, &courier->head_count, delivery);
    }
}

/* Queues a parcel due at `due_s`, pushed with delay `key` (any 64-bit name of the delay: it
 * only chooses the lane). */
static void courier_push_entry(rs_courier *courier, double due_s, uint64_t key, rs_parcel parcel) {
    assert(courier != NULL);
    assert(due_s >= 0);
    if (courier->free_count == 0) {
        uint32_t capacity = courier->pool_capacity == 0 ? 256 : courier->pool_capacity * 2;
        assert(capacity > courier->pool_capacity);
        courier->pool = courier_realloc(courier->pool, capacity, sizeof *courier->pool);
        courier->free_slots = courier_realloc(courier->free_slots, capacity, sizeof(uint32_t));
        for (uint32_t slot = capacity; slot > courier->pool_capacity; slot--) {
            courier->free_slots[courier->free_count++] = slot - 1; /* lowest slots on top */
        }
        courier->pool_capacity = capacity;
    }
    uint32_t slot = courier->free_slots[--courier->free_count];
    courier->pool[slot] = parcel;
    uint32_t index = (uint32_t)((key * 0x9e3779b97f4a7c15u) >> 58) & (COURIER_LANES - 1);
    courier_lane *lane = &courier->lanes[index];
    rs_delivery delivery = {.due_s = due_s, .sequence = courier->sequence++, .slot = slot,
                            .lane = index};
    if (lane->count == 0) {
        lane->key = key;
        lane_append(courier, lane, delivery);
    } else if (lane->key == key &&
               lane->ring[(lane->head + lane->count - 1) & (lane->capacity - 1)].due_s <= due_s) {
        lane_append(courier, lane, delivery); /* due no earlier than the tail: stays sorted */
    } else {
        if (courier->heap_count == courier->heap_capacity) {
            assert(courier->heap_capacity < UINT32_MAX / 2);
            courier->heap_capacity = courier->heap_capacity == 0 ? 256 : courier->heap_capacity * 2;
            courier->heap = courier_realloc(courier->heap, courier->heap_capacity,
                                            sizeof(rs_delivery));
        }
        delivery.lane = COURIER_LANES;
        heap_push(courier->heap, &courier->heap_count, delivery);
    }
    courier->count++;
    if (courier->waiting) {
        courier->waiting = false; /* pushed by another actor: one release wakes the courier */
        sg_sem_release(courier->semaphore);
    }
}

/* The earliest pending entry (the queue must not be empty): the earliest lane head or the
 * fallback's root. */
static const rs_delivery *courier_peek(const rs_courier *courier) {
    assert(courier->count > 0);
    if (courier->heap_count == 0) {
        return &courier->heads[0];
    }
    if (courier->head_count == 0 || delivery_before(&courier->heap[0], &courier->heads[0])) {
        return &courier->heap[0];
    }
    return &courier->heads[0];
}

/* Removes the earliest entry; returns its parcel (copied out: its slot is free again). */
static rs_parcel courier_pop(rs_courier *courier) {
    const rs_delivery *earliest = courier_peek(courier);
    uint32_t slot = earliest->slot;
    if (earliest->lane == COURIER_LANES) {
        heap_pop(courier->heap, &courier->heap_count);
    } else {
        courier_lane *lane = &courier->lanes[earliest->lane];
        assert(lane->count > 0 && lane->ring[lane->head].slot == slot);
        lane->head = (lane->head + 1) & (lane->capacity - 1);
        if (--lane->count > 0) {
            heap_replace_root(courier->heads, courier->head_count, lane->ring[lane->head]);
        } else {
            heap_pop(courier->heads, &courier->head_count);
        }
    }
    courier->count--;
    assert(courier->free_count < courier->pool_capacity);
    courier->free_slots[courier->free_count++] = slot;
    return courier->pool[slot];
}

/* --- the transport's entry points --------------------------------------------------------- */

void rs_courier_push_message(rs_world *world, uint32_t from_region, rs_message *message) {
    rs_courier *courier = world->courier;
    assert(courier != NULL && message != NULL);
    uint32_t to_region = world->nodes[message->to_node].region;
    assert(from_region < courier->region_count && to_region < courier->region_count);
    const courier_route *route = &courier->routes[from_region * courier->region_count + to_region];
    /* the same arithmetic as rs_platform_one_way_us, hence the same doubles */
    double delay_us = route->latency_us + (double)message->size_bytes * 8.0 / route->bandwidth_mbps;
    uint64_t key;
    memcpy(&key, &delay_us, sizeof key);
    courier_push_entry(courier, rs_world_now_s() + delay_us / 1e6, key,
                       (rs_parcel){.message = message});
}

void rs_courier_push_timer(rs_node *node, rs_timer timer) {
    assert(node->world->courier != NULL);
    assert(timer.due_us >= 0);
    uint64_t key = (uint64_t)(timer.due_us - rs_world_now_us()) | (UINT64_C(1) << 63);
    courier_push_entry(node->world->courier, (double)timer.due_us / 1e6, key,
                       (rs_parcel){.node = node->index, .epoch = node->epoch, .timer = timer});
}

/* Handles the earliest entry at its due time: delivers the message (the node's handler runs
 * right here) or fires the timer, unless its node crashed since it was armed. */
static void courier_deliver(rs_world *world, rs_courier *courier) {
    courier_clock_s = courier_peek(courier)->due_s;
    rs_parcel parcel = courier_pop(courier);
    if (parcel.message != NULL) {
        courier_clock_us = llround(courier_clock_s * 1e6);
        rs_node_receive(&world->nodes[parcel.message->to_node], parcel.message);
        return;
    }
    /* = llround(due_s * 1e6): due_us / 1e6 * 1e6 is due_us within a few ulps (~1e-5 µs
     * after a day), far from half a µs; spares an llround per timer */
    courier_clock_us = parcel.timer.due_us;
    rs_node *node = &world->nodes[parcel.node];
    if (!node->down && node->epoch == parcel.epoch) {
        rs_node_dispatch_timer(node, &parcel.timer);
    } else {
        free(parcel.timer.message);
    }
}

/* The courier: runs through everything due before the fault actor's next boundary and the
 * end of the run, then blocks until the fault actor has applied that boundary and wakes it.
 * An entry due at a boundary's instant runs after it: at one instant, faults first. */
static void courier_main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    rs_world *world = sg_actor_self_get_data();
    rs_courier *courier = world->courier;
    assert(courier != NULL);
    sg_actor_daemonize(sg_actor_self());
    for (;;) {
        /* fixed while the courier runs (only the fault actor moves the boundary). Entries due
         * before the fault actor's next boundary run now; the boundary's own instant waits for
         * it; the end is exclusive: the run covers [0, end), and an entry due at the end never
         * runs (before the courier ran ahead, the end instant was SimGrid's race between the
         * controller and the courier, which lost it after its first wake-up call there) */
        int64_t horizon_us = world->faults_next_us < world->end_us ? world->faults_next_us
                                                                   : world->end_us;
        double horizon_s = (double)horizon_us / 1e6;
        while (courier->count > 0 && courier_peek(courier)->due_s < horizon_s) {
            courier_deliver(world, courier);
        }
        courier_clock_s = -1.0; /* back on SimGrid's clock while sleeping */
        courier->waiting = true;
        /* nothing left before the boundary or the end: SimGrid's clock moves on to the fault
         * actor's next action, which wakes the courier once applied, or the run ends */
        assert(courier->count == 0 || courier_peek(courier)->due_s >= horizon_s);
        sg_sem_acquire(courier->semaphore);
        courier->waiting = false;
    }
}

void rs_courier_wake(rs_world *world) {
    rs_courier *courier = world->courier;
    if (courier != NULL && courier->waiting) {
        courier->waiting = false;
        sg_sem_release(courier->semaphore);
    }
}

rs_courier *rs_courier_new(void) {
    rs_courier *courier = calloc(1, sizeof *courier);
    if (courier == NULL) {
        fprintf(stderr, "replsim: out of memory (courier)\n");
        abort();
    }
    return courier;
}

/* Each region pair's route latency and narrowest bandwidth, as rs_platform_one_way_us. */
static void courier_routes(rs_courier *courier, const rs_scenario *scenario) {
    uint32_t regions = scenario->region_count;
    assert(regions > 0 && regions <= RS_REGIONS_MAX);
    courier->routes = courier_realloc(NULL, (size_t)regions * regions, sizeof *courier->routes);
    courier->region_count = regions;
    for (uint32_t from = 0; from < regions; from++) {
        for (uint32_t to = 0; to < regions; to++) {
            double latency_ms = scenario->intra_latency_ms;
            double bandwidth_mbps = scenario->intra_bandwidth_mbps;
            if (from != to) {
                const rs_link_spec *link = rs_scenario_link(scenario, from, to);
                assert(link != NULL);
                latency_ms += link->latency_ms;
                bandwidth_mbps = fmin(bandwidth_mbps, link->bandwidth_mbps);
            }
            courier->routes[from * regions + to] = (courier_route){
                .latency_us = latency_ms * 1000.0, .bandwidth_mbps = bandwidth_mbps};
            assert(rs_platform_one_way_us(scenario, from, to, 576) ==
                   latency_ms * 1000.0 + 576.0 * 8.0 / bandwidth_mbps);
        }
    }
}

void rs_courier_start(rs_world *world, void *host) {
    assert(world != NULL && world->courier != NULL);
    assert(host != NULL);
    courier_routes(world->courier, world->scenario);
    world->courier->semaphore = sg_sem_init(0);
    sg_actor_t actor = sg_actor_init("courier", host);
    sg_actor_set_data(actor, world);
    sg_actor_start(actor, courier_main, 0, NULL);
}

void rs_courier_free(rs_courier *courier) {
    courier_clock_s = -1.0;
    if (courier == NULL) {
        return;
    }
    while (courier->count > 0) {
        rs_parcel parcel = courier_pop(courier);
        free(parcel.message);
        free(parcel.timer.message);
    }
    if (courier->semaphore != NULL) {
        sg_sem_destroy(courier->semaphore);
    }
    for (uint32_t lane = 0; lane < COURIER_LANES; lane++) {
        free(courier->lanes[lane].ring);
    }
    free(courier->heap);
    free(courier->pool);
    free(courier->free_slots);
    free(courier->routes);
    free(courier);
}
