// qmv.wgsl: y = x @ Ŵᵀ for up to 8 rows of x per w matrix (decode): one pass over the packed
// weights, which is all a decode has to read.
//
// Layout (override constants; the host picks them, src/plan.rs `QmvLayout`): a workgroup of
// QMV_WG threads is cut into teams of QMV_LANES threads. A team owns QMV_COLS consecutive output
// columns (stored rows of w) and splits each row between its threads in units of QMV_VEC words:
// thread `lane` takes units lane, lane + QMV_LANES, ... So neighbouring threads read neighbouring
// pieces of a row, a thread issues QMV_COLS × QMV_UNROLL loads before it uses any, and every x
// value it loads serves QMV_COLS columns. QMV_VEC = 4: one 16-byte load per unit (x: 64 bytes per
// unit, 16-bit x); QMV_VEC = 1: one word per unit, so a warp's x loads are consecutive 16-byte
// vectors too.
//
// Per group a thread accumulates Σ x·f over the codes and Σ x, and applies the group's
// parameters once: y += A·Σx·f + B·Σx. Affine codes are decoded as f = 1 + q·2^-BITS by moving
// the packed bits straight into a float mantissa, with A = s·2^BITS and B = b − A; f32 x keeps
// f = q (exact) and A, B = s, b.
// Rows of whole units (the word path, the common case) go by octets of 8 codes; qmv_octet_n and
// qmv_w8 are the one place that knows how an octet's codes become floats. 4-bit and 8-bit codes
// (affine, fp4, mxfp8) come in 16-byte units (a word of 4-bit codes, two of 8-bit, an octet):
// mxfp8's E4M3 bytes become f16 pairs (value · 2^-8, the 2^8 folded into the E8M0 scale); for
// 4-bit, with QMV_DECODE = 1 or 2 two codes become one
// f16 pair (one and-or into the f16 bits of 1 + q·2^-BITS for affine; fp4 sign and magnitude bits
// moved into an f16, whose value is the fp4 value · 2^-14, exact incl. 0.5 as an f16 subnormal;
// 2 moves them with fewer shifts) and one unpack2x16float; with QMV_DECODE = 0 each 4-bit code goes
// into an f32 mantissa (affine) or through a 16-entry table in workgroup memory (fp4). An octet
// is decoded once per column and serves every x row of the tile. Affine 2/3/5/6/7-bit codes come
// in units of one group or less (qmv_unit_n: 2-bit 16-byte units of 64 codes, 3/5/6/7-bit the
// BITS words of a 32-code chunk, codes straddling words), each code moved straight under the
// exponent of 1.0 (1 + q·2^-BITS) at a bit position that is a literal: the octets are written out
// (no loop), so nothing is indexed at run time (stage 7 round 1: the same decode in a loop over
// octets ran 3-6× slower than code by code, bench/results/wgpu-gpu-h100-stage7-round1.txt); with
// 16-bit x and QMV_DECODE != 0, 2-bit codes go two at a time into f16 pairs instead (pairs2: half
// the integer operations). Units come QMV_UNROLL per step like the 4/8-bit ones. The
// host sends 3/5/6/7-bit rows here with ≥ 32 lanes only (round 2: slower at 16). Other
// widths and alignments go code by code (the same sums, more instructions).
// The word path's step is written out unit by unit (named vectors, no indexed array, no `break`;
// the lane's last units follow one at a time): the round-1 loop, loads in an indexed array and a
// `break` at the row's end, ran at about half speed on NVIDIA's Vulkan driver with 2 units per
// step (bench/results/wgpu-gpu-h100-stage3-round1.txt vs -round2.txt).
//
// The team's partial sums meet in workgroup memory at the end (QMV_REDUCE: a tree, or one barrier
// and one thread per column adding them up, the default since stage 4), so nothing depends on the
// subgroup size (8 on lavapipe, 32 on Apple and NVIDIA).

override QMV_LANES: u32 = 16u;  // threads splitting K for one group of columns (power of two)
override QMV_COLS: u32 = 4u;    // output columns per thread (≤ QMAX_COLS)
override QMV_WG: u32 = 128u;    // threads per workgroup (QMV_COLS × QMV_WG ≤ 1024)
override QMV_UNROLL: u32 = 2u;  // units per thread and column loaded together (≤ QMAX_UNROLL)
override QMV_XROWS: u32 = 8u;   // rows of x per tile (≤ QMAX_ROWS): the plan's largest tile
// 1: rows of whole units, taken a unit at a time (host: src/plan.rs `QmvLayout::word_path`): 4-bit
// codes (any mode), affine 8-bit and mxfp8 codes (QMV_VEC = 4), affine 2/3/5/6/7-bit codes (groups
// of at least a unit); 0: code by code (any width, alignment).
override QMV_WORD_PATH: u32 = 0u;
// 1: write a 16-bit output (dtype XDT) directly, two columns per word (host: N and QMV_COLS
// even); 0: write float32 (a cast kernel follows for 16-bit outputs).
override QMV_OUT16: u32 = 0u;
// Word path only: words per unit (4: 16-byte loads; 1: word loads, 4-bit codes only) and the
// 4-bit decode (above: 0 f32 / table, 1 f16 pairs, 2 f16 pairs with fewer shifts for fp4; 3 the
// pairs of 1 (affine) or 2 (fp4) with f16 x multiplied as packed f16, qmv_unit_h: the host sets 3
// only with QMV_VEC = 4, f16 x and a module that has qmv_half.wgsl, i.e. SHADER_F16).
override QMV_VEC: u32 = 4u;
override QMV_DECODE: u32 = 1u;
// The team's final sum: 0, a tree over its lanes (a barrier per level); 1, one barrier, then
// thread c of the team adds up column c's partial sums (lane order; fewer barriers).
override QMV_REDUCE: u32 = 0u;
// Word path, QMV_UNROLL = 1: 1 loads the thread's next unit before it decodes the current one, so
// a load is in flight while the thread computes; 0 loads each unit right before it is used.
override QMV_PREFETCH: u32 = 0u;
// 1: the schedule is one tile of QMV_XROWS rows of one w matrix with x row i → output row i (the
// host checks: a plain decode); the tile and row tables are then not read before the first
// weight load. 0: both come from `tiles` and `rows`.
override QMV_DIRECT: u32 = 0u;
// Word path: how an octet's eight products meet (src/plan.rs `QmvLayout::dot`): 0, one chain of
// fused multiply-adds into the column's sum; 1, two 4-element dot products, then one add.
override QMV_DOT: u32 = 0u;

const QMAX_COLS: u32 = 4u;
const QMAX_UNROLL: u32 = 4u;
const QMAX_ROWS: u32 = 8u;

var<workgroup> red: array<f32, 1024>; // [QMV_COLS][QMV_WG] partial sums of one x row
var<workgroup> fp4_lut: array<f32, 16>;

// The weights again, bound as words (host: slot 9 is the buffer of slot 2, qmv only): word i
// is one address, and a unit's consecutive words are immediate offsets off it. Read through `wq`
// (`wq[i >> 2][i & 3]`), NVIDIA's compiler built each word's address separately (shift, shift,
// and, lea, add, compare: ≈ 6 instructions a word; stage 14 SASS of the 3-bit loop,
// bench/results/wgpu-h100-stage10-notes.md).
@group(0) @binding(9) var<storage, read> wq_words: array<u32>;

// The loaded chunks of the code-by-code path: [2][QMAX_COLS][8 words] (BITS ≤ 8 words per chunk).
var<private> wbuf: array<u32, 64>;
// Eight consecutive x values as f32.
var<private> xv: array<f32, 8>;
// The bits of 1.0 as an f16 pair, or'ed into 2/4-bit codes after a mask: (v & mask) | one. Held
// as a value the compiler cannot fold (set at entry from opaque_zero), so NVIDIA's compiler makes
// each such and-or one LOP3 with the mask as its immediate; with both literal it emitted two
// LOP3s (SASS from the pipeline cache, bench/results/wgpu-h100-stage10-notes.md stage 12: loop
// −11 % for 2-bit, −10 % for 4-bit; qmv 2-5 % faster on the H100).
var<private> qmv_one16: u32;
// The same for the f32 1.0 of 3/5/6/7-bit codes. An add, not an or: from
// `0x3f800000 | opaque_zero` the compiler moved the literal back out of the register
// (`LOP3 t | 0x3f800000 | z` after a separate AND), so nothing fused (stage 12 round 3).
var<private> qmv_one32: u32;

// Loads the BITS words of chunk c of stored row `row` into wbuf[base..]: 16-byte loads where the
// chunk is 16-byte aligned (4- and 8-bit codes in rows of a multiple of 128 elements), else word
// loads; words past the row's end read as 0 (a half chunk ends nvfp4 rows of 16·odd elements).
fn qmv_load(row: u32, c: u32, base: u32) {
    let row_word = row * p.wpr;
    let start = row_word + c * BITS;
    let end = row_word + p.wpr;
    if (BITS & 3u) == 0u && (start & 3u) == 0u && start + BITS <= end {
        for (var v = 0u; v < BITS / 4u; v++) {
            let q = wq[(start >> 2u) + v];
            wbuf[base + 4u * v] = q.x;
            wbuf[base + 4u * v + 1u] = q.y;
            wbuf[base + 4u * v + 2u] = q.z;
            wbuf[base + 4u * v + 3u] = q.w;
        }
        return;
    }
    for (var i = 0u; i < BITS; i++) {
        var word = 0u;
        if start + i < end {
            word = wq_words[start + i];
        }
        wbuf[base + i] = word;
    }
}

// Code e (0..31) of the chunk at wbuf[base..] (3/5/6-bit codes may straddle two words).
fn qmv_code(base: u32, e: u32) -> u32 {
    let pos = e * BITS;
    let wi = base + (pos >> 5u);
    let sh = pos & 31u;
    var v = wbuf[wi] >> sh;
    if sh + BITS > 32u {
        v = v | (wbuf[wi + 1u] << (32u - sh));
    }
    return v & ((1u << BITS) - 1u);
}

// What code e contributes to Σ x·f: affine 1 + q·2^-BITS (q for f32 x), fp the element value
// (the group's scale is applied per group).
fn qmv_weight(base: u32, e: u32) -> f32 {
    if MODE == MODE_AFFINE {
        if XDT == DT_F32 {
            return f32(qmv_code(base, e));
        }
        let d = 23u - BITS; // the code's place: the top BITS bits of the mantissa
        let pos = e * BITS;
        let sh = pos & 31u;
        if sh + BITS <= 32u {
            let w = wbuf[base + (pos >> 5u)];
            var v: u32;
            if sh <= d {
                v = w << (d - sh);
            } else {
                v = w >> (sh - d);
            }
            return bitcast<f32>((v & (((1u << BITS) - 1u) << d)) | qmv_one32);
        }
        return bitcast<f32>((qmv_code(base, e) << d) | qmv_one32);
    }
    if MODE == MODE_MXFP8 {
        return fp8_e4m3_value(qmv_code(base, e));
    }
    return fp4_lut[qmv_code(base, e)];
}

// (A, B) of the group holding element j of stored row `row`: the group adds A·Σx·f + B·Σx.
fn qmv_group(row: u32, j: u32, global_factor: f32) -> vec2<f32> {
    let g = row * p.gpr + j / GS;
    if MODE == MODE_AFFINE {
        if XDT == DT_F32 {
            return vec2<f32>(bitcast<f32>(scales[g]), bitcast<f32>(biases[g]));
        }
        let s = half_in_word(scales[g >> 1u], g, XDT);
        let b = half_in_word(biases[g >> 1u], g, XDT);
        let a = s * f32(1u << BITS);
        return vec2<f32>(a, b - a);
    }
    let byte = (scales[g >> 2u] >> ((g & 3u) * 8u)) & 0xffu;
    return vec2<f32>(fp_scale(byte, global_factor, p.has_global != 0u), 0.0);
}

// x[x_row, j .. j + 8) into xv (j a multiple of 8, so 16-bit pairs share a word).
fn qmv_x8(x_row: u32, j: u32) {
    let i = x_row * p.k + j;
    if XDT == DT_F32 {
        for (var e = 0u; e < 8u; e++) {
            xv[e] = bitcast<f32>(x_word(i + e));
        }
        return;
    }
    for (var t = 0u; t < 4u; t++) {
        let w = x_word((i >> 1u) + t);
        if XDT == DT_F16 {
            let v = unpack2x16float(w);
            xv[2u * t] = v.x;
            xv[2u * t + 1u] = v.y;
        } else {
            xv[2u * t] = bitcast<f32>(w << 16u);
            xv[2u * t + 1u] = bitcast<f32>(w & 0xffff0000u);
        }
    }
}

struct X8 {
    lo: vec4<f32>,
    hi: vec4<f32>,
}

// x[x_row, j .. j + 8) from 16-byte loads (x rows start 16-byte aligned: K a multiple of 32).
fn qmv_x8v(x_row: u32, j: u32) -> X8 {
    let i = x_row * p.k + j;
    if XDT == DT_F32 {
        return X8(bitcast<vec4<f32>>(x[i >> 2u]), bitcast<vec4<f32>>(x[(i >> 2u) + 1u]));
    }
    let w = x[i >> 3u];
    if XDT == DT_F16 {
        return X8(vec4<f32>(unpack2x16float(w.x), unpack2x16float(w.y)), vec4<f32>(unpack2x16float(w.z), unpack2x16float(w.w)));
    }
    let lo = vec4<u32>(w.x << 16u, w.x & 0xffff0000u, w.y << 16u, w.y & 0xffff0000u);
    let hi = vec4<u32>(w.z << 16u, w.z & 0xffff0000u, w.w << 16u, w.w & 0xffff0000u);
    return X8(bitcast<vec4<f32>>(lo), bitcast<vec4<f32>>(hi));
}

// Whether affine 4-bit codes with 16-bit x take the split decode (pairs4, qmv_dot8_split): the
// one- and two-code decodes (QMV_DECODE 1, 2), not the f16 path's, and tiles of one x row (the
// M = 1 decode, where it was timed: stage 18, H200 −2 to −4 %; with more rows its second set of
// sums costs registers per row).
fn qmv_split4() -> bool {
    return MODE == MODE_AFFINE && BITS == 4u && XDT != DT_F32 && QMV_DECODE != 0u && QMV_DECODE != 3u && QMV_XROWS == 1u;
}

// Codes j and j + 4 of a word of 4-bit codes as f16 pairs, pair j in component j (QMV_DECODE = 1).
// Affine: 1 + q/16 (q into the top four mantissa bits of 1.0 = 0x3c00). fp4 (sign, 2-bit
// exponent, 1-bit mantissa): the sign to bit 15 and the three other bits to bits 9..11, which
// reads as the fp4 value · 2^-14 (exponent 0 → the f16 subnormal m · 2^-15).
fn pairs4(w: u32) -> vec4<u32> {
    if qmv_split4() {
        // Codes (0, 4) and (1, 5) are in place as they are, (2, 6) and (3, 7) after one shift by
        // 8, if the even codes go under mantissa bits 0..3 (1 + q·2^-10) and the odd ones under
        // bits 4..7 (1 + q·2^-6): one shift a word instead of four (qmv_unit takes the two scales
        // apart: qmv_dot8_split).
        let v = vec4<u32>(w, w, w >> 8u, w >> 8u);
        return (v & vec4<u32>(0x000f000fu, 0x00f000f0u, 0x000f000fu, 0x00f000f0u)) | vec4<u32>(qmv_one16);
    }
    if MODE == MODE_AFFINE {
        let v = vec4<u32>(w << 6u, w << 2u, w >> 2u, w >> 6u);
        return (v & vec4<u32>(0x03c003c0u)) | vec4<u32>(qmv_one16);
    }
    if QMV_DECODE >= 2u {
        // The same f16 pairs with fewer shifts: the even and the odd codes each get a byte of
        // their own (e, o), where adding 7 × the sign bit moves it from bit 3 to bit 6 (bit 3
        // cleared, no carry out of the byte); one shift then puts two bytes' magnitude at bits
        // 9..11 and sign at bit 15 of each half.
        let e = w & 0x0f0f0f0fu;
        let o = (w >> 4u) & 0x0f0f0f0fu;
        let es = e + (e & 0x08080808u) * 7u;
        let os = o + (o & 0x08080808u) * 7u;
        return vec4<u32>(es << 9u, os << 9u, es << 1u, os << 1u) & vec4<u32>(0x8e008e00u);
    }
    let m = vec4<u32>(w << 9u, w << 5u, w << 1u, w >> 3u);
    let s = vec4<u32>(w << 12u, w << 8u, w << 4u, w);
    return (m & vec4<u32>(0x0e000e00u)) | (s & vec4<u32>(0x80008000u));
}

// The four E4M3 bytes of w as two f16 pairs (bytes 0 and 2, bytes 1 and 3), each reading as the
// fp8 value · 2^-8 (the E4M3 fields moved into the f16's: 4-bit exponent, bias 7 vs 15 → 2^-8,
// subnormals included). A magnitude of 0x7f (NaN) also sets the f16 exponent's top bit → NaN:
// adding 1 to the 7-bit magnitude carries into bit 7 only there. 10 integer operations a word.
fn fp8_pairs(w: u32) -> vec2<u32> {
    let mag = w & 0x7f7f7f7fu;
    let m = mag | ((mag + 0x01010101u) & 0x80808080u);
    let h02 = ((m << 7u) & 0x7f807f80u) | ((w << 8u) & 0x80008000u);
    let h13 = ((m >> 1u) & 0x7f807f80u) | (w & 0x80008000u);
    return vec2<u32>(h02, h13);
}

// Eight weights of one row as f32 (element e: lo[e], hi[e - 4]).
struct W8 {
    lo: vec4<f32>,
    hi: vec4<f32>,
}

// Sixteen weights of one row: octets a and b (codes 0..7 and 8..15 of a word of 2-bit codes).
struct W16 {
    a: W8,
    b: W8,
}

// The sixteen codes of a word of 2-bit codes as 1 + q/4 (q under the exponent of an f16 1.0,
// 0x3c00, at bits 8..9): codes i and i + 8 (bits 2i and 2i + 16) sit 16 bits apart, so one shift
// puts both in place in the two halves of an f16 pair and one and-or finishes them; one
// unpack2x16float gives both as f32. 15 integer operations per 16 codes (the f32 form: 31).
fn pairs2(w: u32) -> W16 {
    let m = vec4<u32>(0x03000300u);
    let one = vec4<u32>(qmv_one16);
    let l = (vec4<u32>(w << 8u, w << 6u, w << 4u, w << 2u) & m) | one;
    let h = (vec4<u32>(w, w >> 2u, w >> 4u, w >> 6u) & m) | one;
    let p0 = unpack2x16float(l.x);
    let p1 = unpack2x16float(l.y);
    let p2 = unpack2x16float(l.z);
    let p3 = unpack2x16float(l.w);
    let p4 = unpack2x16float(h.x);
    let p5 = unpack2x16float(h.y);
    let p6 = unpack2x16float(h.z);
    let p7 = unpack2x16float(h.w);
    return W16(W8(vec4<f32>(p0.x, p1.x, p2.x, p3.x), vec4<f32>(p4.x, p5.x, p6.x, p7.x)),
               W8(vec4<f32>(p0.y, p1.y, p2.y, p3.y), vec4<f32>(p4.y, p5.y, p6.y, p7.y)));
}

// The eight weights (what each code contributes to Σ x·f, see qmv_word_group) of word w of
// 4-bit codes, or of the words wa, wb of 8-bit codes (affine or mxfp8).
fn qmv_w8(wa: u32, wb: u32) -> W8 {
    if BITS == 8u && MODE == MODE_MXFP8 {
        // E4M3 as f16 pairs: bytes 0, 2 (codes 0, 2) and 1, 3 of each word.
        let a = fp8_pairs(wa);
        let b = fp8_pairs(wb);
        let a0 = unpack2x16float(a.x);
        let a1 = unpack2x16float(a.y);
        let b0 = unpack2x16float(b.x);
        let b1 = unpack2x16float(b.y);
        return W8(vec4<f32>(a0.x, a1.x, a0.y, a1.y), vec4<f32>(b0.x, b1.x, b0.y, b1.y));
    }
    if BITS == 8u {
        if XDT == DT_F32 {
            let sh = vec4<u32>(0u, 8u, 16u, 24u);
            return W8(vec4<f32>((vec4<u32>(wa) >> sh) & vec4<u32>(0xffu)), vec4<f32>((vec4<u32>(wb) >> sh) & vec4<u32>(0xffu)));
        }
        // 1 + q/256 as f16 pairs: codes 0 and 2 of a word (bytes 0, 2 to bits 2..9 of each half),
        // codes 1 and 3 (bytes 1, 3).
        let v = vec4<u32>(wa << 2u, wa >> 6u, wb << 2u, wb >> 6u);
        let h = (v & vec4<u32>(0x03fc03fcu)) | vec4<u32>(0x3c003c00u);
        let a0 = unpack2x16float(h.x);
        let a1 = unpack2x16float(h.y);
        let b0 = unpack2x16float(h.z);
        let b1 = unpack2x16float(h.w);
        return W8(vec4<f32>(a0.x, a1.x, a0.y, a1.y), vec4<f32>(b0.x, b1.x, b0.y, b1.y));
    }
    if MODE == MODE_AFFINE && XDT == DT_F32 {
        return W8(vec4<f32>(codes4_lo(wa)), vec4<f32>(codes4_hi(wa)));
    }
    if QMV_DECODE != 0u {
        let h = pairs4(wa);
        let f0 = unpack2x16float(h.x);
        let f1 = unpack2x16float(h.y);
        let f2 = unpack2x16float(h.z);
        let f3 = unpack2x16float(h.w);
        return W8(vec4<f32>(f0.x, f1.x, f2.x, f3.x), vec4<f32>(f0.y, f1.y, f2.y, f3.y));
    }
    if MODE == MODE_AFFINE {
        return W8(codes4_lo_unit(wa), codes4_hi_unit(wa));
    }
    let l = codes4_lo(wa);
    let h = codes4_hi(wa);
    return W8(vec4<f32>(fp4_lut[l.x], fp4_lut[l.y], fp4_lut[l.z], fp4_lut[l.w]), vec4<f32>(fp4_lut[h.x], fp4_lut[h.y], fp4_lut[h.z], fp4_lut[h.w]));
}

// d + Σ f·x over eight elements: one chain of fused multiply-adds (QMV_DOT = 0), or two dot
// products added to d (1: a dependency chain of one add per octet instead of eight fmas).
fn qmv_dot8(d: f32, f: W8, xs: X8) -> f32 {
    if QMV_DOT == 1u {
        return d + (dot(f.lo, xs.lo) + dot(f.hi, xs.hi));
    }
    var s = fma(f.lo.x, xs.lo.x, d);
    s = fma(f.lo.y, xs.lo.y, s);
    s = fma(f.lo.z, xs.lo.z, s);
    s = fma(f.lo.w, xs.lo.w, s);
    s = fma(f.hi.x, xs.hi.x, s);
    s = fma(f.hi.y, xs.hi.y, s);
    s = fma(f.hi.z, xs.hi.z, s);
    return fma(f.hi.w, xs.hi.w, s);
}

// qmv_dot8 for the split decode (qmv_split4): the even codes' sum (f = 1 + q·2^-10) in .x and the
// odd codes' (1 + q·2^-6) in .y.
fn qmv_dot8_split(d: vec2<f32>, f: W8, xs: X8) -> vec2<f32> {
    if QMV_DOT == 1u {
        let e = dot(vec4<f32>(f.lo.x, f.lo.z, f.hi.x, f.hi.z), vec4<f32>(xs.lo.x, xs.lo.z, xs.hi.x, xs.hi.z));
        let o = dot(vec4<f32>(f.lo.y, f.lo.w, f.hi.y, f.hi.w), vec4<f32>(xs.lo.y, xs.lo.w, xs.hi.y, xs.hi.w));
        return d + vec2<f32>(e, o);
    }
    var e = fma(f.lo.x, xs.lo.x, d.x);
    var o = fma(f.lo.y, xs.lo.y, d.y);
    e = fma(f.lo.z, xs.lo.z, e);
    o = fma(f.lo.w, xs.lo.w, o);
    e = fma(f.hi.x, xs.hi.x, e);
    o = fma(f.hi.y, xs.hi.y, o);
    e = fma(f.hi.z, xs.hi.z, e);
    o = fma(f.hi.w, xs.hi.w, o);
    return vec2<f32>(e, o);
}

// (A, B) of the group holding element j of stored row `row` on the word path: the group adds
// A·Σx·f + B·Σx with f as qmv_w8 gives it. fp4 f16 pairs carry the values · 2^-14, so A carries
// 2^14, folded into the scale's exponent: mxfp4's E8M0 byte b is 2^(b-127), so A is the float
// with exponent field b + 14 (b = 0 included: 2^-113; b ≥ 241 overflows to inf, as the f32
// product does); nvfp4's E4M3 byte is an f16 with its exponent and mantissa fields moved up
// (value · 2^-8, subnormals included; 0x7f/0xff is NaN), so A = that f16 · 2^22 · global.
fn qmv_word_group(row: u32, j: u32, global_factor: f32) -> vec2<f32> {
    if MODE == MODE_AFFINE || (QMV_DECODE == 0u && MODE != MODE_MXFP8) {
        return qmv_group(row, j, global_factor);
    }
    let g = row * p.gpr + j / GS;
    let byte = (scales[g >> 2u] >> ((g & 3u) * 8u)) & 0xffu;
    if MODE == MODE_MXFP8 {
        // The f16 pairs carry fp8 · 2^-8 (fp8_pairs): exponent field b + 8 (byte 255: inf).
        return vec2<f32>(bitcast<f32>(min(byte + 8u, 255u) << 23u), 0.0);
    }
    if MODE == MODE_MXFP4 {
        return vec2<f32>(bitcast<f32>(min(byte + 14u, 255u) << 23u), 0.0);
    }
    let h = ((byte & 0x7fu) << 7u) | ((byte & 0x80u) << 8u);
    var a = unpack2x16float(h).x * 4194304.0;
    if (byte & 0x7fu) == 0x7fu {
        a = bitcast<f32>(0x7fc00000u);
    }
    return vec2<f32>(select(a, a * global_factor, p.has_global != 0u), 0.0);
}

// nvfp4 on the word path (groups of 16, so a 16-byte unit of 32 codes holds two): the (A, A')
// of the unit's two groups (element j, a multiple of 32, and j + 16) as qmv_word_group gives each,
// from one scale load and one f16-pair conversion. Rows hold a multiple of 32 elements here, so
// the first group's index g is even and bytes g, g + 1 share a word's 16-bit half; a magnitude of
// 0x7f (NaN) sets the f16 exponent's top bit by the carry of fp8_pairs, so no compare is needed.
fn qmv_nvfp4_scales2(row: u32, j: u32, global_factor: f32) -> vec2<f32> {
    let g = row * p.gpr + j / GS;
    let v = scales[g >> 2u] >> ((g & 2u) * 8u);
    let s = (v & 0xffu) | ((v & 0xff00u) << 8u); // byte k of the pair at bits 16k..16k+7
    let mag = s & 0x007f007fu;
    let m = mag | ((mag + 0x00010001u) & 0x00800080u);
    let h = (m << 7u) | ((s & 0x00800080u) << 8u);
    let a = unpack2x16float(h) * 4194304.0;
    return select(a, a * global_factor, p.has_global != 0u);
}

// The word path's sums, [x row] × (the thread's columns as components), and the thread's stored
// rows of w and x (set once at entry).
var<private> qacc: array<vec4<f32>, 8>;
var<private> qmv_wrow: vec4<u32>;
var<private> qmv_xrow: array<u32, 8>;

// One unit (QMV_VEC words, word v in component v) of each of the thread's columns (c0..c3):
// named vectors, not an array, so the compiler keeps them in registers.
struct Unit4 {
    c0: vec4<u32>,
    c1: vec4<u32>,
    c2: vec4<u32>,
    c3: vec4<u32>,
}

// One word-path load: word i of wq (a 16-byte vector for QMV_VEC = 4, else one word).
fn qmv_unit_word(i: u32) -> vec4<u32> {
    if QMV_VEC == 4u {
        return wq[i >> 2u];
    }
    return vec4<u32>(wq[i >> 2u][i & 3u], 0u, 0u, 0u);
}

// Unit c of each column (wbase: the columns' first words); columns past QMV_COLS are not loaded.
fn qmv_unit_load(wbase: vec4<u32>, c: u32) -> Unit4 {
    var w = Unit4(vec4<u32>(0u), vec4<u32>(0u), vec4<u32>(0u), vec4<u32>(0u));
    w.c0 = qmv_unit_word(wbase.x + c * QMV_VEC);
    if QMV_COLS > 1u {
        w.c1 = qmv_unit_word(wbase.y + c * QMV_VEC);
    }
    if QMV_COLS > 2u {
        w.c2 = qmv_unit_word(wbase.z + c * QMV_VEC);
    }
    if QMV_COLS > 3u {
        w.c3 = qmv_unit_word(wbase.w + c * QMV_VEC);
    }
    return w;
}

// Eight elements (an octet: one word of 4-bit codes, two of 8-bit) of word v of a unit.
fn qmv_w8_at(u: vec4<u32>, v: u32) -> W8 {
    if BITS == 8u {
        return qmv_w8(u[v], u[v + 1u]);
    }
    return qmv_w8(u[v], 0u);
}

// Adds unit c (loaded: w) of the thread's columns times the tile's x rows to qacc: per group
// within the unit, A·Σx·f + B·Σx. Each octet of weights is decoded once per column and then
// serves every x row of the tile (M > 1 costs x loads and multiply-adds, not decodes).
fn qmv_unit(c: u32, w: Unit4, count: u32, global_factor: f32) {
    if qmv_half() {
        qmv_unit_h(c, w, count, global_factor);
        return;
    }
    // Words per octet and octets per unit (QMV_VEC = 4 for 8-bit codes); clamped to 1 so the
    // variants of other widths, which never run this, still evaluate.
    let wpo = max(BITS / 4u, 1u);
    let octs = max(QMV_VEC / wpo, 1u);
    let goct = min(GS / 8u, octs); // octets of one group within a unit
    let row0 = c * octs * 8u; // first element of the unit
    // nvfp4 16-byte units: both groups' scales per column at once (qmv_nvfp4_scales2).
    let scale_pairs = MODE == MODE_NVFP4 && QMV_DECODE != 0u && GS == 16u && octs == 4u;
    var a2 = array<vec2<f32>, 4>();
    if scale_pairs {
        for (var ci = 0u; ci < QMV_COLS; ci++) {
            a2[ci] = qmv_nvfp4_scales2(qmv_wrow[ci], row0, global_factor);
        }
    }
    for (var o0 = 0u; o0 < octs; o0 += goct) {
        let j0 = row0 + o0 * 8u;
        var a = vec4<f32>(0.0);
        var b = vec4<f32>(0.0);
        for (var ci = 0u; ci < QMV_COLS; ci++) {
            if scale_pairs {
                a[ci] = select(a2[ci].x, a2[ci].y, o0 != 0u);
            } else {
                let ab = qmv_word_group(qmv_wrow[ci], j0, global_factor);
                a[ci] = ab.x;
                b[ci] = ab.y;
            }
        }
        var d: array<vec4<f32>, 8>; // [x row] × columns (split: the even codes')
        var sx: array<f32, 8>; // (split: Σx of the even elements)
        var d2: array<vec4<f32>, 8>; // split: the odd codes' sums
        var sx2: array<f32, 8>; // split: Σx of the odd elements
        for (var o = o0; o < o0 + goct; o++) {
            let f0 = qmv_w8_at(w.c0, o * wpo);
            var f1 = f0;
            var f2 = f0;
            var f3 = f0;
            if QMV_COLS > 1u {
                f1 = qmv_w8_at(w.c1, o * wpo);
            }
            if QMV_COLS > 2u {
                f2 = qmv_w8_at(w.c2, o * wpo);
            }
            if QMV_COLS > 3u {
                f3 = qmv_w8_at(w.c3, o * wpo);
            }
            for (var mi = 0u; mi < QMV_XROWS; mi++) {
                if mi < count {
                    let xs = qmv_x8v(qmv_xrow[mi], j0 + (o - o0) * 8u);
                    if qmv_split4() {
                        let t = xs.lo + xs.hi;
                        sx[mi] += t.x + t.z;
                        sx2[mi] += t.y + t.w;
                        let r0 = qmv_dot8_split(vec2<f32>(d[mi].x, d2[mi].x), f0, xs);
                        d[mi].x = r0.x;
                        d2[mi].x = r0.y;
                        if QMV_COLS > 1u {
                            let r1 = qmv_dot8_split(vec2<f32>(d[mi].y, d2[mi].y), f1, xs);
                            d[mi].y = r1.x;
                            d2[mi].y = r1.y;
                        }
                        if QMV_COLS > 2u {
                            let r2 = qmv_dot8_split(vec2<f32>(d[mi].z, d2[mi].z), f2, xs);
                            d[mi].z = r2.x;
                            d2[mi].z = r2.y;
                        }
                        if QMV_COLS > 3u {
                            let r3 = qmv_dot8_split(vec2<f32>(d[mi].w, d2[mi].w), f3, xs);
                            d[mi].w = r3.x;
                            d2[mi].w = r3.y;
                        }
                    } else {
                        if MODE == MODE_AFFINE {
                            sx[mi] += dot(xs.lo + xs.hi, vec4<f32>(1.0));
                        }
                        d[mi].x = qmv_dot8(d[mi].x, f0, xs);
                        if QMV_COLS > 1u {
                            d[mi].y = qmv_dot8(d[mi].y, f1, xs);
                        }
                        if QMV_COLS > 2u {
                            d[mi].z = qmv_dot8(d[mi].z, f2, xs);
                        }
                        if QMV_COLS > 3u {
                            d[mi].w = qmv_dot8(d[mi].w, f3, xs);
                        }
                    }
                }
            }
        }
        for (var mi = 0u; mi < QMV_XROWS; mi++) {
            if mi < count {
                // The fp modes have no B (and no Σx): one multiply-add a column, not two.
                if qmv_split4() {
                    // a = 16s, b = b' - 16s (qmv_group): even codes s·2^10·(Σ x·f - Σx), odd
                    // s·2^6·(...), plus b'·Σx.
                    let bt = b + a;
                    let ae = a * 64.0;
                    let ao = a * 4.0;
                    qacc[mi] += ae * d[mi] + (bt - ae) * sx[mi] + ao * d2[mi] + (bt - ao) * sx2[mi];
                } else if MODE == MODE_AFFINE {
                    qacc[mi] += a * d[mi] + b * sx[mi];
                } else {
                    qacc[mi] += a * d[mi];
                }
            }
        }
    }
}

// ---- the f16 path (QMV_DECODE = 3) ----

// Whether this variant multiplies in packed f16: 4-bit codes in 16-byte units, f16 x.
fn qmv_half() -> bool {
    return QMV_DECODE == 3u && BITS == 4u && XDT == DT_F16 && QMV_VEC == 4u;
}

// The power of two k that puts max|x| of a unit (m: its f16 bits) into [2^T, 2^(T+1)), clamped to
// a normal f16 2^k (k ≤ 15: all-small x is scaled as far as it goes). T keeps every f16 sum
// finite and the products normal: affine |f| ≤ 1/2 (qmv_h4), an octet's Σx (four values a
// half) < 2^(T+3): T = 12; fp4 |f| ≤ 6·2^-14 (pairs4's fp4 values · 2^-14), no Σx: T = 14.
// Products stay < 12, and normal f16 down to x 2^-10 (fp4: 2^-14) below the unit's max|x|;
// smaller ones carry an absolute error of at most 2^-25, far below the sums' rounding.
fn qmv_half_k(m: u32) -> i32 {
    let t = select(14, 12, MODE == MODE_AFFINE);
    let e = i32(max((m >> 10u) & 0x1fu, 1u)); // f16 exponent field (subnormals as 1)
    return clamp(t + 15 - e, -14, 15);
}

// A word of 4-bit codes as the f16 pairs the f16 path multiplies (codes j, j + 4 in component j):
// pairs4's, and for affine codes centred, (1 + q/16) - 1.5 = (q - 8)/16 (exact): f16 sums of
// x·(1 + q/16) or x·q carry Σx at full size and round it with the rest, 4-8× the error of sums
// of centred products (affine 4-bit on lavapipe: 1.1-1.9e-3 of max|y| uncentred, over the
// 1.5e-3 floor; fp4 codes are centred already).
fn qmv_h4(w: u32) -> vec4<u32> {
    let h = pairs4(w);
    if MODE == MODE_AFFINE {
        return qh_sub(h, qmv_h15);
    }
    return h;
}

// 1.5 as an f16 pair, set at entry from opaque_zero: with f16 pair literals passed through the
// qh helpers the sums came out wrong on lavapipe (naga 30's constant folding of f16 values the
// likely cause; the same values from opaque_zero were right), so the f16 path takes none.
var<private> qmv_h15: u32;

// One x row's unit prepared for the f16 path (qmv_half_x): its four octets' x pairs as named
// vectors, not an array indexed by an octet loop (stage 16: such an array went to local memory
// for affine, 5× slower), and 2^-k.
struct XH {
    o0: vec4<u32>,
    o1: vec4<u32>,
    o2: vec4<u32>,
    o3: vec4<u32>,
    u: f32,
}

// Octet o (a literal at every call) of a prepared x row.
fn qmv_xh_octet(xh: XH, o: u32) -> vec4<u32> {
    if o == 0u {
        return xh.o0;
    }
    if o == 1u {
        return xh.o1;
    }
    if o == 2u {
        return xh.o2;
    }
    return xh.o3;
}

// The unit's 32 x values of x row `x_row` from element row0 on, scaled by 2^k (qmv_half_k: no f16
// overflow, whatever x) and paired as pairs4's codes are (qh_prep).
fn qmv_half_x(x_row: u32, row0: u32) -> XH {
    let i = (x_row * p.k + row0) >> 3u;
    let x0 = x[i];
    let x1 = x[i + 1u];
    let x2 = x[i + 2u];
    let x3 = x[i + 3u];
    let m2 = qh_max(qh_max(qh_absmax8(x0), qh_absmax8(x1)), qh_max(qh_absmax8(x2), qh_absmax8(x3)));
    let m = max(m2 & 0xffffu, m2 >> 16u); // non-negative f16 bits order as their values
    let k = qmv_half_k(m);
    let s = u32(k + 15) << 10u;
    let sp = s | (s << 16u);
    return XH(qh_prep(x0, sp), qh_prep(x1, sp), qh_prep(x2, sp), qh_prep(x3, sp), bitcast<f32>(u32(127 - k) << 23u));
}

// Octet o (a literal) of unit w: per x row and column four packed multiply-adds give two f16 sums
// of four products, which go to f32 and into d times 2^-k (and the octet's Σx into sx, affine).
fn qmv_octet_h(w: Unit4, o: u32, count: u32, xh: ptr<function, array<XH, 8>>, d: ptr<function, array<vec4<f32>, 8>>, sx: ptr<function, array<f32, 8>>) {
    let h0 = qmv_h4(w.c0[o]);
    var h1 = h0;
    var h2 = h0;
    var h3 = h0;
    if QMV_COLS > 1u {
        h1 = qmv_h4(w.c1[o]);
    }
    if QMV_COLS > 2u {
        h2 = qmv_h4(w.c2[o]);
    }
    if QMV_COLS > 3u {
        h3 = qmv_h4(w.c3[o]);
    }
    for (var mi = 0u; mi < QMV_XROWS; mi++) {
        if mi < count {
            let xo = qmv_xh_octet((*xh)[mi], o);
            let u = (*xh)[mi].u;
            if MODE == MODE_AFFINE {
                let s8 = qh_f32(qh_sum8(xo));
                (*sx)[mi] += s8.x + s8.y;
            }
            let r0 = qh_dot8(h0, xo);
            (*d)[mi].x = fma(r0.x + r0.y, u, (*d)[mi].x);
            if QMV_COLS > 1u {
                let r1 = qh_dot8(h1, xo);
                (*d)[mi].y = fma(r1.x + r1.y, u, (*d)[mi].y);
            }
            if QMV_COLS > 2u {
                let r2 = qh_dot8(h2, xo);
                (*d)[mi].z = fma(r2.x + r2.y, u, (*d)[mi].z);
            }
            if QMV_COLS > 3u {
                let r3 = qh_dot8(h3, xo);
                (*d)[mi].w = fma(r3.x + r3.y, u, (*d)[mi].w);
            }
        }
    }
}

// One group of the unit: octets o0 .. o0 + n (literals; n = 2 or 4) with the columns' factors a
// (and affine B in b), added to qacc: A·Σ x·f + B·Σx.
fn qmv_group_h(w: Unit4, o0: u32, n: u32, a: vec4<f32>, b: vec4<f32>, count: u32, xh: ptr<function, array<XH, 8>>) {
    var d: array<vec4<f32>, 8>; // [x row] × columns
    var sx: array<f32, 8>; // [x row]: the group's Σx (prepared)
    qmv_octet_h(w, o0, count, xh, &d, &sx);
    qmv_octet_h(w, o0 + 1u, count, xh, &d, &sx);
    if n > 2u {
        qmv_octet_h(w, o0 + 2u, count, xh, &d, &sx);
        qmv_octet_h(w, o0 + 3u, count, xh, &d, &sx);
    }
    for (var mi = 0u; mi < QMV_XROWS; mi++) {
        if mi < count {
            if MODE == MODE_AFFINE {
                qacc[mi] += a * d[mi] + b * (sx[mi] * (*xh)[mi].u);
            } else {
                qacc[mi] += a * d[mi];
            }
        }
    }
}

// The columns' factors of the group from element j0 on: A (and affine B; f = (q - 8)/16 from
// qmv_h4: A = 16s, B = b + 8s).
fn qmv_half_a(j0: u32, global_factor: f32) -> vec4<f32> {
    var a = vec4<f32>(0.0);
    for (var ci = 0u; ci < QMV_COLS; ci++) {
        if MODE == MODE_AFFINE {
            let g = qmv_wrow[ci] * p.gpr + j0 / GS;
            a[ci] = half_in_word(scales[g >> 1u], g, XDT) * 16.0;
        } else {
            a[ci] = qmv_word_group(qmv_wrow[ci], j0, global_factor).x;
        }
    }
    return a;
}

fn qmv_half_b(j0: u32) -> vec4<f32> {
    var b = vec4<f32>(0.0);
    if MODE == MODE_AFFINE {
        for (var ci = 0u; ci < QMV_COLS; ci++) {
            let g = qmv_wrow[ci] * p.gpr + j0 / GS;
            b[ci] = fma(half_in_word(scales[g >> 1u], g, XDT), 8.0, half_in_word(biases[g >> 1u], g, XDT));
        }
    }
    return b;
}

// qmv_unit with packed f16 products (qmv_half): each x row's unit prepared once (qmv_half_x), then
// per group and octet four packed multiply-adds per column (qmv_octet_h). So f16 holds at most
// four products' sum, everything longer is f32. The octets are written out with literal indices
// (as qmv_unit_n's): neither an array nor a loop index over octets reaches the compiler, so the
// prepared x stay in registers (stage 17).
fn qmv_unit_h(c: u32, w: Unit4, count: u32, global_factor: f32) {
    let goct = min(GS / 8u, 4u); // octets of one group within the unit
    let row0 = c * 32u; // first element of the unit
    var xh: array<XH, 8>; // [x row]
    for (var mi = 0u; mi < QMV_XROWS; mi++) {
        if mi < count {
            xh[mi] = qmv_half_x(qmv_xrow[mi], row0);
        }
    }
    let z = vec4<f32>(0.0);
    if goct == 4u {
        qmv_group_h(w, 0u, 4u, qmv_half_a(row0, global_factor), qmv_half_b(row0), count, &xh);
    } else if MODE == MODE_NVFP4 && GS == 16u {
        // Both groups' scales per column at once (qmv_nvfp4_scales2).
        var a0 = z;
        var a1 = z;
        for (var ci = 0u; ci < QMV_COLS; ci++) {
            let a2 = qmv_nvfp4_scales2(qmv_wrow[ci], row0, global_factor);
            a0[ci] = a2.x;
            a1[ci] = a2.y;
        }
        qmv_group_h(w, 0u, 2u, a0, z, count, &xh);
        qmv_group_h(w, 2u, 2u, a1, z, count, &xh);
    } else {
        qmv_group_h(w, 0u, 2u, qmv_half_a(row0, global_factor), qmv_half_b(row0), count, &xh);
        qmv_group_h(w, 2u, 2u, qmv_half_a(row0 + 16u, global_factor), qmv_half_b(row0 + 16u), count, &xh);
    }
}

// ---- affine 2/3/5/6/7-bit units (qmv_unit_n) ----

// Whether the widths of this variant take qmv_unit_n: affine codes other than 1/4/8-bit.
fn qmv_words_n() -> bool {
    return MODE == MODE_AFFINE && BITS != 1u && BITS != 4u && BITS != 8u && BITS < 8u;
}

// Words per unit: a 16-byte vector of 2-bit codes (one word with QMV_VEC = 1), the BITS words of
// a 32-code chunk otherwise.
fn qmv_unit_words_n() -> u32 {
    return select(BITS, QMV_VEC, BITS == 2u);
}

// Octets per unit (2-bit: 8, or 2 with word loads; 3/5/6/7-bit: 4).
fn qmv_unit_octets_n() -> u32 {
    return 4u * qmv_unit_words_n() / BITS;
}

// One unit of each column: words 0..3 in l, words 4..7 (5/6/7-bit) in h.
struct UnitN {
    l0: vec4<u32>,
    l1: vec4<u32>,
    l2: vec4<u32>,
    l3: vec4<u32>,
    h0: vec4<u32>,
    h1: vec4<u32>,
    h2: vec4<u32>,
    h3: vec4<u32>,
}

// Words 0..3 of the unit at word i: a 16-byte vector (2-bit, QMV_VEC = 4: 16-byte aligned), else
// word loads.
fn qmv_unit_n_lo(i: u32) -> vec4<u32> {
    let uw = qmv_unit_words_n();
    if uw == 4u && BITS == 2u {
        return wq[i >> 2u];
    }
    var v = vec4<u32>(wq_words[i], 0u, 0u, 0u);
    if uw > 1u {
        v.y = wq_words[i + 1u];
        v.z = wq_words[i + 2u];
    }
    if uw > 3u {
        v.w = wq_words[i + 3u];
    }
    return v;
}

// Words 4..7 of a 5/6/7-bit unit (zero for narrower units).
fn qmv_unit_n_hi(i: u32) -> vec4<u32> {
    let uw = qmv_unit_words_n();
    var v = vec4<u32>(0u);
    if uw > 4u {
        v.x = wq_words[i + 4u];
    }
    if uw > 5u {
        v.y = wq_words[i + 5u];
    }
    if uw > 6u {
        v.z = wq_words[i + 6u];
    }
    return v;
}

fn qmv_unit_n_load(wbase: vec4<u32>, c: u32) -> UnitN {
    let z = vec4<u32>(0u);
    var w = UnitN(z, z, z, z, z, z, z, z);
    let off = c * qmv_unit_words_n();
    w.l0 = qmv_unit_n_lo(wbase.x + off);
    w.h0 = qmv_unit_n_hi(wbase.x + off);
    if QMV_COLS > 1u {
        w.l1 = qmv_unit_n_lo(wbase.y + off);
        w.h1 = qmv_unit_n_hi(wbase.y + off);
    }
    if QMV_COLS > 2u {
        w.l2 = qmv_unit_n_lo(wbase.z + off);
        w.h2 = qmv_unit_n_hi(wbase.z + off);
    }
    if QMV_COLS > 3u {
        w.l3 = qmv_unit_n_lo(wbase.w + off);
        w.h3 = qmv_unit_n_hi(wbase.w + off);
    }
    return w;
}

// Word i (a literal at every call) of a unit held as (lo, hi).
fn qmv_uword(lo: vec4<u32>, hi: vec4<u32>, i: u32) -> u32 {
    if i < 4u {
        return lo[i];
    }
    return hi[i - 4u];
}

// What the code at bit `pos` (a literal) of a unit contributes to Σ x·f: 1 + q·2^-BITS (q's bits
// moved under the exponent of 1.0: one shift and one and-or; a second shift and or where the
// code straddles two words), or q for f32 x.
fn qmv_code_n(lo: vec4<u32>, hi: vec4<u32>, pos: u32) -> f32 {
    let wi = pos >> 5u;
    let sh = pos & 31u;
    let w = qmv_uword(lo, hi, wi);
    let straddles = sh + BITS > 32u;
    if XDT == DT_F32 {
        var q = w >> sh;
        if straddles {
            q = q | (qmv_uword(lo, hi, wi + 1u) << (32u - sh));
        }
        return f32(q & ((1u << BITS) - 1u));
    }
    let d = 23u - BITS; // the code's place: the top BITS bits of the mantissa
    var v: u32;
    if sh <= d {
        v = w << (d - sh);
    } else {
        v = w >> (sh - d);
    }
    if straddles {
        v = v | (qmv_uword(lo, hi, wi + 1u) << (d + 32u - sh));
    }
    return bitcast<f32>((v & (((1u << BITS) - 1u) << d)) | qmv_one32);
}

// The eight weights of octet o (a literal) of a column's unit: codes 8o..8o+7.
fn qmv_octet_n(lo: vec4<u32>, hi: vec4<u32>, o: u32) -> W8 {
    let p0 = o * 8u * BITS;
    return W8(vec4<f32>(qmv_code_n(lo, hi, p0), qmv_code_n(lo, hi, p0 + BITS), qmv_code_n(lo, hi, p0 + 2u * BITS), qmv_code_n(lo, hi, p0 + 3u * BITS)),
              vec4<f32>(qmv_code_n(lo, hi, p0 + 4u * BITS), qmv_code_n(lo, hi, p0 + 5u * BITS), qmv_code_n(lo, hi, p0 + 6u * BITS), qmv_code_n(lo, hi, p0 + 7u * BITS)));
}

// Octets o and o + 1 (o even, a literal) of a column's unit: codes 8o..8o+15. 2-bit codes with
// 16-bit x and QMV_DECODE != 0 take pairs2 (one word: a shift and an and-or per two codes plus an
// f16-pair conversion, instead of a shift and an and-or per code); other widths one octet at a time.
fn qmv_octets2_n(lo: vec4<u32>, hi: vec4<u32>, o: u32) -> W16 {
    if BITS == 2u && QMV_DECODE != 0u && XDT != DT_F32 {
        return pairs2(qmv_uword(lo, hi, o >> 1u));
    }
    return W16(qmv_octet_n(lo, hi, o), qmv_octet_n(lo, hi, o + 1u));
}

// Octets o and o + 1 (o even, a literal) of unit w, whose first element is j0: its columns'
// weights times the tile's x rows, added to d (and Σx to sx).
fn qmv_octets_n_acc(w: UnitN, o: u32, j0: u32, count: u32, d: ptr<function, array<vec4<f32>, 8>>, sx: ptr<function, array<f32, 8>>) {
    if o >= qmv_unit_octets_n() {
        return;
    }
    let f0 = qmv_octets2_n(w.l0, w.h0, o);
    var f1 = f0;
    var f2 = f0;
    var f3 = f0;
    if QMV_COLS > 1u {
        f1 = qmv_octets2_n(w.l1, w.h1, o);
    }
    if QMV_COLS > 2u {
        f2 = qmv_octets2_n(w.l2, w.h2, o);
    }
    if QMV_COLS > 3u {
        f3 = qmv_octets2_n(w.l3, w.h3, o);
    }
    for (var mi = 0u; mi < QMV_XROWS; mi++) {
        if mi < count {
            let xa = qmv_x8v(qmv_xrow[mi], j0 + o * 8u);
            let xb = qmv_x8v(qmv_xrow[mi], j0 + o * 8u + 8u);
            (*sx)[mi] += dot((xa.lo + xa.hi) + (xb.lo + xb.hi), vec4<f32>(1.0));
            (*d)[mi].x = qmv_dot8(qmv_dot8((*d)[mi].x, f0.a, xa), f0.b, xb);
            if QMV_COLS > 1u {
                (*d)[mi].y = qmv_dot8(qmv_dot8((*d)[mi].y, f1.a, xa), f1.b, xb);
            }
            if QMV_COLS > 2u {
                (*d)[mi].z = qmv_dot8(qmv_dot8((*d)[mi].z, f2.a, xa), f2.b, xb);
            }
            if QMV_COLS > 3u {
                (*d)[mi].w = qmv_dot8(qmv_dot8((*d)[mi].w, f3.a, xa), f3.b, xb);
            }
        }
    }
}

// Adds unit c (loaded: w; within one group: the host sends only group sizes of a unit or more)
// of the thread's columns times the tile's x rows to qacc: A·Σx·f + B·Σx. The octets are written
// out with literal indices (at most 8).
fn qmv_unit_n(c: u32, w: UnitN, count: u32, global_factor: f32) {
    let j0 = c * qmv_unit_octets_n() * 8u;
    var a = vec4<f32>(0.0);
    var b = vec4<f32>(0.0);
    for (var ci = 0u; ci < QMV_COLS; ci++) {
        let ab = qmv_group(qmv_wrow[ci], j0, global_factor);
        a[ci] = ab.x;
        b[ci] = ab.y;
    }
    var d: array<vec4<f32>, 8>; // [x row] × columns
    var sx: array<f32, 8>;
    qmv_octets_n_acc(w, 0u, j0, count, &d, &sx);
    qmv_octets_n_acc(w, 2u, j0, count, &d, &sx);
    qmv_octets_n_acc(w, 4u, j0, count, &d, &sx);
    qmv_octets_n_acc(w, 6u, j0, count, &d, &sx);
    for (var mi = 0u; mi < QMV_XROWS; mi++) {
        if mi < count {
            qacc[mi] += a * d[mi] + b * sx[mi];
        }
    }
}

// Whether this kernel takes rows a unit at a time (the host sets QMV_WORD_PATH only where the rows
// fit; the modes and widths checked here keep other variants off code they cannot run).
fn qmv_word_kernel() -> bool {
    let n = qmv_words_n() && GS >= 8u * qmv_unit_octets_n();
    let fp8 = BITS == 8u && MODE == MODE_MXFP8 && QMV_VEC == 4u;
    return QMV_WORD_PATH != 0u && (BITS == 4u || (BITS == 8u && MODE == MODE_AFFINE && QMV_VEC == 4u) || fp8 || n);
}

// (x row, output row) of row mi of the tile whose rows start at rows[first].
fn qmv_row(first: u32, mi: u32) -> vec2<u32> {
    if QMV_DIRECT != 0u {
        return vec2<u32>(mi);
    }
    return rows[first + mi];
}

@compute @workgroup_size(QMV_WG)
fn qmv(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lid: u32) {
    // The fp4 table serves the code-by-code path and the one-code word decode only; the other
    // kernels skip its fill and barrier.
    if (MODE == MODE_MXFP4 || MODE == MODE_NVFP4) && (!qmv_word_kernel() || QMV_DECODE == 0u) {
        if lid < 16u {
            fp4_lut[lid] = fp4_value(lid);
        }
        workgroupBarrier();
    }
    let ti = tile_index(wid, nwg);
    let tile_live = ti < p.tiles;
    var tile = vec4<u32>(0u, 0u, QMV_XROWS, 0u);
    if QMV_DIRECT == 0u {
        tile = tiles[min(ti, p.tiles - 1u)];
    }
    opaque_zero = tiles[0].w; // always 0 (src/plan.rs), unknown to the compiler
    qmv_one16 = 0x3c003c00u | opaque_zero;
    qmv_one32 = 0x3f800000u + opaque_zero;
    qmv_h15 = 0x3e003e00u | opaque_zero;
    let count = select(0u, tile.z, tile_live);
    let lane = lid % QMV_LANES;
    let col0 = (wid.x * (QMV_WG / QMV_LANES) + lid / QMV_LANES) * QMV_COLS;
    let row0 = tile.x * p.rows_per_w;
    var global_factor = 0.0;
    if MODE == MODE_NVFP4 && p.has_global != 0u {
        global_factor = div_rn(gscale[tile.x], 2688.0);
    }
    var x_rows: array<u32, 8>;
    for (var mi = 0u; mi < QMV_XROWS; mi++) {
        x_rows[mi] = qmv_row(tile.y, min(mi, max(count, 1u) - 1u)).x;
    }
    // Rows past N load the last row (valid memory) and are never written.
    var w_rows: array<u32, 4>;
    for (var ci = 0u; ci < QMV_COLS; ci++) {
        w_rows[ci] = row0 + min(col0 + ci, p.n - 1u);
    }
    let chunks = (p.k + 31u) / 32u;
    let seg = min(GS, 32u); // elements of one group within a chunk
    var acc: array<f32, 32>; // [QMAX_COLS][QMAX_ROWS]
    // 4-bit or affine 8-bit codes in 16-byte aligned rows: units of QMV_VEC words, each octet of
    // codes taken with vector arithmetic and no per-code indexing.
    let word_path = qmv_word_kernel();
    let units = p.wpr / select(QMV_VEC, qmv_unit_words_n(), qmv_words_n());
    var wbase = vec4<u32>(0u); // first word of each column's stored row
    for (var ci = 0u; ci < QMV_COLS; ci++) {
        wbase[ci] = w_rows[ci] * p.wpr;
        qmv_wrow[ci] = w_rows[ci];
    }
    for (var mi = 0u; mi < QMV_XROWS; mi++) {
        qmv_xrow[mi] = x_rows[mi];
    }
    // Whole steps (QMV_UNROLL units of this lane, all inside the row) first: every load of the
    // step is issued before any is used, from code written out per unit with no `break` and no
    // dynamically indexed array, so the loaded vectors stay in registers; then the lane's last
    // units one at a time.
    let wstep = QMV_LANES * QMV_UNROLL;
    var u0 = select(units, lane, word_path && count > 0u);
    if qmv_words_n() {
        // Affine 2/3/5/6/7-bit: QMV_UNROLL units' loads issued together per step (or, with
        // QMV_PREFETCH, the next unit's loads before the current unit's decode), then the lane's
        // last units one at a time. A thread has few units per row (14336x4096 2-bit, 32 lanes:
        // two), so one unit per step leaves a load's latency between every two units.
        // The same schedule as the Unit4 loop below, written again for UnitN: WGSL has no
        // generics, and one shared unit type would change the register shape of the 4/8-bit word
        // path, whose speed was measured as it is.
        if QMV_PREFETCH != 0u && QMV_UNROLL == 1u && u0 < units {
            var cur = qmv_unit_n_load(wbase, u0);
            for (; u0 < units; u0 += QMV_LANES) {
                let nxt = qmv_unit_n_load(wbase, min(u0 + QMV_LANES, units - 1u));
                qmv_unit_n(u0, cur, count, global_factor);
                cur = nxt;
            }
        }
        for (; u0 + (QMV_UNROLL - 1u) * QMV_LANES < units; u0 += wstep) {
            let wa = qmv_unit_n_load(wbase, u0);
            var wb = wa;
            var wc = wa;
            var wd = wa;
            if QMV_UNROLL > 1u {
                wb = qmv_unit_n_load(wbase, u0 + QMV_LANES);
            }
            if QMV_UNROLL > 2u {
                wc = qmv_unit_n_load(wbase, u0 + 2u * QMV_LANES);
            }
            if QMV_UNROLL > 3u {
                wd = qmv_unit_n_load(wbase, u0 + 3u * QMV_LANES);
            }
            qmv_unit_n(u0, wa, count, global_factor);
            if QMV_UNROLL > 1u {
                qmv_unit_n(u0 + QMV_LANES, wb, count, global_factor);
            }
            if QMV_UNROLL > 2u {
                qmv_unit_n(u0 + 2u * QMV_LANES, wc, count, global_factor);
            }
            if QMV_UNROLL > 3u {
                qmv_unit_n(u0 + 3u * QMV_LANES, wd, count, global_factor);
            }
        }
        for (; u0 < units; u0 += QMV_LANES) {
            qmv_unit_n(u0, qmv_unit_n_load(wbase, u0), count, global_factor);
        }
    }
    if QMV_PREFETCH != 0u && QMV_UNROLL == 1u && u0 < units {
        // Rolling prefetch: the next unit's loads (the last unit again at the row's end, unused)
        // are issued before the current unit is decoded.
        var cur = qmv_unit_load(wbase, u0);
        for (; u0 < units; u0 += QMV_LANES) {
            let nxt = qmv_unit_load(wbase, min(u0 + QMV_LANES, units - 1u));
            qmv_unit(u0, cur, count, global_factor);
            cur = nxt;
        }
    }
    for (; u0 + (QMV_UNROLL - 1u) * QMV_LANES < units; u0 += wstep) {
        let wa = qmv_unit_load(wbase, u0);
        var wb = wa;
        var wc = wa;
        var wd = wa;
        if QMV_UNROLL > 1u {
            wb = qmv_unit_load(wbase, u0 + QMV_LANES);
        }
        if QMV_UNROLL > 2u {
            wc = qmv_unit_load(wbase, u0 + 2u * QMV_LANES);
        }
        if QMV_UNROLL > 3u {
            wd = qmv_unit_load(wbase, u0 + 3u * QMV_LANES);
        }
        qmv_unit(u0, wa, count, global_factor);
        if QMV_UNROLL > 1u {
            qmv_unit(u0 + QMV_LANES, wb, count, global_factor);
        }
        if QMV_UNROLL > 2u {
            qmv_unit(u0 + 2u * QMV_LANES, wc, count, global_factor);
        }
        if QMV_UNROLL > 3u {
            qmv_unit(u0 + 3u * QMV_LANES, wd, count, global_factor);
        }
    }
    for (; u0 < units; u0 += QMV_LANES) {
        qmv_unit(u0, qmv_unit_load(wbase, u0), count, global_factor);
    }
    for (var mi = 0u; mi < QMV_XROWS; mi++) {
        for (var ci = 0u; ci < QMV_COLS; ci++) {
            acc[ci * QMAX_ROWS + mi] = qacc[mi][ci];
        }
    }
    let first = select(chunks, lane, count > 0u);
    let gen_unroll = min(QMV_UNROLL, 2u); // chunks per thread and column in flight (wbuf holds 2)
    let step = QMV_LANES * gen_unroll;
    // Any other width or alignment: code by code.
    for (var c0 = select(first, chunks, word_path); c0 < chunks; c0 += step) {
        // Every load of the step first, so they are in flight together.
        for (var u = 0u; u < gen_unroll; u++) {
            let c = min(c0 + u * QMV_LANES, chunks - 1u);
            for (var ci = 0u; ci < QMV_COLS; ci++) {
                qmv_load(w_rows[ci], c, (u * QMAX_COLS + ci) * 8u);
            }
        }
        for (var u = 0u; u < gen_unroll; u++) {
            let c = c0 + u * QMV_LANES;
            if c >= chunks {
                break;
            }
            for (var s0 = 0u; s0 < 32u; s0 += seg) {
                let j0 = c * 32u + s0;
                if j0 >= p.k {
                    break;
                }
                var ab: array<vec2<f32>, 4>;
                for (var ci = 0u; ci < QMV_COLS; ci++) {
                    ab[ci] = qmv_group(w_rows[ci], j0, global_factor);
                }
                var dots: array<f32, 32>; // [QMAX_COLS][QMAX_ROWS]
                var sx: array<f32, 8>;
                for (var e8 = 0u; e8 < seg; e8 += 8u) {
                    var wf: array<f32, 32>; // [QMAX_COLS][8]
                    for (var ci = 0u; ci < QMV_COLS; ci++) {
                        for (var e = 0u; e < 8u; e++) {
                            wf[ci * 8u + e] = qmv_weight((u * QMAX_COLS + ci) * 8u, s0 + e8 + e);
                        }
                    }
                    for (var mi = 0u; mi < QMV_XROWS; mi++) {
                        if mi < count {
                            qmv_x8(x_rows[mi], j0 + e8);
                            if MODE == MODE_AFFINE {
                                sx[mi] += ((xv[0] + xv[1]) + (xv[2] + xv[3])) + ((xv[4] + xv[5]) + (xv[6] + xv[7]));
                            }
                            for (var ci = 0u; ci < QMV_COLS; ci++) {
                                var d = dots[ci * QMAX_ROWS + mi];
                                for (var e = 0u; e < 8u; e++) {
                                    d += xv[e] * wf[ci * 8u + e];
                                }
                                dots[ci * QMAX_ROWS + mi] = d;
                            }
                        }
                    }
                }
                for (var mi = 0u; mi < QMV_XROWS; mi++) {
                    for (var ci = 0u; ci < QMV_COLS; ci++) {
                        acc[ci * QMAX_ROWS + mi] += ab[ci].x * dots[ci * QMAX_ROWS + mi] + ab[ci].y * sx[mi];
                    }
                }
            }
        }
    }
    if QMV_REDUCE == 1u {
        qmv_reduce_flat(lid, lane, col0, count, tile.y, &acc);
        return;
    }
    // The team's sums: a tree over its lanes in workgroup memory, one x row at a time.
    for (var mi = 0u; mi < QMV_XROWS; mi++) {
        for (var ci = 0u; ci < QMV_COLS; ci++) {
            red[ci * QMV_WG + lid] = acc[ci * QMAX_ROWS + mi];
        }
        workgroupBarrier();
        for (var stride = QMV_LANES / 2u; stride > 0u; stride >>= 1u) {
            if lane < stride {
                for (var ci = 0u; ci < QMV_COLS; ci++) {
                    red[ci * QMV_WG + lid] += red[ci * QMV_WG + lid + stride];
                }
            }
            workgroupBarrier();
        }
        if lane == 0u && mi < count {
            let o = qmv_row(tile.y, mi).y * p.n;
            if QMV_OUT16 != 0u {
                for (var ci = 0u; ci < QMV_COLS; ci += 2u) {
                    if col0 + ci < p.n {
                        let lo = float_to_bits(red[ci * QMV_WG + lid], XDT);
                        let hi = float_to_bits(red[(ci + 1u) * QMV_WG + lid], XDT);
                        out[(o + col0 + ci) >> 1u] = lo | (hi << 16u);
                    }
                }
            } else {
                for (var ci = 0u; ci < QMV_COLS; ci++) {
                    if col0 + ci < p.n {
                        out[o + col0 + ci] = bitcast<u32>(red[ci * QMV_WG + lid]);
                    }
                }
            }
        }
        workgroupBarrier();
    }
}

// QMV_REDUCE = 1: every lane stores its sums of all x rows, one barrier, then thread `lane` of the
// team adds up one (column, x row) pair per pass over the team's lanes and writes it (f32 output)
// or, for 16-bit outputs, one pair of columns.
fn qmv_reduce_flat(lid: u32, lane: u32, col0: u32, count: u32, tile_row: u32, acc: ptr<function, array<f32, 32>>) {
    let rows_here = min(QMV_XROWS, 1024u / (QMV_COLS * QMV_WG)); // x rows red holds at once
    let team0 = lid - lane;
    for (var m0 = 0u; m0 < QMV_XROWS; m0 += rows_here) {
        for (var r = 0u; r < rows_here; r++) {
            let mi = min(m0 + r, QMV_XROWS - 1u); // a row past the last is stored, never written out
            for (var ci = 0u; ci < QMV_COLS; ci++) {
                red[(r * QMV_COLS + ci) * QMV_WG + lid] = (*acc)[ci * QMAX_ROWS + mi];
            }
        }
        workgroupBarrier();
        let per = select(1u, 2u, QMV_OUT16 != 0u); // columns per thread
        let jobs = rows_here * QMV_COLS / per;
        for (var job = lane; job < jobs; job += QMV_LANES) {
            let r = job / (QMV_COLS / per);
            let ci = (job % (QMV_COLS / per)) * per;
            let mi = m0 + r;
            var s0 = 0.0;
            var s1 = 0.0;
            let b0 = (r * QMV_COLS + ci) * QMV_WG + team0;
            for (var l = 0u; l < QMV_LANES; l++) {
                s0 += red[b0 + l];
                if per == 2u {
                    s1 += red[b0 + QMV_WG + l];
                }
            }
            if mi < count && col0 + ci < p.n {
                let o = qmv_row(tile_row, mi).y * p.n;
                if per == 2u {
                    out[(o + col0 + ci) >> 1u] = float_to_bits(s0, XDT) | (float_to_bits(s1, XDT) << 16u);
                } else {
                    out[o + col0 + ci] = bitcast<u32>(s0);
                }
            }
        }
        workgroupBarrier();
    }
}
