//! # qmlx-metal — **experimental: not yet run on Apple hardware**
//!
//! The Apple host of the WGSL kernels (route B of `shared/spec/apple-gpu-options.md`): the
//! kernels of `qmlx-wgpu` are translated to MSL by naga (the same translation that is
//! snapshot-tested and clang-checked on Linux), compiled at run time by Metal, and dispatched
//! with objc2-metal on torch MPS tensors' own `MTLBuffer`s, encoded into torch's command buffer
//! (or, as the fallback, into our own command buffer followed by a wait).
//!
//! What is verified: the kernels themselves (on Vulkan/lavapipe, against the CPU backend), the MSL
//! (clang syntax/type check), and this crate's Apple code (`cargo check --target
//! aarch64-apple-darwin -Zbuild-std`, `scripts/check_macos_host.sh`). What is not: Metal's
//! acceptance of the MSL, torch's `MTLBuffer`-pointer convention in the installed torch, the
//! synchronisation with torch's stream, and all performance.
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
