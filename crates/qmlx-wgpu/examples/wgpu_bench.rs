//! qmv (M = 1 decode) against the copy roofline on the adapter wgpu picks (issue 7's GPU-machine
//! benchmark; `bench/wgpu_gpu.sh` runs it there). For each weight shape [N, K] it times
//!  - a buffer-to-buffer copy of the packed weight (read + write: the attainable bandwidth), and
//!  - quantized_matmul with M = 1 (transpose, f16 x, affine 4-bit gs 64 and mxfp4),
//! and reports qmv's effective bandwidth (bytes it must read / time) as a share of the copy's.
//! Times are wall clock over many dispatches recorded in one compute pass per submit.
//!
//! Usage: wgpu_bench [--quick]   (--quick: smaller shapes and fewer iterations, for a smoke run)

use qmlx_core::cpu::GatherIndices;
use qmlx_core::{DType, MatmulOp, Meta, Mode, QuantSpec, TensorRef};
use qmlx_wgpu::{GpuTensor, WgpuContext};
use std::time::Instant;

fn time_passes(ctx: &WgpuContext, reps: usize, per_submit: usize, mut record: impl FnMut(&mut wgpu::CommandEncoder)) -> f64 {
    let run = |n: usize, record: &mut dyn FnMut(&mut wgpu::CommandEncoder)| {
        for _ in 0..n {
            let mut enc = ctx_device(ctx).create_command_encoder(&Default::default());
            for _ in 0..per_submit {
                record(&mut enc);
            }
            ctx_queue(ctx).submit([enc.finish()]);
        }
        ctx.synchronize().unwrap();
    };
    run(2, &mut record); // warm-up
    let t = Instant::now();
    run(reps, &mut record);
    t.elapsed().as_secs_f64() / (reps * per_submit) as f64
}

fn ctx_device(ctx: &WgpuContext) -> &wgpu::Device {
    ctx.device()
}
fn ctx_queue(ctx: &WgpuContext) -> &wgpu::Queue {
    ctx.queue()
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

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
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
    let shapes: &[(usize, usize)] = if quick { &[(1024, 512), (512, 1024)] } else { &[(14336, 4096), (4096, 14336), (28672, 4096)] };
    let (reps, per) = if quick { (2, 5) } else { (10, 20) };
    println!("{:<16} {:<22} {:>10} {:>10} {:>10} {:>10} {:>8}", "shape [N,K]", "mode", "copy GB/s", "qmv us", "qmv GB/s", "roofline%", "kernel");
    for &(n, k) in shapes {
        for spec in [QuantSpec::new(Mode::Affine, 64, 4).unwrap(), QuantSpec::with_defaults(Mode::Mxfp4, None, None).unwrap()] {
            let words = n * spec.packed_words(k);
            let groups = n * k / spec.group_size() as usize;
            let w = upload(&ctx, DType::U32, &[n, spec.packed_words(k)], bytemuck::cast_slice(&random_words(words, 7)));
            let half = |v: f32| half::f16::from_f32(v).to_bits();
            let (scales, biases, sbytes) = if spec.has_biases() {
                let s: Vec<u16> = (0..groups).map(|i| half(0.01 + (i % 7) as f32 * 1e-3)).collect();
                let b: Vec<u16> = (0..groups).map(|i| half(-0.05 - (i % 5) as f32 * 1e-3)).collect();
                (
                    upload(&ctx, DType::F16, &[n, k / 64], bytemuck::cast_slice(&s)),
                    Some(upload(&ctx, DType::F16, &[n, k / 64], bytemuck::cast_slice(&b))),
                    groups * 4,
                )
            } else {
                let s: Vec<u8> = (0..groups).map(|i| 120 + (i % 8) as u8).collect();
                (upload(&ctx, DType::U8, &[n, k / 32], &s), None, groups)
            };
            let x: Vec<u16> = (0..k).map(|i| half(((i % 13) as f32 - 6.0) * 0.1)).collect();
            let xg = upload(&ctx, DType::F16, &[1, k], bytemuck::cast_slice(&x));
            let op = MatmulOp::quantized_matmul(&xg.meta(), &w.meta(), &scales.meta(), biases.as_ref().map(|b| b.meta()).as_ref(), true, spec).unwrap();
            let out = ctx.alloc(&Meta::new(op.out_dtype, &op.out_shape)).unwrap();
            let prep = ctx.prepare_matmul(&op, &xg, &w, &scales, biases.as_ref(), GatherIndices::default(), None, &out).unwrap().unwrap();
            let t_qmv = time_passes(&ctx, reps, per, |enc| {
                let mut pass = enc.begin_compute_pass(&Default::default());
                prep.encode(&mut pass);
            });
            let dst = ctx.alloc(&w.meta()).unwrap();
            let wbytes = (words * 4) as u64;
            let t_copy = time_passes(&ctx, reps, per, |enc| enc.copy_buffer_to_buffer(&w.buffer, 0, &dst.buffer, 0, wbytes));
            let copy_bw = 2.0 * wbytes as f64 / t_copy; // read + write
            let qmv_bytes = (words * 4 + sbytes + k * 2 + n * 2) as f64;
            let qmv_bw = qmv_bytes / t_qmv;
            println!(
                "{:<16} {:<22} {:>10.1} {:>10.1} {:>10.1} {:>9.1}% {:>8}",
                format!("{n}x{k}"),
                format!("{} b{} gs{}", spec.mode(), spec.bits(), spec.group_size()),
                copy_bw / 1e9,
                t_qmv * 1e6,
                qmv_bw / 1e9,
                100.0 * qmv_bw / copy_bw,
                prep.kernel().name()
            );
        }
    }
}
