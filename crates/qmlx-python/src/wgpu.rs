//! The wgpu backend for CPU tensors (issue 7; cargo feature `wgpu-backend`): with `QMLX_BACKEND=wgpu`
//! the Python package sends CPU tensors here. Same arguments as the CPU run functions; inputs are
//! copied into wgpu buffers, the WGSL kernels run on the adapter `qmlx_wgpu` picks (lavapipe in
//! CI, any Vulkan GPU elsewhere), and outputs are copied back.

use super::{index_slice, matmul_op, py_err, quantize_op, dequantize_op, Buf, Desc, FLOATS, INDEX_DTYPES};
use pyo3::prelude::*;
use qmlx_core::cpu::GatherIndices;
use qmlx_core::Error;
use qmlx_wgpu::WgpuContext;

fn ctx() -> Result<&'static WgpuContext, Error> {
    WgpuContext::global()
}

#[pyfunction]
#[pyo3(signature = (w, global_scale, wq, scales, biases, mode, group_size, bits, rounding))]
#[allow(clippy::too_many_arguments)]
fn wgpu_quantize(
    py: Python<'_>,
    w: Desc,
    global_scale: Option<Desc>,
    wq: Desc,
    scales: Desc,
    biases: Option<Desc>,
    mode: &str,
    group_size: Option<i64>,
    bits: Option<i64>,
    rounding: &str,
) -> PyResult<()> {
    let prep = || -> Result<_, Error> {
        let w = Buf::new("w", FLOATS, w)?;
        let g = Buf::opt("global_scale", "float32", global_scale)?;
        let op = quantize_op(&w.meta, g.as_ref().map(|g| &g.meta), mode, group_size, bits, rounding)?;
        let wq = Buf::new("wq", "uint32", wq)?;
        let scales = Buf::new("scales", "the scales dtype", scales)?;
        let biases = Buf::opt("biases", "the weight dtype", biases)?;
        Ok((op, w, g, wq, scales, biases))
    };
    let (op, w, g, wq, scales, biases) = prep().map_err(py_err)?;
    py.detach(move || -> Result<(), Error> {
        // SAFETY: as for the CPU `quantize`: live contiguous tensors, fresh distinct outputs.
        unsafe {
            let b = match &biases {
                Some(b) => Some(b.tensor_mut()?),
                None => None,
            };
            ctx()?.quantize_host(&op, w.tensor()?, Buf::opt_tensor(&g)?, wq.tensor_mut()?, scales.tensor_mut()?, b)
        }
    })
    .map_err(py_err)
}

#[pyfunction]
#[pyo3(signature = (w, scales, biases, global_scale, out, mode, group_size, bits))]
#[allow(clippy::too_many_arguments)]
fn wgpu_dequantize(
    py: Python<'_>,
    w: Desc,
    scales: Desc,
    biases: Option<Desc>,
    global_scale: Option<Desc>,
    out: Desc,
    mode: &str,
    group_size: Option<i64>,
    bits: Option<i64>,
) -> PyResult<()> {
    let prep = || -> Result<_, Error> {
        let w = Buf::new("w", "uint32", w)?;
        let s = Buf::new("scales", "a float dtype (affine) or uint8 (fp modes)", scales)?;
        let b = Buf::opt("biases", FLOATS, biases)?;
        let g = Buf::opt("global_scale", "float32", global_scale)?;
        let out = Buf::new("out", FLOATS, out)?;
        let op = dequantize_op(&w.meta, &s.meta, b.as_ref().map(|b| &b.meta), g.as_ref().map(|g| &g.meta), mode, group_size, bits, Some(out.meta.dtype))?;
        Ok((op, w, s, b, g, out))
    };
    let (op, w, s, b, g, out) = prep().map_err(py_err)?;
    py.detach(move || -> Result<(), Error> {
        // SAFETY: see `wgpu_quantize`.
        unsafe { ctx()?.dequantize_host(&op, w.tensor()?, s.tensor()?, Buf::opt_tensor(&b)?, Buf::opt_tensor(&g)?, out.tensor_mut()?) }
    })
    .map_err(py_err)
}

#[pyfunction]
#[pyo3(signature = (x, w, scales, biases, lhs_indices, rhs_indices, global_scale, out, transpose, mode, group_size, bits, sorted_indices))]
#[allow(clippy::too_many_arguments)]
fn wgpu_gather_qmm(
    py: Python<'_>,
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
) -> PyResult<()> {
    let prep = || -> Result<_, Error> {
        let x = Buf::new("x", FLOATS, x)?;
        let w = Buf::new("w", "uint32", w)?;
        let s = Buf::new("scales", "a float dtype (affine) or uint8 (fp modes)", scales)?;
        let b = Buf::opt("biases", FLOATS, biases)?;
        let l = Buf::opt("lhs_indices", INDEX_DTYPES, lhs_indices)?;
        let r = Buf::opt("rhs_indices", INDEX_DTYPES, rhs_indices)?;
        let g = Buf::opt("global_scale", "float32", global_scale)?;
        let out = Buf::new("out", FLOATS, out)?;
        let op = matmul_op(
            &x.meta,
            &w.meta,
            &s.meta,
            b.as_ref().map(|b| &b.meta),
            l.as_ref().map(|l| &l.meta),
            r.as_ref().map(|r| &r.meta),
            g.as_ref().map(|g| &g.meta),
            transpose,
            mode,
            group_size,
            bits,
            sorted_indices,
        )?;
        Ok((op, x, w, s, b, l, r, g, out))
    };
    let (op, x, w, s, b, l, r, g, out) = prep().map_err(py_err)?;
    py.detach(move || -> Result<(), Error> {
        // SAFETY: see `wgpu_quantize`.
        unsafe {
            let (lt, rt) = (Buf::opt_tensor(&l)?, Buf::opt_tensor(&r)?);
            let idx = GatherIndices { lhs: lt.as_ref().map(index_slice), rhs: rt.as_ref().map(index_slice) };
            ctx()?.matmul_host(&op, x.tensor()?, w.tensor()?, s.tensor()?, Buf::opt_tensor(&b)?, idx, Buf::opt_tensor(&g)?, out.tensor_mut()?)
        }
    })
    .map_err(py_err)
}

/// The adapter the wgpu backend uses (opening it on first call); RuntimeError if there is none.
#[pyfunction]
fn wgpu_adapter() -> PyResult<String> {
    ctx().map(|c| c.adapter_summary()).map_err(py_err)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(wgpu_quantize, m)?)?;
    m.add_function(wrap_pyfunction!(wgpu_dequantize, m)?)?;
    m.add_function(wrap_pyfunction!(wgpu_gather_qmm, m)?)?;
    m.add_function(wrap_pyfunction!(wgpu_adapter, m)?)?;
    Ok(())
}
