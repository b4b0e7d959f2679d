//! The one place the SIMD kernels know bit widths: where each of 32 consecutive codes sits in
//! the `bits` words that hold them.
//!
//! Every kernel works on *chunks* of 32 elements. A chunk of `B`-bit codes is exactly `B` u32
//! words (LSB-first bitstream, spec §3), group sizes (16, 32, 64, 128) align with chunks except
//! nvfp4's 16, which is handled as two groups per chunk. Code `i` of a chunk starts at bit `B·i`:
//! word `B·i / 32`, shift `B·i % 32`; if `shift + B > 32` (3/5/6-bit packs) its high bits come
//! from the next word, shifted left by `32 - shift`.

/// Elements per chunk.
pub const CHUNK: usize = 32;

/// Per-lane gather/shift tables of one bit width, as i32 so they load straight into vectors.
#[repr(C, align(64))]
pub struct Layout {
    /// Word holding the code's low bits.
    pub word_lo: [i32; CHUNK],
    /// Right shift of that word.
    pub shift_lo: [i32; CHUNK],
    /// Word holding the code's high bits (same word when the code does not straddle).
    pub word_hi: [i32; CHUNK],
    /// Left shift of the high word (32, which variable shifts turn into 0, when not straddling).
    pub shift_hi: [i32; CHUNK],
}

const fn layout(bits: usize) -> Layout {
    let mut l = Layout { word_lo: [0; CHUNK], shift_lo: [0; CHUNK], word_hi: [0; CHUNK], shift_hi: [32; CHUNK] };
    let mut i = 0;
    while i < CHUNK {
        let bit = bits * i;
        l.word_lo[i] = (bit / 32) as i32;
        l.shift_lo[i] = (bit % 32) as i32;
        l.word_hi[i] = (bit / 32) as i32;
        if bit % 32 + bits > 32 {
            l.word_hi[i] = (bit / 32 + 1) as i32;
            l.shift_hi[i] = (32 - bit % 32) as i32;
        }
        i += 1;
    }
    l
}

static LAYOUTS: [Layout; 9] =
    [layout(1), layout(1), layout(2), layout(3), layout(4), layout(5), layout(6), layout(7), layout(8)];

/// The table of `bits`-bit codes.
#[inline(always)]
pub fn of(bits: u32) -> &'static Layout {
    &LAYOUTS[bits as usize]
}

/// True when some code of a chunk straddles two words (bits 3, 5, 6, 7).
#[inline(always)]
pub const fn straddles(bits: u32) -> bool {
    32 % bits != 0
}

/// Mask of a code's bits.
#[inline(always)]
pub const fn mask(bits: u32) -> u32 {
    if bits == 32 {
        u32::MAX
    } else {
        (1u32 << bits) - 1
    }
}

/// How codes turn into values (const-generic tag, since enums cannot be const parameters).
pub mod kind {
    /// Unsigned integer code (affine).
    pub const UINT: u8 = 0;
    /// FP4 E2M1 (mxfp4, nvfp4).
    pub const FP4: u8 = 1;
    /// FP8 E4M3 (mxfp8).
    pub const FP8: u8 = 2;
}

/// Scalar extraction of code `i` of a chunk, from the same tables (the portable kernels use it).
#[inline(always)]
pub fn code(words: &[u32], bits: u32, i: usize) -> u32 {
    let l = of(bits);
    let lo = words[l.word_lo[i] as usize] >> l.shift_lo[i];
    let hi = if straddles(bits) && l.shift_hi[i] < 32 { words[l.word_hi[i] as usize] << l.shift_hi[i] } else { 0 };
    (lo | hi) & mask(bits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::packing::extract;

    #[test]
    fn tables_match_the_packing_reference() {
        for bits in [1u32, 2, 3, 4, 5, 6, 8] {
            let words: Vec<u32> = (0..bits).map(|i| 0x9E37_79B9u32.wrapping_mul(i + 7).rotate_left(i * 5)).collect();
            for i in 0..CHUNK {
                assert_eq!(code(&words, bits, i), extract(&words, i, bits), "bits={bits} i={i}");
            }
        }
    }
}
