//! Streaming safetensors output: the header is known before any data is computed (shapes follow
//! from the plan), so each shard's header is written first and tensors are appended one at a time.
//! The `safetensors` crate's `serialize_to_file` would need every tensor's bytes at once (or in its
//! own dtype order), which would defeat bounded memory; we still use its `Metadata` to build and
//! validate the header so the files are exactly what the crate (and MLX) reads.

use anyhow::{bail, Context, Result};
use safetensors::tensor::{Metadata, TensorInfo};
use safetensors::Dtype as StDtype;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// A tensor that will be written: its name, dtype and shape.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedTensor {
    /// Tensor name.
    pub name: String,
    /// Stored dtype.
    pub dtype: StDtype,
    /// Shape.
    pub shape: Vec<usize>,
}

impl PlannedTensor {
    /// Size of its data in bytes.
    pub fn nbytes(&self) -> u64 {
        self.shape.iter().product::<usize>() as u64 * self.dtype.bitsize() as u64 / 8
    }
}

/// Splits tensors (in order) into shards the way mlx_lm's `make_shards` does: start a new shard
/// when adding the next tensor would exceed `max_bytes`; a larger tensor gets a shard of its own.
pub fn make_shards(tensors: &[PlannedTensor], max_bytes: u64) -> Vec<std::ops::Range<usize>> {
    let mut shards: Vec<std::ops::Range<usize>> = Vec::new();
    let mut size = 0u64;
    for (i, t) in tensors.iter().enumerate() {
        match shards.last_mut() {
            Some(last) if size + t.nbytes() <= max_bytes => {
                last.end = i + 1;
                size += t.nbytes();
            }
            _ => {
                shards.push(i..i + 1);
                size = t.nbytes();
            }
        }
    }
    shards
}

/// mlx_lm's shard file names: `model.safetensors` alone, else `model-0000k-of-0000n.safetensors`.
pub fn shard_name(index: usize, count: usize) -> String {
    if count == 1 {
        "model.safetensors".to_owned()
    } else {
        format!("model-{:05}-of-{:05}.safetensors", index + 1, count)
    }
}

/// Writes one shard: header up front, then the tensors in plan order.
pub struct ShardWriter {
    out: BufWriter<File>,
    pending: std::collections::VecDeque<PlannedTensor>,
    file_name: String,
}

impl ShardWriter {
    /// Creates the file and writes the header (with `{"format": "mlx"}` metadata, as MLX does).
    pub fn create(path: &Path, tensors: &[PlannedTensor]) -> Result<Self> {
        let mut offset = 0usize;
        let infos: Vec<(String, TensorInfo)> = tensors
            .iter()
            .map(|t| {
                let n = t.nbytes() as usize;
                let info = TensorInfo { dtype: t.dtype, shape: t.shape.clone(), data_offsets: (offset, offset + n) };
                offset += n;
                (t.name.clone(), info)
            })
            .collect();
        let meta = HashMap::from([("format".to_owned(), "mlx".to_owned())]);
        let metadata = Metadata::new(Some(meta), infos).map_err(|e| anyhow::anyhow!("invalid shard plan: {e:?}"))?;
        let mut header = serde_json::to_vec(&metadata)?;
        // Pad with spaces to 8 bytes so the data starts aligned (as the safetensors crate does).
        header.resize(header.len().next_multiple_of(8), b' ');
        let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        out.write_all(&(header.len() as u64).to_le_bytes())?;
        out.write_all(&header)?;
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        Ok(ShardWriter { out, pending: tensors.iter().cloned().collect(), file_name })
    }

    /// Appends the next tensor; its name and size must match the plan.
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let Some(next) = self.pending.pop_front() else {
            bail!("internal: {} has no slot left for tensor '{name}'", self.file_name);
        };
        if next.name != name || next.nbytes() != bytes.len() as u64 {
            bail!(
                "internal: {} expected tensor '{}' ({} bytes), got '{name}' ({} bytes)",
                self.file_name,
                next.name,
                next.nbytes(),
                bytes.len()
            );
        }
        self.out.write_all(bytes).with_context(|| format!("writing tensor '{name}' to {}", self.file_name))
    }

    /// Flushes and syncs the file; fails if a planned tensor was not written.
    pub fn finish(mut self) -> Result<()> {
        if let Some(t) = self.pending.pop_front() {
            bail!("internal: {} is missing tensor '{}'", self.file_name, t.name);
        }
        self.out.flush()?;
        self.out.get_ref().sync_all()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(name: &str, bytes: usize) -> PlannedTensor {
        PlannedTensor { name: name.into(), dtype: StDtype::U8, shape: vec![bytes] }
    }

    #[test]
    fn shards_follow_mlx_lm_make_shards() {
        // New shard when the next tensor would overflow; an oversized tensor gets its own shard.
        let ts = [t("a", 40), t("b", 50), t("c", 20), t("d", 150), t("e", 10), t("f", 0)];
        assert_eq!(make_shards(&ts, 100), vec![0..2, 2..3, 3..4, 4..6]);
        assert_eq!(make_shards(&ts, 1000), vec![0..6]);
        assert!(make_shards(&[], 100).is_empty());
        assert_eq!(shard_name(0, 1), "model.safetensors");
        assert_eq!(shard_name(1, 12), "model-00002-of-00012.safetensors");
    }

    #[test]
    fn header_is_what_safetensors_reads() {
        let dir = std::env::temp_dir().join(format!("qmlx-writer-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("x.safetensors");
        let plan = [
            PlannedTensor { name: "w".into(), dtype: StDtype::U32, shape: vec![2, 3] },
            PlannedTensor { name: "s".into(), dtype: StDtype::BF16, shape: vec![3] },
            PlannedTensor { name: "e".into(), dtype: StDtype::F32, shape: vec![0, 4] },
        ];
        let mut w = ShardWriter::create(&path, &plan).unwrap();
        w.write("w", &[7u8; 24]).unwrap();
        assert!(w.write("e", &[]).is_err(), "out of plan order");
        let mut w = ShardWriter::create(&path, &plan).unwrap();
        w.write("w", &[7u8; 24]).unwrap();
        w.write("s", &[1u8; 6]).unwrap();
        w.write("e", &[]).unwrap();
        w.finish().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        assert_eq!(n % 8, 0, "data starts 8-byte aligned");
        let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
        assert_eq!(st.tensor("w").unwrap().data(), &[7u8; 24]);
        assert_eq!(st.tensor("s").unwrap().dtype(), StDtype::BF16);
        assert_eq!(st.tensor("e").unwrap().shape(), &[0, 4]);
        let (_, meta) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
        assert_eq!(meta.metadata().as_ref().unwrap()["format"], "mlx");
        // A shard missing a planned tensor is refused.
        let w = ShardWriter::create(&path, &plan).unwrap();
        assert!(w.finish().is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
