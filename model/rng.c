/* rng.c — see rng.h. The generator is xoshiro256** 1.0 exactly as in Blackman & Vigna's
 * reference (prng.di.unimi.it/xoshiro256starstar.c). Seeding hashes (seed, purpose, index)
 * through a chain of splitmix64 steps (Vigna's splitmix64.c), each step a bijection of its
 * 64-bit state, and then takes four consecutive splitmix64 outputs as the xoshiro state: two
 * triples share a stream only if two 64-bit hashes collide. Every function consumes a fixed
 * number of 64-bit draws except rs_rng_below, whose rejection loop repeats with probability
 * below one half per round; all of them are deterministic functions of the state. */
#include "model/rng.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>

#define RNG_SPLITMIX64_GAMMA 0x9e3779b97f4a7c15ULL /* splitmix64's odd increment, 2^64 / phi */
#define RNG_TWO_PI 6.28318530717958647692528676655900577
#define RNG_PURPOSE_MAX 255      /* loose sanity bound: rs_rng_purpose values are small */
#define RNG_BELOW_ROUNDS_MAX 256 /* rejections repeat with p <= 1/2: 256 in a row is a bug */

static uint64_t rng_rotate_left(uint64_t value, unsigned int shift) {
    assert(shift > 0);
    assert(shift < 64);
    return (value << shift) | (value >> (64 - shift));
}

/* One splitmix64 step: advances *state by the golden gamma and returns its mixed image. The
 * mix is a bijection, so distinct states give distinct outputs. */
static uint64_t rng_splitmix64_next(uint64_t *state) {
    assert(state != NULL);
    *state += RNG_SPLITMIX64_GAMMA;
    uint64_t mixed = *state;
    mixed = (mixed ^ (mixed >> 30)) * 0xbf58476d1ce4e5b9ULL;
    mixed = (mixed ^ (mixed >> 27)) * 0x94d049bb133111ebULL;
    return mixed ^ (mixed >> 31);
}

/* The full 128-bit product a * b, from 32-bit halves (portable; no __int128): returns the high
 * 64 bits and stores the low 64 bits in *low. */
static uint64_t rng_multiply_wide(uint64_t a, uint64_t b, uint64_t *low) {
    assert(low != NULL);
    const uint64_t a_low = a & 0xffffffffULL;
    const uint64_t a_high = a >> 32;
    const uint64_t b_low = b & 0xffffffffULL;
    const uint64_t b_high = b >> 32;
    const uint64_t low_low = a_low * b_low;
    const uint64_t low_high = a_low * b_high;
    const uint64_t high_low = a_high * b_low;
    const uint64_t high_high = a_high * b_high;
    /* At most 3 * (2^32 - 1): cannot overflow. */
    const uint64_t middle = (low_low >> 32) + (low_high & 0xffffffffULL) +
                            (high_low & 0xffffffffULL);
    *low = (middle << 32) | (low_low & 0xffffffffULL);
    const uint64_t high = high_high + (low_high >> 32) + (high_low >> 32) + (middle >> 32);
    assert(*low == a * b);
    return high;
}

void rs_rng_seed(rs_rng *rng, uint64_t seed, rs_rng_purpose purpose, uint64_t index) {
    assert(rng != NULL);
    assert((int)purpose >= 1);
    assert((int)purpose <= RNG_PURPOSE_MAX);
    uint64_t mixer = seed;
    uint64_t key = rng_splitmix64_next(&mixer);  /* hash of seed */
    mixer = key ^ (uint64_t)purpose;
    key = rng_splitmix64_next(&mixer);           /* hash of (seed, purpose) */
    mixer = key ^ index;
    key = rng_splitmix64_next(&mixer);           /* hash of (seed, purpose, index) */
    mixer = key;
    for (int word = 0; word < 4; word++) {
        rng->state[word] = rng_splitmix64_next(&mixer);
    }
    /* Four consecutive splitmix64 outputs are images of four distinct states under a
     * bijection, so at most one of them is zero: the state is never all zero. */
    assert((rng->state[0] | rng->state[1]) != 0 || (rng->state[2] | rng->state[3]) != 0);
}

uint64_t rs_rng_next(rs_rng *rng) {
    assert(rng != NULL);
    uint64_t *state = rng->state;
    assert((state[0] | state[1] | state[2] | state[3]) != 0);
    const uint64_t result = rng_rotate_left(state[1] * 5, 7) * 9;
    const uint64_t shifted = state[1] << 17;
    state[2] ^= state[0];
    state[3] ^= state[1];
    state[1] ^= state[2];
    state[0] ^= state[3];
    state[2] ^= shifted;
    state[3] = rng_rotate_left(state[3], 45);
    /* The transition is an invertible linear map: a non-zero state never becomes zero. */
    assert((state[0] | state[1] | state[2] | state[3]) != 0);
    return result;
}

double rs_rng_uniform(rs_rng *rng) {
    assert(rng != NULL);
    /* The top 53 bits, scaled: multiples of 2^-53 in [0, 1 - 2^-53]. One draw. */
    const double uniform = (double)(rs_rng_next(rng) >> 11) * 0x1.0p-53;
    assert(uniform >= 0.0);
    assert(uniform < 1.0);
    return uniform;
}

double rs_rng_uniform_open(rs_rng *rng) {
    assert(rng != NULL);
    /* The top 52 bits plus one half, scaled: odd multiples of 2^-53 in [2^-53, 1 - 2^-53],
     * every one exactly representable (the 53-bit form would round 1 - 2^-54 up to 1). One
     * draw. */
    const double uniform = ((double)(rs_rng_next(rng) >> 12) + 0.5) * 0x1.0p-52;
    assert(uniform > 0.0);
    assert(uniform < 1.0);
    return uniform;
}

uint64_t rs_rng_below(rs_rng *rng, uint64_t bound) {
    assert(rng != NULL);
    assert(bound > 0);
    /* Lemire, "Fast random integer generation in an interval" (2019): the high word of
     * draw * bound, rejecting the 2^64 mod bound low words that would bias it. The modulo
     * runs only when the low word falls below bound, so most calls never divide. */
    uint64_t low = 0;
    uint64_t high = rng_multiply_wide(rs_rng_next(rng), bound, &low);
    if (low < bound) {
        const uint64_t threshold = (0 - bound) % bound; /* 2^64 mod bound, < bound */
        int rounds = 0;
        while (low < threshold) {
            rounds++;
            assert(rounds < RNG_BELOW_ROUNDS_MAX);
            high = rng_multiply_wide(rs_rng_next(rng), bound, &low);
        }
    }
    assert(high < bound);
    return high;
}

double rs_rng_exponential(rs_rng *rng, double mean) {
    assert(rng != NULL);
    assert(mean > 0.0);
    assert(isfinite(mean));
    /* Inversion; uniform_open keeps log() finite and the result in (0, 37 * mean]. One draw. */
    const double sample = -mean * log(rs_rng_uniform_open(rng));
    assert(sample > 0.0);
    assert(isfinite(sample));
    return sample;
}

double rs_rng_normal(rs_rng *rng) {
    assert(rng != NULL);
    /* Box-Muller, cosine branch only: exactly two draws per call and no cached second value,
     * so the number of draws never depends on call history. |result| <= sqrt(2 * 53 ln 2),
     * about 8.57, because u1 >= 2^-53. */
    const double u1 = rs_rng_uniform_open(rng);
    const double u2 = rs_rng_uniform(rng);
    const double radius = sqrt(-2.0 * log(u1));
    const double normal = radius * cos(RNG_TWO_PI * u2);
    assert(isfinite(normal));
    assert(fabs(normal) < 8.6);
    return normal;
}
