//! The objc2-metal host (compiled only for Apple targets).

use objc2::rc::Retained;
use objc2::runtime::ProtocolObject;
use objc2_foundation::NSString;
use objc2_metal::{
    MTLBuffer, MTLCommandBuffer, MTLCommandEncoder, MTLCommandQueue, MTLComputeCommandEncoder, MTLComputePipelineState,
    MTLDevice, MTLLibrary, MTLResource, MTLResourceOptions, MTLSize,
};
use qmlx_core::cpu::GatherIndices;
use qmlx_core::{DType, Error, MatmulOp, Result};
use qmlx_wgpu::msl::{kernel_msl, SIZES_SLOT};
use qmlx_wgpu::shaders::{dtype_tag, spec_constants, Kernel};
use qmlx_wgpu::Plan;
use std::collections::HashMap;
use std::ffi::c_void;
use std::ptr::NonNull;
use std::sync::Mutex;

type Device = ProtocolObject<dyn MTLDevice>;
type Buffer = ProtocolObject<dyn MTLBuffer>;
type CommandBuffer = ProtocolObject<dyn MTLCommandBuffer>;
type Pipeline = ProtocolObject<dyn MTLComputePipelineState>;

fn err(what: impl std::fmt::Display) -> Error {
    Error::Backend(format!("metal: {what}"))
}

/// A tensor living in an `MTLBuffer` (a torch MPS tensor's storage), at a byte offset.
#[derive(Debug, Clone, Copy)]
pub struct MpsTensor<'a> {
    /// The storage's buffer. For torch: `untyped_storage().data_ptr()` *is* the `id<MTLBuffer>`
    /// on the torch versions the spec read (not `data_ptr()`, which adds the view offset).
    pub buffer: &'a Buffer,
    /// Byte offset of element 0 (`storage_offset() * itemsize`); must be 16-byte aligned for `w`.
    pub byte_offset: usize,
    /// Element type.
    pub dtype: DType,
    /// Dimensions (contiguous, row-major).
    pub shape: &'a [usize],
}

impl MpsTensor<'_> {
    fn numel(&self) -> usize {
        self.shape.iter().product()
    }
}

/// Where the kernels are encoded.
pub enum Target<'a> {
    /// Into torch's current MPS command buffer (`torch::mps::get_command_buffer()`), ordered with
    /// torch's own work on its stream; torch commits it.
    Torch(&'a CommandBuffer),
    /// Into our own command buffer, committed and waited for (the caller must have run
    /// `torch.mps.synchronize()` first). The fallback.
    Own,
}

/// Reinterprets a torch MPS storage pointer as an `MTLBuffer`.
///
/// # Safety
/// `ptr` must be a live `id<MTLBuffer>` (torch's `untyped_storage().data_ptr()` for an MPS
/// tensor) that outlives the returned reference.
pub unsafe fn buffer_from_torch<'a>(ptr: *mut c_void) -> Option<&'a Buffer> {
    unsafe { (ptr as *const Buffer).as_ref() }
}

/// Resolves `torch::mps::get_command_buffer()` in the already-loaded libtorch (C++ symbol, looked
/// up at run time because its ABI is not ours to link against). None if torch is not loaded.
///
/// # Safety
/// Calls into torch; must run where torch's MPS stream may be used (its serial queue).
pub unsafe fn torch_command_buffer<'a>() -> Option<&'a CommandBuffer> {
    extern "C" {
        fn dlsym(handle: *mut c_void, symbol: *const std::ffi::c_char) -> *mut c_void;
    }
    const RTLD_DEFAULT: *mut c_void = -2isize as *mut c_void;
    let sym = unsafe { dlsym(RTLD_DEFAULT, c"_ZN5torch3mps18get_command_bufferEv".as_ptr()) };
    if sym.is_null() {
        return None;
    }
    let get: extern "C" fn() -> *mut c_void = unsafe { std::mem::transmute(sym) };
    unsafe { (get() as *const CommandBuffer).as_ref() }
}

/// The Metal host: a device (torch's), a queue for the fallback path, and compiled pipelines.
pub struct MetalHost {
    device: Retained<Device>,
    queue: Retained<ProtocolObject<dyn MTLCommandQueue>>,
    pipelines: Mutex<HashMap<String, Retained<Pipeline>>>,
}

impl MetalHost {
    /// Opens the device that owns `buffer` (so torch's buffers and ours share one device).
    pub fn for_buffer(buffer: &Buffer) -> Result<Self> {
        Self::with_device(buffer.device())
    }

    /// Opens the system default device.
    pub fn system_default() -> Result<Self> {
        let d = objc2_metal::MTLCreateSystemDefaultDevice().ok_or_else(|| err("no Metal device"))?;
        Self::with_device(d)
    }

    fn with_device(device: Retained<Device>) -> Result<Self> {
        let queue = device.newCommandQueue().ok_or_else(|| err("newCommandQueue failed"))?;
        Ok(MetalHost { device, queue, pipelines: Mutex::new(HashMap::new()) })
    }

    /// The device name, for `build_info()`.
    pub fn device_name(&self) -> String {
        self.device.name().to_string()
    }

    /// Compiles (once) the MSL of `kernel` specialised by `constants`.
    fn pipeline(&self, kernel: Kernel, constants: &[(&str, f64)]) -> Result<Retained<Pipeline>> {
        let key = format!("{}{constants:?}", kernel.name());
        if let Some(p) = self.pipelines.lock().unwrap().get(&key) {
            return Ok(p.clone());
        }
        let (src, entry) = kernel_msl(kernel, constants, (2, 4))?;
        let library = self
            .device
            .newLibraryWithSource_options_error(&NSString::from_str(&src), None)
            .map_err(|e| err(format!("compiling {}: {}", kernel.name(), e.localizedDescription())))?;
        let function = library.newFunctionWithName(&NSString::from_str(&entry)).ok_or_else(|| err(format!("no function {entry}")))?;
        let pso = self
            .device
            .newComputePipelineStateWithFunction_error(&function)
            .map_err(|e| err(format!("pipeline {}: {}", kernel.name(), e.localizedDescription())))?;
        self.pipelines.lock().unwrap().insert(key, pso.clone());
        Ok(pso)
    }

    fn table<T: Copy>(&self, data: &[T]) -> Result<Retained<Buffer>> {
        let bytes = std::mem::size_of_val(data);
        let shared = MTLResourceOptions::StorageModeShared;
        let buf = match NonNull::new(data.as_ptr() as *mut c_void) {
            // SAFETY: `ptr` points at `bytes` readable bytes; Metal copies them.
            Some(ptr) if bytes > 0 => unsafe { self.device.newBufferWithBytes_length_options(ptr, bytes, shared) },
            _ => self.device.newBufferWithLength_options(16, shared),
        };
        buf.ok_or_else(|| err("buffer allocation failed"))
    }

    /// Encodes one dispatch: `buffers[i]` at `[[buffer(i+1)]]`, `params` at `[[buffer(0)]]`.
    fn encode(
        &self,
        cmd: &CommandBuffer,
        kernel: Kernel,
        constants: &[(&str, f64)],
        params: &[u32; 8],
        buffers: &[(&Buffer, usize)],
        groups: (usize, usize),
    ) -> Result<()> {
        let pso = self.pipeline(kernel, constants)?;
        let enc = cmd.computeCommandEncoder().ok_or_else(|| err("computeCommandEncoder failed"))?;
        enc.setComputePipelineState(&pso);
        let sizes: Vec<u32> = buffers.iter().map(|(b, off)| (b.length() - off) as u32).chain(std::iter::repeat(0)).take(16).collect();
        // SAFETY: params/sizes are small host arrays copied by Metal at encode time; each buffer is
        // a live MTLBuffer whose size the op validated against its description.
        unsafe {
            enc.setBytes_length_atIndex(NonNull::from(params).cast(), 32, 0);
            for (i, (b, off)) in buffers.iter().enumerate() {
                enc.setBuffer_offset_atIndex(Some(b), *off, i + 1);
            }
            enc.setBytes_length_atIndex(NonNull::new(sizes.as_ptr() as *mut c_void).unwrap(), 64, SIZES_SLOT as usize);
        }
        let grid = MTLSize { width: groups.0, height: groups.1, depth: 1 };
        let threads = MTLSize { width: 64, height: 1, depth: 1 };
        enc.dispatchThreadgroups_threadsPerThreadgroup(grid, threads);
        enc.endEncoding();
        Ok(())
    }

    /// `quantized_matmul` / `gather_qmm` on MPS tensors, validated by `op` exactly like the other
    /// backends. `out` must be float32, or `scratch` (float32, `out`'s element count) must be
    /// given for a 16-bit output.
    #[allow(clippy::too_many_arguments)]
    pub fn matmul(
        &self,
        target: Target<'_>,
        op: &MatmulOp,
        x: MpsTensor<'_>,
        w: MpsTensor<'_>,
        scales: MpsTensor<'_>,
        biases: Option<MpsTensor<'_>>,
        indices: GatherIndices<'_>,
        global_scale: Option<MpsTensor<'_>>,
        out: MpsTensor<'_>,
        scratch: Option<MpsTensor<'_>>,
    ) -> Result<()> {
        let spec = &op.spec;
        let (rows, cols) = if op.transpose { (op.n, op.k) } else { (op.k, op.n) };
        let gs = spec.group_size() as usize;
        let expect = |arg: &'static str, t: &MpsTensor<'_>, dtype: DType, numel: usize| -> Result<()> {
            if t.dtype != dtype || t.numel() != numel || t.byte_offset + numel * dtype.size() > t.buffer.length() {
                return Err(Error::Shape { arg, expected: format!("{numel} elements of {dtype} inside its buffer"), got: format!("{:?} {}", t.shape, t.dtype) });
            }
            Ok(())
        };
        expect("x", &x, op.out_dtype, op.x_count * op.m * op.k)?;
        expect("w", &w, DType::U32, op.w_count * rows * spec.packed_words(cols))?;
        if w.byte_offset % 16 != 0 {
            return Err(Error::Value { arg: "w", expected: "a 16-byte aligned storage offset".into(), got: w.byte_offset.to_string() });
        }
        let sd = spec.scales_dtype(op.out_dtype);
        expect("scales", &scales, sd, op.w_count * rows * cols / gs)?;
        if let Some(b) = &biases {
            expect("biases", b, sd, op.w_count * rows * cols / gs)?;
        }
        if biases.is_some() != spec.has_biases() || global_scale.is_some() != op.has_global_scale {
            return Err(Error::Value { arg: "biases", expected: "the presence the op was described with".into(), got: "a mismatch".into() });
        }
        if let Some(g) = &global_scale {
            expect("global_scale", g, DType::F32, op.w_count)?;
        }
        let total = op.batch_count() * op.m * op.n;
        expect("out", &out, op.out_dtype, total)?;
        let pairs = op.pairs(indices.lhs, indices.rhs)?;
        if total == 0 {
            return Ok(());
        }
        let plan = Plan::new(op, &pairs);
        let (tiles, rows_t) = (self.table(&plan.tiles)?, self.table(&plan.rows)?);
        let params = [
            op.n as u32, op.k as u32, rows as u32, spec.packed_words(cols) as u32, (cols / gs) as u32,
            global_scale.is_some() as u32, plan.tiles.len() as u32, cols as u32,
        ];
        let mut constants = spec_constants(spec);
        constants.push(("XDT", dtype_tag(op.out_dtype)));
        let (kernel, gx) = if plan.qmv {
            (Kernel::Qmv, op.n.div_ceil(8))
        } else {
            constants.push(("TRANSPOSE", op.transpose as u32 as f64));
            (Kernel::Qmm, op.n.div_ceil(32))
        };
        let dst = if op.out_dtype == DType::F32 {
            out
        } else {
            let s = scratch.ok_or_else(|| Error::Value { arg: "scratch", expected: format!("a float32 buffer of {total} elements"), got: "None".into() })?;
            expect("scratch", &s, DType::F32, total)?;
            s
        };
        let own;
        let cmd: &CommandBuffer = match target {
            Target::Torch(c) => c,
            Target::Own => {
                own = self.queue.commandBuffer().ok_or_else(|| err("commandBuffer failed"))?;
                &own
            }
        };
        let absent = (x.buffer, x.byte_offset); // bound where an input is absent; never read
        self.encode(
            cmd,
            kernel,
            &constants,
            &params,
            &[
                (x.buffer, x.byte_offset),
                (w.buffer, w.byte_offset),
                (scales.buffer, scales.byte_offset),
                biases.map_or(absent, |b| (b.buffer, b.byte_offset)),
                global_scale.map_or(absent, |g| (g.buffer, g.byte_offset)),
                (&tiles, 0),
                (&rows_t, 0),
                (dst.buffer, dst.byte_offset),
            ],
            (gx, plan.tiles.len()),
        )?;
        if op.out_dtype != DType::F32 {
            let cp = [total as u32, 0, 0, 0, 0, 0, 0, 0];
            self.encode(
                cmd,
                Kernel::Cast,
                &[("ODT", dtype_tag(op.out_dtype))],
                &cp,
                &[(dst.buffer, dst.byte_offset), (out.buffer, out.byte_offset)],
                (total.div_ceil(2).div_ceil(64), 1),
            )?;
        }
        if matches!(target, Target::Own) {
            cmd.commit();
            cmd.waitUntilCompleted();
        }
        Ok(())
    }
}

/// Proof that the Apple-only code is really type-checked: `scripts/check_macos_host.sh` builds
/// with `--cfg qmlx_deliberate_type_error` and requires the aarch64-apple-darwin check to fail
/// here (a size is not a device), while the same flag on Linux compiles (this module is absent).
#[cfg(qmlx_deliberate_type_error)]
#[allow(dead_code)]
fn deliberate_type_error(host: &MetalHost) -> MTLSize {
    host.device.clone()
}
