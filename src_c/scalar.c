/* scalar.c: the array functions behind fastreg.sigmoid, fastreg.log_sum_exp and
 * fastreg.softmax.
 *
 * Every formula branches on the sign of its argument so that exp only ever sees
 * non-positive inputs: nothing overflows, and sigmoid(-1000) is exactly 0. float32
 * versions evaluate in double and round once, which keeps them within 1 ulp. */
#include <math.h>

#include "fastreg.h"

/* With e = exp(-|z|) in (0, 1], which never overflows, sigmoid(z) = 1 / (1 + e) for
 * z >= 0 and e / (1 + e) for z < 0 (losses.h uses the same identity, vectorised). */
static inline double fr_stable_sigmoid(double z) {
    double e = exp(-fabs(z));
    return z >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
}

#define REAL double
#define SUFFIX(name) name##_f64
#include "scalar_template.h"
#undef REAL
#undef SUFFIX

#define REAL float
#define SUFFIX(name) name##_f32
#include "scalar_template.h"
#undef REAL
#undef SUFFIX
