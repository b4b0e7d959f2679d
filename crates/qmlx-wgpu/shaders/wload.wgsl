// wload.wgsl: loads packed-code chunks from `wq: array<vec4<u32>>`, declared by each kernel that
// includes this file. Chunks of 4- and 8-bit codes are whole 16-byte vectors when the row is
// 16-byte aligned (every real model shape), so those load as `vec4<u32>`; other widths and odd
// row starts fall back to word reads.

fn wq_word(i: u32) -> u32 {
    return wq[i >> 2u][i & 3u];
}

// Fills `chunk` with the `BITS` words starting at word `start`; words at or past `end` (the end
// of the stored row) read as 0, so a partial last chunk (nvfp4 rows of 16) never reads further.
fn load_chunk(start: u32, end: u32) {
    if (BITS & 3u) == 0u && (start & 3u) == 0u && start + BITS <= end {
        for (var v = 0u; v < BITS / 4u; v++) {
            let q = wq[(start >> 2u) + v];
            chunk[4u * v] = q.x;
            chunk[4u * v + 1u] = q.y;
            chunk[4u * v + 2u] = q.z;
            chunk[4u * v + 3u] = q.w;
        }
        return;
    }
    for (var i = 0u; i < BITS; i++) {
        chunk[i] = select(0u, wq_word(start + i), start + i < end);
    }
}
