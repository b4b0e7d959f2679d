//! Validated description of `quantized_matmul` and `gather_qmm` (one type: a quantized matmul over
//! a batch of (x matrix, w matrix) pairs, chosen by broadcasting or by gather indices).

use super::quantize::check_quantized_weight;
use crate::dtype::{DType, Meta};
use crate::error::{fmt_shape, Error, Result};
use crate::format::{Mode, QuantSpec};

/// How one operand's matrix is chosen for each output batch position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatrixSelect {
    /// Matrix index = Σ pos[d] · strides[d] (broadcast dims have stride 0).
    Strided(Vec<usize>),
    /// Matrix index = indices[Σ pos[d] · strides[d]], read from a gather-index tensor.
    Indexed {
        /// `lhs_indices` or `rhs_indices`.
        arg: &'static str,
        /// Strides into the index tensor over the output batch dims.
        strides: Vec<usize>,
    },
}

/// A borrowed gather-index tensor (any of the integer dtypes the ops accept).
#[derive(Debug, Clone, Copy)]
pub enum IndexSlice<'a> {
    /// int32 indices.
    I32(&'a [i32]),
    /// int64 indices.
    I64(&'a [i64]),
    /// uint32 indices.
    U32(&'a [u32]),
}

impl IndexSlice<'_> {
    fn get(&self, i: usize) -> i64 {
        match self {
            IndexSlice::I32(s) => s[i] as i64,
            IndexSlice::I64(s) => s[i],
            IndexSlice::U32(s) => s[i] as i64,
        }
    }
    fn len(&self) -> usize {
        match self {
            IndexSlice::I32(s) => s.len(),
            IndexSlice::I64(s) => s.len(),
            IndexSlice::U32(s) => s.len(),
        }
    }
}

/// The validated description of one quantized matmul call.
///
/// Kernels compute, for each output batch position `p` with pair `(xi, wi)`:
/// `out[p] = x[xi] @ Ŵ[wi]ᵀ` (transpose) or `x[xi] @ Ŵ[wi]` (not), where `x[xi]` is `[m, k]` and
/// `Ŵ[wi]` is stored as `[n, k]` (transpose) or `[k, n]`. x, scales and biases must be given in
/// `compute_dtype` (the bindings cast them, as MLX does before its kernels).
#[derive(Debug, Clone, PartialEq)]
pub struct MatmulOp {
    /// The quantization.
    pub spec: QuantSpec,
    /// `x @ Ŵᵀ` (true) or `x @ Ŵ` (false).
    pub transpose: bool,
    /// Rows of each x matrix.
    pub m: usize,
    /// Output columns.
    pub n: usize,
    /// Reduction length.
    pub k: usize,
    /// Number of x matrices in the flattened x batch.
    pub x_count: usize,
    /// Number of w matrices in the flattened w batch.
    pub w_count: usize,
    /// Output batch shape (the leading dims of the output before `[m, n]`, or empty).
    pub batch_shape: Vec<usize>,
    /// How x matrices are chosen.
    pub x_select: MatrixSelect,
    /// How w matrices are chosen.
    pub w_select: MatrixSelect,
    /// Output shape.
    pub out_shape: Vec<usize>,
    /// Output dtype; also the dtype x (and affine scales/biases) must have when the kernel runs.
    pub out_dtype: DType,
    /// Per-w-matrix nvfp4 global scales are given (float32, shape = w's batch shape).
    pub has_global_scale: bool,
    /// Hint that `rhs_indices` are sorted ascending (never trusted for correctness).
    pub sorted_rhs: bool,
}

fn contiguous_strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![0; shape.len()];
    let mut acc = 1;
    for i in (0..shape.len()).rev() {
        s[i] = acc;
        acc *= shape[i];
    }
    s
}

/// Broadcasts two shapes numpy-style; `arg` names the operand blamed on a mismatch.
fn broadcast_shapes(a: &[usize], b: &[usize], arg: &'static str, what: &str) -> Result<Vec<usize>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
        let da = if i + a.len() >= n { a[i + a.len() - n] } else { 1 };
        let db = if i + b.len() >= n { b[i + b.len() - n] } else { 1 };
        out[i] = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            return Err(Error::shape(arg, format!("a shape broadcastable with {what} {}", fmt_shape(b)), fmt_shape(a)));
        };
    }
    Ok(out)
}

/// Strides mapping positions of `target` onto a contiguous tensor of `shape` broadcast to it.
fn broadcast_strides(shape: &[usize], target: &[usize]) -> Vec<usize> {
    let own = contiguous_strides(shape);
    let off = target.len() - shape.len();
    (0..target.len())
        .map(|i| if i < off || shape[i - off] == 1 { 0 } else { own[i - off] })
        .collect()
}

impl MatmulOp {
    /// `quantized_matmul(x, w, scales, biases, transpose, group_size, bits, mode)`.
    pub fn quantized_matmul(
        x: &Meta,
        w: &Meta,
        scales: &Meta,
        biases: Option<&Meta>,
        transpose: bool,
        spec: QuantSpec,
    ) -> Result<Self> {
        let (k, n, out_dtype) = Self::check_common(x, w, scales, biases, transpose, &spec)?;
        let w_batch = w.batch_shape().to_vec();
        let w_count = w_batch.iter().product();
        if w.ndim() == 2 {
            // Every leading dim of x is a row.
            let m = x.shape[..x.ndim() - 1].iter().product();
            let mut out_shape = x.shape[..x.ndim() - 1].to_vec();
            out_shape.push(n);
            return Ok(MatmulOp {
                spec,
                transpose,
                m,
                n,
                k,
                x_count: 1,
                w_count: 1,
                batch_shape: vec![],
                x_select: MatrixSelect::Strided(vec![]),
                w_select: MatrixSelect::Strided(vec![]),
                out_shape,
                out_dtype,
                has_global_scale: false,
                sorted_rhs: false,
            });
        }
        if x.ndim() < 3 {
            // MLX silently uses w[0] here; we refuse.
            return Err(Error::shape(
                "x",
                format!("at least 3 dimensions (a batch) when w is batched with shape {}", w.shape_str()),
                x.shape_str(),
            ));
        }
        let x_batch = x.batch_shape().to_vec();
        let batch_shape = broadcast_shapes(&x_batch, &w_batch, "x", "the batch shape of w")?;
        let m = x.dim_from_end(2);
        let mut out_shape = batch_shape.clone();
        out_shape.extend([m, n]);
        Ok(MatmulOp {
            spec,
            transpose,
            m,
            n,
            k,
            x_count: x_batch.iter().product(),
            w_count,
            x_select: MatrixSelect::Strided(broadcast_strides(&x_batch, &batch_shape)),
            w_select: MatrixSelect::Strided(broadcast_strides(&w_batch, &batch_shape)),
            batch_shape,
            out_shape,
            out_dtype,
            has_global_scale: false,
            sorted_rhs: false,
        })
    }

    /// `gather_qmm(x, w, scales, biases, lhs_indices, rhs_indices, transpose, group_size, bits,
    /// mode, global_scale, sorted_indices)`. With no indices this is `quantized_matmul`.
    #[allow(clippy::too_many_arguments)]
    pub fn gather_qmm(
        x: &Meta,
        w: &Meta,
        scales: &Meta,
        biases: Option<&Meta>,
        lhs_indices: Option<&Meta>,
        rhs_indices: Option<&Meta>,
        transpose: bool,
        spec: QuantSpec,
        global_scale: Option<&Meta>,
        sorted_indices: bool,
    ) -> Result<Self> {
        let w_batch = w.batch_shape().to_vec();
        if let Some(g) = global_scale {
            if spec.mode() != Mode::Nvfp4 {
                return Err(Error::value("global_scale", format!("None for mode '{}' (only nvfp4 has one)", spec.mode()), "a tensor"));
            }
            g.expect_dtype("global_scale", &[DType::F32])?;
            if g.shape != w_batch {
                return Err(Error::shape("global_scale", format!("one entry per w matrix, shape {}", fmt_shape(&w_batch)), g.shape_str()));
            }
        }
        if lhs_indices.is_none() && rhs_indices.is_none() {
            let mut op = Self::quantized_matmul(x, w, scales, biases, transpose, spec)?;
            op.has_global_scale = global_scale.is_some();
            return Ok(op);
        }
        if x.ndim() < 2 {
            return Err(Error::shape("x", "at least 2 dimensions when indices are given", x.shape_str()));
        }
        let (k, n, out_dtype) = Self::check_common(x, w, scales, biases, transpose, &spec)?;
        for (arg, idx) in [("lhs_indices", lhs_indices), ("rhs_indices", rhs_indices)] {
            if let Some(i) = idx {
                i.expect_dtype(arg, &[DType::I32, DType::I64, DType::U32])?;
            }
        }
        let x_batch = x.batch_shape().to_vec();
        let lhs_shape = lhs_indices.map(|i| i.shape.clone()).unwrap_or_else(|| x_batch.clone());
        let rhs_shape = rhs_indices.map(|i| i.shape.clone()).unwrap_or_else(|| w_batch.clone());
        let batch_shape = broadcast_shapes(&lhs_shape, &rhs_shape, "lhs_indices", "rhs_indices of shape")?;
        let select = |idx: Option<&Meta>, arg: &'static str, default: &[usize]| match idx {
            Some(i) => MatrixSelect::Indexed { arg, strides: broadcast_strides(&i.shape, &batch_shape) },
            None => MatrixSelect::Strided(broadcast_strides(default, &batch_shape)),
        };
        let m = x.dim_from_end(2);
        let mut out_shape = batch_shape.clone();
        out_shape.extend([m, n]);
        Ok(MatmulOp {
            spec,
            transpose,
            m,
            n,
            k,
            x_count: x_batch.iter().product(),
            w_count: w_batch.iter().product(),
            x_select: select(lhs_indices, "lhs_indices", &x_batch),
            w_select: select(rhs_indices, "rhs_indices", &w_batch),
            batch_shape,
            out_shape,
            out_dtype,
            has_global_scale: global_scale.is_some(),
            sorted_rhs: sorted_indices && lhs_indices.is_none(),
        })
    }

    /// Shared checks; returns `(k, n, out_dtype)`.
    fn check_common(
        x: &Meta,
        w: &Meta,
        scales: &Meta,
        biases: Option<&Meta>,
        transpose: bool,
        spec: &QuantSpec,
    ) -> Result<(usize, usize, DType)> {
        let cols = check_quantized_weight(spec, w, scales, biases)?;
        x.expect_dtype("x", &[DType::F32, DType::F16, DType::BF16])?;
        if x.ndim() < 1 {
            return Err(Error::shape("x", "at least 1 dimension", x.shape_str()));
        }
        let rows = w.dim_from_end(2);
        let (k, n) = if transpose { (cols, rows) } else { (rows, cols) };
        if x.dim_from_end(1) != k {
            return Err(Error::shape(
                "x",
                format!(
                    "last dimension {k} (w of shape {} holds a [{}, {}] matrix with group_size={}, bits={}, transpose={})",
                    w.shape_str(),
                    if transpose { n } else { k },
                    if transpose { k } else { n },
                    spec.group_size(),
                    spec.bits(),
                    if transpose { "True" } else { "False" }
                ),
                x.shape_str(),
            ));
        }
        let out_dtype = if spec.has_biases() { DType::promote(x.dtype, scales.dtype) } else { x.dtype };
        Ok((k, n, out_dtype))
    }

    /// Number of output matrices.
    pub fn batch_count(&self) -> usize {
        self.batch_shape.iter().product()
    }

    /// Resolves the `(x matrix, w matrix)` pair of every output batch position, validating
    /// gather indices (negative or too large → [`Error::Index`]).
    pub fn pairs(&self, lhs: Option<IndexSlice<'_>>, rhs: Option<IndexSlice<'_>>) -> Result<Vec<(usize, usize)>> {
        let count = self.batch_count();
        let resolve = |sel: &MatrixSelect, idx: Option<IndexSlice<'_>>, bound: usize| -> Result<Vec<usize>> {
            let mut out = Vec::with_capacity(count);
            let strides = match sel {
                MatrixSelect::Strided(s) | MatrixSelect::Indexed { strides: s, .. } => s,
            };
            let mut pos = vec![0usize; self.batch_shape.len()];
            for p in 0..count {
                let flat: usize = pos.iter().zip(strides).map(|(a, b)| a * b).sum();
                let v = match sel {
                    MatrixSelect::Strided(_) => flat,
                    MatrixSelect::Indexed { arg, .. } => {
                        let idx = idx.ok_or_else(|| Error::value(arg, "an index tensor", "None"))?;
                        if flat >= idx.len() {
                            return Err(Error::shape(arg, format!("at least {} elements", flat + 1), idx.len().to_string()));
                        }
                        let v = idx.get(flat);
                        if v < 0 || v as usize >= bound {
                            return Err(Error::Index { arg, index: v, position: p, bound });
                        }
                        v as usize
                    }
                };
                out.push(v);
                // Advance the row-major position.
                for d in (0..pos.len()).rev() {
                    pos[d] += 1;
                    if pos[d] < self.batch_shape[d] {
                        break;
                    }
                    pos[d] = 0;
                }
            }
            Ok(out)
        };
        let xs = resolve(&self.x_select, lhs, self.x_count)?;
        let ws = resolve(&self.w_select, rhs, self.w_count)?;
        Ok(xs.into_iter().zip(ws).collect())
    }
}
