//! Compiles kernels/*.cu with nvcc into fatbins embedded in the crate.
//!
//! nvcc is looked up in: $NVCC, $CUDA_HOME/bin, the Python environment's `nvidia/cu13/bin` (PyPI
//! `nvidia-cuda-nvcc`; $VIRTUAL_ENV, the workspace's .venv, then the building interpreter's
//! `nvidia` package), then PATH. Target archs come from
//! $QMLX_CUDA_ARCHS (comma-separated, e.g. `90a` for a quick compile check; default
//! `80,86,89,90a`). Without nvcc (or with QMLX_CUDA=0) the crate builds CPU-only and says so.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

const SOURCES: [(&str, &[&str]); 3] = [
    // The quantizer must not contract multiply-adds (bit-exact with the CPU).
    ("convert", &["--fmad=false"]),
    ("matmul", &[]),
    // Hopper-only (wgmma, TMA, setmaxnreg): compiled for sm_90a alone, empty without it.
    ("qmm_sm90", &[]),
];
/// Sources built only for this arch (the others get an empty fatbin; the crate skips loading it).
const ARCH_ONLY: [(&str, &str); 1] = [("qmm_sm90", "90a")];

/// The archs `name` is compiled for.
fn archs_of<'a>(name: &str, archs: &'a [String]) -> Vec<&'a String> {
    match ARCH_ONLY.iter().find(|(n, _)| *n == name) {
        Some((_, only)) => archs.iter().filter(|a| a.as_str() == *only).collect(),
        None => archs.iter().collect(),
    }
}

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
    // The interpreter maturin/pip builds with (an isolated build env included): ask it where the
    // `nvidia` namespace package lives.
    let pythons = ["PYO3_PYTHON", "PYTHON_SYS_EXECUTABLE"].iter().filter_map(|v| std::env::var(v).ok()).chain(["python3".to_string()]);
    for py in pythons {
        let out = Command::new(&py).args(["-c", "import nvidia; print('\\n'.join(nvidia.__path__))"]).output();
        if let Ok(out) = out {
            for dir in String::from_utf8_lossy(&out.stdout).lines() {
                let p = Path::new(dir.trim()).join("cu13/bin/nvcc");
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
    for v in ["NVCC", "CUDA_HOME", "VIRTUAL_ENV", "PYO3_PYTHON", "QMLX_CUDA_ARCHS", "QMLX_CUDA"] {
        println!("cargo:rerun-if-env-changed={v}");
    }
    println!("cargo:rerun-if-changed=kernels");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let archs = std::env::var("QMLX_CUDA_ARCHS").unwrap_or_else(|_| "80,86,89,90a".into());
    let archs: Vec<String> = archs.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    let disabled = std::env::var("QMLX_CUDA").map(|v| v == "0").unwrap_or(false);
    // Canonical: `cargo test` finds the venv's nvcc through the crate's `../../.venv`, maturin through
    // $VIRTUAL_ENV; the same file under two spellings must hit the same kernel cache below.
    let nvcc = if disabled { None } else { find_nvcc().map(|p| std::fs::canonicalize(&p).unwrap_or(p)) };
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
    // The fatbins depend only on the kernel sources, the archs and nvcc: cache them in the target
    // dir so debug and release builds (cargo test, maturin) compile the kernels once.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let mut srcs: Vec<PathBuf> = std::fs::read_dir(&kernels).unwrap().flatten().map(|e| e.path()).collect();
    srcs.sort();
    for p in &srcs {
        p.hash(&mut h);
        std::fs::read(p).unwrap().hash(&mut h);
    }
    (&archs, nvcc.to_string_lossy(), SOURCES.map(|(n, f)| (n, f.to_vec()))).hash(&mut h);
    let cache = out.ancestors().nth(4).map(|t| t.join(format!("qmlx-cuda-kernels/{:016x}", h.finish())));
    if let Some(c) = cache.as_ref().filter(|c| SOURCES.iter().all(|(n, _)| c.join(format!("{n}.fatbin")).exists())) {
        for (name, _) in SOURCES {
            std::fs::copy(c.join(format!("{name}.fatbin")), out.join(format!("{name}.fatbin"))).unwrap();
        }
    } else {
        compile(&nvcc, &kernels, &archs, &out);
        if let Some(c) = cache {
            if std::fs::create_dir_all(&c).is_ok() {
                for (name, _) in SOURCES {
                    let _ = std::fs::copy(out.join(format!("{name}.fatbin")), c.join(format!("{name}.fatbin")));
                }
            }
        }
    }
    std::fs::write(out.join("archs.txt"), archs.iter().map(|a| format!("sm_{a}")).collect::<Vec<_>>().join(",")).unwrap();
    println!("cargo:rustc-cfg=qmlx_cuda_kernels");
}

fn compile(nvcc: &Path, kernels: &Path, archs: &[String], out: &Path) {
    let mut children = Vec::new();
    for (name, extra) in SOURCES {
        let archs = archs_of(name, archs);
        if archs.is_empty() {
            std::fs::write(out.join(format!("{name}.fatbin")), b"").unwrap();
            continue;
        }
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
}
