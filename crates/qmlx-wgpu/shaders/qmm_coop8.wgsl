// qmm_coop8.wgsl: the tiled y = x @ Ŵᵀ (TRANSPOSE=1) or x @ Ŵ (TRANSPOSE=0) of qmm.wgsl with its
// inner product on 8×8 cooperative matrices (Metal `simdgroup_float8x8`, naga's
// `coop_mat8x8<f32>`). OPTIONAL, behind the Metal host's `coop-matrix` flag, and it CANNOT RUN ON
// ANY MACHINE WE HAVE: lavapipe has no cooperative matrices and NVIDIA's Vulkan driver offers no
// 8×8 shape, so it is only translated to MSL and clang-checked (scripts/check_msl.sh).
//
// A 64-thread workgroup computes a 32×32 output tile staged as for qmm.wgsl (the shared
// qmm_tile.wgsl): per 32-wide step of K, the x tile [32 rows][32 k] and the dequantized w tile
// [32 k][32 n] go to workgroup memory (f32, so every mode, bits and activation dtype is served by
// the same matrices); xs holds the output tile at the end. The
// tile is 4×4 blocks of 8×8; on Apple GPUs (SIMD width 32, which the host checks before choosing
// this kernel) the workgroup is two simdgroups and simdgroup s owns block rows 2s and 2s+1: 8
// accumulators. The result goes back through workgroup memory so that only valid rows/columns
// are written, through the row table.
//
// @workgroup_size(64), not 32: Apple's compiler has miscompiled simdgroup-matrix kernels bounded
// by max_total_threads_per_threadgroup(32) (spec apple-gpu-options.md §1.2; naga always emits
// the bound).

enable wgpu_cooperative_matrix;

// Zeros the accumulators are loaded from: naga writes `coop_mat8x8<f32, C>()` as
// `simdgroup_float8x8 {}`, and whether that is zero-filled in Metal is not something we can check.
var<workgroup> zero8: array<f32, 64>;

@compute @workgroup_size(64)
fn qmm_coop8(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lid: u32, @builtin(subgroup_id) sg: u32) {
    let ti = tile_index(wid, nwg);
    let live = ti < p.tiles;
    let tile = tiles[min(ti, p.tiles - 1u)];
    let n0 = wid.x * 32u;
    let r0 = sg * 16u;  // this simdgroup's first output row in the tile
    zero8[lid] = 0.0;
    workgroupBarrier();
    var c00 = coopLoadT<coop_mat8x8<f32, C>>(&zero8[0], 8u);
    var c01 = c00;
    var c02 = c00;
    var c03 = c00;
    var c10 = c00;
    var c11 = c00;
    var c12 = c00;
    var c13 = c00;
    let steps = (p.k + 31u) / 32u;
    for (var kc = 0u; kc < steps; kc++) {
        stage_tiles(tile, live, n0, kc, lid);
        workgroupBarrier();
        for (var kk = 0u; kk < 32u; kk += 8u) {
            // Row-major 8×8 blocks with a stride of 32 (coopLoadT: row-major).
            let a0 = coopLoadT<coop_mat8x8<f32, A>>(&xs[r0 * 32u + kk], 32u);
            let a1 = coopLoadT<coop_mat8x8<f32, A>>(&xs[(r0 + 8u) * 32u + kk], 32u);
            let b0 = coopLoadT<coop_mat8x8<f32, B>>(&ws[kk * 32u], 32u);
            let b1 = coopLoadT<coop_mat8x8<f32, B>>(&ws[kk * 32u + 8u], 32u);
            let b2 = coopLoadT<coop_mat8x8<f32, B>>(&ws[kk * 32u + 16u], 32u);
            let b3 = coopLoadT<coop_mat8x8<f32, B>>(&ws[kk * 32u + 24u], 32u);
            c00 = coopMultiplyAdd(a0, b0, c00);
            c01 = coopMultiplyAdd(a0, b1, c01);
            c02 = coopMultiplyAdd(a0, b2, c02);
            c03 = coopMultiplyAdd(a0, b3, c03);
            c10 = coopMultiplyAdd(a1, b0, c10);
            c11 = coopMultiplyAdd(a1, b1, c11);
            c12 = coopMultiplyAdd(a1, b2, c12);
            c13 = coopMultiplyAdd(a1, b3, c13);
        }
        workgroupBarrier();
    }
    // The output tile [32 rows][32 n] through xs, then the valid part to `out`.
    coopStoreT(c00, &xs[r0 * 32u], 32u);
    coopStoreT(c01, &xs[r0 * 32u + 8u], 32u);
    coopStoreT(c02, &xs[r0 * 32u + 16u], 32u);
    coopStoreT(c03, &xs[r0 * 32u + 24u], 32u);
    coopStoreT(c10, &xs[(r0 + 8u) * 32u], 32u);
    coopStoreT(c11, &xs[(r0 + 8u) * 32u + 8u], 32u);
    coopStoreT(c12, &xs[(r0 + 8u) * 32u + 16u], 32u);
    coopStoreT(c13, &xs[(r0 + 8u) * 32u + 24u], 32u);
    workgroupBarrier();
    if live {
        for (var i = lid; i < 1024u; i += 64u) {
            let row = i / 32u;
            let col = n0 + i % 32u;
            if row < tile.z && col < p.n {
                out[rows[tile.y + row].y * p.n + col] = bitcast<u32>(xs[i]); // float32 bits (a cast follows for 16-bit)
            }
        }
    }
}
