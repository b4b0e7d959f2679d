// dequantize.wgsl: packed codes -> floats, bit-exact with the CPU backend. A quantized tensor is
// one flat bitstream (rows are contiguous and hold whole words), so one thread expands one flat
// 32-element chunk and writes whole output words.

override SDT: u32 = 0u; // affine scales/biases dtype
override ODT: u32 = 0u; // output dtype

struct Params {
    elems: u32,      // total elements
    words: u32,      // total packed words
    has_global: u32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> wq: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read> scales: array<u32>;
@group(0) @binding(3) var<storage, read> biases: array<u32>;
@group(0) @binding(4) var<storage, read> gscale: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<u32>;

fn element(e: u32, gf: f32) -> f32 {
    let g = e / GS;
    let code = chunk_code(e & 31u);
    if MODE == MODE_AFFINE {
        let s = float_from_word(scales[word_index(g, SDT)], g, SDT);
        let b = float_from_word(biases[word_index(g, SDT)], g, SDT);
        return weight_value_exact(code, s, b);
    }
    let byte = (scales[g >> 2u] >> ((g & 3u) * 8u)) & 0xffu;
    return weight_value(code, fp_scale(byte, gf, p.has_global != 0u), 0.0);
}

@compute @workgroup_size(64)
fn dequantize_chunks(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                     @builtin(local_invocation_index) lid: u32) {
    let c = (wid.y * nwg.x + wid.x) * 64u + lid;
    opaque_zero = p._pad;
    let e0 = c * 32u;
    if e0 >= p.elems {
        return;
    }
    var gf = 0.0;
    if MODE == MODE_NVFP4 && p.has_global != 0u {
        gf = div_rn(gscale[0], 2688.0);
    }
    load_chunk(c * BITS, p.words);
    let count = min(32u, p.elems - e0);
    if ODT == DT_F32 {
        for (var i = 0u; i < count; i++) {
            out[e0 + i] = bitcast<u32>(element(e0 + i, gf));
        }
    } else {
        for (var i = 0u; i < count; i += 2u) {
            let lo = float_to_bits(element(e0 + i, gf), ODT);
            let hi = float_to_bits(element(e0 + i + 1u, gf), ODT);
            out[(e0 + i) >> 1u] = lo | (hi << 16u);
        }
    }
}
