//! Reading a checkpoint directory: its safetensors shards (memory-mapped) and config.json.
//!
//! Both Hugging Face sources and MLX outputs use the same layout: `model.safetensors` or
//! `model-0000k-of-0000n.safetensors` shards, optionally with `model.safetensors.index.json`.

use anyhow::{bail, Context, Result};
use memmap2::Mmap;
use qmlx_core::DType;
use safetensors::{Dtype as StDtype, SafeTensors};
use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

/// The file that maps tensor names to shards.
pub const INDEX_FILE: &str = "model.safetensors.index.json";

/// One memory-mapped shard.
pub struct Shard {
    /// File name inside the checkpoint directory.
    pub file_name: String,
    map: Mmap,
}

impl Shard {
    /// Parses the shard (header and offsets are validated: a truncated file fails here).
    pub fn tensors(&self) -> Result<SafeTensors<'_>> {
        SafeTensors::deserialize(&self.map)
            .map_err(|e| anyhow::anyhow!("{}: not a valid safetensors file ({e:?})", self.file_name))
    }
    /// The `__metadata__` block of the header.
    pub fn metadata(&self) -> Result<Option<std::collections::HashMap<String, String>>> {
        let (_, meta) = SafeTensors::read_metadata(&self.map)
            .map_err(|e| anyhow::anyhow!("{}: not a valid safetensors file ({e:?})", self.file_name))?;
        Ok(meta.metadata().clone())
    }
    /// Tells the kernel the pages of `data` (a slice of this shard) are no longer needed, so that
    /// resident memory stays bounded while streaming a large checkpoint.
    pub fn release(&self, data: &[u8]) {
        let base = self.map.as_ptr() as usize;
        let start = data.as_ptr() as usize - base;
        #[cfg(unix)]
        {
            // Safety: the map is read-only and file-backed; dropped pages are re-read on access.
            let _ = unsafe { self.map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, data.len()) };
        }
        #[cfg(not(unix))]
        let _ = start;
    }
}

/// Where a tensor lives.
#[derive(Debug, Clone)]
pub struct TensorEntry {
    /// Index into [`Checkpoint::shards`].
    pub shard: usize,
    /// Element type as stored.
    pub dtype: StDtype,
    /// Shape.
    pub shape: Vec<usize>,
    /// Byte range inside the shard file.
    pub range: std::ops::Range<usize>,
}

/// A checkpoint directory opened for reading.
pub struct Checkpoint {
    /// The directory.
    pub dir: PathBuf,
    /// The parsed config.json (key order preserved).
    pub config: serde_json::Map<String, serde_json::Value>,
    /// Memory-mapped shards.
    pub shards: Vec<Shard>,
    /// Every tensor by name (sorted).
    pub tensors: BTreeMap<String, TensorEntry>,
}

/// Reads and parses `dir/config.json`.
pub fn read_config(dir: &Path) -> Result<serde_json::Map<String, serde_json::Value>> {
    let path = dir.join("config.json");
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    match serde_json::from_str(&text).with_context(|| format!("{}: invalid JSON", path.display()))? {
        serde_json::Value::Object(m) => Ok(m),
        _ => bail!("{}: expected a JSON object", path.display()),
    }
}

/// The shard files of a checkpoint: those named by the index if there is one, otherwise every
/// `model*.safetensors` file (what mlx_lm and transformers load).
fn shard_files(dir: &Path) -> Result<Vec<String>> {
    let index = dir.join(INDEX_FILE);
    let mut files: Vec<String> = if index.exists() {
        let text = std::fs::read_to_string(&index).with_context(|| format!("cannot read {}", index.display()))?;
        let v: serde_json::Value = serde_json::from_str(&text).with_context(|| format!("{}: invalid JSON", index.display()))?;
        let map = v
            .get("weight_map")
            .and_then(|m| m.as_object())
            .with_context(|| format!("{}: missing the \"weight_map\" object", index.display()))?;
        let mut f: Vec<String> = map
            .values()
            .map(|s| s.as_str().map(str::to_owned).with_context(|| format!("{}: weight_map values must be file names", index.display())))
            .collect::<Result<_>>()?;
        f.sort();
        f.dedup();
        f
    } else {
        let mut f = Vec::new();
        for e in std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
            let name = e?.file_name().to_string_lossy().into_owned();
            if name.starts_with("model") && name.ends_with(".safetensors") {
                f.push(name);
            }
        }
        f.sort();
        f
    };
    if files.is_empty() {
        bail!("{}: no model*.safetensors files found", dir.display());
    }
    files.dedup();
    Ok(files)
}

impl Checkpoint {
    /// Opens `dir`: config.json, the shards (memory-mapped) and their headers.
    pub fn open(dir: &Path) -> Result<Self> {
        let config = read_config(dir)?;
        let mut shards = Vec::new();
        let mut tensors = BTreeMap::new();
        for (i, file_name) in shard_files(dir)?.into_iter().enumerate() {
            let path = dir.join(&file_name);
            let file = File::open(&path).with_context(|| format!("cannot open shard {}", path.display()))?;
            // Safety: the file is opened read-only; we assume nobody truncates it while we run.
            let map = unsafe { Mmap::map(&file) }.with_context(|| format!("cannot map {}", path.display()))?;
            let shard = Shard { file_name, map };
            let base = shard.map.as_ptr() as usize;
            for (name, view) in shard.tensors()?.iter() {
                let start = view.data().as_ptr() as usize - base;
                let entry = TensorEntry { shard: i, dtype: view.dtype(), shape: view.shape().to_vec(), range: start..start + view.data().len() };
                if let Some(prev) = tensors.insert(name.to_owned(), entry) {
                    bail!(
                        "tensor '{name}' appears in two shards ({} and {})",
                        shards.get(prev.shard).map(|s: &Shard| s.file_name.as_str()).unwrap_or(&shard.file_name),
                        shard.file_name
                    );
                }
            }
            shards.push(shard);
        }
        Ok(Checkpoint { dir: dir.to_path_buf(), config, shards, tensors })
    }

    /// The raw bytes of a tensor (a view into the memory map).
    pub fn data(&self, name: &str) -> Result<&[u8]> {
        let e = self.tensors.get(name).with_context(|| format!("tensor '{name}' not found"))?;
        Ok(&self.shards[e.shard].map[e.range.clone()])
    }
}

/// Maps a safetensors dtype onto the float/int types quantization knows.
pub fn core_dtype(d: StDtype) -> Option<DType> {
    Some(match d {
        StDtype::F32 => DType::F32,
        StDtype::F16 => DType::F16,
        StDtype::BF16 => DType::BF16,
        StDtype::U8 => DType::U8,
        StDtype::U32 => DType::U32,
        StDtype::I32 => DType::I32,
        StDtype::I64 => DType::I64,
        _ => return None,
    })
}

/// The safetensors dtype of a core dtype.
pub fn st_dtype(d: DType) -> StDtype {
    match d {
        DType::F32 => StDtype::F32,
        DType::F16 => StDtype::F16,
        DType::BF16 => StDtype::BF16,
        DType::U8 => StDtype::U8,
        DType::U32 => StDtype::U32,
        DType::I32 => StDtype::I32,
        DType::I64 => StDtype::I64,
    }
}

/// MLX's name of a safetensors dtype (`bfloat16`, `uint32`, ...).
pub fn dtype_name(d: StDtype) -> String {
    match core_dtype(d) {
        Some(c) => c.name().to_owned(),
        None => format!("{d:?}").to_lowercase(),
    }
}
