// Integer dot products of K-quant weight rows (Q4_K, Q6_K) with activations quantized to Q8_K,
// as llama.cpp computes them: 8-bit activations per 256-block, integer products per sub-block,
// then the block scales (and Q4_K's minimums, through the activations' 16-element sums).
// Block layouts: internal.h; quants.c's dequantizers are the reference for what each bit means.
#include "internal.h"
#include <math.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define KQ_X86 1
#define KQ_AVX2 __attribute__((target("avx2,fma,f16c")))
#define KQ_INLINE __attribute__((always_inline)) inline
#endif

int ik_kquant_has_int_dot(int type) { return type == IK_Q4_K || type == IK_Q6_K; }

// ---- Q8_K activations ---------------------------------------------------------------------------
// The element of largest magnitude (the first, on ties) maps to -127 exactly; rounding to nearest,
// ties to even (ggml's nearest_int); d = 1 / iscale.
static int block_extreme(const float *x, float *extreme) {
    float amax = 0, ext = 0;
    for (int j = 0; j < 256; j++) { float a = fabsf(x[j]); if (a > amax) { amax = a; ext = x[j]; } }
    *extreme = ext;
    return amax != 0;
}

static void block_sums(block_q8K *b) {
    for (int g = 0; g < 16; g++) {
        int s = 0;
        for (int j = 0; j < 16; j++) s += b->qs[16 * g + j];
        b->bsums[g] = (int16_t)s;
    }
}

#ifdef KQ_X86
KQ_AVX2 static void quantize_block_avx2(const float *x, block_q8K *b, float iscale) {
    const __m256 mul = _mm256_set1_ps(iscale);
    const __m256i top = _mm256_set1_epi32(127), order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    for (int k = 0; k < 256; k += 32) {
        __m256i v[4];
        for (int u = 0; u < 4; u++) {
            __m256 r = _mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(x + k + 8 * u), mul), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
            v[u] = _mm256_min_epi32(_mm256_cvtps_epi32(r), top);
        }
        __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(v[0], v[1]), _mm256_packs_epi32(v[2], v[3]));
        _mm256_storeu_si256((__m256i *)(b->qs + k), _mm256_permutevar8x32_epi32(p, order));
    }
}
#endif

void ik_quantize_q8K(const float *x, block_q8K *y, int n, int avx2) {
    (void)avx2;
    for (int i = 0; i < n / 256; i++, x += 256, y++) {
        float ext;
        if (!block_extreme(x, &ext)) { memset(y, 0, sizeof *y); continue; }
        const float iscale = -127.0f / ext;
#ifdef KQ_X86
        if (avx2) quantize_block_avx2(x, y, iscale);
        else
#endif
        for (int j = 0; j < 256; j++) {
            int v = (int)nearbyintf(iscale * x[j]);
            y->qs[j] = (int8_t)(v < 127 ? v : 127);
        }
        block_sums(y);
        y->d = 1.0f / iscale;
    }
}

// ---- Q4_K scales ----------------------------------------------------------------------------------
// Twelve bytes hold eight 6-bit scales and eight 6-bit minimums (quants.c's scale_min_k4): for
// j < 4, scale j is the low 6 bits of byte j and minimum j those of byte j + 4; for j >= 4 the low
// 4 bits come from byte j + 4 (scale: low nibble, minimum: high nibble) and the top 2 bits from
// the top bits of byte j - 4 (scale) or byte j (minimum). Done on 32-bit words, four at a time.
static inline void q4K_scales(const uint8_t *s12, uint8_t out[16]) {
    uint32_t a, b, c;
    memcpy(&a, s12, 4); memcpy(&b, s12 + 4, 4); memcpy(&c, s12 + 8, 4);
    const uint32_t low6 = 0x3f3f3f3fu, low4 = 0x0f0f0f0fu, low2 = 0x03030303u;
    const uint32_t sc_lo = a & low6;
    const uint32_t sc_hi = (c & low4) | (((a >> 6) & low2) << 4);
    const uint32_t mn_lo = b & low6;
    const uint32_t mn_hi = ((c >> 4) & low4) | (((b >> 6) & low2) << 4);
    memcpy(out, &sc_lo, 4); memcpy(out + 4, &sc_hi, 4); memcpy(out + 8, &mn_lo, 4); memcpy(out + 12, &mn_hi, 4);
}

// ---- portable -------------------------------------------------------------------------------------
static float dot_q4K_ref(const block_q4_K *x, const block_q8K *y, int nb) {
    float s = 0;
    for (int i = 0; i < nb; i++) {
        uint8_t sm[16];
        q4K_scales(x[i].scales, sm);
        const uint8_t *q = x[i].qs;
        const int8_t *a = y[i].qs;
        int sumi = 0, summ = 0;
        for (int j = 0; j < 4; j++, q += 32, a += 64) {
            int lo = 0, hi = 0;
            for (int l = 0; l < 32; l++) { lo += (q[l] & 0xF) * a[l]; hi += (q[l] >> 4) * a[l + 32]; }
            sumi += sm[2 * j] * lo + sm[2 * j + 1] * hi;
        }
        for (int j = 0; j < 8; j++) summ += sm[8 + j] * (y[i].bsums[2 * j] + y[i].bsums[2 * j + 1]);
        s += y[i].d * (ik_fp16_to_fp32(x[i].d) * (float)sumi - ik_fp16_to_fp32(x[i].dmin) * (float)summ);
    }
    return s;
}

// Q6_K: position p of a block (0..255) holds a 6-bit value u in 0..63 standing for u - 32, with the
// signed scale scales[p / 16]; so dot = d * sum_g scales[g] * (sum(u * a) - 32 * bsums[g]).
static inline void q6K_unpack(const block_q6_K *b, uint8_t u[256]) {
    const uint8_t *ql = b->ql, *qh = b->qh;
    for (int h = 0; h < 2; h++, ql += 64, qh += 32, u += 128) {
        for (int l = 0; l < 32; l++) {
            u[l] = (uint8_t)((ql[l] & 0xF) | ((qh[l] & 3) << 4));
            u[l + 32] = (uint8_t)((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4));
            u[l + 64] = (uint8_t)((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4));
            u[l + 96] = (uint8_t)((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4));
        }
    }
}

static float dot_q6K_ref(const block_q6_K *x, const block_q8K *y, int nb) {
    float s = 0;
    for (int i = 0; i < nb; i++) {
        uint8_t u[256];
        q6K_unpack(&x[i], u);
        int sumi = 0;
        for (int g = 0; g < 16; g++) {
            int p = 0;
            for (int l = 0; l < 16; l++) p += u[16 * g + l] * y[i].qs[16 * g + l];
            sumi += x[i].scales[g] * (p - 32 * y[i].bsums[g]);
        }
        s += y[i].d * ik_fp16_to_fp32(x[i].d) * (float)sumi;
    }
    return s;
}

// ---- AVX2 -----------------------------------------------------------------------------------------
// One weight row against T activation rows (T <= 4, a constant in each instance): each block's
// bits are unpacked and its scales spread once, then met by every activation row. Integer sums
// per block stay exact (Q4_K: |lane| <= 4 * 2 * 63 * 3810; Q6_K: <= 8 * 2 * 128 * 16002 and the
// offset term 32 * 2 * 128 * 2032), and each block adds d_w * d_a * sum to float accumulators.
#ifdef KQ_X86
KQ_AVX2 static KQ_INLINE float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// Every 16-bit lane of the result holds 16-bit lane k of v (v: eight int16 in both halves).
KQ_AVX2 static KQ_INLINE __m256i spread16(__m256i v, int k) {
    return _mm256_shuffle_epi8(v, _mm256_set1_epi16((short)((2 * k) | ((2 * k + 1) << 8))));
}

KQ_AVX2 static KQ_INLINE void q4K_tile(const block_q4_K *x, const block_q8K *y, int nb, const int T, const int first, float *out) {
    (void)first; // the file layout's kernels do not prefetch
    const __m256i m4 = _mm256_set1_epi8(0xF);
    const __m128i pairs = _mm_setr_epi8(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
    __m256 acc[4];
    for (int t = 0; t < T; t++) acc[t] = _mm256_setzero_ps();
    for (int i = 0; i < nb; i++) {
        uint8_t sm[16];
        q4K_scales(x[i].scales, sm);
        const __m128i raw = _mm_loadu_si128((const __m128i *)sm);
        // Scales as int16 in both halves; minimums each twice, to meet the pairs of 16-sums.
        const __m256i sc = _mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(raw));
        const __m256i mins = _mm256_cvtepu8_epi16(_mm_shuffle_epi8(_mm_srli_si128(raw, 8), pairs));
        __m256i isum[4];
        for (int t = 0; t < T; t++) isum[t] = _mm256_setzero_si256();
        for (int j = 0; j < 4; j++) {
            const __m256i bits = _mm256_loadu_si256((const __m256i *)(x[i].qs + 32 * j));
            const __m256i lo = _mm256_and_si256(bits, m4), hi = _mm256_and_si256(_mm256_srli_epi16(bits, 4), m4);
            const __m256i s1 = spread16(sc, 2 * j), s2 = spread16(sc, 2 * j + 1);
            for (int t = 0; t < T; t++) {
                const int8_t *a = y[(size_t)t * nb + i].qs + 64 * j;
                const __m256i p1 = _mm256_madd_epi16(_mm256_maddubs_epi16(lo, _mm256_loadu_si256((const __m256i *)a)), s1);
                const __m256i p2 = _mm256_madd_epi16(_mm256_maddubs_epi16(hi, _mm256_loadu_si256((const __m256i *)(a + 32))), s2);
                isum[t] = _mm256_add_epi32(isum[t], _mm256_add_epi32(p1, p2));
            }
        }
        const float dx = _cvtsh_ss(x[i].d), mx = _cvtsh_ss(x[i].dmin);
        for (int t = 0; t < T; t++) {
            const block_q8K *b = &y[(size_t)t * nb + i];
            const __m256i pm = _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)b->bsums), mins);
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(dx * b->d), _mm256_cvtepi32_ps(isum[t]), acc[t]);
            acc[t] = _mm256_fnmadd_ps(_mm256_set1_ps(mx * b->d), _mm256_cvtepi32_ps(pm), acc[t]);
        }
    }
    for (int t = 0; t < T; t++) out[t] = hsum8(acc[t]);
}

KQ_AVX2 static KQ_INLINE void q6K_tile(const block_q6_K *x, const block_q8K *y, int nb, const int T, const int first, float *out) {
    (void)first; // the file layout's kernels do not prefetch
    const __m256i m4 = _mm256_set1_epi8(0xF), m2 = _mm256_set1_epi8(3);
    __m256 acc[4];
    for (int t = 0; t < T; t++) acc[t] = _mm256_setzero_ps();
    for (int i = 0; i < nb; i++) {
        const __m128i raw = _mm_loadu_si128((const __m128i *)x[i].scales);
        const __m256i sc16 = _mm256_cvtepi8_epi16(raw);
        __m256i isum[4];
        for (int t = 0; t < T; t++) isum[t] = _mm256_setzero_si256();
        const uint8_t *ql = x[i].ql, *qh = x[i].qh;
        for (int h = 0; h < 2; h++, ql += 64, qh += 32) {
            const __m256i l0 = _mm256_loadu_si256((const __m256i *)ql), l1 = _mm256_loadu_si256((const __m256i *)(ql + 32));
            const __m256i hb = _mm256_loadu_si256((const __m256i *)qh);
            __m256i q[4];
            q[0] = _mm256_or_si256(_mm256_and_si256(l0, m4), _mm256_slli_epi16(_mm256_and_si256(hb, m2), 4));
            q[1] = _mm256_or_si256(_mm256_and_si256(l1, m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2), m2), 4));
            q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 4), m2), 4));
            q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 6), m2), 4));
            // Register q[k] covers positions 128h + 32k .. +31: groups 8h + 2k (low half) and 8h + 2k + 1.
            const __m256i sh = _mm256_broadcastsi128_si256(_mm_cvtepi8_epi16(h ? _mm_srli_si128(raw, 8) : raw));
            __m256i s[4];
            for (int k = 0; k < 4; k++)
                s[k] = _mm256_blend_epi32(spread16(sh, 2 * k), spread16(sh, 2 * k + 1), 0xF0);
            for (int t = 0; t < T; t++) {
                const int8_t *a = y[(size_t)t * nb + i].qs + 128 * h;
                for (int k = 0; k < 4; k++)
                    isum[t] = _mm256_add_epi32(isum[t], _mm256_madd_epi16(
                        _mm256_maddubs_epi16(q[k], _mm256_loadu_si256((const __m256i *)(a + 32 * k))), s[k]));
            }
        }
        const float dx = _cvtsh_ss(x[i].d);
        for (int t = 0; t < T; t++) {
            const block_q8K *b = &y[(size_t)t * nb + i];
            const __m256i off = _mm256_slli_epi32(_mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)b->bsums), sc16), 5);
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(dx * b->d), _mm256_cvtepi32_ps(_mm256_sub_epi32(isum[t], off)), acc[t]);
        }
    }
    for (int t = 0; t < T; t++) out[t] = hsum8(acc[t]);
}

IK_TILED_ROWS(q4K, block_q4_K, KQ_AVX2, 1)
IK_TILED_ROWS(q6K, block_q6_K, KQ_AVX2, 1)
#endif

void ik_kquant_dot_rows(int type, int avx2, const void *w, const block_q8K *y, int nb, int ntok, float *out) {
#ifdef KQ_X86
    if (avx2) {
        if (type == IK_Q4_K) { q4K_rows(w, y, nb, ntok, out); return; }
        if (type == IK_Q6_K) { q6K_rows(w, y, nb, ntok, out); return; }
    }
#else
    (void)avx2;
#endif
    for (int t = 0; t < ntok; t++) {
        const block_q8K *yt = y + (size_t)t * nb;
        out[t] = type == IK_Q4_K ? dot_q4K_ref(w, yt, nb) : type == IK_Q6_K ? dot_q6K_ref(w, yt, nb) : 0;
    }
}
