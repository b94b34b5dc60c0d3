/* losses.c: the rows of the loss table (see losses.h for the per-block math). */
#include <math.h>
#include <stddef.h>

#include "losses.h"

/* |dl/dz| for the squared loss is the residual, whose RMS is sqrt(2 mean loss). */
static double squared_slope(double mean_loss) { return sqrt(2.0 * fabs(mean_loss)); }
/* |sigmoid(z) - y| <= 1. */
static double logistic_slope(double mean_loss) {
    (void)mean_loss;
    return 1.0;
}
/* sum_k |softmax_k - [k == y]| <= 2. */
static double multinomial_slope(double mean_loss) {
    (void)mean_loss;
    return 2.0;
}

/* Curvatures: the squared loss has l'' = 1, the logistic loss l'' = sigmoid (1 - sigmoid)
 * <= 1/4, and the multinomial loss has Hessian diag(p) - p p^T, largest eigenvalue <= 1/2. */
static const fr_loss_entry loss_table[FR_LOSS_COUNT] = {
    [FR_LOSS_SQUARED] = {{"squared", 0, 1.0, 0, 0}, squared_slope},
    [FR_LOSS_LOGISTIC] = {{"logistic", 0, 0.25, 0, 1}, logistic_slope},
    [FR_LOSS_MULTINOMIAL] = {{"multinomial", 1, 0.5, 1, 0}, multinomial_slope},
};

const fr_loss_entry *fr_loss_lookup(int loss) {
    if (loss < 0 || loss >= FR_LOSS_COUNT || loss_table[loss].info.name == NULL) return NULL;
    return &loss_table[loss];
}

int fr_loss_describe(int loss, fr_loss_info *info) {
    const fr_loss_entry *entry = fr_loss_lookup(loss);
    if (entry == NULL) return 0;
    if (info != NULL) *info = entry->info;
    return 1;
}
