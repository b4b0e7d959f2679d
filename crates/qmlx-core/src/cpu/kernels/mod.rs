//! SIMD kernels of the CPU backend and their one cached run-time dispatch.
//!
//! [`Kernels::active`] is resolved once per process (CPU detection, or the
//! `QMLX_CPU_KERNELS=reference|portable|avx2|avx512|avx512vnni|neon` override) and stored in a `OnceLock`.
//! Per-bit-width knowledge lives in [`layout`]; the vector primitives per instruction set in
//! `isa`; the kernel bodies, written once, in `body`.

mod body;
mod isa;
pub mod layout;
#[cfg(target_arch = "aarch64")]
pub(crate) mod neon;

pub(crate) use body::{int_steps, scale_kind, AxpyArgs, DotArgs, AXPY_NIBBLE_BLOCK, AXPY_ROWS, INT_SPAN};
use isa::Portable;
#[cfg(target_arch = "x86_64")]
use isa::{Avx2, Avx512};
#[cfg(target_arch = "aarch64")]
use neon::Neon;
use layout::kind;

use crate::format::{ElementCode, QuantSpec};
use std::sync::OnceLock;

/// Which implementation of the CPU kernels runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kernels {
    /// The plain scalar path (dequantize a tile, f32 dots): the cross-check oracle.
    Reference,
    /// The fused kernels in plain Rust (any CPU).
    Portable,
    /// The fused kernels with AVX2 + FMA + F16C (x86-64).
    Avx2,
    /// The fused kernels with AVX-512 F/BW/VL/DQ (x86-64).
    Avx512,
    /// [`Kernels::Avx512`] plus VNNI: 4-bit row dots (transpose=True, small M; with VBMI also
    /// affine 2/3-bit) as integer dot products against x split into
    /// int8 limbs (`body::dot_rows_int`); everything else as `Avx512`.
    Avx512Vnni,
    /// The fused kernels with NEON (aarch64; tested under qemu, not timed on Arm hardware).
    Neon,
}

impl Kernels {
    /// The name used by `QMLX_CPU_KERNELS`.
    pub const fn name(self) -> &'static str {
        match self {
            Kernels::Reference => "reference",
            Kernels::Portable => "portable",
            Kernels::Avx2 => "avx2",
            Kernels::Avx512 => "avx512",
            Kernels::Avx512Vnni => "avx512vnni",
            Kernels::Neon => "neon",
        }
    }

    /// Parses a `QMLX_CPU_KERNELS` value.
    pub fn parse(s: &str) -> Option<Kernels> {
        [Kernels::Reference, Kernels::Portable, Kernels::Avx2, Kernels::Avx512, Kernels::Avx512Vnni, Kernels::Neon].into_iter().find(|k| k.name() == s)
    }

    /// True if this CPU can run these kernels.
    pub fn is_supported(self) -> bool {
        match self {
            Kernels::Reference | Kernels::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Kernels::Avx2 => {
                is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") && is_x86_feature_detected!("f16c")
            }
            #[cfg(target_arch = "x86_64")]
            Kernels::Avx512 => {
                Kernels::Avx2.is_supported()
                    && is_x86_feature_detected!("avx512f")
                    && is_x86_feature_detected!("avx512bw")
                    && is_x86_feature_detected!("avx512vl")
                    && is_x86_feature_detected!("avx512dq")
            }
            #[cfg(target_arch = "x86_64")]
            Kernels::Avx512Vnni => Kernels::Avx512.is_supported() && is_x86_feature_detected!("avx512vnni"),
            #[cfg(target_arch = "aarch64")]
            Kernels::Neon => std::arch::is_aarch64_feature_detected!("neon"),
            #[cfg(not(target_arch = "aarch64"))]
            Kernels::Neon => false,
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// Every implementation this CPU can run (tests cross-check them all).
    pub fn available() -> Vec<Kernels> {
        [Kernels::Reference, Kernels::Portable, Kernels::Avx2, Kernels::Avx512, Kernels::Avx512Vnni, Kernels::Neon].into_iter().filter(|k| k.is_supported()).collect()
    }

    /// The fastest implementation this CPU can run.
    pub fn detected() -> Kernels {
        *Kernels::available().last().expect("portable kernels always run")
    }

    /// The implementation `cpu::matmul` uses, resolved once: `QMLX_CPU_KERNELS` if set (an
    /// unknown or unsupported value falls back to [`Kernels::detected`] with a warning).
    pub fn active() -> Kernels {
        static ACTIVE: OnceLock<Kernels> = OnceLock::new();
        *ACTIVE.get_or_init(|| match std::env::var("QMLX_CPU_KERNELS") {
            Ok(v) if !v.is_empty() => match Kernels::parse(&v) {
                Some(k) if k.is_supported() => k,
                _ => {
                    let d = Kernels::detected();
                    eprintln!(
                        "qmlx: QMLX_CPU_KERNELS={v:?} is not one of reference/portable/avx2/avx512/avx512vnni/neon supported here; using {}",
                        d.name()
                    );
                    d
                }
            },
            _ => Kernels::detected(),
        })
    }
}

/// The row-dot kernel for `NR` weight rows × `MR` x rows.
pub(crate) type DotFn<const NR: usize, const MR: usize> = unsafe fn(&DotArgs, &mut [[f32; MR]; NR]);
/// Segment dequantization (see `body::dequant`).
pub(crate) type DequantFn = unsafe fn(*const u32, *const f32, *const f32, usize, usize, *mut f32);
/// `AXPY_ROWS` stored rows of the transpose=False small-M product (see `body::axpy_rows`).
pub(crate) type AxpyFn = unsafe fn(&AxpyArgs);

macro_rules! entry_points {
    ($isa:ty, $dot:ident, $deq:ident, $axpy:ident $(, $feat:literal)?) => {
        $(#[target_feature(enable = $feat)])?
        unsafe fn $dot<const B: u32, const KIND: u8, const NR: usize, const MR: usize>(a: &DotArgs, out: &mut [[f32; MR]; NR]) {
            body::dot_rows::<$isa, B, KIND, NR, MR>(a, out)
        }
        $(#[target_feature(enable = $feat)])?
        unsafe fn $deq<const B: u32, const KIND: u8>(w: *const u32, s: *const f32, b: *const f32, gs: usize, chunks: usize, out: *mut f32) {
            body::dequant::<$isa, B, KIND>(w, s, b, gs, chunks, out)
        }
        $(#[target_feature(enable = $feat)])?
        unsafe fn $axpy<const B: u32, const KIND: u8, const MR: usize>(a: &AxpyArgs) {
            body::axpy_rows::<$isa, B, KIND, MR, false>(a)
        }
    };
}

entry_points!(Portable, dot_portable, deq_portable, axpy_portable);

/// The 4-bit nibble-block row dot (see `body::dot_rows_nibbles`), AVX-512 only.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c,bmi1,bmi2")]
unsafe fn dot_nibbles_avx512<const KIND: u8, const NR: usize, const MR: usize>(a: &DotArgs, out: &mut [[f32; MR]; NR]) {
    body::dot_rows_nibbles::<Avx512, KIND, NR, MR>(a, out)
}
/// The 4-bit nibble-block transpose=False kernel (see `body::axpy_rows`), AVX-512 only.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c,bmi1,bmi2")]
unsafe fn axpy_nibbles_avx512<const KIND: u8, const MR: usize>(a: &AxpyArgs) {
    body::axpy_rows::<Avx512, 4, KIND, MR, true>(a)
}
/// The 4-bit integer row dot (see `body::dot_rows_int`), AVX-512 with VNNI only.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx2,fma,f16c,bmi1,bmi2")]
unsafe fn dot_int_avx512<const KIND: u8, const SC: u8, const LIMBS: usize, const NR: usize, const MR: usize>(a: &DotArgs, out: &mut [[f32; MR]; NR]) {
    body::dot_rows_int::<Avx512, 4, KIND, SC, LIMBS, NR, MR, false>(a, out)
}
/// The fp4 integer row dot (`body::dot_rows_int`) with VNNI and VBMI: the codes unpacked by
/// byte permutes (see `Isa::int_codes`).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx512vbmi,avx2,fma,f16c,bmi1,bmi2")]
unsafe fn dot_int_fp4_vbmi_avx512<const LIMBS: usize, const NR: usize, const MR: usize>(a: &DotArgs, out: &mut [[f32; MR]; NR]) {
    body::dot_rows_int::<Avx512, 4, { kind::FP4 }, { body::scale_kind::F32 }, LIMBS, NR, MR, true>(a, out)
}
/// The affine 2-, 3-, 5- and 6-bit integer row dots (`body::dot_rows_int`): VNNI and VBMI (byte
/// permutes and multishifts unpack the codes).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx512vbmi,avx2,fma,f16c,bmi1,bmi2")]
unsafe fn dot_int_vbmi_avx512<const B: u32, const SC: u8, const LIMBS: usize, const NR: usize, const MR: usize>(a: &DotArgs, out: &mut [[f32; MR]; NR]) {
    body::dot_rows_int::<Avx512, B, { kind::UINT }, SC, LIMBS, NR, MR, true>(a, out)
}
/// The mxfp8 bf16 row dot (`body::dot_rows_fp8_bf16`): AVX512-BF16 `vdpbf16ps` on codes made
/// bf16 by VBMI byte permutes, x as `LIMBS` bf16 terms.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx512bf16,avx512vbmi,avx2,fma,f16c,bmi1,bmi2")]
unsafe fn dot_fp8_bf16_avx512<const LIMBS: usize, const NR: usize, const MR: usize>(a: &DotArgs, out: &mut [[f32; MR]; NR]) {
    body::dot_rows_fp8_bf16::<LIMBS, NR, MR>(a, out)
}
/// `body::split_x_bf16` compiled for AVX512-BF16.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx512bf16,avx2,fma,f16c,bmi1,bmi2")]
unsafe fn split_x_bf16_avx512(x: &[f32], limbs: usize, out: &mut [u8]) -> bool {
    body::split_x_bf16(x, limbs, out)
}
/// The mxfp8 row dot for f32 x (`body::dot_rows_fp8_f32`): codes made bf16 as for
/// `dot_fp8_bf16_avx512`, widened to f32, f32 FMAs against x permuted once per call.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx512bf16,avx512vbmi,avx2,fma,f16c,bmi1,bmi2")]
unsafe fn dot_fp8_f32_avx512<const NR: usize, const MR: usize>(a: &DotArgs, out: &mut [[f32; MR]; NR]) {
    body::dot_rows_fp8_f32::<NR, MR>(a, out)
}
/// The "limbs" value of mxfp8 row dots taking f32 x as is, permuted (`body::dot_rows_fp8_f32`);
/// 1 and 2 are bf16 terms (`body::dot_rows_fp8_bf16`).
const FP8_F32_X: usize = 4;
/// True where the mxfp8 bf16 row dots can run (std caches the detection).
fn has_bf16_dot() -> bool {
    #[cfg(target_arch = "x86_64")]
    return is_x86_feature_detected!("avx512bf16") && is_x86_feature_detected!("avx512vbmi");
    #[cfg(not(target_arch = "x86_64"))]
    false
}
/// True where the VBMI integer dots can run.
fn has_vbmi() -> bool {
    #[cfg(target_arch = "x86_64")]
    return is_x86_feature_detected!("avx512vbmi");
    #[cfg(not(target_arch = "x86_64"))]
    false
}
/// `body::split_x_limbs2` (affine 2-bit) compiled for AVX-512.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c,bmi1,bmi2")]
unsafe fn split_x_limbs2_avx512(x: &[f32], bits: u32, limbs: usize, gs: usize, out: &mut [i8], xsum: &mut [f32]) -> bool {
    body::split_x_limbs2(x, bits, limbs, gs, out, xsum)
}
/// `body::split_x_limbs` compiled for AVX-512 (vectorised rounding).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c,bmi1,bmi2")]
unsafe fn split_x_limbs_avx512(x: &[f32], limbs: usize, code: (f32, i32), gs: usize, out: &mut [i8], xsum: &mut [f32]) -> bool {
    body::split_x_limbs::<Avx512>(x, limbs, code, gs, out, xsum)
}
#[cfg(target_arch = "x86_64")]
entry_points!(Avx2, dot_avx2, deq_avx2, axpy_avx2, "avx2,fma,f16c,bmi1,bmi2");
#[cfg(target_arch = "x86_64")]
entry_points!(Avx512, dot_avx512, deq_avx512, axpy_avx512, "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c,bmi1,bmi2");
#[cfg(target_arch = "aarch64")]
entry_points!(Neon, dot_neon, deq_neon, axpy_neon, "neon");

/// Picks `$f::<B, KIND, ...>` for the spec's element code and bit width.
macro_rules! by_code {
    ($spec:expr, $f:ident $(, $extra:ident)*) => {
        match ($spec.element_code(), $spec.bits()) {
            (ElementCode::Uint, 1) => $f::<1, { kind::UINT } $(, $extra)*> as _,
            (ElementCode::Uint, 2) => $f::<2, { kind::UINT } $(, $extra)*> as _,
            (ElementCode::Uint, 3) => $f::<3, { kind::UINT } $(, $extra)*> as _,
            (ElementCode::Uint, 4) => $f::<4, { kind::UINT } $(, $extra)*> as _,
            (ElementCode::Uint, 5) => $f::<5, { kind::UINT } $(, $extra)*> as _,
            (ElementCode::Uint, 6) => $f::<6, { kind::UINT } $(, $extra)*> as _,
            (ElementCode::Uint, 8) => $f::<8, { kind::UINT } $(, $extra)*> as _,
            (ElementCode::Fp4, _) => $f::<4, { kind::FP4 } $(, $extra)*> as _,
            (ElementCode::Fp8, _) => $f::<8, { kind::FP8 } $(, $extra)*> as _,
            (ElementCode::Uint, b) => unreachable!("QuantSpec admits no {b}-bit affine"),
        }
    };
}

/// Picks one entry point per instruction set (`Reference` uses the portable kernels here).
macro_rules! by_isa {
    ($kernels:expr, $spec:expr, $p:ident, $a2:ident, $a5:ident $(, $extra:ident)*) => {
        match $kernels {
            #[cfg(target_arch = "x86_64")]
            Kernels::Avx512 | Kernels::Avx512Vnni => by_code!($spec, $a5 $(, $extra)*),
            #[cfg(target_arch = "x86_64")]
            Kernels::Avx2 => by_code!($spec, $a2 $(, $extra)*),
            _ => by_code!($spec, $p $(, $extra)*),
        }
    };
}

#[cfg(not(target_arch = "x86_64"))]
use {dot_portable as dot_avx2, dot_portable as dot_avx512, deq_portable as deq_avx2, deq_portable as deq_avx512};
#[cfg(not(target_arch = "x86_64"))]
use {axpy_portable as axpy_avx2, axpy_portable as axpy_avx512};

/// Lanes of the nibble blocks the row-dot kernel of `spec` reads `x` in, if it does (4-bit
/// codes with AVX-512); `x` must then be permuted by [`permute_x_for_dot`].
pub(crate) fn dot_nibble_lanes(kernels: Kernels, spec: &QuantSpec) -> Option<usize> {
    (cfg!(target_arch = "x86_64") && matches!(kernels, Kernels::Avx512 | Kernels::Avx512Vnni) && spec.bits() == 4).then_some(16)
}

/// Int8 limbs of x the row-dot kernel of `spec` takes for blocks of `mr` x rows of `dtype`
/// (0: it takes f32 x): the integer dots of [`Kernels::Avx512Vnni`] for 4-bit codes (affine
/// 4-bit, mxfp4, nvfp4) and, where VBMI is present, affine 2-, 3-, 5- and 6-bit codes (in 256-code
/// steps; with f32 x also for blocks of 2-4 x rows, whose f32 kernels are slow: 3-bit 4096×4096
/// from memory M=2 585-595 → 481-484 µs, M=4 914-927 → 590-592 µs, stage 6; 2-bit since its
/// 256-code steps M=2 402-406 → 212-217 µs, M=4 573-576 → 508-521 µs, stage 7).
/// Stage 12 the 5/6-bit ones: ≤ 0.31× MLX-CPU's error and ≤ 0.31× the floors, M = 1 and 4
/// (bench/results/cpu-2026-11-28-stage12-accuracy.md). Stage 6 measured the 2/3-bit ones as the 4-bit ones (bench/results/cpu-2026-11-27-stage6-accuracy.md:
/// ≤ 0.26× MLX-CPU's error, ≤ 0.29× the floors). Limbs carry x to 2^-15 (2 limbs) or 2^-23 (3) of each 8-element
/// block's max|x| (`body::split_x_limbs`): 2 for f16 (11 significant bits) and bf16 (8), 3 for
/// f32 (24). Measured against float64 and MLX-CPU 0.32.4 on the same inputs (uniform, normal,
/// 100× outliers, 64-groups over 4 decades, mean-offset x; K = 4096 and with a K tail; M = 1
/// and 4; `bench/int_dot_accuracy.py`, bench/results/cpu-2026-11-26-stage4-accuracy.md),
/// max|y − y64| / max|y64| of the integer dots is at most 0.16× MLX's for affine 4-bit and
/// 0.74× for mxfp4/nvfp4 with f32 x (f16/bf16 x: ≤ 0.17×; MLX accumulates in the half type),
/// ≤ 0.30× the project floors, and ≤ 1.41× the `Avx512` f32 kernels' error (affine f32: 0.60-0.78×,
/// the centred codes): the default for every dtype. f32 x takes them only for single x rows:
/// with 3 limbs, blocks of 2-4 x rows ran slower than the f32 kernels (in-L2 256×4096
/// affine4g64 f32 M=2: 34.8 vs 29.3 µs, M=4: 71.2 vs 60.6 µs, best of 3, stage-4 notes).
pub(crate) fn int_dot_limbs(kernels: Kernels, spec: &QuantSpec, dtype: crate::DType, mr: usize) -> usize {
    if !(cfg!(target_arch = "x86_64") && kernels == Kernels::Avx512Vnni) {
        return 0;
    }
    let half = matches!(dtype, crate::DType::F16 | crate::DType::BF16);
    if spec.element_code() == ElementCode::Fp8 {
        // mxfp8: bf16 terms of x (`body::dot_rows_fp8_bf16`), single x rows only.
        return match (has_bf16_dot() && mr == 1, dtype) {
            (false, _) => 0,
            (_, crate::DType::BF16) => 1,
            (_, crate::DType::F16) => 2,
            // f32 x: permuted f32, not 3 bf16 terms (6 `vdpbf16ps` per 64 codes and row were
            // slower than 4 interleaves and 4 FMAs: in L2 57.4–57.8 vs 50.8–51.4 µs, stage 6b).
            _ => FP8_F32_X,
        };
    }
    match (spec.element_code(), spec.bits()) {
        (ElementCode::Uint | ElementCode::Fp4, 4) => {}
        // Affine 2/3-bit the same way, 256 codes per step (`body::dot_rows_int2`, x split per
        // 16-element window; 3-bit unpacking with VBMI). Not 8-bit: with f16/bf16 x (2 limbs; 3
        // could overflow the i32 sums) its integer dots took 36.8 vs 60.5 µs in L2 but streamed
        // worse from memory, 4096×4096 M=1 bf16 x 341–343 vs 275–279 µs (fast state) and
        // 475–500 vs 458–474 µs (slow), alternating (stage-6 notes).
        (ElementCode::Uint, 2 | 3) if has_vbmi() => {}
        // Affine 5/6-bit in the same steps (two byte permutes per code vector, see
        // `Isa::int_step_codes`). On one core, 4096×4096 from memory, time vs the f32 kernels:
        // M=1 0.37-0.51×, bf16 x M=2/4 0.61-0.67×, f32 x M=4 0.90-0.94×; f32 x M=2 blocks stay on
        // the f32 kernels (5-bit 1.02-1.12× from memory, though 0.71× in L2), stage 12.
        (ElementCode::Uint, 5 | 6) if has_vbmi() => {}
        _ => return 0,
    }
    match (half, mr, spec.bits()) {
        (true, _, _) => 2,
        (false, 1, _) => 3,
        // (2 x rows × 4 weight rows × 3 limbs: 24 accumulators, see `body::dot_rows_int`.)
        (false, _, 2 | 3) | (false, 4, 5 | 6) => 3,
        _ => 0,
    }
}

/// How the integer row dots of `spec` read affine scales and biases of `dtype` for `m` x rows
/// where they may read 16-bit ones as stored ([`scale_kind`]`::BF16`/`F16`; the caller checks the
/// rest: every block of x rows on 2 limbs, K whole spans): f32 scales as stored, bf16 as stored,
/// f16 as stored except for 4-bit codes with one x row, whose f16 ones are converted to f32 once
/// per row tile (`scale_kind::F32`, as for f32 x). The 4-bit `dot_rows_int` instance with f16
/// scales (a word permute and a zmm `vcvtph2ps` per row and span, where bf16 takes one word
/// permute) streamed worse from DRAM at M=1: 4096×4096 one thread, f16 vs bf16 x 619-681 vs
/// 529-621 µs (affine4g64, g32/g128 alike), though not slower in L2 (15.0 vs 15.3 µs per 128
/// rows); the f32 tile path ran f16 like bf16 (518-558 vs 518-532 µs). Not at M=4 (f16 was not
/// slower than bf16 there, and the tile path measured 3-8 % slower relative to bf16), nor for
/// the 256-code-step kernels (2/3/5/6-bit: no such gap) (stage 13,
/// bench/results/cpu-2026-11-28-stage13-notes.md).
pub(crate) fn int_dot_scale_kind(spec: &QuantSpec, dtype: crate::DType, m: usize) -> u8 {
    match dtype {
        crate::DType::BF16 => body::scale_kind::BF16,
        crate::DType::F16 if body::int_steps(spec.bits()) || m > 1 => body::scale_kind::F16,
        _ => body::scale_kind::F32,
    }
}

/// Bytes per [`INT_SPAN`] elements of x as the row dots of `spec` with `limbs` take them
/// (int8 limb records; mxfp8: bf16 terms).
pub(crate) fn x_record_bytes(spec: &QuantSpec, limbs: usize) -> usize {
    if spec.element_code() == ElementCode::Fp8 && limbs == FP8_F32_X {
        body::FP8_F32_RECORD_BYTES
    } else if spec.element_code() == ElementCode::Fp8 {
        body::bf16_record_bytes(limbs)
    } else if body::int_steps(spec.bits()) {
        // Records per 256-element step (`body::dot_rows_int2`): half of one per 128.
        body::int2_record_bytes(limbs) / 2
    } else {
        body::int_record_bytes(limbs)
    }
}

/// x as int8 limbs for the integer row dots: per row of `k` elements, its whole
/// `INT_SPAN`-element spans as records of `int_record_bytes(limbs)` (`out`, 64-byte aligned),
/// and in `xsum` (`k / group_size` per row) the group sums of the x the limbs carry (K tail:
/// of x itself). Returns false where x cannot be split (non-finite or tiny values): use the
/// f32 kernels then.
pub(crate) fn split_x_for_int_dot(x: &[f32], k: usize, spec: &QuantSpec, limbs: usize, out: &mut [i8], xsum: &mut [f32]) -> bool {
    let spans = k / INT_SPAN;
    let row_bytes = spans * x_record_bytes(spec, limbs);
    if spec.element_code() == ElementCode::Fp8 {
        // mxfp8: bf16 terms (no biases, so no group sums).
        for (r, row) in x.chunks_exact(k).enumerate() {
            let o = &mut out[r * row_bytes..(r + 1) * row_bytes];
            if limbs == FP8_F32_X {
                // SAFETY: the caller's buffer is 64-byte aligned and row_bytes = 4·spans·INT_SPAN.
                let xs = unsafe { std::slice::from_raw_parts_mut(o.as_mut_ptr() as *mut f32, o.len() / 4) };
                body::permute_x_fp8_f32(&row[..spans * INT_SPAN], xs);
                continue;
            }
            #[cfg(target_arch = "x86_64")]
            // SAFETY: only called where `has_bf16_dot` (int_dot_limbs) detected AVX512-BF16.
            let ok = unsafe { split_x_bf16_avx512(&row[..spans * INT_SPAN], limbs, &mut *(o as *mut [i8] as *mut [u8])) };
            #[cfg(not(target_arch = "x86_64"))]
            let ok = {
                let _ = o;
                false
            };
            if !ok {
                return false;
            }
        }
        let _ = xsum;
        return true;
    }
    let gs = spec.group_size() as usize;
    let gpr = k / gs;
    let code = if spec.element_code() == ElementCode::Fp4 {
        (0.5, body::FP4_INT_OFFSET)
    } else {
        (1.0, body::uint_int_offset(spec.bits()))
    };
    // 2/3/5/6-bit: whole 256-element steps (`body::dot_rows_int2`), the rest as a K tail.
    let whole = if body::int_steps(spec.bits()) { k / body::INT2_STEP * body::INT2_STEP } else { spans * INT_SPAN };
    for (r, row) in x.chunks_exact(k).enumerate() {
        let o = &mut out[r * row_bytes..(r + 1) * row_bytes];
        let xs = &mut xsum[r * gpr..(r + 1) * gpr];
        #[cfg(target_arch = "x86_64")]
        // SAFETY: only called for `Kernels::Avx512Vnni`, whose support check covers these features.
        let ok = unsafe {
            if body::int_steps(spec.bits()) {
                split_x_limbs2_avx512(&row[..whole], spec.bits(), limbs, gs, o, xs)
            } else {
                split_x_limbs_avx512(&row[..whole], limbs, code, gs, o, xs)
            }
        };
        #[cfg(not(target_arch = "x86_64"))]
        let ok = {
            let _ = (o, code);
            false
        };
        if !ok {
            return false;
        }
        for (g, tail) in row[whole..].chunks(gs).enumerate() {
            xs[whole / gs + g] = tail.iter().map(|&v| v as f64).sum::<f64>() as f32;
        }
    }
    true
}

/// Whether [`decode_fp_scales`] has a vector decoder for `kernels` (else callers use a table).
pub(crate) fn has_fp_scale_decoder(kernels: Kernels) -> bool {
    cfg!(target_arch = "x86_64") && matches!(kernels, Kernels::Avx512 | Kernels::Avx512Vnni)
}

/// Decodes fp-mode scale bytes (`e4m3`: nvfp4's E4M3 times `factor`; else E8M0) into `dst`
/// with AVX-512, bit for bit as `format::quantize::fp_scale`; false (nothing written) where these
/// kernels have no such decoder: the caller uses its table.
pub(crate) fn decode_fp_scales(kernels: Kernels, e4m3: bool, factor: f32, src: &[u8], dst: &mut [f32]) -> bool {
    #[cfg(target_arch = "x86_64")]
    if has_fp_scale_decoder(kernels) {
        // SAFETY: these kernels are only selected where their features were detected.
        unsafe { fp_scales_avx512(e4m3, factor, src, dst) };
        return true;
    }
    let _ = (kernels, e4m3, factor, src, dst);
    false
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c,bmi1,bmi2")]
unsafe fn fp_scales_avx512(e4m3: bool, factor: f32, src: &[u8], dst: &mut [f32]) {
    isa::avx512_fp_scales(e4m3, factor, src, dst)
}

/// bf16 bits to f32 (exact: the bits shifted up by 16) with AVX2 where present; false (nothing
/// written) otherwise. Converts `src.len().min(dst.len())` values.
#[cfg(target_arch = "x86_64")]
pub(crate) fn bf16_to_f32(src: &[u16], dst: &mut [f32]) -> bool {
    if !is_x86_feature_detected!("avx2") {
        return false;
    }
    // SAFETY: AVX2 was detected.
    unsafe { bf16_to_f32_avx2(src, dst) };
    true
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn bf16_to_f32_avx2(src: &[u16], dst: &mut [f32]) {
    use std::arch::x86_64::*;
    let n = src.len().min(dst.len());
    let mut i = 0;
    while i + 8 <= n {
        let h = _mm_loadu_si128(src.as_ptr().add(i) as *const _);
        _mm256_storeu_si256(dst.as_mut_ptr().add(i) as *mut _, _mm256_slli_epi32::<16>(_mm256_cvtepu16_epi32(h)));
        i += 8;
    }
    for j in i..n {
        dst[j] = f32::from_bits((src[j] as u32) << 16);
    }
}

/// f16 bits to f32 (exact) with F16C where present; false (nothing written) otherwise.
/// Converts `src.len().min(dst.len())` values.
#[cfg(target_arch = "x86_64")]
pub(crate) fn f16_to_f32(src: &[u16], dst: &mut [f32]) -> bool {
    if !(is_x86_feature_detected!("f16c") && is_x86_feature_detected!("avx")) {
        return false;
    }
    // SAFETY: F16C and AVX were detected.
    unsafe { f16_to_f32_f16c(src, dst) };
    true
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx,f16c")]
unsafe fn f16_to_f32_f16c(src: &[u16], dst: &mut [f32]) {
    use std::arch::x86_64::*;
    let n = src.len().min(dst.len());
    let mut i = 0;
    while i + 8 <= n {
        let h = _mm_loadu_si128(src.as_ptr().add(i) as *const _);
        _mm256_storeu_ps(dst.as_mut_ptr().add(i), _mm256_cvtph_ps(h));
        i += 8;
    }
    for j in i..n {
        dst[j] = half::f16::from_bits(src[j]).to_f32();
    }
}

/// Permutes each `k`-element row of `x` into the nibble-block order of `lanes`-lane vectors.
pub(crate) fn permute_x_for_dot(x: &[f32], k: usize, lanes: usize, out: &mut [f32]) {
    for (src, dst) in x.chunks_exact(k).zip(out.chunks_exact_mut(k)) {
        body::permute_x_nibble_blocks(src, lanes, dst);
    }
}

/// The row-dot kernel of `spec` for these kernels, taking x as `limbs` int8 limbs
/// ([`int_dot_limbs`]) or as f32 (`limbs` = 0), and the scales and biases as f32 or, `scales` =
/// `scale_kind::BF16`/`F16` (integer dots of affine codes with 2 limbs and K a multiple of
/// [`INT_SPAN`] only), as the 16-bit values stored.
pub(crate) fn dot_fn<const NR: usize, const MR: usize>(kernels: Kernels, spec: &QuantSpec, limbs: usize, scales: u8) -> DotFn<NR, MR> {
    #[cfg(target_arch = "aarch64")]
    if kernels == Kernels::Neon {
        return by_code!(spec, dot_neon, NR, MR);
    }
    #[cfg(target_arch = "x86_64")]
    if limbs > 0 {
        use body::scale_kind::{BF16, F16, F32};
        return match (spec.element_code(), spec.bits(), limbs, scales) {
            (ElementCode::Fp8, _, 1, _) => dot_fp8_bf16_avx512::<1, NR, MR>,
            (ElementCode::Fp8, _, 2, _) => dot_fp8_bf16_avx512::<2, NR, MR>,
            (ElementCode::Fp8, _, FP8_F32_X, _) => dot_fp8_f32_avx512::<NR, MR>,
            (ElementCode::Fp4, _, 2, _) if has_vbmi() => dot_int_fp4_vbmi_avx512::<2, NR, MR>,
            (ElementCode::Fp4, _, _, _) if has_vbmi() => dot_int_fp4_vbmi_avx512::<3, NR, MR>,
            (ElementCode::Fp4, _, 2, _) => dot_int_avx512::<{ kind::FP4 }, F32, 2, NR, MR>,
            (ElementCode::Fp4, _, _, _) => dot_int_avx512::<{ kind::FP4 }, F32, 3, NR, MR>,
            (_, 4, 2, BF16) => dot_int_avx512::<{ kind::UINT }, BF16, 2, NR, MR>,
            (_, 4, 2, F16) => dot_int_avx512::<{ kind::UINT }, F16, 2, NR, MR>,
            (_, 4, 2, _) => dot_int_avx512::<{ kind::UINT }, F32, 2, NR, MR>,
            (_, 4, _, _) => dot_int_avx512::<{ kind::UINT }, F32, 3, NR, MR>,
            (_, 2, 2, BF16) => dot_int_vbmi_avx512::<2, BF16, 2, NR, MR>,
            (_, 2, 2, F16) => dot_int_vbmi_avx512::<2, F16, 2, NR, MR>,
            (_, 2, 2, _) => dot_int_vbmi_avx512::<2, F32, 2, NR, MR>,
            (_, 2, _, _) => dot_int_vbmi_avx512::<2, F32, 3, NR, MR>,
            (_, 3, 2, BF16) => dot_int_vbmi_avx512::<3, BF16, 2, NR, MR>,
            (_, 3, 2, F16) => dot_int_vbmi_avx512::<3, F16, 2, NR, MR>,
            (_, 3, 2, _) => dot_int_vbmi_avx512::<3, F32, 2, NR, MR>,
            (_, 3, _, _) => dot_int_vbmi_avx512::<3, F32, 3, NR, MR>,
            (_, 5, 2, BF16) => dot_int_vbmi_avx512::<5, BF16, 2, NR, MR>,
            (_, 5, 2, F16) => dot_int_vbmi_avx512::<5, F16, 2, NR, MR>,
            (_, 5, 2, _) => dot_int_vbmi_avx512::<5, F32, 2, NR, MR>,
            (_, 5, _, _) => dot_int_vbmi_avx512::<5, F32, 3, NR, MR>,
            (_, 6, 2, BF16) => dot_int_vbmi_avx512::<6, BF16, 2, NR, MR>,
            (_, 6, 2, F16) => dot_int_vbmi_avx512::<6, F16, 2, NR, MR>,
            (_, 6, 2, _) => dot_int_vbmi_avx512::<6, F32, 2, NR, MR>,
            (_, 6, _, _) => dot_int_vbmi_avx512::<6, F32, 3, NR, MR>,
            (c, b, l, _) => unreachable!("no integer row dot for {c:?} {b}-bit with {l} limbs"),
        };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (limbs, scales);
    #[cfg(target_arch = "x86_64")]
    if dot_nibble_lanes(kernels, spec).is_some() {
        return match spec.element_code() {
            ElementCode::Fp4 => dot_nibbles_avx512::<{ kind::FP4 }, NR, MR>,
            _ => dot_nibbles_avx512::<{ kind::UINT }, NR, MR>,
        };
    }
    by_isa!(kernels, spec, dot_portable, dot_avx2, dot_avx512, NR, MR)
}

/// The dequantization kernel of `spec`.
pub(crate) fn dequant_fn(kernels: Kernels, spec: &QuantSpec) -> DequantFn {
    #[cfg(target_arch = "aarch64")]
    if kernels == Kernels::Neon {
        return by_code!(spec, deq_neon);
    }
    by_isa!(kernels, spec, deq_portable, deq_avx2, deq_avx512)
}

/// `dst[i] += src[i]` (the transpose=False path's 64-row block sums into a task's sums), compiled
/// for AVX-512 where these kernels run (the generic loop is SSE2 only).
pub(crate) fn add_assign_f32(kernels: Kernels, dst: &mut [f32], src: &[f32]) {
    #[cfg(target_arch = "x86_64")]
    if matches!(kernels, Kernels::Avx512 | Kernels::Avx512Vnni) {
        // SAFETY: these kernels are only selected where AVX-512 F was detected.
        unsafe { add_assign_avx512(dst, src) };
        return;
    }
    let _ = kernels;
    for (d, &s) in dst.iter_mut().zip(src) {
        *d += s;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn add_assign_avx512(dst: &mut [f32], src: &[f32]) {
    for (d, &s) in dst.iter_mut().zip(src) {
        *d += s;
    }
}

/// Whether the transpose=False kernel of `spec` keeps the columns of each whole
/// [`AXPY_NIBBLE_BLOCK`] in nibble-block order (4-bit codes with AVX-512; see `body::axpy_rows`).
pub(crate) fn axpy_nibble_blocks(kernels: Kernels, spec: &QuantSpec) -> bool {
    dot_nibble_lanes(kernels, spec).is_some()
}

/// The transpose=False kernel of `spec` for `MR` x rows.
pub(crate) fn axpy_fn<const MR: usize>(kernels: Kernels, spec: &QuantSpec) -> AxpyFn {
    #[cfg(target_arch = "aarch64")]
    if kernels == Kernels::Neon {
        return by_code!(spec, axpy_neon, MR);
    }
    #[cfg(target_arch = "x86_64")]
    if axpy_nibble_blocks(kernels, spec) {
        return match spec.element_code() {
            ElementCode::Fp4 => axpy_nibbles_avx512::<{ kind::FP4 }, MR>,
            _ => axpy_nibbles_avx512::<{ kind::UINT }, MR>,
        };
    }
    by_isa!(kernels, spec, axpy_portable, axpy_avx2, axpy_avx512, MR)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::quantize::{fp_scale, nvfp4_global_factor};
    use crate::format::{Mode, QuantSpec};

    /// The vector decoder of fp scale bytes gives `fp_scale`'s f32 bit for bit (NaN: NaN) for
    /// every byte, nvfp4 with and without global scales, mxfp4/mxfp8, every tail length; it writes
    /// nothing past `src.len()`.
    #[test]
    fn fp_scale_decoder_matches_fp_scale() {
        let all: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
        let mut checked = 0;
        for kernels in Kernels::available() {
            for (spec, gs) in [
                (QuantSpec::new(Mode::Nvfp4, 16, 4).unwrap(), vec![None, Some(1.0f32), Some(448.0 * 6.0), Some(0.37), Some(3e-3)]),
                (QuantSpec::new(Mode::Mxfp4, 32, 4).unwrap(), vec![None]),
                (QuantSpec::new(Mode::Mxfp8, 32, 8).unwrap(), vec![None]),
            ] {
                for g in gs {
                    let factor = g.map(nvfp4_global_factor);
                    for len in (0..=40).chain([511, 512]) {
                        let src = &all[..len];
                        let mut dst = vec![f32::from_bits(0x7F80_0123); len + 17];
                        let e4m3 = spec.mode() == Mode::Nvfp4;
                        if !decode_fp_scales(kernels, e4m3, factor.unwrap_or(1.0), src, &mut dst[..len]) {
                            continue;
                        }
                        for (i, &b) in src.iter().enumerate() {
                            let want = fp_scale(&spec, b, factor);
                            let got = dst[i];
                            assert!(
                                got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                                "{} {spec} g={g:?} byte {b:#04x}: {got:e} ({:#010x}) vs {want:e} ({:#010x})",
                                kernels.name(),
                                got.to_bits(),
                                want.to_bits()
                            );
                        }
                        assert!(dst[len..].iter().all(|v| v.to_bits() == 0x7F80_0123), "{} wrote past the end", kernels.name());
                        checked += 1;
                    }
                }
            }
        }
        assert!(!cfg!(target_arch = "x86_64") || !Kernels::Avx512.is_supported() || checked > 0);
    }

    /// E4M3 → bf16 (`isa::e4m3_bf16_bits` with the sign, and the VBMI vector decode with its
    /// lane order, `isa::avx512_e4m3_bf16`) equals `fp8_e4m3_decode` bit for bit for all 256
    /// codes (NaN: NaN).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn e4m3_bf16_decode_is_exact() {
        use crate::format::codes::fp8_e4m3_decode;
        let as_f32 = |b: u16| f32::from_bits((b as u32) << 16);
        let same = |a: f32, b: f32| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
        for c in 0..=255u8 {
            let b = isa::e4m3_bf16_bits(c & 0x7F) | ((c as u16 & 0x80) << 8);
            assert!(same(as_f32(b), fp8_e4m3_decode(c)), "table {c:#04x}: {:e} vs {:e}", as_f32(b), fp8_e4m3_decode(c));
        }
        if !has_bf16_dot() {
            eprintln!("SKIP e4m3_bf16_decode_is_exact (vector): this CPU lacks AVX512-BF16 or VBMI");
            return;
        }
        let codes: Vec<u8> = (0..=255u8).map(|c| c.wrapping_mul(97).wrapping_add(13)).collect();
        // SAFETY: VBMI and AVX-512 BW were detected (has_bf16_dot).
        let got = unsafe { decode_e4m3_bf16_256(&codes) };
        for (i, &c) in codes.iter().enumerate() {
            assert!(same(as_f32(got[i]), fp8_e4m3_decode(c)), "vector, code {c:#04x} at {i}: {:e}", as_f32(got[i]));
        }
    }

    /// The fp4 integer-dot operands unpacked with VBMI byte permutes equal the mask-and-shuffle
    /// ones byte for byte, for every byte value (both nibbles), and both are `2·value + 12` of
    /// the E2M1 code (`FP4_VALUES`).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn fp4_int_codes_vbmi_match() {
        use crate::format::codes::FP4_VALUES;
        if !(Kernels::Avx512Vnni.is_supported() && has_vbmi()) {
            eprintln!("SKIP fp4_int_codes_vbmi_match: this CPU lacks AVX-512 VNNI or VBMI");
            return;
        }
        for start in [0u32, 64, 128, 192] {
            // 64 bytes a call: every byte value once over the 4 calls.
            let bytes: Vec<u8> = (start..start + 64).map(|b| b as u8).collect();
            let words: Vec<u32> = bytes.chunks(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
            // SAFETY: VNNI (hence AVX-512 F/BW) and VBMI were detected above.
            let (plain, vbmi) = unsafe { fp4_int_codes_both(words.as_ptr()) };
            assert_eq!(plain, vbmi, "bytes from {start}");
            for (i, &b) in bytes.iter().enumerate() {
                for (h, nib) in [(0, b & 15), (1, b >> 4)] {
                    let want = 12 + (2.0 * FP4_VALUES[nib as usize & 7]) as i32 * if nib & 8 != 0 { -1 } else { 1 };
                    assert_eq!(vbmi[h][i] as i32, want, "byte {b:#04x} nibble {h}");
                }
            }
        }
    }

    /// The code vectors of a 256-code integer-dot step (`isa::Isa::int_step_codes`) hold, for
    /// every width the steps take, in vector v, i32 lane i, byte t code `16i + 4t + v` (2-bit)
    /// or `16i + 4v + t` (3/5/6-bit) of the packed row (`layout::code`), on random bytes.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn int_step_codes_match_layout() {
        if !(Kernels::Avx512Vnni.is_supported() && has_vbmi()) {
            eprintln!("SKIP int_step_codes_match_layout: this CPU lacks AVX-512 VNNI or VBMI");
            return;
        }
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for bits in [2u32, 3, 5, 6] {
            assert!(body::int_steps(bits));
            for _ in 0..8 {
                let words: Vec<u32> = (0..8 * bits)
                    .map(|_| {
                        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                        (state >> 32) as u32
                    })
                    .collect();
                // SAFETY: VNNI (hence AVX-512 F/BW) and VBMI were detected above; 32·bits bytes.
                let got = unsafe { int_step_codes_all(bits, words.as_ptr()) };
                for v in 0..4 {
                    for i in 0..16 {
                        for t in 0..4 {
                            let u = if bits == 2 { 4 * t + v } else { 4 * v + t };
                            let c = 16 * i + u;
                            let want = layout::code(&words[(c / 32) * bits as usize..], bits, c % 32);
                            assert_eq!(got[v][4 * i + t] as u32, want, "{bits}-bit vector {v} lane {i} byte {t}");
                        }
                    }
                }
            }
        }
    }

    /// The four code vectors of one step of `bits`-bit codes at `p`.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    unsafe fn int_step_codes_all(bits: u32, p: *const u32) -> [[u8; 64]; 4] {
        use isa::Isa;
        use std::arch::x86_64::*;
        #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
        unsafe fn codes<const B: u32>(p: *const u32) -> [[u8; 64]; 4] {
            let src = Avx512::int_step_load::<B>(p);
            let mut o = [[0u8; 64]; 4];
            for (v, o) in o.iter_mut().enumerate() {
                _mm512_storeu_si512(o.as_mut_ptr() as *mut __m512i, Avx512::int_step_codes::<B>(src, v as u32));
            }
            o
        }
        match bits {
            2 => codes::<2>(p),
            3 => codes::<3>(p),
            5 => codes::<5>(p),
            _ => codes::<6>(p),
        }
    }

    /// `isa::Isa::int_codes` of 128 fp4 codes without and with VBMI.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    unsafe fn fp4_int_codes_both(p: *const u32) -> ([[u8; 64]; 2], [[u8; 64]; 2]) {
        use isa::Isa;
        use std::arch::x86_64::*;
        let store = |v: [__m512i; 2]| {
            let mut o = [[0u8; 64]; 2];
            _mm512_storeu_si512(o[0].as_mut_ptr() as *mut __m512i, v[0]);
            _mm512_storeu_si512(o[1].as_mut_ptr() as *mut __m512i, v[1]);
            o
        };
        (store(Avx512::int_codes::<4, { kind::FP4 }, false>(p)), store(Avx512::int_codes::<4, { kind::FP4 }, true>(p)))
    }

    /// 256 codes through `isa::avx512_e4m3_bf16`, put back in code order.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    unsafe fn decode_e4m3_bf16_256(codes: &[u8]) -> [u16; 256] {
        use std::arch::x86_64::*;
        let t = isa::avx512_e4m3_bf16_tables();
        let mut out = [0u16; 256];
        for h in 0..4 {
            let v = isa::avx512_e4m3_bf16(_mm512_loadu_si512(codes.as_ptr().add(64 * h) as *const __m512i), &t);
            let mut lanes = [[0u16; 32]; 2];
            _mm512_storeu_si512(lanes[0].as_mut_ptr() as *mut __m512i, v[0]);
            _mm512_storeu_si512(lanes[1].as_mut_ptr() as *mut __m512i, v[1]);
            for j in 0..4 {
                for i in 0..8 {
                    out[64 * h + 16 * j + i] = lanes[0][8 * j + i];
                    out[64 * h + 16 * j + 8 + i] = lanes[1][8 * j + i];
                }
            }
        }
        out
    }

    /// Checks a vector 16-bit → f32 conversion against `reference` for every bit pattern (NaN: any
    /// NaN) and every tail length, and that it writes nothing past the shorter slice. `convert`
    /// returns false where this CPU lacks its instructions: the check then says so loudly.
    #[cfg(target_arch = "x86_64")]
    fn check_u16_to_f32(name: &str, convert: fn(&[u16], &mut [f32]) -> bool, reference: fn(u16) -> f32) {
        let all: Vec<u16> = (0..=u16::MAX).collect();
        let mut dst = vec![0f32; all.len()];
        if !convert(&all, &mut dst) {
            eprintln!("SKIP {name}: this CPU lacks the instructions of the vector conversion");
            return;
        }
        for (&b, &got) in all.iter().zip(&dst) {
            let want = reference(b);
            assert!(got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()), "{name} {b:#06x}: {got:e} vs {want:e}");
        }
        for len in 0..=20 {
            let mut d = vec![-7.0f32; len + 9];
            convert(&all[1000..1000 + len], &mut d[..len]);
            assert!(d[len..].iter().all(|&v| v == -7.0), "{name} wrote past {len} elements");
            assert!(d[..len].iter().zip(&all[1000..]).all(|(v, &b)| v.to_bits() == reference(b).to_bits()), "{name}, {len} elements");
        }
    }

    /// F16C's f16 → f32 equals `half`'s.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn f16_to_f32_matches_half() {
        check_u16_to_f32("f16_to_f32", f16_to_f32, |b| half::f16::from_bits(b).to_f32());
    }

    /// The AVX2 bf16 → f32 equals `half`'s (a 16-bit shift: bf16 is f32's upper half).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn bf16_to_f32_matches_half() {
        check_u16_to_f32("bf16_to_f32", bf16_to_f32, |b| half::bf16::from_bits(b).to_f32());
    }
}
