//! qmv (M = 1 decode) against the copy roofline on the adapter wgpu picks (issue 7's GPU-machine
//! benchmark; `bench/wgpu_gpu.sh` runs it there). For each weight shape [N, K] it times
//!  - the attainable bandwidth three ways: wgpu's buffer-to-buffer copy, a WGSL copy kernel with
//!    16-byte loads (both count bytes read + written) and a WGSL read-only kernel (bytes read), and
//!  - quantized_matmul with M = 1 (transpose, f16 x, affine 4-bit gs 64 and mxfp4), whose
//!    effective bandwidth (bytes it must read and write / time) is reported as a share of the best
//!    copy, and of the CUDA-measured copy on the H100 (3005 GB/s,
//!    bench/results/cuda-bench-stage10-decode-h100.csv) where the adapter is that GPU.
//!
//! Weights are rotated over enough copies (≥ 200 MB) that no call finds its operands in the L2
//! cache (50 MB on the H100). Times are wall clock over many dispatches recorded into a few
//! compute passes per submit, after a warm-up (0.2 s the first time, to raise the GPU's clocks,
//! 0.05 s later); the median of several batches is reported.
//!
//! qmv is timed two ways: every call writing the same output (wgpu then puts a barrier between
//! consecutive calls: "qmv us 1out"), and each rotated operand set writing its own output, as the
//! copy kernels each write their own destination (no barrier between calls: "qmv us"). %copy uses
//! the latter, the same method as the roofline it is divided by.
//!
//! Usage: wgpu_bench [--quick] [--layouts L1,L2,..]
//!   --quick    smaller shapes and fewer iterations, for a smoke run
//!   --layouts  also time qmv with each given layout (`lanes x cols x workgroup x unroll [x vec x
//!              decode]`, e.g. `32x4x128x2x1x1`) instead of the default choice
//! Baselines: bench/wgpu_gpu.sh runs a bench binary built at an earlier commit first, in the same call.

use qmlx_core::cpu::GatherIndices;
use qmlx_core::{DType, MatmulOp, Meta, Mode, QuantSpec, TensorRef};
use qmlx_wgpu::plan::QmvLayout;
use qmlx_wgpu::{GpuTensor, WgpuContext};
use std::time::Instant;

/// The CUDA-measured device copy on the H100 (read + write), for the second roofline column.
const CUDA_COPY_H100_GBPS: f64 = 3005.2;

struct Timer {
    batches: usize,
    min_batch_s: f64,
}

impl Timer {
    /// Seconds per op: `record(enc, i)` records op i (i picks the rotated operand copy).
    fn time(&self, ctx: &WgpuContext, mut record: impl FnMut(&mut wgpu::CommandEncoder, usize)) -> f64 {
        const PER_SUBMIT: usize = 20;
        let mut i = 0usize;
        let mut run = |submits: usize, record: &mut dyn FnMut(&mut wgpu::CommandEncoder, usize)| {
            let t = Instant::now();
            for _ in 0..submits {
                let mut enc = ctx.device().create_command_encoder(&Default::default());
                for _ in 0..PER_SUBMIT {
                    record(&mut enc, i);
                    i += 1;
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
            let t = run(submits, &mut record);
            warm += t;
            if t < self.min_batch_s {
                submits *= 2;
            }
        }
        let mut per_op: Vec<f64> = (0..self.batches).map(|_| run(submits, &mut record) / (submits * PER_SUBMIT) as f64).collect();
        per_op.sort_by(f64::total_cmp);
        per_op[per_op.len() / 2]
    }
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

/// A `--layouts` entry; lanes `a<G>` (e.g. `a1024x4x128x2x1x1`) means the lane count that gives
/// about G workgroups for this shape (`QmvLayout::lanes_for`).
fn parse_layout(s: &str, op: &MatmulOp) -> QmvLayout {
    let usage = "layout: lanes x cols x workgroup x unroll [x vec x decode], lanes a number or a<workgroups>";
    match s.strip_prefix('a') {
        Some(rest) => {
            let (target, tail) = rest.split_once('x').expect(usage);
            let f: Vec<u32> = tail.split('x').map(|t| t.parse().expect(usage)).collect();
            let lanes = QmvLayout::lanes_for(op, f[0], f[1], target.parse().expect(usage));
            format!("{lanes}x{tail}").parse().expect(usage)
        }
        None => s.parse().expect(usage),
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
    let ctx = match WgpuContext::new() {
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
    let shapes: &[(usize, usize)] = if quick { &[(1024, 512), (512, 1024)] } else { &[(14336, 4096), (4096, 14336), (28672, 4096)] };
    let timer = if quick { Timer { batches: 3, min_batch_s: 0.002 } } else { Timer { batches: 7, min_batch_s: 0.02 } };
    let bw = BandwidthKernels::new(&ctx);
    println!("bandwidth, GB/s: buffer copy and WGSL vec4 copy count bytes read + written; WGSL read counts bytes read");
    println!("qmv GB/s: packed weights + scales (+ biases) + x read, y written, over the qmv time (M = 1, f16 x)");
    println!("qmv us 1out: every call writes the same output (barrier between calls); qmv us, GB/s, %copy: own output per operand set, as the copies");
    println!("%copy: qmv GB/s / the best copy GB/s (the issue's roofline); %read: qmv GB/s / the WGSL read-only kernel's GB/s");
    println!(
        "{:<12} {:<16} {:<22} {:>8} {:>8} {:>8} {:>9} {:>9} {:>9} {:>7} {:>7} {:>7}",
        "shape [N,K]", "mode", "qmv layout", "bufcopy", "wgslcopy", "wgslread", "us 1out", "qmv us", "qmv GB/s", "%copy", "%read", if is_h100 { "%3005" } else { "" }
    );
    for &(n, k) in shapes {
        // Bandwidth of the 4-bit weight's size, rotated like the weights.
        let wbytes = (n * k / 2) as u64;
        let copies = ((200usize << 20) / wbytes as usize).max(3);
        let srcs: Vec<GpuTensor> = (0..copies).map(|_| ctx.alloc(&Meta::new(DType::U32, &[wbytes as usize / 4])).unwrap()).collect();
        let dsts: Vec<GpuTensor> = (0..copies).map(|_| ctx.alloc(&Meta::new(DType::U32, &[wbytes as usize / 4])).unwrap()).collect();
        let t_buf = timer.time(&ctx, |enc, i| enc.copy_buffer_to_buffer(&srcs[i % copies].buffer, 0, &dsts[i % copies].buffer, 0, wbytes));
        let kernel_time = |pipeline: &wgpu::ComputePipeline| {
            let bound: Vec<_> = (0..copies).map(|c| bw.bind(&ctx, pipeline, &srcs[c].buffer, &dsts[c].buffer, wbytes)).collect();
            timer.time(&ctx, |enc, i| {
                let (bg, (x, y)) = &bound[i % copies];
                let mut pass = enc.begin_compute_pass(&Default::default());
                pass.set_pipeline(pipeline);
                pass.set_bind_group(0, bg, &[]);
                pass.dispatch_workgroups(*x, *y, 1);
            })
        };
        let t_copy = kernel_time(&bw.copy);
        let t_read = kernel_time(&bw.read);
        if (n, k) == shapes[0] {
            // The same rotation of bound buffers, one workgroup per dispatch.
            let bound: Vec<_> = (0..copies).map(|c| bw.bind(&ctx, &bw.tiny, &srcs[c].buffer, &dsts[c].buffer, 16)).collect();
            let t_tiny = timer.time(&ctx, |enc, i| {
                let mut pass = enc.begin_compute_pass(&Default::default());
                pass.set_pipeline(&bw.tiny);
                pass.set_bind_group(0, &bound[i % copies].0, &[]);
                pass.dispatch_workgroups(1, 1, 1);
            });
            println!("one-workgroup dispatch (the fixed cost per dispatch, same timing): {:.2} us", t_tiny * 1e6);
        }
        drop((srcs, dsts));
        let (buf_bw, copy_bw, read_bw) = (2.0 * wbytes as f64 / t_buf, 2.0 * wbytes as f64 / t_copy, wbytes as f64 / t_read);
        let best_copy = buf_bw.max(copy_bw);

        for spec in [QuantSpec::new(Mode::Affine, 64, 4).unwrap(), QuantSpec::with_defaults(Mode::Mxfp4, None, None).unwrap()] {
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
                        let (s, b) = (upload(&ctx, DType::F16, &[n, k / 64], bytemuck::cast_slice(&s)), upload(&ctx, DType::F16, &[n, k / 64], bytemuck::cast_slice(&b)));
                        QmvOperands { w, scales: s, biases: Some(b) }
                    } else {
                        let s: Vec<u8> = (0..groups).map(|i| 120 + (i % 8) as u8).collect();
                        QmvOperands { w, scales: upload(&ctx, DType::U8, &[n, k / 32], &s), biases: None }
                    }
                })
                .collect();
            let x: Vec<u16> = (0..k).map(|i| half(((i % 13) as f32 - 6.0) * 0.1)).collect();
            let xg = upload(&ctx, DType::F16, &[1, k], bytemuck::cast_slice(&x));
            let s0 = &sets[0];
            let op = MatmulOp::quantized_matmul(&xg.meta(), &s0.w.meta(), &s0.scales.meta(), s0.biases.as_ref().map(|b| b.meta()).as_ref(), true, spec).unwrap();
            let outs: Vec<GpuTensor> = (0..copies).map(|_| ctx.alloc(&Meta::new(op.out_dtype, &op.out_shape)).unwrap()).collect();
            let qmv_bytes = (operand_bytes + k * 2 + n * 2) as f64;
            let mut variants: Vec<Option<&str>> = vec![None];
            variants.extend(layouts.iter().map(|l| Some(l.as_str())));
            for layout in variants {
                let chosen = match layout {
                    Some(l) => Some(parse_layout(l, &op)),
                    None => None,
                };
                ctx.set_qmv_layout(chosen).unwrap();
                let prep = |out: &GpuTensor, s: &QmvOperands| ctx.prepare_matmul(&op, &xg, &s.w, &s.scales, s.biases.as_ref(), GatherIndices::default(), None, out).unwrap().unwrap();
                let preps: Vec<_> = sets.iter().zip(&outs).map(|(s, o)| prep(o, s)).collect();
                let time_preps = |preps: &[qmlx_wgpu::PreparedMatmul]| {
                    timer.time(&ctx, |enc, i| {
                        let mut pass = enc.begin_compute_pass(&Default::default());
                        preps[i % copies].encode(&mut pass);
                    })
                };
                let t_qmv = time_preps(&preps);
                // The default rows also with one shared output (a barrier between calls).
                let t_one = layout.is_none().then(|| time_preps(&sets.iter().map(|s| prep(&outs[0], s)).collect::<Vec<_>>()));
                let qmv_bw = qmv_bytes / t_qmv;
                println!(
                    "{:<12} {:<16} {:<22} {:>8.1} {:>8.1} {:>8.1} {:>9} {:>9.1} {:>9.1} {:>6.1}% {:>6.1}% {}",
                    format!("{n}x{k}"),
                    format!("{} b{} gs{}", spec.mode(), spec.bits(), spec.group_size()),
                    preps[0].describe(),
                    buf_bw / 1e9,
                    copy_bw / 1e9,
                    read_bw / 1e9,
                    t_one.map_or("-".to_string(), |t| format!("{:.1}", t * 1e6)),
                    t_qmv * 1e6,
                    qmv_bw / 1e9,
                    100.0 * qmv_bw / best_copy,
                    100.0 * qmv_bw / read_bw,
                    if is_h100 { format!("{:>6.1}%", 100.0 * qmv_bw / (CUDA_COPY_H100_GBPS * 1e9)) } else { String::new() }
                );
            }
            ctx.set_qmv_layout(None).unwrap();
        }
    }
}
