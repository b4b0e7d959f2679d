//! The main job on the CPU: quantize a Llama-sized weight (4096×4096) in every mode, run
//! quantized_matmul at decode (M=1) and prefill (M=64) sizes, and print the error against a
//! float64 reference of the stored weights and the throughput.
//!
//! `cargo run --release --example demo [-- N K]`

use qmlx_core::api::{self, QuantizedWeight};
use qmlx_core::{Mode, QuantSpec, Rounding};
use std::time::Instant;

fn lcg(state: &mut u64) -> f32 {
    *state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    ((*state >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
}

fn rel_err(y: &[f32], w64: &[f64], x: &[f32], m: usize, n: usize, k: usize) -> f64 {
    let (mut num, mut den) = (0f64, 0f64);
    for mi in 0..m {
        for ni in 0..n {
            let r: f64 = (0..k).map(|j| x[mi * k + j] as f64 * w64[ni * k + j]).sum();
            num = num.max((y[mi * n + ni] as f64 - r).abs());
            den = den.max(r.abs());
        }
    }
    num / den
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let (n, k) = (args.first().copied().unwrap_or(4096), args.get(1).copied().unwrap_or(4096));
    let mut seed = 0x5eed_u64;
    let w: Vec<f32> = (0..n * k).map(|_| lcg(&mut seed) * 0.02).collect();
    println!("weight {n}x{k} float32, {} threads", rayon::current_num_threads());
    println!("{:<28} {:>10} {:>12} {:>12} {:>12} {:>10}", "mode", "quant ms", "err M=1", "M=1 µs", "M=1 GB/s", "M=64 ms");
    let mut specs = vec![];
    for bits in [2, 3, 4, 5, 6, 8] {
        specs.push(QuantSpec::new(Mode::Affine, 64, bits).unwrap());
    }
    specs.push(QuantSpec::new(Mode::Affine, 32, 1).unwrap());
    for mode in [Mode::Mxfp4, Mode::Mxfp8, Mode::Nvfp4] {
        specs.push(QuantSpec::with_defaults(mode, None, None).unwrap());
    }
    for spec in specs {
        let t = Instant::now();
        let q: QuantizedWeight<f32> = api::quantize(&w, &[n, k], spec, Rounding::Gpu, None).unwrap();
        let quant_ms = t.elapsed().as_secs_f64() * 1e3;
        let w_hat: Vec<f64> = api::dequantize::<f32>(&q).unwrap().into_iter().map(f64::from).collect();
        let bytes = q.wq.len() * 4
            + match &q.params {
                api::GroupParams::Affine { scales, .. } => scales.len() * 8,
                api::GroupParams::Fp { scales, .. } => scales.len(),
            };
        let x1: Vec<f32> = (0..k).map(|_| lcg(&mut seed)).collect();
        let y1 = api::quantized_matmul(&x1, &[1, k], &q, true).unwrap();
        let err = rel_err(&y1, &w_hat, &x1, 1, n, k);
        let reps = 10;
        let t = Instant::now();
        for _ in 0..reps {
            std::hint::black_box(api::quantized_matmul(&x1, &[1, k], &q, true).unwrap());
        }
        let us = t.elapsed().as_secs_f64() * 1e6 / reps as f64;
        let x64: Vec<f32> = (0..64 * k).map(|_| lcg(&mut seed)).collect();
        let t = Instant::now();
        std::hint::black_box(api::quantized_matmul(&x64, &[64, k], &q, true).unwrap());
        let ms64 = t.elapsed().as_secs_f64() * 1e3;
        println!(
            "{:<28} {:>10.1} {:>12.2e} {:>12.1} {:>12.2} {:>10.2}",
            format!("{} b{} g{}", spec.mode(), spec.bits(), spec.group_size()),
            quant_ms,
            err,
            us,
            bytes as f64 / us / 1e3,
            ms64
        );
    }
    println!("(weights reused across calls: the timings include cache effects; see bench/ for streamed numbers)");
}
