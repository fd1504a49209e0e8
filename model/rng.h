/* rng.h — the one seeded PRNG of a run: xoshiro256** seeded through splitmix64, split into
 * independent streams per purpose and node, so adding a consumer (a nemesis, a new node)
 * never changes the draws of another. No global state; never reads the clock. */
#ifndef RS_RNG_H
#define RS_RNG_H

#include <stdint.h>

typedef struct rs_rng {
    uint64_t state[4];    /* xoshiro256** state; never all zero */
} rs_rng;

/* What a stream is for; with a node index it names one independent stream. */
typedef enum rs_rng_purpose {
    RS_RNG_WORKLOAD = 1,  /* client arrivals, stream and type choice */
    RS_RNG_NETWORK = 2,   /* per-message extra latency, loss */
    RS_RNG_STRATEGY = 3,  /* the runtime's random_u64 for a manager's strategy */
    RS_RNG_FAULTS = 4,    /* scheduled faults' random parts */
    RS_RNG_NEMESIS = 5,   /* the random nemesis */
    RS_RNG_STORE = 6,     /* store service-time jitter */
    RS_RNG_READS = 7      /* client reads: arrivals and streams (writes' draws unchanged) */
} rs_rng_purpose;

/* Seeds `rng` for (seed, purpose, index): the same triple always gives the same stream, and
 * distinct triples give independent ones. */
void rs_rng_seed(rs_rng *rng, uint64_t seed, rs_rng_purpose purpose, uint64_t index);

uint64_t rs_rng_next(rs_rng *rng);                  /* 64 uniform bits */
double rs_rng_uniform(rs_rng *rng);                 /* [0, 1), 53-bit resolution */
double rs_rng_uniform_open(rs_rng *rng);            /* (0, 1): safe for log() */
uint64_t rs_rng_below(rs_rng *rng, uint64_t bound); /* uniform in [0, bound), unbiased; bound > 0 */
double rs_rng_exponential(rs_rng *rng, double mean);/* mean > 0 */
double rs_rng_normal(rs_rng *rng);                  /* standard normal, two uniforms per call */

#endif
