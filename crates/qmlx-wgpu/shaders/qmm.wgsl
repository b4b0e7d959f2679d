// qmm.wgsl: tiled y = x @ Ŵᵀ (TRANSPOSE=1) or x @ Ŵ (TRANSPOSE=0) for prefill. A 64-thread
// workgroup computes a 32×32 output tile, 4×4 per thread, stepping through K 32 at a time: the
// x tile and the dequantized w tile are staged in workgroup memory, so each packed chunk is
// expanded once per tile. Both orientations read one 32-element chunk per stored row: for
// TRANSPOSE=0 a stored row is a row of K and the chunk runs along N.

override TRANSPOSE: u32 = 1u;

var<workgroup> xs: array<f32, 1024>; // [32 rows of x][32 k]
var<workgroup> ws: array<f32, 1024>; // [32 k][32 n]

@compute @workgroup_size(64)
fn qmm(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lid: u32) {
    let ti = tile_index(wid, nwg);
    let live = ti < p.tiles;
    let tile = tiles[min(ti, p.tiles - 1u)];
    let n0 = wid.x * 32u;
    let ty = lid / 8u;
    let tx = lid % 8u;
    let lr = lid >> 1u; // loader: row of the x tile / stored row of the w tile
    let h = lid & 1u;   // loader: which 16-element half
    var acc: array<f32, 16>;
    var w16: array<f32, 16>;
    let steps = (p.k + 31u) / 32u;
    for (var kc = 0u; kc < steps; kc++) {
        let k0 = kc * 32u;
        // Stage 32 rows × 32 k of x (zeros outside).
        for (var e = 0u; e < 16u; e++) {
            let kk = k0 + h * 16u + e;
            var v = 0.0;
            if live && lr < tile.z && kk < p.k {
                v = x_value(rows[tile.y + lr].x, kk);
            }
            xs[lr * 32u + h * 16u + e] = v;
        }
        // Stage the dequantized w tile, laid out [k][n].
        if TRANSPOSE == 1u {
            let r = n0 + lr;
            if live && r < p.n {
                load_w_chunk(tile.x, r, kc);
                half_weights(tile.x, r, kc, h, &w16);
            } else {
                w16 = array<f32, 16>();
            }
            for (var e = 0u; e < 16u; e++) {
                ws[(h * 16u + e) * 32u + lr] = w16[e];
            }
        } else {
            let r = k0 + lr;
            if live && r < p.k {
                load_w_chunk(tile.x, r, wid.x);
                half_weights(tile.x, r, wid.x, h, &w16);
            } else {
                w16 = array<f32, 16>();
            }
            for (var e = 0u; e < 16u; e++) {
                ws[lr * 32u + h * 16u + e] = w16[e];
            }
        }
        workgroupBarrier();
        for (var kk = 0u; kk < 32u; kk++) {
            var a: array<f32, 4>;
            var b: array<f32, 4>;
            for (var i = 0u; i < 4u; i++) {
                a[i] = xs[(ty * 4u + i) * 32u + kk];
                b[i] = ws[kk * 32u + tx * 4u + i];
            }
            for (var i = 0u; i < 4u; i++) {
                for (var j = 0u; j < 4u; j++) {
                    acc[i * 4u + j] += a[i] * b[j];
                }
            }
        }
        workgroupBarrier();
    }
    if live {
        for (var i = 0u; i < 4u; i++) {
            let row = ty * 4u + i;
            if row < tile.z {
                let orow = rows[tile.y + row].y;
                for (var j = 0u; j < 4u; j++) {
                    let col = n0 + tx * 4u + j;
                    if col < p.n {
                        out[orow * p.n + col] = bitcast<u32>(acc[i * 4u + j]);
                    }
                }
            }
        }
    }
}
