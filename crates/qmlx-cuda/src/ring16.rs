//! Launch geometry and dispatch of the M = 2..16 ring kernel (kernels/qmm_ring.cuh, sm_90+): one
//! (x, w) pair, affine f16/bf16 (group size 32 or 64), mxfp4, mxfp8, nvfp4; K a multiple of 512.

use cudarc::driver::sys;
use qmlx_core::format::Mode;
use qmlx_core::{DType, MatmulOp, QuantSpec, Result};
use std::ffi::c_void;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// Codes per ring stage and x phase (kernels/qmm_ring.cuh `QR_KS`).
const KS: usize = 512;
const MAX_STAGES: usize = 8;
/// x phases in flight (`QR_XBUF`) and the barrier area (`QR_HEAD`).
const XBUF: usize = 4;
const HEAD: usize = 1024;
/// Stages per warp unless `RING16_STAGES` asks otherwise.
const DEFAULT_STAGES: usize = 3;

/// Which kernel serves eligible f16/bf16 M = 2..16 matmuls on sm_90+ (one (x, w) pair, affine group
/// size 32/64, K a multiple of 512): 0 picks ([`wins`]), 1 the ring kernel wherever eligible, 2 never.
/// Set only by the benchmark and checks to compare the paths.
#[doc(hidden)]
pub static RING16_POLICY: AtomicUsize = AtomicUsize::new(0);
/// Block shape of the ring kernel: 0 picks, 1 = 8 warps of one m16 row tile, 2 = 4 warps of two
/// (4-bit only). Set only by the benchmark and checks.
#[doc(hidden)]
pub static RING16_SHAPE: AtomicUsize = AtomicUsize::new(0);
/// Ring stages per warp (0: 3, as many as fit). Set only by the benchmark and checks.
#[doc(hidden)]
pub static RING16_STAGES: AtomicUsize = AtomicUsize::new(0);

#[derive(Debug, PartialEq)]
pub(crate) struct Geometry {
    pub warps: usize,
    pub rt: usize,
    pub mt: usize,
    pub stages: usize,
    /// K parts: the warps of a row tile (partial sums added in shared memory).
    pub kp: usize,
    /// x phases in flight per K part.
    pub xbuf: usize,
    pub rounds: usize,
    pub blocks: u32,
    pub smem: usize,
}

/// The formats of both ring kernels (the M = 1 ring, kernels/qmv_warp.cuh, and this one), into f16 or
/// bf16: affine 4-bit, affine 2/3/5/6/8-bit f16 (8-bit bf16 too where `affine8_bf16`: only this
/// kernel decodes it), group size 32 or 64; mxfp4 and mxfp8 (groups of 32), nvfp4 (16).
pub(crate) fn format_ok(spec: QuantSpec, out: DType, affine8_bf16: bool) -> bool {
    let (bits, gs) = (spec.bits(), spec.group_size() as usize);
    let f16 = out == DType::F16;
    matches!(out, DType::F16 | DType::BF16)
        && match spec.mode() {
            Mode::Affine => (bits == 4 || (bits == 8 && (f16 || affine8_bf16)) || (matches!(bits, 2 | 3 | 5 | 6) && f16)) && (gs == 32 || gs == 64),
            Mode::Mxfp4 | Mode::Mxfp8 => gs == 32,
            Mode::Nvfp4 => gs == 16,
        }
}

/// How a ring stage holds a group's parameters, per row (both ring kernels): affine 16-bit scale and
/// bias arrays, fp modes one scale byte (no bias copy: the kernels issue none). Returns the tensor-map
/// element type, its bytes and the number of arrays.
pub(crate) fn param_layout(spec: QuantSpec) -> (sys::CUtensorMapDataType, usize, usize) {
    if spec.has_biases() {
        (sys::CUtensorMapDataType::CU_TENSOR_MAP_DATA_TYPE_UINT16, 2, 2)
    } else {
        (sys::CUtensorMapDataType::CU_TENSOR_MAP_DATA_TYPE_UINT8, 1, 1)
    }
}

/// Parameter bytes per group and row of a ring stage ([`param_layout`]).
pub(crate) fn param_bytes(spec: QuantSpec) -> usize {
    let (_, elem, arrays) = param_layout(spec);
    elem * arrays
}

/// Whether the ring kernel can take `op`: its formats, 2 ≤ M ≤ 16 with one (x, w) pair, 16-byte
/// aligned buffers (x, w, scales, biases: every tensor copy then starts and ends on 16 bytes).
pub(crate) fn eligible(op: &MatmulOp, ptrs: &[u64]) -> bool {
    format_ok(op.spec, op.out_dtype, true)
        && op.transpose
        && (2..=16).contains(&op.m)
        && op.batch_count() == 1
        && op.k > 0
        && op.k % KS == 0
        && ptrs.iter().all(|p| p % 16 == 0)
        && op.w_count * op.n < (1 << 31)
        && op.x_count * op.m < (1 << 31)
}

/// Where the ring kernel is the default (H100, bench/cuda-notes.md stage 18 round 3, against the
/// decode kernel and qmv in the same call): every eligible format where each SM gets ≥ 4 row tiles
/// of 16 (14336×4096, 28672×4096: 0.67–0.99× the time); with fewer tiles (split K) where K ≥ 8192 at
/// M > 8 (4096×14336 M = 16: 0.84–0.95×) and for the 2/3/5/6-bit widths at every M (0.67–0.98×;
/// 4/8-bit at M ≤ 8 tie or lose: 0.99–1.04×); below that 2-bit at M ≤ 8 only (4096²: 0.87–0.95×;
/// the rest 1.0–1.2×).
pub(crate) fn wins(op: &MatmulOp, sms: usize) -> bool {
    let bits = op.spec.bits();
    if op.spec.mode() != Mode::Affine {
        // fp modes (stage 20 round 1, H100): mxfp4 0.64-0.97x and mxfp8 0.36-0.60x the decode
        // kernel's time at M = 2..16 on all four shapes, 4096² included (nvfp4 like mxfp4, a priori).
        return op.n * op.k >= 1 << 24;
    }
    op.n.div_ceil(16) >= 4 * sms || (op.k >= 8192 && (op.m > 8 || !matches!(bits, 4 | 8))) || (bits == 2 && op.m <= 8)
}

/// Launch geometry, or None where two stages per warp don't fit: one block per SM of `warps`
/// consumer warps (+ the x producer), an even share of the row tiles (16·rt rows) per block,
/// `warps / kp` at a time; the kp warps of a tile split K where the tiles would leave warps idle.
pub(crate) fn geometry(op: &MatmulOp, sms: usize, shape: usize, want_stages: usize) -> Option<Geometry> {
    let spec = op.spec;
    let (bits, gs) = (spec.bits() as usize, spec.group_size() as usize);
    let affine4 = bits == 4 && spec.mode() == Mode::Affine;  // the 4-warp × 2-tile variant exists for it
    let (warps, rt) = match shape {
        2 if affine4 => (4, 2),
        1 | 2 => (8, 1),
        // H100 round 1 (bench/cuda-notes.md stage 18): 4 warps of two row tiles 2-3 % faster at M = 16
        // on 28672×4096 (4-bit), 8 warps of one faster or equal elsewhere (8-bit bf16: 1.5×).
        _ if affine4 && op.m > 8 && op.n.div_ceil(16) >= 12 * sms => (4, 2),
        _ => (8, 1),
    };
    let mt = if op.m <= 8 { 1 } else { 2 };
    let rows = 16 * rt;
    let stage = rows * KS * bits / 8 + rows * (KS / gs) * param_bytes(spec);
    let xb = 8 * mt * KS * 2;
    let tiles = op.n.div_ceil(rows);
    let blocks = sms.min(tiles);
    let share = tiles.div_ceil(blocks);
    let nst = op.k / KS;
    let mut kp = 1;
    while kp * 2 <= warps && share * kp * 2 <= warps && nst >= kp * 2 {
        kp *= 2;
    }
    let cap = if want_stages > 0 { want_stages } else { DEFAULT_STAGES };
    loop {
        let xbuf = if kp == 1 { XBUF } else { 2 };
        let red = if kp > 1 { 2 * warps * rows * 8 * mt * 4 } else { 0 };
        let fixed = 1024 + HEAD + kp * xbuf * xb + red;
        let rounds = share.div_ceil(warps / kp);
        let slices = rounds * nst.div_ceil(kp);
        let fit = crate::SM90_SMEM_PER_BLOCK.saturating_sub(fixed) / (warps * stage);
        let stages = fit.min(MAX_STAGES).min(cap).min(slices);
        if stages >= 2.min(slices) && stages > 0 {
            return Some(Geometry { warps, rt, mt, stages, kp, xbuf, rounds, blocks: blocks as u32, smem: fixed + warps * stages * stage });
        }
        if kp == 1 {
            return None;
        }
        kp /= 2;
    }
}

/// A tiled tensor map of `rank` ≤ 3 dims (innermost first; `strides` in bytes for dims 1..).
fn tensor_map(dtype: sys::CUtensorMapDataType, ptr: u64, dims: &[u64], strides: &[u64], boxd: &[u32], swizzle: sys::CUtensorMapSwizzle) -> Result<sys::CUtensorMap> {
    let mut map: sys::CUtensorMap = unsafe { std::mem::zeroed() };
    let elem = [1u32; 3];
    unsafe {
        sys::cuTensorMapEncodeTiled(
            &mut map,
            dtype,
            dims.len() as u32,
            ptr as *mut c_void,
            dims.as_ptr(),
            strides.as_ptr(),
            boxd.as_ptr(),
            elem.as_ptr(),
            sys::CUtensorMapInterleave::CU_TENSOR_MAP_INTERLEAVE_NONE,
            swizzle,
            sys::CUtensorMapL2promotion::CU_TENSOR_MAP_L2_PROMOTION_L2_256B,
            sys::CUtensorMapFloatOOBfill::CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE,
        )
        .result()
        .map_err(|e| crate::backend("tensor map", e))?;
    }
    Ok(map)
}

/// The four tensor maps of a launch: codes [w_count·N rows × K·bits/32 words], scales and biases
/// [w_count·N × K/gs] (boxes of 16·rt rows × one 512-code slice), x as [x_count·M rows × K/64 lines ×
/// 64 codes] (box 8·mt rows × 8 lines × 64 codes, 128-byte swizzle; rows past the end read as zeros).
pub(crate) fn maps(op: &MatmulOp, g: &Geometry, x: u64, w: u64, scales: u64, biases: u64) -> Result<[sys::CUtensorMap; 4]> {
    let spec = op.spec;
    let (bits, gs) = (spec.bits() as usize, spec.group_size() as usize);
    let rows = (op.w_count * op.n) as u64;
    let box_rows = (16 * g.rt) as u32;
    let none = sys::CUtensorMapSwizzle::CU_TENSOR_MAP_SWIZZLE_NONE;
    let words = (op.k * bits / 32) as u64;
    let u32t = sys::CUtensorMapDataType::CU_TENSOR_MAP_DATA_TYPE_UINT32;
    let wmap = tensor_map(u32t, w, &[words, rows], &[words * 4], &[(KS * bits / 32) as u32, box_rows], none)?;
    let groups = (op.k / gs) as u64;
    let pbox = [(KS / gs) as u32, box_rows];
    // fp modes: no biases (the bias map repeats the scales').
    let (pt, pb, arrays) = param_layout(spec);
    let biases = if arrays == 2 { biases } else { scales };
    let pb = pb as u64;
    let smap = tensor_map(pt, scales, &[groups, rows], &[groups * pb], &pbox, none)?;
    let bmap = tensor_map(pt, biases, &[groups, rows], &[groups * pb], &pbox, none)?;
    let xrows = (op.x_count * op.m) as u64;
    let k = op.k as u64;
    let xmap = tensor_map(sys::CUtensorMapDataType::CU_TENSOR_MAP_DATA_TYPE_UINT16, x, &[64, k / 64, xrows], &[128, 2 * k], &[64, (KS / 64) as u32, (8 * g.mt) as u32], sys::CUtensorMapSwizzle::CU_TENSOR_MAP_SWIZZLE_128B)?;
    Ok([wmap, smap, bmap, xmap])
}

/// The policy and block-shape knobs.
pub(crate) fn policy() -> usize {
    RING16_POLICY.load(Relaxed)
}
pub(crate) fn shape() -> usize {
    RING16_SHAPE.load(Relaxed)
}
pub(crate) fn stages() -> usize {
    RING16_STAGES.load(Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use qmlx_core::{Meta, QuantSpec};

    fn op(bits: u32, gs: u32, m: usize, n: usize, k: usize) -> MatmulOp {
        let spec = QuantSpec::new(Mode::Affine, gs, bits).unwrap();
        let wq = [n, spec.packed_words(k)];
        let sc = [n, k / gs as usize];
        MatmulOp::gather_qmm(&Meta::new(DType::F16, &[m, k]), &Meta::new(DType::U32, &wq), &Meta::new(DType::F16, &sc), Some(&Meta::new(DType::F16, &sc)), None, None, true, spec, None, false).unwrap()
    }

    #[test]
    fn ring16_geometry_fits_shared_memory() {
        for (bits, gs) in [(4, 64), (4, 32), (8, 64), (8, 32), (3, 64), (6, 32)] {
            for (n, k) in [(4096, 4096), (14336, 4096), (4096, 14336), (28672, 4096), (83, 1024)] {
                for m in [2, 9, 16] {
                    for shape in [0, 1, 2] {
                        let o = op(bits, gs, m, n, k);
                        let g = geometry(&o, 132, shape, 0).unwrap();
                        assert!(g.smem <= crate::SM90_SMEM_PER_BLOCK, "{g:?}");
                        assert!(g.stages >= 2.min(g.rounds * (k / KS).div_ceil(g.kp)));
                        let tiles = n.div_ceil(16 * g.rt);
                        assert!(g.blocks as usize * g.rounds * (g.warps / g.kp) >= tiles, "every tile has a warp: {g:?}");
                        assert!(g.kp * g.xbuf <= 32 && k / KS >= g.kp, "{g:?}");
                        assert_eq!(g.mt, if m <= 8 { 1 } else { 2 });
                    }
                }
            }
        }
        assert!(eligible(&op(4, 64, 16, 4096, 4096), &[0, 16]));
        assert!(!eligible(&op(4, 64, 17, 4096, 4096), &[0]));
        assert!(!eligible(&op(4, 64, 1, 4096, 4096), &[0]));
        assert!(!eligible(&op(4, 64, 16, 4096, 4160), &[0]));
        assert!(!eligible(&op(4, 64, 16, 4096, 4096), &[8]));
        assert!(!eligible(&op(4, 128, 16, 4096, 4096), &[0]));
        // One format rule and parameter layout for both rings: the M = 1 ring lacks affine 8-bit bf16.
        let a = |bits, gs| QuantSpec::new(Mode::Affine, gs, bits).unwrap();
        assert!(format_ok(a(8, 64), DType::BF16, true) && !format_ok(a(8, 64), DType::BF16, false));
        assert!(format_ok(a(8, 32), DType::F16, false) && format_ok(a(4, 64), DType::BF16, false));
        assert!(!format_ok(a(3, 64), DType::BF16, true) && !format_ok(a(4, 64), DType::F32, true) && !format_ok(a(4, 128), DType::F16, true));
        assert!(format_ok(QuantSpec::new(Mode::Nvfp4, 16, 4).unwrap(), DType::BF16, false));
        assert_eq!((param_bytes(a(4, 64)), param_bytes(QuantSpec::new(Mode::Mxfp8, 32, 8).unwrap())), (4, 1));
        // The default rule: tall shapes, long K at M > 8 or odd widths, 2-bit at M ≤ 8.
        assert!(wins(&op(4, 64, 2, 14336, 4096), 132) && wins(&op(8, 64, 16, 28672, 4096), 132));
        assert!(wins(&op(4, 64, 16, 4096, 14336), 132) && !wins(&op(4, 64, 8, 4096, 14336), 132));
        assert!(wins(&op(3, 64, 2, 4096, 14336), 132) && !wins(&op(3, 64, 2, 4096, 4096), 132));
        assert!(wins(&op(2, 64, 8, 4096, 4096), 132) && !wins(&op(2, 64, 16, 4096, 4096), 132));
        // fp modes: scale bytes only (mx groups of 32, nvfp4 of 16); 8 warps of one row tile.
        for (mode, gs, bits) in [(Mode::Mxfp4, 32, 4), (Mode::Mxfp8, 32, 8), (Mode::Nvfp4, 16, 4)] {
            let spec = QuantSpec::new(mode, gs, bits).unwrap();
            for (n, k) in [(4096, 4096), (14336, 4096), (4096, 14336), (28672, 4096), (83, 1024)] {
                for m in [2, 9, 16] {
                    let wq = [n, spec.packed_words(k)];
                    let sc = [n, k / gs as usize];
                    let o = MatmulOp::gather_qmm(&Meta::new(DType::BF16, &[m, k]), &Meta::new(DType::U32, &wq), &Meta::new(DType::U8, &sc), None, None, None, true, spec, None, false).unwrap();
                    assert!(eligible(&o, &[0, 16]));
                    let g = geometry(&o, 132, 0, 0).unwrap();
                    assert!(g.smem <= crate::SM90_SMEM_PER_BLOCK && g.warps == 8 && g.rt == 1, "{g:?}");
                    assert_eq!(wins(&o, 132), n * k >= 1 << 24);
                }
            }
        }
        // Split K where the tiles leave warps idle (4096 rows: 256 tiles over 132 SMs).
        assert_eq!(geometry(&op(4, 64, 16, 4096, 14336), 132, 0, 0).unwrap().kp, 4);
        assert_eq!(geometry(&op(4, 64, 16, 14336, 4096), 132, 0, 0).unwrap().kp, 1);
        assert_eq!(geometry(&op(4, 64, 16, 28672, 4096), 132, 0, 0).unwrap().warps, 4);
    }
}
