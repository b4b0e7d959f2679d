//! Shared test helpers: the context (or a loud SKIP), seeded random data, the float64 metric.
#![allow(dead_code)]

use qmlx_core::api::{GroupParams, QuantizedWeight};
use qmlx_core::format::codes::{e8m0_decode, fp4_decode, fp8_e4m3_decode};
use qmlx_core::format::packing::extract;
use qmlx_core::{DType, Element, Float, Mode, QuantSpec};
use qmlx_wgpu::WgpuContext;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The shared context, or None after printing a SKIP line naming the reason.
pub fn ctx(test: &str) -> Option<&'static WgpuContext> {
    match WgpuContext::global() {
        Ok(c) => Some(c),
        Err(e) => {
            println!("SKIP {test}: no wgpu adapter: {e}");
            eprintln!("SKIP {test}: no wgpu adapter: {e}");
            None
        }
    }
}

/// A fresh seed (QMLX_SEED to replay), printed so a failure can be reproduced.
pub fn rng(test: &str) -> StdRng {
    let seed = std::env::var("QMLX_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
    });
    println!("{test}: seed {seed} (QMLX_SEED={seed} to replay)");
    StdRng::seed_from_u64(seed)
}

pub fn randn<T: Float>(rng: &mut StdRng, n: usize, scale: f32) -> Vec<T> {
    (0..n)
        .map(|_| {
            // Sum of uniforms: roughly normal, with some spread of magnitudes.
            let v: f32 = (0..4).map(|_| rng.random::<f32>() - 0.5).sum::<f32>() * scale;
            T::from_f32(v)
        })
        .collect()
}

/// All quantizations: every affine bits × group size, and the fp modes.
pub fn all_specs() -> Vec<QuantSpec> {
    let mut v = Vec::new();
    for bits in [1, 2, 3, 4, 5, 6, 8] {
        for gs in [32, 64, 128] {
            v.push(QuantSpec::new(Mode::Affine, gs, bits).unwrap());
        }
    }
    for m in [Mode::Mxfp4, Mode::Mxfp8, Mode::Nvfp4] {
        v.push(QuantSpec::with_defaults(m, None, None).unwrap());
    }
    v
}

pub const DTYPES: [DType; 3] = [DType::F32, DType::F16, DType::BF16];

/// The exact float64 value of every stored weight of a quantized tensor, row-major `[.., R, C]`.
pub fn exact_weights<T: Float + Element>(q: &QuantizedWeight<T>) -> Vec<f64> {
    let spec = q.spec;
    let wpr = *q.wq_shape.last().unwrap();
    let cols = spec.unpacked_len(wpr);
    let rows = q.wq.len() / wpr.max(1);
    let gs = spec.group_size() as usize;
    let gpr = cols / gs;
    let mut out = vec![0f64; rows * cols];
    for r in 0..rows {
        let row = &q.wq[r * wpr..(r + 1) * wpr];
        for j in 0..cols {
            let c = extract(row, j, spec.bits());
            let g = r * gpr + j / gs;
            out[r * cols + j] = match &q.params {
                GroupParams::Affine { scales, biases } => {
                    scales[g].to_f32() as f64 * c as f64 + biases[g].to_f32() as f64
                }
                GroupParams::Fp { scales, global_scale } => {
                    let v = if spec.bits() == 8 { fp8_e4m3_decode(c as u8) } else { fp4_decode(c as u8) } as f64;
                    let s = match spec.mode() {
                        Mode::Nvfp4 => {
                            let d = fp8_e4m3_decode(scales[g]) as f64;
                            match global_scale {
                                Some(gl) => d * (*gl as f64 / 2688.0),
                                None => d,
                            }
                        }
                        _ => e8m0_decode(scales[g]) as f64,
                    };
                    v * s
                }
            };
        }
    }
    out
}

/// err = max|y − y64| / max|y64|.
pub fn rel_err(y: &[f64], y64: &[f64]) -> f64 {
    let num = y.iter().zip(y64).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    let den = y64.iter().map(|v| v.abs()).fold(0.0, f64::max);
    if den == 0.0 {
        num
    } else {
        num / den
    }
}

/// Issue 2's floors.
pub fn floor(dt: DType) -> f64 {
    match dt {
        DType::F32 => 2e-6,
        DType::F16 => 1.5e-3,
        _ => 1.2e-2,
    }
}

/// Bytes equal as tensors of `dt`, NaN matching any NaN.
pub fn same_bits(dt: DType, a: &[u8], b: &[u8]) -> Result<(), String> {
    if a.len() != b.len() {
        return Err(format!("length {} vs {}", a.len(), b.len()));
    }
    let es = dt.size();
    for (i, (x, y)) in a.chunks(es).zip(b.chunks(es)).enumerate() {
        if x == y {
            continue;
        }
        let nan = |c: &[u8]| match dt {
            DType::F32 => f32::from_le_bytes(c.try_into().unwrap()).is_nan(),
            DType::F16 => half::f16::from_le_bytes(c.try_into().unwrap()).is_nan(),
            DType::BF16 => half::bf16::from_le_bytes(c.try_into().unwrap()).is_nan(),
            _ => false,
        };
        if nan(x) && nan(y) {
            continue;
        }
        return Err(format!("element {i}: {x:02x?} vs {y:02x?}"));
    }
    Ok(())
}

pub fn to_f64<T: Float>(v: &[T]) -> Vec<f64> {
    v.iter().map(|x| x.to_f32() as f64).collect()
}
