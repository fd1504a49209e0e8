/* dist.c — see dist.h. Sampling by inversion or Box-Muller on an rs_rng stream, with a fixed
 * number of draws per leaf kind: none and constant consume no draw, uniform, exponential and
 * Pareto one, normal and lognormal two (one rs_rng_normal), and a mixture one uniform to pick
 * its component plus that component's draws. Means and quantiles are closed forms; the normal
 * quantile uses Acklam's rational approximation (relative error below 1.15e-9) polished by one
 * Halley step on erfc, which brings it to about machine precision. Parameters are checked by
 * assertions: the scenario loader is the place that rejects bad input with a message. */
#include "model/dist.h"

#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define DIST_WEIGHT_SUM_TOLERANCE 1e-9 /* loaded mixture weights sum to 1 within rounding */
#define DIST_SQRT_TWO 1.41421356237309504880168872420969808
#define DIST_SQRT_TWO_PI 2.50662827463100050241576528481104525
#define DIST_ACKLAM_TAIL 0.02425       /* below it, Acklam's tail approximation applies */

static const char *const dist_kind_names[] = {
    [RS_DIST_NONE] = "none",
    [RS_DIST_CONSTANT] = "constant",
    [RS_DIST_UNIFORM] = "uniform",
    [RS_DIST_NORMAL] = "normal",
    [RS_DIST_LOGNORMAL] = "lognormal",
    [RS_DIST_EXPONENTIAL] = "exponential",
    [RS_DIST_PARETO] = "pareto",
    [RS_DIST_MIXTURE] = "mixture",
};

#define DIST_KIND_COUNT (sizeof dist_kind_names / sizeof dist_kind_names[0])

/* Asserts that a leaf's parameters make sense for its kind (see rs_dist_kind). */
static void dist_leaf_check(const rs_dist_leaf *leaf) {
    assert(leaf != NULL);
    assert(isfinite(leaf->p1));
    assert(isfinite(leaf->p2));
    switch (leaf->kind) {
    case RS_DIST_NONE:
        return;
    case RS_DIST_CONSTANT:
        assert(leaf->p1 >= 0.0);
        return;
    case RS_DIST_UNIFORM:
        assert(leaf->p1 >= 0.0);
        assert(leaf->p1 <= leaf->p2);
        return;
    case RS_DIST_NORMAL:
        assert(leaf->p2 >= 0.0); /* any finite mean: negative draws clamp to 0 */
        return;
    case RS_DIST_LOGNORMAL:
        assert(leaf->p1 > 0.0);
        assert(leaf->p2 >= 0.0);
        return;
    case RS_DIST_EXPONENTIAL:
        assert(leaf->p1 > 0.0);
        return;
    case RS_DIST_PARETO:
        assert(leaf->p1 > 0.0);
        assert(leaf->p2 > 0.0);
        return;
    case RS_DIST_MIXTURE:
        break;
    }
    assert(false && "a leaf is one of the non-mixture kinds");
}

/* Asserts that a mixture has 1..RS_DIST_COMPONENTS_MAX valid leaves whose non-negative weights
 * sum to 1. */
static void dist_mixture_check(const rs_dist *dist) {
    assert(dist != NULL);
    assert(dist->kind == RS_DIST_MIXTURE);
    assert(dist->component_count >= 1);
    assert(dist->component_count <= RS_DIST_COMPONENTS_MAX);
    double weight_sum = 0.0;
    for (uint32_t i = 0; i < dist->component_count; i++) {
        assert(dist->weights[i] >= 0.0);
        assert(dist->weights[i] <= 1.0 + DIST_WEIGHT_SUM_TOLERANCE);
        dist_leaf_check(&dist->components[i]);
        weight_sum += dist->weights[i];
    }
    assert(fabs(weight_sum - 1.0) <= DIST_WEIGHT_SUM_TOLERANCE);
    (void)weight_sum; /* only read by the assertion */
}

/* The component a uniform u in [0, 1) selects: the first whose cumulative weight exceeds u.
 * Zero-weight components are never chosen; when rounding leaves the total a hair below u, the
 * last weighted component is. O(component_count), at most RS_DIST_COMPONENTS_MAX. */
static uint32_t dist_mixture_pick(const rs_dist *dist, double u) {
    assert(u >= 0.0);
    assert(u < 1.0);
    double cumulative = 0.0;
    uint32_t last_weighted = dist->component_count;
    for (uint32_t i = 0; i < dist->component_count; i++) {
        if (dist->weights[i] <= 0.0) {
            continue;
        }
        cumulative += dist->weights[i];
        last_weighted = i;
        if (u < cumulative) {
            return i;
        }
    }
    assert(last_weighted < dist->component_count);
    return last_weighted;
}

static double dist_leaf_sample_ms(const rs_dist_leaf *leaf, rs_rng *rng) {
    dist_leaf_check(leaf);
    assert(rng != NULL);
    double sample_ms = 0.0;
    switch (leaf->kind) {
    case RS_DIST_NONE: /* no draw */
        sample_ms = 0.0;
        break;
    case RS_DIST_CONSTANT: /* no draw */
        sample_ms = leaf->p1;
        break;
    case RS_DIST_UNIFORM: /* one draw */
        sample_ms = leaf->p1 + (leaf->p2 - leaf->p1) * rs_rng_uniform(rng);
        break;
    case RS_DIST_NORMAL: { /* two draws; the comparison also turns -0.0 into +0.0 */
        const double unclamped_ms = leaf->p1 + leaf->p2 * rs_rng_normal(rng);
        sample_ms = unclamped_ms > 0.0 ? unclamped_ms : 0.0;
        break;
    }
    case RS_DIST_LOGNORMAL: /* two draws */
        sample_ms = leaf->p1 * exp(leaf->p2 * rs_rng_normal(rng));
        break;
    case RS_DIST_EXPONENTIAL: /* one draw */
        sample_ms = rs_rng_exponential(rng, leaf->p1);
        break;
    case RS_DIST_PARETO: /* one draw; +INFINITY possible only for shape below about 0.052 */
        sample_ms = leaf->p1 / pow(rs_rng_uniform_open(rng), 1.0 / leaf->p2);
        break;
    case RS_DIST_MIXTURE:
        assert(false && "a leaf is never a mixture");
        break;
    }
    assert(sample_ms >= 0.0); /* also false for NaN */
    return sample_ms;
}

double rs_dist_sample_ms(const rs_dist *dist, rs_rng *rng) {
    assert(dist != NULL);
    assert(rng != NULL);
    if (dist->kind != RS_DIST_MIXTURE) {
        const rs_dist_leaf leaf = {.kind = dist->kind, .p1 = dist->p1, .p2 = dist->p2};
        return dist_leaf_sample_ms(&leaf, rng);
    }
    dist_mixture_check(dist);
    const uint32_t component = dist_mixture_pick(dist, rs_rng_uniform(rng));
    assert(component < dist->component_count);
    assert(dist->weights[component] > 0.0);
    return dist_leaf_sample_ms(&dist->components[component], rng);
}

static double dist_leaf_mean_ms(const rs_dist_leaf *leaf) {
    dist_leaf_check(leaf);
    switch (leaf->kind) {
    case RS_DIST_NONE:
        return 0.0;
    case RS_DIST_CONSTANT:
    case RS_DIST_NORMAL:      /* mean of the unclamped normal, as documented */
    case RS_DIST_EXPONENTIAL:
        return leaf->p1;
    case RS_DIST_UNIFORM:
        return 0.5 * (leaf->p1 + leaf->p2);
    case RS_DIST_LOGNORMAL:   /* e^(mu + sigma^2 / 2) with e^mu = median */
        return leaf->p1 * exp(0.5 * leaf->p2 * leaf->p2);
    case RS_DIST_PARETO:      /* alpha x_m / (alpha - 1), infinite for alpha <= 1 */
        return leaf->p2 <= 1.0 ? INFINITY : leaf->p2 * leaf->p1 / (leaf->p2 - 1.0);
    case RS_DIST_MIXTURE:
        break;
    }
    assert(false && "a leaf is never a mixture");
    return NAN;
}

double rs_dist_mean_ms(const rs_dist *dist) {
    assert(dist != NULL);
    if (dist->kind != RS_DIST_MIXTURE) {
        const rs_dist_leaf leaf = {.kind = dist->kind, .p1 = dist->p1, .p2 = dist->p2};
        return dist_leaf_mean_ms(&leaf);
    }
    dist_mixture_check(dist);
    double mean_ms = 0.0;
    for (uint32_t i = 0; i < dist->component_count; i++) {
        if (dist->weights[i] > 0.0) { /* skipped: 0 * INFINITY would be NaN */
            mean_ms += dist->weights[i] * dist_leaf_mean_ms(&dist->components[i]);
        }
    }
    assert(!isnan(mean_ms));
    return mean_ms;
}

/* Acklam's approximation of the standard normal quantile for p in (0, 0.5]: the tail form
 * below DIST_ACKLAM_TAIL, the central form above. Relative error below 1.15e-9. */
static double dist_normal_quantile_acklam(double p) {
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                               -2.759285104469687e+02, 1.383577518672690e+02,
                               -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                               -1.556989798598866e+02, 6.680131188771972e+01,
                               -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00, 2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                               2.445134137142996e+00, 3.754408661907416e+00};
    assert(p > 0.0);
    assert(p <= 0.5);
    if (p < DIST_ACKLAM_TAIL) {
        const double q = sqrt(-2.0 * log(p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    }
    const double q = p - 0.5;
    const double r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
           (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
}

/* Standard normal quantile for p in (0, 1). The upper half uses symmetry on 1 - p, which is
 * exact for p >= 0.5 (Sterbenz), so both tails are refined where erfc is accurate. */
static double dist_normal_quantile(double p) {
    assert(p > 0.0);
    assert(p < 1.0);
    if (p > 0.5) {
        return -dist_normal_quantile(1.0 - p);
    }
    double x = dist_normal_quantile_acklam(p);
    /* One Halley step on F(x) = Phi(x) - p, as Acklam suggests. */
    const double error = 0.5 * erfc(-x / DIST_SQRT_TWO) - p;
    const double step = error * DIST_SQRT_TWO_PI * exp(0.5 * x * x);
    x = x - step / (1.0 + 0.5 * x * step);
    assert(isfinite(x));
    assert(x <= 0.0);
    return x;
}

double rs_dist_leaf_quantile_ms(const rs_dist_leaf *leaf, double q) {
    dist_leaf_check(leaf);
    assert(q > 0.0);
    assert(q < 1.0);
    double quantile_ms = 0.0;
    switch (leaf->kind) {
    case RS_DIST_NONE:
        quantile_ms = 0.0;
        break;
    case RS_DIST_CONSTANT:
        quantile_ms = leaf->p1;
        break;
    case RS_DIST_UNIFORM:
        quantile_ms = leaf->p1 + q * (leaf->p2 - leaf->p1);
        break;
    case RS_DIST_NORMAL: { /* of the clamped samples: clamping is monotone */
        const double unclamped_ms = leaf->p1 + leaf->p2 * dist_normal_quantile(q);
        quantile_ms = unclamped_ms > 0.0 ? unclamped_ms : 0.0;
        break;
    }
    case RS_DIST_LOGNORMAL:
        quantile_ms = leaf->p1 * exp(leaf->p2 * dist_normal_quantile(q));
        break;
    case RS_DIST_EXPONENTIAL:
        quantile_ms = -leaf->p1 * log1p(-q);
        break;
    case RS_DIST_PARETO:
        quantile_ms = leaf->p1 * pow(1.0 - q, -1.0 / leaf->p2);
        break;
    case RS_DIST_MIXTURE:
        assert(false && "quantiles are for leaves only");
        break;
    }
    assert(quantile_ms >= 0.0); /* also false for NaN */
    return quantile_ms;
}

const char *rs_dist_kind_name(rs_dist_kind kind) {
    assert((int)kind >= 0);
    assert((size_t)kind < DIST_KIND_COUNT);
    if ((size_t)kind >= DIST_KIND_COUNT) {
        return "unknown"; /* only reachable with assertions compiled out */
    }
    assert(dist_kind_names[kind] != NULL);
    return dist_kind_names[kind];
}

int rs_dist_kind_from_name(const char *name) {
    assert(name != NULL);
    for (size_t kind = 0; kind < DIST_KIND_COUNT; kind++) {
        assert(dist_kind_names[kind] != NULL);
        if (strcmp(name, dist_kind_names[kind]) == 0) {
            return (int)kind;
        }
    }
    return -1; /* unknown names are the caller's to report */
}
