#include "internal.h"
#include <math.h>
#include <string.h>
#include <stdlib.h>
#include <stdatomic.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define IK_X86 1
#define AVX2_FN __attribute__((target("avx2,fma,f16c")))
#endif

// ---- CPU feature selection -----------------------------------------------------------------
static int g_avx2 = -1;
// Per thread, so a test can compare the portable kernels without disturbing concurrent work.
static _Thread_local int g_forced_portable = 0;

int ik_has_avx2(void) {
    if (g_forced_portable) return 0;
    if (g_avx2 < 0) {
#ifdef IK_X86
        __builtin_cpu_init();
        g_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
#else
        g_avx2 = 0;
#endif
    }
    return g_avx2;
}

void ik_force_portable(int on) { g_forced_portable = on; }

static int g_vnni = -1;
static _Thread_local int g_forced_no_vnni = 0;

int ik_has_vnni(void) {
    if (g_forced_portable || g_forced_no_vnni || !ik_has_avx2()) return 0;
    if (g_vnni < 0) {
#ifdef IK_X86
        // __builtin_cpu_supports also requires the OS to save the AVX-512 state (XCR0).
        // FORAGER_NO_AVX512=1 runs as on a CPU without it (Scripts/bench-engine --cpu avx2).
        const char *off = getenv("FORAGER_NO_AVX512");
        g_vnni = !(off && off[0] && strcmp(off, "0") != 0) &&
                 __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
                 __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vnni");
#else
        g_vnni = 0;
#endif
    }
    return g_vnni;
}

void ik_force_no_vnni(int on) { g_forced_no_vnni = on; }

int ik_cpu_level(void) { return ik_has_vnni() ? IK_LEVEL_VNNI : ik_has_avx2() ? IK_LEVEL_AVX2 : IK_LEVEL_PORTABLE; }

// ---- activation quantization (ggml's Q8_0 / Q8_1 rounding) ----------------------------------
#ifdef IK_X86
AVX2_FN static void quantize_q8a_avx2(const float *x, block_q8a *y, int n) {
    const __m256 signbit = _mm256_set1_ps(-0.0f);
    for (int i = 0; i < n / 32; i++, x += 32) {
        __m256 v0 = _mm256_loadu_ps(x), v1 = _mm256_loadu_ps(x + 8), v2 = _mm256_loadu_ps(x + 16), v3 = _mm256_loadu_ps(x + 24);
        __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(signbit, v0), _mm256_andnot_ps(signbit, v1)),
                                 _mm256_max_ps(_mm256_andnot_ps(signbit, v2), _mm256_andnot_ps(signbit, v3)));
        __m128 m4 = _mm_max_ps(_mm256_extractf128_ps(m, 1), _mm256_castps256_ps128(m));
        m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
        m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
        const float amax = _mm_cvtss_f32(m4);
        const float d = amax / 127.0f;
        const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
        const __m256 mul = _mm256_set1_ps(id);
        __m256i i0 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v0, mul), _MM_ROUND_NEAREST));
        __m256i i1 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v1, mul), _MM_ROUND_NEAREST));
        __m256i i2 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v2, mul), _MM_ROUND_NEAREST));
        __m256i i3 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v3, mul), _MM_ROUND_NEAREST));
        __m256i s = _mm256_add_epi32(_mm256_add_epi32(i0, i1), _mm256_add_epi32(i2, i3));
        __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
        s4 = _mm_hadd_epi32(s4, s4); s4 = _mm_hadd_epi32(s4, s4);
        const int sum = _mm_cvtsi128_si32(s4);
        i0 = _mm256_packs_epi32(i0, i1); i2 = _mm256_packs_epi32(i2, i3);
        i0 = _mm256_packs_epi16(i0, i2);
        i0 = _mm256_permutevar8x32_epi32(i0, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256((__m256i *)y[i].qs, i0);
        y[i].d = _cvtsh_ss(_cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT));
        y[i].s = _cvtsh_ss(_cvtss_sh(d * (float)sum, _MM_FROUND_TO_NEAREST_INT));
    }
}
#endif

static void quantize_q8a(const float *x, block_q8a *y, int n) {
#ifdef IK_X86
    if (ik_has_avx2()) { quantize_q8a_avx2(x, y, n); return; }
#endif
    for (int i = 0; i < n / 32; i++, x += 32) {
        float amax = 0;
        for (int j = 0; j < 32; j++) { float a = fabsf(x[j]); if (a > amax) amax = a; }
        const float d = amax / 127.0f;
        const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
        int sum = 0;
        for (int j = 0; j < 32; j++) { int v = (int)nearbyintf(x[j] * id); y[i].qs[j] = (int8_t)v; sum += v; }
        y[i].d = ik_fp16_to_fp32(ik_fp32_to_fp16(d));
        y[i].s = ik_fp16_to_fp32(ik_fp32_to_fp16(d * (float)sum));
    }
}

// ---- dot products: portable ----------------------------------------------------------------
static float dot_q4_0_ref(const void *vx, const block_q8a *y, int nb) {
    const block_q4_0 *x = vx; float s = 0;
    for (int i = 0; i < nb; i++) {
        int si = 0;
        for (int j = 0; j < 16; j++) si += ((x[i].qs[j] & 0xF) - 8) * y[i].qs[j] + ((x[i].qs[j] >> 4) - 8) * y[i].qs[j + 16];
        s += ik_fp16_to_fp32(x[i].d) * y[i].d * (float)si;
    }
    return s;
}
static float dot_q4_1_ref(const void *vx, const block_q8a *y, int nb) {
    const block_q4_1 *x = vx; float s = 0;
    for (int i = 0; i < nb; i++) {
        int si = 0;
        for (int j = 0; j < 16; j++) si += (x[i].qs[j] & 0xF) * y[i].qs[j] + (x[i].qs[j] >> 4) * y[i].qs[j + 16];
        s += ik_fp16_to_fp32(x[i].d) * y[i].d * (float)si + ik_fp16_to_fp32(x[i].m) * y[i].s;
    }
    return s;
}
static float dot_q8_0_ref(const void *vx, const block_q8a *y, int nb) {
    const block_q8_0 *x = vx; float s = 0;
    for (int i = 0; i < nb; i++) {
        int si = 0;
        for (int j = 0; j < 32; j++) si += x[i].qs[j] * y[i].qs[j];
        s += ik_fp16_to_fp32(x[i].d) * y[i].d * (float)si;
    }
    return s;
}
static float dot_f32_ref(const float *a, const float *b, int n) {
    float s = 0; for (int i = 0; i < n; i++) s += a[i] * b[i]; return s;
}
static float dot_f16_f32_ref(const uint16_t *a, const float *b, int n) {
    float s = 0; for (int i = 0; i < n; i++) s += ik_fp16_to_fp32(a[i]) * b[i]; return s;
}
static void axpy_f16_ref(float *y, const uint16_t *x, float a, int n) {
    for (int i = 0; i < n; i++) y[i] += a * ik_fp16_to_fp32(x[i]);
}

// ---- dot products: AVX2 ----------------------------------------------------------------------
#ifdef IK_X86
AVX2_FN static inline float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
AVX2_FN static inline __m256i nibbles32(const uint8_t *qs) {
    __m128i t = _mm_loadu_si128((const __m128i *)qs);
    return _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(t, 4), t), _mm256_set1_epi8(0xF));
}
AVX2_FN static inline __m256 sum_u8s8(__m256i ux, __m256i sy) {
    return _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(ux, sy), _mm256_set1_epi16(1)));
}
AVX2_FN static inline __m256 sum_s8s8(__m256i x, __m256i y) {
    return sum_u8s8(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x));
}
AVX2_FN static float dot_q4_0_avx2(const void *vx, const block_q8a *y, int nb) {
    const block_q4_0 *x = vx; __m256 acc = _mm256_setzero_ps();
    for (int i = 0; i < nb; i++) {
        __m256i qx = _mm256_sub_epi8(nibbles32(x[i].qs), _mm256_set1_epi8(8));
        __m256i qy = _mm256_loadu_si256((const __m256i *)y[i].qs);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(_cvtsh_ss(x[i].d) * y[i].d), sum_s8s8(qx, qy), acc);
    }
    return hsum8(acc);
}
AVX2_FN static float dot_q4_1_avx2(const void *vx, const block_q8a *y, int nb) {
    const block_q4_1 *x = vx; __m256 acc = _mm256_setzero_ps(); float summs = 0;
    for (int i = 0; i < nb; i++) {
        __m256i qy = _mm256_loadu_si256((const __m256i *)y[i].qs);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(_cvtsh_ss(x[i].d) * y[i].d), sum_u8s8(nibbles32(x[i].qs), qy), acc);
        summs += _cvtsh_ss(x[i].m) * y[i].s;
    }
    return hsum8(acc) + summs;
}
AVX2_FN static float dot_q8_0_avx2(const void *vx, const block_q8a *y, int nb) {
    const block_q8_0 *x = vx; __m256 acc = _mm256_setzero_ps();
    for (int i = 0; i < nb; i++) {
        __m256i qx = _mm256_loadu_si256((const __m256i *)x[i].qs);
        __m256i qy = _mm256_loadu_si256((const __m256i *)y[i].qs);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(_cvtsh_ss(x[i].d) * y[i].d), sum_s8s8(qx, qy), acc);
    }
    return hsum8(acc);
}

// Tiles of R weight rows x T activation rows: the weight blocks are unpacked once per T tokens
// and R*T independent accumulators hide the FMA latency; one horizontal sum per output.
#define LOAD_W_Q4_0(r) __m256i w##r = _mm256_sub_epi8(nibbles32(((const block_q4_0 *)(w + (r) * row_bytes))[i].qs), _mm256_set1_epi8(8)); \
    const float dw##r = _cvtsh_ss(((const block_q4_0 *)(w + (r) * row_bytes))[i].d);
#define LOAD_W_Q4_1(r) __m256i w##r = nibbles32(((const block_q4_1 *)(w + (r) * row_bytes))[i].qs); \
    const float dw##r = _cvtsh_ss(((const block_q4_1 *)(w + (r) * row_bytes))[i].d); \
    const float mw##r = _cvtsh_ss(((const block_q4_1 *)(w + (r) * row_bytes))[i].m);
#define LOAD_W_Q8_0(r) __m256i w##r = _mm256_loadu_si256((const __m256i *)((const block_q8_0 *)(w + (r) * row_bytes))[i].qs); \
    const float dw##r = _cvtsh_ss(((const block_q8_0 *)(w + (r) * row_bytes))[i].d);
#define PROD_Q4_0(r, q) sum_s8s8(w##r, q)
#define PROD_Q8_0(r, q) sum_s8s8(w##r, q)
#define PROD_Q4_1(r, q) sum_u8s8(w##r, q)

#define DEFINE_TILE(TYPE, HASMIN)                                                                              \
AVX2_FN static void tile4x2_##TYPE(const uint8_t *w, size_t row_bytes, const block_q8a *y0, const block_q8a *y1, \
                                   int nb, float out[4][2]) {                                                  \
    __m256 a00 = _mm256_setzero_ps(), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00; \
    float m00 = 0, m01 = 0, m10 = 0, m11 = 0, m20 = 0, m21 = 0, m30 = 0, m31 = 0;                              \
    for (int i = 0; i < nb; i++) {                                                                             \
        LOAD_W_##TYPE(0) LOAD_W_##TYPE(1) LOAD_W_##TYPE(2) LOAD_W_##TYPE(3)                                    \
        const __m256i q0 = _mm256_loadu_si256((const __m256i *)y0[i].qs);                                      \
        const __m256i q1 = _mm256_loadu_si256((const __m256i *)y1[i].qs);                                      \
        const float d0 = y0[i].d, d1 = y1[i].d;                                                                \
        a00 = _mm256_fmadd_ps(_mm256_set1_ps(dw0 * d0), PROD_##TYPE(0, q0), a00);                               \
        a01 = _mm256_fmadd_ps(_mm256_set1_ps(dw0 * d1), PROD_##TYPE(0, q1), a01);                               \
        a10 = _mm256_fmadd_ps(_mm256_set1_ps(dw1 * d0), PROD_##TYPE(1, q0), a10);                               \
        a11 = _mm256_fmadd_ps(_mm256_set1_ps(dw1 * d1), PROD_##TYPE(1, q1), a11);                               \
        a20 = _mm256_fmadd_ps(_mm256_set1_ps(dw2 * d0), PROD_##TYPE(2, q0), a20);                               \
        a21 = _mm256_fmadd_ps(_mm256_set1_ps(dw2 * d1), PROD_##TYPE(2, q1), a21);                               \
        a30 = _mm256_fmadd_ps(_mm256_set1_ps(dw3 * d0), PROD_##TYPE(3, q0), a30);                               \
        a31 = _mm256_fmadd_ps(_mm256_set1_ps(dw3 * d1), PROD_##TYPE(3, q1), a31);                               \
        HASMIN(const float s0 = y0[i].s; const float s1 = y1[i].s;                                             \
               m00 += mw0 * s0; m01 += mw0 * s1; m10 += mw1 * s0; m11 += mw1 * s1;                             \
               m20 += mw2 * s0; m21 += mw2 * s1; m30 += mw3 * s0; m31 += mw3 * s1;)                            \
    }                                                                                                          \
    out[0][0] = hsum8(a00) + m00; out[0][1] = hsum8(a01) + m01;                                                \
    out[1][0] = hsum8(a10) + m10; out[1][1] = hsum8(a11) + m11;                                                \
    out[2][0] = hsum8(a20) + m20; out[2][1] = hsum8(a21) + m21;                                                \
    out[3][0] = hsum8(a30) + m30; out[3][1] = hsum8(a31) + m31;                                                \
}                                                                                                              \
AVX2_FN static void tile4x1_##TYPE(const uint8_t *w, size_t row_bytes, const block_q8a *y0, int nb, float out[4]) { \
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;                                                \
    float m0 = 0, m1 = 0, m2 = 0, m3 = 0;                                                                      \
    for (int i = 0; i < nb; i++) {                                                                             \
        LOAD_W_##TYPE(0) LOAD_W_##TYPE(1) LOAD_W_##TYPE(2) LOAD_W_##TYPE(3)                                    \
        const __m256i q0 = _mm256_loadu_si256((const __m256i *)y0[i].qs);                                      \
        const float d0 = y0[i].d;                                                                              \
        a0 = _mm256_fmadd_ps(_mm256_set1_ps(dw0 * d0), PROD_##TYPE(0, q0), a0);                                 \
        a1 = _mm256_fmadd_ps(_mm256_set1_ps(dw1 * d0), PROD_##TYPE(1, q0), a1);                                 \
        a2 = _mm256_fmadd_ps(_mm256_set1_ps(dw2 * d0), PROD_##TYPE(2, q0), a2);                                 \
        a3 = _mm256_fmadd_ps(_mm256_set1_ps(dw3 * d0), PROD_##TYPE(3, q0), a3);                                 \
        HASMIN(const float s0 = y0[i].s; m0 += mw0 * s0; m1 += mw1 * s0; m2 += mw2 * s0; m3 += mw3 * s0;)      \
    }                                                                                                          \
    out[0] = hsum8(a0) + m0; out[1] = hsum8(a1) + m1; out[2] = hsum8(a2) + m2; out[3] = hsum8(a3) + m3;        \
}
#define WITH_MIN(...) __VA_ARGS__
#define NO_MIN(...)
DEFINE_TILE(Q4_0, NO_MIN)
DEFINE_TILE(Q4_1, WITH_MIN)
DEFINE_TILE(Q8_0, NO_MIN)

// Q4_1 tiles taking two blocks per step, one in each 128-bit lane: the low and high nibbles of
// both blocks become two registers that meet the activations' matching halves, so the integer
// products, conversion and FMA are shared by two blocks (about 1.6x the single-block tile).
// Requires an even block count.
#define Q41P_PREP(t, Y)                                                                                   \
    const __m256i y0_##t = _mm256_loadu_si256((const __m256i *)(Y)[i].qs);                               \
    const __m256i y1_##t = _mm256_loadu_si256((const __m256i *)(Y)[i + 1].qs);                           \
    const __m256i ya_##t = _mm256_permute2x128_si256(y0_##t, y1_##t, 0x20);                              \
    const __m256i yb_##t = _mm256_permute2x128_si256(y0_##t, y1_##t, 0x31);                              \
    const __m256 dy_##t = _mm256_setr_ps((Y)[i].d, (Y)[i].d, (Y)[i].d, (Y)[i].d,                        \
                                         (Y)[i + 1].d, (Y)[i + 1].d, (Y)[i + 1].d, (Y)[i + 1].d);        \
    const __m128 sy_##t = _mm_setr_ps(0, (Y)[i].s, 0, (Y)[i + 1].s);
#define Q41P_ROW(r)                                                                                       \
    const block_q4_1 *b##r = (const block_q4_1 *)(w + (r) * row_bytes) + i;                              \
    const __m256i t##r = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)b##r[0].qs)), \
                                                 _mm_loadu_si128((const __m128i *)b##r[1].qs), 1);       \
    const __m256i lo##r = _mm256_and_si256(t##r, m4), hi##r = _mm256_and_si256(_mm256_srli_epi16(t##r, 4), m4); \
    uint32_t dm0_##r, dm1_##r; memcpy(&dm0_##r, &b##r[0], 4); memcpy(&dm1_##r, &b##r[1], 4);             \
    const __m128 dmf##r = _mm_cvtph_ps(_mm_set_epi32(0, 0, (int)dm1_##r, (int)dm0_##r));                  \
    const __m256 dw##r = _mm256_permutevar8x32_ps(_mm256_castps128_ps256(dmf##r), bd);
#define Q41P_ACC(r, t, acc, mac)                                                                          \
    acc = _mm256_fmadd_ps(_mm256_mul_ps(dw##r, dy_##t),                                                   \
        _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_add_epi16(_mm256_maddubs_epi16(lo##r, ya_##t),        \
                                                              _mm256_maddubs_epi16(hi##r, yb_##t)), ones)), acc); \
    mac = _mm_fmadd_ps(dmf##r, sy_##t, mac);
#define Q41P_OUT(acc, mac) (hsum8(acc) + _mm_cvtss_f32(_mm_shuffle_ps(mac, mac, 1)) + _mm_cvtss_f32(_mm_shuffle_ps(mac, mac, 3)))

AVX2_FN static void tile4x1_Q4_1p(const uint8_t *w, size_t row_bytes, const block_q8a *y0, int nb, float out[4]) {
    const __m256i m4 = _mm256_set1_epi8(0xF), ones = _mm256_set1_epi16(1);
    const __m256i bd = _mm256_setr_epi32(0, 0, 0, 0, 2, 2, 2, 2);
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    __m128 c0 = _mm_setzero_ps(), c1 = c0, c2 = c0, c3 = c0;
    for (int i = 0; i < nb; i += 2) {
        Q41P_PREP(0, y0)
        Q41P_ROW(0) Q41P_ACC(0, 0, a0, c0)
        Q41P_ROW(1) Q41P_ACC(1, 0, a1, c1)
        Q41P_ROW(2) Q41P_ACC(2, 0, a2, c2)
        Q41P_ROW(3) Q41P_ACC(3, 0, a3, c3)
    }
    out[0] = Q41P_OUT(a0, c0); out[1] = Q41P_OUT(a1, c1); out[2] = Q41P_OUT(a2, c2); out[3] = Q41P_OUT(a3, c3);
}

AVX2_FN static void tile4x2_Q4_1p(const uint8_t *w, size_t row_bytes, const block_q8a *y0, const block_q8a *y1,
                                  int nb, float out[4][2]) {
    const __m256i m4 = _mm256_set1_epi8(0xF), ones = _mm256_set1_epi16(1);
    const __m256i bd = _mm256_setr_epi32(0, 0, 0, 0, 2, 2, 2, 2);
    __m256 a00 = _mm256_setzero_ps(), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
    __m128 c00 = _mm_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    for (int i = 0; i < nb; i += 2) {
        Q41P_PREP(0, y0)
        Q41P_PREP(1, y1)
        Q41P_ROW(0) Q41P_ACC(0, 0, a00, c00) Q41P_ACC(0, 1, a01, c01)
        Q41P_ROW(1) Q41P_ACC(1, 0, a10, c10) Q41P_ACC(1, 1, a11, c11)
        Q41P_ROW(2) Q41P_ACC(2, 0, a20, c20) Q41P_ACC(2, 1, a21, c21)
        Q41P_ROW(3) Q41P_ACC(3, 0, a30, c30) Q41P_ACC(3, 1, a31, c31)
    }
    out[0][0] = Q41P_OUT(a00, c00); out[0][1] = Q41P_OUT(a01, c01);
    out[1][0] = Q41P_OUT(a10, c10); out[1][1] = Q41P_OUT(a11, c11);
    out[2][0] = Q41P_OUT(a20, c20); out[2][1] = Q41P_OUT(a21, c21);
    out[3][0] = Q41P_OUT(a30, c30); out[3][1] = Q41P_OUT(a31, c31);
}

typedef void (*tile4x2_fn)(const uint8_t *, size_t, const block_q8a *, const block_q8a *, int, float[4][2]);
typedef void (*tile4x1_fn)(const uint8_t *, size_t, const block_q8a *, int, float[4]);

AVX2_FN static float dot_f32_avx2(const float *a, const float *b, int n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps(); int i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
    }
    for (; i + 8 <= n; i += 8) acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    float s = hsum8(_mm256_add_ps(acc0, acc1));
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}
AVX2_FN static float dot_f16_f32_avx2(const uint16_t *a, const float *b, int n) {
    __m256 acc = _mm256_setzero_ps(); int i = 0;
    for (; i + 8 <= n; i += 8)
        acc = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(a + i))), _mm256_loadu_ps(b + i), acc);
    float s = hsum8(acc);
    for (; i < n; i++) s += ik_fp16_to_fp32(a[i]) * b[i];
    return s;
}
AVX2_FN static void axpy_f16_avx2(float *y, const uint16_t *x, float a, int n) {
    __m256 va = _mm256_set1_ps(a); int i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i))), _mm256_loadu_ps(y + i)));
    for (; i < n; i++) y[i] += a * ik_fp16_to_fp32(x[i]);
}
#endif

#ifdef IK_X86
// exp(x) for 8 floats: 2^n * p(r) with r = x - n ln2 in [-ln2/2, ln2/2] and a degree-6
// polynomial (Cephes' coefficients); within about 2 ulp of expf over the range used here.
AVX2_FN static inline __m256 exp8(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.3f));
    __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 pl = _mm256_set1_ps(1.9875691500e-4f);
    pl = _mm256_fmadd_ps(pl, r, _mm256_set1_ps(1.3981999507e-3f));
    pl = _mm256_fmadd_ps(pl, r, _mm256_set1_ps(8.3334519073e-3f));
    pl = _mm256_fmadd_ps(pl, r, _mm256_set1_ps(4.1665795894e-2f));
    pl = _mm256_fmadd_ps(pl, r, _mm256_set1_ps(1.6666665459e-1f));
    pl = _mm256_fmadd_ps(pl, r, _mm256_set1_ps(5.0000001201e-1f));
    pl = _mm256_fmadd_ps(pl, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(pl, _mm256_castsi256_ps(e));
}

/// y[i] = exp(x[i] - m); returns the sum.
AVX2_FN static float exp_shift_sum_avx2(float *x, int n, float m) {
    __m256 acc = _mm256_setzero_ps(), vm = _mm256_set1_ps(m);
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), vm));
        _mm256_storeu_ps(x + i, e);
        acc = _mm256_add_ps(acc, e);
    }
    float s = hsum8(acc);
    for (; i < n; i++) { float e = expf(x[i] - m); x[i] = e; s += e; }
    return s;
}

AVX2_FN static void swiglu_avx2(float *g, const float *u, int n) {
    int i = 0;
    const __m256 one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps();
    for (; i + 8 <= n; i += 8) {
        __m256 x = _mm256_loadu_ps(g + i);
        __m256 silu = _mm256_div_ps(x, _mm256_add_ps(one, exp8(_mm256_sub_ps(zero, x))));
        _mm256_storeu_ps(g + i, _mm256_mul_ps(silu, _mm256_loadu_ps(u + i)));
    }
    for (; i < n; i++) g[i] = g[i] / (1.0f + expf(-g[i])) * u[i];
}
#endif

static float exp_shift_sum(float *x, int n, float m) {
#ifdef IK_X86
    if (ik_has_avx2()) return exp_shift_sum_avx2(x, n, m);
#endif
    float s = 0;
    for (int i = 0; i < n; i++) { float e = expf(x[i] - m); x[i] = e; s += e; }
    return s;
}

typedef float (*qdot_fn)(const void *, const block_q8a *, int);

static qdot_fn qdot_for(int type, int avx2) {
#ifdef IK_X86
    if (avx2) {
        switch (type) {
        case IK_Q4_0: return dot_q4_0_avx2;
        case IK_Q4_1: return dot_q4_1_avx2;
        case IK_Q8_0: return dot_q8_0_avx2;
        }
    }
#endif
    switch (type) {
    case IK_Q4_0: return dot_q4_0_ref;
    case IK_Q4_1: return dot_q4_1_ref;
    case IK_Q8_0: return dot_q8_0_ref;
    default: return NULL;
    }
}

static inline float dot_f32(const float *a, const float *b, int n) {
#ifdef IK_X86
    if (ik_has_avx2()) return dot_f32_avx2(a, b, n);
#endif
    return dot_f32_ref(a, b, n);
}
static inline float dot_f16_f32(const uint16_t *a, const float *b, int n) {
#ifdef IK_X86
    if (ik_has_avx2()) return dot_f16_f32_avx2(a, b, n);
#endif
    return dot_f16_f32_ref(a, b, n);
}
static inline void axpy_f16(float *y, const uint16_t *x, float a, int n) {
#ifdef IK_X86
    if (ik_has_avx2()) { axpy_f16_avx2(y, x, a, n); return; }
#endif
    axpy_f16_ref(y, x, a, n);
}

// ---- matmul -----------------------------------------------------------------------------------
// Activation formats: the weight type decides how the activations are met. Q4_0/Q4_1/Q8_0 use
// 32-blocks (block_q8a); the K-quants with integer kernels use Q8_K 256-blocks; the rest (F16,
// F32, BF16, Q5_K, or K-quants when forced) dequantize each weight row and take float dot products.
enum { ACT_F32 = 0, ACT_Q8A = 1, ACT_Q8K = 2 };

// Per thread, as the portable switch: the float path for K-quants (tests compare the two).
static _Thread_local int g_float_kquants = 0;
void ik_force_float_kquants(int on) { g_float_kquants = on; }

static int is_q8_path(int t) { return t == IK_Q4_0 || t == IK_Q4_1 || t == IK_Q8_0; }

static int activation_format(int t) {
    if (is_q8_path(t)) return ACT_Q8A;
    if ((ik_kquant_has_int_dot(t) || ik_is_interleaved(t)) && !g_float_kquants) return ACT_Q8K;
    return ACT_F32;
}

size_t ik_matmul_scratch(int wtype, int cols, int ntok, int nthreads) {
    size_t q = (size_t)ntok * (size_t)(cols / 32) * sizeof(block_q8a);
    size_t k = (size_t)ntok * (size_t)(cols / 256) * sizeof(block_q8K);
    size_t g = (size_t)nthreads * (size_t)cols * sizeof(float);
    // K-quants may be switched to the float path at run time, so their scratch covers both.
    size_t need = is_q8_path(wtype) ? q : ik_kquant_has_int_dot(wtype) || ik_is_interleaved(wtype) ? (k > g ? k : g) : g;
    return need + 64;
}

typedef struct {
    _Atomic int next_chunk;
    int chunk;
    int act, avx2, level;
    int cols, ntok, nw, total;
    int wtype[3];
    int rows[3];
    const void *w[3];
    float *out[3];
    int out_stride[3];
    const float *x;
    void *scratch;
} mm_ctx;

static void quantize_task(void *vctx, int ith, int nth) {
    mm_ctx *c = vctx;
    if (c->act == ACT_Q8K) {
        const int nb = c->cols / 256;
        for (int t = ith; t < c->ntok; t += nth)
            ik_quantize_q8K(c->x + (size_t)t * c->cols, (block_q8K *)c->scratch + (size_t)t * nb, c->cols, c->avx2);
        return;
    }
    int nb = c->cols / 32;
    for (int t = ith; t < c->ntok; t += nth)
        quantize_q8a(c->x + (size_t)t * c->cols, (block_q8a *)c->scratch + (size_t)t * nb, c->cols);
}

static void matmul_rows(mm_ctx *c, int ith, int r0, int r1);

// Rows are handed out in chunks from a shared counter, so a thread that the OS preempts (this
// machine is shared) does not hold the others up at the end of every operator.
static void matmul_task(void *vctx, int ith, int nth) {
    mm_ctx *c = vctx;
    (void)nth;
    for (;;) {
        const int k = atomic_fetch_add(&c->next_chunk, 1);
        const int r0 = k * c->chunk;
        if (r0 >= c->total) break;
        const int r1 = r0 + c->chunk < c->total ? r0 + c->chunk : c->total;
        matmul_rows(c, ith, r0, r1);
    }
}

static size_t row_bytes_of(int type, int cols) { return (size_t)cols / ik_block_size(type) * ik_block_bytes(type); }

/// Row r of matrix m in its file layout and that layout's type: in place, or put back into buf
/// (cols / 256 * IK_X8_MAX_BASE_BLOCK bytes) when the matrix is interleaved.
static const void *file_row(const mm_ctx *c, int m, int r, void *buf, int *file_type) {
    const int t = c->wtype[m];
    if (!ik_is_interleaved(t)) {
        *file_type = t;
        return (const uint8_t *)c->w[m] + (size_t)r * row_bytes_of(t, c->cols);
    }
    *file_type = ik_interleaved_base(t);
    ik_x8_extract_row(t, (const uint8_t *)c->w[m] + (size_t)(r / 8) * ik_x8_group_bytes(t, c->cols), r % 8, c->cols / 256, buf);
    return buf;
}

// K-quant rows against Q8_K activations: for each chunk of tokens (their activations stay in
// cache), each weight row is read once and unpacked once per four tokens.
// Interleaved matrices go eight rows at a time (chunks and matrix sizes are multiples of 8).
static void matmul_rows_q8K(mm_ctx *c, int r0, int r1) {
    const int nb = c->cols / 256;
    const block_q8K *xq = c->scratch;
    enum { TCH = 64 };
    float res[8 * TCH];
    for (int t0 = 0; t0 < c->ntok; t0 += TCH) {
        const int nt = c->ntok - t0 < TCH ? c->ntok - t0 : TCH;
        int rr = r0;
        while (rr < r1) {
            int m = 0, r = rr;
            while (r >= c->rows[m]) { r -= c->rows[m]; m++; }
            const int type = c->wtype[m];
            const size_t os = (size_t)c->out_stride[m];
            float *o = c->out[m] + (size_t)t0 * os + r;
            if (ik_is_interleaved(type) && r % 8 == 0 && rr + 8 <= r1) {
                const uint8_t *g = (const uint8_t *)c->w[m] + (size_t)(r / 8) * ik_x8_group_bytes(type, c->cols);
                ik_x8_dot_rows(type, c->level, g, xq + (size_t)t0 * nb, nb, nt, res);
                for (int t = 0; t < nt; t++) memcpy(o + (size_t)t * os, res + 8 * t, 8 * sizeof(float));
                rr += 8;
            } else {
                // One row (an interleaved one only when a chunk boundary splits its group).
                uint8_t packed[(size_t)nb * IK_X8_MAX_BASE_BLOCK];
                int ft;
                const void *row = file_row(c, m, r, packed, &ft);
                ik_kquant_dot_rows(ft, c->avx2, row, xq + (size_t)t0 * nb, nb, nt, res);
                for (int t = 0; t < nt; t++) o[(size_t)t * os] = res[t];
                rr += 1;
            }
        }
    }
}

static void matmul_rows(mm_ctx *c, int ith, int r0, int r1) {
    const int cols = c->cols;
#define LOCATE(rr, m, r) int m = 0, r = rr; while (r >= c->rows[m]) { r -= c->rows[m]; m++; }
    if (c->act == ACT_Q8K) { matmul_rows_q8K(c, r0, r1); return; }
    const int wtype = c->wtype[0];
    if (c->act == ACT_Q8A) {
        const size_t row_bytes = row_bytes_of(wtype, cols);
        const qdot_fn dot = qdot_for(wtype, c->avx2);
        const int nb = cols / 32;
        const block_q8a *xq = c->scratch;
#ifdef IK_X86
        tile4x2_fn t42 = NULL; tile4x1_fn t41 = NULL;
        if (c->avx2) {
            switch (wtype) {
            case IK_Q4_0: t42 = tile4x2_Q4_0; t41 = tile4x1_Q4_0; break;
            case IK_Q4_1:
                if (nb % 2 == 0) { t42 = tile4x2_Q4_1p; t41 = tile4x1_Q4_1p; }
                else { t42 = tile4x2_Q4_1; t41 = tile4x1_Q4_1; }
                break;
            case IK_Q8_0: t42 = tile4x2_Q8_0; t41 = tile4x1_Q8_0; break;
            }
        }
        if (t42) {
            // Token chunks keep the activations in cache while the thread's rows stream past.
            const int TCH = 32;
            for (int t0 = 0; t0 < c->ntok; t0 += TCH) {
                const int t1 = t0 + TCH < c->ntok ? t0 + TCH : c->ntok;
                int rr = r0;
                while (rr < r1) {
                    LOCATE(rr, m, r)
                    const uint8_t *wr = (const uint8_t *)c->w[m] + (size_t)r * row_bytes;
                    float *o = c->out[m];
                    const size_t os = (size_t)c->out_stride[m];
                    if (r + 4 <= c->rows[m] && rr + 4 <= r1) {
                        int t = t0;
                        for (; t + 2 <= t1; t += 2) {
                            float res[4][2];
                            t42(wr, row_bytes, xq + (size_t)t * nb, xq + (size_t)(t + 1) * nb, nb, res);
                            for (int k = 0; k < 4; k++) { o[t * os + r + k] = res[k][0]; o[(t + 1) * os + r + k] = res[k][1]; }
                        }
                        for (; t < t1; t++) {
                            float res[4];
                            t41(wr, row_bytes, xq + (size_t)t * nb, nb, res);
                            for (int k = 0; k < 4; k++) o[t * os + r + k] = res[k];
                        }
                        rr += 4;
                    } else {
                        for (int t = t0; t < t1; t++) o[t * os + r] = dot(wr, xq + (size_t)t * nb, nb);
                        rr += 1;
                    }
                }
            }
            return;
        }
#endif
        for (int rr = r0; rr < r1; rr++) {
            LOCATE(rr, m, r)
            const uint8_t *wr = (const uint8_t *)c->w[m] + (size_t)r * row_bytes;
            float *o = c->out[m];
            for (int t = 0; t < c->ntok; t++)
                o[(size_t)t * c->out_stride[m] + r] = dot(wr, xq + (size_t)t * nb, nb);
        }
    } else {
        float *buf = (float *)c->scratch + (size_t)ith * cols;
        for (int rr = r0; rr < r1; rr++) {
            LOCATE(rr, m, r)
            // An interleaved row is first put back in its file layout (the float path is for tests).
            uint8_t packed[(size_t)(cols / 256 + 1) * IK_X8_MAX_BASE_BLOCK];
            int ft;
            const void *row = file_row(c, m, r, packed, &ft);
            ik_dequantize(ft, row, buf, cols);
            float *o = c->out[m];
            for (int t = 0; t < c->ntok; t++)
                o[(size_t)t * c->out_stride[m] + r] = dot_f32(buf, c->x + (size_t)t * cols, cols);
        }
    }
}

// The caller's thread decides the kernels (its portable and float switches), not the workers.
static void matmul_run(ik_pool *pool, mm_ctx *c) {
    c->act = activation_format(c->wtype[0]);
    c->level = ik_cpu_level();
    c->avx2 = c->level >= IK_LEVEL_AVX2;
    if (c->act != ACT_F32) {
        if (c->ntok > 1) ik_pool_run(pool, quantize_task, c);
        else quantize_task(c, 0, 1);
    }
    const int nth = ik_pool_threads(pool);
    // About 32 chunks per thread, each a multiple of 8 rows (the interleaved groups; the Q8A tile
    // height is 4): the last chunk taken is what the other threads wait for at the end (about
    // half a chunk on average: 0.8% of a matmul rather than 3% with 8 per thread).
    int chunk = c->total / (nth * 32);
    chunk = (chunk + 7) / 8 * 8;
    if (chunk < 8) chunk = 8;
    c->chunk = chunk;
    atomic_store(&c->next_chunk, 0);
    ik_pool_run(pool, matmul_task, c);
}

void ik_matmul(ik_pool *pool, int wtype, const void *w, int rows, int cols,
               const float *x, int ntok, float *out, int out_stride, void *scratch) {
    mm_ctx c = { 0, 0, 0, 0, 0, cols, ntok, 1, rows, { wtype, wtype, wtype }, { rows, 0, 0 }, { w, NULL, NULL },
                 { out, NULL, NULL }, { out_stride, 0, 0 }, x, scratch };
    matmul_run(pool, &c);
}

void ik_matmul2(ik_pool *pool, int wtype, const void *w1, const void *w2, int rows, int cols,
                const float *x, int ntok, float *out1, float *out2, void *scratch) {
    mm_ctx c = { 0, 0, 0, 0, 0, cols, ntok, 2, 2 * rows, { wtype, wtype, wtype }, { rows, rows, 0 }, { w1, w2, NULL },
                 { out1, out2, NULL }, { rows, rows, 0 }, x, scratch };
    matmul_run(pool, &c);
}

void ik_matmul3(ik_pool *pool, int wtype1, const void *w1, int rows1, int wtype2, const void *w2, int rows2,
                int wtype3, const void *w3, int rows3, int cols, const float *x, int ntok,
                float *out1, float *out2, float *out3, void *scratch) {
    mm_ctx c = { 0, 0, 0, 0, 0, cols, ntok, 3, rows1 + rows2 + rows3, { wtype1, wtype2, wtype3 }, { rows1, rows2, rows3 },
                 { w1, w2, w3 }, { out1, out2, out3 }, { rows1, rows2, rows3 }, x, scratch };
    // One pass for mixed types where all meet the same activations (Q8_K for Q4_K beside Q6_K,
    // or floats); Q8A tiles take one type.
    const int a1 = activation_format(wtype1);
    if (a1 != activation_format(wtype2) || a1 != activation_format(wtype3) ||
        (a1 == ACT_Q8A && !(wtype1 == wtype2 && wtype2 == wtype3))) {
        ik_matmul(pool, wtype1, w1, rows1, cols, x, ntok, out1, rows1, scratch);
        ik_matmul(pool, wtype2, w2, rows2, cols, x, ntok, out2, rows2, scratch);
        ik_matmul(pool, wtype3, w3, rows3, cols, x, ntok, out3, rows3, scratch);
        return;
    }
    matmul_run(pool, &c);
}

// ---- small operators --------------------------------------------------------------------------
void ik_rmsnorm(const float *x, const float *weight, float *out, int n, float eps) {
    double ss = 0; // ggml sums squares in double (ggml_float) for rms_norm
    for (int i = 0; i < n; i++) ss += (double)x[i] * x[i];
    const float scale = 1.0f / sqrtf((float)(ss / n) + eps);
    for (int i = 0; i < n; i++) out[i] = x[i] * scale * weight[i];
}

void ik_rope(float *x, int nheads, int head_dim, const float *cos_t, const float *sin_t, int neox) {
    const int half = head_dim / 2;
    for (int h = 0; h < nheads; h++) {
        float *v = x + (size_t)h * head_dim;
        for (int i = 0; i < half; i++) {
            const int a = neox ? i : 2 * i, b = neox ? i + half : 2 * i + 1;
            const float x0 = v[a], x1 = v[b];
            v[a] = x0 * cos_t[i] - x1 * sin_t[i];
            v[b] = x0 * sin_t[i] + x1 * cos_t[i];
        }
    }
}

void ik_swiglu(float *gate, const float *up, int n) {
#ifdef IK_X86
    if (ik_has_avx2()) { swiglu_avx2(gate, up, n); return; }
#endif
    for (int i = 0; i < n; i++) { float g = gate[i]; gate[i] = g / (1.0f + expf(-g)) * up[i]; }
}

void ik_store_kv(uint16_t *cache, int cache_len, int width, const float *src, int ntok, int pos0) {
    for (int t = 0; t < ntok; t++) {
        uint16_t *dst = cache + (size_t)((pos0 + t) % cache_len) * width;
        const float *s = src + (size_t)t * width;
#ifdef IK_X86
        if (ik_has_avx2() && width % 8 == 0) {
            extern void ik_store_f16_avx2(uint16_t *, const float *, int);
            ik_store_f16_avx2(dst, s, width);
            continue;
        }
#endif
        for (int i = 0; i < width; i++) dst[i] = ik_fp32_to_fp16(s[i]);
    }
}

#ifdef IK_X86
AVX2_FN void ik_store_f16_avx2(uint16_t *dst, const float *s, int n) {
    for (int i = 0; i < n; i += 8)
        _mm_storeu_si128((__m128i *)(dst + i), _mm256_cvtps_ph(_mm256_loadu_ps(s + i), _MM_FROUND_TO_NEAREST_INT));
}
#endif

// ---- attention --------------------------------------------------------------------------------
// Follows ggml's non-flash attention arithmetic: Q rounded to F16 for the F16 key products, softmax
// in F32, probabilities rounded to F16 for the value products. The `group` query heads that share
// a KV head are processed together so each key and value row is converted once.
#define MAX_GROUP 16
#define MAX_HD 256

typedef struct {
    const float *q; const uint16_t *k, *v;
    int cache_len, ntok, pos0, n_head, n_kv_head, head_dim, window;
    float scale; float *out, *scratch;
    // decode (one query) split over keys
    int first, last;
    float *scores, *tmax, *tsum, *tout;
} attn_ctx;

size_t ik_attention_scratch(int cache_len, int nthreads, int n_head, int head_dim) {
    size_t per_thread = (size_t)MAX_GROUP * ((size_t)cache_len + 16) + (size_t)MAX_GROUP * MAX_HD;
    size_t decode = (size_t)n_head * ((size_t)cache_len + 16) + (size_t)nthreads * n_head * (2 + (size_t)head_dim)
        + (size_t)n_head * head_dim;
    return (size_t)nthreads * per_thread + decode + 64;
}

// Range primitives over a contiguous run of cache rows (callers split at the ring's wrap).
// scores[g * ss + j] = scale * q_g . K_j ;  og[g] += sum_j p[g * ps + j] * V_j
static void scores_range_ref(const float *qg, int group, int hd, const uint16_t *k, size_t ks, int n,
                             float scale, float *scores, size_t ss) {
    for (int j = 0; j < n; j++)
        for (int g = 0; g < group; g++) scores[(size_t)g * ss + j] = dot_f16_f32_ref(k + (size_t)j * ks, qg + (size_t)g * hd, hd) * scale;
}
static void values_range_ref(float *og, int group, int hd, const uint16_t *v, size_t vs, int n, const float *p, size_t ps) {
    for (int g = 0; g < group; g++)
        for (int j = 0; j < n; j++) axpy_f16_ref(og + (size_t)g * hd, v + (size_t)j * vs, p[(size_t)g * ps + j], hd);
}

#ifdef IK_X86
AVX2_FN static inline __m128 reduce4(__m256 a0, __m256 a1, __m256 a2, __m256 a3) {
    __m256 s = _mm256_hadd_ps(_mm256_hadd_ps(a0, a1), _mm256_hadd_ps(a2, a3));
    return _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
}

// Four keys at a time for all G query heads of a KV head: each K chunk is converted once and
// used G times, and one reduction yields four scores.
#define DEFINE_SCORES(G)                                                                                   \
AVX2_FN static void scores_range_g##G(const float *qg, int hd, const uint16_t *k, size_t ks, int n,      \
                                      float scale, float *scores, size_t ss) {                            \
    int j = 0;                                                                                             \
    for (; j + 4 <= n; j += 4) {                                                                           \
        __m256 acc[4][G];                                                                                  \
        for (int a = 0; a < 4; a++) for (int g = 0; g < G; g++) acc[a][g] = _mm256_setzero_ps();          \
        for (int c = 0; c < hd; c += 8) {                                                                  \
            for (int a = 0; a < 4; a++) {                                                                  \
                const __m256 kv = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(k + (size_t)(j + a) * ks + c))); \
                for (int g = 0; g < G; g++) acc[a][g] = _mm256_fmadd_ps(kv, _mm256_loadu_ps(qg + (size_t)g * hd + c), acc[a][g]); \
            }                                                                                              \
        }                                                                                                  \
        for (int g = 0; g < G; g++)                                                                        \
            _mm_storeu_ps(scores + (size_t)g * ss + j,                                                     \
                          _mm_mul_ps(reduce4(acc[0][g], acc[1][g], acc[2][g], acc[3][g]), _mm_set1_ps(scale))); \
    }                                                                                                      \
    for (; j < n; j++)                                                                                     \
        for (int g = 0; g < G; g++) scores[(size_t)g * ss + j] = dot_f16_f32_avx2(k + (size_t)j * ks, qg + (size_t)g * hd, hd) * scale; \
}
DEFINE_SCORES(1)
DEFINE_SCORES(2)
DEFINE_SCORES(3)
DEFINE_SCORES(4)

// One head, 64 output dimensions at a time held in registers across all keys.
AVX2_FN static void values_range_avx2(float *og, int group, int hd, const uint16_t *v, size_t vs, int n, const float *p, size_t ps) {
    for (int g = 0; g < group; g++) {
        float *o = og + (size_t)g * hd;
        const float *pg = p + (size_t)g * ps;
        int c0 = 0;
        for (; c0 + 64 <= hd; c0 += 64) {
            __m256 a0 = _mm256_loadu_ps(o + c0), a1 = _mm256_loadu_ps(o + c0 + 8), a2 = _mm256_loadu_ps(o + c0 + 16), a3 = _mm256_loadu_ps(o + c0 + 24);
            __m256 a4 = _mm256_loadu_ps(o + c0 + 32), a5 = _mm256_loadu_ps(o + c0 + 40), a6 = _mm256_loadu_ps(o + c0 + 48), a7 = _mm256_loadu_ps(o + c0 + 56);
            for (int j = 0; j < n; j++) {
                const uint16_t *r = v + (size_t)j * vs + c0;
                const __m256 pj = _mm256_set1_ps(pg[j]);
#define VACC(a, off) a = _mm256_fmadd_ps(pj, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(r + off))), a);
                VACC(a0, 0) VACC(a1, 8) VACC(a2, 16) VACC(a3, 24) VACC(a4, 32) VACC(a5, 40) VACC(a6, 48) VACC(a7, 56)
#undef VACC
            }
            _mm256_storeu_ps(o + c0, a0); _mm256_storeu_ps(o + c0 + 8, a1); _mm256_storeu_ps(o + c0 + 16, a2); _mm256_storeu_ps(o + c0 + 24, a3);
            _mm256_storeu_ps(o + c0 + 32, a4); _mm256_storeu_ps(o + c0 + 40, a5); _mm256_storeu_ps(o + c0 + 48, a6); _mm256_storeu_ps(o + c0 + 56, a7);
        }
        for (; c0 < hd; c0 += 8) {
            __m256 a = _mm256_loadu_ps(o + c0);
            for (int j = 0; j < n; j++)
                a = _mm256_fmadd_ps(_mm256_set1_ps(pg[j]), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(v + (size_t)j * vs + c0))), a);
            _mm256_storeu_ps(o + c0, a);
        }
    }
}

AVX2_FN static void scale_round_f16_avx2(float *x, int n, float s) {
    const __m256 vs = _mm256_set1_ps(s);
    int i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(x + i, _mm256_cvtph_ps(_mm256_cvtps_ph(_mm256_mul_ps(_mm256_loadu_ps(x + i), vs), _MM_FROUND_TO_NEAREST_INT)));
    for (; i < n; i++) x[i] = _cvtsh_ss(_cvtss_sh(x[i] * s, _MM_FROUND_TO_NEAREST_INT));
}

AVX2_FN static float round_f16_f16c(float x) { return _cvtsh_ss(_cvtss_sh(x, _MM_FROUND_TO_NEAREST_INT)); }
#endif

static void scores_range(const float *qg, int group, int hd, const uint16_t *k, size_t ks, int n, float scale, float *scores, size_t ss) {
#ifdef IK_X86
    if (ik_has_avx2() && hd % 8 == 0) {
        switch (group) {
        case 1: scores_range_g1(qg, hd, k, ks, n, scale, scores, ss); return;
        case 2: scores_range_g2(qg, hd, k, ks, n, scale, scores, ss); return;
        case 3: scores_range_g3(qg, hd, k, ks, n, scale, scores, ss); return;
        case 4: scores_range_g4(qg, hd, k, ks, n, scale, scores, ss); return;
        default:
            for (int g = 0; g < group; g++) scores_range_g1(qg + (size_t)g * hd, hd, k, ks, n, scale, scores + (size_t)g * ss, ss);
            return;
        }
    }
#endif
    scores_range_ref(qg, group, hd, k, ks, n, scale, scores, ss);
}

static void values_range(float *og, int group, int hd, const uint16_t *v, size_t vs, int n, const float *p, size_t ps) {
#ifdef IK_X86
    if (ik_has_avx2() && hd % 8 == 0) { values_range_avx2(og, group, hd, v, vs, n, p, ps); return; }
#endif
    values_range_ref(og, group, hd, v, vs, n, p, ps);
}

static void scale_round_f16(float *x, int n, float s) {
#ifdef IK_X86
    if (ik_has_avx2()) { scale_round_f16_avx2(x, n, s); return; }
#endif
    for (int i = 0; i < n; i++) x[i] = ik_fp16_to_fp32(ik_fp32_to_fp16(x[i] * s));
}

static inline float round_f16(float x) {
#ifdef IK_X86
    if (ik_has_avx2()) return round_f16_f16c(x);
#endif
    return ik_fp16_to_fp32(ik_fp32_to_fp16(x));
}

static void key_range(const attn_ctx *c, int p, int *first) {
    int f = 0;
    if (c->window > 0 && p - c->window + 1 > 0) f = p - c->window + 1;
    if (p - f + 1 > c->cache_len) f = p - c->cache_len + 1;
    *first = f;
}

// Runs BODY over positions [a, b) split into runs contiguous in the ring (slot = pos % len),
// with run_pos, run_slot and run_n set.
#define FOR_RUNS(a, b, len, BODY) {                                                  \
    int run_pos = (a);                                                               \
    while (run_pos < (b)) {                                                          \
        const int run_slot = run_pos % (len);                                        \
        int run_n = (b) - run_pos;                                                   \
        if (run_slot + run_n > (len)) run_n = (len) - run_slot;                      \
        BODY                                                                         \
        run_pos += run_n;                                                            \
    } }

// Many queries: one item per (query, KV head).
static void attention_task(void *vctx, int ith, int nth) {
    attn_ctx *c = vctx;
    const int hd = c->head_dim, group = c->n_head / c->n_kv_head, kvw = c->n_kv_head * hd;
    const int items = c->ntok * c->n_kv_head;
    const size_t stride = (size_t)c->cache_len + 16;
    float *scores = c->scratch + (size_t)ith * ((size_t)MAX_GROUP * stride + (size_t)MAX_GROUP * MAX_HD);
    float *qg = scores + (size_t)MAX_GROUP * stride;
    for (int it = ith; it < items; it += nth) {
        const int t = it / c->n_kv_head, kh = it % c->n_kv_head, p = c->pos0 + t;
        int first; key_range(c, p, &first);
        const int n = p - first + 1;
        const float *q32 = c->q + ((size_t)t * c->n_head + (size_t)kh * group) * hd;
        for (int i = 0; i < group * hd; i++) qg[i] = round_f16(q32[i]);
        FOR_RUNS(first, p + 1, c->cache_len,
                 scores_range(qg, group, hd, c->k + (size_t)run_slot * kvw + (size_t)kh * hd, (size_t)kvw, run_n,
                              c->scale, scores + (run_pos - first), stride);)
        for (int g = 0; g < group; g++) {
            float *s = scores + (size_t)g * stride;
            float m = -INFINITY;
            for (int j = 0; j < n; j++) if (s[j] > m) m = s[j];
            scale_round_f16(s, n, 1.0f / exp_shift_sum(s, n, m));
        }
        float *og = c->out + ((size_t)t * c->n_head + (size_t)kh * group) * hd;
        memset(og, 0, sizeof(float) * group * hd);
        FOR_RUNS(first, p + 1, c->cache_len,
                 values_range(og, group, hd, c->v + (size_t)run_slot * kvw + (size_t)kh * hd, (size_t)kvw, run_n,
                              scores + (run_pos - first), stride);)
    }
}

// One query: the keys are split between the threads, in three passes (scores and maxima; exps
// and sums; normalized F16 probabilities times values), merged by the caller in between.
static void decode_range(const attn_ctx *c, int ith, int nth, int *j0, int *j1) {
    const int n = c->last - c->first + 1;
    *j0 = c->first + (int)((int64_t)n * ith / nth);
    *j1 = c->first + (int)((int64_t)n * (ith + 1) / nth);
}

static void decode_scores_task(void *vctx, int ith, int nth) {
    attn_ctx *c = vctx;
    const int hd = c->head_dim, group = c->n_head / c->n_kv_head, kvw = c->n_kv_head * hd, nh = c->n_head;
    int j0, j1; decode_range(c, ith, nth, &j0, &j1);
    float *tmax = c->tmax + (size_t)ith * nh;
    const size_t stride = (size_t)c->cache_len + 16;
    for (int kh = 0; kh < c->n_kv_head; kh++) {
        FOR_RUNS(j0, j1, c->cache_len,
                 scores_range(c->q + (size_t)kh * group * hd, group, hd, c->k + (size_t)run_slot * kvw + (size_t)kh * hd,
                              (size_t)kvw, run_n, c->scale, c->scores + (size_t)kh * group * stride + (run_pos - c->first), stride);)
    }
    for (int h = 0; h < nh; h++) {
        float m = -INFINITY;
        const float *s = c->scores + (size_t)h * stride;
        for (int j = j0; j < j1; j++) if (s[j - c->first] > m) m = s[j - c->first];
        tmax[h] = m;
    }
}

static void decode_exp_task(void *vctx, int ith, int nth) {
    attn_ctx *c = vctx;
    const int nh = c->n_head;
    int j0, j1; decode_range(c, ith, nth, &j0, &j1);
    const size_t stride = (size_t)c->cache_len + 16;
    float *tsum = c->tsum + (size_t)ith * nh;
    for (int h = 0; h < nh; h++) {
        float *s = c->scores + (size_t)h * stride;
        tsum[h] = j1 > j0 ? exp_shift_sum(s + (j0 - c->first), j1 - j0, c->tmax[h]) : 0; // merged maximum in row 0
    }
}

static void decode_values_task(void *vctx, int ith, int nth) {
    attn_ctx *c = vctx;
    const int hd = c->head_dim, group = c->n_head / c->n_kv_head, kvw = c->n_kv_head * hd, nh = c->n_head;
    int j0, j1; decode_range(c, ith, nth, &j0, &j1);
    const size_t stride = (size_t)c->cache_len + 16;
    float *out = c->tout + (size_t)ith * nh * hd;
    memset(out, 0, sizeof(float) * nh * hd);
    if (j1 <= j0) return;
    for (int h = 0; h < nh; h++) scale_round_f16(c->scores + (size_t)h * stride + (j0 - c->first), j1 - j0, c->tsum[h]); // row 0: 1/sum
    for (int kh = 0; kh < c->n_kv_head; kh++) {
        FOR_RUNS(j0, j1, c->cache_len,
                 values_range(out + (size_t)kh * group * hd, group, hd, c->v + (size_t)run_slot * kvw + (size_t)kh * hd, (size_t)kvw,
                              run_n, c->scores + (size_t)kh * group * stride + (run_pos - c->first), stride);)
    }
}

void ik_attention(ik_pool *pool, const float *q, const uint16_t *kcache, const uint16_t *vcache,
                  int cache_len, int ntok, int pos0, int n_head, int n_kv_head, int head_dim,
                  int window, float scale, float *out, float *scratch) {
    attn_ctx c = { q, kcache, vcache, cache_len, ntok, pos0, n_head, n_kv_head, head_dim, window, scale, out, scratch };
    const int nth = ik_pool_threads(pool);
    if (ntok > 1 || n_head / n_kv_head > MAX_GROUP || head_dim > MAX_HD) { ik_pool_run(pool, attention_task, &c); return; }
    key_range(&c, pos0, &c.first);
    c.last = pos0;
    const int nh = n_head, hd = head_dim;
    c.scores = scratch;
    c.tmax = scratch + (size_t)nh * ((size_t)cache_len + 16);
    c.tsum = c.tmax + (size_t)nth * nh;
    c.tout = c.tsum + (size_t)nth * nh;
    float *qbuf = c.tout + (size_t)nth * nh * hd;
    for (int i = 0; i < nh * hd; i++) qbuf[i] = round_f16(q[i]);
    c.q = qbuf;
    ik_pool_run(pool, decode_scores_task, &c);
    for (int h = 0; h < nh; h++) for (int t = 1; t < nth; t++) if (c.tmax[t * nh + h] > c.tmax[h]) c.tmax[h] = c.tmax[t * nh + h];
    ik_pool_run(pool, decode_exp_task, &c);
    for (int h = 0; h < nh; h++) { float s = 0; for (int t = 0; t < nth; t++) s += c.tsum[t * nh + h]; c.tsum[h] = 1.0f / s; }
    ik_pool_run(pool, decode_values_task, &c);
    for (int i = 0; i < nh * hd; i++) { float s = 0; for (int t = 0; t < nth; t++) s += c.tout[(size_t)t * nh * hd + i]; out[i] = s; }
}
