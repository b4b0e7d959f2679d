//! CPU benchmark of `qmlx_core::cpu::matmul` (issue 4).
//!
//! For each shape (N×K: y = x @ Ŵᵀ with Ŵ stored [N, K]; `--orient n` adds transpose=False,
//! Ŵ stored [K, N]), quantization, dtype and M it prints µs per call and GB/s of weights
//! (packed codes + scales + biases), with the weights streamed from memory: each configuration
//! rotates over distinct copies totalling more than 1 GiB, so no call finds its weights in cache.
//! It also measures the machine's read bandwidth (STREAM-like parallel sums over 128 MiB slices
//! of 2 GiB) in the same run, interleaved: before every configuration; the best over the run is
//! reported, and per row the better of the probes right before and after its configuration
//! (`near`: the host's memory has a slow and a fast state that change within seconds). Output: a table on stdout and CSV lines (`--csv PATH`) that `bench/cpu_bench.py`
//! merges with torch and MLX timings.
//!
//! Usage: `cargo run --release -p qmlx-bench -- [--quick] [--csv PATH] [--kernels NAME]
//!        [--shapes 4096x4096,...] [--m 1,4,16,256] [--dtypes f32,f16,bf16] [--specs affine4g64,...]
//!        [--rotate-mib MIB] [--no-bw] [--min] [--orient t,n]`

use half::{bf16, f16};
use qmlx_core::api::{self, GroupParams, QuantizedWeight};
use qmlx_core::cpu::{self, GatherIndices, Kernels};
use qmlx_core::{DType, Element, Float, MatmulOp, Mode, QuantSpec, Rounding, TensorMut, TensorRef};
use std::io::Write;
use std::time::{Duration, Instant};

/// Total bytes of weight copies each configuration rotates over (the L3 holds ~32–110 MiB).
const ROTATE_BYTES: usize = 1100 << 20;
/// Time spent measuring one (configuration, M).
const MEASURE: Duration = Duration::from_millis(400);

struct Args {
    shapes: Vec<(usize, usize)>,
    ms: Vec<usize>,
    dtypes: Vec<DType>,
    specs: Vec<String>,
    csv: Option<String>,
    kernels: Kernels,
    /// Bytes of weight copies to rotate over (`--rotate-mib`, default 1100).
    rotate: usize,
    /// Skip the read-bandwidth measurement (`--no-bw`, for profiling).
    no_bw: bool,
    /// Orientations: `true` = transpose=True (Ŵ stored [N, K], the decode layout), `false` =
    /// transpose=False (Ŵ stored [K, N], `x @ Ŵ`, CSV kind `qmlx_nt`). `--orient t,n`.
    orients: Vec<bool>,
    /// Report the fastest batch instead of the median (`--min`: for A/B of kernel changes on a
    /// busy machine, with weights in cache, where only preemption makes a batch slower).
    min: bool,
    /// f16/bf16 only on the first shape (x conversion aside, the kernels are the same).
    half_first_shape_only: bool,
}

fn all_specs() -> Vec<String> {
    let mut v: Vec<String> = [1, 2, 3, 4, 5, 6, 8].iter().map(|b| format!("affine{b}g64")).collect();
    v.extend(["affine4g32", "affine4g128", "mxfp4", "mxfp8", "nvfp4"].map(String::from));
    v
}

fn parse_spec(s: &str) -> QuantSpec {
    if let Some(rest) = s.strip_prefix("affine") {
        let (b, g) = rest.split_once('g').expect("affine<bits>g<group>");
        QuantSpec::new(Mode::Affine, g.parse().unwrap(), b.parse().unwrap()).unwrap()
    } else {
        QuantSpec::parse(s, None, None).unwrap()
    }
}

fn parse_args() -> Args {
    let mut a = Args {
        shapes: vec![(4096, 4096), (14336, 4096), (4096, 14336), (2048, 768)],
        ms: vec![1, 4, 16, 256],
        dtypes: vec![DType::F32, DType::F16, DType::BF16],
        specs: all_specs(),
        csv: None,
        kernels: Kernels::active(),
        half_first_shape_only: true,
        rotate: ROTATE_BYTES,
        no_bw: false,
        min: false,
        orients: vec![true],
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--quick" => {
                a.shapes = vec![(4096, 4096)];
                a.ms = vec![1, 256];
                a.specs = vec!["affine4g64".into(), "affine3g64".into(), "mxfp4".into()];
                a.dtypes = vec![DType::F32];
            }
            "--shapes" => {
                a.shapes = val()
                    .split(',')
                    .map(|s| {
                        let (n, k) = s.split_once('x').expect("NxK");
                        (n.parse().unwrap(), k.parse().unwrap())
                    })
                    .collect()
            }
            "--m" => a.ms = val().split(',').map(|s| s.parse().unwrap()).collect(),
            "--dtypes" => a.dtypes = val().split(',').map(|s| DType::parse(s).expect("dtype")).collect(),
            "--specs" => a.specs = val().split(',').map(String::from).collect(),
            "--csv" => a.csv = Some(val()),
            "--kernels" => a.kernels = Kernels::parse(&val()).expect("reference|portable|avx2|avx512"),
            "--rotate-mib" => a.rotate = val().parse::<usize>().unwrap() << 20,
            "--no-bw" => a.no_bw = true,
            "--min" => a.min = true,
            "--orient" => {
                a.orients = val()
                    .split(',')
                    .map(|o| match o {
                        "t" => true,
                        "n" => false,
                        _ => panic!("--orient takes t (transpose=True) and/or n (transpose=False)"),
                    })
                    .collect()
            }
            "--all-dtypes-all-shapes" => a.half_first_shape_only = false,
            other => panic!("unknown flag {other}"),
        }
    }
    a
}

/// A fast deterministic generator for weights and activations (quality is irrelevant here).
struct XorShift(u64);
impl XorShift {
    fn next_u32(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 32) as u32
    }
    fn next_f32(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn sum_avx2(s: &[u64]) -> u64 {
    // Eight independent lanes of wrapping adds: LLVM emits AVX2 loads, nothing else to wait on.
    let mut acc = [0u64; 8];
    for c in s.chunks_exact(8) {
        for i in 0..8 {
            acc[i] = acc[i].wrapping_add(c[i]);
        }
    }
    acc.iter().fold(0, |a, b| a.wrapping_add(*b))
}

fn sum(s: &[u64]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx2") {
        // SAFETY: AVX2 is present.
        return unsafe { sum_avx2(s) };
    }
    s.iter().fold(0, |a, b| a.wrapping_add(*b))
}

/// Bytes per timed window of the read-bandwidth probe.
const PROBE_SLICE: usize = 128 << 20;

/// The read-bandwidth probe: parallel sums over 2 GiB of distinct pages (identical pages could
/// be merged by the host and hit in cache).
struct ReadProbe {
    data: Vec<u64>,
    /// Fastest sum seen so far, GB/s (10^9 bytes).
    best: f64,
    /// Fastest sum of the latest `measure` call alone: the memory state next to a
    /// configuration (the host's memory has a slow and a fast state that change within seconds).
    last: f64,
    /// Every window's GB/s: on the session-13 host the best window (`best`) is the memory's fast
    /// state, ~2× the median window, which is how most of a run reads (cpu-2026-11-28-stage11-notes.md),
    /// so the median window and the best whole pass are reported next to it.
    windows: Vec<f64>,
    /// Fastest whole pass over the 2 GiB (all slices' times summed): STREAM's own statistic
    /// (best of several passes over arrays far larger than the caches).
    best_pass: f64,
}

impl ReadProbe {
    fn new() -> Self {
        ReadProbe { data: (0..(2u64 << 30) / 8).collect(), best: 0.0, last: 0.0, windows: vec![], best_pass: 0.0 }
    }

    /// Runs `reps` sums; returns the best GB/s seen over the whole run so far. Called before
    /// every configuration too, so that the probe sees the same quiet and busy moments of the
    /// shared machine as the kernels (whose fastest or median batch is reported).
    fn measure(&mut self, reps: usize) -> f64 {
        use rayon::prelude::*;
        let mut check = 0u64;
        self.last = 0.0;
        // Timed per 128 MiB slice (4× the L3; each slice read once per pass, so from memory):
        // windows of a few ms, like the kernels' shortest batches, see the same quiet moments.
        for _ in 0..reps {
            let mut pass_seconds = 0.0;
            for slice in self.data.chunks(PROBE_SLICE / 8) {
                let t = Instant::now();
                check = check.wrapping_add(slice.par_chunks(1 << 17).map(sum).reduce(|| 0, |a, b| a.wrapping_add(b)));
                let seconds = t.elapsed().as_secs_f64();
                pass_seconds += seconds;
                let gbps = (slice.len() * 8) as f64 / seconds / 1e9;
                self.windows.push(gbps);
                self.last = self.last.max(gbps);
                self.best = self.best.max(self.last);
            }
            self.best_pass = self.best_pass.max((self.data.len() * 8) as f64 / pass_seconds / 1e9);
        }
        std::hint::black_box(check);
        self.best
    }

    /// The median window of the run so far, GB/s.
    fn median_window(&self) -> f64 {
        let mut w = self.windows.clone();
        w.sort_by(|a, b| a.total_cmp(b));
        w.get(w.len() / 2).copied().unwrap_or(f64::NAN)
    }
}

struct Copy_ {
    wq: Vec<u32>,
    s_f: Vec<u8>, // scales (and biases) as bytes, whatever their dtype
    b_f: Vec<u8>,
}

fn bytes_of<T: bytemuck::Pod>(v: &[T]) -> Vec<u8> {
    bytemuck::cast_slice(v).to_vec()
}

/// Times `cpu::matmul` for every M on one quantized weight; returns (M, µs) pairs.
/// Returns the weight bytes and, per M, (M, wall µs per call, CPU µs per call).
fn bench_config<T: Float + Element>(a: &Args, n: usize, k: usize, spec: QuantSpec, seed: u64, transpose: bool) -> (usize, Vec<(usize, f64, f64)>) {
    let mut rng = XorShift(seed | 1);
    let w: Vec<T> = (0..n * k).map(|_| T::from_f32(rng.next_f32())).collect();
    let gscale = if spec.mode() == Mode::Nvfp4 { Some(1.0f32) } else { None };
    let w_shape = if transpose { [n, k] } else { [k, n] };
    let q: QuantizedWeight<T> = api::quantize(&w, &w_shape, spec, Rounding::Gpu, gscale).unwrap();
    drop(w);
    let (s_bytes, b_bytes, s_dtype) = match &q.params {
        GroupParams::Affine { scales, biases } => (bytes_of(scales), bytes_of(biases), T::DTYPE),
        GroupParams::Fp { scales, .. } => (scales.clone(), vec![], DType::U8),
    };
    let wbytes = q.wq.len() * 4 + s_bytes.len() + b_bytes.len();
    let copies = a.rotate.div_ceil(wbytes).max(2);
    // Copies differ in every page (fresh random codes; scales and biases rotated by `c`
    // elements): identical pages may be merged by the host (KSM), which let some copies hit
    // in cache and showed >100% of the read bandwidth (8-bit, 14336×4096).
    let esize = if spec.has_biases() { T::DTYPE.size() } else { 1 };
    let rotated = |v: &[u8], c: usize| -> Vec<u8> {
        let mut r = v.to_vec();
        if !r.is_empty() {
            let by = (c * esize) % r.len();
            r.rotate_left(by);
        }
        r
    };
    let pool: Vec<Copy_> = (0..copies)
        .map(|c| Copy_ {
            wq: if c == 0 { q.wq.clone() } else { (0..q.wq.len()).map(|_| rng.next_u32()).collect() },
            s_f: rotated(&s_bytes, c),
            b_f: rotated(&b_bytes, c),
        })
        .collect();
    let g = [1.0f32];
    let mut res = vec![];
    for &m in &a.ms {
        let x: Vec<T> = (0..m * k).map(|_| T::from_f32(rng.next_f32())).collect();
        let mut out = vec![T::default(); m * n];
        let (xs, os) = ([m, k], [m, n]);
        let xr = TensorRef::new(&x, &xs).unwrap();
        let w0 = TensorRef::new(&pool[0].wq, &q.wq_shape).unwrap();
        let s0 = TensorRef::from_bytes("scales", s_dtype, &q.scales_shape, &pool[0].s_f).unwrap();
        let b0 = (!pool[0].b_f.is_empty()).then(|| TensorRef::from_bytes("biases", s_dtype, &q.scales_shape, &pool[0].b_f).unwrap());
        let g_meta = gscale.map(|_| qmlx_core::Meta::new(DType::F32, &[]));
        let op = MatmulOp::gather_qmm(&xr.meta(), &w0.meta(), &s0.meta(), b0.map(|b| b.meta()).as_ref(), None, None, transpose, spec, g_meta.as_ref(), false)
            .unwrap();
        let mut call = |c: &Copy_, out: &mut [T]| {
            let w = TensorRef::new(&c.wq, &q.wq_shape).unwrap();
            let s = TensorRef::from_bytes("scales", s_dtype, &q.scales_shape, &c.s_f).unwrap();
            let b = (!c.b_f.is_empty()).then(|| TensorRef::from_bytes("biases", s_dtype, &q.scales_shape, &c.b_f).unwrap());
            let gr = gscale.map(|_| TensorRef::new(&g[..], &[]).unwrap());
            cpu::matmul_with(a.kernels, &op, xr, w, s, b, GatherIndices::default(), gr, TensorMut::new(out, &os).unwrap()).unwrap();
        };
        call(&pool[0], &mut out);
        // Batches of calls walking the copies in order; the median batch mean is reported.
        let batch = copies.min(((MEASURE.as_secs_f64() / 3.0) / est_seconds(&mut call, &pool, &mut out)).max(1.0) as usize);
        // --min: more, shorter batches (the fastest is reported).
        let batch = if a.min { batch.div_ceil(8) } else { batch };
        let mut means = vec![];
        let (start, cpu0, i0) = (Instant::now(), cpu_seconds(), 0usize);
        let mut i = 0;
        while means.len() < 3 || start.elapsed() < MEASURE {
            let t = Instant::now();
            for _ in 0..batch {
                call(&pool[i % copies], &mut out);
                i += 1;
            }
            means.push(t.elapsed().as_secs_f64() / batch as f64);
        }
        let cpu_per_call = (cpu_seconds() - cpu0) / (i - i0) as f64;
        means.sort_by(|a, b| a.partial_cmp(b).unwrap());
        std::hint::black_box(&out);
        res.push((m, if a.min { means[0] } else { means[means.len() / 2] } * 1e6, cpu_per_call * 1e6));
    }
    (wbytes, res)
}

/// CPU seconds (user + system) this process has used, from /proc/self/stat (Linux; else NaN).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return f64::NAN };
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')').map_or(0, |i| i + 2)..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f[11].parse::<f64>().unwrap_or(f64::NAN) + f[12].parse::<f64>().unwrap_or(f64::NAN);
    ticks / 100.0
}

/// Seconds of one call on a cold copy.
fn est_seconds<T>(call: &mut impl FnMut(&Copy_, &mut [T]), pool: &[Copy_], out: &mut [T]) -> f64 {
    let t = Instant::now();
    call(&pool[pool.len() / 2], out);
    t.elapsed().as_secs_f64().max(1e-6)
}

fn main() {
    let a = parse_args();
    let mut csv: Box<dyn Write> = match &a.csv {
        Some(p) => Box::new(std::fs::File::create(p).expect("create csv")),
        None => Box::new(std::io::sink()),
    };
    let threads = rayon::current_num_threads();
    println!("qmlx-bench: kernels={} threads={threads}", a.kernels.name());
    let mut probe = (!a.no_bw).then(ReadProbe::new);
    if let Some(p) = probe.as_mut() {
        println!("read bandwidth at start (best of 5): {:.1} GB/s", p.measure(5));
    }
    println!("{:>11} {:>12} {:>5} {:>4} {:>10} {:>8} {:>10}", "N×K", "spec", "dtype", "M", "µs", "GB/s", "CPU µs");
    #[allow(clippy::type_complexity)]
    let mut rows: Vec<(&str, usize, usize, String, String, DType, String, usize, f64, f64, usize, f64, f64)> = vec![];
    // First row of the configuration being measured (its rows' `near` probe is filled in later).
    let mut cfg_start = 0;
    let mut seed = 0x5eed_u64;
    for (si, &(n, k)) in a.shapes.iter().enumerate() {
        for (spec_name, &transpose) in a.specs.iter().flat_map(|s| a.orients.iter().map(move |o| (s, o))) {
            let spec = parse_spec(spec_name);
            for &dt in &a.dtypes {
                if dt != DType::F32 && a.half_first_shape_only && si > 0 {
                    continue;
                }
                // The probe before this configuration; `near` of the previous one's rows.
                let before = probe.as_mut().map_or(f64::NAN, |p| {
                    p.measure(3);
                    p.last
                });
                for r in rows[cfg_start..].iter_mut() {
                    r.12 = r.12.max(before);
                }
                cfg_start = rows.len();
                seed += 1;
                let (wbytes, res) = match dt {
                    DType::F32 => bench_config::<f32>(&a, n, k, spec, seed, transpose),
                    DType::F16 => bench_config::<f16>(&a, n, k, spec, seed, transpose),
                    _ => bench_config::<bf16>(&a, n, k, spec, seed, transpose),
                };
                let kind = if transpose { "qmlx" } else { "qmlx_nt" };
                for (m, us, cpu_us) in res {
                    let gbps = wbytes as f64 / (us * 1e-6) / 1e9;
                    let name = if transpose { spec_name.clone() } else { format!("{spec_name} nt") };
                    let dtn = dt.name().replace("float", "f");
                    println!("{:>11} {:>12} {:>5} {:>4} {:>10.1} {:>8.2} {:>10.1}", format!("{n}×{k}"), name, dtn, m, us, gbps, cpu_us);
                    rows.push((kind, n, k, spec_name.clone(), name, dt, dtn, m, us, gbps, wbytes, cpu_us, before));
                }
            }
        }
    }
    let bw = probe.as_mut().map_or(f64::NAN, |p| p.measure(3));
    let after = probe.as_ref().map_or(f64::NAN, |p| p.last);
    for r in rows[cfg_start..].iter_mut() {
        r.12 = r.12.max(after);
    }
    println!(
        "\nread bandwidth, best over the run (parallel sums over 128 MiB slices of 2 GiB, 5 passes at the start, 3 before every configuration, 3 at the end): {bw:.1} GB/s"
    );
    let (median, pass) = probe.as_ref().map_or((f64::NAN, f64::NAN), |p| (p.median_window(), p.best_pass));
    println!("the same probe's median 128 MiB window: {median:.1} GB/s; its best whole 2 GiB pass (STREAM's statistic): {pass:.1} GB/s");
    // near: the better of the probes right before and right after the row's configuration
    // (3 passes each), so rows of one run that fell into different memory states can be read
    // against their own state as well as against the run's best.
    println!("{:>11} {:>12} {:>5} {:>4} {:>10} {:>8} {:>7} {:>7} {:>8} {:>7}", "N×K", "spec", "dtype", "M", "µs", "GB/s", "%read", "%pass", "near", "%near");
    writeln!(csv, "read_bandwidth_GBps,{bw:.3}").unwrap();
    writeln!(csv, "read_median_window_GBps,{median:.3}").unwrap();
    writeln!(csv, "read_best_pass_GBps,{pass:.3}").unwrap();
    writeln!(csv, "kind,N,K,spec,dtype,M,us,GBps_weights,weight_bytes,kernels,cpu_us,probe_near_GBps").unwrap();
    for (kind, n, k, spec_name, name, dt, dtn, m, us, gbps, wbytes, cpu_us, near) in rows {
        println!(
            "{:>11} {:>12} {:>5} {:>4} {:>10.1} {:>8.2} {:>6.0}% {:>6.0}% {:>8.1} {:>6.0}%",
            format!("{n}×{k}"),
            name,
            dtn,
            m,
            us,
            gbps,
            100.0 * gbps / bw,
            100.0 * gbps / pass,
            near,
            100.0 * gbps / near
        );
        writeln!(csv, "{kind},{n},{k},{spec_name},{},{m},{us:.2},{gbps:.3},{wbytes},{},{cpu_us:.2},{near:.3}", dt.name(), a.kernels.name()).unwrap();
    }
}
