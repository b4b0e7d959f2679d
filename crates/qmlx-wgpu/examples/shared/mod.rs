//! What the wgpu bench tools (wgpu_bench, qmv_stats) parse alike; included by both with `#[path]`.

use qmlx_core::{Mode, QuantSpec};

/// A `--modes` entry: affine2/3/4/5/6/8 (group size 64), mxfp4, nvfp4 or mxfp8 (their defaults).
pub fn parse_mode(m: &str) -> QuantSpec {
    match m {
        "mxfp4" => QuantSpec::with_defaults(Mode::Mxfp4, None, None).unwrap(),
        "nvfp4" => QuantSpec::with_defaults(Mode::Nvfp4, None, None).unwrap(),
        "mxfp8" => QuantSpec::with_defaults(Mode::Mxfp8, None, None).unwrap(),
        a => match a.strip_prefix("affine").and_then(|b| b.parse::<u32>().ok()) {
            Some(b @ (2 | 3 | 4 | 5 | 6 | 8)) => QuantSpec::new(Mode::Affine, 64, b).unwrap(),
            _ => panic!("--modes: affine2/3/4/5/6/8 (gs 64), mxfp4, nvfp4 or mxfp8, got {a:?}"),
        },
    }
}
