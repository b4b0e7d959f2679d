// cast.wgsl: float32 results -> float16 / bfloat16 output, two elements per written word
// (storage has no 16-bit writes). Rounds to nearest even like the CPU backend.

override ODT: u32 = 1u;

struct Params {
    elems: u32,
    _a: u32,
    _b: u32,
    _c: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(64)
fn cast_pairs(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) lid: u32) {
    let t = (wid.y * nwg.x + wid.x) * 64u + lid;
    let e = t * 2u;
    if e >= p.elems {
        return;
    }
    let lo = float_to_bits(src[e], ODT);
    var hi = 0u;
    if e + 1u < p.elems {
        hi = float_to_bits(src[e + 1u], ODT);
    }
    dst[t] = lo | (hi << 16u);
}
