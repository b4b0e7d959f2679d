//! WGSL → MSL with naga, for the Apple host. Overrides are folded in (one MSL per variant), and
//! buffers get explicit `[[buffer(i)]]` slots equal to their WGSL binding numbers, so a Metal host
//! binds exactly as the wgpu backend does. wgpu's runtime-check scaffolding (bounds checks, loop
//! bounding, zeroed workgroup memory) is left out, as `create_shader_module_trusted` does.
//!
//! Status: the generated MSL is snapshot-tested and passes a clang syntax/type check against a
//! shim header (`scripts/check_msl.sh`); it is **not yet compiled by Apple's compiler**.

use crate::shaders::Kernel;
use naga::back::msl;
use qmlx_core::{Error, Result};

/// The Metal buffer slot naga's array-length helper uses (past every kernel's bindings).
pub const SIZES_SLOT: u8 = 15;

fn naga_err(what: &str, e: impl std::fmt::Debug) -> Error {
    Error::Backend(format!("naga {what}: {e:?}"))
}

/// Translates `kernel` specialised by `constants` to MSL (language version `version`, e.g. (2, 4)).
/// Returns the source and the (renamed) entry point.
pub fn kernel_msl(kernel: Kernel, constants: &[(&str, f64)], version: (u8, u8)) -> Result<(String, String)> {
    let source = kernel.source_for(constants);
    let module = naga::front::wgsl::parse_str(&source).map_err(|e| naga_err("parse", e.emit_to_string(&source)))?;
    let info = naga::valid::Validator::new(naga::valid::ValidationFlags::all(), naga::valid::Capabilities::all())
        .validate(&module)
        .map_err(|e| naga_err("validate", e))?;
    let pc: naga::back::PipelineConstants = constants.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    let (module, info) =
        naga::back::pipeline_constants::process_overrides(&module, &info, Some((naga::ShaderStage::Compute, kernel.entry_point())), &pc)
            .map_err(|e| naga_err("overrides", e))?;
    let mut resources = msl::BindingMap::new();
    for (i, slot) in kernel.slots().iter().enumerate() {
        resources.insert(
            naga::ResourceBinding { group: 0, binding: i as u32 },
            msl::BindTarget { buffer: Some(i as u8), mutable: *slot == crate::shaders::Slot::Write, ..Default::default() },
        );
    }
    let mut per_entry_point_map = msl::EntryPointResourceMap::new();
    per_entry_point_map.insert(
        kernel.entry_point().to_string(),
        msl::EntryPointResources { resources, immediates_buffer: None, sizes_buffer: Some(SIZES_SLOT) },
    );
    let options = msl::Options {
        lang_version: version,
        per_entry_point_map,
        fake_missing_bindings: false,
        zero_initialize_workgroup_memory: false,
        force_loop_bounding: false,
        emit_int_div_checks: false,
        bounds_check_policies: naga::proc::BoundsCheckPolicies::default(),
        ..Default::default()
    };
    let pipeline = msl::PipelineOptions {
        entry_point: Some((naga::ShaderStage::Compute, kernel.entry_point().to_string())),
        ..Default::default()
    };
    let (src, tinfo) = msl::write_string(&module, &info, &options, &pipeline).map_err(|e| naga_err("msl", e))?;
    let name = tinfo
        .entry_point_names
        .into_iter()
        .next()
        .ok_or_else(|| naga_err("msl", "no entry point"))?
        .map_err(|e| naga_err("msl entry point", e))?;
    Ok((src, name))
}

/// Override constants of one kernel variant.
pub type Constants = Vec<(&'static str, f64)>;

/// The variants covered by the MSL snapshots and the clang check: every kernel in every mode,
/// each bit width and dtype at least once. Returns `(file stem, kernel, constants)`.
pub fn snapshot_variants() -> Vec<(String, Kernel, Constants)> {
    use qmlx_core::{Mode, QuantSpec};
    let mut v = Vec::new();
    let mut specs: Vec<QuantSpec> = [1, 2, 3, 4, 5, 6, 8].iter().map(|&b| QuantSpec::new(Mode::Affine, 64, b).unwrap()).collect();
    specs.extend([Mode::Mxfp4, Mode::Mxfp8, Mode::Nvfp4].map(|m| QuantSpec::with_defaults(m, None, None).unwrap()));
    for (i, spec) in specs.iter().enumerate() {
        let dt = (i % 3) as f64; // rotate f32 / f16 / bf16 across variants
        let tag = format!("{}{}_gs{}", spec.mode(), spec.bits(), spec.group_size());
        let base = crate::shaders::spec_constants(spec);
        let with = |extra: &[(&'static str, f64)]| {
            let mut c = base.clone();
            c.extend_from_slice(extra);
            c
        };
        v.push((format!("quantize_{tag}"), Kernel::Quantize, with(&[("WDT", dt), ("ROUNDING", 0.0)])));
        v.push((format!("dequantize_{tag}"), Kernel::Dequantize, with(&[("SDT", dt), ("ODT", dt)])));
        // 16-bit variants with qmv writing its 16-bit output itself (what the wgpu host picks for
        // even N); every mode also with the unit-at-a-time path.
        v.push((format!("qmv_{tag}"), Kernel::Qmv, with(&[("XDT", dt), ("QMV_OUT16", (dt != 0.0) as u32 as f64)])));
        {
            v.push((format!("qmv_words_{tag}"), Kernel::Qmv, with(&[("XDT", dt), ("QMV_WORD_PATH", 1.0)])));
        }
        if spec.bits() == 4 {
            // Word loads and the one-code-at-a-time decode (f32 mantissas / fp4 table).
            v.push((format!("qmv_words_v1d0_{tag}"), Kernel::Qmv, with(&[("XDT", dt), ("QMV_WORD_PATH", 1.0), ("QMV_VEC", 1.0), ("QMV_DECODE", 0.0)])));
        }
        if spec.bits() == 4 && spec.mode() == Mode::Affine {
            // The two-dot-product form of an octet's sum.
            v.push((format!("qmv_words_dot1_{tag}"), Kernel::Qmv, with(&[("XDT", 1.0), ("QMV_WORD_PATH", 1.0), ("QMV_DOT", 1.0)])));
        }
        if spec.bits() == 4 {
            // Packed f16 products (the module with `enable f16;`: MSL `half`), two x rows.
            v.push((format!("qmv_words_d3_{tag}"), Kernel::Qmv, with(&[("XDT", 1.0), ("QMV_WORD_PATH", 1.0), ("QMV_DECODE", 3.0), ("QMV_XROWS", 2.0)])));
        }
        if spec.bits() == 4 && spec.mode() != Mode::Affine {
            // fp4 f16 pairs with fewer shifts, two x rows.
            v.push((format!("qmv_words_d2_{tag}"), Kernel::Qmv, with(&[("XDT", 1.0), ("QMV_WORD_PATH", 1.0), ("QMV_DECODE", 2.0), ("QMV_XROWS", 2.0)])));
        }
        v.push((format!("qmm_t_{tag}"), Kernel::Qmm, with(&[("XDT", dt), ("TRANSPOSE", 1.0)])));
        v.push((format!("qmm_n_{tag}"), Kernel::Qmm, with(&[("XDT", dt), ("TRANSPOSE", 0.0)])));
    }
    // The optional cooperative-matrix qmm (Metal only, never run): every mode and both
    // orientations; f32 and f16 activations.
    for (i, spec) in specs.iter().enumerate().filter(|(_, s)| s.bits() == 4 || s.mode() != Mode::Affine) {
        let tag = format!("{}{}_gs{}", spec.mode(), spec.bits(), spec.group_size());
        for (orient, t) in [("t", 1.0), ("n", 0.0)] {
            let mut c = crate::shaders::spec_constants(spec);
            c.extend([("XDT", (i % 2) as f64), ("TRANSPOSE", t)]);
            v.push((format!("qmm_coop8_{orient}_{tag}"), Kernel::QmmCoop8, c));
        }
    }
    v.push(("cast_f16".into(), Kernel::Cast, vec![("ODT", 1.0)]));
    v.push(("cast_bf16".into(), Kernel::Cast, vec![("ODT", 2.0)]));
    v
}
