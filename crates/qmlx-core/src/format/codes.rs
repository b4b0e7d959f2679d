//! Scalar codecs of MLX's element and scale codes: FP4 E2M1, FP8 E4M3, E8M0.
//!
//! Encoders follow MLX's GPU rules (spec §5); decoders follow MLX 0.32.4 (0x7F/0xFF are NaN).

/// Values of the eight non-negative FP4 E2M1 codes; codes 8..15 are their negatives.
pub const FP4_VALUES: [f32; 8] = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0];

/// Decodes an FP4 E2M1 code (low 4 bits of `code`).
#[inline(always)]
pub fn fp4_decode(code: u8) -> f32 {
    let v = FP4_VALUES[(code & 7) as usize];
    if code & 8 != 0 {
        -v
    } else {
        v
    }
}

/// Encodes to FP4 E2M1: round to nearest even, saturating at ±6, keeping the sign of zero.
/// NaN encodes as 7 (+6), as MLX's kernels do.
#[inline]
pub fn fp4_encode(x: f32) -> u8 {
    if x.is_nan() {
        return 7;
    }
    let a = x.abs();
    // Thresholds are the midpoints; `>` vs `>=` alternates so that ties go to the even code.
    let mag = if a > 5.0 {
        7
    } else if a >= 3.5 {
        6
    } else if a > 2.5 {
        5
    } else if a >= 1.75 {
        4
    } else if a > 1.25 {
        3
    } else if a >= 0.75 {
        2
    } else if a > 0.25 {
        1
    } else {
        0
    };
    mag | if x.is_sign_negative() { 8 } else { 0 }
}

/// Decodes an FP8 E4M3 ("fn") byte; 0x7F and 0xFF are NaN.
#[inline]
pub fn fp8_e4m3_decode(code: u8) -> f32 {
    let sign = if code & 0x80 != 0 { -1.0f32 } else { 1.0 };
    let e = (code >> 3) & 0xF;
    let m = (code & 7) as f32;
    if code & 0x7F == 0x7F {
        return f32::NAN;
    }
    let mag = if e == 0 { m * (1.0 / 512.0) } else { f32::from_bits(((e as u32 + 120) << 23) | ((code as u32 & 7) << 20)) };
    sign * mag
}

/// Encodes to FP8 E4M3 as MLX does: RNE, subnormals below 2^-6, and every magnitude ≥ 448
/// (including inf and NaN) saturates to 0x7E. The sign bit is kept (−0 → 0x80).
#[inline]
pub fn fp8_e4m3_encode(x: f32) -> u8 {
    let bits = x.to_bits();
    let sign = ((bits >> 24) & 0x80) as u8;
    let abs = bits & 0x7FFF_FFFF;
    let mag: u8 = if abs >= 448.0f32.to_bits() {
        0x7E
    } else if abs < (121u32 << 23) {
        // Subnormal range: adding 2^14 puts the 2^-9 step at the f32 ulp, so the FPU rounds (RNE).
        let denorm = f32::from_bits(141u32 << 23);
        let sum = f32::from_bits(abs) + denorm;
        (sum.to_bits() - denorm.to_bits()) as u8
    } else {
        let odd = (abs >> 20) & 1;
        let r = abs.wrapping_add(((7u32).wrapping_sub(127) << 23).wrapping_add(0x7FFFF)).wrapping_add(odd);
        (r >> 20) as u8
    };
    mag | sign
}

/// Decodes an E8M0 scale byte: 2^(s−127); byte 0 is 2^-127 (not zero), byte 255 is +inf (Metal/CPU).
#[inline]
pub fn e8m0_decode(code: u8) -> f32 {
    match code {
        0 => f32::from_bits(0x0040_0000), // 2^-127, a subnormal
        255 => f32::INFINITY,
        s => f32::from_bits((s as u32) << 23),
    }
}

/// Encodes a non-negative scale as E8M0 rounded up: the smallest power of two ≥ `v`, clamped to
/// [2^-127, 2^127]. Zero (and anything below 2^-127) gives byte 0.
#[inline]
pub fn e8m0_encode_ceil(v: f32) -> u8 {
    let bits = v.to_bits() & 0x7FFF_FFFF;
    if bits == 0 {
        return 0;
    }
    let exp = (bits >> 23) as i32;
    let mant = bits & 0x7F_FFFF;
    let ceil_log2 = if exp == 0 {
        // Subnormal: v = mant * 2^-149.
        let floor = 31 - mant.leading_zeros() as i32 - 149;
        floor + (!mant.is_power_of_two()) as i32
    } else {
        exp - 127 + (mant != 0) as i32
    };
    (ceil_log2.clamp(-127, 127) + 127) as u8
}

/// Round half away from zero (C `roundf`), as MLX's GPU quantizer rounds.
#[inline(always)]
pub fn round_half_away(x: f32) -> f32 {
    x.round()
}

/// Round half to even (C `rint` in the default mode), as MLX's CPU quantizer rounds.
#[inline(always)]
pub fn round_half_even(x: f32) -> f32 {
    x.round_ties_even()
}
