//! `qmlx`: convert Hugging Face checkpoints into MLX's quantized layout, and inspect MLX checkpoints.

mod checkpoint;
mod convert;
mod inspect;
mod pyjson;
mod writer;

use anyhow::{bail, Result};
use clap::{Parser, Subcommand};
use qmlx_core::{DType, QuantSpec, Rounding};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "qmlx", version, about = "MLX quantized checkpoints: convert and inspect")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Quantize a Hugging Face checkpoint (safetensors + config.json) into MLX's layout, as
    /// mlx_lm.convert writes it.
    Convert {
        /// Source directory (config.json, model*.safetensors, tokenizer files).
        hf_model_dir: PathBuf,
        /// Output directory; must not exist. Written to a temporary sibling, renamed when complete.
        out_dir: PathBuf,
        /// Quantization mode.
        #[arg(long, default_value = "affine", value_parser = ["affine", "mxfp4", "mxfp8", "nvfp4"])]
        mode: String,
        /// Bits per weight (default: the mode's, 4 for affine).
        #[arg(long)]
        bits: Option<u32>,
        /// Group size (default: the mode's, 64 for affine).
        #[arg(long)]
        group_size: Option<u32>,
        /// Affine rounding: `gpu` (MLX's Metal/CUDA algorithm, which made the published checkpoints)
        /// or `cpu` (what mlx_lm.convert gives on Linux).
        #[arg(long, default_value = "gpu", value_parser = ["gpu", "cpu"])]
        rounding: String,
        /// Cast every float tensor to this dtype before quantizing (mlx_lm's --dtype).
        #[arg(long, value_parser = ["float16", "bfloat16", "float32"])]
        dtype: Option<String>,
        /// Largest shard, e.g. `5GB` (mlx_lm's limit, GiB units), `200MB`, `65536`.
        #[arg(long, default_value = "5GB")]
        max_shard_size: String,
        /// mlx_lm's mixed-precision recipe (affine): mixed_2_6, mixed_3_4, mixed_3_6, mixed_4_6.
        #[arg(long)]
        quant_predicate: Option<String>,
        /// No progress bar.
        #[arg(long, short)]
        quiet: bool,
    },
    /// List the quantization of every layer and check each quantized tensor for consistency.
    Inspect {
        /// MLX checkpoint directory.
        dir: PathBuf,
    },
}

/// Parses `5GB`, `200MB`, `64KB` (binary units, as mlx_lm's `<< 30`) or plain bytes.
fn parse_size(s: &str) -> Result<u64> {
    let t = s.trim().to_ascii_uppercase();
    let (num, mul) = [("GB", 1u64 << 30), ("MB", 1 << 20), ("KB", 1 << 10), ("B", 1)]
        .iter()
        .find_map(|(suf, m)| t.strip_suffix(suf).map(|n| (n.trim().to_owned(), *m)))
        .unwrap_or((t.clone(), 1));
    match num.parse::<u64>() {
        Ok(n) if n > 0 => Ok(n * mul),
        _ => bail!("--max-shard-size: expected a positive size like 5GB, 200MB or 65536, got '{s}'"),
    }
}

fn run(cli: Cli) -> Result<bool> {
    match cli.command {
        Command::Convert { hf_model_dir, out_dir, mode, bits, group_size, rounding, dtype, max_shard_size, quant_predicate, quiet } => {
            let spec = QuantSpec::parse(&mode, group_size, bits)?;
            let opts = convert::ConvertOptions {
                spec,
                rounding: Rounding::parse(&rounding)?,
                dtype: dtype.as_deref().map(|d| DType::parse(d).expect("clap restricts the names")),
                max_shard_bytes: parse_size(&max_shard_size)?,
                progress: !quiet,
                recipe: quant_predicate.as_deref().map(convert::MixedRecipe::parse).transpose()?,
            };
            let t0 = std::time::Instant::now();
            let r = convert::convert(&hf_model_dir, &out_dir, &opts)?;
            println!(
                "[qmlx] quantized {} layers with {spec}, kept {} tensors, wrote {} shard(s), {} bytes, {:.3} bits per weight, in {:.2}s -> {}",
                r.quantized,
                r.kept,
                r.shards,
                r.total_size,
                r.bits_per_weight,
                t0.elapsed().as_secs_f64(),
                out_dir.display()
            );
            Ok(true)
        }
        Command::Inspect { dir } => {
            let ins = inspect::inspect(&dir)?;
            print!("{}", inspect::render(&ins));
            Ok(ins.errors.is_empty())
        }
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("qmlx: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
