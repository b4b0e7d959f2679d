//! `qmlx convert`: a Hugging Face checkpoint → MLX's quantized layout, as mlx_lm 0.32.2 writes it.
//!
//! What is quantized follows mlx_lm: every module with `to_quantized` (Linear and Embedding, i.e.
//! every 2-D `*.weight`, including `lm_head` and `embed_tokens`) whose last dimension is a multiple
//! of the group size; norms (1-D) and biases are kept. The conversion dtype follows mlx_lm's rule:
//! `--dtype`, else the config's `torch_dtype`, else `text_config.dtype`; when one is set every float
//! tensor is cast to it *before* quantizing, otherwise each tensor keeps its source dtype.
//! Output is written into a sibling temporary directory and renamed into place only when complete.

use crate::checkpoint::{core_dtype, st_dtype, Checkpoint, INDEX_FILE};
use crate::pyjson;
use crate::writer::{make_shards, shard_name, PlannedTensor, ShardWriter};
use anyhow::{bail, Context, Result};
use half::{bf16, f16};
use qmlx_core::{api, DType, Float, Meta, QuantSpec, QuantizeOp, Rounding};
use rayon::prelude::*;
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};

/// Options of one conversion.
#[derive(Debug, Clone)]
pub struct ConvertOptions {
    /// The quantization applied to every eligible layer.
    pub spec: QuantSpec,
    /// Affine rounding (`Gpu`: MLX's Metal/CUDA algorithm; `Cpu`: what mlx_lm gives on Linux).
    pub rounding: Rounding,
    /// Forced conversion dtype (`--dtype`).
    pub dtype: Option<DType>,
    /// Largest shard in bytes (mlx_lm: 5 GiB).
    pub max_shard_bytes: u64,
    /// Draw a progress bar.
    pub progress: bool,
    /// mlx_lm's mixed-precision recipe (`--quant-predicate mixed_3_6`, ...), affine only.
    pub recipe: Option<MixedRecipe>,
}

/// mlx_lm's mixed recipes (`mixed_2_6`, `mixed_3_4`, `mixed_3_6`, `mixed_4_6`): `v_proj` and
/// `down_proj` of the first and last eighth of the layers and of every third layer in between, and
/// `lm_head`, get the high bit width; every other quantized layer the low one. The choice is written
/// per layer into config.json's `quantization` block, as mlx_lm does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MixedRecipe {
    /// Bits of most layers.
    pub low_bits: u32,
    /// Bits of the sensitive layers.
    pub high_bits: u32,
}

impl MixedRecipe {
    /// Parses mlx_lm's recipe names.
    pub fn parse(name: &str) -> Result<Self> {
        let (low_bits, high_bits) = match name {
            "mixed_2_6" => (2, 6),
            "mixed_3_4" => (3, 4),
            "mixed_3_6" => (3, 6),
            "mixed_4_6" => (4, 6),
            other => bail!("--quant-predicate: expected one of mixed_2_6, mixed_3_4, mixed_3_6, mixed_4_6, got '{other}'"),
        };
        Ok(MixedRecipe { low_bits, high_bits })
    }

    /// Bits for the module at `path`; `layer_at` is the position of the layer index in paths and
    /// `num_layers` the model's layer count (mlx_lm's `mixed_quant_predicate`).
    fn bits_for(&self, path: &str, layer_at: usize, num_layers: i64) -> Result<u32> {
        let parts: Vec<&str> = path.split('.').collect();
        let index: i64 = match parts.get(layer_at) {
            Some(p) => p.parse().with_context(|| format!("mixed recipe: '{path}' has no layer index at position {layer_at}"))?,
            None => 0,
        };
        let eighth = num_layers / 8;
        let more = index < eighth || index >= 7 * num_layers / 8 || (index - eighth).rem_euclid(3) == 2;
        let sensitive = ["v_proj", "v_a_proj", "v_b_proj", "down_proj"].iter().any(|k| path.contains(k));
        Ok(if (sensitive && more) || path.contains("lm_head") { self.high_bits } else { self.low_bits })
    }
}

/// What happens to one source tensor.
#[derive(Debug, Clone)]
struct Item {
    /// Source tensor name.
    name: String,
    /// Source dtype.
    src: safetensors::Dtype,
    /// Source shape.
    shape: Vec<usize>,
    /// Dtype the tensor is stored (or quantized) in.
    dtype: Option<DType>,
    /// Quantize it with this spec (`name` ends in `.weight`; outputs `.weight`, `.scales`, `.biases`).
    quantize: Option<QuantSpec>,
}

/// Files copied next to the weights (mlx_lm copies `*.py` and `generation_config.json`, and
/// re-saves the tokenizer; we copy the tokenizer files as they are).
const COPIED_FILES: &[&str] = &[
    "generation_config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "tokenizer.model",
    "vocab.json",
    "merges.txt",
    "chat_template.jinja",
    "chat_template.json",
];

/// Summary of a finished conversion.
#[derive(Debug)]
pub struct ConvertReport {
    /// Layers quantized.
    pub quantized: usize,
    /// Tensors stored unquantized.
    pub kept: usize,
    /// Shard files written.
    pub shards: usize,
    /// Bytes of tensor data written.
    pub total_size: u64,
    /// mlx_lm's bits per weight (bytes·8 / parameters).
    pub bits_per_weight: f64,
}

/// The dtype mlx_lm converts to, if any (see the module docs).
fn conversion_dtype(config: &Map<String, Value>, forced: Option<DType>) -> Option<DType> {
    if forced.is_some() {
        return forced;
    }
    let named = config
        .get("torch_dtype")
        .or_else(|| config.get("text_config").and_then(|t| t.get("dtype")))
        .and_then(Value::as_str);
    match named {
        Some(n @ ("float16" | "bfloat16" | "float32")) => DType::parse(n),
        _ => None,
    }
}

/// mlx_lm's llama/qwen2/qwen3/mistral `sanitize`: drop precomputed rotary frequencies, and drop
/// `lm_head.weight` when embeddings are tied (`tie_word_embeddings` defaults to true there).
fn keep_tensor(name: &str, tied: bool) -> bool {
    !(name.contains("self_attn.rotary_emb.inv_freq") || (tied && name == "lm_head.weight"))
}

/// The order mlx_lm writes parameters in (its module tree: attribute order of the llama-family
/// modules), so that shards split where mlx_lm's do. Numbers sort numerically; names outside the
/// table come after the known ones, alphabetically.
fn module_order_key(name: &str) -> Vec<(u32, u64, String)> {
    const RANK: &[&str] = &[
        "model", "lm_head", "embed_tokens", "layers", "norm", "self_attn", "mlp", "input_layernorm",
        "post_attention_layernorm", "q_proj", "k_proj", "v_proj", "o_proj", "q_norm", "k_norm", "gate_proj",
        "down_proj", "up_proj", "weight", "scales", "biases", "bias",
    ];
    name.split('.')
        .map(|p| match (p.parse::<u64>(), RANK.iter().position(|r| *r == p)) {
            (Ok(n), _) => (0, n, String::new()),
            (_, Some(r)) => (r as u32, 0, String::new()),
            _ => (RANK.len() as u32, 0, p.to_owned()),
        })
        .collect()
}

fn plan(ck: &Checkpoint, opts: &ConvertOptions) -> Result<(Vec<Item>, Vec<PlannedTensor>)> {
    if ck.config.contains_key("quantization") || ck.tensors.keys().any(|k| k.ends_with(".scales")) {
        bail!("{}: the checkpoint is already quantized (config.json has \"quantization\" or tensors end in .scales)", ck.dir.display());
    }
    let tied = ck.config.get("tie_word_embeddings").and_then(Value::as_bool).unwrap_or(true);
    let target = conversion_dtype(&ck.config, opts.dtype);
    let gs = opts.spec.group_size() as usize;
    let mut names: Vec<&String> = ck.tensors.keys().filter(|n| keep_tensor(n, tied)).collect();
    names.sort_by_cached_key(|n| module_order_key(n));
    // Mixed recipes need the layer-index position (from the first down_proj) and the layer count.
    let recipe = match opts.recipe {
        None => None,
        Some(r) => {
            if opts.spec.mode() != qmlx_core::Mode::Affine {
                bail!("--quant-predicate: mixed recipes only support mode 'affine', got '{}'", opts.spec.mode());
            }
            let down = names.iter().find(|n| n.contains("down_proj")).context("--quant-predicate: the model has no down_proj layers for a mixed recipe")?;
            let layer_at = down.split('.').position(|p| p.parse::<u64>().is_ok()).unwrap_or(0);
            let num_layers = ck.config.get("num_hidden_layers").and_then(Value::as_i64)
                .context("--quant-predicate: config.json lacks num_hidden_layers")?;
            Some((r, layer_at, num_layers))
        }
    };
    let mut items = Vec::new();
    let mut out = Vec::new();
    for name in names {
        let e = &ck.tensors[name];
        let src = core_dtype(e.dtype);
        let is_float = matches!(src, Some(d) if d.is_float());
        if !is_float && matches!(e.dtype, safetensors::Dtype::F64 | safetensors::Dtype::F8_E4M3 | safetensors::Dtype::F8_E5M2) {
            bail!("tensor '{name}': dtype {:?} is not supported (expected float32, float16 or bfloat16)", e.dtype);
        }
        let dtype = if is_float { target.or(src) } else { src };
        let eligible = is_float && name.ends_with(".weight") && e.shape.len() == 2 && e.shape[1] % gs == 0;
        let quantize = match (eligible, recipe) {
            (false, _) => None,
            (true, None) => Some(opts.spec),
            (true, Some((r, layer_at, num_layers))) => {
                let bits = r.bits_for(&name[..name.len() - ".weight".len()], layer_at, num_layers)?;
                Some(QuantSpec::new(qmlx_core::Mode::Affine, opts.spec.group_size(), bits)?)
            }
        };
        if let Some(spec) = quantize {
            let d = dtype.expect("float");
            let op = QuantizeOp::new(&Meta::new(d, &e.shape), spec, opts.rounding, None)
                .with_context(|| format!("tensor '{name}'"))?;
            let prefix = &name[..name.len() - ".weight".len()];
            out.push(PlannedTensor { name: name.clone(), dtype: st_dtype(DType::U32), shape: op.wq_shape.clone() });
            out.push(PlannedTensor { name: format!("{prefix}.scales"), dtype: st_dtype(op.scales_meta().dtype), shape: op.scales_shape.clone() });
            if let Some(b) = op.biases_meta() {
                out.push(PlannedTensor { name: format!("{prefix}.biases"), dtype: st_dtype(b.dtype), shape: b.shape });
            }
        } else {
            out.push(PlannedTensor { name: name.clone(), dtype: dtype.map(st_dtype).unwrap_or(e.dtype), shape: e.shape.clone() });
        }
        items.push(Item { name: name.clone(), src: e.dtype, shape: e.shape.clone(), dtype, quantize });
    }
    Ok((items, out))
}

/// Reads little-endian `S` from (possibly unaligned) bytes and converts to `T` (via f32, RNE).
fn cast_from<S: Float, T: Float>(bytes: &[u8]) -> Vec<T> {
    let n = bytes.len() / std::mem::size_of::<S>();
    let mut out = vec![T::default(); n];
    out.par_chunks_mut(1 << 16).enumerate().for_each(|(c, dst)| {
        let start = c * (1 << 16) * std::mem::size_of::<S>();
        let src = &bytes[start..start + dst.len() * std::mem::size_of::<S>()];
        for (d, s) in dst.iter_mut().zip(src.chunks_exact(std::mem::size_of::<S>())) {
            *d = T::from_f32(bytemuck::pod_read_unaligned::<S>(s).to_f32());
        }
    });
    out
}

/// The tensor as an aligned `Vec<T>`, cast from its source dtype.
fn load_as<T: Float>(src: DType, bytes: &[u8]) -> Vec<T> {
    if src == T::DTYPE {
        return bytemuck::pod_collect_to_vec(bytes);
    }
    match src {
        DType::F32 => cast_from::<f32, T>(bytes),
        DType::F16 => cast_from::<f16, T>(bytes),
        DType::BF16 => cast_from::<bf16, T>(bytes),
        other => unreachable!("float source dtype, got {other}"),
    }
}

/// Produces the output tensors of one item, in plan order, and hands each to `emit`.
/// `release` drops the source pages once a copy has been made (bounded peak memory).
fn process(item: &Item, bytes: &[u8], opts: &ConvertOptions, release: &dyn Fn(), emit: &mut dyn FnMut(&str, &[u8]) -> Result<()>) -> Result<()> {
    let src = core_dtype(item.src);
    if item.quantize.is_none() {
        return match (src, item.dtype) {
            (Some(s), Some(d)) if s.is_float() && s != d => {
                let cast: Vec<u8> = qmlx_core::with_float_type!(d, T => bytemuck::cast_slice(&load_as::<T>(s, bytes)).to_vec());
                release();
                emit(&item.name, &cast)
            }
            _ => emit(&item.name, bytes),
        };
    }
    let (s, d) = (src.expect("float"), item.dtype.expect("float"));
    let prefix = &item.name[..item.name.len() - ".weight".len()];
    qmlx_core::with_float_type!(d, T => {
        // Quantize straight from the memory map when no cast or realignment is needed.
        let owned;
        let w: &[T] = match bytemuck::try_cast_slice::<u8, T>(bytes) {
            Ok(w) if s == d => w,
            _ => {
                owned = load_as::<T>(s, bytes);
                release();
                &owned
            }
        };
        let spec = item.quantize.expect("quantized item");
        let q = api::quantize::<T>(w, &item.shape, spec, opts.rounding, None)
            .with_context(|| format!("quantizing tensor '{}'", item.name))?;
        emit(&item.name, bytemuck::cast_slice(&q.wq))?;
        match &q.params {
            api::GroupParams::Affine { scales, biases } => {
                emit(&format!("{prefix}.scales"), bytemuck::cast_slice(scales))?;
                emit(&format!("{prefix}.biases"), bytemuck::cast_slice(biases))?;
            }
            api::GroupParams::Fp { scales, .. } => emit(&format!("{prefix}.scales"), scales)?,
        }
    });
    Ok(())
}

/// mlx_lm's `get_total_parameters`: quantized layers count their unpacked weight.
fn total_parameters(items: &[Item]) -> u64 {
    items.iter().map(|i| i.shape.iter().product::<usize>() as u64).sum()
}

/// The config.json mlx_lm writes: source config (with generation_config's `eos_token_id`, as
/// mlx_lm's `load_config` merges it), `_name_or_path`/`vision_config` removed, the quantization
/// blocks added, top-level keys sorted.
fn output_config(ck: &Checkpoint, spec: QuantSpec, per_layer: &[(String, QuantSpec)]) -> Result<Value> {
    let mut cfg = ck.config.clone();
    let gen = ck.dir.join("generation_config.json");
    if gen.exists() {
        if let Ok(Value::Object(g)) = serde_json::from_str::<Value>(&std::fs::read_to_string(&gen)?) {
            match g.get("eos_token_id") {
                // Python truthiness: mlx_lm ignores falsy values.
                None | Some(Value::Null) | Some(Value::Bool(false)) => {}
                Some(Value::Number(n)) if n.as_f64() == Some(0.0) => {}
                Some(Value::Array(a)) if a.is_empty() => {}
                Some(Value::String(t)) if t.is_empty() => {}
                Some(Value::Object(o)) if o.is_empty() => {}
                Some(v) => {
                    cfg.insert("eos_token_id".into(), v.clone());
                }
            }
        }
    }
    cfg.remove("_name_or_path");
    cfg.remove("vision_config");
    let block = |s: QuantSpec| json!({"group_size": s.group_size(), "bits": s.bits(), "mode": s.mode().name()});
    let mut q = block(spec);
    for (path, s) in per_layer {
        q.as_object_mut().expect("object").insert(path.clone(), block(*s));
    }
    cfg.insert("quantization".into(), q.clone());
    cfg.insert("quantization_config".into(), q);
    let mut keys: Vec<String> = cfg.keys().cloned().collect();
    keys.sort();
    let mut sorted = Map::new();
    for k in keys {
        let v = cfg.remove(&k).expect("key");
        sorted.insert(k, v);
    }
    Ok(Value::Object(sorted))
}

/// The model card mlx_lm writes for a local source (no hub repo to name as base model).
const MODEL_CARD: &str = "---\nlanguage: en\nlibrary_name: mlx\npipeline_tag: text-generation\ntags:\n- mlx\n---\n";

/// Removes the temporary directory unless the conversion completed.
struct TempDir(Option<PathBuf>);
impl Drop for TempDir {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_dir_all(p);
        }
    }
}

/// Converts `src` into `out` (which must not exist).
pub fn convert(src: &Path, out: &Path, opts: &ConvertOptions) -> Result<ConvertReport> {
    if out.exists() {
        bail!("{}: the output path already exists; remove it or choose another", out.display());
    }
    let ck = Checkpoint::open(src)?;
    let (items, planned) = plan(&ck, opts)?;
    let shards = make_shards(&planned, opts.max_shard_bytes);
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let base = out.file_name().context("output path has no final component")?.to_string_lossy();
    let tmp_path = parent.join(format!(".{base}.qmlx-partial-{}", std::process::id()));
    std::fs::create_dir(&tmp_path).with_context(|| format!("cannot create {}", tmp_path.display()))?;
    let mut tmp = TempDir(Some(tmp_path.clone()));

    let total_in: u64 = items.iter().map(|i| ck.tensors[&i.name].range.len() as u64).sum();
    let bar = if opts.progress { indicatif::ProgressBar::new(total_in) } else { indicatif::ProgressBar::hidden() };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg}")
            .expect("valid template"),
    );

    // Each output tensor goes to the shard the plan assigned; items emit in plan order.
    let mut weight_map = Map::new();
    let mut shard_of = Vec::with_capacity(planned.len());
    for (s, r) in shards.iter().enumerate() {
        shard_of.extend(std::iter::repeat_n(s, r.len()));
    }
    let mut next_out = 0usize;
    let mut writer: Option<(usize, ShardWriter)> = None;
    for item in &items {
        bar.set_message(item.name.clone());
        let entry = &ck.tensors[&item.name];
        let shard = &ck.shards[entry.shard];
        let bytes = ck.data(&item.name)?;
        let mut emit = |name: &str, data: &[u8]| -> Result<()> {
            let s = shard_of[next_out];
            if writer.as_ref().map(|(i, _)| *i) != Some(s) {
                if let Some((_, w)) = writer.take() {
                    w.finish()?;
                }
                let file = shard_name(s, shards.len());
                writer = Some((s, ShardWriter::create(&tmp_path.join(&file), &planned[shards[s].clone()])?));
            }
            writer.as_mut().expect("open").1.write(name, data)?;
            weight_map.insert(name.to_owned(), Value::String(shard_name(s, shards.len())));
            next_out += 1;
            Ok(())
        };
        process(item, bytes, opts, &|| shard.release(bytes), &mut emit)?;
        shard.release(bytes);
        bar.inc(bytes.len() as u64);
    }
    if let Some((_, w)) = writer.take() {
        w.finish()?;
    }
    bar.finish_and_clear();

    let total_size: u64 = planned.iter().map(PlannedTensor::nbytes).sum();
    let total_params = total_parameters(&items);
    let mut sorted_map = Map::new();
    let mut keys: Vec<_> = weight_map.keys().cloned().collect();
    keys.sort();
    for k in keys {
        sorted_map.insert(k.clone(), weight_map[&k].clone());
    }
    let index = json!({"metadata": {"total_size": total_size, "total_parameters": total_params}, "weight_map": sorted_map});
    std::fs::write(tmp_path.join(INDEX_FILE), pyjson::dumps(&index))?;
    let per_layer: Vec<(String, QuantSpec)> = match opts.recipe {
        Some(_) => items.iter().filter_map(|i| Some((i.name[..i.name.len() - ".weight".len()].to_owned(), i.quantize?))).collect(),
        None => Vec::new(),
    };
    std::fs::write(tmp_path.join("config.json"), pyjson::dumps(&output_config(&ck, opts.spec, &per_layer)?))?;
    for f in COPIED_FILES {
        let p = src.join(f);
        if p.is_file() {
            std::fs::copy(&p, tmp_path.join(f)).with_context(|| format!("copying {}", p.display()))?;
        }
    }
    for e in std::fs::read_dir(src)? {
        let p = e?.path();
        if p.extension().is_some_and(|x| x == "py") && p.is_file() {
            std::fs::copy(&p, tmp_path.join(p.file_name().expect("file"))).with_context(|| format!("copying {}", p.display()))?;
        }
    }
    std::fs::write(tmp_path.join("README.md"), MODEL_CARD)?;
    // Complete: move into place (atomic on one filesystem).
    std::fs::rename(&tmp_path, out).with_context(|| format!("cannot move {} to {}", tmp_path.display(), out.display()))?;
    tmp.0 = None;
    Ok(ConvertReport {
        quantized: items.iter().filter(|i| i.quantize.is_some()).count(),
        kept: items.iter().filter(|i| i.quantize.is_none()).count(),
        shards: shards.len(),
        total_size,
        bits_per_weight: total_size as f64 * 8.0 / total_params.max(1) as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::{module_order_key, MixedRecipe};

    #[test]
    fn mixed_recipe_bits_follow_mlx_lm() {
        let r = MixedRecipe::parse("mixed_3_6").unwrap();
        // 8 layers: more bits for layers 0 and 7, and where (i - 1) % 3 == 2 (Python's modulo): 3, 6.
        let bits: Vec<u32> = (0..8).map(|i| r.bits_for(&format!("model.layers.{i}.mlp.down_proj"), 2, 8).unwrap()).collect();
        assert_eq!(bits, [6, 3, 3, 6, 3, 3, 6, 6]);
        assert_eq!(r.bits_for("model.layers.3.self_attn.v_proj", 2, 8).unwrap(), 6);
        assert_eq!(r.bits_for("model.layers.3.self_attn.q_proj", 2, 8).unwrap(), 3);
        assert_eq!(r.bits_for("lm_head", 2, 8).unwrap(), 6);
        assert_eq!(r.bits_for("model.embed_tokens", 2, 8).unwrap(), 3);
        // 2 layers: num_layers // 8 == 0, so (0 - 0) % 3 and 7*2//8 == 1 decide.
        let r = MixedRecipe::parse("mixed_2_6").unwrap();
        assert_eq!(r.bits_for("model.layers.0.mlp.down_proj", 2, 2).unwrap(), 2);
        assert_eq!(r.bits_for("model.layers.1.mlp.down_proj", 2, 2).unwrap(), 6);
        assert!(MixedRecipe::parse("mixed_5_8").is_err());
    }

    #[test]
    fn order_is_mlx_lm_module_order() {
        // As captured from mlx_lm 0.32.2's save_model for qwen2/qwen3 (llama is the subset).
        let want = [
            "model.embed_tokens.weight",
            "model.layers.2.self_attn.q_proj.weight",
            "model.layers.2.self_attn.q_proj.bias",
            "model.layers.2.self_attn.o_proj.weight",
            "model.layers.2.self_attn.q_norm.weight",
            "model.layers.2.self_attn.k_norm.weight",
            "model.layers.2.mlp.gate_proj.weight",
            "model.layers.2.mlp.down_proj.weight",
            "model.layers.2.mlp.up_proj.weight",
            "model.layers.2.input_layernorm.weight",
            "model.layers.2.post_attention_layernorm.weight",
            "model.layers.10.self_attn.q_proj.weight",
            "model.layers.10.zz_unknown.weight",
            "model.norm.weight",
            "lm_head.weight",
        ];
        let mut got = want.to_vec();
        got.reverse();
        got.sort_by_cached_key(|n| module_order_key(n));
        assert_eq!(got, want);
    }
}
