/* dist.h — latency distributions: constant, uniform, normal, lognormal, exponential, Pareto
 * and weighted mixtures of them, sampled from a seeded rs_rng stream. Used for the per-message
 * extra latency of links (and later for service times). Parameters are in milliseconds;
 * samples are in milliseconds, never negative. */
#ifndef RS_DIST_H
#define RS_DIST_H

#include <stdint.h>

#include "model/rng.h"
#include "strategies/limits.h"

typedef enum rs_dist_kind {
    RS_DIST_NONE = 0,     /* no extra latency (always 0) */
    RS_DIST_CONSTANT,     /* p1 = value_ms */
    RS_DIST_UNIFORM,      /* p1 = min_ms, p2 = max_ms */
    RS_DIST_NORMAL,       /* p1 = mean_ms, p2 = stddev_ms; negative draws clamp to 0 */
    RS_DIST_LOGNORMAL,    /* p1 = median_ms (e^mu), p2 = sigma (of ln x) */
    RS_DIST_EXPONENTIAL,  /* p1 = mean_ms */
    RS_DIST_PARETO,       /* p1 = scale_ms (x_m), p2 = shape (alpha) */
    RS_DIST_MIXTURE       /* components[] with weights[] (weights sum to 1 after loading) */
} rs_dist_kind;

typedef struct rs_dist_leaf {
    rs_dist_kind kind;    /* never RS_DIST_MIXTURE */
    double p1;            /* first parameter, see rs_dist_kind */
    double p2;            /* second parameter, see rs_dist_kind */
} rs_dist_leaf;

typedef struct rs_dist {
    rs_dist_kind kind;                                   /* kind; MIXTURE uses the arrays */
    double p1;                                           /* as rs_dist_leaf */
    double p2;                                           /* as rs_dist_leaf */
    uint32_t component_count;                            /* MIXTURE: 1..RS_DIST_COMPONENTS_MAX */
    double weights[RS_DIST_COMPONENTS_MAX];              /* MIXTURE: normalised to sum 1 */
    rs_dist_leaf components[RS_DIST_COMPONENTS_MAX];     /* MIXTURE: the parts */
} rs_dist;

/* One sample in milliseconds, >= 0. Consumes a fixed number of draws per leaf kind (a mixture
 * draws one extra uniform to pick its component), so runs replay exactly. */
double rs_dist_sample_ms(const rs_dist *dist, rs_rng *rng);

/* Analytic mean in ms (infinite for Pareto with shape <= 1; the normal's clamp at 0 ignored). */
double rs_dist_mean_ms(const rs_dist *dist);

/* Analytic quantile q in (0,1) of a leaf (not a mixture), ms. */
double rs_dist_leaf_quantile_ms(const rs_dist_leaf *leaf, double q);

/* Name as written in scenarios ("constant", "uniform", ...), and back (-1 when unknown). */
const char *rs_dist_kind_name(rs_dist_kind kind);
int rs_dist_kind_from_name(const char *name);

#endif
