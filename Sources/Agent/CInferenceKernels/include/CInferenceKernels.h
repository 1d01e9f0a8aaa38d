// C kernels for Forager's Inference engine: dequantization of ggml block formats, quantized dot
// products (AVX2/FMA when the CPU has them, chosen at run time, with a portable fallback), a
// spinning thread pool and the parallel operators the transformer needs.
#ifndef C_INFERENCE_KERNELS_H
#define C_INFERENCE_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// ggml type ids (the values stored in GGUF files).
enum {
    IK_F32 = 0, IK_F16 = 1, IK_Q4_0 = 2, IK_Q4_1 = 3, IK_Q8_0 = 8,
    IK_Q4_K = 12, IK_Q5_K = 13, IK_Q6_K = 14, IK_BF16 = 30,
    // Forager's row-interleaved layouts of Q4_K and Q6_K (kquants_x8.c), made when a model loads:
    // eight rows' blocks at each block index stored together for the eight-row kernels.
    IK_Q4_K_X8 = 112, IK_Q6_K_X8 = 114,
};

/// Elements per block and bytes per block of a ggml type (0 when unsupported).
int ik_block_size(int type);
int ik_block_bytes(int type);

/// Converts `n` elements of `type` starting at `src` (which must start on a block) to floats.
void ik_dequantize(int type, const void *src, float *dst, int64_t n);

/// Converts `rows` rows of `cols` elements of `src_type` to Q8_0 blocks (ggml's reference rounding).
void ik_quantize_q8_0_rows(int src_type, const void *src, int rows, int cols, void *dst);

float ik_fp16_to_fp32(uint16_t h);
uint16_t ik_fp32_to_fp16(float f);

/// 1 when the AVX2+FMA+F16C kernels are in use; `ik_force_portable(1)` switches them off for the
/// calling thread (tests; use a one-thread pool).
int ik_has_avx2(void);
void ik_force_portable(int on);

/// 1 when the CPU has AVX-512 VNNI (with VL and BW) and the interleaved K-quant kernels use its
/// vpdpbusd on 256-bit registers; `ik_force_no_vnni(1)` keeps the calling thread on AVX2 (tests).
int ik_has_vnni(void);
void ik_force_no_vnni(int on);

/// The kernels the calling thread's matmuls use, decided once per matmul.
enum { IK_LEVEL_PORTABLE = 0, IK_LEVEL_AVX2 = 1, IK_LEVEL_VNNI = 2 };
int ik_cpu_level(void);

// ---- interleaved K-quant matrices ----------------------------------------------------------
/// The interleaved type of a file type (IK_Q4_K -> IK_Q4_K_X8, IK_Q6_K -> IK_Q6_K_X8), else -1.
int ik_interleaved_type(int type);
/// Bytes of the interleaved copy of a `rows` x `cols` matrix of `type`; 0 when it has none
/// (rows not a multiple of 8, cols not of 256, or another type).
size_t ik_interleaved_bytes(int type, int rows, int cols);
/// Writes the interleaved copy of row groups group0 ..< group1 (eight rows each) of `src` into
/// `dst` (ik_interleaved_bytes long); returns -1 when the matrix has no interleaved form.
int ik_interleave_rows(int type, const void *src, int rows, int cols, void *dst, int group0, int group1);

// ---- thread pool ----------------------------------------------------------------------------
typedef struct ik_pool ik_pool;
typedef void (*ik_task_fn)(void *ctx, int ith, int nth);
ik_pool *ik_pool_create(int nthreads);
void ik_pool_destroy(ik_pool *pool);
int ik_pool_threads(const ik_pool *pool);
/// Runs fn(ctx, i, n) for i in 0..<n, the caller taking i = 0, and returns when all are done.
void ik_pool_run(ik_pool *pool, ik_task_fn fn, void *ctx);

// ---- operators --------------------------------------------------------------------------------
/// Matmuls meet the activations in one of three ways, chosen by the weight type: Q4_0/Q4_1/Q8_0
/// against activations quantized to 8 bits per 32 (ggml's Q8_0/Q8_1), Q4_K/Q6_K by integer
/// products against 8 bits per 256 (ggml's Q8_K), other types as dequantized rows against floats.

/// Bytes of scratch `ik_matmul` needs for `ntok` activation rows of length `cols`.
size_t ik_matmul_scratch(int wtype, int cols, int ntok, int nthreads);

/// out[t*out_stride + r] = dot(W row r, x[t*cols ...]) for r < rows, t < ntok.
/// W is `rows` rows of `cols` elements of `wtype`, row-major in ggml block layout.
void ik_matmul(ik_pool *pool, int wtype, const void *w, int rows, int cols,
               const float *x, int ntok, float *out, int out_stride, void *scratch);

/// Two matrices of the same shape and type applied to the same input in one parallel pass
/// (gate and up projections), sharing the activation quantization.
void ik_matmul2(ik_pool *pool, int wtype, const void *w1, const void *w2, int rows, int cols,
                const float *x, int ntok, float *out1, float *out2, void *scratch);

/// Three matrices of the same row length (Q, K, V) applied to the same input, in one parallel pass
/// sharing the activation quantization when their types allow (e.g. Q4_K beside Q6_K).
void ik_matmul3(ik_pool *pool, int wtype1, const void *w1, int rows1, int wtype2, const void *w2, int rows2,
                int wtype3, const void *w3, int rows3, int cols, const float *x, int ntok,
                float *out1, float *out2, float *out3, void *scratch);

/// 1: the calling thread's matmuls take K-quant weights (Q4_K, Q6_K) on the old path, each row
/// dequantized to floats against float activations, instead of the integer Q8_K kernels (tests).
void ik_force_float_kquants(int on);

void ik_rmsnorm(const float *x, const float *weight, float *out, int n, float eps);

/// Rotary embedding (NeoX = 0: adjacent pairs, as llama.cpp's LLaMA path after its GGUF
/// conversion permutes Q/K; NeoX = 1: halves, as Hugging Face checkpoints).
/// cos_t / sin_t hold head_dim/2 values of cos(pos * freq_i) and sin(pos * freq_i).
void ik_rope(float *x, int nheads, int head_dim, const float *cos_t, const float *sin_t, int neox);

/// Causal (optionally windowed) attention of `ntok` queries at positions pos0..pos0+ntok-1 over
/// a KV cache of F16 rows. Slot of position p: p % cache_len. Keys at positions > p - window are
/// visited (window <= 0: all). q: ntok x n_head x head_dim; out: same shape.
void ik_attention(ik_pool *pool, const float *q, const uint16_t *kcache, const uint16_t *vcache,
                  int cache_len, int ntok, int pos0, int n_head, int n_kv_head, int head_dim,
                  int window, float scale, float *out, float *scratch);
/// Floats of scratch ik_attention needs.
size_t ik_attention_scratch(int cache_len, int nthreads, int n_head, int head_dim);

/// Stores ntok rows of `width` floats as F16 rows in the cache at slots (pos0+t) % cache_len.
void ik_store_kv(uint16_t *cache, int cache_len, int width, const float *src, int ntok, int pos0);

void ik_swiglu(float *gate, const float *up, int n);

#ifdef __cplusplus
}
#endif
#endif
