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

int ik_is_interleaved(int type);
/// IK_Q4_K for IK_Q4_K_X8, IK_Q6_K for IK_Q6_K_X8, else -1.
int ik_interleaved_base(int type);
/// Bytes of one group of eight interleaved rows of `cols` elements.
size_t ik_x8_group_bytes(int type, int cols);
/// Bytes of the largest base block (Q6_K's), for buffers that hold a row put back in the file layout.
enum { IK_X8_MAX_BASE_BLOCK = sizeof(block_q6_K) };
/// Row r (< 8) of an interleaved group in the file layout of its base type (nb blocks).
void ik_x8_extract_row(int type, const void *group, int r, int nb, void *dst);
/// out[8t + r] = dot(row r of the interleaved group, activation row y + t * nb), t < ntok.
void ik_x8_dot_rows(int type, int level, const void *group, const block_q8K *y, int nb, int ntok, float *out);

/// NAME##_rows(w, y, nb, ntok, out): NAME##_tile(x, y, nb, T, first, out) over the activation rows
/// in tiles of four, then one tile of the remaining one to three (T a constant in each call, so
/// each tile is compiled for its size). A tile's outputs for its T rows take OUT_STEP floats per
/// row. `first` is 1 for the first tile only: the later ones read the same weights again, from
/// cache, so a tile that prefetches its weights does it in the first.
#define IK_TILED_ROWS(NAME, BLOCK, ATTR, OUT_STEP)                                                      \
ATTR static void NAME##_rows(const void *w, const block_q8K *y, int nb, int ntok, float *out) {         \
    const BLOCK *x = w;                                                                                 \
    int t = 0;                                                                                          \
    for (; t + 4 <= ntok; t += 4) NAME##_tile(x, y + (size_t)t * nb, nb, 4, t == 0, out + (OUT_STEP) * t); \
    switch (ntok - t) {                                                                                 \
    case 3: NAME##_tile(x, y + (size_t)t * nb, nb, 3, t == 0, out + (OUT_STEP) * t); break;             \
    case 2: NAME##_tile(x, y + (size_t)t * nb, nb, 2, t == 0, out + (OUT_STEP) * t); break;             \
    case 1: NAME##_tile(x, y + (size_t)t * nb, nb, 1, t == 0, out + (OUT_STEP) * t); break;             \
    default: break;                                                                                     \
    }                                                                                                   \
}

#endif
