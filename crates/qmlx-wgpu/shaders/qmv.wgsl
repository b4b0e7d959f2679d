// qmv.wgsl: y = x @ Ŵᵀ for up to 8 rows of x (decode). A 64-thread workgroup computes 8 output
// columns with 8 threads each. K is walked in blocks of 256: the block of x (all rows of the
// tile) is converted to f32 once into workgroup memory, then every thread expands one 32-element
// chunk of its weight row (a 16-byte load for 4-bit codes) and applies it to each row of x as
// scale·Σq·x + bias·Σx per group. Partial sums meet in workgroup memory, so nothing depends on
// the subgroup size (8 on lavapipe, 32 on Apple and NVIDIA).

const LANES: u32 = 8u;   // threads per output column
const COLS: u32 = 8u;    // output columns per workgroup
const MAXM: u32 = 8u;    // rows of x per tile
const BLOCK: u32 = 256u; // K per step = 32 * LANES

var<workgroup> xs: array<f32, 2048>; // [MAXM][BLOCK]
var<workgroup> red: array<f32, 512>; // [64 threads][MAXM]

@compute @workgroup_size(64)
fn qmv(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lid: u32) {
    let ti = tile_index(wid, nwg);
    let tile_live = ti < p.tiles;
    let tile = tiles[min(ti, p.tiles - 1u)];
    let count = select(0u, tile.z, tile_live);
    let lane = lid % LANES;
    let col = wid.x * COLS + lid / LANES;
    let live = tile_live && col < p.n;
    var acc: array<f32, 8>;
    var q: array<f32, 16>;
    let blocks = (p.k + BLOCK - 1u) / BLOCK;
    for (var b = 0u; b < blocks; b++) {
        let k0 = b * BLOCK;
        for (var i = lid; i < count * BLOCK; i += 64u) {
            let kk = k0 + i % BLOCK;
            var v = 0.0;
            if kk < p.k {
                v = x_value(rows[tile.y + i / BLOCK].x, kk);
            }
            xs[i] = v;
        }
        workgroupBarrier();
        let c = b * LANES + lane;
        if live && c * 32u < p.k {
            load_w_chunk(tile.x, col, c);
            for (var h = 0u; h < 2u; h++) {
                let j0 = c * 32u + h * 16u;
                if j0 >= p.k {
                    break;
                }
                let sb = group_params(tile.x, col, j0);
                for (var e = 0u; e < 16u; e++) {
                    let code = chunk_code(h * 16u + e);
                    if MODE == MODE_AFFINE {
                        q[e] = f32(code);
                    } else {
                        q[e] = weight_value(code, 1.0, 0.0);
                    }
                }
                for (var mi = 0u; mi < MAXM; mi++) {
                    if mi < count {
                        let base = mi * BLOCK + (j0 - k0);
                        var sqx = 0.0;
                        var sx = 0.0;
                        for (var e = 0u; e < 16u; e++) {
                            let xv = xs[base + e];
                            sqx += q[e] * xv;
                            sx += xv;
                        }
                        if MODE == MODE_AFFINE {
                            acc[mi] += sb.x * sqx + sb.y * sx;
                        } else {
                            acc[mi] += sb.x * sqx;
                        }
                    }
                }
            }
        }
        workgroupBarrier();
    }
    for (var mi = 0u; mi < MAXM; mi++) {
        red[lid * MAXM + mi] = acc[mi];
    }
    workgroupBarrier();
    for (var stride = LANES / 2u; stride > 0u; stride >>= 1u) {
        if lane < stride {
            for (var mi = 0u; mi < MAXM; mi++) {
                red[lid * MAXM + mi] += red[(lid + stride) * MAXM + mi];
            }
        }
        workgroupBarrier();
    }
    if live && lane == 0u {
        for (var mi = 0u; mi < MAXM; mi++) {
            if mi < count {
                out[rows[tile.y + mi].y * p.n + col] = red[lid * MAXM + mi];
            }
        }
    }
}
