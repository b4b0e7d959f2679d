//! The wgpu backend for CPU tensors (issue 7; cargo feature `wgpu-backend`): with `QMLX_BACKEND=wgpu`
//! the Python package sends CPU tensors here. Same arguments as the CPU run functions; inputs are
//! copied into wgpu buffers, the WGSL kernels run on the adapter `qmlx_wgpu` picks (lavapipe in
//! CI, any Vulkan GPU elsewhere), and outputs are copied back.

use crate::backend::{self, DequantizeViews, HostKernels, MatmulViews, QuantizeViews};
use crate::py_err;
use pyo3::prelude::*;
use qmlx_core::{DequantizeOp, Error, MatmulOp, QuantizeOp};
use qmlx_wgpu::WgpuContext;

/// The process-wide context, opened on first use (so importing the module never touches a GPU).
fn ctx() -> Result<&'static WgpuContext, Error> {
    WgpuContext::global()
}

struct Wgpu;

impl HostKernels for Wgpu {
    fn quantize(op: &QuantizeOp, v: QuantizeViews<'_>) -> Result<(), Error> {
        ctx()?.quantize_host(op, v.w, v.global_scale, v.wq, v.scales, v.biases)
    }
    fn dequantize(op: &DequantizeOp, v: DequantizeViews<'_>) -> Result<(), Error> {
        ctx()?.dequantize_host(op, v.w, v.scales, v.biases, v.global_scale, v.out)
    }
    fn matmul(op: &MatmulOp, v: MatmulViews<'_>) -> Result<(), Error> {
        ctx()?.matmul_host(op, v.x, v.w, v.scales, v.biases, v.indices, v.global_scale, v.out)
    }
}

backend::run_functions!(Wgpu => wgpu_quantize, wgpu_dequantize, wgpu_gather_qmm);

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
