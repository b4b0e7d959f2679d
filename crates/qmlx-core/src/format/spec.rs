//! The one validated description of a quantization: mode, bits, group size.

use crate::dtype::DType;
use crate::error::{Error, Result};

/// A quantization mode, spelled as MLX spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Unsigned integer codes with a per-group float scale and bias.
    Affine,
    /// FP4 E2M1 codes with an E8M0 scale per 32 elements.
    Mxfp4,
    /// FP8 E4M3 codes with an E8M0 scale per 32 elements.
    Mxfp8,
    /// FP4 E2M1 codes with an E4M3 scale per 16 elements (and an optional float32 global scale).
    Nvfp4,
}

impl Mode {
    /// Parses `"affine"`, `"mxfp4"`, `"mxfp8"`, `"nvfp4"`.
    pub fn parse(s: &str) -> Result<Mode> {
        Ok(match s {
            "affine" => Mode::Affine,
            "mxfp4" => Mode::Mxfp4,
            "mxfp8" => Mode::Mxfp8,
            "nvfp4" => Mode::Nvfp4,
            other => return Err(Error::value("mode", "one of 'affine', 'mxfp4', 'mxfp8', 'nvfp4'", format!("'{other}'"))),
        })
    }
    /// MLX's name of the mode.
    pub const fn name(self) -> &'static str {
        match self {
            Mode::Affine => "affine",
            Mode::Mxfp4 => "mxfp4",
            Mode::Mxfp8 => "mxfp8",
            Mode::Nvfp4 => "nvfp4",
        }
    }
    /// MLX's defaults `(group_size, bits)` for the mode.
    pub const fn defaults(self) -> (u32, u32) {
        match self {
            Mode::Affine => (64, 4),
            Mode::Mxfp4 => (32, 4),
            Mode::Mxfp8 => (32, 8),
            Mode::Nvfp4 => (16, 4),
        }
    }
    /// The list of all modes.
    pub const ALL: [Mode; 4] = [Mode::Affine, Mode::Mxfp4, Mode::Mxfp8, Mode::Nvfp4];
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How element codes of an fp mode are interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElementCode {
    /// Unsigned integer `q` in `[0, 2^bits)`.
    Uint,
    /// FP4 E2M1.
    Fp4,
    /// FP8 E4M3.
    Fp8,
}

/// How the per-group scale is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleCode {
    /// A float in the weight's dtype, with a bias beside it (affine).
    Float,
    /// E8M0 byte (power of two).
    E8m0,
    /// E4M3 byte.
    E4m3,
}

/// Affine quantizer variant: MLX's GPU algorithm (the default; made the published checkpoints)
/// or its CPU algorithm (what `mx.quantize` gives on Linux).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rounding {
    /// Range starts at 0 (`hi = max(0, max w)`), round half away from zero.
    #[default]
    Gpu,
    /// True min/max, round half to even.
    Cpu,
}

impl Rounding {
    /// Parses `"gpu"` or `"cpu"`.
    pub fn parse(s: &str) -> Result<Rounding> {
        match s {
            "gpu" => Ok(Rounding::Gpu),
            "cpu" => Ok(Rounding::Cpu),
            other => Err(Error::value("rounding", "'gpu' or 'cpu'", format!("'{other}'"))),
        }
    }
}

/// A validated quantization: constructing one is the only place mode/bits/group size are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct QuantSpec {
    mode: Mode,
    bits: u32,
    group_size: u32,
}

impl QuantSpec {
    /// Validates a mode with explicit bits and group size.
    pub fn new(mode: Mode, group_size: u32, bits: u32) -> Result<Self> {
        match mode {
            Mode::Affine => {
                if ![1, 2, 3, 4, 5, 6, 8].contains(&bits) {
                    return Err(Error::value("bits", "one of 1, 2, 3, 4, 5, 6, 8 for mode 'affine'", bits));
                }
                if ![32, 64, 128].contains(&group_size) {
                    return Err(Error::value("group_size", "one of 32, 64, 128 for mode 'affine'", group_size));
                }
            }
            _ => {
                let (gs, b) = mode.defaults();
                if group_size != gs {
                    return Err(Error::value("group_size", format!("{gs} for mode '{mode}'"), group_size));
                }
                if bits != b {
                    return Err(Error::value("bits", format!("{b} for mode '{mode}'"), bits));
                }
            }
        }
        Ok(QuantSpec { mode, bits, group_size })
    }

    /// Like [`QuantSpec::new`], with `None` meaning the mode's default (MLX's API).
    pub fn with_defaults(mode: Mode, group_size: Option<u32>, bits: Option<u32>) -> Result<Self> {
        let (gs, b) = mode.defaults();
        Self::new(mode, group_size.unwrap_or(gs), bits.unwrap_or(b))
    }

    /// Parses the mode string too.
    pub fn parse(mode: &str, group_size: Option<u32>, bits: Option<u32>) -> Result<Self> {
        Self::with_defaults(Mode::parse(mode)?, group_size, bits)
    }

    /// The mode.
    pub const fn mode(&self) -> Mode {
        self.mode
    }
    /// Bits per element code.
    pub const fn bits(&self) -> u32 {
        self.bits
    }
    /// Elements per scale (and bias).
    pub const fn group_size(&self) -> u32 {
        self.group_size
    }
    /// How element codes are interpreted.
    pub const fn element_code(&self) -> ElementCode {
        match self.mode {
            Mode::Affine => ElementCode::Uint,
            Mode::Mxfp4 | Mode::Nvfp4 => ElementCode::Fp4,
            Mode::Mxfp8 => ElementCode::Fp8,
        }
    }
    /// How scales are stored.
    pub const fn scale_code(&self) -> ScaleCode {
        match self.mode {
            Mode::Affine => ScaleCode::Float,
            Mode::Mxfp4 | Mode::Mxfp8 => ScaleCode::E8m0,
            Mode::Nvfp4 => ScaleCode::E4m3,
        }
    }
    /// Affine carries a bias array; fp modes do not.
    pub const fn has_biases(&self) -> bool {
        matches!(self.mode, Mode::Affine)
    }
    /// The dtype of the stored scales, given the weight's float dtype.
    pub const fn scales_dtype(&self, weight_dtype: DType) -> DType {
        match self.mode {
            Mode::Affine => weight_dtype,
            _ => DType::U8,
        }
    }
    /// Packed 32-bit words holding `elements` codes (`elements * bits / 32`).
    pub const fn packed_words(&self, elements: usize) -> usize {
        elements * self.bits as usize / 32
    }
    /// Number of elements `words` packed words hold (`words * 32 / bits`).
    pub const fn unpacked_len(&self, words: usize) -> usize {
        words * 32 / self.bits as usize
    }
    /// True if `len` elements pack into whole words and whole groups.
    pub const fn divides(&self, len: usize) -> bool {
        len % self.group_size as usize == 0 && (len * self.bits as usize) % 32 == 0
    }
}

impl std::fmt::Display for QuantSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (bits={}, group_size={})", self.mode, self.bits, self.group_size)
    }
}
