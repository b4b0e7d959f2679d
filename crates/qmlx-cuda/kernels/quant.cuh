// The one place on the device that knows bit widths and code types (spec §3, §5): loading packed
// chunks, unpacking codes, decoding fp codes and per-group scales, plus the parameter structs the
// Rust side fills (keep in sync with src/params.rs).
#pragma once
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <stdint.h>
#include <type_traits>

enum Kind { KIND_AFFINE = 0, KIND_MXFP4 = 1, KIND_MXFP8 = 2, KIND_NVFP4 = 3 };
enum IndexKind { IDX_NONE = 0, IDX_I32 = 1, IDX_I64 = 2, IDX_U32 = 3 };
enum Status { ST_OK = 0, ST_LHS_INDEX = 1, ST_RHS_INDEX = 2, ST_NON_FINITE = 3, ST_GLOBAL_SCALE = 4 };

#define QMLX_MAX_BATCH_DIMS 6

// Maps an output batch position to its (x matrix, w matrix) pair (ops::MatrixSelect on the device).
struct BatchMap {
  long long shape[QMLX_MAX_BATCH_DIMS];
  long long xs[QMLX_MAX_BATCH_DIMS];
  long long ws[QMLX_MAX_BATCH_DIMS];
  const void* lhs;
  const void* rhs;
  long long x_count;
  long long w_count;
  int ndim;
  int lhs_kind;
  int rhs_kind;
  int pad_;
};

struct MatmulParams {
  const void* x;
  const uint32_t* w;
  const void* scales;
  const void* biases;
  const float* global_scale;  // one per w matrix (nvfp4), or null
  void* out;
  uint32_t* status;           // the device's status words (first error wins)
  uint32_t* host_status;      // their mapped pinned host mirror (written only on an error)
  long long m, n, k;
  long long batch;
  long long row_blocks;       // qmv: blocks per output matrix
  BatchMap map;
};

struct ConvertParams {
  const void* src;            // quantize: w; dequantize: packed w
  const void* scales;         // dequantize inputs
  const void* biases;
  const float* global_scale;  // one float (or null)
  void* wq;                   // quantize outputs
  void* scales_out;
  void* biases_out;
  void* out;                  // dequantize output
  uint32_t* status;
  uint32_t* host_status;
  long long rows, cols;
  int kind, bits, group_size, rounding;  // rounding: 0 = gpu, 1 = cpu
};

// ---- scalar types --------------------------------------------------------------------------
template <typename T> __device__ __forceinline__ float to_f32(T v);
template <> __device__ __forceinline__ float to_f32<float>(float v) { return v; }
template <> __device__ __forceinline__ float to_f32<__half>(__half v) { return __half2float(v); }
template <> __device__ __forceinline__ float to_f32<__nv_bfloat16>(__nv_bfloat16 v) { return __bfloat162float(v); }
template <typename T> __device__ __forceinline__ T from_f32(float v);
template <> __device__ __forceinline__ float from_f32<float>(float v) { return v; }
template <> __device__ __forceinline__ __half from_f32<__half>(float v) { return __float2half_rn(v); }
template <> __device__ __forceinline__ __nv_bfloat16 from_f32<__nv_bfloat16>(float v) { return __float2bfloat16_rn(v); }

// ---- element and scale codes ---------------------------------------------------------------
// FP4 E2M1: the code's exponent/mantissa placed at the top of an f32 exponent field is the value
// times 2^-126 (exact, subnormal for code 1), so one shift and one multiply decode it.
__device__ __forceinline__ float fp4_value(uint32_t c) {
  float mag = __uint_as_float((c & 7u) << 22) * 8.507059173023462e37f;  // 2^126
  return (c & 8u) ? -mag : mag;
}
// FP8 E4M3 ("fn"): same trick with a 2^120 factor; 0x7F/0xFF are NaN as in MLX 0.32.4.
__device__ __forceinline__ float fp8_value(uint32_t c) {
  if ((c & 0x7Fu) == 0x7Fu) return __uint_as_float(0x7FC00000u);
  float mag = __uint_as_float((c & 0x7Fu) << 20) * 1.329227995784916e36f;  // 2^120
  return (c & 0x80u) ? -mag : mag;
}
// E8M0: 2^(s-127); byte 0 is 2^-127 (not zero), 255 is +inf (Metal/CPU rule).
__device__ __forceinline__ float e8m0_value(uint32_t s) {
  if (s == 0u) return __uint_as_float(0x00400000u);
  if (s == 255u) return __uint_as_float(0x7F800000u);
  return __uint_as_float(s << 23);
}

template <int KIND> __device__ __forceinline__ float code_value(uint32_t c) {
  if (KIND == KIND_AFFINE) return (float)c;
  else if (KIND == KIND_MXFP8) return fp8_value(c);
  else return fp4_value(c);
}

// Scale of an fp group (the decoded byte times the nvfp4 global factor g/2688, rounded to f32 first).
template <int KIND> __device__ __forceinline__ float fp_group_scale(uint8_t byte, float gfactor) {
  if (KIND == KIND_NVFP4) return fp8_value(byte) * gfactor;
  return e8m0_value(byte);
}

// Bits of one element code, and elements per chunk: a chunk always lies inside one group
// (affine/mx groups are multiples of 32; nvfp4 groups are 16).
template <int KIND, int BITS> struct Fmt {
  static constexpr int kind = KIND;
  static constexpr int bits = BITS;
  static constexpr int chunk = (KIND == KIND_NVFP4) ? 16 : 32;
  static constexpr int chunk_words = chunk * BITS / 32;
};

// Loads the W words of a chunk with the widest aligned vector loads (callers guarantee the base
// pointer is 16-byte aligned; chunk starts are multiples of W words).
template <int W> __device__ __forceinline__ void load_words(const uint32_t* __restrict__ p, uint32_t (&v)[W]) {
  if constexpr (W % 4 == 0) {
#pragma unroll
    for (int i = 0; i < W / 4; ++i) {
      uint4 t = __ldg(reinterpret_cast<const uint4*>(p) + i);
      v[4 * i] = t.x; v[4 * i + 1] = t.y; v[4 * i + 2] = t.z; v[4 * i + 3] = t.w;
    }
  } else if constexpr (W % 2 == 0) {
#pragma unroll
    for (int i = 0; i < W / 2; ++i) {
      uint2 t = __ldg(reinterpret_cast<const uint2*>(p) + i);
      v[2 * i] = t.x; v[2 * i + 1] = t.y;
    }
  } else {
#pragma unroll
    for (int i = 0; i < W; ++i) v[i] = __ldg(p + i);
  }
}

// Code j of a chunk held in registers: an LSB-first bitstream; compile-time positions, so 3/5/6-bit
// codes that straddle words cost one extra shift/or.
template <int BITS, int W> __device__ __forceinline__ uint32_t chunk_code(const uint32_t (&v)[W], int j) {
  const int pos = j * BITS, word = pos >> 5, shift = pos & 31;
  uint32_t c = v[word] >> shift;
  if (shift + BITS > 32) c |= v[word + 1] << (32 - shift);
  return c & ((1u << BITS) - 1u);
}

// Code j of a chunk as the f32 1 + c·2^-BITS: the code is shifted straight into the top mantissa
// bits under the exponent of 1.0 (one shift + one lop3, no int->float convert, no magic subtract).
// Callers undo the offset per group: Σ x·c = 2^BITS·(Σ x·u − Σ x). The product x·u rounds the
// code's contribution to ~2^-22 relative, so only the f16/bf16 paths (floors ≥ 1.5e-3) use it.
template <int BITS, int W> __device__ __forceinline__ float chunk_code_unit(const uint32_t (&v)[W], int j) {
  const int pos = j * BITS, word = pos >> 5, shift = pos & 31, dst = 23 - BITS;
  uint32_t c;
  if (shift + BITS > 32) c = chunk_code<BITS, W>(v, j) << dst;
  else c = shift >= dst ? v[word] >> (shift - dst) : v[word] << (dst - shift);
  return __uint_as_float((c & (((1u << BITS) - 1u) << dst)) | 0x3F800000u);
}

// ---- tensor-core A fragments (mma.sync m16n8k16 / wgmma m64nNk16 register layout) ----------
// A lane holds, per 16-wide K step, the code pairs (2t, 2t+1) and (2t+8, 2t+9) of a row, t = lane % 4
// known only at run time. Codes J+d and J+d+1 of a row held in registers (W words, LSB-first
// bitstream), J known at compile time and d = 2t (≤ 6) at run time: their 2·BITS bits,
// right-aligned. The pair never spans more than two words (checked at compile time), so a run-time
// shift of one word or a 64-bit window replaces run-time register indexing.
template <int BITS, int J, int W> __device__ __forceinline__ uint32_t code_pair_bits(const uint32_t (&v)[W], int d) {
  constexpr int P = J * BITS, LO = P / 32, OFF = P % 32;
  const int sh = OFF + d * BITS;
  if constexpr (OFF + 8 * BITS <= 32) {
    return v[LO] >> sh;
  } else {
    static_assert(OFF + 8 * BITS <= 64 && LO + 1 < W, "a code pair spans at most two words");
    return (uint32_t)((((unsigned long long)v[LO + 1] << 32) | v[LO]) >> sh);
  }
}

// A right-aligned code as the f32 1 + c·2^-BITS (see chunk_code_unit), or its fp value.
template <int KIND, int BITS> __device__ __forceinline__ float fragment_code(uint32_t bits) {
  if constexpr (KIND == KIND_AFFINE) {
    constexpr int dst = 23 - BITS;
    return __uint_as_float(((bits << dst) & (((1u << BITS) - 1u) << dst)) | 0x3F800000u);
  } else {
    return code_value<KIND>(bits & ((1u << BITS) - 1u));
  }
}

// Two consecutive dequantized weights of a pair (low code first) as packed T×2 bits:
// q·s + b in f32 (affine: q = 1 + c·2^-BITS with s = scale·2^BITS, b = bias − s, undoing the
// offset; fp: q = the code's value, b = 0), rounded once to T.
template <int KIND, int BITS, typename T> __device__ __forceinline__ uint32_t dequant_pair(uint32_t bits, float s, float b) {
  const float v0 = fmaf(fragment_code<KIND, BITS>(bits), s, b);
  const float v1 = fmaf(fragment_code<KIND, BITS>(bits >> BITS), s, b);
  if constexpr (std::is_same<T, __half>::value) {
    __half2 h = __floats2half2_rn(v0, v1);
    return *reinterpret_cast<uint32_t*>(&h);
  } else {
    __nv_bfloat162 h = __floats2bfloat162_rn(v0, v1);
    return *reinterpret_cast<uint32_t*>(&h);
  }
}

// ---- affine A fragments decoded in packed 16-bit arithmetic (f16/bf16 wgmma path) ----------
// An integer code c OR'd into the low mantissa bits of the 16-bit float MAGIC = 2^MANT (f16: 1024,
// bf16: 128) is exactly MAGIC + c while c < 2^MANT; one packed fma (·1, −MAGIC) gives the exact
// codes and one more applies the group's scale and bias, rounded once to T like the f32 path
// (round(c·s + b)). About 4-5 instructions per code pair instead of ~12. bf16 keeps 7 mantissa
// bits, so its 8-bit codes don't fit the magic: affine8·bf16 splits c = 128·h + m instead
// (sign_split, affine_pair_packed: MAGIC + m, and −128 added where h = 0; 5 instructions a pair).
template <int BITS, typename T> struct PackedAffine {
  static constexpr bool is_half = std::is_same<T, __half>::value;
  static constexpr bool ok = BITS <= (is_half ? 8 : 7);  // every code fits MAGIC's mantissa
  static constexpr bool sign_split = !is_half && BITS == 8;
  static constexpr bool packed = ok || sign_split;       // affine_pair_packed decodes this width
  static constexpr uint32_t magic = is_half ? 0x64006400u : 0x43004300u;
  // f16 4-bit: the pair's byte lands in both halves unshifted, the high code 16× too large
  // (1024 + 16·c1, still exact): the fix-up fma scales that half by 1/16 and subtracts 64.
  static constexpr bool nibble_x16 = is_half && BITS == 4;
  static constexpr uint32_t fix_mul = nibble_x16 ? 0x2C003C00u : (is_half ? 0x3C003C00u : 0x3F803F80u);  // (1, 1/16) or (1, 1)
  static constexpr uint32_t fix_add = nibble_x16 ? 0xD400E400u : (is_half ? 0xE400E400u : 0xC300C300u);  // (−1024, −64) or −MAGIC
};

// (a & b) | c in one instruction (the compiler splits two immediates into two LOP3s).
__device__ __forceinline__ uint32_t and_or(uint32_t a, uint32_t b, uint32_t c) {
  uint32_t r;
  asm("lop3.b32 %0, %1, %2, %3, 0xEA;" : "=r"(r) : "r"(a), "r"(b), "r"(c));
  return r;
}

// prmt.b32 with its full selector: a nibble's bit 3 replicates the sign (top bit) of the selected
// byte over the output byte. (__byte_perm honours only the low 3 bits of each nibble.)
__device__ __forceinline__ uint32_t prmt_b32(uint32_t a, uint32_t b, uint32_t sel) {
  uint32_t r;
  asm("prmt.b32 %0, %1, %2, %3;" : "=r"(r) : "r"(a), "r"(b), "r"(sel));
  return r;
}

// The lane's byte-permute selector for its code pair (2t, 2t+1), t = lane % 4, computed once:
// 8-bit: bytes 2t and 2t+1 of a two-word window into the low byte of each half (bf16, sign_split:
// the high byte of each half replicates that code's top bit); 4-bit: byte t of
// the word into both halves (f16), or of the word and of the word shifted right by 4 (bf16).
template <int BITS, typename T> __device__ __forceinline__ uint32_t pair_selector(int t) {
  if constexpr (BITS == 8 && PackedAffine<BITS, T>::sign_split)
    return (uint32_t)(2 * t) | ((uint32_t)(8 | 2 * t) << 4) | ((uint32_t)(2 * t + 1) << 8) | ((uint32_t)(8 | (2 * t + 1)) << 12);
  else if constexpr (BITS == 8) return (uint32_t)(2 * t) | ((uint32_t)(2 * t + 1) << 8);
  else if constexpr (BITS == 4 && PackedAffine<BITS, T>::nibble_x16) return (uint32_t)t | ((uint32_t)t << 8);
  else if constexpr (BITS == 4) return (uint32_t)t | ((uint32_t)(t + 4) << 8);
  else return 0u;
}

// Codes J+2t and J+2t+1 of a row held in registers (W words, LSB-first) as MAGIC + c in the low and
// high half of a word (f16 4-bit: MAGIC + 16·c in the high half); J a multiple of 8 known at
// compile time, t and its selector at run time; mask and magic come in registers.
template <int BITS, int J, int W, typename T>
__device__ __forceinline__ uint32_t code_pair_magic(const uint32_t (&v)[W], int t, uint32_t sel, uint32_t magic) {
  static_assert(PackedAffine<BITS, T>::ok && J % 8 == 0, "codes fit the 16-bit mantissa");
  constexpr uint32_t M = (1u << BITS) - 1u;
  if constexpr (BITS == 8) {
    static_assert(J / 4 + 1 < W, "the pair's window lies in the row");
    return and_or(__byte_perm(v[J / 4], v[J / 4 + 1], sel), 0x00FF00FFu, magic);
  } else if constexpr (BITS == 4 && PackedAffine<BITS, T>::nibble_x16) {
    return and_or(__byte_perm(v[J / 8], 0u, sel), 0x00F0000Fu, magic);
  } else if constexpr (BITS == 4) {
    return and_or(__byte_perm(v[J / 8], v[J / 8] >> 4, sel), 0x000F000Fu, magic);
  } else {
    const uint32_t x = code_pair_bits<BITS, J, W>(v, 2 * t);
    return and_or(x << (16 - BITS), M << 16, and_or(x, M, magic));
  }
}

// code_pair_magic's word → packed T×2 bits of c·s + b; s2 and b2 are the group's scale and bias
// as T×2; fix = (fix_mul, fix_add) from PackedAffine, in registers.
template <typename T> __device__ __forceinline__ uint32_t dequant_pair_packed(uint32_t q, uint32_t s2, uint32_t b2, uint2 fix) {
  if constexpr (std::is_same<T, __half>::value) {
    const __half2 c = __hfma2(*reinterpret_cast<const __half2*>(&q), *reinterpret_cast<const __half2*>(&fix.x),
                              *reinterpret_cast<const __half2*>(&fix.y));
    const __half2 r = __hfma2(c, *reinterpret_cast<const __half2*>(&s2), *reinterpret_cast<const __half2*>(&b2));
    return *reinterpret_cast<const uint32_t*>(&r);
  } else {
    const __nv_bfloat162 c = __hfma2(*reinterpret_cast<const __nv_bfloat162*>(&q), *reinterpret_cast<const __nv_bfloat162*>(&fix.x),
                                     *reinterpret_cast<const __nv_bfloat162*>(&fix.y));
    const __nv_bfloat162 r =
        __hfma2(c, *reinterpret_cast<const __nv_bfloat162*>(&s2), *reinterpret_cast<const __nv_bfloat162*>(&b2));
    return *reinterpret_cast<const uint32_t*>(&r);
  }
}

// Codes J+2t and J+2t+1 of a row (see code_pair_magic) → packed T×2 bits of c·s + b, rounded once.
// sign_split (affine8·bf16): c = 128·h + m; MAGIC | m is exactly 128 + m, and the fix-up fma adds
// −128 (0xC300) where h = 0, else +0: a per-pair word from the sign-replicated bytes (sel from
// pair_selector). Both steps are exact (every c < 256 is a bf16); the second rounds once.
template <int BITS, int J, int W, typename T>
__device__ __forceinline__ uint32_t affine_pair_packed(const uint32_t (&v)[W], int t, uint32_t sel, uint32_t magic, uint32_t s2,
                                                       uint32_t b2, uint2 fix) {
  if constexpr (PackedAffine<BITS, T>::sign_split) {
    static_assert(J % 8 == 0 && J / 4 + 1 < W, "the pair's window lies in the row");
    const uint32_t x = prmt_b32(v[J / 4], v[J / 4 + 1], sel);  // bytes: c0, sign(c0), c1, sign(c1)
    const uint32_t q = and_or(x, 0x007F007Fu, magic);           // 128 + (c & 127) per half
    return dequant_pair_packed<T>(q, s2, b2, make_uint2(fix.x, ~x & 0xC300C300u));
  } else {
    return dequant_pair_packed<T>(code_pair_magic<BITS, J, W, T>(v, t, sel, magic), s2, b2, fix);
  }
}

// affine8·bf16 in 4 instructions a pair (sm90 prefill; the sign_split form above takes 5): an 8-bit
// code c read as the bits of a bf16 is c·2^-133 exactly (exponent field = c's top bit, mantissa = its
// low 7: a subnormal below 128, the lowest binade from 128), so one packed multiply by 2^127 gives
// c·2^-6 exactly, and the fma with the scale taken ·2^6 (s64, made by the caller: exact while
// |scale| < 2^121, which every scale of finite bf16 weights is) and the bias rounds c·s + b once, as
// the other paths. sel: the 8-bit f16 selector of pair_selector (bytes 2t, 2t+1 into the low byte
// of each half).
constexpr uint32_t kAffine8Bf16ScaleUp = 0x42804280u;  // bf16×2 (64, 64): the caller's scale factor
template <int J, int W>
__device__ __forceinline__ uint32_t affine8_bf16_pair_packed(const uint32_t (&v)[W], uint32_t sel, uint32_t s64, uint32_t b2) {
  static_assert(J % 8 == 0 && J / 4 + 1 < W, "the pair's window lies in the row");
  const uint32_t q = __byte_perm(v[J / 4], v[J / 4 + 1], sel) & 0x00FF00FFu;  // c0, c1 as bf16 bits
  const uint32_t two127 = 0x7F007F00u;  // bf16×2 (2^127, 2^127)
  const __nv_bfloat162 c = __hmul2(*reinterpret_cast<const __nv_bfloat162*>(&q), *reinterpret_cast<const __nv_bfloat162*>(&two127));
  const __nv_bfloat162 r = __hfma2(c, *reinterpret_cast<const __nv_bfloat162*>(&s64), *reinterpret_cast<const __nv_bfloat162*>(&b2));
  return *reinterpret_cast<const uint32_t*>(&r);
}

// ---- mxfp4 A fragments decoded in packed 16-bit arithmetic -------------------------------
// An E2M1 code's exponent/mantissa bits placed at the top of a 16-bit float's exponent field, its
// sign at the top, give the code's value times 2^-EXP_SHIFT exactly (f16: 2^-14, bf16: 2^-126; code 1
// lands as a subnormal), so one packed multiply by (E8M0 scale · 2^EXP_SHIFT), itself an exact power
// of two when in range, rounds c·scale once to T like the f32 path. The factor is out of range for
// extreme scales (f16: outside 2^-38..2^1; bf16: above 2^1, or inf): such tiles take the f32 path.
// nvfp4 (sm90 kernel): the factor is (E4M3 scale · 2^-7) · 2^EXP_SHIFT, exact in T for every finite
// E4M3 byte, and c·scale·2^-7 has at most 6 significant bits: the product is exact, and the kernel
// applies the global factor · 2^7 to the f32 accumulators.
template <typename T> struct PackedFp4 {
  static constexpr bool is_half = std::is_same<T, __half>::value;
  static constexpr int field = is_half ? 9 : 6;                                // e1 e0 m → bits field..field+2
  static constexpr uint32_t field_mask = is_half ? 0x0E000E00u : 0x01C001C0u;
  static constexpr float factor_unit = is_half ? 16384.0f : 8.507059173023462e37f;  // 2^14, 2^126
};

// The packed factor (scale·2^EXP_SHIFT as T×2) of an mxfp4 group; ok = false when it is not exact.
template <typename T> __device__ __forceinline__ uint32_t fp4_packed_factor(float scale, bool& ok) {
  const float f = scale * PackedFp4<T>::factor_unit;
  if constexpr (PackedFp4<T>::is_half) {
    ok = f >= 5.9604644775390625e-8f && f <= 32768.0f;  // 2^-24 .. 2^15
    const __half h = __float2half_rn(f);
    return (uint32_t)__half_as_ushort(h) * 0x10001u;
  } else {
    ok = f <= 1.7014118346046923e38f;  // 2^127 (inf fails)
    const __nv_bfloat16 h = __float2bfloat16_rn(f);
    return (uint32_t)__bfloat16_as_ushort(h) * 0x10001u;
  }
}

// The packed factor of an nvfp4 group whose scale is the E4M3 value · 2^-7 (sm90 kernel): exact in T
// for every finite byte (|factor| in 2^-2..448·2^7 for f16, 2^110..448·2^119 for bf16, at most 4
// significant bits), so ok = false only for the NaN bytes (the tile then takes the f32 path).
template <typename T> __device__ __forceinline__ uint32_t nvfp4_packed_factor(float scale, bool& ok) {
  const float f = scale * PackedFp4<T>::factor_unit;
  ok = f == f;
  if constexpr (PackedFp4<T>::is_half) return (uint32_t)__half_as_ushort(__float2half_rn(f)) * 0x10001u;
  else return (uint32_t)__bfloat16_as_ushort(__float2bfloat16_rn(f)) * 0x10001u;
}

// Codes J+2t and J+2t+1 (4-bit, J a multiple of 8) as two T values c·2^-EXP_SHIFT; sel is the
// bf16 4-bit selector of pair_selector (byte t of the word and of the word shifted right by 4).
template <int J, int W, typename T> __device__ __forceinline__ uint32_t fp4_pair_packed(const uint32_t (&v)[W], uint32_t sel) {
  const uint32_t q = __byte_perm(v[J / 8], v[J / 8] >> 4, sel);  // code 0 in bits 0-3, code 1 in 16-19
  return and_or(q << PackedFp4<T>::field, PackedFp4<T>::field_mask, (q << 12) & 0x80008000u);
}

// Packed T×2 product of fp4_pair_packed's word and the group factor f2.
template <typename T> __device__ __forceinline__ uint32_t mul_pair_packed(uint32_t h, uint32_t f2) {
  if constexpr (std::is_same<T, __half>::value) {
    const __half2 r = __hmul2(*reinterpret_cast<const __half2*>(&h), *reinterpret_cast<const __half2*>(&f2));
    return *reinterpret_cast<const uint32_t*>(&r);
  } else {
    const __nv_bfloat162 r = __hmul2(*reinterpret_cast<const __nv_bfloat162*>(&h), *reinterpret_cast<const __nv_bfloat162*>(&f2));
    return *reinterpret_cast<const uint32_t*>(&r);
  }
}

// A chunk of W words of 4-bit codes as the 4·W packed pairs (2i, 2i+1) in code order (the fp layout
// of TcDecode::run; kernels/qmm_gather_bulk.cuh), each c·2^-EXP_SHIFT times the group factor f2 of
// fp4_packed_factor (callers take the f32 path where it is not exact): pair i is byte i % 4 of
// word i / 4, its low nibble from the word and its high nibble from the word shifted right by 4.
template <typename T, int W, int NP> __device__ __forceinline__ void fp4_code_pairs_packed(const uint32_t (&v)[W], uint32_t f2, uint32_t (&out)[NP]) {
  static_assert(NP == 4 * W, "four code pairs per word");
#pragma unroll
  for (int w = 0; w < W; ++w) {
    const uint32_t v4 = v[w] >> 4;
#pragma unroll
    for (int b = 0; b < 4; ++b) {
      const uint32_t q = __byte_perm(v[w], v4, (uint32_t)b | ((uint32_t)(4 + b) << 8));  // code 2i in bits 0-3, 2i+1 in 16-19
      out[4 * w + b] = mul_pair_packed<T>(and_or(q << PackedFp4<T>::field, PackedFp4<T>::field_mask, (q << 12) & 0x80008000u), f2);
    }
  }
}

// ---- mxfp8 A fragments decoded in packed f16 arithmetic (f16 only) ------------------------
// sm_89+ converts two E4M3 codes to f16x2 in one instruction, exactly (every E4M3 value, subnormals
// included, is an f16; the NaN codes 0x7F/0xFF stay NaN), so one packed multiply by the E8M0 scale,
// itself an exact f16 for 2^-24..2^15, rounds c·scale once to f16 like the f32 path. Tiles with a
// scale out of that range take the f32 path (per-stage flag, as mxfp4). bf16 has no such
// conversion on sm_90: mxfp8·bf16 keeps the f32 path.
template <typename T> struct PackedFp8 {
  static constexpr bool ok = std::is_same<T, __half>::value;
};

// The packed factor (the scale as f16×2) of an mxfp8 group; ok = false when it is not exact.
__device__ __forceinline__ uint32_t fp8_packed_factor(float scale, bool& ok) {
  ok = scale >= 5.9604644775390625e-8f && scale <= 32768.0f;  // 2^-24 .. 2^15
  return (uint32_t)__half_as_ushort(__float2half_rn(scale)) * 0x10001u;
}

// The lane's selector for fp8_pair_packed: bytes 2t and 2t+1 of a two-word window into the low
// 16 bits (the converter's input).
__device__ __forceinline__ uint32_t fp8_pair_selector(int t) { return (uint32_t)(2 * t) | ((uint32_t)(2 * t + 1) << 4); }

#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 890
// Codes J+2t and J+2t+1 (8-bit, J a multiple of 8) as f16×2 values (low code in the low half).
template <int J, int W> __device__ __forceinline__ uint32_t fp8_pair_packed(const uint32_t (&v)[W], uint32_t sel) {
  static_assert(J % 8 == 0 && J / 4 + 1 < W, "the pair's window lies in the row");
  const uint32_t q = __byte_perm(v[J / 4], v[J / 4 + 1], sel);
  uint32_t h;
  asm("{\n.reg .b16 lo;\ncvt.u16.u32 lo, %1;\ncvt.rn.f16x2.e4m3x2 %0, lo;\n}" : "=r"(h) : "r"(q));
  return h;
}
#endif

// Runtime-bits code extraction straight from memory (conversion kernels; not on the hot path).
__device__ __forceinline__ uint32_t extract_code(const uint32_t* __restrict__ row, long long j, int bits) {
  long long pos = j * bits;
  long long word = pos >> 5;
  int shift = (int)(pos & 31);
  uint32_t c = row[word] >> shift;
  if (shift + bits > 32) c |= row[word + 1] << (32 - shift);
  return c & ((1u << bits) - 1u);
}

// ---- status reporting (no host sync: the host reads it when asked) -------------------------
// Words: [code, position lo, position hi, value lo, value hi, bound].
// The first error also goes to the mapped host mirror (code last, after a system fence), where the
// next host call finds it without synchronizing.
__device__ __forceinline__ void report(uint32_t* status, uint32_t* host, uint32_t code, long long position,
                                       long long value, long long bound = 0) {
  if (atomicCAS(status, 0u, code) == 0u) {
    uint32_t w[6] = {code, (uint32_t)(position & 0xFFFFFFFF), (uint32_t)((unsigned long long)position >> 32),
                     (uint32_t)((unsigned long long)value & 0xFFFFFFFF), (uint32_t)((unsigned long long)value >> 32),
                     (uint32_t)bound};
    for (int i = 1; i < 6; ++i) status[i] = w[i];
    if (host) {
      for (int i = 1; i < 6; ++i) host[i] = w[i];
      __threadfence_system();
      host[0] = code;
    }
  }
}

__device__ __forceinline__ long long read_index(const void* p, int kind, long long i) {
  if (kind == IDX_I32) return (long long)reinterpret_cast<const int32_t*>(p)[i];
  if (kind == IDX_I64) return reinterpret_cast<const long long*>(p)[i];
  return (long long)reinterpret_cast<const uint32_t*>(p)[i];
}

// Resolves batch position p to (xi, wi), bounds-checking gather indices. Out-of-range → reported
// (when status is not null), returns false (the caller fills that output matrix with NaN and reads
// nothing).
__device__ __forceinline__ bool resolve_pair(const BatchMap& map, long long p, uint32_t* status, uint32_t* host,
                                             long long& xi, long long& wi) {
  long long fx = 0, fw = 0, rem = p;
  for (int d = map.ndim - 1; d >= 0; --d) {
    long long pos = rem % map.shape[d];
    rem /= map.shape[d];
    fx += pos * map.xs[d];
    fw += pos * map.ws[d];
  }
  xi = fx;
  wi = fw;
  if (map.lhs_kind != IDX_NONE) {
    long long v = read_index(map.lhs, map.lhs_kind, fx);
    if (v < 0 || v >= map.x_count) { if (status) report(status, host, ST_LHS_INDEX, p, v, map.x_count); return false; }
    xi = v;
  }
  if (map.rhs_kind != IDX_NONE) {
    long long v = read_index(map.rhs, map.rhs_kind, fw);
    if (v < 0 || v >= map.w_count) { if (status) report(status, host, ST_RHS_INDEX, p, v, map.w_count); return false; }
    wi = v;
  }
  return true;
}

// ---- tensor-core A operands (kernels/qmm_decode.cuh) ----------------------------------------
// A chunk's CH codes become CH/2 u32 registers, each a pair of T holding the dequantized weights
// w = s·q + b (affine) or q·s (fp), rounded to T as MLX's matmul loaders do. Pair i holds codes
// (2i, 2i+1), except where `nibble_pairs`: the 4-bit magic-number decode yields, per 32-bit word,
// the pairs (0,4), (1,5), (2,6), (3,7) of its eight codes, and the caller permutes x to match.
// Group parameters arrive raw (T bits for affine, the scale byte for fp) so that a ring of pending
// loads is never waited on before its use.

__device__ __forceinline__ uint32_t fma_f16x2(uint32_t a, uint32_t b, uint32_t c) {
  uint32_t d;
  asm("fma.rn.f16x2 %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "r"(c));
  return d;
}
__device__ __forceinline__ uint32_t fma_bf16x2(uint32_t a, uint32_t b, uint32_t c) {
  uint32_t d;
  asm("fma.rn.bf16x2 %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "r"(c));
  return d;
}
__device__ __forceinline__ uint32_t prmt(uint32_t a, uint32_t b, uint32_t sel) {
  uint32_t d;
  asm("prmt.b32 %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "r"(sel));
  return d;
}
template <typename T> __device__ __forceinline__ uint32_t pack2(float lo, float hi) {
  uint32_t r;
  if constexpr (std::is_same<T, __half>::value) {
    __half2 h = __floats2half2_rn(lo, hi);
    r = *reinterpret_cast<uint32_t*>(&h);
  } else {
    __nv_bfloat162 h = __floats2bfloat162_rn(lo, hi);
    r = *reinterpret_cast<uint32_t*>(&h);
  }
  return r;
}

// ---- codes-only register pairs for any width up to 8 (f16; kernels/qmv_warp.cuh) ---------------
// A code whose BITS bits sit at mantissa bits [p, p + BITS) of an f16 half (p + BITS ≤ 10) reads, with
// the exponent of 1024 >> p OR'd in, as exactly (1024 >> p) + c. Register i pairs code a_i (low half)
// with code a_i + D (high half), D·BITS within 10 − BITS of 16 bits, so one 32-bit window of the chunk's
// bit stream (a shift or funnel shift, shared by consecutive pairs where it fits) puts both in place
// and one LOP3 (mask, exponents) finishes the register. D = 4 at 4 bits gives the nibble pairs of
// TcDecode::codes (windows v and v >> 8).
template <int BITS> struct OffsetPairs {
  static constexpr int D = BITS == 2 ? 8 : BITS == 6 || BITS == 8 ? 2 : 4;
  static constexpr int SPAN = 10 - BITS;  // highest start of a code in a half
  struct Plan {
    int shift[16];  // window start in the chunk's bit stream (negative: a left shift of word 0)
    int lo[16];     // position of the low code in the window
    int hi[16];     // position of the high code in the window's high half
  };
  __host__ __device__ static constexpr int low_code(int i) { return 2 * D * (i / D) + i % D; }
  __host__ __device__ static constexpr Plan make() {
    Plan pl{};
    int prev = 1 << 20;
    for (int i = 0; i < 16; ++i) {
      const int a = BITS * low_code(i), b = BITS * (low_code(i) + D) - 16;
      const int smax = a < b ? a : b, smin = (a > b ? a : b) - SPAN;
      const int s = prev >= smin && prev <= smax ? prev : smax;
      pl.shift[i] = s;
      pl.lo[i] = a - s;
      pl.hi[i] = b - s;
      prev = s;
    }
    return pl;
  }
  __host__ __device__ static constexpr bool valid() {
    const Plan pl = make();
    for (int i = 0; i < 16; ++i)
      if (pl.lo[i] < 0 || pl.lo[i] > SPAN || pl.hi[i] < 0 || pl.hi[i] > SPAN) return false;
    return true;
  }
  // OFFSET of chunk code j.
  __host__ __device__ static constexpr float offset(int j) {
    const Plan pl = make();
    const int r = j % (2 * D), i = D * (j / (2 * D)) + r % D;
    return (float)(1024 >> (r < D ? pl.lo[i] : pl.hi[i]));
  }
};

// The 32 bits of a chunk's bit stream (W words, LSB first) starting at bit S (S < 0: word 0 shifted left).
template <int S, int W> __device__ __forceinline__ uint32_t chunk_window(const uint32_t (&v)[W]) {
  if constexpr (S < 0) {
    return v[0] << (-S);
  } else {
    constexpr int w = S / 32, s = S % 32;
    if constexpr (s == 0) return v[w];
    else if constexpr (w + 1 < W) return __funnelshift_r(v[w], v[w + 1], s);
    else return v[w] >> s;
  }
}

// Registers I.. of OffsetPairs<BITS> from a chunk (one window per distinct shift, one LOP3 each).
template <int BITS, int I, int W> __device__ __forceinline__ void offset_pairs_from(const uint32_t (&v)[W], uint32_t (&out)[16]) {
  if constexpr (I < 16) {
    constexpr typename OffsetPairs<BITS>::Plan pl = OffsetPairs<BITS>::make();
    constexpr int S = pl.shift[I], LO = pl.lo[I], HI = pl.hi[I];
    constexpr uint32_t M = (1u << BITS) - 1u;
    constexpr uint32_t mask = (M << LO) | (M << (16 + HI));
    constexpr uint32_t exps = ((uint32_t)(25 - LO) << 10) | ((uint32_t)(25 - HI) << 26);  // f16 1024 >> p
    out[I] = and_or(chunk_window<S, W>(v), mask, exps);
    offset_pairs_from<BITS, I + 1, W>(v, out);
  }
}

// Registers I.. of OffsetPairs<BITS> dequantized in f16 (TcDecode::run_packed): the window's
// OFFSET + c minus OFFSET (exact: c), then c·s + b rounded once to f16 — the numerics of the 4-bit
// nibble path of TcDecode::run, at ~3 instructions per register instead of the f32 path's ~7.
template <int BITS, int I, int W> __device__ __forceinline__ void offset_pairs_dequant(const uint32_t (&v)[W], uint32_t s2, uint32_t b2, uint32_t (&out)[16]) {
  if constexpr (I < 16) {
    constexpr typename OffsetPairs<BITS>::Plan pl = OffsetPairs<BITS>::make();
    constexpr int S = pl.shift[I], LO = pl.lo[I], HI = pl.hi[I];
    constexpr uint32_t M = (1u << BITS) - 1u;
    constexpr uint32_t mask = (M << LO) | (M << (16 + HI));
    constexpr uint32_t exps = ((uint32_t)(25 - LO) << 10) | ((uint32_t)(25 - HI) << 26);  // f16 OFFSET = 1024 >> p
    const uint32_t c = fma_f16x2(and_or(chunk_window<S, W>(v), mask, exps), 0x3C003C00u, exps | 0x80008000u);  // ·1 − OFFSET
    out[I] = fma_f16x2(c, s2, b2);
    offset_pairs_dequant<BITS, I + 1, W>(v, s2, b2, out);
  }
}

// The two E4M3 codes in the low 16 bits of q as T×2 (low code in the low half), exactly; NaN codes
// stay NaN. f16: one conversion (sm_89+); bf16: through f16 and two f32.
template <typename T> __device__ __forceinline__ uint32_t e4m3x2_as(uint32_t q) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 890
  uint32_t h;
  asm("{\n.reg .b16 lo;\ncvt.u16.u32 lo, %1;\ncvt.rn.f16x2.e4m3x2 %0, lo;\n}" : "=r"(h) : "r"(q));
  if constexpr (std::is_same<T, __half>::value) return h;
  const __half2 hh = *reinterpret_cast<const __half2*>(&h);
  return pack2<T>(__low2float(hh), __high2float(hh));
#else
  return pack2<T>(fp8_value(q & 0xFFu), fp8_value((q >> 8) & 0xFFu));
#endif
}

template <int KIND, int BITS, typename T> struct TcDecode {
  static constexpr bool f16 = std::is_same<T, __half>::value;
  // Magic-number paths: affine 4-bit (f16, bf16) and 8-bit (f16); everything else decodes in f32.
  static constexpr bool nibble_pairs = KIND == KIND_AFFINE && BITS == 4;
  static constexpr bool byte_pairs = KIND == KIND_AFFINE && BITS == 8 && f16;

  // The two x registers (B fragment, pairs of T) for mma step j, matching A registers 2j and 2j+1
  // of `run`'s output: X holds the chunk's x values in code order, two per u32.
  __device__ __forceinline__ static void x_pairs(const uint32_t* X, int j, uint32_t& x0, uint32_t& x1) {
    if constexpr (nibble_pairs) {
      // Step j = 2w + e holds code pairs (2e, 2e+4), (2e+1, 2e+5) of word w: x pairs to match.
      const int w = j >> 1, e = j & 1;
      x0 = prmt(X[4 * w + e], X[4 * w + e + 2], 0x5410u);
      x1 = prmt(X[4 * w + e], X[4 * w + e + 2], 0x7632u);
    } else {
      x0 = X[2 * j];
      x1 = X[2 * j + 1];
    }
  }

  // B registers matching run_packed<PACKED>'s A registers (run_packed's affine 2/3/5/6-bit f16 pairs are
  // OffsetPairs (a, a + D): like halves of two x words); otherwise x_pairs.
  template <bool PACKED> __device__ __forceinline__ static void x_pairs_for(const uint32_t* X, int j, uint32_t& x0, uint32_t& x1) {
    if constexpr (PACKED && window_pairs) {
      constexpr int D = OffsetPairs<BITS>::D;
      const int a0 = OffsetPairs<BITS>::low_code(2 * j), a1 = OffsetPairs<BITS>::low_code(2 * j + 1);
      x0 = prmt(X[a0 >> 1], X[(a0 + D) >> 1], (a0 & 1) ? 0x7632u : 0x5410u);
      x1 = prmt(X[a1 >> 1], X[(a1 + D) >> 1], (a1 & 1) ? 0x7632u : 0x5410u);
    } else {
      x_pairs(X, j, x0, x1);
    }
  }

  // ---- codes-only A fragments (kernels/qmv_warp.cuh: scale and bias applied once per group after
  // the mma). Each register holds two codes as exact 16-bit floats OFFSET + c, one LOP3 or PRMT per
  // register and no fma: f16 4-bit low nibbles under 0x6400 (1024 + c), high nibbles (bits 4-7 of
  // a half) under 0x5400 (64, ulp 1/16: 64 + c); bf16 4-bit 128 + c; f16 8-bit 1024 + c. The caller
  // subtracts Σ OFFSET·x per group (code_offset) before scaling.
  // Other widths (f16, 2/3/5/6 bits): OffsetPairs windows.
  static constexpr bool window_pairs = KIND == KIND_AFFINE && f16 && (BITS == 2 || BITS == 3 || BITS == 5 || BITS == 6);
  static constexpr bool offset_codes = nibble_pairs || byte_pairs || window_pairs;
  // fp codes-only (mxfp4/nvfp4 E2M1, mxfp8 E4M3): each register holds two codes' VALUES as exact
  // 16-bit floats times 1/code_unit, no offset (code_offset 0) and no bias; the caller multiplies a
  // group's D column by code_unit · its scale. E2M1 f16 (fp4_bytes): value·2^-14 (code 1 an f16
  // subnormal) has a zero low byte and the high byte s000 e1 e0 m 0, so two words per code word
  // hold those bytes for its even and its odd nibbles (7 instructions) and one byte permute with
  // zeros makes each register (pairs (2i, 2i+2) of the even or odd nibbles): 11 instructions per
  // 4 registers. E2M1 bf16: the nibble pairs (j, j+4) of a word (as nibble_pairs), magnitude at the
  // top of the exponent field, sign at bit 15 (PackedFp4: value·2^-126), times 2^126 by one packed
  // multiply so that the mma's products stay far from f32's subnormals: 5 a register. E4M3: pairs
  // (2i, 2i+1); f16: one cvt.f16x2.e4m3x2 per register (exact, NaN codes stay NaN); bf16 (no E4M3 →
  // bf16 conversion on sm_90): through f16 and two f32 (exact).
  static constexpr bool fp_codes = KIND != KIND_AFFINE && (BITS == 4 || BITS == 8);
  static constexpr bool fp4_nibbles = fp_codes && BITS == 4 && !f16;
  static constexpr bool fp4_bytes = fp_codes && BITS == 4 && f16;
  static constexpr float code_unit = fp4_bytes ? 16384.0f : 1.0f;
  static constexpr bool ring_codes = offset_codes || fp_codes;  // codes() serves this format
  // Chunk index of the code in half h (0 low, 1 high) of register i of codes() (and run()).
  __host__ __device__ static constexpr int pair_code(int i, int h) {
    return nibble_pairs || fp4_nibbles ? 8 * (i / 4) + i % 4 + 4 * h
           : fp4_bytes                 ? 8 * (i / 4) + (i % 4 >= 2 ? 1 : 0) + 4 * (i % 2) + 2 * h
           : window_pairs              ? OffsetPairs<BITS>::low_code(i) + OffsetPairs<BITS>::D * h
                                       : 2 * i + h;
  }
  // OFFSET of chunk code j in codes()'s output.
  __host__ __device__ static constexpr float code_offset(int j) {
    return fp_codes ? 0.0f : nibble_pairs ? (f16 ? ((j & 1) ? 64.0f : 1024.0f) : 128.0f) : window_pairs ? OffsetPairs<BITS>::offset(j) : 1024.0f;
  }
  template <int CW, int NP> __device__ __forceinline__ static void codes(const uint32_t (&v)[CW], uint32_t (&out)[NP]) {
    static_assert(ring_codes && NP * 2 * BITS == CW * 32, "a chunk is NP pairs");
    if constexpr (window_pairs) {
      static_assert(NP == 16 && OffsetPairs<BITS>::valid(), "every pair fits one window");
      offset_pairs_from<BITS, 0, CW>(v, out);
      return;
    }
    if constexpr (fp4_bytes) {
#pragma unroll
      for (int w = 0; w < CW; ++w) {
        // High bytes s000 e1 e0 m 0 of the even nibbles (bytes 0-3: codes 8w + 2i) and the odd ones.
        const uint32_t he = and_or(v[w] << 1, 0x0E0E0E0Eu, (v[w] << 4) & 0x80808080u);
        const uint32_t ho = and_or(v[w] >> 3, 0x0E0E0E0Eu, v[w] & 0x80808080u);
        out[4 * w + 0] = __byte_perm(he, 0u, 0x1404u);  // bytes (zero, 0, zero, 1)
        out[4 * w + 1] = __byte_perm(he, 0u, 0x3424u);  // bytes (zero, 2, zero, 3)
        out[4 * w + 2] = __byte_perm(ho, 0u, 0x1404u);
        out[4 * w + 3] = __byte_perm(ho, 0u, 0x3424u);
      }
      return;
    }
    if constexpr (fp4_nibbles) {
      constexpr int F = PackedFp4<T>::field;
#pragma unroll
      for (int w = 0; w < CW; ++w)
#pragma unroll
        for (int j = 0; j < 4; ++j) {
          // Nibbles j and j + 4 (bits 4j and 4j + 16): magnitude to bits F.., sign to bit 15.
          const uint32_t mag = F >= 4 * j ? v[w] << (F - 4 * j) : v[w] >> (4 * j - F);
          const uint32_t h = and_or(mag, PackedFp4<T>::field_mask, (v[w] << (12 - 4 * j)) & 0x80008000u);
          out[4 * w + j] = f16 ? h : mul_pair_packed<T>(h, 0x7E807E80u);  // bf16 2^126
        }
      return;
    }
    if constexpr (fp_codes) {
#pragma unroll
      for (int w = 0; w < CW; ++w) {
        out[2 * w] = e4m3x2_as<T>(v[w]);
        out[2 * w + 1] = e4m3x2_as<T>(v[w] >> 16);
      }
      return;
    }
#pragma unroll
    for (int w = 0; w < CW; ++w) {
      if constexpr (nibble_pairs && f16) {
        const uint32_t hi = v[w] >> 8;
        out[4 * w + 0] = and_or(v[w], 0x000F000Fu, 0x64006400u);
        out[4 * w + 1] = and_or(v[w], 0x00F000F0u, 0x54005400u);
        out[4 * w + 2] = and_or(hi, 0x000F000Fu, 0x64006400u);
        out[4 * w + 3] = and_or(hi, 0x00F000F0u, 0x54005400u);
      } else if constexpr (nibble_pairs) {
#pragma unroll
        for (int e = 0; e < 4; ++e) out[4 * w + e] = and_or(v[w] >> (4 * e), 0x000F000Fu, 0x43004300u);
      } else {
        out[2 * w] = prmt(v[w], 0x64646464u, 0x4140u);
        out[2 * w + 1] = prmt(v[w], 0x64646464u, 0x4342u);
      }
    }
  }

  // Raw parameter g (T bits for affine scales/biases, the scale byte for fp modes).
  __device__ __forceinline__ static uint32_t load_param(const void* base, long long g) {
    if (KIND == KIND_AFFINE) return __ldg(reinterpret_cast<const unsigned short*>(base) + g);
    return __ldg(reinterpret_cast<const unsigned char*>(base) + g);
  }

  template <int CW, int NP>
  __device__ __forceinline__ static void run(const uint32_t (&v)[CW], uint32_t sraw, uint32_t braw, float gfactor,
                                             uint32_t (&out)[NP]) {
    static_assert(NP * 2 * BITS == CW * 32, "a chunk is NP pairs");
    if constexpr (nibble_pairs) {
      const uint32_t s2 = sraw | (sraw << 16), b2 = braw | (braw << 16);
#pragma unroll
      for (int w = 0; w < CW; ++w) {
        if constexpr (f16) {
          // (v & 0x000F000F) | 0x6400.. is the f16 pair 1024 + c; the 0x00F0 nibbles give 1024 + 16c.
          // and_or: one LOP3 each (the plain C form compiled to two).
          const uint32_t hi = v[w] >> 8;
          const uint32_t q0 = fma_f16x2(and_or(v[w], 0x000F000Fu, 0x64006400u), 0x3C003C00u, 0xE400E400u);  // ·1 − 1024
          const uint32_t q1 = fma_f16x2(and_or(v[w], 0x00F000F0u, 0x64006400u), 0x2C002C00u, 0xD400D400u);  // ·1/16 − 64
          const uint32_t q2 = fma_f16x2(and_or(hi, 0x000F000Fu, 0x64006400u), 0x3C003C00u, 0xE400E400u);
          const uint32_t q3 = fma_f16x2(and_or(hi, 0x00F000F0u, 0x64006400u), 0x2C002C00u, 0xD400D400u);
          out[4 * w + 0] = fma_f16x2(q0, s2, b2);
          out[4 * w + 1] = fma_f16x2(q1, s2, b2);
          out[4 * w + 2] = fma_f16x2(q2, s2, b2);
          out[4 * w + 3] = fma_f16x2(q3, s2, b2);
        } else {
          // bf16 has 7 mantissa bits: each nibble is moved to the bottom (0x4300.. | c is 128 + c).
#pragma unroll
          for (int e = 0; e < 4; ++e) {
            const uint32_t q = fma_bf16x2(and_or(v[w] >> (4 * e), 0x000F000Fu, 0x43004300u), 0x3F803F80u, 0xC300C300u);
            out[4 * w + e] = fma_bf16x2(q, s2, b2);
          }
        }
      }
    } else if constexpr (byte_pairs) {
      const uint32_t s2 = sraw | (sraw << 16), b2 = braw | (braw << 16);
#pragma unroll
      for (int w = 0; w < CW; ++w) {
        // Bytes under 0x64: the f16 pair 1024 + c.
        const uint32_t q0 = fma_f16x2(prmt(v[w], 0x64646464u, 0x4140u), 0x3C003C00u, 0xE400E400u);
        const uint32_t q1 = fma_f16x2(prmt(v[w], 0x64646464u, 0x4342u), 0x3C003C00u, 0xE400E400u);
        out[2 * w] = fma_f16x2(q0, s2, b2);
        out[2 * w + 1] = fma_f16x2(q1, s2, b2);
      }
    } else if constexpr (KIND == KIND_AFFINE) {
      // Codes as the f32 1 + c·2^-BITS (chunk_code_unit); s·c + b = (s·2^B)·u + (b − s·2^B), the
      // constant rounded in f32 (~2^-24 of the group's range), then one rounding to T.
      T st, bt;
      *reinterpret_cast<unsigned short*>(&st) = (unsigned short)sraw;
      *reinterpret_cast<unsigned short*>(&bt) = (unsigned short)braw;
      const float su = to_f32<T>(st) * (float)(1 << BITS), c0 = to_f32<T>(bt) - su;
#pragma unroll
      for (int i = 0; i < NP; ++i)
        out[i] = pack2<T>(fmaf(su, chunk_code_unit<BITS, CW>(v, 2 * i), c0), fmaf(su, chunk_code_unit<BITS, CW>(v, 2 * i + 1), c0));
    } else {
      const float s = fp_group_scale<KIND>((uint8_t)sraw, gfactor);
#pragma unroll
      for (int i = 0; i < NP; ++i)
        out[i] = pack2<T>(code_value<KIND>(chunk_code<BITS, CW>(v, 2 * i)) * s, code_value<KIND>(chunk_code<BITS, CW>(v, 2 * i + 1)) * s);
    }
  }

  // run() with the affine 2/3/5/6-bit f16 codes as OffsetPairs windows dequantized in f16
  // (offset_pairs_dequant: pairs (a, a + D), x_pairs_for<true> matches them), and the mx formats
  // decoded in packed 16-bit arithmetic where the group's factor is exact in T (the same values, each c·scale rounded once to T; kernels/qmm_ring.cuh): mxfp4 by
  // fp4_code_pairs_packed (pairs (2i, 2i+1), as run()), mxfp8 by one E4M3 pair conversion and one
  // packed multiply (f16; bf16: the pair via f32). Other formats, or a factor out of range: run().
  // nvfp4: a 32-code chunk of TWO groups, sraw = their two scale bytes (low byte first); each half
  // times its E4M3 scale · 2^-7 (nvfp4_packed_factor: exact for every byte, NaN stays NaN) — the
  // caller multiplies its sums by the global factor · 2^7 (as prefill stage 9).
  template <int CW, int NP>
  __device__ __forceinline__ static void run_packed(const uint32_t (&v)[CW], uint32_t sraw, uint32_t braw, float gfactor,
                                                    uint32_t (&out)[NP]) {
    if constexpr (window_pairs) {
      static_assert(NP == 16 && OffsetPairs<BITS>::valid(), "every pair fits one window");
      offset_pairs_dequant<BITS, 0, CW>(v, sraw | (sraw << 16), braw | (braw << 16), out);
      return;
    } else if constexpr (KIND == KIND_NVFP4) {
      static_assert(CW == 4 && NP == 16, "two 16-code groups");
      bool ok;
      const uint32_t v0[2] = {v[0], v[1]}, v1[2] = {v[2], v[3]};
      uint32_t o0[8], o1[8];
      fp4_code_pairs_packed<T>(v0, nvfp4_packed_factor<T>(fp8_value(sraw & 0xFFu) * 0.0078125f, ok), o0);
      fp4_code_pairs_packed<T>(v1, nvfp4_packed_factor<T>(fp8_value((sraw >> 8) & 0xFFu) * 0.0078125f, ok), o1);
#pragma unroll
      for (int i = 0; i < 8; ++i) {
        out[i] = o0[i];
        out[8 + i] = o1[i];
      }
      return;
    } else if constexpr (KIND == KIND_MXFP4) {
      bool exact;
      const uint32_t f2 = fp4_packed_factor<T>(e8m0_value(sraw & 0xFFu), exact);
      if (exact) {
        fp4_code_pairs_packed<T>(v, f2, out);
        return;
      }
    } else if constexpr (KIND == KIND_MXFP8 && f16) {
      bool exact;
      const uint32_t f2 = fp8_packed_factor(e8m0_value(sraw & 0xFFu), exact);
      if (exact) {
#pragma unroll
        for (int w = 0; w < CW; ++w) {
          out[2 * w] = mul_pair_packed<T>(e4m3x2_as<T>(v[w]), f2);
          out[2 * w + 1] = mul_pair_packed<T>(e4m3x2_as<T>(v[w] >> 16), f2);
        }
        return;
      }
    } else if constexpr (KIND == KIND_MXFP8) {
      const float s = e8m0_value(sraw & 0xFFu);
#pragma unroll
      for (int w = 0; w < CW; ++w)
#pragma unroll
        for (int e = 0; e < 2; ++e) {
          const uint32_t h = e4m3x2_as<__half>(v[w] >> (16 * e));
          const __half2 hh = *reinterpret_cast<const __half2*>(&h);
          out[2 * w + e] = pack2<T>(__low2float(hh) * s, __high2float(hh) * s);
        }
      return;
    }
    run<CW, NP>(v, sraw, braw, gfactor, out);
  }
};
