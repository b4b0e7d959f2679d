//! The wgpu device, tensors living in wgpu buffers, and pipeline/dispatch plumbing.

use crate::plan::QmvLayout;
use crate::shaders::{Kernel, Slot};
use qmlx_core::{DType, Error, Meta, Result, TensorRef};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Workgroups per dispatch dimension (WebGPU's guaranteed minimum).
pub(crate) const MAX_GROUPS: u32 = 65535;

/// A contiguous, row-major tensor in a wgpu storage buffer. The buffer is padded to a multiple
/// of 16 bytes (and at least 16), so kernels can read it as `vec4<u32>`.
#[derive(Debug)]
pub struct GpuTensor {
    /// The storage buffer (`STORAGE | COPY_SRC | COPY_DST`).
    pub buffer: wgpu::Buffer,
    /// Element type.
    pub dtype: DType,
    /// Dimensions.
    pub shape: Vec<usize>,
}

impl GpuTensor {
    /// Shape and dtype.
    pub fn meta(&self) -> Meta {
        Meta::new(self.dtype, &self.shape)
    }
    /// Bytes of actual data (without padding).
    pub fn byte_len(&self) -> usize {
        self.shape.iter().product::<usize>() * self.dtype.size()
    }
}

fn padded(bytes: usize) -> u64 {
    (bytes.div_ceil(16) * 16).max(16) as u64
}

/// The wgpu backend: one adapter, device and queue, plus compiled pipelines.
pub struct WgpuContext {
    pub(crate) device: wgpu::Device,
    pub(crate) queue: wgpu::Queue,
    info: wgpu::AdapterInfo,
    limits: wgpu::Limits,
    pipelines: Mutex<HashMap<String, Arc<(wgpu::ComputePipeline, wgpu::BindGroupLayout)>>>,
    /// Bound where a kernel's read-only input is absent (biases in fp modes, global scales).
    pub(crate) dummy: wgpu::Buffer,
    /// A fixed qmv layout instead of [`QmvLayout::choose`] (benchmarks and tests).
    qmv_layout: Mutex<Option<QmvLayout>>,
    /// Parameter blocks already uploaded, by content (see [`WgpuContext::uniform`]).
    uniforms: Mutex<HashMap<[u32; 8], wgpu::Buffer>>,
    /// The tile and row tables of a plain schedule of n rows ([`crate::Plan::is_direct`]), by n.
    direct_tables: Mutex<HashMap<usize, (wgpu::Buffer, wgpu::Buffer)>>,
}

/// Distinct parameter blocks kept by [`WgpuContext::uniform`] (a model has a few shapes per layer).
const UNIFORM_CACHE: usize = 256;

impl std::fmt::Debug for WgpuContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.adapter_summary())
    }
}

fn desc_backends() -> wgpu::Backends {
    (wgpu::Backends::VULKAN | wgpu::Backends::METAL).with_env()
}

/// The adapter [`WgpuContext::new`] opens among `adapters`: a discrete GPU before an integrated one
/// before a software rasteriser; `QMLX_WGPU_ADAPTER=<substring>` picks by name. Public for the
/// bench tools that open their own device on the same adapter (examples/qmv_stats.rs).
#[doc(hidden)]
pub fn pick_adapter(adapters: Vec<wgpu::Adapter>) -> Result<wgpu::Adapter> {
    let wanted = std::env::var("QMLX_WGPU_ADAPTER").ok().map(|s| s.to_lowercase());
    let rank = |t: wgpu::DeviceType| match t {
        wgpu::DeviceType::DiscreteGpu => 0,
        wgpu::DeviceType::IntegratedGpu => 1,
        wgpu::DeviceType::VirtualGpu => 2,
        wgpu::DeviceType::Cpu => 3,
        wgpu::DeviceType::Other => 4,
    };
    let names: Vec<String> = adapters.iter().map(|a| a.get_info().name).collect();
    adapters
        .into_iter()
        .filter(|a| wanted.as_ref().is_none_or(|w| a.get_info().name.to_lowercase().contains(w)))
        .min_by_key(|a| rank(a.get_info().device_type))
        .ok_or_else(|| match wanted {
            Some(w) => backend_err(format!("no adapter matching QMLX_WGPU_ADAPTER={w:?} among {names:?}")),
            None => backend_err("no Vulkan or Metal adapter found (on Linux install a Vulkan driver, e.g. Debian's mesa-vulkan-drivers)"),
        })
}

fn backend_err(what: impl std::fmt::Display) -> Error {
    Error::Backend(format!("wgpu: {what}"))
}

impl WgpuContext {
    /// Opens the best adapter wgpu finds on Vulkan or Metal: a discrete GPU before an integrated
    /// one before a software rasteriser (lavapipe). `QMLX_WGPU_ADAPTER=<substring>` picks by name;
    /// `WGPU_BACKEND` narrows the backends as in wgpu. Fails with [`Error::Backend`] when there is
    /// no adapter.
    pub fn new() -> Result<Self> {
        Self::with_features(wgpu::Features::empty())
    }

    /// Whether the device has f16 arithmetic in shaders (SHADER_F16, asked for wherever the
    /// adapter has it): qmv then multiplies 4-bit codes by f16 x in packed f16 (`QMV_DECODE` 3).
    pub fn has_f16(&self) -> bool {
        self.device.features().contains(wgpu::Features::SHADER_F16)
    }

    /// [`WgpuContext::new`] with the optional device features of `wanted` that the adapter has
    /// (e.g. `TIMESTAMP_QUERY` for GPU timing in benchmarks); `device().features()` tells which.
    pub fn with_features(wanted: wgpu::Features) -> Result<Self> {
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
        desc.backends = desc_backends();
        let instance = wgpu::Instance::new(desc.with_env());
        let adapter = pick_adapter(pollster::block_on(instance.enumerate_adapters(desc_backends())))?;
        let limits = adapter.limits();
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("qmlx"),
            // SHADER_F16 where the adapter has it: qmv's f16 path (see `qmv_layout`).
            required_features: (wanted | wgpu::Features::SHADER_F16) & adapter.features(),
            required_limits: limits.clone(),
            ..Default::default()
        }))
        .map_err(|e| backend_err(format!("request_device failed: {e}")))?;
        let dummy = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("qmlx-dummy"),
            size: 16,
            usage: wgpu::BufferUsages::STORAGE,
            mapped_at_creation: false,
        });
        Ok(WgpuContext {
            device,
            queue,
            info: adapter.get_info(),
            limits,
            pipelines: Mutex::new(HashMap::new()),
            dummy,
            qmv_layout: Mutex::new(None),
            uniforms: Mutex::new(HashMap::new()),
            direct_tables: Mutex::new(HashMap::new()),
        })
    }

    /// A process-wide context, opened on first use (what the Python binding uses).
    pub fn global() -> Result<&'static WgpuContext> {
        static CTX: OnceLock<std::result::Result<WgpuContext, Error>> = OnceLock::new();
        CTX.get_or_init(WgpuContext::new).as_ref().map_err(|e| e.clone())
    }

    /// The adapter in use.
    pub fn adapter_info(&self) -> &wgpu::AdapterInfo {
        &self.info
    }

    /// One line naming the adapter, its driver and backend.
    pub fn adapter_summary(&self) -> String {
        let i = &self.info;
        format!("{} ({:?}, {:?}, driver {} {})", i.name, i.backend, i.device_type, i.driver, i.driver_info)
    }

    /// The wgpu device (for callers recording their own passes, e.g. benchmarks).
    pub fn device(&self) -> &wgpu::Device {
        &self.device
    }

    /// The wgpu queue.
    pub fn queue(&self) -> &wgpu::Queue {
        &self.queue
    }

    /// Makes later matmuls of this context run qmv with `layout` (None: the default choice,
    /// [`QmvLayout::choose`]). For benchmarks and tests of the layouts; results stay within the
    /// same accuracy metric, summation order aside.
    pub fn set_qmv_layout(&self, layout: Option<QmvLayout>) -> Result<()> {
        if let Some(l) = layout {
            l.validate().map_err(|e| Error::Value { arg: "layout", expected: e, got: l.to_string() })?;
            if l.decode == 3 && !self.has_f16() {
                return Err(Error::Value { arg: "layout", expected: "decode 3 only on a device with SHADER_F16".into(), got: l.to_string() });
            }
        }
        *self.qmv_layout.lock().unwrap() = layout;
        Ok(())
    }

    pub(crate) fn qmv_layout(&self, op: &qmlx_core::MatmulOp) -> QmvLayout {
        self.qmv_layout.lock().unwrap().unwrap_or_else(|| QmvLayout::choose(op).with_f16(op, self.has_f16()))
    }

    /// The device limits requested (the adapter's own).
    pub fn limits(&self) -> &wgpu::Limits {
        &self.limits
    }

    fn storage_buffer(&self, label: &str, bytes: usize) -> Result<wgpu::Buffer> {
        let size = padded(bytes);
        if size > self.limits.max_storage_buffer_binding_size || size > self.limits.max_buffer_size {
            return Err(backend_err(format!(
                "{label}: {bytes} bytes exceed the adapter's storage binding limit of {} bytes",
                self.limits.max_storage_buffer_binding_size
            )));
        }
        Ok(self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        }))
    }

    /// Allocates a zero-filled tensor.
    pub fn alloc(&self, meta: &Meta) -> Result<GpuTensor> {
        let bytes = meta.numel() * meta.dtype.size();
        Ok(GpuTensor { buffer: self.storage_buffer("qmlx-tensor", bytes)?, dtype: meta.dtype, shape: meta.shape.clone() })
    }

    /// Copies a host tensor into a new GPU tensor.
    pub fn upload(&self, t: &TensorRef<'_>) -> Result<GpuTensor> {
        let g = GpuTensor { buffer: self.storage_buffer("qmlx-tensor", t.bytes.len())?, dtype: t.dtype, shape: t.shape.to_vec() };
        self.write_bytes(&g.buffer, 0, t.bytes);
        Ok(g)
    }

    /// Uploads a slice of plain values into a new storage buffer (tables, parameters).
    pub(crate) fn upload_words<T: bytemuck::Pod>(&self, label: &str, data: &[T]) -> Result<wgpu::Buffer> {
        let bytes: &[u8] = bytemuck::cast_slice(data);
        let b = self.storage_buffer(label, bytes.len())?;
        self.write_bytes(&b, 0, bytes);
        Ok(b)
    }

    fn write_bytes(&self, buffer: &wgpu::Buffer, offset: u64, bytes: &[u8]) {
        let whole = bytes.len() / 4 * 4;
        if whole > 0 {
            self.queue.write_buffer(buffer, offset, &bytes[..whole]);
        }
        if whole < bytes.len() {
            // write_buffer wants a multiple of 4 bytes; the buffer is padded, so pad the tail.
            let mut tail = [0u8; 4];
            tail[..bytes.len() - whole].copy_from_slice(&bytes[whole..]);
            self.queue.write_buffer(buffer, offset + whole as u64, &tail);
        }
    }

    /// A scratch buffer for a read-write slot whose output is not wanted.
    pub(crate) fn scratch(&self, bytes: usize) -> Result<wgpu::Buffer> {
        self.storage_buffer("qmlx-scratch", bytes)
    }

    /// The parameter block `words` as a uniform buffer. Every kernel only reads it, so calls with
    /// the same parameters share one buffer, created and written once: a decode matmul's host
    /// work per call cost about what a compute pass does (bench/results/wgpu-gpu-h100-stage5-round1.txt,
    /// method D), and creating buffers is part of it.
    pub(crate) fn uniform(&self, words: &[u32; 8]) -> wgpu::Buffer {
        let mut cache = self.uniforms.lock().unwrap();
        if let Some(b) = cache.get(words) {
            return b.clone();
        }
        if cache.len() >= UNIFORM_CACHE {
            cache.clear(); // buffers still bound elsewhere live on (reference counted)
        }
        let b = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("qmlx-params"),
            size: 32,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        self.queue.write_buffer(&b, 0, bytemuck::cast_slice(words));
        cache.insert(*words, b.clone());
        b
    }

    /// The tile and row tables of the plain schedule of `n` rows (one tile of w matrix 0, x row i
    /// → output row i), uploaded once per n and shared (the kernels only read them).
    pub(crate) fn direct_tables(&self, n: usize) -> Result<(wgpu::Buffer, wgpu::Buffer)> {
        let mut cache = self.direct_tables.lock().unwrap();
        if let Some(t) = cache.get(&n) {
            return Ok(t.clone());
        }
        let rows: Vec<[u32; 2]> = (0..n as u32).map(|i| [i, i]).collect();
        let t = (self.upload_words("qmlx-tiles", &[[0u32, 0, n as u32, 0]])?, self.upload_words("qmlx-rows", &rows)?);
        cache.insert(n, t.clone());
        Ok(t)
    }

    /// Reads `len` bytes at `offset` of a buffer back to the host (waits for the GPU).
    pub(crate) fn read_bytes(&self, buffer: &wgpu::Buffer, offset: u64, len: usize) -> Result<Vec<u8>> {
        if len == 0 {
            return Ok(Vec::new());
        }
        let size = (len.div_ceil(4) * 4) as u64;
        let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("qmlx-readback"),
            size,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut enc = self.device.create_command_encoder(&Default::default());
        enc.copy_buffer_to_buffer(buffer, offset, &staging, 0, size);
        self.queue.submit([enc.finish()]);
        let (tx, rx) = std::sync::mpsc::channel();
        staging.map_async(wgpu::MapMode::Read, .., move |r| {
            let _ = tx.send(r);
        });
        self.device.poll(wgpu::PollType::wait_indefinitely()).map_err(backend_err)?;
        rx.recv().map_err(backend_err)?.map_err(backend_err)?;
        let view = staging.get_mapped_range(..).map_err(backend_err)?;
        let out = view[..len].to_vec();
        drop(view);
        staging.unmap();
        Ok(out)
    }

    /// Copies a GPU tensor back to the host.
    pub fn download(&self, t: &GpuTensor) -> Result<Vec<u8>> {
        self.read_bytes(&t.buffer, 0, t.byte_len())
    }

    /// Waits until all submitted work has finished.
    pub fn synchronize(&self) -> Result<()> {
        self.device.poll(wgpu::PollType::wait_indefinitely()).map(|_| ()).map_err(backend_err)
    }

    /// The pipeline for a kernel specialised by `constants` (compiled once, then cached).
    pub(crate) fn pipeline(
        &self,
        kernel: Kernel,
        constants: &[(&str, f64)],
    ) -> Result<Arc<(wgpu::ComputePipeline, wgpu::BindGroupLayout)>> {
        let key = format!("{}{:?}", kernel.name(), constants);
        if let Some(p) = self.pipelines.lock().unwrap().get(&key) {
            return Ok(p.clone());
        }
        let entries: Vec<wgpu::BindGroupLayoutEntry> = kernel
            .slots()
            .iter()
            .enumerate()
            .map(|(i, s)| wgpu::BindGroupLayoutEntry {
                binding: i as u32,
                visibility: wgpu::ShaderStages::COMPUTE,
                ty: match s {
                    Slot::Uniform => wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Uniform,
                        has_dynamic_offset: false,
                        min_binding_size: None,
                    },
                    Slot::Read | Slot::Write => wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Storage { read_only: *s == Slot::Read },
                        has_dynamic_offset: false,
                        min_binding_size: None,
                    },
                },
                count: None,
            })
            .collect();
        let bgl = self.device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor { label: Some(kernel.name()), entries: &entries });
        let layout = self.device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some(kernel.name()),
            bind_group_layouts: &[Some(&bgl)],
            immediate_size: 0,
        });
        let source = kernel.source_for(constants);
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        // SAFETY: the kernels index only within their bindings (tested on lavapipe with wgpu's
        // checks on); dropping the injected bounds checks keeps the inner loops lean.
        let module = unsafe {
            self.device.create_shader_module_trusted(
                wgpu::ShaderModuleDescriptor { label: Some(kernel.name()), source: wgpu::ShaderSource::Wgsl(source.into()) },
                if std::env::var_os("QMLX_WGPU_CHECKED").is_some() {
                    wgpu::ShaderRuntimeChecks::checked()
                } else {
                    wgpu::ShaderRuntimeChecks::unchecked()
                },
            )
        };
        let pipeline = self.device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(kernel.name()),
            layout: Some(&layout),
            module: &module,
            entry_point: Some(kernel.entry_point()),
            compilation_options: wgpu::PipelineCompilationOptions { constants, zero_initialize_workgroup_memory: false },
            cache: None,
        });
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(backend_err(format!("building {} {constants:?}: {e}", kernel.name())));
        }
        let p = Arc::new((pipeline, bgl));
        self.pipelines.lock().unwrap().insert(key, p.clone());
        Ok(p)
    }

    /// Binds `buffers` (slot i = binding i) to a kernel specialised by `constants`, for a grid
    /// of `groups` workgroups (y spread over y/z past 65535).
    pub(crate) fn prepare(
        &self,
        kernel: Kernel,
        constants: &[(&str, f64)],
        buffers: &[&wgpu::Buffer],
        groups: (u32, u32),
    ) -> Result<Dispatch> {
        let (gx, gy) = groups;
        let p = self.pipeline(kernel, constants)?;
        let entries: Vec<wgpu::BindGroupEntry> = buffers
            .iter()
            .enumerate()
            .map(|(i, b)| wgpu::BindGroupEntry { binding: i as u32, resource: b.as_entire_binding() })
            .collect();
        let bind_group = self.device.create_bind_group(&wgpu::BindGroupDescriptor { label: Some(kernel.name()), layout: &p.1, entries: &entries });
        let (y, z) = if gy > MAX_GROUPS { (MAX_GROUPS, gy.div_ceil(MAX_GROUPS)) } else { (gy, 1) };
        if gx > MAX_GROUPS || z > MAX_GROUPS {
            return Err(backend_err(format!("{}: grid {gx}×{gy} too large", kernel.name())));
        }
        Ok(Dispatch { pipeline: p, bind_group, grid: (gx, y, z) })
    }

    /// Binds `buffers` (slots 1.., after the parameters) to a launch description.
    pub(crate) fn prepare_launch(&self, l: &crate::launch::Launch, buffers: &[&wgpu::Buffer]) -> Result<Dispatch> {
        let params = self.uniform(&l.params);
        let mut all: Vec<&wgpu::Buffer> = vec![&params];
        all.extend_from_slice(buffers);
        let groups = match l.grid {
            crate::launch::Grid::Flat(n) => flat_grid(n)?,
            crate::launch::Grid::Tiles { x, tiles } => (
                u32::try_from(x).map_err(|_| backend_err(format!("{}: {x} column blocks", l.kernel.name())))?,
                u32::try_from(tiles).map_err(|_| backend_err(format!("{}: {tiles} tiles", l.kernel.name())))?,
            ),
        };
        self.prepare(l.kernel, &l.constants, &all, groups)
    }

    /// Prepares and submits one launch description.
    pub(crate) fn dispatch_launch(&self, l: &crate::launch::Launch, buffers: &[&wgpu::Buffer]) -> Result<()> {
        let d = self.prepare_launch(l, buffers)?;
        self.submit(&[&d]);
        Ok(())
    }

    /// Encodes `dispatches` in order into one compute pass and submits it.
    pub(crate) fn submit(&self, dispatches: &[&Dispatch]) {
        let mut enc = self.device.create_command_encoder(&Default::default());
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some("qmlx"), timestamp_writes: None });
            for d in dispatches {
                d.encode(&mut pass);
            }
        }
        self.queue.submit([enc.finish()]);
    }

    /// Prepares and submits one dispatch (the launch tests' hand-made dispatches; the ops go
    /// through [`WgpuContext::dispatch_launch`]).
    #[cfg(test)]
    pub(crate) fn dispatch(
        &self,
        kernel: Kernel,
        constants: &[(&str, f64)],
        buffers: &[&wgpu::Buffer],
        groups: (u32, u32),
    ) -> Result<()> {
        if groups.0 == 0 || groups.1 == 0 {
            return Ok(());
        }
        let d = self.prepare(kernel, constants, buffers, groups)?;
        self.submit(&[&d]);
        Ok(())
    }
}

/// A kernel with its buffers bound and its grid fixed: encode it as often as wanted.
#[derive(Debug)]
pub struct Dispatch {
    pipeline: Arc<(wgpu::ComputePipeline, wgpu::BindGroupLayout)>,
    bind_group: wgpu::BindGroup,
    grid: (u32, u32, u32),
}

impl Dispatch {
    /// Records the dispatch into a compute pass.
    pub fn encode(&self, pass: &mut wgpu::ComputePass<'_>) {
        if self.grid.0 == 0 || self.grid.1 == 0 {
            return;
        }
        pass.set_pipeline(&self.pipeline.0);
        pass.set_bind_group(0, &self.bind_group, &[]);
        pass.dispatch_workgroups(self.grid.0, self.grid.1, self.grid.2);
    }
}

/// Spreads `n` workgroups of a flat kernel over x and y (the kernels use `wid.y * nwg.x + wid.x`).
pub(crate) fn flat_grid(n: usize) -> Result<(u32, u32)> {
    let x = n.min(MAX_GROUPS as usize);
    let y = if n == 0 { 0 } else { n.div_ceil(MAX_GROUPS as usize) };
    if y > MAX_GROUPS as usize {
        return Err(backend_err(format!("{n} workgroups is too many for one dispatch")));
    }
    Ok((x as u32, y as u32))
}
