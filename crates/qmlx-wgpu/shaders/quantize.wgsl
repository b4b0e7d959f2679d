// quantize.wgsl: float weights -> packed codes + per-group scales (+ biases), bit-exact with the
// CPU backend (qmlx_core::format::quantize). One thread writes one word of scales, i.e. 1, 2 or
// 4 consecutive groups (f32 / 16-bit scales / u8 scale bytes), and those groups' packed codes.
// Rows are contiguous, so groups, codes and scales are all addressed flat.

override WDT: u32 = 0u;      // weight dtype (also affine scales/biases dtype)
override ROUNDING: u32 = 0u; // affine only: 0 MLX GPU (half away, range from 0), 1 MLX CPU

struct Params {
    groups: u32,     // total groups = rows * cols / GS
    gpr: u32,        // groups per row (for error reporting)
    has_global: u32, // nvfp4 global scale given
    _pad: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w_in: array<u32>;
@group(0) @binding(2) var<storage, read> gscale: array<f32>;
@group(0) @binding(3) var<storage, read_write> wq_out: array<u32>;
@group(0) @binding(4) var<storage, read_write> scales_out: array<u32>;
@group(0) @binding(5) var<storage, read_write> biases_out: array<u32>;
// [0] = first row holding NaN/inf (atomicMin, starts at 0xffffffff); [1] = bad global scale.
@group(0) @binding(6) var<storage, read_write> status: array<atomic<u32>>;

var<private> vals: array<f32, 128>;

fn rnd(x: f32) -> f32 {
    return select(round(x), round_half_away(x), ROUNDING == 0u);
}

// Groups sharing one word of scales.
fn groups_per_word() -> u32 {
    if MODE != MODE_AFFINE {
        return 4u;
    }
    return select(2u, 1u, WDT == DT_F32);
}

// Encodes element i of the current group under (scale, bias) / mult.
fn code_of(i: u32, scale: f32, bias: f32, mult: f32) -> u32 {
    if MODE == MODE_AFFINE {
        let n_levels = f32((1u << BITS) - 1u);
        return u32(clamp(rnd(div_rn(vals[i] - bias, scale)), 0.0, n_levels));
    }
    if MODE == MODE_MXFP8 {
        return fp8_e4m3_encode(vals[i] * mult);
    }
    return fp4_encode(vals[i] * mult);
}

fn pack_group(g: u32, scale: f32, bias: f32, mult: f32) {
    var out_w = g * (GS * BITS / 32u);
    var cur = 0u;
    var filled = 0u;
    for (var i = 0u; i < GS; i++) {
        let c = code_of(i, scale, bias, mult);
        cur = cur | (c << filled);
        filled += BITS;
        if filled >= 32u {
            wq_out[out_w] = cur;
            out_w += 1u;
            filled -= 32u;
            cur = select(0u, c >> (BITS - filled), filled > 0u);
        }
    }
}

@compute @workgroup_size(64)
fn quantize_groups(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_index) lid: u32) {
    let t = (wid.y * nwg.x + wid.x) * 64u + lid;
    opaque_zero = p._pad;
    let per_word = groups_per_word();
    if t * per_word >= p.groups {
        return;
    }
    let width = 32u / per_word;
    let field_mask = select((1u << width) - 1u, 0xffffffffu, width == 32u);
    var scale_word = 0u;
    var bias_word = 0u;

    // nvfp4 global scale: quantize with 2688/g (checked finite and positive).
    var enc = 1.0;
    let has_global = MODE == MODE_NVFP4 && p.has_global != 0u;
    if has_global {
        let g = gscale[0];
        if !(is_finite_f32(g) && g > 0.0) {
            atomicOr(&status[1], 1u);
            return;
        }
        enc = div_rn(2688.0, g);
    }

    for (var s = 0u; s < per_word; s++) {
        let g = t * per_word + s;
        if g >= p.groups {
            break;
        }
        var finite = true;
        var hi = select(0.0, -bitcast<f32>(0x7f7fffffu), ROUNDING == 1u);
        var lo = bitcast<f32>(0x7f7fffffu);
        var amax = 0.0;
        for (var i = 0u; i < GS; i++) {
            let e = g * GS + i;
            let v = float_from_word(w_in[word_index(e, WDT)], e, WDT);
            vals[i] = v;
            finite = finite && is_finite_f32(v);
            hi = max(hi, v);
            lo = min(lo, v);
            amax = max(amax, abs(v));
        }
        if !finite {
            atomicMin(&status[0], g / p.gpr);
            continue;
        }
        if MODE == MODE_AFFINE {
            var scale: f32;
            var bias: f32;
            if BITS == 1u {
                scale = max(hi - lo, 1e-7);
                bias = lo;
            } else {
                let n_levels = f32((1u << BITS) - 1u);
                let s0 = max(div_rn(hi - lo, n_levels), 1e-7);
                let side = abs(lo) > abs(hi);
                let s1 = select(-s0, s0, side);
                let edge = select(hi, lo, side);
                let q0 = rnd(div_rn(edge, s1));
                if q0 == 0.0 {
                    scale = s1;
                    bias = 0.0;
                } else {
                    scale = div_rn(edge, q0);
                    bias = edge;
                }
            }
            pack_group(g, scale, bias, 1.0);
            scale_word = scale_word | ((float_to_bits(scale, WDT) & field_mask) << (s * width));
            bias_word = bias_word | ((float_to_bits(bias, WDT) & field_mask) << (s * width));
        } else {
            var byte: u32;
            var mult: f32;
            if MODE == MODE_NVFP4 {
                byte = fp8_e4m3_encode(div_rn(amax, 6.0) * enc);
                let d = fp8_e4m3_value(byte);
                mult = select(div_rn(enc, d), 0.0, d == 0.0);
            } else {
                let maxval = select(6.0, 448.0, MODE == MODE_MXFP8);
                byte = e8m0_encode_ceil(div_rn(amax, maxval));
                // 1 / 2^(byte-127), built exactly from bits; byte 255 (inf) gives 0.
                mult = bitcast<f32>((254u - min(byte, 253u)) << 23u);
                if byte == 254u {
                    mult = bitcast<f32>(0x00400000u);
                } else if byte == 255u {
                    mult = 0.0;
                }
            }
            pack_group(g, 0.0, 0.0, mult);
            scale_word = scale_word | (byte << (s * 8u));
        }
    }
    scales_out[t] = scale_word;
    if MODE == MODE_AFFINE {
        biases_out[t] = bias_word;
    }
}
