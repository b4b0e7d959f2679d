//! Compiles kernels/*.cu with nvcc into fatbins embedded in the crate.
//!
//! nvcc is looked up in: $NVCC, $CUDA_HOME/bin, the Python environment's `nvidia/cu13/bin` (PyPI
//! `nvidia-cuda-nvcc`; $VIRTUAL_ENV, then the workspace's .venv), then PATH. Target archs come from
//! $QMLX_CUDA_ARCHS (comma-separated, e.g. `90a` for a quick compile check; default
//! `80,86,89,90a`). Without nvcc (or with QMLX_CUDA=0) the crate builds CPU-only and says so.

use std::path::{Path, PathBuf};
use std::process::Command;

const SOURCES: [(&str, &[&str]); 2] = [
    // The quantizer must not contract multiply-adds (bit-exact with the CPU).
    ("convert", &["--fmad=false"]),
    ("matmul", &[]),
];

fn find_nvcc() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("NVCC") {
        return Some(PathBuf::from(p));
    }
    if let Ok(home) = std::env::var("CUDA_HOME") {
        let p = Path::new(&home).join("bin/nvcc");
        if p.exists() {
            return Some(p);
        }
    }
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let mut envs: Vec<PathBuf> = Vec::new();
    if let Ok(v) = std::env::var("VIRTUAL_ENV") {
        envs.push(PathBuf::from(v));
    }
    envs.push(manifest.join("../../.venv"));
    for env in envs {
        if let Ok(rd) = std::fs::read_dir(env.join("lib")) {
            for e in rd.flatten() {
                let p = e.path().join("site-packages/nvidia/cu13/bin/nvcc");
                if p.exists() {
                    return Some(p);
                }
            }
        }
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join("nvcc")).find(|p| p.exists())
}

fn main() {
    println!("cargo::rustc-check-cfg=cfg(qmlx_cuda_kernels)");
    for v in ["NVCC", "CUDA_HOME", "VIRTUAL_ENV", "QMLX_CUDA_ARCHS", "QMLX_CUDA"] {
        println!("cargo:rerun-if-env-changed={v}");
    }
    println!("cargo:rerun-if-changed=kernels");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let archs = std::env::var("QMLX_CUDA_ARCHS").unwrap_or_else(|_| "80,86,89,90a".into());
    let archs: Vec<String> = archs.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    let disabled = std::env::var("QMLX_CUDA").map(|v| v == "0").unwrap_or(false);
    let nvcc = if disabled { None } else { find_nvcc() };
    let Some(nvcc) = nvcc else {
        println!(
            "cargo:warning=qmlx-cuda: {}; building WITHOUT CUDA kernels (CPU only). Install the pinned nvcc \
             (pip install -r requirements-cuda.txt) or set NVCC / CUDA_HOME.",
            if disabled { "QMLX_CUDA=0" } else { "nvcc not found" }
        );
        for (name, _) in SOURCES {
            std::fs::write(out.join(format!("{name}.fatbin")), b"").unwrap();
        }
        std::fs::write(out.join("archs.txt"), "").unwrap();
        return;
    };
    let kernels = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("kernels");
    let mut children = Vec::new();
    for (name, extra) in SOURCES {
        let mut cmd = Command::new(&nvcc);
        cmd.args(["--fatbin", "-O3", "-std=c++17", "-Xptxas", "-warn-spills"]).args(extra);
        for a in &archs {
            // sm_90a (wgmma/TMA-capable) needs the -gencode form; the others take plain SASS.
            cmd.arg(format!("-gencode=arch=compute_{a},code=sm_{a}"));
        }
        cmd.arg(kernels.join(format!("{name}.cu"))).arg("-o").arg(out.join(format!("{name}.fatbin")));
        children.push((name, cmd.spawn().unwrap_or_else(|e| panic!("qmlx-cuda: cannot run {}: {e}", nvcc.display()))));
    }
    for (name, mut child) in children {
        let status = child.wait().unwrap();
        assert!(status.success(), "qmlx-cuda: nvcc failed on kernels/{name}.cu ({status})");
    }
    std::fs::write(out.join("archs.txt"), archs.iter().map(|a| format!("sm_{a}")).collect::<Vec<_>>().join(",")).unwrap();
    println!("cargo:rustc-cfg=qmlx_cuda_kernels");
}
