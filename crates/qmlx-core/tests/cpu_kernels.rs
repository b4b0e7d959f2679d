//! Cross-checks every CPU kernel implementation this machine runs (portable, AVX2, AVX-512, NEON)
//! against the scalar reference path: matmul accuracy against float64 (the project metric,
//! with the reference's error standing in for MLX's) for every mode/bits/group size/dtype/
//! orientation, small M (fused kernels) and large M (gemm path), plain and gather; and
//! dequantize bit-identical to the reference.

mod common;

use half::{bf16, f16};
use qmlx_core::api::{self, GroupParams, QuantizedWeight};
use qmlx_core::cpu::{self, GatherIndices, Kernels};
use qmlx_core::format::codes::{fp4_decode, fp8_e4m3_decode};
use qmlx_core::format::packing::extract;
use qmlx_core::format::quantize::{fp_scale, nvfp4_global_factor};
use qmlx_core::{DType, DequantizeOp, Element, Float, IndexSlice, MatmulOp, Meta, Mode, QuantSpec, Rounding, TensorMut, TensorRef};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn specs() -> Vec<(QuantSpec, Option<f32>)> {
    let mut v = vec![];
    for bits in [1, 2, 3, 4, 5, 6, 8] {
        for gs in [32, 64, 128] {
            v.push((QuantSpec::new(Mode::Affine, gs, bits).unwrap(), None));
        }
    }
    for mode in [Mode::Mxfp4, Mode::Mxfp8, Mode::Nvfp4] {
        v.push((QuantSpec::with_defaults(mode, None, None).unwrap(), None));
    }
    v.push((QuantSpec::with_defaults(Mode::Nvfp4, None, None).unwrap(), Some(3.5)));
    v
}

fn floor_for(d: DType) -> f64 {
    match d {
        DType::F32 => 2e-6,
        DType::F16 => 1.5e-3,
        _ => 1.2e-2,
    }
}

/// Exact float64 stored weights, `[rows][cols]` per matrix, flattened.
fn weights_f64<T: Float>(q: &QuantizedWeight<T>) -> Vec<f64> {
    let spec = q.spec;
    let wpr = *q.wq_shape.last().unwrap();
    let cols = spec.unpacked_len(wpr);
    let rows = q.wq.len() / wpr;
    let gs = spec.group_size() as usize;
    let mut out = Vec::with_capacity(rows * cols);
    for r in 0..rows {
        for j in 0..cols {
            let c = extract(&q.wq[r * wpr..(r + 1) * wpr], j, spec.bits());
            let g = r * (cols / gs) + j / gs;
            out.push(match &q.params {
                GroupParams::Affine { scales, biases } => scales[g].to_f32() as f64 * c as f64 + biases[g].to_f32() as f64,
                GroupParams::Fp { scales, global_scale } => {
                    let v = if spec.bits() == 8 { fp8_e4m3_decode(c as u8) } else { fp4_decode(c as u8) } as f64;
                    v * fp_scale(&spec, scales[g], global_scale.map(nvfp4_global_factor)) as f64
                }
            });
        }
    }
    out
}

struct Case<T> {
    q: QuantizedWeight<T>,
    w64: Vec<f64>,
    x: Vec<T>,
    x_shape: Vec<usize>,
    rhs: Option<(Vec<i32>, Vec<usize>)>,
    transpose: bool,
}

impl<T: Float + Element> Case<T> {
    /// `batch` w matrices of `rows × cols`; x of `m` rows (batched as `[bx, m, k]` when gathering).
    #[allow(clippy::too_many_arguments)]
    fn new(rng: &mut StdRng, spec: QuantSpec, g: Option<f32>, batch: usize, rows: usize, cols: usize, m: usize, transpose: bool) -> Self {
        Self::with_weights(rng, spec, g, batch, rows, cols, m, transpose, (-0.8, 1.2))
    }

    /// [`Case::new`] with weights uniform in `lo..hi` (all positive: affine biases that put
    /// no code near zero, so the bias term `Σ_g bias_g·Σx_g` of the factorised dots is large).
    #[allow(clippy::too_many_arguments)]
    fn with_weights(rng: &mut StdRng, spec: QuantSpec, g: Option<f32>, batch: usize, rows: usize, cols: usize, m: usize, transpose: bool, (lo, hi): (f32, f32)) -> Self {
        let mut shape = vec![rows, cols];
        if batch > 1 {
            shape.insert(0, batch);
        }
        let w: Vec<T> = (0..batch * rows * cols).map(|_| T::from_f32(lo + rng.random::<f32>() * (hi - lo))).collect();
        let q = api::quantize(&w, &shape, spec, Rounding::Gpu, g).unwrap();
        let w64 = weights_f64(&q);
        let k = if transpose { cols } else { rows };
        let (x_shape, rhs) = if batch > 1 {
            // gather_qmm: 4 x matrices, rhs indices picking w matrices out of order.
            let idx: Vec<i32> = (0..4).map(|i| ((i * 2 + 1) % batch) as i32).collect();
            (vec![4, m, k], Some((idx, vec![4])))
        } else {
            (vec![m, k], None)
        };
        let x: Vec<T> = (0..x_shape.iter().product::<usize>()).map(|_| T::from_f32(rng.random::<f32>() * 2.0 - 1.0)).collect();
        Case { q, w64, x, x_shape, rhs, transpose }
    }

    fn run(&self, kernels: Kernels) -> (Vec<T>, MatmulOp) {
        let q = &self.q;
        let w = TensorRef::new(&q.wq, &q.wq_shape).unwrap();
        let (scales, biases) = match &q.params {
            GroupParams::Affine { scales, biases } => {
                (TensorRef::new(scales, &q.scales_shape).unwrap(), Some(TensorRef::new(biases, &q.scales_shape).unwrap()))
            }
            GroupParams::Fp { scales, .. } => (TensorRef::new(scales, &q.scales_shape).unwrap(), None),
        };
        let w_batch = q.wq_shape[..q.wq_shape.len() - 2].to_vec();
        let g_all: Option<Vec<f32>> = match &q.params {
            GroupParams::Fp { global_scale: Some(g), .. } => Some(vec![*g; w_batch.iter().product()]),
            _ => None,
        };
        let x = TensorRef::new(&self.x, &self.x_shape).unwrap();
        let rhs_meta = self.rhs.as_ref().map(|(_, s)| Meta::new(DType::I32, s));
        let op = MatmulOp::gather_qmm(
            &x.meta(),
            &w.meta(),
            &scales.meta(),
            biases.map(|b| b.meta()).as_ref(),
            None,
            rhs_meta.as_ref(),
            self.transpose,
            q.spec,
            g_all.as_ref().map(|_| Meta::new(DType::F32, &w_batch)).as_ref(),
            false,
        )
        .unwrap();
        let g_ref = g_all.as_ref().map(|g| TensorRef::new(&g[..], &w_batch).unwrap());
        // Poisoned: every output element must be written.
        let mut out = vec![T::from_f32(f32::NAN); op.out_shape.iter().product()];
        let idx = GatherIndices { lhs: None, rhs: self.rhs.as_ref().map(|(i, _)| IndexSlice::I32(i)) };
        cpu::matmul_with(kernels, &op, x, w, scales, biases, idx, g_ref, TensorMut::new(&mut out, &op.out_shape).unwrap())
            .unwrap();
        (out, op)
    }

    /// max|y − y64| / max|y64|.
    fn error(&self, y: &[T], op: &MatmulOp) -> f64 {
        let (m, n, k) = (op.m, op.n, op.k);
        let pairs = op.pairs(None, self.rhs.as_ref().map(|(i, _)| IndexSlice::I32(i))).unwrap();
        let (mut num, mut den) = (0f64, 0f64);
        for (p, &(xi, wi)) in pairs.iter().enumerate() {
            for mi in 0..m {
                for ni in 0..n {
                    let mut acc = 0f64;
                    for kk in 0..k {
                        let wv = if self.transpose { self.w64[(wi * n + ni) * k + kk] } else { self.w64[(wi * k + kk) * n + ni] };
                        acc += self.x[(xi * m + mi) * k + kk].to_f32() as f64 * wv;
                    }
                    num = num.max((y[(p * m + mi) * n + ni].to_f32() as f64 - acc).abs());
                    den = den.max(acc.abs());
                }
            }
        }
        if den == 0.0 {
            num
        } else {
            num / den
        }
    }
}

fn check_dtype<T: Float + Element>(kernels: Kernels, rng: &mut StdRng) -> usize {
    let mut checked = 0;
    for (spec, g) in specs() {
        let gs = spec.group_size() as usize;
        // Reduction of several groups (and chunks); odd output counts where the layout allows.
        let k_len = (256 / gs).max(2) * gs;
        for transpose in [true, false] {
            // M = 1, 3, 9, 20 cover every M block of the fused kernels; 40 takes the gemm path
            // (transpose=False) or the fused one (transpose=True), 70 the gemm path in both.
            for (batch, m) in [(1, 1), (1, 3), (1, 9), (1, 20), (1, 40), (1, 70), (3, 2)] {
                let (rows, cols) = if transpose { (37, k_len) } else { (k_len + 5 - 5, (96usize).next_multiple_of(gs)) };
                let (rows, cols) = if transpose { (rows, cols) } else { (37usize.max(rows / 4), cols) };
                let case = Case::<T>::new(rng, spec, g, batch, rows, cols, m, transpose);
                let (y_ref, op) = case.run(Kernels::Reference);
                let (y, _) = case.run(kernels);
                let (e_ref, e) = (case.error(&y_ref, &op), case.error(&y, &op));
                let bound = (1.5 * e_ref).max(floor_for(T::DTYPE));
                assert!(
                    e <= bound,
                    "{} {spec} g={g:?} {} transpose={transpose} batch={batch} m={m}: err {e:.3e} > {bound:.3e} (reference {e_ref:.3e})",
                    kernels.name(),
                    T::DTYPE,
                );
                checked += 1;
            }
        }
        // transpose=True with K not a multiple of the 128-code nibble blocks of the 4-bit AVX-512
        // row dot (its chunk tail), at every M block.
        let k_tail = if gs == 128 { 3 * 128 } else { 256 + 64 };
        for (batch, m) in [(1, 1), (1, 3), (1, 9), (1, 20), (2, 2)] {
            let case = Case::<T>::new(rng, spec, g, batch, 37, k_tail, m, true);
            let (y_ref, op) = case.run(Kernels::Reference);
            let (y, _) = case.run(kernels);
            let (e_ref, e) = (case.error(&y_ref, &op), case.error(&y, &op));
            let bound = (1.5 * e_ref).max(floor_for(T::DTYPE));
            assert!(e <= bound, "{} {spec} {} K={k_tail} m={m}: err {e:.3e} > {bound:.3e} (reference {e_ref:.3e})", kernels.name(), T::DTYPE);
            checked += 1;
        }
        // transpose=False with K = 600 rows: several 256-row passes over each column tile, the
        // last one partial, and 64-row blocks inside each pass.
        for (batch, m) in [(1, 1), (1, 5), (2, 2)] {
            let case = Case::<T>::new(rng, spec, g, batch, 600, 96usize.next_multiple_of(gs), m, false);
            let (y_ref, op) = case.run(Kernels::Reference);
            let (y, _) = case.run(kernels);
            let (e_ref, e) = (case.error(&y_ref, &op), case.error(&y, &op));
            let bound = (1.5 * e_ref).max(floor_for(T::DTYPE));
            assert!(e <= bound, "{} {spec} {} transpose=False K=600 m={m}: err {e:.3e} > {bound:.3e} (reference {e_ref:.3e})", kernels.name(), T::DTYPE);
            checked += 1;
        }
        // Dequantize: bit-identical to the reference.
        let case = Case::<T>::new(rng, spec, g, 1, 5, gs.max(32) * 3, 1, true);
        let q = &case.q;
        let w = TensorRef::new(&q.wq, &q.wq_shape).unwrap();
        let (scales, biases) = match &q.params {
            GroupParams::Affine { scales, biases } => {
                (TensorRef::new(scales, &q.scales_shape).unwrap(), Some(TensorRef::new(biases, &q.scales_shape).unwrap()))
            }
            GroupParams::Fp { scales, .. } => (TensorRef::new(scales, &q.scales_shape).unwrap(), None),
        };
        let g_arr = g.map(|g| [g]);
        let g_meta = g_arr.map(|_| Meta::new(DType::F32, &[1]));
        let op = DequantizeOp::new(&w.meta(), &scales.meta(), biases.map(|b| b.meta()).as_ref(), spec, g_meta.as_ref(), Some(DType::F32))
            .unwrap();
        let mut outs = vec![];
        for kern in [Kernels::Reference, kernels] {
            let mut out = vec![0f32; op.out_shape.iter().product()];
            let g_ref = g_arr.as_ref().map(|a| TensorRef::new(&a[..], &[1]).unwrap());
            cpu::dequantize_with(kern, &op, w, scales, biases, g_ref, TensorMut::new(&mut out, &op.out_shape).unwrap()).unwrap();
            outs.push(out);
        }
        let same = outs[0].iter().zip(&outs[1]).all(|(a, b)| a.to_bits() == b.to_bits());
        assert!(same, "{} {spec} {}: dequantize differs from the reference", kernels.name(), T::DTYPE);
        checked += 1;
    }
    checked
}

fn check(kernels: Kernels, test: &str) {
    if !kernels.is_supported() {
        println!("SKIP {test}: this CPU does not support the {} kernels", kernels.name());
        return;
    }
    let mut rng = StdRng::seed_from_u64(common::seed(test));
    let n = check_dtype::<f32>(kernels, &mut rng) + check_dtype::<f16>(kernels, &mut rng) + check_dtype::<bf16>(kernels, &mut rng);
    eprintln!("{test}: {n} cases checked against the reference");
}

#[test]
fn portable_kernels_match_reference() {
    check(Kernels::Portable, "portable_kernels_match_reference");
}

#[test]
fn avx2_kernels_match_reference() {
    check(Kernels::Avx2, "avx2_kernels_match_reference");
}

#[test]
fn avx512_kernels_match_reference() {
    check(Kernels::Avx512, "avx512_kernels_match_reference");
}

#[test]
fn avx512vnni_kernels_match_reference() {
    check(Kernels::Avx512Vnni, "avx512vnni_kernels_match_reference");
}

#[test]
fn neon_kernels_match_reference() {
    check(Kernels::Neon, "neon_kernels_match_reference");
}

#[test]
fn kernels_parse_and_detect() {
    for k in Kernels::available() {
        assert_eq!(Kernels::parse(k.name()), Some(k));
    }
    assert!(Kernels::available().contains(&Kernels::detected()));
    assert!(Kernels::active().is_supported());
    assert_eq!(Kernels::parse("sse9"), None);
}

/// Decode-size calls large enough to run threaded (above the inline threshold): the decode spin
/// pool (caller + helpers, `cpu::set_decode_spin_pool(true)`, the default) and the rayon pool
/// give bit-identical outputs (the same kernel calls, only other threads), and both are as
/// accurate as the reference. Odd N, M = 1 and 3, both orientations, a gather batch.
#[test]
fn decode_spin_pool_and_rayon_agree() {
    let mut rng = StdRng::seed_from_u64(common::seed("decode_spin_pool_and_rayon_agree"));
    let specs: Vec<(QuantSpec, Option<f32>)> = specs()
        .into_iter()
        .filter(|(s, _)| matches!((s.mode(), s.bits(), s.group_size()), (Mode::Affine, 4 | 3 | 8, 64) | (Mode::Mxfp4, _, _) | (Mode::Nvfp4, _, _)))
        .collect();
    assert!(specs.len() >= 4);
    let mut checked = 0;
    for kernels in Kernels::available().into_iter().filter(|k| *k != Kernels::Reference) {
        for (spec, g) in &specs {
            for (batch, m, transpose) in [(1, 1, true), (1, 3, true), (3, 1, true), (1, 1, false), (1, 3, false)] {
                // transpose=True: 1003 rows of K = 512; transpose=False: K = 1000 rows of 320 columns.
                let (rows, cols) = if transpose { (1003, 512) } else { (1000, 320) };
                let case = Case::<f32>::new(&mut rng, *spec, *g, batch, rows, cols, m, transpose);
                let (y_ref, op) = case.run(Kernels::Reference);
                cpu::set_decode_spin_pool(false);
                let (y_rayon, _) = case.run(kernels);
                cpu::set_decode_spin_pool(true);
                let (y_spin, _) = case.run(kernels);
                let same = y_rayon.iter().zip(&y_spin).all(|(a, b)| a.to_bits() == b.to_bits());
                assert!(same, "{} {spec} batch={batch} m={m} transpose={transpose}: spin pool and rayon differ", kernels.name());
                let (e_ref, e) = (case.error(&y_ref, &op), case.error(&y_spin, &op));
                let bound = (1.5 * e_ref).max(floor_for(DType::F32));
                assert!(e <= bound, "{} {spec} batch={batch} m={m} transpose={transpose}: err {e:.3e} > {bound:.3e}", kernels.name());
                checked += 1;
            }
        }
    }
    eprintln!("decode_spin_pool_and_rayon_agree: {checked} cases");
}

/// The integer row dots of `Kernels::Avx512Vnni` (2/3/4/5/6-bit codes, x split into int8 limbs per
/// block of 8 or 16 elements) on x that stresses the split: 100× outliers, blocks over 4 decades,
/// all-zero blocks, 10^9 ranges inside a block; every x-row block (M = 1..5) and a K tail.
/// NaN in x and x too small for the limbs' scales must fall back to the f32 kernels
/// (same NaN/inf pattern as the reference, accuracy within the floor).
fn check_int_dots_hard_x<T: Float + Element>(kernels: Kernels, rng: &mut StdRng) -> usize {
    let mut checked = 0;
    for (spec, g) in specs().into_iter().filter(|(s, _)| matches!(s.bits(), 2 | 3 | 4 | 5 | 6)) {
        let gs = spec.group_size() as usize;
        for k in [512, 512 + if gs < 128 { gs.max(32) } else { 128 }] {
            for m in 1..=5 {
                for shape in 0..6 {
                    let mut case = Case::<T>::new(rng, spec, g, 1, 37, k, m, true);
                    let mut x: Vec<f32> = case.x.iter().map(|v| v.to_f32()).collect();
                    match shape {
                        0 => {
                            for _ in 0..4 {
                                let i = rng.random_range(0..x.len());
                                x[i] *= 100.0;
                            }
                        }
                        1 => {
                            for b in x.chunks_mut(64) {
                                let f = 10f32.powf(rng.random::<f32>() * 4.0 - 3.0);
                                b.iter_mut().for_each(|v| *v *= f);
                            }
                        }
                        2 => {
                            for b in x.chunks_mut(8).step_by(3) {
                                b.fill(0.0);
                            }
                        }
                        3 => {
                            for (i, v) in x.iter_mut().enumerate() {
                                *v *= if i % 8 == 3 { 3e4 } else if i % 5 == 0 { 1e-5 } else { 1.0 };
                            }
                        }
                        4 => {
                            // Below the limbs' range (2^-100) where the dtype has it: f32 kernels.
                            let tiny = if T::DTYPE == DType::F32 { 1e-33 } else { 1.0 };
                            x.iter_mut().for_each(|v| *v *= tiny);
                        }
                        _ => {
                            x[rng.random_range(0..k)] = f32::NAN;
                            // (Not ±inf: the factorised f32 kernels give NaN where a zero code
                            // meets it, the reference ±inf; a known difference of both paths.)
                            x[(m - 1) * k + rng.random_range(0..k)] = f32::NAN;
                        }
                    }
                    case.x = x.iter().map(|&v| T::from_f32(v)).collect();
                    let (y_ref, op) = case.run(Kernels::Reference);
                    let (y, _) = case.run(kernels);
                    if shape == 5 {
                        let same = y_ref.iter().zip(&y).all(|(a, b)| a.to_f32().is_nan() == b.to_f32().is_nan());
                        assert!(same, "{} {spec} {} K={k} m={m}: NaN pattern differs from the reference", kernels.name(), T::DTYPE);
                    } else {
                        let (e_ref, e) = (case.error(&y_ref, &op), case.error(&y, &op));
                        let bound = (1.5 * e_ref).max(floor_for(T::DTYPE));
                        assert!(
                            e <= bound,
                            "{} {spec} {} K={k} m={m} x shape {shape}: err {e:.3e} > {bound:.3e} (reference {e_ref:.3e})",
                            kernels.name(),
                            T::DTYPE
                        );
                    }
                    checked += 1;
                }
            }
        }
    }
    checked
}

#[test]
fn avx512vnni_int_dots_on_hard_x() {
    let test = "avx512vnni_int_dots_on_hard_x";
    if !Kernels::Avx512Vnni.is_supported() {
        println!("SKIP {test}: this CPU does not support the avx512vnni kernels");
        return;
    }
    let mut rng = StdRng::seed_from_u64(common::seed(test));
    let k = Kernels::Avx512Vnni;
    let n = check_int_dots_hard_x::<f32>(k, &mut rng) + check_int_dots_hard_x::<f16>(k, &mut rng) + check_int_dots_hard_x::<bf16>(k, &mut rng);
    eprintln!("{test}: {n} cases checked against the reference");
}

/// The affine 2-6-bit integer row dots of `Kernels::Avx512Vnni` with all-positive weights
/// (biases far from zero: the group sums of x in the bias term matter, which weights around 0
/// hide) and x with a mean: odd N, M = 1..5, several spans and a K tail, every group size and
/// dtype. A wrong group-sum layout of x (the 2-bit dots read x deinterleaved per span) fails it.
/// K = 1408 (11·128) leaves a number of whole-span groups that is not a multiple of 8 for every
/// group size: the f64 bias dots of a row tile (8 groups per vector step) end in their scalar tail.
fn check_int_dots_offset_weights<T: Float + Element>(kernels: Kernels, rng: &mut StdRng) -> usize {
    let mut checked = 0;
    for (spec, g) in specs().into_iter().filter(|(s, _)| s.mode() == Mode::Affine && matches!(s.bits(), 2 | 3 | 4 | 5 | 6)) {
        let gs = spec.group_size() as usize;
        for k in [1024, 1024 + gs.max(32), 1408] {
            for m in 1..=5 {
                let mut case = Case::<T>::with_weights(rng, spec, g, 1, 37, k, m, true, (0.5, 1.5));
                case.x = case.x.iter().map(|v| T::from_f32(v.to_f32() + 0.3)).collect();
                let (y_ref, op) = case.run(Kernels::Reference);
                let (y, _) = case.run(kernels);
                let (e_ref, e) = (case.error(&y_ref, &op), case.error(&y, &op));
                let bound = (1.5 * e_ref).max(floor_for(T::DTYPE));
                assert!(e <= bound, "{} {spec} {} K={k} m={m} offset weights: err {e:.3e} > {bound:.3e} (reference {e_ref:.3e})", kernels.name(), T::DTYPE);
                checked += 1;
            }
        }
    }
    checked
}

#[test]
fn avx512vnni_int_dots_offset_weights() {
    let test = "avx512vnni_int_dots_offset_weights";
    if !Kernels::Avx512Vnni.is_supported() {
        println!("SKIP {test}: this CPU does not support the avx512vnni kernels");
        return;
    }
    let mut rng = StdRng::seed_from_u64(common::seed(test));
    let k = Kernels::Avx512Vnni;
    let n = check_int_dots_offset_weights::<f32>(k, &mut rng) + check_int_dots_offset_weights::<f16>(k, &mut rng) + check_int_dots_offset_weights::<bf16>(k, &mut rng);
    eprintln!("{test}: {n} cases checked against the reference");
}

/// The mxfp8 row dots of `Kernels::Avx512Vnni` for M=1 blocks (codes made bf16 by VBMI byte
/// permutes; bf16/f16 x as 1/2 bf16 terms with AVX512-BF16 `vdpbf16ps`, f32 x permuted with f32
/// FMAs): odd N, M = 1..3 (M = 3 peels a 2-block onto the f32 kernels and a
/// 1-block onto these), K with and without a 32-code tail after the last 128-code span, x with
/// outliers, 4 decades, denormal elements among normal ones (`vdpbf16ps` flushes them), all
/// tiny x (below 2^-60: the f32 kernels), huge x (inside and beyond 2^100), NaN in x; NaN codes
/// (0x7F / 0xFF) must give the reference's NaN pattern, an infinite (0xFF) E8M0 scale its non-finite one.
#[cfg(target_arch = "x86_64")]
fn check_fp8_bf16_dots<T: Float + Element>(kernels: Kernels, rng: &mut StdRng) -> usize {
    let spec = QuantSpec::with_defaults(Mode::Mxfp8, None, None).unwrap();
    let mut checked = 0;
    for k in [512, 544, 4096 + 32] {
        for m in 1..=3 {
            for shape in 0..10 {
                let mut case = Case::<T>::new(rng, spec, None, 1, 37, k, m, true);
                let mut x: Vec<f32> = case.x.iter().map(|v| v.to_f32()).collect();
                let nan_pattern = shape >= 7;
                match shape {
                    0 => {}
                    1 => {
                        for _ in 0..4 {
                            let i = rng.random_range(0..x.len());
                            x[i] *= 100.0;
                        }
                    }
                    2 => {
                        for b in x.chunks_mut(32) {
                            let f = 10f32.powf(rng.random::<f32>() * 4.0 - 3.0);
                            b.iter_mut().for_each(|v| *v *= f);
                        }
                    }
                    3 => {
                        // Denormal (f32/bf16) or tiny (f16) elements among normal ones.
                        let t = if T::DTYPE == DType::F16 { 1e-7 } else { 1e-39 };
                        for (i, v) in x.iter_mut().enumerate() {
                            if i % 3 == 1 {
                                *v *= t;
                            }
                        }
                    }
                    4 => {
                        // All tiny: below 2^-60 where the dtype has it (f32 kernels), else tiny f16.
                        let t = if T::DTYPE == DType::F16 { 1e-4 } else { 1e-30 };
                        x.iter_mut().for_each(|v| *v *= t);
                    }
                    5 => {
                        // Huge: inside 2^100 (f16: its largest decade), then beyond it (f32 kernels).
                        let t = if T::DTYPE == DType::F16 { 100.0 } else { 1e25 };
                        x.iter_mut().for_each(|v| *v *= t);
                    }
                    6 => {
                        let t = if T::DTYPE == DType::F16 { 30.0 } else { 1e31 };
                        x.iter_mut().for_each(|v| *v *= t);
                    }
                    7 => {
                        x[rng.random_range(0..k)] = f32::NAN;
                        x[(m - 1) * k + rng.random_range(0..k)] = f32::NAN;
                    }
                    8 => {
                        // NaN codes (both signs) in a few rows, in the spans and in the tail.
                        let wpr = case.q.wq_shape[1];
                        for (row, col) in [(0, 5), (4, k - 1), (36, 200), (17, 130)] {
                            let w = &mut case.q.wq[row * wpr + col / 4];
                            let shift = 8 * (col % 4);
                            let code = if row % 2 == 0 { 0x7Fu32 } else { 0xFF };
                            *w = (*w & !(0xFF << shift)) | (code << shift);
                        }
                    }
                    _ => {
                        // A NaN E8M0 scale (0xFF) in one group of row 3 and one of row 30.
                        if let GroupParams::Fp { scales, .. } = &mut case.q.params {
                            let gpr = k / 32;
                            scales[3 * gpr + 1] = 0xFF;
                            scales[30 * gpr + gpr - 1] = 0xFF;
                        }
                    }
                }
                case.x = x.iter().map(|&v| T::from_f32(v)).collect();
                let (y_ref, op) = case.run(Kernels::Reference);
                let (y, _) = case.run(kernels);
                if nan_pattern {
                    // E8M0 0xFF is +inf (shape 9): the reference's dequantized
                    // 0·inf is NaN where the factorised kernels' inf·Σ is ±inf (the f32 kernels
                    // alike), so that shape compares where outputs are finite.
                    let bad = |v: f32| if shape == 9 { !v.is_finite() } else { v.is_nan() };
                    let same = y_ref.iter().zip(&y).all(|(a, b)| bad(a.to_f32()) == bad(b.to_f32()));
                    assert!(same, "{} {spec} {} K={k} m={m} shape {shape}: NaN pattern differs from the reference", kernels.name(), T::DTYPE);
                    assert!(y.iter().any(|v| bad(v.to_f32())), "shape {shape} should give NaN (or ±inf) somewhere");
                    // NaN codes and scales spoil only their own output columns.
                    assert!(shape == 7 || y.iter().filter(|a| bad(a.to_f32())).count() <= 4 * m, "shape {shape}: too many NaN");
                } else {
                    let (e_ref, e) = (case.error(&y_ref, &op), case.error(&y, &op));
                    let bound = (1.5 * e_ref).max(floor_for(T::DTYPE));
                    assert!(
                        e <= bound,
                        "{} {spec} {} K={k} m={m} x shape {shape}: err {e:.3e} > {bound:.3e} (reference {e_ref:.3e})",
                        kernels.name(),
                        T::DTYPE
                    );
                    assert!(y.iter().all(|v| v.to_f32().is_finite()), "shape {shape}: output not all written or not finite");
                }
                checked += 1;
            }
        }
    }
    checked
}

#[cfg(target_arch = "x86_64")]
#[test]
fn avx512vnni_fp8_bf16_dots() {
    let test = "avx512vnni_fp8_bf16_dots";
    if !Kernels::Avx512Vnni.is_supported() || !std::arch::is_x86_feature_detected!("avx512bf16") {
        println!("SKIP {test}: this CPU lacks AVX512-VNNI or AVX512-BF16");
        return;
    }
    let mut rng = StdRng::seed_from_u64(common::seed(test));
    let k = Kernels::Avx512Vnni;
    let n = check_fp8_bf16_dots::<f32>(k, &mut rng) + check_fp8_bf16_dots::<f16>(k, &mut rng) + check_fp8_bf16_dots::<bf16>(k, &mut rng);
    eprintln!("{test}: {n} cases checked against the reference");
}

/// transpose=False at small M (`body::axpy_rows`: threads split K, 4 stored rows per call,
/// 128-column nibble blocks for 4-bit codes with AVX-512, per-task sums joined at the end) for
/// every kernel set, mode/bits and dtype: N with a tail after the last whole nibble block and N
/// not a multiple of 128 or 256, K = 1, 3 (rows past the tail re-read with zero multipliers), 67
/// and 600 (64-row blocks with a partial one, several K chunks), M = 1, 3, 16 (blocks of 4, 2, 1
/// x rows), a gather batch with broadcast x matrices, M = 16 with N = 4224 (128-row blocks, one
/// chunk) and N = 8256 (two column chunks within each 128-row block, the second 64 columns wide);
/// outputs poisoned with NaN (every element must be written).
#[test]
fn transpose_false_streamed_rows() {
    let mut rng = StdRng::seed_from_u64(common::seed("transpose_false_streamed_rows"));
    let mut checked = 0;
    for kernels in Kernels::available().into_iter().filter(|k| *k != Kernels::Reference) {
        for (spec, g) in specs() {
            let gs = spec.group_size() as usize;
            // N: 5 groups of 32 (160), 3·64 + 64 (320), 3·128 (384); nvfp4: 10 groups of 16.
            let n = if gs <= 32 { 160 } else { 5 * gs.min(64) }.max(if gs == 128 { 384 } else { 0 });
            let mut shapes: Vec<(usize, usize, usize, usize)> = vec![(1, 1, n, 1), (1, 3, n, 3), (1, 67, n, 16), (1, 600, n, 1), (1, 600, n, 3), (3, 67, n, 2)];
            if spec.bits() == 4 || gs == 64 {
                shapes.push((1, 70, 4224, 16));
            }
            // M·N past 65536 sums: 128-row blocks (K = 300: two whole, one partial) in column
            // chunks of 8192 (M = 16), the second one 64 columns, not a whole nibble block; two
            // x matrices (the chunks' offsets per matrix).
            if gs <= 64 && (spec.bits() == 4 || spec.bits() == 8) {
                shapes.push((2, 300, 8256, 16));
            }
            for (batch, k, n, m) in shapes {
                let case_f32 = Case::<f32>::new(&mut rng, spec, g, batch, k, n, m, false);
                let case_bf16 = Case::<bf16>::new(&mut rng, spec, g, batch, k, n, m, false);
                for (e, e_ref, floor, dt) in [
                    {
                        let (y_ref, op) = case_f32.run(Kernels::Reference);
                        let (y, _) = case_f32.run(kernels);
                        (case_f32.error(&y, &op), case_f32.error(&y_ref, &op), floor_for(DType::F32), "f32")
                    },
                    {
                        let (y_ref, op) = case_bf16.run(Kernels::Reference);
                        let (y, _) = case_bf16.run(kernels);
                        (case_bf16.error(&y, &op), case_bf16.error(&y_ref, &op), floor_for(DType::BF16), "bf16")
                    },
                ] {
                    let bound = (1.5 * e_ref).max(floor);
                    assert!(
                        e <= bound,
                        "{} {spec} g={g:?} {dt} transpose=False batch={batch} K={k} N={n} M={m}: err {e:.3e} > {bound:.3e} (reference {e_ref:.3e})",
                        kernels.name()
                    );
                    checked += 1;
                }
            }
        }
    }
    eprintln!("transpose_false_streamed_rows: {checked} cases");
}

/// The affine integer row dots at the edge of their i32 sums: every x element at the top of
/// its window's limb range (|x| = 63/64, so `max|x|·2^e` is exactly 126 or 63: the largest
/// J the split writes) and whole windows of the lowest or highest code (per group the first
/// weight 2 or 0, the rest 1: codes 0 or 2^B − 1 everywhere else), so that `Σ (q − o)·J` of a
/// 16-code window is as large as the codes allow (5-bit: 16·16·126·2^16, 6-bit with f32 x:
/// 16·32·63·2^16); a wrapped sum would be off by 2^32 of a lane's units. The weights are near
/// 1, so y (≈ ±K) does not cancel: the centred sums' f32 rounding stays within the metric.
/// Both signs of x, M = 1..4, a K tail, every group size and dtype.
fn check_int_dots_extreme_sums<T: Float + Element>(kernels: Kernels, rng: &mut StdRng) -> usize {
    let mut checked = 0;
    for (spec, g) in specs().into_iter().filter(|(s, _)| s.mode() == Mode::Affine && matches!(s.bits(), 2 | 3 | 4 | 5 | 6)) {
        let gs = spec.group_size() as usize;
        for k in [1024, 1024 + gs.max(32)] {
            for (m, sign) in [(1, 1.0f32), (1, -1.0), (2, 1.0), (3, -1.0), (4, 1.0)] {
                let mut case = Case::<T>::new(rng, spec, g, 1, 37, k, m, true);
                let rows = 37;
                let w: Vec<T> = (0..rows * k)
                    .map(|i| {
                        let (r, c) = (i / k, i % k);
                        // (One pattern per row: wrapped windows of the two patterns would cancel.)
                        let first = if r % 2 == 0 { 2.0 } else { 0.0 };
                        T::from_f32(if c % gs == 0 { first } else { 1.0 })
                    })
                    .collect();
                case.q = api::quantize(&w, &[rows, k], spec, Rounding::Gpu, g).unwrap();
                case.w64 = weights_f64(&case.q);
                case.x = (0..m * k).map(|_| T::from_f32(sign * 63.0 / 64.0)).collect();
                let (y_ref, op) = case.run(Kernels::Reference);
                let (y, _) = case.run(kernels);
                let (e_ref, e) = (case.error(&y_ref, &op), case.error(&y, &op));
                let bound = (1.5 * e_ref).max(floor_for(T::DTYPE));
                assert!(e <= bound, "{} {spec} {} K={k} m={m} sign={sign} extreme sums: err {e:.3e} > {bound:.3e} (reference {e_ref:.3e})", kernels.name(), T::DTYPE);
                checked += 1;
            }
        }
    }
    checked
}

#[test]
fn avx512vnni_int_dots_extreme_sums() {
    let test = "avx512vnni_int_dots_extreme_sums";
    if !Kernels::Avx512Vnni.is_supported() {
        println!("SKIP {test}: this CPU does not support the avx512vnni kernels");
        return;
    }
    let mut rng = StdRng::seed_from_u64(common::seed(test));
    let k = Kernels::Avx512Vnni;
    let n = check_int_dots_extreme_sums::<f32>(k, &mut rng) + check_int_dots_extreme_sums::<f16>(k, &mut rng) + check_int_dots_extreme_sums::<bf16>(k, &mut rng);
    eprintln!("{test}: {n} cases checked against the reference");
}

/// The 4-bit integer row dots of `Kernels::Avx512Vnni` at decode-like K (4096 and a K tail
/// after it) over several row tiles (N = 67: 8-row scale tiles and a 3-row rest): f32 x on 3
/// limbs, f16 x with its scales read as f32 per row tile (M=1, stage 13) or as stored (M > 1),
/// bf16 x with them read as stored; affine g32/g64/g128, mxfp4 and nvfp4, M = 1..4, fresh random x plain, with 100×
/// outliers and with 64-groups over 4 decades.
fn check_int4_dots_decode_k<T: Float + Element>(kernels: Kernels, rng: &mut StdRng) -> usize {
    let mut checked = 0;
    for (spec, g) in specs().into_iter().filter(|(s, _)| s.bits() == 4) {
        let gs = spec.group_size() as usize;
        for k in [4096, 4096 + gs.max(32)] {
            for m in 1..=4 {
                for shape in 0..3 {
                    let mut case = Case::<T>::new(rng, spec, g, 1, 67, k, m, true);
                    let mut x: Vec<f32> = case.x.iter().map(|v| v.to_f32()).collect();
                    match shape {
                        0 => {}
                        1 => {
                            for _ in 0..8 {
                                let i = rng.random_range(0..x.len());
                                x[i] *= 100.0;
                            }
                        }
                        _ => {
                            for b in x.chunks_mut(64) {
                                let f = 10f32.powf(rng.random::<f32>() * 4.0 - 3.0);
                                b.iter_mut().for_each(|v| *v *= f);
                            }
                        }
                    }
                    case.x = x.iter().map(|&v| T::from_f32(v)).collect();
                    let (y_ref, op) = case.run(Kernels::Reference);
                    let (y, _) = case.run(kernels);
                    let (e_ref, e) = (case.error(&y_ref, &op), case.error(&y, &op));
                    let bound = (1.5 * e_ref).max(floor_for(T::DTYPE));
                    assert!(e <= bound, "{} {spec} {} K={k} m={m} x shape {shape}: err {e:.3e} > {bound:.3e} (reference {e_ref:.3e})", kernels.name(), T::DTYPE);
                    checked += 1;
                }
            }
        }
    }
    checked
}

#[test]
fn avx512vnni_int4_dots_decode_k() {
    let test = "avx512vnni_int4_dots_decode_k";
    if !Kernels::Avx512Vnni.is_supported() {
        println!("SKIP {test}: this CPU does not support the avx512vnni kernels");
        return;
    }
    let mut rng = StdRng::seed_from_u64(common::seed(test));
    let k = Kernels::Avx512Vnni;
    let n = check_int4_dots_decode_k::<f32>(k, &mut rng) + check_int4_dots_decode_k::<f16>(k, &mut rng) + check_int4_dots_decode_k::<bf16>(k, &mut rng);
    eprintln!("{test}: {n} cases checked against the reference");
}
