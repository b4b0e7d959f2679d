//! The Hopper prefill path (kernels/qmm_sm90.cu): wgmma with register-dequantized weights, TMA
//! loads into a 5- or 8-stage mbarrier ring, warp-specialized. Used automatically on sm_90 devices
//! for transpose=True f16/bf16 matmuls with M > [`SM90_MIN_M`] and K a multiple of 64 (128 for
//! odd bit widths, [`k_multiple`]), every mode and width; everything else keeps the portable
//! kernels. (A 2-block
//! cluster sharing the x tile through TMA multicast was measured slower and reverted:
//! bench/cuda-notes.md, prefill stage 3.) A partial last wave of tiles runs split-K over 2-block
//! clusters (prefill stage 8).
//!
//! `QMLX_CUDA_QMM=wmma` (read once per device) turns the path off, `QMLX_SM90_SPLIT=0` the split
//! tail, for same-run comparisons.

use crate::params::MatmulParams;
use qmlx_core::format::Mode;
use qmlx_core::{DType, Error, MatmulOp, Result};
use cudarc::driver::{result as cu, sys};
use std::collections::HashMap;
use std::ffi::{c_void, CString};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Forced token tile (0 = automatic); the correctness suite runs the path with each tile.
static FORCED_TILE: AtomicUsize = AtomicUsize::new(0);

/// Forces the sm_90a kernel's token tile to 256 or 128 (`None`: automatic). For tests.
pub fn force_token_tile(tile: Option<usize>) {
    FORCED_TILE.store(tile.filter(|t| *t == 256 || *t == 128).unwrap_or(0), Ordering::Relaxed);
}

/// Forced tile-order group (0 = [`group_rows`]'s choice); the suite runs small groups so that its
/// few row tiles still form several groups, a short last one included.
static FORCED_GROUP: AtomicUsize = AtomicUsize::new(0);

/// Forces the row tiles per tile-order group (`None`: automatic). For tests.
pub fn force_group_rows(rows: Option<usize>) {
    FORCED_GROUP.store(rows.unwrap_or(0), Ordering::Relaxed);
}

/// Row tiles per group of the tile order (`Sm90Grid::group_rows`): blocks take a group's row
/// tiles fastest, then its token tiles, so the blocks running at once share weight tiles across
/// token tiles instead of each token tile re-reading all the weights from DRAM (28672×4096 is
/// 58-117 MB of weights against 50 MB of L2). 32 keeps the 4096-row shapes (32 row tiles) in the
/// plain row-fastest order. `QMLX_SM90_GROUP=n` (read once) sets it, 0 = row-fastest everywhere.
const GROUP_ROWS: usize = 32;

fn group_rows(row_tiles: usize) -> usize {
    static ENV: std::sync::OnceLock<Option<usize>> = std::sync::OnceLock::new();
    let forced = FORCED_GROUP.load(Ordering::Relaxed);
    let g = if forced > 0 {
        forced
    } else {
        ENV.get_or_init(|| std::env::var("QMLX_SM90_GROUP").ok().and_then(|v| v.parse().ok())).unwrap_or(GROUP_ROWS)
    };
    if g == 0 { row_tiles } else { g.min(row_tiles) }
}

/// Matmuls with M above this take the sm_90a kernel; M ≤ 16 keeps the tensor-core decode kernel.
/// M = 17..64 moved here from the wmma small/medium kernels: 1.5–2.9× faster on 14336×4096,
/// 28672×4096 and 4096×14336, 0.80–1.0× on 4096² at M=32 (H200, same call:
/// bench/results/cuda-sm90-min-m-h200.csv).
pub const SM90_MIN_M: usize = 16;
static MIN_M: AtomicUsize = AtomicUsize::new(SM90_MIN_M);

/// Sets the M above which eligible matmuls take the sm_90a kernel. For same-run benchmarks.
pub fn set_min_m(m: usize) {
    MIN_M.store(m, Ordering::Relaxed);
}

/// Whether `dev` runs eligible prefill matmuls on the sm_90a kernel.
pub fn active(dev: &crate::Device) -> bool {
    dev.sm90.is_some()
}

#[cfg(qmlx_cuda_kernels)]
static FATBIN: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/qmm_sm90.fatbin"));
#[cfg(not(qmlx_cuda_kernels))]
static FATBIN: &[u8] = &[];

// Geometry shared with kernels/qmm_sm90.cu (SM90_* and Sm90Layout).
const BW: usize = 128;
const BK: usize = 64;
const STAGE_RING_BYTES: usize = 220 * 1024;
const THREADS: u32 = 384;

/// Words per row of one stage's weight copy (the TMA box): 64 codes, or for odd widths 128 (two K
/// tiles: 64 codes of an odd width are not a whole number of 16-byte units; Sm90Layout::PAIRED).
fn weight_box_words(bits: usize) -> usize {
    BK * bits / 32 * if bits % 2 == 1 { 2 } else { 1 }
}

/// Shared memory of one block: as many stages (x tile, packed weight tile, group parameters) as
/// fit in 220 KB, at most 8, their barriers and per-stage flag words, the tile's coordinates, for the fp formats (`fp_table`)
/// the parameter warps' 256-entry scale-byte table (8-byte aligned), plus 1024 bytes to align the
/// base (Sm90Layout in the kernel). Within the 227 KB a block may use (test below).
fn smem_bytes(bits: usize, bt: usize, fp_table: bool) -> usize {
    let stage = bt * BK * 2 + BW * weight_box_words(bits) * 4 + 4 * BW * 8;
    let stages = (STAGE_RING_BYTES / stage).min(8);
    let ring = stages * stage + 2 * stages * 8 + 4 * stages;
    // 16 bytes of the block's tile coordinates after the ring (8-byte aligned).
    let coords = ring.next_multiple_of(8) + 16;
    if fp_table { coords + 256 * 8 + 1024 } else { coords + 1024 }
}

#[derive(Clone, Copy)]
struct Func(sys::CUfunction);
// SAFETY: CUfunction handles are immutable driver objects usable from any thread.
unsafe impl Send for Func {}

/// The loaded sm_90a module of one device and its functions (dynamic shared memory raised once).
pub(crate) struct Module {
    module: sys::CUmodule,
    funcs: Mutex<HashMap<String, Func>>,
    /// Per function: how many 2-block clusters fit on the device at once (0: none or unknown).
    cluster_fit: Mutex<HashMap<String, usize>>,
}
// SAFETY: a module handle is a process-wide driver object; the function cache is locked.
unsafe impl Send for Module {}
unsafe impl Sync for Module {}

impl Module {
    /// Loads the module on a compute-capability-9.0 device (the current context) when it was built
    /// and not turned off by `QMLX_CUDA_QMM=wmma`.
    pub(crate) fn load(capability: (i32, i32)) -> Result<Option<Module>> {
        if FATBIN.is_empty() || capability != (9, 0) || std::env::var("QMLX_CUDA_QMM").is_ok_and(|v| v == "wmma") {
            return Ok(None);
        }
        Ok(Some(Module { module: crate::load_module(FATBIN)?, funcs: Mutex::new(HashMap::new()), cluster_fit: Mutex::new(HashMap::new()) }))
    }

    fn function(&self, name: &str, smem: usize) -> Result<sys::CUfunction> {
        let mut funcs = self.funcs.lock().unwrap();
        if let Some(f) = funcs.get(name) {
            return Ok(f.0);
        }
        let cname = CString::new(name).unwrap();
        let f = unsafe { cu::module::get_function(self.module, cname) }.map_err(|e| crate::backend(&format!("kernel {name}"), e))?;
        unsafe {
            sys::cuFuncSetAttribute(f, sys::CUfunction_attribute::CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, smem as i32)
                .result()
                .map_err(|e| crate::backend("shared memory limit", e))?;
        }
        funcs.insert(name.to_string(), Func(f));
        Ok(f)
    }

    /// How many 2-block clusters of `f` (with `smem` bytes per block) the device runs at once;
    /// 0 if the driver cannot say (the split tail is then not used).
    fn clusters_that_fit(&self, name: &str, f: sys::CUfunction, smem: usize) -> usize {
        let mut fit = self.cluster_fit.lock().unwrap();
        if let Some(n) = fit.get(name) {
            return *n;
        }
        let mut attr = [cluster_attribute()];
        let cfg = crate::launch_config((2, 1, 1), (THREADS, 1, 1), smem, std::ptr::null_mut(), &mut attr);
        let mut n: std::ffi::c_int = 0;
        let ok = unsafe { sys::cuOccupancyMaxActiveClusters(&mut n, f, &cfg) }.result().is_ok();
        let n = if ok { n.max(0) as usize } else { 0 };
        fit.insert(name.to_string(), n);
        n
    }
}

/// The launch attribute of a 2-block cluster along x.
fn cluster_attribute() -> sys::CUlaunchAttribute {
    let mut attr: sys::CUlaunchAttribute = unsafe { std::mem::zeroed() };
    attr.id = sys::CUlaunchAttributeID::CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION;
    attr.value.clusterDim.x = 2;
    attr.value.clusterDim.y = 1;
    attr.value.clusterDim.z = 1;
    attr
}

/// The kernel's tile numbering (`Sm90Grid` in the kernel): tiles numbered `first_split` and up
/// run in the split launch; `group_rows` row tiles per group of the tile order ([`group_rows`]).
#[repr(C)]
#[derive(Clone, Copy)]
struct Grid {
    row_tiles: i32,
    tok_tiles: i32,
    first_split: i32,
    group_rows: i32,
}

/// `QMLX_SM90_SPLIT=0` (read once) turns the split tail off, for same-run comparisons.
fn split_tail_enabled() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var("QMLX_SM90_SPLIT").as_deref() != Ok("0"))
}

/// K tiles below which the split tail is not used (its cluster reduction costs about as much as
/// the half tile it saves).
const SPLIT_MIN_KTILES: usize = 16;

/// How many of `tiles` (one block each on `sms` multiprocessors) run as split-K tiles: the last,
/// partial wave when it fills at most half the device (and its 2-block clusters fit at once),
/// so its tiles take half a tile's time on twice the blocks. E.g. 14336×4096 at M = 1024:
/// 448 tiles = 3 × 132 + 52, the last 52 as 104 blocks.
fn split_tail_tiles(tiles: usize, sms: usize, ktiles: usize, clusters_fit: usize) -> usize {
    let rem = tiles % sms;
    if ktiles >= SPLIT_MIN_KTILES && rem > 0 && 2 * rem <= sms && rem <= clusters_fit {
        rem
    } else {
        0
    }
}

/// K granularity: 64 per stage; odd widths copy two stages' weights at once (a TMA box row must be
/// a multiple of 16 bytes), so their K must be a multiple of 128.
fn k_multiple(mode: Mode, bits: u32) -> usize {
    if mode == Mode::Affine && bits % 2 == 1 {
        2 * BK
    } else {
        BK
    }
}

/// Whether `op` takes this path (given the module is loaded).
pub(crate) fn eligible(op: &MatmulOp) -> bool {
    let spec = op.spec;
    op.transpose
        && matches!(op.out_dtype, DType::F16 | DType::BF16)
        && op.m > MIN_M.load(Ordering::Relaxed)
        && op.k % k_multiple(spec.mode(), spec.bits()) == 0
        && op.batch_count() <= 65535
        && op.x_count * op.m < (1 << 31)
        && op.w_count * op.n < (1 << 31)
}

/// A 2-D tensor map over `dims` = [inner elements, rows] (row pitch `row_bytes`), box `boxd`.
pub(crate) fn tensor_map(
    dtype: sys::CUtensorMapDataType,
    ptr: u64,
    dims: [u64; 2],
    row_bytes: u64,
    boxd: [u32; 2],
    swizzle: sys::CUtensorMapSwizzle,
) -> Result<sys::CUtensorMap> {
    let mut map: sys::CUtensorMap = unsafe { std::mem::zeroed() };
    let strides = [row_bytes];
    let elem = [1u32, 1];
    unsafe {
        sys::cuTensorMapEncodeTiled(
            &mut map,
            dtype,
            2,
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

/// TMA swizzle of the packed weight tile: 8-bit rows with a packed decode (64 bytes; affine f16/bf16
/// and mxfp8 f16) are swizzled so that the consumers' 16-byte reads of 8 rows are free of bank
/// conflicts; the kernel (`sm90_weight_chunk_xor`) undoes the same mapping and says why the others
/// are not.
fn weight_swizzle(mode: Mode, bits: u32, dtype: DType) -> sys::CUtensorMapSwizzle {
    if bits == 8 && (mode == Mode::Affine || (mode == Mode::Mxfp8 && dtype == DType::F16)) {
        sys::CUtensorMapSwizzle::CU_TENSOR_MAP_SWIZZLE_64B
    } else {
        sys::CUtensorMapSwizzle::CU_TENSOR_MAP_SWIZZLE_NONE
    }
}

/// Launches the kernel for an [`eligible`] op. The token tile is 256 for M > 128 (measured faster
/// than 128 at every M ≥ 256 of the benchmark but 4096×14336 at M = 256, even when 128 gives more
/// blocks: `cuda-prefill-stage2-h200.csv`), else 128. One block per 128 × BT tile; when the last
/// wave on `sms` multiprocessors would leave more than half of them idle, its tiles run in a
/// second launch as 2-block clusters that split K ([`split_tail_tiles`]).
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn launch(
    module: &Module,
    op: &MatmulOp,
    fmt: &str,
    dt: &str,
    p: &mut MatmulParams,
    gs: i32,
    stream: u64,
    sms: usize,
) -> Result<()> {
    let bits = op.spec.bits() as usize;
    let batch = op.batch_count();
    let row_tiles = op.n.div_ceil(BW);
    let bt = match FORCED_TILE.load(Ordering::Relaxed) {
        0 if op.m > 128 => 256,
        0 => 128,
        t => t,
    };
    let tok_tiles = op.m.div_ceil(bt);
    if tok_tiles > 65535 {
        return Err(Error::Value { arg: "x", expected: format!("at most {} rows per matrix", 65535 * bt), got: op.m.to_string() });
    }
    let tiles = row_tiles * tok_tiles * batch;
    if tiles > i32::MAX as usize / 2 {
        return Err(Error::Value { arg: "x", expected: format!("at most {} output tiles of 128 x {bt}", i32::MAX / 2), got: tiles.to_string() });
    }
    let xdt = if op.out_dtype == DType::F16 {
        sys::CUtensorMapDataType::CU_TENSOR_MAP_DATA_TYPE_FLOAT16
    } else {
        sys::CUtensorMapDataType::CU_TENSOR_MAP_DATA_TYPE_BFLOAT16
    };
    let wpr = (op.k * bits / 32) as u64;
    let mut xmap = tensor_map(
        xdt,
        p.x,
        [op.k as u64, (op.x_count * op.m) as u64],
        op.k as u64 * 2,
        [BK as u32, bt as u32],
        sys::CUtensorMapSwizzle::CU_TENSOR_MAP_SWIZZLE_128B,
    )?;
    let mut wmap = tensor_map(
        sys::CUtensorMapDataType::CU_TENSOR_MAP_DATA_TYPE_UINT32,
        p.w,
        [wpr, (op.w_count * op.n) as u64],
        wpr * 4,
        [weight_box_words(bits) as u32, BW as u32],
        weight_swizzle(op.spec.mode(), op.spec.bits(), op.out_dtype),
    )?;
    let smem = smem_bytes(bits, bt, op.spec.mode() != Mode::Affine);
    let name = format!("qmm_sm90_{fmt}_t{bt}_{dt}");
    let f = module.function(&name, smem)?;
    let split_name = format!("{name}_split");
    let split_tiles = if split_tail_enabled() && tiles % sms != 0 && op.k / BK >= SPLIT_MIN_KTILES {
        let fs = module.function(&split_name, smem)?;
        split_tail_tiles(tiles, sms, op.k / BK, module.clusters_that_fit(&split_name, fs, smem))
    } else {
        0
    };
    let mut gs = gs;
    let whole = tiles - split_tiles;
    let mut grid = Grid { row_tiles: row_tiles as i32, tok_tiles: tok_tiles as i32, first_split: whole as i32, group_rows: group_rows(row_tiles) as i32 };
    // One argument list for both launches (whole tiles, then the split tail).
    let mut args: [*mut c_void; 5] = [
        &mut xmap as *mut _ as *mut c_void,
        &mut wmap as *mut _ as *mut c_void,
        p as *mut _ as *mut c_void,
        &mut gs as *mut _ as *mut c_void,
        &mut grid as *mut _ as *mut c_void,
    ];
    if whole > 0 {
        // The full (row tile, token tile, pair) grid; its blocks numbered `whole` and up return at once.
        cu::launch_kernel(f, (row_tiles as u32, tok_tiles as u32, batch as u32), (THREADS, 1, 1), smem as u32, stream as sys::CUstream, &mut args)
            .map_err(|e| crate::backend("launch", e))?;
    }
    if split_tiles > 0 {
        let fs = module.function(&split_name, smem)?;
        crate::launch_ex(fs, (2 * split_tiles as u32, 1, 1), (THREADS, 1, 1), smem, stream as sys::CUstream, &mut [cluster_attribute()], &mut args)
            .map_err(|e| crate::backend("launch (split tail)", e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_ring_fits_a_block() {
        for bits in [1, 2, 3, 4, 5, 6, 8] {
            for bt in [128, 256] {
                for fp in [false, true] {
                    let b = smem_bytes(bits, bt, fp);
                    assert!(b <= 227 * 1024, "bits {bits} bt {bt} fp {fp}: {b} bytes");
                }
            }
        }
        // bits 8, 256 tokens: 5 stages of 45056 bytes, 100 of barriers and flags, the coordinates, the table, alignment.
        assert_eq!(smem_bytes(8, 256, true), 5 * 45056 + 104 + 16 + 2048 + 1024);
    }
}
