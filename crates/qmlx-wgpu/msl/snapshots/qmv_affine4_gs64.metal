// language: metal2.4
#include <metal_stdlib>
#include <simd/simd.h>

using metal::uint;

struct _mslBufferSizes {
    uint size1;
    uint size3;
    uint size4;
    uint size5;
    uint size6;
    uint size7;
    uint size8;
    uint size9;
};

struct type_4 {
    uint inner[8];
};
typedef metal::uint4 type_7[1];
struct Params {
    uint n;
    uint k;
    uint rows_per_w;
    uint wpr;
    uint gpr;
    uint has_global;
    uint tiles;
    uint cols;
};
typedef uint type_8[1];
typedef float type_9[1];
typedef metal::uint2 type_11[1];
struct type_12 {
    float inner[16];
};
struct type_14 {
    float inner[1024];
};
struct type_15 {
    uint inner[64];
};
struct type_16 {
    float inner[8];
};
struct X8_ {
    metal::float4 lo;
    metal::float4 hi;
};
struct W8_ {
    metal::float4 lo;
    metal::float4 hi;
};
struct type_17 {
    metal::float4 inner[8];
};
struct Unit4_ {
    metal::uint4 c0_;
    metal::uint4 c1_;
    metal::uint4 c2_;
    metal::uint4 c3_;
    metal::uint4 h0_;
    metal::uint4 h1_;
    metal::uint4 h2_;
    metal::uint4 h3_;
};
struct type_18 {
    float inner[32];
};
struct type_20 {
    uint inner[4];
};
struct type_21 {
    metal::float2 inner[4];
};
constant uint MODE_AFFINE = 0u;
constant uint MODE_MXFP4_ = 1u;
constant uint MODE_MXFP8_ = 2u;
constant uint MODE_NVFP4_ = 3u;
constant uint DT_F32_ = 0u;
constant uint DT_F16_ = 1u;
constant uint DT_BF16_ = 2u;
constant uint QMAX_COLS = 4u;
constant uint QMAX_UNROLL = 4u;
constant uint QMAX_ROWS = 8u;
constant uint BITS = 4u;
constant uint GS = 64u;
constant uint MODE = 0u;
constant uint XDT = 0u;
constant uint QMV_LANES = 16u;
constant uint QMV_COLS = 4u;
constant uint QMV_WG = 128u;
constant uint QMV_UNROLL = 2u;
constant uint QMV_XROWS = 8u;
constant uint QMV_WORD_PATH = 0u;
constant uint QMV_OUT16_ = 0u;
constant uint QMV_VEC = 4u;
constant uint QMV_DECODE = 1u;
constant uint QMV_REDUCE = 0u;
constant uint QMV_PREFETCH = 0u;
constant uint QMV_DIRECT = 0u;
constant uint QMV_DOT = 0u;

uint naga_f2u32(float value) {
    return static_cast<uint>(metal::clamp(value, 0.0, 4294967000.0));
}

uint f32_to_f16_(
    float f
) {
    uint x_3 = as_type<uint>(f);
    uint s_1 = (x_3 >> 16u) & 32768u;
    uint a_4 = x_3 & 2147483647u;
    if (a_4 > 2139095040u) {
        return (s_1 | 32256u) | ((a_4 & 8388607u) >> 13u);
    }
    if (a_4 >= 1199566848u) {
        return s_1 | 31744u;
    }
    if (a_4 < 947912704u) {
        return s_1 | naga_f2u32(metal::rint(as_type<float>(a_4) * 16777216.0));
    }
    uint r_1 = (a_4 + 4095u) + ((a_4 >> 13u) & 1u);
    return s_1 | ((r_1 - 939524096u) >> 13u);
}

uint f32_to_bf16_(
    float f_1
) {
    uint x_4 = as_type<uint>(f_1);
    if ((x_4 & 2147483647u) > 2139095040u) {
        return (x_4 >> 16u) | 64u;
    }
    return ((x_4 + 32767u) + ((x_4 >> 16u) & 1u)) >> 16u;
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

float next_toward(
    float q,
    bool up
) {
    if (q == 0.0) {
        return up ? as_type<float>(1u) : as_type<float>(2147483649u);
    }
    uint b_3 = as_type<uint>(q);
    bool away = up == (q > 0.0);
    return as_type<float>(away ? (b_3 + 1u) : (b_3 - 1u));
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
    bool local_8 = {};
    uint i = 0u;
    q_2 = a_1 / b_1;
    float _e4 = q_2;
    bool finite = (as_type<uint>(_e4) & 2139095040u) != 2139095040u;
    if (!(!(finite))) {
        float _e14 = q_2;
        local_8 = _e14 == 0.0;
    } else {
        local_8 = true;
    }
    bool _e18 = local_8;
    if (_e18) {
        float _e19 = q_2;
        return _e19;
    }
    bool loop_init = true;
    while(true) {
        if (!loop_init) {
            uint _e41 = i;
            i = _e41 + 1u;
        }
        loop_init = false;
        uint _e22 = i;
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

float fp4_value(
    uint code
) {
    float v_1 = {};
    uint e_5 = (code >> 1u) & 3u;
    float m = static_cast<float>(code & 1u);
    v_1 = m * 0.5;
    if (e_5 != 0u) {
        v_1 = (1.0 + (m * 0.5)) * static_cast<float>(1u << (e_5 - 1u));
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
    uint e_6 = (code_1 >> 3u) & 15u;
    if (e_6 == 0u) {
        mag = static_cast<float>(code_1 & 7u) * 0.001953125;
    } else {
        mag = as_type<float>(((e_6 + 120u) << 23u) | ((code_1 & 7u) << 20u));
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

metal::uint4 codes4_lo(
    uint w
) {
    return (metal::uint4(w) >> metal::uint4(0u, 4u, 8u, 12u)) & metal::uint4(15u);
}

metal::uint4 codes4_hi(
    uint w_1
) {
    return (metal::uint4(w_1) >> metal::uint4(16u, 20u, 24u, 28u)) & metal::uint4(15u);
}

metal::float4 codes4_lo_unit(
    uint w_2
) {
    metal::uint4 v_8 = metal::uint4(w_2 << 19u, w_2 << 15u, w_2 << 11u, w_2 << 7u);
    return as_type<metal::float4>((v_8 & metal::uint4(7864320u)) | metal::uint4(1065353216u));
}

metal::float4 codes4_hi_unit(
    uint w_3
) {
    metal::uint4 v_9 = metal::uint4(w_3 << 3u, w_3 >> 1u, w_3 >> 5u, w_3 >> 9u);
    return as_type<metal::float4>((v_9 & metal::uint4(7864320u)) | metal::uint4(1065353216u));
}

float half_in_word(
    uint word,
    uint i_1,
    uint dt_1
) {
    if (dt_1 == DT_F16_) {
        return float2(as_type<half2>(word))[i_1 & 1u];
    }
    return as_type<float>(((i_1 & 1u) != 0u) ? (word & 4294901760u) : (word << 16u));
}

float fp_scale(
    uint byte,
    float global_factor_1,
    bool has_global
) {
    if (false) {
        float _e8 = fp8_e4m3_value(byte);
        return has_global ? (_e8 * global_factor_1) : _e8;
    }
    float _e11 = e8m0_value(byte);
    return _e11;
}

uint wq_word(
    uint i_2,
    device type_7 const& wq,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint _e8 = wq[i_2 >> 2u][i_2 & 3u];
    return _e8;
}

uint x_word(
    uint i_3,
    device type_7 const& x_2,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint _e8 = x_2[i_3 >> 2u][i_3 & 3u];
    return _e8;
}

uint tile_index(
    metal::uint3 wid_1,
    metal::uint3 nwg_1
) {
    return wid_1.y + (wid_1.z * nwg_1.y);
}

void qmv_load(
    uint row,
    uint c,
    uint base,
    device type_7 const& wq,
    constant Params& p,
    thread type_15& wbuf,
    constant _mslBufferSizes& _buffer_sizes
) {
    bool local_9 = {};
    bool local_10 = {};
    uint v_2 = 0u;
    uint i_4 = 0u;
    uint word_1 = {};
    uint _e5 = p.wpr;
    uint row_word = row * _e5;
    uint start = row_word + (c * BITS);
    uint _e12 = p.wpr;
    uint end = row_word + _e12;
    if (true) {
        local_9 = (start & 3u) == 0u;
    } else {
        local_9 = false;
    }
    bool _e27 = local_9;
    if (_e27) {
        local_10 = (start + BITS) <= end;
    } else {
        local_10 = false;
    }
    bool _e34 = local_10;
    if (_e34) {
        bool loop_init_1 = true;
        while(true) {
            if (!loop_init_1) {
                uint _e85 = v_2;
                v_2 = _e85 + 1u;
            }
            loop_init_1 = false;
            uint _e37 = v_2;
            if (_e37 < 1u) {
            } else {
                break;
            }
            {
                uint _e46 = v_2;
                metal::uint4 q_4 = wq[(start >> 2u) + _e46];
                uint _e52 = v_2;
                wbuf.inner[base + (4u * _e52)] = q_4.x;
                uint _e59 = v_2;
                wbuf.inner[(base + (4u * _e59)) + 1u] = q_4.y;
                uint _e68 = v_2;
                wbuf.inner[(base + (4u * _e68)) + 2u] = q_4.z;
                uint _e77 = v_2;
                wbuf.inner[(base + (4u * _e77)) + 3u] = q_4.w;
            }
        }
        return;
    }
    bool loop_init_2 = true;
    while(true) {
        if (!loop_init_2) {
            uint _e106 = i_4;
            i_4 = _e106 + 1u;
        }
        loop_init_2 = false;
        uint _e89 = i_4;
        if (_e89 < BITS) {
        } else {
            break;
        }
        {
            word_1 = 0u;
            uint _e94 = i_4;
            if ((start + _e94) < end) {
                uint _e97 = i_4;
                uint _e99 = wq_word(start + _e97, wq, _buffer_sizes);
                word_1 = _e99;
            }
            uint _e101 = i_4;
            uint _e104 = word_1;
            wbuf.inner[base + _e101] = _e104;
        }
    }
    return;
}

uint qmv_code(
    uint base_1,
    uint e_2,
    thread type_15& wbuf
) {
    uint v_3 = {};
    uint pos_1 = e_2 * BITS;
    uint wi = base_1 + (pos_1 >> 5u);
    uint sh = pos_1 & 31u;
    uint _e11 = wbuf.inner[wi];
    v_3 = _e11 >> sh;
    if ((sh + BITS) > 32u) {
        uint _e18 = v_3;
        uint _e23 = wbuf.inner[wi + 1u];
        v_3 = _e18 | (_e23 << (32u - sh));
    }
    uint _e28 = v_3;
    return _e28 & 15u;
}

float qmv_weight(
    uint base_2,
    uint e_3,
    threadgroup type_12& fp4_lut,
    thread type_15& wbuf
) {
    uint v_4 = {};
    if (true) {
        if (true) {
            uint _e12 = qmv_code(base_2, e_3, wbuf);
            return static_cast<float>(_e12);
        }
        uint pos_2 = e_3 * BITS;
        uint sh_1 = pos_2 & 31u;
        if ((sh_1 + BITS) <= 32u) {
            uint w_8 = wbuf.inner[base_2 + (pos_2 >> 5u)];
            if (sh_1 <= 19u) {
                v_4 = w_8 << (19u - sh_1);
            } else {
                v_4 = w_8 >> (sh_1 - 19u);
            }
            uint _e38 = v_4;
            return as_type<float>((_e38 & 7864320u) | 1065353216u);
        }
        uint _e50 = qmv_code(base_2, e_3, wbuf);
        return as_type<float>((_e50 << 19u) | 1065353216u);
    }
    if (false) {
        uint _e60 = qmv_code(base_2, e_3, wbuf);
        float _e61 = fp8_e4m3_value(_e60);
        return _e61;
    }
    uint _e63 = qmv_code(base_2, e_3, wbuf);
    float _e65 = fp4_lut.inner[_e63];
    return _e65;
}

metal::float2 qmv_group(
    uint row_1,
    uint j,
    float global_factor_2,
    constant Params& p,
    device type_8 const& scales,
    device type_8 const& biases,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint _e5 = p.gpr;
    uint g = (row_1 * _e5) + (j / GS);
    if (true) {
        if (true) {
            uint _e22 = scales[g];
            uint _e26 = biases[g];
            return metal::float2(as_type<float>(_e22), as_type<float>(_e26));
        }
        uint _e33 = scales[g >> 1u];
        float _e35 = half_in_word(_e33, g, XDT);
        uint _e40 = biases[g >> 1u];
        float _e42 = half_in_word(_e40, g, XDT);
        float a_5 = _e35 * 16.0;
        return metal::float2(a_5, _e42 - a_5);
    }
    uint _e55 = scales[g >> 2u];
    uint byte_1 = (_e55 >> ((g & 3u) * 8u)) & 255u;
    uint _e65 = p.has_global;
    float _e68 = fp_scale(byte_1, global_factor_2, _e65 != 0u);
    return metal::float2(_e68, 0.0);
}

void qmv_x8_(
    uint x_row,
    uint j_1,
    constant Params& p,
    device type_7 const& x_2,
    thread type_16& xv,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint e_4 = 0u;
    uint t = 0u;
    uint _e4 = p.k;
    uint i_8 = (x_row * _e4) + j_1;
    if (true) {
        bool loop_init_3 = true;
        while(true) {
            if (!loop_init_3) {
                uint _e25 = e_4;
                e_4 = _e25 + 1u;
            }
            loop_init_3 = false;
            uint _e14 = e_4;
            if (_e14 < 8u) {
            } else {
                break;
            }
            {
                uint _e18 = e_4;
                uint _e20 = e_4;
                uint _e22 = x_word(i_8 + _e20, x_2, _buffer_sizes);
                xv.inner[_e18] = as_type<float>(_e22);
            }
        }
        return;
    }
    bool loop_init_4 = true;
    while(true) {
        if (!loop_init_4) {
            uint _e76 = t;
            t = _e76 + 1u;
        }
        loop_init_4 = false;
        uint _e29 = t;
        if (_e29 < 4u) {
        } else {
            break;
        }
        {
            uint _e34 = t;
            uint _e36 = x_word((i_8 >> 1u) + _e34, x_2, _buffer_sizes);
            if (false) {
                metal::float2 v_10 = float2(as_type<half2>(_e36));
                uint _e45 = t;
                xv.inner[2u * _e45] = v_10.x;
                uint _e51 = t;
                xv.inner[(2u * _e51) + 1u] = v_10.y;
            } else {
                uint _e59 = t;
                xv.inner[2u * _e59] = as_type<float>(_e36 << 16u);
                uint _e67 = t;
                xv.inner[(2u * _e67) + 1u] = as_type<float>(_e36 & 4294901760u);
            }
        }
    }
    return;
}

X8_ qmv_x8v(
    uint x_row_1,
    uint j_2,
    constant Params& p,
    device type_7 const& x_2,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint _e4 = p.k;
    uint i_9 = (x_row_1 * _e4) + j_2;
    if (true) {
        metal::uint4 _e16 = x_2[i_9 >> 2u];
        metal::uint4 _e24 = x_2[(i_9 >> 2u) + 1u];
        return X8_ {as_type<metal::float4>(_e16), as_type<metal::float4>(_e24)};
    }
    metal::uint4 w_9 = x_2[i_9 >> 3u];
    if (false) {
        return X8_ {metal::float4(float2(as_type<half2>(w_9.x)), float2(as_type<half2>(w_9.y))), metal::float4(float2(as_type<half2>(w_9.z)), float2(as_type<half2>(w_9.w)))};
    }
    metal::uint4 lo_3 = metal::uint4(w_9.x << 16u, w_9.x & 4294901760u, w_9.y << 16u, w_9.y & 4294901760u);
    metal::uint4 hi_3 = metal::uint4(w_9.z << 16u, w_9.z & 4294901760u, w_9.w << 16u, w_9.w & 4294901760u);
    return X8_ {as_type<metal::float4>(lo_3), as_type<metal::float4>(hi_3)};
}

metal::uint4 pairs4_(
    uint w_4
) {
    if (true) {
        metal::uint4 v_11 = metal::uint4(w_4 << 6u, w_4 << 2u, w_4 >> 2u, w_4 >> 6u);
        return (v_11 & metal::uint4(62915520u)) | metal::uint4(1006648320u);
    }
    if (false) {
        uint e_7 = w_4 & 252645135u;
        uint o_2 = (w_4 >> 4u) & 252645135u;
        uint es = e_7 + ((e_7 & 134744072u) * 7u);
        uint os = o_2 + ((o_2 & 134744072u) * 7u);
        return metal::uint4(es << 9u, os << 9u, es << 1u, os << 1u) & metal::uint4(2382401024u);
    }
    metal::uint4 m_1 = metal::uint4(w_4 << 9u, w_4 << 5u, w_4 << 1u, w_4 >> 3u);
    metal::uint4 s_2 = metal::uint4(w_4 << 12u, w_4 << 8u, w_4 << 4u, w_4);
    return (m_1 & metal::uint4(234884608u)) | (s_2 & metal::uint4(2147516416u));
}

metal::uint2 fp8_pairs(
    uint w_5
) {
    uint mag_1 = w_5 & 2139062143u;
    uint m_2 = mag_1 | ((mag_1 + 16843009u) & 2155905152u);
    uint h02_ = ((m_2 << 7u) & 2139127680u) | ((w_5 << 8u) & 2147516416u);
    uint h13_ = ((m_2 >> 1u) & 2139127680u) | (w_5 & 2147516416u);
    return metal::uint2(h02_, h13_);
}

W8_ qmv_w8_(
    uint wa,
    uint wb_1,
    threadgroup type_12& fp4_lut
) {
    bool local_11 = {};
    bool local_12 = {};
    if (false) {
        local_11 = false;
    } else {
        local_11 = false;
    }
    bool _e14 = local_11;
    if (_e14) {
        metal::uint2 _e15 = fp8_pairs(wa);
        metal::uint2 _e16 = fp8_pairs(wb_1);
        metal::float2 a0_ = float2(as_type<half2>(_e15.x));
        metal::float2 a1_ = float2(as_type<half2>(_e15.y));
        metal::float2 b0_ = float2(as_type<half2>(_e16.x));
        metal::float2 b1_ = float2(as_type<half2>(_e16.y));
        return W8_ {metal::float4(a0_.x, a1_.x, a0_.y, a1_.y), metal::float4(b0_.x, b1_.x, b0_.y, b1_.y)};
    }
    if (false) {
        if (true) {
            metal::uint4 sh_2 = metal::uint4(0u, 8u, 16u, 24u);
            return W8_ {static_cast<metal::float4>((metal::uint4(wa) >> sh_2) & metal::uint4(255u)), static_cast<metal::float4>((metal::uint4(wb_1) >> sh_2) & metal::uint4(255u))};
        }
        metal::uint4 v_12 = metal::uint4(wa << 2u, wa >> 6u, wb_1 << 2u, wb_1 >> 6u);
        metal::uint4 h = (v_12 & metal::uint4(66847740u)) | metal::uint4(1006648320u);
        metal::float2 a0_1 = float2(as_type<half2>(h.x));
        metal::float2 a1_1 = float2(as_type<half2>(h.y));
        metal::float2 b0_1 = float2(as_type<half2>(h.z));
        metal::float2 b1_1 = float2(as_type<half2>(h.w));
        return W8_ {metal::float4(a0_1.x, a1_1.x, a0_1.y, a1_1.y), metal::float4(b0_1.x, b1_1.x, b0_1.y, b1_1.y)};
    }
    if (true) {
        local_12 = true;
    } else {
        local_12 = false;
    }
    bool _e110 = local_12;
    if (_e110) {
        metal::uint4 _e111 = codes4_lo(wa);
        metal::uint4 _e113 = codes4_hi(wa);
        return W8_ {static_cast<metal::float4>(_e111), static_cast<metal::float4>(_e113)};
    }
    if (true) {
        metal::uint4 _e120 = pairs4_(wa);
        metal::float2 f0_ = float2(as_type<half2>(_e120.x));
        metal::float2 f1_1 = float2(as_type<half2>(_e120.y));
        metal::float2 f2_1 = float2(as_type<half2>(_e120.z));
        metal::float2 f3_1 = float2(as_type<half2>(_e120.w));
        return W8_ {metal::float4(f0_.x, f1_1.x, f2_1.x, f3_1.x), metal::float4(f0_.y, f1_1.y, f2_1.y, f3_1.y)};
    }
    if (true) {
        metal::float4 _e145 = codes4_lo_unit(wa);
        metal::float4 _e146 = codes4_hi_unit(wa);
        return W8_ {_e145, _e146};
    }
    metal::uint4 _e148 = codes4_lo(wa);
    metal::uint4 _e149 = codes4_hi(wa);
    float _e153 = fp4_lut.inner[_e148.x];
    float _e157 = fp4_lut.inner[_e148.y];
    float _e161 = fp4_lut.inner[_e148.z];
    float _e165 = fp4_lut.inner[_e148.w];
    float _e170 = fp4_lut.inner[_e149.x];
    float _e174 = fp4_lut.inner[_e149.y];
    float _e178 = fp4_lut.inner[_e149.z];
    float _e182 = fp4_lut.inner[_e149.w];
    return W8_ {metal::float4(_e153, _e157, _e161, _e165), metal::float4(_e170, _e174, _e178, _e182)};
}

float qmv_dot8_(
    float d_1,
    W8_ f_2,
    X8_ xs
) {
    float s = {};
    if (false) {
        return d_1 + (metal::dot(f_2.lo, xs.lo) + metal::dot(f_2.hi, xs.hi));
    }
    s = metal::fma(f_2.lo.x, xs.lo.x, d_1);
    float _e25 = s;
    s = metal::fma(f_2.lo.y, xs.lo.y, _e25);
    float _e31 = s;
    s = metal::fma(f_2.lo.z, xs.lo.z, _e31);
    float _e37 = s;
    s = metal::fma(f_2.lo.w, xs.lo.w, _e37);
    float _e43 = s;
    s = metal::fma(f_2.hi.x, xs.hi.x, _e43);
    float _e49 = s;
    s = metal::fma(f_2.hi.y, xs.hi.y, _e49);
    float _e55 = s;
    s = metal::fma(f_2.hi.z, xs.hi.z, _e55);
    float _e61 = s;
    return metal::fma(f_2.hi.w, xs.hi.w, _e61);
}

metal::float2 qmv_word_group(
    uint row_2,
    uint j_3,
    float global_factor_3,
    constant Params& p,
    device type_8 const& scales,
    device type_8 const& biases,
    constant _mslBufferSizes& _buffer_sizes
) {
    bool local_13 = {};
    bool local_14 = {};
    float a_2 = {};
    if (false) {
        if (false) {
            local_14 = true;
        } else {
            local_14 = false;
        }
        bool _e23 = local_14;
        local_13 = _e23;
    } else {
        local_13 = true;
    }
    bool _e25 = local_13;
    if (_e25) {
        metal::float2 _e26 = qmv_group(row_2, j_3, global_factor_3, p, scales, biases, _buffer_sizes);
        return _e26;
    }
    uint _e29 = p.gpr;
    uint g_1 = (row_2 * _e29) + (j_3 / GS);
    uint _e38 = scales[g_1 >> 2u];
    uint byte_2 = (_e38 >> ((g_1 & 3u) * 8u)) & 255u;
    if (false) {
        return metal::float2(as_type<float>(metal::min(byte_2 + 8u, 255u) << 23u), 0.0);
    }
    if (false) {
        return metal::float2(as_type<float>(metal::min(byte_2 + 14u, 255u) << 23u), 0.0);
    }
    uint h_1 = ((byte_2 & 127u) << 7u) | ((byte_2 & 128u) << 8u);
    a_2 = float2(as_type<half2>(h_1)).x * 4194304.0;
    if ((byte_2 & 127u) == 127u) {
        a_2 = as_type<float>(2143289344u);
    }
    float _e94 = a_2;
    float _e95 = a_2;
    uint _e99 = p.has_global;
    return metal::float2((_e99 != 0u) ? (_e95 * global_factor_3) : _e94, 0.0);
}

uint qmv_unit_words(
) {
    if (true) {
        return QMV_VEC;
    }
    return BITS;
}

uint qmv_unit_codes(
) {
    uint _e1 = qmv_unit_words();
    return metal::max((32u * _e1) / BITS, 8u);
}

metal::uint4 qmv_unit_lo(
    uint i_5,
    device type_7 const& wq,
    constant _mslBufferSizes& _buffer_sizes
) {
    bool local_15 = {};
    metal::uint4 v_5 = {};
    uint _e1 = qmv_unit_words();
    if (_e1 == 4u) {
        local_15 = true;
    } else {
        local_15 = false;
    }
    bool _e16 = local_15;
    if (_e16) {
        metal::uint4 _e21 = wq[i_5 >> 2u];
        return _e21;
    }
    uint _e22 = wq_word(i_5, wq, _buffer_sizes);
    v_5 = metal::uint4(_e22, 0u, 0u, 0u);
    if (_e1 > 1u) {
        uint _e33 = wq_word(i_5 + 1u, wq, _buffer_sizes);
        v_5.y = _e33;
        uint _e37 = wq_word(i_5 + 2u, wq, _buffer_sizes);
        v_5.z = _e37;
    }
    if (_e1 > 3u) {
        uint _e43 = wq_word(i_5 + 3u, wq, _buffer_sizes);
        v_5.w = _e43;
    }
    metal::uint4 _e44 = v_5;
    return _e44;
}

metal::uint4 qmv_unit_hi(
    uint i_6,
    device type_7 const& wq,
    constant _mslBufferSizes& _buffer_sizes
) {
    metal::uint4 v_6 = metal::uint4(0u);
    uint _e1 = qmv_unit_words();
    if (_e1 > 4u) {
        uint _e10 = wq_word(i_6 + 4u, wq, _buffer_sizes);
        v_6.x = _e10;
    }
    if (_e1 > 5u) {
        uint _e16 = wq_word(i_6 + 5u, wq, _buffer_sizes);
        v_6.y = _e16;
    }
    if (_e1 > 6u) {
        uint _e22 = wq_word(i_6 + 6u, wq, _buffer_sizes);
        v_6.z = _e22;
    }
    metal::uint4 _e23 = v_6;
    return _e23;
}

Unit4_ qmv_unit_load(
    metal::uint4 wbase_1,
    uint c_1,
    device type_7 const& wq,
    constant _mslBufferSizes& _buffer_sizes
) {
    Unit4_ w_6 = {};
    metal::uint4 z = metal::uint4(0u);
    w_6 = Unit4_ {z, z, z, z, z, z, z, z};
    uint _e6 = qmv_unit_words();
    uint off = c_1 * _e6;
    metal::uint4 _e11 = qmv_unit_lo(wbase_1.x + off, wq, _buffer_sizes);
    w_6.c0_ = _e11;
    metal::uint4 _e15 = qmv_unit_hi(wbase_1.x + off, wq, _buffer_sizes);
    w_6.h0_ = _e15;
    if (true) {
        metal::uint4 _e23 = qmv_unit_lo(wbase_1.y + off, wq, _buffer_sizes);
        w_6.c1_ = _e23;
        metal::uint4 _e27 = qmv_unit_hi(wbase_1.y + off, wq, _buffer_sizes);
        w_6.h1_ = _e27;
    }
    if (true) {
        metal::uint4 _e35 = qmv_unit_lo(wbase_1.z + off, wq, _buffer_sizes);
        w_6.c2_ = _e35;
        metal::uint4 _e39 = qmv_unit_hi(wbase_1.z + off, wq, _buffer_sizes);
        w_6.h2_ = _e39;
    }
    if (true) {
        metal::uint4 _e47 = qmv_unit_lo(wbase_1.w + off, wq, _buffer_sizes);
        w_6.c3_ = _e47;
        metal::uint4 _e51 = qmv_unit_hi(wbase_1.w + off, wq, _buffer_sizes);
        w_6.h3_ = _e51;
    }
    Unit4_ _e52 = w_6;
    return _e52;
}

uint qmv_uword(
    metal::uint4 lo,
    metal::uint4 hi,
    uint i_7
) {
    if (i_7 < 4u) {
        return lo[i_7];
    }
    return hi[i_7 - 4u];
}

float qmv_code_f(
    metal::uint4 lo_1,
    metal::uint4 hi_1,
    uint pos
) {
    uint q_3 = {};
    uint v_7 = {};
    uint wi_1 = pos >> 5u;
    uint sh_3 = pos & 31u;
    uint _e7 = qmv_uword(lo_1, hi_1, wi_1);
    bool straddles = (sh_3 + BITS) > 32u;
    if (true) {
        q_3 = _e7 >> sh_3;
        if (straddles) {
            uint _e19 = q_3;
            uint _e22 = qmv_uword(lo_1, hi_1, wi_1 + 1u);
            q_3 = _e19 | (_e22 << (32u - sh_3));
        }
        uint _e27 = q_3;
        return static_cast<float>(_e27 & 15u);
    }
    if (sh_3 <= 19u) {
        v_7 = _e7 << (19u - sh_3);
    } else {
        v_7 = _e7 >> (sh_3 - 19u);
    }
    if (straddles) {
        uint _e46 = v_7;
        uint _e49 = qmv_uword(lo_1, hi_1, wi_1 + 1u);
        v_7 = _e46 | (_e49 << (51u - sh_3));
    }
    uint _e55 = v_7;
    return as_type<float>((_e55 & 7864320u) | 1065353216u);
}

W8_ qmv_octet(
    metal::uint4 lo_2,
    metal::uint4 hi_2,
    uint o,
    threadgroup type_12& fp4_lut
) {
    if (false) {
        uint _e9 = qmv_uword(lo_2, hi_2, 2u * o);
        uint _e14 = qmv_uword(lo_2, hi_2, (2u * o) + 1u);
        W8_ _e15 = qmv_w8_(_e9, _e14, fp4_lut);
        return _e15;
    }
    if (true) {
        uint _e20 = qmv_uword(lo_2, hi_2, o);
        W8_ _e22 = qmv_w8_(_e20, 0u, fp4_lut);
        return _e22;
    }
    uint p0_ = (o * 8u) * BITS;
    float _e27 = qmv_code_f(lo_2, hi_2, p0_);
    float _e30 = qmv_code_f(lo_2, hi_2, p0_ + BITS);
    float _e36 = qmv_code_f(lo_2, hi_2, p0_ + 8u);
    float _e42 = qmv_code_f(lo_2, hi_2, p0_ + 12u);
    float _e49 = qmv_code_f(lo_2, hi_2, p0_ + 16u);
    float _e55 = qmv_code_f(lo_2, hi_2, p0_ + 20u);
    float _e61 = qmv_code_f(lo_2, hi_2, p0_ + 24u);
    float _e67 = qmv_code_f(lo_2, hi_2, p0_ + 28u);
    return W8_ {metal::float4(_e27, _e30, _e36, _e42), metal::float4(_e49, _e55, _e61, _e67)};
}

void qmv_unit(
    uint c_2,
    Unit4_ w_7,
    uint count,
    float global_factor_4,
    constant Params& p,
    device type_7 const& x_2,
    device type_8 const& scales,
    device type_8 const& biases,
    threadgroup type_12& fp4_lut,
    thread type_17& qacc,
    thread metal::uint4& qmv_wrow,
    thread type_4& qmv_xrow,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint o0_ = 0u;
    metal::float4 a_3 = {};
    metal::float4 b_2 = {};
    uint ci_12 = {};
    type_17 d_2 = {};
    type_16 sx_1 = {};
    uint o_1 = {};
    W8_ f1_ = {};
    W8_ f2_ = {};
    W8_ f3_ = {};
    uint mi_6 = {};
    uint mi_7 = {};
    uint _e4 = qmv_unit_codes();
    uint octs = _e4 / 8u;
    uint goct = metal::min(8u, octs);
    uint row0_ = (c_2 * octs) * 8u;
    bool loop_init_5 = true;
    while(true) {
        if (!loop_init_5) {
            uint _e201 = o0_;
            o0_ = _e201 + goct;
        }
        loop_init_5 = false;
        uint _e17 = o0_;
        if (_e17 < octs) {
        } else {
            break;
        }
        {
            uint _e19 = o0_;
            uint j0_ = row0_ + (_e19 * 8u);
            a_3 = metal::float4(0.0);
            b_2 = metal::float4(0.0);
            ci_12 = 0u;
            bool loop_init_6 = true;
            while(true) {
                if (!loop_init_6) {
                    uint _e46 = ci_12;
                    ci_12 = _e46 + 1u;
                }
                loop_init_6 = false;
                uint _e31 = ci_12;
                if (_e31 < QMV_COLS) {
                } else {
                    break;
                }
                {
                    uint _e35 = ci_12;
                    uint _e37 = qmv_wrow[_e35];
                    metal::float2 _e38 = qmv_word_group(_e37, j0_, global_factor_4, p, scales, biases, _buffer_sizes);
                    uint _e39 = ci_12;
                    a_3[_e39] = _e38.x;
                    uint _e42 = ci_12;
                    b_2[_e42] = _e38.y;
                }
            }
            d_2 = type_17 {};
            sx_1 = type_16 {};
            uint _e52 = o0_;
            o_1 = _e52;
            bool loop_init_7 = true;
            while(true) {
                if (!loop_init_7) {
                    uint _e173 = o_1;
                    o_1 = _e173 + 1u;
                }
                loop_init_7 = false;
                uint _e54 = o_1;
                uint _e55 = o0_;
                if (_e54 < (_e55 + goct)) {
                } else {
                    break;
                }
                {
                    uint _e60 = o_1;
                    W8_ _e61 = qmv_octet(w_7.c0_, w_7.h0_, _e60, fp4_lut);
                    f1_ = _e61;
                    f2_ = _e61;
                    f3_ = _e61;
                    if (true) {
                        uint _e71 = o_1;
                        W8_ _e72 = qmv_octet(w_7.c1_, w_7.h1_, _e71, fp4_lut);
                        f1_ = _e72;
                    }
                    if (true) {
                        uint _e79 = o_1;
                        W8_ _e80 = qmv_octet(w_7.c2_, w_7.h2_, _e79, fp4_lut);
                        f2_ = _e80;
                    }
                    if (true) {
                        uint _e87 = o_1;
                        W8_ _e88 = qmv_octet(w_7.c3_, w_7.h3_, _e87, fp4_lut);
                        f3_ = _e88;
                    }
                    mi_6 = 0u;
                    bool loop_init_8 = true;
                    while(true) {
                        if (!loop_init_8) {
                            uint _e170 = mi_6;
                            mi_6 = _e170 + 1u;
                        }
                        loop_init_8 = false;
                        uint _e91 = mi_6;
                        if (_e91 < QMV_XROWS) {
                        } else {
                            break;
                        }
                        {
                            uint _e94 = mi_6;
                            if (_e94 < count) {
                                uint _e97 = mi_6;
                                uint _e99 = qmv_xrow.inner[_e97];
                                uint _e100 = o_1;
                                uint _e101 = o0_;
                                X8_ _e106 = qmv_x8v(_e99, j0_ + ((_e100 - _e101) * 8u), p, x_2, _buffer_sizes);
                                if (true) {
                                    uint _e112 = mi_6;
                                    float _e114 = sx_1.inner[_e112];
                                    sx_1.inner[_e112] = _e114 + metal::dot(_e106.lo + _e106.hi, metal::float4(1.0));
                                }
                                uint _e122 = mi_6;
                                uint _e125 = mi_6;
                                float _e128 = d_2.inner[_e125].x;
                                float _e129 = qmv_dot8_(_e128, _e61, _e106);
                                d_2.inner[_e122].x = _e129;
                                if (true) {
                                    uint _e134 = mi_6;
                                    uint _e137 = mi_6;
                                    float _e140 = d_2.inner[_e137].y;
                                    W8_ _e141 = f1_;
                                    float _e142 = qmv_dot8_(_e140, _e141, _e106);
                                    d_2.inner[_e134].y = _e142;
                                }
                                if (true) {
                                    uint _e147 = mi_6;
                                    uint _e150 = mi_6;
                                    float _e153 = d_2.inner[_e150].z;
                                    W8_ _e154 = f2_;
                                    float _e155 = qmv_dot8_(_e153, _e154, _e106);
                                    d_2.inner[_e147].z = _e155;
                                }
                                if (true) {
                                    uint _e160 = mi_6;
                                    uint _e163 = mi_6;
                                    float _e166 = d_2.inner[_e163].w;
                                    W8_ _e167 = f3_;
                                    float _e168 = qmv_dot8_(_e166, _e167, _e106);
                                    d_2.inner[_e160].w = _e168;
                                }
                            }
                        }
                    }
                }
            }
            mi_7 = 0u;
            bool loop_init_9 = true;
            while(true) {
                if (!loop_init_9) {
                    uint _e199 = mi_7;
                    mi_7 = _e199 + 1u;
                }
                loop_init_9 = false;
                uint _e177 = mi_7;
                if (_e177 < QMV_XROWS) {
                } else {
                    break;
                }
                {
                    uint _e180 = mi_7;
                    if (_e180 < count) {
                        uint _e183 = mi_7;
                        metal::float4 _e185 = qacc.inner[_e183];
                        metal::float4 _e186 = a_3;
                        uint _e187 = mi_7;
                        metal::float4 _e189 = d_2.inner[_e187];
                        metal::float4 _e191 = b_2;
                        uint _e192 = mi_7;
                        float _e194 = sx_1.inner[_e192];
                        qacc.inner[_e183] = _e185 + ((_e186 * _e189) + (_e191 * _e194));
                    }
                }
            }
        }
    }
    return;
}

bool qmv_word_kernel(
) {
    bool local_16 = {};
    bool local_17 = {};
    bool local_18 = {};
    bool local_19 = {};
    bool local_20 = {};
    bool local_21 = {};
    bool local_22 = {};
    if (false) {
        local_16 = true;
    } else {
        local_16 = true;
    }
    bool _e13 = local_16;
    if (!(_e13)) {
        if (false) {
            local_18 = false;
        } else {
            local_18 = false;
        }
        bool _e29 = local_18;
        local_17 = _e29;
    } else {
        local_17 = true;
    }
    bool codes = local_17;
    if (false) {
        local_19 = codes;
    } else {
        local_19 = false;
    }
    bool _e39 = local_19;
    if (_e39) {
        local_20 = true;
    } else {
        local_20 = false;
    }
    bool _e47 = local_20;
    if (_e47) {
        if (false) {
            local_22 = true;
        } else {
            local_22 = true;
        }
        bool _e62 = local_22;
        local_21 = _e62;
    } else {
        local_21 = false;
    }
    bool _e64 = local_21;
    return _e64;
}

metal::uint2 qmv_row(
    uint first,
    uint mi_8,
    device type_11 const& rows,
    constant _mslBufferSizes& _buffer_sizes
) {
    if (false) {
        return metal::uint2(mi_8);
    }
    metal::uint2 _e10 = rows[first + mi_8];
    return _e10;
}

void qmv_reduce_flat(
    uint lid_1,
    uint lane,
    uint col0_,
    uint count_1,
    uint tile_row,
    thread type_18& acc_1,
    constant Params& p,
    device type_11 const& rows,
    device type_8& out,
    threadgroup type_14& red,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint m0_ = 0u;
    uint r = {};
    uint ci_13 = {};
    uint job = {};
    float s0_1 = {};
    float s1_ = {};
    uint l = {};
    bool local_23 = {};
    uint team0_ = lid_1 - lane;
    bool loop_init_10 = true;
    while(true) {
        if (!loop_init_10) {
            uint _e166 = m0_;
            m0_ = _e166 + 2u;
        }
        loop_init_10 = false;
        uint _e19 = m0_;
        if (_e19 < QMV_XROWS) {
        } else {
            break;
        }
        {
            r = 0u;
            bool loop_init_11 = true;
            while(true) {
                if (!loop_init_11) {
                    uint _e59 = r;
                    r = _e59 + 1u;
                }
                loop_init_11 = false;
                uint _e24 = r;
                if (_e24 < 2u) {
                } else {
                    break;
                }
                {
                    uint _e26 = m0_;
                    uint _e27 = r;
                    uint mi_9 = metal::min(_e26 + _e27, 7u);
                    ci_13 = 0u;
                    bool loop_init_12 = true;
                    while(true) {
                        if (!loop_init_12) {
                            uint _e56 = ci_13;
                            ci_13 = _e56 + 1u;
                        }
                        loop_init_12 = false;
                        uint _e36 = ci_13;
                        if (_e36 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e40 = r;
                            uint _e43 = ci_13;
                            uint _e49 = ci_13;
                            float _e54 = acc_1.inner[(_e49 * QMAX_ROWS) + mi_9];
                            red.inner[(((_e40 * QMV_COLS) + _e43) * QMV_WG) + lid_1] = _e54;
                        }
                    }
                }
            }
            metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
            job = lane;
            bool loop_init_13 = true;
            while(true) {
                if (!loop_init_13) {
                    uint _e163 = job;
                    job = _e163 + QMV_LANES;
                }
                loop_init_13 = false;
                uint _e73 = job;
                if (_e73 < 8u) {
                } else {
                    break;
                }
                {
                    uint _e75 = job;
                    uint r_2 = _e75 / 4u;
                    uint _e80 = job;
                    uint ci_14 = (_e80 % 4u) * 1u;
                    uint _e86 = m0_;
                    uint mi_10 = _e86 + r_2;
                    s0_1 = 0.0;
                    s1_ = 0.0;
                    uint b0_2 = (((r_2 * QMV_COLS) + ci_14) * QMV_WG) + team0_;
                    l = 0u;
                    bool loop_init_14 = true;
                    while(true) {
                        if (!loop_init_14) {
                            uint _e122 = l;
                            l = _e122 + 1u;
                        }
                        loop_init_14 = false;
                        uint _e100 = l;
                        if (_e100 < QMV_LANES) {
                        } else {
                            break;
                        }
                        {
                            float _e103 = s0_1;
                            uint _e105 = l;
                            float _e108 = red.inner[b0_2 + _e105];
                            s0_1 = _e103 + _e108;
                            if (false) {
                                float _e112 = s1_;
                                uint _e116 = l;
                                float _e119 = red.inner[(b0_2 + QMV_WG) + _e116];
                                s1_ = _e112 + _e119;
                            }
                        }
                    }
                    if (mi_10 < count_1) {
                        uint _e130 = p.n;
                        local_23 = (col0_ + ci_14) < _e130;
                    } else {
                        local_23 = false;
                    }
                    bool _e133 = local_23;
                    if (_e133) {
                        metal::uint2 _e134 = qmv_row(tile_row, mi_10, rows, _buffer_sizes);
                        uint _e138 = p.n;
                        uint o_3 = _e134.y * _e138;
                        if (false) {
                            float _e148 = s0_1;
                            uint _e150 = float_to_bits(_e148, XDT);
                            float _e151 = s1_;
                            uint _e153 = float_to_bits(_e151, XDT);
                            out[((o_3 + col0_) + ci_14) >> 1u] = _e150 | (_e153 << 16u);
                        } else {
                            float _e161 = s0_1;
                            out[(o_3 + col0_) + ci_14] = as_type<uint>(_e161);
                        }
                    }
                }
            }
            metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
        }
    }
    return;
}

struct qmvInput {
};
[[max_total_threads_per_threadgroup(128)]] kernel void qmv(
  metal::uint3 wid [[threadgroup_position_in_grid]]
, metal::uint3 nwg [[threadgroups_per_grid]]
, uint lid [[thread_index_in_threadgroup]]
, device type_7 const& wq [[buffer(2)]]
, constant Params& p [[buffer(0)]]
, device type_7 const& x_2 [[buffer(1)]]
, device type_8 const& scales [[buffer(3)]]
, device type_8 const& biases [[buffer(4)]]
, device type_9 const& gscale [[buffer(5)]]
, device type_7 const& tiles [[buffer(6)]]
, device type_11 const& rows [[buffer(7)]]
, device type_8& out [[buffer(8)]]
, threadgroup type_14& red
, threadgroup type_12& fp4_lut
, constant _mslBufferSizes& _buffer_sizes [[buffer(15)]]
) {
    uint opaque_zero = {};
    type_15 wbuf = {};
    type_16 xv = {};
    type_17 qacc = {};
    metal::uint4 qmv_wrow = {};
    type_4 qmv_xrow = {};
    bool local = {};
    bool local_1 = {};
    bool local_2 = {};
    metal::uint4 tile = metal::uint4(0u, 0u, 8u, 0u);
    float global_factor = 0.0;
    bool local_3 = {};
    type_4 x_rows = {};
    uint mi = 0u;
    type_20 w_rows = {};
    uint ci = 0u;
    type_18 acc = {};
    metal::uint4 wbase = metal::uint4(0u);
    uint ci_1 = 0u;
    uint mi_1 = 0u;
    bool local_4 = {};
    uint u0_ = {};
    bool local_5 = {};
    bool local_6 = {};
    Unit4_ cur = {};
    Unit4_ wb = {};
    Unit4_ wc = {};
    Unit4_ wd = {};
    uint mi_2 = 0u;
    uint ci_2 = {};
    uint c0_ = {};
    uint u = {};
    uint ci_3 = {};
    uint u_1 = {};
    uint s0_ = {};
    type_21 ab = {};
    uint ci_4 = {};
    type_18 dots = {};
    type_16 sx = {};
    uint e8_ = {};
    type_18 wf = {};
    uint ci_5 = {};
    uint e = {};
    uint mi_3 = {};
    uint ci_6 = {};
    float d = {};
    uint e_1 = {};
    uint mi_4 = {};
    uint ci_7 = {};
    uint mi_5 = 0u;
    uint ci_8 = {};
    uint stride = {};
    uint ci_9 = {};
    bool local_7 = {};
    uint ci_10 = {};
    uint ci_11 = {};
    if (true) {
        local = false;
    } else {
        local = true;
    }
    bool _e17 = local;
    if (_e17) {
        bool _e20 = qmv_word_kernel();
        if (!(!(_e20))) {
            local_2 = false;
        } else {
            local_2 = true;
        }
        bool _e30 = local_2;
        local_1 = _e30;
    } else {
        local_1 = false;
    }
    bool _e32 = local_1;
    if (_e32) {
        if (lid < 16u) {
            float _e37 = fp4_value(lid);
            fp4_lut.inner[lid] = _e37;
        }
        metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
    }
    uint _e38 = tile_index(wid, nwg);
    uint _e41 = p.tiles;
    bool tile_live = _e38 < _e41;
    if (true) {
        uint _e57 = p.tiles;
        metal::uint4 _e62 = tiles[metal::min(_e38, _e57 - 1u)];
        tile = _e62;
    }
    uint _e67 = tiles[0].w;
    opaque_zero = _e67;
    uint _e70 = tile.z;
    uint count_2 = tile_live ? _e70 : 0u;
    uint lane_1 = lid % QMV_LANES;
    uint col0_1 = ((wid.x * 8u) + (lid / QMV_LANES)) * QMV_COLS;
    uint _e87 = tile.x;
    uint _e90 = p.rows_per_w;
    uint row0_1 = _e87 * _e90;
    if (false) {
        uint _e103 = p.has_global;
        local_3 = _e103 != 0u;
    } else {
        local_3 = false;
    }
    bool _e107 = local_3;
    if (_e107) {
        uint _e110 = tile.x;
        float _e112 = gscale[_e110];
        float _e114 = div_rn(_e112, 2688.0, opaque_zero);
        global_factor = _e114;
    }
    bool loop_init_15 = true;
    while(true) {
        if (!loop_init_15) {
            uint _e134 = mi;
            mi = _e134 + 1u;
        }
        loop_init_15 = false;
        uint _e118 = mi;
        if (_e118 < QMV_XROWS) {
        } else {
            break;
        }
        {
            uint _e121 = mi;
            uint _e124 = tile.y;
            uint _e125 = mi;
            metal::uint2 _e131 = qmv_row(_e124, metal::min(_e125, metal::max(count_2, 1u) - 1u), rows, _buffer_sizes);
            x_rows.inner[_e121] = _e131.x;
        }
    }
    bool loop_init_16 = true;
    while(true) {
        if (!loop_init_16) {
            uint _e154 = ci;
            ci = _e154 + 1u;
        }
        loop_init_16 = false;
        uint _e139 = ci;
        if (_e139 < QMV_COLS) {
        } else {
            break;
        }
        {
            uint _e142 = ci;
            uint _e144 = ci;
            uint _e148 = p.n;
            w_rows.inner[_e142] = row0_1 + metal::min(col0_1 + _e144, _e148 - 1u);
        }
    }
    uint _e158 = p.k;
    uint chunks = (_e158 + 31u) / 32u;
    bool _e168 = qmv_word_kernel();
    uint _e171 = p.wpr;
    uint _e172 = qmv_unit_words();
    uint units = _e171 / _e172;
    bool loop_init_17 = true;
    while(true) {
        if (!loop_init_17) {
            uint _e198 = ci_1;
            ci_1 = _e198 + 1u;
        }
        loop_init_17 = false;
        uint _e179 = ci_1;
        if (_e179 < QMV_COLS) {
        } else {
            break;
        }
        {
            uint _e182 = ci_1;
            uint _e184 = ci_1;
            uint _e186 = w_rows.inner[_e184];
            uint _e189 = p.wpr;
            wbase[_e182] = _e186 * _e189;
            uint _e192 = ci_1;
            uint _e194 = ci_1;
            uint _e196 = w_rows.inner[_e194];
            qmv_wrow[_e192] = _e196;
        }
    }
    bool loop_init_18 = true;
    while(true) {
        if (!loop_init_18) {
            uint _e212 = mi_1;
            mi_1 = _e212 + 1u;
        }
        loop_init_18 = false;
        uint _e202 = mi_1;
        if (_e202 < QMV_XROWS) {
        } else {
            break;
        }
        {
            uint _e206 = mi_1;
            uint _e208 = mi_1;
            uint _e210 = x_rows.inner[_e208];
            qmv_xrow.inner[_e206] = _e210;
        }
    }
    if (_e168) {
        local_4 = count_2 > 0u;
    } else {
        local_4 = false;
    }
    bool _e224 = local_4;
    u0_ = _e224 ? lane_1 : units;
    if (false) {
        local_5 = false;
    } else {
        local_5 = false;
    }
    bool _e238 = local_5;
    if (_e238) {
        uint _e241 = u0_;
        local_6 = _e241 < units;
    } else {
        local_6 = false;
    }
    bool _e244 = local_6;
    if (_e244) {
        metal::uint4 _e245 = wbase;
        uint _e246 = u0_;
        Unit4_ _e247 = qmv_unit_load(_e245, _e246, wq, _buffer_sizes);
        cur = _e247;
        bool loop_init_19 = true;
        while(true) {
            if (!loop_init_19) {
                uint _e262 = u0_;
                u0_ = _e262 + QMV_LANES;
            }
            loop_init_19 = false;
            uint _e249 = u0_;
            if (_e249 < units) {
            } else {
                break;
            }
            {
                metal::uint4 _e251 = wbase;
                uint _e252 = u0_;
                Unit4_ _e258 = qmv_unit_load(_e251, metal::min(_e252 + QMV_LANES, units - 1u), wq, _buffer_sizes);
                uint _e259 = u0_;
                Unit4_ _e260 = cur;
                float _e261 = global_factor;
                qmv_unit(_e259, _e260, count_2, _e261, p, x_2, scales, biases, fp4_lut, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
                cur = _e258;
            }
        }
    }
    bool loop_init_20 = true;
    while(true) {
        if (!loop_init_20) {
            uint _e349 = u0_;
            u0_ = _e349 + 32u;
        }
        loop_init_20 = false;
        uint _e265 = u0_;
        if ((_e265 + 16u) < units) {
        } else {
            break;
        }
        {
            metal::uint4 _e275 = wbase;
            uint _e276 = u0_;
            Unit4_ _e277 = qmv_unit_load(_e275, _e276, wq, _buffer_sizes);
            wb = _e277;
            wc = _e277;
            wd = _e277;
            if (true) {
                metal::uint4 _e285 = wbase;
                uint _e286 = u0_;
                Unit4_ _e289 = qmv_unit_load(_e285, _e286 + QMV_LANES, wq, _buffer_sizes);
                wb = _e289;
            }
            if (false) {
                metal::uint4 _e294 = wbase;
                uint _e295 = u0_;
                Unit4_ _e301 = qmv_unit_load(_e294, _e295 + 32u, wq, _buffer_sizes);
                wc = _e301;
            }
            if (false) {
                metal::uint4 _e306 = wbase;
                uint _e307 = u0_;
                Unit4_ _e313 = qmv_unit_load(_e306, _e307 + 48u, wq, _buffer_sizes);
                wd = _e313;
            }
            uint _e314 = u0_;
            float _e315 = global_factor;
            qmv_unit(_e314, _e277, count_2, _e315, p, x_2, scales, biases, fp4_lut, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
            if (true) {
                uint _e320 = u0_;
                Unit4_ _e323 = wb;
                float _e324 = global_factor;
                qmv_unit(_e320 + QMV_LANES, _e323, count_2, _e324, p, x_2, scales, biases, fp4_lut, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
            }
            if (false) {
                uint _e329 = u0_;
                Unit4_ _e335 = wc;
                float _e336 = global_factor;
                qmv_unit(_e329 + 32u, _e335, count_2, _e336, p, x_2, scales, biases, fp4_lut, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
            }
            if (false) {
                uint _e341 = u0_;
                Unit4_ _e347 = wd;
                float _e348 = global_factor;
                qmv_unit(_e341 + 48u, _e347, count_2, _e348, p, x_2, scales, biases, fp4_lut, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
            }
        }
    }
    bool loop_init_21 = true;
    while(true) {
        if (!loop_init_21) {
            uint _e358 = u0_;
            u0_ = _e358 + QMV_LANES;
        }
        loop_init_21 = false;
        uint _e351 = u0_;
        if (_e351 < units) {
        } else {
            break;
        }
        {
            uint _e353 = u0_;
            metal::uint4 _e354 = wbase;
            uint _e355 = u0_;
            Unit4_ _e356 = qmv_unit_load(_e354, _e355, wq, _buffer_sizes);
            float _e357 = global_factor;
            qmv_unit(_e353, _e356, count_2, _e357, p, x_2, scales, biases, fp4_lut, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
        }
    }
    bool loop_init_22 = true;
    while(true) {
        if (!loop_init_22) {
            uint _e387 = mi_2;
            mi_2 = _e387 + 1u;
        }
        loop_init_22 = false;
        uint _e363 = mi_2;
        if (_e363 < QMV_XROWS) {
        } else {
            break;
        }
        {
            ci_2 = 0u;
            bool loop_init_23 = true;
            while(true) {
                if (!loop_init_23) {
                    uint _e384 = ci_2;
                    ci_2 = _e384 + 1u;
                }
                loop_init_23 = false;
                uint _e368 = ci_2;
                if (_e368 < QMV_COLS) {
                } else {
                    break;
                }
                {
                    uint _e371 = ci_2;
                    uint _e374 = mi_2;
                    uint _e378 = mi_2;
                    uint _e380 = ci_2;
                    float _e382 = qacc.inner[_e378][_e380];
                    acc.inner[(_e371 * QMAX_ROWS) + _e374] = _e382;
                }
            }
        }
    }
    uint first_1 = (count_2 > 0u) ? lane_1 : chunks;
    c0_ = _e168 ? chunks : first_1;
    bool loop_init_24 = true;
    while(true) {
        if (!loop_init_24) {
            uint _e674 = c0_;
            c0_ = _e674 + 32u;
        }
        loop_init_24 = false;
        uint _e401 = c0_;
        if (_e401 < chunks) {
        } else {
            break;
        }
        {
            u = 0u;
            bool loop_init_25 = true;
            while(true) {
                if (!loop_init_25) {
                    uint _e434 = u;
                    u = _e434 + 1u;
                }
                loop_init_25 = false;
                uint _e405 = u;
                if (_e405 < 2u) {
                } else {
                    break;
                }
                {
                    uint _e407 = c0_;
                    uint _e408 = u;
                    uint c_3 = metal::min(_e407 + (_e408 * QMV_LANES), chunks - 1u);
                    ci_3 = 0u;
                    bool loop_init_26 = true;
                    while(true) {
                        if (!loop_init_26) {
                            uint _e431 = ci_3;
                            ci_3 = _e431 + 1u;
                        }
                        loop_init_26 = false;
                        uint _e417 = ci_3;
                        if (_e417 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e420 = ci_3;
                            uint _e422 = w_rows.inner[_e420];
                            uint _e423 = u;
                            uint _e426 = ci_3;
                            qmv_load(_e422, c_3, ((_e423 * QMAX_COLS) + _e426) * 8u, wq, p, wbuf, _buffer_sizes);
                        }
                    }
                }
            }
            u_1 = 0u;
            bool loop_init_27 = true;
            while(true) {
                if (!loop_init_27) {
                    uint _e672 = u_1;
                    u_1 = _e672 + 1u;
                }
                loop_init_27 = false;
                uint _e438 = u_1;
                if (_e438 < 2u) {
                } else {
                    break;
                }
                {
                    uint _e440 = c0_;
                    uint _e441 = u_1;
                    uint c_4 = _e440 + (_e441 * QMV_LANES);
                    if (c_4 >= chunks) {
                        break;
                    }
                    s0_ = 0u;
                    bool loop_init_28 = true;
                    while(true) {
                        if (!loop_init_28) {
                            uint _e669 = s0_;
                            s0_ = _e669 + 32u;
                        }
                        loop_init_28 = false;
                        uint _e448 = s0_;
                        if (_e448 < 32u) {
                        } else {
                            break;
                        }
                        {
                            uint _e453 = s0_;
                            uint j0_1 = (c_4 * 32u) + _e453;
                            uint _e457 = p.k;
                            if (j0_1 >= _e457) {
                                break;
                            }
                            ab = type_21 {};
                            ci_4 = 0u;
                            bool loop_init_29 = true;
                            while(true) {
                                if (!loop_init_29) {
                                    uint _e474 = ci_4;
                                    ci_4 = _e474 + 1u;
                                }
                                loop_init_29 = false;
                                uint _e463 = ci_4;
                                if (_e463 < QMV_COLS) {
                                } else {
                                    break;
                                }
                                {
                                    uint _e466 = ci_4;
                                    uint _e468 = ci_4;
                                    uint _e470 = w_rows.inner[_e468];
                                    float _e471 = global_factor;
                                    metal::float2 _e472 = qmv_group(_e470, j0_1, _e471, p, scales, biases, _buffer_sizes);
                                    ab.inner[_e466] = _e472;
                                }
                            }
                            dots = type_18 {};
                            sx = type_16 {};
                            e8_ = 0u;
                            bool loop_init_30 = true;
                            while(true) {
                                if (!loop_init_30) {
                                    uint _e621 = e8_;
                                    e8_ = _e621 + 8u;
                                }
                                loop_init_30 = false;
                                uint _e482 = e8_;
                                if (_e482 < 32u) {
                                } else {
                                    break;
                                }
                                {
                                    wf = type_18 {};
                                    ci_5 = 0u;
                                    bool loop_init_31 = true;
                                    while(true) {
                                        if (!loop_init_31) {
                                            uint _e519 = ci_5;
                                            ci_5 = _e519 + 1u;
                                        }
                                        loop_init_31 = false;
                                        uint _e488 = ci_5;
                                        if (_e488 < QMV_COLS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            e = 0u;
                                            bool loop_init_32 = true;
                                            while(true) {
                                                if (!loop_init_32) {
                                                    uint _e516 = e;
                                                    e = _e516 + 1u;
                                                }
                                                loop_init_32 = false;
                                                uint _e493 = e;
                                                if (_e493 < 8u) {
                                                } else {
                                                    break;
                                                }
                                                {
                                                    uint _e496 = ci_5;
                                                    uint _e499 = e;
                                                    uint _e502 = u_1;
                                                    uint _e505 = ci_5;
                                                    uint _e509 = s0_;
                                                    uint _e510 = e8_;
                                                    uint _e512 = e;
                                                    float _e514 = qmv_weight(((_e502 * QMAX_COLS) + _e505) * 8u, (_e509 + _e510) + _e512, fp4_lut, wbuf);
                                                    wf.inner[(_e496 * 8u) + _e499] = _e514;
                                                }
                                            }
                                        }
                                    }
                                    mi_3 = 0u;
                                    bool loop_init_33 = true;
                                    while(true) {
                                        if (!loop_init_33) {
                                            uint _e619 = mi_3;
                                            mi_3 = _e619 + 1u;
                                        }
                                        loop_init_33 = false;
                                        uint _e523 = mi_3;
                                        if (_e523 < QMV_XROWS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            uint _e526 = mi_3;
                                            if (_e526 < count_2) {
                                                uint _e528 = mi_3;
                                                uint _e530 = x_rows.inner[_e528];
                                                uint _e531 = e8_;
                                                qmv_x8_(_e530, j0_1 + _e531, p, x_2, xv, _buffer_sizes);
                                                if (true) {
                                                    uint _e538 = mi_3;
                                                    float _e540 = sx.inner[_e538];
                                                    float _e543 = xv.inner[0];
                                                    float _e546 = xv.inner[1];
                                                    float _e550 = xv.inner[2];
                                                    float _e553 = xv.inner[3];
                                                    float _e558 = xv.inner[4];
                                                    float _e561 = xv.inner[5];
                                                    float _e565 = xv.inner[6];
                                                    float _e568 = xv.inner[7];
                                                    sx.inner[_e538] = _e540 + (((_e543 + _e546) + (_e550 + _e553)) + ((_e558 + _e561) + (_e565 + _e568)));
                                                }
                                                ci_6 = 0u;
                                                bool loop_init_34 = true;
                                                while(true) {
                                                    if (!loop_init_34) {
                                                        uint _e616 = ci_6;
                                                        ci_6 = _e616 + 1u;
                                                    }
                                                    loop_init_34 = false;
                                                    uint _e575 = ci_6;
                                                    if (_e575 < QMV_COLS) {
                                                    } else {
                                                        break;
                                                    }
                                                    {
                                                        uint _e578 = ci_6;
                                                        uint _e581 = mi_3;
                                                        float _e584 = dots.inner[(_e578 * QMAX_ROWS) + _e581];
                                                        d = _e584;
                                                        e_1 = 0u;
                                                        bool loop_init_35 = true;
                                                        while(true) {
                                                            if (!loop_init_35) {
                                                                uint _e606 = e_1;
                                                                e_1 = _e606 + 1u;
                                                            }
                                                            loop_init_35 = false;
                                                            uint _e588 = e_1;
                                                            if (_e588 < 8u) {
                                                            } else {
                                                                break;
                                                            }
                                                            {
                                                                float _e591 = d;
                                                                uint _e593 = e_1;
                                                                float _e595 = xv.inner[_e593];
                                                                uint _e596 = ci_6;
                                                                uint _e599 = e_1;
                                                                float _e602 = wf.inner[(_e596 * 8u) + _e599];
                                                                d = _e591 + (_e595 * _e602);
                                                            }
                                                        }
                                                        uint _e608 = ci_6;
                                                        uint _e611 = mi_3;
                                                        float _e614 = d;
                                                        dots.inner[(_e608 * QMAX_ROWS) + _e611] = _e614;
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                            mi_4 = 0u;
                            bool loop_init_36 = true;
                            while(true) {
                                if (!loop_init_36) {
                                    uint _e667 = mi_4;
                                    mi_4 = _e667 + 1u;
                                }
                                loop_init_36 = false;
                                uint _e626 = mi_4;
                                if (_e626 < QMV_XROWS) {
                                } else {
                                    break;
                                }
                                {
                                    ci_7 = 0u;
                                    bool loop_init_37 = true;
                                    while(true) {
                                        if (!loop_init_37) {
                                            uint _e664 = ci_7;
                                            ci_7 = _e664 + 1u;
                                        }
                                        loop_init_37 = false;
                                        uint _e631 = ci_7;
                                        if (_e631 < QMV_COLS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            uint _e634 = ci_7;
                                            uint _e637 = mi_4;
                                            float _e640 = acc.inner[(_e634 * QMAX_ROWS) + _e637];
                                            uint _e641 = ci_7;
                                            float _e644 = ab.inner[_e641].x;
                                            uint _e645 = ci_7;
                                            uint _e648 = mi_4;
                                            float _e651 = dots.inner[(_e645 * QMAX_ROWS) + _e648];
                                            uint _e653 = ci_7;
                                            float _e656 = ab.inner[_e653].y;
                                            uint _e657 = mi_4;
                                            float _e659 = sx.inner[_e657];
                                            acc.inner[(_e634 * QMAX_ROWS) + _e637] = _e640 + ((_e644 * _e651) + (_e656 * _e659));
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    if (false) {
        uint _e681 = tile.y;
        qmv_reduce_flat(lid, lane_1, col0_1, count_2, _e681, acc, p, rows, out, red, _buffer_sizes);
        return;
    }
    bool loop_init_38 = true;
    while(true) {
        if (!loop_init_38) {
            uint _e839 = mi_5;
            mi_5 = _e839 + 1u;
        }
        loop_init_38 = false;
        uint _e684 = mi_5;
        if (_e684 < QMV_XROWS) {
        } else {
            break;
        }
        {
            ci_8 = 0u;
            bool loop_init_39 = true;
            while(true) {
                if (!loop_init_39) {
                    uint _e706 = ci_8;
                    ci_8 = _e706 + 1u;
                }
                loop_init_39 = false;
                uint _e689 = ci_8;
                if (_e689 < QMV_COLS) {
                } else {
                    break;
                }
                {
                    uint _e693 = ci_8;
                    uint _e698 = ci_8;
                    uint _e701 = mi_5;
                    float _e704 = acc.inner[(_e698 * QMAX_ROWS) + _e701];
                    red.inner[(_e693 * QMV_WG) + lid] = _e704;
                }
            }
            metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
            stride = 8u;
            bool loop_init_40 = true;
            while(true) {
                if (!loop_init_40) {
                    uint _e743 = stride;
                    stride = _e743 >> 1u;
                }
                loop_init_40 = false;
                uint _e713 = stride;
                if (_e713 > 0u) {
                } else {
                    break;
                }
                {
                    uint _e716 = stride;
                    if (lane_1 < _e716) {
                        ci_9 = 0u;
                        bool loop_init_41 = true;
                        while(true) {
                            if (!loop_init_41) {
                                uint _e741 = ci_9;
                                ci_9 = _e741 + 1u;
                            }
                            loop_init_41 = false;
                            uint _e720 = ci_9;
                            if (_e720 < QMV_COLS) {
                            } else {
                                break;
                            }
                            {
                                uint _e724 = ci_9;
                                float _e729 = red.inner[(_e724 * QMV_WG) + lid];
                                uint _e731 = ci_9;
                                uint _e735 = stride;
                                float _e738 = red.inner[((_e731 * QMV_WG) + lid) + _e735];
                                red.inner[(_e724 * QMV_WG) + lid] = _e729 + _e738;
                            }
                        }
                    }
                    metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
                }
            }
            if (lane_1 == 0u) {
                uint _e750 = mi_5;
                local_7 = _e750 < count_2;
            } else {
                local_7 = false;
            }
            bool _e753 = local_7;
            if (_e753) {
                uint _e755 = tile.y;
                uint _e756 = mi_5;
                metal::uint2 _e757 = qmv_row(_e755, _e756, rows, _buffer_sizes);
                uint _e761 = p.n;
                uint o_4 = _e757.y * _e761;
                if (false) {
                    ci_10 = 0u;
                    bool loop_init_42 = true;
                    while(true) {
                        if (!loop_init_42) {
                            uint _e808 = ci_10;
                            ci_10 = _e808 + 2u;
                        }
                        loop_init_42 = false;
                        uint _e769 = ci_10;
                        if (_e769 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e772 = ci_10;
                            uint _e776 = p.n;
                            if ((col0_1 + _e772) < _e776) {
                                uint _e779 = ci_10;
                                float _e784 = red.inner[(_e779 * QMV_WG) + lid];
                                uint _e786 = float_to_bits(_e784, XDT);
                                uint _e788 = ci_10;
                                float _e795 = red.inner[((_e788 + 1u) * QMV_WG) + lid];
                                uint _e797 = float_to_bits(_e795, XDT);
                                uint _e800 = ci_10;
                                out[((o_4 + col0_1) + _e800) >> 1u] = _e786 | (_e797 << 16u);
                            }
                        }
                    }
                } else {
                    ci_11 = 0u;
                    bool loop_init_43 = true;
                    while(true) {
                        if (!loop_init_43) {
                            uint _e836 = ci_11;
                            ci_11 = _e836 + 1u;
                        }
                        loop_init_43 = false;
                        uint _e813 = ci_11;
                        if (_e813 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e816 = ci_11;
                            uint _e820 = p.n;
                            if ((col0_1 + _e816) < _e820) {
                                uint _e824 = ci_11;
                                uint _e828 = ci_11;
                                float _e833 = red.inner[(_e828 * QMV_WG) + lid];
                                out[(o_4 + col0_1) + _e824] = as_type<uint>(_e833);
                            }
                        }
                    }
                }
            }
            metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
        }
    }
    return;
}
