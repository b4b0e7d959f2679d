//! # qmlx-wgpu
//!
//! MLX-compatible quantization kernels written once in WGSL and run through
//! [wgpu](https://wgpu.rs) on Vulkan (any GPU with a Vulkan driver: AMD, Intel, NVIDIA, and Mesa's
//! software lavapipe, which CI uses) or Metal. The same kernels translate to MSL with naga for the
//! Apple host (`crates/qmlx-metal`), which is **experimental: not yet run on Apple hardware**.
//!
//! The ops take the same validated descriptions as the CPU backend
//! (`qmlx_core::ops::{QuantizeOp, DequantizeOp, MatmulOp}`) and tensors in wgpu buffers
//! ([`GpuTensor`]); [`WgpuContext::quantize_host`] & co. take host tensors instead.
//!
//! Kernels (in `shaders/`): `quantize`, `dequantize`, `qmv` (decode), `qmm` (tiled, workgroup
//! memory, both orientations; gather and sorted MoE experts through a row table), `cast`. Every
//! bit width goes through the one shared include `codes.wgsl`; bits, group size, mode and dtypes
//! are `override` constants. No subgroup operations (so no subgroup-size assumption) and no
//! optional features: f16/bf16 travel as u32 halves and are converted on bits.
//!
//! ```no_run
//! use qmlx_core::{api, Meta, DType, QuantSpec, Mode, MatmulOp, TensorRef};
//! use qmlx_core::cpu::GatherIndices;
//! let ctx = qmlx_wgpu::WgpuContext::new()?;
//! let (n, k) = (8, 128);
//! let w: Vec<f32> = (0..n * k).map(|i| (i % 7) as f32 - 3.0).collect();
//! let q = api::quantize(&w, &[n, k], QuantSpec::new(Mode::Affine, 64, 4)?, Default::default(), None)?;
//! let api::GroupParams::Affine { scales, biases } = &q.params else { unreachable!() };
//! let x = vec![1.0f32; k];
//! let x_shape = [1, k];
//! let (xt, wt) = (TensorRef::new(&x, &x_shape)?, TensorRef::new(&q.wq, &q.wq_shape)?);
//! let (st, bt) = (TensorRef::new(scales, &q.scales_shape)?, TensorRef::new(biases, &q.scales_shape)?);
//! let op = MatmulOp::quantized_matmul(&xt.meta(), &wt.meta(), &st.meta(), Some(&bt.meta()), true, q.spec)?;
//! let (gx, gw, gs, gb) = (ctx.upload(&xt)?, ctx.upload(&wt)?, ctx.upload(&st)?, ctx.upload(&bt)?);
//! let out = ctx.alloc(&Meta::new(op.out_dtype, &op.out_shape))?;
//! ctx.matmul(&op, &gx, &gw, &gs, Some(&gb), GatherIndices::default(), None, &out)?;
//! let y: Vec<f32> = bytemuck::pod_collect_to_vec(&ctx.download(&out)?);
//! assert_eq!(y.len(), n);
//! # Ok::<(), qmlx_core::Error>(())
//! ```

#[cfg(feature = "runtime")]
mod context;
#[cfg(feature = "runtime")]
mod host;
pub mod launch;
pub mod msl;
#[cfg(feature = "runtime")]
mod ops;
pub mod plan;
pub mod shaders;

#[cfg(feature = "runtime")]
#[doc(hidden)]
pub use context::pick_adapter;
#[cfg(feature = "runtime")]
pub use context::{Dispatch, GpuTensor, WgpuContext};
#[cfg(feature = "runtime")]
pub use ops::{Batch, PreparedMatmul};
pub use plan::Plan;
#[cfg(feature = "runtime")]
pub use wgpu;

/// A one-line description of the backend for `build_info()`: the adapter, or why there is none.
#[cfg(feature = "runtime")]
pub fn build_info() -> String {
    match WgpuContext::global() {
        Ok(c) => format!("wgpu 30.0.2: {}", c.adapter_summary()),
        Err(e) => format!("wgpu 30.0.2: unavailable ({e})"),
    }
}

/// The status line of the Apple path, for `build_info()` and the README.
pub const APPLE_STATUS: &str = "experimental: not yet run on Apple hardware";
