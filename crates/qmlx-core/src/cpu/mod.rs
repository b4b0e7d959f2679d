//! The CPU backend: the default, multi-threaded with rayon.
//!
//! Entry points take an op description plus borrowed tensors, check that the buffers are the ones
//! the description was built for, and run. Bit-width specifics live in [`decode`] (the scalar
//! reference) and [`kernels::layout`] (the SIMD kernels); [`Kernels`] selects the implementation
//! (detected once per process, or `QMLX_CPU_KERNELS=reference|portable|avx2|avx512|neon`).

pub mod decode;
pub mod kernels;
mod matmul;
mod qmm;
mod qmv;
mod reference;
pub(crate) mod spin_pool;

pub use kernels::Kernels;
pub use spin_pool::set_decode_spin_pool;

use crate::dtype::{DType, Float, TensorMut, TensorRef};
use crate::error::{Error, Result};
use crate::format::packing::pack_row;
use crate::format::quantize::{affine_group, fp_group, nvfp4_encode_factor, nvfp4_global_factor};
use crate::ops::{DequantizeOp, IndexSlice, MatmulOp, QuantizeOp};
use crate::with_float_type;
use decode::{decode_row, RowScales};
use rayon::prelude::*;

/// Reads a one-element float32 tensor.
fn scalar_f32(t: &TensorRef<'_>) -> f32 {
    t.typed::<f32>()[0]
}

/// Quantizes `w` into `wq`, `scales` and (affine) `biases`, all shaped as `op` says.
pub fn quantize(
    op: &QuantizeOp,
    w: TensorRef<'_>,
    global_scale: Option<TensorRef<'_>>,
    mut wq: TensorMut<'_>,
    mut scales: TensorMut<'_>,
    biases: Option<TensorMut<'_>>,
) -> Result<()> {
    op.check_buffers(
        &w.meta(),
        global_scale.map(|g| g.meta()).as_ref(),
        &wq.meta(),
        &scales.meta(),
        biases.as_ref().map(|b| b.meta()).as_ref(),
    )?;
    match biases {
        Some(mut b) => {
            with_float_type!(op.w_dtype, T => quantize_affine::<T>(op, w.typed::<T>(), wq.typed(), scales.typed::<T>(), b.typed::<T>()))
        }
        None => {
            let enc = nvfp4_encode_factor(global_scale.map(|g| scalar_f32(&g)));
            if let Some(g) = global_scale {
                let g = scalar_f32(&g);
                if !(g.is_finite() && g > 0.0) {
                    return Err(Error::value("global_scale", "a finite positive float", g));
                }
            }
            with_float_type!(op.w_dtype, T => quantize_fp::<T>(op, w.typed::<T>(), enc, wq.typed(), scales.typed::<u8>()))
        }
    }
}

/// Converts a row to f32, refusing NaN and infinity.
fn row_to_f32<T: Float>(row_index: usize, src: &[T], dst: &mut Vec<f32>) -> Result<()> {
    dst.clear();
    dst.extend(src.iter().map(|v| v.to_f32()));
    if let Some(&bad) = dst.iter().find(|v| !v.is_finite()) {
        return Err(Error::NonFinite { row: row_index, value: bad });
    }
    Ok(())
}

fn quantize_affine<T: Float>(op: &QuantizeOp, w: &[T], wq: &mut [u32], scales: &mut [T], biases: &mut [T]) -> Result<()> {
    let (cols, gs, bits) = (op.cols, op.spec.group_size() as usize, op.spec.bits());
    let wpr = op.spec.packed_words(cols);
    let gpr = cols / gs;
    if cols == 0 {
        return Ok(());
    }
    w.par_chunks(cols)
        .zip(wq.par_chunks_mut(wpr.max(1)))
        .zip(scales.par_chunks_mut(gpr.max(1)).zip(biases.par_chunks_mut(gpr.max(1))))
        .enumerate()
        .try_for_each_init(
            || (Vec::new(), vec![0u8; cols]),
            |(buf, codes), (r, ((src, dst), (s_row, b_row)))| {
                row_to_f32(r, src, buf)?;
                for g in 0..gpr {
                    let span = g * gs..(g + 1) * gs;
                    let (s, b) = affine_group(&buf[span.clone()], bits, op.rounding, &mut codes[span]);
                    s_row[g] = T::from_f32(s);
                    b_row[g] = T::from_f32(b);
                }
                pack_row(codes, bits, dst);
                Ok(())
            },
        )
}

fn quantize_fp<T: Float>(op: &QuantizeOp, w: &[T], enc: f32, wq: &mut [u32], scales: &mut [u8]) -> Result<()> {
    let (cols, gs, bits) = (op.cols, op.spec.group_size() as usize, op.spec.bits());
    if cols == 0 {
        return Ok(());
    }
    let wpr = op.spec.packed_words(cols);
    w.par_chunks(cols)
        .zip(wq.par_chunks_mut(wpr))
        .zip(scales.par_chunks_mut(cols / gs))
        .enumerate()
        .try_for_each_init(
            || (Vec::new(), vec![0u8; cols]),
            |(buf, codes), (r, ((src, dst), s_row))| {
                row_to_f32(r, src, buf)?;
                for (g, s) in s_row.iter_mut().enumerate() {
                    let span = g * gs..(g + 1) * gs;
                    *s = fp_group(&op.spec, &buf[span.clone()], enc, &mut codes[span]);
                }
                pack_row(codes, bits, dst);
                Ok(())
            },
        )
}

/// Dequantizes packed `w` into `out` (dtype `op.out_dtype`).
pub fn dequantize(
    op: &DequantizeOp,
    w: TensorRef<'_>,
    scales: TensorRef<'_>,
    biases: Option<TensorRef<'_>>,
    global_scale: Option<TensorRef<'_>>,
    out: TensorMut<'_>,
) -> Result<()> {
    dequantize_with(Kernels::active(), op, w, scales, biases, global_scale, out)
}

/// [`dequantize`] with a chosen implementation (all give bit-identical results).
pub fn dequantize_with(
    kernels: Kernels,
    op: &DequantizeOp,
    w: TensorRef<'_>,
    scales: TensorRef<'_>,
    biases: Option<TensorRef<'_>>,
    global_scale: Option<TensorRef<'_>>,
    mut out: TensorMut<'_>,
) -> Result<()> {
    if !kernels.is_supported() {
        return Err(Error::Backend(format!("CPU kernels '{}' are not supported by this CPU", kernels.name())));
    }
    op.check_buffers(
        &w.meta(),
        &scales.meta(),
        biases.map(|b| b.meta()).as_ref(),
        global_scale.map(|g| g.meta()).as_ref(),
        &out.meta(),
    )?;
    let gf = global_scale.map(|g| nvfp4_global_factor(scalar_f32(&g)));
    let w = w.typed::<u32>();
    let scale_dtype = if op.spec.has_biases() { op.scales_dtype } else { DType::F32 };
    with_float_type!(op.out_dtype, O => {
        let out = out.typed::<O>();
        with_float_type!(scale_dtype, S => {
            let sc = if op.spec.has_biases() { None } else { Some(scales.typed::<u8>()) };
            let (fs, fb) = if op.spec.has_biases() {
                (scales.typed::<S>(), biases.unwrap().typed::<S>())
            } else {
                (&[][..], &[][..])
            };
            dequantize_rows::<S, O>(kernels, op, w, fs, fb, sc, gf, out);
        })
    });
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn dequantize_rows<S: Float, O: Float>(
    kernels: Kernels,
    op: &DequantizeOp,
    w: &[u32],
    scales: &[S],
    biases: &[S],
    scale_bytes: Option<&[u8]>,
    global_factor: Option<f32>,
    out: &mut [O],
) {
    let cols = op.cols;
    if cols == 0 || op.rows == 0 {
        return;
    }
    let wpr = op.spec.packed_words(cols);
    let gs = op.spec.group_size() as usize;
    let gpr = cols / gs;
    if kernels != Kernels::Reference && cols % kernels::layout::CHUNK == 0 {
        let deq = kernels::dequant_fn(kernels, &op.spec);
        let lut: [f32; 256] = std::array::from_fn(|b| crate::format::quantize::fp_scale(&op.spec, b as u8, global_factor));
        out.par_chunks_mut(cols).enumerate().for_each_init(
            || (vec![0f32; cols], vec![0f32; gpr], vec![0f32; gpr]),
            |(buf, sb, bb), (r, dst)| {
                let g = r * gpr..(r + 1) * gpr;
                match scale_bytes {
                    Some(b) => sb.iter_mut().zip(&b[g]).for_each(|(d, &s)| *d = lut[s as usize]),
                    None => {
                        matmul::to_f32(&scales[g.clone()], sb);
                        matmul::to_f32(&biases[g], bb);
                    }
                }
                // SAFETY: row r holds `cols` codes (wpr words); buf holds cols floats, sb/bb gpr.
                unsafe { deq(w[r * wpr..].as_ptr(), sb.as_ptr(), bb.as_ptr(), gs, cols / kernels::layout::CHUNK, buf.as_mut_ptr()) };
                matmul::from_f32(buf, dst);
            },
        );
        return;
    }
    out.par_chunks_mut(cols).enumerate().for_each_init(
        || vec![0f32; cols],
        |buf, (r, dst)| {
            let rs = match scale_bytes {
                Some(b) => RowScales::Fp { scales: &b[r * gpr..(r + 1) * gpr], global_factor },
                None => RowScales::Affine { scales: &scales[r * gpr..(r + 1) * gpr], biases: &biases[r * gpr..(r + 1) * gpr] },
            };
            decode_row::<S>(&op.spec, &w[r * wpr..(r + 1) * wpr], rs, 0, buf);
            for (d, v) in dst.iter_mut().zip(buf.iter()) {
                *d = O::from_f32(*v);
            }
        },
    );
}

/// Gather indices handed to [`matmul`].
#[derive(Debug, Clone, Copy, Default)]
pub struct GatherIndices<'a> {
    /// `lhs_indices`, if given.
    pub lhs: Option<IndexSlice<'a>>,
    /// `rhs_indices`, if given.
    pub rhs: Option<IndexSlice<'a>>,
}

/// Runs a quantized matmul (`quantized_matmul` or `gather_qmm`). `x` (and affine scales/biases)
/// must have dtype `op.out_dtype`; `global_scale` is one float32 per w matrix (nvfp4).
#[allow(clippy::too_many_arguments)]
pub fn matmul(
    op: &MatmulOp,
    x: TensorRef<'_>,
    w: TensorRef<'_>,
    scales: TensorRef<'_>,
    biases: Option<TensorRef<'_>>,
    indices: GatherIndices<'_>,
    global_scale: Option<TensorRef<'_>>,
    out: TensorMut<'_>,
) -> Result<()> {
    matmul_with(Kernels::active(), op, x, w, scales, biases, indices, global_scale, out)
}

/// [`matmul`] with a chosen implementation ([`Kernels::available`] lists those this CPU runs;
/// an unsupported one is refused).
#[allow(clippy::too_many_arguments)]
pub fn matmul_with(
    kernels: Kernels,
    op: &MatmulOp,
    x: TensorRef<'_>,
    w: TensorRef<'_>,
    scales: TensorRef<'_>,
    biases: Option<TensorRef<'_>>,
    indices: GatherIndices<'_>,
    global_scale: Option<TensorRef<'_>>,
    mut out: TensorMut<'_>,
) -> Result<()> {
    if !kernels.is_supported() {
        return Err(Error::Backend(format!("CPU kernels '{}' are not supported by this CPU", kernels.name())));
    }
    matmul::check_buffers(op, &x, &w, &scales, biases.as_ref(), global_scale.as_ref(), &out.meta())?;
    let pairs = op.pairs(indices.lhs, indices.rhs)?;
    let gs = global_scale.map(|g| g.typed::<f32>());
    with_float_type!(op.out_dtype, T => {
        let s = if op.spec.has_biases() {
            matmul::Scales::Affine { scales: scales.typed::<T>(), biases: biases.unwrap().typed::<T>() }
        } else {
            matmul::Scales::Fp { scales: scales.typed::<u8>(), global_scales: gs }
        };
        matmul::run::<T>(kernels, op, &pairs, x.typed::<T>(), w.typed::<u32>(), s, out.typed::<T>());
    });
    Ok(())
}
