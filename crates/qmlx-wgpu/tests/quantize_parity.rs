//! quantize / dequantize on wgpu are bit-exact with the CPU backend, for every mode, bits, group
//! size, dtype and rounding; errors match the CPU's.

mod common;
use common::*;
use qmlx_core::api::{self, GroupParams, QuantizedWeight};
use qmlx_core::{with_float_type, DType, DequantizeOp, Element, Error, Float, Meta, Mode, QuantSpec, QuantizeOp, Rounding, TensorMut, TensorRef};
use qmlx_wgpu::WgpuContext;

/// Weights with the awkward cases in them: a zero group, an all-negative group, exact ties.
fn weights<T: Float>(rng: &mut rand::rngs::StdRng, rows: usize, cols: usize, gs: usize) -> Vec<T> {
    let mut w: Vec<T> = randn(rng, rows * cols, 2.0);
    for j in 0..gs {
        w[j] = T::from_f32(0.0);
        if rows > 1 {
            w[cols + j] = T::from_f32(-1.0 - (j % 5) as f32 * 0.25);
        }
        if rows > 2 {
            w[2 * cols + j] = T::from_f32(((j % 7) as f32 - 3.0) * 0.5);
        }
    }
    w
}

fn gpu_quantize<T: Float + Element>(
    ctx: &WgpuContext,
    w: &[T],
    shape: &[usize],
    spec: QuantSpec,
    rounding: Rounding,
    gscale: Option<f32>,
) -> Result<QuantizedWeight<T>, Error> {
    let g_arr = gscale.map(|g| [g]);
    let g_meta = g_arr.map(|_| Meta::new(DType::F32, &[1]));
    let wr = TensorRef::new(w, shape)?;
    let op = QuantizeOp::new(&wr.meta(), spec, rounding, g_meta.as_ref())?;
    let mut wq = vec![0u32; op.wq_shape.iter().product()];
    let ng: usize = op.scales_shape.iter().product();
    let gref = match &g_arr {
        Some(a) => Some(TensorRef::new(&a[..], &[1])?),
        None => None,
    };
    let params = if spec.has_biases() {
        let (mut s, mut b) = (vec![T::default(); ng], vec![T::default(); ng]);
        ctx.quantize_host(
            &op,
            wr,
            gref,
            TensorMut::new(&mut wq, &op.wq_shape)?,
            TensorMut::new(&mut s, &op.scales_shape)?,
            Some(TensorMut::new(&mut b, &op.scales_shape)?),
        )?;
        GroupParams::Affine { scales: s, biases: b }
    } else {
        let mut s = vec![0u8; ng];
        ctx.quantize_host(&op, wr, gref, TensorMut::new(&mut wq, &op.wq_shape)?, TensorMut::new(&mut s, &op.scales_shape)?, None)?;
        GroupParams::Fp { scales: s, global_scale: gscale }
    };
    Ok(QuantizedWeight { spec, wq_shape: op.wq_shape.clone(), scales_shape: op.scales_shape, wq, params })
}

fn gpu_dequantize<T: Float + Element, O: Float + Element>(ctx: &WgpuContext, q: &QuantizedWeight<T>) -> Result<Vec<O>, Error> {
    let w = TensorRef::new(&q.wq, &q.wq_shape)?;
    let (s, b, g) = match &q.params {
        GroupParams::Affine { scales, biases } => {
            (TensorRef::new(scales, &q.scales_shape)?, Some(TensorRef::new(biases, &q.scales_shape)?), None)
        }
        GroupParams::Fp { scales, global_scale } => (TensorRef::new(scales, &q.scales_shape)?, None, *global_scale),
    };
    let g_arr = g.map(|g| [g]);
    let g_meta = g_arr.map(|_| Meta::new(DType::F32, &[1]));
    let op = DequantizeOp::new(&w.meta(), &s.meta(), b.map(|b| b.meta()).as_ref(), q.spec, g_meta.as_ref(), Some(O::DTYPE))?;
    let mut out = vec![O::default(); op.out_shape.iter().product()];
    let gref = match &g_arr {
        Some(a) => Some(TensorRef::new(&a[..], &[1])?),
        None => None,
    };
    ctx.dequantize_host(&op, w, s, b, gref, TensorMut::new(&mut out, &op.out_shape)?)?;
    Ok(out)
}

fn check_case<T: Float + Element>(
    ctx: &WgpuContext,
    rng: &mut rand::rngs::StdRng,
    spec: QuantSpec,
    rounding: Rounding,
    shape: &[usize],
    gscale: Option<f32>,
) -> usize {
    let cols = *shape.last().unwrap();
    let rows: usize = shape[..shape.len() - 1].iter().product();
    let w: Vec<T> = weights(rng, rows, cols, spec.group_size() as usize);
    let what = format!("{spec} {} {rounding:?} shape {shape:?} global {gscale:?}", T::DTYPE);
    let cpu = api::quantize(&w, shape, spec, rounding, gscale).unwrap();
    let gpu = gpu_quantize(ctx, &w, shape, spec, rounding, gscale).unwrap();
    assert_eq!(cpu.wq, gpu.wq, "packed codes differ: {what}");
    match (&cpu.params, &gpu.params) {
        (GroupParams::Affine { scales: a, biases: b }, GroupParams::Affine { scales: c, biases: d }) => {
            same_bits(T::DTYPE, bytemuck::cast_slice(a), bytemuck::cast_slice(c)).unwrap_or_else(|e| panic!("scales: {e}: {what}"));
            same_bits(T::DTYPE, bytemuck::cast_slice(b), bytemuck::cast_slice(d)).unwrap_or_else(|e| panic!("biases: {e}: {what}"));
        }
        (GroupParams::Fp { scales: a, .. }, GroupParams::Fp { scales: c, .. }) => assert_eq!(a, c, "scale bytes differ: {what}"),
        _ => unreachable!(),
    }
    let mut n = 1;
    // Dequantize to the weight's dtype and to float32 (the other pairs share the same code path).
    for od in DTYPES.into_iter().filter(|&d| d == T::DTYPE || d == DType::F32) {
        with_float_type!(od, O => {
            let c: Vec<O> = api::dequantize::<O>(&cpu).unwrap();
            let g: Vec<O> = gpu_dequantize::<T, O>(ctx, &cpu).unwrap();
            same_bits(od, bytemuck::cast_slice(&c), bytemuck::cast_slice(&g)).unwrap_or_else(|e| panic!("dequantize to {od}: {e}: {what}"));
        });
        n += 1;
    }
    n
}

#[test]
fn quantize_dequantize_bit_exact_every_mode() {
    let Some(ctx) = ctx("quantize_dequantize_bit_exact_every_mode") else { return };
    let mut rng = rng("quantize_dequantize_bit_exact_every_mode");
    let mut cases = 0;
    // Every bit width; every group size where codes straddle words (3) and where they do not (4).
    let mut specs: Vec<QuantSpec> = all_specs().into_iter().filter(|s| s.group_size() == 64 || [3, 4].contains(&s.bits()) || s.mode() != Mode::Affine).collect();
    specs.dedup();
    for spec in specs {
        let gs = spec.group_size() as usize;
        for dt in DTYPES {
            let roundings: &[Rounding] = if spec.mode() == Mode::Affine { &[Rounding::Gpu, Rounding::Cpu] } else { &[Rounding::Gpu] };
            for &r in roundings {
                // 3 rows of 3 groups (scale words straddle rows), and a batched [2, 3, gs] weight.
                for shape in [vec![3, 3 * gs], vec![2, 3, gs]] {
                    cases += with_float_type!(dt, T => check_case::<T>(ctx, &mut rng, spec, r, &shape, None));
                }
            }
            if spec.mode() == Mode::Nvfp4 {
                cases += with_float_type!(dt, T => check_case::<T>(ctx, &mut rng, spec, Rounding::Gpu, &[5, 64], Some(3.7)));
            }
        }
    }
    println!("quantize/dequantize bit-exact cases: {cases}");
}

#[test]
fn quantize_rejects_non_finite_and_bad_global_scale() {
    let Some(ctx) = ctx("quantize_rejects_non_finite_and_bad_global_scale") else { return };
    let spec = QuantSpec::new(Mode::Affine, 32, 4).unwrap();
    let mut w = vec![0.5f32; 4 * 64];
    w[2 * 64 + 7] = f32::INFINITY;
    w[3 * 64 + 1] = f32::NAN;
    let e = gpu_quantize(ctx, &w, &[4, 64], spec, Rounding::Gpu, None).unwrap_err();
    assert_eq!(e, api::quantize(&w, &[4, 64], spec, Rounding::Gpu, None).unwrap_err());
    assert!(matches!(e, Error::NonFinite { row: 2, .. }), "{e}");
    let nv = QuantSpec::with_defaults(Mode::Nvfp4, None, None).unwrap();
    let w = vec![0.5f32; 64];
    for g in [0.0, -1.0, f32::NAN] {
        let e = gpu_quantize(ctx, &w, &[2, 32], nv, Rounding::Gpu, Some(g)).unwrap_err();
        assert!(matches!(e, Error::Value { arg: "global_scale", .. }), "{e}");
    }
}

#[test]
fn quantize_empty_and_mismatched_buffers() {
    let Some(ctx) = ctx("quantize_empty_and_mismatched_buffers") else { return };
    let spec = QuantSpec::new(Mode::Affine, 64, 4).unwrap();
    let q = gpu_quantize::<f32>(ctx, &[], &[0, 64], spec, Rounding::Gpu, None).unwrap();
    assert!(q.wq.is_empty());
    // A wq buffer of the wrong shape is refused, naming the argument.
    let w = vec![0.25f32; 128];
    let wr = TensorRef::new(&w, &[2, 64]).unwrap();
    let op = QuantizeOp::new(&wr.meta(), spec, Rounding::Gpu, None).unwrap();
    let gw = ctx.upload(&wr).unwrap();
    let bad = ctx.alloc(&Meta::new(DType::U32, &[2, 9])).unwrap();
    let s = ctx.alloc(&op.scales_meta()).unwrap();
    let b = ctx.alloc(&op.biases_meta().unwrap()).unwrap();
    let e = ctx.quantize(&op, &gw, None, &bad, &s, Some(&b)).unwrap_err();
    assert!(matches!(e, Error::Shape { arg: "wq", .. }), "{e}");
}
