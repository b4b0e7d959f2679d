//! The objc2-metal host (compiled only for Apple targets). Type-checked on Linux by
//! `scripts/check_macos_host.sh`; never compiled by Apple's toolchain nor run.
//!
//! Each op: the op's own buffer checks (`check_buffers`, shared with every backend) plus checks
//! that each tensor's byte span lies inside its `MTLBuffer`; then the launch description of
//! `qmlx_wgpu::launch` (kernel, constants, parameters, grid: the same ones the wgpu backend's
//! tests run on lavapipe), the MSL naga makes of that kernel, compiled once per specialisation.

use objc2::rc::Retained;
use objc2::runtime::ProtocolObject;
use objc2_foundation::NSString;
use objc2_metal::{
    MTLBuffer, MTLCommandBuffer, MTLCommandBufferStatus, MTLCommandEncoder, MTLCommandQueue, MTLCompileOptions,
    MTLComputeCommandEncoder, MTLComputePipelineState, MTLDevice, MTLLanguageVersion, MTLLibrary, MTLResource,
    MTLResourceOptions, MTLSize, MTLStorageMode,
};
use qmlx_core::cpu::GatherIndices;
use qmlx_core::{DType, DequantizeOp, Error, MatmulOp, Meta, QuantizeOp, Result};
use qmlx_wgpu::launch::{Launch, QUANTIZE_STATUS_INIT};
use qmlx_wgpu::msl::{kernel_msl, SIZES_SLOT};
use qmlx_wgpu::Plan;
use std::collections::HashMap;
use std::ffi::c_void;
use std::ptr::NonNull;
use std::sync::Mutex;

type Device = ProtocolObject<dyn MTLDevice>;
type Buffer = ProtocolObject<dyn MTLBuffer>;
type CommandBuffer = ProtocolObject<dyn MTLCommandBuffer>;
type Pipeline = ProtocolObject<dyn MTLComputePipelineState>;

/// The MSL version naga writes and Metal is asked to compile (what the snapshots and the clang
/// check use).
const MSL_VERSION: (u8, u8) = (2, 4);

fn err(what: impl std::fmt::Display) -> Error {
    Error::Backend(format!("metal: {what}"))
}

/// A tensor living in an `MTLBuffer` (a torch MPS tensor's storage), at a byte offset.
#[derive(Debug, Clone, Copy)]
pub struct MpsTensor<'a> {
    /// The storage's buffer: for torch, `untyped_storage().data_ptr()` *is* the `id<MTLBuffer>`
    /// (see [`buffer_from_torch`]).
    pub buffer: &'a Buffer,
    /// Byte offset of element 0 (`storage_offset() * itemsize`).
    pub byte_offset: usize,
    /// Element type.
    pub dtype: DType,
    /// Dimensions (contiguous, row-major).
    pub shape: &'a [usize],
}

impl<'a> MpsTensor<'a> {
    fn meta(&self) -> Meta {
        Meta::new(self.dtype, self.shape)
    }
    fn bound(&self) -> (&'a Buffer, usize) {
        (self.buffer, self.byte_offset)
    }
}

/// Checks that `t`'s bytes lie inside its buffer. Kernels access 16-bit data as whole 32-bit
/// words and packed weights and matmul x as 16-byte vectors (`align` = 4 or 16), so the span is rounded up
/// to that, and the offset must be a multiple of it.
fn check_span(arg: &'static str, t: &MpsTensor<'_>, align: usize) -> Result<()> {
    if t.byte_offset % align != 0 {
        return Err(Error::Value { arg, expected: format!("a storage offset that is a multiple of {align} bytes"), got: format!("{} bytes", t.byte_offset) });
    }
    let span = (t.meta().numel() * t.dtype.size()).next_multiple_of(align);
    let len = t.buffer.length();
    if t.byte_offset.checked_add(span).is_none_or(|end| end > len) {
        return Err(Error::Value {
            arg,
            expected: format!("{span} bytes (rounded up to {align}) inside its MTLBuffer of {len} bytes"),
            got: format!("offset {}", t.byte_offset),
        });
    }
    Ok(())
}

fn check_spans(tensors: &[(&'static str, Option<&MpsTensor<'_>>, usize)]) -> Result<()> {
    tensors.iter().filter_map(|(a, t, al)| t.map(|t| (a, t, al))).try_for_each(|(a, t, al)| check_span(a, t, *al))
}

/// Reinterprets a torch MPS storage pointer as an `MTLBuffer`.
///
/// PyTorch's own helper is `getMTLBufferStorage(t) = __builtin_bit_cast(id<MTLBuffer>,
/// t.storage().data())`, and its kernels bind a tensor with `setBuffer:getMTLBufferStorage(t)
/// offset:t.storage_offset() * t.element_size()` (`mtl_setBuffer`), both in
/// `aten/src/ATen/native/mps/OperationUtils.h` (pytorch/pytorch, read at commit 18cb116). So
/// the storage's data pointer is the buffer object and a view's offset is passed separately;
/// `tensor.data_ptr()` (pointer + offset) is not a buffer for views. A proposal to make the
/// storage pointer `[buffer contents]` instead exists (pytorch PR #190373, not known to be
/// merged): that is unverified here until it runs on a Mac.
///
/// # Safety
/// `ptr` must be a live `id<MTLBuffer>` (torch's `untyped_storage().data_ptr()` for an MPS
/// tensor) that outlives the returned reference.
pub unsafe fn buffer_from_torch<'a>(ptr: *mut c_void) -> Option<&'a Buffer> {
    unsafe { (ptr as *const Buffer).as_ref() }
}

/// Where the kernels are encoded.
pub enum Target<'a> {
    /// Into a command buffer the caller owns and commits, e.g. torch's current MPS command buffer
    /// (`torch::mps::get_command_buffer()`, valid on torch's serial dispatch queue only), which
    /// orders the kernels with torch's own work without waiting. Not used from Python: see
    /// [`Target::Own`].
    Caller(&'a CommandBuffer),
    /// Into our own command buffer on our own queue, committed and waited for; the caller must
    /// have finished torch's pending work on the inputs first (`torch.mps.synchronize()`). What
    /// the Python package does: it needs only public APIs, where encoding into torch's buffer
    /// needs torch's C++ symbols (resolved at run time, ABI unchecked) and a `dispatch_sync` onto
    /// torch's queue. The price is a full synchronisation per call.
    Own,
}

/// The Metal host: a device (the one owning torch's buffers), a queue for [`Target::Own`] and
/// the compiled pipelines.
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

    /// Whether `buffer` belongs to this host's device (a buffer of another GPU cannot be bound).
    pub fn owns(&self, buffer: &Buffer) -> bool {
        std::ptr::eq(Retained::as_ptr(&buffer.device()), Retained::as_ptr(&self.device))
    }

    /// Compiles (once) the MSL of `launch`'s kernel specialised by its constants.
    fn pipeline(&self, launch: &Launch) -> Result<Retained<Pipeline>> {
        let key = format!("{}{:?}", launch.kernel.name(), launch.constants);
        if let Some(p) = self.pipelines.lock().unwrap().get(&key) {
            return Ok(p.clone());
        }
        let (src, entry) = kernel_msl(launch.kernel, &launch.constants, MSL_VERSION)?;
        let options = MTLCompileOptions::new();
        // Metal compiles with fast math by default, which may drop NaN/inf checks and reassociate:
        // quantize/dequantize must stay bit-exact with the CPU backend. `mathMode` would be the
        // newer spelling but needs macOS 15; this setter exists on every version.
        #[allow(deprecated)]
        options.setFastMathEnabled(false);
        options.setLanguageVersion(MTLLanguageVersion::Version2_4);
        let library = self
            .device
            .newLibraryWithSource_options_error(&NSString::from_str(&src), Some(&options))
            .map_err(|e| err(format!("compiling {}: {}", launch.kernel.name(), e.localizedDescription())))?;
        let function = library.newFunctionWithName(&NSString::from_str(&entry)).ok_or_else(|| err(format!("no function {entry}")))?;
        let pso = self
            .device
            .newComputePipelineStateWithFunction_error(&function)
            .map_err(|e| err(format!("pipeline {}: {}", launch.kernel.name(), e.localizedDescription())))?;
        if pso.maxTotalThreadsPerThreadgroup() < launch.workgroup_size {
            return Err(err(format!("{}: the device runs at most {} threads per threadgroup, the kernel needs {}", launch.kernel.name(), pso.maxTotalThreadsPerThreadgroup(), launch.workgroup_size)));
        }
        self.pipelines.lock().unwrap().insert(key, pso.clone());
        Ok(pso)
    }

    fn buffer_with<T: Copy>(&self, data: &[T]) -> Result<Retained<Buffer>> {
        let bytes = std::mem::size_of_val(data);
        let shared = MTLResourceOptions::StorageModeShared;
        let buf = match NonNull::new(data.as_ptr() as *mut c_void) {
            // SAFETY: `ptr` points at `bytes` readable bytes; Metal copies them.
            Some(ptr) if bytes > 0 => unsafe { self.device.newBufferWithBytes_length_options(ptr, bytes, shared) },
            _ => self.device.newBufferWithLength_options(16, shared),
        };
        buf.ok_or_else(|| err("buffer allocation failed"))
    }

    fn scratch(&self, bytes: usize) -> Result<Retained<Buffer>> {
        self.device
            .newBufferWithLength_options(bytes.max(16), MTLResourceOptions::StorageModePrivate)
            .ok_or_else(|| err(format!("allocating {bytes} bytes of scratch failed")))
    }

    /// Encodes one launch: params at `[[buffer(0)]]`, `buffers[i]` at `[[buffer(i+1)]]` (the
    /// WGSL binding numbers, see `qmlx_wgpu::msl`), the array sizes naga may read at
    /// `[[buffer(SIZES_SLOT)]]`.
    fn encode(&self, cmd: &CommandBuffer, launch: &Launch, buffers: &[(&Buffer, usize)]) -> Result<()> {
        if buffers.len() + 1 != launch.kernel.slots().len() {
            return Err(err(format!("{}: {} buffers bound, the kernel has {} slots", launch.kernel.name(), buffers.len() + 1, launch.kernel.slots().len())));
        }
        let pso = self.pipeline(launch)?;
        let enc = cmd.computeCommandEncoder().ok_or_else(|| err("computeCommandEncoder failed"))?;
        enc.setComputePipelineState(&pso);
        let mut sizes = [0u32; 16];
        for (s, (b, off)) in sizes.iter_mut().zip(buffers) {
            *s = u32::try_from(b.length() - off).unwrap_or(u32::MAX);
        }
        // SAFETY: params/sizes are host arrays Metal copies at encode time; every buffer is a live
        // MTLBuffer whose bound span the op's checks placed inside it.
        unsafe {
            enc.setBytes_length_atIndex(NonNull::from(&launch.params).cast(), std::mem::size_of_val(&launch.params), 0);
            for (i, (b, off)) in buffers.iter().enumerate() {
                enc.setBuffer_offset_atIndex(Some(b), *off, i + 1);
            }
            enc.setBytes_length_atIndex(NonNull::from(&sizes).cast(), std::mem::size_of_val(&sizes), SIZES_SLOT as usize);
        }
        let (gx, gy) = launch.groups_xy();
        enc.dispatchThreadgroups_threadsPerThreadgroup(
            MTLSize { width: gx, height: gy, depth: 1 },
            MTLSize { width: launch.workgroup_size, height: 1, depth: 1 },
        );
        enc.endEncoding();
        Ok(())
    }

    /// Runs `encode` into the target's command buffer; for [`Target::Own`] commits, waits and
    /// turns a failed command buffer into an error.
    fn run(&self, target: Target<'_>, encode: impl FnOnce(&CommandBuffer) -> Result<()>) -> Result<()> {
        match target {
            Target::Caller(cmd) => encode(cmd),
            Target::Own => {
                let cmd = self.queue.commandBuffer().ok_or_else(|| err("commandBuffer failed"))?;
                encode(&cmd)?;
                cmd.commit();
                cmd.waitUntilCompleted();
                if cmd.status() == MTLCommandBufferStatus::Error {
                    let why = cmd.error().map_or_else(|| "unknown error".to_string(), |e| e.localizedDescription().to_string());
                    return Err(err(format!("command buffer failed: {why}")));
                }
                Ok(())
            }
        }
    }

    /// One launch on `target` ([`MetalHost::run`] of [`MetalHost::encode`]).
    fn run_launch(&self, target: Target<'_>, launch: &Launch, buffers: &[(&Buffer, usize)]) -> Result<()> {
        self.run(target, |cmd| self.encode(cmd, launch, buffers))
    }

    /// `quantize` into `wq`, `scales` (and affine `biases`), shaped as `op` says; meant to be
    /// bit-exact with the CPU backend (as the same kernel is on Vulkan). Always runs on our own
    /// command buffer and waits ([`Target::Own`]): a NaN/inf in `w` must become an error, which
    /// needs the kernel's status before returning.
    #[allow(clippy::too_many_arguments)]
    pub fn quantize(
        &self,
        op: &QuantizeOp,
        w: MpsTensor<'_>,
        global_scale: Option<MpsTensor<'_>>,
        wq: MpsTensor<'_>,
        scales: MpsTensor<'_>,
        biases: Option<MpsTensor<'_>>,
    ) -> Result<()> {
        let m = |t: &Option<MpsTensor<'_>>| t.as_ref().map(MpsTensor::meta);
        op.check_buffers(&w.meta(), m(&global_scale).as_ref(), &wq.meta(), &scales.meta(), m(&biases).as_ref())?;
        check_spans(&[
            ("w", Some(&w), 4),
            ("global_scale", global_scale.as_ref(), 4),
            ("wq", Some(&wq), 4),
            ("scales", Some(&scales), 4),
            ("biases", biases.as_ref(), 4),
        ])?;
        let Some(launch) = Launch::quantize(op)? else { return Ok(()) };
        let status = self.buffer_with(&QUANTIZE_STATUS_INIT)?;
        let unused = self.scratch(16)?;
        self.run_launch(
            Target::Own,
            &launch,
            &[
                w.bound(),
                global_scale.map_or(w.bound(), |g| g.bound()),
                wq.bound(),
                scales.bound(),
                biases.map_or((&*unused, 0), |b| b.bound()),
                (&*status, 0),
            ],
        )?;
        // SAFETY: a shared-storage buffer of 4 words, and the command buffer has completed.
        let st = unsafe { std::slice::from_raw_parts(status.contents().as_ptr() as *const u32, 4) };
        if st[1] != 0 {
            return Err(Error::Value { arg: "global_scale", expected: "a finite positive float".into(), got: "a non-finite or non-positive value".into() });
        }
        if st[0] != u32::MAX {
            let row = st[0] as usize;
            return Err(Error::NonFinite { row, value: self.first_non_finite(&w, row, op.cols).unwrap_or(f32::NAN) });
        }
        Ok(())
    }

    /// The first NaN/inf of `row` of `w`, when its buffer is CPU-readable (shared storage).
    fn first_non_finite(&self, w: &MpsTensor<'_>, row: usize, cols: usize) -> Option<f32> {
        if w.buffer.storageMode() != MTLStorageMode::Shared {
            return None;
        }
        let es = w.dtype.size();
        // SAFETY: the span check placed every row of w inside the buffer; the GPU work is done.
        let bytes = unsafe {
            std::slice::from_raw_parts((w.buffer.contents().as_ptr() as *const u8).add(w.byte_offset + row * cols * es), cols * es)
        };
        bytes
            .chunks(es)
            .map(|c| match w.dtype {
                DType::F32 => f32::from_le_bytes(c.try_into().unwrap()),
                DType::F16 => half::f16::from_le_bytes(c.try_into().unwrap()).to_f32(),
                _ => half::bf16::from_le_bytes(c.try_into().unwrap()).to_f32(),
            })
            .find(|v| !v.is_finite())
    }

    /// `dequantize` into `out` (dtype `op.out_dtype`).
    #[allow(clippy::too_many_arguments)]
    pub fn dequantize(
        &self,
        target: Target<'_>,
        op: &DequantizeOp,
        w: MpsTensor<'_>,
        scales: MpsTensor<'_>,
        biases: Option<MpsTensor<'_>>,
        global_scale: Option<MpsTensor<'_>>,
        out: MpsTensor<'_>,
    ) -> Result<()> {
        let m = |t: &Option<MpsTensor<'_>>| t.as_ref().map(MpsTensor::meta);
        op.check_buffers(&w.meta(), &scales.meta(), m(&biases).as_ref(), m(&global_scale).as_ref(), &out.meta())?;
        check_spans(&[
            ("w", Some(&w), 16),
            ("scales", Some(&scales), 4),
            ("biases", biases.as_ref(), 4),
            ("global_scale", global_scale.as_ref(), 4),
            ("out", Some(&out), 4),
        ])?;
        let Some(launch) = Launch::dequantize(op)? else { return Ok(()) };
        self.run_launch(
            target,
            &launch,
            &[w.bound(), scales.bound(), biases.map_or(w.bound(), |b| b.bound()), global_scale.map_or(w.bound(), |g| g.bound()), out.bound()],
        )
    }

    /// `quantized_matmul` / `gather_qmm` (`indices` are host data, validated by `op.pairs`).
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
    ) -> Result<()> {
        let m = |t: &Option<MpsTensor<'_>>| t.as_ref().map(MpsTensor::meta);
        op.check_buffers(&x.meta(), &w.meta(), &scales.meta(), m(&biases).as_ref(), m(&global_scale).as_ref(), &out.meta())?;
        check_spans(&[
            ("x", Some(&x), 16),
            ("w", Some(&w), 16),
            ("scales", Some(&scales), 4),
            ("biases", biases.as_ref(), 4),
            ("global_scale", global_scale.as_ref(), 4),
            ("out", Some(&out), 4),
        ])?;
        let pairs = op.pairs(indices.lhs, indices.rhs)?;
        if pairs.len() * op.m * op.n == 0 {
            return Ok(());
        }
        let plan = Plan::new(op, &pairs);
        let mut launch = Launch::matmul(op, &plan)?;
        if cfg!(feature = "coop-matrix") {
            if let Some(coop) = launch.coop8() {
                // Its simdgroup-to-block mapping assumes two simdgroups of 32 per threadgroup.
                if self.pipeline(&coop.main)?.threadExecutionWidth() == 32 {
                    launch = coop;
                }
            }
        }
        let (tiles, rows) = (self.buffer_with(&plan.tiles)?, self.buffer_with(&plan.rows)?);
        let scratch = launch.cast.as_ref().map(|_| self.scratch(plan.rows.len() * op.n * 4)).transpose()?;
        let dst = scratch.as_deref().map_or(out.bound(), |s| (s, 0));
        let mut main = vec![
            x.bound(),
            w.bound(),
            scales.bound(),
            biases.map_or(x.bound(), |b| b.bound()),
            global_scale.map_or(x.bound(), |g| g.bound()),
            (&*tiles, 0),
            (&*rows, 0),
            dst,
        ];
        if launch.main.kernel.binds_w_words() {
            main.push(w.bound());
        }
        self.run(target, |cmd| {
            self.encode(cmd, &launch.main, &main)?;
            if let Some(cast) = &launch.cast {
                self.encode(cmd, cast, &[dst, out.bound()])?;
            }
            Ok(())
        })
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
