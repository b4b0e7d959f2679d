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
    uint size12;
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
struct W16_ {
    W8_ a;
    W8_ b;
};
struct type_17 {
    metal::float4 inner[8];
};
struct Unit4_ {
    metal::uint4 c0_;
    metal::uint4 c1_;
    metal::uint4 c2_;
    metal::uint4 c3_;
};
struct type_18 {
    metal::float2 inner[4];
};
struct UnitN {
    metal::uint4 l0_;
    metal::uint4 l1_;
    metal::uint4 l2_;
    metal::uint4 l3_;
    metal::uint4 h0_;
    metal::uint4 h1_;
    metal::uint4 h2_;
    metal::uint4 h3_;
};
struct type_21 {
    float inner[32];
};
struct type_23 {
    uint inner[4];
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
constant uint GS = 32u;
constant uint MODE = 1u;
constant uint XDT = 1u;
constant uint QMV_LANES = 16u;
constant uint QMV_COLS = 4u;
constant uint QMV_WG = 128u;
constant uint QMV_UNROLL = 2u;
constant uint QMV_XROWS = 8u;
constant uint QMV_WORD_PATH = 1u;
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
    uint a_5 = x_3 & 2147483647u;
    if (a_5 > 2139095040u) {
        return (s_1 | 32256u) | ((a_5 & 8388607u) >> 13u);
    }
    if (a_5 >= 1199566848u) {
        return s_1 | 31744u;
    }
    if (a_5 < 947912704u) {
        return s_1 | naga_f2u32(metal::rint(as_type<float>(a_5) * 16777216.0));
    }
    uint r_1 = (a_5 + 4095u) + ((a_5 >> 13u) & 1u);
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
    uint b_4 = as_type<uint>(q);
    bool away = up == (q > 0.0);
    return as_type<float>(away ? (b_4 + 1u) : (b_4 - 1u));
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
    bool local_10 = {};
    uint i = 0u;
    q_2 = a_1 / b_1;
    float _e4 = q_2;
    bool finite = (as_type<uint>(_e4) & 2139095040u) != 2139095040u;
    if (!(!(finite))) {
        float _e14 = q_2;
        local_10 = _e14 == 0.0;
    } else {
        local_10 = true;
    }
    bool _e18 = local_10;
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
    metal::uint4 v_9 = metal::uint4(w_2 << 19u, w_2 << 15u, w_2 << 11u, w_2 << 7u);
    return as_type<metal::float4>((v_9 & metal::uint4(7864320u)) | metal::uint4(1065353216u));
}

metal::float4 codes4_hi_unit(
    uint w_3
) {
    metal::uint4 v_10 = metal::uint4(w_3 << 3u, w_3 >> 1u, w_3 >> 5u, w_3 >> 9u);
    return as_type<metal::float4>((v_10 & metal::uint4(7864320u)) | metal::uint4(1065353216u));
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

uint x_word(
    uint i_2,
    device type_7 const& x_2,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint _e8 = x_2[i_2 >> 2u][i_2 & 3u];
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
    device type_8 const& wq_words,
    thread type_15& wbuf,
    constant _mslBufferSizes& _buffer_sizes
) {
    bool local_11 = {};
    bool local_12 = {};
    uint v_2 = 0u;
    uint i_3 = 0u;
    uint word_1 = {};
    uint _e5 = p.wpr;
    uint row_word = row * _e5;
    uint start = row_word + (c * BITS);
    uint _e12 = p.wpr;
    uint end = row_word + _e12;
    if (true) {
        local_11 = (start & 3u) == 0u;
    } else {
        local_11 = false;
    }
    bool _e27 = local_11;
    if (_e27) {
        local_12 = (start + BITS) <= end;
    } else {
        local_12 = false;
    }
    bool _e34 = local_12;
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
            uint _e108 = i_3;
            i_3 = _e108 + 1u;
        }
        loop_init_2 = false;
        uint _e89 = i_3;
        if (_e89 < BITS) {
        } else {
            break;
        }
        {
            word_1 = 0u;
            uint _e94 = i_3;
            if ((start + _e94) < end) {
                uint _e98 = i_3;
                uint _e101 = wq_words[start + _e98];
                word_1 = _e101;
            }
            uint _e103 = i_3;
            uint _e106 = word_1;
            wbuf.inner[base + _e103] = _e106;
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
    thread type_15& wbuf,
    thread uint& qmv_one32_
) {
    uint v_4 = {};
    if (false) {
        if (false) {
            uint _e12 = qmv_code(base_2, e_3, wbuf);
            return static_cast<float>(_e12);
        }
        uint pos_2 = e_3 * BITS;
        uint sh_1 = pos_2 & 31u;
        if ((sh_1 + BITS) <= 32u) {
            uint w_12 = wbuf.inner[base_2 + (pos_2 >> 5u)];
            if (sh_1 <= 19u) {
                v_4 = w_12 << (19u - sh_1);
            } else {
                v_4 = w_12 >> (sh_1 - 19u);
            }
            uint _e38 = v_4;
            uint _e48 = qmv_one32_;
            return as_type<float>((_e38 & 7864320u) | _e48);
        }
        uint _e51 = qmv_code(base_2, e_3, wbuf);
        uint _e54 = qmv_one32_;
        return as_type<float>((_e51 << 19u) | _e54);
    }
    if (false) {
        uint _e62 = qmv_code(base_2, e_3, wbuf);
        float _e63 = fp8_e4m3_value(_e62);
        return _e63;
    }
    uint _e65 = qmv_code(base_2, e_3, wbuf);
    float _e67 = fp4_lut.inner[_e65];
    return _e67;
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
    if (false) {
        if (false) {
            uint _e22 = scales[g];
            uint _e26 = biases[g];
            return metal::float2(as_type<float>(_e22), as_type<float>(_e26));
        }
        uint _e33 = scales[g >> 1u];
        float _e35 = half_in_word(_e33, g, XDT);
        uint _e40 = biases[g >> 1u];
        float _e42 = half_in_word(_e40, g, XDT);
        float a_6 = _e35 * 16.0;
        return metal::float2(a_6, _e42 - a_6);
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
    if (false) {
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
            if (true) {
                metal::float2 v_11 = float2(as_type<half2>(_e36));
                uint _e45 = t;
                xv.inner[2u * _e45] = v_11.x;
                uint _e51 = t;
                xv.inner[(2u * _e51) + 1u] = v_11.y;
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
    if (false) {
        metal::uint4 _e16 = x_2[i_9 >> 2u];
        metal::uint4 _e24 = x_2[(i_9 >> 2u) + 1u];
        return X8_ {as_type<metal::float4>(_e16), as_type<metal::float4>(_e24)};
    }
    metal::uint4 w_13 = x_2[i_9 >> 3u];
    if (true) {
        return X8_ {metal::float4(float2(as_type<half2>(w_13.x)), float2(as_type<half2>(w_13.y))), metal::float4(float2(as_type<half2>(w_13.z)), float2(as_type<half2>(w_13.w)))};
    }
    metal::uint4 lo_4 = metal::uint4(w_13.x << 16u, w_13.x & 4294901760u, w_13.y << 16u, w_13.y & 4294901760u);
    metal::uint4 hi_4 = metal::uint4(w_13.z << 16u, w_13.z & 4294901760u, w_13.w << 16u, w_13.w & 4294901760u);
    return X8_ {as_type<metal::float4>(lo_4), as_type<metal::float4>(hi_4)};
}

metal::uint4 pairs4_(
    uint w_4,
    thread uint& qmv_one16_
) {
    if (false) {
        metal::uint4 v_12 = metal::uint4(w_4 << 6u, w_4 << 2u, w_4 >> 2u, w_4 >> 6u);
        uint _e19 = qmv_one16_;
        return (v_12 & metal::uint4(62915520u)) | metal::uint4(_e19);
    }
    if (false) {
        uint e_7 = w_4 & 252645135u;
        uint o_4 = (w_4 >> 4u) & 252645135u;
        uint es = e_7 + ((e_7 & 134744072u) * 7u);
        uint os = o_4 + ((o_4 & 134744072u) * 7u);
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

W16_ pairs2_(
    uint w_6,
    thread uint& qmv_one16_
) {
    metal::uint4 m_3 = metal::uint4(50332416u);
    uint _e4 = qmv_one16_;
    metal::uint4 one = metal::uint4(_e4);
    metal::uint4 l_1 = (metal::uint4(w_6 << 8u, w_6 << 6u, w_6 << 4u, w_6 << 2u) & m_3) | one;
    metal::uint4 h = (metal::uint4(w_6, w_6 >> 2u, w_6 >> 4u, w_6 >> 6u) & m_3) | one;
    metal::float2 p0_ = float2(as_type<half2>(l_1.x));
    metal::float2 p1_ = float2(as_type<half2>(l_1.y));
    metal::float2 p2_ = float2(as_type<half2>(l_1.z));
    metal::float2 p3_ = float2(as_type<half2>(l_1.w));
    metal::float2 p4_ = float2(as_type<half2>(h.x));
    metal::float2 p5_ = float2(as_type<half2>(h.y));
    metal::float2 p6_ = float2(as_type<half2>(h.z));
    metal::float2 p7_ = float2(as_type<half2>(h.w));
    return W16_ {W8_ {metal::float4(p0_.x, p1_.x, p2_.x, p3_.x), metal::float4(p4_.x, p5_.x, p6_.x, p7_.x)}, W8_ {metal::float4(p0_.y, p1_.y, p2_.y, p3_.y), metal::float4(p4_.y, p5_.y, p6_.y, p7_.y)}};
}

W8_ qmv_w8_(
    uint wa,
    uint wb_2,
    threadgroup type_12& fp4_lut,
    thread uint& qmv_one16_
) {
    bool local_13 = {};
    bool local_14 = {};
    if (false) {
        local_13 = false;
    } else {
        local_13 = false;
    }
    bool _e14 = local_13;
    if (_e14) {
        metal::uint2 _e15 = fp8_pairs(wa);
        metal::uint2 _e16 = fp8_pairs(wb_2);
        metal::float2 a0_ = float2(as_type<half2>(_e15.x));
        metal::float2 a1_ = float2(as_type<half2>(_e15.y));
        metal::float2 b0_ = float2(as_type<half2>(_e16.x));
        metal::float2 b1_ = float2(as_type<half2>(_e16.y));
        return W8_ {metal::float4(a0_.x, a1_.x, a0_.y, a1_.y), metal::float4(b0_.x, b1_.x, b0_.y, b1_.y)};
    }
    if (false) {
        if (false) {
            metal::uint4 sh_2 = metal::uint4(0u, 8u, 16u, 24u);
            return W8_ {static_cast<metal::float4>((metal::uint4(wa) >> sh_2) & metal::uint4(255u)), static_cast<metal::float4>((metal::uint4(wb_2) >> sh_2) & metal::uint4(255u))};
        }
        metal::uint4 v_13 = metal::uint4(wa << 2u, wa >> 6u, wb_2 << 2u, wb_2 >> 6u);
        metal::uint4 h_1 = (v_13 & metal::uint4(66847740u)) | metal::uint4(1006648320u);
        metal::float2 a0_1 = float2(as_type<half2>(h_1.x));
        metal::float2 a1_1 = float2(as_type<half2>(h_1.y));
        metal::float2 b0_1 = float2(as_type<half2>(h_1.z));
        metal::float2 b1_1 = float2(as_type<half2>(h_1.w));
        return W8_ {metal::float4(a0_1.x, a1_1.x, a0_1.y, a1_1.y), metal::float4(b0_1.x, b1_1.x, b0_1.y, b1_1.y)};
    }
    if (false) {
        local_14 = false;
    } else {
        local_14 = false;
    }
    bool _e110 = local_14;
    if (_e110) {
        metal::uint4 _e111 = codes4_lo(wa);
        metal::uint4 _e113 = codes4_hi(wa);
        return W8_ {static_cast<metal::float4>(_e111), static_cast<metal::float4>(_e113)};
    }
    if (true) {
        metal::uint4 _e120 = pairs4_(wa, qmv_one16_);
        metal::float2 f0_ = float2(as_type<half2>(_e120.x));
        metal::float2 f1_2 = float2(as_type<half2>(_e120.y));
        metal::float2 f2_2 = float2(as_type<half2>(_e120.z));
        metal::float2 f3_2 = float2(as_type<half2>(_e120.w));
        return W8_ {metal::float4(f0_.x, f1_2.x, f2_2.x, f3_2.x), metal::float4(f0_.y, f1_2.y, f2_2.y, f3_2.y)};
    }
    if (false) {
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
    bool local_15 = {};
    bool local_16 = {};
    float a_2 = {};
    if (true) {
        if (false) {
            local_16 = true;
        } else {
            local_16 = false;
        }
        bool _e23 = local_16;
        local_15 = _e23;
    } else {
        local_15 = true;
    }
    bool _e25 = local_15;
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
    if (true) {
        return metal::float2(as_type<float>(metal::min(byte_2 + 14u, 255u) << 23u), 0.0);
    }
    uint h_2 = ((byte_2 & 127u) << 7u) | ((byte_2 & 128u) << 8u);
    a_2 = float2(as_type<half2>(h_2)).x * 4194304.0;
    if ((byte_2 & 127u) == 127u) {
        a_2 = as_type<float>(2143289344u);
    }
    float _e94 = a_2;
    float _e95 = a_2;
    uint _e99 = p.has_global;
    return metal::float2((_e99 != 0u) ? (_e95 * global_factor_3) : _e94, 0.0);
}

metal::float2 qmv_nvfp4_scales2_(
    uint row_3,
    uint j_4,
    float global_factor_4,
    constant Params& p,
    device type_8 const& scales,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint _e5 = p.gpr;
    uint g_2 = (row_3 * _e5) + (j_4 / GS);
    uint _e14 = scales[g_2 >> 2u];
    uint v_14 = _e14 >> ((g_2 & 2u) * 8u);
    uint s_3 = (v_14 & 255u) | ((v_14 & 65280u) << 8u);
    uint mag_2 = s_3 & 8323199u;
    uint m_4 = mag_2 | ((mag_2 + 65537u) & 8388736u);
    uint h_3 = (m_4 << 7u) | ((s_3 & 8388736u) << 8u);
    metal::float2 a_7 = float2(as_type<half2>(h_3)) * 4194304.0;
    uint _e47 = p.has_global;
    return (_e47 != 0u) ? (a_7 * global_factor_4) : a_7;
}

metal::uint4 qmv_unit_word(
    uint i_4,
    device type_7 const& wq,
    constant _mslBufferSizes& _buffer_sizes
) {
    if (true) {
        metal::uint4 _e9 = wq[i_4 >> 2u];
        return _e9;
    }
    uint _e17 = wq[i_4 >> 2u][i_4 & 3u];
    return metal::uint4(_e17, 0u, 0u, 0u);
}

Unit4_ qmv_unit_load(
    metal::uint4 wbase_1,
    uint c_1,
    device type_7 const& wq,
    constant _mslBufferSizes& _buffer_sizes
) {
    Unit4_ w_7 = Unit4_ {metal::uint4(0u), metal::uint4(0u), metal::uint4(0u), metal::uint4(0u)};
    metal::uint4 _e17 = qmv_unit_word(wbase_1.x + (c_1 * QMV_VEC), wq, _buffer_sizes);
    w_7.c0_ = _e17;
    if (true) {
        metal::uint4 _e27 = qmv_unit_word(wbase_1.y + (c_1 * QMV_VEC), wq, _buffer_sizes);
        w_7.c1_ = _e27;
    }
    if (true) {
        metal::uint4 _e37 = qmv_unit_word(wbase_1.z + (c_1 * QMV_VEC), wq, _buffer_sizes);
        w_7.c2_ = _e37;
    }
    if (true) {
        metal::uint4 _e47 = qmv_unit_word(wbase_1.w + (c_1 * QMV_VEC), wq, _buffer_sizes);
        w_7.c3_ = _e47;
    }
    Unit4_ _e48 = w_7;
    return _e48;
}

W8_ qmv_w8_at(
    metal::uint4 u_2,
    uint v_5,
    threadgroup type_12& fp4_lut,
    thread uint& qmv_one16_
) {
    if (false) {
        W8_ _e10 = qmv_w8_(u_2[v_5], u_2[v_5 + 1u], fp4_lut, qmv_one16_);
        return _e10;
    }
    W8_ _e13 = qmv_w8_(u_2[v_5], 0u, fp4_lut, qmv_one16_);
    return _e13;
}

void qmv_unit(
    uint c_2,
    Unit4_ w_8,
    uint count,
    float global_factor_5,
    constant Params& p,
    device type_7 const& x_2,
    device type_8 const& scales,
    device type_8 const& biases,
    threadgroup type_12& fp4_lut,
    thread uint& qmv_one16_,
    thread type_17& qacc,
    thread metal::uint4& qmv_wrow,
    thread type_4& qmv_xrow,
    constant _mslBufferSizes& _buffer_sizes
) {
    bool local_17 = {};
    bool local_18 = {};
    bool local_19 = {};
    type_18 a2_ = type_18 {};
    uint ci_12 = 0u;
    uint o0_ = 0u;
    metal::float4 a_3 = {};
    metal::float4 b_2 = {};
    uint ci_13 = {};
    type_17 d_2 = {};
    type_16 sx_1 = {};
    uint o = {};
    W8_ f1_ = {};
    W8_ f2_ = {};
    W8_ f3_ = {};
    uint mi_6 = {};
    uint mi_7 = {};
    uint row0_ = (c_2 * 4u) * 8u;
    if (false) {
        local_17 = true;
    } else {
        local_17 = false;
    }
    bool _e35 = local_17;
    if (_e35) {
        local_18 = false;
    } else {
        local_18 = false;
    }
    bool _e43 = local_18;
    if (_e43) {
        local_19 = true;
    } else {
        local_19 = false;
    }
    bool scale_pairs = local_19;
    if (scale_pairs) {
        bool loop_init_5 = true;
        while(true) {
            if (!loop_init_5) {
                uint _e65 = ci_12;
                ci_12 = _e65 + 1u;
            }
            loop_init_5 = false;
            uint _e54 = ci_12;
            if (_e54 < QMV_COLS) {
            } else {
                break;
            }
            {
                uint _e57 = ci_12;
                uint _e60 = ci_12;
                uint _e62 = qmv_wrow[_e60];
                metal::float2 _e63 = qmv_nvfp4_scales2_(_e62, row0_, global_factor_5, p, scales, _buffer_sizes);
                a2_.inner[_e57] = _e63;
            }
        }
    }
    bool loop_init_6 = true;
    while(true) {
        if (!loop_init_6) {
            uint _e282 = o0_;
            o0_ = _e282 + 4u;
        }
        loop_init_6 = false;
        uint _e69 = o0_;
        if (_e69 < 4u) {
        } else {
            break;
        }
        {
            uint _e71 = o0_;
            uint j0_1 = row0_ + (_e71 * 8u);
            a_3 = metal::float4(0.0);
            b_2 = metal::float4(0.0);
            ci_13 = 0u;
            bool loop_init_7 = true;
            while(true) {
                if (!loop_init_7) {
                    uint _e112 = ci_13;
                    ci_13 = _e112 + 1u;
                }
                loop_init_7 = false;
                uint _e83 = ci_13;
                if (_e83 < QMV_COLS) {
                } else {
                    break;
                }
                {
                    if (scale_pairs) {
                        uint _e86 = ci_13;
                        uint _e88 = ci_13;
                        float _e91 = a2_.inner[_e88].x;
                        uint _e92 = ci_13;
                        float _e95 = a2_.inner[_e92].y;
                        uint _e96 = o0_;
                        a_3[_e86] = (_e96 != 0u) ? _e95 : _e91;
                    } else {
                        uint _e101 = ci_13;
                        uint _e103 = qmv_wrow[_e101];
                        metal::float2 _e104 = qmv_word_group(_e103, j0_1, global_factor_5, p, scales, biases, _buffer_sizes);
                        uint _e105 = ci_13;
                        a_3[_e105] = _e104.x;
                        uint _e108 = ci_13;
                        b_2[_e108] = _e104.y;
                    }
                }
            }
            d_2 = type_17 {};
            sx_1 = type_16 {};
            uint _e118 = o0_;
            o = _e118;
            bool loop_init_8 = true;
            while(true) {
                if (!loop_init_8) {
                    uint _e239 = o;
                    o = _e239 + 1u;
                }
                loop_init_8 = false;
                uint _e120 = o;
                uint _e121 = o0_;
                if (_e120 < (_e121 + 4u)) {
                } else {
                    break;
                }
                {
                    uint _e125 = o;
                    W8_ _e127 = qmv_w8_at(w_8.c0_, _e125 * 1u, fp4_lut, qmv_one16_);
                    f1_ = _e127;
                    f2_ = _e127;
                    f3_ = _e127;
                    if (true) {
                        uint _e136 = o;
                        W8_ _e138 = qmv_w8_at(w_8.c1_, _e136 * 1u, fp4_lut, qmv_one16_);
                        f1_ = _e138;
                    }
                    if (true) {
                        uint _e144 = o;
                        W8_ _e146 = qmv_w8_at(w_8.c2_, _e144 * 1u, fp4_lut, qmv_one16_);
                        f2_ = _e146;
                    }
                    if (true) {
                        uint _e152 = o;
                        W8_ _e154 = qmv_w8_at(w_8.c3_, _e152 * 1u, fp4_lut, qmv_one16_);
                        f3_ = _e154;
                    }
                    mi_6 = 0u;
                    bool loop_init_9 = true;
                    while(true) {
                        if (!loop_init_9) {
                            uint _e236 = mi_6;
                            mi_6 = _e236 + 1u;
                        }
                        loop_init_9 = false;
                        uint _e157 = mi_6;
                        if (_e157 < QMV_XROWS) {
                        } else {
                            break;
                        }
                        {
                            uint _e160 = mi_6;
                            if (_e160 < count) {
                                uint _e163 = mi_6;
                                uint _e165 = qmv_xrow.inner[_e163];
                                uint _e166 = o;
                                uint _e167 = o0_;
                                X8_ _e172 = qmv_x8v(_e165, j0_1 + ((_e166 - _e167) * 8u), p, x_2, _buffer_sizes);
                                if (false) {
                                    uint _e178 = mi_6;
                                    float _e180 = sx_1.inner[_e178];
                                    sx_1.inner[_e178] = _e180 + metal::dot(_e172.lo + _e172.hi, metal::float4(1.0));
                                }
                                uint _e188 = mi_6;
                                uint _e191 = mi_6;
                                float _e194 = d_2.inner[_e191].x;
                                float _e195 = qmv_dot8_(_e194, _e127, _e172);
                                d_2.inner[_e188].x = _e195;
                                if (true) {
                                    uint _e200 = mi_6;
                                    uint _e203 = mi_6;
                                    float _e206 = d_2.inner[_e203].y;
                                    W8_ _e207 = f1_;
                                    float _e208 = qmv_dot8_(_e206, _e207, _e172);
                                    d_2.inner[_e200].y = _e208;
                                }
                                if (true) {
                                    uint _e213 = mi_6;
                                    uint _e216 = mi_6;
                                    float _e219 = d_2.inner[_e216].z;
                                    W8_ _e220 = f2_;
                                    float _e221 = qmv_dot8_(_e219, _e220, _e172);
                                    d_2.inner[_e213].z = _e221;
                                }
                                if (true) {
                                    uint _e226 = mi_6;
                                    uint _e229 = mi_6;
                                    float _e232 = d_2.inner[_e229].w;
                                    W8_ _e233 = f3_;
                                    float _e234 = qmv_dot8_(_e232, _e233, _e172);
                                    d_2.inner[_e226].w = _e234;
                                }
                            }
                        }
                    }
                }
            }
            mi_7 = 0u;
            bool loop_init_10 = true;
            while(true) {
                if (!loop_init_10) {
                    uint _e280 = mi_7;
                    mi_7 = _e280 + 1u;
                }
                loop_init_10 = false;
                uint _e243 = mi_7;
                if (_e243 < QMV_XROWS) {
                } else {
                    break;
                }
                {
                    uint _e246 = mi_7;
                    if (_e246 < count) {
                        if (false) {
                            uint _e254 = mi_7;
                            metal::float4 _e256 = qacc.inner[_e254];
                            metal::float4 _e257 = a_3;
                            uint _e258 = mi_7;
                            metal::float4 _e260 = d_2.inner[_e258];
                            metal::float4 _e262 = b_2;
                            uint _e263 = mi_7;
                            float _e265 = sx_1.inner[_e263];
                            qacc.inner[_e254] = _e256 + ((_e257 * _e260) + (_e262 * _e265));
                        } else {
                            uint _e270 = mi_7;
                            metal::float4 _e272 = qacc.inner[_e270];
                            metal::float4 _e273 = a_3;
                            uint _e274 = mi_7;
                            metal::float4 _e276 = d_2.inner[_e274];
                            qacc.inner[_e270] = _e272 + (_e273 * _e276);
                        }
                    }
                }
            }
        }
    }
    return;
}

bool qmv_words_n(
) {
    bool local_20 = {};
    bool local_21 = {};
    bool local_22 = {};
    bool local_23 = {};
    if (false) {
        local_20 = true;
    } else {
        local_20 = false;
    }
    bool _e12 = local_20;
    if (_e12) {
        local_21 = false;
    } else {
        local_21 = false;
    }
    bool _e20 = local_21;
    if (_e20) {
        local_22 = true;
    } else {
        local_22 = false;
    }
    bool _e28 = local_22;
    if (_e28) {
        local_23 = true;
    } else {
        local_23 = false;
    }
    bool _e36 = local_23;
    return _e36;
}

uint qmv_unit_words_n(
) {
    return 4u;
}

uint qmv_unit_octets_n(
) {
    uint _e1 = qmv_unit_words_n();
    return (4u * _e1) / BITS;
}

metal::uint4 qmv_unit_n_lo(
    uint i_5,
    device type_7 const& wq,
    device type_8 const& wq_words,
    constant _mslBufferSizes& _buffer_sizes
) {
    bool local_24 = {};
    metal::uint4 v_6 = {};
    uint _e1 = qmv_unit_words_n();
    if (_e1 == 4u) {
        local_24 = false;
    } else {
        local_24 = false;
    }
    bool _e11 = local_24;
    if (_e11) {
        metal::uint4 _e16 = wq[i_5 >> 2u];
        return _e16;
    }
    uint _e19 = wq_words[i_5];
    v_6 = metal::uint4(_e19, 0u, 0u, 0u);
    if (_e1 > 1u) {
        uint _e32 = wq_words[i_5 + 1u];
        v_6.y = _e32;
        uint _e38 = wq_words[i_5 + 2u];
        v_6.z = _e38;
    }
    if (_e1 > 3u) {
        uint _e46 = wq_words[i_5 + 3u];
        v_6.w = _e46;
    }
    metal::uint4 _e47 = v_6;
    return _e47;
}

metal::uint4 qmv_unit_n_hi(
    uint i_6,
    device type_8 const& wq_words,
    constant _mslBufferSizes& _buffer_sizes
) {
    metal::uint4 v_7 = metal::uint4(0u);
    uint _e1 = qmv_unit_words_n();
    if (_e1 > 4u) {
        uint _e12 = wq_words[i_6 + 4u];
        v_7.x = _e12;
    }
    if (_e1 > 5u) {
        uint _e20 = wq_words[i_6 + 5u];
        v_7.y = _e20;
    }
    if (_e1 > 6u) {
        uint _e28 = wq_words[i_6 + 6u];
        v_7.z = _e28;
    }
    metal::uint4 _e29 = v_7;
    return _e29;
}

UnitN qmv_unit_n_load(
    metal::uint4 wbase_2,
    uint c_3,
    device type_7 const& wq,
    device type_8 const& wq_words,
    constant _mslBufferSizes& _buffer_sizes
) {
    UnitN w_9 = {};
    metal::uint4 z = metal::uint4(0u);
    w_9 = UnitN {z, z, z, z, z, z, z, z};
    uint _e6 = qmv_unit_words_n();
    uint off = c_3 * _e6;
    metal::uint4 _e11 = qmv_unit_n_lo(wbase_2.x + off, wq, wq_words, _buffer_sizes);
    w_9.l0_ = _e11;
    metal::uint4 _e15 = qmv_unit_n_hi(wbase_2.x + off, wq_words, _buffer_sizes);
    w_9.h0_ = _e15;
    if (true) {
        metal::uint4 _e23 = qmv_unit_n_lo(wbase_2.y + off, wq, wq_words, _buffer_sizes);
        w_9.l1_ = _e23;
        metal::uint4 _e27 = qmv_unit_n_hi(wbase_2.y + off, wq_words, _buffer_sizes);
        w_9.h1_ = _e27;
    }
    if (true) {
        metal::uint4 _e35 = qmv_unit_n_lo(wbase_2.z + off, wq, wq_words, _buffer_sizes);
        w_9.l2_ = _e35;
        metal::uint4 _e39 = qmv_unit_n_hi(wbase_2.z + off, wq_words, _buffer_sizes);
        w_9.h2_ = _e39;
    }
    if (true) {
        metal::uint4 _e47 = qmv_unit_n_lo(wbase_2.w + off, wq, wq_words, _buffer_sizes);
        w_9.l3_ = _e47;
        metal::uint4 _e51 = qmv_unit_n_hi(wbase_2.w + off, wq_words, _buffer_sizes);
        w_9.h3_ = _e51;
    }
    UnitN _e52 = w_9;
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

float qmv_code_n(
    metal::uint4 lo_1,
    metal::uint4 hi_1,
    uint pos,
    thread uint& qmv_one32_
) {
    uint q_3 = {};
    uint v_8 = {};
    uint wi_1 = pos >> 5u;
    uint sh_3 = pos & 31u;
    uint _e7 = qmv_uword(lo_1, hi_1, wi_1);
    bool straddles = (sh_3 + BITS) > 32u;
    if (false) {
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
        v_8 = _e7 << (19u - sh_3);
    } else {
        v_8 = _e7 >> (sh_3 - 19u);
    }
    if (straddles) {
        uint _e46 = v_8;
        uint _e49 = qmv_uword(lo_1, hi_1, wi_1 + 1u);
        v_8 = _e46 | (_e49 << (51u - sh_3));
    }
    uint _e55 = v_8;
    uint _e65 = qmv_one32_;
    return as_type<float>((_e55 & 7864320u) | _e65);
}

W8_ qmv_octet_n(
    metal::uint4 lo_2,
    metal::uint4 hi_2,
    uint o_1,
    thread uint& qmv_one32_
) {
    uint p0_1 = (o_1 * 8u) * BITS;
    float _e7 = qmv_code_n(lo_2, hi_2, p0_1, qmv_one32_);
    float _e10 = qmv_code_n(lo_2, hi_2, p0_1 + BITS, qmv_one32_);
    float _e16 = qmv_code_n(lo_2, hi_2, p0_1 + 8u, qmv_one32_);
    float _e22 = qmv_code_n(lo_2, hi_2, p0_1 + 12u, qmv_one32_);
    float _e29 = qmv_code_n(lo_2, hi_2, p0_1 + 16u, qmv_one32_);
    float _e35 = qmv_code_n(lo_2, hi_2, p0_1 + 20u, qmv_one32_);
    float _e41 = qmv_code_n(lo_2, hi_2, p0_1 + 24u, qmv_one32_);
    float _e47 = qmv_code_n(lo_2, hi_2, p0_1 + 28u, qmv_one32_);
    return W8_ {metal::float4(_e7, _e10, _e16, _e22), metal::float4(_e29, _e35, _e41, _e47)};
}

W16_ qmv_octets2_n(
    metal::uint4 lo_3,
    metal::uint4 hi_3,
    uint o_2,
    thread uint& qmv_one16_,
    thread uint& qmv_one32_
) {
    bool local_25 = {};
    bool local_26 = {};
    if (false) {
        local_25 = true;
    } else {
        local_25 = false;
    }
    bool _e14 = local_25;
    if (_e14) {
        local_26 = true;
    } else {
        local_26 = false;
    }
    bool _e23 = local_26;
    if (_e23) {
        uint _e26 = qmv_uword(lo_3, hi_3, o_2 >> 1u);
        W16_ _e27 = pairs2_(_e26, qmv_one16_);
        return _e27;
    }
    W8_ _e28 = qmv_octet_n(lo_3, hi_3, o_2, qmv_one32_);
    W8_ _e31 = qmv_octet_n(lo_3, hi_3, o_2 + 1u, qmv_one32_);
    return W16_ {_e28, _e31};
}

void qmv_octets_n_acc(
    UnitN w_10,
    uint o_3,
    uint j0_,
    uint count_1,
    thread type_17& d_3,
    thread type_16& sx_2,
    constant Params& p,
    device type_7 const& x_2,
    thread uint& qmv_one16_,
    thread uint& qmv_one32_,
    thread type_4& qmv_xrow,
    constant _mslBufferSizes& _buffer_sizes
) {
    W16_ f1_1 = {};
    W16_ f2_1 = {};
    W16_ f3_1 = {};
    uint mi_8 = 0u;
    uint _e6 = qmv_unit_octets_n();
    if (o_3 >= _e6) {
        return;
    }
    W16_ _e10 = qmv_octets2_n(w_10.l0_, w_10.h0_, o_3, qmv_one16_, qmv_one32_);
    f1_1 = _e10;
    f2_1 = _e10;
    f3_1 = _e10;
    if (true) {
        W16_ _e20 = qmv_octets2_n(w_10.l1_, w_10.h1_, o_3, qmv_one16_, qmv_one32_);
        f1_1 = _e20;
    }
    if (true) {
        W16_ _e27 = qmv_octets2_n(w_10.l2_, w_10.h2_, o_3, qmv_one16_, qmv_one32_);
        f2_1 = _e27;
    }
    if (true) {
        W16_ _e34 = qmv_octets2_n(w_10.l3_, w_10.h3_, o_3, qmv_one16_, qmv_one32_);
        f3_1 = _e34;
    }
    bool loop_init_11 = true;
    while(true) {
        if (!loop_init_11) {
            uint _e137 = mi_8;
            mi_8 = _e137 + 1u;
        }
        loop_init_11 = false;
        uint _e37 = mi_8;
        if (_e37 < QMV_XROWS) {
        } else {
            break;
        }
        {
            uint _e40 = mi_8;
            if (_e40 < count_1) {
                uint _e43 = mi_8;
                uint _e45 = qmv_xrow.inner[_e43];
                X8_ _e49 = qmv_x8v(_e45, j0_ + (o_3 * 8u), p, x_2, _buffer_sizes);
                uint _e51 = mi_8;
                uint _e53 = qmv_xrow.inner[_e51];
                X8_ _e59 = qmv_x8v(_e53, (j0_ + (o_3 * 8u)) + 8u, p, x_2, _buffer_sizes);
                uint _e60 = mi_8;
                float _e62 = sx_2.inner[_e60];
                sx_2.inner[_e60] = _e62 + metal::dot((_e49.lo + _e49.hi) + (_e59.lo + _e59.hi), metal::float4(1.0));
                uint _e74 = mi_8;
                uint _e77 = mi_8;
                float _e80 = d_3.inner[_e77].x;
                float _e82 = qmv_dot8_(_e80, _e10.a, _e49);
                float _e84 = qmv_dot8_(_e82, _e10.b, _e59);
                d_3.inner[_e74].x = _e84;
                if (true) {
                    uint _e89 = mi_8;
                    uint _e92 = mi_8;
                    float _e95 = d_3.inner[_e92].y;
                    W8_ _e97 = f1_1.a;
                    float _e98 = qmv_dot8_(_e95, _e97, _e49);
                    W8_ _e100 = f1_1.b;
                    float _e101 = qmv_dot8_(_e98, _e100, _e59);
                    d_3.inner[_e89].y = _e101;
                }
                if (true) {
                    uint _e106 = mi_8;
                    uint _e109 = mi_8;
                    float _e112 = d_3.inner[_e109].z;
                    W8_ _e114 = f2_1.a;
                    float _e115 = qmv_dot8_(_e112, _e114, _e49);
                    W8_ _e117 = f2_1.b;
                    float _e118 = qmv_dot8_(_e115, _e117, _e59);
                    d_3.inner[_e106].z = _e118;
                }
                if (true) {
                    uint _e123 = mi_8;
                    uint _e126 = mi_8;
                    float _e129 = d_3.inner[_e126].w;
                    W8_ _e131 = f3_1.a;
                    float _e132 = qmv_dot8_(_e129, _e131, _e49);
                    W8_ _e134 = f3_1.b;
                    float _e135 = qmv_dot8_(_e132, _e134, _e59);
                    d_3.inner[_e123].w = _e135;
                }
            }
        }
    }
    return;
}

void qmv_unit_n(
    uint c_4,
    UnitN w_11,
    uint count_2,
    float global_factor_6,
    constant Params& p,
    device type_7 const& x_2,
    device type_8 const& scales,
    device type_8 const& biases,
    thread uint& qmv_one16_,
    thread uint& qmv_one32_,
    thread type_17& qacc,
    thread metal::uint4& qmv_wrow,
    thread type_4& qmv_xrow,
    constant _mslBufferSizes& _buffer_sizes
) {
    metal::float4 a_4 = metal::float4(0.0);
    metal::float4 b_3 = metal::float4(0.0);
    uint ci_14 = 0u;
    type_17 d_4 = {};
    type_16 sx_3 = {};
    uint mi_9 = 0u;
    uint _e4 = qmv_unit_octets_n();
    uint j0_2 = (c_4 * _e4) * 8u;
    bool loop_init_12 = true;
    while(true) {
        if (!loop_init_12) {
            uint _e31 = ci_14;
            ci_14 = _e31 + 1u;
        }
        loop_init_12 = false;
        uint _e16 = ci_14;
        if (_e16 < QMV_COLS) {
        } else {
            break;
        }
        {
            uint _e20 = ci_14;
            uint _e22 = qmv_wrow[_e20];
            metal::float2 _e23 = qmv_group(_e22, j0_2, global_factor_6, p, scales, biases, _buffer_sizes);
            uint _e24 = ci_14;
            a_4[_e24] = _e23.x;
            uint _e27 = ci_14;
            b_3[_e27] = _e23.y;
        }
    }
    qmv_octets_n_acc(w_11, 0u, j0_2, count_2, d_4, sx_3, p, x_2, qmv_one16_, qmv_one32_, qmv_xrow, _buffer_sizes);
    qmv_octets_n_acc(w_11, 2u, j0_2, count_2, d_4, sx_3, p, x_2, qmv_one16_, qmv_one32_, qmv_xrow, _buffer_sizes);
    qmv_octets_n_acc(w_11, 4u, j0_2, count_2, d_4, sx_3, p, x_2, qmv_one16_, qmv_one32_, qmv_xrow, _buffer_sizes);
    qmv_octets_n_acc(w_11, 6u, j0_2, count_2, d_4, sx_3, p, x_2, qmv_one16_, qmv_one32_, qmv_xrow, _buffer_sizes);
    bool loop_init_13 = true;
    while(true) {
        if (!loop_init_13) {
            uint _e63 = mi_9;
            mi_9 = _e63 + 1u;
        }
        loop_init_13 = false;
        uint _e41 = mi_9;
        if (_e41 < QMV_XROWS) {
        } else {
            break;
        }
        {
            uint _e44 = mi_9;
            if (_e44 < count_2) {
                uint _e47 = mi_9;
                metal::float4 _e49 = qacc.inner[_e47];
                metal::float4 _e50 = a_4;
                uint _e51 = mi_9;
                metal::float4 _e53 = d_4.inner[_e51];
                metal::float4 _e55 = b_3;
                uint _e56 = mi_9;
                float _e58 = sx_3.inner[_e56];
                qacc.inner[_e47] = _e49 + ((_e50 * _e53) + (_e55 * _e58));
            }
        }
    }
    return;
}

bool qmv_word_kernel(
) {
    bool local_27 = {};
    bool local_28 = {};
    bool local_29 = {};
    bool local_30 = {};
    bool local_31 = {};
    bool local_32 = {};
    bool local_33 = {};
    bool local_34 = {};
    bool local_35 = {};
    bool _e0 = qmv_words_n();
    if (_e0) {
        uint _e5 = qmv_unit_octets_n();
        local_27 = GS >= (8u * _e5);
    } else {
        local_27 = false;
    }
    bool n = local_27;
    if (false) {
        local_28 = false;
    } else {
        local_28 = false;
    }
    bool _e22 = local_28;
    if (_e22) {
        local_29 = true;
    } else {
        local_29 = false;
    }
    bool fp8_ = local_29;
    if (true) {
        if (false) {
            if (false) {
                local_32 = false;
            } else {
                local_32 = false;
            }
            bool _e56 = local_32;
            if (_e56) {
                local_33 = true;
            } else {
                local_33 = false;
            }
            bool _e64 = local_33;
            local_31 = _e64;
        } else {
            local_31 = true;
        }
        bool _e66 = local_31;
        if (!(_e66)) {
            local_34 = fp8_;
        } else {
            local_34 = true;
        }
        bool _e71 = local_34;
        if (!(_e71)) {
            local_35 = n;
        } else {
            local_35 = true;
        }
        bool _e76 = local_35;
        local_30 = _e76;
    } else {
        local_30 = false;
    }
    bool _e78 = local_30;
    return _e78;
}

metal::uint2 qmv_row(
    uint first,
    uint mi_10,
    device type_11 const& rows,
    constant _mslBufferSizes& _buffer_sizes
) {
    if (false) {
        return metal::uint2(mi_10);
    }
    metal::uint2 _e10 = rows[first + mi_10];
    return _e10;
}

void qmv_reduce_flat(
    uint lid_1,
    uint lane,
    uint col0_,
    uint count_3,
    uint tile_row,
    thread type_21& acc_1,
    constant Params& p,
    device type_11 const& rows,
    device type_8& out,
    threadgroup type_14& red,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint m0_ = 0u;
    uint r = {};
    uint ci_15 = {};
    uint job = {};
    float s0_1 = {};
    float s1_ = {};
    uint l = {};
    bool local_36 = {};
    uint team0_ = lid_1 - lane;
    bool loop_init_14 = true;
    while(true) {
        if (!loop_init_14) {
            uint _e166 = m0_;
            m0_ = _e166 + 2u;
        }
        loop_init_14 = false;
        uint _e19 = m0_;
        if (_e19 < QMV_XROWS) {
        } else {
            break;
        }
        {
            r = 0u;
            bool loop_init_15 = true;
            while(true) {
                if (!loop_init_15) {
                    uint _e59 = r;
                    r = _e59 + 1u;
                }
                loop_init_15 = false;
                uint _e24 = r;
                if (_e24 < 2u) {
                } else {
                    break;
                }
                {
                    uint _e26 = m0_;
                    uint _e27 = r;
                    uint mi_11 = metal::min(_e26 + _e27, 7u);
                    ci_15 = 0u;
                    bool loop_init_16 = true;
                    while(true) {
                        if (!loop_init_16) {
                            uint _e56 = ci_15;
                            ci_15 = _e56 + 1u;
                        }
                        loop_init_16 = false;
                        uint _e36 = ci_15;
                        if (_e36 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e40 = r;
                            uint _e43 = ci_15;
                            uint _e49 = ci_15;
                            float _e54 = acc_1.inner[(_e49 * QMAX_ROWS) + mi_11];
                            red.inner[(((_e40 * QMV_COLS) + _e43) * QMV_WG) + lid_1] = _e54;
                        }
                    }
                }
            }
            metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
            job = lane;
            bool loop_init_17 = true;
            while(true) {
                if (!loop_init_17) {
                    uint _e163 = job;
                    job = _e163 + QMV_LANES;
                }
                loop_init_17 = false;
                uint _e73 = job;
                if (_e73 < 8u) {
                } else {
                    break;
                }
                {
                    uint _e75 = job;
                    uint r_2 = _e75 / 4u;
                    uint _e80 = job;
                    uint ci_16 = (_e80 % 4u) * 1u;
                    uint _e86 = m0_;
                    uint mi_12 = _e86 + r_2;
                    s0_1 = 0.0;
                    s1_ = 0.0;
                    uint b0_2 = (((r_2 * QMV_COLS) + ci_16) * QMV_WG) + team0_;
                    l = 0u;
                    bool loop_init_18 = true;
                    while(true) {
                        if (!loop_init_18) {
                            uint _e122 = l;
                            l = _e122 + 1u;
                        }
                        loop_init_18 = false;
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
                    if (mi_12 < count_3) {
                        uint _e130 = p.n;
                        local_36 = (col0_ + ci_16) < _e130;
                    } else {
                        local_36 = false;
                    }
                    bool _e133 = local_36;
                    if (_e133) {
                        metal::uint2 _e134 = qmv_row(tile_row, mi_12, rows, _buffer_sizes);
                        uint _e138 = p.n;
                        uint o_5 = _e134.y * _e138;
                        if (false) {
                            float _e148 = s0_1;
                            uint _e150 = float_to_bits(_e148, XDT);
                            float _e151 = s1_;
                            uint _e153 = float_to_bits(_e151, XDT);
                            out[((o_5 + col0_) + ci_16) >> 1u] = _e150 | (_e153 << 16u);
                        } else {
                            float _e161 = s0_1;
                            out[(o_5 + col0_) + ci_16] = as_type<uint>(_e161);
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
, device type_8 const& wq_words [[buffer(9)]]
, constant _mslBufferSizes& _buffer_sizes [[buffer(15)]]
) {
    uint opaque_zero = {};
    type_15 wbuf = {};
    type_16 xv = {};
    uint qmv_one16_ = {};
    uint qmv_one32_ = {};
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
    type_23 w_rows = {};
    uint ci = 0u;
    type_21 acc = {};
    metal::uint4 wbase = metal::uint4(0u);
    uint ci_1 = 0u;
    uint mi_1 = 0u;
    bool local_4 = {};
    uint u0_ = {};
    bool local_5 = {};
    bool local_6 = {};
    UnitN cur = {};
    UnitN wb = {};
    UnitN wc = {};
    UnitN wd = {};
    bool local_7 = {};
    bool local_8 = {};
    Unit4_ cur_1 = {};
    Unit4_ wb_1 = {};
    Unit4_ wc_1 = {};
    Unit4_ wd_1 = {};
    uint mi_2 = 0u;
    uint ci_2 = {};
    uint c0_ = {};
    uint u = {};
    uint ci_3 = {};
    uint u_1 = {};
    uint s0_ = {};
    type_18 ab = {};
    uint ci_4 = {};
    type_21 dots = {};
    type_16 sx = {};
    uint e8_ = {};
    type_21 wf = {};
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
    bool local_9 = {};
    uint ci_10 = {};
    uint ci_11 = {};
    if (false) {
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
    uint _e71 = opaque_zero;
    qmv_one16_ = 1006648320u | _e71;
    uint _e76 = opaque_zero;
    qmv_one32_ = 1065353216u + _e76;
    uint _e80 = tile.z;
    uint count_4 = tile_live ? _e80 : 0u;
    uint lane_1 = lid % QMV_LANES;
    uint col0_1 = ((wid.x * 8u) + (lid / QMV_LANES)) * QMV_COLS;
    uint _e97 = tile.x;
    uint _e100 = p.rows_per_w;
    uint row0_1 = _e97 * _e100;
    if (false) {
        uint _e113 = p.has_global;
        local_3 = _e113 != 0u;
    } else {
        local_3 = false;
    }
    bool _e117 = local_3;
    if (_e117) {
        uint _e120 = tile.x;
        float _e122 = gscale[_e120];
        float _e124 = div_rn(_e122, 2688.0, opaque_zero);
        global_factor = _e124;
    }
    bool loop_init_19 = true;
    while(true) {
        if (!loop_init_19) {
            uint _e144 = mi;
            mi = _e144 + 1u;
        }
        loop_init_19 = false;
        uint _e128 = mi;
        if (_e128 < QMV_XROWS) {
        } else {
            break;
        }
        {
            uint _e131 = mi;
            uint _e134 = tile.y;
            uint _e135 = mi;
            metal::uint2 _e141 = qmv_row(_e134, metal::min(_e135, metal::max(count_4, 1u) - 1u), rows, _buffer_sizes);
            x_rows.inner[_e131] = _e141.x;
        }
    }
    bool loop_init_20 = true;
    while(true) {
        if (!loop_init_20) {
            uint _e164 = ci;
            ci = _e164 + 1u;
        }
        loop_init_20 = false;
        uint _e149 = ci;
        if (_e149 < QMV_COLS) {
        } else {
            break;
        }
        {
            uint _e152 = ci;
            uint _e154 = ci;
            uint _e158 = p.n;
            w_rows.inner[_e152] = row0_1 + metal::min(col0_1 + _e154, _e158 - 1u);
        }
    }
    uint _e168 = p.k;
    uint chunks = (_e168 + 31u) / 32u;
    bool _e178 = qmv_word_kernel();
    uint _e181 = p.wpr;
    uint _e183 = qmv_unit_words_n();
    bool _e184 = qmv_words_n();
    uint units = _e181 / (_e184 ? _e183 : QMV_VEC);
    bool loop_init_21 = true;
    while(true) {
        if (!loop_init_21) {
            uint _e211 = ci_1;
            ci_1 = _e211 + 1u;
        }
        loop_init_21 = false;
        uint _e192 = ci_1;
        if (_e192 < QMV_COLS) {
        } else {
            break;
        }
        {
            uint _e195 = ci_1;
            uint _e197 = ci_1;
            uint _e199 = w_rows.inner[_e197];
            uint _e202 = p.wpr;
            wbase[_e195] = _e199 * _e202;
            uint _e205 = ci_1;
            uint _e207 = ci_1;
            uint _e209 = w_rows.inner[_e207];
            qmv_wrow[_e205] = _e209;
        }
    }
    bool loop_init_22 = true;
    while(true) {
        if (!loop_init_22) {
            uint _e225 = mi_1;
            mi_1 = _e225 + 1u;
        }
        loop_init_22 = false;
        uint _e215 = mi_1;
        if (_e215 < QMV_XROWS) {
        } else {
            break;
        }
        {
            uint _e219 = mi_1;
            uint _e221 = mi_1;
            uint _e223 = x_rows.inner[_e221];
            qmv_xrow.inner[_e219] = _e223;
        }
    }
    if (_e178) {
        local_4 = count_4 > 0u;
    } else {
        local_4 = false;
    }
    bool _e237 = local_4;
    u0_ = _e237 ? lane_1 : units;
    bool _e240 = qmv_words_n();
    if (_e240) {
        if (false) {
            local_5 = false;
        } else {
            local_5 = false;
        }
        bool _e252 = local_5;
        if (_e252) {
            uint _e255 = u0_;
            local_6 = _e255 < units;
        } else {
            local_6 = false;
        }
        bool _e258 = local_6;
        if (_e258) {
            metal::uint4 _e259 = wbase;
            uint _e260 = u0_;
            UnitN _e261 = qmv_unit_n_load(_e259, _e260, wq, wq_words, _buffer_sizes);
            cur = _e261;
            bool loop_init_23 = true;
            while(true) {
                if (!loop_init_23) {
                    uint _e276 = u0_;
                    u0_ = _e276 + QMV_LANES;
                }
                loop_init_23 = false;
                uint _e263 = u0_;
                if (_e263 < units) {
                } else {
                    break;
                }
                {
                    metal::uint4 _e265 = wbase;
                    uint _e266 = u0_;
                    UnitN _e272 = qmv_unit_n_load(_e265, metal::min(_e266 + QMV_LANES, units - 1u), wq, wq_words, _buffer_sizes);
                    uint _e273 = u0_;
                    UnitN _e274 = cur;
                    float _e275 = global_factor;
                    qmv_unit_n(_e273, _e274, count_4, _e275, p, x_2, scales, biases, qmv_one16_, qmv_one32_, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
                    cur = _e272;
                }
            }
        }
        bool loop_init_24 = true;
        while(true) {
            if (!loop_init_24) {
                uint _e363 = u0_;
                u0_ = _e363 + 32u;
            }
            loop_init_24 = false;
            uint _e279 = u0_;
            if ((_e279 + 16u) < units) {
            } else {
                break;
            }
            {
                metal::uint4 _e289 = wbase;
                uint _e290 = u0_;
                UnitN _e291 = qmv_unit_n_load(_e289, _e290, wq, wq_words, _buffer_sizes);
                wb = _e291;
                wc = _e291;
                wd = _e291;
                if (true) {
                    metal::uint4 _e299 = wbase;
                    uint _e300 = u0_;
                    UnitN _e303 = qmv_unit_n_load(_e299, _e300 + QMV_LANES, wq, wq_words, _buffer_sizes);
                    wb = _e303;
                }
                if (false) {
                    metal::uint4 _e308 = wbase;
                    uint _e309 = u0_;
                    UnitN _e315 = qmv_unit_n_load(_e308, _e309 + 32u, wq, wq_words, _buffer_sizes);
                    wc = _e315;
                }
                if (false) {
                    metal::uint4 _e320 = wbase;
                    uint _e321 = u0_;
                    UnitN _e327 = qmv_unit_n_load(_e320, _e321 + 48u, wq, wq_words, _buffer_sizes);
                    wd = _e327;
                }
                uint _e328 = u0_;
                float _e329 = global_factor;
                qmv_unit_n(_e328, _e291, count_4, _e329, p, x_2, scales, biases, qmv_one16_, qmv_one32_, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
                if (true) {
                    uint _e334 = u0_;
                    UnitN _e337 = wb;
                    float _e338 = global_factor;
                    qmv_unit_n(_e334 + QMV_LANES, _e337, count_4, _e338, p, x_2, scales, biases, qmv_one16_, qmv_one32_, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
                }
                if (false) {
                    uint _e343 = u0_;
                    UnitN _e349 = wc;
                    float _e350 = global_factor;
                    qmv_unit_n(_e343 + 32u, _e349, count_4, _e350, p, x_2, scales, biases, qmv_one16_, qmv_one32_, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
                }
                if (false) {
                    uint _e355 = u0_;
                    UnitN _e361 = wd;
                    float _e362 = global_factor;
                    qmv_unit_n(_e355 + 48u, _e361, count_4, _e362, p, x_2, scales, biases, qmv_one16_, qmv_one32_, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
                }
            }
        }
        bool loop_init_25 = true;
        while(true) {
            if (!loop_init_25) {
                uint _e372 = u0_;
                u0_ = _e372 + QMV_LANES;
            }
            loop_init_25 = false;
            uint _e365 = u0_;
            if (_e365 < units) {
            } else {
                break;
            }
            {
                uint _e367 = u0_;
                metal::uint4 _e368 = wbase;
                uint _e369 = u0_;
                UnitN _e370 = qmv_unit_n_load(_e368, _e369, wq, wq_words, _buffer_sizes);
                float _e371 = global_factor;
                qmv_unit_n(_e367, _e370, count_4, _e371, p, x_2, scales, biases, qmv_one16_, qmv_one32_, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
            }
        }
    }
    if (false) {
        local_7 = false;
    } else {
        local_7 = false;
    }
    bool _e386 = local_7;
    if (_e386) {
        uint _e389 = u0_;
        local_8 = _e389 < units;
    } else {
        local_8 = false;
    }
    bool _e392 = local_8;
    if (_e392) {
        metal::uint4 _e393 = wbase;
        uint _e394 = u0_;
        Unit4_ _e395 = qmv_unit_load(_e393, _e394, wq, _buffer_sizes);
        cur_1 = _e395;
        bool loop_init_26 = true;
        while(true) {
            if (!loop_init_26) {
                uint _e410 = u0_;
                u0_ = _e410 + QMV_LANES;
            }
            loop_init_26 = false;
            uint _e397 = u0_;
            if (_e397 < units) {
            } else {
                break;
            }
            {
                metal::uint4 _e399 = wbase;
                uint _e400 = u0_;
                Unit4_ _e406 = qmv_unit_load(_e399, metal::min(_e400 + QMV_LANES, units - 1u), wq, _buffer_sizes);
                uint _e407 = u0_;
                Unit4_ _e408 = cur_1;
                float _e409 = global_factor;
                qmv_unit(_e407, _e408, count_4, _e409, p, x_2, scales, biases, fp4_lut, qmv_one16_, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
                cur_1 = _e406;
            }
        }
    }
    bool loop_init_27 = true;
    while(true) {
        if (!loop_init_27) {
            uint _e497 = u0_;
            u0_ = _e497 + 32u;
        }
        loop_init_27 = false;
        uint _e413 = u0_;
        if ((_e413 + 16u) < units) {
        } else {
            break;
        }
        {
            metal::uint4 _e423 = wbase;
            uint _e424 = u0_;
            Unit4_ _e425 = qmv_unit_load(_e423, _e424, wq, _buffer_sizes);
            wb_1 = _e425;
            wc_1 = _e425;
            wd_1 = _e425;
            if (true) {
                metal::uint4 _e433 = wbase;
                uint _e434 = u0_;
                Unit4_ _e437 = qmv_unit_load(_e433, _e434 + QMV_LANES, wq, _buffer_sizes);
                wb_1 = _e437;
            }
            if (false) {
                metal::uint4 _e442 = wbase;
                uint _e443 = u0_;
                Unit4_ _e449 = qmv_unit_load(_e442, _e443 + 32u, wq, _buffer_sizes);
                wc_1 = _e449;
            }
            if (false) {
                metal::uint4 _e454 = wbase;
                uint _e455 = u0_;
                Unit4_ _e461 = qmv_unit_load(_e454, _e455 + 48u, wq, _buffer_sizes);
                wd_1 = _e461;
            }
            uint _e462 = u0_;
            float _e463 = global_factor;
            qmv_unit(_e462, _e425, count_4, _e463, p, x_2, scales, biases, fp4_lut, qmv_one16_, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
            if (true) {
                uint _e468 = u0_;
                Unit4_ _e471 = wb_1;
                float _e472 = global_factor;
                qmv_unit(_e468 + QMV_LANES, _e471, count_4, _e472, p, x_2, scales, biases, fp4_lut, qmv_one16_, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
            }
            if (false) {
                uint _e477 = u0_;
                Unit4_ _e483 = wc_1;
                float _e484 = global_factor;
                qmv_unit(_e477 + 32u, _e483, count_4, _e484, p, x_2, scales, biases, fp4_lut, qmv_one16_, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
            }
            if (false) {
                uint _e489 = u0_;
                Unit4_ _e495 = wd_1;
                float _e496 = global_factor;
                qmv_unit(_e489 + 48u, _e495, count_4, _e496, p, x_2, scales, biases, fp4_lut, qmv_one16_, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
            }
        }
    }
    bool loop_init_28 = true;
    while(true) {
        if (!loop_init_28) {
            uint _e506 = u0_;
            u0_ = _e506 + QMV_LANES;
        }
        loop_init_28 = false;
        uint _e499 = u0_;
        if (_e499 < units) {
        } else {
            break;
        }
        {
            uint _e501 = u0_;
            metal::uint4 _e502 = wbase;
            uint _e503 = u0_;
            Unit4_ _e504 = qmv_unit_load(_e502, _e503, wq, _buffer_sizes);
            float _e505 = global_factor;
            qmv_unit(_e501, _e504, count_4, _e505, p, x_2, scales, biases, fp4_lut, qmv_one16_, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
        }
    }
    bool loop_init_29 = true;
    while(true) {
        if (!loop_init_29) {
            uint _e535 = mi_2;
            mi_2 = _e535 + 1u;
        }
        loop_init_29 = false;
        uint _e511 = mi_2;
        if (_e511 < QMV_XROWS) {
        } else {
            break;
        }
        {
            ci_2 = 0u;
            bool loop_init_30 = true;
            while(true) {
                if (!loop_init_30) {
                    uint _e532 = ci_2;
                    ci_2 = _e532 + 1u;
                }
                loop_init_30 = false;
                uint _e516 = ci_2;
                if (_e516 < QMV_COLS) {
                } else {
                    break;
                }
                {
                    uint _e519 = ci_2;
                    uint _e522 = mi_2;
                    uint _e526 = mi_2;
                    uint _e528 = ci_2;
                    float _e530 = qacc.inner[_e526][_e528];
                    acc.inner[(_e519 * QMAX_ROWS) + _e522] = _e530;
                }
            }
        }
    }
    uint first_1 = (count_4 > 0u) ? lane_1 : chunks;
    c0_ = _e178 ? chunks : first_1;
    bool loop_init_31 = true;
    while(true) {
        if (!loop_init_31) {
            uint _e822 = c0_;
            c0_ = _e822 + 32u;
        }
        loop_init_31 = false;
        uint _e549 = c0_;
        if (_e549 < chunks) {
        } else {
            break;
        }
        {
            u = 0u;
            bool loop_init_32 = true;
            while(true) {
                if (!loop_init_32) {
                    uint _e582 = u;
                    u = _e582 + 1u;
                }
                loop_init_32 = false;
                uint _e553 = u;
                if (_e553 < 2u) {
                } else {
                    break;
                }
                {
                    uint _e555 = c0_;
                    uint _e556 = u;
                    uint c_5 = metal::min(_e555 + (_e556 * QMV_LANES), chunks - 1u);
                    ci_3 = 0u;
                    bool loop_init_33 = true;
                    while(true) {
                        if (!loop_init_33) {
                            uint _e579 = ci_3;
                            ci_3 = _e579 + 1u;
                        }
                        loop_init_33 = false;
                        uint _e565 = ci_3;
                        if (_e565 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e568 = ci_3;
                            uint _e570 = w_rows.inner[_e568];
                            uint _e571 = u;
                            uint _e574 = ci_3;
                            qmv_load(_e570, c_5, ((_e571 * QMAX_COLS) + _e574) * 8u, wq, p, wq_words, wbuf, _buffer_sizes);
                        }
                    }
                }
            }
            u_1 = 0u;
            bool loop_init_34 = true;
            while(true) {
                if (!loop_init_34) {
                    uint _e820 = u_1;
                    u_1 = _e820 + 1u;
                }
                loop_init_34 = false;
                uint _e586 = u_1;
                if (_e586 < 2u) {
                } else {
                    break;
                }
                {
                    uint _e588 = c0_;
                    uint _e589 = u_1;
                    uint c_6 = _e588 + (_e589 * QMV_LANES);
                    if (c_6 >= chunks) {
                        break;
                    }
                    s0_ = 0u;
                    bool loop_init_35 = true;
                    while(true) {
                        if (!loop_init_35) {
                            uint _e817 = s0_;
                            s0_ = _e817 + 32u;
                        }
                        loop_init_35 = false;
                        uint _e596 = s0_;
                        if (_e596 < 32u) {
                        } else {
                            break;
                        }
                        {
                            uint _e601 = s0_;
                            uint j0_3 = (c_6 * 32u) + _e601;
                            uint _e605 = p.k;
                            if (j0_3 >= _e605) {
                                break;
                            }
                            ab = type_18 {};
                            ci_4 = 0u;
                            bool loop_init_36 = true;
                            while(true) {
                                if (!loop_init_36) {
                                    uint _e622 = ci_4;
                                    ci_4 = _e622 + 1u;
                                }
                                loop_init_36 = false;
                                uint _e611 = ci_4;
                                if (_e611 < QMV_COLS) {
                                } else {
                                    break;
                                }
                                {
                                    uint _e614 = ci_4;
                                    uint _e616 = ci_4;
                                    uint _e618 = w_rows.inner[_e616];
                                    float _e619 = global_factor;
                                    metal::float2 _e620 = qmv_group(_e618, j0_3, _e619, p, scales, biases, _buffer_sizes);
                                    ab.inner[_e614] = _e620;
                                }
                            }
                            dots = type_21 {};
                            sx = type_16 {};
                            e8_ = 0u;
                            bool loop_init_37 = true;
                            while(true) {
                                if (!loop_init_37) {
                                    uint _e769 = e8_;
                                    e8_ = _e769 + 8u;
                                }
                                loop_init_37 = false;
                                uint _e630 = e8_;
                                if (_e630 < 32u) {
                                } else {
                                    break;
                                }
                                {
                                    wf = type_21 {};
                                    ci_5 = 0u;
                                    bool loop_init_38 = true;
                                    while(true) {
                                        if (!loop_init_38) {
                                            uint _e667 = ci_5;
                                            ci_5 = _e667 + 1u;
                                        }
                                        loop_init_38 = false;
                                        uint _e636 = ci_5;
                                        if (_e636 < QMV_COLS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            e = 0u;
                                            bool loop_init_39 = true;
                                            while(true) {
                                                if (!loop_init_39) {
                                                    uint _e664 = e;
                                                    e = _e664 + 1u;
                                                }
                                                loop_init_39 = false;
                                                uint _e641 = e;
                                                if (_e641 < 8u) {
                                                } else {
                                                    break;
                                                }
                                                {
                                                    uint _e644 = ci_5;
                                                    uint _e647 = e;
                                                    uint _e650 = u_1;
                                                    uint _e653 = ci_5;
                                                    uint _e657 = s0_;
                                                    uint _e658 = e8_;
                                                    uint _e660 = e;
                                                    float _e662 = qmv_weight(((_e650 * QMAX_COLS) + _e653) * 8u, (_e657 + _e658) + _e660, fp4_lut, wbuf, qmv_one32_);
                                                    wf.inner[(_e644 * 8u) + _e647] = _e662;
                                                }
                                            }
                                        }
                                    }
                                    mi_3 = 0u;
                                    bool loop_init_40 = true;
                                    while(true) {
                                        if (!loop_init_40) {
                                            uint _e767 = mi_3;
                                            mi_3 = _e767 + 1u;
                                        }
                                        loop_init_40 = false;
                                        uint _e671 = mi_3;
                                        if (_e671 < QMV_XROWS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            uint _e674 = mi_3;
                                            if (_e674 < count_4) {
                                                uint _e676 = mi_3;
                                                uint _e678 = x_rows.inner[_e676];
                                                uint _e679 = e8_;
                                                qmv_x8_(_e678, j0_3 + _e679, p, x_2, xv, _buffer_sizes);
                                                if (false) {
                                                    uint _e686 = mi_3;
                                                    float _e688 = sx.inner[_e686];
                                                    float _e691 = xv.inner[0];
                                                    float _e694 = xv.inner[1];
                                                    float _e698 = xv.inner[2];
                                                    float _e701 = xv.inner[3];
                                                    float _e706 = xv.inner[4];
                                                    float _e709 = xv.inner[5];
                                                    float _e713 = xv.inner[6];
                                                    float _e716 = xv.inner[7];
                                                    sx.inner[_e686] = _e688 + (((_e691 + _e694) + (_e698 + _e701)) + ((_e706 + _e709) + (_e713 + _e716)));
                                                }
                                                ci_6 = 0u;
                                                bool loop_init_41 = true;
                                                while(true) {
                                                    if (!loop_init_41) {
                                                        uint _e764 = ci_6;
                                                        ci_6 = _e764 + 1u;
                                                    }
                                                    loop_init_41 = false;
                                                    uint _e723 = ci_6;
                                                    if (_e723 < QMV_COLS) {
                                                    } else {
                                                        break;
                                                    }
                                                    {
                                                        uint _e726 = ci_6;
                                                        uint _e729 = mi_3;
                                                        float _e732 = dots.inner[(_e726 * QMAX_ROWS) + _e729];
                                                        d = _e732;
                                                        e_1 = 0u;
                                                        bool loop_init_42 = true;
                                                        while(true) {
                                                            if (!loop_init_42) {
                                                                uint _e754 = e_1;
                                                                e_1 = _e754 + 1u;
                                                            }
                                                            loop_init_42 = false;
                                                            uint _e736 = e_1;
                                                            if (_e736 < 8u) {
                                                            } else {
                                                                break;
                                                            }
                                                            {
                                                                float _e739 = d;
                                                                uint _e741 = e_1;
                                                                float _e743 = xv.inner[_e741];
                                                                uint _e744 = ci_6;
                                                                uint _e747 = e_1;
                                                                float _e750 = wf.inner[(_e744 * 8u) + _e747];
                                                                d = _e739 + (_e743 * _e750);
                                                            }
                                                        }
                                                        uint _e756 = ci_6;
                                                        uint _e759 = mi_3;
                                                        float _e762 = d;
                                                        dots.inner[(_e756 * QMAX_ROWS) + _e759] = _e762;
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                            mi_4 = 0u;
                            bool loop_init_43 = true;
                            while(true) {
                                if (!loop_init_43) {
                                    uint _e815 = mi_4;
                                    mi_4 = _e815 + 1u;
                                }
                                loop_init_43 = false;
                                uint _e774 = mi_4;
                                if (_e774 < QMV_XROWS) {
                                } else {
                                    break;
                                }
                                {
                                    ci_7 = 0u;
                                    bool loop_init_44 = true;
                                    while(true) {
                                        if (!loop_init_44) {
                                            uint _e812 = ci_7;
                                            ci_7 = _e812 + 1u;
                                        }
                                        loop_init_44 = false;
                                        uint _e779 = ci_7;
                                        if (_e779 < QMV_COLS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            uint _e782 = ci_7;
                                            uint _e785 = mi_4;
                                            float _e788 = acc.inner[(_e782 * QMAX_ROWS) + _e785];
                                            uint _e789 = ci_7;
                                            float _e792 = ab.inner[_e789].x;
                                            uint _e793 = ci_7;
                                            uint _e796 = mi_4;
                                            float _e799 = dots.inner[(_e793 * QMAX_ROWS) + _e796];
                                            uint _e801 = ci_7;
                                            float _e804 = ab.inner[_e801].y;
                                            uint _e805 = mi_4;
                                            float _e807 = sx.inner[_e805];
                                            acc.inner[(_e782 * QMAX_ROWS) + _e785] = _e788 + ((_e792 * _e799) + (_e804 * _e807));
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
        uint _e829 = tile.y;
        qmv_reduce_flat(lid, lane_1, col0_1, count_4, _e829, acc, p, rows, out, red, _buffer_sizes);
        return;
    }
    bool loop_init_45 = true;
    while(true) {
        if (!loop_init_45) {
            uint _e987 = mi_5;
            mi_5 = _e987 + 1u;
        }
        loop_init_45 = false;
        uint _e832 = mi_5;
        if (_e832 < QMV_XROWS) {
        } else {
            break;
        }
        {
            ci_8 = 0u;
            bool loop_init_46 = true;
            while(true) {
                if (!loop_init_46) {
                    uint _e854 = ci_8;
                    ci_8 = _e854 + 1u;
                }
                loop_init_46 = false;
                uint _e837 = ci_8;
                if (_e837 < QMV_COLS) {
                } else {
                    break;
                }
                {
                    uint _e841 = ci_8;
                    uint _e846 = ci_8;
                    uint _e849 = mi_5;
                    float _e852 = acc.inner[(_e846 * QMAX_ROWS) + _e849];
                    red.inner[(_e841 * QMV_WG) + lid] = _e852;
                }
            }
            metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
            stride = 8u;
            bool loop_init_47 = true;
            while(true) {
                if (!loop_init_47) {
                    uint _e891 = stride;
                    stride = _e891 >> 1u;
                }
                loop_init_47 = false;
                uint _e861 = stride;
                if (_e861 > 0u) {
                } else {
                    break;
                }
                {
                    uint _e864 = stride;
                    if (lane_1 < _e864) {
                        ci_9 = 0u;
                        bool loop_init_48 = true;
                        while(true) {
                            if (!loop_init_48) {
                                uint _e889 = ci_9;
                                ci_9 = _e889 + 1u;
                            }
                            loop_init_48 = false;
                            uint _e868 = ci_9;
                            if (_e868 < QMV_COLS) {
                            } else {
                                break;
                            }
                            {
                                uint _e872 = ci_9;
                                float _e877 = red.inner[(_e872 * QMV_WG) + lid];
                                uint _e879 = ci_9;
                                uint _e883 = stride;
                                float _e886 = red.inner[((_e879 * QMV_WG) + lid) + _e883];
                                red.inner[(_e872 * QMV_WG) + lid] = _e877 + _e886;
                            }
                        }
                    }
                    metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
                }
            }
            if (lane_1 == 0u) {
                uint _e898 = mi_5;
                local_9 = _e898 < count_4;
            } else {
                local_9 = false;
            }
            bool _e901 = local_9;
            if (_e901) {
                uint _e903 = tile.y;
                uint _e904 = mi_5;
                metal::uint2 _e905 = qmv_row(_e903, _e904, rows, _buffer_sizes);
                uint _e909 = p.n;
                uint o_6 = _e905.y * _e909;
                if (false) {
                    ci_10 = 0u;
                    bool loop_init_49 = true;
                    while(true) {
                        if (!loop_init_49) {
                            uint _e956 = ci_10;
                            ci_10 = _e956 + 2u;
                        }
                        loop_init_49 = false;
                        uint _e917 = ci_10;
                        if (_e917 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e920 = ci_10;
                            uint _e924 = p.n;
                            if ((col0_1 + _e920) < _e924) {
                                uint _e927 = ci_10;
                                float _e932 = red.inner[(_e927 * QMV_WG) + lid];
                                uint _e934 = float_to_bits(_e932, XDT);
                                uint _e936 = ci_10;
                                float _e943 = red.inner[((_e936 + 1u) * QMV_WG) + lid];
                                uint _e945 = float_to_bits(_e943, XDT);
                                uint _e948 = ci_10;
                                out[((o_6 + col0_1) + _e948) >> 1u] = _e934 | (_e945 << 16u);
                            }
                        }
                    }
                } else {
                    ci_11 = 0u;
                    bool loop_init_50 = true;
                    while(true) {
                        if (!loop_init_50) {
                            uint _e984 = ci_11;
                            ci_11 = _e984 + 1u;
                        }
                        loop_init_50 = false;
                        uint _e961 = ci_11;
                        if (_e961 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e964 = ci_11;
                            uint _e968 = p.n;
                            if ((col0_1 + _e964) < _e968) {
                                uint _e972 = ci_11;
                                uint _e976 = ci_11;
                                float _e981 = red.inner[(_e976 * QMV_WG) + lid];
                                out[(o_6 + col0_1) + _e972] = as_type<uint>(_e981);
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
