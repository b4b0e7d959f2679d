//! A convenient owned-buffer API over the CPU backend, for Rust users and the demo. Bindings that
//! own their memory (Python, CUDA) use [`crate::ops`] and [`crate::cpu`] directly.

use crate::cpu::{self, GatherIndices};
use crate::dtype::{DType, Float, Meta, TensorMut, TensorRef};
use crate::error::Result;
use crate::format::{QuantSpec, Rounding};
use crate::ops::{DequantizeOp, IndexSlice, MatmulOp, QuantizeOp};

/// Per-group parameters of a quantized weight.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupParams<T> {
    /// Affine: scales and biases in the weight's dtype.
    Affine {
        /// `[..., R, K/gs]`.
        scales: Vec<T>,
        /// `[..., R, K/gs]`.
        biases: Vec<T>,
    },
    /// fp modes: one scale byte per group, and the nvfp4 global scale if one was used.
    Fp {
        /// `[..., R, K/gs]`.
        scales: Vec<u8>,
        /// nvfp4 global scale.
        global_scale: Option<f32>,
    },
}

/// A quantized weight in MLX's storage format, with owned buffers.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantizedWeight<T> {
    /// The quantization.
    pub spec: QuantSpec,
    /// Shape of the packed weight `[..., R, K*bits/32]`.
    pub wq_shape: Vec<usize>,
    /// Shape of scales (and biases) `[..., R, K/gs]`.
    pub scales_shape: Vec<usize>,
    /// Packed codes.
    pub wq: Vec<u32>,
    /// Scales (and biases).
    pub params: GroupParams<T>,
}

/// Quantizes `w` of shape `[..., R, K]`.
pub fn quantize<T: Float + crate::Element>(
    w: &[T],
    shape: &[usize],
    spec: QuantSpec,
    rounding: Rounding,
    global_scale: Option<f32>,
) -> Result<QuantizedWeight<T>> {
    let w_ref = TensorRef::new(w, shape)?;
    let g_arr = global_scale.map(|g| [g]);
    let g_meta = g_arr.map(|_| Meta::new(DType::F32, &[1]));
    let op = QuantizeOp::new(&w_ref.meta(), spec, rounding, g_meta.as_ref())?;
    let mut wq = vec![0u32; op.wq_shape.iter().product()];
    let ng: usize = op.scales_shape.iter().product();
    let g_ref = match &g_arr {
        Some(a) => Some(TensorRef::new(&a[..], &[1])?),
        None => None,
    };
    let params = if spec.has_biases() {
        let (mut s, mut b) = (vec![T::default(); ng], vec![T::default(); ng]);
        cpu::quantize(
            &op,
            w_ref,
            g_ref,
            TensorMut::new(&mut wq, &op.wq_shape)?,
            TensorMut::new(&mut s, &op.scales_shape)?,
            Some(TensorMut::new(&mut b, &op.scales_shape)?),
        )?;
        GroupParams::Affine { scales: s, biases: b }
    } else {
        let mut s = vec![0u8; ng];
        cpu::quantize(&op, w_ref, g_ref, TensorMut::new(&mut wq, &op.wq_shape)?, TensorMut::new(&mut s, &op.scales_shape)?, None)?;
        GroupParams::Fp { scales: s, global_scale }
    };
    Ok(QuantizedWeight { spec, wq_shape: op.wq_shape.clone(), scales_shape: op.scales_shape, wq, params })
}

struct Views<'a> {
    scales: TensorRef<'a>,
    biases: Option<TensorRef<'a>>,
    global: Option<f32>,
}

fn views<'a, T: Float + crate::Element>(q: &'a QuantizedWeight<T>) -> Result<Views<'a>> {
    Ok(match &q.params {
        GroupParams::Affine { scales, biases } => Views {
            scales: TensorRef::new(scales, &q.scales_shape)?,
            biases: Some(TensorRef::new(biases, &q.scales_shape)?),
            global: None,
        },
        GroupParams::Fp { scales, global_scale } => {
            Views { scales: TensorRef::new(scales, &q.scales_shape)?, biases: None, global: *global_scale }
        }
    })
}

/// Dequantizes to `O` (any float dtype).
pub fn dequantize<O: Float + crate::Element>(q: &QuantizedWeight<impl Float + crate::Element>) -> Result<Vec<O>> {
    let v = views(q)?;
    let w = TensorRef::new(&q.wq, &q.wq_shape)?;
    let g_arr = v.global.map(|g| [g]);
    let g_meta = g_arr.map(|_| Meta::new(DType::F32, &[1]));
    let op = DequantizeOp::new(&w.meta(), &v.scales.meta(), v.biases.map(|b| b.meta()).as_ref(), q.spec, g_meta.as_ref(), Some(O::DTYPE))?;
    let mut out = vec![O::default(); op.out_shape.iter().product()];
    let g_ref = match &g_arr {
        Some(a) => Some(TensorRef::new(&a[..], &[1])?),
        None => None,
    };
    cpu::dequantize(&op, w, v.scales, v.biases, g_ref, TensorMut::new(&mut out, &op.out_shape)?)?;
    Ok(out)
}

/// `x @ Ŵᵀ` (transpose) or `x @ Ŵ`, with x in the weight's dtype. Returns the output buffer; its
/// shape is `MatmulOp::quantized_matmul(...).out_shape`.
pub fn quantized_matmul<T: Float + crate::Element>(x: &[T], x_shape: &[usize], q: &QuantizedWeight<T>, transpose: bool) -> Result<Vec<T>> {
    gather_qmm(x, x_shape, q, None, None, transpose)
}

/// `gather_qmm` with optional int32 index arrays `(indices, shape)`.
pub fn gather_qmm<T: Float + crate::Element>(
    x: &[T],
    x_shape: &[usize],
    q: &QuantizedWeight<T>,
    lhs: Option<(&[i32], &[usize])>,
    rhs: Option<(&[i32], &[usize])>,
    transpose: bool,
) -> Result<Vec<T>> {
    let v = views(q)?;
    let x = TensorRef::new(x, x_shape)?;
    let w = TensorRef::new(&q.wq, &q.wq_shape)?;
    let lhs_meta = lhs.map(|(_, s)| Meta::new(DType::I32, s));
    let rhs_meta = rhs.map(|(_, s)| Meta::new(DType::I32, s));
    // A global scale kept with the weight applies to every matrix of its batch.
    let w_batch = &q.wq_shape[..q.wq_shape.len() - 2];
    let g_all = v.global.map(|g| vec![g; w_batch.iter().product()]);
    let g_meta = g_all.as_ref().map(|_| Meta::new(DType::F32, w_batch));
    let op = MatmulOp::gather_qmm(
        &x.meta(),
        &w.meta(),
        &v.scales.meta(),
        v.biases.map(|b| b.meta()).as_ref(),
        lhs_meta.as_ref(),
        rhs_meta.as_ref(),
        transpose,
        q.spec,
        g_meta.as_ref(),
        false,
    )?;
    let g_ref = match &g_all {
        Some(a) => Some(TensorRef::new(&a[..], w_batch)?),
        None => None,
    };
    let mut out = vec![T::default(); op.out_shape.iter().product()];
    let idx = GatherIndices { lhs: lhs.map(|(i, _)| IndexSlice::I32(i)), rhs: rhs.map(|(i, _)| IndexSlice::I32(i)) };
    cpu::matmul(&op, x, w, v.scales, v.biases, idx, g_ref, TensorMut::new(&mut out, &op.out_shape)?)?;
    Ok(out)
}
