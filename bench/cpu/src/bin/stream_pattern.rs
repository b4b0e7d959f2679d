//! Where the M=1 streaming gap is (CPU stage 5, issue 4): walks 4-bit g64 weights from memory in
//! several access patterns with almost no compute (an OR of the loaded vectors), next to the real
//! kernel (`cpu::matmul` at M=1) and the read probe's own loop, over the same rotating copies
//! (> 1 GiB). Diagnostic only; the library is not changed by it.
//!
//! Variants (N×K stored [N, K], 4-bit codes, 64-groups, f32 or bf16 scales and biases):
//! - `bigprobe`: the qmlx-bench read probe itself (2 GiB, timed per 128 MiB slice; the
//!   reference of qmlx-bench's `%read`), once per round, shown as one call's bytes at that speed.
//! - `probe`: the probe's loop (parallel sums over 128 KiB pieces) over one copy's codes, scales
//!   and biases: one call's bytes, read as the kernels would like best.
//! - `walk[:nrN][:pfD][:lin][:perR][:t1|:nta]`: the M=1 kernel's walk on the rayon pool: tasks of
//!   R rows (default as the kernel), per 8-row tile the scales and biases converted to f32, then
//!   calls of N rows (default 4) walked 64 bytes per row at a time, interleaved; prefetch D calls
//!   ahead (default 1, 0 = none) at the same position of each next row, or with `lin` through
//!   the next call's rows in address order (hint T0, or T1/NTA).
//! - `kernel`: `cpu::matmul_with` at M=1 (the real work); `kernel:rayon` with the decode spin
//!   pool off (`cpu::set_decode_spin_pool(false)`).
//! - `empty`: 16 empty tasks on the rayon pool (the cost of a fork-join from outside the pool).
//!
//! The variants take turns batch by batch (the host's memory bandwidth changes within seconds),
//! so each one's fastest batch saw the same moments. `--install` runs the calls from a rayon
//! worker. x86-64 with AVX-512BW only.
//!
//! Usage: `stream_pattern [--shape 4096x4096] [--spec affine4g64|affine8g64|mxfp4|nvfp4 (walks: affine4g64)] [--dtype f32|bf16] [--rounds 3] [--ms 300]
//!        [--rotate-mib 1100] [--install] [--variants bigprobe,probe,walk:nr4:pf1:lin,kernel:rayon,kernel]`

#![allow(clippy::needless_range_loop)] // several const-size register arrays at once
#![allow(clippy::incompatible_msrv)] // AVX-512 intrinsics, as in qmlx-core

use half::bf16;
use qmlx_core::cpu::{self, GatherIndices, Kernels};
use qmlx_core::{DType, MatmulOp, Mode, QuantSpec, TensorMut, TensorRef};
use std::arch::x86_64::*;
use std::time::{Duration, Instant};

struct Copy_ {
    wq: Vec<u32>,
    s: Vec<u8>,
    b: Vec<u8>,
}

#[derive(Clone, Debug)]
enum Variant {
    /// 16 empty tasks on the pool: the fork-join cost of a call.
    Empty,
    Probe,
    BigProbe,
    Walk { nr: usize, pf: usize, per: usize, pf_lines: usize, lin: bool, hint: u8 },
    /// The real call (`kernel:rayon`: with the decode spin pool off).
    Kernel { spin: bool },
}

impl Variant {
    fn parse(s: &str) -> Variant {
        let mut it = s.split(':');
        match it.next().unwrap() {
            "probe" => Variant::Probe,
            "empty" => Variant::Empty,
            "bigprobe" => Variant::BigProbe,
            "kernel" => {
                let o: Vec<&str> = it.collect();
                Variant::Kernel { spin: !o.contains(&"rayon") }
            }
            "walk" => {
                let (mut nr, mut pf, mut per, mut pf_lines, mut lin, mut hint) = (4, 1, 0, 1, false, 0u8);
                for p in it {
                    if p == "lin" {
                        lin = true
                    } else if p == "t1" {
                        hint = 1
                    } else if p == "nta" {
                        hint = 3
                    } else if let Some(v) = p.strip_prefix("nr") {
                        nr = v.parse().unwrap()
                    } else if let Some(v) = p.strip_prefix("pfl") {
                        pf_lines = v.parse().unwrap()
                    } else if let Some(v) = p.strip_prefix("pf") {
                        pf = v.parse().unwrap()
                    } else if let Some(v) = p.strip_prefix("per") {
                        per = v.parse().unwrap()
                    } else {
                        panic!("walk option {p}")
                    }
                }
                Variant::Walk { nr, pf, per, pf_lines, lin, hint }
            }
            v => panic!("variant {v}"),
        }
    }
    fn name(&self) -> String {
        match self {
            Variant::Probe => "probe".into(),
            Variant::Empty => "empty".into(),
            Variant::BigProbe => "bigprobe".into(),
            Variant::Kernel { spin } => if *spin { "kernel".into() } else { "kernel:rayon".into() },
            Variant::Walk { nr, pf, per, pf_lines, lin, hint } => {
                format!("walk:nr{nr}:pf{pf}:per{per}:pfl{pf_lines}{}{}", if *lin { ":lin" } else { "" }, ["", ":t1", "", ":nta"][*hint as usize])
            }
        }
    }
}

fn sum_u64(s: &[u64]) -> u64 {
    #[target_feature(enable = "avx2")]
    fn inner(s: &[u64]) -> u64 {
        let mut acc = [0u64; 8];
        for c in s.chunks_exact(8) {
            for i in 0..8 {
                acc[i] = acc[i].wrapping_add(c[i]);
            }
        }
        acc.iter().fold(0, |a, b| a.wrapping_add(*b))
    }
    // SAFETY: the dev machine has AVX2 (checked in main).
    unsafe { inner(s) }
}

fn probe_bytes(b: &[u8]) -> u64 {
    use rayon::prelude::*;
    if b.len() < 8 {
        return 0;
    }
    let w: &[u64] = bytemuck::cast_slice(&b[..b.len() / 8 * 8]);
    w.par_chunks(1 << 14).map(sum_u64).reduce(|| 0, |a, b| a.wrapping_add(b))
}

/// One call of `nr` rows: OR of every 64-byte piece, prefetching the same position `ahead` words on.
#[target_feature(enable = "avx512f,avx512bw")]
unsafe fn walk_rows<const NR: usize, const LIN: bool, const HINT: i32>(w: *const u32, wpr: usize, ahead: usize, pf_lines: usize) -> __m512i {
    let mut acc = [_mm512_setzero_si512(); NR];
    let spans = wpr / 16;
    for b in 0..spans {
        if LIN && ahead > 0 {
            // The region `ahead` words on, line by line in address order: NR lines per span.
            for n in 0..NR {
                _mm_prefetch::<HINT>(w.wrapping_add(ahead + (b * NR + n) * 16) as *const i8);
            }
        } else if ahead > 0 && b % pf_lines == 0 {
            for n in 0..NR {
                for l in 0..pf_lines {
                    _mm_prefetch::<HINT>(w.wrapping_add(n * wpr + (b + l) * 16 + ahead) as *const i8);
                }
            }
        }
        for n in 0..NR {
            acc[n] = _mm512_or_si512(acc[n], _mm512_loadu_si512(w.add(n * wpr + b * 16) as *const _));
        }
    }
    let mut r = acc[0];
    for a in &acc[1..] {
        r = _mm512_or_si512(r, *a);
    }
    r
}

#[allow(clippy::too_many_arguments)]
fn walk(c: &Copy_, n: usize, k: usize, half: bool, (nr, pf, per, pf_lines, lin, hint): (usize, usize, usize, usize, bool, u8)) -> u64 {
    use rayon::prelude::*;
    let wpr = k / 8;
    let gpr = k / 64;
    let tiles = n.div_ceil(per);
    macro_rules! pick {
        ($l:expr, $h:expr) => {
            match nr {
                1 => walk_rows::<1, $l, $h>,
                2 => walk_rows::<2, $l, $h>,
                4 => walk_rows::<4, $l, $h>,
                8 => walk_rows::<8, $l, $h>,
                _ => panic!("nr 1, 2, 4, 8"),
            }
        };
    }
    let f: unsafe fn(*const u32, usize, usize, usize) -> __m512i = match (lin, hint) {
        (false, 0) => pick!(false, _MM_HINT_T0),
        (false, 1) => pick!(false, _MM_HINT_T1),
        (false, _) => pick!(false, _MM_HINT_NTA),
        (true, 0) => pick!(true, _MM_HINT_T0),
        (true, 1) => pick!(true, _MM_HINT_T1),
        (true, _) => pick!(true, _MM_HINT_NTA),
    };
    (0..tiles)
        .into_par_iter()
        .map_init(
            || (vec![0f32; 8 * gpr], vec![0f32; 8 * gpr]),
            |(sb, bb), t| {
                let (r0, r1) = (t * per, ((t + 1) * per).min(n));
                let mut sink = 0u64;
                for t0 in (r0..r1).step_by(8) {
                    let t1 = (t0 + 8).min(r1);
                    let (a, e) = (t0 * gpr, t1 * gpr);
                    if half {
                        let s: &[bf16] = bytemuck::cast_slice(&c.s);
                        let b: &[bf16] = bytemuck::cast_slice(&c.b);
                        for i in a..e {
                            sb[i - a] = s[i].to_f32();
                            bb[i - a] = b[i].to_f32();
                        }
                    } else {
                        let s: &[f32] = bytemuck::cast_slice(&c.s);
                        let b: &[f32] = bytemuck::cast_slice(&c.b);
                        sb[..e - a].copy_from_slice(&s[a..e]);
                        bb[..e - a].copy_from_slice(&b[a..e]);
                    }
                    let mut r = t0;
                    while r < t1 {
                        // SAFETY: rows r..r + nr lie inside the copy (n a multiple of 8, nr ≤ 8);
                        // prefetches do not fault.
                        let v = unsafe { f(c.wq.as_ptr().add(r * wpr), wpr, pf * nr * wpr, pf_lines) };
                        let mut lanes = [0u64; 8];
                        // SAFETY: 64 bytes into a 64-byte array.
                        unsafe { _mm512_storeu_si512(lanes.as_mut_ptr() as *mut _, v) };
                        sink ^= lanes.iter().fold(0, |x, y| x ^ y) ^ (sb[(r - t0) * gpr] + bb[(r - t0) * gpr]).to_bits() as u64;
                        r += nr;
                    }
                }
                sink
            },
        )
        .reduce(|| 0, |a, b| a ^ b)
}

fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return f64::NAN };
    let rest = &stat[stat.rfind(')').map_or(0, |i| i + 2)..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    (f[11].parse::<f64>().unwrap_or(f64::NAN) + f[12].parse::<f64>().unwrap_or(f64::NAN)) / 100.0
}

fn load_avg() -> String {
    std::fs::read_to_string("/proc/loadavg").unwrap_or_default().split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

fn main() {
    assert!(is_x86_feature_detected!("avx512bw") && is_x86_feature_detected!("avx2"), "needs AVX-512BW");
    let mut shape = (4096usize, 4096usize);
    let mut half = false;
    let mut rounds = 3;
    let mut spec_name = String::from("affine4g64");
    let mut install = false;
    let mut rotate = 1100usize << 20;
    let mut measure = Duration::from_millis(300);
    let mut variants: Vec<Variant> =
        "bigprobe,probe,walk:nr4:pf1,walk:nr4:pf0,walk:nr1:pf0,kernel".split(',').map(Variant::parse).collect();
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--shape" => {
                let v = val();
                let (a, b) = v.split_once('x').unwrap();
                shape = (a.parse().unwrap(), b.parse().unwrap());
            }
            "--dtype" => half = val() == "bf16",
            "--rounds" => rounds = val().parse().unwrap(),
            "--rotate-mib" => rotate = val().parse::<usize>().unwrap() << 20,
            "--install" => install = true,
            "--spec" => spec_name = val(),
            "--ms" => measure = Duration::from_millis(val().parse().unwrap()),
            "--variants" => variants = val().split(',').map(Variant::parse).collect(),
            f => panic!("unknown flag {f}"),
        }
    }
    let (n, k) = shape;
    let threads = rayon::current_num_threads();
    // The kernel's rows per task (qmv::rows_per_task at one pair).
    let kernel_per = n.div_ceil(8 * threads).next_multiple_of(8).clamp(8, 512);
    let spec = match spec_name.as_str() {
        "mxfp4" | "nvfp4" | "mxfp8" => QuantSpec::parse(&spec_name, None, None).unwrap(),
        a => {
            let (b, g) = a.strip_prefix("affine").and_then(|r| r.split_once('g')).expect("--spec affine<bits>g<group>|mxfp4|nvfp4|mxfp8");
            QuantSpec::new(Mode::Affine, g.parse().unwrap(), b.parse().unwrap()).unwrap()
        }
    };
    let affine = spec.has_biases();
    assert!(
        affine && spec.bits() == 4 && spec.group_size() == 64 || !variants.iter().any(|v| matches!(v, Variant::Walk { .. })),
        "the walks model affine4g64 only"
    );
    let wpr = spec.packed_words(k);
    let gpr = k / spec.group_size() as usize;
    let esize = if !affine { 1 } else if half { 2 } else { 4 };
    let wbytes = n * wpr * 4 + if affine { 2 } else { 1 } * n * gpr * esize;
    let copies = rotate.div_ceil(wbytes).max(2);
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let scale_bytes = |next: &mut dyn FnMut() -> u64| -> Vec<u8> {
        if !affine {
            // E8M0 / E4M3 bytes of moderate positive scales.
            (0..n * gpr).map(|_| 0x30 + (next() >> 60) as u8).collect()
        } else if half {
            let v: Vec<bf16> = (0..n * gpr).map(|_| bf16::from_f32(((next() >> 40) as f32) * 1e-9 + 1e-3)).collect();
            bytemuck::cast_slice(&v).to_vec()
        } else {
            let v: Vec<f32> = (0..n * gpr).map(|_| ((next() >> 40) as f32) * 1e-9 + 1e-3).collect();
            bytemuck::cast_slice(&v).to_vec()
        }
    };
    let pool: Vec<Copy_> = (0..copies)
        .map(|_| Copy_ {
            wq: (0..n * wpr).map(|_| next() as u32).collect(),
            s: scale_bytes(&mut next),
            b: if affine { scale_bytes(&mut next) } else { vec![] },
        })
        .collect();
    let dt = if half { DType::BF16 } else { DType::F32 };
    let x32: Vec<f32> = (0..k).map(|i| ((i * 7919 % 1000) as f32) * 1e-3 - 0.5).collect();
    let xb: Vec<bf16> = x32.iter().map(|&v| bf16::from_f32(v)).collect();
    let mut out32 = vec![0f32; n];
    let mut outb = vec![bf16::ZERO; n];
    let kern = Kernels::active();
    let (w_shape, s_shape, x_shape, o_shape) = ([n, wpr], [n, gpr], [1, k], [1, n]);
    let s_dt = if affine { dt } else { DType::U8 };
    let g_one = [1.0f32];
    let g_meta = (spec.mode() == Mode::Nvfp4).then(|| qmlx_core::Meta::new(DType::F32, &[]));
    let mut call_kernel = |c: &Copy_| {
        let w = TensorRef::new(&c.wq, &w_shape).unwrap();
        let s = TensorRef::from_bytes("scales", s_dt, &s_shape, &c.s).unwrap();
        let b = affine.then(|| TensorRef::from_bytes("biases", s_dt, &s_shape, &c.b).unwrap());
        let g = g_meta.as_ref().map(|_| TensorRef::new(&g_one[..], &[]).unwrap());
        let bm = b.map(|b| b.meta());
        if half {
            let xr = TensorRef::new(&xb, &x_shape).unwrap();
            let op = MatmulOp::gather_qmm(&xr.meta(), &w.meta(), &s.meta(), bm.as_ref(), None, None, true, spec, g_meta.as_ref(), false).unwrap();
            cpu::matmul_with(kern, &op, xr, w, s, b, GatherIndices::default(), g, TensorMut::new(&mut outb, &o_shape).unwrap()).unwrap();
        } else {
            let xr = TensorRef::new(&x32, &x_shape).unwrap();
            let op = MatmulOp::gather_qmm(&xr.meta(), &w.meta(), &s.meta(), bm.as_ref(), None, None, true, spec, g_meta.as_ref(), false).unwrap();
            cpu::matmul_with(kern, &op, xr, w, s, b, GatherIndices::default(), g, TensorMut::new(&mut out32, &o_shape).unwrap()).unwrap();
        }
    };
    println!(
        "stream_pattern: {n}x{k} {spec_name} x {} | kernels={} threads={threads} | {copies} copies of {:.2} MB | kernel rows per task {kernel_per} | load {}",
        if half { "bf16" } else { "f32" },
        kern.name(),
        wbytes as f64 / 1e6,
        load_avg()
    );
    println!("{:>5} {:>32} {:>10} {:>8} {:>8} {:>9}", "round", "variant", "µs", "GB/s", "CPU/wall", "load");
    let mut best: Vec<f64> = vec![f64::INFINITY; variants.len()];
    let mut sink = 0u64;
    let mut big_data: Option<Vec<u64>> = None;
    let mut rounds_loop = || {
    for round in 0..rounds {
        for (vi, v) in variants.iter().enumerate() {
            if let Variant::BigProbe = v {
                let big = big_data.get_or_insert_with(|| (0..(2u64 << 30) / 8).collect());
                let mut gbps = 0f64;
                for _ in 0..2 {
                    for slice in big.chunks(16 << 20) {
                        use rayon::prelude::*;
                        let t = Instant::now();
                        sink ^= slice.par_chunks(1 << 17).map(sum_u64).reduce(|| 0, |a, b| a.wrapping_add(b));
                        gbps = gbps.max((slice.len() * 8) as f64 / t.elapsed().as_secs_f64() / 1e9);
                    }
                }
                let t = wbytes as f64 / gbps / 1e9;
                best[vi] = best[vi].min(t);
                println!("{round:>5} {:>32} {:>10.1} {:>8.2} {:>8} {:>9}", v.name(), t * 1e6, gbps, "-", load_avg());
                continue;
            }
            let _ = vi;
        }
        // The other variants take turns batch by batch (the host's memory bandwidth changes
        // within seconds): batches of copies/8 calls walking the copies in order; the fastest
        // batch of each variant counts.
        let batch = copies.div_ceil(8);
        let (start, cpu0) = (Instant::now(), cpu_seconds());
        let mut fastest = vec![f64::INFINITY; variants.len()];
        let mut i = 0usize;
        let mut slots = 0;
        while start.elapsed() < measure * variants.len() as u32 || slots < 3 {
            slots += 1;
            for (vi, v) in variants.iter().enumerate() {
                let mut one = |c: &Copy_| match v {
                    Variant::Probe => probe_bytes(bytemuck::cast_slice(&c.wq)) ^ probe_bytes(&c.s) ^ probe_bytes(&c.b),
                    Variant::Walk { nr, pf, per, pf_lines, lin, hint } => {
                        walk(c, n, k, half, (*nr, *pf, if *per == 0 { kernel_per } else { *per }, *pf_lines, *lin, *hint))
                    }
                    Variant::BigProbe => 0,
                    Variant::Empty => {
                        use rayon::prelude::*;
                        (0..16u64).into_par_iter().map(std::hint::black_box).reduce(|| 0, |a, b| a ^ b)
                    }
                    Variant::Kernel { spin } => {
                        cpu::set_decode_spin_pool(*spin);
                        call_kernel(c);
                        0
                    }
                };
                if let Variant::BigProbe = v {
                    continue;
                }
                let t = Instant::now();
                for _ in 0..batch {
                    sink ^= one(&pool[i % copies]);
                    i += 1;
                }
                fastest[vi] = fastest[vi].min(t.elapsed().as_secs_f64() / batch as f64);
            }
        }
        let cpu_ratio = (cpu_seconds() - cpu0) / start.elapsed().as_secs_f64();
        for (vi, v) in variants.iter().enumerate() {
            if let Variant::BigProbe = v {
                continue;
            }
            best[vi] = best[vi].min(fastest[vi]);
            println!(
                "{round:>5} {:>32} {:>10.1} {:>8.2} {:>8.2} {:>9}",
                v.name(),
                fastest[vi] * 1e6,
                wbytes as f64 / fastest[vi] / 1e9,
                cpu_ratio,
                load_avg()
            );
        }
    }
    };
    if install {
        // The calls from a pool thread (as a caller inside rayon would): no wake of a sleeping
        // caller at the end of each call.
        rayon::scope(|_| rounds_loop());
    } else {
        rounds_loop();
    }
    std::hint::black_box((sink, &out32, &outb));
    println!("\nbest over rounds ({} bytes per call):", wbytes);
    for (v, b) in variants.iter().zip(&best) {
        println!("{:>38} {:>10.1} µs {:>8.2} GB/s {:>5.0}% of {}", v.name(), b * 1e6, wbytes as f64 / b / 1e9, 100.0 * best[0] / b, variants[0].name());
    }
}
