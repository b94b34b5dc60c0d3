/* scalar.c: numerically stable scalar functions (sigmoid, log(1 + exp)) and the array
 * functions behind fastreg.sigmoid, fastreg.log_sum_exp and fastreg.softmax.
 *
 * Every formula branches on the sign of its argument so that exp only ever sees
 * non-positive inputs: nothing overflows, and sigmoid(-1000) is exactly 0. float32
 * versions evaluate in double and round once, which keeps them within 1 ulp. */
#include <math.h>

#include "fastreg.h"
#include "stable_math.h"

double fr_sigmoid_f64(double z) { return fr_stable_sigmoid(z); }
float fr_sigmoid_f32(float z) { return (float)fr_stable_sigmoid((double)z); }
double fr_log1pexp_f64(double z) { return fr_stable_log1pexp(z); }
float fr_log1pexp_f32(float z) { return (float)fr_stable_log1pexp((double)z); }

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
