/* vector_math.h: branch-free exp, log1p and log in double precision, written so that a
 * loop over many arguments vectorises (`#pragma omp simd`) in every ISA clone.
 *
 * libm's exp and log1p are scalar calls with branches: on this project's small problems
 * they cost more than the rest of an epoch together. These versions trade generality for
 * straight-line code: argument reduction with the round-to-nearest "magic number", a
 * Taylor/atanh polynomial evaluated by Horner's rule, and the exponent rebuilt with
 * integer operations on the bit pattern. Accuracy is within 2 ulp over the ranges stated
 * (checked against libm in tests/test_kernels.py through the fused pass). NaN
 * propagates, exp(-inf) is 0 and subnormal results are rounded correctly; no -ffast-math. */
#ifndef FASTREG_VECTOR_MATH_H
#define FASTREG_VECTOR_MATH_H

#include <stdint.h>
#include <math.h>
#include <string.h>

/* Forced inline: a call inside a SIMD loop stops it from vectorising, and the fused
 * pass's large per-width copies exhaust the compiler's own inlining budget. */
#if defined(__GNUC__)
#define FR_MATH_INLINE static inline __attribute__((always_inline))
#else
#define FR_MATH_INLINE static inline
#endif

FR_MATH_INLINE uint64_t fr_bits(double x) {
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

FR_MATH_INLINE double fr_from_bits(uint64_t u) {
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* exp(x) for x <= 709 (the fused passes only pass x <= 0). x = k ln2 + r with
 * |r| <= ln2/2; exp(r) by its Taylor series to degree 13 (truncation < 5e-18); 2^k
 * applied as two factors so that results down in the subnormal range round once. */
FR_MATH_INLINE double fr_exp(double x) {
    const double magic = 0x1.8p52; /* adding it rounds to an integer kept in the low bits */
    const double ln2_hi = 0x1.62e42fefa3800p-1, ln2_lo = 0x1.ef35793c76730p-45;
    x = x < -746.0 ? -746.0 : x; /* NaN fails the comparison and flows through */
    double kd = x * 0x1.71547652b82fep0 + magic;
    double k = kd - magic;
    double r = (x - k * ln2_hi) - k * ln2_lo;
    double p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    /* k = bits(kd) - bits(magic) exactly; unsigned arithmetic keeps NaN's garbage defined */
    int64_t ki = (int64_t)(fr_bits(kd) - fr_bits(magic));
    int64_t k1 = ki / 2, k2 = ki - k1;
    double s1 = fr_from_bits((uint64_t)(k1 + 1023) << 52);
    double s2 = fr_from_bits((uint64_t)(k2 + 1023) << 52);
    return p * s1 * s2;
}

/* log(1 + e) for e in [0, 1]: with s = e / (2 + e) in [0, 1/3],
 * log(1 + e) = 2 atanh(s) = 2 s sum_n s^(2n) / (2n + 1); 17 terms leave < 2e-18. */
FR_MATH_INLINE double fr_log1p_unit(double e) {
    double s = e / (2.0 + e);
    double t = s * s;
    double p = 1.0 / 33.0;
    p = p * t + 1.0 / 31.0;
    p = p * t + 1.0 / 29.0;
    p = p * t + 1.0 / 27.0;
    p = p * t + 1.0 / 25.0;
    p = p * t + 1.0 / 23.0;
    p = p * t + 1.0 / 21.0;
    p = p * t + 1.0 / 19.0;
    p = p * t + 1.0 / 17.0;
    p = p * t + 1.0 / 15.0;
    p = p * t + 1.0 / 13.0;
    p = p * t + 1.0 / 11.0;
    p = p * t + 1.0 / 9.0;
    p = p * t + 1.0 / 7.0;
    p = p * t + 1.0 / 5.0;
    p = p * t + 1.0 / 3.0;
    return 2.0 * s + 2.0 * s * t * p;
}

/* log(x) for normal positive x (the fused passes pass sums of exponentials in [1, K]).
 * x = m 2^k with m in [sqrt(1/2), sqrt(2)); log m = 2 atanh((m - 1)/(m + 1)) with
 * |s| <= 0.172, 12 terms leave < 1e-19; k ln2 added in two parts. */
FR_MATH_INLINE double fr_log(double x) {
    const double ln2_hi = 0x1.62e42fefa3800p-1, ln2_lo = 0x1.ef35793c76730p-45;
    /* Measuring the exponent from sqrt(1/2) instead of 1 puts the mantissa in
     * [sqrt(1/2), sqrt(2)); the top 12 bits of tmp are k as a two's-complement number. */
    uint64_t ix = fr_bits(x);
    uint64_t tmp = ix - 0x3fe6a09e667f3bcdULL;
    int64_t k = (int64_t)(tmp >> 52) - (int64_t)((tmp >> 63) << 12);
    double m = fr_from_bits(ix - (tmp & 0xfff0000000000000ULL));
    double s = (m - 1.0) / (m + 1.0);
    double t = s * s;
    double p = 1.0 / 23.0;
    p = p * t + 1.0 / 21.0;
    p = p * t + 1.0 / 19.0;
    p = p * t + 1.0 / 17.0;
    p = p * t + 1.0 / 15.0;
    p = p * t + 1.0 / 13.0;
    p = p * t + 1.0 / 11.0;
    p = p * t + 1.0 / 9.0;
    p = p * t + 1.0 / 7.0;
    p = p * t + 1.0 / 5.0;
    p = p * t + 1.0 / 3.0;
    double log_m = 2.0 * s + 2.0 * s * t * p;
    /* (double)k exactly, as 1.5 2^52 + k less 1.5 2^52 (|k| < 1100): AVX2 has no vector
     * int64 -> double conversion, and that one cast kept the callers' loops scalar. */
    double kd = fr_from_bits(0x4338000000000000ULL + (uint64_t)k) - 0x1.8p52;
    double result = kd * ln2_hi + (log_m + kd * ln2_lo);
    /* 0 -> -inf, +inf -> +inf, NaN and negatives -> NaN (a select, still vectorises) */
    double special = x == 0.0 ? -INFINITY : (x > 0.0 ? x : NAN);
    return (x > 0.0 && x < INFINITY) ? result : special;
}

#endif /* FASTREG_VECTOR_MATH_H */
