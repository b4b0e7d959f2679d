//! Bit-exactness against MLX 0.32.4's GPU backend: `gpu`-rounding affine quantize, the fp modes
//! (incl. nvfp4 with a global scale) and dequantize, for every case in shared/fixtures/mlx-gpu.

mod common;

use half::{bf16, f16};
use qmlx_core::api::{self, GroupParams, QuantizedWeight};
use qmlx_core::{DType, Float, Mode, QuantSpec, Rounding};
use safetensors::SafeTensors;

fn load_vec<T: bytemuck::Pod>(st: &SafeTensors<'_>, name: &str) -> (Vec<T>, Vec<usize>) {
    let t = st.tensor(name).unwrap_or_else(|e| panic!("fixture tensor {name}: {e}"));
    (bytemuck::allocation::pod_collect_to_vec(t.data()), t.shape().to_vec())
}

struct Counts {
    cases: usize,
    checked_elems: usize,
}

fn check_case<T: Float + qmlx_core::Element>(st: &SafeTensors<'_>, dtype: &str, spec: QuantSpec, prefix: &str, global: Option<f32>, counts: &mut Counts) {
    let (w, shape) = load_vec::<T>(st, &format!("{dtype}.w"));
    let (wq_ref, _) = load_vec::<u32>(st, &format!("{dtype}.{prefix}wq"));
    let q = api::quantize(&w, &shape, spec, Rounding::Gpu, global).unwrap();
    let ctx = format!("{spec} {dtype} {prefix}");
    match &q.params {
        GroupParams::Affine { scales, biases } => {
            let (s_ref, _) = load_vec::<T>(st, &format!("{dtype}.scales"));
            let (b_ref, _) = load_vec::<T>(st, &format!("{dtype}.biases"));
            assert_eq!(q.wq, wq_ref, "{ctx}: packed codes");
            assert!(scales.iter().zip(&s_ref).all(|(a, b)| a.to_f32().to_bits() == b.to_f32().to_bits()), "{ctx}: scales");
            assert!(biases.iter().zip(&b_ref).all(|(a, b)| a.to_f32().to_bits() == b.to_f32().to_bits()), "{ctx}: biases");
        }
        GroupParams::Fp { scales, .. } => {
            let (s_ref, _) = load_vec::<u8>(st, &format!("{dtype}.{prefix}scales"));
            assert_eq!(scales, &s_ref, "{ctx}: scale bytes");
            if spec.mode() == Mode::Nvfp4 {
                // Codes of zero-scale nvfp4 groups are unspecified (CUDA writes 7, Metal 0; both decode to 0).
                let (k, gs) = (shape[1], 16);
                for (i, (a, b)) in q.wq.iter().zip(&wq_ref).enumerate() {
                    for nib in 0..8 {
                        let elem = (i % (k / 8)) * 8 + nib;
                        let row = i / (k / 8);
                        if scales[row * (k / gs) + elem / gs] == 0 {
                            continue;
                        }
                        assert_eq!((a >> (4 * nib)) & 15, (b >> (4 * nib)) & 15, "{ctx}: code at word {i} nibble {nib}");
                    }
                }
            } else {
                assert_eq!(q.wq, wq_ref, "{ctx}: packed codes");
            }
        }
    }
    // Dequantize the fixture's own stored tensors (not ours) into the fixture's dtype.
    let (deq_ref, _) = load_vec::<T>(st, &format!("{dtype}.{prefix}deq"));
    let stored = QuantizedWeight { wq: wq_ref, ..q.clone() };
    let stored = match (&stored.params, spec.has_biases()) {
        (GroupParams::Fp { global_scale, .. }, false) => {
            let (s_ref, _) = load_vec::<u8>(st, &format!("{dtype}.{prefix}scales"));
            QuantizedWeight { params: GroupParams::Fp { scales: s_ref, global_scale: *global_scale }, ..stored }
        }
        _ => stored,
    };
    let deq = api::dequantize::<T>(&stored).unwrap();
    for (i, (a, b)) in deq.iter().zip(&deq_ref).enumerate() {
        assert_eq!(a.to_f32().to_bits(), b.to_f32().to_bits(), "{ctx}: dequantized element {i}: {a:?} vs {b:?}");
    }
    counts.cases += 1;
    counts.checked_elems += deq.len();
}

#[test]
fn quantize_and_dequantize_match_mlx_gpu_fixtures() {
    let dir = common::shared_dir().join("fixtures/mlx-gpu");
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let mut counts = Counts { cases: 0, checked_elems: 0 };
    let mut per_mode = std::collections::BTreeMap::<String, usize>::new();
    for case in manifest["cases"].as_array().unwrap() {
        if case["kind"] != "quantize" {
            continue;
        }
        let file = case["file"].as_str().unwrap();
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let st = SafeTensors::deserialize(&bytes).unwrap();
        let mode = Mode::parse(case["mode"].as_str().unwrap()).unwrap();
        let gs: u32 = case["group_size"].as_str().unwrap().parse().unwrap();
        let bits: u32 = case["bits"].as_str().unwrap().parse().unwrap();
        let spec = QuantSpec::new(mode, gs, bits).unwrap();
        for dtype in ["float32", "float16", "bfloat16"] {
            let mut variants = vec![("", None)];
            if st.names().iter().any(|n| **n == format!("{dtype}.gs_wq")) {
                let (g, _) = load_vec::<f32>(&st, &format!("{dtype}.global_scale"));
                variants.push(("gs_", Some(g[0])));
            }
            for (prefix, global) in variants {
                match DType::parse(dtype).unwrap() {
                    DType::F32 => check_case::<f32>(&st, dtype, spec, prefix, global, &mut counts),
                    DType::F16 => check_case::<f16>(&st, dtype, spec, prefix, global, &mut counts),
                    _ => check_case::<bf16>(&st, dtype, spec, prefix, global, &mut counts),
                }
                *per_mode.entry(mode.name().to_string()).or_default() += 1;
            }
        }
    }
    eprintln!("checked {} fixture cases ({} elements): {per_mode:?}", counts.cases, counts.checked_elems);
    // 18 affine (bits × gs) + 3 fp files, × 3 dtypes, + nvfp4 global-scale variants.
    assert!(counts.cases >= 21 * 3 + 3, "too few fixture cases found: {}", counts.cases);
}

/// MLX-GPU quantized_matmul outputs as a second opinion: our error against the float64 reference of
/// the stored weights must be no worse than 1.5 × MLX-GPU's, or within the dtype's floor.
#[test]
fn quantized_matmul_no_worse_than_mlx_gpu() {
    let dir = common::shared_dir().join("fixtures/mlx-gpu");
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let mut n_cases = 0;
    for case in manifest["cases"].as_array().unwrap() {
        if case["kind"] != "quantized_matmul" {
            continue;
        }
        let bytes = std::fs::read(dir.join(case["file"].as_str().unwrap())).unwrap();
        let st = SafeTensors::deserialize(&bytes).unwrap();
        let spec = QuantSpec::new(
            Mode::parse(case["mode"].as_str().unwrap()).unwrap(),
            case["group_size"].as_str().unwrap().parse().unwrap(),
            case["bits"].as_str().unwrap().parse().unwrap(),
        )
        .unwrap();
        let transpose = case["transpose"] == "True";
        match case["dtype"].as_str().unwrap() {
            "float32" => matmul_case::<f32>(&st, spec, transpose, 2e-6),
            "float16" => matmul_case::<f16>(&st, spec, transpose, 1.5e-3),
            _ => matmul_case::<bf16>(&st, spec, transpose, 1.2e-2),
        }
        n_cases += 1;
    }
    eprintln!("checked {n_cases} MLX-GPU quantized_matmul fixtures");
    assert!(n_cases >= 50, "expected the fixtures' matmul cases, found {n_cases}");
}

fn matmul_case<T: Float + qmlx_core::Element>(st: &SafeTensors<'_>, spec: QuantSpec, transpose: bool, floor: f64) {
    let (x, x_shape) = load_vec::<T>(st, "x");
    let (wq, wq_shape) = load_vec::<u32>(st, "wq");
    let (scales, s_shape) = load_vec::<T>(st, "scales");
    let (biases, _) = load_vec::<T>(st, "biases");
    let (y_mlx, _) = load_vec::<T>(st, "y");
    let q = QuantizedWeight { spec, wq_shape, scales_shape: s_shape, wq, params: GroupParams::Affine { scales, biases } };
    let y = api::quantized_matmul(&x, &x_shape, &q, transpose).unwrap();
    // float64 reference from the stored weight (exact s·q + b).
    let w_hat: Vec<f64> = api::dequantize::<f32>(&QuantizedWeight { ..q.clone() }).unwrap().iter().map(|v| *v as f64).collect();
    let (rows, cols) = (q.scales_shape[0], w_hat.len() / q.scales_shape[0]);
    let (n, k) = if transpose { (rows, cols) } else { (cols, rows) };
    let m = x.len() / k;
    let mut y64 = vec![0f64; m * n];
    for mi in 0..m {
        for ni in 0..n {
            y64[mi * n + ni] = (0..k)
                .map(|j| x[mi * k + j].to_f32() as f64 * if transpose { w_hat[ni * k + j] } else { w_hat[j * n + ni] })
                .sum();
        }
    }
    let max = y64.iter().fold(0f64, |a, v| a.max(v.abs()));
    let err = |y: &[T]| y.iter().zip(&y64).fold(0f64, |a, (u, v)| a.max((u.to_f32() as f64 - v).abs())) / max;
    let (ours, theirs) = (err(&y), err(&y_mlx));
    assert!(ours <= (1.5 * theirs).max(floor), "{spec} {} transpose={transpose} M={m}: ours {ours:e} vs MLX-GPU {theirs:e}", T::DTYPE);
}
