//! Small-M (decode) drivers of the fused kernels. transpose=True: threads (the decode spin pool or
//! rayon) split the output columns N, no task shares an output element; transpose=False: threads
//! split K, each task into sums of its own, joined in a fixed order at the end.

use super::kernels::{self, layout::CHUNK, DotArgs, DotFn, Kernels};
use super::matmul::{for_each_task, OutPtr, ScaleRows};
use crate::dtype::Float;
use crate::ops::MatmulOp;

/// Rows of x handled per kernel call, in the order they are peeled off M. No 8-row block: the
/// 1×8 kernel loads one x vector per FMA and ran ~1.6× slower per x row than two 2×4 calls,
/// whose second pass finds the row tile's codes in L1 (bench/results/cpu-2026-11-26-stage2.md).
const M_BLOCKS: [usize; 3] = [4, 2, 1];
/// Stored rows whose scales are converted together.
const ROW_TILE: usize = 8;

/// Output rows per task: about 8 tasks per thread for balance, whole row tiles.
fn rows_per_task(n: usize, pairs: usize) -> usize {
    let want_tasks = 8 * rayon::current_num_threads();
    let per = (n * pairs).div_ceil(want_tasks).div_ceil(pairs.max(1));
    per.next_multiple_of(ROW_TILE).clamp(ROW_TILE, 512)
}

/// The dot kernels for each M block: (rows per call, kernel) and the 1-row kernel for leftovers.
struct DotFns {
    m4: (DotFn<2, 4>, DotFn<1, 4>),
    m2: (DotFn<4, 2>, DotFn<1, 2>),
    m1: (DotFn<4, 1>, DotFn<1, 1>),
}

/// Per-call context of the transpose=True driver.
struct Ctx<'a> {
    k: usize,
    gs: usize,
    n: usize,
    wpr: usize,
    gpr: usize,
    xf: &'a [f32],
    xsum: &'a [f32],
    w: &'a [u32],
    /// Integer row dots: x as int8 limb records, bytes per x row (empty otherwise), x as is
    /// (their K tails) and the group sums of the x the limbs carry.
    xl: &'a [i8],
    xl_row: usize,
    xf_int: &'a [f32],
    xsum_int: &'a [f32],
}

/// One row tile's scales and biases as the kernels read them: rows `gpr` elements of `size`
/// bytes apart (f32, or bf16/f16 bits for `scale_kind::BF16`/`F16` kernels); `b` null for fp modes.
#[derive(Clone, Copy)]
struct TileScales {
    s: *const u8,
    b: *const u8,
    size: usize,
}

impl TileScales {
    fn of<E>(s: &[E], b: &[E]) -> Self {
        TileScales { s: s.as_ptr() as *const u8, b: if b.is_empty() { std::ptr::null() } else { b.as_ptr() as *const u8 }, size: size_of::<E>() }
    }
}

/// Runs `NR`-row kernel calls over stored rows `r0..r1` (scales from `ts`, row `t0` first)
/// for x rows `x0..x0 + MR`, writing output rows `o0..o0 + MR`.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
unsafe fn rows<T: Float, const NR: usize, const MR: usize>(
    c: &Ctx<'_>,
    (f, f1): (DotFn<NR, MR>, DotFn<1, MR>),
    int: bool,
    wi: usize,
    (r0, r1, t0): (usize, usize, usize),
    ts: TileScales,
    x0: usize,
    o0: usize,
    out: OutPtr<T>,
) {
    let (xf, xsum) = if int { (c.xf_int, c.xsum_int) } else { (c.xf, c.xsum) };
    let args = |r: usize| DotArgs {
        k: c.k,
        gs: c.gs,
        x: xf.as_ptr().add(x0 * c.k),
        x_stride: c.k,
        xsum: if xsum.is_empty() { std::ptr::null() } else { xsum.as_ptr().add(x0 * c.gpr) },
        xsum_stride: c.gpr,
        w: c.w.as_ptr().add((wi * c.n + r) * c.wpr),
        w_stride: c.wpr,
        scales: ts.s.add((r - t0) * c.gpr * ts.size) as *const f32,
        biases: if ts.b.is_null() { std::ptr::null() } else { ts.b.add((r - t0) * c.gpr * ts.size) as *const f32 },
        s_stride: c.gpr,
        xl: if int { c.xl.as_ptr().add(x0 * c.xl_row) } else { std::ptr::null() },
        xl_stride: c.xl_row,
    };
    let mut r = r0;
    while r + NR <= r1 {
        let mut res = [[0f32; MR]; NR];
        f(&args(r), &mut res);
        for (ni, row) in res.iter().enumerate() {
            for (mi, &v) in row.iter().enumerate() {
                *out.0.add((o0 + mi) * c.n + r + ni) = T::from_f32(v);
            }
        }
        r += NR;
    }
    while r < r1 {
        let mut res = [[0f32; MR]; 1];
        f1(&args(r), &mut res);
        for (mi, &v) in res[0].iter().enumerate() {
            *out.0.add((o0 + mi) * c.n + r) = T::from_f32(v);
        }
        r += 1;
    }
}

/// transpose=True: `out[p] = x[xi] @ Ŵ[wi]ᵀ` with Ŵ stored `[n, k]`.
pub(super) fn run_t<T: Float>(
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
    let gpr = k / gs;
    let affine = op.spec.has_biases();
    // Integer row dots (`kernels::int_dot_limbs`): x split into int8 limbs once per call (not
    // where x holds values they cannot carry: those calls take the f32 kernels). Blocks of
    // `mr` x rows take them where `int_dot_limbs(.., mr)` says so, the others the f32 kernels.
    let spans = k / kernels::INT_SPAN;
    let int_for = |mr: usize| if spans > 0 { kernels::int_dot_limbs(kern, &op.spec, T::DTYPE, mr) } else { 0 };
    // M_BLOCKS peel 4s, then a 2, then a 1 off M.
    let limbs = match m {
        0 => 0,
        _ if m % 2 == 1 => int_for(1),
        _ if m % 4 == 2 => int_for(2).max(int_for(4) * usize::from(m >= 4)),
        _ => int_for(4),
    };
    let xl_row = spans * kernels::x_record_bytes(&op.spec, limbs);
    let mut xl_buf: Vec<i8>;
    let mut xl: &[i8] = &[];
    // Group sums of the x the limbs carry (the bias sums of the integer dots must see it).
    let mut xsum_int: Vec<f32> = vec![];
    if limbs > 0 {
        // 64-byte aligned: the kernel reads 64-byte vectors of it, and loads split across
        // cache lines halved vpdpbusd's throughput (measured on the Zen 5 dev machine).
        let len = xf.len() / k * xl_row;
        xl_buf = vec![0i8; len + 63];
        let off = xl_buf.as_ptr().align_offset(64);
        xsum_int = vec![0f32; xf.len() / gs];
        if kernels::split_x_for_int_dot(xf, k, &op.spec, limbs, &mut xl_buf[off..off + len], &mut xsum_int) {
            xl = &xl_buf[off..off + len];
        }
    }
    let limbs_for = |mr: usize| if xl.is_empty() { 0 } else { int_for(mr) };
    let (l4, l2, l1) = (limbs_for(4), limbs_for(2), limbs_for(1));
    let float_blocks = l1 == 0 || (m >= 2 && (l4 == 0 || l2 == 0));
    // Σx per group, once per call, in f64 (the bias term of the factorised dot).
    let xsum: Vec<f32> = if affine && float_blocks {
        xf.chunks(gs).map(|g| g.iter().map(|&v| v as f64).sum::<f64>() as f32).collect()
    } else {
        vec![]
    };
    // bf16/f16 affine scales and biases read as stored by the integer dots (no per-tile
    // conversion) where every block of x rows takes them with 2 limbs and K is whole spans
    // (and `int_dot_scale_kind` says so for this width and dtype).
    let sc = kernels::int_dot_scale_kind(&op.spec, T::DTYPE, m);
    // (2/3/5/6-bit integer dots step 256 codes: K whole steps.)
    let whole = if kernels::int_steps(op.spec.bits()) { 2 * kernels::INT_SPAN } else { kernels::INT_SPAN };
    let sc = if affine && !float_blocks && k % whole == 0 && [l4, l2, l1].iter().all(|&l| l == 0 || l == 2) {
        sc
    } else {
        kernels::scale_kind::F32
    };
    let fns = DotFns {
        m4: (kernels::dot_fn(kern, &op.spec, l4, sc), kernels::dot_fn(kern, &op.spec, l4, sc)),
        m2: (kernels::dot_fn(kern, &op.spec, l2, sc), kernels::dot_fn(kern, &op.spec, l2, sc)),
        m1: (kernels::dot_fn(kern, &op.spec, l1, sc), kernels::dot_fn(kern, &op.spec, l1, sc)),
    };
    let xp: Vec<f32>;
    let xf_dot = match kernels::dot_nibble_lanes(kern, &op.spec) {
        Some(lanes) if float_blocks => {
            let mut p = vec![0f32; xf.len()];
            kernels::permute_x_for_dot(xf, k, lanes, &mut p);
            xp = p;
            &xp[..]
        }
        _ => xf,
    };
    let ctx = Ctx {
        k,
        gs,
        n,
        wpr: op.spec.packed_words(k),
        gpr,
        xf: xf_dot,
        xsum: &xsum,
        w,
        xl,
        xl_row,
        xf_int: xf,
        xsum_int: &xsum_int,
    };
    let per = rows_per_task(n, pairs.len());
    let tiles = n.div_ceil(per);
    let out_ptr = OutPtr(out.as_mut_ptr());
    for_each_task(
        pairs.len() * tiles,
        pairs.len() * n * k,
        || (vec![0f32; ROW_TILE * gpr], vec![0f32; if affine { ROW_TILE * gpr } else { 0 }]),
        |(sb, bb), task| {
            let (p, t) = (task / tiles, task % tiles);
            let (xi, wi) = pairs[p];
            let (r0, r1) = (t * per, ((t + 1) * per).min(n));
            for t0 in (r0..r1).step_by(ROW_TILE) {
                let t1 = (t0 + ROW_TILE).min(r1);
                // The next tile's scales and biases (read right after this tile's rows; the
                // kernels prefetch only codes): with f32 scales they are 20 % of the bytes, in
                // two streams of their own. M=1 from memory, spin pool on: 0–4 % less time in
                // 10 of 12 interleaved A/Bs, ≤ 1 % more in 2 (stage-5 notes).
                sr.prefetch(wi, t1, (t1 + ROW_TILE).min(r1));
                // f32 scales are read where they are (the tile copy was 8.7 % of the samples of
                // an M=1 call in L3, stage-5 notes); other dtypes are converted per tile.
                let ts = match (sr.f32_rows(wi, t0, t1), sc != kernels::scale_kind::F32) {
                    (Some((s, b)), _) => TileScales::of(s, b),
                    (None, true) => {
                        let (s, b) = sr.raw_rows(wi, t0, t1);
                        TileScales::of(s, b)
                    }
                    (None, false) => {
                        // The tile's rows are contiguous in the stored scales: one conversion.
                        let len = (t1 - t0) * gpr;
                        let b = if affine { &mut bb[..len] } else { &mut bb[..0] };
                        sr.fill(wi, t0, 0, &mut sb[..len], b);
                        TileScales::of(&sb[..], &bb[..])
                    }
                };
                let mut m0 = 0;
                for mb in M_BLOCKS {
                    while m0 + mb <= m {
                        let (x0, o0) = (xi * m + m0, p * m + m0);
                        let span = (t0, t1, t0);
                        // SAFETY: pointers stay inside xf/w/scales (sizes checked by the op) and
                        // this task alone writes output rows o0.., columns t0..t1.
                        unsafe {
                            match mb {
                                4 => rows::<T, 2, 4>(&ctx, fns.m4, l4 > 0, wi, span, ts, x0, o0, out_ptr),
                                2 => rows::<T, 4, 2>(&ctx, fns.m2, l2 > 0, wi, span, ts, x0, o0, out_ptr),
                                _ => rows::<T, 4, 1>(&ctx, fns.m1, l1 > 0, wi, span, ts, x0, o0, out_ptr),
                            }
                        }
                        m0 += mb;
                    }
                }
            }
        },
    );
}

/// Stored rows summed into a separate f32 block before joining a task's running sums (bounds
/// the f32 error growth in K, as the reference's blocked sums do).
const N_BLOCK_ROWS: usize = 64;
/// Output sums per task of the transpose=False path (f32, ≤ 1 MB: the L2 of the dev machine).
/// 14336×4096 M=16 from memory: 256 KB tiles (4 column tiles, K not split) 12.44-13.68 ms affine
/// 4-bit, whole rows 9.56-9.76 ms (bench/results/cpu-2026-11-27-stage9-ab.md, run E).
const N_TILE_FLOATS: usize = 262144;
/// Above this many floats of sums (m rows of the tile, 256 KB) the blocks are 128 rows (half
/// the zeroing and adding of block sums per row) and go through the tile in column chunks of
/// `N_CHUNK_FLOATS / m` columns (512 KB of sums): 14336×4096 M=16 affine4 8.32-8.38 ms vs
/// 8.99-9.30 ms with 64-row blocks over whole rows (run A); 32 KB chunks were slower (11.2-11.6
/// ms: each chunk's rows are then read 256 B at a time), so were 8 x rows per call (register
/// spills) (bench/results/cpu-2026-11-27-stage9b-ab.md, run C).
const N_CHUNK_MIN_FLOATS: usize = 65536;
const N_CHUNK_FLOATS: usize = 131072;
const N_BLOCK_ROWS_WIDE: usize = 128;

/// transpose=False: `out[p] = x[xi] @ Ŵ[wi]` with Ŵ stored `[k, n]`, grouped along n.
///
/// Threads split K: each task streams a run of whole stored rows (each row's codes are
/// contiguous), [`kernels::AXPY_ROWS`] rows per kernel call, into f32 sums of the tile's output
/// columns that stay in L1/L2 (`body::axpy_rows`); the per-task sums (and the f64 bias parts)
/// are added in a fixed order at the end, so results do not depend on which thread ran what.
/// Column tiles only where the `m` rows of sums would not fit (≤ 32 KB per tile then).
/// Where the m rows of sums pass 256 KB, 128-row blocks in column chunks (`N_CHUNK_FLOATS`).
pub(super) fn run_n<T: Float>(
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
    let gpr = n / gs;
    let wpr = op.spec.packed_words(n);
    let bits = op.spec.bits() as usize;
    let affine = op.spec.has_biases();
    let nib = kernels::axpy_nibble_blocks(kern, &op.spec);
    const R: usize = kernels::AXPY_ROWS;
    // Column tiles (multiples of the 128-column nibble blocks and of every group size) only
    // where the m rows of sums would pass 1 MB (they stay in L2; whole rows stream best).
    let tn = if m * n <= N_TILE_FLOATS { n } else { (N_TILE_FLOATS / m / 128 * 128).max(128) };
    let tiles = n.div_ceil(tn);
    // K chunks of whole 64-row blocks, about 4 tasks per thread (2 from M = 5 on: the chunks'
    // sums are summed at the end).
    let threads = rayon::current_num_threads();
    let want = ((if m > 4 { 2 } else { 4 }) * threads).div_ceil(pairs.len() * tiles).max(1);
    // Wide sums (m rows of the tile past 256 KB): 128-row blocks, in column chunks.
    let wide = m * tn > N_CHUNK_MIN_FLOATS;
    let brows = if wide { N_BLOCK_ROWS_WIDE } else { N_BLOCK_ROWS };
    let blocks = k.div_ceil(brows);
    let chunk_rows = blocks.div_ceil(want.min(blocks)) * brows;
    let kc = k.div_ceil(chunk_rows);
    // x transposed to [k][m] per x matrix, so each K row's multipliers are contiguous.
    let xc = xf.len() / (m * k);
    let mut xt = vec![0f32; xf.len()];
    for xi in 0..xc {
        for mi in 0..m {
            for kk in 0..k {
                xt[(xi * k + kk) * m + mi] = xf[(xi * m + mi) * k + kk];
            }
        }
    }
    let f4 = kernels::axpy_fn::<4>(kern, &op.spec);
    let f2 = kernels::axpy_fn::<2>(kern, &op.spec);
    let f1 = kernels::axpy_fn::<1>(kern, &op.spec);
    // M=1 prefetch: the same lines of the rows ≥ 16 KB ahead (as the transpose=True dots).
    let ahead = (16384 / (4 * R * wpr).max(1)).clamp(1, 4) * R * wpr;
    // Per (pair, K chunk): the sums `[m][n]` (columns of each tile in the kernel's order) and
    // the affine bias parts `[m][gpr]`.
    let mut part = vec![0f32; pairs.len() * kc * m * n];
    let mut bpart = vec![0f64; if affine { pairs.len() * kc * m * gpr } else { 0 }];
    let (part_ptr, bpart_ptr) = (OutPtr(part.as_mut_ptr()), OutPtr(bpart.as_mut_ptr()));
    let ng_max = tn / gs;
    for_each_task(
        pairs.len() * kc * tiles,
        pairs.len() * n * k,
        || (vec![0f32; m * tn], vec![0f32; R * ng_max], vec![0f32; if affine { R * ng_max } else { 0 }], vec![0f32; R * 4 * ng_max]),
        |(blk, sb, bb, cx), task| {
            let (part_ptr, bpart_ptr) = (part_ptr, bpart_ptr);
            let (p, c, t) = (task / (kc * tiles), task / tiles % kc, task % tiles);
            let (xi, wi) = pairs[p];
            let (n0, k0) = (t * tn, c * chunk_rows);
            let (wt, k1) = ((n - n0).min(tn), (k0 + chunk_rows).min(k));
            let ngt = wt / gs;
            // SAFETY (both): this task alone writes its (pair, chunk) rows, columns n0..n0 + wt.
            let dst = unsafe { part_ptr.0.add((p * kc + c) * m * n + n0) };
            // (wrapping: fp modes have no bias parts, and this pointer is never read there.)
            let bsum = bpart_ptr.0.wrapping_add((p * kc + c) * m * gpr + n0 / gs);
            for kb in (k0..k1).step_by(brows) {
                let kb1 = (kb + brows).min(k1);
                blk[..m * wt].fill(0.0);
                // Wide sums: the block in column chunks (512 KB of sums, in L2 with the codes).
                let cw = if m * wt > N_CHUNK_MIN_FLOATS { (N_CHUNK_FLOATS / m / 128 * 128).max(128) } else { wt };
                for cs in (0..wt).step_by(cw) {
                    let cwt = (wt - cs).min(cw);
                    let cg = cwt / gs;
                    for r0 in (kb..kb1).step_by(R) {
                        let rows = (kb1 - r0).min(R);
                        // The scales (and biases) of the rows the codes' prefetch is at.
                        let pf = (r0 + ahead / wpr.max(1)).min(k1);
                        sr.prefetch(wi, pf, (pf + R).min(k1));
                        // f32 scales of whole rows are read where they are.
                        let stored = if ngt == gpr { sr.f32_rows(wi, r0, r0 + rows) } else { None };
                        let (scales, biases, s_stride) = match stored {
                            Some((s, b)) => (s.as_ptr().wrapping_add(cs / gs), b.as_ptr().wrapping_add(cs / gs), gpr),
                            None if cg == gpr => {
                                // Whole rows: stored back to back, one conversion.
                                let b = if affine { &mut bb[..rows * gpr] } else { &mut bb[..0] };
                                sr.fill(wi, r0, 0, &mut sb[..rows * gpr], b);
                                (sb.as_ptr(), if affine { bb.as_ptr() } else { std::ptr::null() }, gpr)
                            }
                            None => {
                                for r in 0..rows {
                                    let b = if affine { &mut bb[r * cg..(r + 1) * cg] } else { &mut bb[..0] };
                                    sr.fill(wi, r0 + r, (n0 + cs) / gs, &mut sb[r * cg..(r + 1) * cg], b);
                                }
                                (sb.as_ptr(), if affine { bb.as_ptr() } else { std::ptr::null() }, cg)
                            }
                        };
                        let mut x0 = 0;
                        while x0 < m {
                            let mb = if m - x0 >= 4 { 4 } else if m - x0 >= 2 { 2 } else { 1 };
                            let args = kernels::AxpyArgs {
                                // SAFETY: rows r0..r0 + rows and columns n0 + cs..n0 + cs + cwt lie
                                // inside w (n0 and cs multiples of 128, so whole words); xt holds
                                // k·m floats per x matrix; scales/biases rows·s_stride floats from
                                // the chunk's first group; cx R·4·ngt; blk m·wt; bsum m·gpr.
                                w: unsafe { w.as_ptr().add((wi * k + r0) * wpr + (n0 + cs) * bits / 32) },
                                w_stride: wpr,
                                rows,
                                chunks: cwt / CHUNK,
                                gs,
                                x: unsafe { xt.as_ptr().add((xi * k + r0) * m + x0) },
                                x_stride: m,
                                scales,
                                biases,
                                s_stride,
                                cx: cx.as_mut_ptr(),
                                bsum: bsum.wrapping_add(x0 * gpr + cs / gs),
                                bsum_stride: gpr,
                                acc: unsafe { blk.as_mut_ptr().add(x0 * wt + cs) },
                                acc_stride: wt,
                                ahead,
                            };
                            let f = match mb {
                                4 => f4,
                                2 => f2,
                                _ => f1,
                            };
                            // SAFETY: as above.
                            unsafe { f(&args) };
                            x0 += mb;
                        }
                    }
                }
                for mi in 0..m {
                    // SAFETY: as above.
                    let d = unsafe { std::slice::from_raw_parts_mut(dst.add(mi * n), wt) };
                    kernels::add_assign_f32(kern, d, &blk[mi * wt..(mi + 1) * wt]);
                }
            }
        },
    );
    // The chunks' sums in order (f64), nibble-block columns back in order.
    let whole_blocks = |wt: usize| if nib { wt / kernels::AXPY_NIBBLE_BLOCK * kernels::AXPY_NIBBLE_BLOCK } else { 0 };
    let out_ptr = OutPtr(out.as_mut_ptr());
    let (part, bpart) = (&part, &bpart);
    for_each_task(
        pairs.len() * m * tiles,
        pairs.len() * n * k,
        || vec![0f64; ng_max],
        |bias, task| {
            let out_ptr = out_ptr;
            let (p, mi, t) = (task / (m * tiles), task / tiles % m, task % tiles);
            let (n0, wt) = (t * tn, (n - t * tn).min(tn));
            let ngt = wt / gs;
            bias[..ngt].fill(0.0);
            if affine {
                for c in 0..kc {
                    let b = &bpart[((p * kc + c) * m + mi) * gpr + n0 / gs..][..ngt];
                    for (s, &v) in bias.iter_mut().zip(b) {
                        *s += v;
                    }
                }
            }
            let whole = whole_blocks(wt);
            for pos in 0..wt {
                let col = if pos < whole {
                    let (b, j, i) = (pos / kernels::AXPY_NIBBLE_BLOCK, pos % kernels::AXPY_NIBBLE_BLOCK / 16, pos % 16);
                    b * kernels::AXPY_NIBBLE_BLOCK + 8 * i + j
                } else {
                    pos
                };
                let mut s = bias[col / gs];
                for c in 0..kc {
                    s += part[((p * kc + c) * m + mi) * n + n0 + pos] as f64;
                }
                // SAFETY: this task alone writes row mi of matrix p, columns n0..n0 + wt.
                unsafe { *out_ptr.0.add((p * m + mi) * n + n0 + col) = T::from_f32(s as f32) };
            }
        },
    );
}
