//! Large-M (prefill) driver: dequantize a tile of Ŵ into an f32 buffer with the SIMD dequant
//! kernel (rows in parallel), then one `gemm` call (threads over the same rayon pool) per tile.

use super::kernels::{self, layout::CHUNK, Kernels};
use super::matmul::{from_f32, OutPtr, ScaleRows};
use crate::dtype::Float;
use crate::ops::MatmulOp;
use rayon::prelude::*;

/// f32 elements of one dequantized tile (8 MiB: stays in L3, few re-packs of x by gemm).
const TILE_ELEMS: usize = 2 << 20;
/// Stored rows dequantized together before being written as tile columns (transpose=True).
const ROW_BLOCK: usize = 8;

pub(super) fn run<T: Float>(
    kern: Kernels,
    op: &MatmulOp,
    pairs: &[(usize, usize)],
    xf: &[f32],
    w: &[u32],
    sr: &ScaleRows<'_, T>,
    out: &mut [T],
) {
    let (m, n, k) = (op.m, op.n, op.k);
    let gs = op.spec.group_size() as usize;
    let bits = op.spec.bits() as usize;
    let affine = op.spec.has_biases();
    let deq = kernels::dequant_fn(kern, &op.spec);
    // Tile width in output columns: whole 128-column blocks so that tiles of Ŵ[k, n] start on a
    // group boundary.
    let tn = (TILE_ELEMS / k.max(1)).max(128) / 128 * 128;
    let tn = tn.min(n);
    let mut buf = vec![0f32; tn * k];
    let mut yf = if T::DTYPE == crate::DType::F32 { vec![] } else { vec![0f32; m * n] };
    let threads = rayon::current_num_threads();
    let par = if threads > 1 { gemm::Parallelism::Rayon(threads) } else { gemm::Parallelism::None };
    for (p, &(xi, wi)) in pairs.iter().enumerate() {
        let y: &mut [f32] = if T::DTYPE == crate::DType::F32 {
            bytemuck::cast_slice_mut(&mut out[p * m * n..(p + 1) * m * n])
        } else {
            &mut yf
        };
        let x = &xf[xi * m * k..(xi + 1) * m * k];
        for n0 in (0..n).step_by(tn) {
            let w_tile = (n - n0).min(tn);
            let tile = &mut buf[..w_tile * k];
            // The tile is always laid out [k][w_tile] (output columns contiguous): gemm packs
            // that operand fast; the transposed layout made it gather scalars (measured 10×).
            if op.transpose {
                // Rows n0.. of Ŵ[n, k], 8 at a time into a scratch block, then written as columns.
                let wpr = op.spec.packed_words(k);
                let tile_ptr = OutPtr(tile.as_mut_ptr());
                (0..w_tile.div_ceil(ROW_BLOCK)).into_par_iter().for_each_init(
                    || (vec![0f32; ROW_BLOCK * k], vec![0f32; k / gs], vec![0f32; if affine { k / gs } else { 0 }]),
                    |(blk, sb, bb), rb| {
                        let tile_ptr = tile_ptr;
                        let j0 = rb * ROW_BLOCK;
                        let nr = ROW_BLOCK.min(w_tile - j0);
                        for j in 0..nr {
                            let r = n0 + j0 + j;
                            sr.fill(wi, r, 0, sb, bb);
                            // SAFETY: row r of matrix wi holds k codes; blk row j holds k floats.
                            unsafe {
                                deq(w.as_ptr().add((wi * n + r) * wpr), sb.as_ptr(), bb.as_ptr(), gs, k / CHUNK, blk[j * k..].as_mut_ptr())
                            };
                        }
                        for kk in 0..k {
                            for j in 0..nr {
                                // SAFETY: this task alone writes columns j0..j0 + nr of the tile.
                                unsafe { *tile_ptr.0.add(kk * w_tile + j0 + j) = blk[j * k + kk] };
                            }
                        }
                    },
                );
            } else {
                // Columns n0.. of rows 0..k of Ŵ[k, n]: tile[kk][j].
                let wpr = op.spec.packed_words(n);
                let (g0, ng) = (n0 / gs, w_tile / gs);
                tile.par_chunks_mut(w_tile).enumerate().for_each_init(
                    || (vec![0f32; ng], vec![0f32; if affine { ng } else { 0 }]),
                    |(sb, bb), (kk, dst)| {
                        sr.fill(wi, kk, g0, sb, bb);
                        // SAFETY: the segment of row kk lies inside w; dst holds w_tile floats.
                        unsafe {
                            deq(
                                w.as_ptr().add((wi * k + kk) * wpr + n0 * bits / 32),
                                sb.as_ptr(),
                                bb.as_ptr(),
                                gs,
                                w_tile / CHUNK,
                                dst.as_mut_ptr(),
                            )
                        };
                    },
                );
            }
            // y[:, n0..n0 + w_tile] = x @ tile (viewed as [k, w_tile]).
            // SAFETY: all pointers and strides describe the buffers above (m×k x, k×w_tile
            // tile, m×n y), none aliasing.
            unsafe {
                gemm::gemm(
                    m,
                    w_tile,
                    k,
                    y.as_mut_ptr().add(n0),
                    1,
                    n as isize,
                    false,
                    x.as_ptr(),
                    1,
                    k as isize,
                    tile.as_ptr(),
                    1,
                    w_tile as isize,
                    0.0,
                    1.0,
                    false,
                    false,
                    false,
                    par,
                )
            };
        }
        if T::DTYPE != crate::DType::F32 {
            from_f32(&yf, &mut out[p * m * n..(p + 1) * m * n]);
        }
    }
}
