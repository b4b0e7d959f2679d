//! Benchmark run on the GPU machine (`qmlx-cuda-check bench`): the device-to-device copy bandwidth
//! (the roofline), then quantized_matmul over the shapes, modes, dtypes and M, and
//! gather_qmm for a Qwen3-30B-A3B-shaped MoE layer. Weights rotate over copies totalling > 200 MB
//! (4× the H100's L2); each number is CUDA events around many back-to-back calls. Prints CSV.

use crate::suite::{DevBuf, Rng, Timer};
use crate::Device;
use cudarc::driver::result as cu;
use qmlx_core::format::Mode;
use qmlx_core::half::{bf16, f16};
use qmlx_core::{DType, MatmulOp, Meta, QuantSpec};

const ROTATE_BYTES: usize = 200 << 20;

struct Pools {
    words: DevBuf,
    aff_f16: DevBuf,
    aff_bf16: DevBuf,
    e8m0: DevBuf,
    e4m3: DevBuf,
    x: DevBuf,
    out: DevBuf,
}

fn pools(rng: &mut Rng) -> Pools {
    let words: Vec<u32> = (0..(512usize << 20) / 4).map(|_| rng.next() as u32).collect();
    let n16 = (64usize << 20) / 2;
    let s16: Vec<f32> = (0..n16).map(|i| if i % 2 == 0 { 0.001 + 0.01 * rng.uniform() } else { -0.05 * rng.uniform() }).collect();
    let a16: Vec<f16> = s16.iter().map(|&v| f16::from_f32(v)).collect();
    let ab16: Vec<bf16> = s16.iter().map(|&v| bf16::from_f32(v)).collect();
    let e8: Vec<u8> = (0..64usize << 20).map(|_| 118 + rng.below(6) as u8).collect();
    let e4: Vec<u8> = (0..64usize << 20).map(|_| 0x20 + rng.below(16) as u8).collect();
    let xs: Vec<f16> = (0..(128usize << 20) / 2).map(|_| f16::from_f32(rng.normal(1.0))).collect();
    Pools {
        words: DevBuf::upload(&words),
        aff_f16: DevBuf::upload(&a16),
        aff_bf16: DevBuf::upload(&ab16),
        e8m0: DevBuf::upload(&e8),
        e4m3: DevBuf::upload(&e4),
        x: DevBuf::upload(&xs),
        out: DevBuf::new(256 << 20),
    }
}

/// Measures device-to-device copy bandwidth (bytes read + written per second).
pub fn copy_bandwidth(timer: &Timer) -> f64 {
    let bytes = 1usize << 30;
    let (a, b) = (DevBuf::new(bytes), DevBuf::new(bytes));
    a.fill(1);
    let us = timer.time(20, |_| unsafe { cu::memcpy_dtod_async(b.ptr, a.ptr, bytes, timer.stream) }.unwrap());
    2.0 * bytes as f64 / (us * 1e-6)
}

struct Case {
    spec: QuantSpec,
    dtype: DType,
}

fn scales_buf<'a>(p: &'a Pools, c: &Case) -> &'a DevBuf {
    match (c.spec.mode(), c.dtype) {
        (Mode::Affine, DType::BF16) => &p.aff_bf16,
        (Mode::Affine, _) => &p.aff_f16,
        (Mode::Nvfp4, _) => &p.e4m3,
        _ => &p.e8m0,
    }
}

/// Times one quantized_matmul / gather_qmm configuration; returns µs per call.
#[allow(clippy::too_many_arguments)]
fn time_matmul(dev: &Device, timer: &Timer, p: &Pools, c: &Case, w_shape: &[usize], x_shape: &[usize], rhs_sets: Option<&[DevBuf]>, rhs_len: usize) -> f64 {
    let (rows, cols) = (w_shape[w_shape.len() - 2], w_shape[w_shape.len() - 1]);
    let w_count: usize = w_shape[..w_shape.len() - 2].iter().product();
    let spec = c.spec;
    let wq_shape: Vec<usize> = w_shape[..w_shape.len() - 1].iter().copied().chain([spec.packed_words(cols)]).collect();
    let sc_shape: Vec<usize> = w_shape[..w_shape.len() - 1].iter().copied().chain([cols / spec.group_size() as usize]).collect();
    let sdt = spec.scales_dtype(c.dtype);
    let rhs_shape = [rhs_len];
    let op = MatmulOp::gather_qmm(
        &Meta::new(c.dtype, x_shape),
        &Meta::new(DType::U32, &wq_shape),
        &Meta::new(sdt, &sc_shape),
        spec.has_biases().then(|| Meta::new(sdt, &sc_shape)).as_ref(),
        None,
        rhs_sets.map(|_| Meta::new(DType::I32, &rhs_shape)).as_ref(),
        true,
        spec,
        None,
        rhs_sets.is_some(),
    )
    .unwrap();
    let wbytes = w_count * rows * spec.packed_words(cols) * 4;
    let sbytes = w_count * rows * (cols / spec.group_size() as usize) * sdt.size();
    let copies = if rhs_sets.is_some() { 1 } else { ROTATE_BYTES.div_ceil(wbytes).max(2) };
    assert!(copies * wbytes <= p.words.bytes, "weight pool too small");
    let sb = scales_buf(p, c);
    let bias_off = sb.bytes / 2;
    assert!(copies * sbytes <= bias_off);
    let x_bytes = x_shape.iter().product::<usize>() * c.dtype.size();
    let out_bytes = op.out_shape.iter().product::<usize>() * c.dtype.size();
    assert!(x_bytes <= p.x.bytes && out_bytes <= p.out.bytes);
    let call = |i: usize| {
        let j = i % copies;
        let rhs = rhs_sets.map(|s| s[i % s.len()].r(DType::I32, &rhs_shape));
        unsafe {
            dev.matmul(
                &op,
                p.x.r(c.dtype, x_shape),
                crate::DevRef::new(p.words.ptr + (j * wbytes) as u64, DType::U32, &wq_shape),
                crate::DevRef::new(sb.ptr + (j * sbytes) as u64, sdt, &sc_shape),
                spec.has_biases().then(|| crate::DevRef::new(sb.ptr + (bias_off + j * sbytes) as u64, sdt, &sc_shape)),
                None,
                rhs,
                None,
                p.out.r(c.dtype, &op.out_shape),
                timer.stream as u64,
            )
        }
        .unwrap();
    };
    // QMLX_BENCH_PROFILE=1: one call, untimed (a profiler's launch per row).
    if std::env::var("QMLX_BENCH_PROFILE").is_ok_and(|v| v == "1") {
        call(0);
        return 0.0;
    }
    // Size the run: about 30 ms of work, 10..500 calls.
    let est = timer.time(3, call);
    let iters = ((30_000.0 / est) as usize).clamp(10, 500);
    timer.time(iters, call)
}

fn spec_name(c: &Case) -> String {
    match c.spec.mode() {
        Mode::Affine => format!("affine{}g{}", c.spec.bits(), c.spec.group_size()),
        m => m.name().to_string(),
    }
}

/// Calibration of the M = 1 ring (`bench --calibrate`; bench/cuda-notes.md stage 20): for affine 4-bit
/// g64 f16 at M = 1 on the K = 4096 shapes and 4096×14336, the same bytes and weight rotation as the
/// benchmark's rows timed three ways, all launched as the decode kernels are (programmatic dependent
/// launch unless QMLX_PDL=0): `ring` the kernel the matmul takes (the per-warp ring), `ring_stream`
/// its streaming alone (8 warps, decode and mma compiled out), `read_probe` plain 16-byte loads over
/// as many bytes (kernels/probe.cuh). Prints rows `calib,N,K,mode,dtype,M,us,GBps,pct_roofline,what`.
pub fn calibrate(dev: &Device) {
    use std::sync::atomic::Ordering::Relaxed;
    let timer = Timer::for_bench();
    let bw = copy_bandwidth(&timer);
    println!("# device {} sm_{}{}, {} SMs; calibration", dev.name, dev.capability.0, dev.capability.1, dev.sm_count);
    println!("# programmatic dependent launch {}, stream {}", if dev.pdl() { "on" } else { "off" }, if timer.stream.is_null() { "default" } else { "own" });
    println!("copy_bandwidth_GBps,{:.1}", bw / 1e9);
    let mut rng = Rng(0x5EED);
    let p = pools(&mut rng);
    let c = Case { spec: QuantSpec::new(Mode::Affine, 64, 4).unwrap(), dtype: DType::F16 };
    println!("kind,N,K,mode,dtype,M,us,GBps,pct_roofline,what");
    for (n, k) in [(14336usize, 4096usize), (28672, 4096), (4096, 14336)] {
        let groups = n * k / 64;
        let bytes = n * k / 2 + groups * 2 * 2 + (k + n) * 2;
        let row = |what: &str, us: f64| {
            println!("calib,{n},{k},affine4g64,float16,1,{us:.2},{:.1},{:.1},{what}", bytes as f64 / (us * 1e-6) / 1e9, 100.0 * bytes as f64 / bw * 1e6 / us);
        };
        row("ring", time_matmul(dev, &timer, &p, &c, &[n, k], &[1, k], None, 0));
        let (policy, warps) = (crate::WARP_RING_POLICY.load(Relaxed), crate::WARP_RING_WARPS.load(Relaxed));
        crate::WARP_RING_POLICY.store(1, Relaxed);
        crate::WARP_RING_WARPS.store(8, Relaxed);
        crate::WARP_RING_STREAM_ONLY.store(true, Relaxed);
        row("ring_stream", time_matmul(dev, &timer, &p, &c, &[n, k], &[1, k], None, 0));
        crate::WARP_RING_STREAM_ONLY.store(false, Relaxed);
        crate::WARP_RING_POLICY.store(policy, Relaxed);
        crate::WARP_RING_WARPS.store(warps, Relaxed);
        // The same bytes per call, rotated over copies totalling > ROTATE_BYTES as time_matmul does.
        let span = bytes.div_ceil(256) * 256;
        let copies = ROTATE_BYTES.div_ceil(span).max(2);
        assert!(copies * span <= p.words.bytes);
        let call = |i: usize| unsafe { dev.read_probe(p.words.ptr + ((i % copies) * span) as u64, bytes / 16 * 16, p.out.ptr, timer.stream as u64) }.unwrap();
        let est = timer.time(3, call);
        row("read_probe", timer.time(((30_000.0 / est) as usize).clamp(10, 500), call));
    }
}

/// Runs the benchmark and prints CSV rows: `kind,N,K,mode,dtype,M,us,GBps,pct_roofline,TFLOPs`.
/// `decode`: only the decode range (M = 1, 2, 4, 8, 16) of the four shapes, every case, and the MoE layer.
/// `prefill`: only M = 256, 1024, 4096 of the four shapes, every case, no MoE (the qmm kernels' check).
pub fn run(dev: &Device, quick: bool, decode: bool, prefill: bool) {
    let timer = Timer::for_bench();
    let bw = copy_bandwidth(&timer);
    println!(
        "# device {} sm_{}{}, {} SMs, qmm path {}",
        dev.name,
        dev.capability.0,
        dev.capability.1,
        dev.sm_count,
        if crate::sm90::active(dev) { "sm90 (wgmma)" } else { "portable (wmma)" }
    );
    println!("# programmatic dependent launch {}, stream {}", if dev.pdl() { "on" } else { "off" }, if timer.stream.is_null() { "default" } else { "own" });
    println!("copy_bandwidth_GBps,{:.1}", bw / 1e9);
    let mut rng = Rng(0x5EED);
    let p = pools(&mut rng);
    let shapes: &[(usize, usize)] = if quick { &[(14336, 4096)] } else { &[(4096, 4096), (14336, 4096), (4096, 14336), (28672, 4096)] };
    let ms: &[usize] = if decode {
        &[1, 2, 4, 8, 16]
    } else if prefill {
        &[256, 1024, 4096]
    } else if quick {
        &[1, 16, 1024]
    } else {
        &[1, 2, 4, 8, 16, 32, 64, 256, 1024, 4096]
    };
    // QMLX_BENCH_MS=1,2,4 restricts the M values (e.g. to the bulk kernel's range).
    let ms_env: Option<Vec<usize>> = std::env::var("QMLX_BENCH_MS").ok().map(|v| v.split(',').filter_map(|m| m.trim().parse().ok()).collect());
    let ms: &[usize] = ms_env.as_deref().unwrap_or(ms);
    let mut cases = Vec::new();
    // QMLX_BENCH_AFFINE_GS=32: the affine rows with groups of 32 (the kernels' other group-size path).
    let affine_gs: Option<u32> = std::env::var("QMLX_BENCH_AFFINE_GS").ok().and_then(|v| v.parse().ok());
    for (mode, gs, bits) in [
        (Mode::Affine, 64, 4),
        (Mode::Affine, 64, 8),
        (Mode::Affine, 64, 2),
        (Mode::Affine, 64, 3),
        (Mode::Affine, 64, 5),
        (Mode::Affine, 64, 6),
        (Mode::Mxfp4, 32, 4),
        (Mode::Mxfp8, 32, 8),
        (Mode::Nvfp4, 16, 4),
    ] {
        let gs = if mode == Mode::Affine { affine_gs.unwrap_or(gs) } else { gs };
        let spec = QuantSpec::new(mode, gs, bits).unwrap();
        cases.push(Case { spec, dtype: DType::F16 });
        // bf16 for the 4/8-bit affine rows, (prefill) mxfp4 and (decode) the fp modes.
        if (mode == Mode::Affine && (bits == 4 || bits == 8)) || (prefill && mode == Mode::Mxfp4) || (decode && mode != Mode::Affine) {
            cases.push(Case { spec, dtype: DType::BF16 });
        }
        if quick && cases.len() >= 3 {
            break;
        }
    }
    // Filters for focused runs (comma-separated): QMLX_BENCH_ONLY=affine4g64,mxfp4, QMLX_BENCH_M=1024,4096.
    if let Ok(only) = std::env::var("QMLX_BENCH_ONLY") {
        cases.retain(|c| only.split(',').any(|o| spec_name(c) == o));
    }
    let m_only: Option<Vec<usize>> = std::env::var("QMLX_BENCH_M").ok().map(|v| v.split(',').filter_map(|m| m.trim().parse().ok()).collect());
    let ms: Vec<usize> = ms.iter().copied().filter(|m| m_only.as_ref().is_none_or(|o| o.contains(m))).collect();
    println!("kind,N,K,mode,dtype,M,us,GBps,pct_roofline,TFLOPs");
    // QMLX_BENCH_MOE_ONLY=1: only the MoE rows (the gather kernels' check).
    let moe_only = std::env::var("QMLX_BENCH_MOE_ONLY").is_ok_and(|v| v == "1");
    // QMLX_BENCH_SHAPES=1024x4096,4096x4096 replaces the shapes (N×K; other decoder layers' shapes).
    let shapes_env: Option<Vec<(usize, usize)>> = std::env::var("QMLX_BENCH_SHAPES").ok().map(|v| {
        v.split(',').filter_map(|s| s.trim().split_once('x').and_then(|(n, k)| Some((n.parse().ok()?, k.parse().ok()?)))).collect()
    });
    let shapes: &[(usize, usize)] = shapes_env.as_deref().unwrap_or(shapes);
    let shapes: &[(usize, usize)] = if moe_only { &[] } else { shapes };
    // Row order: the M ≤ 64 rows of every shape, then the MoE rows, then M ≥ 256. Why (H100 stage 20,
    // bench/cuda-notes.md): the prefill rows draw ~690 W and run power-capped at 1320-1680 MHz; the
    // SM clock took ~0.3 s to return to 1980 MHz after them, so decode and MoE rows that followed
    // prefill rows were timed partly at the capped clock (MoE 1536×2048 1 / 8 tokens 14.31 / 51.48
    // µs right after them vs 13.05 / 47.52 in a fresh process, same binary and call), while the
    // roofline (copy bandwidth) is measured first, on an idle card.
    let (light, heavy): (Vec<usize>, Vec<usize>) = ms.iter().partition(|&&m| m <= 64);
    let qmm_rows = |ms: &[usize]| {
        for &(n, k) in shapes {
            for c in &cases {
                for &m in ms {
                    if m * k * 2 > p.x.bytes || m * n * 2 > p.out.bytes {
                        continue;
                    }
                    let us = time_matmul(dev, &timer, &p, c, &[n, k], &[m, k], None, 0);
                    let sdt = c.spec.scales_dtype(c.dtype).size();
                    let groups = n * k / c.spec.group_size() as usize;
                    let bytes = n * c.spec.packed_words(k) * 4 + groups * sdt * if c.spec.has_biases() { 2 } else { 1 } + (m * k + m * n) * 2;
                    let t_roof = bytes as f64 / bw * 1e6;
                    println!(
                        "qmm,{n},{k},{},{},{m},{us:.2},{:.1},{:.1},{:.1}",
                        spec_name(c),
                        c.dtype,
                        bytes as f64 / (us * 1e-6) / 1e9,
                        100.0 * t_roof / us,
                        2.0 * (m * n * k) as f64 / (us * 1e-6) / 1e12
                    );
                }
            }
        }
    };
    qmm_rows(&light);
    if prefill {
        qmm_rows(&heavy);
        return;
    }
    // MoE: Qwen3-30B-A3B, 128 experts, top-8; gate+up [1536, 2048] and down [2048, 768]; sorted rhs.
    // QMLX_BENCH_MOE_N=1536|2048 (gate+up | down), QMLX_BENCH_MOE_TOKENS=1,8,64 and
    // QMLX_BENCH_DTYPE=float16|bfloat16 restrict the MoE rows (focused or profiled runs).
    let (experts, topk) = (128usize, 8usize);
    let list = |var: &str| -> Option<Vec<usize>> { std::env::var(var).ok().map(|v| v.split(',').filter_map(|m| m.trim().parse().ok()).collect()) };
    let (n_only, tokens_only) = (list("QMLX_BENCH_MOE_N"), list("QMLX_BENCH_MOE_TOKENS"));
    let dtype_only = std::env::var("QMLX_BENCH_DTYPE").ok();
    for (n, k) in [(1536usize, 2048usize), (2048, 768)].into_iter().filter(|(n, _)| n_only.as_ref().is_none_or(|o| o.contains(n))) {
        for c in cases.iter().filter(|c| c.spec.bits() == 4 && dtype_only.as_ref().is_none_or(|d| *d == c.dtype.to_string())) {
            for tokens in [1usize, 8, 64].into_iter().filter(|t| tokens_only.as_ref().is_none_or(|o| o.contains(t))) {
                let pairs = tokens * topk;
                let mut touched_total = 0usize;
                let sets: Vec<DevBuf> = (0..32)
                    .map(|_| {
                        let mut idx = Vec::with_capacity(pairs);
                        for _ in 0..tokens {
                            let mut chosen: Vec<i32> = Vec::new();
                            while chosen.len() < topk {
                                let e = rng.below(experts) as i32;
                                if !chosen.contains(&e) {
                                    chosen.push(e);
                                }
                            }
                            idx.extend(chosen);
                        }
                        idx.sort();
                        let mut d = idx.clone();
                        d.dedup();
                        touched_total += d.len();
                        DevBuf::upload(&idx)
                    })
                    .collect();
                let touched = touched_total as f64 / sets.len() as f64;
                let us = time_matmul(dev, &timer, &p, c, &[experts, n, k], &[pairs, 1, k], Some(&sets), pairs);
                let sdt = c.spec.scales_dtype(c.dtype).size();
                let per_expert = n * c.spec.packed_words(k) * 4 + n * k / c.spec.group_size() as usize * sdt * if c.spec.has_biases() { 2 } else { 1 };
                let bytes = touched * per_expert as f64 + ((pairs * k + pairs * n) * 2) as f64;
                let t_roof = bytes / bw * 1e6;
                println!(
                    "moe,{n},{k},{},{},{tokens},{us:.2},{:.1},{:.1},{:.2}",
                    spec_name(c),
                    c.dtype,
                    bytes / (us * 1e-6) / 1e9,
                    100.0 * t_roof / us,
                    2.0 * (pairs * n * k) as f64 / (us * 1e-6) / 1e12
                );
            }
        }
    }
    qmm_rows(&heavy);
}
