//! End-to-end tests of the `qmlx` binary on small synthetic checkpoints (no Python needed):
//! convert output equals qmlx-core's quantize tensor by tensor, the layout is mlx_lm's, sharding,
//! atomic output, and `inspect` catches broken checkpoints naming the tensor.

use half::bf16;
use qmlx_core::{api, QuantSpec, Rounding};
use rand::{Rng, SeedableRng};
use safetensors::{Dtype, SafeTensors};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Output};

const HIDDEN: usize = 128;
const INTER: usize = 256;
const VOCAB: usize = 96;

fn qmlx(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qmlx")).args(args).output().expect("run qmlx")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// A tiny llama-shaped bf16 checkpoint with random weights (seed logged).
fn write_source(dir: &Path, tied: bool, seed: u64) -> HashMap<String, (Vec<usize>, Vec<bf16>)> {
    eprintln!("source seed = {seed}");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut t: HashMap<String, (Vec<usize>, Vec<bf16>)> = HashMap::new();
    let mut add = |name: &str, shape: &[usize], rng: &mut rand::rngs::StdRng| {
        let n = shape.iter().product();
        let v = (0..n).map(|_| bf16::from_f32(rng.random_range(-0.05f32..0.05))).collect();
        t.insert(name.to_owned(), (shape.to_vec(), v));
    };
    add("model.embed_tokens.weight", &[VOCAB, HIDDEN], &mut rng);
    if !tied {
        add("lm_head.weight", &[VOCAB, HIDDEN], &mut rng);
    }
    add("model.norm.weight", &[HIDDEN], &mut rng);
    for l in 0..2 {
        let p = format!("model.layers.{l}.");
        for n in ["q_proj", "k_proj", "v_proj", "o_proj"] {
            add(&format!("{p}self_attn.{n}.weight"), &[HIDDEN, HIDDEN], &mut rng);
        }
        add(&format!("{p}mlp.gate_proj.weight"), &[INTER, HIDDEN], &mut rng);
        add(&format!("{p}mlp.up_proj.weight"), &[INTER, HIDDEN], &mut rng);
        add(&format!("{p}mlp.down_proj.weight"), &[HIDDEN, INTER], &mut rng);
        add(&format!("{p}input_layernorm.weight"), &[HIDDEN], &mut rng);
        add(&format!("{p}post_attention_layernorm.weight"), &[HIDDEN], &mut rng);
    }
    // A layer whose input width is not a multiple of any group size stays unquantized (mlx_lm).
    add("model.odd_proj.weight", &[8, 40], &mut rng);
    let views: Vec<(String, safetensors::tensor::TensorView<'_>)> = t
        .iter()
        .map(|(k, (s, v))| (k.clone(), safetensors::tensor::TensorView::new(Dtype::BF16, s.clone(), bytemuck::cast_slice(v)).unwrap()))
        .collect();
    std::fs::create_dir_all(dir).unwrap();
    safetensors::serialize_to_file(views, Some(HashMap::from([("format".into(), "pt".into())])), &dir.join("model.safetensors")).unwrap();
    let cfg = json!({"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": HIDDEN,
        "dtype": "bfloat16", "rms_norm_eps": 1e-05, "tie_word_embeddings": tied, "vocab_size": VOCAB,
        "_name_or_path": "somewhere", "eos_token_id": 1});
    std::fs::write(dir.join("config.json"), serde_json::to_string_pretty(&cfg).unwrap()).unwrap();
    std::fs::write(dir.join("tokenizer.json"), "{}").unwrap();
    std::fs::write(dir.join("generation_config.json"), r#"{"eos_token_id": [1, 2]}"#).unwrap();
    t
}

/// All tensors of a converted checkpoint: name -> (dtype, shape, bytes).
fn read_all(dir: &Path) -> HashMap<String, (Dtype, Vec<usize>, Vec<u8>)> {
    let mut out = HashMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "safetensors") {
            let bytes = std::fs::read(&p).unwrap();
            let st = SafeTensors::deserialize(&bytes).unwrap();
            let (_, meta) = SafeTensors::read_metadata(&bytes).unwrap();
            assert_eq!(meta.metadata().as_ref().unwrap()["format"], "mlx", "{}", p.display());
            for (k, v) in st.iter() {
                out.insert(k.to_owned(), (v.dtype(), v.shape().to_vec(), v.data().to_vec()));
            }
        }
    }
    out
}

fn check_against_core(src: &HashMap<String, (Vec<usize>, Vec<bf16>)>, out: &HashMap<String, (Dtype, Vec<usize>, Vec<u8>)>, spec: QuantSpec, rounding: Rounding) -> usize {
    let mut n = 0;
    for (name, (shape, data)) in src {
        if name.ends_with(".weight") && shape.len() == 2 && shape[1] % spec.group_size() as usize == 0 {
            let prefix = name.strip_suffix(".weight").unwrap();
            let q = api::quantize(data, shape, spec, rounding, None).unwrap();
            assert_eq!(out[name].0, Dtype::U32, "{name}");
            assert_eq!(out[name].1, q.wq_shape, "{name}");
            assert_eq!(out[name].2, bytemuck::cast_slice::<u32, u8>(&q.wq), "{name}: packed codes differ");
            match &q.params {
                api::GroupParams::Affine { scales, biases } => {
                    assert_eq!(out[&format!("{prefix}.scales")].2, bytemuck::cast_slice::<bf16, u8>(scales), "{prefix}.scales");
                    assert_eq!(out[&format!("{prefix}.biases")].2, bytemuck::cast_slice::<bf16, u8>(biases), "{prefix}.biases");
                    assert_eq!(out[&format!("{prefix}.scales")].0, Dtype::BF16);
                }
                api::GroupParams::Fp { scales, .. } => {
                    assert_eq!(out[&format!("{prefix}.scales")].2, *scales, "{prefix}.scales");
                    assert_eq!(out[&format!("{prefix}.scales")].0, Dtype::U8);
                    assert!(!out.contains_key(&format!("{prefix}.biases")));
                }
            }
            n += 1;
        } else {
            assert_eq!(out[name].0, Dtype::BF16, "{name}");
            assert_eq!(out[name].2, bytemuck::cast_slice::<bf16, u8>(data), "{name} must be copied unchanged");
        }
    }
    n
}

#[test]
fn convert_every_mode_matches_core_quantize() {
    let tmp = tempfile::tempdir().unwrap();
    let seed = rand::rng().random::<u64>();
    let src = write_source(&tmp.path().join("hf"), false, seed);
    for (mode, gs, bits, rounding) in [
        ("affine", 64, 4, "cpu"),
        ("affine", 32, 3, "gpu"),
        ("affine", 128, 8, "cpu"),
        ("affine", 64, 5, "gpu"),
        ("mxfp4", 32, 4, "gpu"),
        ("mxfp8", 32, 8, "gpu"),
        ("nvfp4", 16, 4, "gpu"),
    ] {
        let out = tmp.path().join(format!("out-{mode}-{gs}-{bits}-{rounding}"));
        let o = qmlx(&["convert", tmp.path().join("hf").to_str().unwrap(), out.to_str().unwrap(), "--mode", mode,
            "--group-size", &gs.to_string(), "--bits", &bits.to_string(), "--rounding", rounding, "-q"]);
        assert!(o.status.success(), "{}", text(&o));
        let spec = QuantSpec::parse(mode, Some(gs), Some(bits)).unwrap();
        let r = if rounding == "cpu" { Rounding::Cpu } else { Rounding::Gpu };
        let tensors = read_all(&out);
        let n = check_against_core(&src, &tensors, spec, r);
        assert_eq!(n, 16, "16 quantized layers (odd_proj stays float)");
        // config.json: mlx_lm's blocks, sorted keys, _name_or_path dropped, generation eos merged.
        let cfg: Value = serde_json::from_str(&std::fs::read_to_string(out.join("config.json")).unwrap()).unwrap();
        let q = json!({"group_size": gs, "bits": bits, "mode": mode});
        assert_eq!(cfg["quantization"], q);
        assert_eq!(cfg["quantization_config"], q);
        assert!(cfg.get("_name_or_path").is_none());
        assert_eq!(cfg["eos_token_id"], json!([1, 2]));
        let keys: Vec<_> = cfg.as_object().unwrap().keys().cloned().collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        let idx: Value = serde_json::from_str(&std::fs::read_to_string(out.join("model.safetensors.index.json")).unwrap()).unwrap();
        assert_eq!(idx["weight_map"].as_object().unwrap().len(), tensors.len());
        let total: u64 = tensors.values().map(|t| t.2.len() as u64).sum();
        assert_eq!(idx["metadata"]["total_size"], json!(total));
        assert!(out.join("tokenizer.json").exists() && out.join("README.md").exists());
        let o = qmlx(&["inspect", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", text(&o));
        assert!(text(&o).contains("check: OK"), "{}", text(&o));
    }
}

#[test]
fn convert_tied_sharded_and_dtype() {
    let tmp = tempfile::tempdir().unwrap();
    let src = write_source(&tmp.path().join("hf"), true, 7);
    let out = tmp.path().join("out");
    let o = qmlx(&["convert", tmp.path().join("hf").to_str().unwrap(), out.to_str().unwrap(), "--max-shard-size", "40KB", "--dtype", "float32", "-q"]);
    assert!(o.status.success(), "{}", text(&o));
    let shards: Vec<_> = std::fs::read_dir(&out).unwrap().filter_map(|e| {
        let n = e.unwrap().file_name().to_string_lossy().into_owned();
        n.ends_with(".safetensors").then_some(n)
    }).collect();
    assert!(shards.len() > 2, "{shards:?}");
    assert!(shards.iter().all(|s| s.starts_with("model-000") && s.contains(&format!("-of-{:05}", shards.len()))), "{shards:?}");
    let t = read_all(&out);
    assert!(!t.keys().any(|k| k.starts_with("lm_head")), "tied: no lm_head tensors");
    // --dtype float32: cast before quantizing, so scales are f32 and equal core's quantize of f32(w).
    let (shape, w) = &src["model.layers.1.mlp.down_proj.weight"];
    let w32: Vec<f32> = w.iter().map(|v| v.to_f32()).collect();
    let q = api::quantize(&w32, shape, QuantSpec::parse("affine", None, None).unwrap(), Rounding::Gpu, None).unwrap();
    let api::GroupParams::Affine { scales, .. } = &q.params else { unreachable!() };
    assert_eq!(t["model.layers.1.mlp.down_proj.scales"].0, Dtype::F32);
    assert_eq!(t["model.layers.1.mlp.down_proj.scales"].2, bytemuck::cast_slice::<f32, u8>(scales));
    assert_eq!(t["model.norm.weight"].0, Dtype::F32);
    let o = qmlx(&["inspect", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn convert_refuses_existing_output_and_leaves_nothing_on_failure() {
    let tmp = tempfile::tempdir().unwrap();
    write_source(&tmp.path().join("hf"), false, 3);
    let hf = tmp.path().join("hf");
    // Existing output.
    let o = qmlx(&["convert", hf.to_str().unwrap(), hf.to_str().unwrap(), "-q"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("already exists"), "{}", text(&o));
    // Bad spec: the error comes from QuantSpec and names the argument.
    let o = qmlx(&["convert", hf.to_str().unwrap(), tmp.path().join("x").to_str().unwrap(), "--bits", "7", "-q"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("bits"), "{}", text(&o));
    // A NaN weight fails mid-way: no output dir, no partial dir left behind.
    let mut bytes = std::fs::read(hf.join("model.safetensors")).unwrap();
    let (n, meta) = SafeTensors::read_metadata(&bytes).unwrap();
    let info = meta.info("model.layers.1.mlp.up_proj.weight").unwrap();
    let at = 8 + n + info.data_offsets.0;
    bytes[at..at + 2].copy_from_slice(&bf16::NAN.to_bits().to_le_bytes());
    std::fs::write(hf.join("model.safetensors"), &bytes).unwrap();
    let out = tmp.path().join("nan-out");
    let o = qmlx(&["convert", hf.to_str().unwrap(), out.to_str().unwrap(), "-q"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("model.layers.1.mlp.up_proj.weight"), "{}", text(&o));
    assert!(!out.exists());
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(left.iter().all(|n| !n.contains("partial")), "{left:?}");
}

/// Rewrites one tensor entry of a single-shard checkpoint through `edit` (name -> new tensors).
fn rewrite(dir: &Path, edit: impl Fn(&mut Vec<(String, Dtype, Vec<usize>, Vec<u8>)>)) {
    let path = dir.join("model.safetensors");
    let bytes = std::fs::read(&path).unwrap();
    let st = SafeTensors::deserialize(&bytes).unwrap();
    let mut t: Vec<_> = st.iter().map(|(k, v)| (k.to_owned(), v.dtype(), v.shape().to_vec(), v.data().to_vec())).collect();
    edit(&mut t);
    let views: Vec<_> = t.iter().map(|(k, d, s, b)| (k.clone(), safetensors::tensor::TensorView::new(*d, s.clone(), b).unwrap())).collect();
    safetensors::serialize_to_file(views, Some(HashMap::from([("format".into(), "mlx".into())])), &path).unwrap();
    let _ = std::fs::remove_file(dir.join("model.safetensors.index.json"));
}

#[test]
fn inspect_names_the_broken_tensor() {
    let tmp = tempfile::tempdir().unwrap();
    write_source(&tmp.path().join("hf"), false, 11);
    let good = tmp.path().join("good");
    assert!(qmlx(&["convert", tmp.path().join("hf").to_str().unwrap(), good.to_str().unwrap(), "-q"]).status.success());
    let copy = |name: &str| {
        let d = tmp.path().join(name);
        std::fs::create_dir_all(&d).unwrap();
        for e in std::fs::read_dir(&good).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, d.join(p.file_name().unwrap())).unwrap();
        }
        d
    };
    let expect = |d: &Path, needles: &[&str]| {
        let o = qmlx(&["inspect", d.to_str().unwrap()]);
        assert!(!o.status.success(), "inspect must fail for {}:\n{}", d.display(), text(&o));
        for n in needles {
            assert!(text(&o).contains(n), "expected '{n}' in:\n{}", text(&o));
        }
    };
    // Missing scales.
    let d = copy("missing-scales");
    rewrite(&d, |t| t.retain(|x| x.0 != "model.layers.0.mlp.up_proj.scales"));
    expect(&d, &["model.layers.0.mlp.up_proj.scales", "missing"]);
    // Wrong scales shape.
    let d = copy("wrong-shape");
    rewrite(&d, |t| {
        for x in t.iter_mut().filter(|x| x.0 == "model.layers.1.self_attn.q_proj.scales" || x.0 == "model.layers.1.self_attn.q_proj.biases") {
            x.2 = vec![HIDDEN, 1];
            x.3.truncate(HIDDEN * 2);
        }
    });
    expect(&d, &["model.layers.1.self_attn.q_proj", "scales"]);
    // Wrong packing (weight words do not match bits).
    let d = copy("wrong-packing");
    rewrite(&d, |t| {
        for x in t.iter_mut().filter(|x| x.0 == "model.layers.0.mlp.down_proj.weight") {
            x.2 = vec![HIDDEN, 24];
            x.3.truncate(HIDDEN * 24 * 4);
        }
    });
    expect(&d, &["model.layers.0.mlp.down_proj"]);
    // Missing biases for affine.
    let d = copy("missing-biases");
    rewrite(&d, |t| t.retain(|x| x.0 != "lm_head.biases"));
    expect(&d, &["lm_head.biases"]);
    // Unknown mode.
    let d = copy("unknown-mode");
    let cfg = std::fs::read_to_string(d.join("config.json")).unwrap().replace("\"affine\"", "\"int4\"");
    std::fs::write(d.join("config.json"), cfg).unwrap();
    expect(&d, &["mode", "'int4'"]);
    // Truncated shard: a clear error naming the file.
    let d = copy("truncated");
    let b = std::fs::read(d.join("model.safetensors")).unwrap();
    std::fs::write(d.join("model.safetensors"), &b[..b.len() - 100]).unwrap();
    let o = qmlx(&["inspect", d.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(text(&o).contains("model.safetensors") && text(&o).contains("not a valid safetensors"), "{}", text(&o));
    // Index naming a tensor that is not in the shard.
    let d = copy("bad-index");
    let idx = std::fs::read_to_string(d.join("model.safetensors.index.json")).unwrap().replace("\"model.norm.weight\"", "\"model.norm.gone\"");
    std::fs::write(d.join("model.safetensors.index.json"), idx).unwrap();
    expect(&d, &["model.norm.gone"]);
}

#[test]
fn refuses_already_quantized_source() {
    let tmp = tempfile::tempdir().unwrap();
    write_source(&tmp.path().join("hf"), false, 5);
    let q = tmp.path().join("q");
    assert!(qmlx(&["convert", tmp.path().join("hf").to_str().unwrap(), q.to_str().unwrap(), "-q"]).status.success());
    let o = qmlx(&["convert", q.to_str().unwrap(), tmp.path().join("qq").to_str().unwrap(), "-q"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("already quantized"), "{}", text(&o));
}
