// codes.wgsl: the one place the WGSL kernels know about bit widths, code types and float
// formats. It is prepended to every kernel (see src/shaders.rs). Pure functions only, except
// `chunk_code`, which reads the `chunk` private array declared here.
//
// Specialisation is by pipeline-overridable constants, so one source serves every variant:
//   BITS  code width (1..8), GS group size, MODE 0 affine / 1 mxfp4 / 2 mxfp8 / 3 nvfp4.
// Float dtypes are tags: 0 float32, 1 float16, 2 bfloat16. 16-bit values travel as halves of u32
// words (WGSL has no bf16, and this keeps f16 free of the optional `shader-f16` feature). All
// conversions are done on bits, so results do not depend on the driver's rounding or flushing.

override BITS: u32 = 4u;
override GS: u32 = 64u;
override MODE: u32 = 0u;

const MODE_AFFINE: u32 = 0u;
const MODE_MXFP4: u32 = 1u;
const MODE_MXFP8: u32 = 2u;
const MODE_NVFP4: u32 = 3u;
const DT_F32: u32 = 0u;
const DT_F16: u32 = 1u;
const DT_BF16: u32 = 2u;

// ---------------------------------------------------------------- float formats

fn f16_to_f32(h: u32) -> f32 {
    let s = (h & 0x8000u) << 16u;
    let e = (h >> 10u) & 0x1fu;
    let m = h & 0x3ffu;
    if e == 0u {
        // Zero or subnormal: m * 2^-24 is exact in f32.
        return bitcast<f32>(bitcast<u32>(f32(m) * 5.9604644775390625e-8) | s);
    }
    if e == 31u {
        return bitcast<f32>(s | 0x7f800000u | (m << 13u));
    }
    return bitcast<f32>(s | ((e + 112u) << 23u) | (m << 13u));
}

// Round to nearest even, as `half::f16::from_f32`.
fn f32_to_f16(f: f32) -> u32 {
    let x = bitcast<u32>(f);
    let s = (x >> 16u) & 0x8000u;
    let a = x & 0x7fffffffu;
    if a > 0x7f800000u {
        return s | 0x7e00u | ((a & 0x7fffffu) >> 13u);
    }
    if a >= 0x477ff000u {
        return s | 0x7c00u; // 65520 and above round to infinity
    }
    if a < 0x38800000u {
        // Below 2^-14: an f16 subnormal, round(v * 2^24) (WGSL round is half-to-even).
        return s | u32(round(bitcast<f32>(a) * 16777216.0));
    }
    let r = a + 0xfffu + ((a >> 13u) & 1u);
    return s | ((r - 0x38000000u) >> 13u);
}

fn bf16_to_f32(h: u32) -> f32 {
    return bitcast<f32>(h << 16u);
}

// Round to nearest even, as `half::bf16::from_f32`.
fn f32_to_bf16(f: f32) -> u32 {
    let x = bitcast<u32>(f);
    if (x & 0x7fffffffu) > 0x7f800000u {
        return (x >> 16u) | 0x40u;
    }
    return (x + 0x7fffu + ((x >> 16u) & 1u)) >> 16u;
}

// Word holding element `i` of a tensor of dtype `dt` viewed as u32 words.
fn word_index(i: u32, dt: u32) -> u32 {
    return select(i >> 1u, i, dt == DT_F32);
}

// Element `i` of dtype `dt`, given the word that holds it.
fn float_from_word(word: u32, i: u32, dt: u32) -> f32 {
    if dt == DT_F32 {
        return bitcast<f32>(word);
    }
    let h = (word >> ((i & 1u) * 16u)) & 0xffffu;
    return select(bf16_to_f32(h), f16_to_f32(h), dt == DT_F16);
}

// The stored bits of `v` in dtype `dt` (16 bits in the low half for 16-bit dtypes).
fn float_to_bits(v: f32, dt: u32) -> u32 {
    if dt == DT_F32 {
        return bitcast<u32>(v);
    }
    return select(f32_to_bf16(v), f32_to_f16(v), dt == DT_F16);
}

// ---------------------------------------------------------------- exact arithmetic helpers

fn next_toward(q: f32, up: bool) -> f32 {
    if q == 0.0 {
        return select(bitcast<f32>(0x80000001u), bitcast<f32>(1u), up);
    }
    let b = bitcast<u32>(q);
    let away = up == (q > 0.0);
    return bitcast<f32>(select(b - 1u, b + 1u, away));
}

// Exact products and sums that hold whether or not the driver fuses `fma` (lavapipe does not)
// or contracts a*b+c: operands are split on bits into 12-bit halves, so every product is exact.
// Drivers may also simplify float algebra that SPIR-V does not mark exact (Mesa's NIR turns
// (a + b) - a into b), which would erase the rounding errors these helpers capture; routing each
// intermediate through `opq` (an OR with a zero the compiler cannot see) prevents that.

// Zero, loaded from the kernel's uniform parameters at entry (kernels set it first thing).
var<private> opaque_zero: u32;

fn opq(x: f32) -> f32 {
    return bitcast<f32>(bitcast<u32>(x) | opaque_zero);
}

fn hi12(x: f32) -> f32 {
    return bitcast<f32>(bitcast<u32>(x) & 0xfffff000u);
}

// (s, e) with s = RN(a + b) and s + e == a + b exactly (Knuth's TwoSum).
fn two_sum(a: f32, b: f32) -> vec2<f32> {
    let s = opq(a + b);
    let bb = opq(s - a);
    return vec2<f32>(s, opq(a - opq(s - bb)) + opq(b - bb));
}

// a + b rounded to odd: the inexact result keeps an odd last bit.
fn add_round_odd(a: f32, b: f32) -> f32 {
    let t = two_sum(a, b);
    if t.y != 0.0 && (bitcast<u32>(t.x) & 1u) == 0u {
        return next_toward(t.x, t.y > 0.0);
    }
    return t.x;
}

// Correctly rounded s*q + b for an integer code q < 2^12: the single rounding of a fused fma,
// via Boldo–Melquiond's a+b+c with round-to-odd.
fn fma_code(s: f32, q: f32, b: f32) -> f32 {
    let s_hi = hi12(s);
    let a1 = opq(s_hi * q);
    let a2 = opq(opq(s - s_hi) * q);
    let u = two_sum(a2, b);
    let t = two_sum(a1, u.x);
    return t.x + add_round_odd(t.y, u.y);
}

// a - q*b, with q*b exact: the remainder of a division (close to exact when q is).
fn div_remainder(a: f32, q: f32, b: f32) -> f32 {
    let qh = hi12(q);
    let ql = opq(q - qh);
    let bh = hi12(b);
    let bl = opq(b - bh);
    return opq(opq(opq(a - opq(qh * bh)) - opq(qh * bl)) - opq(ql * bh)) - opq(ql * bl);
}

// Correctly rounded a / b. WGSL's `/` may be off by 2.5 ulp; MLX and the CPU backend divide in
// IEEE, so quantize must too. Walks to the neighbour with the smaller remainder.
fn div_rn(a: f32, b: f32) -> f32 {
    var q = a / b;
    let finite = (bitcast<u32>(q) & 0x7f800000u) != 0x7f800000u;
    if !finite || q == 0.0 {
        return q;
    }
    for (var i = 0u; i < 4u; i++) {
        let r = div_remainder(a, q, b);
        if r == 0.0 {
            break;
        }
        let q2 = next_toward(q, (r > 0.0) == (b > 0.0));
        let r2 = div_remainder(a, q2, b);
        if abs(r2) < abs(r) {
            q = q2;
        } else {
            break;
        }
    }
    return q;
}

// C roundf: half away from zero (MLX's GPU quantizer). WGSL `round` is half-to-even.
fn round_half_away(x: f32) -> f32 {
    let t = trunc(x);
    if abs(x - t) >= 0.5 {
        return t + sign(x);
    }
    return t;
}

fn is_finite_f32(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u;
}

// ---------------------------------------------------------------- element and scale codecs

fn fp4_value(code: u32) -> f32 {
    let e = (code >> 1u) & 3u;
    let m = f32(code & 1u);
    var v = m * 0.5;
    if e != 0u {
        v = (1.0 + m * 0.5) * f32(1u << (e - 1u));
    }
    return select(v, -v, (code & 8u) != 0u);
}

fn fp8_e4m3_value(code: u32) -> f32 {
    if (code & 0x7fu) == 0x7fu {
        return bitcast<f32>(0x7fc00000u);
    }
    let e = (code >> 3u) & 0xfu;
    var mag: f32;
    if e == 0u {
        mag = f32(code & 7u) * (1.0 / 512.0);
    } else {
        mag = bitcast<f32>(((e + 120u) << 23u) | ((code & 7u) << 20u));
    }
    return select(mag, -mag, (code & 0x80u) != 0u);
}

fn e8m0_value(code: u32) -> f32 {
    if code == 0u {
        return bitcast<f32>(0x00400000u); // 2^-127
    }
    if code == 255u {
        return bitcast<f32>(0x7f800000u);
    }
    return bitcast<f32>(code << 23u);
}

// FP4 E2M1, round to nearest even, saturating, sign of zero kept; NaN -> 7.
fn fp4_encode(x: f32) -> u32 {
    if !(x == x) {
        return 7u;
    }
    let a = abs(x);
    var mag = 0u;
    if a > 5.0 { mag = 7u; }
    else if a >= 3.5 { mag = 6u; }
    else if a > 2.5 { mag = 5u; }
    else if a >= 1.75 { mag = 4u; }
    else if a > 1.25 { mag = 3u; }
    else if a >= 0.75 { mag = 2u; }
    else if a > 0.25 { mag = 1u; }
    return mag | select(0u, 8u, (bitcast<u32>(x) & 0x80000000u) != 0u);
}

// FP8 E4M3 as MLX encodes: RNE, >= 448 (and inf/NaN) saturate to 0x7E, sign kept.
fn fp8_e4m3_encode(x: f32) -> u32 {
    let bits = bitcast<u32>(x);
    let s = (bits >> 24u) & 0x80u;
    let a = bits & 0x7fffffffu;
    var mag: u32;
    if a >= 0x43e00000u {
        mag = 0x7eu;
    } else if a < (121u << 23u) {
        // Subnormal range: adding 2^14 puts the 2^-9 step at the f32 ulp, so the add rounds (RNE).
        let denorm = bitcast<f32>(141u << 23u);
        mag = (bitcast<u32>(bitcast<f32>(a) + denorm) - (141u << 23u)) & 0xffu;
    } else {
        let odd = (a >> 20u) & 1u;
        mag = ((a + 0xc407ffffu + odd) >> 20u) & 0xffu;
    }
    return mag | s;
}

// E8M0 rounded up: the smallest power of two >= v, clamped to [2^-127, 2^127]; 0 -> byte 0.
fn e8m0_encode_ceil(v: f32) -> u32 {
    let b = bitcast<u32>(v) & 0x7fffffffu;
    if b == 0u {
        return 0u;
    }
    let e = i32(b >> 23u);
    let m = b & 0x7fffffu;
    var l: i32;
    if e == 0 {
        l = 31 - i32(countLeadingZeros(m)) - 149 + select(1, 0, countOneBits(m) == 1u);
    } else {
        l = e - 127 + select(0, 1, m != 0u);
    }
    return u32(clamp(l, -127, 127) + 127);
}

// The exact stored weight, bit-exact with MLX's GPU and the CPU backend: one rounding of
// scale*q + bias even where `fma` is not fused.
fn weight_value_exact(code: u32, scale: f32, bias: f32) -> f32 {
    if MODE == MODE_AFFINE {
        return fma_code(scale, f32(code), bias);
    }
    return weight_value(code, scale, bias);
}

// ---------------------------------------------------------------- packed codes

// The words of one 32-element chunk: a chunk of b-bit codes is exactly `BITS` words, so codes
// never straddle chunks (3/5/6-bit codes do straddle words inside one).
var<private> chunk: array<u32, 8>;

// Code `e` (0..31) of the chunk in `chunk`.
fn chunk_code(e: u32) -> u32 {
    let pos = e * BITS;
    let wi = pos >> 5u;
    let sh = pos & 31u;
    var v = chunk[wi] >> sh;
    if sh + BITS > 32u {
        v = v | (chunk[wi + 1u] << (32u - sh));
    }
    return v & ((1u << BITS) - 1u);
}

// Codes 0..3 (lo) and 4..7 (hi) of a word of 4-bit codes, for kernels that take a word at a time.
fn codes4_lo(w: u32) -> vec4<u32> {
    return (vec4<u32>(w) >> vec4<u32>(0u, 4u, 8u, 12u)) & vec4<u32>(15u);
}

fn codes4_hi(w: u32) -> vec4<u32> {
    return (vec4<u32>(w) >> vec4<u32>(16u, 20u, 24u, 28u)) & vec4<u32>(15u);
}

// The same codes as the f32 values 1 + q/16: each code's bits shifted straight into the top of
// an f32 mantissa (one shift and one and-or per code, no integer-to-float conversion).
fn codes4_lo_unit(w: u32) -> vec4<f32> {
    let v = vec4<u32>(w << 19u, w << 15u, w << 11u, w << 7u);
    return bitcast<vec4<f32>>((v & vec4<u32>(0x780000u)) | vec4<u32>(0x3f800000u));
}

fn codes4_hi_unit(w: u32) -> vec4<f32> {
    let v = vec4<u32>(w << 3u, w >> 1u, w >> 5u, w >> 9u);
    return bitcast<vec4<f32>>((v & vec4<u32>(0x780000u)) | vec4<u32>(0x3f800000u));
}

// Element `i` of a 16-bit dtype held in `word`, through the hardware's f16 conversion (for the
// matmuls, where the accuracy metric applies rather than bit-exactness).
fn half_in_word(word: u32, i: u32, dt: u32) -> f32 {
    if dt == DT_F16 {
        return unpack2x16float(word)[i & 1u];
    }
    return bitcast<f32>(select(word << 16u, word & 0xffff0000u, (i & 1u) != 0u));
}

// The f32 scale of an fp-mode group from its byte (nvfp4: times the global factor g/2688).
fn fp_scale(byte: u32, global_factor: f32, has_global: bool) -> f32 {
    if MODE == MODE_NVFP4 {
        let d = fp8_e4m3_value(byte);
        return select(d, d * global_factor, has_global);
    }
    return e8m0_value(byte);
}

// The f32 weight of a code for matmuls: affine fma(scale, q, bias) (fused where the hardware
// fuses; within the accuracy metric either way), fp value(code) * scale (exact).
fn weight_value(code: u32, scale: f32, bias: f32) -> f32 {
    if MODE == MODE_AFFINE {
        return fma(scale, f32(code), bias);
    }
    if MODE == MODE_MXFP8 {
        return fp8_e4m3_value(code) * scale;
    }
    return fp4_value(code) * scale;
}
