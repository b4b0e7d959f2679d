//! The run functions of every backend, written once.
//!
//! A backend supplies only what differs: its kernel entry points (a [`Backend`] impl) and where
//! its buffers live (host memory, or CUDA device addresses plus a stream). Argument parsing, the
//! op built from the descs (the single validation) and the error mapping are shared: each run
//! function parses its descs into a `*Call` (which owns the validated op), hands it to the
//! backend, and maps the core error onto a Python exception once.

use crate::{Buf, Desc, FLOATS, GLOBAL_SCALE, INDEX_DTYPES, PACKED, SCALES};
use pyo3::prelude::*;
use qmlx_core::cpu::GatherIndices;
use qmlx_core::{DType, DequantizeOp, Error, IndexSlice, MatmulOp, Meta, QuantSpec, QuantizeOp, Rounding, TensorMut, TensorRef};

/// Python ints may be anything; out-of-range values are `ValueError`s naming the argument.
fn small(arg: &'static str, v: Option<i64>) -> Result<Option<u32>, Error> {
    v.map(|v| u32::try_from(v).map_err(|_| Error::Value { arg, expected: "a supported positive value".into(), got: v.to_string() }))
        .transpose()
}

/// The one place the Python `(mode, group_size, bits)` become a validated [`QuantSpec`].
pub(crate) fn spec(mode: &str, group_size: Option<i64>, bits: Option<i64>) -> Result<QuantSpec, Error> {
    QuantSpec::parse(mode, small("group_size", group_size)?, small("bits", bits)?)
}

fn meta_of(b: &Option<Buf>) -> Option<&Meta> {
    b.as_ref().map(|b| &b.meta)
}

/// A `quantize` call: the validated op and the buffers it reads and writes.
pub(crate) struct QuantizeCall {
    pub op: QuantizeOp,
    pub w: Buf,
    pub global_scale: Option<Buf>,
    pub wq: Buf,
    pub scales: Buf,
    pub biases: Option<Buf>,
}

impl QuantizeCall {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        w: Desc,
        global_scale: Option<Desc>,
        wq: Desc,
        scales: Desc,
        biases: Option<Desc>,
        mode: &str,
        group_size: Option<i64>,
        bits: Option<i64>,
        rounding: &str,
    ) -> Result<Self, Error> {
        let w = Buf::new("w", FLOATS, w)?;
        let global_scale = Buf::opt("global_scale", GLOBAL_SCALE, global_scale)?;
        let op = quantize_op(&w.meta, meta_of(&global_scale), mode, group_size, bits, rounding)?;
        let wq = Buf::new("wq", PACKED, wq)?;
        let scales = Buf::new("scales", "the scales dtype", scales)?;
        let biases = Buf::opt("biases", "the weight dtype", biases)?;
        Ok(QuantizeCall { op, w, global_scale, wq, scales, biases })
    }
}

pub(crate) fn quantize_op(w: &Meta, global_scale: Option<&Meta>, mode: &str, group_size: Option<i64>, bits: Option<i64>, rounding: &str) -> Result<QuantizeOp, Error> {
    QuantizeOp::new(w, spec(mode, group_size, bits)?, Rounding::parse(rounding)?, global_scale)
}

/// A `dequantize` call; the output dtype is `out`'s.
pub(crate) struct DequantizeCall {
    pub op: DequantizeOp,
    pub w: Buf,
    pub scales: Buf,
    pub biases: Option<Buf>,
    pub global_scale: Option<Buf>,
    pub out: Buf,
}

impl DequantizeCall {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        w: Desc,
        scales: Desc,
        biases: Option<Desc>,
        global_scale: Option<Desc>,
        out: Desc,
        mode: &str,
        group_size: Option<i64>,
        bits: Option<i64>,
    ) -> Result<Self, Error> {
        let w = Buf::new("w", PACKED, w)?;
        let scales = Buf::new("scales", SCALES, scales)?;
        let biases = Buf::opt("biases", FLOATS, biases)?;
        let global_scale = Buf::opt("global_scale", GLOBAL_SCALE, global_scale)?;
        let out = Buf::new("out", FLOATS, out)?;
        let spec = spec(mode, group_size, bits)?;
        let op = DequantizeOp::new(&w.meta, &scales.meta, meta_of(&biases), spec, meta_of(&global_scale), Some(out.meta.dtype))?;
        Ok(DequantizeCall { op, w, scales, biases, global_scale, out })
    }
}

/// A `gather_qmm` call (`quantized_matmul` when there are no indices).
pub(crate) struct MatmulCall {
    pub op: MatmulOp,
    pub x: Buf,
    pub w: Buf,
    pub scales: Buf,
    pub biases: Option<Buf>,
    pub lhs_indices: Option<Buf>,
    pub rhs_indices: Option<Buf>,
    pub global_scale: Option<Buf>,
    pub out: Buf,
}

impl MatmulCall {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        x: Desc,
        w: Desc,
        scales: Desc,
        biases: Option<Desc>,
        lhs_indices: Option<Desc>,
        rhs_indices: Option<Desc>,
        global_scale: Option<Desc>,
        out: Desc,
        transpose: bool,
        mode: &str,
        group_size: Option<i64>,
        bits: Option<i64>,
        sorted_indices: bool,
    ) -> Result<Self, Error> {
        let x = Buf::new("x", FLOATS, x)?;
        let w = Buf::new("w", PACKED, w)?;
        let scales = Buf::new("scales", SCALES, scales)?;
        let biases = Buf::opt("biases", FLOATS, biases)?;
        let lhs_indices = Buf::opt("lhs_indices", INDEX_DTYPES, lhs_indices)?;
        let rhs_indices = Buf::opt("rhs_indices", INDEX_DTYPES, rhs_indices)?;
        let global_scale = Buf::opt("global_scale", GLOBAL_SCALE, global_scale)?;
        let out = Buf::new("out", FLOATS, out)?;
        let spec = spec(mode, group_size, bits)?;
        let op = MatmulOp::gather_qmm(
            &x.meta,
            &w.meta,
            &scales.meta,
            meta_of(&biases),
            meta_of(&lhs_indices),
            meta_of(&rhs_indices),
            transpose,
            spec,
            meta_of(&global_scale),
            sorted_indices,
        )?;
        Ok(MatmulCall { op, x, w, scales, biases, lhs_indices, rhs_indices, global_scale, out })
    }
}

/// What a backend supplies: its three kernel entry points.
pub(crate) trait Backend {
    /// Where a call runs beyond its buffers: `()` for host memory, `(device, stream)` for CUDA.
    type Place;
    fn quantize(py: Python<'_>, place: Self::Place, call: QuantizeCall) -> Result<(), Error>;
    fn dequantize(py: Python<'_>, place: Self::Place, call: DequantizeCall) -> Result<(), Error>;
    fn matmul(py: Python<'_>, place: Self::Place, call: MatmulCall) -> Result<(), Error>;
}

/// The host tensors of a `quantize` call, as dtype-tagged byte views.
pub(crate) struct QuantizeViews<'a> {
    pub w: TensorRef<'a>,
    pub global_scale: Option<TensorRef<'a>>,
    pub wq: TensorMut<'a>,
    pub scales: TensorMut<'a>,
    pub biases: Option<TensorMut<'a>>,
}

/// The host tensors of a `dequantize` call.
pub(crate) struct DequantizeViews<'a> {
    pub w: TensorRef<'a>,
    pub scales: TensorRef<'a>,
    pub biases: Option<TensorRef<'a>>,
    pub global_scale: Option<TensorRef<'a>>,
    pub out: TensorMut<'a>,
}

/// The host tensors of a `gather_qmm` call; the indices already typed.
pub(crate) struct MatmulViews<'a> {
    pub x: TensorRef<'a>,
    pub w: TensorRef<'a>,
    pub scales: TensorRef<'a>,
    pub biases: Option<TensorRef<'a>>,
    pub indices: GatherIndices<'a>,
    pub global_scale: Option<TensorRef<'a>>,
    pub out: TensorMut<'a>,
}

/// A backend whose buffers are host memory (the CPU kernels; wgpu, which copies in and out): it
/// gets the views of a call and runs with the GIL released.
pub(crate) trait HostKernels {
    fn quantize(op: &QuantizeOp, views: QuantizeViews<'_>) -> Result<(), Error>;
    fn dequantize(op: &DequantizeOp, views: DequantizeViews<'_>) -> Result<(), Error>;
    fn matmul(op: &MatmulOp, views: MatmulViews<'_>) -> Result<(), Error>;
}

pub(crate) fn index_slice<'a>(t: &TensorRef<'a>) -> IndexSlice<'a> {
    match t.dtype {
        DType::I32 => IndexSlice::I32(t.typed::<i32>()),
        DType::I64 => IndexSlice::I64(t.typed::<i64>()),
        DType::U32 => IndexSlice::U32(t.typed::<u32>()),
        other => unreachable!("index dtype validated by the op, got {other}"),
    }
}

// SAFETY (all three): the Python caller passes live contiguous host tensors described by the
// descs; the outputs are freshly allocated and distinct from the inputs.
impl<K: HostKernels> Backend for K {
    type Place = ();
    fn quantize(py: Python<'_>, (): (), c: QuantizeCall) -> Result<(), Error> {
        py.detach(move || unsafe {
            let views = QuantizeViews {
                w: c.w.tensor()?,
                global_scale: Buf::opt_tensor(&c.global_scale)?,
                wq: c.wq.tensor_mut()?,
                scales: c.scales.tensor_mut()?,
                biases: c.biases.as_ref().map(|b| b.tensor_mut()).transpose()?,
            };
            K::quantize(&c.op, views)
        })
    }
    fn dequantize(py: Python<'_>, (): (), c: DequantizeCall) -> Result<(), Error> {
        py.detach(move || unsafe {
            let views = DequantizeViews {
                w: c.w.tensor()?,
                scales: c.scales.tensor()?,
                biases: Buf::opt_tensor(&c.biases)?,
                global_scale: Buf::opt_tensor(&c.global_scale)?,
                out: c.out.tensor_mut()?,
            };
            K::dequantize(&c.op, views)
        })
    }
    fn matmul(py: Python<'_>, (): (), c: MatmulCall) -> Result<(), Error> {
        py.detach(move || unsafe {
            let (lhs, rhs) = (Buf::opt_tensor(&c.lhs_indices)?, Buf::opt_tensor(&c.rhs_indices)?);
            let views = MatmulViews {
                x: c.x.tensor()?,
                w: c.w.tensor()?,
                scales: c.scales.tensor()?,
                biases: Buf::opt_tensor(&c.biases)?,
                indices: GatherIndices { lhs: lhs.as_ref().map(index_slice), rhs: rhs.as_ref().map(index_slice) },
                global_scale: Buf::opt_tensor(&c.global_scale)?,
                out: c.out.tensor_mut()?,
            };
            K::matmul(&c.op, views)
        })
    }
}

/// Defines a backend's three Python run functions (named `$quantize`, `$dequantize`,
/// `$gather_qmm`) over `<$backend as Backend>`. `leading` names the arguments that come before
/// the tensors and make up the backend's `Place` (e.g. CUDA's `device, stream`).
macro_rules! run_functions {
    ($backend:ty => $quantize:ident, $dequantize:ident, $gather_qmm:ident $(; leading $($lead:ident: $lead_ty:ty),+)?) => {
        /// Quantizes `w` into the preallocated `wq`, `scales` (and `biases`).
        #[pyfunction]
        #[pyo3(signature = ($($($lead,)+)? w, global_scale, wq, scales, biases, mode, group_size, bits, rounding))]
        #[allow(clippy::too_many_arguments)]
        fn $quantize(
            py: Python<'_>,
            $($($lead: $lead_ty,)+)?
            w: $crate::Desc,
            global_scale: Option<$crate::Desc>,
            wq: $crate::Desc,
            scales: $crate::Desc,
            biases: Option<$crate::Desc>,
            mode: &str,
            group_size: Option<i64>,
            bits: Option<i64>,
            rounding: &str,
        ) -> PyResult<()> {
            $crate::backend::QuantizeCall::new(w, global_scale, wq, scales, biases, mode, group_size, bits, rounding)
                .and_then(|call| <$backend as $crate::backend::Backend>::quantize(py, ($($($lead,)+)?), call))
                .map_err($crate::py_err)
        }

        /// Dequantizes into the preallocated `out` (its dtype is the requested output dtype).
        #[pyfunction]
        #[pyo3(signature = ($($($lead,)+)? w, scales, biases, global_scale, out, mode, group_size, bits))]
        #[allow(clippy::too_many_arguments)]
        fn $dequantize(
            py: Python<'_>,
            $($($lead: $lead_ty,)+)?
            w: $crate::Desc,
            scales: $crate::Desc,
            biases: Option<$crate::Desc>,
            global_scale: Option<$crate::Desc>,
            out: $crate::Desc,
            mode: &str,
            group_size: Option<i64>,
            bits: Option<i64>,
        ) -> PyResult<()> {
            $crate::backend::DequantizeCall::new(w, scales, biases, global_scale, out, mode, group_size, bits)
                .and_then(|call| <$backend as $crate::backend::Backend>::dequantize(py, ($($($lead,)+)?), call))
                .map_err($crate::py_err)
        }

        /// Runs `gather_qmm` (or `quantized_matmul` without indices) into the preallocated `out`.
        #[pyfunction]
        #[pyo3(signature = ($($($lead,)+)? x, w, scales, biases, lhs_indices, rhs_indices, global_scale, out, transpose, mode, group_size, bits, sorted_indices))]
        #[allow(clippy::too_many_arguments)]
        fn $gather_qmm(
            py: Python<'_>,
            $($($lead: $lead_ty,)+)?
            x: $crate::Desc,
            w: $crate::Desc,
            scales: $crate::Desc,
            biases: Option<$crate::Desc>,
            lhs_indices: Option<$crate::Desc>,
            rhs_indices: Option<$crate::Desc>,
            global_scale: Option<$crate::Desc>,
            out: $crate::Desc,
            transpose: bool,
            mode: &str,
            group_size: Option<i64>,
            bits: Option<i64>,
            sorted_indices: bool,
        ) -> PyResult<()> {
            $crate::backend::MatmulCall::new(
                x, w, scales, biases, lhs_indices, rhs_indices, global_scale, out, transpose, mode, group_size, bits, sorted_indices,
            )
            .and_then(|call| <$backend as $crate::backend::Backend>::matmul(py, ($($($lead,)+)?), call))
            .map_err($crate::py_err)
        }
    };
}
pub(crate) use run_functions;
