// qmm_tile.wgsl: the 32×32 tile staging shared by the tiled kernels (qmm.wgsl and the optional
// qmm_coop8.wgsl): per 32-wide step of K, the x tile and the dequantized w tile go to workgroup
// memory as f32, so every mode, bits and activation dtype is served by the same inner product.
// Both orientations read one 32-element chunk per stored row: for TRANSPOSE=0 a stored row is a
// row of K and the chunk runs along N. 64 threads: thread `lid` stages half `lid & 1` (16
// elements) of row `lid >> 1` of each tile.

override TRANSPOSE: u32 = 1u;

var<workgroup> xs: array<f32, 1024>; // [32 rows of x][32 k]
var<workgroup> ws: array<f32, 1024>; // [32 k][32 n]

// Stages step kc (k = kc·32 ..) of the tile `tile` (see matmul_io.wgsl) at output columns n0 ..
// into xs and ws, zeros outside the operands; `live`: the tile exists. No barrier: the caller's.
fn stage_tiles(tile: vec4<u32>, live: bool, n0: u32, kc: u32, lid: u32) {
    let lr = lid >> 1u; // row of the x tile / stored row of the w tile
    let h = lid & 1u;   // which 16-element half
    let k0 = kc * 32u;
    for (var e = 0u; e < 16u; e++) {
        let kk = k0 + h * 16u + e;
        var v = 0.0;
        if live && lr < tile.z && kk < p.k {
            v = x_value(rows[tile.y + lr].x, kk);
        }
        xs[lr * 32u + h * 16u + e] = v;
    }
    var w16: array<f32, 16>;
    // The dequantized w tile, laid out [k][n].
    if TRANSPOSE == 1u {
        let r = n0 + lr;
        if live && r < p.n {
            load_w_chunk(tile.x, r, kc);
            half_weights(tile.x, r, kc, h, &w16);
        }
        for (var e = 0u; e < 16u; e++) {
            ws[(h * 16u + e) * 32u + lr] = w16[e];
        }
    } else {
        let r = k0 + lr;
        if live && r < p.k {
            load_w_chunk(tile.x, r, n0 / 32u);
            half_weights(tile.x, r, n0 / 32u, h, &w16);
        }
        for (var e = 0u; e < 16u; e++) {
            ws[lr * 32u + h * 16u + e] = w16[e];
        }
    }
}
