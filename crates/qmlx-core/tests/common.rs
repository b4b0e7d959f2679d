//! Shared helpers for the core's integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// `<repo>/../shared`, or `$QMLX_SHARED`. Panics (fails the test) if missing: the fixtures are part of the
/// project's verification, never silently skipped.
pub fn shared_dir() -> PathBuf {
    let dir = std::env::var_os("QMLX_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    assert!(dir.join("fixtures/mlx-gpu/manifest.json").exists(), "shared fixtures not found at {} (set QMLX_SHARED)", dir.display());
    dir
}

/// A seed from `$QMLX_SEED` or the clock; printed so a failure can be replayed.
pub fn seed(test: &str) -> u64 {
    let s = std::env::var("QMLX_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
    });
    eprintln!("{test}: seed {s} (replay with QMLX_SEED={s})");
    s
}
