//! Quantized matmul on the CPU: buffer checks, then the route to a kernel family.
//!
//! - small M (decode): [`super::qmv`], fused unpack + dot (transpose=True, threads split N) or
//!   streamed rows of Ŵ into per-task column sums (transpose=False, threads split K);
//! - large M (prefill): [`super::qmm`], dequantize tiles of Ŵ into an f32 buffer and call `gemm`;
//! - [`Kernels::Reference`] or rows the 32-element chunks cannot tile (nvfp4 with a row of an odd
//!   number of 16-groups): [`super::reference`].

use super::kernels::Kernels;
use crate::dtype::{Float, Meta, TensorRef};
use crate::error::Result;
use crate::format::quantize::{fp_scale, nvfp4_global_factor};
use crate::ops::MatmulOp;

/// Stored scales of every w matrix, in the compute dtype (affine) or as bytes (fp modes).
#[derive(Clone, Copy)]
pub(super) enum Scales<'a, T> {
    Affine { scales: &'a [T], biases: &'a [T] },
    Fp { scales: &'a [u8], global_scales: Option<&'a [f32]> },
}

/// Checks that the buffers are those the op was described with (dtypes already cast).
pub(super) fn check_buffers(
    op: &MatmulOp,
    x: &TensorRef<'_>,
    w: &TensorRef<'_>,
    scales: &TensorRef<'_>,
    biases: Option<&TensorRef<'_>>,
    global_scale: Option<&TensorRef<'_>>,
    out: &Meta,
) -> Result<()> {
    let meta = |t: Option<&TensorRef<'_>>| t.map(|t| t.meta());
    op.check_buffers(&x.meta(), &w.meta(), &scales.meta(), meta(biases).as_ref(), meta(global_scale).as_ref(), out)
}

/// Weight elements (summed over the call) below which the call runs on the calling thread:
/// waking the pool costs several microseconds, more than a small decode call's whole work.
const INLINE_WORK: usize = 1 << 17;

/// Runs `f(state, task)` for tasks `0..count`, inline when `work` is tiny, else on the decode
/// spin pool or, where that is busy or off, on the rayon pool. In the spin pool participant `p`
/// of `P` owns the `p`-th contiguous run of tasks and takes them in order (each thread streams
/// one contiguous stretch of weight rows, as rayon's halving split does; with tasks taken
/// alternately from one counter, 4096×4096 4-bit M=1 from L3 took 158–161 µs vs 139–145 µs,
/// stage-5 notes), then helps with the others' runs; one `init()` state per thread.
pub(super) fn for_each_task<S, I, F>(count: usize, work: usize, init: I, f: F)
where
    I: Fn() -> S + Sync + Send,
    F: Fn(&mut S, usize) + Sync + Send,
{
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    if work < INLINE_WORK || rayon::current_num_threads() == 1 {
        let mut state = init();
        (0..count).for_each(|t| f(&mut state, t));
        return;
    }
    let parts = super::spin_pool::participants().clamp(1, count.max(1));
    let bound = |r: usize| r * count / parts;
    let next: Vec<AtomicUsize> = (0..parts).map(|r| AtomicUsize::new(bound(r))).collect();
    let job = |p: usize| {
        let mut state = None;
        for r in (0..parts).map(|i| (p + i) % parts) {
            loop {
                let t = next[r].fetch_add(1, Relaxed);
                if t >= bound(r + 1) {
                    break;
                }
                f(state.get_or_insert_with(&init), t);
            }
        }
    };
    if parts < 2 || !super::spin_pool::run(&job) {
        use rayon::prelude::*;
        (0..count).into_par_iter().for_each_init(init, f);
    }
}

/// A shared output pointer; tasks write disjoint elements.
#[derive(Clone, Copy)]
pub(super) struct OutPtr<T>(pub *mut T);
// SAFETY: every task writes a disjoint set of output elements.
unsafe impl<T> Send for OutPtr<T> {}
unsafe impl<T> Sync for OutPtr<T> {}

/// Per-group f32 scales (and affine biases) of stored rows, as the fused kernels take them.
pub(super) struct ScaleRows<'a, T> {
    scales: Scales<'a, T>,
    /// Groups per stored row.
    pub gpr: usize,
    /// Stored rows per w matrix.
    pub rows: usize,
    /// fp modes without a vector scale decoder: decoded scale of every byte, one table per w
    /// matrix with a global scale (built only there: 256 decodes per matrix and call).
    luts: Vec<[f32; 256]>,
    /// fp modes: the kernels whose vector decoder `fill` tries first, nvfp4 (E4M3) or not, and
    /// the nvfp4 factor per w matrix (one 1.0 without global scales).
    kernels: Kernels,
    e4m3: bool,
    factors: Vec<f32>,
}

impl<'a, T: Float> ScaleRows<'a, T> {
    pub fn new(kernels: Kernels, op: &MatmulOp, scales: Scales<'a, T>) -> Self {
        let (rows, cols) = if op.transpose { (op.n, op.k) } else { (op.k, op.n) };
        let lut = |gf: Option<f32>| -> [f32; 256] { std::array::from_fn(|b| fp_scale(&op.spec, b as u8, gf)) };
        let factors: Vec<f32> = match scales {
            Scales::Affine { .. } => vec![],
            Scales::Fp { global_scales: None, .. } => vec![1.0],
            Scales::Fp { global_scales: Some(g), .. } => g.iter().map(|&g| nvfp4_global_factor(g)).collect(),
        };
        let luts = match scales {
            Scales::Fp { global_scales, .. } if !super::kernels::has_fp_scale_decoder(kernels) => {
                factors.iter().map(|&f| lut(global_scales.map(|_| f))).collect()
            }
            _ => vec![],
        };
        let e4m3 = op.spec.mode() == crate::format::Mode::Nvfp4;
        ScaleRows { scales, gpr: cols / op.spec.group_size() as usize, rows, luts, kernels, e4m3, factors }
    }

    /// Hints that the scales (and biases) of stored rows `r0..r1` of w matrix `wi` will be read
    /// soon (every 64-byte line of them).
    #[inline]
    pub fn prefetch(&self, wi: usize, r0: usize, r1: usize) {
        let (a, e) = ((wi * self.rows + r0) * self.gpr, (wi * self.rows + r1) * self.gpr);
        match self.scales {
            Scales::Affine { scales, biases } => {
                let bytes = |v: &[T]| -> *const u8 { v.as_ptr() as *const u8 };
                prefetch_lines(bytes(scales), a * size_of::<T>(), e.min(scales.len()) * size_of::<T>());
                prefetch_lines(bytes(biases), a * size_of::<T>(), e.min(biases.len()) * size_of::<T>());
            }
            Scales::Fp { scales, .. } => prefetch_lines(scales.as_ptr(), a, e.min(scales.len())),
        }
    }

    /// Affine f32 scales and biases of stored rows `r0..r1` of w matrix `wi` as stored (rows
    /// `gpr` apart, as `fill` would write them), or None for other dtypes and fp modes.
    #[inline]
    pub fn f32_rows(&self, wi: usize, r0: usize, r1: usize) -> Option<(&'a [f32], &'a [f32])> {
        match self.scales {
            Scales::Affine { scales, biases } if T::DTYPE == crate::DType::F32 => {
                let (a, e) = ((wi * self.rows + r0) * self.gpr, (wi * self.rows + r1) * self.gpr);
                let (s, b): (&'a [f32], &'a [f32]) = (bytemuck::cast_slice(scales), bytemuck::cast_slice(biases));
                Some((&s[a..e], &b[a..e]))
            }
            _ => None,
        }
    }

    /// Affine scales and biases of stored rows `r0..r1` of w matrix `wi` as stored (rows `gpr`
    /// apart; the integer dots read bf16/f16 ones this way). Panics for fp modes.
    #[inline]
    pub fn raw_rows(&self, wi: usize, r0: usize, r1: usize) -> (&'a [T], &'a [T]) {
        match self.scales {
            Scales::Affine { scales, biases } => {
                let (a, e) = ((wi * self.rows + r0) * self.gpr, (wi * self.rows + r1) * self.gpr);
                (&scales[a..e], &biases[a..e])
            }
            Scales::Fp { .. } => unreachable!("fp-mode scales are bytes"),
        }
    }

    /// Writes groups `g0..g0 + s.len()` of stored row `r` of w matrix `wi` into `s` (and `b`);
    /// with `g0` = 0 and `s.len()` a multiple of `gpr`, whole rows `r..` (stored back to back).
    #[inline]
    pub fn fill(&self, wi: usize, r: usize, g0: usize, s: &mut [f32], b: &mut [f32]) {
        let at = (wi * self.rows + r) * self.gpr + g0;
        match self.scales {
            Scales::Affine { scales, biases } => {
                to_f32(&scales[at..at + s.len()], s);
                to_f32(&biases[at..at + b.len()], b);
            }
            Scales::Fp { scales, .. } => {
                let t = if self.factors.len() > 1 { wi } else { 0 };
                let len = s.len();
                let src = &scales[at..at + len];
                if !super::kernels::decode_fp_scales(self.kernels, self.e4m3, self.factors[t], src, s) {
                    let lut = &self.luts[t];
                    for (d, &byte) in s.iter_mut().zip(src) {
                        *d = lut[byte as usize];
                    }
                }
            }
        }
    }
}

/// Prefetches the 64-byte lines of bytes `from..to` of `base` (a no-op off x86-64).
#[inline]
fn prefetch_lines(base: *const u8, from: usize, to: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        let mut at = from & !63;
        while at < to {
            // SAFETY: a prefetch never faults; the addresses lie inside the slice anyway.
            unsafe { std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(base.wrapping_add(at) as *const i8) };
            at += 64;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (base, from, to);
}

/// Bulk conversion to f32 (`half` uses F16C where present).
pub(super) fn to_f32<T: Float>(src: &[T], dst: &mut [f32]) {
    use half::slice::HalfFloatSliceExt;
    // aarch64: NEON `fcvtl` / shift, exact (`half` uses fcvt only where FEAT_FP16 is detected, else software).
    #[cfg(target_arch = "aarch64")]
    match T::DTYPE {
        crate::DType::F16 => return super::kernels::neon::f16_to_f32(bytemuck::cast_slice(src), dst),
        crate::DType::BF16 => return super::kernels::neon::bf16_to_f32(bytemuck::cast_slice(src), dst),
        _ => {}
    }
    // x86-64: bf16 by vector shifts, f16 by F16C (`half`'s slice conversion of bf16 was a quarter
    // of an M=1 4096×4096 4-bit call with bf16 scales in L3, perf, stage 5).
    #[cfg(target_arch = "x86_64")]
    match T::DTYPE {
        crate::DType::BF16 if super::kernels::bf16_to_f32(bytemuck::cast_slice(src), dst) => return,
        crate::DType::F16 if super::kernels::f16_to_f32(bytemuck::cast_slice(src), dst) => return,
        _ => {}
    }
    match T::DTYPE {
        crate::DType::F32 => dst.copy_from_slice(bytemuck::cast_slice(src)),
        crate::DType::F16 => bytemuck::cast_slice::<T, half::f16>(src).convert_to_f32_slice(dst),
        crate::DType::BF16 => bytemuck::cast_slice::<T, half::bf16>(src).convert_to_f32_slice(dst),
        _ => unreachable!("Float is f32, f16 or bf16"),
    }
}

/// Bulk rounding from f32.
pub(super) fn from_f32<T: Float>(src: &[f32], dst: &mut [T]) {
    use half::slice::HalfFloatSliceExt;
    match T::DTYPE {
        crate::DType::F32 => bytemuck::cast_slice_mut::<T, f32>(dst).copy_from_slice(src),
        crate::DType::F16 => bytemuck::cast_slice_mut::<T, half::f16>(dst).convert_from_f32_slice(src),
        crate::DType::BF16 => bytemuck::cast_slice_mut::<T, half::bf16>(dst).convert_from_f32_slice(src),
        _ => unreachable!("Float is f32, f16 or bf16"),
    }
}

/// From this many rows of x on, the gemm path beats the fused kernels (see bench/results):
/// transpose=True (row dots) up to M≈64 (the gemm path first dequantizes all of Ŵ, ~5 ms at
/// 4096², cpu-2026-11-26-stage2.md); transpose=False (dequantize + axpy) measured at 32.
pub(super) const QMM_MIN_M: usize = 32;
pub(super) const QMM_MIN_M_TRANSPOSED: usize = 64;

/// Runs the op with the given kernels.
pub(super) fn run<T: Float>(
    kernels: Kernels,
    op: &MatmulOp,
    pairs: &[(usize, usize)],
    x: &[T],
    w: &[u32],
    scales: Scales<'_, T>,
    out: &mut [T],
) {
    if pairs.is_empty() || op.m == 0 || op.n == 0 {
        return;
    }
    let cols = if op.transpose { op.k } else { op.n };
    if kernels == Kernels::Reference || cols % super::kernels::layout::CHUNK != 0 {
        return super::reference::run(op, pairs, x, w, scales, out);
    }
    if op.k == 0 {
        out.fill(T::from_f32(0.0));
        return;
    }
    let mut xf = vec![0f32; x.len()];
    to_f32(x, &mut xf);
    let sr = ScaleRows::new(kernels, op, scales);
    if op.m >= if op.transpose { QMM_MIN_M_TRANSPOSED } else { QMM_MIN_M } {
        super::qmm::run(kernels, op, pairs, &xf, w, &sr, out)
    } else if op.transpose {
        super::qmv::run_t(kernels, op, pairs, &xf, w, &sr, out)
    } else {
        super::qmv::run_n(kernels, op, pairs, &xf, w, &sr, out)
    }
}
