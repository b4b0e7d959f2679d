//! The reference quantized matmul: dequantize a tile of Ŵ rows to f32 with the scalar
//! [`decode_row`], then dot products in f32. Plain and obviously right; the fused kernels are
//! cross-checked against it. Parallel over (output matrix, tile of output columns).

use super::decode::{decode_row, RowScales};
use super::matmul::Scales;
use crate::dtype::Float;
use crate::format::quantize::nvfp4_global_factor;
use crate::ops::MatmulOp;
use rayon::prelude::*;

#[derive(Clone, Copy)]
struct OutPtr<T>(*mut T);
// SAFETY: tasks write disjoint output elements.
unsafe impl<T> Send for OutPtr<T> {}
unsafe impl<T> Sync for OutPtr<T> {}

#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    // Eight partial sums: vectorises and keeps the rounding error growth low.
    let mut acc = [0f32; 8];
    let chunks = a.len() / 8;
    for c in 0..chunks {
        for l in 0..8 {
            acc[l] += a[c * 8 + l] * b[c * 8 + l];
        }
    }
    let mut tail = 0f32;
    for i in chunks * 8..a.len() {
        tail += a[i] * b[i];
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}

pub(super) fn run<T: Float>(op: &MatmulOp, pairs: &[(usize, usize)], x: &[T], w: &[u32], scales: Scales<'_, T>, out: &mut [T]) {
    let (m, n, k) = (op.m, op.n, op.k);
    if pairs.is_empty() || m == 0 || n == 0 {
        return;
    }
    let (rows, cols) = if op.transpose { (n, k) } else { (k, n) };
    let gs = op.spec.group_size() as usize;
    let wpr = op.spec.packed_words(cols);
    let gpr = cols / gs;
    let xf: Vec<f32> = x.iter().map(|v| v.to_f32()).collect();
    let tile = (16384 / k.max(1)).clamp(4, 64).min(n);
    let tiles = n.div_ceil(tile);
    let out_ptr = OutPtr(out.as_mut_ptr());
    let row_scales = |wi: usize, r: usize| -> RowScales<'_, T> {
        let g0 = (wi * rows + r) * gpr;
        match &scales {
            Scales::Affine { scales, biases } => RowScales::Affine { scales: &scales[g0..g0 + gpr], biases: &biases[g0..g0 + gpr] },
            Scales::Fp { scales, global_scales } => RowScales::Fp {
                scales: &scales[g0..g0 + gpr],
                global_factor: global_scales.map(|g| nvfp4_global_factor(g[wi])),
            },
        }
    };
    (0..pairs.len() * tiles).into_par_iter().for_each_init(
        || (vec![0f32; tile * k], vec![0f32; tile]),
        |(buf, col), task| {
            let out_ptr = out_ptr;
            let (p, t) = (task / tiles, task % tiles);
            let (xi, wi) = pairs[p];
            let n0 = t * tile;
            let tn = tile.min(n - n0);
            let w_row = |r: usize| &w[(wi * rows + r) * wpr..(wi * rows + r + 1) * wpr];
            if op.transpose {
                for r in 0..tn {
                    decode_row(&op.spec, w_row(n0 + r), row_scales(wi, n0 + r), 0, &mut buf[r * k..(r + 1) * k]);
                }
            } else {
                for kk in 0..k {
                    decode_row(&op.spec, w_row(kk), row_scales(wi, kk), n0, &mut col[..tn]);
                    for r in 0..tn {
                        buf[r * k + kk] = col[r];
                    }
                }
            }
            for mi in 0..m {
                let xrow = &xf[(xi * m + mi) * k..(xi * m + mi + 1) * k];
                let base = (p * m + mi) * n + n0;
                for r in 0..tn {
                    let v = T::from_f32(dot(xrow, &buf[r * k..(r + 1) * k]));
                    // SAFETY: (p, mi, n0 + r) is written by this task only, and is in bounds
                    // because out has batch_count * m * n elements (checked).
                    unsafe { *out_ptr.0.add(base + r) = v };
                }
            }
        },
    );
}
