//! Checks that the tensors a backend is handed are the ones the op was described with.
//!
//! An op description (built once from tensor metas) fixes every buffer's dtype and size; each
//! backend (CPU, CUDA, wgpu, Metal) calls these before touching memory, so a caller that passes
//! another buffer than it described gets the same typed error everywhere instead of an
//! out-of-bounds access. Buffers are checked by element count where a backend may pass them
//! flattened (inputs) and by exact shape for outputs.

use super::{DequantizeOp, MatmulOp, QuantizeOp};
use crate::dtype::{DType, Meta};
use crate::error::{Error, Result};

/// `got` has `dtype` and `numel` elements (any shape).
fn expect_numel(arg: &'static str, got: &Meta, dtype: DType, numel: usize) -> Result<()> {
    if got.dtype != dtype {
        return Err(Error::dtype(arg, dtype.name(), got.dtype));
    }
    if got.numel() != numel {
        return Err(Error::shape(arg, format!("{numel} elements as described by the op"), got.shape_str()));
    }
    Ok(())
}

/// `got` has exactly the dtype and shape of `want`.
pub(crate) fn expect_meta(arg: &'static str, got: &Meta, want: &Meta) -> Result<()> {
    if got.dtype != want.dtype {
        return Err(Error::dtype(arg, want.dtype.name(), got.dtype));
    }
    if got.shape != want.shape {
        return Err(Error::shape(arg, want.shape_str(), got.shape_str()));
    }
    Ok(())
}

/// An optional buffer is given exactly when the op was described with it.
fn expect_presence(arg: &'static str, given: bool, described: bool) -> Result<()> {
    if given != described {
        let expected = if described { "a tensor, as when the op was described" } else { "None, as when the op was described" };
        return Err(Error::value(arg, expected, if given { "a tensor" } else { "None" }));
    }
    Ok(())
}

impl QuantizeOp {
    /// Checks the input `w` (and `global_scale`) and the outputs `wq`, `scales`, `biases`.
    pub fn check_buffers(
        &self,
        w: &Meta,
        global_scale: Option<&Meta>,
        wq: &Meta,
        scales: &Meta,
        biases: Option<&Meta>,
    ) -> Result<()> {
        expect_numel("w", w, self.w_dtype, self.rows * self.cols)?;
        expect_presence("global_scale", global_scale.is_some(), self.has_global_scale)?;
        if let Some(g) = global_scale {
            expect_numel("global_scale", g, DType::F32, 1)?;
        }
        expect_meta("wq", wq, &self.wq_meta())?;
        expect_meta("scales", scales, &self.scales_meta())?;
        let want_biases = self.biases_meta();
        expect_presence("biases", biases.is_some(), want_biases.is_some())?;
        if let (Some(b), Some(want)) = (biases, want_biases) {
            expect_meta("biases", b, &want)?;
        }
        Ok(())
    }
}

impl DequantizeOp {
    /// Checks the packed `w`, `scales`, `biases`, `global_scale` and the output `out`.
    pub fn check_buffers(
        &self,
        w: &Meta,
        scales: &Meta,
        biases: Option<&Meta>,
        global_scale: Option<&Meta>,
        out: &Meta,
    ) -> Result<()> {
        let spec = self.spec;
        let groups = self.rows * self.cols / spec.group_size() as usize;
        expect_numel("w", w, DType::U32, self.rows * spec.packed_words(self.cols))?;
        expect_numel("scales", scales, spec.scales_dtype(self.scales_dtype), groups)?;
        expect_presence("biases", biases.is_some(), spec.has_biases())?;
        if let Some(b) = biases {
            expect_numel("biases", b, self.scales_dtype, groups)?;
        }
        expect_presence("global_scale", global_scale.is_some(), self.has_global_scale)?;
        if let Some(g) = global_scale {
            expect_numel("global_scale", g, DType::F32, 1)?;
        }
        expect_meta("out", out, &Meta::new(self.out_dtype, &self.out_shape))
    }
}

impl MatmulOp {
    /// Checks `x`, the packed `w`, `scales`, `biases`, `global_scale` (one per w matrix) and
    /// `out`. x (and affine scales/biases) must already have the compute dtype `out_dtype`.
    pub fn check_buffers(
        &self,
        x: &Meta,
        w: &Meta,
        scales: &Meta,
        biases: Option<&Meta>,
        global_scale: Option<&Meta>,
        out: &Meta,
    ) -> Result<()> {
        let spec = self.spec;
        let (rows, cols) = if self.transpose { (self.n, self.k) } else { (self.k, self.n) };
        let groups = self.w_count * rows * cols / spec.group_size() as usize;
        let scales_dtype = spec.scales_dtype(self.out_dtype);
        expect_numel("x", x, self.out_dtype, self.x_count * self.m * self.k)?;
        expect_numel("w", w, DType::U32, self.w_count * rows * spec.packed_words(cols))?;
        expect_numel("scales", scales, scales_dtype, groups)?;
        expect_presence("biases", biases.is_some(), spec.has_biases())?;
        if let Some(b) = biases {
            expect_numel("biases", b, scales_dtype, groups)?;
        }
        expect_presence("global_scale", global_scale.is_some(), self.has_global_scale)?;
        if let Some(g) = global_scale {
            expect_numel("global_scale", g, DType::F32, self.w_count)?;
        }
        expect_meta("out", out, &Meta::new(self.out_dtype, &self.out_shape))
    }
}
