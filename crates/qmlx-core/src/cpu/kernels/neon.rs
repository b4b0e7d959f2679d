//! NEON (aarch64) implementation of [`Isa`]: 4 f32 lanes, plus the f16/bf16 → f32 conversion.
//!
//! NEON is part of every aarch64 Linux target, so `Kernels::Neon` needs no run-time probe; it is
//! compiled only for `target_arch = "aarch64"`. Tested under qemu-user (scripts/test_aarch64.sh),
//! not timed on Arm hardware.
//!
//! Codes are unpacked at byte level: code `i` of a `B`-bit chunk starts at bit `B·i` (the rule
//! [`super::layout`] states), i.e. byte `B·i / 8`, bit `B·i % 8`, and spans at most two bytes
//! (`7 + 8 < 16` bits). One `tbl` places those bytes in the low half of each u32 lane (index
//! 0xFF reads as 0), one `ushl` by a negative amount shifts right, one `and` masks: no separate
//! high-word gather for the straddling 3/5/6-bit packs. 4-bit chunks (affine 4-bit, mxfp4, nvfp4)
//! are split once per chunk into a low- and a high-nibble plane, so each 4 codes then cost one
//! `tbl` and no shift or mask (hot loop of the 4-bit M=1 dot: 40 → 26 vector instructions per
//! chunk and row, counted in the aarch64 release assembly; not timed).

use super::isa::Isa;
use super::layout::{kind, mask, CHUNK};
use crate::format::codes::FP4_VALUES;
use std::arch::aarch64::*;

/// Codes per vector.
const LANES: usize = 4;
/// Vectors per chunk.
const PARTS: usize = CHUNK / LANES;

/// Byte-level unpack tables of one bit width.
#[repr(C, align(16))]
struct ByteLayout {
    /// Per part: `tbl` indices putting the (one or two) bytes of each lane's code into the lane's
    /// low 16 bits; 0xFF (out of range → 0) elsewhere.
    index: [[u8; 16]; PARTS],
    /// Per part: minus the bit offset of each lane's code in its first byte (`ushl` shifts right).
    shift: [[i32; LANES]; PARTS],
}

const fn byte_layout(bits: usize) -> ByteLayout {
    let mut t = ByteLayout { index: [[0xFF; 16]; PARTS], shift: [[0; LANES]; PARTS] };
    let mut i = 0;
    while i < CHUNK {
        let (p, l) = (i / LANES, i % LANES);
        let bit = bits * i;
        t.index[p][4 * l] = (bit / 8) as u8;
        if bit % 8 + bits > 8 {
            t.index[p][4 * l + 1] = (bit / 8 + 1) as u8;
        }
        t.shift[p][l] = -((bit % 8) as i32);
        i += 1;
    }
    t
}

static BYTE_LAYOUTS: [ByteLayout; 9] = [
    byte_layout(1),
    byte_layout(1),
    byte_layout(2),
    byte_layout(3),
    byte_layout(4),
    byte_layout(5),
    byte_layout(6),
    byte_layout(7),
    byte_layout(8),
];

#[repr(C, align(16))]
struct NibblePlanes([[u8; 16]; PARTS]);
/// 4-bit codes from the two nibble planes `load_words::<4>` makes (low nibbles in bytes 0..16,
/// high nibbles in 16..32): code `i` is plane byte `16·(i % 2) + i / 2`, into lane `i % 4`'s low byte.
static NIBBLE_PLANES: NibblePlanes = {
    let mut t = [[0xFFu8; 16]; PARTS];
    let mut i = 0;
    while i < CHUNK {
        t[i / LANES][4 * (i % LANES)] = (16 * (i % 2) + i / 2) as u8;
        i += 1;
    }
    NibblePlanes(t)
};

#[repr(C, align(16))]
struct Fp4Bytes([f32; 16]);
/// FP4 E2M1 values of codes 0..15, looked up bytewise by `tbl` (64 bytes, four registers).
static FP4_BYTES: Fp4Bytes = Fp4Bytes([
    FP4_VALUES[0], FP4_VALUES[1], FP4_VALUES[2], FP4_VALUES[3], FP4_VALUES[4], FP4_VALUES[5], FP4_VALUES[6],
    FP4_VALUES[7], -FP4_VALUES[0], -FP4_VALUES[1], -FP4_VALUES[2], -FP4_VALUES[3], -FP4_VALUES[4],
    -FP4_VALUES[5], -FP4_VALUES[6], -FP4_VALUES[7],
]);

/// 2^120: turns E4M3 bits placed in an f32's exponent/mantissa field into the E4M3 value.
const FP8_RESCALE: f32 = f32::from_bits((127 + 120) << 23);

/// aarch64 Advanced SIMD: 4 lanes.
#[derive(Clone, Copy)]
pub(crate) struct Neon;

impl Isa for Neon {
    const LANES: usize = LANES;
    type V = float32x4_t;
    /// The chunk's `4·B` bytes in two registers (unused bytes zero); 4-bit: its nibble planes.
    type W = uint8x16x2_t;
    #[inline(always)]
    unsafe fn zero() -> float32x4_t {
        vdupq_n_f32(0.0)
    }
    #[inline(always)]
    unsafe fn splat(v: f32) -> float32x4_t {
        vdupq_n_f32(v)
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> float32x4_t {
        vld1q_f32(p)
    }
    #[inline(always)]
    unsafe fn store(p: *mut f32, v: float32x4_t) {
        vst1q_f32(p, v)
    }
    #[inline(always)]
    unsafe fn fma(a: float32x4_t, b: float32x4_t, c: float32x4_t) -> float32x4_t {
        vfmaq_f32(c, a, b)
    }
    #[inline(always)]
    unsafe fn add(a: float32x4_t, b: float32x4_t) -> float32x4_t {
        vaddq_f32(a, b)
    }
    #[inline(always)]
    unsafe fn hsum(v: float32x4_t) -> f32 {
        vaddvq_f32(v)
    }
    #[inline(always)]
    unsafe fn prefetch(p: *const u32) {
        // `prfm` never faults, so addresses past the end of w are fine (as with x86 prefetch).
        std::arch::asm!("prfm pldl1keep, [{p}]", p = in(reg) p, options(nostack, readonly, preserves_flags));
    }
    #[inline(always)]
    unsafe fn load_words<const B: u32>(p: *const u32) -> uint8x16x2_t {
        // Exactly the chunk's 4·B bytes, never more (the last chunk may end the buffer).
        let b = p as *const u8;
        let z = vdupq_n_u8(0);
        let lane_u32 = |v: uint8x16_t, w: usize| -> uint8x16_t {
            vreinterpretq_u8_u32(vld1q_lane_u32::<0>(p.add(w), vreinterpretq_u32_u8(v)))
        };
        let low_u64 = |w: usize| -> uint8x16_t { vcombine_u8(vld1_u8(b.add(4 * w)), vdup_n_u8(0)) };
        match B {
            1 => uint8x16x2_t(lane_u32(z, 0), z),
            2 => uint8x16x2_t(low_u64(0), z),
            3 => uint8x16x2_t(vreinterpretq_u8_u32(vld1q_lane_u32::<2>(p.add(2), vreinterpretq_u32_u8(low_u64(0)))), z),
            4 => {
                let v = vld1q_u8(b);
                uint8x16x2_t(vandq_u8(v, vdupq_n_u8(0x0F)), vshrq_n_u8::<4>(v))
            }
            5 => uint8x16x2_t(vld1q_u8(b), lane_u32(z, 4)),
            6 => uint8x16x2_t(vld1q_u8(b), low_u64(4)),
            8 => vld1q_u8_x2(b),
            _ => {
                let mut buf = [0u8; 32];
                std::ptr::copy_nonoverlapping(b, buf.as_mut_ptr(), 4 * B as usize);
                vld1q_u8_x2(buf.as_ptr())
            }
        }
    }
    #[inline(always)]
    unsafe fn values<const B: u32, const KIND: u8>(w: uint8x16x2_t, part: usize, scale: f32) -> float32x4_t {
        if B == 4 {
            let c = vqtbl2q_u8(w, vld1q_u8(NIBBLE_PLANES.0[part].as_ptr()));
            return code_values::<KIND>(vreinterpretq_u32_u8(c), scale);
        }
        let t = &BYTE_LAYOUTS[B as usize];
        let idx = vld1q_u8(t.index[part].as_ptr());
        // Widths below 4 bits keep a chunk in the first 16 bytes: the one-register lookup.
        let bytes = if B < 4 { vqtbl1q_u8(w.0, idx) } else { vqtbl2q_u8(w, idx) };
        let mut c = vreinterpretq_u32_u8(bytes);
        if B != 8 {
            c = vandq_u32(vshlq_u32(c, vld1q_s32(t.shift[part].as_ptr())), vdupq_n_u32(mask(B)));
        }
        code_values::<KIND>(c, scale)
    }
}

/// Integer codes (one per lane) to values: `UINT` as f32, fp4/fp8 decoded times `scale`
/// (`value·scale` rounded once, as the scalar decode).
#[inline(always)]
unsafe fn code_values<const KIND: u8>(c: uint32x4_t, scale: f32) -> float32x4_t {
    match KIND {
        kind::UINT => vcvtq_f32_u32(c),
        kind::FP4 => {
            // Byte indices 4c..4c+3 of the 16-entry f32 table.
            let idx = vmlaq_n_u32(vdupq_n_u32(0x0302_0100), c, 0x0404_0404);
            let table = vld1q_u8_x4(FP4_BYTES.0.as_ptr() as *const u8);
            let v = vreinterpretq_f32_u8(vqtbl4q_u8(table, vreinterpretq_u8_u32(idx)));
            vmulq_n_f32(v, scale)
        }
        _ => {
            let mag = vandq_u32(c, vdupq_n_u32(0x7F));
            let v = vmulq_n_f32(vreinterpretq_f32_u32(vshlq_n_u32::<20>(mag)), FP8_RESCALE);
            let nan = vceqq_u32(mag, vdupq_n_u32(0x7F));
            let v = vbslq_f32(nan, vdupq_n_f32(f32::NAN), v);
            let sign = vshlq_n_u32::<24>(vandq_u32(c, vdupq_n_u32(0x80)));
            let v = vreinterpretq_f32_u32(vorrq_u32(vreinterpretq_u32_f32(v), sign));
            vmulq_n_f32(v, scale)
        }
    }
}

/// f16 bits to f32 with `fcvtl`/`fcvtl2` (base Armv8 Advanced SIMD, no FEAT_FP16 needed); exact.
pub(crate) fn f16_to_f32(src: &[u16], dst: &mut [f32]) {
    assert_eq!(src.len(), dst.len());
    let mut s = src.chunks_exact(8);
    let mut d = dst.chunks_exact_mut(8);
    for (s, d) in (&mut s).zip(&mut d) {
        // SAFETY: 8 u16 read from s, 8 f32 written to d; NEON is baseline on aarch64.
        unsafe {
            let h = vld1q_u16(s.as_ptr());
            let (lo, hi): (float32x4_t, float32x4_t);
            // Inline asm: the `float16x4_t` intrinsics need Rust 1.94, the workspace supports 1.85.
            std::arch::asm!(
                "fcvtl {lo:v}.4s, {h:v}.4h",
                "fcvtl2 {hi:v}.4s, {h:v}.8h",
                h = in(vreg) h, lo = out(vreg) lo, hi = out(vreg) hi,
                options(pure, nomem, nostack, preserves_flags)
            );
            vst1q_f32(d.as_mut_ptr(), lo);
            vst1q_f32(d.as_mut_ptr().add(4), hi);
        }
    }
    for (s, d) in s.remainder().iter().zip(d.into_remainder()) {
        *d = half::f16::from_bits(*s).to_f32();
    }
}

/// bf16 bits to f32: the bits shifted into the high half (`ushll`), exact.
pub(crate) fn bf16_to_f32(src: &[u16], dst: &mut [f32]) {
    assert_eq!(src.len(), dst.len());
    let mut s = src.chunks_exact(8);
    let mut d = dst.chunks_exact_mut(8);
    for (s, d) in (&mut s).zip(&mut d) {
        // SAFETY: 8 u16 read from s, 8 f32 written to d; NEON is baseline on aarch64.
        unsafe {
            let h = vld1q_u16(s.as_ptr());
            vst1q_f32(d.as_mut_ptr(), vreinterpretq_f32_u32(vshll_n_u16::<16>(vget_low_u16(h))));
            vst1q_f32(d.as_mut_ptr().add(4), vreinterpretq_f32_u32(vshll_high_n_u16::<16>(h)));
        }
    }
    for (s, d) in s.remainder().iter().zip(d.into_remainder()) {
        *d = f32::from_bits((*s as u32) << 16);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::packing::extract;

    /// Every code of every width, unpacked by `Neon::values`, equals the packing reference.
    #[test]
    fn neon_unpack_matches_the_packing_reference() {
        fn check<const B: u32>() {
            for seed in 0..64u32 {
                let words: Vec<u32> = (0..B).map(|i| 0x9E37_79B9u32.wrapping_mul(i + 7 + seed * 13).rotate_left(i * 5 + seed)).collect();
                let mut got = [0f32; CHUNK];
                // SAFETY: `words` holds the chunk's B words; `got` holds 32 floats.
                unsafe {
                    let w = Neon::load_words::<B>(words.as_ptr());
                    for p in 0..PARTS {
                        vst1q_f32(got.as_mut_ptr().add(p * LANES), Neon::values::<B, { kind::UINT }>(w, p, 0.0));
                    }
                }
                for (i, g) in got.iter().enumerate() {
                    assert_eq!(*g, extract(&words, i, B) as f32, "bits={B} seed={seed} i={i}");
                }
            }
        }
        check::<1>();
        check::<2>();
        check::<3>();
        check::<4>();
        check::<5>();
        check::<6>();
        check::<7>();
        check::<8>();
    }

    /// fp4/fp8 codes decode to `value·scale` exactly as the scalar decode, for every code.
    #[test]
    fn neon_fp_codes_match_scalar_decode() {
        use crate::format::codes::{fp4_decode, fp8_e4m3_decode};
        for scale in [1.0f32, 0.375, 3.0e-3, 1.0e5] {
            for c0 in (0..256u32).step_by(4) {
                // SAFETY: 4 u32 read.
                let c = unsafe { vld1q_u32([c0, c0 + 1, c0 + 2, c0 + 3].as_ptr()) };
                let mut got = [0f32; 4];
                // SAFETY: 4 floats written.
                unsafe { vst1q_f32(got.as_mut_ptr(), code_values::<{ kind::FP8 }>(c, scale)) };
                for (l, g) in got.iter().enumerate() {
                    let want = fp8_e4m3_decode((c0 + l as u32) as u8) * scale;
                    assert!(g.to_bits() == want.to_bits() || (g.is_nan() && want.is_nan()), "fp8 code {} scale {scale}", c0 + l as u32);
                }
                if c0 < 16 {
                    // SAFETY: as above.
                    unsafe { vst1q_f32(got.as_mut_ptr(), code_values::<{ kind::FP4 }>(c, scale)) };
                    for (l, g) in got.iter().enumerate() {
                        assert_eq!(g.to_bits(), (fp4_decode((c0 + l as u32) as u8) * scale).to_bits(), "fp4 code {}", c0 + l as u32);
                    }
                }
            }
        }
    }

    /// Every f16 and bf16 bit pattern converts as `half` does (NaNs: still NaN), over lengths
    /// that leave a scalar tail.
    #[test]
    fn neon_half_conversions_match_half() {
        let bits: Vec<u16> = (0..=u16::MAX).chain(0..5).collect();
        let mut got = vec![0f32; bits.len()];
        f16_to_f32(&bits, &mut got);
        for (b, g) in bits.iter().zip(&got) {
            let want = half::f16::from_bits(*b).to_f32();
            assert!(g.to_bits() == want.to_bits() || (g.is_nan() && want.is_nan()), "f16 {b:#06x}: {g} vs {want}");
        }
        bf16_to_f32(&bits, &mut got);
        for (b, g) in bits.iter().zip(&got) {
            let want = half::bf16::from_bits(*b).to_f32();
            assert!(g.to_bits() == want.to_bits() || (g.is_nan() && want.is_nan()), "bf16 {b:#06x}: {g} vs {want}");
        }
    }
}
