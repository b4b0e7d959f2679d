//! Per-group quantization arithmetic (spec §4, §5): plain IEEE f32, no FMA contraction
//! (Rust never contracts `a * b + c`), so results are bit-exact with MLX.

use super::codes::{
    e8m0_decode, e8m0_encode_ceil, fp4_encode, fp8_e4m3_decode, fp8_e4m3_encode, round_half_away, round_half_even,
};
use super::spec::{ElementCode, Mode, QuantSpec, Rounding};

/// MLX's epsilon for the affine scale.
const AFFINE_EPS: f32 = 1e-7;

/// Scale, bias and codes of one affine group. `codes` receives one code per element.
/// Returns the unrounded f32 `(scale, bias)`; callers store them rounded to the weight dtype.
pub fn affine_group(w: &[f32], bits: u32, rounding: Rounding, codes: &mut [u8]) -> (f32, f32) {
    let n_levels = ((1u32 << bits) - 1) as f32;
    let (mut hi, mut lo) = match rounding {
        Rounding::Gpu => (0.0f32, f32::MAX),
        Rounding::Cpu => (f32::MIN, f32::MAX),
    };
    for &v in w {
        hi = hi.max(v);
        lo = lo.min(v);
    }
    let round = match rounding {
        Rounding::Gpu => round_half_away,
        Rounding::Cpu => round_half_even,
    };
    let (scale, bias) = if bits == 1 {
        // 1-bit has no zero-point trick: bit 0 is lo, bit 1 is hi.
        ((hi - lo).max(AFFINE_EPS), lo)
    } else {
        let s0 = ((hi - lo) / n_levels).max(AFFINE_EPS);
        let side = lo.abs() > hi.abs();
        let s1 = if side { s0 } else { -s0 };
        let edge = if side { lo } else { hi };
        let q0 = round(edge / s1);
        if q0 == 0.0 {
            (s1, 0.0)
        } else {
            (edge / q0, edge)
        }
    };
    for (c, &v) in codes.iter_mut().zip(w) {
        let q = round((v - bias) / scale);
        *c = q.clamp(0.0, n_levels) as u8;
    }
    (scale, bias)
}

/// Scale byte and codes of one fp-mode group. `enc` is the nvfp4 global-scale factor 2688/g
/// (1 without a global scale; ignored for mx modes).
pub fn fp_group(spec: &QuantSpec, w: &[f32], enc: f32, codes: &mut [u8]) -> u8 {
    let amax = w.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let encode: fn(f32) -> u8 = match spec.element_code() {
        ElementCode::Fp8 => fp8_e4m3_encode,
        _ => fp4_encode,
    };
    let (scale_byte, mult) = match spec.mode() {
        Mode::Nvfp4 => {
            let s = fp8_e4m3_encode((amax / 6.0) * enc);
            let d = fp8_e4m3_decode(s);
            (s, if d == 0.0 { 0.0 } else { enc / d })
        }
        _ => {
            let maxval = if spec.element_code() == ElementCode::Fp8 { 448.0 } else { 6.0 };
            let s = e8m0_encode_ceil(amax / maxval);
            let d = e8m0_decode(s);
            (s, if d == 0.0 { 0.0 } else { 1.0 / d })
        }
    };
    for (c, &v) in codes.iter_mut().zip(w) {
        *c = encode(v * mult);
    }
    scale_byte
}

/// The f32 scale of an fp-mode group: the decoded scale byte times the nvfp4 global factor
/// `g/2688` (rounded to f32 first, the order that reproduces MLX's GPU).
#[inline]
pub fn fp_scale(spec: &QuantSpec, scale_byte: u8, global_factor: Option<f32>) -> f32 {
    match spec.mode() {
        Mode::Nvfp4 => {
            let d = fp8_e4m3_decode(scale_byte);
            match global_factor {
                Some(g) => d * g,
                None => d,
            }
        }
        _ => e8m0_decode(scale_byte),
    }
}

/// The nvfp4 dequantization factor `f32(g / 2688)` for a global scale `g`.
#[inline]
pub fn nvfp4_global_factor(global_scale: f32) -> f32 {
    global_scale / 2688.0
}

/// The nvfp4 quantization factor `2688 / g` (1 without a global scale).
#[inline]
pub fn nvfp4_encode_factor(global_scale: Option<f32>) -> f32 {
    match global_scale {
        Some(g) => 2688.0 / g,
        None => 1.0,
    }
}
