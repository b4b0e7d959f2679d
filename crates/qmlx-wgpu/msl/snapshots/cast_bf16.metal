// language: metal2.4
#include <metal_stdlib>
#include <simd/simd.h>

using metal::uint;

struct _mslBufferSizes {
    uint size1;
    uint size2;
};

struct Params {
    uint elems;
    uint _a;
    uint _b;
    uint _c;
};
typedef float type_2[1];
typedef uint type_3[1];
constant uint MODE_AFFINE = 0u;
constant uint MODE_MXFP4_ = 1u;
constant uint MODE_MXFP8_ = 2u;
constant uint MODE_NVFP4_ = 3u;
constant uint DT_F32_ = 0u;
constant uint DT_F16_ = 1u;
constant uint DT_BF16_ = 2u;
constant uint ODT = 2u;

uint naga_f2u32(float value) {
    return static_cast<uint>(metal::clamp(value, 0.0, 4294967000.0));
}

uint f32_to_f16_(
    float f
) {
    uint x = as_type<uint>(f);
    uint s = (x >> 16u) & 32768u;
    uint a = x & 2147483647u;
    if (a > 2139095040u) {
        return (s | 32256u) | ((a & 8388607u) >> 13u);
    }
    if (a >= 1199566848u) {
        return s | 31744u;
    }
    if (a < 947912704u) {
        return s | naga_f2u32(metal::rint(as_type<float>(a) * 16777216.0));
    }
    uint r = (a + 4095u) + ((a >> 13u) & 1u);
    return s | ((r - 939524096u) >> 13u);
}

uint f32_to_bf16_(
    float f_1
) {
    uint x_1 = as_type<uint>(f_1);
    if ((x_1 & 2147483647u) > 2139095040u) {
        return (x_1 >> 16u) | 64u;
    }
    return ((x_1 + 32767u) + ((x_1 >> 16u) & 1u)) >> 16u;
}

uint float_to_bits(
    float v,
    uint dt
) {
    if (dt == DT_F32_) {
        return as_type<uint>(v);
    }
    uint _e5 = f32_to_bf16_(v);
    uint _e6 = f32_to_f16_(v);
    return (dt == DT_F16_) ? _e6 : _e5;
}

struct cast_pairsInput {
};
[[max_total_threads_per_threadgroup(64)]] kernel void cast_pairs(
  metal::uint3 wid [[threadgroup_position_in_grid]]
, metal::uint3 nwg [[threadgroups_per_grid]]
, uint lid [[thread_index_in_threadgroup]]
, constant Params& p [[buffer(0)]]
, device type_2 const& src [[buffer(1)]]
, device type_3& dst [[buffer(2)]]
, constant _mslBufferSizes& _buffer_sizes [[buffer(15)]]
) {
    uint hi = 0u;
    uint t = (((wid.y * nwg.x) + wid.x) * 64u) + lid;
    uint e = t * 2u;
    uint _e15 = p.elems;
    if (e >= _e15) {
        return;
    }
    float _e19 = src[e];
    uint _e21 = float_to_bits(_e19, ODT);
    uint _e28 = p.elems;
    if ((e + 1u) < _e28) {
        float _e34 = src[e + 1u];
        uint _e36 = float_to_bits(_e34, ODT);
        hi = _e36;
    }
    uint _e39 = hi;
    dst[t] = _e21 | (_e39 << 16u);
    return;
}
