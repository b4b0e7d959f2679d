//! # qmlx-metal — **experimental: not yet run on Apple hardware**
//!
//! The Apple host of the WGSL kernels (route B of `shared/spec/apple-gpu-options.md`): quantize,
//! dequantize, quantized_matmul and gather_qmm on torch MPS tensors' own `MTLBuffer`s, with the
//! same validated op descriptions as every backend (`QuantizeOp`/`DequantizeOp`/`MatmulOp` and
//! their `check_buffers`). The kernels of `qmlx-wgpu` are translated to MSL by naga (the
//! translation that is snapshot-tested and clang-checked on Linux), compiled by Metal with fast
//! math off, and dispatched with objc2-metal exactly as `qmlx_wgpu::launch` describes (the
//! launches whose wgpu runs on lavapipe must equal the wgpu ops byte for byte). Kernels go into
//! a caller's command buffer (e.g. torch's) or into our own, committed and waited for — the
//! fallback the Python package uses (`Target`).
//!
//! What is verified: the kernels (on Vulkan/lavapipe and NVIDIA's Vulkan driver, against the CPU
//! backend), the launch descriptions (same bytes as the wgpu ops), the MSL (clang syntax/type
//! check), and this crate's Apple code (`cargo check --target aarch64-apple-darwin
//! -Zbuild-std`, `scripts/check_macos_host.sh`). What is not: Metal's acceptance of the MSL,
//! torch's `MTLBuffer`-pointer convention in the installed torch, the synchronisation with torch's
//! stream, and all performance.
//!
//! On other targets this crate only exposes [`STATUS`] and [`available`].

/// The status line for `build_info()` and the README.
pub const STATUS: &str = "experimental: not yet run on Apple hardware";

/// Whether this build contains the Metal host (Apple targets only).
pub const fn available() -> bool {
    cfg!(target_vendor = "apple")
}

#[cfg(target_vendor = "apple")]
mod host;
#[cfg(target_vendor = "apple")]
pub use host::*;
