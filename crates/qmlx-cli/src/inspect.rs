//! `qmlx inspect`: per-layer quantization of an MLX checkpoint and a consistency check of every
//! quantized tensor (dtypes, shapes, packing against config.json), with errors naming the tensor.

use crate::checkpoint::{core_dtype, dtype_name, Checkpoint, INDEX_FILE};
use anyhow::{Context, Result};
use half::{bf16, f16};
use qmlx_core::{DType, DequantizeOp, Meta, QuantSpec};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

/// One quantized layer as found on disk.
#[derive(Debug, Clone)]
pub struct LayerInfo {
    /// Module path (`model.layers.0.mlp.down_proj`).
    pub path: String,
    /// Its quantization (from config.json: per-layer entry or the global block).
    pub spec: QuantSpec,
    /// Logical (unpacked) weight shape.
    pub shape: Vec<usize>,
    /// Dtype of the scales.
    pub scales_dtype: String,
    /// Bytes of weight + scales (+ biases).
    pub bytes: u64,
}

/// The result of inspecting a checkpoint.
#[derive(Debug, Default)]
pub struct Inspection {
    /// The global quantization block, if any.
    pub global: Option<QuantSpec>,
    /// Quantized layers.
    pub layers: Vec<LayerInfo>,
    /// Unquantized tensors `(name, dtype, shape, bytes)`.
    pub plain: Vec<(String, String, Vec<usize>, u64)>,
    /// Problems found; empty means consistent.
    pub errors: Vec<String>,
    /// Shard files.
    pub shards: Vec<String>,
}

/// Per-layer entry of the `quantization` block: a spec, or `false` (left unquantized).
enum Override {
    Spec(QuantSpec),
    Unquantized,
}

fn spec_from(obj: &Map<String, Value>, what: &str) -> Result<QuantSpec, String> {
    let num = |k: &str| -> Result<Option<u32>, String> {
        match obj.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_u64().map(|n| Some(n as u32)).ok_or_else(|| format!("{what}: \"{k}\" must be an integer, got {v}")),
        }
    };
    let mode = match obj.get("mode") {
        None | Some(Value::Null) => "affine",
        Some(Value::String(s)) => s.as_str(),
        Some(v) => return Err(format!("{what}: \"mode\" must be a string, got {v}")),
    };
    QuantSpec::parse(mode, num("group_size")?, num("bits")?).map_err(|e| format!("{what}: {e}"))
}

/// Reads the `quantization` block (falling back to `quantization_config`, then `text_config`).
fn quantization_block(config: &Map<String, Value>) -> Option<&Map<String, Value>> {
    config
        .get("quantization")
        .or_else(|| config.get("quantization_config"))
        .or_else(|| config.get("text_config").and_then(|t| t.get("quantization")))
        .and_then(Value::as_object)
}

fn tensor_bytes(ck: &Checkpoint, name: &str) -> u64 {
    ck.tensors.get(name).map(|e| e.range.len() as u64).unwrap_or(0)
}

fn meta_of(ck: &Checkpoint, name: &str) -> Option<Meta> {
    let e = ck.tensors.get(name)?;
    Some(Meta::new(core_dtype(e.dtype)?, &e.shape))
}

/// Counts non-finite values in a float tensor (MLX writes NaN scales for non-finite weights).
fn non_finite(dtype: DType, bytes: &[u8]) -> usize {
    match dtype {
        DType::F32 => bytes.chunks_exact(4).filter(|c| !bytemuck::pod_read_unaligned::<f32>(c).is_finite()).count(),
        DType::F16 => bytes.chunks_exact(2).filter(|c| !bytemuck::pod_read_unaligned::<f16>(c).is_finite()).count(),
        DType::BF16 => bytes.chunks_exact(2).filter(|c| !bytemuck::pod_read_unaligned::<bf16>(c).is_finite()).count(),
        _ => 0,
    }
}

/// Checks the index against the shards: every mapped tensor exists in its shard and vice versa.
fn check_index(ck: &Checkpoint, errors: &mut Vec<String>) -> Result<()> {
    let path = ck.dir.join(INDEX_FILE);
    if !path.exists() {
        return Ok(());
    }
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path)?).with_context(|| format!("{}: invalid JSON", path.display()))?;
    let Some(map) = v.get("weight_map").and_then(Value::as_object) else {
        errors.push(format!("{INDEX_FILE}: missing \"weight_map\""));
        return Ok(());
    };
    for (name, file) in map {
        let file = file.as_str().unwrap_or("");
        match ck.tensors.get(name) {
            None => errors.push(format!("tensor '{name}': listed in {INDEX_FILE} (in {file}) but not found in any shard")),
            Some(e) if ck.shards[e.shard].file_name != file => errors.push(format!(
                "tensor '{name}': {INDEX_FILE} says {file}, but it is in {}",
                ck.shards[e.shard].file_name
            )),
            _ => {}
        }
    }
    for name in ck.tensors.keys() {
        if !map.contains_key(name) {
            errors.push(format!("tensor '{name}': present in {} but missing from {INDEX_FILE}", ck.shards[ck.tensors[name].shard].file_name));
        }
    }
    Ok(())
}

/// Inspects `dir`. Unreadable files (truncated shards, bad JSON) are returned as `Err`; everything
/// else is collected in [`Inspection::errors`].
pub fn inspect(dir: &Path) -> Result<Inspection> {
    let ck = Checkpoint::open(dir)?;
    let mut ins = Inspection { shards: ck.shards.iter().map(|s| s.file_name.clone()).collect(), ..Default::default() };
    for s in &ck.shards {
        if s.metadata()?.as_ref().and_then(|m| m.get("format")).map(String::as_str) != Some("mlx") {
            ins.errors.push(format!("{}: header metadata lacks {{\"format\": \"mlx\"}}", s.file_name));
        }
    }
    check_index(&ck, &mut ins.errors)?;

    let block = quantization_block(&ck.config);
    let mut overrides: BTreeMap<String, Override> = BTreeMap::new();
    if let Some(b) = block {
        match spec_from(b, "config.json \"quantization\"") {
            Ok(s) => ins.global = Some(s),
            Err(e) => ins.errors.push(e),
        }
        for (k, v) in b {
            match v {
                Value::Object(o) => match spec_from(o, &format!("config.json \"quantization\" entry '{k}'")) {
                    Ok(s) => {
                        overrides.insert(k.clone(), Override::Spec(s));
                    }
                    Err(e) => ins.errors.push(e),
                },
                Value::Bool(false) => {
                    overrides.insert(k.clone(), Override::Unquantized);
                }
                _ => {}
            }
        }
    }

    // Layers: every prefix with `.scales`, plus every packed (uint32) `.weight`.
    let mut paths = BTreeSet::new();
    for (name, e) in &ck.tensors {
        if let Some(p) = name.strip_suffix(".scales") {
            paths.insert(p.to_owned());
        } else if let Some(p) = name.strip_suffix(".weight") {
            if e.dtype == safetensors::Dtype::U32 {
                paths.insert(p.to_owned());
            }
        }
    }
    let mut claimed = BTreeSet::new();
    for path in &paths {
        let (wn, sn, bn, gn) = (format!("{path}.weight"), format!("{path}.scales"), format!("{path}.biases"), format!("{path}.global_scale"));
        claimed.extend([wn.clone(), sn.clone(), bn.clone(), gn.clone()]);
        let spec = match (overrides.get(path), ins.global) {
            (Some(Override::Spec(s)), _) => *s,
            (Some(Override::Unquantized), _) => {
                ins.errors.push(format!("layer '{path}': config.json marks it unquantized (false) but '{sn}' is present"));
                continue;
            }
            (None, Some(s)) => s,
            (None, None) => {
                if block.is_none() {
                    ins.errors.push(format!("layer '{path}': quantized tensors present but config.json has no \"quantization\" block"));
                }
                continue;
            }
        };
        let Some(w) = meta_of(&ck, &wn) else {
            ins.errors.push(match ck.tensors.get(&wn) {
                None => format!("layer '{path}': '{sn}' is present but '{wn}' is missing"),
                Some(e) => format!("tensor '{wn}': unsupported dtype {:?}", e.dtype),
            });
            continue;
        };
        let Some(s) = meta_of(&ck, &sn) else {
            ins.errors.push(match ck.tensors.get(&sn) {
                None => format!("tensor '{wn}' is packed ({}) but '{sn}' is missing", w.dtype),
                Some(e) => format!("tensor '{sn}': unsupported dtype {:?}", e.dtype),
            });
            continue;
        };
        let b = meta_of(&ck, &bn);
        if spec.has_biases() && b.is_none() {
            ins.errors.push(format!("layer '{path}': mode 'affine' needs '{bn}', which is missing"));
            continue;
        }
        let g = meta_of(&ck, &gn);
        match DequantizeOp::new(&w, &s, b.as_ref(), spec, g.as_ref(), None) {
            Ok(op) => {
                let mut shape = w.shape.clone();
                *shape.last_mut().expect("2-D") = op.cols;
                for (name, m) in [(&sn, Some(&s)), (&bn, b.as_ref())] {
                    if let Some(m) = m {
                        if m.dtype.is_float() {
                            let bad = non_finite(m.dtype, ck.data(name)?);
                            if bad > 0 {
                                ins.errors.push(format!("tensor '{name}': {bad} non-finite values (NaN/inf)"));
                            }
                        }
                    }
                }
                ins.layers.push(LayerInfo {
                    path: path.clone(),
                    spec,
                    shape,
                    scales_dtype: s.dtype.name().to_owned(),
                    bytes: tensor_bytes(&ck, &wn) + tensor_bytes(&ck, &sn) + tensor_bytes(&ck, &bn) + tensor_bytes(&ck, &gn),
                });
            }
            Err(e) => ins.errors.push(format!(
                "layer '{path}' ({spec}; weight {} {:?}, scales {} {:?}{}): {e}",
                w.dtype,
                w.shape,
                s.dtype,
                s.shape,
                b.as_ref().map(|b| format!(", biases {} {:?}", b.dtype, b.shape)).unwrap_or_default()
            )),
        }
    }
    for (k, o) in &overrides {
        if let Override::Spec(_) = o {
            if !paths.contains(k) {
                ins.errors.push(format!("config.json \"quantization\" names layer '{k}', but '{k}.scales' is not in the checkpoint"));
            }
        }
    }
    for (name, e) in &ck.tensors {
        if !claimed.contains(name) {
            ins.plain.push((name.clone(), dtype_name(e.dtype), e.shape.clone(), e.range.len() as u64));
        }
    }
    Ok(ins)
}

fn human(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= (1u64 << 30) as f64 {
        format!("{:.2} GiB", b / (1u64 << 30) as f64)
    } else if b >= (1u64 << 20) as f64 {
        format!("{:.2} MiB", b / (1u64 << 20) as f64)
    } else if b >= 1024.0 {
        format!("{:.1} KiB", b / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

/// The human-readable report.
pub fn render(ins: &Inspection) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "shards: {}", ins.shards.join(", "));
    match ins.global {
        Some(g) => {
            let _ = writeln!(s, "quantization: {g}");
        }
        None => {
            let _ = writeln!(s, "quantization: none (config.json has no quantization block)");
        }
    }
    let w = ins.layers.iter().map(|l| l.path.len()).chain(ins.plain.iter().map(|p| p.0.len() + 2)).max().unwrap_or(5).max(5);
    if !ins.layers.is_empty() {
        let _ = writeln!(s, "\n{:w$}  {:6} {:>4} {:>5}  {:>14}  {:8}  {:>10}", "layer", "mode", "bits", "group", "shape", "scales", "size");
        for l in &ins.layers {
            let shape = l.shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("x");
            let _ = writeln!(
                s,
                "{:w$}  {:6} {:>4} {:>5}  {:>14}  {:8}  {:>10}",
                l.path,
                l.spec.mode().name(),
                l.spec.bits(),
                l.spec.group_size(),
                shape,
                l.scales_dtype,
                human(l.bytes)
            );
        }
    }
    if !ins.plain.is_empty() {
        let _ = writeln!(s, "\nunquantized tensors:");
        for (n, d, shape, b) in &ins.plain {
            let shape = shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("x");
            let _ = writeln!(s, "  {n:w2$}  {d:8}  {shape:>14}  {:>10}", human(*b), w2 = w - 2);
        }
    }
    let q_bytes: u64 = ins.layers.iter().map(|l| l.bytes).sum();
    let p_bytes: u64 = ins.plain.iter().map(|p| p.3).sum();
    let params: u64 = ins.layers.iter().map(|l| l.shape.iter().product::<usize>() as u64).sum::<u64>()
        + ins.plain.iter().filter(|p| p.1 != "uint32").map(|p| p.2.iter().product::<usize>() as u64).sum::<u64>();
    let mut by_spec: BTreeMap<String, usize> = BTreeMap::new();
    for l in &ins.layers {
        *by_spec.entry(l.spec.to_string()).or_default() += 1;
    }
    let _ = writeln!(s, "\nsummary: {} quantized layers ({}), {} unquantized tensors ({})", ins.layers.len(), human(q_bytes), ins.plain.len(), human(p_bytes));
    for (k, n) in &by_spec {
        let _ = writeln!(s, "  {n:4} x {k}");
    }
    if params > 0 {
        let _ = writeln!(s, "  {:.3} bits per weight over {params} parameters", (q_bytes + p_bytes) as f64 * 8.0 / params as f64);
    }
    if ins.errors.is_empty() {
        let _ = writeln!(s, "check: OK (every quantized tensor is consistent)");
    } else {
        let _ = writeln!(s, "check: {} problem(s)", ins.errors.len());
        for e in &ins.errors {
            let _ = writeln!(s, "  error: {e}");
        }
    }
    s
}
