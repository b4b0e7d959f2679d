//! quantized_matmul and gather_qmm on wgpu against issue 2's float64 metric:
//! err = max|y − y64| / max|y64| ≤ floor(dtype), Ŵ64 the exact stored weights, y64 = x64 @ Ŵ64.
//! Every mode, both orientations, f32/f16/bf16, M = 1, 3, 33, N not a multiple of 8, batches,
//! broadcasting, gather (incl. sorted MoE experts), empty tensors and bad indices.

mod common;
use common::*;
use qmlx_core::api::{self, GroupParams, QuantizedWeight};
use qmlx_core::cpu::GatherIndices;
use qmlx_core::{with_float_type, DType, DequantizeOp, Element, Error, Float, IndexSlice, MatmulOp, Meta, Mode, QuantSpec, Rounding, TensorMut, TensorRef};
use qmlx_wgpu::WgpuContext;
use rand::Rng;

/// How a case draws x: `randn` of scale 1; of scale `s`; or scale 1 with element 0 of every row
/// set to ±`p` (one large activation per row: qmv's f16 path must not overflow where f32 does not).
#[derive(Clone, Copy, Debug)]
enum XGen {
    Normal,
    Scaled(f32),
    Peak(f32),
}

struct Case<'a> {
    x_gen: XGen,
    spec: QuantSpec,
    transpose: bool,
    x_shape: Vec<usize>,
    w_batch: Vec<usize>,
    n: usize,
    k: usize,
    lhs: Option<(&'a [i32], &'a [usize])>,
    rhs: Option<(&'a [i32], &'a [usize])>,
    sorted: bool,
    global: Option<f32>,
}

/// Runs one case on the GPU and returns (gpu err, cpu err) against float64.
fn run<T: Float + Element>(ctx: &WgpuContext, rng: &mut rand::rngs::StdRng, c: &Case<'_>) -> Result<(f64, f64), Error> {
    let (rows, cols) = if c.transpose { (c.n, c.k) } else { (c.k, c.n) };
    let mut w_shape = c.w_batch.clone();
    w_shape.extend([rows, cols]);
    let w: Vec<T> = randn(rng, w_shape.iter().product(), 1.0);
    let q: QuantizedWeight<T> = api::quantize(&w, &w_shape, c.spec, Rounding::Gpu, c.global)?;
    let mut x: Vec<T> = randn(rng, c.x_shape.iter().product(), if let XGen::Scaled(s) = c.x_gen { s } else { 1.0 });
    if let XGen::Peak(p) = c.x_gen {
        for (r, row) in x.chunks_mut(c.k).enumerate() {
            row[0] = T::from_f32(if r % 2 == 0 { p } else { -p });
        }
    }
    let (scales, biases) = match &q.params {
        GroupParams::Affine { scales, biases } => (bytemuck::cast_slice::<T, u8>(scales), Some(biases)),
        GroupParams::Fp { scales, .. } => (&scales[..], None),
    };
    let sd = c.spec.scales_dtype(T::DTYPE);
    let xr = TensorRef::new(&x, &c.x_shape)?;
    let wr = TensorRef::new(&q.wq, &q.wq_shape)?;
    let sr = TensorRef::from_bytes("scales", sd, &q.scales_shape, scales)?;
    let br = biases.map(|b| TensorRef::new(b, &q.scales_shape)).transpose()?;
    let g_all: Option<Vec<f32>> = c.global.map(|g| vec![g; c.w_batch.iter().product()]);
    let gr = g_all.as_ref().map(|g| TensorRef::new(g, &c.w_batch)).transpose()?;
    let lm = c.lhs.map(|(_, s)| Meta::new(DType::I32, s));
    let rm = c.rhs.map(|(_, s)| Meta::new(DType::I32, s));
    let op = MatmulOp::gather_qmm(
        &xr.meta(),
        &wr.meta(),
        &sr.meta(),
        br.map(|b| b.meta()).as_ref(),
        lm.as_ref(),
        rm.as_ref(),
        c.transpose,
        c.spec,
        gr.map(|g| g.meta()).as_ref(),
        c.sorted,
    )?;
    let idx = GatherIndices { lhs: c.lhs.map(|(i, _)| IndexSlice::I32(i)), rhs: c.rhs.map(|(i, _)| IndexSlice::I32(i)) };
    let mut out = vec![T::default(); op.out_shape.iter().product()];
    ctx.matmul_host(&op, xr, wr, sr, br, idx, gr, TensorMut::new(&mut out, &op.out_shape)?)?;
    let mut cpu = vec![T::default(); op.out_shape.iter().product()];
    qmlx_core::cpu::matmul(&op, xr, wr, sr, br, idx, gr, TensorMut::new(&mut cpu, &op.out_shape)?)?;

    // float64 reference over the resolved pairs.
    let pairs = op.pairs(idx.lhs, idx.rhs)?;
    let w64 = exact_weights(&q);
    let x64 = to_f64(&x);
    let (m, n, k) = (op.m, op.n, op.k);
    let mut y64 = vec![0f64; pairs.len() * m * n];
    for (p, &(xi, wi)) in pairs.iter().enumerate() {
        let wm = &w64[wi * rows * cols..(wi + 1) * rows * cols];
        for mi in 0..m {
            let xrow = &x64[(xi * m + mi) * k..(xi * m + mi + 1) * k];
            for ni in 0..n {
                let mut s = 0f64;
                for (kk, xv) in xrow.iter().enumerate() {
                    s += xv * if c.transpose { wm[ni * k + kk] } else { wm[kk * n + ni] };
                }
                y64[(p * m + mi) * n + ni] = s;
            }
        }
    }
    Ok((rel_err(&to_f64(&out), &y64), rel_err(&to_f64(&cpu), &y64)))
}

fn check(ctx: &WgpuContext, rng: &mut rand::rngs::StdRng, dt: DType, c: &Case<'_>) {
    let (e, ecpu) = with_float_type!(dt, T => run::<T>(ctx, rng, c)).unwrap();
    let what = format!(
        "{} {dt} transpose={} x{:?} {:?} w_batch{:?} n={} k={} lhs={:?} rhs={:?} global={:?}",
        c.spec, c.transpose, c.x_shape, c.x_gen, c.w_batch, c.n, c.k, c.lhs, c.rhs, c.global
    );
    assert!(e <= floor(dt), "err {e:.3e} > floor {:.1e} (cpu backend: {ecpu:.3e}): {what}", floor(dt));
}

/// Specs for the matmul grid: every bit width, the straddling widths at every group size, fp modes.
fn matmul_specs() -> Vec<QuantSpec> {
    let mut v: Vec<QuantSpec> = [1, 2, 3, 4, 5, 6, 8].iter().map(|&b| QuantSpec::new(Mode::Affine, 64, b).unwrap()).collect();
    for (b, gs) in [(3, 32), (3, 128), (4, 32), (4, 128)] {
        v.push(QuantSpec::new(Mode::Affine, gs, b).unwrap());
    }
    v.extend([Mode::Mxfp4, Mode::Mxfp8, Mode::Nvfp4].map(|m| QuantSpec::with_defaults(m, None, None).unwrap()));
    v
}

#[test]
fn quantized_matmul_every_mode_within_metric() {
    let Some(ctx) = ctx("quantized_matmul_every_mode_within_metric") else { return };
    let mut rng = rng("quantized_matmul_every_mode_within_metric");
    let mut cases = 0;
    for spec in matmul_specs() {
        let gs = spec.group_size() as usize;
        for dt in DTYPES {
            for transpose in [true, false] {
                for m in [1usize, 3, 33] {
                    // N not a multiple of 8 where the layout allows it (transposed: N is free).
                    let n = if transpose { 13 } else { 2 * gs };
                    let k = if transpose { 3 * gs } else { 40 };
                    let c = Case { x_gen: XGen::Normal, spec, transpose, x_shape: vec![m, k], w_batch: vec![], n, k, lhs: None, rhs: None, sorted: false, global: None };
                    check(ctx, &mut rng, dt, &c);
                    cases += 1;
                }
            }
        }
    }
    println!("quantized_matmul cases: {cases}");
}

#[test]
fn batched_broadcast_and_1d() {
    let Some(ctx) = ctx("batched_broadcast_and_1d") else { return };
    let mut rng = rng("batched_broadcast_and_1d");
    let spec = QuantSpec::new(Mode::Affine, 32, 4).unwrap();
    for dt in DTYPES {
        // x batch [2, 1] against w batch [3] -> [2, 3]; 1-D x against a 2-D w; 3-D x rows.
        for (xs, wb) in [(vec![2, 1, 3, 64], vec![3]), (vec![64], vec![]), (vec![2, 5, 64], vec![])] {
            for transpose in [true, false] {
                let n = if transpose { 24 } else { 32 };
                let mut xs2 = xs.clone();
                *xs2.last_mut().unwrap() = if transpose { 64 } else { 24 };
                let k = *xs2.last().unwrap();
                let c = Case { x_gen: XGen::Normal, spec, transpose, x_shape: xs2, w_batch: wb.clone(), n, k, lhs: None, rhs: None, sorted: false, global: None };
                check(ctx, &mut rng, dt, &c);
            }
        }
    }
}

#[test]
fn gather_qmm_and_sorted_moe() {
    let Some(ctx) = ctx("gather_qmm_and_sorted_moe") else { return };
    let mut rng = rng("gather_qmm_and_sorted_moe");
    let experts = 5;
    let tokens = 37;
    let mut sorted: Vec<i32> = (0..tokens).map(|_| rng.random_range(0..experts as i32)).collect();
    let unsorted = sorted.clone();
    sorted.sort();
    let lhs: Vec<i32> = (0..6).map(|_| rng.random_range(0..3)).collect();
    let rhs: Vec<i32> = (0..6).map(|_| rng.random_range(0..experts as i32)).collect();
    let specs = [
        QuantSpec::new(Mode::Affine, 64, 4).unwrap(),
        QuantSpec::new(Mode::Affine, 32, 3).unwrap(),
        QuantSpec::with_defaults(Mode::Mxfp4, None, None).unwrap(),
        QuantSpec::with_defaults(Mode::Nvfp4, None, None).unwrap(),
    ];
    let mut cases = 0;
    for spec in specs {
        let global = (spec.mode() == Mode::Nvfp4).then_some(2.5f32);
        for dt in DTYPES {
            for transpose in [true, false] {
                let (n, k) = if transpose { (20, 128) } else { (64, 48) };
                // MoE decode: one row per token, sorted and unsorted experts (sorted flag as a hint only).
                for (idx, hint) in [(&sorted, true), (&unsorted, false), (&unsorted, true)] {
                    let c = Case {
                        x_gen: XGen::Normal,
                        spec, transpose, x_shape: vec![tokens, 1, k], w_batch: vec![experts], n, k,
                        lhs: None, rhs: Some((idx, &[37])), sorted: hint, global,
                    };
                    check(ctx, &mut rng, dt, &c);
                    cases += 1;
                }
                // MoE prefill-like: several rows per matrix, both index arrays, shape [2, 3].
                let c = Case {
                    x_gen: XGen::Normal,
                    spec, transpose, x_shape: vec![3, 33, k], w_batch: vec![experts], n, k,
                    lhs: Some((&lhs, &[2, 3])), rhs: Some((&rhs, &[2, 3])), sorted: false, global,
                };
                check(ctx, &mut rng, dt, &c);
                cases += 1;
            }
        }
    }
    println!("gather_qmm cases: {cases}");
}

#[test]
fn bad_indices_and_empty() {
    let Some(ctx) = ctx("bad_indices_and_empty") else { return };
    let mut rng = rng("bad_indices_and_empty");
    let spec = QuantSpec::new(Mode::Affine, 64, 4).unwrap();
    for bad in [[0, 5], [-1, 0]] {
        let c = Case {
            x_gen: XGen::Normal,
            spec, transpose: true, x_shape: vec![2, 1, 64], w_batch: vec![5], n: 8, k: 64,
            lhs: None, rhs: Some((&bad, &[2])), sorted: false, global: None,
        };
        let e = run::<f32>(ctx, &mut rng, &c).unwrap_err();
        assert!(matches!(e, Error::Index { arg: "rhs_indices", .. }), "{e}");
    }
    // Empty: zero rows of x, and zero tokens in a gather.
    let c = Case { x_gen: XGen::Normal, spec, transpose: true, x_shape: vec![0, 64], w_batch: vec![], n: 8, k: 64, lhs: None, rhs: None, sorted: false, global: None };
    run::<f32>(ctx, &mut rng, &c).unwrap();
    let c = Case {
        x_gen: XGen::Normal,
        spec, transpose: false, x_shape: vec![0, 1, 64], w_batch: vec![2], n: 64, k: 64,
        lhs: None, rhs: Some((&[], &[0])), sorted: true, global: None,
    };
    run::<f32>(ctx, &mut rng, &c).unwrap();
}

/// Decode (qmv) with long rows: several chunk steps per thread, a partial last step, rows taken a
/// unit at a time (every affine width, fp4, mxfp8) and nvfp4 rows ending in half a chunk (code by code), N odd (float32 + cast) and even (16-bit outputs written by qmv itself),
/// up to the 8 x rows of a qmv tile.
#[test]
fn qmv_long_rows() {
    let Some(ctx) = ctx("qmv_long_rows") else { return };
    let mut rng = rng("qmv_long_rows");
    let specs = [
        (QuantSpec::new(Mode::Affine, 64, 4).unwrap(), 2112),
        (QuantSpec::new(Mode::Affine, 128, 8).unwrap(), 1152),
        (QuantSpec::new(Mode::Affine, 32, 3).unwrap(), 1056),
        (QuantSpec::with_defaults(Mode::Mxfp4, None, None).unwrap(), 2080),
        (QuantSpec::with_defaults(Mode::Nvfp4, None, None).unwrap(), 1040),
        (QuantSpec::with_defaults(Mode::Nvfp4, None, None).unwrap(), 1056),
        (QuantSpec::new(Mode::Affine, 128, 4).unwrap(), 1152),
        // Stage 7: affine 2/3/5/6-bit and mxfp8 on the unit path (2-bit: 64-code units; 3/5/6-bit:
        // 32-code units of 3/5/6 words, codes straddling words; the default layouts here have
        // 64 lanes); 1-bit and 2-bit g32 (K/16 words not a multiple of 4, groups shorter than a
        // unit) go code by code.
        (QuantSpec::new(Mode::Affine, 64, 1).unwrap(), 1152),
        (QuantSpec::new(Mode::Affine, 64, 2).unwrap(), 2112),
        (QuantSpec::new(Mode::Affine, 32, 2).unwrap(), 1056),
        (QuantSpec::new(Mode::Affine, 64, 5).unwrap(), 1088),
        (QuantSpec::new(Mode::Affine, 128, 3).unwrap(), 1152),
        (QuantSpec::new(Mode::Affine, 128, 6).unwrap(), 1152),
        (QuantSpec::with_defaults(Mode::Mxfp8, None, None).unwrap(), 1056),
    ];
    // QMLX_WGPU_QMV_LONG="affine2_,mxfp88" keeps the specs whose tag (mode, bits, "_gs", group
    // size) contains one of the listed pieces: a short GPU round checks only the paths it changed.
    let only = std::env::var("QMLX_WGPU_QMV_LONG").unwrap_or_default();
    for (spec, k) in specs {
        let tag = format!("{}{}_gs{}", spec.mode(), spec.bits(), spec.group_size());
        if !only.is_empty() && !only.split(',').any(|t| tag.contains(t)) {
            continue;
        }
        let global = (spec.mode() == Mode::Nvfp4).then_some(3.0f32);
        for dt in DTYPES {
            for (m, n) in [(1, 38), (3, 37), (8, 22)] {
                let c = Case { x_gen: XGen::Normal, spec, transpose: true, x_shape: vec![m, k], w_batch: vec![], n, k, lhs: None, rhs: None, sorted: false, global };
                check(ctx, &mut rng, dt, &c);
            }
        }
    }
}

/// nvfp4 scale bytes of magnitude 0x7f are NaN (E4M3 has no infinity): on qmv's word path a
/// unit's two group scales are decoded together as one f16 pair (qmv_nvfp4_scales2), where such a
/// byte must make its own output column NaN and leave the unit's other group and the other columns
/// as the CPU backend computes them. NaN bytes in odd and even groups, with and without the sign,
/// under two and four columns per thread, f32 and f16 x.
#[test]
fn qmv_nvfp4_nan_scales() {
    let Some(ctx) = ctx("qmv_nvfp4_nan_scales") else { return };
    let own = WgpuContext::new().unwrap();
    own.set_qmv_layout(Some("4x4x64x1x4x1x1x0x1".parse().unwrap())).unwrap();
    let mut rng = rng("qmv_nvfp4_nan_scales");
    let spec = QuantSpec::with_defaults(Mode::Nvfp4, None, None).unwrap();
    let (n, k) = (8usize, 128usize);
    let (x_shape, w_shape, s_shape, y_shape) = ([1, k], [n, k / 8], [n, k / 16], [1, n]);
    let wq: Vec<u32> = (0..n * k / 8).map(|_| rng.random()).collect();
    let mut sc = vec![0x38u8; n * k / 16]; // 1.0
    for (i, s) in sc.iter_mut().enumerate() {
        *s = 0x30 + (i % 9) as u8; // finite, varied
    }
    let nan_at = [(1usize, 3usize, 0x7fu8), (2, 4, 0xff), (5, 6, 0x7f)];
    for &(r, g, b) in &nan_at {
        sc[r * k / 16 + g] = b;
    }
    for dt in [DType::F32, DType::F16] {
        let xf: Vec<f32> = (0..k).map(|_| rng.random::<f32>() - 0.5).collect();
        let xb: Vec<u8> = match dt {
            DType::F32 => bytemuck::cast_slice(&xf).to_vec(),
            _ => bytemuck::cast_slice(&xf.iter().map(|&v| half::f16::from_f32(v)).collect::<Vec<_>>()).to_vec(),
        };
        let xr = TensorRef::from_bytes("x", dt, &x_shape, &xb).unwrap();
        let wr = TensorRef::new(&wq, &w_shape).unwrap();
        let sr = TensorRef::from_bytes("scales", DType::U8, &s_shape, &sc).unwrap();
        let op = MatmulOp::quantized_matmul(&xr.meta(), &wr.meta(), &sr.meta(), None, true, spec).unwrap();
        let to_f64 = |b: &[u8]| -> Vec<f64> {
            match dt {
                DType::F32 => bytemuck::cast_slice::<u8, f32>(b).iter().map(|&v| v as f64).collect(),
                _ => bytemuck::cast_slice::<u8, half::f16>(b).iter().map(|v| v.to_f64()).collect(),
            }
        };
        let mut cpu = vec![0u8; n * dt.size()];
        qmlx_core::cpu::matmul(&op, xr, wr, sr, None, GatherIndices::default(), None, TensorMut::from_bytes("out", dt, &y_shape, &mut cpu).unwrap()).unwrap();
        let cpu = to_f64(&cpu);
        for (name, cx) in [("default layout", ctx), ("4 columns", &own)] {
            let mut out = vec![0u8; n * dt.size()];
            cx.matmul_host(&op, xr, wr, sr, None, GatherIndices::default(), None, TensorMut::from_bytes("out", dt, &y_shape, &mut out).unwrap()).unwrap();
            let gpu = to_f64(&out);
            let finite: Vec<usize> = (0..n).filter(|c| !nan_at.iter().any(|a| a.0 == *c)).collect();
            for c in 0..n {
                let nan_col = !finite.contains(&c);
                assert_eq!(cpu[c].is_nan(), nan_col, "{name} {dt}: cpu column {c} = {}", cpu[c]);
                assert_eq!(gpu[c].is_nan(), nan_col, "{name} {dt}: gpu column {c} = {} (cpu {})", gpu[c], cpu[c]);
            }
            let (g, r): (Vec<f64>, Vec<f64>) = finite.iter().map(|&c| (gpu[c], cpu[c])).unzip();
            let e = rel_err(&g, &r);
            assert!(e <= floor(dt), "{name} {dt}: err {e:.3e} vs the cpu backend > {:.1e}", floor(dt));
        }
    }
}

/// nvfp4 qmv with global scales near f32's range: the word path's group factor is the E4M3 scale
/// (as an f16, the value · 2^-8) · 2^22 · global / 2688, and no partial product of it may overflow
/// where the result does not (2^22 · global / 2688 does from 2^106 on: a kernel must not fold that
/// into one factor there). Both sides of that limit and a plain global must agree with the CPU
/// backend on f32 x, under two and four columns per thread. The scales stay under 0.5 (E4M3 exponent field < 6): the word path's A
/// (scale · global · 2^14, the 2^14 undoing the f16 weights' 2^-14) overflows f32 from
/// scale · global ≥ 2^114 where the CPU's products need not, so larger ones are not this test's.
#[test]
fn qmv_nvfp4_huge_global_scale() {
    let Some(ctx) = ctx("qmv_nvfp4_huge_global_scale") else { return };
    let own = WgpuContext::new().unwrap();
    own.set_qmv_layout(Some("4x4x64x1x4x1x1x0x1".parse().unwrap())).unwrap();
    let mut rng = rng("qmv_nvfp4_huge_global_scale");
    let spec = QuantSpec::with_defaults(Mode::Nvfp4, None, None).unwrap();
    let (n, k) = (8usize, 256usize);
    let (x_shape, w_shape, s_shape, y_shape) = ([1, k], [n, k / 8], [n, k / 16], [1, n]);
    let wq: Vec<u32> = (0..n * k / 8).map(|_| rng.random()).collect();
    // E4M3 bytes of both signs under 0.5, subnormals (0x01..0x07) and zero included.
    let sc: Vec<u8> = (0..n * k / 16).map(|i| ((i * 37) % 0x30) as u8 | if i % 5 == 0 { 0x80 } else { 0 }).collect();
    // global / 2688: 2^107 and 2^115 (2^22 · it overflows), 2^100 (it does not), 3 / 2688.
    for gscale in [2688.0 * 2f32.powi(107), 2688.0 * 2f32.powi(115), 2688.0 * 2f32.powi(100), 3.0] {
        // x small enough for a finite output where the global is huge (|y| < 2^116 at 2^115), and no
        // smaller: WGSL may flush subnormals (NVIDIA's Vulkan does), and the word path's partial
        // sums Σ x·(fp4 · 2^-14) reached them with x ~ 2^-100 (rel err 2.4e-5 on the H200, stage 15).
        let xs = if gscale > 1e30 { 2f32.powi(-8) } else { 1.0 };
        let xf: Vec<f32> = (0..k).map(|_| (rng.random::<f32>() - 0.5) * xs).collect();
        let g = [gscale];
        let xr = TensorRef::new(&xf, &x_shape).unwrap();
        let wr = TensorRef::new(&wq, &w_shape).unwrap();
        let sr = TensorRef::from_bytes("scales", DType::U8, &s_shape, &sc).unwrap();
        let gr = TensorRef::new(&g, &[]).unwrap();
        let op = MatmulOp::gather_qmm(&xr.meta(), &wr.meta(), &sr.meta(), None, None, None, true, spec, Some(&gr.meta()), false).unwrap();
        let mut cpu = vec![0f32; n];
        qmlx_core::cpu::matmul(&op, xr, wr, sr, None, GatherIndices::default(), Some(gr), TensorMut::new(&mut cpu, &y_shape).unwrap()).unwrap();
        let cpu: Vec<f64> = cpu.iter().map(|&v| v as f64).collect();
        assert!(cpu.iter().all(|v| v.is_finite()), "global {gscale:e}: cpu {cpu:?}");
        for (name, cx) in [("default layout", ctx), ("4 columns", &own)] {
            let mut out = vec![0f32; n];
            cx.matmul_host(&op, xr, wr, sr, None, GatherIndices::default(), Some(gr), TensorMut::new(&mut out, &y_shape).unwrap()).unwrap();
            let gpu: Vec<f64> = out.iter().map(|&v| v as f64).collect();
            let e = rel_err(&gpu, &cpu);
            assert!(e <= floor(DType::F32), "{name} global {gscale:e}: err {e:.3e} vs the cpu backend > {:.1e} (gpu {gpu:?}, cpu {cpu:?})", floor(DType::F32));
        }
    }
}

/// Every qmv layout limit on its own context: lanes from 4 to 128, 1–4 columns per thread (odd
/// counts force the float32 + cast output), unroll 1 to 4, workgroups of 64 to 256, word-path
/// loads of 1 and 4 words, all three 4-bit decodes, both reductions, with and without prefetch, direct or table schedule (affine and mxfp4 rows of K % 32 == 0 take the word
/// path, affine 8-bit with 16-byte units too; affine 6-bit and nvfp4 of K % 32 != 0 go code by code).
#[test]
fn qmv_layouts_within_metric() {
    let Some(_) = ctx("qmv_layouts_within_metric") else { return };
    let own = WgpuContext::new().unwrap();
    let mut rng = rng("qmv_layouts_within_metric");
    // The last five: the one-barrier reduction (x rows in passes of 2 or 1 where the reduction
    // buffer is short, odd columns), the rolling prefetch and the direct schedule (a plain decode
    // here: one tile, x row i → output row i).
    for layout in [
        "4x4x64x2x1x1", "8x1x64x1x4x0", "32x3x128x4x1x0", "64x2x256x1x4x1", "128x4x256x2x1x1", "16x4x128x3x4x1",
        "4x4x64x1x4x1x1x1x1", "32x4x128x1x4x1x1x0x0", "128x4x256x2x1x1x1x0x1", "16x3x128x1x4x0x1x1x1", "64x2x128x1x1x1x0x1x0",
        "32x4x128x1x4x2x1x0x1", "8x3x64x2x1x2x0x1x0", "16x2x128x1x4x1x1x0x1x1",
        // Stage 8 (only with the affine 2/3-bit specs below, to keep the pipelines built in
        // check): units two or four per step, the rolling prefetch, 2-bit codes as f32 mantissas
        // (decode 0) and as f16 pairs (decode 1), 2-bit units of one word (vec 1).
        "32x4x128x2x4x1x1x0x1", "32x2x128x4x4x0x1x0x1", "32x4x128x1x4x0x1x1x1", "4x4x64x2x4x1x1x1x0", "8x4x64x2x1x1x1x0x0",
        // Stage 16: packed f16 products (decode 3; only where the device has SHADER_F16, and only
        // with the 4-bit specs and f16 x it changes): 4 and 3 columns, units two per step with
        // the tree reduction, the rolling prefetch with 2 columns.
        "32x4x128x1x4x3x1x0x1", "8x3x64x2x4x3x0x0x0", "16x2x128x1x4x3x1x1x1",
    ] {
        let l: qmlx_wgpu::plan::QmvLayout = layout.parse().unwrap();
        if l.decode == 3 && !own.has_f16() {
            println!("skip {layout}: no SHADER_F16");
            continue;
        }
        own.set_qmv_layout(Some(l)).unwrap();
        let stage8 = ["32x4x128x2x4x1x1x0x1", "32x2x128x4x4x0x1x0x1", "32x4x128x1x4x0x1x1x1", "4x4x64x2x4x1x1x1x0", "8x4x64x2x1x1x1x0x0"].contains(&layout);
        for (spec, dt, k) in [
            (QuantSpec::new(Mode::Affine, 64, 4).unwrap(), DType::F16, 1088),
            (QuantSpec::new(Mode::Affine, 32, 6).unwrap(), DType::F32, 1088),
            (QuantSpec::new(Mode::Affine, 32, 8).unwrap(), DType::F16, 1088),
            (QuantSpec::with_defaults(Mode::Nvfp4, None, None).unwrap(), DType::BF16, 1072),
            (QuantSpec::with_defaults(Mode::Nvfp4, None, None).unwrap(), DType::F16, 1088),
            (QuantSpec::with_defaults(Mode::Mxfp4, None, None).unwrap(), DType::F32, 1088),
            (QuantSpec::with_defaults(Mode::Mxfp4, None, None).unwrap(), DType::F16, 1088),
            (QuantSpec::new(Mode::Affine, 64, 2).unwrap(), DType::F16, 1088),
            (QuantSpec::new(Mode::Affine, 64, 2).unwrap(), DType::BF16, 2112),
            (QuantSpec::new(Mode::Affine, 64, 3).unwrap(), DType::F16, 1088),
        ] {
            // Skipped, to keep the pipelines built in check (each is a compile on a real driver):
            // decode 2 with codes it does not change (affine, rows taken code by code), and 8-bit
            // codes with word loads (they go code by code, as 6-bit codes do).
            let fp4_words = spec.bits() == 4 && spec.mode() != Mode::Affine && k % 32 == 0;
            let units_n = spec.mode() == Mode::Affine && (spec.bits() == 2 || spec.bits() == 3);
            let f16_words = spec.bits() == 4 && dt == DType::F16;
            if (l.decode == 2 && !fp4_words) || (l.decode == 3 && !f16_words) || (spec.bits() == 8 && l.vec == 1) || stage8 != units_n {
                continue;
            }
            let global = (spec.mode() == Mode::Nvfp4).then_some(3.0f32);
            for (m, n) in [(1, 46), (5, 13)] {
                let c = Case { x_gen: XGen::Normal, spec, transpose: true, x_shape: vec![m, k], w_batch: vec![], n, k, lhs: None, rhs: None, sorted: false, global };
                check(&own, &mut rng, dt, &c);
            }
        }
    }
    let bad: Result<qmlx_wgpu::plan::QmvLayout, _> = "48x4x128x2".parse();
    assert!(bad.is_err(), "lanes must be a power of two");
    for bad in ["32x4x128x2x2x1", "32x4x128x2x4x4", "32x4x128x5x4x1", "32x4x128x2x4", "32x4x128x1x4x1x2x0x0", "32x4x128x1x4x1x0x2x0", "32x4x128x1x4x1x0x0x2", "32x4x128x1x4x1x1x1", "32x4x128x1x4x1x1x0x1x2"] {
        assert!(bad.parse::<qmlx_wgpu::plan::QmvLayout>().is_err(), "{bad}");
    }
    let bad = own.set_qmv_layout(Some(qmlx_wgpu::plan::QmvLayout { lanes: 32, cols: 4, workgroup: 512, unroll: 2, vec: 4, decode: 1, reduce: 0, prefetch: 0, direct: 0, dot: 0 }));
    assert!(matches!(bad, Err(Error::Value { arg: "layout", .. })), "{bad:?}");
}

/// qmv's f16 path (4-bit codes, f16 x, packed f16 products where the device has SHADER_F16:
/// decode 3, the default layout for mxfp4, a layout for the others; both run here): every 4-bit
/// mode and group size, odd N, M = 1 and 3, against
/// the float64 metric with activations of scale 1, 2^-12 (products near f16's subnormals without
/// the path's per-unit x scaling) and one ±30000 per row (f16 sums past 65504 without it; y stays
/// finite in f16). On devices without SHADER_F16 this runs the f32 path (the same metric).
#[test]
fn qmv_f16_path_activation_range() {
    let Some(ctx) = ctx("qmv_f16_path_activation_range") else { return };
    println!("device has SHADER_F16: {}", ctx.has_f16());
    let mut rng = rng("qmv_f16_path_activation_range");
    // decode 3 at 4 and 2 columns (the default layouts but for the decode), where the device can.
    let own4 = WgpuContext::new().unwrap();
    let own2 = WgpuContext::new().unwrap();
    if ctx.has_f16() {
        own4.set_qmv_layout(Some("32x4x128x1x4x3x1x0x1".parse().unwrap())).unwrap();
        own2.set_qmv_layout(Some("16x2x128x1x4x3x1x0x1".parse().unwrap())).unwrap();
    }
    let specs = [
        QuantSpec::with_defaults(Mode::Mxfp4, None, None).unwrap(),
        QuantSpec::with_defaults(Mode::Nvfp4, None, None).unwrap(),
        QuantSpec::new(Mode::Affine, 32, 4).unwrap(),
        QuantSpec::new(Mode::Affine, 64, 4).unwrap(),
        QuantSpec::new(Mode::Affine, 128, 4).unwrap(),
    ];
    for spec in specs {
        let global = (spec.mode() == Mode::Nvfp4).then_some(3.0f32);
        for x_gen in [XGen::Normal, XGen::Scaled(1.0 / 4096.0), XGen::Peak(30000.0)] {
            for (m, n, k) in [(1, 37, 1024), (3, 46, 1152), (1, 13, 4096)] {
                let c = Case { x_gen, spec, transpose: true, x_shape: vec![m, k], w_batch: vec![], n, k, lhs: None, rhs: None, sorted: false, global };
                // The default layout on the first shape, decode 3 at 4 / 2 columns on the others.
                let (cx, what) = match k {
                    1024 => (ctx, "default"),
                    1152 => (&own4, "4 columns"),
                    _ => (&own2, "2 columns"),
                };
                let (e, ecpu) = run::<half::f16>(cx, &mut rng, &c).unwrap();
                println!("{} {x_gen:?} m={m} n={n} k={k} ({what}): err {e:.3e} (cpu backend {ecpu:.3e})", c.spec);
                assert!(e <= floor(DType::F16), "err {e:.3e} > floor {:.1e} (cpu backend: {ecpu:.3e}): {} {x_gen:?} m={m} n={n} k={k}", floor(DType::F16), c.spec);
            }
        }
    }
}

/// `WgpuContext::batch`: two chained matmuls (the second reads the first's output) and a
/// dequantize recorded into one compute pass give the bytes of the same ops run one by one,
/// into poisoned outputs; a prepared matmul batched twice gives them too; an op that fails
/// validation inside the batch submits nothing.
#[test]
fn batch_records_ops_in_one_pass() {
    let Some(ctx) = ctx("batch_records_ops_in_one_pass") else { return };
    let mut rng = rng("batch_records_ops_in_one_pass");
    let spec = QuantSpec::new(Mode::Affine, 64, 4).unwrap();
    let (m, k, n1, n2) = (3usize, 192usize, 64usize, 46usize);
    let upload_f16 = |v: &[half::f16], shape: &[usize]| ctx.upload(&TensorRef::new(v, shape).unwrap()).unwrap();
    let quant = |rng: &mut rand::rngs::StdRng, rows: usize, cols: usize| {
        let w: Vec<half::f16> = randn(rng, rows * cols, 1.0);
        let q: QuantizedWeight<half::f16> = api::quantize(&w, &[rows, cols], spec, Rounding::Gpu, None).unwrap();
        let GroupParams::Affine { scales, biases } = &q.params else { unreachable!() };
        let wq = ctx.upload(&TensorRef::new(&q.wq, &q.wq_shape).unwrap()).unwrap();
        (wq, upload_f16(scales, &q.scales_shape), upload_f16(biases, &q.scales_shape))
    };
    let (w1, s1, b1) = quant(&mut rng, n1, k);
    let (w2, s2, b2) = quant(&mut rng, n2, n1);
    let x: Vec<half::f16> = randn(&mut rng, m * k, 1.0);
    let x = upload_f16(&x, &[m, k]);
    let poisoned = |shape: &[usize]| upload_f16(&vec![half::f16::NAN; shape.iter().product()], shape);
    let op1 = MatmulOp::quantized_matmul(&x.meta(), &w1.meta(), &s1.meta(), Some(&b1.meta()), true, spec).unwrap();
    let y1 = poisoned(&op1.out_shape);
    let op2 = MatmulOp::quantized_matmul(&y1.meta(), &w2.meta(), &s2.meta(), Some(&b2.meta()), true, spec).unwrap();
    let dq = DequantizeOp::new(&w1.meta(), &s1.meta(), Some(&b1.meta()), spec, None, None).unwrap();
    let (y2, w1f) = (poisoned(&op2.out_shape), poisoned(&dq.out_shape));
    let none = GatherIndices::default();
    ctx.batch(|b| {
        b.matmul(&op1, &x, &w1, &s1, Some(&b1), none, None, &y1)?;
        b.matmul(&op2, &y1, &w2, &s2, Some(&b2), none, None, &y2)?;
        b.dequantize(&dq, &w1, &s1, Some(&b1), None, &w1f)?;
        assert_eq!(b.len(), 3);
        Ok(())
    })
    .unwrap();
    // The same ops one by one.
    let (r1, r2, rw) = (poisoned(&op1.out_shape), poisoned(&op2.out_shape), poisoned(&dq.out_shape));
    ctx.matmul(&op1, &x, &w1, &s1, Some(&b1), none, None, &r1).unwrap();
    ctx.matmul(&op2, &r1, &w2, &s2, Some(&b2), none, None, &r2).unwrap();
    ctx.dequantize(&dq, &w1, &s1, Some(&b1), None, &rw).unwrap();
    for (got, want, what) in [(&y1, &r1, "first matmul"), (&y2, &r2, "chained matmul"), (&w1f, &rw, "dequantize")] {
        let (g, w) = (ctx.download(got).unwrap(), ctx.download(want).unwrap());
        let g16: &[half::f16] = bytemuck::cast_slice(&g);
        assert!(g16.iter().all(|v| v.is_finite()), "{what}: output not (fully) written");
        assert!(g == w, "{what}: batch differs from the op run alone");
    }
    // A matmul prepared once (bindings fixed: the same poisoned output) and batched twice.
    let y4 = poisoned(&op1.out_shape);
    let p1 = ctx.prepare_matmul(&op1, &x, &w1, &s1, Some(&b1), none, None, &y4).unwrap().unwrap();
    for _ in 0..2 {
        ctx.batch(|b| {
            b.prepared(&p1);
            Ok(())
        })
        .unwrap();
        assert!(ctx.download(&y4).unwrap() == ctx.download(&r1).unwrap(), "prepared matmul in a batch");
    }
    // A failing op: the batch returns its error and submits nothing (the first op's output stays poisoned).
    let y3 = poisoned(&op1.out_shape);
    let err = ctx
        .batch(|b| {
            b.matmul(&op1, &x, &w1, &s1, Some(&b1), none, None, &y3)?;
            b.matmul(&op2, &x, &w2, &s2, Some(&b2), none, None, &y2)
        })
        .unwrap_err();
    assert!(matches!(err, Error::Shape { .. } | Error::Value { .. } | Error::DType { .. }), "{err}");
    let y3b = ctx.download(&y3).unwrap();
    assert!(bytemuck::cast_slice::<u8, half::f16>(&y3b).iter().all(|v| v.is_nan()), "a failed batch ran its first op");
}
