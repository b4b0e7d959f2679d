// qmv_half_off.wgsl: the names of qmv_half.wgsl for modules without `enable f16` (the device
// lacks SHADER_F16, or the kernel variant does not take the f16 path). The host never sets
// QMV_DECODE = 3 with this file, so none of these runs; they only keep qmv.wgsl one text.

fn qh_absmax8(w: vec4<u32>) -> u32 {
    return 0u;
}

fn qh_max(a: u32, b: u32) -> u32 {
    return 0u;
}

fn qh_add(a: u32, b: u32) -> u32 {
    return 0u;
}

fn qh_prep(w: vec4<u32>, s: u32) -> vec4<u32> {
    return w;
}

fn qh_sum8(xp: vec4<u32>) -> u32 {
    return 0u;
}

fn qh_dot8(h: vec4<u32>, xp: vec4<u32>) -> vec2<f32> {
    return vec2<f32>(0.0);
}

fn qh_sub(h: vec4<u32>, c: u32) -> vec4<u32> {
    return h;
}

fn qh_f32(a: u32) -> vec2<f32> {
    return vec2<f32>(0.0);
}
