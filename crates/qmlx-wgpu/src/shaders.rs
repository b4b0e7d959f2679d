//! The WGSL sources and how they are composed and specialised.
//!
//! Every kernel is `codes.wgsl` (the one shared per-bit-width include), optional shared includes
//! and its own file. Bits, group size, mode and dtypes are `override` constants filled in when a
//! pipeline is created, so one source serves every variant; shapes travel in a uniform buffer.

use qmlx_core::{DType, Mode, QuantSpec};

/// The shared include: float formats, codecs, chunk unpacking (the only per-bit-width code).
pub const CODES_WGSL: &str = include_str!("../shaders/codes.wgsl");
/// Packed-chunk loads from `wq` (16-byte loads where aligned).
pub const WLOAD_WGSL: &str = include_str!("../shaders/wload.wgsl");
/// Bindings and operand access of the matmul kernels.
pub const MATMUL_IO_WGSL: &str = include_str!("../shaders/matmul_io.wgsl");
/// qmv's packed f16 arithmetic (needs `enable f16;`, i.e. SHADER_F16), and the same names without
/// f16 for every other qmv module (see [`Kernel::source_for`]).
pub const QMV_HALF_WGSL: &str = include_str!("../shaders/qmv_half.wgsl");
pub const QMV_HALF_OFF_WGSL: &str = include_str!("../shaders/qmv_half_off.wgsl");
/// The x / dequantized-w tile staging of the tiled kernels (qmm and its cooperative-matrix twin).
pub const QMM_TILE_WGSL: &str = include_str!("../shaders/qmm_tile.wgsl");

/// One compute kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kernel {
    /// Float weights → packed codes, scales, biases.
    Quantize,
    /// Packed codes → floats.
    Dequantize,
    /// Matrix-vector (decode) quantized matmul, transposed weights.
    Qmv,
    /// Tiled quantized matmul with workgroup memory (prefill), both orientations.
    Qmm,
    /// float32 → float16/bfloat16 result conversion.
    Cast,
    /// The tiled qmm on 8×8 cooperative matrices (Metal simdgroup matrices). Optional, Metal
    /// host only (its `coop-matrix` feature), not in [`Kernel::ALL`]: it cannot run on any
    /// machine we have (no 8×8 cooperative matrices on lavapipe or NVIDIA), so it is only
    /// translated to MSL and clang-checked.
    QmmCoop8,
}

/// What a binding slot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// The shape parameters.
    Uniform,
    /// A read-only storage buffer.
    Read,
    /// A read-write storage buffer.
    Write,
}

impl Kernel {
    /// Every kernel.
    pub const ALL: [Kernel; 5] = [Kernel::Quantize, Kernel::Dequantize, Kernel::Qmv, Kernel::Qmm, Kernel::Cast];

    /// File stem of the kernel's WGSL.
    pub const fn name(self) -> &'static str {
        match self {
            Kernel::Quantize => "quantize",
            Kernel::Dequantize => "dequantize",
            Kernel::Qmv => "qmv",
            Kernel::Qmm => "qmm",
            Kernel::Cast => "cast",
            Kernel::QmmCoop8 => "qmm_coop8",
        }
    }

    /// The WGSL entry point.
    pub const fn entry_point(self) -> &'static str {
        match self {
            Kernel::Quantize => "quantize_groups",
            Kernel::Dequantize => "dequantize_chunks",
            Kernel::Qmv => "qmv",
            Kernel::Qmm => "qmm",
            Kernel::Cast => "cast_pairs",
            Kernel::QmmCoop8 => "qmm_coop8",
        }
    }

    /// The complete WGSL module: the kernel's `enable` directives, the includes, then the kernel.
    /// Without f16 arithmetic (qmv's f16 path off): what every device compiles.
    pub fn source(self) -> String {
        self.source_with(false)
    }

    /// Whether the kernel specialised by `constants` multiplies in packed f16 (qmv with
    /// `QMV_DECODE` 3): its module enables f16, which needs the device's SHADER_F16.
    pub fn uses_f16(self, constants: &[(&str, f64)]) -> bool {
        self == Kernel::Qmv && constants.iter().any(|&(k, v)| k == "QMV_DECODE" && v == 3.0)
    }

    /// The module for the kernel specialised by `constants`: [`Kernel::source`], or for qmv's f16
    /// path ([`Kernel::uses_f16`]) the module with `enable f16;` and qmv_half.wgsl.
    pub fn source_for(self, constants: &[(&str, f64)]) -> String {
        self.source_with(self.uses_f16(constants))
    }

    fn source_with(self, f16: bool) -> String {
        let own = match self {
            Kernel::Quantize => include_str!("../shaders/quantize.wgsl"),
            Kernel::Dequantize => include_str!("../shaders/dequantize.wgsl"),
            Kernel::Qmv => include_str!("../shaders/qmv.wgsl"),
            Kernel::Qmm => include_str!("../shaders/qmm.wgsl"),
            Kernel::Cast => include_str!("../shaders/cast.wgsl"),
            Kernel::QmmCoop8 => include_str!("../shaders/qmm_coop8.wgsl"),
        };
        let includes: &[&str] = match self {
            Kernel::Quantize | Kernel::Cast => &[CODES_WGSL],
            Kernel::Dequantize => &[CODES_WGSL, WLOAD_WGSL],
            Kernel::Qmv if f16 => &[CODES_WGSL, WLOAD_WGSL, MATMUL_IO_WGSL, QMV_HALF_WGSL],
            Kernel::Qmv => &[CODES_WGSL, WLOAD_WGSL, MATMUL_IO_WGSL, QMV_HALF_OFF_WGSL],
            Kernel::Qmm | Kernel::QmmCoop8 => &[CODES_WGSL, WLOAD_WGSL, MATMUL_IO_WGSL, QMM_TILE_WGSL],
        };
        // WGSL wants `enable` directives before any declaration: a kernel's own go first.
        let (directives, body): (Vec<&str>, Vec<&str>) = own.lines().partition(|l| l.starts_with("enable "));
        let mut s = String::new();
        if f16 {
            s.push_str("enable f16;\n");
        }
        for line in directives.iter().chain(includes) {
            s.push_str(line);
            s.push('\n');
        }
        s.push_str(&body.join("\n"));
        s.push('\n');
        s
    }

    /// Whether the kernel takes the weights a second time after its other slots (qmv: slot 9, the
    /// buffer of slot 2 read as words, so its word loads need no vector-lane addressing).
    pub const fn binds_w_words(self) -> bool {
        matches!(self, Kernel::Qmv)
    }

    /// Binding slots 0.. of group 0, in order.
    pub const fn slots(self) -> &'static [Slot] {
        use Slot::*;
        match self {
            Kernel::Quantize => &[Uniform, Read, Read, Write, Write, Write, Write],
            Kernel::Dequantize => &[Uniform, Read, Read, Read, Read, Write],
            // qmv: slot 9 is w again (see `binds_w_words`).
            Kernel::Qmv => &[Uniform, Read, Read, Read, Read, Read, Read, Read, Write, Read],
            Kernel::Qmm | Kernel::QmmCoop8 => &[Uniform, Read, Read, Read, Read, Read, Read, Read, Write],
            Kernel::Cast => &[Uniform, Read, Write],
        }
    }
}

/// The dtype tag the shaders use (0 float32, 1 float16, 2 bfloat16).
pub fn dtype_tag(d: DType) -> f64 {
    match d {
        DType::F32 => 0.0,
        DType::F16 => 1.0,
        DType::BF16 => 2.0,
        other => unreachable!("float dtype validated by the op, got {other}"),
    }
}

/// `BITS`, `GS`, `MODE` for a quantization.
pub fn spec_constants(spec: &QuantSpec) -> Vec<(&'static str, f64)> {
    let mode = match spec.mode() {
        Mode::Affine => 0.0,
        Mode::Mxfp4 => 1.0,
        Mode::Mxfp8 => 2.0,
        Mode::Nvfp4 => 3.0,
    };
    vec![("BITS", spec.bits() as f64), ("GS", spec.group_size() as f64), ("MODE", mode)]
}
