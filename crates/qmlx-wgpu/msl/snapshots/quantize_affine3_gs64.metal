// language: metal2.4
#include <metal_stdlib>
#include <simd/simd.h>

using metal::uint;

struct _mslBufferSizes {
    uint size2;
    uint size3;
    uint size4;
    uint size5;
    uint size6;
    uint size7;
};

struct Params {
    uint groups;
    uint gpr;
    uint has_global;
    uint _pad;
};
typedef uint type_4[1];
typedef float type_5[1];
typedef metal::atomic_uint type_7[1];
struct type_8 {
    float inner[128];
};
constant uint MODE_AFFINE = 0u;
constant uint MODE_MXFP4_ = 1u;
constant uint MODE_MXFP8_ = 2u;
constant uint MODE_NVFP4_ = 3u;
constant uint DT_F32_ = 0u;
constant uint DT_F16_ = 1u;
constant uint DT_BF16_ = 2u;
constant uint BITS = 3u;
constant uint GS = 64u;
constant uint MODE = 0u;
constant uint WDT = 2u;
constant uint ROUNDING = 0u;

float f16_to_f32_(
    uint h
) {
    uint s_1 = (h & 32768u) << 16u;
    uint e = (h >> 10u) & 31u;
    uint m = h & 1023u;
    if (e == 0u) {
        return as_type<float>(as_type<uint>(static_cast<float>(m) * 0.000000059604645) | s_1);
    }
    if (e == 31u) {
        return as_type<float>((s_1 | 2139095040u) | (m << 13u));
    }
    return as_type<float>((s_1 | ((e + 112u) << 23u)) | (m << 13u));
}

uint naga_f2u32(float value) {
    return static_cast<uint>(metal::clamp(value, 0.0, 4294967000.0));
}

uint f32_to_f16_(
    float f
) {
    uint x_6 = as_type<uint>(f);
    uint s_2 = (x_6 >> 16u) & 32768u;
    uint a_2 = x_6 & 2147483647u;
    if (a_2 > 2139095040u) {
        return (s_2 | 32256u) | ((a_2 & 8388607u) >> 13u);
    }
    if (a_2 >= 1199566848u) {
        return s_2 | 31744u;
    }
    if (a_2 < 947912704u) {
        return s_2 | naga_f2u32(metal::rint(as_type<float>(a_2) * 16777216.0));
    }
    uint r = (a_2 + 4095u) + ((a_2 >> 13u) & 1u);
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
    uint x_7 = as_type<uint>(f_1);
    if ((x_7 & 2147483647u) > 2139095040u) {
        return (x_7 >> 16u) | 64u;
    }
    return ((x_7 + 32767u) + ((x_7 >> 16u) & 1u)) >> 16u;
}

uint word_index(
    uint i_1,
    uint dt
) {
    return (dt == DT_F32_) ? i_1 : (i_1 >> 1u);
}

float float_from_word(
    uint word,
    uint i_2,
    uint dt_1
) {
    if (dt_1 == DT_F32_) {
        return as_type<float>(word);
    }
    uint h_2 = (word >> ((i_2 & 1u) * 16u)) & 65535u;
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
    uint b_2 = as_type<uint>(q);
    bool away = up == (q > 0.0);
    return as_type<float>(away ? (b_2 + 1u) : (b_2 - 1u));
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

float div_remainder(
    float a,
    float q_1,
    float b,
    thread uint& opaque_zero
) {
    float _e3 = hi12_(q_1);
    float _e5 = opq(q_1 - _e3, opaque_zero);
    float _e6 = hi12_(b);
    float _e8 = opq(b - _e6, opaque_zero);
    float _e10 = opq(_e3 * _e6, opaque_zero);
    float _e12 = opq(a - _e10, opaque_zero);
    float _e14 = opq(_e3 * _e8, opaque_zero);
    float _e16 = opq(_e12 - _e14, opaque_zero);
    float _e18 = opq(_e5 * _e6, opaque_zero);
    float _e20 = opq(_e16 - _e18, opaque_zero);
    float _e22 = opq(_e5 * _e8, opaque_zero);
    return _e20 - _e22;
}

float div_rn(
    float a_1,
    float b_1,
    thread uint& opaque_zero
) {
    float q_2 = {};
    bool local_3 = {};
    uint i_3 = 0u;
    q_2 = a_1 / b_1;
    float _e4 = q_2;
    bool finite_1 = (as_type<uint>(_e4) & 2139095040u) != 2139095040u;
    if (!(!(finite_1))) {
        float _e14 = q_2;
        local_3 = _e14 == 0.0;
    } else {
        local_3 = true;
    }
    bool _e18 = local_3;
    if (_e18) {
        float _e19 = q_2;
        return _e19;
    }
    bool loop_init = true;
    while(true) {
        if (!loop_init) {
            uint _e41 = i_3;
            i_3 = _e41 + 1u;
        }
        loop_init = false;
        uint _e22 = i_3;
        if (_e22 < 4u) {
        } else {
            break;
        }
        {
            float _e25 = q_2;
            float _e26 = div_remainder(a_1, _e25, b_1, opaque_zero);
            if (_e26 == 0.0) {
                break;
            }
            float _e29 = q_2;
            float _e35 = next_toward(_e29, (_e26 > 0.0) == (b_1 > 0.0));
            float _e36 = div_remainder(a_1, _e35, b_1, opaque_zero);
            if (metal::abs(_e36) < metal::abs(_e26)) {
                q_2 = _e35;
            } else {
                break;
            }
        }
    }
    float _e43 = q_2;
    return _e43;
}

float round_half_away(
    float x_2
) {
    float t = metal::trunc(x_2);
    if (metal::abs(x_2 - t) >= 0.5) {
        return t + metal::sign(x_2);
    }
    return t;
}

bool is_finite_f32_(
    float v_1
) {
    return (as_type<uint>(v_1) & 2139095040u) != 2139095040u;
}

float fp8_e4m3_value(
    uint code
) {
    float mag = {};
    if ((code & 127u) == 127u) {
        return as_type<float>(2143289344u);
    }
    uint e_1 = (code >> 3u) & 15u;
    if (e_1 == 0u) {
        mag = static_cast<float>(code & 7u) * 0.001953125;
    } else {
        mag = as_type<float>(((e_1 + 120u) << 23u) | ((code & 7u) << 20u));
    }
    float _e29 = mag;
    float _e30 = mag;
    return ((code & 128u) != 0u) ? -(_e30) : _e29;
}

uint fp4_encode(
    float x_3
) {
    uint mag_1 = 0u;
    if (!((x_3 == x_3))) {
        return 7u;
    }
    float a_3 = metal::abs(x_3);
    if (a_3 > 5.0) {
        mag_1 = 7u;
    } else {
        if (a_3 >= 3.5) {
            mag_1 = 6u;
        } else {
            if (a_3 > 2.5) {
                mag_1 = 5u;
            } else {
                if (a_3 >= 1.75) {
                    mag_1 = 4u;
                } else {
                    if (a_3 > 1.25) {
                        mag_1 = 3u;
                    } else {
                        if (a_3 >= 0.75) {
                            mag_1 = 2u;
                        } else {
                            if (a_3 > 0.25) {
                                mag_1 = 1u;
                            }
                        }
                    }
                }
            }
        }
    }
    uint _e28 = mag_1;
    return _e28 | (((as_type<uint>(x_3) & 2147483648u) != 0u) ? 8u : 0u);
}

uint fp8_e4m3_encode(
    float x_4
) {
    uint mag_2 = {};
    uint bits = as_type<uint>(x_4);
    uint s_3 = (bits >> 24u) & 128u;
    uint a_4 = bits & 2147483647u;
    if (a_4 >= 1138753536u) {
        mag_2 = 126u;
    } else {
        if (a_4 < 1015021568u) {
            float denorm = as_type<float>(1182793728u);
            mag_2 = (as_type<uint>(as_type<float>(a_4) + denorm) - 1182793728u) & 255u;
        } else {
            uint odd = (a_4 >> 20u) & 1u;
            mag_2 = (((a_4 + 3288858623u) + odd) >> 20u) & 255u;
        }
    }
    uint _e34 = mag_2;
    return _e34 | s_3;
}

uint e8m0_encode_ceil(
    float v_2
) {
    int l = {};
    uint b_3 = as_type<uint>(v_2) & 2147483647u;
    if (b_3 == 0u) {
        return 0u;
    }
    int e_2 = static_cast<int>(b_3 >> 23u);
    uint m_1 = b_3 & 8388607u;
    if (e_2 == 0) {
        l = as_type<int>(as_type<uint>(as_type<int>(as_type<uint>(as_type<int>(as_type<uint>(31) - as_type<uint>(static_cast<int>(metal::clz(m_1))))) - as_type<uint>(149))) + as_type<uint>((metal::popcount(m_1) == 1u) ? 0 : 1));
    } else {
        l = as_type<int>(as_type<uint>(as_type<int>(as_type<uint>(e_2) - as_type<uint>(127))) + as_type<uint>((m_1 != 0u) ? 1 : 0));
    }
    int _e36 = l;
    return static_cast<uint>(as_type<int>(as_type<uint>(metal::clamp(_e36, -127, 127)) + as_type<uint>(127)));
}

float rnd(
    float x_5
) {
    float _e2 = round_half_away(x_5);
    return true ? _e2 : metal::rint(x_5);
}

uint groups_per_word(
) {
    if (false) {
        return 4u;
    }
    return 2u;
}

uint code_of(
    uint i_4,
    float scale_1,
    float bias_1,
    float mult_1,
    thread uint& opaque_zero,
    thread type_8& vals
) {
    if (true) {
        float _e18 = vals.inner[i_4];
        float _e20 = div_rn(_e18 - bias_1, scale_1, opaque_zero);
        float _e21 = rnd(_e20);
        return naga_f2u32(metal::clamp(_e21, 0.0, 7.0));
    }
    if (false) {
        float _e32 = vals.inner[i_4];
        uint _e34 = fp8_e4m3_encode(_e32 * mult_1);
        return _e34;
    }
    float _e37 = vals.inner[i_4];
    uint _e39 = fp4_encode(_e37 * mult_1);
    return _e39;
}

void pack_group(
    uint g,
    float scale_2,
    float bias_2,
    float mult_2,
    thread uint& opaque_zero,
    device type_4& wq_out,
    thread type_8& vals,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint out_w = {};
    uint cur = 0u;
    uint filled = 0u;
    uint i_5 = 0u;
    out_w = g * 6u;
    bool loop_init_1 = true;
    while(true) {
        if (!loop_init_1) {
            uint _e54 = i_5;
            i_5 = _e54 + 1u;
        }
        loop_init_1 = false;
        uint _e19 = i_5;
        if (_e19 < GS) {
        } else {
            break;
        }
        {
            uint _e22 = i_5;
            uint _e23 = code_of(_e22, scale_2, bias_2, mult_2, opaque_zero, vals);
            uint _e24 = cur;
            uint _e25 = filled;
            cur = _e24 | (_e23 << _e25);
            uint _e28 = filled;
            filled = _e28 + BITS;
            uint _e31 = filled;
            if (_e31 >= 32u) {
                uint _e35 = out_w;
                uint _e37 = cur;
                wq_out[_e35] = _e37;
                uint _e38 = out_w;
                out_w = _e38 + 1u;
                uint _e41 = filled;
                filled = _e41 - 32u;
                uint _e46 = filled;
                uint _e49 = filled;
                cur = (_e49 > 0u) ? (_e23 >> (BITS - _e46)) : 0u;
            }
        }
    }
    return;
}

struct quantize_groupsInput {
};
[[max_total_threads_per_threadgroup(64)]] kernel void quantize_groups(
  metal::uint3 wid [[threadgroup_position_in_grid]]
, metal::uint3 nwg [[threadgroups_per_grid]]
, uint lid [[thread_index_in_threadgroup]]
, constant Params& p [[buffer(0)]]
, device type_4 const& w_in [[buffer(1)]]
, device type_5 const& gscale [[buffer(2)]]
, device type_4& wq_out [[buffer(3)]]
, device type_4& scales_out [[buffer(4)]]
, device type_4& biases_out [[buffer(5)]]
, device type_7& status [[buffer(6)]]
, constant _mslBufferSizes& _buffer_sizes [[buffer(15)]]
) {
    uint opaque_zero = {};
    type_8 vals = {};
    uint scale_word = 0u;
    uint bias_word = 0u;
    float enc = 1.0;
    bool local = {};
    bool local_1 = {};
    uint s = 0u;
    bool finite = {};
    float hi = {};
    float lo = {};
    float amax = {};
    uint i = {};
    bool local_2 = {};
    float scale = {};
    float bias = {};
    uint byte = {};
    float mult = {};
    uint t_1 = (((wid.y * nwg.x) + wid.x) * 64u) + lid;
    uint _e14 = p._pad;
    opaque_zero = _e14;
    uint _e15 = groups_per_word();
    uint _e19 = p.groups;
    if ((t_1 * _e15) >= _e19) {
        return;
    }
    uint width = 32u / _e15;
    uint field_mask = (width == 32u) ? 4294967295u : ((1u << width) - 1u);
    if (false) {
        uint _e46 = p.has_global;
        local = _e46 != 0u;
    } else {
        local = false;
    }
    bool has_global = local;
    if (has_global) {
        float g_1 = gscale[0];
        bool _e54 = is_finite_f32_(g_1);
        if (_e54) {
            local_1 = g_1 > 0.0;
        } else {
            local_1 = false;
        }
        bool _e60 = local_1;
        if (!(_e60)) {
            uint _e65 = metal::atomic_fetch_or_explicit(&status[1], 1u, metal::memory_order_relaxed);
            return;
        }
        float _e67 = div_rn(2688.0, g_1, opaque_zero);
        enc = _e67;
    }
    bool loop_init_2 = true;
    while(true) {
        if (!loop_init_2) {
            uint _e271 = s;
            s = _e271 + 1u;
        }
        loop_init_2 = false;
        uint _e70 = s;
        if (_e70 < _e15) {
        } else {
            break;
        }
        {
            uint _e73 = s;
            uint g_2 = (t_1 * _e15) + _e73;
            uint _e77 = p.groups;
            if (g_2 >= _e77) {
                break;
            }
            finite = true;
            hi = false ? -(as_type<float>(2139095039u)) : 0.0;
            lo = as_type<float>(2139095039u);
            amax = 0.0;
            i = 0u;
            bool loop_init_3 = true;
            while(true) {
                if (!loop_init_3) {
                    uint _e129 = i;
                    i = _e129 + 1u;
                }
                loop_init_3 = false;
                uint _e98 = i;
                if (_e98 < GS) {
                } else {
                    break;
                }
                {
                    uint _e103 = i;
                    uint e_3 = (g_2 * GS) + _e103;
                    uint _e107 = word_index(e_3, WDT);
                    uint _e109 = w_in[_e107];
                    float _e111 = float_from_word(_e109, e_3, WDT);
                    uint _e113 = i;
                    vals.inner[_e113] = _e111;
                    bool _e115 = finite;
                    if (_e115) {
                        bool _e118 = is_finite_f32_(_e111);
                        local_2 = _e118;
                    } else {
                        local_2 = false;
                    }
                    bool _e120 = local_2;
                    finite = _e120;
                    float _e121 = hi;
                    hi = metal::max(_e121, _e111);
                    float _e123 = lo;
                    lo = metal::min(_e123, _e111);
                    float _e125 = amax;
                    amax = metal::max(_e125, metal::abs(_e111));
                }
            }
            bool _e131 = finite;
            if (!(_e131)) {
                uint _e137 = p.gpr;
                uint _e139 = metal::atomic_fetch_min_explicit(&status[0], g_2 / _e137, metal::memory_order_relaxed);
                continue;
            }
            if (true) {
                scale = float {};
                bias = float {};
                if (false) {
                    float _e153 = hi;
                    float _e154 = lo;
                    scale = metal::max(_e153 - _e154, 0.0000001);
                    float _e158 = lo;
                    bias = _e158;
                } else {
                    float _e166 = hi;
                    float _e167 = lo;
                    float _e169 = div_rn(_e166 - _e167, 7.0, opaque_zero);
                    float s0_ = metal::max(_e169, 0.0000001);
                    float _e172 = lo;
                    float _e174 = hi;
                    bool side = metal::abs(_e172) > metal::abs(_e174);
                    float s1_ = side ? s0_ : -(s0_);
                    float _e179 = hi;
                    float _e180 = lo;
                    float edge = side ? _e180 : _e179;
                    float _e182 = div_rn(edge, s1_, opaque_zero);
                    float _e183 = rnd(_e182);
                    if (_e183 == 0.0) {
                        scale = s1_;
                        bias = 0.0;
                    } else {
                        float _e187 = div_rn(edge, _e183, opaque_zero);
                        scale = _e187;
                        bias = edge;
                    }
                }
                float _e188 = scale;
                float _e189 = bias;
                pack_group(g_2, _e188, _e189, 1.0, opaque_zero, wq_out, vals, _buffer_sizes);
                uint _e191 = scale_word;
                float _e192 = scale;
                uint _e194 = float_to_bits(_e192, WDT);
                uint _e196 = s;
                scale_word = _e191 | ((_e194 & field_mask) << (_e196 * width));
                uint _e200 = bias_word;
                float _e201 = bias;
                uint _e203 = float_to_bits(_e201, WDT);
                uint _e205 = s;
                bias_word = _e200 | ((_e203 & field_mask) << (_e205 * width));
            } else {
                byte = uint {};
                mult = float {};
                if (false) {
                    float _e218 = amax;
                    float _e220 = div_rn(_e218, 6.0, opaque_zero);
                    float _e221 = enc;
                    uint _e223 = fp8_e4m3_encode(_e220 * _e221);
                    byte = _e223;
                    uint _e224 = byte;
                    float _e225 = fp8_e4m3_value(_e224);
                    float _e226 = enc;
                    float _e227 = div_rn(_e226, _e225, opaque_zero);
                    mult = (_e225 == 0.0) ? 0.0 : _e227;
                } else {
                    float _e240 = amax;
                    float _e241 = div_rn(_e240, 6.0, opaque_zero);
                    uint _e242 = e8m0_encode_ceil(_e241);
                    byte = _e242;
                    uint _e244 = byte;
                    mult = as_type<float>((254u - metal::min(_e244, 253u)) << 23u);
                    uint _e251 = byte;
                    if (_e251 == 254u) {
                        mult = as_type<float>(4194304u);
                    } else {
                        uint _e256 = byte;
                        if (_e256 == 255u) {
                            mult = 0.0;
                        }
                    }
                }
                float _e262 = mult;
                pack_group(g_2, 0.0, 0.0, _e262, opaque_zero, wq_out, vals, _buffer_sizes);
                uint _e263 = scale_word;
                uint _e264 = byte;
                uint _e265 = s;
                scale_word = _e263 | (_e264 << (_e265 * 8u));
            }
        }
    }
    uint _e275 = scale_word;
    scales_out[t_1] = _e275;
    if (true) {
        uint _e283 = bias_word;
        biases_out[t_1] = _e283;
        return;
    } else {
        return;
    }
}
