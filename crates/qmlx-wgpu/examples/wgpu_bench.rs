//! qmv (M = 1 decode) against the copy roofline on the adapter wgpu picks (issue 7's GPU-machine
//! benchmark; `bench/wgpu_gpu.sh` runs it there). For each weight shape [N, K] it times
//!  - the attainable bandwidth three ways: wgpu's buffer-to-buffer copy, a WGSL copy kernel with
//!    16-byte loads (both count bytes read + written) and a WGSL read-only kernel (bytes read), and
//!  - quantized_matmul with M = 1 (or the --ms row counts; transpose, f16 x, every mode: affine 2/3/4/5/6/8-bit
//!    gs 64, mxfp4, nvfp4, mxfp8, or the --modes subset), whose
//!    effective bandwidth (bytes it must read and write / time) is reported as a share of the best
//!    copy, and of the CUDA-measured copy on the H100 (3005 GB/s,
//!    bench/results/cuda-bench-stage10-decode-h100.csv) where the adapter is that GPU.
//!
//! Weights are rotated over enough copies (≥ 200 MB) that no call finds its operands in the L2
//! cache (50 MB on the H100). 20 dispatches are recorded per submit, after a warm-up (0.2 s the
//! first time, to raise the GPU's clocks, 0.05 s later), and timed by three methods (`Method`),
//! the same for the copy kernels and for qmv, so each %copy divides like by like:
//!  A: a compute pass per dispatch, wall clock over many submits (the stage-2/3 method);
//!  B: the same recording, GPU timestamps around each submit's 20 dispatches;
//!  C: the 20 dispatches in one compute pass, GPU timestamps around it (and its wall clock, Cw);
//!  D (qmv only): the 20 matmuls added to one `WgpuContext::batch` per submit (one compute pass,
//!    each op validated and bound when added, as a model runner calling the library would),
//!    wall clock, divided like Cw (by the copy kernel's one-pass wall clock).
//! B and C need the adapter's TIMESTAMP_QUERY (printed as `-` without it).
//!
//! qmv is also timed with every call writing the same output (wgpu then puts a barrier between
//! consecutive calls: "us1out A"); every other column has each rotated operand set write its own
//! output, as the copy kernels each write their own destination.
//!
//! Usage: wgpu_bench [--quick] [--modes affine4,affine8,mxfp4,nvfp4,...] [--shapes NxK,..] [--ms M1,M2,..] [--layouts L1,L2,..]
//!   --quick    smaller shapes and fewer iterations, for a smoke run
//!   --modes    the quantizations to time (default: every mode: affine4, affine8, mxfp4, nvfp4, mxfp8,
//!              affine2, affine3, affine5, affine6; affine at group size 64)
//!   --shapes   the weight shapes [N, K] to time (default: the three above), e.g. `14336x4096`
//!   --ms       x row counts to time (default 1; qmv takes up to 8), e.g. `1,2,4,8`
//!   --layouts  also time qmv with each given layout (`lanes x cols x workgroup x unroll [x vec x
//!              decode [x reduce x prefetch x direct [x dot]]]`, e.g. `32x4x128x2x1x1`) instead of the default
//!              choice (methods A and C)
//! Baselines: bench/wgpu_gpu.sh runs a bench binary built at an earlier commit first, in the same call.

#[path = "shared/mod.rs"]
mod shared;

use qmlx_core::cpu::GatherIndices;
use qmlx_core::{DType, MatmulOp, Meta, Mode, QuantSpec, TensorRef};
use qmlx_wgpu::plan::QmvLayout;
use qmlx_wgpu::{GpuTensor, WgpuContext};
use std::time::Instant;

/// The CUDA-measured device copy on the H100 (read + write), for the second roofline column.
const CUDA_COPY_H100_GBPS: f64 = 3005.2;

/// How a batch of dispatches is recorded and timed. Every method records the same 20 dispatches
/// per submit (op i uses rotated operand set i mod copies), so per-submit costs are shared
/// equally by the copy kernels and qmv.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Method {
    /// A: each dispatch in its own compute pass, wall clock over many submits (stages 2-3).
    PassEachWall,
    /// B: the same recording, GPU timestamps at the start of a submit's first pass and the end of
    /// its last (BOTTOM_OF_PIPE on Vulkan: host gaps between submits are not counted).
    PassEachGpu,
    /// C: the submit's 20 dispatches in ONE compute pass with timestamps at its start and end
    /// (also timed by wall clock: Cw).
    OnePassGpu,
}

/// Per-op seconds: wall clock (median of batches) and, for B and C, GPU time (median over the
/// submits of the measured batches).
#[derive(Clone, Copy)]
struct Timing {
    wall: f64,
    gpu: Option<f64>,
}

const PER_SUBMIT: usize = 20;
/// Timestamp queries available to one measurement (2 per submit); submits past them go untimed.
const MAX_QUERIES: u32 = 4096; // wgpu's limit per query set

struct Timer {
    batches: usize,
    min_batch_s: f64,
    /// Query set, resolve and read-back buffers, ns per tick; None without TIMESTAMP_QUERY.
    ts: Option<(wgpu::QuerySet, wgpu::Buffer, wgpu::Buffer, f64)>,
}

impl Timer {
    fn new(ctx: &WgpuContext, batches: usize, min_batch_s: f64) -> Timer {
        let ts = ctx.device().features().contains(wgpu::Features::TIMESTAMP_QUERY).then(|| {
            let set = ctx.device().create_query_set(&wgpu::QuerySetDescriptor { label: Some("bench-ts"), ty: wgpu::QueryType::Timestamp, count: MAX_QUERIES });
            let buf = |usage| ctx.device().create_buffer(&wgpu::BufferDescriptor { label: None, size: 8 * MAX_QUERIES as u64, usage, mapped_at_creation: false });
            let resolve = buf(wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC);
            let read = buf(wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST);
            (set, resolve, read, ctx.queue().get_timestamp_period() as f64)
        });
        Timer { batches, min_batch_s, ts }
    }

    /// Times `record(pass, i)` (records op i into a compute pass) by `method`.
    fn time(&self, ctx: &WgpuContext, method: Method, mut record: impl FnMut(&mut wgpu::ComputePass<'_>, usize)) -> Timing {
        let ts = if method == Method::PassEachWall { None } else { self.ts.as_ref() };
        if method != Method::PassEachWall && ts.is_none() {
            return Timing { wall: f64::NAN, gpu: None };
        }
        let mut i = 0usize;
        let mut queries = 0u32; // used by the measured batches
        let mut run = |submits: usize, timed: bool, queries: &mut u32, record: &mut dyn FnMut(&mut wgpu::ComputePass<'_>, usize)| {
            let t = Instant::now();
            for _ in 0..submits {
                let mut enc = ctx.device().create_command_encoder(&Default::default());
                let q = (timed && *queries + 2 <= MAX_QUERIES).then(|| {
                    *queries += 2;
                    *queries - 2
                });
                let writes = |begin: bool, end: bool| {
                    q.zip(ts).filter(|_| begin || end).map(|(q, ts)| wgpu::ComputePassTimestampWrites {
                        query_set: &ts.0,
                        beginning_of_pass_write_index: begin.then_some(q),
                        end_of_pass_write_index: end.then_some(q + 1),
                    })
                };
                if method == Method::OnePassGpu {
                    let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor { label: None, timestamp_writes: writes(true, true) });
                    for _ in 0..PER_SUBMIT {
                        record(&mut pass, i);
                        i += 1;
                    }
                } else {
                    for d in 0..PER_SUBMIT {
                        let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor { label: None, timestamp_writes: writes(d == 0, d == PER_SUBMIT - 1) });
                        record(&mut pass, i);
                        i += 1;
                    }
                }
                ctx.queue().submit([enc.finish()]);
            }
            ctx.synchronize().unwrap();
            t.elapsed().as_secs_f64()
        };
        // Warm-up: at least 0.2 s of work the first time (clocks up), 0.05 s later on (the clocks
        // are up; this pages the operands in and sizes a batch).
        static FIRST: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);
        let warm_s = if FIRST.swap(false, std::sync::atomic::Ordering::Relaxed) { 0.2 } else { 0.05 };
        let mut submits = 1;
        let mut warm = 0.0;
        while warm < warm_s {
            let t = run(submits, false, &mut queries, &mut record);
            warm += t;
            if t < self.min_batch_s {
                submits *= 2;
            }
        }
        let mut per_op: Vec<f64> = (0..self.batches).map(|_| run(submits, true, &mut queries, &mut record) / (submits * PER_SUBMIT) as f64).collect();
        per_op.sort_by(f64::total_cmp);
        let wall = per_op[per_op.len() / 2];
        let gpu = ts.filter(|_| queries > 0).map(|(set, resolve, read, period_ns)| {
            let mut enc = ctx.device().create_command_encoder(&Default::default());
            enc.resolve_query_set(set, 0..queries, resolve, 0);
            enc.copy_buffer_to_buffer(resolve, 0, read, 0, 8 * queries as u64);
            ctx.queue().submit([enc.finish()]);
            let (tx, rx) = std::sync::mpsc::channel();
            read.map_async(wgpu::MapMode::Read, .., move |r| {
                let _ = tx.send(r);
            });
            ctx.synchronize().unwrap();
            rx.recv().unwrap().unwrap();
            let ticks: Vec<u64> = bytemuck::pod_collect_to_vec(&read.get_mapped_range(..).unwrap()[..8 * queries as usize]);
            read.unmap();
            let mut per: Vec<f64> = ticks.chunks(2).map(|t| t[1].wrapping_sub(t[0]) as f64 * period_ns * 1e-9 / PER_SUBMIT as f64).collect();
            per.sort_by(f64::total_cmp);
            per[per.len() / 2]
        });
        Timing { wall, gpu }
    }
}

/// Per-op wall-clock seconds of `submit(i)`, which records and submits ops i .. i + PER_SUBMIT
/// (method D): warm-up as `Timer::time`, then the median over `timer.batches` batches.
#[allow(dead_code)]
fn time_batch(ctx: &WgpuContext, timer: &Timer, mut submit: impl FnMut(usize)) -> f64 {
    let mut i = 0usize;
    let mut run = |submits: usize| {
        let t = Instant::now();
        for _ in 0..submits {
            submit(i);
            i += PER_SUBMIT;
        }
        ctx.synchronize().unwrap();
        t.elapsed().as_secs_f64()
    };
    let (mut submits, mut warm) = (1, 0.0);
    while warm < 0.05 {
        let t = run(submits);
        warm += t;
        if t < timer.min_batch_s {
            submits *= 2;
        }
    }
    let mut per_op: Vec<f64> = (0..timer.batches).map(|_| run(submits) / (submits * PER_SUBMIT) as f64).collect();
    per_op.sort_by(f64::total_cmp);
    per_op[per_op.len() / 2]
}

fn random_words(n: usize, seed: u64) -> Vec<u32> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u32
        })
        .collect()
}

fn upload(ctx: &WgpuContext, dtype: DType, shape: &[usize], bytes: &[u8]) -> GpuTensor {
    ctx.upload(&TensorRef::from_bytes("t", dtype, shape, bytes).unwrap()).unwrap()
}

/// Bandwidth kernels: `copy_vec4` (16-byte loads and stores, 4 per thread, consecutive threads
/// on consecutive vectors) and `read_vec4` (the same loads, folded into a value that is stored
/// only if it matches a number the data never gives, so the loads cannot be dropped).
const BANDWIDTH_WGSL: &str = r#"
@group(0) @binding(0) var<storage, read> src: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<u32>>;
const PER: u32 = 4u;
const WG: u32 = 256u;

@compute @workgroup_size(256)
fn copy_vec4(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let base = (wid.y * nwg.x + wid.x) * WG * PER + lid;
    let n = arrayLength(&src);
    var v: array<vec4<u32>, PER>;
    for (var i = 0u; i < PER; i++) {
        if base + i * WG < n {
            v[i] = src[base + i * WG];
        }
    }
    for (var i = 0u; i < PER; i++) {
        if base + i * WG < n {
            dst[base + i * WG] = v[i];
        }
    }
}

@compute @workgroup_size(256)
fn read_vec4(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let base = (wid.y * nwg.x + wid.x) * WG * PER + lid;
    let n = arrayLength(&src);
    var acc = vec4<u32>(0u);
    for (var i = 0u; i < PER; i++) {
        if base + i * WG < n {
            acc ^= src[base + i * WG];
        }
    }
    if (acc.x ^ acc.y ^ acc.z ^ acc.w) == 0x9e3779b9u + n * 7u + base {
        dst[0] = acc;
    }
}

// One workgroup that reads one vector: the fixed cost of a dispatch in its own compute pass.
@compute @workgroup_size(256)
fn tiny(@builtin(local_invocation_index) lid: u32) {
    if lid == 0u && src[0].x == 0x9e3779b9u {
        dst[0] = src[0];
    }
}
"#;

struct BandwidthKernels {
    copy: wgpu::ComputePipeline,
    read: wgpu::ComputePipeline,
    tiny: wgpu::ComputePipeline,
}

impl BandwidthKernels {
    fn new(ctx: &WgpuContext) -> Self {
        let module = ctx.device().create_shader_module(wgpu::ShaderModuleDescriptor { label: Some("bandwidth"), source: wgpu::ShaderSource::Wgsl(BANDWIDTH_WGSL.into()) });
        let pipe = |entry: &str| {
            ctx.device().create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(entry),
                layout: None,
                module: &module,
                entry_point: Some(entry),
                compilation_options: Default::default(),
                cache: None,
            })
        };
        BandwidthKernels { copy: pipe("copy_vec4"), read: pipe("read_vec4"), tiny: pipe("tiny") }
    }

    /// A bound dispatch of `pipeline` from `src` to `dst` over `bytes` (a multiple of 16).
    fn bind(&self, ctx: &WgpuContext, pipeline: &wgpu::ComputePipeline, src: &wgpu::Buffer, dst: &wgpu::Buffer, bytes: u64) -> (wgpu::BindGroup, (u32, u32)) {
        let bg = ctx.device().create_bind_group(&wgpu::BindGroupDescriptor {
            label: None,
            layout: &pipeline.get_bind_group_layout(0),
            entries: &[
                wgpu::BindGroupEntry { binding: 0, resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding { buffer: src, offset: 0, size: wgpu::BufferSize::new(bytes) }) },
                wgpu::BindGroupEntry { binding: 1, resource: dst.as_entire_binding() },
            ],
        });
        let groups = (bytes / 16).div_ceil(256 * 4) as u32;
        let x = groups.min(65535);
        (bg, (x, groups.div_ceil(x)))
    }
}


/// One rotated operand set for qmv.
struct QmvOperands {
    w: GpuTensor,
    scales: GpuTensor,
    biases: Option<GpuTensor>,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let layouts: Vec<String> = args
        .iter()
        .position(|a| a == "--layouts")
        .map(|i| args[i + 1].split(',').map(str::to_string).collect())
        .unwrap_or_default();
    let modes: Vec<String> = args
        .iter()
        .position(|a| a == "--modes")
        .map(|i| args[i + 1].split(',').map(str::to_string).collect())
        .unwrap_or_else(|| ["affine4", "affine8", "mxfp4", "nvfp4", "mxfp8", "affine2", "affine3", "affine5", "affine6"].map(String::from).to_vec());
    let specs: Vec<QuantSpec> = modes
        .iter()
        .map(|m| shared::parse_mode(m))
        .collect();
    let ms: Vec<usize> = args
        .iter()
        .position(|a| a == "--ms")
        .map(|i| args[i + 1].split(',').map(|m| m.parse().expect("--ms: x row counts, e.g. 1,4,8")).collect())
        .unwrap_or_else(|| vec![1]);
    let ctx = match WgpuContext::with_features(wgpu::Features::TIMESTAMP_QUERY) {
        Ok(c) => c,
        Err(e) => {
            println!("SKIP wgpu_bench: {e}");
            return;
        }
    };
    println!("adapter: {}", ctx.adapter_summary());
    println!("date: {}", std::env::var("BENCH_DATE").unwrap_or_default());
    println!("commit: {}", std::env::var("BENCH_COMMIT").unwrap_or_default());
    let is_h100 = ctx.adapter_info().name.contains("H100");
    let default_shapes: &[(usize, usize)] = if quick { &[(1024, 512), (512, 1024)] } else { &[(14336, 4096), (4096, 14336), (28672, 4096)] };
    let shapes: Vec<(usize, usize)> = args.iter().position(|a| a == "--shapes").map_or_else(
        || default_shapes.to_vec(),
        |i| {
            args[i + 1]
                .split(',')
                .map(|s| {
                    let (n, k) = s.split_once('x').expect("--shapes: NxK,..., e.g. 14336x4096");
                    (n.parse().expect("--shapes: N"), k.parse().expect("--shapes: K"))
                })
                .collect()
        },
    );
    let timer = if quick { Timer::new(&ctx, 3, 0.002) } else { Timer::new(&ctx, 7, 0.02) };
    let has_ts = timer.ts.is_some();
    let bw = BandwidthKernels::new(&ctx);
    println!("timing methods ({PER_SUBMIT} dispatches per submit, operands rotated; the same for the copy kernels and qmv):");
    println!("  A  = each dispatch in its own compute pass, wall clock over many submits (the stage-2/3 method)");
    println!("  B  = the same recording, GPU timestamps at the start of a submit's first pass and the end of its last");
    println!("  C  = the submit's {PER_SUBMIT} dispatches in ONE compute pass, GPU timestamps at its start and end; Cw = the same recording by wall clock");
    println!("  Dw = qmv only: the submit's {PER_SUBMIT} matmuls added to one WgpuContext::batch (one compute pass; each op validated and bound when added), wall clock; %copyDw divides by the copy's Cw");
    println!("  GPU timestamps: {}", if has_ts { format!("yes (period {} ns)", ctx.queue().get_timestamp_period()) } else { "no (TIMESTAMP_QUERY missing): B, C are -".to_string() });
    println!("bandwidth, GB/s: buffer copy and WGSL vec4 copy count bytes read + written; WGSL read counts bytes read");
    println!("qmv GB/s: packed weights + scales (+ biases) + x read, y written, over the qmv time (M rows of f16 x)");
    println!("%copy(X): qmv GB/s / the WGSL copy's GB/s, both timed by method X (A: the best of buffer and WGSL copy, as in stage 3); %read(X): the same over the WGSL read kernel");
    println!("us 1out (A): every call writes the same output (barrier between calls); all other columns: own output per operand set, as the copies");
    let us = |t: Option<f64>| t.filter(|t| t.is_finite()).map_or("-".to_string(), |t| format!("{:.1}", t * 1e6));
    let pct = |num: Option<f64>, den: Option<f64>| match (num, den) {
        (Some(a), Some(b)) if a.is_finite() && b.is_finite() => format!("{:.1}%", 100.0 * a / b),
        _ => "-".to_string(),
    };
    for &(n, k) in &shapes {
        // Bandwidth of the 4-bit weight's size, rotated like the weights.
        let wbytes = (n * k / 2) as u64;
        let copies = ((200usize << 20) / wbytes as usize).max(3);
        let srcs: Vec<GpuTensor> = (0..copies).map(|_| ctx.alloc(&Meta::new(DType::U32, &[wbytes as usize / 4])).unwrap()).collect();
        let dsts: Vec<GpuTensor> = (0..copies).map(|_| ctx.alloc(&Meta::new(DType::U32, &[wbytes as usize / 4])).unwrap()).collect();
        // The buffer copy is no compute dispatch: method A's recording, one copy per op.
        let t_buf = {
            let mut i = 0usize;
            let t0 = Instant::now();
            let mut best = Vec::new(); // after 0.05 s of warm-up
            while best.len() < 7 {
                let t = Instant::now();
                let mut enc = ctx.device().create_command_encoder(&Default::default());
                for _ in 0..PER_SUBMIT {
                    enc.copy_buffer_to_buffer(&srcs[i % copies].buffer, 0, &dsts[i % copies].buffer, 0, wbytes);
                    i += 1;
                }
                ctx.queue().submit([enc.finish()]);
                ctx.synchronize().unwrap();
                if t0.elapsed().as_secs_f64() > 0.05 {
                    best.push(t.elapsed().as_secs_f64() / PER_SUBMIT as f64);
                }
            }
            best.sort_by(f64::total_cmp);
            best[best.len() / 2]
        };
        let kernel_time = |pipeline: &wgpu::ComputePipeline, bytes: u64, method: Method| {
            let bound: Vec<_> = (0..copies).map(|c| bw.bind(&ctx, pipeline, &srcs[c].buffer, &dsts[c].buffer, bytes)).collect();
            timer.time(&ctx, method, |pass, i| {
                let (bg, (x, y)) = &bound[i % copies];
                pass.set_pipeline(pipeline);
                pass.set_bind_group(0, bg, &[]);
                pass.dispatch_workgroups(*x, *y, 1);
            })
        };
        let methods = [Method::PassEachWall, Method::PassEachGpu, Method::OnePassGpu];
        let copy: Vec<Timing> = methods.iter().map(|&m| kernel_time(&bw.copy, wbytes, m)).collect();
        let read: Vec<Timing> = methods.iter().map(|&m| kernel_time(&bw.read, wbytes, m)).collect();
        // The same rotation of bound buffers, one workgroup per dispatch.
        let tiny: Vec<Timing> = methods.iter().map(|&m| kernel_time(&bw.tiny, 16, m)).collect();
        drop((srcs, dsts));
        let gbps = |bytes: f64, t: Option<f64>| t.filter(|t| t.is_finite()).map(|t| bytes / t);
        // Per method: A wall, B gpu, C gpu, Cw (C's wall).
        let pick = |v: &[Timing]| [Some(v[0].wall), v[1].gpu, v[2].gpu, Some(v[2].wall)];
        let copy_bw = pick(&copy).map(|t| gbps(2.0 * wbytes as f64, t));
        let read_bw = pick(&read).map(|t| gbps(wbytes as f64, t));
        let buf_bw = 2.0 * wbytes as f64 / t_buf;
        let best_a = copy_bw[0].map(|c| c.max(buf_bw));
        let f = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{:.1}", v / 1e9));
        println!("## {n}x{k}: bandwidth over the 4-bit weight's size ({} MB), rotated over {copies} buffers", wbytes / 1_000_000);
        println!("  buffer copy (A)  {:>8} GB/s", f(Some(buf_bw)));
        println!("  WGSL vec4 copy   A {:>8}  B {:>8}  C {:>8}  Cw {:>8} GB/s", f(copy_bw[0]), f(copy_bw[1]), f(copy_bw[2]), f(copy_bw[3]));
        println!("  WGSL vec4 read   A {:>8}  B {:>8}  C {:>8}  Cw {:>8} GB/s", f(read_bw[0]), f(read_bw[1]), f(read_bw[2]), f(read_bw[3]));
        let tt = pick(&tiny);
        println!("  one-workgroup dispatch  A {:>6}  B {:>6}  C {:>6}  Cw {:>6} us", us(tt[0]), us(tt[1]), us(tt[2]), us(tt[3]));
        println!(
            "{:<12} {:<19} {:<26} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>9} {}",
            "shape [N,K]", "mode, M", "qmv layout", "A us", "%copyA", "%readA", "B us", "%copyB", "C us", "%copyC", "%readC", "Cw us", "%copyCw", "Dw us", "%copyDw", "us1out A", if is_h100 { "%3005(A)" } else { "" }
        );

        for &spec in &specs {
            let words = n * spec.packed_words(k);
            let groups = n * k / spec.group_size() as usize;
            let half = |v: f32| half::f16::from_f32(v).to_bits();
            let operand_bytes = words * 4 + if spec.has_biases() { groups * 4 } else { groups };
            let copies = ((200usize << 20) / operand_bytes).max(3);
            let sets: Vec<QmvOperands> = (0..copies)
                .map(|c| {
                    let w = upload(&ctx, DType::U32, &[n, spec.packed_words(k)], bytemuck::cast_slice(&random_words(words, 7 + c as u64)));
                    if spec.has_biases() {
                        let s: Vec<u16> = (0..groups).map(|i| half(0.01 + (i % 7) as f32 * 1e-3)).collect();
                        let b: Vec<u16> = (0..groups).map(|i| half(-0.05 - (i % 5) as f32 * 1e-3)).collect();
                        let gshape = [n, k / spec.group_size() as usize];
                        let (s, b) = (upload(&ctx, DType::F16, &gshape, bytemuck::cast_slice(&s)), upload(&ctx, DType::F16, &gshape, bytemuck::cast_slice(&b)));
                        QmvOperands { w, scales: s, biases: Some(b) }
                    } else {
                        // E8M0 bytes 120.. (mxfp4) or E4M3 bytes 0x30.. (nvfp4): scales near 1/8.
                        let first = if spec.mode() == Mode::Nvfp4 { 0x30 } else { 120 };
                        let s: Vec<u8> = (0..groups).map(|i| first + (i % 8) as u8).collect();
                        QmvOperands { w, scales: upload(&ctx, DType::U8, &[n, k / spec.group_size() as usize], &s), biases: None }
                    }
                })
                .collect();
            for &m in &ms {
                let x: Vec<u16> = (0..m * k).map(|i| half(((i % 13) as f32 - 6.0) * 0.1)).collect();
                let xg = upload(&ctx, DType::F16, &[m, k], bytemuck::cast_slice(&x));
                let s0 = &sets[0];
                let op = MatmulOp::quantized_matmul(&xg.meta(), &s0.w.meta(), &s0.scales.meta(), s0.biases.as_ref().map(|b| b.meta()).as_ref(), true, spec).unwrap();
                let outs: Vec<GpuTensor> = (0..copies).map(|_| ctx.alloc(&Meta::new(op.out_dtype, &op.out_shape)).unwrap()).collect();
                let qmv_bytes = (operand_bytes + m * k * 2 + m * n * 2) as f64;
                let mut variants: Vec<Option<&str>> = vec![None];
                variants.extend(layouts.iter().map(|l| Some(l.as_str())));
                for layout in variants {
                    let chosen = layout.map(|l| QmvLayout::parse_for(l, &op).unwrap_or_else(|e| panic!("--layouts: {e}")));
                    ctx.set_qmv_layout(chosen).unwrap();
                    let prep = |out: &GpuTensor, s: &QmvOperands| ctx.prepare_matmul(&op, &xg, &s.w, &s.scales, s.biases.as_ref(), GatherIndices::default(), None, out).unwrap().unwrap();
                    let preps: Vec<_> = sets.iter().zip(&outs).map(|(s, o)| prep(o, s)).collect();
                    let time_preps = |preps: &[qmlx_wgpu::PreparedMatmul], method: Method| timer.time(&ctx, method, |pass, i| preps[i % copies].encode(pass));
                    // The default layout by all three methods (B and us1out at M = 1 only); the
                    // sweep's layouts by A and C.
                    let qa = time_preps(&preps, Method::PassEachWall);
                    let qb = if layout.is_none() && m == 1 { time_preps(&preps, Method::PassEachGpu) } else { Timing { wall: f64::NAN, gpu: None } };
                    let qc = time_preps(&preps, Method::OnePassGpu);
                    let t_one = (layout.is_none() && m == 1).then(|| time_preps(&sets.iter().map(|s| prep(&outs[0], s)).collect::<Vec<_>>(), Method::PassEachWall).wall);
                    // Method D (default layout): a bench binary built before WgpuContext::batch
                    // existed drops the lines between the markers (bench/wgpu_gpu.sh base-build).
                    #[allow(unused_mut)]
                    let mut qd: Option<f64> = None;
                    // batch-begin
                    if layout.is_none() {
                        qd = Some(time_batch(&ctx, &timer, |i| {
                            ctx.batch(|b| {
                                for j in i..i + PER_SUBMIT {
                                    let (s, o) = (&sets[j % copies], &outs[j % copies]);
                                    b.matmul(&op, &xg, &s.w, &s.scales, s.biases.as_ref(), GatherIndices::default(), None, o)?;
                                }
                                Ok(())
                            })
                            .unwrap()
                        }));
                    }
                    // batch-end
                    let q = [Some(qa.wall), qb.gpu, qc.gpu, Some(qc.wall), qd].map(|t| gbps(qmv_bytes, t));
                    println!(
                        "{:<12} {:<19} {:<26} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>9} {}",
                        format!("{n}x{k}"),
                        format!("{} b{} gs{} M{m}", spec.mode(), spec.bits(), spec.group_size()),
                        preps[0].describe(),
                        us(Some(qa.wall)),
                        pct(q[0], best_a),
                        pct(q[0], read_bw[0]),
                        us(qb.gpu),
                        pct(q[1], copy_bw[1]),
                        us(qc.gpu),
                        pct(q[2], copy_bw[2]),
                        pct(q[2], read_bw[2]),
                        us(Some(qc.wall)),
                        pct(q[3], copy_bw[3]),
                        us(qd),
                        pct(q[4], copy_bw[3]),
                        us(t_one),
                        if is_h100 { pct(q[0], Some(CUDA_COPY_H100_GBPS * 1e9)) } else { String::new() }
                    );
                }
                ctx.set_qmv_layout(None).unwrap();
            }
        }
    }
}
