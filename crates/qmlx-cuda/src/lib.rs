//! # qmlx-cuda
//!
//! The CUDA backend of qmlx: MLX-format `quantize`, `dequantize`, `quantized_matmul` and
//! `gather_qmm` on NVIDIA GPUs. Kernels are CUDA C++ (`kernels/`), compiled by nvcc at build time
//! into fatbins embedded here and loaded through the driver API at run time (cudarc, dynamic
//! loading), so the crate builds and loads on machines without CUDA; [`available`] says whether a
//! driver and a GPU are there.
//!
//! Every op takes the same validated description as the CPU backend
//! ([`QuantizeOp`], [`DequantizeOp`], [`MatmulOp`]) plus raw device pointers ([`DevRef`]) and the
//! `CUstream` to launch on (for PyTorch: `torch.cuda.current_stream().cuda_stream`). Outputs are
//! given by the caller; nothing is allocated and nothing synchronizes per call.
//!
//! **Errors found on the device** (a gather index out of range, a non-finite weight to quantize)
//! cannot be returned without a host sync. The kernels never read out of bounds: an out-of-range
//! pair's output matrix is filled with NaN, and the first such error is recorded in a per-device
//! status word, which the kernel also writes into mapped pinned host memory (no copy, no sync,
//! nothing extra per call, so CUDA graphs capture the ops unchanged); **the next op on the device
//! reads that mirror and returns the error** (lazily: one call late). [`Device::check_status`]
//! synchronizes and returns it at once. Either way it is the same typed [`qmlx_core::Error`] the
//! CPU backend raises, and reading it clears it.

mod params;
mod ring16;
pub mod sm90;
pub mod bench;
pub mod suite;

use params::*;
use qmlx_core::format::Mode;
use qmlx_core::ops::MatrixSelect;
use qmlx_core::{DType, DequantizeOp, Error, MatmulOp, Meta, QuantizeOp, Result, Rounding};
use std::collections::HashMap;
use std::ffi::{c_void, CString};
use std::sync::{Mutex, OnceLock};

use cudarc::driver::{result as cu, sys};
pub use ring16::{RING16_POLICY, RING16_SHAPE, RING16_STAGES};

#[cfg(qmlx_cuda_kernels)]
static CONVERT_FATBIN: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/convert.fatbin"));
#[cfg(qmlx_cuda_kernels)]
static MATMUL_FATBIN: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/matmul.fatbin"));
#[cfg(not(qmlx_cuda_kernels))]
static CONVERT_FATBIN: &[u8] = &[];
#[cfg(not(qmlx_cuda_kernels))]
static MATMUL_FATBIN: &[u8] = &[];
static ARCHS: &str = include_str!(concat!(env!("OUT_DIR"), "/archs.txt"));

/// The GPU architectures whose machine code is embedded (e.g. `["sm_80", "sm_90a"]`); empty when the
/// crate was built without nvcc.
pub fn compiled_archs() -> Vec<&'static str> {
    ARCHS.split(',').filter(|s| !s.is_empty()).collect()
}

/// True if kernels were compiled in, a CUDA driver library loads, and at least one GPU is visible.
pub fn available() -> bool {
    device_count() > 0
}

/// Number of visible CUDA devices (0 without kernels, driver or GPU).
pub fn device_count() -> usize {
    if compiled_archs().is_empty() || !unsafe { sys::is_culib_present() } {
        return 0;
    }
    if cu::init().is_err() {
        return 0;
    }
    cu::device::get_count().map(|c| c as usize).unwrap_or(0)
}

fn backend(what: &str, e: cu::DriverError) -> Error {
    Error::Backend(format!("CUDA {what}: {e:?}"))
}

/// A borrowed device tensor: raw `CUdeviceptr`, dtype and shape (contiguous, row-major).
#[derive(Debug, Clone, Copy)]
pub struct DevRef<'a> {
    /// Device address of the first element.
    pub ptr: u64,
    /// Element type.
    pub dtype: DType,
    /// Dimensions.
    pub shape: &'a [usize],
}

impl<'a> DevRef<'a> {
    /// Wraps a device pointer.
    pub fn new(ptr: u64, dtype: DType, shape: &'a [usize]) -> Self {
        DevRef { ptr, dtype, shape }
    }
    /// Its shape and dtype.
    pub fn meta(&self) -> Meta {
        Meta::new(self.dtype, self.shape)
    }
}

#[derive(Clone, Copy)]
struct Func(sys::CUfunction);
// SAFETY: CUfunction handles are immutable driver objects usable from any thread.
unsafe impl Send for Func {}
unsafe impl Sync for Func {}

/// One GPU: its primary context (the one PyTorch uses), the loaded kernel modules, a function
/// cache and the status words. Made once per device, shared by all threads.
pub struct Device {
    ordinal: usize,
    ctx: sys::CUcontext,
    convert: sys::CUmodule,
    matmul: sys::CUmodule,
    /// The sm_90a prefill module (Hopper only; None elsewhere or when turned off).
    sm90: Option<sm90::Module>,
    funcs: Mutex<HashMap<String, Func>>,
    /// Dynamic shared-memory limit set per function of `funcs` (function_smem).
    smem_limits: Mutex<HashMap<String, usize>>,
    /// Resident blocks per SM of persistent-grid kernels, by kernel name (asked once).
    occupancy: Mutex<HashMap<String, usize>>,
    status: sys::CUdeviceptr,
    /// Mapped pinned host mirror of `status` (host address), written by kernels on an error.
    host_status: usize,
    /// The mirror's device address.
    host_status_dev: sys::CUdeviceptr,
    /// Whether the decode kernels that wait for their predecessor (`pdl_prologue`) launch with
    /// programmatic stream serialization: sm_90+, unless QMLX_PDL=0 (read at device open).
    pdl: bool,
    /// Streaming multiprocessors.
    pub sm_count: usize,
    /// Compute capability (major, minor).
    pub capability: (i32, i32),
    /// Device name.
    pub name: String,
}
// SAFETY: the context and modules are process-wide driver objects; the function cache is locked.
unsafe impl Send for Device {}
unsafe impl Sync for Device {}

static DEVICES: OnceLock<Mutex<HashMap<usize, &'static Device>>> = OnceLock::new();

/// The device with this ordinal, initialised on first use (thread-safe).
pub fn device(ordinal: usize) -> Result<&'static Device> {
    if compiled_archs().is_empty() {
        return Err(Error::Backend("qmlx-cuda was built without CUDA kernels (nvcc was not found at build time)".into()));
    }
    if !unsafe { sys::is_culib_present() } {
        return Err(Error::Backend("no CUDA driver library (libcuda.so) on this machine".into()));
    }
    let map = DEVICES.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = map.lock().unwrap();
    if let Some(d) = map.get(&ordinal) {
        return Ok(d);
    }
    let d: &'static Device = Box::leak(Box::new(Device::open(ordinal)?));
    map.insert(ordinal, d);
    Ok(d)
}

fn load_module(image: &[u8]) -> Result<sys::CUmodule> {
    // cuModuleLoadData wants an aligned image.
    let mut aligned = vec![0u64; image.len().div_ceil(8)];
    unsafe { std::ptr::copy_nonoverlapping(image.as_ptr(), aligned.as_mut_ptr() as *mut u8, image.len()) };
    unsafe { cu::module::load_data(aligned.as_ptr() as *const c_void) }.map_err(|e| backend("module load (no machine code for this GPU?)", e))
}

/// A cuLaunchKernelEx configuration with launch attributes (clusters, programmatic dependent
/// launch); `attrs` must outlive its use.
pub(crate) fn launch_config(grid: (u32, u32, u32), block: (u32, u32, u32), smem: usize, stream: sys::CUstream, attrs: &mut [sys::CUlaunchAttribute]) -> sys::CUlaunchConfig {
    sys::CUlaunchConfig {
        gridDimX: grid.0,
        gridDimY: grid.1,
        gridDimZ: grid.2,
        blockDimX: block.0,
        blockDimY: block.1,
        blockDimZ: block.2,
        sharedMemBytes: smem as u32,
        hStream: stream,
        attrs: attrs.as_mut_ptr(),
        numAttrs: attrs.len() as u32,
    }
}

/// Launches `f` with cuLaunchKernelEx and these launch attributes.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn launch_ex(
    f: sys::CUfunction,
    grid: (u32, u32, u32),
    block: (u32, u32, u32),
    smem: usize,
    stream: sys::CUstream,
    attrs: &mut [sys::CUlaunchAttribute],
    args: &mut [*mut c_void],
) -> std::result::Result<(), cu::DriverError> {
    let cfg = launch_config(grid, block, smem, stream, attrs);
    sys::cuLaunchKernelEx(&cfg, f, args.as_mut_ptr(), std::ptr::null_mut()).result()
}

/// The attribute that lets a kernel start before the previous kernel on its stream has finished
/// (programmatic dependent launch): only for kernels that call `pdl_prologue` (kernels/tma.cuh)
/// before touching memory.
fn pdl_attribute() -> sys::CUlaunchAttribute {
    let mut attr: sys::CUlaunchAttribute = unsafe { std::mem::zeroed() };
    attr.id = sys::CUlaunchAttributeID::CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION;
    attr.value.programmaticStreamSerializationAllowed = 1;
    attr
}

impl Device {
    fn open(ordinal: usize) -> Result<Device> {
        cu::init().map_err(|e| backend("init", e))?;
        let count = cu::device::get_count().map_err(|e| backend("device count", e))? as usize;
        if ordinal >= count {
            return Err(Error::Index { arg: "device", index: ordinal as i64, position: 0, bound: count });
        }
        let dev = cu::device::get(ordinal as i32).map_err(|e| backend("device", e))?;
        let ctx = unsafe { cu::primary_ctx::retain(dev) }.map_err(|e| backend("primary context", e))?;
        unsafe { cu::ctx::set_current(ctx) }.map_err(|e| backend("set context", e))?;
        let attr = |a| unsafe { cu::device::get_attribute(dev, a) }.map_err(|e| backend("attribute", e));
        let sm_count = attr(sys::CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT)? as usize;
        let capability = (
            attr(sys::CUdevice_attribute::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)?,
            attr(sys::CUdevice_attribute::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR)?,
        );
        let name = cu::device::get_name(dev).unwrap_or_default();
        let convert = load_module(CONVERT_FATBIN)?;
        let matmul = load_module(MATMUL_FATBIN)?;
        let sm90 = sm90::Module::load(capability)?;
        let pdl = capability.0 >= 9 && std::env::var("QMLX_PDL").as_deref() != Ok("0");
        let status = unsafe { cu::malloc_sync(64) }.map_err(|e| backend("status alloc", e))?;
        unsafe { cu::memset_d8_sync(status, 0, 64) }.map_err(|e| backend("status init", e))?;
        // Mapped (device-writable) and portable pinned memory: kernels write an error straight into it.
        let host = unsafe { cu::malloc_host(64, 0x01 | 0x02) }.map_err(|e| backend("pinned status alloc", e))?;
        unsafe { std::ptr::write_bytes(host as *mut u8, 0, 64) };
        let mut host_dev: sys::CUdeviceptr = 0;
        unsafe { sys::cuMemHostGetDevicePointer_v2(&mut host_dev, host, 0) }.result().map_err(|e| backend("mapped status", e))?;
        Ok(Device {
            ordinal,
            ctx,
            convert,
            matmul,
            sm90,
            funcs: Mutex::new(HashMap::new()),
            smem_limits: Mutex::new(HashMap::new()),
            occupancy: Mutex::new(HashMap::new()),
            pdl,
            status,
            host_status: host as usize,
            host_status_dev: host_dev,
            sm_count,
            capability,
            name,
        })
    }

    /// Whether the decode kernels launch with programmatic dependent launch (sm_90+, QMLX_PDL≠0).
    pub fn pdl(&self) -> bool {
        self.pdl
    }

    /// The device ordinal.
    pub fn ordinal(&self) -> usize {
        self.ordinal
    }

    /// Makes this device's primary context current on the calling thread (for the calling
    /// thread only; ops restore the caller's context afterwards, so torch's device state is kept).
    pub fn bind(&self) -> Result<()> {
        unsafe { cu::ctx::set_current(self.ctx) }.map_err(|e| backend("set context", e))
    }

    fn scoped(&self) -> Result<CtxGuard> {
        let prev = cu::ctx::get_current().map_err(|e| backend("get context", e))?;
        if prev != Some(self.ctx) {
            self.bind()?;
        }
        Ok(CtxGuard { prev: prev.filter(|&p| p != self.ctx) })
    }

    fn function(&self, module: sys::CUmodule, name: &str) -> Result<sys::CUfunction> {
        let mut funcs = self.funcs.lock().unwrap();
        if let Some(f) = funcs.get(name) {
            return Ok(f.0);
        }
        let cname = CString::new(name).unwrap();
        let f = unsafe { cu::module::get_function(module, cname) }.map_err(|e| backend(&format!("kernel {name}"), e))?;
        funcs.insert(name.to_string(), Func(f));
        Ok(f)
    }

    /// A kernel that uses `smem` bytes of dynamic shared memory (its limit raised once).
    fn function_smem(&self, module: sys::CUmodule, name: &str, smem: usize) -> Result<sys::CUfunction> {
        // One entry per function, keyed by the largest limit set so far: the attribute is per
        // function, so lowering it for a smaller launch would break a later larger one.
        let key = format!("{name}#smem");
        let mut funcs = self.funcs.lock().unwrap();
        let mut limits = self.smem_limits.lock().unwrap();
        if let (Some(f), Some(&l)) = (funcs.get(&key), limits.get(&key)) {
            if l >= smem {
                return Ok(f.0);
            }
        }
        let f = match funcs.get(&key) {
            Some(f) => f.0,
            None => {
                let cname = CString::new(name).unwrap();
                unsafe { cu::module::get_function(module, cname) }.map_err(|e| backend(&format!("kernel {name}"), e))?
            }
        };
        unsafe { sys::cuFuncSetAttribute(f, sys::CUfunction_attribute::CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, smem as i32) }
            .result()
            .map_err(|e| backend("shared memory limit", e))?;
        funcs.insert(key.clone(), Func(f));
        limits.insert(key, smem);
        Ok(f)
    }

    /// Blocks of `threads` threads and `smem` bytes of dynamic shared memory that fit one SM
    /// (asked once per kernel name, for its largest `smem`).
    fn blocks_per_sm(&self, f: sys::CUfunction, name: &str, threads: u32, smem: usize) -> Result<usize> {
        let mut occ = self.occupancy.lock().unwrap();
        if let Some(&n) = occ.get(name) {
            return Ok(n);
        }
        let mut n: std::ffi::c_int = 0;
        unsafe { sys::cuOccupancyMaxActiveBlocksPerMultiprocessor(&mut n, f, threads as std::ffi::c_int, smem) }
            .result()
            .map_err(|e| backend("occupancy", e))?;
        let n = (n as usize).max(1);
        occ.insert(name.to_string(), n);
        Ok(n)
    }

    unsafe fn launch(
        &self,
        f: sys::CUfunction,
        grid: (u32, u32, u32),
        block: u32,
        stream: u64,
        args: &mut [*mut c_void],
    ) -> Result<()> {
        cu::launch_kernel(f, grid, (block, 1, 1), 0, stream as sys::CUstream, args).map_err(|e| backend("launch", e))
    }

    /// Launches a kernel that begins with `pdl_prologue` (kernels/tma.cuh): with programmatic
    /// stream serialization where the device has it (sm_90+, QMLX_PDL≠0), so it overlaps its
    /// launch and L2 prefetches with the previous kernel's tail (bench/cuda-notes.md stage 20).
    unsafe fn launch_pdl(&self, f: sys::CUfunction, grid: (u32, u32, u32), block: u32, smem: usize, stream: u64, args: &mut [*mut c_void]) -> Result<()> {
        let mut attrs = [pdl_attribute()];
        let n = if self.pdl { 1 } else { 0 };
        launch_ex(f, grid, (block, 1, 1), smem, stream as sys::CUstream, &mut attrs[..n], args).map_err(|e| backend("launch", e))
    }

    /// Calibration only (`bench --calibrate`): reads `bytes` (a multiple of 16) from `src` with plain
    /// 16-byte loads on `stream` (kernels/probe.cuh; `out` holds a word per block, never written in
    /// practice). Launched as the decode kernels are (programmatic dependent launch where on).
    #[doc(hidden)]
    pub unsafe fn read_probe(&self, src: u64, bytes: usize, out: u64, stream: u64) -> Result<()> {
        let _ctx = self.scoped()?;
        let f = self.function(self.matmul, "read_probe_u4")?;
        let (mut s, mut n, mut o) = (src, (bytes / 16) as i64, out);
        let args: &mut [*mut c_void] = &mut [&mut s as *mut _ as *mut c_void, &mut n as *mut _ as *mut c_void, &mut o as *mut _ as *mut c_void];
        self.launch_pdl(f, (4 * self.sm_count as u32, 1, 1), 512, 0, stream, args)
    }

    /// Synchronizes the device and returns the first error its kernels recorded since the last
    /// check (clearing it): gather indices out of range ([`Error::Index`]), a non-finite weight
    /// ([`Error::NonFinite`]) or a bad nvfp4 global scale.
    pub fn check_status(&self) -> Result<()> {
        self.bind()?;
        cu::ctx::synchronize().map_err(|e| backend("synchronize", e))?;
        let mut words = [0u32; 6];
        unsafe { cu::memcpy_dtoh_sync(&mut words, self.status) }.map_err(|e| backend("status read", e))?;
        unsafe { std::ptr::write_bytes(self.host_status as *mut u8, 0, 64) };
        if words[0] == 0 {
            return Ok(());
        }
        unsafe { cu::memset_d8_sync(self.status, 0, 64) }.map_err(|e| backend("status reset", e))?;
        Err(status_error(&words))
    }

    /// Returns (and clears) an error that an earlier op recorded and that has already reached the
    /// pinned host mirror; never waits.
    fn poll_status(&self, stream: u64) -> Result<()> {
        let host = self.host_status as *mut u32;
        // SAFETY: a live 64-byte pinned allocation; the DMA may write it concurrently, so read
        // each word volatilely (a torn read can only delay the report).
        let words: [u32; 6] = std::array::from_fn(|i| unsafe { std::ptr::read_volatile(host.add(i)) });
        if words[0] == 0 {
            return Ok(());
        }
        unsafe {
            std::ptr::write_bytes(host as *mut u8, 0, 64);
            cu::memset_d8_async(self.status, 0, 64, stream as sys::CUstream).map_err(|e| backend("status reset", e))?;
        }
        Err(status_error(&words))
    }

}

/// Restores the thread's previous context when an op returns.
struct CtxGuard {
    prev: Option<sys::CUcontext>,
}
impl Drop for CtxGuard {
    fn drop(&mut self) {
        if let Some(p) = self.prev {
            unsafe {
                let _ = cu::ctx::set_current(p);
            }
        }
    }
}

fn status_error(words: &[u32; 6]) -> Error {
    {
        let position = words[1] as u64 | (words[2] as u64) << 32;
        let value = (words[3] as u64 | (words[4] as u64) << 32) as i64;
        match words[0] {
            ST_LHS_INDEX | ST_RHS_INDEX => Error::Index {
                arg: if words[0] == ST_LHS_INDEX { "lhs_indices" } else { "rhs_indices" },
                index: value,
                position: position as usize,
                bound: words[5] as usize,
            },
            ST_NON_FINITE => Error::NonFinite { row: position as usize, value: f32::from_bits(value as u32) },
            ST_GLOBAL_SCALE => Error::Value { arg: "global_scale", expected: "a finite positive float".into(), got: "a non-finite or non-positive value".into() },
            c => Error::Backend(format!("unknown device status {c}")),
        }
    }
}

impl Device {

    /// Quantizes `w` on the device (bit-exact with `qmlx_core::cpu::quantize`).
    ///
    /// # Safety
    /// Every pointer must be a live allocation on this device holding the tensor it describes, and
    /// stay alive until the work on `stream` finishes.
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn quantize(
        &self,
        op: &QuantizeOp,
        w: DevRef<'_>,
        global_scale: Option<DevRef<'_>>,
        wq: DevRef<'_>,
        scales: DevRef<'_>,
        biases: Option<DevRef<'_>>,
        stream: u64,
    ) -> Result<()> {
        op.check_buffers(&w.meta(), metas(global_scale).as_ref(), &wq.meta(), &scales.meta(), metas(biases).as_ref())?;
        let groups = op.rows * (op.cols / op.spec.group_size() as usize);
        if groups == 0 {
            return Ok(());
        }
        let _ctx = self.scoped()?;
        self.poll_status(stream)?;
        let mut p = ConvertParams {
            src: w.ptr,
            global_scale: global_scale.map_or(0, |g| g.ptr),
            wq: wq.ptr,
            scales_out: scales.ptr,
            biases_out: biases.map_or(0, |b| b.ptr),
            status: self.status,
            host_status: self.host_status_dev,
            rows: op.rows as i64,
            cols: op.cols as i64,
            kind: kind_code(op.spec.mode()),
            bits: op.spec.bits() as i32,
            group_size: op.spec.group_size() as i32,
            rounding: match op.rounding {
                Rounding::Gpu => 0,
                Rounding::Cpu => 1,
            },
            ..Default::default()
        };
        let f = self.function(self.convert, &format!("quantize_{}", dtype_tag(op.w_dtype)))?;
        let blocks = groups.div_ceil(256).min(65535 * 16) as u32;
        self.launch(f, (blocks, 1, 1), 256, stream, &mut [&mut p as *mut _ as *mut c_void])
    }

    /// Dequantizes packed `w` into `out` (dtype `op.out_dtype`), bit-exact with the CPU backend.
    ///
    /// # Safety
    /// As for [`Device::quantize`].
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn dequantize(
        &self,
        op: &DequantizeOp,
        w: DevRef<'_>,
        scales: DevRef<'_>,
        biases: Option<DevRef<'_>>,
        global_scale: Option<DevRef<'_>>,
        out: DevRef<'_>,
        stream: u64,
    ) -> Result<()> {
        let spec = op.spec;
        op.check_buffers(&w.meta(), &scales.meta(), metas(biases).as_ref(), metas(global_scale).as_ref(), &out.meta())?;
        let total = op.rows * op.cols;
        if total == 0 {
            return Ok(());
        }
        let _ctx = self.scoped()?;
        self.poll_status(stream)?;
        let mut p = ConvertParams {
            src: w.ptr,
            scales: scales.ptr,
            biases: biases.map_or(0, |b| b.ptr),
            global_scale: global_scale.map_or(0, |g| g.ptr),
            out: out.ptr,
            status: self.status,
            host_status: self.host_status_dev,
            rows: op.rows as i64,
            cols: op.cols as i64,
            kind: kind_code(spec.mode()),
            bits: spec.bits() as i32,
            group_size: spec.group_size() as i32,
            ..Default::default()
        };
        let sdt = if spec.has_biases() { op.scales_dtype } else { DType::F32 };
        let f = self.function(self.convert, &format!("dequantize_{}_{}", dtype_tag(sdt), dtype_tag(op.out_dtype)))?;
        let blocks = total.div_ceil(256).min(self.sm_count * 32) as u32;
        self.launch(f, (blocks, 1, 1), 256, stream, &mut [&mut p as *mut _ as *mut c_void])
    }

    /// Runs `quantized_matmul` / `gather_qmm` as described by `op`. x (and affine scales/biases)
    /// must already have dtype `op.out_dtype`; `lhs`/`rhs` are the gather index tensors (int32,
    /// int64 or uint32, on this device), `global_scale` one float32 per w matrix (nvfp4).
    ///
    /// # Safety
    /// As for [`Device::quantize`].
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn matmul(
        &self,
        op: &MatmulOp,
        x: DevRef<'_>,
        w: DevRef<'_>,
        scales: DevRef<'_>,
        biases: Option<DevRef<'_>>,
        lhs: Option<DevRef<'_>>,
        rhs: Option<DevRef<'_>>,
        global_scale: Option<DevRef<'_>>,
        out: DevRef<'_>,
        stream: u64,
    ) -> Result<()> {
        let spec = op.spec;
        op.check_buffers(&x.meta(), &w.meta(), &scales.meta(), metas(biases).as_ref(), metas(global_scale).as_ref(), &out.meta())?;
        for (arg, t) in [("x", &x), ("w", &w)] {
            if t.ptr % 16 != 0 {
                return Err(Error::Value { arg, expected: "a 16-byte aligned device pointer".into(), got: format!("{:#x}", t.ptr) });
            }
        }
        let batch = op.batch_count();
        if batch == 0 || op.m == 0 || op.n == 0 {
            return Ok(());
        }
        let map = batch_map(op, lhs, rhs)?;
        let _ctx = self.scoped()?;
        self.poll_status(stream)?;
        let fmt = format_tag(&spec);
        let dt = dtype_tag(op.out_dtype);
        let mut p = MatmulParams {
            x: x.ptr,
            w: w.ptr,
            scales: scales.ptr,
            biases: biases.map_or(0, |b| b.ptr),
            global_scale: global_scale.map_or(0, |g| g.ptr),
            out: out.ptr,
            status: self.status,
            host_status: self.host_status_dev,
            m: op.m as i64,
            n: op.n as i64,
            k: op.k as i64,
            batch: batch as i64,
            row_blocks: 0,
            map,
        };
        let mut gs_arg = spec.group_size() as i32;
        let grouped = op.m == 1 && batch > 1;
        let policy = WARP_RING_POLICY.load(std::sync::atomic::Ordering::Relaxed);
        let ring_on = match policy {
            1 | 3 => true,
            2 => false,
            _ => warp_ring_wins(op, self.sm_count) || regs_wins(op),
        };
        let m1_ok = ring_on && self.capability.0 >= 9 && warp_ring_ok(op, &[w.ptr, scales.ptr, biases.map_or(0, |b| b.ptr)]);
        let regs_on = match WARP_FEED.load(std::sync::atomic::Ordering::Relaxed) {
            1 => true,
            2 => false,
            _ => regs_wins(op),
        };
        if let Some(g) = regs_shape(op).filter(|_| m1_ok && regs_on).and_then(|shape| regs_geometry(shape, op.n, op.k, self.sm_count)) {
            // Register-fed M = 1 kernel (kernels/qmv_warp.cuh qmv_regs_impl): the ring kernel's tiles
            // and consume, each lane loading its own words a stage or two ahead.
            let f = self.function_smem(self.matmul, &format!("qmvr{}x{}b{}_{fmt}_{dt}", g.warps, g.ks, g.nb), g.smem)?;
            let (mut kp, mut rounds) = (g.kp as i32, g.rounds as i32);
            let mut pf = warp_ring_prefetch(op, self.sm_count) as i32;
            let args: &mut [*mut c_void] = &mut [
                &mut p as *mut _ as *mut c_void,
                &mut gs_arg as *mut _ as *mut c_void,
                &mut kp as *mut _ as *mut c_void,
                &mut rounds as *mut _ as *mut c_void,
                &mut pf as *mut _ as *mut c_void,
            ];
            return self.launch_pdl(f, (g.blocks, 1, 1), g.warps as u32 * 32, g.smem, stream, args);
        }
        let ring = if m1_ok && (policy != 0 || warp_ring_wins(op, self.sm_count)) {
            let want = (WARP_RING_WARPS.load(std::sync::atomic::Ordering::Relaxed), WARP_RING_STAGES.load(std::sync::atomic::Ordering::Relaxed));
            let ks = WARP_RING_KS.load(std::sync::atomic::Ordering::Relaxed);
            warp_ring_geometry(spec.bits(), spec.group_size() as usize, ring16::param_bytes(spec), op.n, op.k, self.sm_count, want, ks)
        } else {
            None
        };
        if let Some(g) = ring {
            // Per-warp bulk-copy ring M = 1 kernel (kernels/qmv_warp.cuh): persistent grid over row tiles.
            let (bits, gs) = (spec.bits() as usize, spec.group_size() as usize);
            let name = if WARP_RING_STREAM_ONLY.load(std::sync::atomic::Ordering::Relaxed) {
                // Calibration only (bench --calibrate): the ring's streaming without the compute.
                format!("qmvw{}x{}_stream_{fmt}_{dt}", g.warps, g.ks)
            } else {
                format!("qmvw{}x{}_{fmt}_{dt}", g.warps, g.ks)
            };
            let f = self.function_smem(self.matmul, &name, g.smem)?;
            // Codes [w_count·N rows × K·bits/32 words] and parameters [w_count·N rows × K/gs], boxes of
            // 16 rows × one 512-code slice.
            let rows = (op.w_count * op.n) as u64;
            let none = sys::CUtensorMapSwizzle::CU_TENSOR_MAP_SWIZZLE_NONE;
            let words = (op.k * bits / 32) as u64;
            let mut wmap = sm90::tensor_map(sys::CUtensorMapDataType::CU_TENSOR_MAP_DATA_TYPE_UINT32, w.ptr, [words, rows], words * 4, [(g.ks * bits / 32) as u32, WRING_ROWS as u32], none)?;
            let groups = (op.k / gs) as u64;
            // fp modes: no biases (the bias map repeats the scales').
            let (pt, pb, _) = ring16::param_layout(spec);
            let pb = pb as u64;
            let pbox = [(g.ks / gs) as u32, WRING_ROWS as u32];
            let mut smap = sm90::tensor_map(pt, scales.ptr, [groups, rows], groups * pb, pbox, none)?;
            let mut bmap = sm90::tensor_map(pt, biases.map_or(scales.ptr, |b| b.ptr), [groups, rows], groups * pb, pbox, none)?;
            let (mut st, mut kp, mut rounds) = (g.stages as i32, g.kp as i32, g.rounds as i32);
            let mut pf = warp_ring_prefetch(op, self.sm_count) as i32;
            let args: &mut [*mut c_void] = &mut [
                &mut wmap as *mut _ as *mut c_void,
                &mut smap as *mut _ as *mut c_void,
                &mut bmap as *mut _ as *mut c_void,
                &mut p as *mut _ as *mut c_void,
                &mut gs_arg as *mut _ as *mut c_void,
                &mut st as *mut _ as *mut c_void,
                &mut kp as *mut _ as *mut c_void,
                &mut rounds as *mut _ as *mut c_void,
                &mut pf as *mut _ as *mut c_void,
            ];
            return self.launch_pdl(f, (g.blocks, 1, 1), g.warps as u32 * 32, g.smem, stream, args);
        }
        // M = 2..16 ring kernel (kernels/qmm_ring.cuh): per-warp weight rings, x once per block.
        let r16_on = match ring16::policy() {
            1 => true,
            2 => false,
            _ => ring16::wins(op, self.sm_count),
        };
        let r16 = if r16_on && self.capability.0 >= 9 && ring16::eligible(op, &[x.ptr, w.ptr, scales.ptr, biases.map_or(0, |b| b.ptr)]) {
            ring16::geometry(op, self.sm_count, ring16::shape(), ring16::stages())
        } else {
            None
        };
        if let Some(g) = r16 {
            let [mut wmap, mut smap, mut bmap, mut xmap] = ring16::maps(op, &g, x.ptr, w.ptr, scales.ptr, biases.map_or(0, |b| b.ptr))?;
            let f = self.function_smem(self.matmul, &format!("qmmw{}r{}m{}_{fmt}_{dt}", g.warps, g.rt, g.mt), g.smem)?;
            let (mut st, mut kp, mut xbuf, mut rounds) = (g.stages as i32, g.kp as i32, g.xbuf as i32, g.rounds as i32);
            let args: &mut [*mut c_void] = &mut [
                &mut wmap as *mut _ as *mut c_void,
                &mut smap as *mut _ as *mut c_void,
                &mut bmap as *mut _ as *mut c_void,
                &mut xmap as *mut _ as *mut c_void,
                &mut p as *mut _ as *mut c_void,
                &mut gs_arg as *mut _ as *mut c_void,
                &mut st as *mut _ as *mut c_void,
                &mut kp as *mut _ as *mut c_void,
                &mut xbuf as *mut _ as *mut c_void,
                &mut rounds as *mut _ as *mut c_void,
            ];
            return self.launch_pdl(f, (g.blocks, 1, 1), (g.warps as u32 + 1) * 32, g.smem, stream, args);
        }
        let bulk_on = match BULK_POLICY.load(std::sync::atomic::Ordering::Relaxed) {
            1 => true,
            2 => false,
            // Measured (bench/cuda-notes.md stage 12, H200): faster than qmv only for the fp modes
            // at M = 1 with K past one slice (4096×14336: nvfp4 0.75×, mxfp4 0.87×, mxfp8 0.93× the
            // time); slower for affine (1.1-1.45×), at K = 4096 and for M = 2..4 or gathers.
            _ => op.m == 1 && batch == 1 && spec.mode() != Mode::Affine && op.k > BULK_KS,
        };
        if bulk_on && self.capability.0 >= 9 && op.transpose && op.out_dtype != DType::F32 && op.m <= BULK_MAX_M
            && bulk_layout_ok(op, &[w.ptr, scales.ptr, biases.map_or(0, |b| b.ptr)])
        {
            // Bulk-copy (TMA) ring kernel (kernels/qmv_bulk.cuh): a persistent grid over row tiles.
            let rows = bulk_rows(spec.bits());
            let tiles = op.n.div_ceil(rows) as u64 * batch as u64;
            let mt = if op.m == 1 { 1 } else { 4 };
            let per_sm = if mt == 1 { BULK_BLOCKS_PER_SM } else { 1 };
            let blocks = tiles.min((per_sm * self.sm_count) as u64) as u32;
            let smem = bulk_smem(spec.bits());
            let f = self.function_smem(self.matmul, &format!("qmvb{mt}_{fmt}_{dt}"), smem)?;
            let args: &mut [*mut c_void] = &mut [&mut p as *mut _ as *mut c_void, &mut gs_arg as *mut _ as *mut c_void];
            return cu::launch_kernel(f, (blocks, 1, 1), ((BULK_CWARPS + 1) * 32, 1, 1), smem as u32, stream as sys::CUstream, args)
                .map_err(|e| backend("launch", e));
        }
        // Formats whose codes the decode kernel turns into f16/bf16 pairs with magic numbers (the
        // others decode through f32, ~2× the ALU work per weight).
        let magic = spec.mode() == Mode::Affine && (spec.bits() == 4 || (spec.bits() == 8 && op.out_dtype == DType::F16));
        let use_decode = match DECODE_POLICY.load(std::sync::atomic::Ordering::Relaxed) {
            1 => true,
            2 => false,
            // Measured (bench/cuda-notes.md stage 11): M = 1 stays on the qmv kernel except for
            // 8-bit f16; gathers of single rows use the grouped tile once runs are long enough for
            // the format; mxfp8 keeps the small-M kernel past 8 rows.
            _ if grouped => batch * if magic { 2 } else { 1 } >= op.w_count * if magic { 1 } else { 2 },
            _ if op.m == 1 => magic && spec.bits() == 8,
            _ => !(spec.mode() == Mode::Mxfp8 && op.m > 8),
        };
        let gather_policy = GATHER_POLICY.load(std::sync::atomic::Ordering::Relaxed);
        let bulk_plan = if grouped && self.capability.0 >= 9 && op.transpose && op.out_dtype != DType::F32 && runs_eligible(op, batch) {
            gather_bulk_plan(op, batch, &[w.ptr, scales.ptr, biases.map_or(0, |b| b.ptr)], x.ptr, self.sm_count, GATHER_BULK_BLOCKS.load(std::sync::atomic::Ordering::Relaxed))
        } else {
            None
        };
        let use_bulk = match gather_policy {
            3 => true,
            // H100 (bench/cuda-notes.md stage 17, Qwen3-30B-A3B layer): faster than the grouped
            // decode, work-list and qmv kernels where those paths were picked for runs (8 and 64
            // tokens; fp modes at 8 tokens only with K < 2048) and, with K < 2048, from a pair per
            // 4 matrices; 1 token stays on qmv (one wave of units: the index pass and the ring fill
            // are not amortized).
            // Stage 18: mxfp4 decodes in packed 16-bit arithmetic here, so it joins at a pair per
            // 2 matrices like affine 4-bit (f16, 8 tokens: 73.0 -> 65.6 µs; bf16 not measured).
            // Stage 20: nvfp4 too (packed decode; gate+up f16 8 tokens 78.11 µs on qmv, 60.39 here).
            0 => use_decode
                || batch >= 2 * op.w_count
                || (op.k < 2048 && 4 * batch >= op.w_count)
                || (matches!(spec.mode(), Mode::Mxfp4 | Mode::Nvfp4) && op.out_dtype == DType::F16 && 2 * batch >= op.w_count),
            _ => false,
        };
        if let Some(g) = bulk_plan.filter(|_| use_bulk) {
            // Bulk-copy work-list gather kernel (kernels/qmm_gather_bulk.cuh): one block per SM, a
            // producer lane moving whole (item, row group) units into a shared-memory ring.
            // nvfp4·f16 (two-group chunks): whole steps are the `qmmgbd` entries, half steps the format's chunk.
            let steps = match (g.two_group, g.half) {
                (true, false) => "d",
                (false, true) => "h",
                _ => "",
            };
            let name = format!("qmmgb{steps}{}8{}_{fmt}_{dt}", if g.x_staged { "x" } else { "" }, if g.per_sm == 2 { "m2" } else { "" });
            let f = self.function_smem(self.matmul, &name, g.smem_limit)?;
            let (mut kp, mut ns, mut sb) = (g.kp as i32, g.nstages as i32, g.stage_bytes as i32);
            let args: &mut [*mut c_void] = &mut [
                &mut p as *mut _ as *mut c_void,
                &mut gs_arg as *mut _ as *mut c_void,
                &mut kp as *mut _ as *mut c_void,
                &mut ns as *mut _ as *mut c_void,
                &mut sb as *mut _ as *mut c_void,
            ];
            let blocks = match GATHER_MAX_BLOCKS.load(std::sync::atomic::Ordering::Relaxed) {
                0 => g.blocks,
                c => g.blocks.min(c as u32),
            };
            return cu::launch_kernel(f, (blocks, 1, 1), (9 * 32, 1, 1), g.smem as u32, stream as sys::CUstream, args)
                .map_err(|e| backend("launch", e));
        }
        let use_runs = match GATHER_POLICY.load(std::sync::atomic::Ordering::Relaxed) {
            1 => true,
            2 => false,
            // H100 (bench/cuda-notes.md stage 16, Qwen3-30B-A3B layer): faster than the grouped
            // decode kernel at 64 tokens (512 pairs over 128 experts) and, with K < 2048 (down
            // projection), at 8; slower at 8 tokens with K = 2048 (~6 units per block: its static
            // split leaves a tail) and than qmv at 1 token.
            _ => batch >= 2 * op.w_count || (use_decode && op.k < 2048),
        };
        if use_runs && grouped && op.transpose && op.out_dtype != DType::F32 && runs_eligible(op, batch) {
            // Work-list gather kernel (kernels/qmm_decode.cuh qmm_runs_impl): a persistent grid over
            // (run of pairs sharing a w matrix, row tile) units found on the device.
            let tiles16 = op.n.div_ceil(DECODE_ROWS) * batch;
            let rt = match DECODE_ROW_TILES.load(std::sync::atomic::Ordering::Relaxed) {
                0 if spec.bits() <= 4 && tiles16 >= 16 * self.sm_count => 2,
                0 => 1,
                r => r,
            };
            // Compiled variants: 2 or 4 warps; a ring of 4 k steps with one row tile, 2 or 4 with two.
            // Warps split K: 2 below K = 2048 (H100 stage 16, K = 768: 4-bit k steps 3+3 instead of
            // 2+2+1+1, down projection 64 tokens 92.7 -> 81.7 µs), else 4 (K = 2048: 146 vs 151 µs).
            let warps = match DECODE_WARPS.load(std::sync::atomic::Ordering::Relaxed) {
                0 if op.k < 2048 => 2,
                2 => 2,
                _ => 4,
            };
            let depth = match GATHER_RING.load(std::sync::atomic::Ordering::Relaxed) {
                4 => 4,
                _ if rt == 1 => 4,
                _ => 2,
            };
            let name = format!("qmmr{warps}r{rt}d{depth}_{fmt}_{dt}");
            let f = self.function(self.matmul, &name)?;
            let smem = 4 * (3 * batch + 1);
            let per_sm = self.blocks_per_sm(f, &name, (warps * 32) as u32, 4 * (3 * RUNS_MAX_PAIRS + 1))?;
            let units = op.n.div_ceil(DECODE_ROWS * rt) * batch;
            let cap = match GATHER_MAX_BLOCKS.load(std::sync::atomic::Ordering::Relaxed) {
                0 => per_sm * self.sm_count,
                c => c,
            };
            let blocks = units.min(cap) as u32;
            let args: &mut [*mut c_void] = &mut [&mut p as *mut _ as *mut c_void, &mut gs_arg as *mut _ as *mut c_void];
            return cu::launch_kernel(f, (blocks, 1, 1), ((warps * 32) as u32, 1, 1), smem as u32, stream as sys::CUstream, args)
                .map_err(|e| backend("launch", e));
        }
        if use_decode && op.transpose && op.out_dtype != DType::F32 && op.m <= DECODE_MAX_M && batch <= 65535 {
            // Swap-AB tensor-core decode (kernels/qmm_decode.cuh). M = 1 gathers put runs of pairs
            // that share a w matrix (sorted MoE rhs) into one tile's columns.
            let mt = if op.m <= 8 { 1 } else { 2 };
            // Two m16 row tiles per warp where x outweighs the weights per k: M > 8 (H200, stage 13:
            // faster on all four bench shapes, 4096² included with < 1 block per SM), and grouped
            // launches with many pairs (MoE 8 and 64 tokens faster, 1 token the same); M ≤ 8 keeps
            // one (M = 2 1.1-1.4× slower with two). See kernels/qmm_decode.cuh.
            let rt = match DECODE_ROW_TILES.load(std::sync::atomic::Ordering::Relaxed) {
                0 if op.m > 8 || (grouped && op.n.div_ceil(DECODE_ROWS) * batch >= 16 * self.sm_count) => 2,
                0 => 1,
                r => r,
            };
            let row_tiles = op.n.div_ceil(DECODE_ROWS * rt);
            let warps = match DECODE_WARPS.load(std::sync::atomic::Ordering::Relaxed) {
                // Counted in 16-row tiles whatever RT is (H200 stage 13, M=16 RT=2: 14336×4096
                // 29.9 µs with 4 warps vs 34.3 with 8; 4096×14336 and 4096² faster with 8).
                0 if op.n.div_ceil(DECODE_ROWS) * batch < 4 * self.sm_count => 8,
                0 => 4,
                w => w,
            };
            let f = self.function(self.matmul, &format!("qmmd{mt}x{warps}r{rt}_{fmt}_{dt}"))?;
            let mut grouped_arg = grouped as i32;
            let args: &mut [*mut c_void] = &mut [&mut p as *mut _ as *mut c_void, &mut gs_arg as *mut _ as *mut c_void, &mut grouped_arg as *mut _ as *mut c_void];
            return self.launch_pdl(f, (row_tiles as u32, batch as u32, 1), (warps * 32) as u32, 0, stream, args);
        }
        let small_tc = op.transpose && op.out_dtype != DType::F32 && (SMALL_MIN_M..=MID_MAX_M).contains(&op.m) && batch <= 65535;
        if let Some(module) = self.sm90.as_ref().filter(|_| sm90::eligible(op)) {
            sm90::launch(module, op, &fmt, dt, &mut p, gs_arg, stream, self.sm_count)?;
        } else if small_tc {
            let (name, warps) = if op.m <= SMALL_MAX_M { ("qmm_small", 8) } else { ("qmm_mid", 4) };
            let f = self.function(self.matmul, &format!("{name}_{fmt}_{dt}"))?;
            let grid = (op.n.div_ceil(SMALL_BN) as u32, batch as u32, 1);
            self.launch(f, grid, warps * 32, stream, &mut [&mut p as *mut _ as *mut c_void, &mut gs_arg as *mut _ as *mut c_void])?;
        } else if op.transpose && op.m <= QMV_MAX_M {
            let (rows, prefix) = if op.m == 1 { (QMV1_ROWS, "qmv1") } else { (QMV_ROWS, "qmv") };
            let warps = qmv_warps(spec.mode(), op.m);
            p.row_blocks = op.n.div_ceil(warps * rows) as i64;
            let blocks = p.row_blocks as u64 * batch as u64;
            if blocks > u32::MAX as u64 {
                return Err(Error::Value { arg: "x", expected: "fewer than 2^32 row blocks".into(), got: blocks.to_string() });
            }
            let f = self.function(self.matmul, &format!("{prefix}_{fmt}_{dt}"))?;
            self.launch(f, (blocks as u32, 1, 1), (warps * 32) as u32, stream, &mut [&mut p as *mut _ as *mut c_void, &mut gs_arg as *mut _ as *mut c_void])?;
        } else {
            let name = format!("qmm_{}_{fmt}_{dt}", if op.transpose { "t" } else { "n" });
            let f = self.function(self.matmul, &name)?;
            let grid = (op.n.div_ceil(QMM_BN) as u32, op.m.div_ceil(QMM_BM).min(65535) as u32, batch.min(65535) as u32);
            if op.m.div_ceil(QMM_BM) > 65535 {
                return Err(Error::Value { arg: "x", expected: format!("at most {} rows per matrix", 65535 * QMM_BM), got: op.m.to_string() });
            }
            self.launch(f, grid, QMM_THREADS as u32, stream, &mut [&mut p as *mut _ as *mut c_void, &mut gs_arg as *mut _ as *mut c_void])?;
        }
        Ok(())
    }
}

// Geometry of the per-warp ring kernel (kernels/qmv_warp.cuh QW_*).
const WRING_ROWS: usize = 16;
/// Codes per stage and row: 512, or 1024 where K allows (`WARP_RING_KS`).
const WRING_KS: usize = 512;
const WRING_MAX_STAGES: usize = 8;
const WRING_DEFAULT_STAGES: usize = 3;
const WRING_HEAD_PER_WARP: usize = 192;
/// Shared memory a block may use on sm_90 (227 KB).
const SM90_SMEM_PER_BLOCK: usize = 227 * 1024;
/// Warps per block of the per-warp ring kernel: 0 picks, 8 or 16 force one (where 2 stages fit).
/// Set only by the benchmark and checks.
#[doc(hidden)]
pub static WARP_RING_WARPS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// Codes per ring stage and row of the per-warp ring kernel: 0 picks (512), 1024 forces 1024 where K
/// is a multiple of it (8 warps). Set only by the benchmark and checks.
#[doc(hidden)]
pub static WARP_RING_KS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// Ring stages per warp of the per-warp ring kernel: 0 picks (3: H100 stage 17, 2-4 within noise of
/// each other, 5-6 slower), n asks for n (≤ 8, as many as fit, ≤ the warp's slices). Set only by the
/// benchmark and checks.
#[doc(hidden)]
pub static WARP_RING_STAGES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// PDL L2 prefetch of the per-warp ring kernel (ring stages per warp requested into L2 before the
/// kernel waits for its predecessor): 0 picks ([`warp_ring_prefetch`]), n ≥ 1 asks for n − 1. Set
/// only by the benchmark and checks.
#[doc(hidden)]
pub static WARP_RING_PREFETCH: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Ring stages per warp the M = 1 ring kernel prefetches into L2 before its PDL wait (H100,
/// bench/cuda-notes.md stage 21 round 1, 0 vs 2 stages on every ring mode and shape, same call): none
/// (0.93-0.99× the time on 14336×4096 and 4096×14336, every mode; 28672×4096 2/3-bit and the fp
/// modes 0.94-0.99×), except affine 4/5/6-bit with ≥ 12 row tiles per SM (28672×4096: 2 stages,
/// 1.5-3.8 % faster there).
fn warp_ring_prefetch(op: &MatmulOp, sms: usize) -> usize {
    match WARP_RING_PREFETCH.load(std::sync::atomic::Ordering::Relaxed) {
        0 => {
            let deep = op.spec.mode() == Mode::Affine && matches!(op.spec.bits(), 4..=6) && op.n.div_ceil(WRING_ROWS) >= 12 * sms;
            if deep {
                2
            } else {
                0
            }
        }
        n => n - 1,
    }
}

/// Calibration only (`bench --calibrate`): the M = 1 ring kernel (affine 4-bit f16 g64, 8 warps)
/// runs its streaming alone, without decode or mma; its outputs are zeros.
#[doc(hidden)]
pub static WARP_RING_STREAM_ONLY: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
/// Which kernel serves eligible M = 1 matmuls on sm_90+ (one x row and one w matrix; affine 4-bit
/// f16/bf16, 2/3/5/6/8-bit f16, group size 32/64; mxfp4, nvfp4, mxfp8 f16/bf16; K a multiple of 512): 0 picks ([`warp_ring_wins`]), 1 or
/// 3 the per-warp ring kernel wherever eligible, 2 never. Set only by the benchmark and checks to
/// compare the paths.
#[doc(hidden)]
pub static WARP_RING_POLICY: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Whether the per-warp ring kernel serves `op`: its formats ([`ring16::format_ok`] without affine
/// 8-bit bf16), M = 1 with one (x, w) pair (x is staged once per block), 16-byte aligned buffers (w,
/// scales, biases; every row's 512-code slice of codes and parameters is then 16-byte sized and
/// aligned).
fn warp_ring_ok(op: &MatmulOp, ptrs: &[u64]) -> bool {
    ring16::format_ok(op.spec, op.out_dtype, false) && op.transpose && op.m == 1 && op.batch_count() == 1 && op.k > 0
        && op.k % WRING_KS == 0 && ptrs.iter().all(|p| p % 16 == 0) && op.w_count * op.n < (1 << 31)
}

/// The smallest matrix (N·K weights) where the M = 1 ring and register-fed kernels beat qmv1 / the decode
/// kernel in every call that timed them (stage 27 rounds 3-4: 1024×4096 and 2048²). Below it the old
/// kernels keep M = 1: there a call takes ~4-5 µs, about the host's launch time, and the winner changed
/// with the machine (round 5: 0.31-0.98× the old kernels' time; the last check: 0.34-1.17×, the ring's
/// per-call tensor maps and the PDL launch costing more host time than qmv1's plain launch).
const M1_MEASURED_MIN: usize = 1 << 22;

/// Where the per-warp ring kernel beats the default M = 1 kernels (H100, bench/cuda-notes.md stages 17,
/// 20 and 27), where the register-fed kernel does not take the call first ([`regs_wins`]):
/// - fp modes from 4 M weights: 0.60-0.85× the old default's time on the four bench shapes (stage 20);
///   below 16 M weights (1024×4096, 2048²) bf16 fp4 0.50-0.73× (stage 27);
/// - affine 2-6-bit from 4 M weights: 0.86× qmv1's time from 32 M weights (stage 17); 5-bit 0.87-0.94×
///   on 1024×4096 … 6144×4096 (stage 27; the narrower f16 codes take the register kernel there);
/// - 8-bit f16 with ≥ 4 row tiles per SM (14336×4096, 28672×4096: 0.96× the decode kernel; 4096×14336,
///   2 tiles per SM: 1.06×).
fn warp_ring_wins(op: &MatmulOp, sms: usize) -> bool {
    if op.spec.mode() == Mode::Affine && op.spec.bits() == 8 {
        op.n.div_ceil(WRING_ROWS) >= 4 * sms
    } else {
        op.n * op.k >= M1_MEASURED_MIN
    }
}

/// How the M = 1 path feeds its warps: 0 picks ([`regs_wins`]), 1 each lane's own loads into registers
/// (qmvr, where [`regs_shape`] has a compiled kernel), 2 the per-warp tensor-copy ring (qmvw). Set only
/// by the benchmark and checks.
#[doc(hidden)]
pub static WARP_FEED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Warps, codes per stage and register buffers of the register-fed kernel for `op`'s format, or None
/// where matmul.cu compiles none. H100, min of two alternated runs each (bench/cuda-notes.md stages 26-27):
/// affine 8-bit f16 best at 8 × 512 × 2, mxfp8 at 16 × 256 × 2; the narrower codes at 16 × 256 × 2 (below
/// 32 M weights, 0.93-1.0× the 8 × 512 × 2 shape's time on 6144×4096, alike elsewhere).
fn regs_shape(op: &MatmulOp) -> Option<(usize, usize, usize)> {
    match (op.spec.mode(), op.spec.bits(), op.out_dtype) {
        (Mode::Affine, 8, DType::F16) => Some((8, 512, 2)),
        (Mode::Mxfp8, _, DType::F16 | DType::BF16) => Some((16, 256, 2)),
        (Mode::Affine, 2 | 3 | 4 | 6, DType::F16) | (Mode::Affine, 4, DType::BF16) | (Mode::Mxfp4 | Mode::Nvfp4, _, DType::F16) => Some((16, 256, 2)),
        _ => None,
    }
}

/// Where the register-fed kernel beats the other M = 1 kernels (H100, same calls as main's binary):
/// - 8-bit codes from 32 M weights (stage 26): affine8 f16 0.92-0.95× the ring's time on 14336×4096 and
///   28672×4096 and 0.975× the decode kernel on 4096×14336; mxfp8 f16/bf16 0.94-0.96× the ring; and below
///   16 M weights (stage 27, 1024×4096 and 2048²): affine8 f16 0.72-0.81× the decode kernel, mxfp8 0.35-0.48×
///   the old default. Between (4096², 8192×2048, 6144×4096): 0.89-1.06×, not taken.
/// - the narrower codes below 32 M weights (stage 27: 1024×4096 … 6144×4096): 0.46-0.96× the time of qmv1
///   (affine) or the ring (fp4 from 16 M weights), the plain loads starting sooner than either's; from
///   32 M weights they lose to the ring (1.0-1.2×), except:
/// - affine 4-bit f16/bf16, groups of 64, K ≥ 8192 and N ≤ 4096 (≤ 2 row tiles per SM: the 16 warps split K
///   8 ways; stage 28, H200, three calls: 4096×14336 0.962-0.966× the ring's time for f16, 0.982× for bf16;
///   H100 stage 26: 0.996× for f16). Not taken on 14336×4096 (1.035×), for groups of 32 (1.04×), nor for fp4
///   (1.03-1.17×); 28672×4096 0.988-0.997× (within a run-to-run percent: left on the ring); wider N with
///   K ≥ 8192 not measured.
fn regs_wins(op: &MatmulOp) -> bool {
    let weights = op.n * op.k;
    let (small, large) = (weights < 1 << 24, weights >= 1 << 25);
    let long_k_affine4 = op.spec.mode() == Mode::Affine && op.spec.bits() == 4 && op.spec.group_size() == 64 && op.k >= 8192 && op.n <= 4096;
    regs_shape(op).is_some() && weights >= M1_MEASURED_MIN && if op.spec.bits() == 8 { small || large } else { !large || long_k_affine4 }
}

#[derive(Debug)]
struct RegsGeometry {
    warps: usize,
    ks: usize,
    nb: usize,
    kp: usize,
    rounds: usize,
    blocks: u32,
    smem: usize,
}

/// How both M = 1 kernels (the ring and the register-fed one) spread N's 16-row tiles: one block per
/// SM (at most one per tile), each an even share of the tiles, `warps / kp` at a time in `rounds`
/// rounds, its warps splitting K's `nst` stages `kp` ways (a power of two) where the share alone would
/// leave warps idle. Returns (blocks, kp, rounds).
fn m1_tile_split(n: usize, nst: usize, warps: usize, sms: usize) -> (usize, usize, usize) {
    let tiles = n.div_ceil(WRING_ROWS);
    let blocks = sms.min(tiles);
    let share = tiles.div_ceil(blocks);
    let mut kp = 1;
    while kp * 2 <= warps && share * kp * 2 <= warps && nst >= kp * 2 {
        kp *= 2;
    }
    (blocks, kp, share.div_ceil(warps / kp))
}

/// Launch geometry of the register-fed kernel (`shape` from [`regs_shape`]): the ring kernel's tiles and
/// K parts ([`warp_ring_geometry`]), no ring in shared memory (head and x only).
fn regs_geometry((warps, ks, nb): (usize, usize, usize), n: usize, k: usize, sms: usize) -> Option<RegsGeometry> {
    if k % ks != 0 {
        return None;
    }
    let (blocks, kp, rounds) = m1_tile_split(n, k / ks, warps, sms);
    Some(RegsGeometry { warps, ks, nb, kp, rounds, blocks: blocks as u32, smem: 128 + WRING_HEAD_PER_WARP * warps + warp_ring_x_bytes(k) })
}

#[derive(Debug)]
struct WarpRingGeometry {
    warps: usize,
    ks: usize,
    stages: usize,
    kp: usize,
    rounds: usize,
    blocks: u32,
    smem: usize,
}

/// Bytes of the block's x area (kernels/qmv_warp.cuh `qw_x_bytes`): 64 zero bytes, x (2 bytes per
/// k), two floats per 32-code chunk, rounded up to 128.
fn warp_ring_x_bytes(k: usize) -> usize {
    (64 + 2 * k + 8 * (k / 32)).div_ceil(128) * 128
}

/// Launch geometry of the per-warp ring kernel, or None where two stages per warp don't fit: one
/// block per SM of `warps` warps (`want.0`: 16 where each ring holds ≥ 2 stages, else 8; H100 stage
/// 17: 8 warps × 3 stages beat 16 × 2 by 5-7 %); the warps split K `kp` ways so that a block's share
/// of the tiles keeps them busy; each block takes an even share of the tiles, `warps / kp` at a
/// time, in `rounds` rounds; `want.1` ring stages (0: 3) as far as they fit, ≤ the warp's slices.
fn warp_ring_geometry(bits: u32, gs: usize, pbytes: usize, n: usize, k: usize, sms: usize, want: (usize, usize), want_ks: usize) -> Option<WarpRingGeometry> {
    let ks = if want_ks == 1024 && k % 1024 == 0 { 1024 } else { WRING_KS };
    let stage = WRING_ROWS * ks * bits as usize / 8 + WRING_ROWS * (ks / gs * pbytes);
    // 128 bytes to align the base (the kernel rounds it up).
    let fixed = |w: usize| 128 + WRING_HEAD_PER_WARP * w + warp_ring_x_bytes(k);
    let stages_of = |w: usize| SM90_SMEM_PER_BLOCK.saturating_sub(fixed(w)) / (w * stage);
    let warps = match want.0 {
        16 if ks == WRING_KS && stages_of(16) >= 2 => 16,
        _ => 8,
    };
    let nst = k / ks;
    let (blocks, kp, rounds) = m1_tile_split(n, nst, warps, sms);
    let slices = rounds * nst.div_ceil(kp);
    let cap = if want.1 > 0 { want.1 } else { WRING_DEFAULT_STAGES };
    let stages = stages_of(warps).min(WRING_MAX_STAGES).min(cap).min(slices);
    if stages < 2.min(slices) || stages == 0 {
        return None;
    }
    Some(WarpRingGeometry { warps, ks, stages, kp, rounds, blocks: blocks as u32, smem: fixed(warps) + warps * stages * stage })
}

// Geometry of the bulk-copy kernel (kernels/qmv_bulk.cuh QB_*).
/// Largest M served by the bulk-copy kernel.
pub const BULK_MAX_M: usize = 4;
const BULK_STAGES: usize = 4;
const BULK_CWARPS: u32 = 8;
const BULK_KS: usize = 4096;
const BULK_PARAM_ROW: usize = 256;
const BULK_HEAD: usize = 4096;
/// Blocks per SM of the M = 1 kernel (its launch bounds; the M = 2..4 kernel runs one).
const BULK_BLOCKS_PER_SM: usize = 2;
/// Which kernel serves f16/bf16 transpose=True M ≤ [`BULK_MAX_M`] on sm_90+: 0 picks (fp modes,
/// M = 1 without batch, K > 4096), 1 the bulk-copy kernel wherever its layout allows, 2 never. Set
/// only by the benchmark and checks to compare the paths.
#[doc(hidden)]
pub static BULK_POLICY: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// Rows per bulk tile (QB_ROWS_OF).
fn bulk_rows(bits: u32) -> usize {
    if bits <= 2 {
        16
    } else if bits <= 4 {
        8
    } else {
        4
    }
}
/// Dynamic shared memory of a bulk block: head + stages (QB_HEAD + QB_STAGES · BulkGeom::stage).
fn bulk_smem(bits: u32) -> usize {
    BULK_HEAD + BULK_STAGES * bulk_rows(bits) * (BULK_KS * bits as usize / 8 + 2 * BULK_PARAM_ROW)
}
/// Whether every bulk copy of `op` would be 16-byte aligned and sized: the buffers (w, scales,
/// biases; 0 = absent), each row's packed codes and parameters, and the last K slice's.
fn bulk_layout_ok(op: &MatmulOp, ptrs: &[u64]) -> bool {
    let spec = op.spec;
    let (bits, gs) = (spec.bits() as usize, spec.group_size() as usize);
    let psize = if spec.mode() == Mode::Affine { op.out_dtype.size() } else { 1 };
    let fits = |codes: usize| codes % gs == 0 && (codes * bits / 8) % 16 == 0 && (codes * bits) % 8 == 0 && (codes / gs * psize) % 16 == 0;
    let last = match op.k % BULK_KS {
        0 => BULK_KS.min(op.k),
        r => r,
    };
    ptrs.iter().all(|p| p % 16 == 0) && op.k > 0 && fits(op.k) && fits(last) && fits(BULK_KS.min(op.k))
        && BULK_KS.min(op.k) / gs * psize <= BULK_PARAM_ROW
}
/// Most pairs the work-list gather kernel takes (kernels/qmm_decode.cuh `QMLX_RUNS_MAX_PAIRS`:
/// every block holds 3 ints per pair in shared memory); longer gathers use the grouped kernel.
const RUNS_MAX_PAIRS: usize = 2048;
/// Which kernel serves gathers of single rows (M = 1, f16/bf16, transpose=True): 0 picks (on sm_90+
/// the bulk-copy work-list kernel where its layout allows and runs are long enough, else the
/// work-list kernel where the decode kernel would be picked), 1 the work-list kernel wherever it
/// applies, 2 never (the grouped decode kernel or qmv, as before), 3 the bulk-copy work-list kernel
/// (sm_90+) wherever its layout allows, else as 0. Set only by the benchmark and checks to compare
/// the paths.
#[doc(hidden)]
pub static GATHER_POLICY: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// k steps in the work-list kernel's weight ring with two row tiles per warp: 0 picks (2), 4
/// forces 4. Set only by the benchmark to compare the two.
#[doc(hidden)]
pub static GATHER_RING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// Caps the work-list kernel's grid (0: one wave of resident blocks). Set only by the checks, so
/// that small cases give each block several units.
#[doc(hidden)]
pub static GATHER_MAX_BLOCKS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// Dynamic shared memory of the bulk-copy gather kernel with one block per SM (ring stages + pair
/// tables + alignment slack; its static part, partial sums and barriers, is ~18.7 KB of the 227 KB),
/// and per block with two.
const GATHER_BULK_SMEM: usize = 200 * 1024;
const GATHER_BULK_SMEM_M2: usize = 92 * 1024;
/// K parts of the bulk-copy gather kernel's 8 consumer warps (1, 2, 4 or 8; 0 picks). Set only by
/// the benchmark to compare them.
#[doc(hidden)]
pub static GATHER_KP: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// Blocks per SM of the bulk-copy gather kernel (1 or 2; 0 picks). Set only by the benchmark and
/// checks to compare them.
#[doc(hidden)]
pub static GATHER_BULK_BLOCKS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// Half-chunk k steps in the bulk-copy gather kernel (4-bit affine and mxfp4, the `qmmgbh` entries):
/// 0 picks, 1 wherever compiled and K allows, 2 never. Set only by the benchmark and checks.
#[doc(hidden)]
pub static GATHER_HALF_STEPS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// The item's x rows bulk-copied into each ring stage of the bulk-copy gather kernel (4-bit affine
/// and mxfp4, the `qmmgb…x` entries): 0 picks, 1 wherever compiled and it fits, 2 never. Set only
/// by the benchmark and checks.
#[doc(hidden)]
pub static GATHER_X_STAGED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
struct GatherBulkPlan {
    kp: usize,
    /// nvfp4 with f16 x: 128-code steps of two 16-code groups per lane (the `qmmgbd` entries); its
    /// half steps are the format's 16-code chunks.
    two_group: bool,
    /// k steps of half a chunk (64 codes) per lane group: the `qmmgbh` entries.
    half: bool,
    /// x rows in the stage (the `qmmgb…x` entries).
    x_staged: bool,
    nstages: usize,
    stage_bytes: usize,
    smem: usize,
    smem_limit: usize,
    per_sm: usize,
    blocks: u32,
}
/// Geometry of the bulk-copy gather kernel (kernels/qmm_gather_bulk.cuh), or None where its
/// whole-row units don't fit: 8 consumer warps as kp K parts × 8/kp row groups of 32 rows; a unit
/// is UR = 256/kp rows of one matrix (codes, scales, biases each contiguous), a ring stage each.
fn gather_bulk_plan(op: &MatmulOp, batch: usize, ptrs: &[u64], x_ptr: u64, sm_count: usize, per_sm_knob: usize) -> Option<GatherBulkPlan> {
    let spec = op.spec;
    let (bits, gs) = (spec.bits() as usize, spec.group_size() as usize);
    let psize = if spec.mode() == Mode::Affine { op.out_dtype.size() } else { 1 };
    let rb = op.k * bits / 8;
    let pb = op.k / gs * psize;
    // nvfp4·f16: two-group chunks (kernels/qmm_gather_bulk.cuh FP4H), so 128-code steps as the
    // other formats, and the format's 64-code steps as half steps.
    let two_group = spec.mode() == Mode::Nvfp4 && op.out_dtype == DType::F16;
    let step_k = if spec.mode() == Mode::Nvfp4 && !two_group { 64 } else { 128 };
    let nsteps = op.k.div_ceil(step_k);
    // Half-chunk steps (kernels/matmul.cu instantiates them for 4-bit affine and mxfp4; nvfp4·f16's
    // are its 16-code chunk entries).
    let half_compiled = ((bits == 4 && matches!(spec.mode(), Mode::Affine | Mode::Mxfp4)) || two_group) && op.k % (step_k / 2) == 0;
    let half_knob = GATHER_HALF_STEPS.load(std::sync::atomic::Ordering::Relaxed);
    let half_ok = half_compiled && half_knob != 2;
    // Half steps even out 4 K parts where whole steps don't (K = 768: 12 half steps, 6 whole).
    let half_balances = half_ok && nsteps % 4 != 0 && (2 * nsteps) % 4 == 0;
    // Two blocks per SM where their register cap (ptxas: 96) costs no or few spills and was measured
    // faster (H100 stage 17: affine 4-bit, nvfp4; bf16 affine 4-bit with whole steps spills 108
    // bytes and is slower so with K < 2048, but with half steps faster: stage 18, K = 768, 64 tokens
    // 69.1 vs 74.6 µs); mxfp4 with half steps (96 registers, no spills; whole steps spill 312 bytes,
    // and one block of 168 registers is latency-bound: stage 18 ncu, issue active 47 %).
    let mx_half = spec.mode() == Mode::Mxfp4 && half_ok;
    let per_sm = match per_sm_knob {
        1 => 1,
        2 => 2,
        _ if (spec.mode() == Mode::Affine && bits == 4 && (op.out_dtype == DType::F16 || op.k >= 2048 || half_balances)) || spec.mode() == Mode::Nvfp4 || mx_half => 2,
        _ => 1,
    };
    // mxfp4's whole-step kernel spills with two blocks per SM: half steps there.
    let whole_ok = half_knob != 1 && !(per_sm == 2 && mx_half);
    let smem_limit = if per_sm == 2 { GATHER_BULK_SMEM_M2 } else { GATHER_BULK_SMEM };
    let tables = 4 * (3 * batch + 1);
    // x in the stage: ≤ 8 rows of K values, 16 bytes of pad each (kernels/qmm_gather_bulk.cuh XS).
    let x_rows_bytes = 8 * (op.k * op.out_dtype.size() + 16);
    let geometry_x = |kp: usize, xs: bool| {
        let ur = 32 * (8 / kp);
        let weights = ur * (rb + pb * if spec.has_biases() { 2 } else { 1 });
        let stage_bytes = (weights + if xs { x_rows_bytes } else { 0 }).next_multiple_of(128);
        let nstages = smem_limit.saturating_sub(128 + tables) / stage_bytes;
        (ur, stage_bytes, nstages, weights)
    };
    let geometry = |kp: usize| {
        let (ur, sb, ns, _) = geometry_x(kp, false);
        (ur, sb, ns)
    };
    // Default: the most K parts (8, 4) that split the k steps evenly (smaller units: a shorter
    // tail) with at least two ring stages; else, with two blocks per SM, the same with half-chunk
    // steps (K = 768: 12 steps, 3 per part of 4, instead of 2+2+1+1: H100 stage 18, affine4 f16
    // down 64 tokens 70.1 -> 68.1 µs), then 2 parts; with one block per SM 2 parts of whole steps
    // first (stage 18, K = 768: 75.1 µs against 93.4 with 4 parts of half steps, affine4 bf16;
    // mxfp4 78.2 against 106.7); else 4 (stage 17, K = 768 with two blocks per SM: 4 parts of
    // 2+2+1+1 steps faster than 8 of one step), 8 or 2, whichever first has two stages.
    let even = |kp: usize, half: bool| (if half { 2 * nsteps } else { nsteps }) % kp == 0 && geometry(kp).2 >= 2;
    // Half steps where forced, or where K is no whole number of full steps.
    let half_else = half_ok && (half_knob == 1 || op.k % step_k != 0);
    let (kp, half) = match GATHER_KP.load(std::sync::atomic::Ordering::Relaxed) {
        0 => if per_sm == 2 { [(8, false), (4, false), (8, true), (4, true), (2, false), (2, true)] } else { [(8, false), (4, false), (2, false), (8, true), (4, true), (2, true)] }
            .into_iter()
            .find(|&(kp, half)| (if half { half_ok } else { whole_ok }) && even(kp, half))
            .or_else(|| [4, 8, 2].into_iter().find(|&kp| geometry(kp).2 >= 2).map(|kp| (kp, half_else)))
            .unwrap_or((8, false)),
        k @ (1 | 2 | 4 | 8) => (k, half_else),
        _ => (8, false),
    };
    let step_k = if half { step_k / 2 } else { step_k };
    // x rows in the stage (compiled for 4-bit affine / mxfp4; x rows 16-byte aligned): by default
    // where they add at most half the unit's weight bytes (K = 768: 12.4 KB to 27.6 KB with two
    // blocks per SM) and two stages still fit; not at K = 2048 (32.9 KB to 36.9 KB, fewer stages).
    let x_compiled = bits == 4 && (matches!(spec.mode(), Mode::Affine | Mode::Mxfp4) || two_group) && op.out_dtype.size() == 2 && (op.k * 2) % 16 == 0 && x_ptr % 16 == 0;
    let x_fits = geometry_x(kp, true).2 >= 2;
    let x_staged = x_compiled
        && x_fits
        && match GATHER_X_STAGED.load(std::sync::atomic::Ordering::Relaxed) {
            1 => true,
            2 => false,
            _ => 2 * x_rows_bytes <= geometry_x(kp, false).3,
        };
    let (ur, stage_bytes, nstages, _) = geometry_x(kp, x_staged);
    // K a whole number of k steps: the consumers skip a step per lane, and mma.sync is
    // warp-collective (K = 64 < one step hung the kernel on the H100, session 4); such shapes
    // take the work-list kernel.
    let ok = op.k % step_k == 0 && op.k * bits % 8 == 0 && rb % 16 == 0 && (ur * pb) % 16 == 0 && op.n % ur == 0 && ptrs.iter().all(|p| p % 16 == 0) && nstages >= 2;
    ok.then(|| {
        let nstages = nstages.min(GATHER_BULK_MAX_STAGES);
        let units = batch * (op.n / ur);
        GatherBulkPlan { kp, two_group, half, x_staged, nstages, stage_bytes, smem: 128 + nstages * stage_bytes + tables, smem_limit, per_sm, blocks: units.min(per_sm * sm_count) as u32 }
    })
}
/// Ring stages of the bulk-copy gather kernel (kernels/qmm_gather_bulk.cuh `QMLX_GB_MAX_STAGES`).
const GATHER_BULK_MAX_STAGES: usize = 8;
/// Whether the work-list kernel can take this gather: its indices fit its int32 shared tables.
fn runs_eligible(op: &MatmulOp, batch: usize) -> bool {
    let units = op.n.div_ceil(DECODE_ROWS) * batch;
    op.m == 1 && batch <= RUNS_MAX_PAIRS && op.x_count <= i32::MAX as usize && op.w_count <= i32::MAX as usize && units <= i32::MAX as usize
}
// Launch geometry shared with kernels/matmul.cu.
/// Largest M served by the tensor-core decode kernel (f16/bf16, transpose=True).
pub const DECODE_MAX_M: usize = 16;
/// Output rows per decode-kernel block (kernels/qmm_decode.cuh `DEC_ROWS`).
const DECODE_ROWS: usize = 16;
/// Warps per decode-kernel block: 0 picks (8 while the 16-row tiles would fill under 4 per SM, else
/// 4); 4 or 8 force one. Set only by the benchmark to compare the two.
#[doc(hidden)]
pub static DECODE_WARPS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// m16 row tiles per decode-kernel warp: 0 picks per shape, 1 or 2 force one. Set only by the
/// benchmark and checks to compare the two.
#[doc(hidden)]
pub static DECODE_ROW_TILES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// Which kernel serves f16/bf16 transpose=True with M ≤ [`DECODE_MAX_M`]: 0 picks per shape, 1
/// always the decode kernel, 2 never. Set only by the benchmark and checks to compare the paths.
#[doc(hidden)]
pub static DECODE_POLICY: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
const QMV_WARPS: usize = 4;
/// Warps per qmv block (kernels/matmul.cu `qmv_warps`): mxfp8 with M > 1 measured 10-40 % faster
/// with 8 (H100, bench/cuda-notes.md stage 9); everything else is faster with 4.
fn qmv_warps(mode: Mode, m: usize) -> usize {
    if mode == Mode::Mxfp8 && m > 1 {
        2 * QMV_WARPS
    } else {
        QMV_WARPS
    }
}
const QMV1_ROWS: usize = 4;
const QMV_ROWS: usize = 2;
/// Largest M served by the matrix-vector kernel (16-bit types use it below [`SMALL_MIN_M`]).
pub const QMV_MAX_M: usize = 8;
/// Smallest and largest M served by the small-M tensor-core kernel (16-bit types,
/// transpose=True); below it the matrix-vector kernel is faster.
pub const SMALL_MIN_M: usize = 4;
/// See [`SMALL_MIN_M`].
pub const SMALL_MAX_M: usize = 16;
/// Largest M served by the medium-M variant of that kernel (4 row fragments of 16); larger M uses
/// the 128×128-tile kernel.
pub const MID_MAX_M: usize = 64;
const SMALL_BN: usize = 32;
const QMM_BM: usize = 128;
const QMM_BN: usize = 128;
const QMM_THREADS: usize = 256;

/// Dtype and shape of an optional tensor, for the shared buffer checks of the op descriptions.
fn metas(t: Option<DevRef<'_>>) -> Option<Meta> {
    t.map(|t| t.meta())
}

fn kind_code(mode: Mode) -> i32 {
    match mode {
        Mode::Affine => 0,
        Mode::Mxfp4 => 1,
        Mode::Mxfp8 => 2,
        Mode::Nvfp4 => 3,
    }
}

fn format_tag(spec: &qmlx_core::QuantSpec) -> String {
    match spec.mode() {
        Mode::Affine => format!("affine{}", spec.bits()),
        m => m.name().to_string(),
    }
}

fn dtype_tag(d: DType) -> &'static str {
    match d {
        DType::F32 => "f32",
        DType::F16 => "f16",
        DType::BF16 => "bf16",
        other => unreachable!("validated float dtype, got {other}"),
    }
}

fn index_kind(arg: &'static str, t: Option<DevRef<'_>>) -> Result<(u64, i32)> {
    Ok(match t {
        None => (0, IDX_NONE),
        Some(t) => (
            t.ptr,
            match t.dtype {
                DType::I32 => IDX_I32,
                DType::I64 => IDX_I64,
                DType::U32 => IDX_U32,
                other => return Err(Error::DType { arg, expected: "int32 or int64 or uint32".into(), got: other.name().into() }),
            },
        ),
    })
}

fn batch_map(op: &MatmulOp, lhs: Option<DevRef<'_>>, rhs: Option<DevRef<'_>>) -> Result<BatchMap> {
    let nd = op.batch_shape.len();
    if nd > MAX_BATCH_DIMS {
        return Err(Error::Shape { arg: "x", expected: format!("at most {MAX_BATCH_DIMS} batch dimensions"), got: format!("{:?}", op.batch_shape) });
    }
    let mut map = BatchMap { ndim: nd as i32, x_count: op.x_count as i64, w_count: op.w_count as i64, ..Default::default() };
    let strides = |s: &MatrixSelect| match s {
        MatrixSelect::Strided(v) | MatrixSelect::Indexed { strides: v, .. } => v.clone(),
    };
    let (xs, ws) = (strides(&op.x_select), strides(&op.w_select));
    for d in 0..nd {
        map.shape[d] = op.batch_shape[d] as i64;
        map.xs[d] = xs[d] as i64;
        map.ws[d] = ws[d] as i64;
    }
    let lhs_used = matches!(op.x_select, MatrixSelect::Indexed { .. });
    let rhs_used = matches!(op.w_select, MatrixSelect::Indexed { .. });
    if lhs_used != lhs.is_some() {
        return Err(Error::Value { arg: "lhs_indices", expected: "present exactly when the op was described with it".into(), got: "a mismatch".into() });
    }
    if rhs_used != rhs.is_some() {
        return Err(Error::Value { arg: "rhs_indices", expected: "present exactly when the op was described with it".into(), got: "a mismatch".into() });
    }
    (map.lhs, map.lhs_kind) = index_kind("lhs_indices", lhs)?;
    (map.rhs, map.rhs_kind) = index_kind("rhs_indices", rhs)?;
    Ok(map)
}

#[cfg(test)]
mod bulk_layout_tests {
    use super::*;
    use qmlx_core::QuantSpec;

    fn op(mode: Mode, gs: u32, bits: u32, dtype: DType, n: usize, k: usize) -> MatmulOp {
        let spec = QuantSpec::new(mode, gs, bits).unwrap();
        let sdt = spec.scales_dtype(dtype);
        let sc = Meta::new(sdt, &[n, k / gs as usize]);
        MatmulOp::quantized_matmul(
            &Meta::new(dtype, &[1, k]),
            &Meta::new(DType::U32, &[n, spec.packed_words(k)]),
            &sc,
            spec.has_biases().then_some(&sc),
            true,
            spec,
        )
        .unwrap()
    }

    #[test]
    fn register_feed_for_8_bit_codes_outside_16m_to_32m_weights_and_narrower_codes_below_32m() {
        assert!(regs_wins(&op(Mode::Affine, 64, 8, DType::F16, 4096, 14336)) && regs_wins(&op(Mode::Mxfp8, 32, 8, DType::BF16, 14336, 4096)));
        assert!(regs_wins(&op(Mode::Mxfp8, 32, 8, DType::F16, 28672, 4096)) && regs_wins(&op(Mode::Affine, 32, 8, DType::F16, 14336, 4096)));
        assert!(regs_wins(&op(Mode::Affine, 64, 8, DType::F16, 1024, 4096)) && regs_wins(&op(Mode::Mxfp8, 32, 8, DType::BF16, 2048, 2048)));
        // 8-bit from 16 M to 32 M weights (not faster), affine 8-bit bf16 (no kernel).
        assert!(!regs_wins(&op(Mode::Affine, 64, 8, DType::F16, 4096, 4096)) && !regs_wins(&op(Mode::Mxfp8, 32, 8, DType::F16, 6144, 4096)));
        assert!(!regs_wins(&op(Mode::Affine, 64, 8, DType::BF16, 14336, 4096)) && !regs_wins(&op(Mode::Affine, 64, 8, DType::BF16, 1024, 4096)));
        // Narrower codes: below 32 M weights only, where compiled; affine4 g64 from 32 M weights with K ≥ 8192, N ≤ 4096.
        assert!(!regs_wins(&op(Mode::Affine, 64, 4, DType::F16, 14336, 4096)) && !regs_wins(&op(Mode::Nvfp4, 16, 4, DType::F16, 14336, 4096)));
        assert!(regs_wins(&op(Mode::Affine, 64, 4, DType::F16, 4096, 14336)) && regs_wins(&op(Mode::Affine, 64, 4, DType::BF16, 4096, 14336)));
        assert!(!regs_wins(&op(Mode::Affine, 32, 4, DType::F16, 4096, 14336)) && !regs_wins(&op(Mode::Nvfp4, 16, 4, DType::F16, 4096, 14336)));
        assert!(!regs_wins(&op(Mode::Affine, 64, 6, DType::F16, 4096, 14336)) && !regs_wins(&op(Mode::Affine, 64, 4, DType::F16, 28672, 4096)));
        assert!(!regs_wins(&op(Mode::Affine, 64, 4, DType::F16, 8192, 28672)) && regs_wins(&op(Mode::Affine, 64, 4, DType::BF16, 4096, 11008)));
        assert!(regs_wins(&op(Mode::Affine, 64, 4, DType::F16, 4096, 4096)) && regs_wins(&op(Mode::Affine, 64, 4, DType::BF16, 1024, 4096)));
        assert!(regs_wins(&op(Mode::Nvfp4, 16, 4, DType::F16, 6144, 4096)) && regs_wins(&op(Mode::Affine, 32, 2, DType::F16, 2048, 2048)));
        assert!(!regs_wins(&op(Mode::Nvfp4, 16, 4, DType::BF16, 4096, 4096)) && !regs_wins(&op(Mode::Affine, 64, 5, DType::F16, 4096, 4096)));
        // Below 4 M weights the old kernels stay (launch-bound: the winner changed with the machine).
        assert!(!regs_wins(&op(Mode::Affine, 64, 4, DType::F16, 256, 4096)) && !regs_wins(&op(Mode::Mxfp8, 32, 8, DType::F16, 1024, 1024)));
        assert_eq!(regs_shape(&op(Mode::Affine, 64, 8, DType::F16, 14336, 4096)), Some((8, 512, 2)));
        assert_eq!(regs_shape(&op(Mode::Mxfp8, 32, 8, DType::BF16, 14336, 4096)), Some((16, 256, 2)));
        assert_eq!(regs_shape(&op(Mode::Mxfp4, 32, 4, DType::F16, 1024, 4096)), Some((16, 256, 2)));
    }

    #[test]
    fn warp_ring_from_4m_weights_except_8_bit_affine_by_row_tiles() {
        assert!(warp_ring_wins(&op(Mode::Affine, 64, 5, DType::F16, 1024, 4096), 132) && warp_ring_wins(&op(Mode::Nvfp4, 16, 4, DType::BF16, 2048, 2048), 132));
        assert!(!warp_ring_wins(&op(Mode::Affine, 64, 5, DType::F16, 256, 4096), 132) && !warp_ring_wins(&op(Mode::Mxfp4, 32, 4, DType::BF16, 1024, 1024), 132));
        assert!(warp_ring_wins(&op(Mode::Affine, 64, 8, DType::F16, 14336, 4096), 132) && !warp_ring_wins(&op(Mode::Affine, 64, 8, DType::F16, 4096, 14336), 132));
    }

    #[test]
    fn warp_ring_prefetches_only_deep_affine_4_to_6_bit() {
        // H100 (132 SMs), stage 21 round 1: 2 stages for affine 4/5/6-bit at ≥ 12 row tiles per SM.
        assert_eq!(warp_ring_prefetch(&op(Mode::Affine, 64, 4, DType::F16, 28672, 4096), 132), 2);
        assert_eq!(warp_ring_prefetch(&op(Mode::Affine, 64, 6, DType::F16, 28672, 4096), 132), 2);
        assert_eq!(warp_ring_prefetch(&op(Mode::Affine, 64, 4, DType::F16, 14336, 4096), 132), 0);
        assert_eq!(warp_ring_prefetch(&op(Mode::Affine, 64, 3, DType::F16, 28672, 4096), 132), 0);
        assert_eq!(warp_ring_prefetch(&op(Mode::Mxfp4, 32, 4, DType::F16, 28672, 4096), 132), 0);
        assert_eq!(warp_ring_prefetch(&op(Mode::Affine, 64, 8, DType::F16, 28672, 4096), 132), 0);
    }

    #[test]
    fn bulk_copies_only_where_every_copy_is_16_byte_sized_and_aligned() {
        let a = [0x1000u64, 0x2000, 0x3000];
        // Whole rows and multi-slice rows with a partial last slice (5120 = 4096 + 1024).
        assert!(bulk_layout_ok(&op(Mode::Affine, 64, 4, DType::F16, 45, 4096), &a));
        assert!(bulk_layout_ok(&op(Mode::Affine, 64, 4, DType::F16, 45, 14336), &a));
        assert!(bulk_layout_ok(&op(Mode::Affine, 64, 3, DType::BF16, 45, 5120), &a));
        assert!(bulk_layout_ok(&op(Mode::Nvfp4, 16, 4, DType::F16, 45, 768), &a));
        // 3-bit K = 192: 72-byte rows; affine K = 768 g64: 24 bytes of scales per row.
        assert!(!bulk_layout_ok(&op(Mode::Affine, 64, 3, DType::F16, 45, 192), &a));
        assert!(!bulk_layout_ok(&op(Mode::Affine, 64, 4, DType::F16, 45, 768), &a));
        // K = 4096 + 128 with g128: the last slice has 2 bytes of scales per row.
        assert!(!bulk_layout_ok(&op(Mode::Affine, 128, 4, DType::F16, 45, 4224), &a));
        // A misaligned buffer.
        assert!(!bulk_layout_ok(&op(Mode::Affine, 64, 4, DType::F16, 45, 4096), &[0x1000, 0x2008, 0x3000]));
    }

    #[test]
    fn warp_ring_geometry_fills_the_gpu() {
        for want in [(0, 0), (8, 0), (16, 0), (0, 3), (8, 2)] {
            for (bits, gs, n, k) in [(4, 64, 14336, 4096), (4, 64, 4096, 14336), (4, 64, 28672, 4096), (8, 64, 4096, 4096), (8, 32, 45, 5120), (4, 32, 17000, 512), (4, 64, 24, 1024), (4, 64, 16, 512), (8, 32, 4096, 14336)] {
                let g = warp_ring_geometry(bits, gs, 4, n, k, 132, want, 0).unwrap();
                let tiles = n.div_ceil(WRING_ROWS);
                assert!(g.stages >= 1 && g.stages <= WRING_MAX_STAGES && g.smem <= SM90_SMEM_PER_BLOCK, "{bits} {gs}: {g:?}");
                assert!(g.kp <= g.warps && k / g.ks >= g.kp && g.blocks as usize <= 132);
                assert!(g.stages <= g.rounds * (k / g.ks).div_ceil(g.kp));
                // Every block's share of the tiles fits its rounds.
                let share = tiles.div_ceil(g.blocks as usize);
                assert!(g.rounds * (g.warps / g.kp) >= share && (g.rounds - 1) * (g.warps / g.kp) < share, "{g:?}");
            }
        }
        // x staged per block: K = 65536 leaves no room for two 8-warp stages of 8-bit rows.
        assert!(warp_ring_geometry(8, 32, 4, 4096, 65536, 132, (0, 0), 0).is_none());
        let g = warp_ring_geometry(4, 64, 4, 14336, 4096, 132, (8, 0), 0).unwrap();
        assert_eq!((g.kp, g.rounds, g.blocks, g.stages), (1, 1, 132, 3));
        let g = warp_ring_geometry(4, 64, 4, 14336, 4096, 132, (16, 0), 0).unwrap();
        assert_eq!((g.warps, g.kp, g.rounds, g.stages), (16, 2, 1, 2));
        let g = warp_ring_geometry(4, 64, 4, 14336, 4096, 132, (8, 6), 0).unwrap();
        assert_eq!(g.stages, 6);
        let g = warp_ring_geometry(4, 64, 4, 4096, 14336, 132, (0, 0), 0).unwrap();
        assert_eq!((g.warps, g.kp, g.rounds, g.stages), (8, 4, 1, 3));
        assert_eq!(warp_ring_geometry(8, 64, 4, 14336, 4096, 132, (0, 0), 0).unwrap().warps, 8);
        // 1024-code stages: 8 warps, K a multiple of 1024 (else 512).
        // fp modes: one scale byte per group (nvfp4 16, mx 32), 8 warps, ≥ 2 stages.
        for (bits, gs) in [(4, 16), (4, 32), (8, 32)] {
            for (n, k) in [(4096, 4096), (14336, 4096), (4096, 14336), (28672, 4096), (45, 14336)] {
                let g = warp_ring_geometry(bits, gs, 1, n, k, 132, (0, 0), 0).unwrap();
                assert!(g.smem <= SM90_SMEM_PER_BLOCK && g.warps == 8 && g.stages >= 2.min(g.rounds * (k / 512).div_ceil(g.kp)), "{g:?}");
            }
        }
        let g = warp_ring_geometry(4, 64, 4, 14336, 4096, 132, (0, 0), 1024).unwrap();
        assert_eq!((g.warps, g.ks, g.stages), (8, 1024, 3));
        assert_eq!(warp_ring_geometry(4, 64, 4, 14336, 4608, 132, (0, 0), 1024).unwrap().ks, 512);
    }

    #[test]
    fn regs_geometry_covers_the_tiles_and_fits() {
        for shape in [(8, 512, 2), (16, 256, 2)] {
            for (n, k) in [(14336, 4096), (4096, 14336), (28672, 4096), (4096, 4096), (45, 5120), (17000, 512), (16, 512)] {
                let g = regs_geometry(shape, n, k, 132).unwrap();
                let share = n.div_ceil(WRING_ROWS).div_ceil(g.blocks as usize);
                assert!(g.kp <= g.warps && k / g.ks >= g.kp && g.smem <= SM90_SMEM_PER_BLOCK, "{g:?}");
                assert!(g.rounds * (g.warps / g.kp) >= share && (g.rounds - 1) * (g.warps / g.kp) < share, "{g:?}");
            }
        }
        // 512-code stages need K a multiple of 512 (the M = 1 path's own condition); 256 go on.
        assert!(regs_geometry((8, 512, 2), 4096, 4352, 132).is_none());
        assert_eq!(regs_geometry((16, 256, 2), 4096, 4352, 132).unwrap().ks, 256);
    }

    #[test]
    fn gather_bulk_plan_takes_only_whole_k_steps() {
        let a = [0x1000u64, 0x2000, 0x3000];
        // mma.sync is warp-collective: a k step cut by K between a warp's lanes hung the kernel
        // (K = 64, session 4). Steps are 128 codes (nvfp4 64; 4-bit affine and mxfp4 may take
        // half steps of 64): K below one step or between steps gets no plan.
        for (mode, gs, bits, k) in [(Mode::Affine, 32, 8, 64), (Mode::Affine, 64, 8, 192), (Mode::Affine, 32, 4, 160), (Mode::Nvfp4, 16, 4, 32), (Mode::Nvfp4, 16, 4, 80), (Mode::Mxfp4, 32, 4, 96)] {
            assert!(gather_bulk_plan(&op(mode, gs, bits, DType::F16, 256, k), 8, &a, 0x4000, 132, 0).is_none(), "{mode:?} {bits}-bit K={k}");
        }
        for (mode, gs, bits, k) in [(Mode::Affine, 64, 4, 128), (Mode::Affine, 64, 8, 768), (Mode::Affine, 64, 4, 2048), (Mode::Nvfp4, 16, 4, 64), (Mode::Mxfp4, 32, 4, 768), (Mode::Affine, 32, 4, 64), (Mode::Affine, 64, 4, 192)] {
            let g = gather_bulk_plan(&op(mode, gs, bits, DType::F16, 1536, k), 8, &a, 0x4000, 132, 0).unwrap_or_else(|| panic!("{mode:?} {bits}-bit K={k}"));
            let step = if g.half { 64 } else if mode == Mode::Nvfp4 && !g.two_group { 64 } else { 128 };
            assert!(k % step == 0 && g.nstages >= 2 && g.nstages <= GATHER_BULK_MAX_STAGES && g.smem <= g.smem_limit && 8 % g.kp == 0, "{mode:?} K={k}");
            assert!(!g.half || bits == 4);
            assert_eq!(g.two_group, mode == Mode::Nvfp4);
        }
        // nvfp4·bf16: the format's 64-code steps, no half steps, no x in the stage.
        let g = gather_bulk_plan(&op(Mode::Nvfp4, 16, 4, DType::BF16, 2048, 768), 512, &a, 0x4000, 132, 0).unwrap();
        assert_eq!((g.two_group, g.half, g.x_staged, g.kp), (false, false, false, 4));
        // nvfp4·f16: gate+up two 128-code steps per part of 8 (x kept), down 12 half steps over 4
        // parts with x in the stage.
        let g = gather_bulk_plan(&op(Mode::Nvfp4, 16, 4, DType::F16, 1536, 2048), 512, &a, 0x4000, 132, 0).unwrap();
        assert_eq!((g.two_group, g.kp, g.half, g.per_sm, g.x_staged), (true, 8, false, 2, false));
        let g = gather_bulk_plan(&op(Mode::Nvfp4, 16, 4, DType::F16, 2048, 768), 512, &a, 0x4000, 132, 0).unwrap();
        assert_eq!((g.two_group, g.kp, g.half, g.per_sm, g.x_staged, g.nstages), (true, 4, true, 2, true, 2));
        // The MoE layer: gate+up (K = 2048) 16 whole steps over 8 parts; down (K = 768) 12 half
        // steps over 4 parts (6 whole steps would split 2+2+1+1).
        // x in the stage at K = 768 only (two stages of 40 KB per block; at K = 2048 x would be
        // 32.9 KB per 36.9 KB of weights).
        let g = gather_bulk_plan(&op(Mode::Affine, 64, 4, DType::F16, 1536, 2048), 512, &a, 0x4000, 132, 0).unwrap();
        assert_eq!((g.kp, g.half, g.per_sm, g.x_staged), (8, false, 2, false));
        let g = gather_bulk_plan(&op(Mode::Affine, 64, 4, DType::F16, 2048, 768), 512, &a, 0x4000, 132, 0).unwrap();
        assert_eq!((g.kp, g.half, g.per_sm, g.x_staged, g.nstages), (4, true, 2, true, 2));
        // x rows misaligned: no x in the stage.
        assert!(!gather_bulk_plan(&op(Mode::Affine, 64, 4, DType::F16, 2048, 768), 512, &a, 0x4008, 132, 0).unwrap().x_staged);
        // mxfp4: two blocks per SM with half steps (the whole-step kernel spills there); affine4
        // bf16 takes two blocks where half steps balance (K = 768), else one below K = 2048.
        let g = gather_bulk_plan(&op(Mode::Mxfp4, 32, 4, DType::F16, 2048, 768), 512, &a, 0x4000, 132, 0).unwrap();
        assert_eq!((g.kp, g.half, g.per_sm, g.x_staged), (4, true, 2, true));
        let g = gather_bulk_plan(&op(Mode::Mxfp4, 32, 4, DType::F16, 1536, 2048), 512, &a, 0x4000, 132, 0).unwrap();
        assert_eq!((g.kp, g.half, g.per_sm, g.x_staged), (8, true, 2, false));
        let g = gather_bulk_plan(&op(Mode::Mxfp4, 32, 4, DType::F16, 2048, 768), 512, &a, 0x4000, 132, 1).unwrap();
        assert_eq!((g.kp, g.half, g.per_sm, g.x_staged), (2, false, 1, true));
        let g = gather_bulk_plan(&op(Mode::Affine, 64, 4, DType::BF16, 2048, 768), 512, &a, 0x4000, 132, 0).unwrap();
        assert_eq!((g.kp, g.half, g.per_sm, g.x_staged), (4, true, 2, true));
        let g = gather_bulk_plan(&op(Mode::Affine, 64, 4, DType::BF16, 1536, 2048), 512, &a, 0x4000, 132, 0).unwrap();
        assert_eq!((g.kp, g.half, g.per_sm), (8, false, 2));
        let g = gather_bulk_plan(&op(Mode::Affine, 64, 4, DType::BF16, 2048, 1024), 512, &a, 0x4000, 132, 0).unwrap();
        assert_eq!((g.kp, g.half, g.per_sm), (8, false, 1));
    }

    #[test]
    fn bulk_stages_fit_two_blocks_per_sm() {
        // sm_90: 227 KB of shared memory per SM, 1 KB reserved per block.
        for bits in [1, 2, 3, 4, 5, 6, 8] {
            assert!(2 * (bulk_smem(bits) + 1024) <= 227 * 1024, "bits {bits}: {} bytes", bulk_smem(bits));
        }
    }
}
