// qmv_half.wgsl: the packed f16 arithmetic of qmv's f16 path (QMV_DECODE = 3: 4-bit codes, f16
// x). The host puts `enable f16;` and this file into the module only where the device has
// SHADER_F16 (src/shaders.rs `Kernel::source_for`); elsewhere qmv_half_off.wgsl gives the same
// names, never called. Values travel as u32 (an f16 pair's bits) so qmv.wgsl needs no f16 type.
// On NVIDIA a vec2<f16> multiply-add is one HFMA2: two products per instruction where the f32
// path spends two FFMAs and two f16 → f32 conversions.

// An f16 pair's bits as vec2<f16> and back. naga 30's bitcast keeps the vector size (no
// u32 ↔ vec2<f16>), so these go through f32: f16 → f32 → f16 is exact for every value, and the
// drivers' compilers fold the round trip to a register move (fptrunc of fpext).
fn qh(v: u32) -> vec2<f16> {
    return vec2<f16>(unpack2x16float(v));
}

fn qh_bits(v: vec2<f16>) -> u32 {
    return pack2x16float(vec2<f32>(v));
}

// max |x| of the eight f16 x values of a 16-byte load, as a pair (halves: two candidates).
fn qh_absmax8(w: vec4<u32>) -> u32 {
    return qh_bits(max(max(abs(qh(w.x)), abs(qh(w.y))), max(abs(qh(w.z)), abs(qh(w.w)))));
}

fn qh_max(a: u32, b: u32) -> u32 {
    return qh_bits(max(qh(a), qh(b)));
}

fn qh_add(a: u32, b: u32) -> u32 {
    return qh_bits(qh(a) + qh(b));
}

// Eight x values (a 16-byte load: x0..x7, two per word) as the pairs (x_j, x_j+4) that pairs4's
// code pairs (j, j + 4) meet, each times the f16 pair `s` (a power of two: exact).
fn qh_prep(w: vec4<u32>, s: u32) -> vec4<u32> {
    let sv = qh(s);
    let p0 = (w.x & 0xffffu) | (w.z << 16u);
    let p1 = (w.x >> 16u) | (w.z & 0xffff0000u);
    let p2 = (w.y & 0xffffu) | (w.w << 16u);
    let p3 = (w.y >> 16u) | (w.w & 0xffff0000u);
    return vec4<u32>(qh_bits(qh(p0) * sv), qh_bits(qh(p1) * sv), qh_bits(qh(p2) * sv), qh_bits(qh(p3) * sv));
}

// Σ of eight prepared x values, as a pair (halves: x0..x3, x4..x7).
fn qh_sum8(xp: vec4<u32>) -> u32 {
    return qh_bits((qh(xp.x) + qh(xp.y)) + (qh(xp.z) + qh(xp.w)));
}

// Σ f·x over an octet: four packed multiply-adds (products and the two 4-term partial sums in
// f16), the two halves returned as f32.
fn qh_dot8(h: vec4<u32>, xp: vec4<u32>) -> vec2<f32> {
    var s = qh(h.x) * qh(xp.x);
    s = fma(qh(h.y), qh(xp.y), s);
    s = fma(qh(h.z), qh(xp.z), s);
    s = fma(qh(h.w), qh(xp.w), s);
    return vec2<f32>(s);
}

// h - c, per f16 pair (c: one pair).
fn qh_sub(h: vec4<u32>, c: u32) -> vec4<u32> {
    let cv = qh(c);
    return vec4<u32>(qh_bits(qh(h.x) - cv), qh_bits(qh(h.y) - cv), qh_bits(qh(h.z) - cv), qh_bits(qh(h.w) - cv));
}

// An f16 pair as f32.
fn qh_f32(a: u32) -> vec2<f32> {
    return vec2<f32>(qh(a));
}
