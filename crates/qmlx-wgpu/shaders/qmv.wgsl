// qmv.wgsl: y = x @ Ŵᵀ for a few rows of x (decode). A 64-thread workgroup computes 4 output
// columns; 16 threads share each stored row of w, each expanding 32-element chunks once and
// applying them to up to 8 rows of x. The 16 partial sums meet in workgroup memory, so the
// kernel does not depend on the subgroup size (8 on lavapipe, 32 on Apple and NVIDIA).

const LANES: u32 = 16u;
const MAXM: u32 = 8u;

var<workgroup> red: array<f32, 512>; // [64 threads][MAXM]

@compute @workgroup_size(64)
fn qmv(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lid: u32) {
    let ti = tile_index(wid, nwg);
    let tile = tiles[min(ti, p.tiles - 1u)];
    let lane = lid % LANES;
    let col = wid.x * 4u + lid / LANES;
    let live = ti < p.tiles && col < p.n;
    var acc: array<f32, 8>;
    if live {
        let chunks = (p.k + 31u) / 32u;
        var w16: array<f32, 16>;
        for (var c = lane; c < chunks; c += LANES) {
            load_w_chunk(tile.x, col, c);
            for (var h = 0u; h < 2u; h++) {
                let j0 = c * 32u + h * 16u;
                if j0 >= p.k {
                    break;
                }
                half_weights(tile.x, col, c, h, &w16);
                for (var mi = 0u; mi < MAXM; mi++) {
                    if mi < tile.z {
                        let xr = rows[tile.y + mi].x;
                        var s = 0.0;
                        for (var e = 0u; e < 16u; e++) {
                            s += w16[e] * x_value(xr, j0 + e);
                        }
                        acc[mi] += s;
                    }
                }
            }
        }
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
            if mi < tile.z {
                out[rows[tile.y + mi].y * p.n + col] = red[lid * MAXM + mi];
            }
        }
    }
}
