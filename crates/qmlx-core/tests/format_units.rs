//! Unit tests of the storage format: packing worked examples (spec §3.4, §4.3), exhaustive code
//! decoding, encoder edge cases, and the validated QuantSpec.

use qmlx_core::format::codes::*;
use qmlx_core::format::packing::{extract, pack_row, unpack_row};
use qmlx_core::format::quantize::{affine_group, fp_group};
use qmlx_core::{Mode, QuantSpec, Rounding};

fn bytes_of(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

fn pack(codes: &[u8], bits: u32) -> Vec<u32> {
    let mut row = vec![0u32; codes.len() * bits as usize / 32];
    pack_row(codes, bits, &mut row);
    let mut back = vec![0u8; codes.len()];
    unpack_row(&row, bits, &mut back);
    assert_eq!(back, codes, "{bits}-bit round trip");
    row
}

/// Pads a code prefix to a whole row (32 codes, or the smallest multiple packing into whole words).
fn padded(prefix: &[u8], len: usize) -> Vec<u8> {
    let mut v = prefix.to_vec();
    v.resize(len, 0);
    v
}

#[test]
fn packing_worked_examples() {
    // 3-bit: one pack [1..7, 0] is bytes d1 58 1f.
    let row = pack(&padded(&[1, 2, 3, 4, 5, 6, 7, 0], 32), 3);
    assert_eq!(&bytes_of(&row)[..3], &[0xd1, 0x58, 0x1f]);
    // 3-bit full row q_j = j mod 8.
    let codes: Vec<u8> = (0..32).map(|j| (j % 8) as u8).collect();
    assert_eq!(pack(&codes, 3), vec![0x88fac688, 0xc688fac6, 0xfac688fa]);
    // 6-bit [1, 2, 3, 63] → 81 30 fc.
    let row = pack(&padded(&[1, 2, 3, 63], 32), 6);
    assert_eq!(&bytes_of(&row)[..3], &[0x81, 0x30, 0xfc]);
    // 6-bit q_j = (5j+1) mod 64.
    let codes: Vec<u8> = (0..16).map(|j| ((5 * j + 1) % 64) as u8).collect();
    assert_eq!(pack(&codes, 6), vec![0x9540b181, 0x3ba991f6, 0x3070bde3]);
    // 5-bit [1..7, 31] → 41 0c 52 cc f9.
    let row = pack(&padded(&[1, 2, 3, 4, 5, 6, 7, 31], 32), 5);
    assert_eq!(&bytes_of(&row)[..5], &[0x41, 0x0c, 0x52, 0xcc, 0xf9]);
    // 4-bit [1..7, 15] → word 0xf7654321.
    assert_eq!(pack(&[1, 2, 3, 4, 5, 6, 7, 15], 4), vec![0xf7654321]);
    // 2-bit [0,1,2,3,3,2,1,0, 0×7, 1] → e4 1b 00 40.
    let mut c = vec![0, 1, 2, 3, 3, 2, 1, 0];
    c.extend([0; 7]);
    c.push(1);
    assert_eq!(bytes_of(&pack(&c, 2)), vec![0xe4, 0x1b, 0x00, 0x40]);
    // 8-bit [1,2,3,255] → 01 02 03 ff.
    assert_eq!(bytes_of(&pack(&[1, 2, 3, 255], 8)), vec![1, 2, 3, 0xff]);
    // 1-bit [1,0,1,1,0,0,0,1, 0...] → 8d 00 00 00.
    assert_eq!(bytes_of(&pack(&padded(&[1, 0, 1, 1, 0, 0, 0, 1], 32), 1)), vec![0x8d, 0, 0, 0]);
}

#[test]
fn packing_round_trips_every_width_at_every_offset() {
    for bits in [1u32, 2, 3, 4, 5, 6, 8] {
        let n = 96; // 3 words' worth for every width
        let codes: Vec<u8> = (0..n).map(|j| ((j * 7 + 3) % (1 << bits)) as u8).collect();
        let row = pack(&codes, bits);
        for (j, &c) in codes.iter().enumerate() {
            assert_eq!(extract(&row, j, bits), c as u32, "{bits}-bit element {j}");
        }
    }
}

#[test]
fn affine_worked_example_a_and_b_and_c() {
    // Example A (both roundings agree).
    let w: Vec<f32> = (0..32).map(|k| k as f32 / 10.0 - 1.0).collect();
    for r in [Rounding::Gpu, Rounding::Cpu] {
        let mut codes = vec![0u8; 32];
        let (s, b) = affine_group(&w, 4, r, &mut codes);
        assert_eq!((s, b), (2.1f32 / -10.0, 2.1));
        assert_eq!(pack(&codes, 4), vec![0xbccddeef, 0x8899aaab, 0x44556677, 0x00112233]);
    }
    // Example B: all-negative group.
    let w: Vec<f32> = (0..32).map(|k| [-4.0, -3.0, -2.0, -1.0][k % 4]).collect();
    let mut codes = vec![0u8; 32];
    let (s, b) = affine_group(&w, 4, Rounding::Cpu, &mut codes);
    assert_eq!((s, b, &codes[..4]), (0.2, -4.0, &[0u8, 5, 10, 15][..]));
    let (s, b) = affine_group(&w, 4, Rounding::Gpu, &mut codes);
    assert_eq!((s, b, &codes[..4]), (0.26666668, -4.0, &[0u8, 4, 7, 11][..]));
    // Example C: a tie (8.5 before rounding) — CPU rounds to even (8), GPU away from zero (9).
    let mut w: Vec<f32> = (0..16).map(|k| k as f32).collect();
    w.extend([6.5, 7.5]);
    w.resize(32, 0.0);
    let (s, b) = affine_group(&w, 4, Rounding::Cpu, &mut codes);
    assert_eq!((s, b, codes[16]), (-1.0, 15.0, 8));
    let (_, _, ) = affine_group(&w, 4, Rounding::Gpu, &mut codes);
    assert_eq!(codes[16], 9);
    // All-zero group: scale -1e-7, bias 0, codes 0.
    let (s, b) = affine_group(&[0.0; 32], 4, Rounding::Gpu, &mut codes);
    assert_eq!((s, b), (-1e-7, 0.0));
    assert!(codes.iter().all(|&c| c == 0));
    // 1-bit: midpoints go to 0 on CPU, 1 on GPU; [0, 1, 0.5, 0.49, 0.51].
    let mut w = vec![0.0f32, 1.0, 0.5, 0.49, 0.51];
    w.resize(32, 0.0);
    affine_group(&w, 1, Rounding::Cpu, &mut codes);
    assert_eq!(&codes[..5], &[0, 1, 0, 0, 1]);
    affine_group(&w, 1, Rounding::Gpu, &mut codes);
    assert_eq!(&codes[..5], &[0, 1, 1, 0, 1]);
}

#[test]
fn fp4_decode_is_exhaustive_and_encode_is_rne() {
    let table = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0];
    for c in 0u8..16 {
        let v = fp4_decode(c);
        assert_eq!(v.abs(), table[(c & 7) as usize]);
        assert_eq!(v.is_sign_negative(), c >= 8, "code {c}");
        assert_eq!(fp4_encode(v), c, "round trip of code {c}");
    }
    // Ties go to the even code; saturation; sign of zero kept.
    for (x, c) in [(0.25, 0), (0.75, 2), (1.25, 2), (1.75, 4), (2.5, 4), (3.5, 6), (5.0, 6), (5.01, 7), (100.0, 7), (f32::INFINITY, 7)] {
        assert_eq!(fp4_encode(x), c, "encode {x}");
        assert_eq!(fp4_encode(-x), c | 8, "encode -{x}");
    }
    assert_eq!(fp4_encode(-0.0), 8);
    assert_eq!(fp4_encode(-0.1), 8);
    assert_eq!(fp4_encode(f32::NAN), 7);
}

#[test]
fn fp8_e4m3_decode_is_exhaustive_and_encode_round_trips() {
    for c in 0u8..=255 {
        let v = fp8_e4m3_decode(c);
        if c & 0x7f == 0x7f {
            assert!(v.is_nan(), "0x{c:02x} is NaN");
            continue;
        }
        let e = ((c >> 3) & 15) as i32;
        let m = (c & 7) as f64;
        let mag = if e == 0 { m / 512.0 } else { 2f64.powi(e - 7) * (1.0 + m / 8.0) };
        assert_eq!(v as f64, if c & 0x80 != 0 { -mag } else { mag }, "decode 0x{c:02x}");
        assert_eq!(fp8_e4m3_encode(v), c, "round trip 0x{c:02x}");
    }
    // Saturation (inf and NaN too, keeping the sign bit), and RNE between neighbours.
    assert_eq!(fp8_e4m3_encode(448.0), 0x7e);
    assert_eq!(fp8_e4m3_encode(1e9), 0x7e);
    assert_eq!(fp8_e4m3_encode(f32::INFINITY), 0x7e);
    assert_eq!(fp8_e4m3_encode(-500.0), 0xfe);
    assert_eq!(fp8_e4m3_encode(f32::NAN), 0x7e);
    assert_eq!(fp8_e4m3_encode(-0.0), 0x80);
    // 1.0 = 0x38, next 1.125 = 0x39: the midpoint 1.0625 ties to even (0x38), 1.1875 to 0x3a.
    assert_eq!(fp8_e4m3_encode(1.0625), 0x38);
    assert_eq!(fp8_e4m3_encode(1.1875), 0x3a);
    // Subnormals: 2^-9 steps, ties to even.
    assert_eq!(fp8_e4m3_encode(1.5 / 512.0), 0x02);
    assert_eq!(fp8_e4m3_encode(2.5 / 512.0), 0x02);
    assert_eq!(fp8_e4m3_encode(0.4 / 512.0), 0x00);
}

#[test]
fn e8m0_decode_is_exhaustive_and_encode_rounds_up() {
    for s in 0u8..=255 {
        let v = e8m0_decode(s);
        match s {
            255 => assert!(v.is_infinite()),
            _ => assert_eq!(v as f64, 2f64.powi(s as i32 - 127), "decode {s}"),
        }
        if s < 255 {
            assert_eq!(e8m0_encode_ceil(v), s, "exact power of two {s}");
        }
    }
    assert_eq!(e8m0_encode_ceil(0.0), 0);
    assert_eq!(e8m0_encode_ceil(1.0000001), 128);
    assert_eq!(e8m0_encode_ceil(0.75), 127);
    assert_eq!(e8m0_encode_ceil(1e-45), 0);
    assert_eq!(e8m0_encode_ceil(3.0e-39), 0); // subnormal, below 2^-127 after ceil clamps to byte 0
    assert_eq!(e8m0_encode_ceil(f32::MAX), 254);
}

#[test]
fn mxfp4_worked_example() {
    let mut w = vec![0.3f32, -1.2, 2.6, 7.0, -0.05, 0.0, 3.9, -5.5];
    w.resize(32, 0.1);
    let spec = QuantSpec::new(Mode::Mxfp4, 32, 4).unwrap();
    let mut codes = vec![0u8; 32];
    let s = fp_group(&spec, &w, 1.0, &mut codes);
    assert_eq!(s, 128);
    assert_eq!(&codes[..8], &[0, 9, 3, 6, 8, 0, 4, 13]);
    assert_eq!(&bytes_of(&pack(&codes, 4))[..4], &[0x90, 0x63, 0x08, 0xd4]);
}

#[test]
fn quant_spec_validates_every_combination() {
    for bits in 0..10 {
        for gs in [0, 16, 32, 48, 64, 128, 256] {
            let ok = [1, 2, 3, 4, 5, 6, 8].contains(&bits) && [32, 64, 128].contains(&gs);
            let r = QuantSpec::new(Mode::Affine, gs, bits);
            assert_eq!(r.is_ok(), ok, "affine bits={bits} gs={gs}");
            if let Err(e) = r {
                let msg = e.to_string();
                assert!(msg.starts_with("bits") || msg.starts_with("group_size"), "{msg}");
            }
        }
    }
    for (mode, gs, bits) in [(Mode::Mxfp4, 32, 4), (Mode::Mxfp8, 32, 8), (Mode::Nvfp4, 16, 4)] {
        assert!(QuantSpec::new(mode, gs, bits).is_ok());
        assert!(QuantSpec::new(mode, gs * 2, bits).is_err());
        assert!(QuantSpec::new(mode, gs, bits / 2).is_err());
        assert_eq!(QuantSpec::with_defaults(mode, None, None).unwrap(), QuantSpec::new(mode, gs, bits).unwrap());
    }
    let e = QuantSpec::parse("int4", None, None).unwrap_err().to_string();
    assert!(e.contains("mode") && e.contains("int4"), "{e}");
}
