//! The wgpu backend for CPU tensors (issue 7; cargo feature `wgpu-backend`): with `QMLX_BACKEND=wgpu`
//! the Python package sends CPU tensors here. Same arguments as the CPU run functions; inputs are
//! copied into wgpu buffers, the WGSL kernels run on the adapter `qmlx_wgpu` picks (lavapipe in
//! CI, any Vulkan GPU elsewhere), and outputs are copied back.

use crate::backend::{self, HostKernels};
use crate::py_err;
use pyo3::prelude::*;
use qmlx_core::cpu::GatherIndices;
use qmlx_core::{DequantizeOp, Error, MatmulOp, QuantizeOp, TensorMut, TensorRef};
use qmlx_wgpu::WgpuContext;

/// The process-wide context, opened on first use (so importing the module never touches a GPU).
fn ctx() -> Result<&'static WgpuContext, Error> {
    WgpuContext::global()
}

struct Wgpu;

impl HostKernels for Wgpu {
    fn quantize(op: &QuantizeOp, w: TensorRef<'_>, global_scale: Option<TensorRef<'_>>, wq: TensorMut<'_>, scales: TensorMut<'_>, biases: Option<TensorMut<'_>>) -> Result<(), Error> {
        ctx()?.quantize_host(op, w, global_scale, wq, scales, biases)
    }
    fn dequantize(op: &DequantizeOp, w: TensorRef<'_>, scales: TensorRef<'_>, biases: Option<TensorRef<'_>>, global_scale: Option<TensorRef<'_>>, out: TensorMut<'_>) -> Result<(), Error> {
        ctx()?.dequantize_host(op, w, scales, biases, global_scale, out)
    }
    fn matmul(
        op: &MatmulOp,
        x: TensorRef<'_>,
        w: TensorRef<'_>,
        scales: TensorRef<'_>,
        biases: Option<TensorRef<'_>>,
        indices: GatherIndices<'_>,
        global_scale: Option<TensorRef<'_>>,
        out: TensorMut<'_>,
    ) -> Result<(), Error> {
        ctx()?.matmul_host(op, x, w, scales, biases, indices, global_scale, out)
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
