//! MLX's storage layout: each row of codes is one LSB-first bitstream, viewed as little-endian u32.
//!
//! Element `j` of a row of `b`-bit codes occupies bits `[j*b, j*b + b)` of the stream. For 3, 5 and
//! 6 bits a code can straddle two words. These scalar helpers are the reference; backends may
//! specialise per bit width.

/// Reads code `j` (of `bits` bits) from a packed row.
#[inline(always)]
pub fn extract(row: &[u32], j: usize, bits: u32) -> u32 {
    let pos = j * bits as usize;
    let word = pos / 32;
    let shift = (pos % 32) as u32;
    let mask = (1u32 << bits) - 1;
    let mut v = row[word] >> shift;
    if shift + bits > 32 {
        v |= row[word + 1] << (32 - shift);
    }
    v & mask
}

/// Packs `codes` (each `< 2^bits`) into `row`, which must hold exactly `codes.len()*bits/32` words.
pub fn pack_row(codes: &[u8], bits: u32, row: &mut [u32]) {
    debug_assert_eq!(row.len(), codes.len() * bits as usize / 32);
    let mut acc: u64 = 0;
    let mut filled = 0u32;
    let mut out = 0usize;
    for &c in codes {
        acc |= (c as u64) << filled;
        filled += bits;
        if filled >= 32 {
            row[out] = acc as u32;
            out += 1;
            acc >>= 32;
            filled -= 32;
        }
    }
    debug_assert_eq!(filled, 0);
}

/// Unpacks a whole row of codes.
pub fn unpack_row(row: &[u32], bits: u32, codes: &mut [u8]) {
    for (j, c) in codes.iter_mut().enumerate() {
        *c = extract(row, j, bits) as u8;
    }
}
