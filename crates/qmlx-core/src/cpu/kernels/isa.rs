//! The few vector primitives the kernels are written in, one implementation per instruction set.
//!
//! Kernels (`qmv`, `dequant`) are generic over [`Isa`] and `#[inline(always)]`; each is
//! instantiated inside a `#[target_feature]` entry point, so the intrinsics below inline into
//! code compiled for that instruction set. Codes come out of [`layout`] tables: one gather of the
//! low word, one of the high word for straddling widths, variable shifts, a mask.

use super::body::scale_kind;
use super::layout::{self, kind, CHUNK};
use crate::format::codes::{fp4_decode, fp8_e4m3_decode, FP4_VALUES};

/// Vector primitives over f32 lanes.
pub(crate) trait Isa: Copy {
    /// f32 lanes per vector.
    const LANES: usize;
    /// Vectors per 32-element chunk.
    const PARTS: usize = CHUNK / Self::LANES;
    /// A vector of f32.
    type V: Copy;
    /// The `B` packed words of one chunk.
    type W: Copy;
    unsafe fn zero() -> Self::V;
    unsafe fn splat(v: f32) -> Self::V;
    unsafe fn load(p: *const f32) -> Self::V;
    unsafe fn store(p: *mut f32, v: Self::V);
    /// `a * b + c` for accumulation (fused where the hardware has FMA).
    unsafe fn fma(a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    /// `a * b + c` rounded once: dequantization must match `f32::mul_add` bit for bit.
    #[inline(always)]
    unsafe fn fma_exact(a: Self::V, b: Self::V, c: Self::V) -> Self::V {
        Self::fma(a, b, c)
    }
    unsafe fn hsum(v: Self::V) -> f32;
    /// Hints that the cache line at `p` will be read soon (no-op where unsupported).
    #[inline(always)]
    unsafe fn prefetch(p: *const u32) {
        let _ = p;
    }
    /// Like [`Isa::prefetch`], but into the L2 only: the M=1 weight stream (see
    /// `body::prefetch_next_rows` for why). NEON keeps its L1 hint (not measured on Arm).
    #[inline(always)]
    unsafe fn prefetch_l2(p: *const u32) {
        Self::prefetch(p)
    }
    /// Loads the `B` words of one chunk (never reads past them).
    unsafe fn load_words<const B: u32>(p: *const u32) -> Self::W;
    /// Values of part `part` of a chunk: the integer code as f32 (`UINT`, `scale` unused), or
    /// the fp4/fp8 value times `scale`, rounded once as `value * scale` in f32.
    unsafe fn values<const B: u32, const KIND: u8>(w: Self::W, part: usize, scale: f32) -> Self::V;
    /// `a + b` (exact as `a·1 + b`; instruction sets override it with a plain add).
    #[inline(always)]
    unsafe fn add(a: Self::V, b: Self::V) -> Self::V {
        Self::fma(a, Self::splat(1.0), b)
    }
    /// `a * b`.
    #[inline(always)]
    unsafe fn mul(a: Self::V, b: Self::V) -> Self::V {
        Self::fma(a, b, Self::zero())
    }
    /// `Σ_i (a_n[i] + k·c_n[i])·b_m[i]` over `n` floats for `NR` weight rows `a_n = a + n·ab_stride`
    /// (`c_n` alike) and `MR` x rows `b_m = b + m·stride`, in f64 (`a + k·c` exact for k = 8):
    /// the affine bias terms of a row tile.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    unsafe fn dot2_f64<const NR: usize, const MR: usize>(a: *const f32, c: *const f32, ab_stride: usize, k: f64, b: *const f32, stride: usize, n: usize) -> [[f64; MR]; NR] {
        let mut r = [[0f64; MR]; NR];
        for (row, r) in r.iter_mut().enumerate() {
            let (a, c) = (a.add(row * ab_stride), c.add(row * ab_stride));
            for (m, r) in r.iter_mut().enumerate() {
                *r = (0..n).map(|i| (*a.add(i) as f64 + k * *c.add(i) as f64) * *b.add(m * stride + i) as f64).sum();
            }
        }
        r
    }
    /// Nibble blocks (`body::dot_rows_nibbles`), implemented by AVX-512 only (the dispatch in
    /// `mod.rs` picks them only there): the values of 4-bit codes 0..15 (`UINT`: the integers
    /// minus `body::uint_int_offset(4)`; `FP4`: E2M1, unscaled).
    #[inline(always)]
    unsafe fn nibble_table<const KIND: u8>() -> Self::V {
        unreachable!("no nibble blocks for this instruction set")
    }
    /// Loads `LANES` words, one per lane.
    #[inline(always)]
    unsafe fn load_block(p: *const u32) -> Self::W {
        let _ = p;
        unreachable!("no nibble blocks for this instruction set")
    }
    /// Nibble `j` of each lane's word, looked up in `table`.
    #[inline(always)]
    unsafe fn nibble_values(w: Self::W, j: u32, table: Self::V) -> Self::V {
        let _ = (w, j, table);
        unreachable!("no nibble blocks for this instruction set")
    }
    /// Per-lane scales of a nibble block: lane `i` (codes `8i..8i+8`) gets `p[i·gpb / LANES]`,
    /// where `gpb` ∈ {1, 2, 4, 8} groups start in the block; reads only `p[..gpb]`.
    #[inline(always)]
    unsafe fn lane_scales(p: *const f32, gpb: usize) -> Self::V {
        let _ = (p, gpb);
        unreachable!("no nibble blocks for this instruction set")
    }
    /// [`Isa::lane_scales`] from bf16 (`SC` = `body::scale_kind::BF16`) or f16 bits (AVX-512 only).
    #[inline(always)]
    unsafe fn lane_scales_u16<const SC: u8>(p: *const u16, gpb: usize) -> Self::V {
        let _ = (p, gpb);
        unreachable!("no 16-bit scales for this instruction set")
    }
    /// [`Isa::dot2_f64`] with `a` and `c` bf16 or f16 bits (AVX-512 only).
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    unsafe fn dot2_f64_u16<const SC: u8, const NR: usize, const MR: usize>(a: *const u16, c: *const u16, ab_stride: usize, k: f64, b: *const f32, stride: usize, n: usize) -> [[f64; MR]; NR] {
        let _ = (a, c, ab_stride, k, b, stride, n);
        unreachable!("no 16-bit scales for this instruction set")
    }
    /// Integer row dots (`body::dot_rows_int`), implemented by AVX-512 only and instantiated
    /// only where VNNI is present (and VBMI for `B` = 2, 3, 5, 6): the u8 operands of
    /// [`Isa::dot_u8_i8`] of the 128 `B`-bit codes at `p` (`16·B` bytes, nothing read past
    /// them): `[even codes, odd codes]`, so that i32 lane `i` of a dot sums codes `8i..8i+8`
    /// (as in the nibble blocks; 4-bit: the low and high nibbles). `UINT`: the code; `FP4`:
    /// `2·value + 12` (E2M1 values times 2 are integers in [-12, 12]). `VBMI`: the caller's
    /// entry point enables AVX512-VBMI (fp4 codes then take one 64-entry byte permute per 64
    /// codes instead of a mask and a byte shuffle).
    #[inline(always)]
    unsafe fn int_codes<const B: u32, const KIND: u8, const VBMI: bool>(p: *const u32) -> [Self::W; 2] {
        let _ = p;
        unreachable!("no integer dots for this instruction set")
    }
    /// The `B`-bit codes of one 256-code step of `body::dot_rows_int2` at `p` (`32·B` bytes, nothing
    /// read past them), as the registers [`Isa::int_step_codes`] takes (AVX-512 only; 5/6-bit:
    /// bytes 0..64, 64..128 and the step's last 64).
    #[inline(always)]
    unsafe fn int_step_load<const B: u32>(p: *const u32) -> [Self::W; 3] {
        let _ = p;
        unreachable!("no integer dots for this instruction set")
    }
    /// Code vector `v` (0..4) of a step: i32 lane `i`, byte `t` holds code `16i + 4t + v` (2-bit:
    /// `(bytes >> 2v) & 3`) or `16i + 4v + t` (3-bit: a multishift of the `vpermi2b` that
    /// vectors `2u` and `2u + 1` share; 5/6-bit: a multishift of a `vpermi2b` and a masked
    /// `vpermb`, the step's 160/192 bytes being more than one `vpermi2b` reaches).
    #[inline(always)]
    unsafe fn int_step_codes<const B: u32>(src: [Self::W; 3], v: u32) -> Self::W {
        let _ = (src, v);
        unreachable!("no integer dots for this instruction set")
    }
    /// Zero i32 lanes.
    #[inline(always)]
    unsafe fn int_zero() -> Self::W {
        unreachable!("no integer dots for this instruction set")
    }
    /// `acc + Σ_{j<4} codes[4i+j]·x[4i+j]` per i32 lane `i`: u8 codes times the i8 at `x` (VNNI
    /// `vpdpbusd`, exact; no saturation).
    #[inline(always)]
    unsafe fn dot_u8_i8(acc: Self::W, codes: Self::W, x: *const i8) -> Self::W {
        let _ = (acc, codes, x);
        unreachable!("no integer dots for this instruction set")
    }
    /// `hi·2^8 + lo` in i32 lanes (joins the sums of two int8 limbs of x; wraps, and the
    /// joined sums fit i32).
    #[inline(always)]
    unsafe fn int_join_limbs(hi: Self::W, lo: Self::W) -> Self::W {
        let _ = (hi, lo);
        unreachable!("no integer dots for this instruction set")
    }
    /// i32 lanes to f32.
    #[inline(always)]
    unsafe fn int_to_f32(a: Self::W) -> Self::V {
        let _ = a;
        unreachable!("no integer dots for this instruction set")
    }
    /// Loads 16 i32 lanes (64 bytes).
    #[inline(always)]
    unsafe fn int_load(p: *const i8) -> Self::W {
        let _ = p;
        unreachable!("no integer dots for this instruction set")
    }
    /// Splits the 128 floats at `x` into int8 limbs for [`Isa::int_codes`] (see
    /// `body::split_x_limbs`), one power-of-two scale per block of 8 elements (an i32 lane of
    /// the dots): the limbs (per limb 128 bytes: the even elements, then the odd ones) at
    /// `rec`, then 16 f32 lane factors `factor·2^-8(limbs-1)/up`, then 16 i32 start values of
    /// the last limb's accumulators, `−offset·Σ_lane joined limbs`; and at `bsum` the 16 block
    /// sums of x̃, the value the limbs carry (exact in f64). False if the span holds a
    /// non-finite value or a block whose max|x| is nonzero but below 2^-100.
    #[inline(always)]
    unsafe fn int_split_span(x: *const f32, limbs: usize, factor: f32, offset: i32, rec: *mut i8, bsum: *mut f64) -> bool {
        let _ = (x, limbs, factor, offset, rec, bsum);
        unreachable!("no integer dots for this instruction set")
    }
}

#[cfg(target_arch = "x86_64")]
pub(crate) use x86::{avx512_e4m3_bf16, avx512_e4m3_bf16_tables, avx512_fp_scales, Avx2, Avx512};
#[cfg(all(test, target_arch = "x86_64"))]
pub(crate) use x86::e4m3_bf16_bits;

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::*;
    use std::arch::x86_64::*;

    /// 2^120: turns E4M3 bits placed in an f32's exponent/mantissa field into the E4M3 value.
    const FP8_RESCALE: f32 = f32::from_bits((127 + 120) << 23);

    /// The element type of `a` and `c` in [`dot2_f64_lanes`]: 8 of them as f32 lanes, one as f64.
    trait BiasTermElem: Copy {
        unsafe fn lanes8(p: *const Self) -> __m256;
        fn to_f64(self) -> f64;
    }
    impl BiasTermElem for f32 {
        #[inline(always)]
        unsafe fn lanes8(p: *const f32) -> __m256 {
            _mm256_loadu_ps(p)
        }
        #[inline(always)]
        fn to_f64(self) -> f64 {
            self as f64
        }
    }
    impl BiasTermElem for half::bf16 {
        #[inline(always)]
        unsafe fn lanes8(p: *const half::bf16) -> __m256 {
            _mm256_castsi256_ps(_mm256_slli_epi32::<16>(_mm256_cvtepu16_epi32(_mm_loadu_si128(p as *const _))))
        }
        #[inline(always)]
        fn to_f64(self) -> f64 {
            half::bf16::to_f64(self)
        }
    }
    impl BiasTermElem for half::f16 {
        #[inline(always)]
        unsafe fn lanes8(p: *const half::f16) -> __m256 {
            _mm256_cvtph_ps(_mm_loadu_si128(p as *const _))
        }
        #[inline(always)]
        fn to_f64(self) -> f64 {
            half::f16::to_f64(self)
        }
    }

    /// [`Isa::dot2_f64`] on AVX-512 for f32, bf16 or f16 `a` and `c`: 8 columns per step in f64,
    /// the `NR` weight rows together (one accumulator chain per row and x row: one row at a time
    /// was a serial chain of dependent f64 FMAs, ~30 % of the samples of the 2-bit integer dots
    /// at M=1 in L2, stage 8), the x columns converted once for all rows.
    #[inline(always)]
    #[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
    unsafe fn dot2_f64_lanes<E: BiasTermElem, const NR: usize, const MR: usize>(a: *const E, c: *const E, ab_stride: usize, k: f64, b: *const f32, stride: usize, n: usize) -> [[f64; MR]; NR] {
        let mut acc = [[_mm512_setzero_pd(); MR]; NR];
        let kv = _mm512_set1_pd(k);
        let mut i = 0;
        while i + 8 <= n {
            // (No closures: they do not inherit `#[target_feature]`.)
            let mut xs = [_mm512_setzero_pd(); MR];
            for m in 0..MR {
                xs[m] = _mm512_cvtps_pd(_mm256_loadu_ps(b.add(m * stride + i)));
            }
            for row in 0..NR {
                let (ar, cr) = (a.add(row * ab_stride + i), c.add(row * ab_stride + i));
                let w = _mm512_fmadd_pd(_mm512_cvtps_pd(E::lanes8(cr)), kv, _mm512_cvtps_pd(E::lanes8(ar)));
                for m in 0..MR {
                    acc[row][m] = _mm512_fmadd_pd(w, xs[m], acc[row][m]);
                }
            }
            i += 8;
        }
        let mut r = [[0f64; MR]; NR];
        for row in 0..NR {
            let (ar, cr) = (a.add(row * ab_stride), c.add(row * ab_stride));
            for m in 0..MR {
                r[row][m] = _mm512_reduce_add_pd(acc[row][m]);
                for j in i..n {
                    r[row][m] += ((*ar.add(j)).to_f64() + k * (*cr.add(j)).to_f64()) * *b.add(m * stride + j) as f64;
                }
            }
        }
        r
    }

    /// AVX-512 F/BW/VL/DQ: 16 lanes.
    #[derive(Clone, Copy)]
    pub(crate) struct Avx512;

    impl Isa for Avx512 {
        const LANES: usize = 16;
        type V = __m512;
        type W = __m512i;
        #[inline(always)]
        unsafe fn zero() -> __m512 {
            _mm512_setzero_ps()
        }
        #[inline(always)]
        unsafe fn splat(v: f32) -> __m512 {
            _mm512_set1_ps(v)
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> __m512 {
            _mm512_loadu_ps(p)
        }
        #[inline(always)]
        unsafe fn store(p: *mut f32, v: __m512) {
            _mm512_storeu_ps(p, v)
        }
        #[inline(always)]
        unsafe fn fma(a: __m512, b: __m512, c: __m512) -> __m512 {
            _mm512_fmadd_ps(a, b, c)
        }
        #[inline(always)]
        unsafe fn hsum(v: __m512) -> f32 {
            _mm512_reduce_add_ps(v)
        }
        #[inline(always)]
        unsafe fn prefetch(p: *const u32) {
            _mm_prefetch::<_MM_HINT_T0>(p as *const i8)
        }
        #[inline(always)]
        unsafe fn prefetch_l2(p: *const u32) {
            _mm_prefetch::<_MM_HINT_T1>(p as *const i8)
        }
        #[inline(always)]
        unsafe fn load_words<const B: u32>(p: *const u32) -> __m512i {
            _mm512_castsi256_si512(load_words_256::<B>(p))
        }
        #[inline(always)]
        unsafe fn values<const B: u32, const KIND: u8>(w: __m512i, part: usize, scale: f32) -> __m512 {
            let c = if B == 8 {
                // Bytes are codes: widen 16 of them (fp8: sign-extended, see `avx512_code_values`).
                let bytes = if part == 0 { _mm512_castsi512_si128(w) } else { _mm512_extracti32x4_epi32::<1>(w) };
                if KIND == kind::FP8 {
                    _mm512_cvtepi8_epi32(bytes)
                } else {
                    _mm512_cvtepu8_epi32(bytes)
                }
            } else {
                let l = layout::of(B);
                let o = part * 16;
                let lo = _mm512_permutexvar_epi32(_mm512_loadu_si512(l.word_lo.as_ptr().add(o) as *const _), w);
                let mut c = _mm512_srlv_epi32(lo, _mm512_loadu_si512(l.shift_lo.as_ptr().add(o) as *const _));
                if layout::straddles(B) {
                    let hi = _mm512_permutexvar_epi32(_mm512_loadu_si512(l.word_hi.as_ptr().add(o) as *const _), w);
                    c = _mm512_or_si512(c, _mm512_sllv_epi32(hi, _mm512_loadu_si512(l.shift_hi.as_ptr().add(o) as *const _)));
                }
                _mm512_and_si512(c, _mm512_set1_epi32(layout::mask(B) as i32))
            };
            avx512_code_values::<KIND>(c, scale)
        }
        #[inline(always)]
        unsafe fn add(a: __m512, b: __m512) -> __m512 {
            _mm512_add_ps(a, b)
        }
        #[inline(always)]
        unsafe fn mul(a: __m512, b: __m512) -> __m512 {
            _mm512_mul_ps(a, b)
        }
        #[inline(always)]
        unsafe fn dot2_f64<const NR: usize, const MR: usize>(a: *const f32, c: *const f32, ab_stride: usize, k: f64, b: *const f32, stride: usize, n: usize) -> [[f64; MR]; NR] {
            dot2_f64_lanes::<f32, NR, MR>(a, c, ab_stride, k, b, stride, n)
        }
        #[inline(always)]
        unsafe fn nibble_table<const KIND: u8>() -> __m512 {
            if KIND == kind::FP4 {
                _mm512_loadu_ps(FP4_TABLE.0.as_ptr())
            } else {
                _mm512_loadu_ps(UINT4_TABLE.0.as_ptr())
            }
        }
        #[inline(always)]
        unsafe fn load_block(p: *const u32) -> __m512i {
            _mm512_loadu_si512(p as *const _)
        }
        #[inline(always)]
        unsafe fn nibble_values(w: __m512i, j: u32, table: __m512) -> __m512 {
            // vpermps reads only the index's low 4 bits: the higher nibbles need no mask.
            let idx = if j == 0 { w } else { _mm512_srl_epi32(w, _mm_cvtsi32_si128(4 * j as i32)) };
            _mm512_permutexvar_ps(idx, table)
        }
        #[inline(always)]
        unsafe fn lane_scales(p: *const f32, gpb: usize) -> __m512 {
            match gpb {
                1 => _mm512_set1_ps(*p),
                2 => _mm512_permutexvar_ps(
                    _mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0),
                    _mm512_castps128_ps512(_mm_castpd_ps(_mm_load_sd(p as *const f64))),
                ),
                4 => _mm512_permutexvar_ps(
                    _mm512_set_epi32(3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0),
                    _mm512_castps128_ps512(_mm_loadu_ps(p)),
                ),
                _ => _mm512_permutexvar_ps(
                    _mm512_set_epi32(7, 7, 6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 0, 0),
                    _mm512_castps256_ps512(_mm256_loadu_ps(p)),
                ),
            }
        }
        #[inline(always)]
        unsafe fn lane_scales_u16<const SC: u8>(p: *const u16, gpb: usize) -> __m512 {
            // Exactly the gpb values read (1, 2, 4 or 8), as f32 in the low lanes, then the
            // f32 lane pattern of `lane_scales`.
            let bits = match gpb {
                1 => _mm_cvtsi32_si128(p.read_unaligned() as i32),
                2 => _mm_cvtsi32_si128((p as *const i32).read_unaligned()),
                4 => _mm_loadl_epi64(p as *const _),
                _ => _mm_loadu_si128(p as *const _),
            };
            let v = if SC == scale_kind::BF16 {
                _mm256_castsi256_ps(_mm256_slli_epi32::<16>(_mm256_cvtepu16_epi32(bits)))
            } else {
                _mm256_cvtph_ps(bits)
            };
            let v = _mm512_castps256_ps512(v);
            match gpb {
                1 => _mm512_broadcastss_ps(_mm512_castps512_ps128(v)),
                2 => _mm512_permutexvar_ps(_mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0), v),
                4 => _mm512_permutexvar_ps(_mm512_set_epi32(3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0), v),
                _ => _mm512_permutexvar_ps(_mm512_set_epi32(7, 7, 6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 0, 0), v),
            }
        }
        #[inline(always)]
        unsafe fn dot2_f64_u16<const SC: u8, const NR: usize, const MR: usize>(a: *const u16, c: *const u16, ab_stride: usize, k: f64, b: *const f32, stride: usize, n: usize) -> [[f64; MR]; NR] {
            if SC == scale_kind::BF16 {
                dot2_f64_lanes::<half::bf16, NR, MR>(a.cast(), c.cast(), ab_stride, k, b, stride, n)
            } else {
                dot2_f64_lanes::<half::f16, NR, MR>(a.cast(), c.cast(), ab_stride, k, b, stride, n)
            }
        }
        #[inline(always)]
        unsafe fn int_codes<const B: u32, const KIND: u8, const VBMI: bool>(p: *const u32) -> [__m512i; 2] {
            if B != 4 {
                // 2/3-bit: the 16 codes 16u..16u+16 (2B bytes from byte 2B·u) moved into qword u
                // by one byte permute, then each byte's code selected by its bit offset in that
                // qword (VBMI multishift) and masked: 5 operations per 128 codes.
                let lo = _mm256_loadu_si256(p as *const _);
                let src = if B == 2 {
                    _mm512_zextsi256_si512(lo)
                } else {
                    _mm512_inserti32x4::<2>(_mm512_zextsi256_si512(lo), _mm_loadu_si128(p.add(8) as *const _))
                };
                let t = &INT_CODES_SMALL[(B == 3) as usize];
                let q = _mm512_permutexvar_epi8(_mm512_loadu_si512(t.arrange.as_ptr() as *const _), src);
                let m = _mm512_set1_epi8(layout::mask(B) as i8);
                let even = _mm512_multishift_epi64_epi8(_mm512_loadu_si512(t.even.as_ptr() as *const _), q);
                let odd = _mm512_multishift_epi64_epi8(_mm512_loadu_si512(t.odd.as_ptr() as *const _), q);
                return [_mm512_and_si512(even, m), _mm512_and_si512(odd, m)];
            }
            let w = _mm512_loadu_si512(p as *const _);
            if KIND == kind::FP4 && VBMI {
                // `vpermb` reads an index's low 6 bits: with the 16-entry table repeated 4 times
                // the bits above the nibble select a copy, so neither half needs a mask (3
                // operations per 128 codes instead of 5).
                let t = _mm512_loadu_si512(FP4_X2_OFFSET_64.0.as_ptr() as *const _);
                return [_mm512_permutexvar_epi8(w, t), _mm512_permutexvar_epi8(_mm512_srli_epi16::<4>(w), t)];
            }
            let m = _mm512_set1_epi8(0x0F);
            let lo = _mm512_and_si512(w, m);
            let hi = _mm512_and_si512(_mm512_srli_epi16::<4>(w), m);
            if KIND == kind::FP4 {
                // One byte shuffle per 64 codes: the table repeats in each 128-bit lane.
                let t = _mm512_broadcast_i32x4(_mm_loadu_si128(FP4_X2_OFFSET.as_ptr() as *const _));
                [_mm512_shuffle_epi8(t, lo), _mm512_shuffle_epi8(t, hi)]
            } else {
                [lo, hi]
            }
        }
        #[inline(always)]
        unsafe fn int_step_load<const B: u32>(p: *const u32) -> [__m512i; 3] {
            let lo = _mm512_loadu_si512(p as *const _);
            match B {
                2 => [lo, lo, lo],
                3 => [lo, _mm512_zextsi256_si512(_mm256_loadu_si256(p.add(16) as *const _)), lo],
                // 5/6-bit (160/192 bytes): the last 64 bytes overlap the second vector for 5-bit.
                _ => [lo, _mm512_loadu_si512(p.add(16) as *const _), _mm512_loadu_si512(p.add(8 * B as usize - 16) as *const _)],
            }
        }
        #[inline(always)]
        unsafe fn int_step_codes<const B: u32>(src: [__m512i; 3], v: u32) -> __m512i {
            if B == 5 || B == 6 {
                // Window w is bytes 2B·w..2B·w+2B; lane w of vector v takes the 3 bytes holding
                // codes 4v..4v+4 of it: the bytes among the first 128 by one `vpermi2b`, the
                // later ones by a `vpermb` of the last 64 bytes merged under a mask (bit 6 of
                // the index; 5-8 % less time at M=1 in L2 than a second `vpermi2b`, stage 12);
                // the multishift picks each code's bits.
                let t = &INT_STEP_WIDE[(B == 6) as usize][v as usize];
                let q = _mm512_permutex2var_epi8(src[0], _mm512_loadu_si512(t.near.as_ptr() as *const _), src[1]);
                let far = _mm512_loadu_si512(t.far.as_ptr() as *const _);
                let q = _mm512_mask_permutexvar_epi8(q, _mm512_test_epi8_mask(far, _mm512_set1_epi8(64)), far, src[2]);
                let c = _mm512_multishift_epi64_epi8(_mm512_loadu_si512(t.shift.as_ptr() as *const _), q);
                return _mm512_and_si512(c, _mm512_set1_epi8(layout::mask(B) as i8));
            }
            if B == 2 {
                // A 16-bit shift keeps each byte's own bits in its low 2 (v ≤ 3).
                let m = _mm512_set1_epi8(3);
                return if v == 0 { _mm512_and_si512(src[0], m) } else { _mm512_and_si512(_mm512_srl_epi16(src[0], _mm_cvtsi32_si128(2 * v as i32)), m) };
            }
            // 3-bit: window w is bytes 6w..6w+6; qword q takes the 3 bytes holding codes
            // 8⌊v/2⌋..+8 of windows 2q and 2q+1, the multishift picks each code's 3 bits.
            let q = _mm512_permutex2var_epi8(src[0], _mm512_loadu_si512(INT_STEP3[2 * (v as usize / 2)].arrange.as_ptr() as *const _), src[1]);
            let c = _mm512_multishift_epi64_epi8(_mm512_loadu_si512(INT_STEP3[v as usize].shift.as_ptr() as *const _), q);
            _mm512_and_si512(c, _mm512_set1_epi8(7))
        }
        #[inline(always)]
        unsafe fn int_zero() -> __m512i {
            _mm512_setzero_si512()
        }
        #[inline(always)]
        unsafe fn dot_u8_i8(acc: __m512i, codes: __m512i, x: *const i8) -> __m512i {
            _mm512_dpbusd_epi32(acc, codes, _mm512_loadu_si512(x as *const _))
        }
        #[inline(always)]
        unsafe fn int_join_limbs(hi: __m512i, lo: __m512i) -> __m512i {
            _mm512_add_epi32(_mm512_slli_epi32::<8>(hi), lo)
        }
        #[inline(always)]
        unsafe fn int_to_f32(a: __m512i) -> __m512 {
            _mm512_cvtepi32_ps(a)
        }
        #[inline(always)]
        unsafe fn int_load(p: *const i8) -> __m512i {
            _mm512_loadu_si512(p as *const _)
        }
        #[inline(always)]
        unsafe fn int_split_span(x: *const f32, limbs: usize, factor: f32, offset: i32, rec: *mut i8, bsum: *mut f64) -> bool {
            let zero = _mm512_setzero_si512();
            let lane_f = rec.add(limbs * 128) as *mut f32;
            let init = rec.add(limbs * 128 + 64) as *mut i32;
            // 2^8(L-1) (L ≤ 3) as an exponent step.
            let bits = 8 * (limbs as i32 - 1);
            let mut js = [zero; 8];
            let mut bad: __mmask16 = 0;
            for (q, jq) in js.iter_mut().enumerate() {
                let v = _mm512_loadu_ps(x.add(16 * q));
                let a = _mm512_and_si512(_mm512_castps_si512(v), _mm512_set1_epi32(0x7FFF_FFFF));
                // max|x| over each block of 8 lanes, in every lane of it (bits compare as floats).
                let m = _mm512_max_epu32(a, _mm512_shuffle_epi32::<0xB1>(a));
                let m = _mm512_max_epu32(m, _mm512_shuffle_epi32::<0x4E>(m));
                let m = _mm512_max_epu32(m, _mm512_shuffle_i32x4::<0xB1>(m, m));
                let is0 = _mm512_cmpeq_epu32_mask(m, zero);
                let bad_q = _mm512_cmpge_epu32_mask(m, _mm512_set1_epi32(0x7F80_0000))
                    | (_mm512_cmplt_epu32_mask(m, _mm512_set1_epi32(27 << 23)) & !is0);
                bad |= bad_q;
                // max = 1.f·2^p: up = 2^(6-p) (exponent field 260 − p's field), halved if
                // max·up > 126; 1 for all-zero (and unusable) blocks.
                let field = _mm512_sub_epi32(_mm512_set1_epi32(260), _mm512_srli_epi32::<23>(m));
                let field = _mm512_mask_mov_epi32(field, is0 | bad_q, _mm512_set1_epi32(127));
                let over = _mm512_cmp_ps_mask::<_CMP_GT_OQ>(
                    _mm512_mul_ps(_mm512_castsi512_ps(m), _mm512_castsi512_ps(_mm512_slli_epi32::<23>(field))),
                    _mm512_set1_ps(126.0),
                );
                let field = _mm512_mask_sub_epi32(field, over, field, _mm512_set1_epi32(1));
                // J = round(x·up·2^8(L-1)): |J| ≤ 126·2^16 < 2^24, the joined limbs.
                let scale_up = _mm512_castsi512_ps(_mm512_slli_epi32::<23>(_mm512_add_epi32(field, _mm512_set1_epi32(bits))));
                let j = _mm512_cvtps_epi32(_mm512_mul_ps(v, scale_up));
                *jq = j;
                // 2^-8(L-1)/up: x̃ = J·down (exact); the lane factors are factor·down.
                let down = _mm512_castsi512_ps(_mm512_slli_epi32::<23>(_mm512_sub_epi32(_mm512_set1_epi32(254 - bits), field)));
                let down2 = _mm512_maskz_compress_ps(0x0101, down);
                let f = _mm_mul_ps(_mm512_castps512_ps128(down2), _mm_set1_ps(factor));
                _mm_storel_epi64(lane_f.add(2 * q) as *mut _, _mm_castps_si128(f));
                // Per block ΣJ (|·| < 2^27): the x̃ block sums and the start values −offset·ΣJ.
                let s = _mm512_add_epi32(j, _mm512_shuffle_epi32::<0xB1>(j));
                let s = _mm512_add_epi32(s, _mm512_shuffle_epi32::<0x4E>(s));
                let s = _mm512_add_epi32(s, _mm512_shuffle_i32x4::<0xB1>(s, s));
                let s2 = _mm512_castsi512_si128(_mm512_maskz_compress_epi32(0x0101, s));
                _mm_storeu_pd(bsum.add(2 * q), _mm_mul_pd(_mm_cvtepi32_pd(s2), _mm_cvtps_pd(_mm512_castps512_ps128(down2))));
                _mm_storel_epi64(init.add(2 * q) as *mut _, _mm_mullo_epi32(s2, _mm_set1_epi32(-offset)));
            }
            if bad != 0 {
                return false;
            }
            // J in base-256 digits, low first: d = ((J + 128) mod 256) − 128 ∈ [-128, 127], then
            // J ← (J − d)/256 (exact); the top digit is what remains, within [-127, 127].
            let even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
            let odd = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
            let (c128, c255) = (_mm512_set1_epi32(128), _mm512_set1_epi32(255));
            for q in 0..4 {
                let (a, b) = (js[2 * q], js[2 * q + 1]);
                for (h, v) in [(0, _mm512_permutex2var_epi32(a, even, b)), (1, _mm512_permutex2var_epi32(a, odd, b))] {
                    let mut j = v;
                    for l in (1..limbs).rev() {
                        let d = _mm512_sub_epi32(_mm512_and_si512(_mm512_add_epi32(j, c128), c255), c128);
                        _mm_storeu_si128(rec.add(l * 128 + h * 64 + 16 * q) as *mut _, _mm512_cvtepi32_epi8(d));
                        j = _mm512_srai_epi32::<8>(_mm512_sub_epi32(j, d));
                    }
                    _mm_storeu_si128(rec.add(h * 64 + 16 * q) as *mut _, _mm512_cvtepi32_epi8(j));
                }
            }
            true
        }
    }

    /// fp-mode scale bytes to f32 exactly as `format::quantize::fp_scale` gives them (bit for bit;
    /// NaN stays NaN): E4M3 times `factor` (nvfp4; 1 without a global scale, exact) or E8M0
    /// (`e4m3` false: `2^(b−127)`, byte 0 the subnormal 2^-127, 255 infinity). 16 bytes per step
    /// instead of a 256-entry table lookup per byte, which took more time than the 4-bit integer
    /// dots themselves for nvfp4 (16-groups) at M=1 (perf, stage 5).
    #[inline(always)]
    pub(crate) unsafe fn avx512_fp_scales(e4m3: bool, factor: f32, src: &[u8], dst: &mut [f32]) {
        // (No closure: closures do not inherit `#[target_feature]`, see `body::each!`.)
        #[inline(always)]
        unsafe fn decode(e4m3: bool, factor: f32, c: __m512i) -> __m512 {
            if e4m3 {
                avx512_code_values::<{ kind::FP8 }>(c, factor)
            } else {
                let zero = _mm512_cmpeq_epi32_mask(c, _mm512_setzero_si512());
                _mm512_castsi512_ps(_mm512_mask_mov_epi32(_mm512_slli_epi32::<23>(c), zero, _mm512_set1_epi32(0x0040_0000)))
            }
        }
        // E4M3 codes sign-extended (as `avx512_code_values` takes them), E8M0 zero-extended.
        #[inline(always)]
        unsafe fn widen(e4m3: bool, b: __m128i) -> __m512i {
            if e4m3 {
                _mm512_cvtepi8_epi32(b)
            } else {
                _mm512_cvtepu8_epi32(b)
            }
        }
        let n = src.len().min(dst.len());
        let mut i = 0;
        while i + 16 <= n {
            let c = widen(e4m3, _mm_loadu_si128(src.as_ptr().add(i) as *const _));
            _mm512_storeu_ps(dst.as_mut_ptr().add(i), decode(e4m3, factor, c));
            i += 16;
        }
        if i < n {
            let m: __mmask16 = ((1u32 << (n - i)) - 1) as u16;
            let c = widen(e4m3, _mm_maskz_loadu_epi8(m, src.as_ptr().add(i) as *const _));
            _mm512_mask_storeu_ps(dst.as_mut_ptr().add(i), m, decode(e4m3, factor, c));
        }
    }

    /// `2·value + 12` of the E2M1 codes 0..15, as u8 (the integer dots' fp4 operand,
    /// `body::FP4_INT_OFFSET`; the x factors carry the 1/2).
    static FP4_X2_OFFSET: [u8; 16] = {
        let mut t = [0u8; 16];
        let mut i = 0;
        while i < 16 {
            // FP4_VALUES are 0, 0.5, 1, 1.5, 2, 3, 4, 6: twice them is an integer.
            let v2 = (FP4_VALUES[i & 7] * 2.0) as i32;
            t[i] = (if i & 8 != 0 { 12 - v2 } else { 12 + v2 }) as u8;
            i += 1;
        }
        t
    };

    /// [`FP4_X2_OFFSET`] 4 times (the 64-entry `vpermb` table of `int_codes` with VBMI), 64-byte aligned.
    #[repr(align(64))]
    struct Bytes64([u8; 64]);
    static FP4_X2_OFFSET_64: Bytes64 = {
        let mut t = [0u8; 64];
        let mut i = 0;
        while i < 64 {
            t[i] = FP4_X2_OFFSET[i & 15];
            i += 1;
        }
        Bytes64(t)
    };

    /// Byte-permute and multishift controls of [`Isa::int_codes`] for one bit width (2 or 3).
    #[repr(C, align(64))]
    struct IntCodeTables {
        arrange: [u8; 64],
        even: [u8; 64],
        odd: [u8; 64],
    }

    /// Output qword `u` takes source bytes `2B·u..2B·u+8` (codes `16u..16u+16`); byte `j` of it
    /// selects code `16u + 2j` (even) or `16u + 2j + 1` (odd) at bit `B·2j` or `B·(2j+1)`.
    const fn int_code_tables(b: usize) -> IntCodeTables {
        let mut t = IntCodeTables { arrange: [0; 64], even: [0; 64], odd: [0; 64] };
        let mut i = 0;
        while i < 64 {
            let (u, j) = (i / 8, i % 8);
            t.arrange[i] = (2 * b * u + j) as u8;
            t.even[i] = (b * 2 * j) as u8;
            t.odd[i] = (b * (2 * j + 1)) as u8;
            i += 1;
        }
        t
    }

    /// `vpermi2b` and multishift controls of [`Isa::int_step_codes`] for 3-bit codes, per code
    /// vector v: qword q gets the 3 bytes `12q + 3⌊v/2⌋ + {0, 1, 2}` (codes 8⌊v/2⌋..+8 of window
    /// 2q) in bytes 0-2 and `12q + 6 + 3⌊v/2⌋ + {0, 1, 2}` (window 2q + 1) in bytes 4-6; byte t of
    /// each half selects bit `12·(v mod 2) + 3t` of its three bytes. Vectors 2u and 2u + 1 share
    /// the byte permute (one `vpermi2b` per two code vectors; the arrangement is indexed by
    /// `v / 2`, so the two calls are the same operation and compile to one).
    #[repr(C, align(64))]
    struct IntStepTables {
        arrange: [u8; 64],
        shift: [u8; 64],
    }

    const fn int_step3_tables(v: usize) -> IntStepTables {
        let mut t = IntStepTables { arrange: [0; 64], shift: [0; 64] };
        let (b0, r) = (3 * (v / 2), 12 * (v % 2));
        let mut q = 0;
        while q < 8 {
            let mut k = 0;
            while k < 3 {
                t.arrange[8 * q + k] = (12 * q + b0 + k) as u8;
                t.arrange[8 * q + 4 + k] = (12 * q + 6 + b0 + k) as u8;
                k += 1;
            }
            let mut k = 0;
            while k < 4 {
                t.shift[8 * q + k] = (r + 3 * k) as u8;
                t.shift[8 * q + 4 + k] = (32 + r + 3 * k) as u8;
                k += 1;
            }
            q += 1;
        }
        t
    }

    static INT_STEP3: [IntStepTables; 4] = [int_step3_tables(0), int_step3_tables(1), int_step3_tables(2), int_step3_tables(3)];

    /// Byte-permute and multishift controls of [`Isa::int_step_codes`] for 5- and 6-bit codes,
    /// per code vector.
    #[repr(C, align(64))]
    struct IntStepWideTables {
        /// `vpermi2b` over the step's bytes 0..128.
        near: [u8; 64],
        /// Bytes from the step's last 64: 64 + byte − (32·B − 64) (a masked `vpermb` reads the
        /// low 6 bits; bit 6 is the mask); the others keep `near`'s byte (p, bit 6 clear).
        far: [u8; 64],
        shift: [u8; 64],
    }

    /// Vector `v`, lane `i`, byte `k` < 3 (`p = 4i + k`): step byte `s = 2B·i + ⌊4vB / 8⌋ + k`
    /// (codes 4v..4v+4 of window i start at bit `4vB mod 8` of its first byte; 3 bytes hold
    /// them for B ≤ 6: `4 + 20 ≤ 24`, `0 + 24`); byte 3 repeats byte 2 (its bits are masked
    /// off). Byte t of each lane selects bit `4vB mod 8 + B·t` of its lane's 4 bytes.
    const fn int_step_wide_tables(b: usize, v: usize) -> IntStepWideTables {
        let mut t = IntStepWideTables { near: [0; 64], far: [0; 64], shift: [0; 64] };
        let (first, r, last) = (4 * v * b / 8, 4 * v * b % 8, 32 * b - 64);
        let mut p = 0;
        while p < 64 {
            let (i, k) = (p / 4, p % 4);
            let s = 2 * b * i + first + if k < 3 { k } else { 2 };
            if s < 128 {
                t.near[p] = s as u8;
                t.far[p] = p as u8;
            } else {
                t.far[p] = (64 + s - last) as u8;
            }
            t.shift[p] = (32 * (i % 2) + r + b * k) as u8;
            p += 1;
        }
        t
    }

    static INT_STEP_WIDE: [[IntStepWideTables; 4]; 2] = [
        [int_step_wide_tables(5, 0), int_step_wide_tables(5, 1), int_step_wide_tables(5, 2), int_step_wide_tables(5, 3)],
        [int_step_wide_tables(6, 0), int_step_wide_tables(6, 1), int_step_wide_tables(6, 2), int_step_wide_tables(6, 3)],
    ];

    /// 2-bit and 3-bit codes.
    static INT_CODES_SMALL: [IntCodeTables; 2] = [int_code_tables(2), int_code_tables(3)];

    /// Integer codes (one per lane) to values: `UINT` as f32, fp4/fp8 decoded times `scale`.
    /// fp8 codes come sign-extended from their byte (`vpmovsxbd`), so bit 31 is the sign.
    #[inline(always)]
    unsafe fn avx512_code_values<const KIND: u8>(c: __m512i, scale: f32) -> __m512 {
        match KIND {
            kind::UINT => _mm512_cvtepi32_ps(c),
            kind::FP4 => {
                // A 16-entry table lookup, pre-scaled: value(code) * scale exactly as scalar.
                let table = _mm512_mul_ps(_mm512_loadu_ps(FP4_TABLE.0.as_ptr()), _mm512_set1_ps(scale));
                _mm512_permutexvar_ps(c, table)
            }
            _ => {
                // Sign-extended code << 20: the magnitude in the f32 exponent/mantissa field, the
                // sign in bit 31 (the bits between are copies of it, masked off); the rescale
                // keeps the sign. 7 operations per 16 codes instead of 10 (mxfp8 row dots and the
                // nvfp4 scale decoder are bound by them).
                let bits = _mm512_and_si512(_mm512_slli_epi32::<20>(c), _mm512_set1_epi32(0x87F0_0000u32 as i32));
                let v = _mm512_mul_ps(_mm512_castsi512_ps(bits), _mm512_set1_ps(FP8_RESCALE));
                // Magnitude 0x7F (±NaN): all low 7 bits set.
                let nan = _mm512_cmpeq_epi32_mask(_mm512_or_si512(c, _mm512_set1_epi32(-128)), _mm512_set1_epi32(-1));
                let v = _mm512_mask_mov_ps(v, nan, _mm512_set1_ps(f32::NAN));
                _mm512_mul_ps(v, _mm512_set1_ps(scale))
            }
        }
    }

    /// bf16 bits of the E4M3 magnitude `mag` (a code's low 7 bits), exact: 3 mantissa bits, the
    /// exponents 2^-6..2^8 and the subnormals m·2^-9 are all normal bf16 numbers; 0x7F is NaN.
    pub(crate) const fn e4m3_bf16_bits(mag: u8) -> u16 {
        let (e, m) = ((mag >> 3) as u16 & 0xF, (mag & 7) as u16);
        if mag & 0x7F == 0x7F {
            0x7FC0
        } else if e != 0 {
            ((e + 120) << 7) | (m << 4)
        } else if m == 0 {
            0
        } else {
            // m·2^-9 normalised: the leading bit p of m becomes the implicit one.
            let p = 15 - m.leading_zeros() as u16;
            ((118 + p) << 7) | ((m - (1 << p)) << (7 - p))
        }
    }

    /// The `vpermi2b` tables of [`avx512_e4m3_bf16`]: the 128 high bytes, then the 128 low bytes.
    static E4M3_BF16_BYTES: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut i = 0;
        while i < 128 {
            let b = e4m3_bf16_bits(i as u8);
            t[i] = (b >> 8) as u8;
            t[128 + i] = b as u8;
            i += 1;
        }
        t
    };

    /// The four table vectors [`avx512_e4m3_bf16`] takes (loaded once per kernel call).
    #[inline(always)]
    pub(crate) unsafe fn avx512_e4m3_bf16_tables() -> [__m512i; 4] {
        let p = E4M3_BF16_BYTES.as_ptr() as *const __m512i;
        [_mm512_loadu_si512(p), _mm512_loadu_si512(p.add(1)), _mm512_loadu_si512(p.add(2)), _mm512_loadu_si512(p.add(3))]
    }

    /// 64 E4M3 codes (bytes) to their values as bf16 bits, exactly (VBMI): one `vpermi2b` for the
    /// high and one for the low bytes of each magnitude (7-bit index; the code's bit 7 is
    /// ignored by it), the sign or-ed into the high byte, the bytes interleaved within each
    /// 128-bit lane `j`: the first vector holds codes `16j..16j+8`, the second `16j+8..16j+16`
    /// (x is stored in that order, `body::split_x_bf16`). 5 operations per 64 codes
    /// (the f32 decode of `avx512_code_values`: 7 per 16).
    #[inline(always)]
    pub(crate) unsafe fn avx512_e4m3_bf16(c: __m512i, t: &[__m512i; 4]) -> [__m512i; 2] {
        let hi = _mm512_permutex2var_epi8(t[0], c, t[1]);
        let lo = _mm512_permutex2var_epi8(t[2], c, t[3]);
        // hi | (c & 0x80)
        let hi = _mm512_ternarylogic_epi32::<0xF8>(hi, c, _mm512_set1_epi8(-128));
        [_mm512_unpacklo_epi8(lo, hi), _mm512_unpackhi_epi8(lo, hi)]
    }

    /// AVX2 + FMA: 8 lanes.
    #[derive(Clone, Copy)]
    pub(crate) struct Avx2;

    /// The `B` words of a chunk in the low lanes (the others unspecified), by plain loads of
    /// exactly those bytes: masked loads measured 3× slower on the AMD Zen 5 dev machine.
    #[inline(always)]
    unsafe fn load_words_256<const B: u32>(p: *const u32) -> __m256i {
        // (No closures here: they do not inherit `#[target_feature]` and may stay calls.)
        macro_rules! word {
            ($i:expr) => {
                (p.add($i) as *const i32).read_unaligned()
            };
        }
        let lo: __m128i = match B {
            1 => _mm_cvtsi32_si128(word!(0)),
            2 => _mm_loadl_epi64(p as *const _),
            3 => _mm_insert_epi32(_mm_loadl_epi64(p as *const _), word!(2), 2),
            _ => _mm_loadu_si128(p as *const _),
        };
        let hi: __m128i = match B {
            5 => _mm_cvtsi32_si128(word!(4)),
            6 => _mm_loadl_epi64(p.add(4) as *const _),
            8 => _mm_loadu_si128(p.add(4) as *const _),
            _ => return _mm256_castsi128_si256(lo),
        };
        _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1)
    }

    impl Isa for Avx2 {
        const LANES: usize = 8;
        type V = __m256;
        type W = __m256i;
        #[inline(always)]
        unsafe fn zero() -> __m256 {
            _mm256_setzero_ps()
        }
        #[inline(always)]
        unsafe fn splat(v: f32) -> __m256 {
            _mm256_set1_ps(v)
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> __m256 {
            _mm256_loadu_ps(p)
        }
        #[inline(always)]
        unsafe fn store(p: *mut f32, v: __m256) {
            _mm256_storeu_ps(p, v)
        }
        #[inline(always)]
        unsafe fn fma(a: __m256, b: __m256, c: __m256) -> __m256 {
            _mm256_fmadd_ps(a, b, c)
        }
        #[inline(always)]
        unsafe fn hsum(v: __m256) -> f32 {
            let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
            let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
            let s = _mm_add_ss(s, _mm_movehdup_ps(s));
            _mm_cvtss_f32(s)
        }
        #[inline(always)]
        unsafe fn prefetch(p: *const u32) {
            _mm_prefetch::<_MM_HINT_T0>(p as *const i8)
        }
        #[inline(always)]
        unsafe fn prefetch_l2(p: *const u32) {
            _mm_prefetch::<_MM_HINT_T1>(p as *const i8)
        }
        #[inline(always)]
        unsafe fn load_words<const B: u32>(p: *const u32) -> __m256i {
            load_words_256::<B>(p)
        }
        #[inline(always)]
        unsafe fn values<const B: u32, const KIND: u8>(w: __m256i, part: usize, scale: f32) -> __m256 {
            let l = layout::of(B);
            let o = part * 8;
            macro_rules! ld {
                ($t:expr) => {
                    _mm256_loadu_si256($t.as_ptr().add(o) as *const _)
                };
            }
            let mut c = _mm256_srlv_epi32(_mm256_permutevar8x32_epi32(w, ld!(l.word_lo)), ld!(l.shift_lo));
            if layout::straddles(B) {
                let hi = _mm256_permutevar8x32_epi32(w, ld!(l.word_hi));
                c = _mm256_or_si256(c, _mm256_sllv_epi32(hi, ld!(l.shift_hi)));
            }
            let c = _mm256_and_si256(c, _mm256_set1_epi32(layout::mask(B) as i32));
            match KIND {
                kind::UINT => _mm256_cvtepi32_ps(c),
                kind::FP4 => {
                    let table = _mm256_mul_ps(_mm256_loadu_ps(FP4_TABLE.0.as_ptr()), _mm256_set1_ps(scale));
                    let v = _mm256_permutevar8x32_ps(table, c);
                    let sign = _mm256_slli_epi32(_mm256_and_si256(c, _mm256_set1_epi32(8)), 28);
                    _mm256_xor_ps(v, _mm256_castsi256_ps(sign))
                }
                _ => {
                    let mag = _mm256_and_si256(c, _mm256_set1_epi32(0x7F));
                    let v = _mm256_mul_ps(_mm256_castsi256_ps(_mm256_slli_epi32(mag, 20)), _mm256_set1_ps(FP8_RESCALE));
                    let nan = _mm256_castsi256_ps(_mm256_cmpeq_epi32(mag, _mm256_set1_epi32(0x7F)));
                    let v = _mm256_blendv_ps(v, _mm256_set1_ps(f32::NAN), nan);
                    let sign = _mm256_slli_epi32(_mm256_and_si256(c, _mm256_set1_epi32(0x80)), 24);
                    let v = _mm256_or_ps(v, _mm256_castsi256_ps(sign));
                    _mm256_mul_ps(v, _mm256_set1_ps(scale))
                }
            }
        }
    }
}

#[repr(C, align(64))]
struct Fp4Table([f32; 16]);
/// FP4 E2M1 values of codes 0..15 (the AVX2 path uses the first 8 and applies the sign).
static FP4_TABLE: Fp4Table = Fp4Table([
    FP4_VALUES[0], FP4_VALUES[1], FP4_VALUES[2], FP4_VALUES[3], FP4_VALUES[4], FP4_VALUES[5], FP4_VALUES[6],
    FP4_VALUES[7], -FP4_VALUES[0], -FP4_VALUES[1], -FP4_VALUES[2], -FP4_VALUES[3], -FP4_VALUES[4],
    -FP4_VALUES[5], -FP4_VALUES[6], -FP4_VALUES[7],
]);

#[cfg(target_arch = "x86_64")]
#[repr(C, align(64))]
struct Uint4Table([f32; 16]);
/// Affine 4-bit codes 0..15 as f32, centred: `q − 8` (the nibble-block lookup table; the
/// kernel adds `8·Σ_g s_g·Σx_g` to the bias term, see `body::uint_int_offset`).
#[cfg(target_arch = "x86_64")]
static UINT4_TABLE: Uint4Table =
    Uint4Table([-8.0, -7.0, -6.0, -5.0, -4.0, -3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]);

/// Plain Rust, 8 lanes as arrays (LLVM vectorises what it can); works everywhere.
#[derive(Clone, Copy)]
pub(crate) struct Portable;

impl Isa for Portable {
    const LANES: usize = 8;
    type V = [f32; 8];
    type W = [u32; 8];
    #[inline(always)]
    unsafe fn zero() -> [f32; 8] {
        [0.0; 8]
    }
    #[inline(always)]
    unsafe fn splat(v: f32) -> [f32; 8] {
        [v; 8]
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> [f32; 8] {
        (p as *const [f32; 8]).read_unaligned()
    }
    #[inline(always)]
    unsafe fn store(p: *mut f32, v: [f32; 8]) {
        (p as *mut [f32; 8]).write_unaligned(v)
    }
    #[inline(always)]
    unsafe fn fma(a: [f32; 8], b: [f32; 8], c: [f32; 8]) -> [f32; 8] {
        // Unfused: `mul_add` is a slow library call where the target lacks FMA.
        std::array::from_fn(|i| a[i] * b[i] + c[i])
    }
    #[inline(always)]
    unsafe fn fma_exact(a: [f32; 8], b: [f32; 8], c: [f32; 8]) -> [f32; 8] {
        std::array::from_fn(|i| a[i].mul_add(b[i], c[i]))
    }
    #[inline(always)]
    unsafe fn hsum(v: [f32; 8]) -> f32 {
        ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7]))
    }
    #[inline(always)]
    unsafe fn load_words<const B: u32>(p: *const u32) -> [u32; 8] {
        let mut w = [0u32; 8];
        std::ptr::copy_nonoverlapping(p, w.as_mut_ptr(), B as usize);
        w
    }
    #[inline(always)]
    unsafe fn values<const B: u32, const KIND: u8>(w: [u32; 8], part: usize, scale: f32) -> [f32; 8] {
        std::array::from_fn(|i| {
            let c = layout::code(&w, B, part * 8 + i);
            match KIND {
                kind::UINT => c as f32,
                kind::FP4 => fp4_decode(c as u8) * scale,
                _ => fp8_e4m3_decode(c as u8) * scale,
            }
        })
    }
}
