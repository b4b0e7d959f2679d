//! CUDA entry points (cargo feature `cuda`): the same descs as the CPU run functions, but the
//! pointers are device addresses of CUDA tensors on device `device`, and kernels are queued on the
//! raw `stream` (torch's current stream) without synchronizing. Validation is the same op
//! description the CPU uses; nothing is read on the host.
//!
//! Out-of-range gather indices never read out of bounds: their outputs are NaN and the error is
//! raised by the next CUDA call (or by `cuda_check_status`).

use crate::backend::{self, Backend, DequantizeCall, MatmulCall, QuantizeCall};
use crate::{py_err, Buf};
use pyo3::prelude::*;
use qmlx_core::Error;
use qmlx_cuda::DevRef;

fn dev(b: &Buf) -> DevRef<'_> {
    DevRef::new(b.ptr as u64, b.meta.dtype, &b.meta.shape)
}

fn opt_dev(b: &Option<Buf>) -> Option<DevRef<'_>> {
    b.as_ref().map(dev)
}

struct Cuda;

// SAFETY (all three): the Python caller passes live contiguous CUDA tensors on `device`; the
// kernels are only queued, so the GIL is kept.
impl Backend for Cuda {
    /// `(device ordinal, raw CUDA stream)`.
    type Place = (usize, u64);
    fn quantize(_py: Python<'_>, (device, stream): (usize, u64), c: QuantizeCall) -> Result<(), Error> {
        let d = qmlx_cuda::device(device)?;
        unsafe { d.quantize(&c.op, dev(&c.w), opt_dev(&c.global_scale), dev(&c.wq), dev(&c.scales), opt_dev(&c.biases), stream) }
    }
    fn dequantize(_py: Python<'_>, (device, stream): (usize, u64), c: DequantizeCall) -> Result<(), Error> {
        let d = qmlx_cuda::device(device)?;
        unsafe { d.dequantize(&c.op, dev(&c.w), dev(&c.scales), opt_dev(&c.biases), opt_dev(&c.global_scale), dev(&c.out), stream) }
    }
    fn matmul(_py: Python<'_>, (device, stream): (usize, u64), c: MatmulCall) -> Result<(), Error> {
        let d = qmlx_cuda::device(device)?;
        unsafe {
            d.matmul(
                &c.op,
                dev(&c.x),
                dev(&c.w),
                dev(&c.scales),
                opt_dev(&c.biases),
                opt_dev(&c.lhs_indices),
                opt_dev(&c.rhs_indices),
                opt_dev(&c.global_scale),
                dev(&c.out),
                stream,
            )
        }
    }
}

backend::run_functions!(Cuda => cuda_quantize, cuda_dequantize, cuda_gather_qmm; leading device: usize, stream: u64);

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
