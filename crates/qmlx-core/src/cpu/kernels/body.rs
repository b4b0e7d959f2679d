//! Kernel bodies, generic over the instruction set and instantiated per bit width by
//! `#[target_feature]` entry points in `mod.rs`.

use super::isa::Isa;
use super::layout::{kind, CHUNK};

/// One call of [`dot_rows`]: `NR` stored rows of Ŵ against `MR` rows of x (transpose=True).
pub(crate) struct DotArgs {
    /// Reduction length (a multiple of 32 and of `gs`).
    pub k: usize,
    /// Group size.
    pub gs: usize,
    /// First x row (f32); rows `x_stride` apart.
    pub x: *const f32,
    pub x_stride: usize,
    /// Affine only: per-group sums of each x row, rows `xsum_stride` apart.
    pub xsum: *const f32,
    pub xsum_stride: usize,
    /// First weight row; rows `w_stride` words apart.
    pub w: *const u32,
    pub w_stride: usize,
    /// Per-group f32 scales (fp modes: decoded, times the nvfp4 global factor) and affine
    /// biases of each weight row, rows `s_stride` apart.
    pub scales: *const f32,
    pub biases: *const f32,
    pub s_stride: usize,
}

/// How far ahead of the loads the row-dot kernel prefetches weight rows with M>1 (u32 words).
const PREFETCH_WORDS: usize = 256;

/// `out[n][m] = Σ_k x[m][k] · Ŵ[n][k]`.
///
/// Group sizes ≥ 32 use MLX's factorisation per group, `scale·Σ(x·q) + bias·Σx` (no bias for fp
/// modes, whose E8M0 scales make the scaling exact): one FMA per element, a vector accumulator
/// per group (≤ 8 terms per lane before scaling, so the factorised form adds no visible error),
/// the bias part in f64. nvfp4 (groups of 16) folds the scale into the decoded value
/// (`value·scale`, the exact stored weight) and accumulates the whole row.
#[inline(always)]
///
/// With `PERM` (4-bit, group size ≥ 32, an instruction set with [`Isa::values_even_odd`]) codes
/// are unpacked in even/odd order and `x` must be permuted the same way within each chunk.
pub(crate) unsafe fn dot_rows<I: Isa, const B: u32, const KIND: u8, const NR: usize, const MR: usize, const PERM: bool>(
    a: &DotArgs,
    out: &mut [[f32; MR]; NR],
) {
    let words_at = |c: usize| -> [I::W; NR] {
        std::array::from_fn(|n| unsafe { I::load_words::<B>(a.w.add(n * a.w_stride + c * B as usize)) })
    };
    let x_at = |c: usize, p: usize| -> [I::V; MR] {
        std::array::from_fn(|m| unsafe { I::load(a.x.add(m * a.x_stride + c * CHUNK + p * I::LANES)) })
    };
    if a.gs >= CHUNK {
        let cpg = a.gs / CHUNK;
        let mut tot = [[I::zero(); MR]; NR];
        let mut bsum = [[0f64; MR]; NR];
        for g in 0..a.k / a.gs {
            let mut acc = [[I::zero(); MR]; NR];
            for c in g * cpg..(g + 1) * cpg {
                if c % (16 / B as usize).max(1) == 0 {
                    // About one prefetch per 64-byte line of codes. M=1: the same position in
                    // the rows of the next call (rows are stored back to back and the next call
                    // takes the next NR), 8-23 % faster than a fixed distance; with M>1 the
                    // blocks of M revisit a row tile, and the fixed distance measured better
                    // (cpu-2026-11-26-stage2.md). Prefetches never fault past the end of w.
                    let ahead = if MR == 1 { NR * a.w_stride } else { PREFETCH_WORDS };
                    for n in 0..NR {
                        I::prefetch(a.w.wrapping_add(n * a.w_stride + c * B as usize + ahead));
                    }
                }
                let words = words_at(c);
                for p in 0..I::PARTS {
                    let xs = x_at(c, p);
                    for n in 0..NR {
                        let q = if PERM { I::values_even_odd::<KIND>(words[n], p, 1.0) } else { I::values::<B, KIND>(words[n], p, 1.0) };
                        for m in 0..MR {
                            acc[n][m] = I::fma(xs[m], q, acc[n][m]);
                        }
                    }
                }
            }
            for n in 0..NR {
                let s = I::splat(*a.scales.add(n * a.s_stride + g));
                for m in 0..MR {
                    tot[n][m] = I::fma(s, acc[n][m], tot[n][m]);
                }
                if KIND == kind::UINT {
                    let b = *a.biases.add(n * a.s_stride + g) as f64;
                    for m in 0..MR {
                        bsum[n][m] += b * *a.xsum.add(m * a.xsum_stride + g) as f64;
                    }
                }
            }
        }
        for n in 0..NR {
            for m in 0..MR {
                out[n][m] = (I::hsum(tot[n][m]) as f64 + bsum[n][m]) as f32;
            }
        }
    } else {
        let mut acc = [[I::zero(); MR]; NR];
        for c in 0..a.k / CHUNK {
            let words = words_at(c);
            for p in 0..I::PARTS {
                let g = (c * CHUNK + p * I::LANES) / a.gs;
                let xs = x_at(c, p);
                for n in 0..NR {
                    let s = *a.scales.add(n * a.s_stride + g);
                    let v = if PERM { I::values_even_odd::<KIND>(words[n], p, s) } else { I::values::<B, KIND>(words[n], p, s) };
                    for m in 0..MR {
                        acc[n][m] = I::fma(xs[m], v, acc[n][m]);
                    }
                }
            }
        }
        for n in 0..NR {
            for m in 0..MR {
                out[n][m] = I::hsum(acc[n][m]);
            }
        }
    }
}

/// Dequantizes `chunks` chunks of one stored row segment to f32, exactly as the reference:
/// affine `fma(scale, q, bias)`, fp `value·scale`. `scales`/`biases` index groups from the
/// segment start (segments start on a group boundary).
#[inline(always)]
pub(crate) unsafe fn dequant<I: Isa, const B: u32, const KIND: u8>(
    w: *const u32,
    scales: *const f32,
    biases: *const f32,
    gs: usize,
    chunks: usize,
    out: *mut f32,
) {
    for c in 0..chunks {
        let words = I::load_words::<B>(w.add(c * B as usize));
        for p in 0..I::PARTS {
            let e = c * CHUNK + p * I::LANES;
            let g = e / gs;
            let v = if KIND == kind::UINT {
                I::fma_exact(I::splat(*scales.add(g)), I::values::<B, KIND>(words, p, 0.0), I::splat(*biases.add(g)))
            } else {
                I::values::<B, KIND>(words, p, *scales.add(g))
            };
            I::store(out.add(e), v);
        }
    }
}

/// transpose=False, small M: dequantizes one row segment (row `k` of Ŵ[K, N], `chunks·32`
/// columns) into `tmp` and adds `x[m][k] · row` to each of the `xk.len()` accumulator rows
/// (`acc_stride` apart).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn dequant_axpy<I: Isa, const B: u32, const KIND: u8>(
    w: *const u32,
    scales: *const f32,
    biases: *const f32,
    gs: usize,
    chunks: usize,
    xk: &[f32],
    acc: *mut f32,
    acc_stride: usize,
    tmp: *mut f32,
) {
    dequant::<I, B, KIND>(w, scales, biases, gs, chunks, tmp);
    let len = chunks * CHUNK;
    for (m, &xm) in xk.iter().enumerate() {
        let xv = I::splat(xm);
        let row = acc.add(m * acc_stride);
        let mut i = 0;
        while i < len {
            I::store(row.add(i), I::fma(xv, I::load(tmp.add(i)), I::load(row.add(i))));
            i += I::LANES;
        }
    }
}
