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
struct Unit3Quad {
    metal::uint4 a0_;
    metal::uint4 b0_;
    metal::uint4 c0_;
    metal::uint4 a1_;
    metal::uint4 b1_;
    metal::uint4 c1_;
    metal::uint4 a2_;
    metal::uint4 b2_;
    metal::uint4 c2_;
    metal::uint4 a3_;
    metal::uint4 b3_;
    metal::uint4 c3_;
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
constant uint GS = 64u;
constant uint MODE = 0u;
constant uint XDT = 0u;
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
    uint s_3 = (x_3 >> 16u) & 32768u;
    uint a_6 = x_3 & 2147483647u;
    if (a_6 > 2139095040u) {
        return (s_3 | 32256u) | ((a_6 & 8388607u) >> 13u);
    }
    if (a_6 >= 1199566848u) {
        return s_3 | 31744u;
    }
    if (a_6 < 947912704u) {
        return s_3 | naga_f2u32(metal::rint(as_type<float>(a_6) * 16777216.0));
    }
    uint r_1 = (a_6 + 4095u) + ((a_6 >> 13u) & 1u);
    return s_3 | ((r_1 - 939524096u) >> 13u);
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
    float q_1,
    bool up
) {
    if (q_1 == 0.0) {
        return up ? as_type<float>(1u) : as_type<float>(2147483649u);
    }
    uint b_5 = as_type<uint>(q_1);
    bool away = up == (q_1 > 0.0);
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

float div_remainder(
    float a,
    float q_2,
    float b,
    thread uint& opaque_zero
) {
    float _e3 = hi12_(q_2);
    float _e5 = opq(q_2 - _e3, opaque_zero);
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
    float q_3 = {};
    bool local_14 = {};
    uint i = 0u;
    q_3 = a_1 / b_1;
    float _e4 = q_3;
    bool finite = (as_type<uint>(_e4) & 2139095040u) != 2139095040u;
    if (!(!(finite))) {
        float _e14 = q_3;
        local_14 = _e14 == 0.0;
    } else {
        local_14 = true;
    }
    bool _e18 = local_14;
    if (_e18) {
        float _e19 = q_3;
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
            float _e25 = q_3;
            float _e26 = div_remainder(a_1, _e25, b_1, opaque_zero);
            if (_e26 == 0.0) {
                break;
            }
            float _e29 = q_3;
            float _e35 = next_toward(_e29, (_e26 > 0.0) == (b_1 > 0.0));
            float _e36 = div_remainder(a_1, _e35, b_1, opaque_zero);
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
    bool local_15 = {};
    bool local_16 = {};
    uint v_2 = 0u;
    uint i_4 = 0u;
    uint word_1 = {};
    uint _e5 = p.wpr;
    uint row_word = row * _e5;
    uint start = row_word + (c * BITS);
    uint _e12 = p.wpr;
    uint end = row_word + _e12;
    if (true) {
        local_15 = (start & 3u) == 0u;
    } else {
        local_15 = false;
    }
    bool _e27 = local_15;
    if (_e27) {
        local_16 = (start + BITS) <= end;
    } else {
        local_16 = false;
    }
    bool _e34 = local_16;
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
                metal::uint4 q_6 = wq[(start >> 2u) + _e46];
                uint _e52 = v_2;
                wbuf.inner[base + (4u * _e52)] = q_6.x;
                uint _e59 = v_2;
                wbuf.inner[(base + (4u * _e59)) + 1u] = q_6.y;
                uint _e68 = v_2;
                wbuf.inner[(base + (4u * _e68)) + 2u] = q_6.z;
                uint _e77 = v_2;
                wbuf.inner[(base + (4u * _e77)) + 3u] = q_6.w;
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
            uint w_14 = wbuf.inner[base_2 + (pos_2 >> 5u)];
            if (sh_1 <= 19u) {
                v_4 = w_14 << (19u - sh_1);
            } else {
                v_4 = w_14 >> (sh_1 - 19u);
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
        float a_7 = _e35 * 16.0;
        return metal::float2(a_7, _e42 - a_7);
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
    uint i_9 = (x_row * _e4) + j_1;
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
                uint _e22 = x_word(i_9 + _e20, x_2, _buffer_sizes);
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
            uint _e36 = x_word((i_9 >> 1u) + _e34, x_2, _buffer_sizes);
            if (false) {
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
    uint i_10 = (x_row_1 * _e4) + j_2;
    if (true) {
        metal::uint4 _e16 = x_2[i_10 >> 2u];
        metal::uint4 _e24 = x_2[(i_10 >> 2u) + 1u];
        return X8_ {as_type<metal::float4>(_e16), as_type<metal::float4>(_e24)};
    }
    metal::uint4 w_15 = x_2[i_10 >> 3u];
    if (false) {
        return X8_ {metal::float4(float2(as_type<half2>(w_15.x)), float2(as_type<half2>(w_15.y))), metal::float4(float2(as_type<half2>(w_15.z)), float2(as_type<half2>(w_15.w)))};
    }
    metal::uint4 lo_4 = metal::uint4(w_15.x << 16u, w_15.x & 4294901760u, w_15.y << 16u, w_15.y & 4294901760u);
    metal::uint4 hi_4 = metal::uint4(w_15.z << 16u, w_15.z & 4294901760u, w_15.w << 16u, w_15.w & 4294901760u);
    return X8_ {as_type<metal::float4>(lo_4), as_type<metal::float4>(hi_4)};
}

metal::uint4 pairs4_(
    uint w_4
) {
    if (true) {
        metal::uint4 v_12 = metal::uint4(w_4 << 6u, w_4 << 2u, w_4 >> 2u, w_4 >> 6u);
        return (v_12 & metal::uint4(62915520u)) | metal::uint4(1006648320u);
    }
    if (false) {
        uint e_7 = w_4 & 252645135u;
        uint o_4 = (w_4 >> 4u) & 252645135u;
        uint es = e_7 + ((e_7 & 134744072u) * 7u);
        uint os = o_4 + ((o_4 & 134744072u) * 7u);
        return metal::uint4(es << 9u, os << 9u, es << 1u, os << 1u) & metal::uint4(2382401024u);
    }
    metal::uint4 m_1 = metal::uint4(w_4 << 9u, w_4 << 5u, w_4 << 1u, w_4 >> 3u);
    metal::uint4 s_4 = metal::uint4(w_4 << 12u, w_4 << 8u, w_4 << 4u, w_4);
    return (m_1 & metal::uint4(234884608u)) | (s_4 & metal::uint4(2147516416u));
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
    uint w_6
) {
    metal::uint4 m_3 = metal::uint4(50332416u);
    metal::uint4 one = metal::uint4(1006648320u);
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
    threadgroup type_12& fp4_lut
) {
    bool local_17 = {};
    bool local_18 = {};
    if (false) {
        local_17 = false;
    } else {
        local_17 = false;
    }
    bool _e14 = local_17;
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
        if (true) {
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
    if (true) {
        local_18 = true;
    } else {
        local_18 = false;
    }
    bool _e110 = local_18;
    if (_e110) {
        metal::uint4 _e111 = codes4_lo(wa);
        metal::uint4 _e113 = codes4_hi(wa);
        return W8_ {static_cast<metal::float4>(_e111), static_cast<metal::float4>(_e113)};
    }
    if (true) {
        metal::uint4 _e120 = pairs4_(wa);
        metal::float2 f0_ = float2(as_type<half2>(_e120.x));
        metal::float2 f1_2 = float2(as_type<half2>(_e120.y));
        metal::float2 f2_2 = float2(as_type<half2>(_e120.z));
        metal::float2 f3_2 = float2(as_type<half2>(_e120.w));
        return W8_ {metal::float4(f0_.x, f1_2.x, f2_2.x, f3_2.x), metal::float4(f0_.y, f1_2.y, f2_2.y, f3_2.y)};
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
    bool local_19 = {};
    bool local_20 = {};
    float a_2 = {};
    if (false) {
        if (false) {
            local_20 = true;
        } else {
            local_20 = false;
        }
        bool _e23 = local_20;
        local_19 = _e23;
    } else {
        local_19 = true;
    }
    bool _e25 = local_19;
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
    uint s_5 = (v_14 & 255u) | ((v_14 & 65280u) << 8u);
    uint mag_2 = s_5 & 8323199u;
    uint m_4 = mag_2 | ((mag_2 + 65537u) & 8388736u);
    uint h_3 = (m_4 << 7u) | ((s_5 & 8388736u) << 8u);
    metal::float2 a_8 = float2(as_type<half2>(h_3)) * 4194304.0;
    uint _e47 = p.has_global;
    return (_e47 != 0u) ? (a_8 * global_factor_4) : a_8;
}

metal::uint4 qmv_unit_word(
    uint i_5,
    device type_7 const& wq,
    constant _mslBufferSizes& _buffer_sizes
) {
    if (true) {
        metal::uint4 _e9 = wq[i_5 >> 2u];
        return _e9;
    }
    uint _e17 = wq[i_5 >> 2u][i_5 & 3u];
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
    threadgroup type_12& fp4_lut
) {
    if (false) {
        W8_ _e10 = qmv_w8_(u_2[v_5], u_2[v_5 + 1u], fp4_lut);
        return _e10;
    }
    W8_ _e13 = qmv_w8_(u_2[v_5], 0u, fp4_lut);
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
    thread type_17& qacc,
    thread metal::uint4& qmv_wrow,
    thread type_4& qmv_xrow,
    constant _mslBufferSizes& _buffer_sizes
) {
    bool local_21 = {};
    bool local_22 = {};
    bool local_23 = {};
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
        local_21 = true;
    } else {
        local_21 = false;
    }
    bool _e35 = local_21;
    if (_e35) {
        local_22 = false;
    } else {
        local_22 = false;
    }
    bool _e43 = local_22;
    if (_e43) {
        local_23 = true;
    } else {
        local_23 = false;
    }
    bool scale_pairs = local_23;
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
                    W8_ _e127 = qmv_w8_at(w_8.c0_, _e125 * 1u, fp4_lut);
                    f1_ = _e127;
                    f2_ = _e127;
                    f3_ = _e127;
                    if (true) {
                        uint _e136 = o;
                        W8_ _e138 = qmv_w8_at(w_8.c1_, _e136 * 1u, fp4_lut);
                        f1_ = _e138;
                    }
                    if (true) {
                        uint _e144 = o;
                        W8_ _e146 = qmv_w8_at(w_8.c2_, _e144 * 1u, fp4_lut);
                        f2_ = _e146;
                    }
                    if (true) {
                        uint _e152 = o;
                        W8_ _e154 = qmv_w8_at(w_8.c3_, _e152 * 1u, fp4_lut);
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
                                if (true) {
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
                        if (true) {
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
    bool local_24 = {};
    bool local_25 = {};
    bool local_26 = {};
    bool local_27 = {};
    if (true) {
        local_24 = true;
    } else {
        local_24 = false;
    }
    bool _e12 = local_24;
    if (_e12) {
        local_25 = false;
    } else {
        local_25 = false;
    }
    bool _e20 = local_25;
    if (_e20) {
        local_26 = true;
    } else {
        local_26 = false;
    }
    bool _e28 = local_26;
    if (_e28) {
        local_27 = true;
    } else {
        local_27 = false;
    }
    bool _e36 = local_27;
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
    uint i_6,
    device type_7 const& wq,
    constant _mslBufferSizes& _buffer_sizes
) {
    bool local_28 = {};
    metal::uint4 v_6 = {};
    uint _e1 = qmv_unit_words_n();
    if (_e1 == 4u) {
        local_28 = false;
    } else {
        local_28 = false;
    }
    bool _e11 = local_28;
    if (_e11) {
        metal::uint4 _e16 = wq[i_6 >> 2u];
        return _e16;
    }
    uint _e17 = wq_word(i_6, wq, _buffer_sizes);
    v_6 = metal::uint4(_e17, 0u, 0u, 0u);
    if (_e1 > 1u) {
        uint _e28 = wq_word(i_6 + 1u, wq, _buffer_sizes);
        v_6.y = _e28;
        uint _e32 = wq_word(i_6 + 2u, wq, _buffer_sizes);
        v_6.z = _e32;
    }
    if (_e1 > 3u) {
        uint _e38 = wq_word(i_6 + 3u, wq, _buffer_sizes);
        v_6.w = _e38;
    }
    metal::uint4 _e39 = v_6;
    return _e39;
}

metal::uint4 qmv_unit_n_hi(
    uint i_7,
    device type_7 const& wq,
    constant _mslBufferSizes& _buffer_sizes
) {
    metal::uint4 v_7 = metal::uint4(0u);
    uint _e1 = qmv_unit_words_n();
    if (_e1 > 4u) {
        uint _e10 = wq_word(i_7 + 4u, wq, _buffer_sizes);
        v_7.x = _e10;
    }
    if (_e1 > 5u) {
        uint _e16 = wq_word(i_7 + 5u, wq, _buffer_sizes);
        v_7.y = _e16;
    }
    if (_e1 > 6u) {
        uint _e22 = wq_word(i_7 + 6u, wq, _buffer_sizes);
        v_7.z = _e22;
    }
    metal::uint4 _e23 = v_7;
    return _e23;
}

UnitN qmv_unit_n_load(
    metal::uint4 wbase_2,
    uint c_3,
    device type_7 const& wq,
    constant _mslBufferSizes& _buffer_sizes
) {
    UnitN w_9 = {};
    metal::uint4 z = metal::uint4(0u);
    w_9 = UnitN {z, z, z, z, z, z, z, z};
    uint _e6 = qmv_unit_words_n();
    uint off = c_3 * _e6;
    metal::uint4 _e11 = qmv_unit_n_lo(wbase_2.x + off, wq, _buffer_sizes);
    w_9.l0_ = _e11;
    metal::uint4 _e15 = qmv_unit_n_hi(wbase_2.x + off, wq, _buffer_sizes);
    w_9.h0_ = _e15;
    if (true) {
        metal::uint4 _e23 = qmv_unit_n_lo(wbase_2.y + off, wq, _buffer_sizes);
        w_9.l1_ = _e23;
        metal::uint4 _e27 = qmv_unit_n_hi(wbase_2.y + off, wq, _buffer_sizes);
        w_9.h1_ = _e27;
    }
    if (true) {
        metal::uint4 _e35 = qmv_unit_n_lo(wbase_2.z + off, wq, _buffer_sizes);
        w_9.l2_ = _e35;
        metal::uint4 _e39 = qmv_unit_n_hi(wbase_2.z + off, wq, _buffer_sizes);
        w_9.h2_ = _e39;
    }
    if (true) {
        metal::uint4 _e47 = qmv_unit_n_lo(wbase_2.w + off, wq, _buffer_sizes);
        w_9.l3_ = _e47;
        metal::uint4 _e51 = qmv_unit_n_hi(wbase_2.w + off, wq, _buffer_sizes);
        w_9.h3_ = _e51;
    }
    UnitN _e52 = w_9;
    return _e52;
}

Unit3Quad qmv_unit3_quad_load(
    metal::uint4 wbase_3,
    uint q_4,
    device type_7 const& wq,
    constant _mslBufferSizes& _buffer_sizes
) {
    Unit3Quad w_10 = {};
    metal::uint4 z_1 = metal::uint4(0u);
    w_10 = Unit3Quad {z_1, z_1, z_1, z_1, z_1, z_1, z_1, z_1, z_1, z_1, z_1, z_1};
    uint i0_ = (wbase_3.x + (12u * q_4)) >> 2u;
    metal::uint4 _e15 = wq[i0_];
    w_10.a0_ = _e15;
    metal::uint4 _e21 = wq[i0_ + 1u];
    w_10.b0_ = _e21;
    metal::uint4 _e27 = wq[i0_ + 2u];
    w_10.c0_ = _e27;
    if (true) {
        uint i_11 = (wbase_3.y + (12u * q_4)) >> 2u;
        metal::uint4 _e41 = wq[i_11];
        w_10.a1_ = _e41;
        metal::uint4 _e47 = wq[i_11 + 1u];
        w_10.b1_ = _e47;
        metal::uint4 _e53 = wq[i_11 + 2u];
        w_10.c1_ = _e53;
    }
    if (true) {
        uint i_12 = (wbase_3.z + (12u * q_4)) >> 2u;
        metal::uint4 _e67 = wq[i_12];
        w_10.a2_ = _e67;
        metal::uint4 _e73 = wq[i_12 + 1u];
        w_10.b2_ = _e73;
        metal::uint4 _e79 = wq[i_12 + 2u];
        w_10.c2_ = _e79;
    }
    if (true) {
        uint i_13 = (wbase_3.w + (12u * q_4)) >> 2u;
        metal::uint4 _e93 = wq[i_13];
        w_10.a3_ = _e93;
        metal::uint4 _e99 = wq[i_13 + 1u];
        w_10.b3_ = _e99;
        metal::uint4 _e105 = wq[i_13 + 2u];
        w_10.c3_ = _e105;
    }
    Unit3Quad _e106 = w_10;
    return _e106;
}

metal::uint4 qmv_unit3_words(
    metal::uint4 a_4,
    metal::uint4 b_3,
    metal::uint4 c_4,
    uint s_1
) {
    if (s_1 == 0u) {
        return metal::uint4(a_4.x, a_4.y, a_4.z, 0u);
    }
    if (s_1 == 1u) {
        return metal::uint4(a_4.w, b_3.x, b_3.y, 0u);
    }
    if (s_1 == 2u) {
        return metal::uint4(b_3.z, b_3.w, c_4.x, 0u);
    }
    return metal::uint4(c_4.y, c_4.z, c_4.w, 0u);
}

UnitN qmv_unit3_of_quad(
    Unit3Quad w_11,
    uint s_2
) {
    metal::uint4 z_2 = metal::uint4(0u);
    metal::uint4 _e7 = qmv_unit3_words(w_11.a0_, w_11.b0_, w_11.c0_, s_2);
    metal::uint4 _e11 = qmv_unit3_words(w_11.a1_, w_11.b1_, w_11.c1_, s_2);
    metal::uint4 _e15 = qmv_unit3_words(w_11.a2_, w_11.b2_, w_11.c2_, s_2);
    metal::uint4 _e19 = qmv_unit3_words(w_11.a3_, w_11.b3_, w_11.c3_, s_2);
    return UnitN {_e7, _e11, _e15, _e19, z_2, z_2, z_2, z_2};
}

uint qmv_uword(
    metal::uint4 lo,
    metal::uint4 hi,
    uint i_8
) {
    if (i_8 < 4u) {
        return lo[i_8];
    }
    return hi[i_8 - 4u];
}

float qmv_code_n(
    metal::uint4 lo_1,
    metal::uint4 hi_1,
    uint pos
) {
    uint q_5 = {};
    uint v_8 = {};
    uint wi_1 = pos >> 5u;
    uint sh_3 = pos & 31u;
    uint _e7 = qmv_uword(lo_1, hi_1, wi_1);
    bool straddles = (sh_3 + BITS) > 32u;
    if (true) {
        q_5 = _e7 >> sh_3;
        if (straddles) {
            uint _e19 = q_5;
            uint _e22 = qmv_uword(lo_1, hi_1, wi_1 + 1u);
            q_5 = _e19 | (_e22 << (32u - sh_3));
        }
        uint _e27 = q_5;
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
    return as_type<float>((_e55 & 7864320u) | 1065353216u);
}

W8_ qmv_octet_n(
    metal::uint4 lo_2,
    metal::uint4 hi_2,
    uint o_1
) {
    uint p0_1 = (o_1 * 8u) * BITS;
    float _e7 = qmv_code_n(lo_2, hi_2, p0_1);
    float _e10 = qmv_code_n(lo_2, hi_2, p0_1 + BITS);
    float _e16 = qmv_code_n(lo_2, hi_2, p0_1 + 8u);
    float _e22 = qmv_code_n(lo_2, hi_2, p0_1 + 12u);
    float _e29 = qmv_code_n(lo_2, hi_2, p0_1 + 16u);
    float _e35 = qmv_code_n(lo_2, hi_2, p0_1 + 20u);
    float _e41 = qmv_code_n(lo_2, hi_2, p0_1 + 24u);
    float _e47 = qmv_code_n(lo_2, hi_2, p0_1 + 28u);
    return W8_ {metal::float4(_e7, _e10, _e16, _e22), metal::float4(_e29, _e35, _e41, _e47)};
}

W16_ qmv_octets2_n(
    metal::uint4 lo_3,
    metal::uint4 hi_3,
    uint o_2
) {
    bool local_29 = {};
    bool local_30 = {};
    if (false) {
        local_29 = true;
    } else {
        local_29 = false;
    }
    bool _e14 = local_29;
    if (_e14) {
        local_30 = false;
    } else {
        local_30 = false;
    }
    bool _e23 = local_30;
    if (_e23) {
        uint _e26 = qmv_uword(lo_3, hi_3, o_2 >> 1u);
        W16_ _e27 = pairs2_(_e26);
        return _e27;
    }
    W8_ _e28 = qmv_octet_n(lo_3, hi_3, o_2);
    W8_ _e31 = qmv_octet_n(lo_3, hi_3, o_2 + 1u);
    return W16_ {_e28, _e31};
}

void qmv_octets_n_acc(
    UnitN w_12,
    uint o_3,
    uint j0_,
    uint count_1,
    thread type_17& d_3,
    thread type_16& sx_2,
    constant Params& p,
    device type_7 const& x_2,
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
    W16_ _e10 = qmv_octets2_n(w_12.l0_, w_12.h0_, o_3);
    f1_1 = _e10;
    f2_1 = _e10;
    f3_1 = _e10;
    if (true) {
        W16_ _e20 = qmv_octets2_n(w_12.l1_, w_12.h1_, o_3);
        f1_1 = _e20;
    }
    if (true) {
        W16_ _e27 = qmv_octets2_n(w_12.l2_, w_12.h2_, o_3);
        f2_1 = _e27;
    }
    if (true) {
        W16_ _e34 = qmv_octets2_n(w_12.l3_, w_12.h3_, o_3);
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
    uint c_5,
    UnitN w_13,
    uint count_2,
    float global_factor_6,
    constant Params& p,
    device type_7 const& x_2,
    device type_8 const& scales,
    device type_8 const& biases,
    thread type_17& qacc,
    thread metal::uint4& qmv_wrow,
    thread type_4& qmv_xrow,
    constant _mslBufferSizes& _buffer_sizes
) {
    metal::float4 a_5 = metal::float4(0.0);
    metal::float4 b_4 = metal::float4(0.0);
    uint ci_14 = 0u;
    type_17 d_4 = {};
    type_16 sx_3 = {};
    uint mi_9 = 0u;
    uint _e4 = qmv_unit_octets_n();
    uint j0_2 = (c_5 * _e4) * 8u;
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
            a_5[_e24] = _e23.x;
            uint _e27 = ci_14;
            b_4[_e27] = _e23.y;
        }
    }
    qmv_octets_n_acc(w_13, 0u, j0_2, count_2, d_4, sx_3, p, x_2, qmv_xrow, _buffer_sizes);
    qmv_octets_n_acc(w_13, 2u, j0_2, count_2, d_4, sx_3, p, x_2, qmv_xrow, _buffer_sizes);
    qmv_octets_n_acc(w_13, 4u, j0_2, count_2, d_4, sx_3, p, x_2, qmv_xrow, _buffer_sizes);
    qmv_octets_n_acc(w_13, 6u, j0_2, count_2, d_4, sx_3, p, x_2, qmv_xrow, _buffer_sizes);
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
                metal::float4 _e50 = a_5;
                uint _e51 = mi_9;
                metal::float4 _e53 = d_4.inner[_e51];
                metal::float4 _e55 = b_4;
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
    bool local_31 = {};
    bool local_32 = {};
    bool local_33 = {};
    bool local_34 = {};
    bool local_35 = {};
    bool local_36 = {};
    bool local_37 = {};
    bool local_38 = {};
    bool local_39 = {};
    bool _e0 = qmv_words_n();
    if (_e0) {
        uint _e5 = qmv_unit_octets_n();
        local_31 = GS >= (8u * _e5);
    } else {
        local_31 = false;
    }
    bool n = local_31;
    if (false) {
        local_32 = false;
    } else {
        local_32 = false;
    }
    bool _e22 = local_32;
    if (_e22) {
        local_33 = true;
    } else {
        local_33 = false;
    }
    bool fp8_ = local_33;
    if (true) {
        if (false) {
            if (false) {
                local_36 = true;
            } else {
                local_36 = false;
            }
            bool _e56 = local_36;
            if (_e56) {
                local_37 = true;
            } else {
                local_37 = false;
            }
            bool _e64 = local_37;
            local_35 = _e64;
        } else {
            local_35 = true;
        }
        bool _e66 = local_35;
        if (!(_e66)) {
            local_38 = fp8_;
        } else {
            local_38 = true;
        }
        bool _e71 = local_38;
        if (!(_e71)) {
            local_39 = n;
        } else {
            local_39 = true;
        }
        bool _e76 = local_39;
        local_34 = _e76;
    } else {
        local_34 = false;
    }
    bool _e78 = local_34;
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
    bool local_40 = {};
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
                        local_40 = (col0_ + ci_16) < _e130;
                    } else {
                        local_40 = false;
                    }
                    bool _e133 = local_40;
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
    bool local_7 = {};
    bool local_8 = {};
    uint q = {};
    bool local_9 = {};
    bool local_10 = {};
    UnitN cur = {};
    UnitN wb = {};
    UnitN wc = {};
    UnitN wd = {};
    bool local_11 = {};
    bool local_12 = {};
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
    bool local_13 = {};
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
    uint count_4 = tile_live ? _e70 : 0u;
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
    bool loop_init_19 = true;
    while(true) {
        if (!loop_init_19) {
            uint _e134 = mi;
            mi = _e134 + 1u;
        }
        loop_init_19 = false;
        uint _e118 = mi;
        if (_e118 < QMV_XROWS) {
        } else {
            break;
        }
        {
            uint _e121 = mi;
            uint _e124 = tile.y;
            uint _e125 = mi;
            metal::uint2 _e131 = qmv_row(_e124, metal::min(_e125, metal::max(count_4, 1u) - 1u), rows, _buffer_sizes);
            x_rows.inner[_e121] = _e131.x;
        }
    }
    bool loop_init_20 = true;
    while(true) {
        if (!loop_init_20) {
            uint _e154 = ci;
            ci = _e154 + 1u;
        }
        loop_init_20 = false;
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
    uint _e173 = qmv_unit_words_n();
    bool _e174 = qmv_words_n();
    uint units = _e171 / (_e174 ? _e173 : QMV_VEC);
    bool loop_init_21 = true;
    while(true) {
        if (!loop_init_21) {
            uint _e201 = ci_1;
            ci_1 = _e201 + 1u;
        }
        loop_init_21 = false;
        uint _e182 = ci_1;
        if (_e182 < QMV_COLS) {
        } else {
            break;
        }
        {
            uint _e185 = ci_1;
            uint _e187 = ci_1;
            uint _e189 = w_rows.inner[_e187];
            uint _e192 = p.wpr;
            wbase[_e185] = _e189 * _e192;
            uint _e195 = ci_1;
            uint _e197 = ci_1;
            uint _e199 = w_rows.inner[_e197];
            qmv_wrow[_e195] = _e199;
        }
    }
    bool loop_init_22 = true;
    while(true) {
        if (!loop_init_22) {
            uint _e215 = mi_1;
            mi_1 = _e215 + 1u;
        }
        loop_init_22 = false;
        uint _e205 = mi_1;
        if (_e205 < QMV_XROWS) {
        } else {
            break;
        }
        {
            uint _e209 = mi_1;
            uint _e211 = mi_1;
            uint _e213 = x_rows.inner[_e211];
            qmv_xrow.inner[_e209] = _e213;
        }
    }
    if (_e168) {
        local_4 = count_4 > 0u;
    } else {
        local_4 = false;
    }
    bool _e227 = local_4;
    u0_ = _e227 ? lane_1 : units;
    bool _e230 = qmv_words_n();
    if (_e230) {
        local_5 = false;
    } else {
        local_5 = false;
    }
    bool _e238 = local_5;
    if (_e238) {
        local_6 = true;
    } else {
        local_6 = false;
    }
    bool _e246 = local_6;
    if (_e246) {
        uint _e251 = p.wpr;
        local_7 = (_e251 & 3u) == 0u;
    } else {
        local_7 = false;
    }
    bool _e257 = local_7;
    if (_e257) {
        uint _e260 = u0_;
        local_8 = _e260 < units;
    } else {
        local_8 = false;
    }
    bool _e263 = local_8;
    if (_e263) {
        uint quads = units / 4u;
        uint _e266 = u0_;
        q = _e266;
        bool loop_init_23 = true;
        while(true) {
            if (!loop_init_23) {
                uint _e303 = q;
                q = _e303 + QMV_LANES;
            }
            loop_init_23 = false;
            uint _e268 = q;
            if (_e268 < quads) {
            } else {
                break;
            }
            {
                metal::uint4 _e270 = wbase;
                uint _e271 = q;
                Unit3Quad _e272 = qmv_unit3_quad_load(_e270, _e271, wq, _buffer_sizes);
                uint _e274 = q;
                UnitN _e277 = qmv_unit3_of_quad(_e272, 0u);
                float _e278 = global_factor;
                qmv_unit_n(4u * _e274, _e277, count_4, _e278, p, x_2, scales, biases, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
                uint _e280 = q;
                UnitN _e285 = qmv_unit3_of_quad(_e272, 1u);
                float _e286 = global_factor;
                qmv_unit_n((4u * _e280) + 1u, _e285, count_4, _e286, p, x_2, scales, biases, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
                uint _e288 = q;
                UnitN _e293 = qmv_unit3_of_quad(_e272, 2u);
                float _e294 = global_factor;
                qmv_unit_n((4u * _e288) + 2u, _e293, count_4, _e294, p, x_2, scales, biases, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
                uint _e296 = q;
                UnitN _e301 = qmv_unit3_of_quad(_e272, 3u);
                float _e302 = global_factor;
                qmv_unit_n((4u * _e296) + 3u, _e301, count_4, _e302, p, x_2, scales, biases, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
            }
        }
        u0_ = (4u * quads) + lane_1;
    }
    bool _e309 = qmv_words_n();
    if (_e309) {
        if (false) {
            local_9 = false;
        } else {
            local_9 = false;
        }
        bool _e321 = local_9;
        if (_e321) {
            uint _e324 = u0_;
            local_10 = _e324 < units;
        } else {
            local_10 = false;
        }
        bool _e327 = local_10;
        if (_e327) {
            metal::uint4 _e328 = wbase;
            uint _e329 = u0_;
            UnitN _e330 = qmv_unit_n_load(_e328, _e329, wq, _buffer_sizes);
            cur = _e330;
            bool loop_init_24 = true;
            while(true) {
                if (!loop_init_24) {
                    uint _e345 = u0_;
                    u0_ = _e345 + QMV_LANES;
                }
                loop_init_24 = false;
                uint _e332 = u0_;
                if (_e332 < units) {
                } else {
                    break;
                }
                {
                    metal::uint4 _e334 = wbase;
                    uint _e335 = u0_;
                    UnitN _e341 = qmv_unit_n_load(_e334, metal::min(_e335 + QMV_LANES, units - 1u), wq, _buffer_sizes);
                    uint _e342 = u0_;
                    UnitN _e343 = cur;
                    float _e344 = global_factor;
                    qmv_unit_n(_e342, _e343, count_4, _e344, p, x_2, scales, biases, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
                    cur = _e341;
                }
            }
        }
        bool loop_init_25 = true;
        while(true) {
            if (!loop_init_25) {
                uint _e432 = u0_;
                u0_ = _e432 + 32u;
            }
            loop_init_25 = false;
            uint _e348 = u0_;
            if ((_e348 + 16u) < units) {
            } else {
                break;
            }
            {
                metal::uint4 _e358 = wbase;
                uint _e359 = u0_;
                UnitN _e360 = qmv_unit_n_load(_e358, _e359, wq, _buffer_sizes);
                wb = _e360;
                wc = _e360;
                wd = _e360;
                if (true) {
                    metal::uint4 _e368 = wbase;
                    uint _e369 = u0_;
                    UnitN _e372 = qmv_unit_n_load(_e368, _e369 + QMV_LANES, wq, _buffer_sizes);
                    wb = _e372;
                }
                if (false) {
                    metal::uint4 _e377 = wbase;
                    uint _e378 = u0_;
                    UnitN _e384 = qmv_unit_n_load(_e377, _e378 + 32u, wq, _buffer_sizes);
                    wc = _e384;
                }
                if (false) {
                    metal::uint4 _e389 = wbase;
                    uint _e390 = u0_;
                    UnitN _e396 = qmv_unit_n_load(_e389, _e390 + 48u, wq, _buffer_sizes);
                    wd = _e396;
                }
                uint _e397 = u0_;
                float _e398 = global_factor;
                qmv_unit_n(_e397, _e360, count_4, _e398, p, x_2, scales, biases, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
                if (true) {
                    uint _e403 = u0_;
                    UnitN _e406 = wb;
                    float _e407 = global_factor;
                    qmv_unit_n(_e403 + QMV_LANES, _e406, count_4, _e407, p, x_2, scales, biases, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
                }
                if (false) {
                    uint _e412 = u0_;
                    UnitN _e418 = wc;
                    float _e419 = global_factor;
                    qmv_unit_n(_e412 + 32u, _e418, count_4, _e419, p, x_2, scales, biases, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
                }
                if (false) {
                    uint _e424 = u0_;
                    UnitN _e430 = wd;
                    float _e431 = global_factor;
                    qmv_unit_n(_e424 + 48u, _e430, count_4, _e431, p, x_2, scales, biases, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
                }
            }
        }
        bool loop_init_26 = true;
        while(true) {
            if (!loop_init_26) {
                uint _e441 = u0_;
                u0_ = _e441 + QMV_LANES;
            }
            loop_init_26 = false;
            uint _e434 = u0_;
            if (_e434 < units) {
            } else {
                break;
            }
            {
                uint _e436 = u0_;
                metal::uint4 _e437 = wbase;
                uint _e438 = u0_;
                UnitN _e439 = qmv_unit_n_load(_e437, _e438, wq, _buffer_sizes);
                float _e440 = global_factor;
                qmv_unit_n(_e436, _e439, count_4, _e440, p, x_2, scales, biases, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
            }
        }
    }
    if (false) {
        local_11 = false;
    } else {
        local_11 = false;
    }
    bool _e455 = local_11;
    if (_e455) {
        uint _e458 = u0_;
        local_12 = _e458 < units;
    } else {
        local_12 = false;
    }
    bool _e461 = local_12;
    if (_e461) {
        metal::uint4 _e462 = wbase;
        uint _e463 = u0_;
        Unit4_ _e464 = qmv_unit_load(_e462, _e463, wq, _buffer_sizes);
        cur_1 = _e464;
        bool loop_init_27 = true;
        while(true) {
            if (!loop_init_27) {
                uint _e479 = u0_;
                u0_ = _e479 + QMV_LANES;
            }
            loop_init_27 = false;
            uint _e466 = u0_;
            if (_e466 < units) {
            } else {
                break;
            }
            {
                metal::uint4 _e468 = wbase;
                uint _e469 = u0_;
                Unit4_ _e475 = qmv_unit_load(_e468, metal::min(_e469 + QMV_LANES, units - 1u), wq, _buffer_sizes);
                uint _e476 = u0_;
                Unit4_ _e477 = cur_1;
                float _e478 = global_factor;
                qmv_unit(_e476, _e477, count_4, _e478, p, x_2, scales, biases, fp4_lut, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
                cur_1 = _e475;
            }
        }
    }
    bool loop_init_28 = true;
    while(true) {
        if (!loop_init_28) {
            uint _e566 = u0_;
            u0_ = _e566 + 32u;
        }
        loop_init_28 = false;
        uint _e482 = u0_;
        if ((_e482 + 16u) < units) {
        } else {
            break;
        }
        {
            metal::uint4 _e492 = wbase;
            uint _e493 = u0_;
            Unit4_ _e494 = qmv_unit_load(_e492, _e493, wq, _buffer_sizes);
            wb_1 = _e494;
            wc_1 = _e494;
            wd_1 = _e494;
            if (true) {
                metal::uint4 _e502 = wbase;
                uint _e503 = u0_;
                Unit4_ _e506 = qmv_unit_load(_e502, _e503 + QMV_LANES, wq, _buffer_sizes);
                wb_1 = _e506;
            }
            if (false) {
                metal::uint4 _e511 = wbase;
                uint _e512 = u0_;
                Unit4_ _e518 = qmv_unit_load(_e511, _e512 + 32u, wq, _buffer_sizes);
                wc_1 = _e518;
            }
            if (false) {
                metal::uint4 _e523 = wbase;
                uint _e524 = u0_;
                Unit4_ _e530 = qmv_unit_load(_e523, _e524 + 48u, wq, _buffer_sizes);
                wd_1 = _e530;
            }
            uint _e531 = u0_;
            float _e532 = global_factor;
            qmv_unit(_e531, _e494, count_4, _e532, p, x_2, scales, biases, fp4_lut, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
            if (true) {
                uint _e537 = u0_;
                Unit4_ _e540 = wb_1;
                float _e541 = global_factor;
                qmv_unit(_e537 + QMV_LANES, _e540, count_4, _e541, p, x_2, scales, biases, fp4_lut, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
            }
            if (false) {
                uint _e546 = u0_;
                Unit4_ _e552 = wc_1;
                float _e553 = global_factor;
                qmv_unit(_e546 + 32u, _e552, count_4, _e553, p, x_2, scales, biases, fp4_lut, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
            }
            if (false) {
                uint _e558 = u0_;
                Unit4_ _e564 = wd_1;
                float _e565 = global_factor;
                qmv_unit(_e558 + 48u, _e564, count_4, _e565, p, x_2, scales, biases, fp4_lut, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
            }
        }
    }
    bool loop_init_29 = true;
    while(true) {
        if (!loop_init_29) {
            uint _e575 = u0_;
            u0_ = _e575 + QMV_LANES;
        }
        loop_init_29 = false;
        uint _e568 = u0_;
        if (_e568 < units) {
        } else {
            break;
        }
        {
            uint _e570 = u0_;
            metal::uint4 _e571 = wbase;
            uint _e572 = u0_;
            Unit4_ _e573 = qmv_unit_load(_e571, _e572, wq, _buffer_sizes);
            float _e574 = global_factor;
            qmv_unit(_e570, _e573, count_4, _e574, p, x_2, scales, biases, fp4_lut, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
        }
    }
    bool loop_init_30 = true;
    while(true) {
        if (!loop_init_30) {
            uint _e604 = mi_2;
            mi_2 = _e604 + 1u;
        }
        loop_init_30 = false;
        uint _e580 = mi_2;
        if (_e580 < QMV_XROWS) {
        } else {
            break;
        }
        {
            ci_2 = 0u;
            bool loop_init_31 = true;
            while(true) {
                if (!loop_init_31) {
                    uint _e601 = ci_2;
                    ci_2 = _e601 + 1u;
                }
                loop_init_31 = false;
                uint _e585 = ci_2;
                if (_e585 < QMV_COLS) {
                } else {
                    break;
                }
                {
                    uint _e588 = ci_2;
                    uint _e591 = mi_2;
                    uint _e595 = mi_2;
                    uint _e597 = ci_2;
                    float _e599 = qacc.inner[_e595][_e597];
                    acc.inner[(_e588 * QMAX_ROWS) + _e591] = _e599;
                }
            }
        }
    }
    uint first_1 = (count_4 > 0u) ? lane_1 : chunks;
    c0_ = _e168 ? chunks : first_1;
    bool loop_init_32 = true;
    while(true) {
        if (!loop_init_32) {
            uint _e891 = c0_;
            c0_ = _e891 + 32u;
        }
        loop_init_32 = false;
        uint _e618 = c0_;
        if (_e618 < chunks) {
        } else {
            break;
        }
        {
            u = 0u;
            bool loop_init_33 = true;
            while(true) {
                if (!loop_init_33) {
                    uint _e651 = u;
                    u = _e651 + 1u;
                }
                loop_init_33 = false;
                uint _e622 = u;
                if (_e622 < 2u) {
                } else {
                    break;
                }
                {
                    uint _e624 = c0_;
                    uint _e625 = u;
                    uint c_6 = metal::min(_e624 + (_e625 * QMV_LANES), chunks - 1u);
                    ci_3 = 0u;
                    bool loop_init_34 = true;
                    while(true) {
                        if (!loop_init_34) {
                            uint _e648 = ci_3;
                            ci_3 = _e648 + 1u;
                        }
                        loop_init_34 = false;
                        uint _e634 = ci_3;
                        if (_e634 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e637 = ci_3;
                            uint _e639 = w_rows.inner[_e637];
                            uint _e640 = u;
                            uint _e643 = ci_3;
                            qmv_load(_e639, c_6, ((_e640 * QMAX_COLS) + _e643) * 8u, wq, p, wbuf, _buffer_sizes);
                        }
                    }
                }
            }
            u_1 = 0u;
            bool loop_init_35 = true;
            while(true) {
                if (!loop_init_35) {
                    uint _e889 = u_1;
                    u_1 = _e889 + 1u;
                }
                loop_init_35 = false;
                uint _e655 = u_1;
                if (_e655 < 2u) {
                } else {
                    break;
                }
                {
                    uint _e657 = c0_;
                    uint _e658 = u_1;
                    uint c_7 = _e657 + (_e658 * QMV_LANES);
                    if (c_7 >= chunks) {
                        break;
                    }
                    s0_ = 0u;
                    bool loop_init_36 = true;
                    while(true) {
                        if (!loop_init_36) {
                            uint _e886 = s0_;
                            s0_ = _e886 + 32u;
                        }
                        loop_init_36 = false;
                        uint _e665 = s0_;
                        if (_e665 < 32u) {
                        } else {
                            break;
                        }
                        {
                            uint _e670 = s0_;
                            uint j0_3 = (c_7 * 32u) + _e670;
                            uint _e674 = p.k;
                            if (j0_3 >= _e674) {
                                break;
                            }
                            ab = type_18 {};
                            ci_4 = 0u;
                            bool loop_init_37 = true;
                            while(true) {
                                if (!loop_init_37) {
                                    uint _e691 = ci_4;
                                    ci_4 = _e691 + 1u;
                                }
                                loop_init_37 = false;
                                uint _e680 = ci_4;
                                if (_e680 < QMV_COLS) {
                                } else {
                                    break;
                                }
                                {
                                    uint _e683 = ci_4;
                                    uint _e685 = ci_4;
                                    uint _e687 = w_rows.inner[_e685];
                                    float _e688 = global_factor;
                                    metal::float2 _e689 = qmv_group(_e687, j0_3, _e688, p, scales, biases, _buffer_sizes);
                                    ab.inner[_e683] = _e689;
                                }
                            }
                            dots = type_21 {};
                            sx = type_16 {};
                            e8_ = 0u;
                            bool loop_init_38 = true;
                            while(true) {
                                if (!loop_init_38) {
                                    uint _e838 = e8_;
                                    e8_ = _e838 + 8u;
                                }
                                loop_init_38 = false;
                                uint _e699 = e8_;
                                if (_e699 < 32u) {
                                } else {
                                    break;
                                }
                                {
                                    wf = type_21 {};
                                    ci_5 = 0u;
                                    bool loop_init_39 = true;
                                    while(true) {
                                        if (!loop_init_39) {
                                            uint _e736 = ci_5;
                                            ci_5 = _e736 + 1u;
                                        }
                                        loop_init_39 = false;
                                        uint _e705 = ci_5;
                                        if (_e705 < QMV_COLS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            e = 0u;
                                            bool loop_init_40 = true;
                                            while(true) {
                                                if (!loop_init_40) {
                                                    uint _e733 = e;
                                                    e = _e733 + 1u;
                                                }
                                                loop_init_40 = false;
                                                uint _e710 = e;
                                                if (_e710 < 8u) {
                                                } else {
                                                    break;
                                                }
                                                {
                                                    uint _e713 = ci_5;
                                                    uint _e716 = e;
                                                    uint _e719 = u_1;
                                                    uint _e722 = ci_5;
                                                    uint _e726 = s0_;
                                                    uint _e727 = e8_;
                                                    uint _e729 = e;
                                                    float _e731 = qmv_weight(((_e719 * QMAX_COLS) + _e722) * 8u, (_e726 + _e727) + _e729, fp4_lut, wbuf);
                                                    wf.inner[(_e713 * 8u) + _e716] = _e731;
                                                }
                                            }
                                        }
                                    }
                                    mi_3 = 0u;
                                    bool loop_init_41 = true;
                                    while(true) {
                                        if (!loop_init_41) {
                                            uint _e836 = mi_3;
                                            mi_3 = _e836 + 1u;
                                        }
                                        loop_init_41 = false;
                                        uint _e740 = mi_3;
                                        if (_e740 < QMV_XROWS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            uint _e743 = mi_3;
                                            if (_e743 < count_4) {
                                                uint _e745 = mi_3;
                                                uint _e747 = x_rows.inner[_e745];
                                                uint _e748 = e8_;
                                                qmv_x8_(_e747, j0_3 + _e748, p, x_2, xv, _buffer_sizes);
                                                if (true) {
                                                    uint _e755 = mi_3;
                                                    float _e757 = sx.inner[_e755];
                                                    float _e760 = xv.inner[0];
                                                    float _e763 = xv.inner[1];
                                                    float _e767 = xv.inner[2];
                                                    float _e770 = xv.inner[3];
                                                    float _e775 = xv.inner[4];
                                                    float _e778 = xv.inner[5];
                                                    float _e782 = xv.inner[6];
                                                    float _e785 = xv.inner[7];
                                                    sx.inner[_e755] = _e757 + (((_e760 + _e763) + (_e767 + _e770)) + ((_e775 + _e778) + (_e782 + _e785)));
                                                }
                                                ci_6 = 0u;
                                                bool loop_init_42 = true;
                                                while(true) {
                                                    if (!loop_init_42) {
                                                        uint _e833 = ci_6;
                                                        ci_6 = _e833 + 1u;
                                                    }
                                                    loop_init_42 = false;
                                                    uint _e792 = ci_6;
                                                    if (_e792 < QMV_COLS) {
                                                    } else {
                                                        break;
                                                    }
                                                    {
                                                        uint _e795 = ci_6;
                                                        uint _e798 = mi_3;
                                                        float _e801 = dots.inner[(_e795 * QMAX_ROWS) + _e798];
                                                        d = _e801;
                                                        e_1 = 0u;
                                                        bool loop_init_43 = true;
                                                        while(true) {
                                                            if (!loop_init_43) {
                                                                uint _e823 = e_1;
                                                                e_1 = _e823 + 1u;
                                                            }
                                                            loop_init_43 = false;
                                                            uint _e805 = e_1;
                                                            if (_e805 < 8u) {
                                                            } else {
                                                                break;
                                                            }
                                                            {
                                                                float _e808 = d;
                                                                uint _e810 = e_1;
                                                                float _e812 = xv.inner[_e810];
                                                                uint _e813 = ci_6;
                                                                uint _e816 = e_1;
                                                                float _e819 = wf.inner[(_e813 * 8u) + _e816];
                                                                d = _e808 + (_e812 * _e819);
                                                            }
                                                        }
                                                        uint _e825 = ci_6;
                                                        uint _e828 = mi_3;
                                                        float _e831 = d;
                                                        dots.inner[(_e825 * QMAX_ROWS) + _e828] = _e831;
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                            mi_4 = 0u;
                            bool loop_init_44 = true;
                            while(true) {
                                if (!loop_init_44) {
                                    uint _e884 = mi_4;
                                    mi_4 = _e884 + 1u;
                                }
                                loop_init_44 = false;
                                uint _e843 = mi_4;
                                if (_e843 < QMV_XROWS) {
                                } else {
                                    break;
                                }
                                {
                                    ci_7 = 0u;
                                    bool loop_init_45 = true;
                                    while(true) {
                                        if (!loop_init_45) {
                                            uint _e881 = ci_7;
                                            ci_7 = _e881 + 1u;
                                        }
                                        loop_init_45 = false;
                                        uint _e848 = ci_7;
                                        if (_e848 < QMV_COLS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            uint _e851 = ci_7;
                                            uint _e854 = mi_4;
                                            float _e857 = acc.inner[(_e851 * QMAX_ROWS) + _e854];
                                            uint _e858 = ci_7;
                                            float _e861 = ab.inner[_e858].x;
                                            uint _e862 = ci_7;
                                            uint _e865 = mi_4;
                                            float _e868 = dots.inner[(_e862 * QMAX_ROWS) + _e865];
                                            uint _e870 = ci_7;
                                            float _e873 = ab.inner[_e870].y;
                                            uint _e874 = mi_4;
                                            float _e876 = sx.inner[_e874];
                                            acc.inner[(_e851 * QMAX_ROWS) + _e854] = _e857 + ((_e861 * _e868) + (_e873 * _e876));
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
        uint _e898 = tile.y;
        qmv_reduce_flat(lid, lane_1, col0_1, count_4, _e898, acc, p, rows, out, red, _buffer_sizes);
        return;
    }
    bool loop_init_46 = true;
    while(true) {
        if (!loop_init_46) {
            uint _e1056 = mi_5;
            mi_5 = _e1056 + 1u;
        }
        loop_init_46 = false;
        uint _e901 = mi_5;
        if (_e901 < QMV_XROWS) {
        } else {
            break;
        }
        {
            ci_8 = 0u;
            bool loop_init_47 = true;
            while(true) {
                if (!loop_init_47) {
                    uint _e923 = ci_8;
                    ci_8 = _e923 + 1u;
                }
                loop_init_47 = false;
                uint _e906 = ci_8;
                if (_e906 < QMV_COLS) {
                } else {
                    break;
                }
                {
                    uint _e910 = ci_8;
                    uint _e915 = ci_8;
                    uint _e918 = mi_5;
                    float _e921 = acc.inner[(_e915 * QMAX_ROWS) + _e918];
                    red.inner[(_e910 * QMV_WG) + lid] = _e921;
                }
            }
            metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
            stride = 8u;
            bool loop_init_48 = true;
            while(true) {
                if (!loop_init_48) {
                    uint _e960 = stride;
                    stride = _e960 >> 1u;
                }
                loop_init_48 = false;
                uint _e930 = stride;
                if (_e930 > 0u) {
                } else {
                    break;
                }
                {
                    uint _e933 = stride;
                    if (lane_1 < _e933) {
                        ci_9 = 0u;
                        bool loop_init_49 = true;
                        while(true) {
                            if (!loop_init_49) {
                                uint _e958 = ci_9;
                                ci_9 = _e958 + 1u;
                            }
                            loop_init_49 = false;
                            uint _e937 = ci_9;
                            if (_e937 < QMV_COLS) {
                            } else {
                                break;
                            }
                            {
                                uint _e941 = ci_9;
                                float _e946 = red.inner[(_e941 * QMV_WG) + lid];
                                uint _e948 = ci_9;
                                uint _e952 = stride;
                                float _e955 = red.inner[((_e948 * QMV_WG) + lid) + _e952];
                                red.inner[(_e941 * QMV_WG) + lid] = _e946 + _e955;
                            }
                        }
                    }
                    metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
                }
            }
            if (lane_1 == 0u) {
                uint _e967 = mi_5;
                local_13 = _e967 < count_4;
            } else {
                local_13 = false;
            }
            bool _e970 = local_13;
            if (_e970) {
                uint _e972 = tile.y;
                uint _e973 = mi_5;
                metal::uint2 _e974 = qmv_row(_e972, _e973, rows, _buffer_sizes);
                uint _e978 = p.n;
                uint o_6 = _e974.y * _e978;
                if (false) {
                    ci_10 = 0u;
                    bool loop_init_50 = true;
                    while(true) {
                        if (!loop_init_50) {
                            uint _e1025 = ci_10;
                            ci_10 = _e1025 + 2u;
                        }
                        loop_init_50 = false;
                        uint _e986 = ci_10;
                        if (_e986 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e989 = ci_10;
                            uint _e993 = p.n;
                            if ((col0_1 + _e989) < _e993) {
                                uint _e996 = ci_10;
                                float _e1001 = red.inner[(_e996 * QMV_WG) + lid];
                                uint _e1003 = float_to_bits(_e1001, XDT);
                                uint _e1005 = ci_10;
                                float _e1012 = red.inner[((_e1005 + 1u) * QMV_WG) + lid];
                                uint _e1014 = float_to_bits(_e1012, XDT);
                                uint _e1017 = ci_10;
                                out[((o_6 + col0_1) + _e1017) >> 1u] = _e1003 | (_e1014 << 16u);
                            }
                        }
                    }
                } else {
                    ci_11 = 0u;
                    bool loop_init_51 = true;
                    while(true) {
                        if (!loop_init_51) {
                            uint _e1053 = ci_11;
                            ci_11 = _e1053 + 1u;
                        }
                        loop_init_51 = false;
                        uint _e1030 = ci_11;
                        if (_e1030 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e1033 = ci_11;
                            uint _e1037 = p.n;
                            if ((col0_1 + _e1033) < _e1037) {
                                uint _e1041 = ci_11;
                                uint _e1045 = ci_11;
                                float _e1050 = red.inner[(_e1045 * QMV_WG) + lid];
                                out[(o_6 + col0_1) + _e1041] = as_type<uint>(_e1050);
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
