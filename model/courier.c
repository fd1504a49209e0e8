/* courier.c — the `latency` transport: the whole world as one discrete-event loop on
 * SimGrid's clock. One courier actor owns a heap of entries — a message arriving (due at send
 * + route latency + size / narrowest bandwidth) or a node's timer firing — sleeps until the
 * earliest, and runs the receiving node's handlers itself: no SimGrid communication, no node
 * actor, no context switch per message. A crash bumps the node's epoch, which voids its
 * pending timers. O(log entries) per message or timer. */
#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <simgrid/actor.h>
#include <simgrid/engine.h>
#include <simgrid/semaphore.h>

#include "model/world.h"


/* One entry of the courier's heap: a message arriving, or a node's timer firing. */
typedef struct rs_delivery {
    double due_s;             /* simulated time it happens */
    uint64_t sequence;        /* tie-break: order of pushing */
    rs_message *message;      /* a message arriving, or NULL for a timer */
    uint32_t node;            /* timer: the node it belongs to */
    uint32_t epoch;           /* timer: the node's epoch when armed (void after a crash) */
    rs_timer timer;           /* timer: what fires */
} rs_delivery;

typedef struct rs_courier {
    rs_delivery *heap;        /* min-heap on (due_s, sequence) */
    size_t count, capacity;
    uint64_t sequence;        /* next sequence number */
    sg_sem_t semaphore;       /* released when a delivery becomes the earliest */
    bool running;             /* the courier actor runs (before: pushes just fill the heap) */
} rs_courier;

static bool delivery_before(const rs_delivery *a, const rs_delivery *b) {
    return a->due_s < b->due_s || (a->due_s == b->due_s && a->sequence < b->sequence);
}

static void courier_push_entry(rs_courier *courier, rs_delivery delivery);

void rs_courier_push_message(rs_courier *courier, double due_s, rs_message *message) {
    assert(courier != NULL && message != NULL);
    courier_push_entry(courier, (rs_delivery){.due_s = due_s, .message = message});
}

void rs_courier_push_timer(rs_node *node, rs_timer timer) {
    assert(node->world->courier != NULL);
    courier_push_entry(node->world->courier,
                       (rs_delivery){.due_s = (double)timer.due_us / 1e6, .node = node->index,
                                     .epoch = node->epoch, .timer = timer});
}

static void courier_push_entry(rs_courier *courier, rs_delivery delivery) {
    if (courier->count == courier->capacity) {
        courier->capacity = courier->capacity == 0 ? 256 : courier->capacity * 2;
        rs_delivery *heap = realloc(courier->heap, courier->capacity * sizeof *heap);
        if (heap == NULL) {
            fprintf(stderr, "replsim: out of memory (deliveries)\n");
            abort();
        }
        courier->heap = heap;
    }
    delivery.sequence = courier->sequence++;
    size_t index = courier->count++;
    while (index > 0 && delivery_before(&delivery, &courier->heap[(index - 1) / 2])) {
        courier->heap[index] = courier->heap[(index - 1) / 2];
        index = (index - 1) / 2;
    }
    courier->heap[index] = delivery;
    if (index == 0 && courier->running) {
        sg_sem_release(courier->semaphore); /* a new earliest delivery: wake the courier */
    }
}

static rs_delivery courier_pop(rs_courier *courier) {
    assert(courier->count > 0);
    rs_delivery top = courier->heap[0];
    rs_delivery last = courier->heap[--courier->count];
    size_t index = 0;
    for (size_t child = 1; child < courier->count; child = 2 * index + 1) {
        if (child + 1 < courier->count && delivery_before(&courier->heap[child + 1], &courier->heap[child])) {
            child++;
        }
        if (!delivery_before(&courier->heap[child], &last)) {
            break;
        }
        courier->heap[index] = courier->heap[child];
        index = child;
    }
    if (courier->count > 0) {
        courier->heap[index] = last;
    }
    return top;
}

/* The courier: sleeps until the earliest entry, then delivers each due message (the node's
 * handler runs right here: no node actor, no context switch) or fires each due timer whose
 * node has not crashed since it was armed. The whole latency-transport world is this one
 * discrete-event loop on SimGrid's clock. */
static void courier_main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    rs_world *world = sg_actor_self_get_data();
    rs_courier *courier = world->courier;
    assert(courier != NULL);
    sg_actor_daemonize(sg_actor_self());
    courier->running = true;
    for (;;) {
        while (courier->count > 0 && courier->heap[0].due_s <= simgrid_get_clock()) {
            rs_delivery delivery = courier_pop(courier);
            if (delivery.message != NULL) {
                rs_node_receive(&world->nodes[delivery.message->to_node], delivery.message);
                continue;
            }
            rs_node *node = &world->nodes[delivery.node];
            if (!node->down && node->epoch == delivery.epoch) {
                rs_node_dispatch_timer(node, &delivery.timer);
            } else {
                free(delivery.timer.message);
            }
        }
        if (courier->count == 0) {
            sg_sem_acquire(courier->semaphore);
        } else {
            sg_sem_acquire_timeout(courier->semaphore, courier->heap[0].due_s - simgrid_get_clock());
        }
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

void rs_courier_start(rs_world *world, void *host) {
    assert(world != NULL && world->courier != NULL);
    assert(host != NULL);
    world->courier->semaphore = sg_sem_init(0);
    sg_actor_t actor = sg_actor_init("courier", host);
    sg_actor_set_data(actor, world);
    sg_actor_start(actor, courier_main, 0, NULL);
}

void rs_courier_free(rs_courier *courier) {
    if (courier == NULL) {
        return;
    }
    while (courier->count > 0) {
        rs_delivery delivery = courier_pop(courier);
        free(delivery.message);
        free(delivery.timer.message);
    }
    if (courier->semaphore != NULL) {
        sg_sem_destroy(courier->semaphore);
    }
    free(courier->heap);
    free(courier);
}
