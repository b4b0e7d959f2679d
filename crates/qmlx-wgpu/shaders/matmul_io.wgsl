// matmul_io.wgsl: bindings and operand access shared by the quantized matmul kernels (qmv, qmm).
// The host (src/matmul.rs) turns the op's (x matrix, w matrix) pairs into a row table grouped by
// w matrix, and cuts it into tiles of rows that share one w matrix. That one form covers
// quantized_matmul, broadcast batches, gather_qmm and sorted MoE experts alike.

override XDT: u32 = 0u; // dtype of x (and of affine scales/biases): the op's out dtype

struct Params {
    n: u32,          // output columns
    k: u32,          // reduction length
    rows_per_w: u32, // stored rows per w matrix (n if transposed, else k)
    wpr: u32,        // packed words per stored row
    gpr: u32,        // groups per stored row
    has_global: u32, // nvfp4 per-matrix global scales given
    tiles: u32,      // number of tiles
    cols: u32,       // elements per stored row (k if transposed, else n)
}

@group(0) @binding(0) var<uniform> p: Params;
// x as 16-byte vectors (qmv loads 8 16-bit or 4 f32 values at once; buffers are padded to 16
// bytes and the Metal host requires x at a 16-byte offset); x_word reads one u32 word of it.
@group(0) @binding(1) var<storage, read> x: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read> wq: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read> scales: array<u32>;
@group(0) @binding(4) var<storage, read> biases: array<u32>;
@group(0) @binding(5) var<storage, read> gscale: array<f32>;
// (w matrix, first row entry, row count, 0) per tile.
@group(0) @binding(6) var<storage, read> tiles: array<vec4<u32>>;
// (x row, output row) per row entry, flat over all x / output matrices.
@group(0) @binding(7) var<storage, read> rows: array<vec2<u32>>;
// f32 results as bits (qmv may pack two 16-bit results per word instead, see QMV_OUT16).
@group(0) @binding(8) var<storage, read_write> out: array<u32>;

fn x_word(i: u32) -> u32 {
    return x[i >> 2u][i & 3u];
}

fn x_value(x_row: u32, kk: u32) -> f32 {
    let i = x_row * p.k + kk;
    return float_from_word(x_word(word_index(i, XDT)), i, XDT);
}

// (scale, bias) of the group holding element j of stored row r of w matrix wi.
fn group_params(wi: u32, r: u32, j: u32) -> vec2<f32> {
    let g = (wi * p.rows_per_w + r) * p.gpr + j / GS;
    if MODE == MODE_AFFINE {
        let s = float_from_word(scales[word_index(g, XDT)], g, XDT);
        let b = float_from_word(biases[word_index(g, XDT)], g, XDT);
        return vec2<f32>(s, b);
    }
    let byte = (scales[g >> 2u] >> ((g & 3u) * 8u)) & 0xffu;
    var gf = 0.0;
    if MODE == MODE_NVFP4 && p.has_global != 0u {
        gf = div_rn(gscale[wi], 2688.0);
    }
    return vec2<f32>(fp_scale(byte, gf, p.has_global != 0u), 0.0);
}

// Loads chunk c (32 elements) of stored row r of w matrix wi into `chunk`.
fn load_w_chunk(wi: u32, r: u32, c: u32) {
    let row_word = (wi * p.rows_per_w + r) * p.wpr;
    load_chunk(row_word + c * BITS, row_word + p.wpr);
}

// The 16 weights of half h of the loaded chunk c of stored row r (zeros past the row's end).
fn half_weights(wi: u32, r: u32, c: u32, h: u32, w16: ptr<function, array<f32, 16>>) {
    let j0 = c * 32u + h * 16u;
    if j0 >= p.cols {
        for (var e = 0u; e < 16u; e++) {
            (*w16)[e] = 0.0;
        }
        return;
    }
    let sb = group_params(wi, r, j0);
    for (var e = 0u; e < 16u; e++) {
        (*w16)[e] = weight_value(chunk_code(h * 16u + e), sb.x, sb.y);
    }
}

fn tile_index(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
    return wid.y + wid.z * nwg.y;
}
