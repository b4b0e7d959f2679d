// language: metal2.4
#include <metal_stdlib>
#include <simd/simd.h>

using metal::uint;

struct _mslBufferSizes {
    uint size2;
    uint size4;
    uint size5;
    uint size6;
    uint size7;
};

struct type_4 {
    uint inner[8];
};
typedef metal::uint4 type_6[1];
struct Params {
    uint elems;
    uint words;
    uint has_global;
    uint _pad;
};
typedef uint type_7[1];
typedef float type_8[1];
constant uint MODE_AFFINE = 0u;
constant uint MODE_MXFP4_ = 1u;
constant uint MODE_MXFP8_ = 2u;
constant uint MODE_NVFP4_ = 3u;
constant uint DT_F32_ = 0u;
constant uint DT_F16_ = 1u;
constant uint DT_BF16_ = 2u;
constant uint BITS = 4u;
constant uint GS = 64u;
constant uint MODE = 0u;
constant uint SDT = 0u;
constant uint ODT = 0u;

float f16_to_f32_(
    uint h
) {
    uint s_1 = (h & 32768u) << 16u;
    uint e_2 = (h >> 10u) & 31u;
    uint m = h & 1023u;
    if (e_2 == 0u) {
        return as_type<float>(as_type<uint>(static_cast<float>(m) * 0.000000059604645) | s_1);
    }
    if (e_2 == 31u) {
        return as_type<float>((s_1 | 2139095040u) | (m << 13u));
    }
    return as_type<float>((s_1 | ((e_2 + 112u) << 23u)) | (m << 13u));
}

uint naga_f2u32(float value) {
    return static_cast<uint>(metal::clamp(value, 0.0, 4294967000.0));
}

uint f32_to_f16_(
    float f
) {
    uint x_2 = as_type<uint>(f);
    uint s_2 = (x_2 >> 16u) & 32768u;
    uint a_4 = x_2 & 2147483647u;
    if (a_4 > 2139095040u) {
        return (s_2 | 32256u) | ((a_4 & 8388607u) >> 13u);
    }
    if (a_4 >= 1199566848u) {
        return s_2 | 31744u;
    }
    if (a_4 < 947912704u) {
        return s_2 | naga_f2u32(metal::rint(as_type<float>(a_4) * 16777216.0));
    }
    uint r = (a_4 + 4095u) + ((a_4 >> 13u) & 1u);
    return s_2 | ((r - 939524096u) >> 13u);
}

float bf16_to_f32_(
    uint h_1
) {
    return as_type<float>(h_1 << 16u);
}

uint f32_to_bf16_(
    float f_1
) {
    uint x_3 = as_type<uint>(f_1);
    if ((x_3 & 2147483647u) > 2139095040u) {
        return (x_3 >> 16u) | 64u;
    }
    return ((x_3 + 32767u) + ((x_3 >> 16u) & 1u)) >> 16u;
}

uint word_index(
    uint i_2,
    uint dt
) {
    return (dt == DT_F32_) ? i_2 : (i_2 >> 1u);
}

float float_from_word(
    uint word,
    uint i_3,
    uint dt_1
) {
    if (dt_1 == DT_F32_) {
        return as_type<float>(word);
    }
    uint h_2 = (word >> ((i_3 & 1u) * 16u)) & 65535u;
    float _e13 = bf16_to_f32_(h_2);
    float _e14 = f16_to_f32_(h_2);
    return (dt_1 == DT_F16_) ? _e14 : _e13;
}

uint float_to_bits(
    float v,
    uint dt_2
) {
    if (dt_2 == DT_F32_) {
        return as_type<uint>(v);
    }
    uint _e5 = f32_to_bf16_(v);
    uint _e6 = f32_to_f16_(v);
    return (dt_2 == DT_F16_) ? _e6 : _e5;
}

float next_toward(
    float q,
    bool up
) {
    if (q == 0.0) {
        return up ? as_type<float>(1u) : as_type<float>(2147483649u);
    }
    uint b_5 = as_type<uint>(q);
    bool away = up == (q > 0.0);
    return as_type<float>(away ? (b_5 + 1u) : (b_5 - 1u));
}

float opq(
    float x,
    thread uint& opaque_zero
) {
    uint _e3 = opaque_zero;
    return as_type<float>(as_type<uint>(x) | _e3);
}

float hi12_(
    float x_1
) {
    return as_type<float>(as_type<uint>(x_1) & 4294963200u);
}

metal::float2 two_sum(
    float a,
    float b,
    thread uint& opaque_zero
) {
    float _e3 = opq(a + b, opaque_zero);
    float _e5 = opq(_e3 - a, opaque_zero);
    float _e7 = opq(_e3 - _e5, opaque_zero);
    float _e9 = opq(a - _e7, opaque_zero);
    float _e11 = opq(b - _e5, opaque_zero);
    return metal::float2(_e3, _e9 + _e11);
}

float add_round_odd(
    float a_1,
    float b_1,
    thread uint& opaque_zero
) {
    bool local_1 = {};
    metal::float2 _e2 = two_sum(a_1, b_1, opaque_zero);
    if (_e2.y != 0.0) {
        local_1 = (as_type<uint>(_e2.x) & 1u) == 0u;
    } else {
        local_1 = false;
    }
    bool _e15 = local_1;
    if (_e15) {
        float _e20 = next_toward(_e2.x, _e2.y > 0.0);
        return _e20;
    }
    return _e2.x;
}

float fma_code(
    float s,
    float q_1,
    float b_2,
    thread uint& opaque_zero
) {
    float _e3 = hi12_(s);
    float _e5 = opq(_e3 * q_1, opaque_zero);
    float _e7 = opq(s - _e3, opaque_zero);
    float _e9 = opq(_e7 * q_1, opaque_zero);
    metal::float2 _e10 = two_sum(_e9, b_2, opaque_zero);
    metal::float2 _e12 = two_sum(_e5, _e10.x, opaque_zero);
    float _e16 = add_round_odd(_e12.y, _e10.y, opaque_zero);
    return _e12.x + _e16;
}

float div_remainder(
    float a_2,
    float q_2,
    float b_3,
    thread uint& opaque_zero
) {
    float _e3 = hi12_(q_2);
    float _e5 = opq(q_2 - _e3, opaque_zero);
    float _e6 = hi12_(b_3);
    float _e8 = opq(b_3 - _e6, opaque_zero);
    float _e10 = opq(_e3 * _e6, opaque_zero);
    float _e12 = opq(a_2 - _e10, opaque_zero);
    float _e14 = opq(_e3 * _e8, opaque_zero);
    float _e16 = opq(_e12 - _e14, opaque_zero);
    float _e18 = opq(_e5 * _e6, opaque_zero);
    float _e20 = opq(_e16 - _e18, opaque_zero);
    float _e22 = opq(_e5 * _e8, opaque_zero);
    return _e20 - _e22;
}

float div_rn(
    float a_3,
    float b_4,
    thread uint& opaque_zero
) {
    float q_3 = {};
    bool local_2 = {};
    uint i_4 = 0u;
    q_3 = a_3 / b_4;
    float _e4 = q_3;
    bool finite = (as_type<uint>(_e4) & 2139095040u) != 2139095040u;
    if (!(!(finite))) {
        float _e14 = q_3;
        local_2 = _e14 == 0.0;
    } else {
        local_2 = true;
    }
    bool _e18 = local_2;
    if (_e18) {
        float _e19 = q_3;
        return _e19;
    }
    bool loop_init = true;
    while(true) {
        if (!loop_init) {
            uint _e41 = i_4;
            i_4 = _e41 + 1u;
        }
        loop_init = false;
        uint _e22 = i_4;
        if (_e22 < 4u) {
        } else {
            break;
        }
        {
            float _e25 = q_3;
            float _e26 = div_remainder(a_3, _e25, b_4, opaque_zero);
            if (_e26 == 0.0) {
                break;
            }
            float _e29 = q_3;
            float _e35 = next_toward(_e29, (_e26 > 0.0) == (b_4 > 0.0));
            float _e36 = div_remainder(a_3, _e35, b_4, opaque_zero);
            if (metal::abs(_e36) < metal::abs(_e26)) {
                q_3 = _e35;
            } else {
                break;
            }
        }
    }
    float _e43 = q_3;
    return _e43;
}

float fp4_value(
    uint code
) {
    float v_1 = {};
    uint e_3 = (code >> 1u) & 3u;
    float m_1 = static_cast<float>(code & 1u);
    v_1 = m_1 * 0.5;
    if (e_3 != 0u) {
        v_1 = (1.0 + (m_1 * 0.5)) * static_cast<float>(1u << (e_3 - 1u));
    }
    float _e23 = v_1;
    float _e24 = v_1;
    return ((code & 8u) != 0u) ? -(_e24) : _e23;
}

float fp8_e4m3_value(
    uint code_1
) {
    float mag = {};
    if ((code_1 & 127u) == 127u) {
        return as_type<float>(2143289344u);
    }
    uint e_4 = (code_1 >> 3u) & 15u;
    if (e_4 == 0u) {
        mag = static_cast<float>(code_1 & 7u) * 0.001953125;
    } else {
        mag = as_type<float>(((e_4 + 120u) << 23u) | ((code_1 & 7u) << 20u));
    }
    float _e29 = mag;
    float _e30 = mag;
    return ((code_1 & 128u) != 0u) ? -(_e30) : _e29;
}

float e8m0_value(
    uint code_2
) {
    if (code_2 == 0u) {
        return as_type<float>(4194304u);
    }
    if (code_2 == 255u) {
        return as_type<float>(2139095040u);
    }
    return as_type<float>(code_2 << 23u);
}

float weight_value(
    uint code_3,
    float scale,
    float bias
) {
    if (true) {
        return metal::fma(scale, static_cast<float>(code_3), bias);
    }
    if (false) {
        float _e15 = fp8_e4m3_value(code_3);
        return _e15 * scale;
    }
    float _e17 = fp4_value(code_3);
    return _e17 * scale;
}

float weight_value_exact(
    uint code_4,
    float scale_1,
    float bias_1,
    thread uint& opaque_zero
) {
    if (true) {
        float _e9 = fma_code(scale_1, static_cast<float>(code_4), bias_1, opaque_zero);
        return _e9;
    }
    float _e10 = weight_value(code_4, scale_1, bias_1);
    return _e10;
}

uint chunk_code(
    uint e,
    thread type_4& chunk
) {
    uint v_2 = {};
    uint pos = e * BITS;
    uint wi = pos >> 5u;
    uint sh = pos & 31u;
    uint _e9 = chunk.inner[wi];
    v_2 = _e9 >> sh;
    if ((sh + BITS) > 32u) {
        uint _e16 = v_2;
        uint _e21 = chunk.inner[wi + 1u];
        v_2 = _e16 | (_e21 << (32u - sh));
    }
    uint _e26 = v_2;
    return _e26 & 15u;
}

float fp_scale(
    uint byte,
    float global_factor,
    bool has_global
) {
    if (false) {
        float _e8 = fp8_e4m3_value(byte);
        return has_global ? (_e8 * global_factor) : _e8;
    }
    float _e11 = e8m0_value(byte);
    return _e11;
}

uint wq_word(
    uint i_5,
    device type_6 const& wq,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint _e8 = wq[i_5 >> 2u][i_5 & 3u];
    return _e8;
}

void load_chunk(
    uint start,
    uint end,
    thread type_4& chunk,
    device type_6 const& wq,
    constant _mslBufferSizes& _buffer_sizes
) {
    bool local_3 = {};
    bool local_4 = {};
    uint v_3 = 0u;
    uint i_6 = 0u;
    if (true) {
        local_3 = (start & 3u) == 0u;
    } else {
        local_3 = false;
    }
    bool _e15 = local_3;
    if (_e15) {
        local_4 = (start + BITS) <= end;
    } else {
        local_4 = false;
    }
    bool _e22 = local_4;
    if (_e22) {
        bool loop_init_1 = true;
        while(true) {
            if (!loop_init_1) {
                uint _e69 = v_3;
                v_3 = _e69 + 1u;
            }
            loop_init_1 = false;
            uint _e25 = v_3;
            if (_e25 < 1u) {
            } else {
                break;
            }
            {
                uint _e34 = v_3;
                metal::uint4 q_4 = wq[(start >> 2u) + _e34];
                uint _e40 = v_3;
                chunk.inner[4u * _e40] = q_4.x;
                uint _e46 = v_3;
                chunk.inner[(4u * _e46) + 1u] = q_4.y;
                uint _e54 = v_3;
                chunk.inner[(4u * _e54) + 2u] = q_4.z;
                uint _e62 = v_3;
                chunk.inner[(4u * _e62) + 3u] = q_4.w;
            }
        }
        return;
    }
    bool loop_init_2 = true;
    while(true) {
        if (!loop_init_2) {
            uint _e88 = i_6;
            i_6 = _e88 + 1u;
        }
        loop_init_2 = false;
        uint _e73 = i_6;
        if (_e73 < BITS) {
        } else {
            break;
        }
        {
            uint _e77 = i_6;
            uint _e80 = i_6;
            uint _e82 = wq_word(start + _e80, wq, _buffer_sizes);
            uint _e83 = i_6;
            chunk.inner[_e77] = ((start + _e83) < end) ? _e82 : 0u;
        }
    }
    return;
}

float element(
    uint e_1,
    float gf_1,
    thread uint& opaque_zero,
    thread type_4& chunk,
    constant Params& p,
    device type_7 const& scales,
    device type_7 const& biases,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint g = e_1 / GS;
    uint _e6 = chunk_code(e_1 & 31u, chunk);
    if (true) {
        uint _e14 = word_index(g, SDT);
        uint _e16 = scales[_e14];
        float _e18 = float_from_word(_e16, g, SDT);
        uint _e21 = word_index(g, SDT);
        uint _e23 = biases[_e21];
        float _e25 = float_from_word(_e23, g, SDT);
        float _e26 = weight_value_exact(_e6, _e18, _e25, opaque_zero);
        return _e26;
    }
    uint _e31 = scales[g >> 2u];
    uint byte_1 = (_e31 >> ((g & 3u) * 8u)) & 255u;
    uint _e41 = p.has_global;
    float _e44 = fp_scale(byte_1, gf_1, _e41 != 0u);
    float _e46 = weight_value(_e6, _e44, 0.0);
    return _e46;
}

struct dequantize_chunksInput {
};
[[max_total_threads_per_threadgroup(64)]] kernel void dequantize_chunks(
  metal::uint3 wid [[threadgroup_position_in_grid]]
, metal::uint3 nwg [[threadgroups_per_grid]]
, uint lid [[thread_index_in_threadgroup]]
, device type_6 const& wq [[buffer(1)]]
, constant Params& p [[buffer(0)]]
, device type_7 const& scales [[buffer(2)]]
, device type_7 const& biases [[buffer(3)]]
, device type_8 const& gscale [[buffer(4)]]
, device type_7& out [[buffer(5)]]
, constant _mslBufferSizes& _buffer_sizes [[buffer(15)]]
) {
    uint opaque_zero = {};
    type_4 chunk = {};
    float gf = 0.0;
    bool local = {};
    uint i = 0u;
    uint i_1 = 0u;
    uint c = (((wid.y * nwg.x) + wid.x) * 64u) + lid;
    uint _e14 = p._pad;
    opaque_zero = _e14;
    uint e0_ = c * 32u;
    uint _e19 = p.elems;
    if (e0_ >= _e19) {
        return;
    }
    if (false) {
        uint _e32 = p.has_global;
        local = _e32 != 0u;
    } else {
        local = false;
    }
    bool _e36 = local;
    if (_e36) {
        float _e39 = gscale[0];
        float _e41 = div_rn(_e39, 2688.0, opaque_zero);
        gf = _e41;
    }
    uint _e46 = p.words;
    load_chunk(c * BITS, _e46, chunk, wq, _buffer_sizes);
    uint _e50 = p.elems;
    uint count = metal::min(32u, _e50 - e0_);
    if (true) {
        bool loop_init_3 = true;
        while(true) {
            if (!loop_init_3) {
                uint _e72 = i;
                i = _e72 + 1u;
            }
            loop_init_3 = false;
            uint _e60 = i;
            if (_e60 < count) {
            } else {
                break;
            }
            {
                uint _e63 = i;
                uint _e66 = i;
                float _e68 = gf;
                float _e69 = element(e0_ + _e66, _e68, opaque_zero, chunk, p, scales, biases, _buffer_sizes);
                out[e0_ + _e63] = as_type<uint>(_e69);
            }
        }
        return;
    } else {
        bool loop_init_4 = true;
        while(true) {
            if (!loop_init_4) {
                uint _e101 = i_1;
                i_1 = _e101 + 2u;
            }
            loop_init_4 = false;
            uint _e76 = i_1;
            if (_e76 < count) {
            } else {
                break;
            }
            {
                uint _e78 = i_1;
                float _e80 = gf;
                float _e81 = element(e0_ + _e78, _e80, opaque_zero, chunk, p, scales, biases, _buffer_sizes);
                uint _e83 = float_to_bits(_e81, ODT);
                uint _e84 = i_1;
                float _e88 = gf;
                float _e89 = element((e0_ + _e84) + 1u, _e88, opaque_zero, chunk, p, scales, biases, _buffer_sizes);
                uint _e91 = float_to_bits(_e89, ODT);
                uint _e93 = i_1;
                out[(e0_ + _e93) >> 1u] = _e83 | (_e91 << 16u);
            }
        }
        return;
    }
}
