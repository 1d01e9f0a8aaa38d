// Block layouts follow ggml's definitions (ggml-common.h): little-endian, fp16 scales.
#include "internal.h"
#include <string.h>
#include <math.h>
#include <stdlib.h>

float ik_fp16_to_fp32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff, bits;
    if (exp == 0) {
        if (mant == 0) { bits = sign; }
        else { // subnormal: normalize
            int e = -1;
            do { e++; mant <<= 1; } while ((mant & 0x400) == 0);
            bits = sign | ((uint32_t)(127 - 15 - e) << 23) | ((mant & 0x3ff) << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000 | (mant << 13);
    } else {
        bits = sign | ((exp + 112) << 23) | (mant << 13);
    }
    float f; memcpy(&f, &bits, 4); return f;
}

uint16_t ik_fp32_to_fp16(float f) {
    // Round to nearest even, as the F16C instruction and ggml's scalar fallback do.
    uint32_t x; memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000;
    uint32_t ax = x & 0x7fffffff;
    if (ax >= 0x7f800000) return (uint16_t)(sign | 0x7c00 | (ax > 0x7f800000 ? 0x200 : 0));
    if (ax >= 0x477ff000) return (uint16_t)(sign | 0x7c00); // overflow to inf
    if (ax < 0x38800000) { // subnormal half
        float af; memcpy(&af, &ax, 4);
        uint32_t m = (uint32_t)lrintf(af * 16777216.0f); // 2^24
        return (uint16_t)(sign | m);
    }
    uint32_t r = ax + 0xfff + ((ax >> 13) & 1);
    return (uint16_t)(sign | ((r - 0x38000000) >> 13));
}

static inline float bf16_to_fp32(uint16_t h) { uint32_t b = (uint32_t)h << 16; float f; memcpy(&f, &b, 4); return f; }

int ik_block_size(int type) {
    switch (type) {
    case IK_F32: case IK_F16: case IK_BF16: return 1;
    case IK_Q4_0: case IK_Q4_1: case IK_Q8_0: return 32;
    case IK_Q4_K: case IK_Q5_K: case IK_Q6_K: return 256;
    default: return 0;
    }
}

int ik_block_bytes(int type) {
    switch (type) {
    case IK_F32: return 4;
    case IK_F16: case IK_BF16: return 2;
    case IK_Q4_0: return (int)sizeof(block_q4_0);
    case IK_Q4_1: return (int)sizeof(block_q4_1);
    case IK_Q8_0: return (int)sizeof(block_q8_0);
    case IK_Q4_K: return (int)sizeof(block_q4_K);
    case IK_Q5_K: return (int)sizeof(block_q5_K);
    case IK_Q6_K: return (int)sizeof(block_q6_K);
    default: return 0;
    }
}

static inline void scale_min_k4(int j, const uint8_t *q, uint8_t *d, uint8_t *m) {
    if (j < 4) { *d = q[j] & 63; *m = q[j + 4] & 63; }
    else { *d = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4); *m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4); }
}

void ik_dequantize(int type, const void *src, float *y, int64_t n) {
    switch (type) {
    case IK_F32: memcpy(y, src, (size_t)n * 4); return;
    case IK_F16: { const uint16_t *s = src; for (int64_t i = 0; i < n; i++) y[i] = ik_fp16_to_fp32(s[i]); return; }
    case IK_BF16: { const uint16_t *s = src; for (int64_t i = 0; i < n; i++) y[i] = bf16_to_fp32(s[i]); return; }
    case IK_Q4_0: {
        const block_q4_0 *b = src;
        for (int64_t i = 0; i < n / 32; i++, y += 32) {
            float d = ik_fp16_to_fp32(b[i].d);
            for (int j = 0; j < 16; j++) { y[j] = ((b[i].qs[j] & 0xF) - 8) * d; y[j + 16] = ((b[i].qs[j] >> 4) - 8) * d; }
        }
        return;
    }
    case IK_Q4_1: {
        const block_q4_1 *b = src;
        for (int64_t i = 0; i < n / 32; i++, y += 32) {
            float d = ik_fp16_to_fp32(b[i].d), m = ik_fp16_to_fp32(b[i].m);
            for (int j = 0; j < 16; j++) { y[j] = (b[i].qs[j] & 0xF) * d + m; y[j + 16] = (b[i].qs[j] >> 4) * d + m; }
        }
        return;
    }
    case IK_Q8_0: {
        const block_q8_0 *b = src;
        for (int64_t i = 0; i < n / 32; i++, y += 32) {
            float d = ik_fp16_to_fp32(b[i].d);
            for (int j = 0; j < 32; j++) y[j] = b[i].qs[j] * d;
        }
        return;
    }
    case IK_Q4_K: {
        const block_q4_K *b = src;
        for (int64_t i = 0; i < n / 256; i++) {
            float d = ik_fp16_to_fp32(b[i].d), dmin = ik_fp16_to_fp32(b[i].dmin);
            const uint8_t *q = b[i].qs;
            int is = 0; uint8_t sc, m;
            for (int j = 0; j < 256; j += 64) {
                scale_min_k4(is + 0, b[i].scales, &sc, &m); float d1 = d * sc, m1 = dmin * m;
                scale_min_k4(is + 1, b[i].scales, &sc, &m); float d2 = d * sc, m2 = dmin * m;
                for (int l = 0; l < 32; l++) *y++ = d1 * (q[l] & 0xF) - m1;
                for (int l = 0; l < 32; l++) *y++ = d2 * (q[l] >> 4) - m2;
                q += 32; is += 2;
            }
        }
        return;
    }
    case IK_Q5_K: {
        const block_q5_K *b = src;
        for (int64_t i = 0; i < n / 256; i++) {
            float d = ik_fp16_to_fp32(b[i].d), dmin = ik_fp16_to_fp32(b[i].dmin);
            const uint8_t *ql = b[i].qs, *qh = b[i].qh;
            int is = 0; uint8_t sc, m, u1 = 1, u2 = 2;
            for (int j = 0; j < 256; j += 64) {
                scale_min_k4(is + 0, b[i].scales, &sc, &m); float d1 = d * sc, m1 = dmin * m;
                scale_min_k4(is + 1, b[i].scales, &sc, &m); float d2 = d * sc, m2 = dmin * m;
                for (int l = 0; l < 32; l++) *y++ = d1 * ((ql[l] & 0xF) + (qh[l] & u1 ? 16 : 0)) - m1;
                for (int l = 0; l < 32; l++) *y++ = d2 * ((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
                ql += 32; is += 2; u1 <<= 2; u2 <<= 2;
            }
        }
        return;
    }
    case IK_Q6_K: {
        const block_q6_K *b = src;
        for (int64_t i = 0; i < n / 256; i++) {
            float d = ik_fp16_to_fp32(b[i].d);
            const uint8_t *ql = b[i].ql, *qh = b[i].qh; const int8_t *sc = b[i].scales;
            for (int k = 0; k < 256; k += 128) {
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int8_t q1 = (int8_t)((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                    int8_t q2 = (int8_t)((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                    int8_t q3 = (int8_t)((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                    int8_t q4 = (int8_t)((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                    y[l] = d * sc[is + 0] * q1; y[l + 32] = d * sc[is + 2] * q2;
                    y[l + 64] = d * sc[is + 4] * q3; y[l + 96] = d * sc[is + 6] * q4;
                }
                y += 128; ql += 64; qh += 32; sc += 8;
            }
        }
        return;
    }
    default: return;
    }
}

void ik_quantize_q8_0_rows(int src_type, const void *src, int rows, int cols, void *dst) {
    float *buf = malloc(sizeof(float) * (size_t)cols);
    const size_t src_row = (size_t)cols / ik_block_size(src_type) * ik_block_bytes(src_type);
    block_q8_0 *y = dst;
    for (int r = 0; r < rows; r++) {
        ik_dequantize(src_type, (const uint8_t *)src + (size_t)r * src_row, buf, cols);
        for (int b = 0; b < cols / 32; b++, y++) {
            const float *x = buf + b * 32;
            float amax = 0;
            for (int j = 0; j < 32; j++) { float a = fabsf(x[j]); if (a > amax) amax = a; }
            const float d = amax / 127.0f, id = d != 0.0f ? 1.0f / d : 0.0f;
            y->d = ik_fp32_to_fp16(d);
            for (int j = 0; j < 32; j++) y->qs[j] = (int8_t)roundf(x[j] * id);
        }
    }
    free(buf);
}
