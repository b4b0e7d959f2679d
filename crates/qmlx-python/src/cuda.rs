//! CUDA entry points (cargo feature `cuda`): the same descs as the CPU run functions, but the
//! pointers are device addresses of CUDA tensors on device `device`, and kernels are queued on the
//! raw `stream` (torch's current stream) without synchronizing. Validation is the same op
//! description the CPU uses; nothing is read on the host.

use super::{dequantize_op, matmul_op, py_err, quantize_op, Buf, Desc, FLOATS, INDEX_DTYPES};
use pyo3::prelude::*;
use qmlx_core::Error;
use qmlx_cuda::DevRef;

fn dev(b: &Buf) -> DevRef<'_> {
    DevRef::new(b.ptr as u64, b.meta.dtype, &b.meta.shape)
}

fn odev(b: &Option<Buf>) -> Option<DevRef<'_>> {
    b.as_ref().map(dev)
}

/// Queues `quantize` on the device (bit-exact with the CPU).
#[pyfunction]
#[pyo3(signature = (device, stream, w, global_scale, wq, scales, biases, mode, group_size, bits, rounding))]
#[allow(clippy::too_many_arguments)]
fn cuda_quantize(
    device: usize,
    stream: u64,
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
    let run = || -> Result<(), Error> {
        let w = Buf::new("w", FLOATS, w)?;
        let g = Buf::opt("global_scale", "float32", global_scale)?;
        let op = quantize_op(&w.meta, g.as_ref().map(|g| &g.meta), mode, group_size, bits, rounding)?;
        let wq = Buf::new("wq", "uint32", wq)?;
        let scales = Buf::new("scales", "the scales dtype", scales)?;
        let biases = Buf::opt("biases", "the weight dtype", biases)?;
        let d = qmlx_cuda::device(device)?;
        // SAFETY: the Python caller passes live contiguous CUDA tensors on `device`.
        unsafe { d.quantize(&op, dev(&w), odev(&g), dev(&wq), dev(&scales), odev(&biases), stream) }
    };
    run().map_err(py_err)
}

/// Queues `dequantize` on the device.
#[pyfunction]
#[pyo3(signature = (device, stream, w, scales, biases, global_scale, out, mode, group_size, bits))]
#[allow(clippy::too_many_arguments)]
fn cuda_dequantize(
    device: usize,
    stream: u64,
    w: Desc,
    scales: Desc,
    biases: Option<Desc>,
    global_scale: Option<Desc>,
    out: Desc,
    mode: &str,
    group_size: Option<i64>,
    bits: Option<i64>,
) -> PyResult<()> {
    let run = || -> Result<(), Error> {
        let w = Buf::new("w", "uint32", w)?;
        let s = Buf::new("scales", "a float dtype (affine) or uint8 (fp modes)", scales)?;
        let b = Buf::opt("biases", FLOATS, biases)?;
        let g = Buf::opt("global_scale", "float32", global_scale)?;
        let out = Buf::new("out", FLOATS, out)?;
        let op = dequantize_op(&w.meta, &s.meta, b.as_ref().map(|b| &b.meta), g.as_ref().map(|g| &g.meta), mode, group_size, bits, Some(out.meta.dtype))?;
        let d = qmlx_cuda::device(device)?;
        // SAFETY: see `cuda_quantize`.
        unsafe { d.dequantize(&op, dev(&w), dev(&s), odev(&b), odev(&g), dev(&out), stream) }
    };
    run().map_err(py_err)
}

/// Queues `gather_qmm` (or `quantized_matmul` without indices). Out-of-range indices never read
/// out of bounds: their outputs are NaN and the error is raised by the next CUDA call (or by
/// `cuda_check_status`).
#[pyfunction]
#[pyo3(signature = (device, stream, x, w, scales, biases, lhs_indices, rhs_indices, global_scale, out, transpose, mode, group_size, bits, sorted_indices))]
#[allow(clippy::too_many_arguments)]
fn cuda_gather_qmm(
    device: usize,
    stream: u64,
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
    let run = || -> Result<(), Error> {
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
        let d = qmlx_cuda::device(device)?;
        // SAFETY: see `cuda_quantize`.
        unsafe { d.matmul(&op, dev(&x), dev(&w), dev(&s), odev(&b), odev(&l), odev(&r), odev(&g), dev(&out), stream) }
    };
    run().map_err(py_err)
}

/// Synchronizes `device` and raises the first error its kernels recorded (IndexError for gather
/// indices out of range, ValueError for a non-finite weight), clearing it.
#[pyfunction]
fn cuda_check_status(device: usize) -> PyResult<()> {
    qmlx_cuda::device(device).and_then(|d| d.check_status()).map_err(py_err)
}

/// Architectures compiled into this build (`sm_80`, ...); empty if built without nvcc.
pub(crate) fn archs() -> Vec<&'static str> {
    qmlx_cuda::compiled_archs()
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(cuda_quantize, m)?)?;
    m.add_function(wrap_pyfunction!(cuda_dequantize, m)?)?;
    m.add_function(wrap_pyfunction!(cuda_gather_qmm, m)?)?;
    m.add_function(wrap_pyfunction!(cuda_check_status, m)?)?;
    Ok(())
}
