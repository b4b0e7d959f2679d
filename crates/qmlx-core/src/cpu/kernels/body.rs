//! Kernel bodies, generic over the instruction set and instantiated per bit width by
//! `#[target_feature]` entry points in `mod.rs`.

use super::isa::Isa;
use super::layout::{kind, CHUNK};

/// One call of [`dot_rows`]: `NR` stored rows of Ŵ against `MR` rows of x (transpose=True).
pub(crate) struct DotArgs {
    /// Reduction length (a multiple of 32 and of `gs`).
    pub k: usize,
    /// Group size.
    pub gs: usize,
    /// First x row (f32); rows `x_stride` apart.
    pub x: *const f32,
    pub x_stride: usize,
    /// Affine only: per-group sums of each x row, rows `xsum_stride` apart.
    pub xsum: *const f32,
    pub xsum_stride: usize,
    /// First weight row; rows `w_stride` words apart.
    pub w: *const u32,
    pub w_stride: usize,
    /// Per-group f32 scales (fp modes: decoded, times the nvfp4 global factor) and affine
    /// biases of each weight row, rows `s_stride` apart.
    pub scales: *const f32,
    pub biases: *const f32,
    pub s_stride: usize,
    /// Integer dots only ([`dot_rows_int`]; null otherwise): x as int8 limbs with their
    /// factors ([`split_x_limbs`]), rows `xl_stride` bytes apart.
    pub xl: *const i8,
    pub xl_stride: usize,
}

/// `[e(0), e(1), …, e(N-1)]` for an expression `e` of index `i`, written out in place: closures
/// in kernels are separate functions that do not inherit `#[target_feature]`, and LLVM sometimes
/// left them (and the intrinsics in them) as calls, passing vectors through memory (measured
/// 2× slower, depending on how the crate was split into codegen units).
macro_rules! each {
    ($i:ident < $n:expr => $e:expr) => {{
        let mut r = {
            let $i = 0usize;
            [$e; $n]
        };
        let mut $i = 1usize;
        while $i < $n {
            r[$i] = $e;
            $i += 1;
        }
        r
    }};
}

/// How far ahead of the loads the row-dot kernel prefetches weight rows with M>1 (u32 words).
const PREFETCH_WORDS: usize = 256;

/// The prefetch for the 64-byte line of codes at u32 offset `word` of each of the `NR` rows: M=1
/// the same line of the rows `ahead` words further ([`prefetch_next_rows`], 8-23 % faster than a
/// fixed distance); with M>1 the blocks of M revisit a row tile, and `PREFETCH_WORDS` ahead in
/// the same rows measured better (cpu-2026-11-26-stage2.md).
#[inline(always)]
unsafe fn prefetch_line<I: Isa, const NR: usize, const MR: usize>(w: *const u32, w_stride: usize, ahead: usize, word: usize) {
    if MR == 1 {
        prefetch_next_rows::<I, NR>(w, w_stride, ahead, word / 16);
    } else {
        for n in 0..NR {
            I::prefetch(w.wrapping_add(n * w_stride + word + PREFETCH_WORDS));
        }
    }
}

/// Bytes of rows the M=1 prefetch runs ahead of the loads, at least: the rows of the next calls
/// of `NR` rows, as many calls as it takes (up to 4). One call ahead (4 rows) was 4 KB for
/// affine 2-bit and 6 KB for 3-bit at K = 4096: too close in the faster memory state, where the
/// 2/3-bit integer dots ran at 68-79 % of the read probe. With 16 KB (2-bit 4 calls, 3-bit 2, 4-bit
/// 2; 8-bit and mxfp8 1 as before) 4096×4096 M=1 from memory, 3 alternating rounds: affine2g64
/// bf16 x 96.2-99.9 → 84.7-88.9 µs, f32 x 121.4-130.4 → 106.7-109.2; 32 KB was slower for 2-bit
/// f32 x (115.0-118.4 µs) (bench/results/cpu-2026-11-27-stage8-experiments.md).
const PREFETCH_AHEAD_BYTES: usize = 16384;

/// The `ahead` of [`prefetch_line`] for `NR`-row calls over rows `w_stride` words apart: the
/// words from a row to the same row of the call [`PREFETCH_AHEAD_BYTES`] ahead (once per call).
#[inline(always)]
fn prefetch_ahead<const NR: usize>(w_stride: usize) -> usize {
    let calls = (PREFETCH_AHEAD_BYTES / (4 * NR * w_stride.max(1))).clamp(1, 4);
    calls * NR * w_stride
}

/// M=1 prefetch, called once per 64-byte line `line` of each row: the same line of each of the
/// `NR` rows `ahead` words further (rows are stored back to back and the next call takes the
/// next `NR`). Stage 5 also tried the next call's rows in address order (one contiguous prefetch
/// stream): the kernel's walk with no compute streamed better that way (86–104 % of a one-call read
/// probe vs 68–83 %), but the kernel itself gained (up to 8.5 %) only while the host's memory was
/// in its slower state, and took 3–13 % longer in 15 of 16 A/Bs in the faster one, so this stays
/// (bench/results/cpu-2026-11-27-stage5-notes.md). Prefetches never fault past the end of w.
/// Into the L2 only (x86 T1): on the Zen 4 host of sessions 10-13, T0 (into L1) took 3-19 % longer
/// at M=1 transpose=True for every mode, batches of the two hints alternated in one process; the
/// distance (8-64 KB) mattered less (bench/results/cpu-2026-11-28-stage11-notes.md).
#[inline(always)]
unsafe fn prefetch_next_rows<I: Isa, const NR: usize>(w: *const u32, w_stride: usize, ahead: usize, line: usize) {
    for n in 0..NR {
        I::prefetch_l2(w.wrapping_add(ahead + n * w_stride + line * 16));
    }
}

/// `out[n][m] = Σ_k x[m][k] · Ŵ[n][k]`.
///
/// Group sizes ≥ 32 use MLX's factorisation per group, `scale·Σ(x·q) + bias·Σx` (no bias for fp
/// modes, whose E8M0 scales make the scaling exact): one FMA per element, a vector accumulator
/// per group (≤ 8 terms per lane before scaling, so the factorised form adds no visible error),
/// the bias part in f64. nvfp4 (groups of 16) folds the scale into the decoded value
/// (`value·scale`, the exact stored weight) and accumulates the whole row.
#[inline(always)]
#[allow(clippy::needless_range_loop)] // indices into several const-size register arrays at once
pub(crate) unsafe fn dot_rows<I: Isa, const B: u32, const KIND: u8, const NR: usize, const MR: usize>(
    a: &DotArgs,
    out: &mut [[f32; MR]; NR],
) {
    let pf = prefetch_ahead::<NR>(a.w_stride);
    if a.gs >= CHUNK {
        let cpg = a.gs / CHUNK;
        let mut tot = [[I::zero(); MR]; NR];
        let mut bsum = [[0f64; MR]; NR];
        for g in 0..a.k / a.gs {
            let mut acc = [[I::zero(); MR]; NR];
            for c in g * cpg..(g + 1) * cpg {
                if c % (16 / B as usize).max(1) == 0 {
                    // About one prefetch per 64-byte line of codes.
                    prefetch_line::<I, NR, MR>(a.w, a.w_stride, pf, c * B as usize);
                }
                let words: [I::W; NR] = each!(n < NR => I::load_words::<B>(a.w.add(n * a.w_stride + c * B as usize)));
                for p in 0..I::PARTS {
                    let xs: [I::V; MR] = each!(m < MR => I::load(a.x.add(m * a.x_stride + c * CHUNK + p * I::LANES)));
                    for n in 0..NR {
                        let q = I::values::<B, KIND>(words[n], p, 1.0);
                        for m in 0..MR {
                            acc[n][m] = I::fma(xs[m], q, acc[n][m]);
                        }
                    }
                }
            }
            for n in 0..NR {
                let s = I::splat(*a.scales.add(n * a.s_stride + g));
                for m in 0..MR {
                    tot[n][m] = I::fma(s, acc[n][m], tot[n][m]);
                }
                if KIND == kind::UINT {
                    let b = *a.biases.add(n * a.s_stride + g) as f64;
                    for m in 0..MR {
                        bsum[n][m] += b * *a.xsum.add(m * a.xsum_stride + g) as f64;
                    }
                }
            }
        }
        for n in 0..NR {
            for m in 0..MR {
                out[n][m] = (I::hsum(tot[n][m]) as f64 + bsum[n][m]) as f32;
            }
        }
    } else {
        let mut acc = [[I::zero(); MR]; NR];
        for c in 0..a.k / CHUNK {
            let words: [I::W; NR] = each!(n < NR => I::load_words::<B>(a.w.add(n * a.w_stride + c * B as usize)));
            for p in 0..I::PARTS {
                let g = (c * CHUNK + p * I::LANES) / a.gs;
                let xs: [I::V; MR] = each!(m < MR => I::load(a.x.add(m * a.x_stride + c * CHUNK + p * I::LANES)));
                for n in 0..NR {
                    let s = *a.scales.add(n * a.s_stride + g);
                    let v = I::values::<B, KIND>(words[n], p, s);
                    for m in 0..MR {
                        acc[n][m] = I::fma(xs[m], v, acc[n][m]);
                    }
                }
            }
        }
        for n in 0..NR {
            for m in 0..MR {
                out[n][m] = I::hsum(acc[n][m]);
            }
        }
    }
}

/// 4-bit codes per *nibble block*: `I::LANES` words (8·LANES codes, 128 with AVX-512) with lane
/// `i` holding word `i` and vector `j` its nibble `j`, i.e. codes `8i + j` of the block.
pub(crate) const fn nibble_block_codes(lanes: usize) -> usize {
    8 * lanes
}

/// [`dot_rows`] for 4-bit codes (affine 4-bit, mxfp4, nvfp4) on instruction sets with
/// [`Isa::nibble_values`] (AVX-512): per 16 codes one shift and one 16-entry table lookup (`vpermps`,
/// which reads only the index's low 4 bits, so no mask and no int→float conversion) and one FMA.
/// `x` must be permuted per block as [`permute_x_nibble_blocks`] does; chunks after the last
/// whole block (K not a multiple of the block) run through [`dot_rows`] with x as is.
///
/// Each lane's codes lie in one group (groups are ≥ 16 codes, lanes hold 8), so a block's
/// products are scaled by a vector of per-lane scales, ≤ 8 terms per lane before scaling as in
/// [`dot_rows`]. Affine codes enter centred (`q − uint_int_offset(4)`): the f32 sums
/// `Σ s·(q − 8)·x` are several times smaller than `Σ s·q·x` for weights centred in their
/// groups, and so is their rounding (f32 x with a large common mean, M=4: error 3.3e-6 → 4.7e-7
/// of max|y|, bench/results/cpu-2026-11-26-stage4-accuracy.md). The bias part
/// `Σ_g (bias_g + 8·scale_g)·Σx_g` is one f64 dot per row at the end.
#[inline(always)]
pub(crate) unsafe fn dot_rows_nibbles<I: Isa, const KIND: u8, const NR: usize, const MR: usize>(
    a: &DotArgs,
    out: &mut [[f32; MR]; NR],
) {
    let pf = prefetch_ahead::<NR>(a.w_stride);
    let bc = nibble_block_codes(I::LANES);
    let blocks = a.k / bc;
    let table = I::nibble_table::<KIND>();
    // Groups (16..=128 codes) starting in each block.
    debug_assert!(a.gs <= bc && bc % a.gs == 0);
    let gpb = bc / a.gs;
    // Two accumulators per (row, x row) when there are too few to hide the FMA latency.
    let split = if NR * MR < 8 { 1 } else { 0 };
    let mut tot = [[I::zero(); MR]; NR];
    for b in 0..blocks {
        // One prefetch per 64-byte line of codes (see `dot_rows` for the distances).
        for l in (0..I::LANES).step_by(16) {
            prefetch_line::<I, NR, MR>(a.w, a.w_stride, pf, b * I::LANES + l);
        }
        let words: [I::W; NR] = each!(n < NR => I::load_block(a.w.add(n * a.w_stride + b * I::LANES)));
        if MR > 2 {
            // Four x rows: values scaled first (one multiply per vector of codes, shared by
            // the MR FMAs), so one accumulator per (row, x row) instead of two; the
            // accumulator pairs spilled registers (1.3× slower at M=4; two x rows keep them).
            let s: [I::V; NR] = each!(n < NR => I::lane_scales(a.scales.add(n * a.s_stride + b * gpb), gpb));
            for j in 0..8 {
                let xs: [I::V; MR] = each!(m < MR => I::load(a.x.add(m * a.x_stride + b * bc + j * I::LANES)));
                for n in 0..NR {
                    let q = I::mul(I::nibble_values(words[n], j as u32, table), s[n]);
                    for m in 0..MR {
                        tot[n][m] = I::fma(xs[m], q, tot[n][m]);
                    }
                }
            }
            continue;
        }
        let mut acc = [[[I::zero(); 2]; MR]; NR];
        for j in 0..8 {
            let xs: [I::V; MR] = each!(m < MR => I::load(a.x.add(m * a.x_stride + b * bc + j * I::LANES)));
            for n in 0..NR {
                let q = I::nibble_values(words[n], j as u32, table);
                for m in 0..MR {
                    acc[n][m][j & split] = I::fma(xs[m], q, acc[n][m][j & split]);
                }
            }
        }
        for n in 0..NR {
            let s = I::lane_scales(a.scales.add(n * a.s_stride + b * gpb), gpb);
            for m in 0..MR {
                let blk = if split == 1 { I::add(acc[n][m][0], acc[n][m][1]) } else { acc[n][m][0] };
                tot[n][m] = I::fma(s, blk, tot[n][m]);
            }
        }
    }
    finish_block_rows::<I, 4, KIND, NR, MR>(a, &tot, blocks * bc, out);
}

/// The end of the block kernels ([`dot_rows_nibbles`], [`dot_rows_int`]): each row's vector
/// sums over its first `done` codes (whole blocks) plus, for affine codes (centred: `q − o` with
/// `o = uint_int_offset(B)`), the bias part `Σ_g (b_g + o·s_g)·Σx_g` as one f64 dot; the codes
/// after `done` (K not a multiple of the block) run through [`dot_rows`] and are added.
#[inline(always)]
unsafe fn finish_block_rows<I: Isa, const B: u32, const KIND: u8, const NR: usize, const MR: usize>(
    a: &DotArgs,
    tot: &[[I::V; MR]; NR],
    done: usize,
    out: &mut [[f32; MR]; NR],
) {
    let done_groups = done / a.gs;
    let bias = if KIND == kind::UINT {
        I::dot2_f64::<NR, MR>(a.biases, a.scales, a.s_stride, uint_int_offset(B) as f64, a.xsum, a.xsum_stride, done_groups)
    } else {
        [[0.0; MR]; NR]
    };
    for n in 0..NR {
        for m in 0..MR {
            out[n][m] = (I::hsum(tot[n][m]) as f64 + bias[n][m]) as f32;
        }
    }
    if done < a.k {
        let tail = DotArgs {
            k: a.k - done,
            x: a.x.add(done),
            xsum: if KIND == kind::UINT { a.xsum.add(done_groups) } else { a.xsum },
            w: a.w.add(done * B as usize / 32),
            scales: a.scales.add(done_groups),
            biases: if KIND == kind::UINT { a.biases.add(done_groups) } else { a.biases },
            ..*a
        };
        let mut rest = [[0f32; MR]; NR];
        dot_rows::<I, B, KIND, NR, MR>(&tail, &mut rest);
        for n in 0..NR {
            for m in 0..MR {
                out[n][m] += rest[n][m];
            }
        }
    }
}

/// Elements of x per record of int8 limbs ([`split_x_limbs`]), and codes per step of
/// [`dot_rows_int`] (`16·B` bytes of `B`-bit codes).
pub(crate) const INT_SPAN: usize = 128;

/// Bytes per [`INT_SPAN`] elements of x split into `limbs` limbs: the limbs, 16 f32 lane
/// factors, 16 i32 accumulator start values (64-byte aligned pieces).
pub(crate) const fn int_record_bytes(limbs: usize) -> usize {
    limbs * INT_SPAN + 128
}

/// [`dot_rows`] with integer dot products (AVX-512 VNNI `vpdpbusd`: 64 u8 × i8 products per
/// instruction, exact i32 sums) for 4-bit codes (affine 4-bit, mxfp4, nvfp4) and affine 2- and
/// 3-bit codes (`B`; these unpack with VBMI byte permutes, see [`Isa::int_codes`]).
///
/// x comes split into `LIMBS` int8 limbs ([`split_x_limbs`]): per block of 8 elements
/// `x ≈ 2^-e·(l₀ + l₁/2^8 + l₂/2^16)`, so the block's `Σ q·x` is `2^-e·2^-8(LIMBS-1)` times an
/// exact integer. Per 128 codes and row: [`Isa::int_codes`] turns the `16·B` bytes into the
/// even and the odd codes as u8 (4-bit: an and, a shift and an and; fp4: `2·value + 12` by one
/// byte shuffle each, or with VBMI a `vpermb` and a shift + `vpermb`), two `vpdpbusd` per limb, the limb sums joined in i32 (wrapping; the
/// joined sums fit: 8 codes per lane, `Σ |q − o|·|J| < 2^30` for `B` ≤ 4), one conversion
/// and one FMA with the per-lane group scale times the lane's x factor. I32 lane `i` sums codes `8i..8i+8`, which lie in one group and one x block.
/// The last limb's accumulators start at `−offset·Σ joined limbs` (from the split), so the
/// sums are exactly `Σ (q − o)·x̃` (affine, `o = uint_int_offset(B)`: centred codes, so the
/// f32 sums, and their rounding, are several times smaller than `Σ q·x̃` for weights centred
/// in their groups) or `Σ 2·value·x̃` (fp4). Affine bias: `Σ_g (b_g + o·s_g)·Σx̃_g` in f64 (the
/// caller's sums of the x the limbs carry). K after the last whole span runs through
/// [`dot_rows`] with the f32 x (`a.x`).
#[inline(always)]
#[allow(clippy::needless_range_loop)] // indices into several const-size register arrays at once
pub(crate) unsafe fn dot_rows_int<I: Isa, const B: u32, const KIND: u8, const SC: u8, const LIMBS: usize, const NR: usize, const MR: usize, const VBMI: bool>(
    a: &DotArgs,
    out: &mut [[f32; MR]; NR],
) {
    let pf = prefetch_ahead::<NR>(a.w_stride);
    if int_steps(B) {
        return dot_rows_int2::<I, B, SC, LIMBS, NR, MR>(a, out);
    }
    // Words and bytes of codes per span.
    let span_words = INT_SPAN * B as usize / 32;
    let span_bytes = 4 * span_words;
    // NR·MR·LIMBS i32 accumulators: 24 (3-bit, f32 x, M blocks of 2 and 4) still measured
    // faster than the f32 kernels (stage 6); 4-bit f32 x keeps M > 1 on its nibble blocks.
    debug_assert!(NR * MR * LIMBS <= 24, "i32 accumulators beyond the 32 registers");
    let rec = int_record_bytes(LIMBS);
    let spans = a.k / INT_SPAN;
    debug_assert!(a.gs <= INT_SPAN && INT_SPAN % a.gs == 0);
    let gpb = INT_SPAN / a.gs;
    let mut tot = [[I::zero(); MR]; NR];
    for b in 0..spans {
        // One prefetch per 64-byte line of codes (see `dot_rows` for the distances): the lines
        // (of a row) that start inside this span.
        for line in (b * span_bytes).div_ceil(64)..((b + 1) * span_bytes).div_ceil(64) {
            prefetch_line::<I, NR, MR>(a.w, a.w_stride, pf, line * 16);
        }
        let xr: [*const i8; MR] = each!(m < MR => a.xl.add(m * a.xl_stride + b * rec));
        let mut acc = int_acc_start::<I, LIMBS, NR, MR>(&xr, LIMBS * INT_SPAN + 64);
        // One half (even / odd codes) of every row at a time: NR code vectors live instead of
        // 2·NR (the other half's unpacking is dead code here and the load an L1 hit).
        for h in 0..2 {
            let codes: [I::W; NR] = each!(n < NR => I::int_codes::<B, KIND, VBMI>(a.w.add(n * a.w_stride + b * span_words))[h]);
            for l in 0..LIMBS {
                for m in 0..MR {
                    let xp = xr[m].add(l * INT_SPAN + h * (INT_SPAN / 2));
                    for n in 0..NR {
                        acc[n][m][l] = I::dot_u8_i8(acc[n][m][l], codes[n], xp);
                    }
                }
            }
        }
        int_fold_span::<I, SC, LIMBS, NR, MR>(a, &acc, b * gpb, gpb, &xr, LIMBS * INT_SPAN, &mut tot);
    }
    if SC == scale_kind::F32 {
        finish_block_rows::<I, B, KIND, NR, MR>(a, &tot, spans * INT_SPAN, out);
        return;
    }
    // 16-bit scales and biases: K is whole spans (the caller's condition), affine codes.
    debug_assert!(spans * INT_SPAN == a.k && KIND == kind::UINT);
    int_finish_u16::<I, B, SC, NR, MR>(a, &tot, out);
}

/// The i32 accumulators of one span (step) of the integer dots: zero, but every row's last limb
/// starts at the x record's start value (byte `start` of each record: `−offset·Σ joined limbs`).
#[inline(always)]
#[allow(clippy::needless_range_loop)]
unsafe fn int_acc_start<I: Isa, const LIMBS: usize, const NR: usize, const MR: usize>(xr: &[*const i8; MR], start: usize) -> [[[I::W; LIMBS]; MR]; NR] {
    let mut acc = [[[I::int_zero(); LIMBS]; MR]; NR];
    for m in 0..MR {
        let v = I::int_load(xr[m].add(start));
        for n in 0..NR {
            acc[n][m][LIMBS - 1] = v;
        }
    }
    acc
}

/// Folds one span's (step's) limb accumulators into the f32 totals: limbs joined and converted,
/// times the per-lane group scales (row n's from scale index `first_scale`, `gpb` groups; f32 or
/// 16-bit as stored, `SC`) and the x record's lane factors (byte `factors` of each record).
#[inline(always)]
#[allow(clippy::needless_range_loop, clippy::too_many_arguments)]
unsafe fn int_fold_span<I: Isa, const SC: u8, const LIMBS: usize, const NR: usize, const MR: usize>(
    a: &DotArgs,
    acc: &[[[I::W; LIMBS]; MR]; NR],
    first_scale: usize,
    gpb: usize,
    xr: &[*const i8; MR],
    factors: usize,
    tot: &mut [[I::V; MR]; NR],
) {
    for n in 0..NR {
        let s = if SC == scale_kind::F32 {
            I::lane_scales(a.scales.add(n * a.s_stride + first_scale), gpb)
        } else {
            I::lane_scales_u16::<SC>((a.scales as *const u16).add(n * a.s_stride + first_scale), gpb)
        };
        for m in 0..MR {
            let mut j = acc[n][m][0];
            for l in 1..LIMBS {
                j = I::int_join_limbs(j, acc[n][m][l]);
            }
            let f = I::mul(s, I::load(xr[m].add(factors) as *const f32));
            tot[n][m] = I::fma(I::int_to_f32(j), f, tot[n][m]);
        }
    }
}

/// The rows' results of the integer dots with 16-bit scales and biases (K whole spans): the f32
/// totals plus the affine bias term `Σ_g (b_g + o·s_g)·Σx̃_g` in f64.
#[inline(always)]
#[allow(clippy::needless_range_loop)]
unsafe fn int_finish_u16<I: Isa, const B: u32, const SC: u8, const NR: usize, const MR: usize>(a: &DotArgs, tot: &[[I::V; MR]; NR], out: &mut [[f32; MR]; NR]) {
    let (b, s) = (a.biases as *const u16, a.scales as *const u16);
    let bias = I::dot2_f64_u16::<SC, NR, MR>(b, s, a.s_stride, uint_int_offset(B) as f64, a.xsum, a.xsum_stride, a.k / a.gs);
    for n in 0..NR {
        for m in 0..MR {
            out[n][m] = (I::hsum(tot[n][m]) as f64 + bias[n][m]) as f32;
        }
    }
}

/// How [`dot_rows_int`] reads the affine scales and biases (`DotArgs::scales`/`biases`): f32,
/// or bf16/f16 as stored (the pointers then point at u16 bits), converted per span in registers
/// instead of per row tile into a buffer (which took ~15 % of the ops of a bf16 M=1 call).
pub(crate) mod scale_kind {
    pub const F32: u8 = 0;
    pub const BF16: u8 = 1;
    pub const F16: u8 = 2;
}

/// fp4 codes enter the integer dots as `2·value + FP4_INT_OFFSET` (u8).
pub(crate) const FP4_INT_OFFSET: i32 = 12;
/// Affine `bits`-bit codes count in the integer dots (and 4-bit ones in the nibble blocks) as
/// `q − uint_int_offset(bits)`, centred in their range.
pub(crate) const fn uint_int_offset(bits: u32) -> i32 {
    1 << (bits - 1)
}

/// Splits the whole [`INT_SPAN`]-element spans of the row `x` into `limbs` int8 limbs for
/// [`dot_rows_int`]: per span a record of [`int_record_bytes`] at `out` (64-byte aligned).
///
/// Per block of 8 elements (one i32 lane of the dots), `e` is the largest integer with
/// `max|x|·2^e ≤ 126`; `J = round(x·2^e·2^8(limbs-1))` (|J| < 2^24, exact in f32) is written in
/// signed base-256 digits, low digits in [-128, 127], the top one in [-127, 127]. J carries
/// `x·2^e` to within `2^-8(limbs-1)/2`, i.e. relative to the block's max|x| (≥ 63·2^-e):
/// ≤ 2^-15 with 2 limbs, ≤ 2^-23 with 3 (blocks of 8, not the 128 of a span: an outlier
/// costs precision to 7 neighbours only). The lane factors are `factor·2^-e·2^-8(limbs-1)`,
/// the accumulator start values `−offset·ΣJ` per block (see [`dot_rows_int`]; fp4: factor 1/2
/// and [`FP4_INT_OFFSET`], affine: 1 and [`uint_int_offset`]). `xsum` gets the
/// per-group (`gs`) sums of x̃, the value the limbs carry, for the affine bias term: with Σx̃
/// the bias term cancels the codes' share of the limb error exactly, leaving `Σ w·(x̃ − x)`
/// (with Σx the error scaled with the codes 0..15, not the weights: 2-3× larger with f32 x,
/// see the stage-4 notes).
///
/// Returns false (nothing usable) if x holds a non-finite value or a block whose max|x| is
/// nonzero but below 2^-100 (its factor would leave the normal range): the caller then takes
/// the float path.
#[inline(always)]
pub(crate) unsafe fn split_x_limbs<I: Isa>(x: &[f32], limbs: usize, (factor, offset): (f32, i32), gs: usize, out: &mut [i8], xsum: &mut [f32]) -> bool {
    let spans = x.len() / INT_SPAN;
    let rec = int_record_bytes(limbs);
    debug_assert!(out.len() >= spans * rec && xsum.len() >= spans * INT_SPAN / gs && (1..=3).contains(&limbs));
    let mut bsum = [0f64; INT_SPAN / 8];
    for s in 0..spans {
        if !I::int_split_span(x.as_ptr().add(s * INT_SPAN), limbs, factor, offset, out.as_mut_ptr().add(s * rec), bsum.as_mut_ptr()) {
            return false;
        }
        for (g, blocks) in bsum.chunks(gs / 8).enumerate() {
            xsum[s * (INT_SPAN / gs) + g] = blocks.iter().sum::<f64>() as f32;
        }
    }
    true
}

/// Bytes of x per [`INT_SPAN`] elements for [`dot_rows_fp8_bf16`]: `limbs` bf16 terms of each.
pub(crate) const fn bf16_record_bytes(limbs: usize) -> usize {
    limbs * INT_SPAN * 2
}

/// [`dot_rows`] for mxfp8 (E4M3 codes, groups of 32) with AVX512-BF16 `vdpbf16ps` (two
/// products per f32 lane and instruction): per 64 codes and row, the codes become bf16 exactly
/// ([`avx512_e4m3_bf16`]: 5 operations), `2·LIMBS` dots against x as `LIMBS` bf16 terms
/// ([`split_x_bf16`]: bf16 x 1 term, f16 x 2, each exact; f32 x takes [`dot_rows_fp8_f32`]), smallest terms first, and one
/// FMA with the two groups' E8M0 scales (lanes 0-7 hold group 0's codes, 8-15 group 1's). The
/// products are exact in f32 and summed in f32 as the f32 kernels do; `vdpbf16ps` flushes
/// denormal inputs, products and sums to zero, so callers only split x whose max|x| is ≥ 2^-60
/// (terms lost then are < 2^-126, below 2^-66 of the largest x). K after the last whole span
/// runs through [`dot_rows`] with the f32 x (`a.x`).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
#[allow(clippy::needless_range_loop)] // indices into several const-size register arrays at once
pub(crate) unsafe fn dot_rows_fp8_bf16<const LIMBS: usize, const NR: usize, const MR: usize>(a: &DotArgs, out: &mut [[f32; MR]; NR]) {
    let pf = prefetch_ahead::<NR>(a.w_stride);
    use super::isa::{avx512_e4m3_bf16, avx512_e4m3_bf16_tables, Avx512};
    use std::arch::x86_64::*;
    debug_assert!(a.gs == 32);
    let rec = bf16_record_bytes(LIMBS);
    let spans = a.k / INT_SPAN;
    let t = avx512_e4m3_bf16_tables();
    let mut tot = [[_mm512_setzero_ps(); MR]; NR];
    for s in 0..spans {
        // The span's 2 lines of codes per row (see `dot_rows` for the distances).
        for line in 2 * s..2 * s + 2 {
            prefetch_line::<Avx512, NR, MR>(a.w, a.w_stride, pf, line * 16);
        }
        for h in 0..2 {
            let codes: [__m512i; NR] = each!(n < NR => _mm512_loadu_si512(a.w.add(n * a.w_stride + s * 32 + h * 16) as *const __m512i));
            for n in 0..NR {
                let q = avx512_e4m3_bf16(codes[n], &t);
                let sc = Avx512::lane_scales(a.scales.add(n * a.s_stride + s * 4 + h * 2), 2);
                for m in 0..MR {
                    // Record: limb l, half h, vector v at l·256 + h·128 + v·64 bytes.
                    let xr = a.xl.add(m * a.xl_stride + s * rec + h * 128) as *const __m512i;
                    let mut acc = _mm512_setzero_ps();
                    for l in (0..LIMBS).rev() {
                        for v in 0..2 {
                            let xv = _mm512_load_si512(xr.add(l * 4 + v));
                            acc = _mm512_dpbf16_ps(acc, std::mem::transmute::<__m512i, __m512bh>(q[v]), std::mem::transmute::<__m512i, __m512bh>(xv));
                        }
                    }
                    tot[n][m] = _mm512_fmadd_ps(acc, sc, tot[n][m]);
                }
            }
        }
    }
    finish_block_rows::<Avx512, 8, { kind::FP8 }, NR, MR>(a, &tot, spans * INT_SPAN, out);
}

/// [`dot_rows_fp8_bf16`] for f32 x: the codes made bf16 the same way, then widened to f32 by one
/// interleave with zero per 16 codes (bf16 is f32's upper half) and multiplied with f32 FMAs
/// against x as is, permuted once per call into that order ([`permute_x_fp8_f32`]): 4 FMAs and
/// 4 interleaves per 64 codes and row where 3 exact bf16 terms of x took 6 `vdpbf16ps` (in L2
/// 1024×4096 57.4–57.8 → 50.8–51.4 µs, stage 6b). No denormal flushing: any x.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
#[allow(clippy::needless_range_loop)]
pub(crate) unsafe fn dot_rows_fp8_f32<const NR: usize, const MR: usize>(a: &DotArgs, out: &mut [[f32; MR]; NR]) {
    let pf = prefetch_ahead::<NR>(a.w_stride);
    use super::isa::{avx512_e4m3_bf16, avx512_e4m3_bf16_tables, Avx512};
    use std::arch::x86_64::*;
    let rec = FP8_F32_RECORD_BYTES;
    let spans = a.k / INT_SPAN;
    let t = avx512_e4m3_bf16_tables();
    let z = _mm512_setzero_si512();
    let mut tot = [[_mm512_setzero_ps(); MR]; NR];
    for s in 0..spans {
        for line in 2 * s..2 * s + 2 {
            prefetch_line::<Avx512, NR, MR>(a.w, a.w_stride, pf, line * 16);
        }
        for h in 0..2 {
            let codes: [__m512i; NR] = each!(n < NR => _mm512_loadu_si512(a.w.add(n * a.w_stride + s * 32 + h * 16) as *const __m512i));
            for n in 0..NR {
                let q = avx512_e4m3_bf16(codes[n], &t);
                let qf = [
                    _mm512_castsi512_ps(_mm512_unpacklo_epi16(z, q[0])),
                    _mm512_castsi512_ps(_mm512_unpackhi_epi16(z, q[0])),
                    _mm512_castsi512_ps(_mm512_unpacklo_epi16(z, q[1])),
                    _mm512_castsi512_ps(_mm512_unpackhi_epi16(z, q[1])),
                ];
                let sc = Avx512::lane_scales(a.scales.add(n * a.s_stride + s * 4 + h * 2), 2);
                for m in 0..MR {
                    let xr = a.xl.add(m * a.xl_stride + s * rec + h * 256) as *const f32;
                    let mut acc = [_mm512_setzero_ps(); 2];
                    for u in 0..4 {
                        acc[u & 1] = _mm512_fmadd_ps(_mm512_load_ps(xr.add(16 * u)), qf[u], acc[u & 1]);
                    }
                    tot[n][m] = _mm512_fmadd_ps(_mm512_add_ps(acc[0], acc[1]), sc, tot[n][m]);
                }
            }
        }
    }
    finish_block_rows::<Avx512, 8, { kind::FP8 }, NR, MR>(a, &tot, spans * INT_SPAN, out);
}

/// Bytes of x per [`INT_SPAN`] elements for [`dot_rows_fp8_f32`] (f32, permuted).
pub(crate) const FP8_F32_RECORD_BYTES: usize = INT_SPAN * 4;

/// x permuted for [`dot_rows_fp8_f32`], per whole [`INT_SPAN`]: f32 lane `4j + i` of vector
/// `2v + w` of half `h` holds element `64h + 16j + 8v + 4w + i` (`v`: which of the two bf16 code
/// vectors, `w`: its low or high interleave, `j`: the 128-bit lane).
pub(crate) fn permute_x_fp8_f32(x: &[f32], out: &mut [f32]) {
    for (src, dst) in x.chunks_exact(INT_SPAN).zip(out.chunks_exact_mut(INT_SPAN)) {
        for h in 0..2 {
            for u in 0..4 {
                let (v, w) = (u / 2, u % 2);
                for j in 0..4 {
                    for i in 0..4 {
                        dst[64 * h + 16 * u + 4 * j + i] = src[64 * h + 16 * j + 8 * v + 4 * w + i];
                    }
                }
            }
        }
    }
}

/// Writes the whole [`INT_SPAN`]-element spans of the row `x` as `limbs` bf16 terms for
/// [`dot_rows_fp8_bf16`] (per span a record of [`bf16_record_bytes`], 64-byte aligned): term
/// `l` is `x − Σ earlier terms` rounded to bf16 (RNE), so 1 term carries bf16 x, 2 carry f16 x
/// and 3 f32 x exactly (8 significant bits each) while the terms stay normal. Within each 64
/// elements, the order of [`avx512_e4m3_bf16`]'s two vectors. Returns false (nothing usable)
/// where x holds a non-finite value or max|x| is nonzero but below 2^-60 (`vdpbf16ps` flushes
/// denormals: tiny x takes the f32 kernels) or above 2^100.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(crate) unsafe fn split_x_bf16(x: &[f32], limbs: usize, out: &mut [u8]) -> bool {
    use std::arch::x86_64::*;
    let spans = x.len() / INT_SPAN;
    let rec = bf16_record_bytes(limbs);
    debug_assert!(out.len() >= spans * rec && (1..=3).contains(&limbs));
    // max|x| as bits (NaN and inf compare above every finite value).
    let mut mx = _mm512_setzero_si512();
    for i in (0..spans * INT_SPAN).step_by(16) {
        let v = _mm512_loadu_si512(x.as_ptr().add(i) as *const __m512i);
        mx = _mm512_max_epu32(mx, _mm512_and_si512(v, _mm512_set1_epi32(0x7FFF_FFFF)));
    }
    let mx = _mm512_reduce_max_epu32(mx);
    if mx > (127 + 100) << 23 || (mx != 0 && mx < (127 - 60) << 23) {
        return false;
    }
    for s in 0..spans {
        for c in 0..8 {
            let (h, j) = (c / 4, c % 4);
            let mut r = _mm512_loadu_ps(x.as_ptr().add(s * INT_SPAN + 16 * c));
            for l in 0..limbs {
                let b: __m256i = std::mem::transmute::<__m256bh, __m256i>(_mm512_cvtneps_pbh(r));
                let o = out.as_mut_ptr().add(s * rec + l * 256 + h * 128 + j * 16);
                _mm_storeu_si128(o as *mut __m128i, _mm256_castsi256_si128(b));
                _mm_storeu_si128(o.add(64) as *mut __m128i, _mm256_extracti128_si256::<1>(b));
                r = _mm512_sub_ps(r, _mm512_castsi512_ps(_mm512_slli_epi32::<16>(_mm512_cvtepu16_epi32(b))));
            }
        }
    }
    true
}

/// Permutes `x` for [`dot_rows_nibbles`] with `lanes`-lane vectors: within each whole block of
/// `8·lanes` elements, position `j·lanes + i` takes element `8i + j`; the tail is copied as is.
pub(crate) fn permute_x_nibble_blocks(x: &[f32], lanes: usize, out: &mut [f32]) {
    let bc = nibble_block_codes(lanes);
    let mut src = x.chunks_exact(bc);
    let mut dst = out.chunks_exact_mut(bc);
    for (s, d) in (&mut src).zip(&mut dst) {
        for j in 0..8 {
            for i in 0..lanes {
                d[j * lanes + i] = s[8 * i + j];
            }
        }
    }
    dst.into_remainder().copy_from_slice(src.remainder());
}

/// Stored rows of Ŵ[K, N] per [`axpy_rows`] call: each call streams this many rows of the
/// column tile at once, so the accumulators are loaded and stored once per 4 rows (8 rows per
/// call for one x row measured no faster in L2: the unpacking and the FMAs bound it).
pub(crate) const AXPY_ROWS: usize = 4;

/// Columns per block of the 4-bit nibble path of [`axpy_rows`] (64 bytes of codes per row).
pub(crate) const AXPY_NIBBLE_BLOCK: usize = 128;

/// One call of [`axpy_rows`]: `rows` (≤ [`AXPY_ROWS`]) stored rows of Ŵ[K, N] (transpose=False)
/// over a tile of `chunks`·32 columns, against `MR` x rows.
pub(crate) struct AxpyArgs {
    /// Row 0, first column of the tile; rows `w_stride` words apart (the row's codes are contiguous).
    pub w: *const u32,
    pub w_stride: usize,
    pub rows: usize,
    pub chunks: usize,
    pub gs: usize,
    /// x transposed: `x[r·x_stride + m]` is x row `m` at stored row `r`.
    pub x: *const f32,
    pub x_stride: usize,
    /// Per stored row the f32 scales (and affine biases; null for fp modes) of the tile's groups,
    /// rows `s_stride` apart.
    pub scales: *const f32,
    pub biases: *const f32,
    pub s_stride: usize,
    /// Scratch of `AXPY_ROWS·MR·s_stride` floats: the multipliers `x·scale` per row, x row, group.
    pub cx: *mut f32,
    /// Affine: `bsum[m·bsum_stride + g] += Σ_r x[r][m]·(bias[r][g] + o·scale[r][g])` (f64).
    pub bsum: *mut f64,
    pub bsum_stride: usize,
    /// `acc[m·acc_stride + c] += Σ_r x[r][m]·scale[r][g(c)]·(q[r][c] − o)` (affine centred by
    /// `o = uint_int_offset(B)`; fp: the decoded value). With `NIB` the columns of each whole
    /// [`AXPY_NIBBLE_BLOCK`] are stored in nibble-block order (position `16j + i` holds column
    /// `8i + j`); columns after the last whole block in order.
    pub acc: *mut f32,
    pub acc_stride: usize,
    /// Prefetch distance in words (the same lines of the rows this many words further).
    pub ahead: usize,
}

/// transpose=False, small M: [`AXPY_ROWS`] stored rows of Ŵ[K, N] at a time, each read as one
/// contiguous run of codes, into f32 accumulators of the tile's columns (in L1/L2), the factorised
/// form `(x·scale)·(q − o)` (one FMA per code and x row; the bias part per group in f64 into
/// `bsum`). `NIB` (AVX-512, 4-bit codes): 128 columns per block, one shift and one table lookup
/// per 16 codes ([`Isa::nibble_values`], the table already centred) and per-lane multipliers
/// ([`Isa::lane_scales`]). Rows past `rows` re-read row 0 with zero multipliers (the K tail).
#[inline(always)]
pub(crate) unsafe fn axpy_rows<I: Isa, const B: u32, const KIND: u8, const MR: usize, const NIB: bool>(a: &AxpyArgs) {
    const R: usize = AXPY_ROWS;
    let ng = a.chunks * CHUNK / a.gs;
    let o = uint_int_offset(B) as f64;
    // Multipliers (and the f64 bias part), once per row, x row and group.
    for r in 0..R {
        for m in 0..MR {
            let cx = a.cx.add((r * MR + m) * a.s_stride);
            if r >= a.rows {
                for g in 0..ng {
                    *cx.add(g) = 0.0;
                }
                continue;
            }
            let xv = *a.x.add(r * a.x_stride + m);
            let s = a.scales.add(r * a.s_stride);
            for g in 0..ng {
                *cx.add(g) = xv * *s.add(g);
            }
            if KIND == kind::UINT {
                let (b, bs) = (a.biases.add(r * a.s_stride), a.bsum.add(m * a.bsum_stride));
                let xd = xv as f64;
                for g in 0..ng {
                    *bs.add(g) += xd * (*b.add(g) as f64 + o * *s.add(g) as f64);
                }
            }
        }
    }
    axpy_pass::<I, B, KIND, MR, R, NIB>(a, 0);
}

/// One pass of [`axpy_rows`] over the tile's columns with rows `r0..r0 + RG` of the call.
#[inline(always)]
#[allow(clippy::needless_range_loop)]
unsafe fn axpy_pass<I: Isa, const B: u32, const KIND: u8, const MR: usize, const RG: usize, const NIB: bool>(a: &AxpyArgs, r0: usize) {
    let o = uint_int_offset(B) as f32;
    let wr: [*const u32; RG] = each!(r < RG => a.w.add((if r0 + r < a.rows { r0 + r } else { 0 }) * a.w_stride));
    let cxr: [[*const f32; MR]; RG] = each!(r < RG => each!(m < MR => a.cx.add(((r0 + r) * MR + m) * a.s_stride) as *const f32));
    let mut c0 = 0;
    if NIB {
        let table = I::nibble_table::<KIND>();
        let gpb = AXPY_NIBBLE_BLOCK / a.gs;
        let wpb = AXPY_NIBBLE_BLOCK / 8;
        for blk in 0..a.chunks * CHUNK / AXPY_NIBBLE_BLOCK {
            for r in 0..RG {
                I::prefetch(wr[r].wrapping_add(a.ahead + blk * wpb));
            }
            let words: [I::W; RG] = each!(r < RG => I::load_block(wr[r].add(blk * wpb)));
            let s: [[I::V; MR]; RG] = each!(r < RG => each!(m < MR => I::lane_scales(cxr[r][m].add(blk * gpb), gpb)));
            for j in 0..8 {
                let at = blk * AXPY_NIBBLE_BLOCK + j * I::LANES;
                let mut acc: [I::V; MR] = each!(m < MR => I::load(a.acc.add(m * a.acc_stride + at)));
                for r in 0..RG {
                    let q = I::nibble_values(words[r], j as u32, table);
                    for m in 0..MR {
                        acc[m] = I::fma(s[r][m], q, acc[m]);
                    }
                }
                for m in 0..MR {
                    I::store(a.acc.add(m * a.acc_stride + at), acc[m]);
                }
            }
        }
        c0 = a.chunks * CHUNK / AXPY_NIBBLE_BLOCK * (AXPY_NIBBLE_BLOCK / CHUNK);
    }
    for c in c0..a.chunks {
        if c % (16 / B as usize).max(1) == 0 {
            for r in 0..RG {
                I::prefetch(wr[r].wrapping_add(a.ahead + c * B as usize));
            }
        }
        let words: [I::W; RG] = each!(r < RG => I::load_words::<B>(wr[r].add(c * B as usize)));
        for p in 0..I::PARTS {
            let at = c * CHUNK + p * I::LANES;
            let g = at / a.gs;
            let mut acc: [I::V; MR] = each!(m < MR => I::load(a.acc.add(m * a.acc_stride + at)));
            for r in 0..RG {
                let q = I::values::<B, KIND>(words[r], p, 1.0);
                let q = if KIND == kind::UINT { I::add(q, I::splat(-o)) } else { q };
                for m in 0..MR {
                    acc[m] = I::fma(I::splat(*cxr[r][m].add(g)), q, acc[m]);
                }
            }
            for m in 0..MR {
                I::store(a.acc.add(m * a.acc_stride + at), acc[m]);
            }
        }
    }
}

/// Dequantizes `chunks` chunks of one stored row segment to f32, exactly as the reference:
/// affine `fma(scale, q, bias)`, fp `value·scale`. `scales`/`biases` index groups from the
/// segment start (segments start on a group boundary).
#[inline(always)]
pub(crate) unsafe fn dequant<I: Isa, const B: u32, const KIND: u8>(
    w: *const u32,
    scales: *const f32,
    biases: *const f32,
    gs: usize,
    chunks: usize,
    out: *mut f32,
) {
    for c in 0..chunks {
        let words = I::load_words::<B>(w.add(c * B as usize));
        for p in 0..I::PARTS {
            let e = c * CHUNK + p * I::LANES;
            let g = e / gs;
            let v = if KIND == kind::UINT {
                I::fma_exact(I::splat(*scales.add(g)), I::values::<B, KIND>(words, p, 0.0), I::splat(*biases.add(g)))
            } else {
                I::values::<B, KIND>(words, p, *scales.add(g))
            };
            I::store(out.add(e), v);
        }
    }
}


/// Elements of x per step of [`dot_rows_int2`] (64 bytes of 2-bit codes per row).
pub(crate) const INT2_STEP: usize = 256;

/// True for the affine bit widths whose integer dots run in [`INT2_STEP`]-code steps
/// ([`dot_rows_int2`], x split by [`split_x_limbs2`]): 2, 3, 5 and 6.
pub(crate) const fn int_steps(bits: u32) -> bool {
    matches!(bits, 2 | 3 | 5 | 6)
}

/// Bytes per [`INT2_STEP`] elements of x split for [`dot_rows_int2`] ([`split_x_limbs2`]): per
/// limb 4 vectors of 64 int8, then 16 f32 lane factors and 16 i32 accumulator start values.
pub(crate) const fn int2_record_bytes(limbs: usize) -> usize {
    256 * limbs + 128
}

/// [`dot_rows_int`] for affine 2-, 3-, 5- and 6-bit codes, 256 codes (`32·B` bytes) of a row per step:
/// the four code vectors of a step ([`Isa::int_step_codes`]) hold in i32 lane `i` the 16 codes
/// of window `16i..16i+16` — 2-bit with no byte permutes (code `j` of every byte is
/// `(bytes >> 2j) & 3`: vector `j` byte `4i + t` = code `16i + 4t + j`), 3-bit by one
/// `vpermi2b` per two vectors and one multishift per vector (vector `v` byte `4i + t` = code
/// `16i + 4v + t`; 5/6-bit the same order, by a `vpermi2b`, a masked `vpermb` and one
/// multishift per vector) — and x comes split per window to match ([`split_x_limbs2`]: one
/// power-of-two scale per 16 elements). Per 256 codes and row: 7 (2-bit), 10 (3-bit; 12 with
/// a permute per vector took 10-12 % more time in L2, stage 10) or 16 (5/6-bit) unpacking operations, `4·LIMBS`
/// dots, and the join, conversion and scaling once (the 128-code integer dots: per 128 codes 5
/// unpacking operations with 3 byte permutes and the scaling; in L2 512×4096 M=1 on one core a
/// timing prototype took 17.1 vs 30.1 µs with bf16 x, stage 7). K after the last whole step
/// runs through [`dot_rows`] with the f32 x (`a.x`).
#[inline(always)]
#[allow(clippy::needless_range_loop)]
unsafe fn dot_rows_int2<I: Isa, const B: u32, const SC: u8, const LIMBS: usize, const NR: usize, const MR: usize>(a: &DotArgs, out: &mut [[f32; MR]; NR]) {
    let pf = prefetch_ahead::<NR>(a.w_stride);
    debug_assert!(NR * MR * LIMBS <= 24, "i32 accumulators beyond the 32 registers");
    let rec = int2_record_bytes(LIMBS);
    let steps = a.k / INT2_STEP;
    debug_assert!(a.gs <= INT_SPAN && INT2_STEP % a.gs == 0);
    // Groups per step: lane i (window i) lies in group 16i / gs, as `lane_scales` spreads them.
    let gpb = INT2_STEP / a.gs;
    let mut tot = [[I::zero(); MR]; NR];
    let step_words = INT2_STEP * B as usize / 32;
    for st in 0..steps {
        // One prefetch per 64-byte line of codes that starts in this step.
        for line in (st * step_words).div_ceil(16)..((st + 1) * step_words).div_ceil(16) {
            prefetch_line::<I, NR, MR>(a.w, a.w_stride, pf, line * 16);
        }
        let xr: [*const i8; MR] = each!(m < MR => a.xl.add(m * a.xl_stride + st * rec));
        let mut acc = int_acc_start::<I, LIMBS, NR, MR>(&xr, LIMBS * 256 + 64);
        let w: [[I::W; 3]; NR] = each!(n < NR => I::int_step_load::<B>(a.w.add(n * a.w_stride + st * step_words)));
        for j in 0..4u32 {
            let c: [I::W; NR] = each!(n < NR => I::int_step_codes::<B>(w[n], j));
            for l in 0..LIMBS {
                for m in 0..MR {
                    let xp = xr[m].add(l * 256 + j as usize * 64);
                    for n in 0..NR {
                        acc[n][m][l] = I::dot_u8_i8(acc[n][m][l], c[n], xp);
                    }
                }
            }
        }
        int_fold_span::<I, SC, LIMBS, NR, MR>(a, &acc, st * gpb, gpb, &xr, LIMBS * 256, &mut tot);
    }
    if SC == scale_kind::F32 {
        finish_block_rows::<I, B, { kind::UINT }, NR, MR>(a, &tot, steps * INT2_STEP, out);
        return;
    }
    // 16-bit scales and biases: K is whole steps (the caller's condition).
    debug_assert!(steps * INT2_STEP == a.k);
    int_finish_u16::<I, B, SC, NR, MR>(a, &tot, out);
}

/// Splits the whole [`INT2_STEP`]-element steps of the row `x` into `limbs` int8 limbs for
/// [`dot_rows_int2`] with `bits`-bit codes (2, 3, 5 or 6: the digit order of their code
/// vectors, the offset): per step a record of [`int2_record_bytes`] at `out` (64-byte aligned),
/// and in `xsum` the per-group (`gs`) sums of x̃ (the value the limbs carry). As
/// [`split_x_limbs`] with blocks of 16 elements (a window of the 2-bit dots) instead of 8:
/// `e` the largest integer with `max|x|·2^e ≤ 126`, `J = round(x·2^e·2^8(limbs-1))` in signed
/// base-256 digits, lane factor `2^-e·2^-8(limbs-1)`, start value `−offset·ΣJ` (affine offset
/// `uint_int_offset(bits)`). Where the window's joined sums `Σ (q − o)·J` (16 codes, |q − o| ≤ o)
/// could leave i32 with that range (6-bit with 3 limbs: 16·32·126·2^16 > 2^31), `e` is the
/// largest with `max|x|·2^e ≤ 63` instead (one bit less of x, 2^-22 of the window's max|x|).
/// False (nothing usable) for a non-finite value or a block whose max|x| is nonzero but below
/// 2^-100.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(crate) unsafe fn split_x_limbs2(x: &[f32], bits: u32, limbs: usize, gs: usize, out: &mut [i8], xsum: &mut [f32]) -> bool {
    use std::arch::x86_64::*;
    let steps = x.len() / INT2_STEP;
    let rec = int2_record_bytes(limbs);
    debug_assert!(out.len() >= steps * rec && xsum.len() >= steps * INT2_STEP / gs && (2..=3).contains(&limbs) && gs % 16 == 0 && int_steps(bits));
    let abs = _mm512_set1_epi32(0x7FFF_FFFF);
    let (c128, c255) = (_mm512_set1_epi32(128), _mm512_set1_epi32(255));
    // Element u of a window to vector v, byte t: 2-bit u = 4t + v (position 4v + t of the 16
    // digits), 3-bit u = 4v + t (as they are).
    let by_code = if bits == 2 {
        _mm_setr_epi8(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15)
    } else {
        _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
    };
    let offset = uint_int_offset(bits);
    let bits = 8 * (limbs as i32 - 1);
    // Largest |x·2^e| (126, or 63 where the window sums could leave i32, see above): 2^top_log2·(2 − 2^-5).
    let top_log2 = if ((16 * offset as i64 * 126) << bits) < 1 << 31 { 6 } else { 5 };
    let top = (126 >> (6 - top_log2)) as f32;
    let pow2 = |e: i32| f32::from_bits(((127 + e) as u32) << 23);
    let mut wsum = [0f64; INT2_STEP / 16];
    for st in 0..steps {
        let rp = out.as_mut_ptr().add(st * rec);
        for (i, ws) in wsum.iter_mut().enumerate() {
            let v = _mm512_loadu_ps(x.as_ptr().add(st * INT2_STEP + 16 * i));
            let m = _mm512_reduce_max_epu32(_mm512_and_si512(_mm512_castps_si512(v), abs));
            if m >= 0x7F80_0000 || (m != 0 && m < 27 << 23) {
                return false;
            }
            // max|x| = 1.f·2^p: 2^(6-p) (max·2^e in [64, 128)), halved if above 126 (or one
            // power of two less with 63).
            let mut e = if m == 0 { 0 } else { top_log2 - ((m >> 23) as i32 - 127) };
            if f32::from_bits(m) * pow2(e) > top {
                e -= 1;
            }
            // x·2^e·2^8(L-1): two exact power-of-two steps (2^e alone stays in range), rounded
            // to nearest even by the conversion.
            let mut jv = _mm512_cvtps_epi32(_mm512_mul_ps(_mm512_mul_ps(v, _mm512_set1_ps(pow2(e))), _mm512_set1_ps(pow2(bits))));
            let js = _mm512_reduce_add_epi32(jv);
            let factor = f64::from_bits(((1023 - e - bits) as u64) << 52);
            *(rp.add(256 * limbs) as *mut f32).add(i) = factor as f32;
            *(rp.add(256 * limbs + 64) as *mut i32).add(i) = -offset * js;
            *ws = js as f64 * factor;
            // Digits, low first; limb l of window i: vector j, bytes 4i..4i+4.
            for l in (0..limbs).rev() {
                let d = if l > 0 { _mm512_sub_epi32(_mm512_and_si512(_mm512_add_epi32(jv, c128), c255), c128) } else { jv };
                let b = _mm_shuffle_epi8(_mm512_cvtepi32_epi8(d), by_code);
                for j in 0..4 {
                    let word = match j {
                        0 => _mm_extract_epi32::<0>(b),
                        1 => _mm_extract_epi32::<1>(b),
                        2 => _mm_extract_epi32::<2>(b),
                        _ => _mm_extract_epi32::<3>(b),
                    };
                    (rp.add(l * 256 + j * 64 + 4 * i) as *mut i32).write_unaligned(word);
                }
                if l > 0 {
                    jv = _mm512_srai_epi32::<8>(_mm512_sub_epi32(jv, d));
                }
            }
        }
        for (g, w) in wsum.chunks(gs / 16).enumerate() {
            xsum[st * (INT2_STEP / gs) + g] = w.iter().sum::<f64>() as f32;
        }
    }
    true
}
