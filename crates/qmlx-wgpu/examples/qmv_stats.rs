//! What the Vulkan driver's compiler made of qmv (bench-only): registers per thread and the other
//! statistics the driver reports through VK_KHR_pipeline_executable_properties, per (mode, shape,
//! layout), with the occupancy they allow on an H100/H200 (sm_90). NVIDIA's driver gives no
//! profiler here (bench/results/wgpu-h100-stage10-notes.md), so this is the one view of register
//! pressure we have.
//!
//! wgpu cannot ask for statistics on its own pipelines (no CAPTURE_STATISTICS flag, the extension
//! is not enabled), so this opens a second Vulkan device on the same adapter through wgpu-hal (the
//! device features wgpu enables, plus the extension), writes the SPIR-V wgpu would write for
//! the kernel (naga: WGSL → overrides folded in → SPIR-V with the runtime checks off, as
//! `create_shader_module_trusted` with unchecked runtime checks asks) and builds the pipeline
//! itself with ash. Where the driver lacks the extension it says so and exits 0.
//!
//! Usage: qmv_stats [--modes affine4,...] [--shapes NxK,..] [--layouts L1,L2,..] [--ir DIR]
//!   --modes, --shapes: as wgpu_bench (default: every mode, the three issue-7 shapes)
//!   --layouts  qmv layouts besides the default (`lanes x cols x workgroup x unroll ...`, lanes
//!              `a<G>` for about G workgroups, as wgpu_bench)
//!   --ir DIR   also write the driver's internal representations (if it gives any) and each
//!              pipeline's cache blob (`.cache`: NVIDIA's holds the compiled program) to DIR
//!   --qmv-wgsl F1,F2,..  also compile each file in place of shaders/qmv.wgsl (the library's
//!              codes/wload/matmul_io includes, the same override constants), tagged by the file's
//!              stem: a shader variant's registers and SASS in the same call, without a build per
//!              variant

#[path = "shared/mod.rs"]
mod shared;

use qmlx_core::{DType, MatmulOp, Meta, QuantSpec};
use qmlx_wgpu::launch::Launch;
use qmlx_wgpu::plan::{Plan, QmvLayout};
use qmlx_wgpu::shaders::Kernel;

/// One compiled kernel variant as the driver reports it.
#[derive(Debug, Default)]
struct Readout {
    /// Per executable: its name and (statistic name, value as text).
    executables: Vec<(String, Vec<(String, String)>)>,
    /// Registers per thread (the first statistic whose name mentions registers), if reported.
    registers: Option<u32>,
    /// Workgroup memory the kernel declares (bytes, after overrides), and its workgroup size.
    workgroup_bytes: u32,
    workgroup_size: u32,
}

/// The occupancy an sm_90 SM (H100/H200) allows: 64K 32-bit registers in 4 sub-partitions (a
/// warp's registers, 256-register units, live in one), at most 64 warps and 32 blocks, 228 KB of
/// shared memory of which each block also takes 1 KB. Returns (warps per SM, what limits it).
fn sm90_occupancy(registers: u32, workgroup_size: u32, workgroup_bytes: u32) -> (u32, &'static str) {
    let warps_per_block = workgroup_size.div_ceil(32).max(1);
    let regs_per_warp = (registers.max(1) * 32).div_ceil(256) * 256;
    let warps_by_regs = (16384 / regs_per_warp) * 4;
    let by_regs = warps_by_regs / warps_per_block;
    let smem_per_block = (workgroup_bytes.div_ceil(128) * 128) + 1024;
    let by_smem = 228 * 1024 / smem_per_block;
    let by_warps = 64 / warps_per_block;
    let limits = [(by_regs, "registers"), (by_smem, "shared memory"), (by_warps, "warps"), (32, "blocks")];
    let (blocks, why) = limits.into_iter().min_by_key(|l| l.0).unwrap();
    (blocks * warps_per_block, why)
}

/// The readout's outcome: statistics, or why there are none on this adapter.
enum Outcome {
    /// Per (shape, mode, layout): the readout, and why the driver gives no statistics (if so: the
    /// kernels were still compiled through this path, without them).
    Stats(Vec<(String, String, String, Readout)>, Option<String>),
    Unsupported(String),
}

#[cfg(not(target_vendor = "apple"))]
mod vk {
    //! The Vulkan side: a device with the extension, pipelines of our own, their statistics.
    use super::Readout;
    use ash::vk;
    use qmlx_wgpu::shaders::{Kernel, Slot};
    use qmlx_wgpu::wgpu;
    use std::ffi::CString;
    use wgpu::hal::api::Vulkan;

    pub struct StatsDevice {
        /// A second device on the adapter (dropping it destroys the VkDevice; `readout` destroys what it
        /// creates before returning).
        device: wgpu::hal::vulkan::Device,
        _queue: wgpu::hal::vulkan::Queue,
        ext: Option<ash::khr::pipeline_executable_properties::Device>,
        /// Why the driver gives no statistics (None: it does).
        pub missing: Option<String>,
        spv_version: (u8, u8),
        pub adapter: String,
        ir: bool,
    }

    /// Opens the first Vulkan adapter wgpu would rank first (discrete before integrated before
    /// software; `QMLX_WGPU_ADAPTER` picks by name as in the library) with the extension, or says
    /// why it cannot.
    pub fn open(ir: bool) -> Result<StatsDevice, String> {
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
        desc.backends = wgpu::Backends::VULKAN;
        let instance = wgpu::Instance::new(desc);
        let adapter = qmlx_wgpu::pick_adapter(pollster::block_on(instance.enumerate_adapters(wgpu::Backends::VULKAN))).map_err(|e| e.to_string())?;
        let name = adapter.get_info().name;
        // SAFETY: the hal adapter is only used while `adapter` lives (this function).
        let hal = unsafe { adapter.as_hal::<Vulkan>() }.ok_or("not a Vulkan adapter")?;
        let inst = hal.shared_instance().raw_instance();
        let phys = hal.raw_physical_device();
        // SAFETY: valid instance and physical device handles from wgpu-hal.
        let (exts, props) = unsafe { (inst.enumerate_device_extension_properties(phys).map_err(|e| e.to_string())?, inst.get_physical_device_properties(phys)) };
        let ext_name = ash::khr::pipeline_executable_properties::NAME;
        let mut have = vk::PhysicalDevicePipelineExecutablePropertiesFeaturesKHR::default();
        let missing = if !exts.iter().any(|e| e.extension_name_as_c_str() == Ok(ext_name)) {
            Some(format!("the driver lacks {}", ext_name.to_string_lossy()))
        } else {
            let mut f2 = vk::PhysicalDeviceFeatures2::default().push_next(&mut have);
            // SAFETY: as above; the feature struct is chained for this call only.
            unsafe { inst.get_physical_device_features2(phys, &mut f2) };
            (have.pipeline_executable_info == vk::FALSE).then(|| "pipelineExecutableInfo is not supported".to_string())
        };
        let mut want = vk::PhysicalDevicePipelineExecutablePropertiesFeaturesKHR::default().pipeline_executable_info(true);
        let want_ref = &mut want;
        let with_ext = missing.is_none();
        // The device features wgpu would enable for the library's device (SHADER_F16 where the
        // adapter has it; the bench adds timestamps, which do not touch shaders), plus the extension
        // where the driver has it (without it the kernels are still compiled: a check of this path).
        // SAFETY: the callback only adds an extension the driver has and a feature it supports.
        let open = unsafe {
            hal.open_with_callback(
                // SHADER_F16 where the adapter has it, as the library asks (qmv's f16 path).
                wgpu::Features::SHADER_F16 & adapter.features(),
                &adapter.limits(),
                &wgpu::MemoryHints::Performance,
                Some(Box::new(move |args: wgpu::hal::vulkan::CreateDeviceCallbackArgs| {
                    if with_ext {
                        args.extensions.push(ext_name);
                        let info = std::mem::take(args.create_info);
                        *args.create_info = info.push_next(want_ref);
                    }
                })),
            )
        }
        .map_err(|e| format!("{name}: opening a device failed: {e}"))?;
        let ext = with_ext.then(|| ash::khr::pipeline_executable_properties::Device::new(inst, open.device.raw_device()));
        // The SPIR-V version wgpu-hal writes for this device's Vulkan version.
        let spv_version = match props.api_version {
            v if v >= vk::API_VERSION_1_3 => (1, 6),
            v if v >= vk::API_VERSION_1_2 => (1, 5),
            v if v >= vk::API_VERSION_1_1 => (1, 3),
            _ => (1, 0),
        };
        let driver = adapter.get_info().driver_info;
        Ok(StatsDevice { device: open.device, _queue: open.queue, ext, missing, spv_version, adapter: format!("{name} (driver {driver})"), ir })
    }

    /// The kernel's WGSL module; for qmv with `qmv_body`, that text in place of shaders/qmv.wgsl.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn module_source(kernel: Kernel, qmv_body: Option<&str>) -> String {
        module_source_for(kernel, qmv_body, &[])
    }

    /// [`module_source`] for the kernel specialised by `constants` (qmv's f16 path: the module
    /// with `enable f16;`, `Kernel::source_for`).
    pub fn module_source_for(kernel: Kernel, qmv_body: Option<&str>, constants: &[(&str, f64)]) -> String {
        match qmv_body {
            Some(body) if kernel == Kernel::Qmv => {
                let q = include_str!("../shaders/qmv.wgsl");
                let src = kernel.source_for(constants);
                let at = src.find(q.lines().next().unwrap_or_default()).expect("qmv.wgsl's first line in its module");
                format!("{}{body}", &src[..at])
            }
            _ => kernel.source_for(constants),
        }
    }

    fn spirv(kernel: Kernel, qmv_body: Option<&str>, constants: &[(&str, f64)], version: (u8, u8)) -> Result<(Vec<u32>, u32, u32), String> {
        let src = module_source_for(kernel, qmv_body, constants);
        let module = naga::front::wgsl::parse_str(&src).map_err(|e| e.emit_to_string(&src))?;
        let info = naga::valid::Validator::new(naga::valid::ValidationFlags::all(), naga::valid::Capabilities::all())
            .validate(&module)
            .map_err(|e| format!("{e:?}"))?;
        let pc: naga::back::PipelineConstants = constants.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        let (module, info) = naga::back::pipeline_constants::process_overrides(&module, &info, Some((naga::ShaderStage::Compute, kernel.entry_point())), &pc)
            .map_err(|e| format!("overrides: {e}"))?;
        let ep = module.entry_points.iter().find(|e| e.name == kernel.entry_point()).ok_or("no entry point")?;
        let workgroup_size = ep.workgroup_size.iter().product::<u32>();
        let workgroup_bytes = module
            .global_variables
            .iter()
            .filter(|(_, v)| v.space == naga::AddressSpace::WorkGroup)
            .map(|(_, v)| module.types[v.ty].inner.size(module.to_ctx()))
            .sum::<u32>();
        // wgpu-hal's options for this device (src/vulkan/adapter.rs) with what
        // create_shader_module_trusted + ShaderRuntimeChecks::unchecked() turns off.
        let mut opts = naga::back::spv::Options::default();
        opts.lang_version = version;
        opts.flags = naga::back::spv::WriterFlags::LABEL_VARYINGS | naga::back::spv::WriterFlags::FORCE_POINT_SIZE;
        opts.capabilities = None;
        let unchecked = naga::proc::BoundsCheckPolicy::Unchecked;
        opts.bounds_check_policies = naga::proc::BoundsCheckPolicies { index: unchecked, buffer: unchecked, image_load: unchecked, binding_array: unchecked };
        opts.zero_initialize_workgroup_memory = naga::back::spv::ZeroInitializeWorkgroupMemoryMode::None;
        opts.force_loop_bounding = false;
        opts.ray_query_initialization_tracking = false;
        opts.task_dispatch_limits = None;
        opts.emit_int_div_checks = false;
        let pipeline = naga::back::spv::PipelineOptions { entry_point: kernel.entry_point().to_string(), shader_stage: naga::ShaderStage::Compute };
        let words = naga::back::spv::write_vec(&module, &info, &opts, Some(&pipeline)).map_err(|e| format!("spv: {e}"))?;
        Ok((words, workgroup_size, workgroup_bytes))
    }

    fn stat_value(s: &vk::PipelineExecutableStatisticKHR) -> String {
        // SAFETY: the union member read is the one `format` names.
        unsafe {
            match s.format {
                vk::PipelineExecutableStatisticFormatKHR::BOOL32 => (s.value.b32 != 0).to_string(),
                vk::PipelineExecutableStatisticFormatKHR::INT64 => s.value.i64.to_string(),
                vk::PipelineExecutableStatisticFormatKHR::UINT64 => s.value.u64.to_string(),
                vk::PipelineExecutableStatisticFormatKHR::FLOAT64 => format!("{:.3}", s.value.f64),
                f => format!("? (format {f:?})"),
            }
        }
    }

    impl StatsDevice {
        /// Compiles `kernel` with `constants` and reads its statistics (and, with `ir`, the
        /// driver's internal representations as (name, text)).
        /// `cache_file`: also write the pipeline cache the pipeline was built into (the driver's
        /// opaque blob; NVIDIA's holds the compiled program, for offline disassembly).
        pub fn readout(&self, kernel: Kernel, qmv_body: Option<&str>, constants: &[(&str, f64)], cache_file: Option<&std::path::Path>) -> Result<(Readout, Vec<(String, String)>), String> {
            let (words, workgroup_size, workgroup_bytes) = spirv(kernel, qmv_body, constants, self.spv_version)?;
            let dev = self.device.raw_device();
            let bindings: Vec<vk::DescriptorSetLayoutBinding> = kernel
                .slots()
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    vk::DescriptorSetLayoutBinding::default()
                        .binding(i as u32)
                        .descriptor_type(if *s == Slot::Uniform { vk::DescriptorType::UNIFORM_BUFFER } else { vk::DescriptorType::STORAGE_BUFFER })
                        .descriptor_count(1)
                        .stage_flags(vk::ShaderStageFlags::COMPUTE)
                })
                .collect();
            let entry = CString::new(kernel.entry_point()).unwrap();
            let mut flags = vk::PipelineCreateFlags::empty();
            if self.ext.is_some() {
                flags |= vk::PipelineCreateFlags::CAPTURE_STATISTICS_KHR;
            }
            if self.ir && self.ext.is_some() {
                flags |= vk::PipelineCreateFlags::CAPTURE_INTERNAL_REPRESENTATIONS_KHR;
            }
            let err = |what: &str, e: vk::Result| format!("{what}: {e}");
            // SAFETY: every object is created on this device and destroyed before returning.
            unsafe {
                let dsl = dev.create_descriptor_set_layout(&vk::DescriptorSetLayoutCreateInfo::default().bindings(&bindings), None).map_err(|e| err("descriptor set layout", e))?;
                let layouts = [dsl];
                let pl = dev.create_pipeline_layout(&vk::PipelineLayoutCreateInfo::default().set_layouts(&layouts), None).map_err(|e| err("pipeline layout", e))?;
                let sm = dev.create_shader_module(&vk::ShaderModuleCreateInfo::default().code(&words), None).map_err(|e| err("shader module", e))?;
                let stage = vk::PipelineShaderStageCreateInfo::default().stage(vk::ShaderStageFlags::COMPUTE).module(sm).name(&entry);
                let info = vk::ComputePipelineCreateInfo::default().flags(flags).stage(stage).layout(pl);
                let cache = match cache_file {
                    Some(_) => dev.create_pipeline_cache(&vk::PipelineCacheCreateInfo::default(), None).map_err(|e| err("pipeline cache", e))?,
                    None => vk::PipelineCache::null(),
                };
                let made = dev.create_compute_pipelines(cache, &[info], None);
                if let Some(f) = cache_file {
                    let data = dev.get_pipeline_cache_data(cache);
                    dev.destroy_pipeline_cache(cache, None);
                    std::fs::write(f, data.map_err(|e| err("pipeline cache data", e))?).map_err(|e| e.to_string())?;
                }
                let out = match made {
                    Ok(p) if self.ext.is_none() => {
                        dev.destroy_pipeline(p[0], None);
                        Ok((Readout::default(), Vec::new()))
                    }
                    Ok(p) => {
                        let r = self.read(p[0]);
                        dev.destroy_pipeline(p[0], None);
                        r
                    }
                    Err((_, e)) => Err(err("compute pipeline", e)),
                };
                dev.destroy_shader_module(sm, None);
                dev.destroy_pipeline_layout(pl, None);
                dev.destroy_descriptor_set_layout(dsl, None);
                let (mut r, ir) = out?;
                r.workgroup_size = workgroup_size;
                r.workgroup_bytes = workgroup_bytes;
                Ok((r, ir))
            }
        }

        unsafe fn read(&self, pipeline: vk::Pipeline) -> Result<(Readout, Vec<(String, String)>), String> {
            let err = |what: &str, e: vk::Result| format!("{what}: {e}");
            let ext = self.ext.as_ref().expect("statistics only with the extension");
            let mut r = Readout::default();
            let mut ir = Vec::new();
            let props = unsafe { ext.get_pipeline_executable_properties(&vk::PipelineInfoKHR::default().pipeline(pipeline)) }.map_err(|e| err("executable properties", e))?;
            for (i, p) in props.iter().enumerate() {
                let exe = vk::PipelineExecutableInfoKHR::default().pipeline(pipeline).executable_index(i as u32);
                let stats = unsafe { ext.get_pipeline_executable_statistics(&exe) }.map_err(|e| err("statistics", e))?;
                let mut list = Vec::new();
                for s in &stats {
                    let name = s.name_as_c_str().map(|c| c.to_string_lossy().into_owned()).unwrap_or_default();
                    let value = stat_value(s);
                    if r.registers.is_none() && name.to_lowercase().contains("register") {
                        r.registers = value.parse().ok();
                    }
                    list.push((name, value));
                }
                let pname = p.name_as_c_str().map(|c| c.to_string_lossy().into_owned()).unwrap_or_default();
                r.executables.push((format!("{pname} (subgroup {})", p.subgroup_size), list));
                if self.ir {
                    ir.extend(unsafe { self.internal(&exe) }?.into_iter().map(|(n, t)| (format!("{pname}-{n}"), t)));
                }
            }
            Ok((r, ir))
        }

        /// The internal representations of one executable: sizes first, then the data.
        unsafe fn internal(&self, exe: &vk::PipelineExecutableInfoKHR) -> Result<Vec<(String, String)>, String> {
            let ext = self.ext.as_ref().expect("internal representations only with the extension");
            let (fp, dev) = (ext.fp(), ext.device());
            let mut count = 0u32;
            unsafe { (fp.get_pipeline_executable_internal_representations_khr)(dev, exe, &mut count, std::ptr::null_mut()) }.result().map_err(|e| e.to_string())?;
            let mut reps = vec![vk::PipelineExecutableInternalRepresentationKHR::default(); count as usize];
            unsafe { (fp.get_pipeline_executable_internal_representations_khr)(dev, exe, &mut count, reps.as_mut_ptr()) }.result().map_err(|e| e.to_string())?;
            let mut bufs: Vec<Vec<u8>> = reps.iter().map(|r| vec![0u8; r.data_size]).collect();
            for (r, b) in reps.iter_mut().zip(&mut bufs) {
                r.p_data = b.as_mut_ptr().cast();
            }
            unsafe { (fp.get_pipeline_executable_internal_representations_khr)(dev, exe, &mut count, reps.as_mut_ptr()) }.result().map_err(|e| e.to_string())?;
            Ok(reps
                .iter()
                .zip(bufs)
                .map(|(r, b)| {
                    let name = r.name_as_c_str().map(|c| c.to_string_lossy().into_owned()).unwrap_or_default();
                    let text = if r.is_text == vk::TRUE { String::from_utf8_lossy(&b).trim_end_matches('\0').to_string() } else { format!("({} bytes of binary)", b.len()) };
                    (name, text)
                })
                .collect())
        }
    }
}

/// The qmv override constants of `op` in `layout` (None: the default), as the library launches it.
fn qmv_constants(op: &MatmulOp, layout: Option<QmvLayout>) -> (Kernel, Vec<(&'static str, f64)>, String) {
    let plan = Plan::new(op, &[(0, 0)]);
    let l = layout.unwrap_or_else(|| QmvLayout::choose(op));
    let launch = Launch::matmul_with_layout(op, &plan, Some(l)).expect("launch");
    let path = if l.word_path(op) { "units" } else { "codes" };
    (launch.main.kernel, launch.main.constants, format!("{l} ({path})"))
}

fn decode_op(spec: QuantSpec, n: usize, k: usize) -> MatmulOp {
    let x = Meta::new(DType::F16, &[1, k]);
    let w = Meta::new(DType::U32, &[n, spec.packed_words(k)]);
    let groups = [n, k / spec.group_size() as usize];
    if spec.has_biases() {
        let s = Meta::new(DType::F16, &groups);
        MatmulOp::quantized_matmul(&x, &w, &s, Some(&s), true, spec).unwrap()
    } else {
        MatmulOp::quantized_matmul(&x, &w, &Meta::new(DType::U8, &groups), None, true, spec).unwrap()
    }
}

/// Reads out every (shape, mode, layout, qmv source: the library's, then each (tag, text) of
/// `variants`); `ir`: also collect internal representations into the directory. Fails only on an
/// error past opening the device (a kernel that does not compile).
fn run(modes: &[String], shapes: &[(usize, usize)], layouts: &[String], variants: &[(String, String)], ir: Option<&std::path::Path>) -> Result<(String, Outcome), String> {
    #[cfg(not(target_vendor = "apple"))]
    {
        let dev = match vk::open(ir.is_some()) {
            Ok(d) => d,
            Err(why) => return Ok((String::new(), Outcome::Unsupported(why))),
        };
        let mut rows = Vec::new();
        for &(n, k) in shapes {
            for m in modes {
                let op = decode_op(shared::parse_mode(m), n, k);
                let mut layout_list: Vec<Option<QmvLayout>> = vec![None];
                layout_list.extend(layouts.iter().map(|l| Some(QmvLayout::parse_for(l, &op).unwrap_or_else(|e| panic!("--layouts: {e}")))));
                for l in layout_list {
                    let (kernel, constants, desc0) = qmv_constants(&op, l);
                    let sources = std::iter::once(None).chain(variants.iter().map(Some));
                    for v in sources {
                        let desc = match v {
                            Some((tag, _)) => format!("{desc0} [{tag}]"),
                            None => desc0.clone(),
                        };
                        let file = |name: &str| -> String { format!("{n}x{k}_{m}_{desc}_{name}").chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).collect() };
                        let cache_file = ir.map(|dir| dir.join(file("pipeline") + ".cache"));
                        let (r, reps) = dev.readout(kernel, v.map(|(_, t)| t.as_str()), &constants, cache_file.as_deref()).map_err(|e| format!("{n}x{k} {m} {desc}: {e}"))?;
                        if let Some(dir) = ir {
                            for (name, text) in reps {
                                std::fs::write(dir.join(file(&name) + ".txt"), text).map_err(|e| e.to_string())?;
                            }
                        }
                        rows.push((format!("{n}x{k}"), m.clone(), desc, r));
                    }
                }
            }
        }
        Ok((dev.adapter.clone(), Outcome::Stats(rows, dev.missing.clone())))
    }
    #[cfg(target_vendor = "apple")]
    {
        let _ = (modes, shapes, layouts, variants, ir);
        Ok((String::new(), Outcome::Unsupported("Apple: no Vulkan driver here".into())))
    }
}

#[cfg_attr(test, allow(dead_code))]
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let list = |flag: &str| args.iter().position(|a| a == flag).map(|i| args[i + 1].split(',').map(str::to_string).collect::<Vec<_>>());
    let modes = list("--modes").unwrap_or_else(|| ["affine4", "affine8", "mxfp4", "nvfp4", "mxfp8", "affine2", "affine3", "affine5", "affine6"].map(String::from).to_vec());
    let shapes: Vec<(usize, usize)> = list("--shapes")
        .map(|v| {
            v.iter()
                .map(|s| {
                    let (n, k) = s.split_once('x').expect("--shapes: NxK,..., e.g. 14336x4096");
                    (n.parse().expect("--shapes: N"), k.parse().expect("--shapes: K"))
                })
                .collect()
        })
        .unwrap_or_else(|| vec![(14336, 4096), (4096, 14336), (28672, 4096)]);
    let layouts = list("--layouts").unwrap_or_default();
    let ir = args.iter().position(|a| a == "--ir").map(|i| std::path::PathBuf::from(&args[i + 1]));
    let variants: Vec<(String, String)> = list("--qmv-wgsl")
        .unwrap_or_default()
        .iter()
        .map(|f| {
            let path = std::path::Path::new(f);
            let tag = path.file_stem().map_or_else(|| f.clone(), |s| s.to_string_lossy().into_owned());
            (tag, std::fs::read_to_string(path).unwrap_or_else(|e| panic!("--qmv-wgsl {f}: {e}")))
        })
        .collect();
    if let Some(d) = &ir {
        std::fs::create_dir_all(d).expect("--ir: cannot create the directory");
    }
    match run(&modes, &shapes, &layouts, &variants, ir.as_deref()) {
        Ok((_, Outcome::Unsupported(why))) => println!("qmv_stats: unsupported: {why}"),
        Ok((adapter, Outcome::Stats(rows, missing))) => {
            println!("qmv_stats: {adapter}");
            if let Some(why) = &missing {
                println!("qmv_stats: no driver statistics: {why} (the kernels below were compiled through the same path)");
            }
            let sm90 = adapter.contains("H100") || adapter.contains("H200");
            println!(
                "{:<11} {:<8} {:<36} {:>5} {:>6} {:>5} {:>12}  driver statistics",
                "shape", "mode", "layout (path)", "wg", "wgmem", "regs", if sm90 { "warps/SM" } else { "" }
            );
            for (shape, mode, desc, r) in rows {
                let regs = r.registers.map_or("-".into(), |v| v.to_string());
                let occ = match (sm90, r.registers) {
                    (true, Some(v)) => {
                        let (w, why) = sm90_occupancy(v, r.workgroup_size, r.workgroup_bytes);
                        format!("{w} ({why})")
                    }
                    _ => String::new(),
                };
                let stats: Vec<String> = r.executables.iter().map(|(e, s)| format!("{e}: {}", s.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", "))).collect();
                println!("{shape:<11} {mode:<8} {desc:<36} {:>5} {:>6} {regs:>5} {occ:>12}  {}", r.workgroup_size, r.workgroup_bytes, stats.join(" | "));
            }
            if sm90 {
                println!("warps/SM: sm_90 model (64K registers in 4 sub-partitions, 256-register units per warp, ≤ 64 warps, ≤ 32 blocks, 228 KB shared + 1 KB per block): whole workgroups, with what limits them");
            }
        }
        Err(e) => {
            eprintln!("qmv_stats: {e}");
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On any machine: the readout either reports every variant it was asked for or says why it
    /// cannot (no adapter, no extension) — it never fails on a kernel the library builds.
    #[test]
    fn readout_reports_or_says_unsupported() {
        let modes = ["affine4".to_string(), "affine2".to_string()];
        let layouts = ["16x2x64x1".to_string()];
        match run(&modes, &[(256, 512)], &layouts, &[], None).unwrap() {
            (_, Outcome::Unsupported(why)) => {
                assert!(!why.is_empty());
                eprintln!("SKIP readout: {why}");
            }
            (adapter, Outcome::Stats(rows, missing)) => {
                assert!(!adapter.is_empty());
                assert_eq!(rows.len(), 4, "2 modes × (default + 1 layout)");
                for (_, _, desc, r) in &rows {
                    assert_eq!(r.executables.is_empty(), missing.is_some(), "{desc}: executables named exactly when the driver has the extension ({missing:?})");
                    assert!(r.workgroup_size >= 64 && r.workgroup_bytes >= 4096, "{desc}: qmv's workgroup and reduction buffer");
                }
                if let Some(why) = missing {
                    eprintln!("SKIP statistics (kernels compiled): {why}");
                }
            }
        }
    }

    /// `--qmv-wgsl`: the variant text takes the place of shaders/qmv.wgsl and nothing else; the
    /// library's own text gives back the library's module.
    #[cfg(not(target_vendor = "apple"))]
    #[test]
    fn qmv_variant_replaces_only_the_kernel_body() {
        let own = include_str!("../shaders/qmv.wgsl");
        assert_eq!(vk::module_source(Kernel::Qmv, Some(own)), Kernel::Qmv.source());
        let variant = vk::module_source(Kernel::Qmv, Some("// variant\n"));
        assert!(variant.starts_with(qmlx_wgpu::shaders::CODES_WGSL) && variant.ends_with("\n// variant\n") && !variant.contains("fn qmv("));
        assert_eq!(vk::module_source(Kernel::Quantize, Some("// variant\n")), Kernel::Quantize.source());
    }

    #[test]
    fn sm90_occupancy_model() {
        // 32 registers: 1024 per warp, 16 warps per sub-partition → 64; 4-warp blocks → 16 blocks.
        assert_eq!(sm90_occupancy(32, 128, 4096).0, 64);
        // 40 registers: 1280 per warp → 12 per sub-partition, 48 per SM → 12 blocks of 4 warps.
        assert_eq!(sm90_occupancy(40, 128, 4096), (48, "registers"));
        // 128 registers: 4 warps per sub-partition → 16 per SM → 4 blocks.
        assert_eq!(sm90_occupancy(128, 128, 4096).0, 16);
        // Shared memory: 64 KB blocks → 3 per SM.
        assert_eq!(sm90_occupancy(16, 128, 64 * 1024), (12, "shared memory"));
    }
}
