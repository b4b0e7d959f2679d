// qmv_stage2.wgsl: BENCHMARK BASELINE ONLY — the qmv of stage 2 (commit b2b3c25), kept so that
// bench/wgpu_gpu.sh can time it in the same run as the current qmv (QMLX_WGPU_QMV=stage2, read by
// src/shaders.rs). Not used otherwise; delete once the comparison is no longer wanted. Changes from
// b2b3c25: x is read through x_word (x became array<vec4<u32>>), and it declares the current
// kernel's extra override constants (unused here).
override QMV_VEC: u32 = 4u;
override QMV_DECODE: u32 = 0u;
//
// qmv.wgsl (stage 2): y = x @ Ŵᵀ for up to 8 rows of x per w matrix (decode): one pass over the packed
// weights, which is all a decode has to read.
//
// Layout (override constants; the host picks them, src/plan.rs `QmvLayout`): a workgroup of
// QMV_WG threads is cut into teams of QMV_LANES threads. A team owns QMV_COLS consecutive output
// columns (stored rows of w) and splits K between its threads by 32-element chunks: thread `lane`
// takes chunks lane, lane + QMV_LANES, ... So neighbouring threads read neighbouring 16-byte
// pieces of a row, a thread issues QMV_COLS × QMV_UNROLL chunk loads before it uses any, and
// every x value it loads serves QMV_COLS columns.
//
// Per group a thread accumulates Σ x·f over the codes and Σ x, and applies the group's
// parameters once: y += A·Σx·f + B·Σx. Affine codes are decoded as f = 1 + q·2^-BITS by moving
// the packed bits straight into an f32 mantissa (one shift, one and-or), with A = s·2^BITS and
// B = b − A; f32 x keeps f = q (exact) and A, B = s, b. fp4 values come from a 16-entry table in
// workgroup memory (every lane reads a different or the same word: no bank conflicts).
// 4-bit codes in 16-byte aligned rows (the common case) go a word of 8 codes at a time with vector
// arithmetic; other widths and alignments code by code (the same sums, more instructions).
//
// The team's partial sums meet in a workgroup-memory tree at the end, so nothing depends on the
// subgroup size (8 on lavapipe, 32 on Apple and NVIDIA).

override QMV_LANES: u32 = 16u;  // threads splitting K for one group of columns (power of two)
override QMV_COLS: u32 = 4u;    // output columns per thread (≤ QMAX_COLS)
override QMV_WG: u32 = 128u;    // threads per workgroup (QMV_COLS × QMV_WG ≤ 1024)
override QMV_UNROLL: u32 = 2u;  // chunks per thread and column loaded together (≤ QMAX_UNROLL)
override QMV_XROWS: u32 = 8u;   // rows of x per tile (≤ QMAX_ROWS): the plan's largest tile
// 1: 4-bit codes in 16-byte aligned rows (host: BITS == 4, packed words per row a multiple of 4),
// taken a word at a time; 0: code by code (any width and alignment).
override QMV_WORD_PATH: u32 = 0u;
// 1: write a 16-bit output (dtype XDT) directly, two columns per word (host: N and QMV_COLS
// even); 0: write float32 (a cast kernel follows for 16-bit outputs).
override QMV_OUT16: u32 = 0u;

const QMAX_COLS: u32 = 4u;
const QMAX_UNROLL: u32 = 2u;
const QMAX_ROWS: u32 = 8u;

var<workgroup> red: array<f32, 1024>; // [QMV_COLS][QMV_WG] partial sums of one x row
var<workgroup> fp4_lut: array<f32, 16>;

// The loaded chunks: [QMAX_UNROLL][QMAX_COLS][8 words] (BITS ≤ 8 words per chunk).
var<private> wbuf: array<u32, 64>;
// Eight consecutive x values as f32.
var<private> xv: array<f32, 8>;

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
            word = wq_word(start + i);
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
            return bitcast<f32>((v & (((1u << BITS) - 1u) << d)) | 0x3f800000u);
        }
        return bitcast<f32>((qmv_code(base, e) << d) | 0x3f800000u);
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

// x[x_row, j .. j + 8) (j a multiple of 8, so 16-bit pairs share a word).
fn qmv_x8v(x_row: u32, j: u32) -> X8 {
    let i = x_row * p.k + j;
    if XDT == DT_F32 {
        return X8(bitcast<vec4<f32>>(vec4<u32>(x_word(i), x_word(i + 1u), x_word(i + 2u), x_word(i + 3u))),
                  bitcast<vec4<f32>>(vec4<u32>(x_word(i + 4u), x_word(i + 5u), x_word(i + 6u), x_word(i + 7u))));
    }
    let h = i >> 1u;
    let w = vec4<u32>(x_word(h), x_word(h + 1u), x_word(h + 2u), x_word(h + 3u));
    if XDT == DT_F16 {
        return X8(vec4<f32>(unpack2x16float(w.x), unpack2x16float(w.y)), vec4<f32>(unpack2x16float(w.z), unpack2x16float(w.w)));
    }
    let lo = vec4<u32>(w.x << 16u, w.x & 0xffff0000u, w.y << 16u, w.y & 0xffff0000u);
    let hi = vec4<u32>(w.z << 16u, w.z & 0xffff0000u, w.w << 16u, w.w & 0xffff0000u);
    return X8(bitcast<vec4<f32>>(lo), bitcast<vec4<f32>>(hi));
}

// Σ f·x over the eight 4-bit codes of word w (the word-at-a-time path).
fn qmv_dot_word4(w: u32, xs: X8) -> f32 {
    if MODE == MODE_AFFINE {
        if XDT == DT_F32 {
            return dot(vec4<f32>(codes4_lo(w)), xs.lo) + dot(vec4<f32>(codes4_hi(w)), xs.hi);
        }
        return dot(codes4_lo_unit(w), xs.lo) + dot(codes4_hi_unit(w), xs.hi);
    }
    let l = codes4_lo(w);
    let h = codes4_hi(w);
    let vl = vec4<f32>(fp4_lut[l.x], fp4_lut[l.y], fp4_lut[l.z], fp4_lut[l.w]);
    let vh = vec4<f32>(fp4_lut[h.x], fp4_lut[h.y], fp4_lut[h.z], fp4_lut[h.w]);
    return dot(vl, xs.lo) + dot(vh, xs.hi);
}

@compute @workgroup_size(QMV_WG)
fn qmv(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lid: u32) {
    if lid < 16u {
        fp4_lut[lid] = fp4_value(lid);
    }
    workgroupBarrier();
    let ti = tile_index(wid, nwg);
    let tile_live = ti < p.tiles;
    let tile = tiles[min(ti, p.tiles - 1u)];
    opaque_zero = tile.w; // always 0 (src/plan.rs), unknown to the compiler
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
        x_rows[mi] = rows[tile.y + min(mi, max(count, 1u) - 1u)].x;
    }
    // Rows past N load the last row (valid memory) and are never written.
    var w_rows: array<u32, 4>;
    for (var ci = 0u; ci < QMV_COLS; ci++) {
        w_rows[ci] = row0 + min(col0 + ci, p.n - 1u);
    }
    let chunks = (p.k + 31u) / 32u;
    let seg = min(GS, 32u); // elements of one group within a chunk
    var acc: array<f32, 32>; // [QMAX_COLS][QMAX_ROWS]
    let step = QMV_LANES * QMV_UNROLL;
    let first = select(chunks, lane, count > 0u);
    // 4-bit codes in 16-byte aligned rows (K a multiple of 32): a chunk is one vec4<u32> and is
    // taken a word (8 codes) at a time with vector arithmetic and no per-code indexing.
    let word_path = QMV_WORD_PATH != 0u && BITS == 4u;
    for (var c0 = select(chunks, first, word_path); c0 < chunks; c0 += step) {
        var wv: array<vec4<u32>, 8>; // [QMAX_UNROLL][QMAX_COLS]
        for (var u = 0u; u < QMV_UNROLL; u++) {
            let c = min(c0 + u * QMV_LANES, chunks - 1u);
            for (var ci = 0u; ci < QMV_COLS; ci++) {
                wv[u * QMAX_COLS + ci] = wq[((w_rows[ci] * p.wpr) >> 2u) + c];
            }
        }
        for (var u = 0u; u < QMV_UNROLL; u++) {
            let c = c0 + u * QMV_LANES;
            if c >= chunks {
                break;
            }
            for (var s0 = 0u; s0 < 32u; s0 += seg) {
                var ab: array<vec2<f32>, 4>;
                for (var ci = 0u; ci < QMV_COLS; ci++) {
                    ab[ci] = qmv_group(w_rows[ci], c * 32u + s0, global_factor);
                }
                var dots: array<f32, 32>; // [QMAX_COLS][QMAX_ROWS]
                var sx: array<f32, 8>;
                for (var t = s0 / 8u; t < (s0 + seg) / 8u; t++) {
                    for (var mi = 0u; mi < QMV_XROWS; mi++) {
                        if mi < count {
                            let xs = qmv_x8v(x_rows[mi], c * 32u + 8u * t);
                            if MODE == MODE_AFFINE {
                                sx[mi] += dot(xs.lo + xs.hi, vec4<f32>(1.0));
                            }
                            for (var ci = 0u; ci < QMV_COLS; ci++) {
                                dots[ci * QMAX_ROWS + mi] += qmv_dot_word4(wv[u * QMAX_COLS + ci][t], xs);
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
    // Any other width or alignment: code by code.
    for (var c0 = select(first, chunks, word_path); c0 < chunks; c0 += step) {
        // Every load of the step first, so they are in flight together.
        for (var u = 0u; u < QMV_UNROLL; u++) {
            let c = min(c0 + u * QMV_LANES, chunks - 1u);
            for (var ci = 0u; ci < QMV_COLS; ci++) {
                qmv_load(w_rows[ci], c, (u * QMAX_COLS + ci) * 8u);
            }
        }
        for (var u = 0u; u < QMV_UNROLL; u++) {
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
            let o = rows[tile.y + mi].y * p.n;
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
