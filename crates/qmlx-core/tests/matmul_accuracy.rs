//! quantized_matmul / gather_qmm against a float64 reference of the stored weights, for every
//! mode, bits, group size, dtype and orientation, on odd, batched, broadcast and empty shapes.
//! (The comparison with MLX-CPU's own error on the same inputs is in tests/python/test_mlx_accuracy.py.)

mod common;

use half::{bf16, f16};
use qmlx_core::api::{self, GroupParams, QuantizedWeight};
use qmlx_core::format::codes::{fp4_decode, fp8_e4m3_decode};
use qmlx_core::format::packing::extract;
use qmlx_core::format::quantize::{fp_scale, nvfp4_global_factor};
use qmlx_core::{Element, Error, Float, Mode, QuantSpec, Rounding};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Exact float64 values of the stored weight, `[batch][rows][cols]` flattened.
fn weights_f64<T: Float>(q: &QuantizedWeight<T>) -> Vec<f64> {
    let spec = q.spec;
    let wpr = *q.wq_shape.last().unwrap();
    let cols = spec.unpacked_len(wpr);
    let rows = q.wq.len() / wpr;
    let gs = spec.group_size() as usize;
    let mut out = Vec::with_capacity(rows * cols);
    for r in 0..rows {
        let row = &q.wq[r * wpr..(r + 1) * wpr];
        for j in 0..cols {
            let c = extract(row, j, spec.bits());
            let g = r * (cols / gs) + j / gs;
            out.push(match &q.params {
                GroupParams::Affine { scales, biases } => scales[g].to_f32() as f64 * c as f64 + biases[g].to_f32() as f64,
                GroupParams::Fp { scales, global_scale } => {
                    let v = if spec.bits() == 8 { fp8_e4m3_decode(c as u8) } else { fp4_decode(c as u8) } as f64;
                    // The scale (times g/2688) is an f32 quantity by definition (spec §5.6).
                    v * fp_scale(&spec, scales[g], global_scale.map(nvfp4_global_factor)) as f64
                }
            });
        }
    }
    out
}

fn floor_for<T: Float>() -> f64 {
    match T::DTYPE {
        qmlx_core::DType::F32 => 2e-6,
        qmlx_core::DType::F16 => 1.5e-3,
        _ => 1.2e-2,
    }
}

fn random_vec<T: Float>(rng: &mut StdRng, n: usize, scale: f32) -> Vec<T> {
    (0..n).map(|_| T::from_f32((rng.random::<f32>() * 2.0 - 1.0) * scale)).collect()
}

/// y64[p][m][n] for the given (x matrix, w matrix) pairs.
#[allow(clippy::too_many_arguments)]
fn reference(x: &[f64], w: &[f64], pairs: &[(usize, usize)], m: usize, n: usize, k: usize, transpose: bool) -> Vec<f64> {
    let mut y = vec![0f64; pairs.len() * m * n];
    for (p, &(xi, wi)) in pairs.iter().enumerate() {
        for mi in 0..m {
            for ni in 0..n {
                let mut acc = 0f64;
                for ki in 0..k {
                    let wv = if transpose { w[wi * n * k + ni * k + ki] } else { w[wi * k * n + ki * n + ni] };
                    acc += x[(xi * m + mi) * k + ki] * wv;
                }
                y[(p * m + mi) * n + ni] = acc;
            }
        }
    }
    y
}

fn rel_err<T: Float>(y: &[T], y64: &[f64]) -> f64 {
    let max = y64.iter().fold(0f64, |a, v| a.max(v.abs()));
    let diff = y.iter().zip(y64).fold(0f64, |a, (u, v)| a.max((u.to_f32() as f64 - v).abs()));
    if max == 0.0 {
        diff
    } else {
        diff / max
    }
}

struct Case<'a> {
    spec: QuantSpec,
    transpose: bool,
    x_shape: &'a [usize],
    w_batch: &'a [usize],
    n: usize,
    k: usize,
    lhs: Option<(&'a [i32], &'a [usize])>,
    rhs: Option<(&'a [i32], &'a [usize])>,
    global_scale: Option<f32>,
}

fn run_case<T: Float + Element>(rng: &mut StdRng, c: &Case<'_>) -> f64 {
    // Stored matrix is [n, k] (transpose) or [k, n] (not), grouped along its last axis.
    let (rows, cols) = if c.transpose { (c.n, c.k) } else { (c.k, c.n) };
    let mut w_shape = c.w_batch.to_vec();
    w_shape.extend([rows, cols]);
    let w_count: usize = c.w_batch.iter().product();
    let w: Vec<T> = random_vec(rng, w_count * rows * cols, 1.0);
    let q = api::quantize(&w, &w_shape, c.spec, Rounding::Gpu, c.global_scale).unwrap();
    let x: Vec<T> = random_vec(rng, c.x_shape.iter().product(), 1.0);
    let y = api::gather_qmm(&x, c.x_shape, &q, c.lhs, c.rhs, c.transpose).unwrap();
    // Build the pairs independently of the library: plain broadcasting / index lookups.
    let x64: Vec<f64> = x.iter().map(|v| v.to_f32() as f64).collect();
    let w64 = weights_f64(&q);
    let m = if c.x_shape.len() == 1 { 1 } else { c.x_shape[c.x_shape.len() - 2] };
    let (pairs, m) = expected_pairs(c, m);
    let y64 = reference(&x64, &w64, &pairs, m, c.n, c.k, c.transpose);
    assert_eq!(y.len(), y64.len(), "output size");
    let err = rel_err(&y, &y64);
    assert!(err <= floor_for::<T>(), "{} {} transpose={} x={:?} w_batch={:?}: err {err:e}", c.spec, T::DTYPE, c.transpose, c.x_shape, c.w_batch);
    err
}

fn expected_pairs(c: &Case<'_>, m: usize) -> (Vec<(usize, usize)>, usize) {
    if c.lhs.is_none() && c.rhs.is_none() {
        if c.w_batch.is_empty() {
            // All leading dims of x are rows.
            let rows = c.x_shape[..c.x_shape.len() - 1].iter().product();
            return (vec![(0, 0)], rows);
        }
        // Only the 1-level broadcast used below: x batch [bx, 1] vs w batch [bw].
        let bx = c.x_shape[0];
        let bw = c.w_batch[0];
        let pairs = (0..bx).flat_map(|i| (0..bw).map(move |j| (i, j))).collect();
        return (pairs, m);
    }
    let lhs = c.lhs.unwrap();
    let rhs = c.rhs.unwrap();
    assert_eq!(lhs.1, rhs.1, "tests use same-shape index arrays");
    (lhs.0.iter().zip(rhs.0).map(|(&a, &b)| (a as usize, b as usize)).collect(), m)
}

fn all_specs() -> Vec<QuantSpec> {
    let mut v = vec![];
    for bits in [1, 2, 3, 4, 5, 6, 8] {
        for gs in [32, 64, 128] {
            v.push(QuantSpec::new(Mode::Affine, gs, bits).unwrap());
        }
    }
    for mode in [Mode::Mxfp4, Mode::Mxfp8, Mode::Nvfp4] {
        v.push(QuantSpec::with_defaults(mode, None, None).unwrap());
    }
    v
}

fn for_dtypes(rng: &mut StdRng, c: &Case<'_>) -> usize {
    run_case::<f32>(rng, c);
    run_case::<f16>(rng, c);
    run_case::<bf16>(rng, c);
    3
}

#[test]
fn every_mode_bits_dtype_orientation_within_floor() {
    let mut rng = StdRng::seed_from_u64(common::seed("every_mode_bits_dtype_orientation_within_floor"));
    let mut per_mode = std::collections::BTreeMap::<&str, usize>::new();
    for spec in all_specs() {
        let gs = spec.group_size() as usize;
        for transpose in [true, false] {
            for m in [1usize, 3, 33] {
                // transpose: N free (13, not a multiple of 8), K = 3 groups; not: K free, N = 2 groups.
                let (n, k) = if transpose { (13, 3 * gs) } else { (2 * gs, 13) };
                let x_shape = [m, k];
                let c = Case { spec, transpose, x_shape: &x_shape, w_batch: &[], n, k, lhs: None, rhs: None, global_scale: None };
                *per_mode.entry(spec.mode().name()).or_default() += for_dtypes(&mut rng, &c);
            }
        }
    }
    eprintln!("matmul cases per mode: {per_mode:?}");
}

#[test]
fn leading_dims_batches_broadcast_and_1d_x() {
    let mut rng = StdRng::seed_from_u64(common::seed("leading_dims_batches_broadcast_and_1d_x"));
    for spec in [QuantSpec::new(Mode::Affine, 32, 3).unwrap(), QuantSpec::new(Mode::Mxfp4, 32, 4).unwrap()] {
        for transpose in [true, false] {
            let (n, k) = if transpose { (7, 64) } else { (64, 7) };
            // 1-D x and x with several leading dims against a 2-D w.
            for x_shape in [vec![k], vec![2, 3, k]] {
                let c = Case { spec, transpose, x_shape: &x_shape, w_batch: &[], n, k, lhs: None, rhs: None, global_scale: None };
                for_dtypes(&mut rng, &c);
            }
            // x [2, 1, 3, K] against w [4, ...] broadcasts to [2, 4, 3, N].
            let x_shape = [2, 1, 3, k];
            let c = Case { spec, transpose, x_shape: &x_shape, w_batch: &[4], n, k, lhs: None, rhs: None, global_scale: None };
            for_dtypes(&mut rng, &c);
        }
    }
}

#[test]
fn gather_with_unsorted_indices_and_nvfp4_global_scale() {
    let mut rng = StdRng::seed_from_u64(common::seed("gather_with_unsorted_indices_and_nvfp4_global_scale"));
    let lhs = [1i32, 0, 2, 2, 1];
    let rhs = [3i32, 0, 0, 2, 1];
    let shape = [5usize];
    for spec in all_specs().into_iter().step_by(4) {
        for transpose in [true, false] {
            let gs = spec.group_size() as usize;
            let (n, k) = if transpose { (5, 2 * gs) } else { (gs, 9) };
            let x_shape = [3, 2, k];
            let global = (spec.mode() == Mode::Nvfp4).then_some(0.75f32);
            let c = Case { spec, transpose, x_shape: &x_shape, w_batch: &[4], n, k, lhs: Some((&lhs, &shape)), rhs: Some((&rhs, &shape)), global_scale: global };
            for_dtypes(&mut rng, &c);
        }
    }
}

#[test]
fn empty_inputs_give_empty_outputs() {
    let spec = QuantSpec::new(Mode::Affine, 32, 4).unwrap();
    let w = vec![0.5f32; 4 * 32];
    let q = api::quantize(&w, &[4, 32], spec, Rounding::Gpu, None).unwrap();
    let y = api::quantized_matmul::<f32>(&[], &[0, 32], &q, true).unwrap();
    assert!(y.is_empty());
    let y = api::quantized_matmul::<f32>(&[], &[2, 0, 32], &q, true).unwrap();
    assert!(y.is_empty());
}

#[test]
fn bad_inputs_are_rejected_naming_the_argument() {
    let spec = QuantSpec::new(Mode::Affine, 32, 4).unwrap();
    let w = vec![0.25f32; 3 * 4 * 64];
    let q = api::quantize(&w, &[3, 4, 64], spec, Rounding::Gpu, None).unwrap();
    let x = vec![1f32; 2 * 64];
    // 2-D x with a batched w: MLX silently uses w[0]; we refuse.
    let e = api::quantized_matmul(&x, &[2, 64], &q, true).unwrap_err();
    assert!(matches!(e, Error::Shape { arg: "x", .. }), "{e}");
    // Wrong K.
    let e = api::quantized_matmul(&x, &[1, 4, 32], &q, true).unwrap_err();
    assert!(matches!(e, Error::Shape { arg: "x", .. }), "{e}");
    assert!(e.to_string().contains("last dimension 64"), "{e}");
    // Out-of-range and negative gather indices, never read.
    let xg = vec![1f32; 2 * 64];
    for bad in [[0i32, 3], [-1, 0]] {
        let e = api::gather_qmm(&xg, &[2, 1, 64], &q, Some((&[0, 1], &[2])), Some((&bad, &[2])), true).unwrap_err();
        assert!(matches!(e, Error::Index { arg: "rhs_indices", .. }), "{e}");
    }
    let e = api::gather_qmm(&xg, &[2, 1, 64], &q, Some((&[0, 2, 1], &[3])), None, true).unwrap_err();
    assert!(matches!(e, Error::Index { arg: "lhs_indices", bound: 2, .. }), "{e}");
    // Scales with the wrong row count (MLX reads out of bounds).
    use qmlx_core::{DType, Meta, MatmulOp};
    let (xm, wm) = (Meta::new(DType::F32, &[1, 2, 64]), Meta::new(DType::U32, &[3, 4, 8]));
    let bad_scales = Meta::new(DType::F32, &[3, 3, 2]);
    let e = MatmulOp::quantized_matmul(&xm, &wm, &bad_scales, Some(&bad_scales), true, spec).unwrap_err();
    assert!(matches!(e, Error::Shape { arg: "scales", .. }), "{e}");
    // Mismatched bias dtype, missing biases, biases for an fp mode, wrong scale dtype for fp.
    let s = Meta::new(DType::F32, &[3, 4, 2]);
    let e = MatmulOp::quantized_matmul(&xm, &wm, &s, Some(&Meta::new(DType::F16, &[3, 4, 2])), true, spec).unwrap_err();
    assert!(matches!(e, Error::DType { arg: "biases", .. }), "{e}");
    let e = MatmulOp::quantized_matmul(&xm, &wm, &s, None, true, spec).unwrap_err();
    assert!(matches!(e, Error::Value { arg: "biases", .. }), "{e}");
    let mx = QuantSpec::new(Mode::Mxfp4, 32, 4).unwrap();
    let e = MatmulOp::quantized_matmul(&xm, &wm, &s, None, true, mx).unwrap_err();
    assert!(matches!(e, Error::DType { arg: "scales", .. }), "{e}");
    let e = MatmulOp::quantized_matmul(&Meta::new(DType::I32, &[1, 2, 64]), &wm, &s, Some(&s), true, spec).unwrap_err();
    assert!(matches!(e, Error::DType { arg: "x", .. }), "{e}");
    let e = MatmulOp::quantized_matmul(&xm, &Meta::new(DType::I32, &[3, 4, 8]), &s, Some(&s), true, spec).unwrap_err();
    assert!(matches!(e, Error::DType { arg: "w", .. }), "{e}");
    // Non-finite weights.
    let mut wn = vec![0.5f32; 2 * 32];
    wn[40] = f32::NAN;
    let e = api::quantize(&wn, &[2, 32], spec, Rounding::Gpu, None).unwrap_err();
    assert!(matches!(e, Error::NonFinite { row: 1, .. }), "{e}");
    // K not a multiple of the group size; global scale on a non-nvfp4 mode.
    let e = api::quantize(&vec![0f32; 48], &[1, 48], spec, Rounding::Gpu, None).unwrap_err();
    assert!(matches!(e, Error::Shape { arg: "w", .. }), "{e}");
    let e = api::quantize(&vec![0f32; 64], &[1, 64], spec, Rounding::Gpu, Some(1.0)).unwrap_err();
    assert!(matches!(e, Error::Value { arg: "global_scale", .. }), "{e}");
}

#[test]
fn poisoned_outputs_are_fully_overwritten() {
    // Every output element is written: run into a NaN-filled buffer through the low-level API.
    use qmlx_core::{cpu, MatmulOp, TensorMut, TensorRef};
    let mut rng = StdRng::seed_from_u64(common::seed("poisoned_outputs_are_fully_overwritten"));
    for spec in all_specs() {
        for transpose in [true, false] {
            let gs = spec.group_size() as usize;
            let (n, k) = if transpose { (11, gs) } else { (gs, 11) };
            let (rows, cols) = if transpose { (n, k) } else { (k, n) };
            let w: Vec<f32> = random_vec(&mut rng, rows * cols, 1.0);
            let q = api::quantize(&w, &[rows, cols], spec, Rounding::Gpu, None).unwrap();
            let x: Vec<f32> = random_vec(&mut rng, 3 * k, 1.0);
            let xs = [3, k];
            let xr = TensorRef::new(&x, &xs).unwrap();
            let wr = TensorRef::new(&q.wq, &q.wq_shape).unwrap();
            let (sr, br) = match &q.params {
                GroupParams::Affine { scales, biases } => (TensorRef::new(scales, &q.scales_shape).unwrap(), Some(TensorRef::new(biases, &q.scales_shape).unwrap())),
                GroupParams::Fp { scales, .. } => (TensorRef::new(scales, &q.scales_shape).unwrap(), None),
            };
            let op = MatmulOp::quantized_matmul(&xr.meta(), &wr.meta(), &sr.meta(), br.map(|b| b.meta()).as_ref(), transpose, spec).unwrap();
            let mut out = vec![f32::NAN; 3 * n];
            cpu::matmul(&op, xr, wr, sr, br, Default::default(), None, TensorMut::new(&mut out, &op.out_shape).unwrap()).unwrap();
            assert!(out.iter().all(|v| v.is_finite()), "{spec} transpose={transpose}: unwritten output");
        }
    }
}
