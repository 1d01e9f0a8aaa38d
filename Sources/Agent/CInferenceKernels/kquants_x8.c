// Row-interleaved K-quant matrices (Forager's own layout, made once when a model loads): the
// blocks of eight consecutive rows at one block index are stored together, their quants
// interleaved four bytes at a time, so one 32-byte load holds four quants of each of the eight
// rows and one vector product (VNNI's vpdpbusd, or AVX2's vpmaddubsw) advances all eight. Q6_K's
// scales (a byte each, as in the file) are laid out for the vector that meets them; Q4_K's stay
// packed as in the file, and eight rows' unpack together. The arithmetic is
// kquants.c's (the same integer sums per block, then the block scales); only the order of the
// float additions differs.
#include "internal.h"
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define X8_X86 1
#define X8_AVX2 __attribute__((target("avx2,fma,f16c")))
#define X8_VNNI __attribute__((target("avx2,fma,f16c,avx512f,avx512vl,avx512bw,avx512vnni")))
#define X8_INLINE __attribute__((always_inline)) inline
// Full unrolling of a loop with constant bounds, for the compilers that take the hint.
#if defined(__clang__)
#define X8_UNROLL _Pragma("clang loop unroll(full)")
#elif defined(__GNUC__)
#define X8_UNROLL _Pragma("GCC unroll 16")
#else
#define X8_UNROLL
#endif
#endif

// Q4_K, 8 rows x 256 columns: 1,152 bytes (8 x 144, as in the file layout).
//   scales[w][r]: row r's file scale bytes 4w .. 4w + 3 (the twelve packed 6-bit scales and
//                 minimums, as kquants.c's q4K_scales reads them, so eight rows unpack at once).
//   qs[p][k][r]:  row r's file bytes qs[32p + 4k .. 32p + 4k + 3], whose low nibbles are elements
//                 64p + 4k .. +3 (sub-block 2p) and high nibbles elements 64p + 32 + 4k .. +3.
typedef struct {
    uint16_t d[8], dmin[8];
    uint8_t scales[3][8][4];
    uint8_t qs[4][8][8][4];
} block_q4_Kx8;
_Static_assert(sizeof(block_q4_Kx8) == 1152, "q4_Kx8");

// Q6_K, 8 rows x 256 columns: 1,680 bytes (8 x 210). For half h and k < 8:
//   q[h][k][0][r]: row r's ql[64h + 4k ..+3] (low nibbles: elements 128h + 4k.., high: 128h + 64 + 4k..)
//   q[h][k][1][r]: row r's ql[64h + 32 + 4k ..+3] (low: 128h + 32 + 4k.., high: 128h + 96 + 4k..)
//   q[h][k][2][r]: row r's qh[32h + 4k ..+3] (bit pairs 0-1, 2-3, 4-5, 6-7: the four above, in order)
//   sc[m][r][e]:   row r's signed scale of 16-element group 2m + e.
typedef struct {
    uint8_t q[2][8][3][8][4];
    int8_t sc[8][8][2];
    uint16_t d[8];
} block_q6_Kx8;
_Static_assert(sizeof(block_q6_Kx8) == 1680, "q6_Kx8");

int ik_interleaved_type(int type) {
    return type == IK_Q4_K ? IK_Q4_K_X8 : type == IK_Q6_K ? IK_Q6_K_X8 : -1;
}

int ik_is_interleaved(int type) { return type == IK_Q4_K_X8 || type == IK_Q6_K_X8; }

int ik_interleaved_base(int type) {
    return type == IK_Q4_K_X8 ? IK_Q4_K : type == IK_Q6_K_X8 ? IK_Q6_K : -1;
}

size_t ik_x8_group_bytes(int type, int cols) {
    const size_t nb = (size_t)cols / 256;
    return type == IK_Q4_K_X8 ? nb * sizeof(block_q4_Kx8) : type == IK_Q6_K_X8 ? nb * sizeof(block_q6_Kx8) : 0;
}

size_t ik_interleaved_bytes(int type, int rows, int cols) {
    if (rows % 8 != 0 || cols % 256 != 0) return 0;
    return (size_t)(rows / 8) * ik_x8_group_bytes(ik_interleaved_type(type), cols);
}

static void interleave_q4K(const block_q4_K *rows[8], block_q4_Kx8 *o) {
    for (int r = 0; r < 8; r++) {
        const block_q4_K *b = rows[r];
        o->d[r] = b->d;
        o->dmin[r] = b->dmin;
        for (int w = 0; w < 3; w++) memcpy(o->scales[w][r], b->scales + 4 * w, 4);
        for (int p = 0; p < 4; p++)
            for (int k = 0; k < 8; k++) memcpy(o->qs[p][k][r], b->qs + 32 * p + 4 * k, 4);
    }
}

static void interleave_q6K(const block_q6_K *rows[8], block_q6_Kx8 *o) {
    for (int r = 0; r < 8; r++) {
        const block_q6_K *b = rows[r];
        o->d[r] = b->d;
        for (int m = 0; m < 8; m++) { o->sc[m][r][0] = b->scales[2 * m]; o->sc[m][r][1] = b->scales[2 * m + 1]; }
        for (int h = 0; h < 2; h++)
            for (int k = 0; k < 8; k++) {
                memcpy(o->q[h][k][0][r], b->ql + 64 * h + 4 * k, 4);
                memcpy(o->q[h][k][1][r], b->ql + 64 * h + 32 + 4 * k, 4);
                memcpy(o->q[h][k][2][r], b->qh + 32 * h + 4 * k, 4);
            }
    }
}

int ik_interleave_rows(int type, const void *src, int rows, int cols, void *dst, int group0, int group1) {
    if (ik_interleaved_type(type) < 0 || rows % 8 != 0 || cols % 256 != 0) return -1;
    const int nb = cols / 256;
    const size_t row_bytes = (size_t)nb * ik_block_bytes(type);
    for (int g = group0; g < group1 && g < rows / 8; g++) {
        const uint8_t *base = (const uint8_t *)src + (size_t)g * 8 * row_bytes;
        for (int i = 0; i < nb; i++) {
            if (type == IK_Q4_K) {
                const block_q4_K *rs[8];
                for (int r = 0; r < 8; r++) rs[r] = (const block_q4_K *)(base + r * row_bytes) + i;
                interleave_q4K(rs, (block_q4_Kx8 *)dst + (size_t)g * nb + i);
            } else {
                const block_q6_K *rs[8];
                for (int r = 0; r < 8; r++) rs[r] = (const block_q6_K *)(base + r * row_bytes) + i;
                interleave_q6K(rs, (block_q6_Kx8 *)dst + (size_t)g * nb + i);
            }
        }
    }
    return 0;
}

// Row r of an interleaved group, block i, back in the file layout.
static void extract_q4K(const block_q4_Kx8 *x, int r, block_q4_K *b) {
    b->d = x->d[r];
    b->dmin = x->dmin[r];
    for (int w = 0; w < 3; w++) memcpy(b->scales + 4 * w, x->scales[w][r], 4);
    for (int p = 0; p < 4; p++)
        for (int k = 0; k < 8; k++) memcpy(b->qs + 32 * p + 4 * k, x->qs[p][k][r], 4);
}

static void extract_q6K(const block_q6_Kx8 *x, int r, block_q6_K *b) {
    b->d = x->d[r];
    for (int m = 0; m < 8; m++) { b->scales[2 * m] = x->sc[m][r][0]; b->scales[2 * m + 1] = x->sc[m][r][1]; }
    for (int h = 0; h < 2; h++)
        for (int k = 0; k < 8; k++) {
            memcpy(b->ql + 64 * h + 4 * k, x->q[h][k][0][r], 4);
            memcpy(b->ql + 64 * h + 32 + 4 * k, x->q[h][k][1][r], 4);
            memcpy(b->qh + 32 * h + 4 * k, x->q[h][k][2][r], 4);
        }
}

void ik_x8_extract_row(int type, const void *group, int r, int nb, void *dst) {
    for (int i = 0; i < nb; i++) {
        if (type == IK_Q4_K_X8) extract_q4K((const block_q4_Kx8 *)group + i, r, (block_q4_K *)dst + i);
        else extract_q6K((const block_q6_Kx8 *)group + i, r, (block_q6_K *)dst + i);
    }
}

// ---- vector kernels ---------------------------------------------------------------------------
// One group of eight rows against T activation rows (T <= 4, a constant in each instance);
// out[8t + r] = dot(row r, activation row t). Lanes are rows throughout: each 32-bit lane of a
// product of four interleaved quants with four broadcast activations is one row's partial sum.
// Integer sums stay exact: Q4_K per sub-block |s| <= 32 * 15 * 127, times a scale <= 63, eight
// sub-blocks; Q6_K per group <= 16 * 63 * 127, times |scale| <= 128, sixteen groups.
#ifdef X8_X86
static X8_INLINE int32_t load_i32(const int8_t *p) { int32_t v; memcpy(&v, p, 4); return v; }

/// Asks for the cache lines of the block X8_AHEAD blocks on (the next group's, past a group's
/// end) into L2, not L1. Every tile does, in its first pass over a group: with four tokens a
/// block's work is long enough that the out-of-order window does not reach the next blocks'
/// loads, so without it the memory stream and the arithmetic take turns instead of overlapping.
/// Measured with weights streamed from memory (a 65536x1536 matrix, 2 threads, alternating runs):
/// Q6_K at four tokens 4.3-9.5 ms with the earlier prefetch (2 blocks on, into L1), 3.2-4.5 ms
/// with none, 2.4-3.7 ms with 4 blocks on into L2; Q4_K at four tokens 2.1-3.4 ms without it,
/// 2.0-2.2 ms with it. 6 blocks on gave Q4_K one token 1.04-1.15 ms against 1.29-1.41 for 4, and
/// Q6_K the same as 4 within the noise.
#define X8_AHEAD 6
static X8_INLINE void prefetch_block(const void *block, size_t bytes) {
    const char *p = (const char *)block + X8_AHEAD * bytes;
    for (size_t o = 0; o < bytes; o += 64) _mm_prefetch(p + o, _MM_HINT_T1);
}

/// A block's scales and minimums for eight rows, unpacked as q4K_scales does one row's, on eight
/// 32-bit lanes at once: lane r of sc_lo holds row r's scales of sub-blocks 0..3 (a byte each),
/// sc_hi those of 4..7, mn_lo and mn_hi the minimums likewise.
typedef struct { __m256i sc_lo, sc_hi, mn_lo, mn_hi; } q4Kx8_scales;

X8_AVX2 static X8_INLINE q4Kx8_scales q4Kx8_unpack_scales(const block_q4_Kx8 *b) {
    const __m256i a = _mm256_loadu_si256((const __m256i *)b->scales[0]);
    const __m256i m = _mm256_loadu_si256((const __m256i *)b->scales[1]);
    const __m256i c = _mm256_loadu_si256((const __m256i *)b->scales[2]);
    const __m256i low6 = _mm256_set1_epi32(0x3f3f3f3f), low4 = _mm256_set1_epi32(0x0f0f0f0f), low2 = _mm256_set1_epi32(0x03030303);
    q4Kx8_scales s;
    s.sc_lo = _mm256_and_si256(a, low6);
    s.sc_hi = _mm256_or_si256(_mm256_and_si256(c, low4), _mm256_slli_epi32(_mm256_and_si256(_mm256_srli_epi32(a, 6), low2), 4));
    s.mn_lo = _mm256_and_si256(m, low6);
    s.mn_hi = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi32(c, 4), low4), _mm256_slli_epi32(_mm256_and_si256(_mm256_srli_epi32(m, 6), low2), 4));
    return s;
}

/// A vpshufb control that builds each 32-bit lane from bytes b0..b3 of the same lane (-1: zero).
X8_AVX2 static X8_INLINE __m256i lane_bytes(int b0, int b1, int b2, int b3) {
    const int32_t t = (int32_t)((uint32_t)(b0 < 0 ? 0x80 : b0) | (uint32_t)(b1 < 0 ? 0x80 : b1) << 8 |
                                (uint32_t)(b2 < 0 ? 0x80 : b2) << 16 | (uint32_t)(b3 < 0 ? 0x80 : b3) << 24);
    // Lane r of each 128-bit half starts at byte 4r; a zeroing index keeps its top bit set.
    return _mm256_add_epi8(_mm256_set1_epi32(t), _mm256_setr_epi32(0, 0x04040404, 0x08080808, 0x0c0c0c0c,
                                                                   0, 0x04040404, 0x08080808, 0x0c0c0c0c));
}

/// Sub-block j's scale of each row: as an int32 lane (wide), or twice as int16 (for vpmaddwd).
X8_AVX2 static X8_INLINE __m256i q4Kx8_scale32(const q4Kx8_scales *s, int j) {
    return _mm256_shuffle_epi8(j < 4 ? s->sc_lo : s->sc_hi, lane_bytes(j % 4, -1, -1, -1));
}
X8_AVX2 static X8_INLINE __m256i q4Kx8_scale16(const q4Kx8_scales *s, int j) {
    return _mm256_shuffle_epi8(j < 4 ? s->sc_lo : s->sc_hi, lane_bytes(j % 4, -1, j % 4, -1));
}

/// The block's minimum term for one activation row: lane r = sum_j mn[r][j] * (sum of the
/// activations of sub-block j), the sub-block sums being pairs of Q8_K's 16-element sums.
X8_AVX2 static X8_INLINE __m256i q4Kx8_min_term(const __m256i mn[4], const block_q8K *a) {
    const __m128i s = _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)a->bsums), _mm_loadu_si128((const __m128i *)(a->bsums + 8)));
    const __m256i sb = _mm256_broadcastsi128_si256(s);
    __m256i t = _mm256_madd_epi16(mn[0], _mm256_shuffle_epi32(sb, 0x00));
    t = _mm256_add_epi32(t, _mm256_madd_epi16(mn[1], _mm256_shuffle_epi32(sb, 0x55)));
    t = _mm256_add_epi32(t, _mm256_madd_epi16(mn[2], _mm256_shuffle_epi32(sb, 0xAA)));
    return _mm256_add_epi32(t, _mm256_madd_epi16(mn[3], _mm256_shuffle_epi32(sb, 0xFF)));
}

/// Q6_K's offset term for one activation row: lane r = sum_g sc[r][g] * bsums[g] (the quants
/// stand for u - 32, so the block's sum is sum(u * a * sc) - 32 times this).
/// (The scale pairs are loaded where they are used rather than held in registers.)
X8_AVX2 static X8_INLINE __m256i q6Kx8_scale_pairs(const block_q6_Kx8 *b, int m) {
    return _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)b->sc[m]));
}

X8_AVX2 static X8_INLINE __m256i q6Kx8_offset_term(const block_q6_Kx8 *b, const block_q8K *a) {
    const __m256i bs = _mm256_loadu_si256((const __m256i *)a->bsums);
    __m256i t = _mm256_setzero_si256();
    for (int m = 0; m < 8; m++)
        t = _mm256_add_epi32(t, _mm256_madd_epi16(q6Kx8_scale_pairs(b, m), _mm256_permutevar8x32_epi32(bs, _mm256_set1_epi32(m))));
    return t;
}

/// The end of a Q4_K block for each of T activation rows: the block's integer sums times d_w d_a,
/// less the minimum term times dmin_w d_a, into the float accumulators.
X8_AVX2 static X8_INLINE void q4Kx8_block_end(const block_q4_Kx8 *b, const q4Kx8_scales *s, const block_q8K *y, int nb,
                                              int i, const int T, const __m256i *isum, __m256 *acc) {
    // Minimums of sub-blocks 2p and 2p + 1 as an int16 pair in each row's lane.
    __m256i mn[4];
    for (int p = 0; p < 4; p++) mn[p] = _mm256_shuffle_epi8(p < 2 ? s->mn_lo : s->mn_hi, lane_bytes(2 * (p % 2), -1, 2 * (p % 2) + 1, -1));
    const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)b->d));
    const __m256 dm = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)b->dmin));
    for (int t = 0; t < T; t++) {
        const block_q8K *a = &y[(size_t)t * nb + i];
        const __m256 da = _mm256_set1_ps(a->d);
        acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(d, da), _mm256_cvtepi32_ps(isum[t]), acc[t]);
        acc[t] = _mm256_fnmadd_ps(_mm256_mul_ps(dm, da), _mm256_cvtepi32_ps(q4Kx8_min_term(mn, a)), acc[t]);
    }
}

/// The end of a Q6_K block: (sums - 32 * offset term) times d_w d_a, into the accumulators.
X8_AVX2 static X8_INLINE void q6Kx8_block_end(const block_q6_Kx8 *b, const block_q8K *y, int nb, int i, const int T,
                                              const __m256i *isum, __m256 *acc) {
    const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)b->d));
    for (int t = 0; t < T; t++) {
        const block_q8K *a = &y[(size_t)t * nb + i];
        const __m256i v = _mm256_sub_epi32(isum[t], _mm256_slli_epi32(q6Kx8_offset_term(b, a), 5));
        acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(d, _mm256_set1_ps(a->d)), _mm256_cvtepi32_ps(v), acc[t]);
    }
}

// The four 6-bit quant registers of (h, k): 8 rows x 4 elements each, at element offsets
// 128h + 4k + 0, 32, 64, 96.
#define Q6X8_UNPACK(b, h, k, w)                                                                        \
    const __m256i la = _mm256_loadu_si256((const __m256i *)(b)->q[h][k][0]);                              \
    const __m256i lb = _mm256_loadu_si256((const __m256i *)(b)->q[h][k][1]);                              \
    const __m256i hb = _mm256_loadu_si256((const __m256i *)(b)->q[h][k][2]);                              \
    w[0] = _mm256_or_si256(_mm256_and_si256(la, m4), _mm256_and_si256(_mm256_slli_epi16(hb, 4), m30));   \
    w[1] = _mm256_or_si256(_mm256_and_si256(lb, m4), _mm256_and_si256(_mm256_slli_epi16(hb, 2), m30));   \
    w[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(la, 4), m4), _mm256_and_si256(hb, m30));   \
    w[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(lb, 4), m4), _mm256_and_si256(_mm256_srli_epi16(hb, 2), m30));

// Q4_K with VNNI: vpdpbusd sums four u8 x s8 products into each row's lane.
X8_VNNI static X8_INLINE void q4Kx8_vnni_tile(const block_q4_Kx8 *x, const block_q8K *y, int nb, const int T, const int first, float *out) {
    const __m256i m4 = _mm256_set1_epi8(0xF);
    __m256 acc[4];
    for (int t = 0; t < T; t++) acc[t] = _mm256_setzero_ps();
    for (int i = 0; i < nb; i++) {
        const block_q4_Kx8 *b = x + i;
        if (first) prefetch_block(b, sizeof *b);
        const q4Kx8_scales sc = q4Kx8_unpack_scales(b);
        __m256i isum[4];
        for (int t = 0; t < T; t++) isum[t] = _mm256_setzero_si256();
        for (int p = 0; p < 4; p++) {
            // A single token (decode) takes even and odd steps in separate accumulators: two
            // dependency chains of vpdpbusd per sub-block instead of one.
            const int S = T == 1 ? 2 : 1;
            __m256i lo[2][4], hi[2][4];
            for (int e = 0; e < S; e++)
                for (int t = 0; t < T; t++) { lo[e][t] = _mm256_setzero_si256(); hi[e][t] = _mm256_setzero_si256(); }
            for (int k = 0; k < 8; k++) {
                const __m256i w = _mm256_loadu_si256((const __m256i *)b->qs[p][k]);
                const __m256i wl = _mm256_and_si256(w, m4), wh = _mm256_and_si256(_mm256_srli_epi16(w, 4), m4);
                for (int t = 0; t < T; t++) {
                    const int8_t *a = y[(size_t)t * nb + i].qs + 64 * p + 4 * k;
                    lo[k % S][t] = _mm256_dpbusd_epi32(lo[k % S][t], wl, _mm256_set1_epi32(load_i32(a)));
                    hi[k % S][t] = _mm256_dpbusd_epi32(hi[k % S][t], wh, _mm256_set1_epi32(load_i32(a + 32)));
                }
            }
            if (S == 2)
                for (int t = 0; t < T; t++) { lo[0][t] = _mm256_add_epi32(lo[0][t], lo[1][t]); hi[0][t] = _mm256_add_epi32(hi[0][t], hi[1][t]); }
            const __m256i s0 = q4Kx8_scale32(&sc, 2 * p), s1 = q4Kx8_scale32(&sc, 2 * p + 1);
            for (int t = 0; t < T; t++)
                isum[t] = _mm256_add_epi32(isum[t], _mm256_add_epi32(_mm256_mullo_epi32(lo[0][t], s0), _mm256_mullo_epi32(hi[0][t], s1)));
        }
        q4Kx8_block_end(b, &sc, y, nb, i, T, isum, acc);
    }
    for (int t = 0; t < T; t++) _mm256_storeu_ps(out + 8 * t, acc[t]);
}

// Q4_K with AVX2: vpmaddubsw's 16-bit pair sums add up over a sub-block's eight steps without
// overflow (8 * 2 * 15 * 127 < 32768), then one vpmaddwd applies the scales (each twice, for the
// two 16-bit lanes of a row).
X8_AVX2 static X8_INLINE void q4Kx8_avx2_tile(const block_q4_Kx8 *x, const block_q8K *y, int nb, const int T, const int first, float *out) {
    const __m256i m4 = _mm256_set1_epi8(0xF);
    __m256 acc[4];
    for (int t = 0; t < T; t++) acc[t] = _mm256_setzero_ps();
    for (int i = 0; i < nb; i++) {
        const block_q4_Kx8 *b = x + i;
        if (first) prefetch_block(b, sizeof *b);
        const q4Kx8_scales sc = q4Kx8_unpack_scales(b);
        __m256i isum[4];
        for (int t = 0; t < T; t++) isum[t] = _mm256_setzero_si256();
        for (int p = 0; p < 4; p++) {
            __m256i lo[4], hi[4];
            for (int t = 0; t < T; t++) { lo[t] = _mm256_setzero_si256(); hi[t] = _mm256_setzero_si256(); }
            for (int k = 0; k < 8; k++) {
                const __m256i w = _mm256_loadu_si256((const __m256i *)b->qs[p][k]);
                const __m256i wl = _mm256_and_si256(w, m4), wh = _mm256_and_si256(_mm256_srli_epi16(w, 4), m4);
                for (int t = 0; t < T; t++) {
                    const int8_t *a = y[(size_t)t * nb + i].qs + 64 * p + 4 * k;
                    lo[t] = _mm256_add_epi16(lo[t], _mm256_maddubs_epi16(wl, _mm256_set1_epi32(load_i32(a))));
                    hi[t] = _mm256_add_epi16(hi[t], _mm256_maddubs_epi16(wh, _mm256_set1_epi32(load_i32(a + 32))));
                }
            }
            const __m256i sc0 = q4Kx8_scale16(&sc, 2 * p), sc1 = q4Kx8_scale16(&sc, 2 * p + 1);
            for (int t = 0; t < T; t++)
                isum[t] = _mm256_add_epi32(isum[t], _mm256_add_epi32(_mm256_madd_epi16(lo[t], sc0), _mm256_madd_epi16(hi[t], sc1)));
        }
        q4Kx8_block_end(b, &sc, y, nb, i, T, isum, acc);
    }
    for (int t = 0; t < T; t++) _mm256_storeu_ps(out + 8 * t, acc[t]);
}

/// The signed scale of group 8h + 2q + e of each row, as an int32 lane.
X8_AVX2 static X8_INLINE __m256i q6Kx8_group_scale(const block_q6_Kx8 *b, int h, int q, int e) {
    const __m256i sp = q6Kx8_scale_pairs(b, 4 * h + q);
    return e ? _mm256_srai_epi32(sp, 16) : _mm256_srai_epi32(_mm256_slli_epi32(sp, 16), 16);
}

/// One Q6_K block against one token, unrolled whole: the four quarter sums of each (half, step
/// range) fit in registers, and with no loop left every address is a constant offset (measured
/// with weights streamed from memory: 1.3-1.6x the rolled loop, which clang leaves rolled; fully
/// unrolled, several tokens spill and are slower, so they keep the loop below).
X8_VNNI static X8_INLINE __m256i q6Kx8_vnni_block1(const block_q6_Kx8 *b, const int8_t *a) {
    const __m256i m4 = _mm256_set1_epi8(0xF), m30 = _mm256_set1_epi8(0x30);
    __m256i isum = _mm256_setzero_si256();
    X8_UNROLL
    for (int h = 0; h < 2; h++) {
        X8_UNROLL
        for (int e = 0; e < 2; e++) {
            __m256i s[4];
            X8_UNROLL
            for (int q = 0; q < 4; q++) s[q] = _mm256_setzero_si256();
            X8_UNROLL
            for (int k = 4 * e; k < 4 * e + 4; k++) {
                __m256i w[4];
                Q6X8_UNPACK(b, h, k, w)
                X8_UNROLL
                for (int q = 0; q < 4; q++)
                    s[q] = _mm256_dpbusd_epi32(s[q], w[q], _mm256_set1_epi32(load_i32(a + 128 * h + 4 * k + 32 * q)));
            }
            X8_UNROLL
            for (int q = 0; q < 4; q++) isum = _mm256_add_epi32(isum, _mm256_mullo_epi32(s[q], q6Kx8_group_scale(b, h, q, e)));
        }
    }
    return isum;
}

// Q6_K with VNNI: per (half, group pair) four accumulators, one per 32-element quarter, each
// summing a 16-element group over four steps before its scale is applied.
X8_VNNI static X8_INLINE void q6Kx8_vnni_tile(const block_q6_Kx8 *x, const block_q8K *y, int nb, const int T, const int first, float *out) {
    const __m256i m4 = _mm256_set1_epi8(0xF), m30 = _mm256_set1_epi8(0x30);
    __m256 acc[4];
    for (int t = 0; t < T; t++) acc[t] = _mm256_setzero_ps();
    for (int i = 0; i < nb; i++) {
        const block_q6_Kx8 *b = x + i;
        __m256i isum[4];
        if (first) prefetch_block(b, sizeof *b);
        if (T == 1) {
            isum[0] = q6Kx8_vnni_block1(b, y[i].qs);
            q6Kx8_block_end(b, y, nb, i, 1, isum, acc);
            continue;
        }
        for (int t = 0; t < T; t++) isum[t] = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++) {
            for (int e = 0; e < 2; e++) {
                __m256i s[4][4];
                for (int q = 0; q < 4; q++) for (int t = 0; t < T; t++) s[q][t] = _mm256_setzero_si256();
                for (int k = 4 * e; k < 4 * e + 4; k++) {
                    __m256i w[4];
                    Q6X8_UNPACK(b, h, k, w)
                    for (int t = 0; t < T; t++) {
                        const int8_t *a = y[(size_t)t * nb + i].qs + 128 * h + 4 * k;
                        for (int q = 0; q < 4; q++)
                            s[q][t] = _mm256_dpbusd_epi32(s[q][t], w[q], _mm256_set1_epi32(load_i32(a + 32 * q)));
                    }
                }
                // Quarter q of half h, step range e: group 8h + 2q + e, i.e. pair 4h + q, element e.
                for (int q = 0; q < 4; q++) {
                    const __m256i sg = q6Kx8_group_scale(b, h, q, e);
                    for (int t = 0; t < T; t++) isum[t] = _mm256_add_epi32(isum[t], _mm256_mullo_epi32(s[q][t], sg));
                }
            }
        }
        q6Kx8_block_end(b, y, nb, i, T, isum, acc);
    }
    for (int t = 0; t < T; t++) _mm256_storeu_ps(out + 8 * t, acc[t]);
}

/// The 16-bit scale pairs of group pairs 4h .. 4h + 3, each scale in both 16-bit lanes of a row
/// (element e of each pair: the group of the step range e).
static const int8_t q6_even_pairs[32] = {0, 1, 0, 1, 4, 5, 4, 5, 8, 9, 8, 9, 12, 13, 12, 13, 0, 1, 0, 1, 4, 5, 4, 5, 8, 9, 8, 9, 12, 13, 12, 13};
static const int8_t q6_odd_pairs[32] = {2, 3, 2, 3, 6, 7, 6, 7, 10, 11, 10, 11, 14, 15, 14, 15, 2, 3, 2, 3, 6, 7, 6, 7, 10, 11, 10, 11, 14, 15, 14, 15};

X8_AVX2 static X8_INLINE void q6Kx8_avx2_scales(const block_q6_Kx8 *b, int h, int e, __m256i sg[4]) {
    const __m256i pick = _mm256_loadu_si256((const __m256i *)(e ? q6_odd_pairs : q6_even_pairs));
    for (int q = 0; q < 4; q++) sg[q] = _mm256_shuffle_epi8(q6Kx8_scale_pairs(b, 4 * h + q), pick);
}

/// One Q6_K block against one token with AVX2, unrolled whole (as q6Kx8_vnni_block1, and for
/// the same measured reason: 1.2x the rolled loop from memory; several tokens keep the loop).
X8_AVX2 static X8_INLINE __m256i q6Kx8_avx2_block1(const block_q6_Kx8 *b, const int8_t *a) {
    const __m256i m4 = _mm256_set1_epi8(0xF), m30 = _mm256_set1_epi8(0x30);
    __m256i isum = _mm256_setzero_si256();
    X8_UNROLL
    for (int h = 0; h < 2; h++) {
        X8_UNROLL
        for (int e = 0; e < 2; e++) {
            __m256i sg[4];
            q6Kx8_avx2_scales(b, h, e, sg);
            X8_UNROLL
            for (int k = 4 * e; k < 4 * e + 4; k += 2) {
                __m256i w0[4], w1[4];
                { Q6X8_UNPACK(b, h, k, w0) }
                { Q6X8_UNPACK(b, h, k + 1, w1) }
                const int8_t *ak = a + 128 * h + 4 * k;
                X8_UNROLL
                for (int q = 0; q < 4; q++) {
                    const __m256i p = _mm256_add_epi16(_mm256_maddubs_epi16(w0[q], _mm256_set1_epi32(load_i32(ak + 32 * q))),
                                                       _mm256_maddubs_epi16(w1[q], _mm256_set1_epi32(load_i32(ak + 4 + 32 * q))));
                    isum = _mm256_add_epi32(isum, _mm256_madd_epi16(p, sg[q]));
                }
            }
        }
    }
    return isum;
}

// Q6_K with AVX2: pair sums of two steps (|.| <= 4 * 63 * 127) meet their group's scale
// (vpmaddwd with the scale in both 16-bit lanes of a row), straight into the block's sums.
X8_AVX2 static X8_INLINE void q6Kx8_avx2_tile(const block_q6_Kx8 *x, const block_q8K *y, int nb, const int T, const int first, float *out) {
    const __m256i m4 = _mm256_set1_epi8(0xF), m30 = _mm256_set1_epi8(0x30);
    __m256 acc[4];
    for (int t = 0; t < T; t++) acc[t] = _mm256_setzero_ps();
    for (int i = 0; i < nb; i++) {
        const block_q6_Kx8 *b = x + i;
        __m256i isum[4];
        if (first) prefetch_block(b, sizeof *b);
        if (T == 1) {
            isum[0] = q6Kx8_avx2_block1(b, y[i].qs);
            q6Kx8_block_end(b, y, nb, i, 1, isum, acc);
            continue;
        }
        for (int t = 0; t < T; t++) isum[t] = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++) {
            for (int e = 0; e < 2; e++) {
                __m256i sg[4];
                q6Kx8_avx2_scales(b, h, e, sg);
                // Two steps' pair sums add up in 16 bits (<= 2 * 2 * 63 * 127) before the scale.
                for (int k = 4 * e; k < 4 * e + 4; k += 2) {
                    __m256i w0[4], w1[4];
                    { Q6X8_UNPACK(b, h, k, w0) }
                    { Q6X8_UNPACK(b, h, k + 1, w1) }
                    for (int t = 0; t < T; t++) {
                        const int8_t *a = y[(size_t)t * nb + i].qs + 128 * h + 4 * k;
                        for (int q = 0; q < 4; q++) {
                            const __m256i p = _mm256_add_epi16(_mm256_maddubs_epi16(w0[q], _mm256_set1_epi32(load_i32(a + 32 * q))),
                                                               _mm256_maddubs_epi16(w1[q], _mm256_set1_epi32(load_i32(a + 4 + 32 * q))));
                            isum[t] = _mm256_add_epi32(isum[t], _mm256_madd_epi16(p, sg[q]));
                        }
                    }
                }
            }
        }
        q6Kx8_block_end(b, y, nb, i, T, isum, acc);
    }
    for (int t = 0; t < T; t++) _mm256_storeu_ps(out + 8 * t, acc[t]);
}

IK_TILED_ROWS(q4Kx8_vnni, block_q4_Kx8, X8_VNNI, 8)
IK_TILED_ROWS(q4Kx8_avx2, block_q4_Kx8, X8_AVX2, 8)
IK_TILED_ROWS(q6Kx8_vnni, block_q6_Kx8, X8_VNNI, 8)
IK_TILED_ROWS(q6Kx8_avx2, block_q6_Kx8, X8_AVX2, 8)
#endif

void ik_x8_dot_rows(int type, int level, const void *group, const block_q8K *y, int nb, int ntok, float *out) {
#ifdef X8_X86
    if (level >= IK_LEVEL_VNNI) {
        if (type == IK_Q4_K_X8) { q4Kx8_vnni_rows(group, y, nb, ntok, out); return; }
        if (type == IK_Q6_K_X8) { q6Kx8_vnni_rows(group, y, nb, ntok, out); return; }
    } else if (level >= IK_LEVEL_AVX2) {
        if (type == IK_Q4_K_X8) { q4Kx8_avx2_rows(group, y, nb, ntok, out); return; }
        if (type == IK_Q6_K_X8) { q6Kx8_avx2_rows(group, y, nb, ntok, out); return; }
    }
#endif
    // Portable: each row back in the file layout, through kquants.c's reference dot products.
    const int base = ik_interleaved_base(type);
    uint8_t row[(size_t)nb * IK_X8_MAX_BASE_BLOCK];
    float res[ntok];
    for (int r = 0; r < 8; r++) {
        ik_x8_extract_row(type, group, r, nb, row);
        ik_kquant_dot_rows(base, 0, row, y, nb, ntok, res);
        for (int t = 0; t < ntok; t++) out[8 * t + r] = res[t];
    }
}
