//! The GPU correctness suite and benchmark, shared by `tests/gpu.rs` and the `qmlx-cuda-check`
//! binary (which runs on the GPU machine). Correctness is judged against the CPU backend: quantize
//! and dequantize bit-exact; matmuls with issue 2's float64 metric
//! `err = max|y − y64| / max|y64| ≤ max(1.5 × err_cpu, floor)`.

use crate::{DevRef, Device};
use qmlx_core::api::{self, GroupParams, QuantizedWeight};
use qmlx_core::format::codes::{e8m0_decode, fp4_decode, fp8_e4m3_decode};
use qmlx_core::format::packing::extract;
use qmlx_core::format::{ElementCode, Mode, ScaleCode};
use qmlx_core::half::{bf16, f16};
use qmlx_core::{DType, DequantizeOp, Element, Error, Float, MatmulOp, Meta, QuantSpec, QuantizeOp, Rounding};
use cudarc::driver::{result as cu, sys};
use std::fmt::Write as _;

/// SplitMix64: small, seedable, good enough for test data.
pub struct Rng(pub u64);
impl Rng {
    /// Next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
    /// Roughly normal (sum of four uniforms), scaled.
    pub fn normal(&mut self, sigma: f32) -> f32 {
        let s: f32 = (0..4).map(|_| self.uniform()).sum::<f32>() - 2.0;
        s * sigma * 1.732
    }
    /// Uniform integer below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A device allocation owned by the test harness (the library itself never allocates per call).
pub struct DevBuf {
    /// Device address.
    pub ptr: u64,
    /// Size in bytes.
    pub bytes: usize,
}
impl DevBuf {
    /// Allocates `bytes` (at least 16) of device memory.
    pub fn new(bytes: usize) -> DevBuf {
        let ptr = unsafe { cu::malloc_sync(bytes.max(16)) }.expect("cuMemAlloc");
        DevBuf { ptr, bytes }
    }
    /// Copies a host slice to a new allocation.
    pub fn upload<T: bytemuck::Pod>(data: &[T]) -> DevBuf {
        let b = DevBuf::new(std::mem::size_of_val(data));
        if !data.is_empty() {
            unsafe { cu::memcpy_htod_sync(b.ptr, data) }.expect("upload");
        }
        b
    }
    /// Copies the allocation back.
    pub fn download<T: bytemuck::Pod + Default>(&self, n: usize) -> Vec<T> {
        let mut v = vec![T::default(); n];
        if n > 0 {
            unsafe { cu::memcpy_dtoh_sync(&mut v, self.ptr) }.expect("download");
        }
        v
    }
    /// Fills with a byte (poisons outputs before a kernel).
    pub fn fill(&self, byte: u8) {
        unsafe { cu::memset_d8_sync(self.ptr, byte, self.bytes.max(16)) }.expect("memset");
    }
    /// A typed view.
    pub fn r<'a>(&self, dtype: DType, shape: &'a [usize]) -> DevRef<'a> {
        DevRef::new(self.ptr, dtype, shape)
    }
}
impl Drop for DevBuf {
    fn drop(&mut self) {
        unsafe {
            let _ = cu::free_sync(self.ptr);
        }
    }
}

/// Relative-error floor of issue 2 for an activation dtype.
pub fn floor(d: DType) -> f64 {
    match d {
        DType::F32 => 2e-6,
        DType::F16 => 1.5e-3,
        _ => 1.2e-2,
    }
}

/// Exact float64 value of every stored weight (rows over the whole batch, `cols` per row).
pub fn w_hat64<T: Float>(q: &QuantizedWeight<T>, cols: usize) -> Vec<f64> {
    let spec = q.spec;
    let rows: usize = q.wq_shape[..q.wq_shape.len() - 1].iter().product();
    let wpr = spec.packed_words(cols);
    let gs = spec.group_size() as usize;
    let gpr = cols / gs;
    let mut out = vec![0f64; rows * cols];
    for r in 0..rows {
        let row = &q.wq[r * wpr..(r + 1) * wpr];
        for j in 0..cols {
            let c = extract(row, j, spec.bits());
            let g = r * gpr + j / gs;
            out[r * cols + j] = match &q.params {
                GroupParams::Affine { scales, biases } => scales[g].to_f32() as f64 * c as f64 + biases[g].to_f32() as f64,
                GroupParams::Fp { scales, global_scale } => {
                    let v = match spec.element_code() {
                        ElementCode::Fp8 => fp8_e4m3_decode(c as u8),
                        _ => fp4_decode(c as u8),
                    } as f64;
                    let s = match spec.scale_code() {
                        ScaleCode::E4m3 => fp8_e4m3_decode(scales[g]) as f64 * global_scale.map_or(1.0, |g| g as f64 / 2688.0),
                        _ => e8m0_decode(scales[g]) as f64,
                    };
                    v * s
                }
            };
        }
    }
    out
}

/// `max|y − y64| / max|y64|` (NaN in y counts as infinite error).
pub fn rel_err<T: Float>(y: &[T], y64: &[f64]) -> f64 {
    let mut num = 0f64;
    let mut den = 0f64;
    for (a, b) in y.iter().zip(y64) {
        let a = a.to_f32() as f64;
        let d = if a.is_nan() { f64::INFINITY } else { (a - b).abs() };
        num = num.max(d);
        den = den.max(b.abs());
    }
    if den == 0.0 {
        num
    } else {
        num / den
    }
}

/// Tallies and a log.
#[derive(Default)]
pub struct Tally {
    /// Checks that passed.
    pub passed: usize,
    /// Checks that failed.
    pub failed: usize,
    /// One line per check.
    pub log: String,
}
impl Tally {
    fn check(&mut self, ok: bool, line: String) {
        if ok {
            self.passed += 1;
        } else {
            self.failed += 1;
        }
        let _ = writeln!(self.log, "{} {line}", if ok { "PASS" } else { "FAIL" });
        // QMLX_SUITE_PROGRESS=1: each line on stderr as it is checked too (a killed run shows how far it got).
        if std::env::var_os("QMLX_SUITE_PROGRESS").is_some() {
            eprintln!("{} {line}", if ok { "PASS" } else { "FAIL" });
        }
    }
}

struct Uploaded {
    wq: DevBuf,
    scales: DevBuf,
    biases: Option<DevBuf>,
    global: Option<DevBuf>,
}

fn upload_weight<T: Float + Element>(q: &QuantizedWeight<T>, w_count: usize) -> Uploaded {
    match &q.params {
        GroupParams::Affine { scales, biases } => {
            Uploaded { wq: DevBuf::upload(&q.wq), scales: DevBuf::upload(scales), biases: Some(DevBuf::upload(biases)), global: None }
        }
        GroupParams::Fp { scales, global_scale } => Uploaded {
            wq: DevBuf::upload(&q.wq),
            scales: DevBuf::upload(scales),
            biases: None,
            global: global_scale.map(|g| DevBuf::upload(&vec![g; w_count])),
        },
    }
}

fn random_vec<T: Float>(rng: &mut Rng, n: usize, sigma: f32) -> Vec<T> {
    (0..n).map(|_| T::from_f32(rng.normal(sigma))).collect()
}

/// Standard deviation of the random weights of a matmul case.
const W_SD: f32 = 0.05;

/// One matmul case: runs the GPU and the CPU on the same inputs (weights of standard deviation
/// `amp`) and scores both against float64.
#[allow(clippy::too_many_arguments)]
fn matmul_case<T: Float + Element>(
    dev: &Device,
    t: &mut Tally,
    rng: &mut Rng,
    spec: QuantSpec,
    global: Option<f32>,
    w_shape: &[usize],
    x_shape: &[usize],
    transpose: bool,
    lhs: Option<(Vec<i32>, Vec<usize>)>,
    rhs: Option<(Vec<i32>, Vec<usize>)>,
    expect_index_error: bool,
    amp: f32,
    label: &str,
) {
    if !selected(label) {
        return;
    }
    let cols = *w_shape.last().unwrap();
    let w: Vec<T> = random_vec(rng, w_shape.iter().product(), amp);
    let q = api::quantize(&w, w_shape, spec, Rounding::Gpu, global).expect("cpu quantize");
    let x: Vec<T> = random_vec(rng, x_shape.iter().product(), 1.0);
    let w_batch = &q.wq_shape[..q.wq_shape.len() - 2];
    let w_count: usize = w_batch.iter().product();
    let xm = Meta::new(T::DTYPE, x_shape);
    let wm = Meta::new(DType::U32, &q.wq_shape);
    let sm = Meta::new(spec.scales_dtype(T::DTYPE), &q.scales_shape);
    let bm = spec.has_biases().then(|| Meta::new(T::DTYPE, &q.scales_shape));
    let lm = lhs.as_ref().map(|(_, s)| Meta::new(DType::I32, s));
    let rm = rhs.as_ref().map(|(_, s)| Meta::new(DType::I32, s));
    let gm = global.map(|_| Meta::new(DType::F32, w_batch));
    let op = MatmulOp::gather_qmm(&xm, &wm, &sm, bm.as_ref(), lm.as_ref(), rm.as_ref(), transpose, spec, gm.as_ref(), rhs.is_some())
        .expect("describe");
    let out_n: usize = op.out_shape.iter().product();
    // GPU
    let up = upload_weight(&q, w_count);
    let xd = DevBuf::upload(&x);
    let ld = lhs.as_ref().map(|(v, _)| DevBuf::upload(v));
    let rd = rhs.as_ref().map(|(v, _)| DevBuf::upload(v));
    let od = DevBuf::new(out_n * T::DTYPE.size());
    od.fill(0x7F); // poison: unwritten elements show up as huge values / NaN
    let gshape = w_batch.to_vec();
    let res = unsafe {
        dev.matmul(
            &op,
            xd.r(T::DTYPE, x_shape),
            up.wq.r(DType::U32, &q.wq_shape),
            up.scales.r(spec.scales_dtype(T::DTYPE), &q.scales_shape),
            up.biases.as_ref().map(|b| b.r(T::DTYPE, &q.scales_shape)),
            ld.as_ref().map(|b| b.r(DType::I32, &lhs.as_ref().unwrap().1)),
            rd.as_ref().map(|b| b.r(DType::I32, &rhs.as_ref().unwrap().1)),
            up.global.as_ref().map(|b| b.r(DType::F32, &gshape)),
            od.r(T::DTYPE, &op.out_shape),
            0,
        )
    };
    if let Err(e) = res {
        t.check(false, format!("{label}: launch error {e}"));
        return;
    }
    let status = dev.check_status();
    let y: Vec<T> = od.download(out_n);
    if expect_index_error {
        let ok = matches!(status, Err(Error::Index { .. }));
        let nan_rows = y.iter().filter(|v| v.to_f32().is_nan()).count();
        t.check(ok && nan_rows > 0, format!("{label}: out-of-range index -> {status:?}, {nan_rows} NaN outputs"));
        return;
    }
    if let Err(e) = status {
        t.check(false, format!("{label}: device status {e}"));
        return;
    }
    // float64 reference
    let what = w_hat64(&q, cols);
    let lhs_s = lhs.as_ref().map(|(v, _)| qmlx_core::IndexSlice::I32(v));
    let rhs_s = rhs.as_ref().map(|(v, _)| qmlx_core::IndexSlice::I32(v));
    let pairs = op.pairs(lhs_s, rhs_s).expect("pairs");
    let (m, n, k) = (op.m, op.n, op.k);
    let rows = if transpose { n } else { k };
    let mut y64 = vec![0f64; out_n];
    for (p, &(xi, wi)) in pairs.iter().enumerate() {
        for mi in 0..m {
            for ni in 0..n {
                let mut acc = 0f64;
                for ki in 0..k {
                    let wv = if transpose { what[(wi * rows + ni) * cols + ki] } else { what[(wi * rows + ki) * cols + ni] };
                    acc += x[(xi * m + mi) * k + ki].to_f32() as f64 * wv;
                }
                y64[(p * m + mi) * n + ni] = acc;
            }
        }
    }
    let y_cpu = api::gather_qmm(&x, x_shape, &q, lhs.as_ref().map(|(v, s)| (&v[..], &s[..])), rhs.as_ref().map(|(v, s)| (&v[..], &s[..])), transpose)
        .expect("cpu matmul");
    let (eg, ec) = (rel_err(&y, &y64), rel_err(&y_cpu, &y64));
    let bound = (1.5 * ec).max(floor(T::DTYPE));
    let mut detail = String::new();
    if eg.is_nan() || eg > bound {
        // Where it goes wrong: the first element over the bound, as (batch pair, row m, column n).
        let scale = y64.iter().fold(0f64, |a, v| a.max(v.abs())).max(f64::MIN_POSITIVE);
        let is_bad = |g: &T, w: f64| {
            let d = (g.to_f32() as f64 - w).abs();
            d.is_nan() || d > bound * scale
        };
        let bad = y.iter().zip(&y64).position(|(g, w)| is_bad(g, *w));
        let count = y.iter().zip(&y64).filter(|(g, w)| is_bad(g, **w)).count();
        if let Some(i) = bad {
            let _ = write!(detail, "; {count} bad, first at pair {} m {} n {}: got {} want {:.6}", i / (m * n), i / n % m, i % n, y[i].to_f32(), y64[i]);
        }
    }
    t.check(eg <= bound, format!("{label}: err {eg:.3e} (cpu {ec:.3e}, bound {bound:.1e}){detail}"));
}

fn quantize_case<T: Float + Element>(dev: &Device, t: &mut Tally, rng: &mut Rng, spec: QuantSpec, global: Option<f32>, rounding: Rounding, shape: &[usize], label: &str) {
    if !selected(label) {
        return;
    }
    let w: Vec<T> = random_vec(rng, shape.iter().product(), 0.05);
    let q = api::quantize(&w, shape, spec, rounding, global).expect("cpu quantize");
    let gm = global.map(|_| Meta::new(DType::F32, &[1]));
    let op = QuantizeOp::new(&Meta::new(T::DTYPE, shape), spec, rounding, gm.as_ref()).unwrap();
    let wd = DevBuf::upload(&w);
    let gd = global.map(|g| DevBuf::upload(&[g]));
    let nw: usize = op.wq_shape.iter().product();
    let ng: usize = op.scales_shape.iter().product();
    let sdt = spec.scales_dtype(T::DTYPE);
    let (wq, sc) = (DevBuf::new(nw * 4), DevBuf::new(ng * sdt.size()));
    let bi = spec.has_biases().then(|| DevBuf::new(ng * sdt.size()));
    for b in [&wq, &sc] {
        b.fill(0xA5);
    }
    let res = unsafe {
        dev.quantize(
            &op,
            wd.r(T::DTYPE, shape),
            gd.as_ref().map(|g| g.r(DType::F32, &[1])),
            wq.r(DType::U32, &op.wq_shape),
            sc.r(sdt, &op.scales_shape),
            bi.as_ref().map(|b| b.r(sdt, &op.scales_shape)),
            0,
        )
    }
    .and_then(|_| dev.check_status());
    if let Err(e) = res {
        t.check(false, format!("{label}: {e}"));
        return;
    }
    let gwq: Vec<u32> = wq.download(nw);
    let (same_s, same_b) = match &q.params {
        GroupParams::Affine { scales, biases } => {
            let gs: Vec<T> = sc.download(ng);
            let gb: Vec<T> = bi.as_ref().unwrap().download(ng);
            (bytemuck::cast_slice::<T, u8>(&gs) == bytemuck::cast_slice::<T, u8>(scales), bytemuck::cast_slice::<T, u8>(&gb) == bytemuck::cast_slice::<T, u8>(biases))
        }
        GroupParams::Fp { scales, .. } => (sc.download::<u8>(ng) == *scales, true),
    };
    let diff = gwq.iter().zip(&q.wq).filter(|(a, b)| a != b).count();
    t.check(diff == 0 && same_s && same_b, format!("{label}: quantize bit-exact (words differing {diff}, scales {same_s}, biases {same_b})"));
    // dequantize the CPU's tensors on the GPU, to T and to f32
    for out_dt in [T::DTYPE, DType::F32] {
        let bm = spec.has_biases().then(|| Meta::new(sdt, &q.scales_shape));
        let dop = DequantizeOp::new(&Meta::new(DType::U32, &q.wq_shape), &Meta::new(sdt, &q.scales_shape), bm.as_ref(), spec, gm.as_ref(), Some(out_dt)).unwrap();
        let total: usize = dop.out_shape.iter().product();
        let up = upload_weight(&q, 1);
        let gd1 = global.map(|g| DevBuf::upload(&[g]));
        let od = DevBuf::new(total * out_dt.size());
        od.fill(0x7F);
        let r = unsafe {
            dev.dequantize(
                &dop,
                up.wq.r(DType::U32, &q.wq_shape),
                up.scales.r(sdt, &q.scales_shape),
                up.biases.as_ref().map(|b| b.r(sdt, &q.scales_shape)),
                gd1.as_ref().map(|g| g.r(DType::F32, &[1])),
                od.r(out_dt, &dop.out_shape),
                0,
            )
        }
        .and_then(|_| dev.check_status());
        let ok = match r {
            Err(e) => {
                t.check(false, format!("{label}: dequantize -> {out_dt}: {e}"));
                continue;
            }
            Ok(()) => {
                let got: Vec<u8> = od.download(total * out_dt.size());
                let want: Vec<u8> = match out_dt {
                    DType::F32 => bytemuck::cast_slice(&api::dequantize::<f32>(&q).unwrap()).to_vec(),
                    DType::F16 => bytemuck::cast_slice(&api::dequantize::<f16>(&q).unwrap()).to_vec(),
                    _ => bytemuck::cast_slice(&api::dequantize::<bf16>(&q).unwrap()).to_vec(),
                };
                got == want
            }
        };
        t.check(ok, format!("{label}: dequantize -> {out_dt} bit-exact"));
    }
}

/// The quantizations the suite covers (every mode and bit width; several group sizes).
pub fn specs(full: bool) -> Vec<(QuantSpec, Option<f32>)> {
    let mut v = Vec::new();
    for bits in [1, 2, 3, 4, 5, 6, 8] {
        v.push((QuantSpec::new(Mode::Affine, 64, bits).unwrap(), None));
    }
    if full {
        for (gs, bits) in [(32, 4), (128, 4), (32, 3), (128, 6), (32, 8), (128, 2), (32, 5)] {
            v.push((QuantSpec::new(Mode::Affine, gs, bits).unwrap(), None));
        }
    }
    v.push((QuantSpec::with_defaults(Mode::Mxfp4, None, None).unwrap(), None));
    v.push((QuantSpec::with_defaults(Mode::Mxfp8, None, None).unwrap(), None));
    v.push((QuantSpec::with_defaults(Mode::Nvfp4, None, None).unwrap(), None));
    v.push((QuantSpec::with_defaults(Mode::Nvfp4, None, None).unwrap(), Some(0.37)));
    v
}

/// QMLX_SUITE_ONLY=text: only the cases whose label contains it (e.g. `gather`: the gather paths
/// alone, for a short memcheck run).
fn selected(label: &str) -> bool {
    std::env::var("QMLX_SUITE_ONLY").map_or(true, |f| label.contains(&f))
}

/// QMLX_SUITE_SHARD=i/n: this process runs the specs whose index is i modulo n (and shard 0 the
/// checks after them), so that n processes share one suite run (e.g. under compute-sanitizer).
fn shard() -> (usize, usize) {
    let v = std::env::var("QMLX_SUITE_SHARD").unwrap_or_default();
    match v.split_once('/').and_then(|(i, n)| Some((i.parse().ok()?, n.parse().ok()?))) {
        Some((i, n)) if n > 0 && i < n => (i, n),
        _ => (0, 1),
    }
}

fn run_dtype<T: Float + Element>(dev: &Device, t: &mut Tally, rng: &mut Rng, full: bool) {
    let dt = T::DTYPE;
    let (shard_i, shard_n) = shard();
    for (spec, g) in specs(full).into_iter().enumerate().filter(|(i, _)| i % shard_n == shard_i).map(|(_, s)| s) {
        let gs = spec.group_size() as usize;
        let tag = format!("{spec}{} {dt}", if g.is_some() { " +global" } else { "" });
        let roundings: &[Rounding] = if spec.has_biases() { &[Rounding::Gpu, Rounding::Cpu] } else { &[Rounding::Gpu] };
        for &r in roundings {
            quantize_case::<T>(dev, t, rng, spec, g, r, &[2, 19, 3 * gs], &format!("{tag} quantize {r:?} [2,19,{}]", 3 * gs));
        }
        let ks: &[usize] = if full { &[3 * gs, 33 * gs] } else { &[3 * gs] };
        let ms: &[usize] = if full { &[1, 3, 8, 9, 16, 33, 64, 65] } else { &[1, 5, 16, 33] };
        for &k in ks {
            for &m in ms {
                matmul_case::<T>(dev, t, rng, spec, g, &[45, k], &[m, k], true, None, None, false, W_SD, &format!("{tag} qmm T M={m} N=45 K={k}"));
            }
        }
        // The bulk-copy M ≤ 4 kernel (sm_90, 16-bit types): K over one 4096-code slice with a
        // partial last slice, whole-row tiles, N not a multiple of its tile rows, batches, gathers.
        if dt != DType::F32 {
            for &m in &[1usize, 2, 3, 4] {
                matmul_case::<T>(dev, t, rng, spec, g, &[45, 5120], &[m, 5120], true, None, None, false, W_SD, &format!("{tag} bulk M={m} N=45 K=5120"));
            }
            for &m in &[1usize, 4] {
                matmul_case::<T>(dev, t, rng, spec, g, &[83, 1024], &[m, 1024], true, None, None, false, W_SD, &format!("{tag} bulk M={m} N=83 K=1024"));
            }
            matmul_case::<T>(dev, t, rng, spec, g, &[3, 20, 1024], &[2, 1, 3, 1024], true, None, None, false, W_SD, &format!("{tag} bulk broadcast x[2,1,3] w[3]"));
            // The per-warp ring M = 1 kernel: more 16-row tiles than warps (two rounds of its persistent grid).
            matmul_case::<T>(dev, t, rng, spec, g, &[17000, 512], &[1, 512], true, None, None, false, W_SD, &format!("{tag} warp ring M=1 N=17000 K=512"));
            // Long K (x staged per block: 28 KB; split-K across the block's warps), N not a multiple of 8.
            matmul_case::<T>(dev, t, rng, spec, g, &[45, 14336], &[1, 14336], true, None, None, false, W_SD, &format!("{tag} warp ring M=1 N=45 K=14336"));
            if spec.mode() != Mode::Affine {
                // Large fp scales (the ring applies them in f32 after the mma).
                matmul_case::<T>(dev, t, rng, spec, g, &[83, 1024], &[1, 1024], true, None, None, false, 64.0, &format!("{tag} warp ring large scales M=1 N=83 K=1024"));
            }
            // Past the default dispatch's size threshold (ring where it wins: 2-6-bit ≥ 32 M weights,
            // 8-bit f16 ≥ 4 row tiles per SM), N not a multiple of 16; once per width (g64: the CPU
            // references of 35 M weights take seconds).
            // fp modes (mxfp4, nvfp4, mxfp8: ring from 32 M weights) once per spec at K = 4096.
            let ring_bits = matches!(spec.bits(), 4 | 8) || (dt == DType::F16 && matches!(spec.bits(), 2 | 3 | 5 | 6));
            if (spec.mode() == Mode::Affine && ring_bits && gs == 64) || spec.mode() != Mode::Affine {
                let k = if spec.bits() == 8 && spec.mode() == Mode::Affine { 512 } else { 4096 };
                matmul_case::<T>(dev, t, rng, spec, g, &[8464, k], &[1, k], true, None, None, false, W_SD, &format!("{tag} large M=1 N=8464 K={k}"));
            }
            // The per-warp ring M = 2..16 kernel (affine 4/8-bit, 2/3/5/6-bit f16, group size 32/64, fp
            // modes; K a multiple of 512): every M tile width, N not a multiple of 8, long K, two rounds
            // of its persistent grid, one pair picked by a gather index, and an index out of range.
            if (spec.mode() == Mode::Affine && ring_bits && (gs == 32 || gs == 64)) || spec.mode() != Mode::Affine {
                for &m in &[2usize, 3, 5, 8, 9, 16] {
                    matmul_case::<T>(dev, t, rng, spec, g, &[83, 1024], &[m, 1024], true, None, None, false, W_SD, &format!("{tag} ring16 M={m} N=83 K=1024"));
                }
                matmul_case::<T>(dev, t, rng, spec, g, &[45, 14336], &[5, 14336], true, None, None, false, W_SD, &format!("{tag} ring16 M=5 N=45 K=14336"));
                if spec.mode() != Mode::Affine {
                    // fp scales ~2^5 (mxfp4: outside the packed decode's exact range, the f32 path;
                    // nvfp4: large E4M3 scales).
                    matmul_case::<T>(dev, t, rng, spec, g, &[83, 1024], &[3, 1024], true, None, None, false, 64.0, &format!("{tag} ring16 large scales M=3 N=83 K=1024"));
                }
                matmul_case::<T>(dev, t, rng, spec, g, &[17000, 512], &[16, 512], true, None, None, false, W_SD, &format!("{tag} ring16 M=16 N=17000 K=512"));
                matmul_case::<T>(dev, t, rng, spec, g, &[6, 83, 1024], &[1, 3, 1024], true, None, Some((vec![3], vec![1])), false, W_SD, &format!("{tag} ring16 gather rhs [3] of 6 M=3"));
                matmul_case::<T>(dev, t, rng, spec, g, &[6, 83, 1024], &[1, 3, 1024], true, None, Some((vec![6], vec![1])), true, W_SD, &format!("{tag} ring16 gather rhs [6] of 6 M=3"));
            }
            // One (x, w) pair picked by a gather index (not the last matrix), and an index out of range.
            matmul_case::<T>(dev, t, rng, spec, g, &[6, 83, 1024], &[1, 1, 1024], true, None, Some((vec![3], vec![1])), false, W_SD, &format!("{tag} warp ring gather rhs [3] of 6 N=83"));
            matmul_case::<T>(dev, t, rng, spec, g, &[6, 83, 1024], &[1, 1, 1024], true, None, Some((vec![6], vec![1])), true, W_SD, &format!("{tag} warp ring gather rhs [6] of 6"));
            let mut idx: Vec<i32> = (0..12).map(|_| rng.below(6) as i32).collect();
            idx.sort();
            matmul_case::<T>(dev, t, rng, spec, g, &[6, 24, 1024], &[12, 1, 1024], true, None, Some((idx.clone(), vec![12])), false, W_SD, &format!("{tag} bulk gather sorted rhs {idx:?}"));
            matmul_case::<T>(dev, t, rng, spec, g, &[6, 24, 1024], &[4, 1, 1024], true, None, Some((vec![1, 1, 4, 6], vec![4])), true, W_SD, &format!("{tag} bulk gather rhs index 6 of 6"));
        }
        // Prefill shapes (M > 64; K a multiple of 64): on sm_90 devices f16/bf16 take the wgmma
        // kernel, run here with each token tile. Tails in M and N, N not a multiple of 8,
        // broadcast batches, gathers and an out-of-range index.
        // Odd widths need K a multiple of 128 there (two K tiles per weight copy): 384 = 3 copies.
        let kp = 3 * gs.max(64) * if spec.mode() == Mode::Affine && spec.bits() % 2 == 1 { 2 } else { 1 };
        let tiles: &[Option<usize>] = if crate::sm90::active(dev) && dt != DType::F32 { &[Some(128), Some(256)] } else { &[None] };
        for &tile in tiles {
            crate::sm90::force_token_tile(tile);
            // Tile order in groups of 2 row tiles with the 128 tile (N = 264: groups of 2 and 1).
            crate::sm90::force_group_rows(if tile == Some(128) { Some(2) } else { None });
            let tl = tile.map_or(String::new(), |t| format!(" tile {t}"));
            matmul_case::<T>(dev, t, rng, spec, g, &[45, kp], &[130, kp], true, None, None, false, W_SD, &format!("{tag} prefill M=130 N=45 K={kp}{tl}"));
            matmul_case::<T>(dev, t, rng, spec, g, &[200, 512], &[300, 512], true, None, None, false, W_SD, &format!("{tag} prefill M=300 N=200 K=512{tl}"));
            matmul_case::<T>(dev, t, rng, spec, g, &[3, 64, kp], &[2, 1, 97, kp], true, None, None, false, W_SD, &format!("{tag} prefill broadcast x[2,1,97] w[3]{tl}"));
            let lhs: Vec<i32> = (0..4).map(|_| rng.below(5) as i32).collect();
            let rhs: Vec<i32> = (0..4).map(|_| rng.below(6) as i32).collect();
            matmul_case::<T>(dev, t, rng, spec, g, &[6, 72, kp], &[5, 70, kp], true, Some((lhs.clone(), vec![4])), Some((rhs.clone(), vec![4])), false, W_SD, &format!("{tag} prefill gather M=70 lhs {lhs:?} rhs {rhs:?}{tl}"));
            matmul_case::<T>(dev, t, rng, spec, g, &[6, 24, kp], &[3, 80, kp], true, None, Some((vec![0, 6, 2], vec![3])), true, W_SD, &format!("{tag} prefill gather rhs index 6 of 6{tl}"));
            if matches!(spec.mode(), Mode::Mxfp4 | Mode::Nvfp4) && dt != DType::F32 {
                // mxfp4: scales ~2^5, outside the packed 16-bit path's exact range, so these tiles take
                // its f32 path; nvfp4: large E4M3 scales, the top of its packed factor's range.
                matmul_case::<T>(dev, t, rng, spec, g, &[200, 512], &[300, 512], true, None, None, false, 64.0, &format!("{tag} prefill large scales M=300 N=200 K=512{tl}"));
            }
            // K = 1024 (16 K tiles) with fewer tiles than half the SMs: every tile runs as a
            // 2-block cluster splitting K (sm90::split_tail_tiles); also with an out-of-range index.
            matmul_case::<T>(dev, t, rng, spec, g, &[200, 1024], &[130, 1024], true, None, None, false, W_SD, &format!("{tag} prefill split-K M=130 N=200 K=1024{tl}"));
            matmul_case::<T>(dev, t, rng, spec, g, &[6, 24, 1024], &[3, 80, 1024], true, None, Some((vec![0, 6, 2], vec![3])), true, W_SD, &format!("{tag} prefill split-K gather rhs index 6 of 6{tl}"));
            if full && tile == Some(128) && spec.mode() == Mode::Affine && spec.bits() == 4 && gs == 64 {
                // 70 row tiles × 2 token tiles = 140 tiles: on 132 SMs one launch of 132 whole
                // tiles, then the last 8 split over 2-block clusters (N not a multiple of 8).
                matmul_case::<T>(dev, t, rng, spec, g, &[8900, 1024], &[130, 1024], true, None, None, false, W_SD, &format!("{tag} prefill whole + split-K tail M=130 N=8900 K=1024{tl}"));
            }
            if full && tile != Some(128) {
                // K = 2048: 32 K tiles, several trips round the ring.
                matmul_case::<T>(dev, t, rng, spec, g, &[300, 2048], &[130, 2048], true, None, None, false, W_SD, &format!("{tag} prefill M=130 N=300 K=2048{tl}"));
            }
            if full {
                matmul_case::<T>(dev, t, rng, spec, g, &[264, 1024], &[600, 1024], true, None, None, false, W_SD, &format!("{tag} prefill M=600 N=264 K=1024{tl}"));
            }
        }
        crate::sm90::force_token_tile(None);
        crate::sm90::force_group_rows(None);
        for &m in if full { &[1usize, 5, 33][..] } else { &[1usize][..] } {
            matmul_case::<T>(dev, t, rng, spec, g, &[40, 3 * gs], &[m, 40], false, None, None, false, W_SD, &format!("{tag} qmm N M={m} K=40 N={}", 3 * gs));
        }
        // 1-D x, batched/broadcast x and w, empty M.
        matmul_case::<T>(dev, t, rng, spec, g, &[21, 2 * gs], &[2 * gs], true, None, None, false, W_SD, &format!("{tag} 1-D x"));
        matmul_case::<T>(dev, t, rng, spec, g, &[3, 20, 2 * gs], &[2, 1, 5, 2 * gs], true, None, None, false, W_SD, &format!("{tag} broadcast x[2,1,5] w[3]"));
        matmul_case::<T>(dev, t, rng, spec, g, &[3, 2 * gs, 2 * gs], &[2, 1, 3, 2 * gs], false, None, None, false, W_SD, &format!("{tag} broadcast transpose=False"));
        matmul_case::<T>(dev, t, rng, spec, g, &[13, 2 * gs], &[0, 2 * gs], true, None, None, false, W_SD, &format!("{tag} empty M"));
        // gather_qmm: sorted rhs (MoE decode), unsorted with lhs, out of range.
        let mut idx: Vec<i32> = (0..12).map(|_| rng.below(6) as i32).collect();
        idx.sort();
        matmul_case::<T>(dev, t, rng, spec, g, &[6, 24, 2 * gs], &[12, 1, 2 * gs], true, None, Some((idx.clone(), vec![12])), false, W_SD, &format!("{tag} gather sorted rhs {idx:?}"));
        // Runs longer than a decode tile's 8 or 16 columns, an x gathered through lhs, and a bad
        // index inside a sorted run (the decode kernel groups runs of equal rhs).
        let mut idx: Vec<i32> = (0..40).map(|_| rng.below(3) as i32 * 2).collect();
        idx.sort();
        matmul_case::<T>(dev, t, rng, spec, g, &[6, 24, 2 * gs], &[40, 1, 2 * gs], true, None, Some((idx.clone(), vec![40])), false, W_SD, &format!("{tag} gather sorted rhs, 40 pairs in 3 runs"));
        let lhs: Vec<i32> = (0..12).map(|_| rng.below(7) as i32).collect();
        matmul_case::<T>(dev, t, rng, spec, g, &[6, 40, 2 * gs], &[7, 1, 2 * gs], true, Some((lhs.clone(), vec![12])), Some((idx[..12].to_vec(), vec![12])), false, W_SD, &format!("{tag} gather lhs {lhs:?} sorted rhs M=1"));
        let bad: Vec<i32> = [1, 1, 1, 1, 1, 4, 4, 6, 6, 6].to_vec();
        matmul_case::<T>(dev, t, rng, spec, g, &[6, 24, 2 * gs], &[10, 1, 2 * gs], true, None, Some((bad, vec![10])), true, W_SD, &format!("{tag} gather sorted rhs with index 6 of 6 in a run"));
        let lhs: Vec<i32> = (0..4).map(|_| rng.below(5) as i32).collect();
        let rhs: Vec<i32> = (0..4).map(|_| rng.below(6) as i32).collect();
        matmul_case::<T>(dev, t, rng, spec, g, &[6, 24, 2 * gs], &[5, 2, 2 * gs], true, Some((lhs.clone(), vec![4])), Some((rhs.clone(), vec![4])), false, W_SD, &format!("{tag} gather lhs {lhs:?} rhs {rhs:?}"));
        matmul_case::<T>(dev, t, rng, spec, g, &[6, 2 * gs, 2 * gs], &[5, 3, 2 * gs], false, Some((lhs.clone(), vec![4])), Some((rhs, vec![4])), false, W_SD, &format!("{tag} gather transpose=False M=3"));
        matmul_case::<T>(dev, t, rng, spec, g, &[6, 24, 2 * gs], &[3, 1, 2 * gs], true, None, Some((vec![0, 6, 2], vec![3])), true, W_SD, &format!("{tag} gather rhs index 6 of 6"));
        matmul_case::<T>(dev, t, rng, spec, g, &[6, 24, 2 * gs], &[3, 1, 2 * gs], true, Some((vec![-1, 0, 1], vec![3])), Some((vec![0, 1, 2], vec![3])), true, W_SD, &format!("{tag} gather lhs index -1"));
        gather_run_cases::<T>(dev, t, rng, spec, g, &tag, full);
        gather_bulk_cases::<T>(dev, t, rng, spec, g, &tag);
    }
}

/// Gathers of single rows (M = 1, the MoE decode path; kernels/qmm_decode.cuh work-list kernel for
/// f16/bf16): one run of every pair, every pair its own matrix, unsorted indices, indices at both
/// bounds, a bad index inside a long run, more pairs than the work-list kernel takes, and (with the
/// grid capped at 5 blocks) several units per block with K over several steps per warp and N not a
/// multiple of the row tile.
#[allow(clippy::too_many_arguments)]
fn gather_run_cases<T: Float + Element>(dev: &Device, t: &mut Tally, rng: &mut Rng, spec: QuantSpec, g: Option<f32>, tag: &str, full: bool) {
    let gs = spec.group_size() as usize;
    let k = 2 * gs;
    let rhs = |v: Vec<i32>| {
        let n = v.len();
        Some((v, vec![n]))
    };
    matmul_case::<T>(dev, t, rng, spec, g, &[6, 37, k], &[100, 1, k], true, None, rhs(vec![3; 100]), false, W_SD, &format!("{tag} gather one run of 100 pairs"));
    matmul_case::<T>(dev, t, rng, spec, g, &[40, 24, k], &[40, 1, k], true, None, rhs((0..40).collect()), false, W_SD, &format!("{tag} gather 40 pairs, 40 matrices"));
    let unsorted: Vec<i32> = (0..50).map(|_| rng.below(6) as i32).collect();
    matmul_case::<T>(dev, t, rng, spec, g, &[6, 24, k], &[50, 1, k], true, None, rhs(unsorted.clone()), false, W_SD, &format!("{tag} gather unsorted rhs {unsorted:?}"));
    let bounds = vec![0, 0, 5, 5, 5, 5, 5, 5, 5, 5, 5, 0, 5, 0, 0];
    matmul_case::<T>(dev, t, rng, spec, g, &[6, 24, k], &[15, 1, k], true, None, rhs(bounds.clone()), false, W_SD, &format!("{tag} gather rhs at the bounds {bounds:?}"));
    let mut bad = vec![2; 41];
    bad[20] = -1;
    matmul_case::<T>(dev, t, rng, spec, g, &[6, 24, k], &[41, 1, k], true, None, rhs(bad), true, W_SD, &format!("{tag} gather rhs -1 inside a run of 41"));
    if full {
        let mut many: Vec<i32> = (0..2100).map(|_| rng.below(4) as i32).collect();
        many.sort();
        matmul_case::<T>(dev, t, rng, spec, g, &[4, 16, k], &[2100, 1, k], true, None, rhs(many), false, W_SD, &format!("{tag} gather 2100 sorted pairs (past the work list)"));
    }
    crate::GATHER_MAX_BLOCKS.store(5, std::sync::atomic::Ordering::Relaxed);
    let kl = 16 * gs.max(64);
    let mut idx: Vec<i32> = (0..70).map(|_| rng.below(7) as i32).collect();
    idx.sort();
    matmul_case::<T>(dev, t, rng, spec, g, &[7, 45, kl], &[70, 1, kl], true, None, rhs(idx), false, W_SD, &format!("{tag} gather 70 sorted pairs K={kl} N=45, 5 blocks"));
    let unsorted: Vec<i32> = (0..30).map(|_| rng.below(7) as i32).collect();
    let lhs: Vec<i32> = (0..30).map(|_| rng.below(9) as i32).collect();
    matmul_case::<T>(dev, t, rng, spec, g, &[7, 45, k], &[9, 1, k], true, Some((lhs, vec![30])), rhs(unsorted), false, W_SD, &format!("{tag} gather lhs + unsorted rhs N=45, 5 blocks"));
    let mut bad: Vec<i32> = (0..30).map(|_| rng.below(7) as i32).collect();
    bad.sort();
    bad[29] = 7;
    matmul_case::<T>(dev, t, rng, spec, g, &[7, 45, kl], &[30, 1, kl], true, None, rhs(bad), true, W_SD, &format!("{tag} gather rhs 7 of 7 last, 5 blocks"));
    crate::GATHER_MAX_BLOCKS.store(0, std::sync::atomic::Ordering::Relaxed);
}

/// The bulk-copy gather kernel (kernels/qmm_gather_bulk.cuh; sm_90+, f16/bf16, shapes whose
/// whole-row units are 16-byte multiples), forced where its layout allows: runs longer than an item,
/// one pair per matrix (1 token), a bad index inside a run and at the last position, lhs with
/// unsorted rhs, K = 768 (2 K parts × 128-row units), and a grid of 2 blocks (units wrapping the
/// ring several times); the last four with two blocks per SM; half steps and x rows in the stage
/// forced on and off.
#[allow(clippy::too_many_arguments)]
fn gather_bulk_cases<T: Float + Element>(dev: &Device, t: &mut Tally, rng: &mut Rng, spec: QuantSpec, g: Option<f32>, tag: &str) {
    use std::sync::atomic::Ordering::Relaxed;
    let before = crate::GATHER_POLICY.swap(3, Relaxed);
    let gs = spec.group_size() as usize;
    let rhs = |v: Vec<i32>| {
        let n = v.len();
        Some((v, vec![n]))
    };
    let k = 2 * gs;
    let mut idx: Vec<i32> = (0..50).map(|_| rng.below(6) as i32).collect();
    idx.sort();
    matmul_case::<T>(dev, t, rng, spec, g, &[6, 64, k], &[50, 1, k], true, None, rhs(idx), false, W_SD, &format!("{tag} bulk gather 50 sorted pairs N=64"));
    let one: Vec<i32> = {
        let mut v: Vec<i32> = (0..16).collect();
        for i in (1..v.len()).rev() {
            v.swap(i, rng.below(i + 1));
        }
        let mut top: Vec<i32> = v[..8].to_vec();
        top.sort();
        top
    };
    matmul_case::<T>(dev, t, rng, spec, g, &[16, 96, k], &[8, 1, k], true, None, rhs(one.clone()), false, W_SD, &format!("{tag} bulk gather one token {one:?} N=96"));
    // The rest with two blocks per SM (the register-capped variant, half the ring each).
    let blocks_before = crate::GATHER_BULK_BLOCKS.swap(2, Relaxed);
    let kd = if 768 % gs == 0 { 768 } else { 16 * gs };
    let mut bad: Vec<i32> = (0..30).map(|_| rng.below(9) as i32).collect();
    bad.sort();
    bad[13] = -1;
    matmul_case::<T>(dev, t, rng, spec, g, &[9, 128, kd], &[30, 1, kd], true, None, rhs(bad), true, W_SD, &format!("{tag} bulk gather K={kd} N=128, -1 inside"));
    let unsorted: Vec<i32> = (0..30).map(|_| rng.below(7) as i32).collect();
    let lhs: Vec<i32> = (0..30).map(|_| rng.below(9) as i32).collect();
    matmul_case::<T>(dev, t, rng, spec, g, &[7, 64, k], &[9, 1, k], true, Some((lhs, vec![30])), rhs(unsorted), false, W_SD, &format!("{tag} bulk gather lhs + unsorted rhs N=64"));
    crate::GATHER_MAX_BLOCKS.store(2, Relaxed);
    let kl = 16 * gs.max(64);
    let mut idx: Vec<i32> = (0..70).map(|_| rng.below(7) as i32).collect();
    idx.sort();
    matmul_case::<T>(dev, t, rng, spec, g, &[7, 128, kl], &[70, 1, kl], true, None, rhs(idx), false, W_SD, &format!("{tag} bulk gather 70 sorted pairs K={kl} N=128, 2 blocks"));
    let mut last: Vec<i32> = (0..40).map(|_| rng.below(7) as i32).collect();
    last.sort();
    last[39] = 7;
    matmul_case::<T>(dev, t, rng, spec, g, &[7, 64, k], &[40, 1, k], true, None, rhs(last), true, W_SD, &format!("{tag} bulk gather rhs 7 of 7 last, 2 blocks"));
    // Odd unit counts per block (7 experts × N/UR row groups over 5 blocks, and all in one block:
    // the consumers' two-steps-per-round loop ends half way), K = 768 (3 or 6 k steps per K part).
    let mut seven: Vec<i32> = (0..12).collect();
    for i in (1..seven.len()).rev() {
        seven.swap(i, rng.below(i + 1));
    }
    let mut seven = seven[..7].to_vec();
    seven.sort();
    for (blocks, per_sm) in [(5usize, 0usize), (1, 1)] {
        crate::GATHER_MAX_BLOCKS.store(blocks, Relaxed);
        crate::GATHER_BULK_BLOCKS.store(per_sm, Relaxed);
        matmul_case::<T>(dev, t, rng, spec, g, &[12, 768, 768], &[7, 1, 768], true, None, rhs(seven.clone()), false, W_SD, &format!("{tag} bulk gather 7 experts {seven:?} N=768 K=768, {blocks} blocks"));
    }
    crate::GATHER_MAX_BLOCKS.store(0, Relaxed);
    crate::GATHER_BULK_BLOCKS.store(0, Relaxed);
    // K = 2048 (the gate+up shape: two whole k steps per warp and unit over 8 K parts, where a warp
    // keeps x in registers across a block's consecutive units of one item): 3 row tiles per item,
    // x rows drawn with repeats (lhs), so items differ in x or share it; 3 blocks and 1 block, so a
    // block's contiguous units cross items.
    let mut idx: Vec<i32> = (0..20).map(|_| rng.below(6) as i32).collect();
    idx.sort();
    let lhs: Vec<i32> = (0..20).map(|_| rng.below(5) as i32).collect();
    for blocks in [3usize, 1] {
        crate::GATHER_MAX_BLOCKS.store(blocks, Relaxed);
        matmul_case::<T>(dev, t, rng, spec, g, &[6, 96, 2048], &[5, 1, 2048], true, Some((lhs.clone(), vec![20])), rhs(idx.clone()), false, W_SD, &format!("{tag} bulk gather K=2048 N=96 lhs + sorted rhs, {blocks} blocks"));
    }
    crate::GATHER_MAX_BLOCKS.store(0, Relaxed);
    // K around the kernel's k step (128 codes, nvfp4 64): mma.sync is warp-collective, so a step
    // that K cuts between a warp's lanes must never reach the kernel (K = 64 hung it on the H100,
    // session 4). Below one step, one and a half steps (gather_bulk_plan sends both to the
    // work-list kernel), exactly one step, three steps.
    let step = if spec.mode() == Mode::Nvfp4 { 64 } else { 128 };
    let mut kss = vec![step, 3 * step];
    if gs < step {
        kss.extend([gs, step + gs]);
    }
    for kk in kss {
        let mut idx: Vec<i32> = (0..11).map(|_| rng.below(5) as i32).collect();
        idx.sort();
        matmul_case::<T>(dev, t, rng, spec, g, &[5, 64, kk], &[11, 1, kk], true, None, rhs(idx), false, W_SD, &format!("{tag} bulk gather K={kk} (k step {step}) N=64"));
    }
    // Half-chunk k steps (4-bit affine, mxfp4; elsewhere the knob changes nothing): forced on with
    // K = 16·gs over a 2-block grid, and off at K = 768 (whole steps split 2+2+1+1).
    crate::GATHER_HALF_STEPS.store(1, Relaxed);
    crate::GATHER_MAX_BLOCKS.store(2, Relaxed);
    let mut idx: Vec<i32> = (0..30).map(|_| rng.below(5) as i32).collect();
    idx.sort();
    matmul_case::<T>(dev, t, rng, spec, g, &[5, 128, kl], &[30, 1, kl], true, None, rhs(idx), false, W_SD, &format!("{tag} bulk gather half steps K={kl} N=128, 2 blocks"));
    crate::GATHER_MAX_BLOCKS.store(0, Relaxed);
    crate::GATHER_HALF_STEPS.store(2, Relaxed);
    let mut idx: Vec<i32> = (0..20).map(|_| rng.below(9) as i32).collect();
    idx.sort();
    matmul_case::<T>(dev, t, rng, spec, g, &[9, 128, kd], &[20, 1, kd], true, None, rhs(idx), false, W_SD, &format!("{tag} bulk gather whole steps K={kd} N=128"));
    crate::GATHER_HALF_STEPS.store(0, Relaxed);
    // x rows in the ring stage (4-bit affine, mxfp4; elsewhere the knob changes nothing): forced on
    // at K = 16·gs over a 2-block grid (whole and half steps, items of 1-8 rows, the ring wrapping
    // several times), with lhs and unsorted rhs, and off at K = 768 (where it is on by default; a
    // bad index with x in the stage: the K = 768 "-1 inside" case above).
    crate::GATHER_X_STAGED.store(1, Relaxed);
    crate::GATHER_MAX_BLOCKS.store(2, Relaxed);
    for half in [1usize, 2] {
        crate::GATHER_HALF_STEPS.store(half, Relaxed);
        let mut idx: Vec<i32> = (0..45).map(|_| rng.below(8) as i32).collect();
        idx.sort();
        matmul_case::<T>(dev, t, rng, spec, g, &[8, 128, kl], &[45, 1, kl], true, None, rhs(idx), false, W_SD, &format!("{tag} bulk gather x staged (half knob {half}) K={kl} N=128, 2 blocks"));
    }
    crate::GATHER_HALF_STEPS.store(0, Relaxed);
    crate::GATHER_MAX_BLOCKS.store(0, Relaxed);
    let unsorted: Vec<i32> = (0..33).map(|_| rng.below(5) as i32).collect();
    let lhs: Vec<i32> = (0..33).map(|_| rng.below(11) as i32).collect();
    matmul_case::<T>(dev, t, rng, spec, g, &[5, 128, kd], &[11, 1, kd], true, Some((lhs, vec![33])), rhs(unsorted), false, W_SD, &format!("{tag} bulk gather x staged lhs + unsorted rhs K={kd} N=128"));
    crate::GATHER_X_STAGED.store(2, Relaxed);
    let mut idx: Vec<i32> = (0..26).map(|_| rng.below(9) as i32).collect();
    idx.sort();
    matmul_case::<T>(dev, t, rng, spec, g, &[9, 128, kd], &[26, 1, kd], true, None, rhs(idx), false, W_SD, &format!("{tag} bulk gather x not staged K={kd} N=128"));
    crate::GATHER_X_STAGED.store(0, Relaxed);
    if spec.mode() == Mode::Mxfp4 {
        // Scales around and past the packed 16-bit decode's exact range (f16: 2^1): groups of both paths.
        for amp in [4.0f32, 64.0] {
            let mut idx: Vec<i32> = (0..24).map(|_| rng.below(6) as i32).collect();
            idx.sort();
            matmul_case::<T>(dev, t, rng, spec, g, &[6, 128, kd], &[24, 1, kd], true, None, rhs(idx), false, amp, &format!("{tag} bulk gather large scales (weights sd {amp}) K={kd}"));
        }
    }
    crate::GATHER_BULK_BLOCKS.store(blocks_before, Relaxed);
    crate::GATHER_POLICY.store(before, Relaxed);
}

/// Programmatic dependent launch (bench/cuda-notes.md stage 20): the ring kernels (forced on) launched
/// right behind kernels that write what they read, with no host sync in between, on stream 0 or
/// captured into a CUDA graph on a stream of its own and replayed:
///   quantize writes w (codes, scales, biases; poisoned before) → A: y1 = x0·wᵀ (its predecessor
///   wrote the weights) → B: y2 = y1·wᵀ (its predecessor, a PDL kernel, writes B's x) → C: y1 ← x2·wᵀ
///   (its output overwrites B's x while B may still run if C stored before its wait).
/// N = K so that y1 is an x; checked against float64 (B's reference is the exact chain) with the CPU's
/// bound. M = 1 takes the M = 1 ring, M = 5 the M = 2..16 ring.
fn pdl_chain_case<T: Float + Element>(dev: &Device, t: &mut Tally, rng: &mut Rng, m: usize, graph: bool) {
    use std::sync::atomic::Ordering::Relaxed;
    let n = 2048usize;
    let label = format!("pdl chain {} affine4g64 M={m} N=K={n}{}", T::DTYPE, if graph { " graph" } else { "" });
    if !selected(&label) {
        return;
    }
    let spec = QuantSpec::new(Mode::Affine, 64, 4).unwrap();
    let w: Vec<T> = random_vec(rng, n * n, W_SD);
    let q = api::quantize(&w, &[n, n], spec, Rounding::Gpu, None).expect("cpu quantize");
    let x0: Vec<T> = random_vec(rng, m * n, 1.0);
    let x2: Vec<T> = random_vec(rng, m * n, 1.0);
    // float64 references: y1 = x0·ŵᵀ, y2 = y1·ŵᵀ (exact chain), y3 = x2·ŵᵀ; the CPU's own errors.
    let what = w_hat64(&q, n);
    let mm64 = |x: &[f64]| -> Vec<f64> {
        let mut y = vec![0f64; m * n];
        for mi in 0..m {
            for ni in 0..n {
                y[mi * n + ni] = (0..n).map(|k| x[mi * n + k] * what[ni * n + k]).sum();
            }
        }
        y
    };
    let f64s = |x: &[T]| -> Vec<f64> { x.iter().map(|v| v.to_f32() as f64).collect() };
    let y1_64 = mm64(&f64s(&x0));
    let y2_64 = mm64(&y1_64);
    let y3_64 = mm64(&f64s(&x2));
    let y1_cpu = api::quantized_matmul(&x0, &[m, n], &q, true).expect("cpu matmul");
    let y2_cpu = api::quantized_matmul(&y1_cpu, &[m, n], &q, true).expect("cpu matmul");
    let y3_cpu = api::quantized_matmul(&x2, &[m, n], &q, true).expect("cpu matmul");
    // GPU buffers.
    let qop = QuantizeOp::new(&Meta::new(T::DTYPE, &[n, n]), spec, Rounding::Gpu, None).unwrap();
    let ng: usize = qop.scales_shape.iter().product();
    let (wd, x0d, x2d) = (DevBuf::upload(&w), DevBuf::upload(&x0), DevBuf::upload(&x2));
    let (wq, sc, bi) = (DevBuf::new(n * n / 8 * 4), DevBuf::new(ng * 2), DevBuf::new(ng * 2));
    let (y1, y2) = (DevBuf::new(m * n * 2), DevBuf::new(m * n * 2));
    let xm = Meta::new(T::DTYPE, &[m, n]);
    let (wm, sm) = (Meta::new(DType::U32, &qop.wq_shape), Meta::new(T::DTYPE, &qop.scales_shape));
    let op = MatmulOp::gather_qmm(&xm, &wm, &sm, Some(&sm), None, None, true, spec, None, false).expect("describe");
    let (ring_before, r16_before) = (crate::WARP_RING_POLICY.load(Relaxed), crate::ring16::RING16_POLICY.load(Relaxed));
    crate::WARP_RING_POLICY.store(1, Relaxed);
    crate::ring16::RING16_POLICY.store(1, Relaxed);
    let chain = |stream: u64| -> qmlx_core::Result<()> {
        let mm = |x: &DevBuf, out: &DevBuf| unsafe {
            dev.matmul(&op, x.r(T::DTYPE, &[m, n]), wq.r(DType::U32, &qop.wq_shape), sc.r(T::DTYPE, &qop.scales_shape), Some(bi.r(T::DTYPE, &qop.scales_shape)), None, None, None, out.r(T::DTYPE, &[m, n]), stream)
        };
        unsafe { dev.quantize(&qop, wd.r(T::DTYPE, &[n, n]), None, wq.r(DType::U32, &qop.wq_shape), sc.r(T::DTYPE, &qop.scales_shape), Some(bi.r(T::DTYPE, &qop.scales_shape)), stream) }?;
        mm(&x0d, &y1)?;
        mm(&y1, &y2)?;
        mm(&x2d, &y1)
    };
    let poison = || {
        for b in [&wq, &sc, &bi, &y1, &y2] {
            b.fill(0x7F);
        }
    };
    poison();
    let mut note = String::new();
    let res: std::result::Result<(), String> = if !graph {
        chain(0).map_err(|e| e.to_string())
    } else {
        // Captured on a stream of its own, instantiated, launched once (buffers poisoned again).
        unsafe {
            let mut st: sys::CUstream = std::ptr::null_mut();
            let mut g: sys::CUgraph = std::ptr::null_mut();
            let mut ge: sys::CUgraphExec = std::ptr::null_mut();
            let r = (|| -> std::result::Result<(), String> {
                let e = |what: &'static str| move |err: cu::DriverError| format!("{what}: {err:?}");
                sys::cuStreamCreate(&mut st, 0).result().map_err(e("stream"))?;
                sys::cuStreamBeginCapture_v2(st, sys::CUstreamCaptureMode::CU_STREAM_CAPTURE_MODE_THREAD_LOCAL).result().map_err(e("begin capture"))?;
                let launched = chain(st as u64);
                sys::cuStreamEndCapture(st, &mut g).result().map_err(e("end capture"))?;
                launched.map_err(|x| x.to_string())?;
                let mut edges = 0usize;
                sys::cuGraphGetEdges_v2(g, std::ptr::null_mut(), std::ptr::null_mut(), std::ptr::null_mut(), &mut edges).result().map_err(e("edges"))?;
                let (mut from, mut to) = (vec![std::ptr::null_mut(); edges], vec![std::ptr::null_mut(); edges]);
                let mut data: Vec<sys::CUgraphEdgeData> = vec![std::mem::zeroed(); edges];
                sys::cuGraphGetEdges_v2(g, from.as_mut_ptr(), to.as_mut_ptr(), data.as_mut_ptr(), &mut edges).result().map_err(e("edges"))?;
                let programmatic = data.iter().filter(|d| d.type_ == sys::CUgraphDependencyType::CU_GRAPH_DEPENDENCY_TYPE_PROGRAMMATIC as u8).count();
                let _ = write!(note, "; graph: {edges} edges, {programmatic} programmatic");
                sys::cuGraphInstantiateWithFlags(&mut ge, g, 0).result().map_err(e("instantiate"))?;
                poison();
                sys::cuGraphLaunch(ge, st).result().map_err(e("graph launch"))?;
                sys::cuStreamSynchronize(st).result().map_err(e("stream sync"))?;
                Ok(())
            })();
            if !ge.is_null() {
                sys::cuGraphExecDestroy(ge);
            }
            if !g.is_null() {
                sys::cuGraphDestroy(g);
            }
            if !st.is_null() {
                sys::cuStreamDestroy_v2(st);
            }
            r
        }
    };
    crate::WARP_RING_POLICY.store(ring_before, Relaxed);
    crate::ring16::RING16_POLICY.store(r16_before, Relaxed);
    let status = dev.check_status();
    if let Err(e) = res.clone().and(status.map_err(|e| e.to_string())) {
        t.check(false, format!("{label}: {e}"));
        return;
    }
    let (gy2, gy3): (Vec<T>, Vec<T>) = (y2.download(m * n), y1.download(m * n));
    let (e2, c2) = (rel_err(&gy2, &y2_64), rel_err(&y2_cpu, &y2_64));
    let (e3, c3) = (rel_err(&gy3, &y3_64), rel_err(&y3_cpu, &y3_64));
    let _ = rel_err(&y1_cpu, &y1_64);
    let (b2, b3) = ((1.5 * c2).max(floor(T::DTYPE)), (1.5 * c3).max(floor(T::DTYPE)));
    t.check(e2 <= b2 && e3 <= b3, format!("{label}: B (x written by A) err {e2:.3e} (cpu {c2:.3e}, bound {b2:.1e}), C (out over B's x) err {e3:.3e} (cpu {c3:.3e}){note}"));
}

/// Runs the correctness suite on `dev`. `full` adds group sizes, shapes and M values.
pub fn run_correctness(dev: &Device, seed: u64, full: bool) -> Tally {
    let mut t = Tally::default();
    let (shard_i, shard_n) = shard();
    let _ = writeln!(t.log, "device {} (sm_{}{}), seed {seed}, full={full}, shard {shard_i}/{shard_n}", dev.name, dev.capability.0, dev.capability.1);
    let mut rng = Rng(seed);
    run_dtype::<f32>(dev, &mut t, &mut rng, full);
    run_dtype::<f16>(dev, &mut t, &mut rng, full);
    run_dtype::<bf16>(dev, &mut t, &mut rng, full);
    if shard().0 != 0 {
        return t;
    }
    if dev.capability.0 >= 9 {
        for graph in [false, true] {
            for m in [1usize, 5] {
                pdl_chain_case::<f16>(dev, &mut t, &mut rng, m, graph);
                pdl_chain_case::<bf16>(dev, &mut t, &mut rng, m, graph);
            }
        }
    }
    // A non-finite weight is reported as the CPU reports it.
    let spec = QuantSpec::new(Mode::Affine, 32, 4).unwrap();
    let mut w = vec![0.5f32; 4 * 64];
    w[2 * 64 + 7] = f32::NAN;
    let op = QuantizeOp::new(&Meta::new(DType::F32, &[4, 64]), spec, Rounding::Gpu, None).unwrap();
    let (wd, wq, sc, bi) = (DevBuf::upload(&w), DevBuf::new(4 * 8 * 4), DevBuf::new(8 * 4), DevBuf::new(8 * 4));
    let r = unsafe { dev.quantize(&op, wd.r(DType::F32, &[4, 64]), None, wq.r(DType::U32, &[4, 8]), sc.r(DType::F32, &[4, 2]), Some(bi.r(DType::F32, &[4, 2])), 0) }
        .and_then(|_| dev.check_status());
    t.check(matches!(r, Err(Error::NonFinite { row: 2, .. })), format!("non-finite weight -> {r:?}"));
    // Lazy reporting: an out-of-range index surfaces at the next op once the stream has run.
    let q = api::quantize(&vec![0.25f32; 2 * 64], &[2, 64], spec, Rounding::Gpu, None).unwrap();
    let up = upload_weight(&q, 1);
    let (xd, rd, od) = (DevBuf::upload(&vec![1.0f32; 64]), DevBuf::upload(&[0i32, 5]), DevBuf::new(2 * 2 * 4));
    let wshape = [2usize, 1, 8];
    let sshape = [2usize, 1, 2];
    let op = MatmulOp::gather_qmm(&Meta::new(DType::F32, &[1, 64]), &Meta::new(DType::U32, &wshape), &Meta::new(DType::F32, &sshape), Some(&Meta::new(DType::F32, &sshape)), None, Some(&Meta::new(DType::I32, &[2])), true, spec, None, true).unwrap();
    let launch = || unsafe {
        dev.matmul(&op, xd.r(DType::F32, &[1, 64]), up.wq.r(DType::U32, &wshape), up.scales.r(DType::F32, &sshape), up.biases.as_ref().map(|b| b.r(DType::F32, &sshape)), None, Some(rd.r(DType::I32, &[2])), None, od.r(DType::F32, &op.out_shape), 0)
    };
    let first = launch();
    cu::ctx::synchronize().unwrap();
    let second = launch();
    let third = dev.check_status();
    t.check(first.is_ok() && matches!(second, Err(Error::Index { index: 5, bound: 2, .. })) && third.is_ok(), format!("lazy index error: first {first:?}, next call {second:?}, check {third:?}"));
    t
}

/// Raw device handles used by the benchmark's timing.
pub struct Timer {
    start: sys::CUevent,
    stop: sys::CUevent,
    /// The stream the timed calls go to (null: the legacy default stream).
    pub stream: sys::CUstream,
}
impl Timer {
    /// Two events on the current context; the default stream.
    pub fn new() -> Timer {
        let f = sys::CUevent_flags::CU_EVENT_DEFAULT;
        Timer { start: cu::event::create(f).unwrap(), stop: cu::event::create(f).unwrap(), stream: std::ptr::null_mut() }
    }
    /// The benchmark's timer: the default stream, or with QMLX_BENCH_STREAM=1 a non-blocking
    /// stream of its own (the calls' `stream` argument must then be [`Timer::stream`]).
    pub fn for_bench() -> Timer {
        let mut t = Timer::new();
        if std::env::var("QMLX_BENCH_STREAM").is_ok_and(|v| v == "1") {
            unsafe { sys::cuStreamCreate(&mut t.stream, 1) }.result().unwrap();
        }
        t
    }
    /// Times `iters` back-to-back calls of `f(i)` on the timer's stream; returns µs per call.
    pub fn time(&self, iters: usize, mut f: impl FnMut(usize)) -> f64 {
        for i in 0..3 {
            f(i);
        }
        unsafe {
            cu::event::record(self.start, self.stream).unwrap();
            for i in 0..iters {
                f(i);
            }
            cu::event::record(self.stop, self.stream).unwrap();
            cu::event::synchronize(self.stop).unwrap();
            cu::event::elapsed(self.start, self.stop).unwrap() as f64 * 1000.0 / iters as f64
        }
    }
}
impl Default for Timer {
    fn default() -> Self {
        Self::new()
    }
}
