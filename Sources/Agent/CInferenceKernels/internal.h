#ifndef IK_INTERNAL_H
#define IK_INTERNAL_H
#include "CInferenceKernels.h"

typedef struct { uint16_t d; uint8_t qs[16]; } block_q4_0;
typedef struct { uint16_t d, m; uint8_t qs[16]; } block_q4_1;
typedef struct { uint16_t d; int8_t qs[32]; } block_q8_0;
typedef struct { uint16_t d, dmin; uint8_t scales[12]; uint8_t qs[128]; } block_q4_K;
typedef struct { uint16_t d, dmin; uint8_t scales[12]; uint8_t qh[32]; uint8_t qs[128]; } block_q5_K;
typedef struct { uint8_t ql[128]; uint8_t qh[64]; int8_t scales[16]; uint16_t d; } block_q6_K;

_Static_assert(sizeof(block_q4_0) == 18, "q4_0");
_Static_assert(sizeof(block_q4_1) == 20, "q4_1");
_Static_assert(sizeof(block_q8_0) == 34, "q8_0");
_Static_assert(sizeof(block_q4_K) == 144, "q4_K");
_Static_assert(sizeof(block_q5_K) == 176, "q5_K");
_Static_assert(sizeof(block_q6_K) == 210, "q6_K");

/// Activations quantized to 8 bits per 32-block, as ggml's Q8_0 / Q8_1 (d and s kept as floats
/// holding fp16-rounded values, so products match ggml's).
typedef struct { float d; float s; int8_t qs[32]; } block_q8a;

/// Activations quantized to 8 bits per 256-block for the K-quant dot products, as ggml's Q8_K:
/// d = -max/127 for the element of largest magnitude, qs in [-127, 127], and bsums the sums of each
/// 16 consecutive qs (so a weight format's minimums or offsets cost one multiply per 16 elements).
typedef struct { float d; int8_t qs[256]; int16_t bsums[16]; } block_q8K;
_Static_assert(sizeof(block_q8K) == 292, "q8_K");

/// Converts n floats (a multiple of 256) to Q8_K blocks; avx2 selects the vector code.
void ik_quantize_q8K(const float *x, block_q8K *y, int n, int avx2);

/// 1 for the K-quant weight types that have integer dot products against Q8_K.
int ik_kquant_has_int_dot(int type);

/// out[t] = dot(weight row w, activation row y + t * nb) for t < ntok (any ntok >= 1), in one pass
/// over the row's blocks, each unpacked once for up to four activation rows. nb: 256-blocks per row.
void ik_kquant_dot_rows(int type, int avx2, const void *w, const block_q8K *y, int nb, int ntok, float *out);

/// Kernel levels, decided once per matmul by the calling thread.
enum { IK_LEVEL_PORTABLE = 0, IK_LEVEL_AVX2 = 1, IK_LEVEL_VNNI = 2 };
int ik_cpu_level(void);

int ik_is_interleaved(int type);
/// IK_Q4_K for IK_Q4_K_X8, IK_Q6_K for IK_Q6_K_X8, else -1.
int ik_interleaved_base(int type);
/// Bytes of one group of eight interleaved rows of `cols` elements.
size_t ik_x8_group_bytes(int type, int cols);
/// Row r (< 8) of an interleaved group in the file layout of its base type (nb blocks).
void ik_x8_extract_row(int type, const void *group, int r, int nb, void *dst);
/// out[8t + r] = dot(row r of the interleaved group, activation row y + t * nb), t < ntok.
void ik_x8_dot_rows(int type, int level, const void *group, const block_q8K *y, int nb, int ntok, float *out);

#include <string.h>
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

#endif
