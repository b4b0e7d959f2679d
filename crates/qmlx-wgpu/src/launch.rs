//! Launch descriptions of the ops, the one dispatch description of every runtime (the wgpu ops
//! in `ops.rs` and the Metal host, `crates/qmlx-metal`): which kernel, its specialisation
//! constants, its 32-byte parameter block and its grid, derived from the validated op alone.
//! Buffers bind as slot i = WGSL binding i, in the order each builder documents.
//!
//! The tests at the end run these descriptions through the wgpu runtime by hand (lavapipe in CI)
//! and require bytes identical to the wgpu ops, and check the threadgroup size a Metal host
//! dispatches against the MSL, so the Apple path, which cannot be run, gets what wgpu gets.

use crate::plan::{Plan, QmvLayout};
use crate::shaders::{dtype_tag, spec_constants, Kernel};
use qmlx_core::{DType, DequantizeOp, Error, MatmulOp, QuantizeOp, Result, Rounding};

/// Threads per workgroup of every kernel but qmv, whose [`QmvLayout`] sets it (`@workgroup_size(64)`).
pub const WORKGROUP_SIZE: usize = 64;

/// How many workgroups a launch needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grid {
    /// A flat kernel (`(wid.y * nwg.x + wid.x) * 64 + lid`): any x/y split of this many groups.
    Flat(usize),
    /// x = column blocks, y = tiles of the matmul [`Plan`] (`wid.y + wid.z * nwg.y`).
    Tiles { x: usize, tiles: usize },
}

/// One kernel dispatch, without its buffers.
#[derive(Debug, Clone, PartialEq)]
pub struct Launch {
    pub kernel: Kernel,
    pub constants: Vec<(&'static str, f64)>,
    /// Bound at slot 0 (each kernel reads only its leading fields).
    pub params: [u32; 8],
    pub grid: Grid,
    /// Threads per workgroup (the kernel's `@workgroup_size`).
    pub workgroup_size: usize,
}

/// A matmul: its kernel and, for a 16-bit output the kernel does not write itself, the cast.
#[derive(Debug, Clone, PartialEq)]
pub struct MatmulLaunch {
    pub main: Launch,
    pub cast: Option<Launch>,
}

impl MatmulLaunch {
    /// The same matmul on the optional cooperative-matrix kernel ([`Kernel::QmmCoop8`]: the tiled
    /// qmm's bindings, constants, parameters and grid, 8×8 simdgroup matrices inside). Only for
    /// the tiled path (None for qmv), only on Metal with a SIMD width of 32 — the caller checks
    /// that — and never run anywhere yet.
    pub fn coop8(&self) -> Option<MatmulLaunch> {
        (self.main.kernel == Kernel::Qmm).then(|| MatmulLaunch { main: Launch { kernel: Kernel::QmmCoop8, ..self.main.clone() }, cast: self.cast.clone() })
    }
}

/// The kernels index with u32: refuse sizes past 2^32 instead of wrapping.
fn u32_of(what: &str, n: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| Error::Backend(format!("{what} ({n}) exceeds the kernels' 32-bit indexing")))
}

/// The initial contents of the quantize kernel's status buffer (slot 6, 4 words): word 0 becomes
/// the first row holding NaN/inf (stays `u32::MAX` if none), word 1 non-zero for a bad global scale.
pub const QUANTIZE_STATUS_INIT: [u32; 4] = [u32::MAX, 0, 0, 0];

impl Launch {
    /// `quantize`; None when there is nothing to do. Slots: params, w, global_scale, wq, scales,
    /// biases, status ([`QUANTIZE_STATUS_INIT`]; read back after the run). Absent optional
    /// inputs/outputs get any bound buffer: the kernel does not touch them.
    pub fn quantize(op: &QuantizeOp) -> Result<Option<Launch>> {
        let gs = op.spec.group_size() as usize;
        let groups = op.rows * op.cols / gs;
        if groups == 0 {
            return Ok(None);
        }
        u32_of("w elements", op.rows * op.cols)?;
        // One thread writes one word of scales: 1, 2 or 4 groups.
        let per_word = if op.spec.has_biases() { if op.w_dtype == DType::F32 { 1 } else { 2 } } else { 4 };
        let mut constants = spec_constants(&op.spec);
        constants.push(("WDT", dtype_tag(op.w_dtype)));
        constants.push(("ROUNDING", if op.rounding == Rounding::Cpu { 1.0 } else { 0.0 }));
        Ok(Some(Launch {
            kernel: Kernel::Quantize,
            constants,
            params: [u32_of("groups", groups)?, (op.cols / gs) as u32, op.has_global_scale as u32, 0, 0, 0, 0, 0],
            grid: Grid::Flat(groups.div_ceil(per_word).div_ceil(WORKGROUP_SIZE)),
            workgroup_size: WORKGROUP_SIZE,
        }))
    }

    /// `dequantize`; None when there is nothing to do. Slots: params, w, scales, biases,
    /// global_scale, out.
    pub fn dequantize(op: &DequantizeOp) -> Result<Option<Launch>> {
        let elems = op.rows * op.cols;
        if elems == 0 {
            return Ok(None);
        }
        let words = op.rows * op.spec.packed_words(op.cols);
        let mut constants = spec_constants(&op.spec);
        constants.push(("SDT", if op.spec.has_biases() { dtype_tag(op.scales_dtype) } else { 0.0 }));
        constants.push(("ODT", dtype_tag(op.out_dtype)));
        Ok(Some(Launch {
            kernel: Kernel::Dequantize,
            constants,
            params: [u32_of("elements", elems)?, u32_of("words", words)?, op.has_global_scale as u32, 0, 0, 0, 0, 0],
            // One thread expands one 32-element chunk.
            grid: Grid::Flat(elems.div_ceil(32).div_ceil(WORKGROUP_SIZE)),
            workgroup_size: WORKGROUP_SIZE,
        }))
    }

    /// The matmul of `op` over its schedule `plan`: qmv (with the default [`QmvLayout`]) or the
    /// tiled qmm, as the plan chose. Slots of `main`: params, x, w, scales, biases,
    /// global_scale, tiles (`plan.tiles`), rows (`plan.rows`), dst, and for qmv
    /// ([`Kernel::binds_w_words`]) w again. With `cast` (a 16-bit output
    /// the kernel does not write itself), dst is a float32 scratch of the output's element count
    /// and `cast` converts it into the output; otherwise dst is the output.
    ///
    /// qmv runs in [`QmvLayout::choose`]'s layout, i.e. without packed f16 products (the wgpu
    /// backend adds them on devices with SHADER_F16, [`QmvLayout::with_f16`]).
    pub fn matmul(op: &MatmulOp, plan: &Plan) -> Result<MatmulLaunch> {
        Launch::matmul_with_layout(op, plan, None)
    }

    /// [`Launch::matmul`] with qmv run in `layout` instead of [`QmvLayout::choose`]'s (where the
    /// plan picks qmv; the wgpu backend's [`set_qmv_layout`](crate::WgpuContext::set_qmv_layout),
    /// for benchmarks and tests).
    pub fn matmul_with_layout(op: &MatmulOp, plan: &Plan, layout: Option<QmvLayout>) -> Result<MatmulLaunch> {
        let spec = &op.spec;
        let (rows, cols) = if op.transpose { (op.n, op.k) } else { (op.k, op.n) };
        let gs = spec.group_size() as usize;
        let total = plan.rows.len() * op.n;
        u32_of("output elements", total)?;
        u32_of("x elements", op.x_count * op.m * op.k)?;
        u32_of("w words", op.w_count * rows * spec.packed_words(cols))?;
        let mut constants = spec_constants(spec);
        constants.push(("XDT", dtype_tag(op.out_dtype)));
        let layout = plan.qmv.then(|| layout.unwrap_or_else(|| QmvLayout::choose(op)));
        let (kernel, x, workgroup_size) = match &layout {
            Some(l) => {
                constants.extend(l.constants(op, plan));
                (Kernel::Qmv, op.n.div_ceil(l.cols_per_group()), l.workgroup as usize)
            }
            None => {
                constants.push(("TRANSPOSE", op.transpose as u32 as f64));
                (Kernel::Qmm, op.n.div_ceil(crate::plan::QMM_ROWS), WORKGROUP_SIZE)
            }
        };
        let params = [
            op.n as u32,
            op.k as u32,
            rows as u32,
            spec.packed_words(cols) as u32,
            (cols / gs) as u32,
            op.has_global_scale as u32,
            u32_of("tiles", plan.tiles.len())?,
            cols as u32,
        ];
        let main = Launch { kernel, constants, params, grid: Grid::Tiles { x, tiles: plan.tiles.len() }, workgroup_size };
        let cast = if layout.is_some_and(|l| l.writes_16bit(op)) { None } else { Launch::cast(op.out_dtype, total)? };
        Ok(MatmulLaunch { main, cast })
    }

    /// float32 → `dtype` conversion of `elems` results (two per thread). Slots: params, src
    /// (float32), dst. None for a float32 output.
    pub fn cast(dtype: DType, elems: usize) -> Result<Option<Launch>> {
        if dtype == DType::F32 || elems == 0 {
            return Ok(None);
        }
        Ok(Some(Launch {
            kernel: Kernel::Cast,
            constants: vec![("ODT", dtype_tag(dtype))],
            params: [u32_of("output elements", elems)?, 0, 0, 0, 0, 0, 0, 0],
            grid: Grid::Flat(elems.div_ceil(2).div_ceil(WORKGROUP_SIZE)),
            workgroup_size: WORKGROUP_SIZE,
        }))
    }

    /// Workgroups along (x, y) for a runtime without wgpu's 65535-per-dimension limit (Metal).
    pub fn groups_xy(&self) -> (usize, usize) {
        match self.grid {
            Grid::Flat(n) => (n, 1),
            Grid::Tiles { x, tiles } => (x, tiles),
        }
    }
}

#[cfg(all(test, feature = "runtime"))]
mod tests {
    //! Runs the launch descriptions through wgpu and compares with the wgpu ops byte for byte.
    use super::*;
    use crate::context::{flat_grid, GpuTensor, WgpuContext};
    use qmlx_core::cpu::GatherIndices;
    use qmlx_core::{Meta, Mode, QuantSpec};

    fn ctx() -> &'static WgpuContext {
        // No silent skip: these tests exist to check the Apple path's launches, and CI has lavapipe.
        WgpuContext::global().expect("no wgpu adapter (install mesa-vulkan-drivers for lavapipe)")
    }

    /// Byte equality without dumping whole buffers on failure.
    fn same(c: &WgpuContext, a: &GpuTensor, b: &GpuTensor, what: String) {
        let (a, b) = (c.download(a).unwrap(), c.download(b).unwrap());
        let first = a.iter().zip(&b).position(|(x, y)| x != y);
        assert!(a == b, "{what}: launch and wgpu op differ (first differing byte {first:?} of {})", a.len());
    }

    fn groups(l: &Launch) -> (u32, u32) {
        match l.grid {
            Grid::Flat(n) => flat_grid(n).unwrap(),
            Grid::Tiles { x, tiles } => (x as u32, tiles as u32),
        }
    }

    fn run(c: &WgpuContext, l: &Launch, buffers: &[&wgpu::Buffer]) {
        // A Metal host dispatches `workgroup_size` threads per threadgroup: it must be the size the
        // specialised kernel declares (naga writes it into the MSL).
        let (msl, _) = crate::msl::kernel_msl(l.kernel, &l.constants, (2, 4)).unwrap();
        let declared = format!("max_total_threads_per_threadgroup({})", l.workgroup_size);
        assert!(msl.contains(&declared), "{}: the MSL does not declare {declared}", l.kernel.name());
        let params = c.uniform(&l.params);
        let mut all: Vec<&wgpu::Buffer> = vec![&params];
        all.extend_from_slice(buffers);
        c.dispatch(l.kernel, &l.constants, &all, groups(l)).unwrap();
    }

    /// Deterministic varied weights (no RNG dependency inside the crate's unit tests).
    fn weights(n: usize, salt: u32) -> Vec<f32> {
        (0..n).map(|i| ((i as u32).wrapping_mul(2654435761).wrapping_add(salt) >> 8) as f32 / (1u32 << 24) as f32 * 4.0 - 2.0).collect()
    }

    fn upload_as(c: &WgpuContext, v: &[f32], dtype: DType, shape: &[usize]) -> GpuTensor {
        let bytes: Vec<u8> = match dtype {
            DType::F32 => bytemuck::cast_slice(v).to_vec(),
            DType::F16 => v.iter().flat_map(|x| half::f16::from_f32(*x).to_le_bytes()).collect(),
            _ => v.iter().flat_map(|x| half::bf16::from_f32(*x).to_le_bytes()).collect(),
        };
        let t = qmlx_core::TensorRef::from_bytes("t", dtype, shape, &bytes).unwrap();
        c.upload(&t).unwrap()
    }

    fn specs() -> Vec<(QuantSpec, DType, bool)> {
        vec![
            (QuantSpec::new(Mode::Affine, 64, 4).unwrap(), DType::F16, false),
            (QuantSpec::new(Mode::Affine, 32, 3).unwrap(), DType::F32, false),
            (QuantSpec::new(Mode::Affine, 128, 8).unwrap(), DType::BF16, false),
            (QuantSpec::with_defaults(Mode::Mxfp4, None, None).unwrap(), DType::F32, false),
            (QuantSpec::with_defaults(Mode::Mxfp8, None, None).unwrap(), DType::F16, false),
            (QuantSpec::with_defaults(Mode::Nvfp4, None, None).unwrap(), DType::BF16, true),
        ]
    }

    struct Quantized {
        wq: GpuTensor,
        scales: GpuTensor,
        biases: Option<GpuTensor>,
        gscale: Option<GpuTensor>,
    }

    /// Quantizes through the launch description and checks it against `WgpuContext::quantize`.
    fn quantize_both(c: &WgpuContext, spec: QuantSpec, dtype: DType, global: bool, rows: usize, cols: usize) -> Quantized {
        let w = upload_as(c, &weights(rows * cols, cols as u32), dtype, &[rows, cols]);
        let g = global.then(|| upload_as(c, &[3.5], DType::F32, &[])); // per w matrix: shape () for 2-D w
        let gm = g.as_ref().map(|g| g.meta());
        let op = QuantizeOp::new(&w.meta(), spec, Rounding::Gpu, gm.as_ref()).unwrap();
        let alloc = |m: &Meta| c.alloc(m).unwrap();
        let (wq, scales, biases) = (alloc(&op.wq_meta()), alloc(&op.scales_meta()), op.biases_meta().map(|m| alloc(&m)));
        c.quantize(&op, &w, g.as_ref(), &wq, &scales, biases.as_ref()).unwrap();
        let (lq, ls, lb) = (alloc(&op.wq_meta()), alloc(&op.scales_meta()), op.biases_meta().map(|m| alloc(&m)));
        let status = c.upload_words("status", &QUANTIZE_STATUS_INIT).unwrap();
        let l = Launch::quantize(&op).unwrap().unwrap();
        let unused = c.scratch(16).unwrap(); // an absent output: wgpu forbids aliasing it with an input
        run(c, &l, &[&w.buffer, g.as_ref().map_or(&w.buffer, |g| &g.buffer), &lq.buffer, &ls.buffer, lb.as_ref().map_or(&unused, |b| &b.buffer), &status]);
        same(c, &lq, &wq, format!("{spec:?} {dtype}: wq"));
        same(c, &ls, &scales, format!("{spec:?} {dtype}: scales"));
        if let (Some(a), Some(b)) = (&lb, &biases) {
            same(c, a, b, format!("{spec:?} {dtype}: biases"));
        }
        let st: Vec<u32> = bytemuck::pod_collect_to_vec(&c.read_bytes(&status, 0, 16).unwrap());
        assert_eq!(st, QUANTIZE_STATUS_INIT, "{spec:?}: finite weights must leave the status untouched");
        Quantized { wq, scales, biases, gscale: g }
    }

    #[test]
    fn quantize_and_dequantize_launches_match_the_wgpu_ops() {
        let c = ctx();
        for (spec, dtype, global) in specs() {
            let (rows, cols) = (3, 2 * spec.group_size() as usize * 3);
            let q = quantize_both(c, spec, dtype, global, rows, cols);
            for out_dtype in [DType::F32, DType::F16, DType::BF16] {
                let gm = q.gscale.as_ref().map(|g| g.meta());
                let bm = q.biases.as_ref().map(|b| b.meta());
                let op = DequantizeOp::new(&q.wq.meta(), &q.scales.meta(), bm.as_ref(), spec, gm.as_ref(), Some(out_dtype)).unwrap();
                let want = c.alloc(&Meta::new(op.out_dtype, &op.out_shape)).unwrap();
                c.dequantize(&op, &q.wq, &q.scales, q.biases.as_ref(), q.gscale.as_ref(), &want).unwrap();
                let got = c.alloc(&Meta::new(op.out_dtype, &op.out_shape)).unwrap();
                let l = Launch::dequantize(&op).unwrap().unwrap();
                let any = &q.wq.buffer;
                run(c, &l, &[&q.wq.buffer, &q.scales.buffer, q.biases.as_ref().map_or(any, |b| &b.buffer), q.gscale.as_ref().map_or(any, |g| &g.buffer), &got.buffer]);
                same(c, &got, &want, format!("{spec:?} -> {out_dtype}"));
            }
        }
    }

    #[test]
    fn quantize_launch_reports_the_first_non_finite_row() {
        let c = ctx();
        let spec = QuantSpec::new(Mode::Affine, 64, 4).unwrap();
        let mut v = weights(5 * 128, 7);
        v[3 * 128 + 17] = f32::INFINITY;
        let w = upload_as(c, &v, DType::F32, &[5, 128]);
        let op = QuantizeOp::new(&w.meta(), spec, Rounding::Gpu, None).unwrap();
        let (wq, s, b) = (c.alloc(&op.wq_meta()).unwrap(), c.alloc(&op.scales_meta()).unwrap(), c.alloc(&op.biases_meta().unwrap()).unwrap());
        let status = c.upload_words("status", &QUANTIZE_STATUS_INIT).unwrap();
        run(c, &Launch::quantize(&op).unwrap().unwrap(), &[&w.buffer, &w.buffer, &wq.buffer, &s.buffer, &b.buffer, &status]);
        let st: Vec<u32> = bytemuck::pod_collect_to_vec(&c.read_bytes(&status, 0, 16).unwrap());
        assert_eq!(st[0], 3);
    }

    #[test]
    fn matmul_launches_match_the_wgpu_ops() {
        let c = ctx();
        for (spec, dtype, global) in specs() {
            for (transpose, m) in [(true, 1), (true, 3), (true, 33), (false, 3)] {
                let gs = spec.group_size() as usize;
                // N not a multiple of 8 where the layout allows (transposed); stored rows hold whole groups.
                let (n, k) = (if transpose { 300 } else { 2 * gs }, 2 * gs);
                let (rows, cols) = if transpose { (n, k) } else { (k, n) };
                let q = quantize_both(c, spec, DType::F32, global, rows, cols);
                // The matmul wants affine scales/biases in the compute dtype: requantize in it.
                let q = if spec.has_biases() && dtype != DType::F32 { quantize_both(c, spec, dtype, false, rows, cols) } else { q };
                let x = upload_as(c, &weights(m * k, 99), dtype, &[m, k]);
                let (bm, gm) = (q.biases.as_ref().map(|b| b.meta()), q.gscale.as_ref().map(|g| g.meta()));
                let op = qmlx_core::MatmulOp::gather_qmm(&x.meta(), &q.wq.meta(), &q.scales.meta(), bm.as_ref(), None, None, transpose, spec, gm.as_ref(), false).unwrap();
                let want = c.alloc(&Meta::new(op.out_dtype, &op.out_shape)).unwrap();
                c.matmul(&op, &x, &q.wq, &q.scales, q.biases.as_ref(), GatherIndices::default(), q.gscale.as_ref(), &want).unwrap();

                let plan = Plan::new(&op, &op.pairs(None, None).unwrap());
                let total = plan.rows.len() * op.n;
                // The layout the op ran (with packed f16 products where this device has
                // SHADER_F16: the Metal host's `Launch::matmul` does not ask for them).
                let ml = Launch::matmul_with_layout(&op, &plan, plan.qmv.then(|| c.qmv_layout(&op))).unwrap();
                let l = &ml.main;
                assert_eq!(l.kernel == Kernel::Qmv, transpose && m <= crate::plan::QMV_ROWS, "kernel choice");
                // The optional cooperative-matrix variant (not runnable here): tiled path only, same
                // launch otherwise, and its MSL declares the same threadgroup size.
                match ml.coop8() {
                    None => assert_eq!(l.kernel, Kernel::Qmv),
                    Some(coop) => {
                        assert_eq!((coop.main.params, coop.main.grid, &coop.cast), (l.params, l.grid, &ml.cast));
                        let (msl, _) = crate::msl::kernel_msl(coop.main.kernel, &coop.main.constants, (2, 4)).unwrap();
                        assert!(msl.contains(&format!("max_total_threads_per_threadgroup({})", coop.main.workgroup_size)));
                    }
                }
                let (tiles, rows_t) = (c.upload_words("tiles", &plan.tiles).unwrap(), c.upload_words("rows", &plan.rows).unwrap());
                let got = c.alloc(&Meta::new(op.out_dtype, &op.out_shape)).unwrap();
                let scratch = c.scratch(total * 4).unwrap();
                let dst = if ml.cast.is_none() { &got.buffer } else { &scratch };
                let any = &x.buffer;
                let mut bufs = vec![&x.buffer, &q.wq.buffer, &q.scales.buffer, q.biases.as_ref().map_or(any, |b| &b.buffer), q.gscale.as_ref().map_or(any, |g| &g.buffer), &tiles, &rows_t, dst];
                if l.kernel.binds_w_words() {
                    bufs.push(&q.wq.buffer);
                }
                run(c, l, &bufs);
                if let Some(cast) = &ml.cast {
                    run(c, cast, &[&scratch, &got.buffer]);
                }
                same(c, &got, &want, format!("{spec:?} {dtype} transpose={transpose} m={m}"));
            }
        }
    }
}
