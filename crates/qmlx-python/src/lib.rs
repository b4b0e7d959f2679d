//! `quantization_mlx._rust`: the PyO3 layer between the Python package and `qmlx-core`.
//!
//! Torch is never linked. Tensors cross as plain values read in Python:
//! - a *meta* `(dtype_name, shape)` for the `plan_*` functions, which build the op description
//!   (the single place arguments are validated) and return the output shapes and dtypes;
//! - a *desc* `(data_ptr, dtype_name, shape)` of a **contiguous** tensor for the run functions,
//!   which rebuild the description from the descs (so a mismatched buffer is refused, never read
//!   out of bounds) and run the CPU backend with the GIL released.
//!
//! This module is private: the Python wrappers guarantee that every pointer is the data of a live
//! contiguous tensor with the given dtype and shape. Calling the run functions with made-up
//! pointers is undefined behaviour.

use pyo3::exceptions::{PyIndexError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use backend::{DequantizeViews, HostKernels, MatmulViews, QuantizeViews};
use qmlx_core::cpu;
use qmlx_core::{DType, DequantizeOp, Error, MatmulOp, Meta, QuantizeOp, TensorMut, TensorRef};

mod backend;

/// `(dtype_name, shape)`.
type MetaArg = (String, Vec<usize>);
/// `(data_ptr, dtype_name, shape)` of a contiguous tensor.
type Desc = (usize, String, Vec<usize>);

// What each argument must be, named once for the plans and the run functions alike.
const FLOATS: &str = "float32, float16 or bfloat16";
const PACKED: &str = "uint32";
const SCALES: &str = "a float dtype (affine) or uint8 (fp modes)";
const GLOBAL_SCALE: &str = "float32";
const INDEX_DTYPES: &str = "an integer dtype (int32, int64 or uint32 once cast)";

/// Maps a core error onto the Python exception the issue asks for.
fn py_err(e: Error) -> PyErr {
    let msg = e.to_string();
    match e {
        Error::DType { .. } => PyTypeError::new_err(msg),
        Error::Index { .. } => PyIndexError::new_err(msg),
        Error::Backend(_) => PyRuntimeError::new_err(msg),
        Error::Shape { .. } | Error::Value { .. } | Error::NonFinite { .. } => PyValueError::new_err(msg),
    }
}

fn parse_dtype(arg: &'static str, expected: &str, name: &str) -> Result<DType, Error> {
    DType::parse(name).ok_or_else(|| Error::DType { arg, expected: expected.to_string(), got: name.to_string() })
}

fn meta(arg: &'static str, expected: &str, m: &MetaArg) -> Result<Meta, Error> {
    Ok(Meta::new(parse_dtype(arg, expected, &m.0)?, &m.1))
}

fn opt_meta(arg: &'static str, expected: &str, m: &Option<MetaArg>) -> Result<Option<Meta>, Error> {
    m.as_ref().map(|m| meta(arg, expected, m)).transpose()
}

/// A tensor handed to a run function: its meta and the address of its first element.
struct Buf {
    arg: &'static str,
    ptr: usize,
    meta: Meta,
}

impl Buf {
    fn new(arg: &'static str, expected: &str, d: Desc) -> Result<Self, Error> {
        let (ptr, name, shape) = d;
        Ok(Buf { arg, ptr, meta: Meta::new(parse_dtype(arg, expected, &name)?, &shape) })
    }
    fn opt(arg: &'static str, expected: &str, d: Option<Desc>) -> Result<Option<Self>, Error> {
        d.map(|d| Buf::new(arg, expected, d)).transpose()
    }
    fn nbytes(&self) -> Result<usize, Error> {
        self.meta
            .shape
            .iter()
            .try_fold(self.meta.dtype.size(), |acc, &d| acc.checked_mul(d))
            .ok_or_else(|| Error::Shape { arg: self.arg, expected: "a shape whose size fits in memory".into(), got: format!("{:?}", self.meta.shape) })
    }
    /// The checked address and length of the bytes. Empty tensors may have a null data pointer;
    /// they get a dangling pointer aligned for any dtype.
    fn raw_parts(&self) -> Result<(*mut u8, usize), Error> {
        let n = self.nbytes()?;
        if n == 0 {
            return Ok((std::ptr::NonNull::<u64>::dangling().as_ptr() as *mut u8, 0));
        }
        if self.ptr == 0 {
            return Err(Error::Value { arg: self.arg, expected: "a tensor with data".into(), got: "a null data pointer".into() });
        }
        Ok((self.ptr as *mut u8, n))
    }
    /// # Safety
    /// `ptr` must address `nbytes()` readable bytes that stay alive and unaliased by writers for the borrow.
    unsafe fn slice(&self) -> Result<&[u8], Error> {
        let (ptr, n) = self.raw_parts()?;
        Ok(std::slice::from_raw_parts(ptr, n))
    }
    /// # Safety
    /// As [`Buf::slice`], and nothing else reads or writes the bytes for the borrow.
    #[allow(clippy::mut_from_ref)]
    unsafe fn slice_mut(&self) -> Result<&mut [u8], Error> {
        let (ptr, n) = self.raw_parts()?;
        Ok(std::slice::from_raw_parts_mut(ptr, n))
    }
    /// # Safety
    /// See [`Buf::slice`].
    unsafe fn tensor<'a>(&'a self) -> Result<TensorRef<'a>, Error> {
        TensorRef::from_bytes(self.arg, self.meta.dtype, &self.meta.shape, self.slice()?)
    }
    /// # Safety
    /// See [`Buf::slice`].
    unsafe fn opt_tensor(t: &Option<Buf>) -> Result<Option<TensorRef<'_>>, Error> {
        t.as_ref().map(|t| t.tensor()).transpose()
    }
    /// # Safety
    /// See [`Buf::slice_mut`].
    unsafe fn tensor_mut<'a>(&'a self) -> Result<TensorMut<'a>, Error> {
        TensorMut::from_bytes(self.arg, self.meta.dtype, &self.meta.shape, self.slice_mut()?)
    }
}

// ---------------------------------------------------------------------------------------------
// plans: the validation the Python layer runs before it allocates outputs

/// Validates a quantization (mode, group size, bits; `None` = the mode's default) and returns the
/// resolved `(group_size, bits)`: the Python layer's only source of mode defaults and valid bits.
#[pyfunction]
#[pyo3(signature = (mode, group_size, bits))]
fn quant_spec(mode: &str, group_size: Option<i64>, bits: Option<i64>) -> PyResult<(u32, u32)> {
    let spec = backend::spec(mode, group_size, bits).map_err(py_err)?;
    Ok((spec.group_size(), spec.bits()))
}


/// Validates `quantize` and returns `(wq_shape, scales_shape, scales_dtype, has_biases)`.
#[pyfunction]
#[pyo3(signature = (w, global_scale, mode, group_size, bits, rounding))]
fn plan_quantize(
    w: MetaArg,
    global_scale: Option<MetaArg>,
    mode: &str,
    group_size: Option<i64>,
    bits: Option<i64>,
    rounding: &str,
) -> PyResult<(Vec<usize>, Vec<usize>, &'static str, bool)> {
    let run = || -> Result<_, Error> {
        let w = meta("w", FLOATS, &w)?;
        let g = opt_meta("global_scale", GLOBAL_SCALE, &global_scale)?;
        let op = backend::quantize_op(&w, g.as_ref(), mode, group_size, bits, rounding)?;
        let sd = op.scales_meta().dtype.name();
        Ok((op.wq_shape, op.scales_shape, sd, op.spec.has_biases()))
    };
    run().map_err(py_err)
}

/// Validates `dequantize` and returns `(out_shape, out_dtype)`.
#[pyfunction]
#[pyo3(signature = (w, scales, biases, global_scale, mode, group_size, bits, dtype))]
#[allow(clippy::too_many_arguments)]
fn plan_dequantize(
    w: MetaArg,
    scales: MetaArg,
    biases: Option<MetaArg>,
    global_scale: Option<MetaArg>,
    mode: &str,
    group_size: Option<i64>,
    bits: Option<i64>,
    dtype: Option<&str>,
) -> PyResult<(Vec<usize>, &'static str)> {
    let run = || -> Result<_, Error> {
        let w = meta("w", PACKED, &w)?;
        let s = meta("scales", SCALES, &scales)?;
        let b = opt_meta("biases", FLOATS, &biases)?;
        let g = opt_meta("global_scale", GLOBAL_SCALE, &global_scale)?;
        let dtype = dtype.map(|d| parse_dtype("dtype", FLOATS, d)).transpose()?;
        let op = DequantizeOp::new(&w, &s, b.as_ref(), backend::spec(mode, group_size, bits)?, g.as_ref(), dtype)?;
        Ok((op.out_shape, op.out_dtype.name()))
    };
    run().map_err(py_err)
}

/// Validates `quantized_matmul` / `gather_qmm` (no indices: `quantized_matmul`) and returns
/// `(out_shape, out_dtype)`. x (and affine scales/biases) must be cast to `out_dtype` before
/// [`gather_qmm`] runs.
#[pyfunction]
#[pyo3(signature = (x, w, scales, biases, lhs_indices, rhs_indices, global_scale, transpose, mode, group_size, bits, sorted_indices))]
#[allow(clippy::too_many_arguments)]
fn plan_matmul(
    x: MetaArg,
    w: MetaArg,
    scales: MetaArg,
    biases: Option<MetaArg>,
    lhs_indices: Option<MetaArg>,
    rhs_indices: Option<MetaArg>,
    global_scale: Option<MetaArg>,
    transpose: bool,
    mode: &str,
    group_size: Option<i64>,
    bits: Option<i64>,
    sorted_indices: bool,
) -> PyResult<(Vec<usize>, &'static str)> {
    let run = || -> Result<_, Error> {
        let x = meta("x", FLOATS, &x)?;
        let w = meta("w", PACKED, &w)?;
        let s = meta("scales", SCALES, &scales)?;
        let b = opt_meta("biases", FLOATS, &biases)?;
        let l = opt_meta("lhs_indices", INDEX_DTYPES, &lhs_indices)?;
        let r = opt_meta("rhs_indices", INDEX_DTYPES, &rhs_indices)?;
        let g = opt_meta("global_scale", GLOBAL_SCALE, &global_scale)?;
        let spec = backend::spec(mode, group_size, bits)?;
        let op = MatmulOp::gather_qmm(&x, &w, &s, b.as_ref(), l.as_ref(), r.as_ref(), transpose, spec, g.as_ref(), sorted_indices)?;
        Ok((op.out_shape, op.out_dtype.name()))
    };
    run().map_err(py_err)
}

// ---------------------------------------------------------------------------------------------
// the CPU backend: qmlx-core's kernels on the tensors' memory (Out-of-range gather indices raise
// IndexError before anything is written.)

struct Cpu;

impl HostKernels for Cpu {
    fn quantize(op: &QuantizeOp, v: QuantizeViews<'_>) -> Result<(), Error> {
        cpu::quantize(op, v.w, v.global_scale, v.wq, v.scales, v.biases)
    }
    fn dequantize(op: &DequantizeOp, v: DequantizeViews<'_>) -> Result<(), Error> {
        cpu::dequantize(op, v.w, v.scales, v.biases, v.global_scale, v.out)
    }
    fn matmul(op: &MatmulOp, v: MatmulViews<'_>) -> Result<(), Error> {
        cpu::matmul(op, v.x, v.w, v.scales, v.biases, v.indices, v.global_scale, v.out)
    }
}

backend::run_functions!(Cpu => quantize, dequantize, gather_qmm);

// ---------------------------------------------------------------------------------------------
// build information

/// CPU features detected at run time (not the compile-time target features).
fn cpu_features() -> Vec<&'static str> {
    #[allow(unused_mut)]
    let mut f: Vec<&'static str> = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        macro_rules! probe {
            ($($name:tt),*) => { $( if std::arch::is_x86_feature_detected!($name) { f.push($name); } )* };
        }
        probe!(
            "sse4.1", "sse4.2", "popcnt", "avx", "avx2", "fma", "f16c", "bmi2", "avx512f", "avx512bw", "avx512vl", "avx512dq",
            "avx512vnni", "avx512bf16", "avx512fp16", "avxvnni"
        );
    }
    #[cfg(target_arch = "aarch64")]
    {
        macro_rules! probe {
            ($($name:tt),*) => { $( if std::arch::is_aarch64_feature_detected!($name) { f.push($name); } )* };
        }
        probe!("neon", "fp16", "dotprod", "i8mm", "bf16", "sve", "sve2");
    }
    f
}

/// The cargo features and CUDA archs this module was compiled with.
fn compiled_parts() -> (Vec<&'static str>, Vec<&'static str>) {
    let mut features: Vec<&'static str> = Vec::new();
    if cfg!(feature = "cuda") {
        features.push("cuda");
    }
    if cfg!(feature = "wgpu-backend") {
        features.push("wgpu");
    }
    if cfg!(target_os = "macos") {
        features.push("metal");
    }
    #[cfg(feature = "cuda")]
    let cuda_archs: Vec<&'static str> = cuda::archs();
    #[cfg(not(feature = "cuda"))]
    let cuda_archs: Vec<&'static str> = Vec::new();
    (features, cuda_archs)
}

/// `{features, cuda_archs}`: what was compiled in, with no device or driver touched. The package
/// calls this at import; `build_info` also opens the wgpu adapter to name it, which loads every
/// Vulkan driver on the machine (and opens a device), so it stays an explicit call.
#[pyfunction]
fn compiled(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let (features, cuda_archs) = compiled_parts();
    let d = PyDict::new(py);
    d.set_item("features", features)?;
    d.set_item("cuda_archs", cuda_archs)?;
    Ok(d)
}

/// `{version, cuda_archs, cpu_features, backends, cpu_threads, features, target, profile}`.
#[pyfunction]
fn build_info(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("version", env!("CARGO_PKG_VERSION"))?;
    let (features, cuda_archs) = compiled_parts();
    let has_cuda = !cuda_archs.is_empty();
    d.set_item("cuda_archs", cuda_archs)?;
    d.set_item("cpu_features", cpu_features())?;
    let mut backends = vec!["cpu"];
    if has_cuda {
        backends.push("cuda");
    }
    if cfg!(target_os = "macos") {
        backends.push("mps"); // experimental: not yet run on Apple hardware
    }
    d.set_item("backends", backends)?;
    d.set_item("cpu_threads", rayon::current_num_threads())?;
    // --- wgpu / Apple (issue 7) ---
    #[cfg(feature = "wgpu-backend")]
    d.set_item("wgpu_adapter", qmlx_wgpu::build_info())?;
    #[cfg(not(feature = "wgpu-backend"))]
    d.set_item("wgpu_adapter", py.None())?;
    #[cfg(target_os = "macos")]
    {
        d.set_item("apple_metal", metal::status())?;
    }
    #[cfg(not(target_os = "macos"))]
    d.set_item("apple_metal", "experimental: not yet run on Apple hardware; not in this build (macOS only)")?;
    // --- end wgpu / Apple ---
    d.set_item("features", features)?;
    d.set_item("target", format!("{}-{}", std::env::consts::ARCH, std::env::consts::OS))?;
    d.set_item("profile", if cfg!(debug_assertions) { "debug" } else { "release" })?;
    Ok(d)
}

#[cfg(feature = "cuda")]
mod cuda;
#[cfg(target_os = "macos")]
mod metal;
#[cfg(feature = "wgpu-backend")]
mod wgpu;

#[pymodule(gil_used = false)]
fn _rust(m: &Bound<'_, PyModule>) -> PyResult<()> {
    #[cfg(feature = "cuda")]
    cuda::register(m)?;
    #[cfg(feature = "wgpu-backend")]
    wgpu::register(m)?;
    #[cfg(target_os = "macos")]
    metal::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(quant_spec, m)?)?;
    m.add_function(wrap_pyfunction!(plan_quantize, m)?)?;
    m.add_function(wrap_pyfunction!(quantize, m)?)?;
    m.add_function(wrap_pyfunction!(plan_dequantize, m)?)?;
    m.add_function(wrap_pyfunction!(dequantize, m)?)?;
    m.add_function(wrap_pyfunction!(plan_matmul, m)?)?;
    m.add_function(wrap_pyfunction!(gather_qmm, m)?)?;
    m.add_function(wrap_pyfunction!(build_info, m)?)?;
    m.add_function(wrap_pyfunction!(compiled, m)?)?;
    Ok(())
}
