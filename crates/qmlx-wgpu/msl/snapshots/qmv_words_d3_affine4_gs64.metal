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

struct type_5 {
    uint inner[8];
};
typedef metal::uint4 type_8[1];
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
typedef uint type_9[1];
typedef float type_10[1];
typedef metal::uint2 type_12[1];
struct type_13 {
    float inner[16];
};
struct type_16 {
    float inner[1024];
};
struct type_17 {
    uint inner[64];
};
struct type_18 {
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
struct type_19 {
    metal::float4 inner[8];
};
struct Unit4_ {
    metal::uint4 c0_;
    metal::uint4 c1_;
    metal::uint4 c2_;
    metal::uint4 c3_;
};
struct XH {
    metal::uint4 o0_;
    metal::uint4 o1_;
    metal::uint4 o2_;
    metal::uint4 o3_;
    float u;
    char _pad5[12];
};
struct type_20 {
    XH inner[8];
};
struct type_24 {
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
struct type_25 {
    float inner[32];
};
struct type_27 {
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
constant uint XDT = 1u;
constant uint QMV_LANES = 16u;
constant uint QMV_COLS = 4u;
constant uint QMV_WG = 128u;
constant uint QMV_UNROLL = 2u;
constant uint QMV_XROWS = 2u;
constant uint QMV_WORD_PATH = 1u;
constant uint QMV_OUT16_ = 0u;
constant uint QMV_VEC = 4u;
constant uint QMV_DECODE = 3u;
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
    uint a_9 = x_3 & 2147483647u;
    if (a_9 > 2139095040u) {
        return (s_3 | 32256u) | ((a_9 & 8388607u) >> 13u);
    }
    if (a_9 >= 1199566848u) {
        return s_3 | 31744u;
    }
    if (a_9 < 947912704u) {
        return s_3 | naga_f2u32(metal::rint(as_type<float>(a_9) * 16777216.0));
    }
    uint r_1 = (a_9 + 4095u) + ((a_9 >> 13u) & 1u);
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
    float q,
    bool up
) {
    if (q == 0.0) {
        return up ? as_type<float>(1u) : as_type<float>(2147483649u);
    }
    uint b_7 = as_type<uint>(q);
    bool away = up == (q > 0.0);
    return as_type<float>(away ? (b_7 + 1u) : (b_7 - 1u));
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
    uint e_6 = (code >> 1u) & 3u;
    float m_1 = static_cast<float>(code & 1u);
    v_1 = m_1 * 0.5;
    if (e_6 != 0u) {
        v_1 = (1.0 + (m_1 * 0.5)) * static_cast<float>(1u << (e_6 - 1u));
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
    uint e_7 = (code_1 >> 3u) & 15u;
    if (e_7 == 0u) {
        mag = static_cast<float>(code_1 & 7u) * 0.001953125;
    } else {
        mag = as_type<float>(((e_7 + 120u) << 23u) | ((code_1 & 7u) << 20u));
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
    metal::uint4 v_11 = metal::uint4(w_2 << 19u, w_2 << 15u, w_2 << 11u, w_2 << 7u);
    return as_type<metal::float4>((v_11 & metal::uint4(7864320u)) | metal::uint4(1065353216u));
}

metal::float4 codes4_hi_unit(
    uint w_3
) {
    metal::uint4 v_12 = metal::uint4(w_3 << 3u, w_3 >> 1u, w_3 >> 5u, w_3 >> 9u);
    return as_type<metal::float4>((v_12 & metal::uint4(7864320u)) | metal::uint4(1065353216u));
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
    device type_8 const& x_2,
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

metal::half2 qh(
    uint v_2
) {
    return static_cast<metal::half2>(float2(as_type<half2>(v_2)));
}

uint qh_bits(
    metal::half2 v_3
) {
    return as_type<uint>(half2(static_cast<metal::float2>(v_3)));
}

uint qh_absmax8_(
    metal::uint4 w_4
) {
    metal::half2 _e2 = qh(w_4.x);
    metal::half2 _e5 = qh(w_4.y);
    metal::half2 _e9 = qh(w_4.z);
    metal::half2 _e12 = qh(w_4.w);
    uint _e16 = qh_bits(metal::max(metal::max(metal::abs(_e2), metal::abs(_e5)), metal::max(metal::abs(_e9), metal::abs(_e12))));
    return _e16;
}

uint qh_max(
    uint a_2,
    uint b_2
) {
    metal::half2 _e2 = qh(a_2);
    metal::half2 _e3 = qh(b_2);
    uint _e5 = qh_bits(metal::max(_e2, _e3));
    return _e5;
}

metal::uint4 qh_prep(
    metal::uint4 w_5,
    uint s
) {
    metal::half2 _e2 = qh(s);
    uint p0_ = (w_5.x & 65535u) | (w_5.z << 16u);
    uint p1_ = (w_5.x >> 16u) | (w_5.z & 4294901760u);
    uint p2_ = (w_5.y & 65535u) | (w_5.w << 16u);
    uint p3_ = (w_5.y >> 16u) | (w_5.w & 4294901760u);
    metal::half2 _e31 = qh(p0_);
    uint _e33 = qh_bits(_e31 * _e2);
    metal::half2 _e34 = qh(p1_);
    uint _e36 = qh_bits(_e34 * _e2);
    metal::half2 _e37 = qh(p2_);
    uint _e39 = qh_bits(_e37 * _e2);
    metal::half2 _e40 = qh(p3_);
    uint _e42 = qh_bits(_e40 * _e2);
    return metal::uint4(_e33, _e36, _e39, _e42);
}

uint qh_sum8_(
    metal::uint4 xp
) {
    metal::half2 _e2 = qh(xp.x);
    metal::half2 _e4 = qh(xp.y);
    metal::half2 _e7 = qh(xp.z);
    metal::half2 _e9 = qh(xp.w);
    uint _e12 = qh_bits((_e2 + _e4) + (_e7 + _e9));
    return _e12;
}

metal::float2 qh_dot8_(
    metal::uint4 h,
    metal::uint4 xp_1
) {
    metal::half2 s_1 = {};
    metal::half2 _e3 = qh(h.x);
    metal::half2 _e5 = qh(xp_1.x);
    s_1 = _e3 * _e5;
    metal::half2 _e9 = qh(h.y);
    metal::half2 _e11 = qh(xp_1.y);
    metal::half2 _e12 = s_1;
    s_1 = metal::fma(_e9, _e11, _e12);
    metal::half2 _e15 = qh(h.z);
    metal::half2 _e17 = qh(xp_1.z);
    metal::half2 _e18 = s_1;
    s_1 = metal::fma(_e15, _e17, _e18);
    metal::half2 _e21 = qh(h.w);
    metal::half2 _e23 = qh(xp_1.w);
    metal::half2 _e24 = s_1;
    s_1 = metal::fma(_e21, _e23, _e24);
    metal::half2 _e26 = s_1;
    return static_cast<metal::float2>(_e26);
}

metal::uint4 qh_sub(
    metal::uint4 h_1,
    uint c
) {
    metal::half2 _e2 = qh(c);
    metal::half2 _e4 = qh(h_1.x);
    uint _e6 = qh_bits(_e4 - _e2);
    metal::half2 _e8 = qh(h_1.y);
    uint _e10 = qh_bits(_e8 - _e2);
    metal::half2 _e12 = qh(h_1.z);
    uint _e14 = qh_bits(_e12 - _e2);
    metal::half2 _e16 = qh(h_1.w);
    uint _e18 = qh_bits(_e16 - _e2);
    return metal::uint4(_e6, _e10, _e14, _e18);
}

metal::float2 qh_f32_(
    uint a_3
) {
    metal::half2 _e1 = qh(a_3);
    return static_cast<metal::float2>(_e1);
}

void qmv_load(
    uint row,
    uint c_1,
    uint base,
    device type_8 const& wq,
    constant Params& p,
    device type_9 const& wq_words,
    thread type_17& wbuf,
    constant _mslBufferSizes& _buffer_sizes
) {
    bool local_11 = {};
    bool local_12 = {};
    uint v_4 = 0u;
    uint i_3 = 0u;
    uint word_1 = {};
    uint _e5 = p.wpr;
    uint row_word = row * _e5;
    uint start = row_word + (c_1 * BITS);
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
                uint _e85 = v_4;
                v_4 = _e85 + 1u;
            }
            loop_init_1 = false;
            uint _e37 = v_4;
            if (_e37 < 1u) {
            } else {
                break;
            }
            {
                uint _e46 = v_4;
                metal::uint4 q_4 = wq[(start >> 2u) + _e46];
                uint _e52 = v_4;
                wbuf.inner[base + (4u * _e52)] = q_4.x;
                uint _e59 = v_4;
                wbuf.inner[(base + (4u * _e59)) + 1u] = q_4.y;
                uint _e68 = v_4;
                wbuf.inner[(base + (4u * _e68)) + 2u] = q_4.z;
                uint _e77 = v_4;
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
    thread type_17& wbuf
) {
    uint v_5 = {};
    uint pos_1 = e_2 * BITS;
    uint wi = base_1 + (pos_1 >> 5u);
    uint sh = pos_1 & 31u;
    uint _e11 = wbuf.inner[wi];
    v_5 = _e11 >> sh;
    if ((sh + BITS) > 32u) {
        uint _e18 = v_5;
        uint _e23 = wbuf.inner[wi + 1u];
        v_5 = _e18 | (_e23 << (32u - sh));
    }
    uint _e28 = v_5;
    return _e28 & 15u;
}

float qmv_weight(
    uint base_2,
    uint e_3,
    threadgroup type_13& fp4_lut,
    thread type_17& wbuf,
    thread uint& qmv_one32_
) {
    uint v_6 = {};
    if (true) {
        if (false) {
            uint _e12 = qmv_code(base_2, e_3, wbuf);
            return static_cast<float>(_e12);
        }
        uint pos_2 = e_3 * BITS;
        uint sh_1 = pos_2 & 31u;
        if ((sh_1 + BITS) <= 32u) {
            uint w_18 = wbuf.inner[base_2 + (pos_2 >> 5u)];
            if (sh_1 <= 19u) {
                v_6 = w_18 << (19u - sh_1);
            } else {
                v_6 = w_18 >> (sh_1 - 19u);
            }
            uint _e38 = v_6;
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
    device type_9 const& scales,
    device type_9 const& biases,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint _e5 = p.gpr;
    uint g = (row_1 * _e5) + (j / GS);
    if (true) {
        if (false) {
            uint _e22 = scales[g];
            uint _e26 = biases[g];
            return metal::float2(as_type<float>(_e22), as_type<float>(_e26));
        }
        uint _e33 = scales[g >> 1u];
        float _e35 = half_in_word(_e33, g, XDT);
        uint _e40 = biases[g >> 1u];
        float _e42 = half_in_word(_e40, g, XDT);
        float a_10 = _e35 * 16.0;
        return metal::float2(a_10, _e42 - a_10);
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
    device type_8 const& x_2,
    thread type_18& xv,
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
                metal::float2 v_13 = float2(as_type<half2>(_e36));
                uint _e45 = t;
                xv.inner[2u * _e45] = v_13.x;
                uint _e51 = t;
                xv.inner[(2u * _e51) + 1u] = v_13.y;
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
    device type_8 const& x_2,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint _e4 = p.k;
    uint i_9 = (x_row_1 * _e4) + j_2;
    if (false) {
        metal::uint4 _e16 = x_2[i_9 >> 2u];
        metal::uint4 _e24 = x_2[(i_9 >> 2u) + 1u];
        return X8_ {as_type<metal::float4>(_e16), as_type<metal::float4>(_e24)};
    }
    metal::uint4 w_19 = x_2[i_9 >> 3u];
    if (true) {
        return X8_ {metal::float4(float2(as_type<half2>(w_19.x)), float2(as_type<half2>(w_19.y))), metal::float4(float2(as_type<half2>(w_19.z)), float2(as_type<half2>(w_19.w)))};
    }
    metal::uint4 lo_4 = metal::uint4(w_19.x << 16u, w_19.x & 4294901760u, w_19.y << 16u, w_19.y & 4294901760u);
    metal::uint4 hi_4 = metal::uint4(w_19.z << 16u, w_19.z & 4294901760u, w_19.w << 16u, w_19.w & 4294901760u);
    return X8_ {as_type<metal::float4>(lo_4), as_type<metal::float4>(hi_4)};
}

bool qmv_split4_(
) {
    bool local_13 = {};
    bool local_14 = {};
    bool local_15 = {};
    bool local_16 = {};
    bool local_17 = {};
    if (true) {
        local_13 = true;
    } else {
        local_13 = false;
    }
    bool _e12 = local_13;
    if (_e12) {
        local_14 = true;
    } else {
        local_14 = false;
    }
    bool _e21 = local_14;
    if (_e21) {
        local_15 = true;
    } else {
        local_15 = false;
    }
    bool _e29 = local_15;
    if (_e29) {
        local_16 = false;
    } else {
        local_16 = false;
    }
    bool _e37 = local_16;
    if (_e37) {
        local_17 = false;
    } else {
        local_17 = false;
    }
    bool _e45 = local_17;
    return _e45;
}

metal::uint4 pairs4_(
    uint w_6,
    thread uint& qmv_one16_
) {
    bool _e1 = qmv_split4_();
    if (_e1) {
        metal::uint4 v_14 = metal::uint4(w_6, w_6, w_6 >> 8u, w_6 >> 8u);
        uint _e14 = qmv_one16_;
        return (v_14 & metal::uint4(983055u, 15728880u, 983055u, 15728880u)) | metal::uint4(_e14);
    }
    if (true) {
        metal::uint4 v_15 = metal::uint4(w_6 << 6u, w_6 << 2u, w_6 >> 2u, w_6 >> 6u);
        uint _e35 = qmv_one16_;
        return (v_15 & metal::uint4(62915520u)) | metal::uint4(_e35);
    }
    if (true) {
        uint e_8 = w_6 & 252645135u;
        uint o_7 = (w_6 >> 4u) & 252645135u;
        uint es = e_8 + ((e_8 & 134744072u) * 7u);
        uint os = o_7 + ((o_7 & 134744072u) * 7u);
        return metal::uint4(es << 9u, os << 9u, es << 1u, os << 1u) & metal::uint4(2382401024u);
    }
    metal::uint4 m_2 = metal::uint4(w_6 << 9u, w_6 << 5u, w_6 << 1u, w_6 >> 3u);
    metal::uint4 s_4 = metal::uint4(w_6 << 12u, w_6 << 8u, w_6 << 4u, w_6);
    return (m_2 & metal::uint4(234884608u)) | (s_4 & metal::uint4(2147516416u));
}

metal::uint2 fp8_pairs(
    uint w_7
) {
    uint mag_1 = w_7 & 2139062143u;
    uint m_3 = mag_1 | ((mag_1 + 16843009u) & 2155905152u);
    uint h02_ = ((m_3 << 7u) & 2139127680u) | ((w_7 << 8u) & 2147516416u);
    uint h13_ = ((m_3 >> 1u) & 2139127680u) | (w_7 & 2147516416u);
    return metal::uint2(h02_, h13_);
}

W16_ pairs2_(
    uint w_8,
    thread uint& qmv_one16_
) {
    metal::uint4 m_4 = metal::uint4(50332416u);
    uint _e4 = qmv_one16_;
    metal::uint4 one = metal::uint4(_e4);
    metal::uint4 l_1 = (metal::uint4(w_8 << 8u, w_8 << 6u, w_8 << 4u, w_8 << 2u) & m_4) | one;
    metal::uint4 h_2 = (metal::uint4(w_8, w_8 >> 2u, w_8 >> 4u, w_8 >> 6u) & m_4) | one;
    metal::float2 p0_1 = float2(as_type<half2>(l_1.x));
    metal::float2 p1_1 = float2(as_type<half2>(l_1.y));
    metal::float2 p2_1 = float2(as_type<half2>(l_1.z));
    metal::float2 p3_1 = float2(as_type<half2>(l_1.w));
    metal::float2 p4_ = float2(as_type<half2>(h_2.x));
    metal::float2 p5_ = float2(as_type<half2>(h_2.y));
    metal::float2 p6_ = float2(as_type<half2>(h_2.z));
    metal::float2 p7_ = float2(as_type<half2>(h_2.w));
    return W16_ {W8_ {metal::float4(p0_1.x, p1_1.x, p2_1.x, p3_1.x), metal::float4(p4_.x, p5_.x, p6_.x, p7_.x)}, W8_ {metal::float4(p0_1.y, p1_1.y, p2_1.y, p3_1.y), metal::float4(p4_.y, p5_.y, p6_.y, p7_.y)}};
}

W8_ qmv_w8_(
    uint wa,
    uint wb_2,
    threadgroup type_13& fp4_lut,
    thread uint& qmv_one16_
) {
    bool local_18 = {};
    bool local_19 = {};
    if (false) {
        local_18 = false;
    } else {
        local_18 = false;
    }
    bool _e14 = local_18;
    if (_e14) {
        metal::uint2 _e15 = fp8_pairs(wa);
        metal::uint2 _e16 = fp8_pairs(wb_2);
        metal::float2 a0_1 = float2(as_type<half2>(_e15.x));
        metal::float2 a1_1 = float2(as_type<half2>(_e15.y));
        metal::float2 b0_ = float2(as_type<half2>(_e16.x));
        metal::float2 b1_ = float2(as_type<half2>(_e16.y));
        return W8_ {metal::float4(a0_1.x, a1_1.x, a0_1.y, a1_1.y), metal::float4(b0_.x, b1_.x, b0_.y, b1_.y)};
    }
    if (false) {
        if (false) {
            metal::uint4 sh_2 = metal::uint4(0u, 8u, 16u, 24u);
            return W8_ {static_cast<metal::float4>((metal::uint4(wa) >> sh_2) & metal::uint4(255u)), static_cast<metal::float4>((metal::uint4(wb_2) >> sh_2) & metal::uint4(255u))};
        }
        metal::uint4 v_16 = metal::uint4(wa << 2u, wa >> 6u, wb_2 << 2u, wb_2 >> 6u);
        metal::uint4 h_3 = (v_16 & metal::uint4(66847740u)) | metal::uint4(1006648320u);
        metal::float2 a0_2 = float2(as_type<half2>(h_3.x));
        metal::float2 a1_2 = float2(as_type<half2>(h_3.y));
        metal::float2 b0_1 = float2(as_type<half2>(h_3.z));
        metal::float2 b1_1 = float2(as_type<half2>(h_3.w));
        return W8_ {metal::float4(a0_2.x, a1_2.x, a0_2.y, a1_2.y), metal::float4(b0_1.x, b1_1.x, b0_1.y, b1_1.y)};
    }
    if (true) {
        local_19 = false;
    } else {
        local_19 = false;
    }
    bool _e110 = local_19;
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
    float s_2 = {};
    if (false) {
        return d_1 + (metal::dot(f_2.lo, xs.lo) + metal::dot(f_2.hi, xs.hi));
    }
    s_2 = metal::fma(f_2.lo.x, xs.lo.x, d_1);
    float _e25 = s_2;
    s_2 = metal::fma(f_2.lo.y, xs.lo.y, _e25);
    float _e31 = s_2;
    s_2 = metal::fma(f_2.lo.z, xs.lo.z, _e31);
    float _e37 = s_2;
    s_2 = metal::fma(f_2.lo.w, xs.lo.w, _e37);
    float _e43 = s_2;
    s_2 = metal::fma(f_2.hi.x, xs.hi.x, _e43);
    float _e49 = s_2;
    s_2 = metal::fma(f_2.hi.y, xs.hi.y, _e49);
    float _e55 = s_2;
    s_2 = metal::fma(f_2.hi.z, xs.hi.z, _e55);
    float _e61 = s_2;
    return metal::fma(f_2.hi.w, xs.hi.w, _e61);
}

metal::float2 qmv_dot8_split(
    metal::float2 d_2,
    W8_ f_3,
    X8_ xs_1
) {
    float e_5 = {};
    float o = {};
    if (false) {
        float e_9 = metal::dot(metal::float4(f_3.lo.x, f_3.lo.z, f_3.hi.x, f_3.hi.z), metal::float4(xs_1.lo.x, xs_1.lo.z, xs_1.hi.x, xs_1.hi.z));
        float o_8 = metal::dot(metal::float4(f_3.lo.y, f_3.lo.w, f_3.hi.y, f_3.hi.w), metal::float4(xs_1.lo.y, xs_1.lo.w, xs_1.hi.y, xs_1.hi.w));
        return d_2 + metal::float2(e_9, o_8);
    }
    e_5 = metal::fma(f_3.lo.x, xs_1.lo.x, d_2.x);
    o = metal::fma(f_3.lo.y, xs_1.lo.y, d_2.y);
    float _e65 = e_5;
    e_5 = metal::fma(f_3.lo.z, xs_1.lo.z, _e65);
    float _e71 = o;
    o = metal::fma(f_3.lo.w, xs_1.lo.w, _e71);
    float _e77 = e_5;
    e_5 = metal::fma(f_3.hi.x, xs_1.hi.x, _e77);
    float _e83 = o;
    o = metal::fma(f_3.hi.y, xs_1.hi.y, _e83);
    float _e89 = e_5;
    e_5 = metal::fma(f_3.hi.z, xs_1.hi.z, _e89);
    float _e95 = o;
    o = metal::fma(f_3.hi.w, xs_1.hi.w, _e95);
    float _e97 = e_5;
    float _e98 = o;
    return metal::float2(_e97, _e98);
}

metal::float2 qmv_word_group(
    uint row_2,
    uint j_3,
    float global_factor_3,
    constant Params& p,
    device type_9 const& scales,
    device type_9 const& biases,
    constant _mslBufferSizes& _buffer_sizes
) {
    bool local_20 = {};
    bool local_21 = {};
    float a_4 = {};
    if (false) {
        if (false) {
            local_21 = true;
        } else {
            local_21 = false;
        }
        bool _e23 = local_21;
        local_20 = _e23;
    } else {
        local_20 = true;
    }
    bool _e25 = local_20;
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
    uint h_4 = ((byte_2 & 127u) << 7u) | ((byte_2 & 128u) << 8u);
    a_4 = float2(as_type<half2>(h_4)).x * 4194304.0;
    if ((byte_2 & 127u) == 127u) {
        a_4 = as_type<float>(2143289344u);
    }
    float _e94 = a_4;
    float _e95 = a_4;
    uint _e99 = p.has_global;
    return metal::float2((_e99 != 0u) ? (_e95 * global_factor_3) : _e94, 0.0);
}

metal::float2 qmv_nvfp4_scales2_(
    uint row_3,
    uint j_4,
    float global_factor_4,
    constant Params& p,
    device type_9 const& scales,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint _e5 = p.gpr;
    uint g_2 = (row_3 * _e5) + (j_4 / GS);
    uint _e14 = scales[g_2 >> 2u];
    uint v_17 = _e14 >> ((g_2 & 2u) * 8u);
    uint s_5 = (v_17 & 255u) | ((v_17 & 65280u) << 8u);
    uint mag_2 = s_5 & 8323199u;
    uint m_5 = mag_2 | ((mag_2 + 65537u) & 8388736u);
    uint h_5 = (m_5 << 7u) | ((s_5 & 8388736u) << 8u);
    metal::float2 a_11 = float2(as_type<half2>(h_5)) * 4194304.0;
    uint _e47 = p.has_global;
    return (_e47 != 0u) ? (a_11 * global_factor_4) : a_11;
}

metal::uint4 qmv_unit_word(
    uint i_4,
    device type_8 const& wq,
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
    uint c_2,
    device type_8 const& wq,
    constant _mslBufferSizes& _buffer_sizes
) {
    Unit4_ w_9 = Unit4_ {metal::uint4(0u), metal::uint4(0u), metal::uint4(0u), metal::uint4(0u)};
    metal::uint4 _e17 = qmv_unit_word(wbase_1.x + (c_2 * QMV_VEC), wq, _buffer_sizes);
    w_9.c0_ = _e17;
    if (true) {
        metal::uint4 _e27 = qmv_unit_word(wbase_1.y + (c_2 * QMV_VEC), wq, _buffer_sizes);
        w_9.c1_ = _e27;
    }
    if (true) {
        metal::uint4 _e37 = qmv_unit_word(wbase_1.z + (c_2 * QMV_VEC), wq, _buffer_sizes);
        w_9.c2_ = _e37;
    }
    if (true) {
        metal::uint4 _e47 = qmv_unit_word(wbase_1.w + (c_2 * QMV_VEC), wq, _buffer_sizes);
        w_9.c3_ = _e47;
    }
    Unit4_ _e48 = w_9;
    return _e48;
}

W8_ qmv_w8_at(
    metal::uint4 u_2,
    uint v_7,
    threadgroup type_13& fp4_lut,
    thread uint& qmv_one16_
) {
    if (false) {
        W8_ _e10 = qmv_w8_(u_2[v_7], u_2[v_7 + 1u], fp4_lut, qmv_one16_);
        return _e10;
    }
    W8_ _e13 = qmv_w8_(u_2[v_7], 0u, fp4_lut, qmv_one16_);
    return _e13;
}

bool qmv_half(
) {
    bool local_22 = {};
    bool local_23 = {};
    bool local_24 = {};
    if (true) {
        local_22 = true;
    } else {
        local_22 = false;
    }
    bool _e11 = local_22;
    if (_e11) {
        local_23 = true;
    } else {
        local_23 = false;
    }
    bool _e20 = local_23;
    if (_e20) {
        local_24 = true;
    } else {
        local_24 = false;
    }
    bool _e28 = local_24;
    return _e28;
}

int qmv_half_k(
    uint m
) {
    int e_10 = static_cast<int>(metal::max((m >> 10u) & 31u, 1u));
    return metal::clamp(as_type<int>(as_type<uint>(27) - as_type<uint>(e_10)), -14, 15);
}

XH qmv_half_x(
    uint x_row_2,
    uint row0_,
    constant Params& p,
    device type_8 const& x_2,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint _e4 = p.k;
    uint i_10 = ((x_row_2 * _e4) + row0_) >> 3u;
    metal::uint4 x0_ = x_2[i_10];
    metal::uint4 x1_ = x_2[i_10 + 1u];
    metal::uint4 x2_ = x_2[i_10 + 2u];
    metal::uint4 x3_ = x_2[i_10 + 3u];
    uint _e27 = qh_absmax8_(x0_);
    uint _e28 = qh_absmax8_(x1_);
    uint _e29 = qh_max(_e27, _e28);
    uint _e30 = qh_absmax8_(x2_);
    uint _e31 = qh_absmax8_(x3_);
    uint _e32 = qh_max(_e30, _e31);
    uint _e33 = qh_max(_e29, _e32);
    uint m_6 = metal::max(_e33 & 65535u, _e33 >> 16u);
    int _e39 = qmv_half_k(m_6);
    uint s_6 = static_cast<uint>(as_type<int>(as_type<uint>(_e39) + as_type<uint>(15))) << 10u;
    uint sp = s_6 | (s_6 << 16u);
    metal::uint4 _e48 = qh_prep(x0_, sp);
    metal::uint4 _e49 = qh_prep(x1_, sp);
    metal::uint4 _e50 = qh_prep(x2_, sp);
    metal::uint4 _e51 = qh_prep(x3_, sp);
    return XH {_e48, _e49, _e50, _e51, as_type<float>(static_cast<uint>(as_type<int>(as_type<uint>(127) - as_type<uint>(_e39))) << 23u)};
}

metal::uint4 qmv_h4_(
    uint w_10,
    thread uint& qmv_one16_,
    thread uint& qmv_h15_
) {
    metal::uint4 _e1 = pairs4_(w_10, qmv_one16_);
    if (true) {
        uint _e8 = qmv_h15_;
        metal::uint4 _e9 = qh_sub(_e1, _e8);
        return _e9;
    }
    return _e1;
}

metal::uint4 qmv_xh_octet(
    XH xh,
    uint o_1
) {
    if (o_1 == 0u) {
        return xh.o0_;
    }
    if (o_1 == 1u) {
        return xh.o1_;
    }
    if (o_1 == 2u) {
        return xh.o2_;
    }
    return xh.o3_;
}

void qmv_octet_h(
    Unit4_ w_11,
    uint o_2,
    uint count,
    thread type_20& xh_1,
    thread type_19& d_3,
    thread type_18& sx_1,
    thread uint& qmv_one16_,
    thread uint& qmv_h15_
) {
    metal::uint4 h1_ = {};
    metal::uint4 h2_ = {};
    metal::uint4 h3_ = {};
    uint mi_6 = 0u;
    metal::uint4 _e8 = qmv_h4_(w_11.c0_[o_2], qmv_one16_, qmv_h15_);
    h1_ = _e8;
    h2_ = _e8;
    h3_ = _e8;
    if (true) {
        metal::uint4 _e18 = qmv_h4_(w_11.c1_[o_2], qmv_one16_, qmv_h15_);
        h1_ = _e18;
    }
    if (true) {
        metal::uint4 _e25 = qmv_h4_(w_11.c2_[o_2], qmv_one16_, qmv_h15_);
        h2_ = _e25;
    }
    if (true) {
        metal::uint4 _e32 = qmv_h4_(w_11.c3_[o_2], qmv_one16_, qmv_h15_);
        h3_ = _e32;
    }
    bool loop_init_5 = true;
    while(true) {
        if (!loop_init_5) {
            uint _e126 = mi_6;
            mi_6 = _e126 + 1u;
        }
        loop_init_5 = false;
        uint _e35 = mi_6;
        if (_e35 < QMV_XROWS) {
        } else {
            break;
        }
        {
            uint _e38 = mi_6;
            if (_e38 < count) {
                uint _e40 = mi_6;
                XH _e42 = xh_1.inner[_e40];
                metal::uint4 _e43 = qmv_xh_octet(_e42, o_2);
                uint _e44 = mi_6;
                float u_3 = xh_1.inner[_e44].u;
                if (true) {
                    uint _e53 = qh_sum8_(_e43);
                    metal::float2 _e54 = qh_f32_(_e53);
                    uint _e55 = mi_6;
                    float _e57 = sx_1.inner[_e55];
                    sx_1.inner[_e55] = _e57 + (_e54.x + _e54.y);
                }
                metal::float2 _e62 = qh_dot8_(_e8, _e43);
                uint _e63 = mi_6;
                uint _e69 = mi_6;
                float _e72 = d_3.inner[_e69].x;
                d_3.inner[_e63].x = metal::fma(_e62.x + _e62.y, u_3, _e72);
                if (true) {
                    metal::uint4 _e78 = h1_;
                    metal::float2 _e79 = qh_dot8_(_e78, _e43);
                    uint _e80 = mi_6;
                    uint _e86 = mi_6;
                    float _e89 = d_3.inner[_e86].y;
                    d_3.inner[_e80].y = metal::fma(_e79.x + _e79.y, u_3, _e89);
                }
                if (true) {
                    metal::uint4 _e95 = h2_;
                    metal::float2 _e96 = qh_dot8_(_e95, _e43);
                    uint _e97 = mi_6;
                    uint _e103 = mi_6;
                    float _e106 = d_3.inner[_e103].z;
                    d_3.inner[_e97].z = metal::fma(_e96.x + _e96.y, u_3, _e106);
                }
                if (true) {
                    metal::uint4 _e112 = h3_;
                    metal::float2 _e113 = qh_dot8_(_e112, _e43);
                    uint _e114 = mi_6;
                    uint _e120 = mi_6;
                    float _e123 = d_3.inner[_e120].w;
                    d_3.inner[_e114].w = metal::fma(_e113.x + _e113.y, u_3, _e123);
                }
            }
        }
    }
    return;
}

void qmv_group_h(
    Unit4_ w_12,
    uint o0_,
    uint n,
    metal::float4 a_5,
    metal::float4 b_3,
    uint count_1,
    thread type_20& xh_2,
    thread uint& qmv_one16_,
    thread type_19& qacc,
    thread uint& qmv_h15_
) {
    type_19 d_4 = {};
    type_18 sx_2 = {};
    uint mi_7 = 0u;
    qmv_octet_h(w_12, o0_, count_1, xh_2, d_4, sx_2, qmv_one16_, qmv_h15_);
    qmv_octet_h(w_12, o0_ + 1u, count_1, xh_2, d_4, sx_2, qmv_one16_, qmv_h15_);
    if (n > 2u) {
        qmv_octet_h(w_12, o0_ + 2u, count_1, xh_2, d_4, sx_2, qmv_one16_, qmv_h15_);
        qmv_octet_h(w_12, o0_ + 3u, count_1, xh_2, d_4, sx_2, qmv_one16_, qmv_h15_);
    }
    bool loop_init_6 = true;
    while(true) {
        if (!loop_init_6) {
            uint _e58 = mi_7;
            mi_7 = _e58 + 1u;
        }
        loop_init_6 = false;
        uint _e19 = mi_7;
        if (_e19 < QMV_XROWS) {
        } else {
            break;
        }
        {
            uint _e22 = mi_7;
            if (_e22 < count_1) {
                if (true) {
                    uint _e30 = mi_7;
                    metal::float4 _e32 = qacc.inner[_e30];
                    uint _e33 = mi_7;
                    metal::float4 _e35 = d_4.inner[_e33];
                    uint _e37 = mi_7;
                    float _e39 = sx_2.inner[_e37];
                    uint _e40 = mi_7;
                    float _e43 = xh_2.inner[_e40].u;
                    qacc.inner[_e30] = _e32 + ((a_5 * _e35) + (b_3 * (_e39 * _e43)));
                } else {
                    uint _e49 = mi_7;
                    metal::float4 _e51 = qacc.inner[_e49];
                    uint _e52 = mi_7;
                    metal::float4 _e54 = d_4.inner[_e52];
                    qacc.inner[_e49] = _e51 + (a_5 * _e54);
                }
            }
        }
    }
    return;
}

metal::float4 qmv_half_a(
    uint j0_,
    float global_factor_5,
    constant Params& p,
    device type_9 const& scales,
    device type_9 const& biases,
    thread metal::uint4& qmv_wrow,
    constant _mslBufferSizes& _buffer_sizes
) {
    metal::float4 a_6 = metal::float4(0.0);
    uint ci_12 = 0u;
    bool loop_init_7 = true;
    while(true) {
        if (!loop_init_7) {
            uint _e46 = ci_12;
            ci_12 = _e46 + 1u;
        }
        loop_init_7 = false;
        uint _e7 = ci_12;
        if (_e7 < QMV_COLS) {
        } else {
            break;
        }
        {
            if (true) {
                uint _e16 = ci_12;
                uint _e18 = qmv_wrow[_e16];
                uint _e21 = p.gpr;
                uint g_3 = (_e18 * _e21) + (j0_ / GS);
                uint _e26 = ci_12;
                uint _e32 = scales[g_3 >> 1u];
                float _e34 = half_in_word(_e32, g_3, XDT);
                a_6[_e26] = _e34 * 16.0;
            } else {
                uint _e37 = ci_12;
                uint _e40 = ci_12;
                uint _e42 = qmv_wrow[_e40];
                metal::float2 _e43 = qmv_word_group(_e42, j0_, global_factor_5, p, scales, biases, _buffer_sizes);
                a_6[_e37] = _e43.x;
            }
        }
    }
    metal::float4 _e48 = a_6;
    return _e48;
}

metal::float4 qmv_half_b(
    uint j0_1,
    constant Params& p,
    device type_9 const& scales,
    device type_9 const& biases,
    thread metal::uint4& qmv_wrow,
    constant _mslBufferSizes& _buffer_sizes
) {
    metal::float4 b_4 = metal::float4(0.0);
    uint ci_13 = 0u;
    if (true) {
        bool loop_init_8 = true;
        while(true) {
            if (!loop_init_8) {
                uint _e44 = ci_13;
                ci_13 = _e44 + 1u;
            }
            loop_init_8 = false;
            uint _e11 = ci_13;
            if (_e11 < QMV_COLS) {
            } else {
                break;
            }
            {
                uint _e15 = ci_13;
                uint _e17 = qmv_wrow[_e15];
                uint _e20 = p.gpr;
                uint g_4 = (_e17 * _e20) + (j0_1 / GS);
                uint _e25 = ci_13;
                uint _e31 = scales[g_4 >> 1u];
                float _e33 = half_in_word(_e31, g_4, XDT);
                uint _e38 = biases[g_4 >> 1u];
                float _e40 = half_in_word(_e38, g_4, XDT);
                b_4[_e25] = metal::fma(_e33, 8.0, _e40);
            }
        }
    }
    metal::float4 _e46 = b_4;
    return _e46;
}

void qmv_unit_h(
    uint c_3,
    Unit4_ w_13,
    uint count_2,
    float global_factor_6,
    constant Params& p,
    device type_8 const& x_2,
    device type_9 const& scales,
    device type_9 const& biases,
    thread uint& qmv_one16_,
    thread type_19& qacc,
    thread metal::uint4& qmv_wrow,
    thread type_5& qmv_xrow,
    thread uint& qmv_h15_,
    constant _mslBufferSizes& _buffer_sizes
) {
    type_20 xh_3 = {};
    uint mi_8 = 0u;
    bool local_25 = {};
    metal::float4 a0_ = {};
    metal::float4 a1_ = {};
    uint ci_14 = 0u;
    uint row0_1 = c_3 * 32u;
    bool loop_init_9 = true;
    while(true) {
        if (!loop_init_9) {
            uint _e28 = mi_8;
            mi_8 = _e28 + 1u;
        }
        loop_init_9 = false;
        uint _e15 = mi_8;
        if (_e15 < QMV_XROWS) {
        } else {
            break;
        }
        {
            uint _e18 = mi_8;
            if (_e18 < count_2) {
                uint _e20 = mi_8;
                uint _e23 = mi_8;
                uint _e25 = qmv_xrow.inner[_e23];
                XH _e26 = qmv_half_x(_e25, row0_1, p, x_2, _buffer_sizes);
                xh_3.inner[_e20] = _e26;
            }
        }
    }
    metal::float4 z = metal::float4(0.0);
    if (true) {
        metal::float4 _e36 = qmv_half_a(row0_1, global_factor_6, p, scales, biases, qmv_wrow, _buffer_sizes);
        metal::float4 _e37 = qmv_half_b(row0_1, p, scales, biases, qmv_wrow, _buffer_sizes);
        qmv_group_h(w_13, 0u, 4u, _e36, _e37, count_2, xh_3, qmv_one16_, qacc, qmv_h15_);
        return;
    } else {
        if (false) {
            local_25 = false;
        } else {
            local_25 = false;
        }
        bool _e50 = local_25;
        if (_e50) {
            a0_ = z;
            a1_ = z;
            bool loop_init_10 = true;
            while(true) {
                if (!loop_init_10) {
                    uint _e70 = ci_14;
                    ci_14 = _e70 + 1u;
                }
                loop_init_10 = false;
                uint _e55 = ci_14;
                if (_e55 < QMV_COLS) {
                } else {
                    break;
                }
                {
                    uint _e59 = ci_14;
                    uint _e61 = qmv_wrow[_e59];
                    metal::float2 _e62 = qmv_nvfp4_scales2_(_e61, row0_1, global_factor_6, p, scales, _buffer_sizes);
                    uint _e63 = ci_14;
                    a0_[_e63] = _e62.x;
                    uint _e66 = ci_14;
                    a1_[_e66] = _e62.y;
                }
            }
            metal::float4 _e74 = a0_;
            qmv_group_h(w_13, 0u, 2u, _e74, z, count_2, xh_3, qmv_one16_, qacc, qmv_h15_);
            metal::float4 _e77 = a1_;
            qmv_group_h(w_13, 2u, 2u, _e77, z, count_2, xh_3, qmv_one16_, qacc, qmv_h15_);
            return;
        } else {
            metal::float4 _e80 = qmv_half_a(row0_1, global_factor_6, p, scales, biases, qmv_wrow, _buffer_sizes);
            metal::float4 _e81 = qmv_half_b(row0_1, p, scales, biases, qmv_wrow, _buffer_sizes);
            qmv_group_h(w_13, 0u, 2u, _e80, _e81, count_2, xh_3, qmv_one16_, qacc, qmv_h15_);
            metal::float4 _e86 = qmv_half_a(row0_1 + 16u, global_factor_6, p, scales, biases, qmv_wrow, _buffer_sizes);
            metal::float4 _e89 = qmv_half_b(row0_1 + 16u, p, scales, biases, qmv_wrow, _buffer_sizes);
            qmv_group_h(w_13, 2u, 2u, _e86, _e89, count_2, xh_3, qmv_one16_, qacc, qmv_h15_);
            return;
        }
    }
}

void qmv_unit(
    uint c_4,
    Unit4_ w_14,
    uint count_3,
    float global_factor_7,
    constant Params& p,
    device type_8 const& x_2,
    device type_9 const& scales,
    device type_9 const& biases,
    threadgroup type_13& fp4_lut,
    thread uint& qmv_one16_,
    thread type_19& qacc,
    thread metal::uint4& qmv_wrow,
    thread type_5& qmv_xrow,
    thread uint& qmv_h15_,
    constant _mslBufferSizes& _buffer_sizes
) {
    bool local_26 = {};
    bool local_27 = {};
    bool local_28 = {};
    type_24 a2_ = type_24 {};
    uint ci_15 = 0u;
    uint o0_1 = 0u;
    metal::float4 a_7 = {};
    metal::float4 b_5 = {};
    uint ci_16 = {};
    type_19 d_5 = {};
    type_18 sx_3 = {};
    type_19 d2_ = {};
    type_18 sx2_ = {};
    uint o_3 = {};
    W8_ f1_ = {};
    W8_ f2_ = {};
    W8_ f3_ = {};
    uint mi_9 = {};
    uint mi_10 = {};
    bool _e4 = qmv_half();
    if (_e4) {
        qmv_unit_h(c_4, w_14, count_3, global_factor_7, p, x_2, scales, biases, qmv_one16_, qacc, qmv_wrow, qmv_xrow, qmv_h15_, _buffer_sizes);
        return;
    }
    uint row0_2 = (c_4 * 4u) * 8u;
    if (false) {
        local_26 = true;
    } else {
        local_26 = false;
    }
    bool _e36 = local_26;
    if (_e36) {
        local_27 = false;
    } else {
        local_27 = false;
    }
    bool _e44 = local_27;
    if (_e44) {
        local_28 = true;
    } else {
        local_28 = false;
    }
    bool scale_pairs = local_28;
    if (scale_pairs) {
        bool loop_init_11 = true;
        while(true) {
            if (!loop_init_11) {
                uint _e66 = ci_15;
                ci_15 = _e66 + 1u;
            }
            loop_init_11 = false;
            uint _e55 = ci_15;
            if (_e55 < QMV_COLS) {
            } else {
                break;
            }
            {
                uint _e58 = ci_15;
                uint _e61 = ci_15;
                uint _e63 = qmv_wrow[_e61];
                metal::float2 _e64 = qmv_nvfp4_scales2_(_e63, row0_2, global_factor_7, p, scales, _buffer_sizes);
                a2_.inner[_e58] = _e64;
            }
        }
    }
    bool loop_init_12 = true;
    while(true) {
        if (!loop_init_12) {
            uint _e428 = o0_1;
            o0_1 = _e428 + 4u;
        }
        loop_init_12 = false;
        uint _e70 = o0_1;
        if (_e70 < 4u) {
        } else {
            break;
        }
        {
            uint _e72 = o0_1;
            uint j0_3 = row0_2 + (_e72 * 8u);
            a_7 = metal::float4(0.0);
            b_5 = metal::float4(0.0);
            ci_16 = 0u;
            bool loop_init_13 = true;
            while(true) {
                if (!loop_init_13) {
                    uint _e113 = ci_16;
                    ci_16 = _e113 + 1u;
                }
                loop_init_13 = false;
                uint _e84 = ci_16;
                if (_e84 < QMV_COLS) {
                } else {
                    break;
                }
                {
                    if (scale_pairs) {
                        uint _e87 = ci_16;
                        uint _e89 = ci_16;
                        float _e92 = a2_.inner[_e89].x;
                        uint _e93 = ci_16;
                        float _e96 = a2_.inner[_e93].y;
                        uint _e97 = o0_1;
                        a_7[_e87] = (_e97 != 0u) ? _e96 : _e92;
                    } else {
                        uint _e102 = ci_16;
                        uint _e104 = qmv_wrow[_e102];
                        metal::float2 _e105 = qmv_word_group(_e104, j0_3, global_factor_7, p, scales, biases, _buffer_sizes);
                        uint _e106 = ci_16;
                        a_7[_e106] = _e105.x;
                        uint _e109 = ci_16;
                        b_5[_e109] = _e105.y;
                    }
                }
            }
            d_5 = type_19 {};
            sx_3 = type_18 {};
            d2_ = type_19 {};
            sx2_ = type_18 {};
            uint _e123 = o0_1;
            o_3 = _e123;
            bool loop_init_14 = true;
            while(true) {
                if (!loop_init_14) {
                    uint _e349 = o_3;
                    o_3 = _e349 + 1u;
                }
                loop_init_14 = false;
                uint _e125 = o_3;
                uint _e126 = o0_1;
                if (_e125 < (_e126 + 4u)) {
                } else {
                    break;
                }
                {
                    uint _e130 = o_3;
                    W8_ _e132 = qmv_w8_at(w_14.c0_, _e130 * 1u, fp4_lut, qmv_one16_);
                    f1_ = _e132;
                    f2_ = _e132;
                    f3_ = _e132;
                    if (true) {
                        uint _e141 = o_3;
                        W8_ _e143 = qmv_w8_at(w_14.c1_, _e141 * 1u, fp4_lut, qmv_one16_);
                        f1_ = _e143;
                    }
                    if (true) {
                        uint _e149 = o_3;
                        W8_ _e151 = qmv_w8_at(w_14.c2_, _e149 * 1u, fp4_lut, qmv_one16_);
                        f2_ = _e151;
                    }
                    if (true) {
                        uint _e157 = o_3;
                        W8_ _e159 = qmv_w8_at(w_14.c3_, _e157 * 1u, fp4_lut, qmv_one16_);
                        f3_ = _e159;
                    }
                    mi_9 = 0u;
                    bool loop_init_15 = true;
                    while(true) {
                        if (!loop_init_15) {
                            uint _e346 = mi_9;
                            mi_9 = _e346 + 1u;
                        }
                        loop_init_15 = false;
                        uint _e162 = mi_9;
                        if (_e162 < QMV_XROWS) {
                        } else {
                            break;
                        }
                        {
                            uint _e165 = mi_9;
                            if (_e165 < count_3) {
                                uint _e168 = mi_9;
                                uint _e170 = qmv_xrow.inner[_e168];
                                uint _e171 = o_3;
                                uint _e172 = o0_1;
                                X8_ _e177 = qmv_x8v(_e170, j0_3 + ((_e171 - _e172) * 8u), p, x_2, _buffer_sizes);
                                bool _e178 = qmv_split4_();
                                if (_e178) {
                                    metal::float4 t_1 = _e177.lo + _e177.hi;
                                    uint _e182 = mi_9;
                                    float _e184 = sx_3.inner[_e182];
                                    sx_3.inner[_e182] = _e184 + (t_1.x + t_1.z);
                                    uint _e189 = mi_9;
                                    float _e191 = sx2_.inner[_e189];
                                    sx2_.inner[_e189] = _e191 + (t_1.y + t_1.w);
                                    uint _e196 = mi_9;
                                    float _e199 = d_5.inner[_e196].x;
                                    uint _e200 = mi_9;
                                    float _e203 = d2_.inner[_e200].x;
                                    metal::float2 _e205 = qmv_dot8_split(metal::float2(_e199, _e203), _e132, _e177);
                                    uint _e206 = mi_9;
                                    d_5.inner[_e206].x = _e205.x;
                                    uint _e210 = mi_9;
                                    d2_.inner[_e210].x = _e205.y;
                                    if (true) {
                                        uint _e218 = mi_9;
                                        float _e221 = d_5.inner[_e218].y;
                                        uint _e222 = mi_9;
                                        float _e225 = d2_.inner[_e222].y;
                                        W8_ _e227 = f1_;
                                        metal::float2 _e228 = qmv_dot8_split(metal::float2(_e221, _e225), _e227, _e177);
                                        uint _e229 = mi_9;
                                        d_5.inner[_e229].y = _e228.x;
                                        uint _e233 = mi_9;
                                        d2_.inner[_e233].y = _e228.y;
                                    }
                                    if (true) {
                                        uint _e241 = mi_9;
                                        float _e244 = d_5.inner[_e241].z;
                                        uint _e245 = mi_9;
                                        float _e248 = d2_.inner[_e245].z;
                                        W8_ _e250 = f2_;
                                        metal::float2 _e251 = qmv_dot8_split(metal::float2(_e244, _e248), _e250, _e177);
                                        uint _e252 = mi_9;
                                        d_5.inner[_e252].z = _e251.x;
                                        uint _e256 = mi_9;
                                        d2_.inner[_e256].z = _e251.y;
                                    }
                                    if (true) {
                                        uint _e264 = mi_9;
                                        float _e267 = d_5.inner[_e264].w;
                                        uint _e268 = mi_9;
                                        float _e271 = d2_.inner[_e268].w;
                                        W8_ _e273 = f3_;
                                        metal::float2 _e274 = qmv_dot8_split(metal::float2(_e267, _e271), _e273, _e177);
                                        uint _e275 = mi_9;
                                        d_5.inner[_e275].w = _e274.x;
                                        uint _e279 = mi_9;
                                        d2_.inner[_e279].w = _e274.y;
                                    }
                                } else {
                                    if (true) {
                                        uint _e288 = mi_9;
                                        float _e290 = sx_3.inner[_e288];
                                        sx_3.inner[_e288] = _e290 + metal::dot(_e177.lo + _e177.hi, metal::float4(1.0));
                                    }
                                    uint _e298 = mi_9;
                                    uint _e301 = mi_9;
                                    float _e304 = d_5.inner[_e301].x;
                                    float _e305 = qmv_dot8_(_e304, _e132, _e177);
                                    d_5.inner[_e298].x = _e305;
                                    if (true) {
                                        uint _e310 = mi_9;
                                        uint _e313 = mi_9;
                                        float _e316 = d_5.inner[_e313].y;
                                        W8_ _e317 = f1_;
                                        float _e318 = qmv_dot8_(_e316, _e317, _e177);
                                        d_5.inner[_e310].y = _e318;
                                    }
                                    if (true) {
                                        uint _e323 = mi_9;
                                        uint _e326 = mi_9;
                                        float _e329 = d_5.inner[_e326].z;
                                        W8_ _e330 = f2_;
                                        float _e331 = qmv_dot8_(_e329, _e330, _e177);
                                        d_5.inner[_e323].z = _e331;
                                    }
                                    if (true) {
                                        uint _e336 = mi_9;
                                        uint _e339 = mi_9;
                                        float _e342 = d_5.inner[_e339].w;
                                        W8_ _e343 = f3_;
                                        float _e344 = qmv_dot8_(_e342, _e343, _e177);
                                        d_5.inner[_e336].w = _e344;
                                    }
                                }
                            }
                        }
                    }
                }
            }
            mi_10 = 0u;
            bool loop_init_16 = true;
            while(true) {
                if (!loop_init_16) {
                    uint _e426 = mi_10;
                    mi_10 = _e426 + 1u;
                }
                loop_init_16 = false;
                uint _e353 = mi_10;
                if (_e353 < QMV_XROWS) {
                } else {
                    break;
                }
                {
                    uint _e356 = mi_10;
                    if (_e356 < count_3) {
                        bool _e358 = qmv_split4_();
                        if (_e358) {
                            metal::float4 _e359 = b_5;
                            metal::float4 _e360 = a_7;
                            metal::float4 bt = _e359 + _e360;
                            metal::float4 _e362 = a_7;
                            metal::float4 ae = _e362 * 64.0;
                            metal::float4 _e365 = a_7;
                            metal::float4 ao = _e365 * 4.0;
                            uint _e369 = mi_10;
                            metal::float4 _e371 = qacc.inner[_e369];
                            uint _e372 = mi_10;
                            metal::float4 _e374 = d_5.inner[_e372];
                            uint _e377 = mi_10;
                            float _e379 = sx_3.inner[_e377];
                            uint _e382 = mi_10;
                            metal::float4 _e384 = d2_.inner[_e382];
                            uint _e388 = mi_10;
                            float _e390 = sx2_.inner[_e388];
                            qacc.inner[_e369] = _e371 + ((((ae * _e374) + ((bt - ae) * _e379)) + (ao * _e384)) + ((bt - ao) * _e390));
                        } else {
                            if (true) {
                                uint _e400 = mi_10;
                                metal::float4 _e402 = qacc.inner[_e400];
                                metal::float4 _e403 = a_7;
                                uint _e404 = mi_10;
                                metal::float4 _e406 = d_5.inner[_e404];
                                metal::float4 _e408 = b_5;
                                uint _e409 = mi_10;
                                float _e411 = sx_3.inner[_e409];
                                qacc.inner[_e400] = _e402 + ((_e403 * _e406) + (_e408 * _e411));
                            } else {
                                uint _e416 = mi_10;
                                metal::float4 _e418 = qacc.inner[_e416];
                                metal::float4 _e419 = a_7;
                                uint _e420 = mi_10;
                                metal::float4 _e422 = d_5.inner[_e420];
                                qacc.inner[_e416] = _e418 + (_e419 * _e422);
                            }
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
    bool local_29 = {};
    bool local_30 = {};
    bool local_31 = {};
    bool local_32 = {};
    if (true) {
        local_29 = true;
    } else {
        local_29 = false;
    }
    bool _e12 = local_29;
    if (_e12) {
        local_30 = false;
    } else {
        local_30 = false;
    }
    bool _e20 = local_30;
    if (_e20) {
        local_31 = true;
    } else {
        local_31 = false;
    }
    bool _e28 = local_31;
    if (_e28) {
        local_32 = true;
    } else {
        local_32 = false;
    }
    bool _e36 = local_32;
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
    device type_8 const& wq,
    device type_9 const& wq_words,
    constant _mslBufferSizes& _buffer_sizes
) {
    bool local_33 = {};
    metal::uint4 v_8 = {};
    uint _e1 = qmv_unit_words_n();
    if (_e1 == 4u) {
        local_33 = false;
    } else {
        local_33 = false;
    }
    bool _e11 = local_33;
    if (_e11) {
        metal::uint4 _e16 = wq[i_5 >> 2u];
        return _e16;
    }
    uint _e19 = wq_words[i_5];
    v_8 = metal::uint4(_e19, 0u, 0u, 0u);
    if (_e1 > 1u) {
        uint _e32 = wq_words[i_5 + 1u];
        v_8.y = _e32;
        uint _e38 = wq_words[i_5 + 2u];
        v_8.z = _e38;
    }
    if (_e1 > 3u) {
        uint _e46 = wq_words[i_5 + 3u];
        v_8.w = _e46;
    }
    metal::uint4 _e47 = v_8;
    return _e47;
}

metal::uint4 qmv_unit_n_hi(
    uint i_6,
    device type_9 const& wq_words,
    constant _mslBufferSizes& _buffer_sizes
) {
    metal::uint4 v_9 = metal::uint4(0u);
    uint _e1 = qmv_unit_words_n();
    if (_e1 > 4u) {
        uint _e12 = wq_words[i_6 + 4u];
        v_9.x = _e12;
    }
    if (_e1 > 5u) {
        uint _e20 = wq_words[i_6 + 5u];
        v_9.y = _e20;
    }
    if (_e1 > 6u) {
        uint _e28 = wq_words[i_6 + 6u];
        v_9.z = _e28;
    }
    metal::uint4 _e29 = v_9;
    return _e29;
}

UnitN qmv_unit_n_load(
    metal::uint4 wbase_2,
    uint c_5,
    device type_8 const& wq,
    device type_9 const& wq_words,
    constant _mslBufferSizes& _buffer_sizes
) {
    UnitN w_15 = {};
    metal::uint4 z_1 = metal::uint4(0u);
    w_15 = UnitN {z_1, z_1, z_1, z_1, z_1, z_1, z_1, z_1};
    uint _e6 = qmv_unit_words_n();
    uint off = c_5 * _e6;
    metal::uint4 _e11 = qmv_unit_n_lo(wbase_2.x + off, wq, wq_words, _buffer_sizes);
    w_15.l0_ = _e11;
    metal::uint4 _e15 = qmv_unit_n_hi(wbase_2.x + off, wq_words, _buffer_sizes);
    w_15.h0_ = _e15;
    if (true) {
        metal::uint4 _e23 = qmv_unit_n_lo(wbase_2.y + off, wq, wq_words, _buffer_sizes);
        w_15.l1_ = _e23;
        metal::uint4 _e27 = qmv_unit_n_hi(wbase_2.y + off, wq_words, _buffer_sizes);
        w_15.h1_ = _e27;
    }
    if (true) {
        metal::uint4 _e35 = qmv_unit_n_lo(wbase_2.z + off, wq, wq_words, _buffer_sizes);
        w_15.l2_ = _e35;
        metal::uint4 _e39 = qmv_unit_n_hi(wbase_2.z + off, wq_words, _buffer_sizes);
        w_15.h2_ = _e39;
    }
    if (true) {
        metal::uint4 _e47 = qmv_unit_n_lo(wbase_2.w + off, wq, wq_words, _buffer_sizes);
        w_15.l3_ = _e47;
        metal::uint4 _e51 = qmv_unit_n_hi(wbase_2.w + off, wq_words, _buffer_sizes);
        w_15.h3_ = _e51;
    }
    UnitN _e52 = w_15;
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
    uint v_10 = {};
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
        v_10 = _e7 << (19u - sh_3);
    } else {
        v_10 = _e7 >> (sh_3 - 19u);
    }
    if (straddles) {
        uint _e46 = v_10;
        uint _e49 = qmv_uword(lo_1, hi_1, wi_1 + 1u);
        v_10 = _e46 | (_e49 << (51u - sh_3));
    }
    uint _e55 = v_10;
    uint _e65 = qmv_one32_;
    return as_type<float>((_e55 & 7864320u) | _e65);
}

W8_ qmv_octet_n(
    metal::uint4 lo_2,
    metal::uint4 hi_2,
    uint o_4,
    thread uint& qmv_one32_
) {
    uint p0_2 = (o_4 * 8u) * BITS;
    float _e7 = qmv_code_n(lo_2, hi_2, p0_2, qmv_one32_);
    float _e10 = qmv_code_n(lo_2, hi_2, p0_2 + BITS, qmv_one32_);
    float _e16 = qmv_code_n(lo_2, hi_2, p0_2 + 8u, qmv_one32_);
    float _e22 = qmv_code_n(lo_2, hi_2, p0_2 + 12u, qmv_one32_);
    float _e29 = qmv_code_n(lo_2, hi_2, p0_2 + 16u, qmv_one32_);
    float _e35 = qmv_code_n(lo_2, hi_2, p0_2 + 20u, qmv_one32_);
    float _e41 = qmv_code_n(lo_2, hi_2, p0_2 + 24u, qmv_one32_);
    float _e47 = qmv_code_n(lo_2, hi_2, p0_2 + 28u, qmv_one32_);
    return W8_ {metal::float4(_e7, _e10, _e16, _e22), metal::float4(_e29, _e35, _e41, _e47)};
}

W16_ qmv_octets2_n(
    metal::uint4 lo_3,
    metal::uint4 hi_3,
    uint o_5,
    thread uint& qmv_one16_,
    thread uint& qmv_one32_
) {
    bool local_34 = {};
    bool local_35 = {};
    if (false) {
        local_34 = true;
    } else {
        local_34 = false;
    }
    bool _e14 = local_34;
    if (_e14) {
        local_35 = true;
    } else {
        local_35 = false;
    }
    bool _e23 = local_35;
    if (_e23) {
        uint _e26 = qmv_uword(lo_3, hi_3, o_5 >> 1u);
        W16_ _e27 = pairs2_(_e26, qmv_one16_);
        return _e27;
    }
    W8_ _e28 = qmv_octet_n(lo_3, hi_3, o_5, qmv_one32_);
    W8_ _e31 = qmv_octet_n(lo_3, hi_3, o_5 + 1u, qmv_one32_);
    return W16_ {_e28, _e31};
}

void qmv_octets_n_acc(
    UnitN w_16,
    uint o_6,
    uint j0_2,
    uint count_4,
    thread type_19& d_6,
    thread type_18& sx_4,
    constant Params& p,
    device type_8 const& x_2,
    thread uint& qmv_one16_,
    thread uint& qmv_one32_,
    thread type_5& qmv_xrow,
    constant _mslBufferSizes& _buffer_sizes
) {
    W16_ f1_1 = {};
    W16_ f2_1 = {};
    W16_ f3_1 = {};
    uint mi_11 = 0u;
    uint _e6 = qmv_unit_octets_n();
    if (o_6 >= _e6) {
        return;
    }
    W16_ _e10 = qmv_octets2_n(w_16.l0_, w_16.h0_, o_6, qmv_one16_, qmv_one32_);
    f1_1 = _e10;
    f2_1 = _e10;
    f3_1 = _e10;
    if (true) {
        W16_ _e20 = qmv_octets2_n(w_16.l1_, w_16.h1_, o_6, qmv_one16_, qmv_one32_);
        f1_1 = _e20;
    }
    if (true) {
        W16_ _e27 = qmv_octets2_n(w_16.l2_, w_16.h2_, o_6, qmv_one16_, qmv_one32_);
        f2_1 = _e27;
    }
    if (true) {
        W16_ _e34 = qmv_octets2_n(w_16.l3_, w_16.h3_, o_6, qmv_one16_, qmv_one32_);
        f3_1 = _e34;
    }
    bool loop_init_17 = true;
    while(true) {
        if (!loop_init_17) {
            uint _e137 = mi_11;
            mi_11 = _e137 + 1u;
        }
        loop_init_17 = false;
        uint _e37 = mi_11;
        if (_e37 < QMV_XROWS) {
        } else {
            break;
        }
        {
            uint _e40 = mi_11;
            if (_e40 < count_4) {
                uint _e43 = mi_11;
                uint _e45 = qmv_xrow.inner[_e43];
                X8_ _e49 = qmv_x8v(_e45, j0_2 + (o_6 * 8u), p, x_2, _buffer_sizes);
                uint _e51 = mi_11;
                uint _e53 = qmv_xrow.inner[_e51];
                X8_ _e59 = qmv_x8v(_e53, (j0_2 + (o_6 * 8u)) + 8u, p, x_2, _buffer_sizes);
                uint _e60 = mi_11;
                float _e62 = sx_4.inner[_e60];
                sx_4.inner[_e60] = _e62 + metal::dot((_e49.lo + _e49.hi) + (_e59.lo + _e59.hi), metal::float4(1.0));
                uint _e74 = mi_11;
                uint _e77 = mi_11;
                float _e80 = d_6.inner[_e77].x;
                float _e82 = qmv_dot8_(_e80, _e10.a, _e49);
                float _e84 = qmv_dot8_(_e82, _e10.b, _e59);
                d_6.inner[_e74].x = _e84;
                if (true) {
                    uint _e89 = mi_11;
                    uint _e92 = mi_11;
                    float _e95 = d_6.inner[_e92].y;
                    W8_ _e97 = f1_1.a;
                    float _e98 = qmv_dot8_(_e95, _e97, _e49);
                    W8_ _e100 = f1_1.b;
                    float _e101 = qmv_dot8_(_e98, _e100, _e59);
                    d_6.inner[_e89].y = _e101;
                }
                if (true) {
                    uint _e106 = mi_11;
                    uint _e109 = mi_11;
                    float _e112 = d_6.inner[_e109].z;
                    W8_ _e114 = f2_1.a;
                    float _e115 = qmv_dot8_(_e112, _e114, _e49);
                    W8_ _e117 = f2_1.b;
                    float _e118 = qmv_dot8_(_e115, _e117, _e59);
                    d_6.inner[_e106].z = _e118;
                }
                if (true) {
                    uint _e123 = mi_11;
                    uint _e126 = mi_11;
                    float _e129 = d_6.inner[_e126].w;
                    W8_ _e131 = f3_1.a;
                    float _e132 = qmv_dot8_(_e129, _e131, _e49);
                    W8_ _e134 = f3_1.b;
                    float _e135 = qmv_dot8_(_e132, _e134, _e59);
                    d_6.inner[_e123].w = _e135;
                }
            }
        }
    }
    return;
}

void qmv_unit_n(
    uint c_6,
    UnitN w_17,
    uint count_5,
    float global_factor_8,
    constant Params& p,
    device type_8 const& x_2,
    device type_9 const& scales,
    device type_9 const& biases,
    thread uint& qmv_one16_,
    thread uint& qmv_one32_,
    thread type_19& qacc,
    thread metal::uint4& qmv_wrow,
    thread type_5& qmv_xrow,
    constant _mslBufferSizes& _buffer_sizes
) {
    metal::float4 a_8 = metal::float4(0.0);
    metal::float4 b_6 = metal::float4(0.0);
    uint ci_17 = 0u;
    type_19 d_7 = {};
    type_18 sx_5 = {};
    uint mi_12 = 0u;
    uint _e4 = qmv_unit_octets_n();
    uint j0_4 = (c_6 * _e4) * 8u;
    bool loop_init_18 = true;
    while(true) {
        if (!loop_init_18) {
            uint _e31 = ci_17;
            ci_17 = _e31 + 1u;
        }
        loop_init_18 = false;
        uint _e16 = ci_17;
        if (_e16 < QMV_COLS) {
        } else {
            break;
        }
        {
            uint _e20 = ci_17;
            uint _e22 = qmv_wrow[_e20];
            metal::float2 _e23 = qmv_group(_e22, j0_4, global_factor_8, p, scales, biases, _buffer_sizes);
            uint _e24 = ci_17;
            a_8[_e24] = _e23.x;
            uint _e27 = ci_17;
            b_6[_e27] = _e23.y;
        }
    }
    qmv_octets_n_acc(w_17, 0u, j0_4, count_5, d_7, sx_5, p, x_2, qmv_one16_, qmv_one32_, qmv_xrow, _buffer_sizes);
    qmv_octets_n_acc(w_17, 2u, j0_4, count_5, d_7, sx_5, p, x_2, qmv_one16_, qmv_one32_, qmv_xrow, _buffer_sizes);
    qmv_octets_n_acc(w_17, 4u, j0_4, count_5, d_7, sx_5, p, x_2, qmv_one16_, qmv_one32_, qmv_xrow, _buffer_sizes);
    qmv_octets_n_acc(w_17, 6u, j0_4, count_5, d_7, sx_5, p, x_2, qmv_one16_, qmv_one32_, qmv_xrow, _buffer_sizes);
    bool loop_init_19 = true;
    while(true) {
        if (!loop_init_19) {
            uint _e63 = mi_12;
            mi_12 = _e63 + 1u;
        }
        loop_init_19 = false;
        uint _e41 = mi_12;
        if (_e41 < QMV_XROWS) {
        } else {
            break;
        }
        {
            uint _e44 = mi_12;
            if (_e44 < count_5) {
                uint _e47 = mi_12;
                metal::float4 _e49 = qacc.inner[_e47];
                metal::float4 _e50 = a_8;
                uint _e51 = mi_12;
                metal::float4 _e53 = d_7.inner[_e51];
                metal::float4 _e55 = b_6;
                uint _e56 = mi_12;
                float _e58 = sx_5.inner[_e56];
                qacc.inner[_e47] = _e49 + ((_e50 * _e53) + (_e55 * _e58));
            }
        }
    }
    return;
}

bool qmv_word_kernel(
) {
    bool local_36 = {};
    bool local_37 = {};
    bool local_38 = {};
    bool local_39 = {};
    bool local_40 = {};
    bool local_41 = {};
    bool local_42 = {};
    bool local_43 = {};
    bool local_44 = {};
    bool _e0 = qmv_words_n();
    if (_e0) {
        uint _e5 = qmv_unit_octets_n();
        local_36 = GS >= (8u * _e5);
    } else {
        local_36 = false;
    }
    bool n_1 = local_36;
    if (false) {
        local_37 = false;
    } else {
        local_37 = false;
    }
    bool _e22 = local_37;
    if (_e22) {
        local_38 = true;
    } else {
        local_38 = false;
    }
    bool fp8_ = local_38;
    if (true) {
        if (false) {
            if (false) {
                local_41 = true;
            } else {
                local_41 = false;
            }
            bool _e56 = local_41;
            if (_e56) {
                local_42 = true;
            } else {
                local_42 = false;
            }
            bool _e64 = local_42;
            local_40 = _e64;
        } else {
            local_40 = true;
        }
        bool _e66 = local_40;
        if (!(_e66)) {
            local_43 = fp8_;
        } else {
            local_43 = true;
        }
        bool _e71 = local_43;
        if (!(_e71)) {
            local_44 = n_1;
        } else {
            local_44 = true;
        }
        bool _e76 = local_44;
        local_39 = _e76;
    } else {
        local_39 = false;
    }
    bool _e78 = local_39;
    return _e78;
}

metal::uint2 qmv_row(
    uint first,
    uint mi_13,
    device type_12 const& rows,
    constant _mslBufferSizes& _buffer_sizes
) {
    if (false) {
        return metal::uint2(mi_13);
    }
    metal::uint2 _e10 = rows[first + mi_13];
    return _e10;
}

void qmv_reduce_flat(
    uint lid_1,
    uint lane,
    uint col0_,
    uint count_6,
    uint tile_row,
    thread type_25& acc_1,
    constant Params& p,
    device type_12 const& rows,
    device type_9& out,
    threadgroup type_16& red,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint m0_ = 0u;
    uint r = {};
    uint ci_18 = {};
    uint job = {};
    float s0_1 = {};
    float s1_ = {};
    uint l = {};
    bool local_45 = {};
    uint team0_ = lid_1 - lane;
    bool loop_init_20 = true;
    while(true) {
        if (!loop_init_20) {
            uint _e166 = m0_;
            m0_ = _e166 + 2u;
        }
        loop_init_20 = false;
        uint _e19 = m0_;
        if (_e19 < QMV_XROWS) {
        } else {
            break;
        }
        {
            r = 0u;
            bool loop_init_21 = true;
            while(true) {
                if (!loop_init_21) {
                    uint _e59 = r;
                    r = _e59 + 1u;
                }
                loop_init_21 = false;
                uint _e24 = r;
                if (_e24 < 2u) {
                } else {
                    break;
                }
                {
                    uint _e26 = m0_;
                    uint _e27 = r;
                    uint mi_14 = metal::min(_e26 + _e27, 1u);
                    ci_18 = 0u;
                    bool loop_init_22 = true;
                    while(true) {
                        if (!loop_init_22) {
                            uint _e56 = ci_18;
                            ci_18 = _e56 + 1u;
                        }
                        loop_init_22 = false;
                        uint _e36 = ci_18;
                        if (_e36 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e40 = r;
                            uint _e43 = ci_18;
                            uint _e49 = ci_18;
                            float _e54 = acc_1.inner[(_e49 * QMAX_ROWS) + mi_14];
                            red.inner[(((_e40 * QMV_COLS) + _e43) * QMV_WG) + lid_1] = _e54;
                        }
                    }
                }
            }
            metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
            job = lane;
            bool loop_init_23 = true;
            while(true) {
                if (!loop_init_23) {
                    uint _e163 = job;
                    job = _e163 + QMV_LANES;
                }
                loop_init_23 = false;
                uint _e73 = job;
                if (_e73 < 8u) {
                } else {
                    break;
                }
                {
                    uint _e75 = job;
                    uint r_2 = _e75 / 4u;
                    uint _e80 = job;
                    uint ci_19 = (_e80 % 4u) * 1u;
                    uint _e86 = m0_;
                    uint mi_15 = _e86 + r_2;
                    s0_1 = 0.0;
                    s1_ = 0.0;
                    uint b0_2 = (((r_2 * QMV_COLS) + ci_19) * QMV_WG) + team0_;
                    l = 0u;
                    bool loop_init_24 = true;
                    while(true) {
                        if (!loop_init_24) {
                            uint _e122 = l;
                            l = _e122 + 1u;
                        }
                        loop_init_24 = false;
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
                    if (mi_15 < count_6) {
                        uint _e130 = p.n;
                        local_45 = (col0_ + ci_19) < _e130;
                    } else {
                        local_45 = false;
                    }
                    bool _e133 = local_45;
                    if (_e133) {
                        metal::uint2 _e134 = qmv_row(tile_row, mi_15, rows, _buffer_sizes);
                        uint _e138 = p.n;
                        uint o_9 = _e134.y * _e138;
                        if (false) {
                            float _e148 = s0_1;
                            uint _e150 = float_to_bits(_e148, XDT);
                            float _e151 = s1_;
                            uint _e153 = float_to_bits(_e151, XDT);
                            out[((o_9 + col0_) + ci_19) >> 1u] = _e150 | (_e153 << 16u);
                        } else {
                            float _e161 = s0_1;
                            out[(o_9 + col0_) + ci_19] = as_type<uint>(_e161);
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
, device type_8 const& wq [[buffer(2)]]
, constant Params& p [[buffer(0)]]
, device type_8 const& x_2 [[buffer(1)]]
, device type_9 const& scales [[buffer(3)]]
, device type_9 const& biases [[buffer(4)]]
, device type_10 const& gscale [[buffer(5)]]
, device type_8 const& tiles [[buffer(6)]]
, device type_12 const& rows [[buffer(7)]]
, device type_9& out [[buffer(8)]]
, threadgroup type_16& red
, threadgroup type_13& fp4_lut
, device type_9 const& wq_words [[buffer(9)]]
, constant _mslBufferSizes& _buffer_sizes [[buffer(15)]]
) {
    uint opaque_zero = {};
    type_17 wbuf = {};
    type_18 xv = {};
    uint qmv_one16_ = {};
    uint qmv_one32_ = {};
    type_19 qacc = {};
    metal::uint4 qmv_wrow = {};
    type_5 qmv_xrow = {};
    uint qmv_h15_ = {};
    bool local = {};
    bool local_1 = {};
    bool local_2 = {};
    metal::uint4 tile = metal::uint4(0u, 0u, 2u, 0u);
    float global_factor = 0.0;
    bool local_3 = {};
    type_5 x_rows = {};
    uint mi = 0u;
    type_27 w_rows = {};
    uint ci = 0u;
    type_25 acc = {};
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
    type_24 ab = {};
    uint ci_4 = {};
    type_25 dots = {};
    type_18 sx = {};
    uint e8_ = {};
    type_25 wf = {};
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
    uint _e71 = opaque_zero;
    qmv_one16_ = 1006648320u | _e71;
    uint _e76 = opaque_zero;
    qmv_one32_ = 1065353216u + _e76;
    uint _e81 = opaque_zero;
    qmv_h15_ = 1040203264u | _e81;
    uint _e85 = tile.z;
    uint count_7 = tile_live ? _e85 : 0u;
    uint lane_1 = lid % QMV_LANES;
    uint col0_1 = ((wid.x * 8u) + (lid / QMV_LANES)) * QMV_COLS;
    uint _e102 = tile.x;
    uint _e105 = p.rows_per_w;
    uint row0_3 = _e102 * _e105;
    if (false) {
        uint _e118 = p.has_global;
        local_3 = _e118 != 0u;
    } else {
        local_3 = false;
    }
    bool _e122 = local_3;
    if (_e122) {
        uint _e125 = tile.x;
        float _e127 = gscale[_e125];
        float _e129 = div_rn(_e127, 2688.0, opaque_zero);
        global_factor = _e129;
    }
    bool loop_init_25 = true;
    while(true) {
        if (!loop_init_25) {
            uint _e149 = mi;
            mi = _e149 + 1u;
        }
        loop_init_25 = false;
        uint _e133 = mi;
        if (_e133 < QMV_XROWS) {
        } else {
            break;
        }
        {
            uint _e136 = mi;
            uint _e139 = tile.y;
            uint _e140 = mi;
            metal::uint2 _e146 = qmv_row(_e139, metal::min(_e140, metal::max(count_7, 1u) - 1u), rows, _buffer_sizes);
            x_rows.inner[_e136] = _e146.x;
        }
    }
    bool loop_init_26 = true;
    while(true) {
        if (!loop_init_26) {
            uint _e169 = ci;
            ci = _e169 + 1u;
        }
        loop_init_26 = false;
        uint _e154 = ci;
        if (_e154 < QMV_COLS) {
        } else {
            break;
        }
        {
            uint _e157 = ci;
            uint _e159 = ci;
            uint _e163 = p.n;
            w_rows.inner[_e157] = row0_3 + metal::min(col0_1 + _e159, _e163 - 1u);
        }
    }
    uint _e173 = p.k;
    uint chunks = (_e173 + 31u) / 32u;
    bool _e183 = qmv_word_kernel();
    uint _e186 = p.wpr;
    uint _e188 = qmv_unit_words_n();
    bool _e189 = qmv_words_n();
    uint units = _e186 / (_e189 ? _e188 : QMV_VEC);
    bool loop_init_27 = true;
    while(true) {
        if (!loop_init_27) {
            uint _e216 = ci_1;
            ci_1 = _e216 + 1u;
        }
        loop_init_27 = false;
        uint _e197 = ci_1;
        if (_e197 < QMV_COLS) {
        } else {
            break;
        }
        {
            uint _e200 = ci_1;
            uint _e202 = ci_1;
            uint _e204 = w_rows.inner[_e202];
            uint _e207 = p.wpr;
            wbase[_e200] = _e204 * _e207;
            uint _e210 = ci_1;
            uint _e212 = ci_1;
            uint _e214 = w_rows.inner[_e212];
            qmv_wrow[_e210] = _e214;
        }
    }
    bool loop_init_28 = true;
    while(true) {
        if (!loop_init_28) {
            uint _e230 = mi_1;
            mi_1 = _e230 + 1u;
        }
        loop_init_28 = false;
        uint _e220 = mi_1;
        if (_e220 < QMV_XROWS) {
        } else {
            break;
        }
        {
            uint _e224 = mi_1;
            uint _e226 = mi_1;
            uint _e228 = x_rows.inner[_e226];
            qmv_xrow.inner[_e224] = _e228;
        }
    }
    if (_e183) {
        local_4 = count_7 > 0u;
    } else {
        local_4 = false;
    }
    bool _e242 = local_4;
    u0_ = _e242 ? lane_1 : units;
    bool _e245 = qmv_words_n();
    if (_e245) {
        if (false) {
            local_5 = false;
        } else {
            local_5 = false;
        }
        bool _e257 = local_5;
        if (_e257) {
            uint _e260 = u0_;
            local_6 = _e260 < units;
        } else {
            local_6 = false;
        }
        bool _e263 = local_6;
        if (_e263) {
            metal::uint4 _e264 = wbase;
            uint _e265 = u0_;
            UnitN _e266 = qmv_unit_n_load(_e264, _e265, wq, wq_words, _buffer_sizes);
            cur = _e266;
            bool loop_init_29 = true;
            while(true) {
                if (!loop_init_29) {
                    uint _e281 = u0_;
                    u0_ = _e281 + QMV_LANES;
                }
                loop_init_29 = false;
                uint _e268 = u0_;
                if (_e268 < units) {
                } else {
                    break;
                }
                {
                    metal::uint4 _e270 = wbase;
                    uint _e271 = u0_;
                    UnitN _e277 = qmv_unit_n_load(_e270, metal::min(_e271 + QMV_LANES, units - 1u), wq, wq_words, _buffer_sizes);
                    uint _e278 = u0_;
                    UnitN _e279 = cur;
                    float _e280 = global_factor;
                    qmv_unit_n(_e278, _e279, count_7, _e280, p, x_2, scales, biases, qmv_one16_, qmv_one32_, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
                    cur = _e277;
                }
            }
        }
        bool loop_init_30 = true;
        while(true) {
            if (!loop_init_30) {
                uint _e368 = u0_;
                u0_ = _e368 + 32u;
            }
            loop_init_30 = false;
            uint _e284 = u0_;
            if ((_e284 + 16u) < units) {
            } else {
                break;
            }
            {
                metal::uint4 _e294 = wbase;
                uint _e295 = u0_;
                UnitN _e296 = qmv_unit_n_load(_e294, _e295, wq, wq_words, _buffer_sizes);
                wb = _e296;
                wc = _e296;
                wd = _e296;
                if (true) {
                    metal::uint4 _e304 = wbase;
                    uint _e305 = u0_;
                    UnitN _e308 = qmv_unit_n_load(_e304, _e305 + QMV_LANES, wq, wq_words, _buffer_sizes);
                    wb = _e308;
                }
                if (false) {
                    metal::uint4 _e313 = wbase;
                    uint _e314 = u0_;
                    UnitN _e320 = qmv_unit_n_load(_e313, _e314 + 32u, wq, wq_words, _buffer_sizes);
                    wc = _e320;
                }
                if (false) {
                    metal::uint4 _e325 = wbase;
                    uint _e326 = u0_;
                    UnitN _e332 = qmv_unit_n_load(_e325, _e326 + 48u, wq, wq_words, _buffer_sizes);
                    wd = _e332;
                }
                uint _e333 = u0_;
                float _e334 = global_factor;
                qmv_unit_n(_e333, _e296, count_7, _e334, p, x_2, scales, biases, qmv_one16_, qmv_one32_, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
                if (true) {
                    uint _e339 = u0_;
                    UnitN _e342 = wb;
                    float _e343 = global_factor;
                    qmv_unit_n(_e339 + QMV_LANES, _e342, count_7, _e343, p, x_2, scales, biases, qmv_one16_, qmv_one32_, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
                }
                if (false) {
                    uint _e348 = u0_;
                    UnitN _e354 = wc;
                    float _e355 = global_factor;
                    qmv_unit_n(_e348 + 32u, _e354, count_7, _e355, p, x_2, scales, biases, qmv_one16_, qmv_one32_, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
                }
                if (false) {
                    uint _e360 = u0_;
                    UnitN _e366 = wd;
                    float _e367 = global_factor;
                    qmv_unit_n(_e360 + 48u, _e366, count_7, _e367, p, x_2, scales, biases, qmv_one16_, qmv_one32_, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
                }
            }
        }
        bool loop_init_31 = true;
        while(true) {
            if (!loop_init_31) {
                uint _e377 = u0_;
                u0_ = _e377 + QMV_LANES;
            }
            loop_init_31 = false;
            uint _e370 = u0_;
            if (_e370 < units) {
            } else {
                break;
            }
            {
                uint _e372 = u0_;
                metal::uint4 _e373 = wbase;
                uint _e374 = u0_;
                UnitN _e375 = qmv_unit_n_load(_e373, _e374, wq, wq_words, _buffer_sizes);
                float _e376 = global_factor;
                qmv_unit_n(_e372, _e375, count_7, _e376, p, x_2, scales, biases, qmv_one16_, qmv_one32_, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
            }
        }
    }
    if (false) {
        local_7 = false;
    } else {
        local_7 = false;
    }
    bool _e391 = local_7;
    if (_e391) {
        uint _e394 = u0_;
        local_8 = _e394 < units;
    } else {
        local_8 = false;
    }
    bool _e397 = local_8;
    if (_e397) {
        metal::uint4 _e398 = wbase;
        uint _e399 = u0_;
        Unit4_ _e400 = qmv_unit_load(_e398, _e399, wq, _buffer_sizes);
        cur_1 = _e400;
        bool loop_init_32 = true;
        while(true) {
            if (!loop_init_32) {
                uint _e415 = u0_;
                u0_ = _e415 + QMV_LANES;
            }
            loop_init_32 = false;
            uint _e402 = u0_;
            if (_e402 < units) {
            } else {
                break;
            }
            {
                metal::uint4 _e404 = wbase;
                uint _e405 = u0_;
                Unit4_ _e411 = qmv_unit_load(_e404, metal::min(_e405 + QMV_LANES, units - 1u), wq, _buffer_sizes);
                uint _e412 = u0_;
                Unit4_ _e413 = cur_1;
                float _e414 = global_factor;
                qmv_unit(_e412, _e413, count_7, _e414, p, x_2, scales, biases, fp4_lut, qmv_one16_, qacc, qmv_wrow, qmv_xrow, qmv_h15_, _buffer_sizes);
                cur_1 = _e411;
            }
        }
    }
    bool loop_init_33 = true;
    while(true) {
        if (!loop_init_33) {
            uint _e502 = u0_;
            u0_ = _e502 + 32u;
        }
        loop_init_33 = false;
        uint _e418 = u0_;
        if ((_e418 + 16u) < units) {
        } else {
            break;
        }
        {
            metal::uint4 _e428 = wbase;
            uint _e429 = u0_;
            Unit4_ _e430 = qmv_unit_load(_e428, _e429, wq, _buffer_sizes);
            wb_1 = _e430;
            wc_1 = _e430;
            wd_1 = _e430;
            if (true) {
                metal::uint4 _e438 = wbase;
                uint _e439 = u0_;
                Unit4_ _e442 = qmv_unit_load(_e438, _e439 + QMV_LANES, wq, _buffer_sizes);
                wb_1 = _e442;
            }
            if (false) {
                metal::uint4 _e447 = wbase;
                uint _e448 = u0_;
                Unit4_ _e454 = qmv_unit_load(_e447, _e448 + 32u, wq, _buffer_sizes);
                wc_1 = _e454;
            }
            if (false) {
                metal::uint4 _e459 = wbase;
                uint _e460 = u0_;
                Unit4_ _e466 = qmv_unit_load(_e459, _e460 + 48u, wq, _buffer_sizes);
                wd_1 = _e466;
            }
            uint _e467 = u0_;
            float _e468 = global_factor;
            qmv_unit(_e467, _e430, count_7, _e468, p, x_2, scales, biases, fp4_lut, qmv_one16_, qacc, qmv_wrow, qmv_xrow, qmv_h15_, _buffer_sizes);
            if (true) {
                uint _e473 = u0_;
                Unit4_ _e476 = wb_1;
                float _e477 = global_factor;
                qmv_unit(_e473 + QMV_LANES, _e476, count_7, _e477, p, x_2, scales, biases, fp4_lut, qmv_one16_, qacc, qmv_wrow, qmv_xrow, qmv_h15_, _buffer_sizes);
            }
            if (false) {
                uint _e482 = u0_;
                Unit4_ _e488 = wc_1;
                float _e489 = global_factor;
                qmv_unit(_e482 + 32u, _e488, count_7, _e489, p, x_2, scales, biases, fp4_lut, qmv_one16_, qacc, qmv_wrow, qmv_xrow, qmv_h15_, _buffer_sizes);
            }
            if (false) {
                uint _e494 = u0_;
                Unit4_ _e500 = wd_1;
                float _e501 = global_factor;
                qmv_unit(_e494 + 48u, _e500, count_7, _e501, p, x_2, scales, biases, fp4_lut, qmv_one16_, qacc, qmv_wrow, qmv_xrow, qmv_h15_, _buffer_sizes);
            }
        }
    }
    bool loop_init_34 = true;
    while(true) {
        if (!loop_init_34) {
            uint _e511 = u0_;
            u0_ = _e511 + QMV_LANES;
        }
        loop_init_34 = false;
        uint _e504 = u0_;
        if (_e504 < units) {
        } else {
            break;
        }
        {
            uint _e506 = u0_;
            metal::uint4 _e507 = wbase;
            uint _e508 = u0_;
            Unit4_ _e509 = qmv_unit_load(_e507, _e508, wq, _buffer_sizes);
            float _e510 = global_factor;
            qmv_unit(_e506, _e509, count_7, _e510, p, x_2, scales, biases, fp4_lut, qmv_one16_, qacc, qmv_wrow, qmv_xrow, qmv_h15_, _buffer_sizes);
        }
    }
    bool loop_init_35 = true;
    while(true) {
        if (!loop_init_35) {
            uint _e540 = mi_2;
            mi_2 = _e540 + 1u;
        }
        loop_init_35 = false;
        uint _e516 = mi_2;
        if (_e516 < QMV_XROWS) {
        } else {
            break;
        }
        {
            ci_2 = 0u;
            bool loop_init_36 = true;
            while(true) {
                if (!loop_init_36) {
                    uint _e537 = ci_2;
                    ci_2 = _e537 + 1u;
                }
                loop_init_36 = false;
                uint _e521 = ci_2;
                if (_e521 < QMV_COLS) {
                } else {
                    break;
                }
                {
                    uint _e524 = ci_2;
                    uint _e527 = mi_2;
                    uint _e531 = mi_2;
                    uint _e533 = ci_2;
                    float _e535 = qacc.inner[_e531][_e533];
                    acc.inner[(_e524 * QMAX_ROWS) + _e527] = _e535;
                }
            }
        }
    }
    uint first_1 = (count_7 > 0u) ? lane_1 : chunks;
    c0_ = _e183 ? chunks : first_1;
    bool loop_init_37 = true;
    while(true) {
        if (!loop_init_37) {
            uint _e827 = c0_;
            c0_ = _e827 + 32u;
        }
        loop_init_37 = false;
        uint _e554 = c0_;
        if (_e554 < chunks) {
        } else {
            break;
        }
        {
            u = 0u;
            bool loop_init_38 = true;
            while(true) {
                if (!loop_init_38) {
                    uint _e587 = u;
                    u = _e587 + 1u;
                }
                loop_init_38 = false;
                uint _e558 = u;
                if (_e558 < 2u) {
                } else {
                    break;
                }
                {
                    uint _e560 = c0_;
                    uint _e561 = u;
                    uint c_7 = metal::min(_e560 + (_e561 * QMV_LANES), chunks - 1u);
                    ci_3 = 0u;
                    bool loop_init_39 = true;
                    while(true) {
                        if (!loop_init_39) {
                            uint _e584 = ci_3;
                            ci_3 = _e584 + 1u;
                        }
                        loop_init_39 = false;
                        uint _e570 = ci_3;
                        if (_e570 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e573 = ci_3;
                            uint _e575 = w_rows.inner[_e573];
                            uint _e576 = u;
                            uint _e579 = ci_3;
                            qmv_load(_e575, c_7, ((_e576 * QMAX_COLS) + _e579) * 8u, wq, p, wq_words, wbuf, _buffer_sizes);
                        }
                    }
                }
            }
            u_1 = 0u;
            bool loop_init_40 = true;
            while(true) {
                if (!loop_init_40) {
                    uint _e825 = u_1;
                    u_1 = _e825 + 1u;
                }
                loop_init_40 = false;
                uint _e591 = u_1;
                if (_e591 < 2u) {
                } else {
                    break;
                }
                {
                    uint _e593 = c0_;
                    uint _e594 = u_1;
                    uint c_8 = _e593 + (_e594 * QMV_LANES);
                    if (c_8 >= chunks) {
                        break;
                    }
                    s0_ = 0u;
                    bool loop_init_41 = true;
                    while(true) {
                        if (!loop_init_41) {
                            uint _e822 = s0_;
                            s0_ = _e822 + 32u;
                        }
                        loop_init_41 = false;
                        uint _e601 = s0_;
                        if (_e601 < 32u) {
                        } else {
                            break;
                        }
                        {
                            uint _e606 = s0_;
                            uint j0_5 = (c_8 * 32u) + _e606;
                            uint _e610 = p.k;
                            if (j0_5 >= _e610) {
                                break;
                            }
                            ab = type_24 {};
                            ci_4 = 0u;
                            bool loop_init_42 = true;
                            while(true) {
                                if (!loop_init_42) {
                                    uint _e627 = ci_4;
                                    ci_4 = _e627 + 1u;
                                }
                                loop_init_42 = false;
                                uint _e616 = ci_4;
                                if (_e616 < QMV_COLS) {
                                } else {
                                    break;
                                }
                                {
                                    uint _e619 = ci_4;
                                    uint _e621 = ci_4;
                                    uint _e623 = w_rows.inner[_e621];
                                    float _e624 = global_factor;
                                    metal::float2 _e625 = qmv_group(_e623, j0_5, _e624, p, scales, biases, _buffer_sizes);
                                    ab.inner[_e619] = _e625;
                                }
                            }
                            dots = type_25 {};
                            sx = type_18 {};
                            e8_ = 0u;
                            bool loop_init_43 = true;
                            while(true) {
                                if (!loop_init_43) {
                                    uint _e774 = e8_;
                                    e8_ = _e774 + 8u;
                                }
                                loop_init_43 = false;
                                uint _e635 = e8_;
                                if (_e635 < 32u) {
                                } else {
                                    break;
                                }
                                {
                                    wf = type_25 {};
                                    ci_5 = 0u;
                                    bool loop_init_44 = true;
                                    while(true) {
                                        if (!loop_init_44) {
                                            uint _e672 = ci_5;
                                            ci_5 = _e672 + 1u;
                                        }
                                        loop_init_44 = false;
                                        uint _e641 = ci_5;
                                        if (_e641 < QMV_COLS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            e = 0u;
                                            bool loop_init_45 = true;
                                            while(true) {
                                                if (!loop_init_45) {
                                                    uint _e669 = e;
                                                    e = _e669 + 1u;
                                                }
                                                loop_init_45 = false;
                                                uint _e646 = e;
                                                if (_e646 < 8u) {
                                                } else {
                                                    break;
                                                }
                                                {
                                                    uint _e649 = ci_5;
                                                    uint _e652 = e;
                                                    uint _e655 = u_1;
                                                    uint _e658 = ci_5;
                                                    uint _e662 = s0_;
                                                    uint _e663 = e8_;
                                                    uint _e665 = e;
                                                    float _e667 = qmv_weight(((_e655 * QMAX_COLS) + _e658) * 8u, (_e662 + _e663) + _e665, fp4_lut, wbuf, qmv_one32_);
                                                    wf.inner[(_e649 * 8u) + _e652] = _e667;
                                                }
                                            }
                                        }
                                    }
                                    mi_3 = 0u;
                                    bool loop_init_46 = true;
                                    while(true) {
                                        if (!loop_init_46) {
                                            uint _e772 = mi_3;
                                            mi_3 = _e772 + 1u;
                                        }
                                        loop_init_46 = false;
                                        uint _e676 = mi_3;
                                        if (_e676 < QMV_XROWS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            uint _e679 = mi_3;
                                            if (_e679 < count_7) {
                                                uint _e681 = mi_3;
                                                uint _e683 = x_rows.inner[_e681];
                                                uint _e684 = e8_;
                                                qmv_x8_(_e683, j0_5 + _e684, p, x_2, xv, _buffer_sizes);
                                                if (true) {
                                                    uint _e691 = mi_3;
                                                    float _e693 = sx.inner[_e691];
                                                    float _e696 = xv.inner[0];
                                                    float _e699 = xv.inner[1];
                                                    float _e703 = xv.inner[2];
                                                    float _e706 = xv.inner[3];
                                                    float _e711 = xv.inner[4];
                                                    float _e714 = xv.inner[5];
                                                    float _e718 = xv.inner[6];
                                                    float _e721 = xv.inner[7];
                                                    sx.inner[_e691] = _e693 + (((_e696 + _e699) + (_e703 + _e706)) + ((_e711 + _e714) + (_e718 + _e721)));
                                                }
                                                ci_6 = 0u;
                                                bool loop_init_47 = true;
                                                while(true) {
                                                    if (!loop_init_47) {
                                                        uint _e769 = ci_6;
                                                        ci_6 = _e769 + 1u;
                                                    }
                                                    loop_init_47 = false;
                                                    uint _e728 = ci_6;
                                                    if (_e728 < QMV_COLS) {
                                                    } else {
                                                        break;
                                                    }
                                                    {
                                                        uint _e731 = ci_6;
                                                        uint _e734 = mi_3;
                                                        float _e737 = dots.inner[(_e731 * QMAX_ROWS) + _e734];
                                                        d = _e737;
                                                        e_1 = 0u;
                                                        bool loop_init_48 = true;
                                                        while(true) {
                                                            if (!loop_init_48) {
                                                                uint _e759 = e_1;
                                                                e_1 = _e759 + 1u;
                                                            }
                                                            loop_init_48 = false;
                                                            uint _e741 = e_1;
                                                            if (_e741 < 8u) {
                                                            } else {
                                                                break;
                                                            }
                                                            {
                                                                float _e744 = d;
                                                                uint _e746 = e_1;
                                                                float _e748 = xv.inner[_e746];
                                                                uint _e749 = ci_6;
                                                                uint _e752 = e_1;
                                                                float _e755 = wf.inner[(_e749 * 8u) + _e752];
                                                                d = _e744 + (_e748 * _e755);
                                                            }
                                                        }
                                                        uint _e761 = ci_6;
                                                        uint _e764 = mi_3;
                                                        float _e767 = d;
                                                        dots.inner[(_e761 * QMAX_ROWS) + _e764] = _e767;
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                            mi_4 = 0u;
                            bool loop_init_49 = true;
                            while(true) {
                                if (!loop_init_49) {
                                    uint _e820 = mi_4;
                                    mi_4 = _e820 + 1u;
                                }
                                loop_init_49 = false;
                                uint _e779 = mi_4;
                                if (_e779 < QMV_XROWS) {
                                } else {
                                    break;
                                }
                                {
                                    ci_7 = 0u;
                                    bool loop_init_50 = true;
                                    while(true) {
                                        if (!loop_init_50) {
                                            uint _e817 = ci_7;
                                            ci_7 = _e817 + 1u;
                                        }
                                        loop_init_50 = false;
                                        uint _e784 = ci_7;
                                        if (_e784 < QMV_COLS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            uint _e787 = ci_7;
                                            uint _e790 = mi_4;
                                            float _e793 = acc.inner[(_e787 * QMAX_ROWS) + _e790];
                                            uint _e794 = ci_7;
                                            float _e797 = ab.inner[_e794].x;
                                            uint _e798 = ci_7;
                                            uint _e801 = mi_4;
                                            float _e804 = dots.inner[(_e798 * QMAX_ROWS) + _e801];
                                            uint _e806 = ci_7;
                                            float _e809 = ab.inner[_e806].y;
                                            uint _e810 = mi_4;
                                            float _e812 = sx.inner[_e810];
                                            acc.inner[(_e787 * QMAX_ROWS) + _e790] = _e793 + ((_e797 * _e804) + (_e809 * _e812));
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
        uint _e834 = tile.y;
        qmv_reduce_flat(lid, lane_1, col0_1, count_7, _e834, acc, p, rows, out, red, _buffer_sizes);
        return;
    }
    bool loop_init_51 = true;
    while(true) {
        if (!loop_init_51) {
            uint _e992 = mi_5;
            mi_5 = _e992 + 1u;
        }
        loop_init_51 = false;
        uint _e837 = mi_5;
        if (_e837 < QMV_XROWS) {
        } else {
            break;
        }
        {
            ci_8 = 0u;
            bool loop_init_52 = true;
            while(true) {
                if (!loop_init_52) {
                    uint _e859 = ci_8;
                    ci_8 = _e859 + 1u;
                }
                loop_init_52 = false;
                uint _e842 = ci_8;
                if (_e842 < QMV_COLS) {
                } else {
                    break;
                }
                {
                    uint _e846 = ci_8;
                    uint _e851 = ci_8;
                    uint _e854 = mi_5;
                    float _e857 = acc.inner[(_e851 * QMAX_ROWS) + _e854];
                    red.inner[(_e846 * QMV_WG) + lid] = _e857;
                }
            }
            metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
            stride = 8u;
            bool loop_init_53 = true;
            while(true) {
                if (!loop_init_53) {
                    uint _e896 = stride;
                    stride = _e896 >> 1u;
                }
                loop_init_53 = false;
                uint _e866 = stride;
                if (_e866 > 0u) {
                } else {
                    break;
                }
                {
                    uint _e869 = stride;
                    if (lane_1 < _e869) {
                        ci_9 = 0u;
                        bool loop_init_54 = true;
                        while(true) {
                            if (!loop_init_54) {
                                uint _e894 = ci_9;
                                ci_9 = _e894 + 1u;
                            }
                            loop_init_54 = false;
                            uint _e873 = ci_9;
                            if (_e873 < QMV_COLS) {
                            } else {
                                break;
                            }
                            {
                                uint _e877 = ci_9;
                                float _e882 = red.inner[(_e877 * QMV_WG) + lid];
                                uint _e884 = ci_9;
                                uint _e888 = stride;
                                float _e891 = red.inner[((_e884 * QMV_WG) + lid) + _e888];
                                red.inner[(_e877 * QMV_WG) + lid] = _e882 + _e891;
                            }
                        }
                    }
                    metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
                }
            }
            if (lane_1 == 0u) {
                uint _e903 = mi_5;
                local_9 = _e903 < count_7;
            } else {
                local_9 = false;
            }
            bool _e906 = local_9;
            if (_e906) {
                uint _e908 = tile.y;
                uint _e909 = mi_5;
                metal::uint2 _e910 = qmv_row(_e908, _e909, rows, _buffer_sizes);
                uint _e914 = p.n;
                uint o_10 = _e910.y * _e914;
                if (false) {
                    ci_10 = 0u;
                    bool loop_init_55 = true;
                    while(true) {
                        if (!loop_init_55) {
                            uint _e961 = ci_10;
                            ci_10 = _e961 + 2u;
                        }
                        loop_init_55 = false;
                        uint _e922 = ci_10;
                        if (_e922 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e925 = ci_10;
                            uint _e929 = p.n;
                            if ((col0_1 + _e925) < _e929) {
                                uint _e932 = ci_10;
                                float _e937 = red.inner[(_e932 * QMV_WG) + lid];
                                uint _e939 = float_to_bits(_e937, XDT);
                                uint _e941 = ci_10;
                                float _e948 = red.inner[((_e941 + 1u) * QMV_WG) + lid];
                                uint _e950 = float_to_bits(_e948, XDT);
                                uint _e953 = ci_10;
                                out[((o_10 + col0_1) + _e953) >> 1u] = _e939 | (_e950 << 16u);
                            }
                        }
                    }
                } else {
                    ci_11 = 0u;
                    bool loop_init_56 = true;
                    while(true) {
                        if (!loop_init_56) {
                            uint _e989 = ci_11;
                            ci_11 = _e989 + 1u;
                        }
                        loop_init_56 = false;
                        uint _e966 = ci_11;
                        if (_e966 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e969 = ci_11;
                            uint _e973 = p.n;
                            if ((col0_1 + _e969) < _e973) {
                                uint _e977 = ci_11;
                                uint _e981 = ci_11;
                                float _e986 = red.inner[(_e981 * QMV_WG) + lid];
                                out[(o_10 + col0_1) + _e977] = as_type<uint>(_e986);
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
