// quantize and dequantize on the device, bit-exact with the CPU backend. Built with --fmad=false
// so no multiply-add is contracted (the quantizer's arithmetic is plain IEEE f32, spec §4.1).
// Neither is on a hot path: one thread per group (quantize) or per element (dequantize), with the
// bit width at run time.
#include "quant.cuh"

__device__ __forceinline__ uint32_t fp4_encode(float x) {
  if (isnan(x)) return 7u;
  float a = fabsf(x);
  // Midpoint thresholds; > vs >= alternates so that ties go to the even code.
  uint32_t mag = a > 5.0f ? 7u : a >= 3.5f ? 6u : a > 2.5f ? 5u : a >= 1.75f ? 4u
               : a > 1.25f ? 3u : a >= 0.75f ? 2u : a > 0.25f ? 1u : 0u;
  return mag | (signbit(x) ? 8u : 0u);
}

// MLX's E4M3 encoder: RNE, subnormals below 2^-6, every magnitude >= 448 (inf, NaN too) -> 0x7E.
__device__ __forceinline__ uint32_t fp8_encode(float x) {
  uint32_t bits = __float_as_uint(x);
  uint32_t sign = (bits >> 24) & 0x80u;
  uint32_t abs = bits & 0x7FFFFFFFu;
  uint32_t mag;
  if (abs >= __float_as_uint(448.0f)) {
    mag = 0x7Eu;
  } else if (abs < (121u << 23)) {
    // Adding 2^14 puts the 2^-9 step at the f32 ulp, so the adder rounds half to even.
    float denorm = __uint_as_float(141u << 23);
    float sum = __fadd_rn(__uint_as_float(abs), denorm);
    mag = (__float_as_uint(sum) - __float_as_uint(denorm)) & 0xFFu;
  } else {
    uint32_t odd = (abs >> 20) & 1u;
    uint32_t r = abs + ((7u - 127u) << 23) + 0x7FFFFu + odd;
    mag = (r >> 20) & 0xFFu;
  }
  return mag | sign;
}

// Smallest power of two >= v as an E8M0 byte, clamped to [2^-127, 2^127]; 0 -> byte 0.
__device__ __forceinline__ uint32_t e8m0_encode_ceil(float v) {
  uint32_t bits = __float_as_uint(v) & 0x7FFFFFFFu;
  if (bits == 0u) return 0u;
  int exp = (int)(bits >> 23);
  uint32_t mant = bits & 0x7FFFFFu;
  int ceil_log2;
  if (exp == 0) {
    int fl = 31 - __clz(mant) - 149;
    ceil_log2 = fl + ((mant & (mant - 1u)) != 0u ? 1 : 0);
  } else {
    ceil_log2 = exp - 127 + (mant != 0u ? 1 : 0);
  }
  ceil_log2 = max(-127, min(127, ceil_log2));
  return (uint32_t)(ceil_log2 + 127);
}

template <typename T>
__device__ void quantize_group(const ConvertParams& p, long long gi) {
  const int gs = p.group_size, bits = p.bits;
  const long long gpr = p.cols / gs;
  const long long row = gi / gpr;
  const long long c0 = (gi % gpr) * gs;
  const T* w = reinterpret_cast<const T*>(p.src) + row * p.cols + c0;
  uint32_t* out = reinterpret_cast<uint32_t*>(p.wq) + row * (p.cols * bits / 32) + c0 * bits / 32;
  float hi, lo, amax = 0.0f;
  if (p.rounding == 0) { hi = 0.0f; lo = 3.402823466e38f; } else { hi = -3.402823466e38f; lo = 3.402823466e38f; }
  for (int i = 0; i < gs; ++i) {
    float v = to_f32<T>(w[i]);
    if (!isfinite(v)) { report(p.status, p.host_status, ST_NON_FINITE, row, (long long)__float_as_uint(v)); return; }
    hi = fmaxf(hi, v);
    lo = fminf(lo, v);
    amax = fmaxf(amax, fabsf(v));
  }
  float scale = 0.0f, bias = 0.0f, mult = 0.0f, n_levels = (float)((1u << bits) - 1u);
  uint32_t scale_byte = 0;
  const bool cpu = p.rounding == 1;
  if (p.kind == KIND_AFFINE) {
    if (bits == 1) {
      // 1-bit has no zero-point trick: bit 0 is lo, bit 1 is hi.
      scale = fmaxf(__fsub_rn(hi, lo), 1e-7f);
      bias = lo;
    } else {
      float s0 = fmaxf(__fdiv_rn(__fsub_rn(hi, lo), n_levels), 1e-7f);
      bool side = fabsf(lo) > fabsf(hi);
      float s1 = side ? s0 : -s0;
      float edge = side ? lo : hi;
      float q0 = cpu ? rintf(__fdiv_rn(edge, s1)) : roundf(__fdiv_rn(edge, s1));
      if (q0 == 0.0f) { scale = s1; bias = 0.0f; } else { scale = __fdiv_rn(edge, q0); bias = edge; }
    }
    reinterpret_cast<T*>(p.scales_out)[gi] = from_f32<T>(scale);
    reinterpret_cast<T*>(p.biases_out)[gi] = from_f32<T>(bias);
  } else if (p.kind == KIND_NVFP4) {
    float enc = 1.0f;
    if (p.global_scale) {
      float g = *p.global_scale;
      if (!(isfinite(g) && g > 0.0f)) { report(p.status, p.host_status, ST_GLOBAL_SCALE, 0, 0); return; }
      enc = __fdiv_rn(2688.0f, g);
    }
    scale_byte = fp8_encode(__fmul_rn(__fdiv_rn(amax, 6.0f), enc));
    float d = fp8_value(scale_byte);
    mult = d == 0.0f ? 0.0f : __fdiv_rn(enc, d);
    reinterpret_cast<uint8_t*>(p.scales_out)[gi] = (uint8_t)scale_byte;
  } else {
    float maxval = p.kind == KIND_MXFP8 ? 448.0f : 6.0f;
    scale_byte = e8m0_encode_ceil(__fdiv_rn(amax, maxval));
    float d = e8m0_value(scale_byte);
    mult = d == 0.0f ? 0.0f : __fdiv_rn(1.0f, d);
    reinterpret_cast<uint8_t*>(p.scales_out)[gi] = (uint8_t)scale_byte;
  }
  unsigned long long acc = 0;
  int filled = 0, word = 0;
  for (int i = 0; i < gs; ++i) {
    float v = to_f32<T>(w[i]);
    uint32_t c;
    if (p.kind == KIND_AFFINE) {
      float r = __fdiv_rn(__fsub_rn(v, bias), scale);
      float q = cpu ? rintf(r) : roundf(r);
      c = (uint32_t)fminf(fmaxf(q, 0.0f), n_levels);
    } else if (p.kind == KIND_MXFP8) {
      c = fp8_encode(__fmul_rn(v, mult));
    } else {
      c = fp4_encode(__fmul_rn(v, mult));
    }
    acc |= (unsigned long long)c << filled;
    filled += bits;
    if (filled >= 32) {
      out[word++] = (uint32_t)acc;
      acc >>= 32;
      filled -= 32;
    }
  }
}

template <typename T>
__device__ void quantize_impl(const ConvertParams& p) {
  const long long groups = p.rows * (p.cols / p.group_size);
  for (long long gi = blockIdx.x * (long long)blockDim.x + threadIdx.x; gi < groups;
       gi += (long long)gridDim.x * blockDim.x)
    quantize_group<T>(p, gi);
}

template <typename S, typename O>
__device__ void dequantize_impl(const ConvertParams& p) {
  const long long total = p.rows * p.cols;
  const long long wpr = p.cols * p.bits / 32, gpr = p.cols / p.group_size;
  float gfactor = 0.0f;
  if (p.kind == KIND_NVFP4 && p.global_scale) gfactor = __fdiv_rn(*p.global_scale, 2688.0f);
  for (long long e = blockIdx.x * (long long)blockDim.x + threadIdx.x; e < total; e += (long long)gridDim.x * blockDim.x) {
    long long r = e / p.cols, j = e % p.cols;
    uint32_t c = extract_code(reinterpret_cast<const uint32_t*>(p.src) + r * wpr, j, p.bits);
    long long g = r * gpr + j / p.group_size;
    float v;
    if (p.kind == KIND_AFFINE) {
      float s = to_f32<S>(reinterpret_cast<const S*>(p.scales)[g]);
      float b = to_f32<S>(reinterpret_cast<const S*>(p.biases)[g]);
      v = __fmaf_rn(s, (float)c, b);
    } else {
      uint8_t byte = reinterpret_cast<const uint8_t*>(p.scales)[g];
      float scale;
      if (p.kind == KIND_NVFP4) {
        scale = fp8_value(byte);
        if (p.global_scale) scale = __fmul_rn(scale, gfactor);
      } else {
        scale = e8m0_value(byte);
      }
      float val = p.kind == KIND_MXFP8 ? fp8_value(c) : fp4_value(c);
      v = __fmul_rn(val, scale);
    }
    reinterpret_cast<O*>(p.out)[e] = from_f32<O>(v);
  }
}

#define QMLX_QUANTIZE(NAME, T) \
  extern "C" __global__ void __launch_bounds__(256) quantize_##NAME(const ConvertParams p) { quantize_impl<T>(p); }
QMLX_QUANTIZE(f32, float)
QMLX_QUANTIZE(f16, __half)
QMLX_QUANTIZE(bf16, __nv_bfloat16)

#define QMLX_DEQUANTIZE(SN, S, ON, O)                                                         \
  extern "C" __global__ void __launch_bounds__(256) dequantize_##SN##_##ON(const ConvertParams p) { \
    dequantize_impl<S, O>(p);                                                                  \
  }
#define QMLX_DEQUANTIZE_OUT(SN, S) \
  QMLX_DEQUANTIZE(SN, S, f32, float) QMLX_DEQUANTIZE(SN, S, f16, __half) QMLX_DEQUANTIZE(SN, S, bf16, __nv_bfloat16)
QMLX_DEQUANTIZE_OUT(f32, float)
QMLX_DEQUANTIZE_OUT(f16, __half)
QMLX_DEQUANTIZE_OUT(bf16, __nv_bfloat16)
