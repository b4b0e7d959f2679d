//! The Metal host for torch MPS tensors (issue 7; built into the extension on macOS only).
//! **Experimental: not yet run on Apple hardware** — this file is type-checked for
//! `aarch64-apple-darwin` by `scripts/check_macos_host.sh`, nothing more.
//!
//! Same descs as the other run functions, except that a desc's pointer is the tensor storage's
//! `id<MTLBuffer>` (`untyped_storage().data_ptr()`) and the leading `offsets` maps an argument
//! name to its byte offset in that buffer (`storage_offset() * itemsize`); see
//! `qmlx_metal::buffer_from_torch` for where PyTorch defines that. Gather indices are CPU tensors
//! (the Python layer copies them), read on the host by the op's own validation.
//!
//! Synchronisation (the fallback): the Python layer runs `torch.mps.synchronize()` first,
//! then the kernels go into our own command buffer, which is committed and waited for with the
//! GIL released (`qmlx_metal::Target::Own` says why not torch's command buffer).

use crate::backend::{self, index_slice, Backend, DequantizeCall, MatmulCall, QuantizeCall};
use crate::Buf;
use pyo3::prelude::*;
use qmlx_core::cpu::GatherIndices;
use qmlx_core::Error;
use qmlx_metal::{buffer_from_torch, MetalHost, MpsTensor, Target};
use std::collections::HashMap;
use std::sync::OnceLock;

/// Byte offset of each MPS tensor in its buffer, by argument name (absent: 0).
type Offsets = HashMap<String, usize>;

/// The process-wide host, opened on the device of the first buffer it is given.
fn host(first: &Buf) -> Result<&'static MetalHost, Error> {
    static HOST: OnceLock<Result<MetalHost, Error>> = OnceLock::new();
    HOST.get_or_init(|| {
        // SAFETY: the Python layer passes the storage pointer of a live MPS tensor.
        let b = unsafe { buffer_from_torch(first.ptr as *mut _) }
            .ok_or_else(|| Error::Value { arg: first.arg, expected: "an MPS tensor with storage".into(), got: "a null buffer".into() })?;
        MetalHost::for_buffer(b)
    })
    .as_ref()
    .map_err(|e| e.clone())
}

/// The `MpsTensor` of an MPS desc: its buffer (checked to be on the host's device) at its offset.
///
/// # Safety
/// `b.ptr` must be the storage pointer of a live MPS tensor that outlives the call.
unsafe fn mps<'a>(h: &MetalHost, offsets: &Offsets, b: &'a Buf) -> Result<MpsTensor<'a>, Error> {
    let buffer = unsafe { buffer_from_torch(b.ptr as *mut _) }
        .ok_or_else(|| Error::Value { arg: b.arg, expected: "an MPS tensor with storage".into(), got: "a null buffer".into() })?;
    if !h.owns(buffer) {
        return Err(Error::Value { arg: b.arg, expected: "a tensor on the Metal device of the first call".into(), got: "another device".into() });
    }
    Ok(MpsTensor { buffer, byte_offset: offsets.get(b.arg).copied().unwrap_or(0), dtype: b.meta.dtype, shape: &b.meta.shape })
}

/// # Safety
/// See [`mps`].
unsafe fn opt_mps<'a>(h: &MetalHost, offsets: &Offsets, b: &'a Option<Buf>) -> Result<Option<MpsTensor<'a>>, Error> {
    b.as_ref().map(|b| unsafe { mps(h, offsets, b) }).transpose()
}

struct Metal;

// SAFETY (all three): the Python caller passes live contiguous MPS tensors (storage pointers and
// offsets) and CPU index tensors, and keeps them alive for the call; outputs are fresh tensors.
// The GIL is released while the command buffer runs.
impl Backend for Metal {
    /// The byte offsets (the only leading argument of the `metal_*` functions).
    type Place = (Offsets,);
    fn quantize(py: Python<'_>, (offsets,): (Offsets,), c: QuantizeCall) -> Result<(), Error> {
        let h = host(&c.w)?;
        py.detach(move || unsafe {
            h.quantize(
                &c.op,
                mps(h, &offsets, &c.w)?,
                opt_mps(h, &offsets, &c.global_scale)?,
                mps(h, &offsets, &c.wq)?,
                mps(h, &offsets, &c.scales)?,
                opt_mps(h, &offsets, &c.biases)?,
            )
        })
    }
    fn dequantize(py: Python<'_>, (offsets,): (Offsets,), c: DequantizeCall) -> Result<(), Error> {
        let h = host(&c.w)?;
        py.detach(move || unsafe {
            h.dequantize(
                Target::Own,
                &c.op,
                mps(h, &offsets, &c.w)?,
                mps(h, &offsets, &c.scales)?,
                opt_mps(h, &offsets, &c.biases)?,
                opt_mps(h, &offsets, &c.global_scale)?,
                mps(h, &offsets, &c.out)?,
            )
        })
    }
    fn matmul(py: Python<'_>, (offsets,): (Offsets,), c: MatmulCall) -> Result<(), Error> {
        let h = host(&c.x)?;
        py.detach(move || unsafe {
            let (lhs, rhs) = (Buf::opt_tensor(&c.lhs_indices)?, Buf::opt_tensor(&c.rhs_indices)?);
            h.matmul(
                Target::Own,
                &c.op,
                mps(h, &offsets, &c.x)?,
                mps(h, &offsets, &c.w)?,
                mps(h, &offsets, &c.scales)?,
                opt_mps(h, &offsets, &c.biases)?,
                GatherIndices { lhs: lhs.as_ref().map(index_slice), rhs: rhs.as_ref().map(index_slice) },
                opt_mps(h, &offsets, &c.global_scale)?,
                mps(h, &offsets, &c.out)?,
            )
        })
    }
}

backend::run_functions!(Metal => metal_quantize, metal_dequantize, metal_gather_qmm; leading offsets: HashMap<String, usize>);

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(metal_quantize, m)?)?;
    m.add_function(wrap_pyfunction!(metal_dequantize, m)?)?;
    m.add_function(wrap_pyfunction!(metal_gather_qmm, m)?)?;
    Ok(())
}

/// `build_info()["apple_metal"]`: the status line (the device is only known after a first call).
pub(crate) fn status() -> String {
    format!("{}; Metal host built in (macOS)", qmlx_metal::STATUS)
}

/// Proof that this Apple-only file is type-checked: `scripts/check_macos_host.sh` requires the
/// aarch64-apple-darwin check with `--cfg qmlx_deliberate_type_error` to fail here.
#[cfg(qmlx_deliberate_type_error)]
#[allow(dead_code)]
fn deliberate_type_error(offsets: Offsets) -> usize {
    offsets
}
