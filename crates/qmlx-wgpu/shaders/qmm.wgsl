// qmm.wgsl: tiled y = x @ Ŵᵀ (TRANSPOSE=1) or x @ Ŵ (TRANSPOSE=0) for prefill. A 64-thread
// workgroup computes a 32×32 output tile, 4×4 per thread, stepping through K 32 at a time: the
// x tile and the dequantized w tile are staged in workgroup memory (qmm_tile.wgsl), so each
// packed chunk is expanded once per tile.

@compute @workgroup_size(64)
fn qmm(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lid: u32) {
    let ti = tile_index(wid, nwg);
    let live = ti < p.tiles;
    let tile = tiles[min(ti, p.tiles - 1u)];
    let n0 = wid.x * 32u;
    let ty = lid / 8u;
    let tx = lid % 8u;
    var acc: array<f32, 16>;
    let steps = (p.k + 31u) / 32u;
    for (var kc = 0u; kc < steps; kc++) {
        stage_tiles(tile, live, n0, kc, lid);
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
