//! The one place where the CPU backend knows about bit widths and code types: turning a run of
//! packed codes plus their group's scale (and bias) into f32 weights.
//!
//! Values are exactly MLX-GPU's dequantized weights before the final rounding to the output
//! dtype: affine `fma_f32(scale, q, bias)`, fp `value(code) * scale` (spec §4.4, §5.6).

use crate::dtype::Float;
use crate::format::codes::{fp4_decode, fp8_e4m3_decode};
use crate::format::packing::extract;
use crate::format::quantize::fp_scale;
use crate::format::{ElementCode, QuantSpec};

/// Scales of one stored row: floats (affine, with biases) or scale bytes (fp modes).
#[derive(Clone, Copy)]
pub enum RowScales<'a, S> {
    /// Affine: per-group scale and bias in the stored dtype.
    Affine {
        /// Scales of the row.
        scales: &'a [S],
        /// Biases of the row.
        biases: &'a [S],
    },
    /// fp modes: per-group scale bytes, and the nvfp4 global factor `g/2688` if any.
    Fp {
        /// Scale bytes of the row.
        scales: &'a [u8],
        /// nvfp4 global factor.
        global_factor: Option<f32>,
    },
}

/// Decodes stored-row elements `[c0, c0 + out.len())` into f32 weights.
pub fn decode_row<S: Float>(spec: &QuantSpec, row: &[u32], scales: RowScales<'_, S>, c0: usize, out: &mut [f32]) {
    match (spec.element_code(), scales) {
        (ElementCode::Uint, RowScales::Affine { scales, biases }) => match spec.bits() {
            1 => decode_affine::<1, S>(row, scales, biases, spec.group_size() as usize, c0, out),
            2 => decode_affine::<2, S>(row, scales, biases, spec.group_size() as usize, c0, out),
            3 => decode_affine::<3, S>(row, scales, biases, spec.group_size() as usize, c0, out),
            4 => decode_affine::<4, S>(row, scales, biases, spec.group_size() as usize, c0, out),
            5 => decode_affine::<5, S>(row, scales, biases, spec.group_size() as usize, c0, out),
            6 => decode_affine::<6, S>(row, scales, biases, spec.group_size() as usize, c0, out),
            8 => decode_affine::<8, S>(row, scales, biases, spec.group_size() as usize, c0, out),
            b => unreachable!("QuantSpec admits no {b}-bit affine"),
        },
        (code, RowScales::Fp { scales, global_factor }) => {
            let gs = spec.group_size() as usize;
            let bits = spec.bits();
            for (i, o) in out.iter_mut().enumerate() {
                let j = c0 + i;
                let c = extract(row, j, bits) as u8;
                let v = if code == ElementCode::Fp8 { fp8_e4m3_decode(c) } else { fp4_decode(c) };
                *o = v * fp_scale(spec, scales[j / gs], global_factor);
            }
        }
        _ => unreachable!("scales kind is validated against the mode"),
    }
}

#[inline(always)]
fn decode_affine<const B: u32, S: Float>(row: &[u32], scales: &[S], biases: &[S], gs: usize, c0: usize, out: &mut [f32]) {
    let mut i = 0;
    while i < out.len() {
        let j = c0 + i;
        let g = j / gs;
        let (s, b) = (scales[g].to_f32(), biases[g].to_f32());
        let end = ((g + 1) * gs - c0).min(out.len());
        for (t, o) in out[i..end].iter_mut().enumerate() {
            *o = s.mul_add(extract(row, j + t, B) as f32, b);
        }
        i = end;
    }
}
