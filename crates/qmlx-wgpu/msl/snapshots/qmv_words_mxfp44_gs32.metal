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

uint naga_f2u32(float value) {
    return static_cast<uint>(metal::clamp(value, 0.0, 4294967000.0));
}

uint f32_to_f16_(
    float f
) {
    uint x_3 = as_type<uint>(f);
    uint s = (x_3 >> 16u) & 32768u;
    uint a_3 = x_3 & 2147483647u;
    if (a_3 > 2139095040u) {
        return (s | 32256u) | ((a_3 & 8388607u) >> 13u);
    }
    if (a_3 >= 1199566848u) {
        return s | 31744u;
    }
    if (a_3 < 947912704u) {
        return s | naga_f2u32(metal::rint(as_type<float>(a_3) * 16777216.0));
    }
    uint r_1 = (a_3 + 4095u) + ((a_3 >> 13u) & 1u);
    return s | ((r_1 - 939524096u) >> 13u);
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
    metal::uint4 v_6 = metal::uint4(w_2 << 19u, w_2 << 15u, w_2 << 11u, w_2 << 7u);
    return as_type<metal::float4>((v_6 & metal::uint4(7864320u)) | metal::uint4(1065353216u));
}

metal::float4 codes4_hi_unit(
    uint w_3
) {
    metal::uint4 v_7 = metal::uint4(w_3 << 3u, w_3 >> 1u, w_3 >> 5u, w_3 >> 9u);
    return as_type<metal::float4>((v_7 & metal::uint4(7864320u)) | metal::uint4(1065353216u));
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
    bool local_11 = {};
    bool local_12 = {};
    uint v_2 = 0u;
    uint i_4 = 0u;
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
                metal::uint4 q_3 = wq[(start >> 2u) + _e46];
                uint _e52 = v_2;
                wbuf.inner[base + (4u * _e52)] = q_3.x;
                uint _e59 = v_2;
                wbuf.inner[(base + (4u * _e59)) + 1u] = q_3.y;
                uint _e68 = v_2;
                wbuf.inner[(base + (4u * _e68)) + 2u] = q_3.z;
                uint _e77 = v_2;
                wbuf.inner[(base + (4u * _e77)) + 3u] = q_3.w;
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
    uint pos = e_2 * BITS;
    uint wi = base_1 + (pos >> 5u);
    uint sh = pos & 31u;
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
    if (false) {
        if (false) {
            uint _e12 = qmv_code(base_2, e_3, wbuf);
            return static_cast<float>(_e12);
        }
        uint pos_1 = e_3 * BITS;
        uint sh_1 = pos_1 & 31u;
        if ((sh_1 + BITS) <= 32u) {
            uint w_8 = wbuf.inner[base_2 + (pos_1 >> 5u)];
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
        float a_4 = _e35 * 16.0;
        return metal::float2(a_4, _e42 - a_4);
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
    uint i_6 = (x_row * _e4) + j_1;
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
                uint _e22 = x_word(i_6 + _e20, x_2, _buffer_sizes);
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
            uint _e36 = x_word((i_6 >> 1u) + _e34, x_2, _buffer_sizes);
            if (true) {
                metal::float2 v_8 = float2(as_type<half2>(_e36));
                uint _e45 = t;
                xv.inner[2u * _e45] = v_8.x;
                uint _e51 = t;
                xv.inner[(2u * _e51) + 1u] = v_8.y;
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
    uint i_7 = (x_row_1 * _e4) + j_2;
    if (false) {
        metal::uint4 _e16 = x_2[i_7 >> 2u];
        metal::uint4 _e24 = x_2[(i_7 >> 2u) + 1u];
        return X8_ {as_type<metal::float4>(_e16), as_type<metal::float4>(_e24)};
    }
    metal::uint4 w_9 = x_2[i_7 >> 3u];
    if (true) {
        return X8_ {metal::float4(float2(as_type<half2>(w_9.x)), float2(as_type<half2>(w_9.y))), metal::float4(float2(as_type<half2>(w_9.z)), float2(as_type<half2>(w_9.w)))};
    }
    metal::uint4 lo = metal::uint4(w_9.x << 16u, w_9.x & 4294901760u, w_9.y << 16u, w_9.y & 4294901760u);
    metal::uint4 hi = metal::uint4(w_9.z << 16u, w_9.z & 4294901760u, w_9.w << 16u, w_9.w & 4294901760u);
    return X8_ {as_type<metal::float4>(lo), as_type<metal::float4>(hi)};
}

metal::uint4 pairs4_(
    uint w_4
) {
    if (false) {
        metal::uint4 v_9 = metal::uint4(w_4 << 6u, w_4 << 2u, w_4 >> 2u, w_4 >> 6u);
        return (v_9 & metal::uint4(62915520u)) | metal::uint4(1006648320u);
    }
    metal::uint4 m_1 = metal::uint4(w_4 << 9u, w_4 << 5u, w_4 << 1u, w_4 >> 3u);
    metal::uint4 s_1 = metal::uint4(w_4 << 12u, w_4 << 8u, w_4 << 4u, w_4);
    return (m_1 & metal::uint4(234884608u)) | (s_1 & metal::uint4(2147516416u));
}

float qmv_dot_word4_(
    uint w_5,
    X8_ xs,
    threadgroup type_12& fp4_lut
) {
    bool local_13 = {};
    if (false) {
        local_13 = false;
    } else {
        local_13 = false;
    }
    bool _e15 = local_13;
    if (_e15) {
        metal::uint4 _e16 = codes4_lo(w_5);
        metal::uint4 _e20 = codes4_hi(w_5);
        return metal::dot(static_cast<metal::float4>(_e16), xs.lo) + metal::dot(static_cast<metal::float4>(_e20), xs.hi);
    }
    if (true) {
        metal::uint4 _e29 = pairs4_(w_5);
        metal::float2 f0_ = float2(as_type<half2>(_e29.x));
        metal::float2 f1_ = float2(as_type<half2>(_e29.y));
        metal::float2 f2_ = float2(as_type<half2>(_e29.z));
        metal::float2 f3_ = float2(as_type<half2>(_e29.w));
        return metal::dot(metal::float4(f0_.x, f1_.x, f2_.x, f3_.x), xs.lo) + metal::dot(metal::float4(f0_.y, f1_.y, f2_.y, f3_.y), xs.hi);
    }
    if (false) {
        metal::float4 _e58 = codes4_lo_unit(w_5);
        metal::float4 _e61 = codes4_hi_unit(w_5);
        return metal::dot(_e58, xs.lo) + metal::dot(_e61, xs.hi);
    }
    metal::uint4 _e65 = codes4_lo(w_5);
    metal::uint4 _e66 = codes4_hi(w_5);
    float _e70 = fp4_lut.inner[_e65.x];
    float _e74 = fp4_lut.inner[_e65.y];
    float _e78 = fp4_lut.inner[_e65.z];
    float _e82 = fp4_lut.inner[_e65.w];
    metal::float4 vl = metal::float4(_e70, _e74, _e78, _e82);
    float _e87 = fp4_lut.inner[_e66.x];
    float _e91 = fp4_lut.inner[_e66.y];
    float _e95 = fp4_lut.inner[_e66.z];
    float _e99 = fp4_lut.inner[_e66.w];
    metal::float4 vh = metal::float4(_e87, _e91, _e95, _e99);
    return metal::dot(vl, xs.lo) + metal::dot(vh, xs.hi);
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
    Unit4_ w_6 = Unit4_ {metal::uint4(0u), metal::uint4(0u), metal::uint4(0u), metal::uint4(0u)};
    metal::uint4 _e17 = qmv_unit_word(wbase_1.x + (c_1 * QMV_VEC), wq, _buffer_sizes);
    w_6.c0_ = _e17;
    if (true) {
        metal::uint4 _e27 = qmv_unit_word(wbase_1.y + (c_1 * QMV_VEC), wq, _buffer_sizes);
        w_6.c1_ = _e27;
    }
    if (true) {
        metal::uint4 _e37 = qmv_unit_word(wbase_1.z + (c_1 * QMV_VEC), wq, _buffer_sizes);
        w_6.c2_ = _e37;
    }
    if (true) {
        metal::uint4 _e47 = qmv_unit_word(wbase_1.w + (c_1 * QMV_VEC), wq, _buffer_sizes);
        w_6.c3_ = _e47;
    }
    Unit4_ _e48 = w_6;
    return _e48;
}

void qmv_unit(
    uint c_2,
    Unit4_ w_7,
    uint count,
    float global_factor_3,
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
    bool local_14 = {};
    uint v0_ = 0u;
    metal::float4 a_2 = {};
    metal::float4 b_2 = {};
    uint ci_12 = {};
    uint mi_6 = {};
    metal::float4 d_1 = {};
    float sx_1 = {};
    uint v_5 = {};
    if (true) {
        local_14 = true;
    } else {
        local_14 = false;
    }
    bool _e23 = local_14;
    float fp_unscale = _e23 ? 16384.0 : 1.0;
    uint row0_ = (c_2 * QMV_VEC) * 8u;
    bool loop_init_5 = true;
    while(true) {
        if (!loop_init_5) {
            uint _e166 = v0_;
            v0_ = _e166 + 4u;
        }
        loop_init_5 = false;
        uint _e33 = v0_;
        if (_e33 < QMV_VEC) {
        } else {
            break;
        }
        {
            uint _e36 = v0_;
            uint j0_ = row0_ + (_e36 * 8u);
            a_2 = metal::float4(0.0);
            b_2 = metal::float4(0.0);
            ci_12 = 0u;
            bool loop_init_6 = true;
            while(true) {
                if (!loop_init_6) {
                    uint _e64 = ci_12;
                    ci_12 = _e64 + 1u;
                }
                loop_init_6 = false;
                uint _e48 = ci_12;
                if (_e48 < QMV_COLS) {
                } else {
                    break;
                }
                {
                    uint _e52 = ci_12;
                    uint _e54 = qmv_wrow[_e52];
                    metal::float2 _e55 = qmv_group(_e54, j0_, global_factor_3, p, scales, biases, _buffer_sizes);
                    uint _e56 = ci_12;
                    a_2[_e56] = _e55.x * fp_unscale;
                    uint _e60 = ci_12;
                    b_2[_e60] = _e55.y;
                }
            }
            mi_6 = 0u;
            bool loop_init_7 = true;
            while(true) {
                if (!loop_init_7) {
                    uint _e164 = mi_6;
                    mi_6 = _e164 + 1u;
                }
                loop_init_7 = false;
                uint _e68 = mi_6;
                if (_e68 < QMV_XROWS) {
                } else {
                    break;
                }
                {
                    uint _e71 = mi_6;
                    if (_e71 < count) {
                        d_1 = metal::float4(0.0);
                        sx_1 = 0.0;
                        uint _e78 = v0_;
                        v_5 = _e78;
                        bool loop_init_8 = true;
                        while(true) {
                            if (!loop_init_8) {
                                uint _e149 = v_5;
                                v_5 = _e149 + 1u;
                            }
                            loop_init_8 = false;
                            uint _e80 = v_5;
                            uint _e81 = v0_;
                            if (_e80 < (_e81 + 4u)) {
                            } else {
                                break;
                            }
                            {
                                uint _e85 = mi_6;
                                uint _e87 = qmv_xrow.inner[_e85];
                                uint _e88 = v_5;
                                uint _e89 = v0_;
                                X8_ _e94 = qmv_x8v(_e87, j0_ + ((_e88 - _e89) * 8u), p, x_2, _buffer_sizes);
                                if (false) {
                                    float _e100 = sx_1;
                                    sx_1 = _e100 + metal::dot(_e94.lo + _e94.hi, metal::float4(1.0));
                                }
                                float _e109 = d_1.x;
                                uint _e111 = v_5;
                                float _e113 = qmv_dot_word4_(w_7.c0_[_e111], _e94, fp4_lut);
                                d_1.x = _e109 + _e113;
                                if (true) {
                                    float _e120 = d_1.y;
                                    uint _e122 = v_5;
                                    float _e124 = qmv_dot_word4_(w_7.c1_[_e122], _e94, fp4_lut);
                                    d_1.y = _e120 + _e124;
                                }
                                if (true) {
                                    float _e131 = d_1.z;
                                    uint _e133 = v_5;
                                    float _e135 = qmv_dot_word4_(w_7.c2_[_e133], _e94, fp4_lut);
                                    d_1.z = _e131 + _e135;
                                }
                                if (true) {
                                    float _e142 = d_1.w;
                                    uint _e144 = v_5;
                                    float _e146 = qmv_dot_word4_(w_7.c3_[_e144], _e94, fp4_lut);
                                    d_1.w = _e142 + _e146;
                                }
                            }
                        }
                        uint _e152 = mi_6;
                        metal::float4 _e154 = qacc.inner[_e152];
                        metal::float4 _e155 = a_2;
                        metal::float4 _e156 = d_1;
                        metal::float4 _e158 = b_2;
                        float _e159 = sx_1;
                        qacc.inner[_e152] = _e154 + ((_e155 * _e156) + (_e158 * _e159));
                    }
                }
            }
        }
    }
    return;
}

metal::uint2 qmv_row(
    uint first,
    uint mi_7,
    device type_11 const& rows,
    constant _mslBufferSizes& _buffer_sizes
) {
    if (false) {
        return metal::uint2(mi_7);
    }
    metal::uint2 _e10 = rows[first + mi_7];
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
    bool local_15 = {};
    uint team0_ = lid_1 - lane;
    bool loop_init_9 = true;
    while(true) {
        if (!loop_init_9) {
            uint _e166 = m0_;
            m0_ = _e166 + 2u;
        }
        loop_init_9 = false;
        uint _e19 = m0_;
        if (_e19 < QMV_XROWS) {
        } else {
            break;
        }
        {
            r = 0u;
            bool loop_init_10 = true;
            while(true) {
                if (!loop_init_10) {
                    uint _e59 = r;
                    r = _e59 + 1u;
                }
                loop_init_10 = false;
                uint _e24 = r;
                if (_e24 < 2u) {
                } else {
                    break;
                }
                {
                    uint _e26 = m0_;
                    uint _e27 = r;
                    uint mi_8 = metal::min(_e26 + _e27, 7u);
                    ci_13 = 0u;
                    bool loop_init_11 = true;
                    while(true) {
                        if (!loop_init_11) {
                            uint _e56 = ci_13;
                            ci_13 = _e56 + 1u;
                        }
                        loop_init_11 = false;
                        uint _e36 = ci_13;
                        if (_e36 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e40 = r;
                            uint _e43 = ci_13;
                            uint _e49 = ci_13;
                            float _e54 = acc_1.inner[(_e49 * QMAX_ROWS) + mi_8];
                            red.inner[(((_e40 * QMV_COLS) + _e43) * QMV_WG) + lid_1] = _e54;
                        }
                    }
                }
            }
            metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
            job = lane;
            bool loop_init_12 = true;
            while(true) {
                if (!loop_init_12) {
                    uint _e163 = job;
                    job = _e163 + QMV_LANES;
                }
                loop_init_12 = false;
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
                    uint mi_9 = _e86 + r_2;
                    s0_1 = 0.0;
                    s1_ = 0.0;
                    uint b0_ = (((r_2 * QMV_COLS) + ci_14) * QMV_WG) + team0_;
                    l = 0u;
                    bool loop_init_13 = true;
                    while(true) {
                        if (!loop_init_13) {
                            uint _e122 = l;
                            l = _e122 + 1u;
                        }
                        loop_init_13 = false;
                        uint _e100 = l;
                        if (_e100 < QMV_LANES) {
                        } else {
                            break;
                        }
                        {
                            float _e103 = s0_1;
                            uint _e105 = l;
                            float _e108 = red.inner[b0_ + _e105];
                            s0_1 = _e103 + _e108;
                            if (false) {
                                float _e112 = s1_;
                                uint _e116 = l;
                                float _e119 = red.inner[(b0_ + QMV_WG) + _e116];
                                s1_ = _e112 + _e119;
                            }
                        }
                    }
                    if (mi_9 < count_1) {
                        uint _e130 = p.n;
                        local_15 = (col0_ + ci_14) < _e130;
                    } else {
                        local_15 = false;
                    }
                    bool _e133 = local_15;
                    if (_e133) {
                        metal::uint2 _e134 = qmv_row(tile_row, mi_9, rows, _buffer_sizes);
                        uint _e138 = p.n;
                        uint o = _e134.y * _e138;
                        if (false) {
                            float _e148 = s0_1;
                            uint _e150 = float_to_bits(_e148, XDT);
                            float _e151 = s1_;
                            uint _e153 = float_to_bits(_e151, XDT);
                            out[((o + col0_) + ci_14) >> 1u] = _e150 | (_e153 << 16u);
                        } else {
                            float _e161 = s0_1;
                            out[(o + col0_) + ci_14] = as_type<uint>(_e161);
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
    bool local_3 = {};
    metal::uint4 tile = metal::uint4(0u, 0u, 8u, 0u);
    float global_factor = 0.0;
    bool local_4 = {};
    type_4 x_rows = {};
    uint mi = 0u;
    type_20 w_rows = {};
    uint ci = 0u;
    type_18 acc = {};
    bool local_5 = {};
    metal::uint4 wbase = metal::uint4(0u);
    uint ci_1 = 0u;
    uint mi_1 = 0u;
    bool local_6 = {};
    uint u0_ = {};
    bool local_7 = {};
    bool local_8 = {};
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
    bool local_9 = {};
    uint ci_10 = {};
    uint ci_11 = {};
    if (true) {
        local = true;
    } else {
        local = false;
    }
    bool word_kernel = local;
    if (false) {
        local_1 = false;
    } else {
        local_1 = true;
    }
    bool _e29 = local_1;
    if (_e29) {
        if (!(!(word_kernel))) {
            local_3 = false;
        } else {
            local_3 = true;
        }
        bool _e41 = local_3;
        local_2 = _e41;
    } else {
        local_2 = false;
    }
    bool _e43 = local_2;
    if (_e43) {
        if (lid < 16u) {
            float _e48 = fp4_value(lid);
            fp4_lut.inner[lid] = _e48;
        }
        metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
    }
    uint _e49 = tile_index(wid, nwg);
    uint _e52 = p.tiles;
    bool tile_live = _e49 < _e52;
    if (true) {
        uint _e68 = p.tiles;
        metal::uint4 _e73 = tiles[metal::min(_e49, _e68 - 1u)];
        tile = _e73;
    }
    uint _e78 = tiles[0].w;
    opaque_zero = _e78;
    uint _e81 = tile.z;
    uint count_2 = tile_live ? _e81 : 0u;
    uint lane_1 = lid % QMV_LANES;
    uint col0_1 = ((wid.x * 8u) + (lid / QMV_LANES)) * QMV_COLS;
    uint _e98 = tile.x;
    uint _e101 = p.rows_per_w;
    uint row0_1 = _e98 * _e101;
    if (false) {
        uint _e114 = p.has_global;
        local_4 = _e114 != 0u;
    } else {
        local_4 = false;
    }
    bool _e118 = local_4;
    if (_e118) {
        uint _e121 = tile.x;
        float _e123 = gscale[_e121];
        float _e125 = div_rn(_e123, 2688.0, opaque_zero);
        global_factor = _e125;
    }
    bool loop_init_14 = true;
    while(true) {
        if (!loop_init_14) {
            uint _e145 = mi;
            mi = _e145 + 1u;
        }
        loop_init_14 = false;
        uint _e129 = mi;
        if (_e129 < QMV_XROWS) {
        } else {
            break;
        }
        {
            uint _e132 = mi;
            uint _e135 = tile.y;
            uint _e136 = mi;
            metal::uint2 _e142 = qmv_row(_e135, metal::min(_e136, metal::max(count_2, 1u) - 1u), rows, _buffer_sizes);
            x_rows.inner[_e132] = _e142.x;
        }
    }
    bool loop_init_15 = true;
    while(true) {
        if (!loop_init_15) {
            uint _e165 = ci;
            ci = _e165 + 1u;
        }
        loop_init_15 = false;
        uint _e150 = ci;
        if (_e150 < QMV_COLS) {
        } else {
            break;
        }
        {
            uint _e153 = ci;
            uint _e155 = ci;
            uint _e159 = p.n;
            w_rows.inner[_e153] = row0_1 + metal::min(col0_1 + _e155, _e159 - 1u);
        }
    }
    uint _e169 = p.k;
    uint chunks = (_e169 + 31u) / 32u;
    if (true) {
        local_5 = true;
    } else {
        local_5 = false;
    }
    bool word_path = local_5;
    uint _e193 = p.wpr;
    uint units = _e193 / QMV_VEC;
    bool loop_init_16 = true;
    while(true) {
        if (!loop_init_16) {
            uint _e220 = ci_1;
            ci_1 = _e220 + 1u;
        }
        loop_init_16 = false;
        uint _e201 = ci_1;
        if (_e201 < QMV_COLS) {
        } else {
            break;
        }
        {
            uint _e204 = ci_1;
            uint _e206 = ci_1;
            uint _e208 = w_rows.inner[_e206];
            uint _e211 = p.wpr;
            wbase[_e204] = _e208 * _e211;
            uint _e214 = ci_1;
            uint _e216 = ci_1;
            uint _e218 = w_rows.inner[_e216];
            qmv_wrow[_e214] = _e218;
        }
    }
    bool loop_init_17 = true;
    while(true) {
        if (!loop_init_17) {
            uint _e234 = mi_1;
            mi_1 = _e234 + 1u;
        }
        loop_init_17 = false;
        uint _e224 = mi_1;
        if (_e224 < QMV_XROWS) {
        } else {
            break;
        }
        {
            uint _e228 = mi_1;
            uint _e230 = mi_1;
            uint _e232 = x_rows.inner[_e230];
            qmv_xrow.inner[_e228] = _e232;
        }
    }
    if (word_path) {
        local_6 = count_2 > 0u;
    } else {
        local_6 = false;
    }
    bool _e246 = local_6;
    u0_ = _e246 ? lane_1 : units;
    if (false) {
        local_7 = false;
    } else {
        local_7 = false;
    }
    bool _e260 = local_7;
    if (_e260) {
        uint _e263 = u0_;
        local_8 = _e263 < units;
    } else {
        local_8 = false;
    }
    bool _e266 = local_8;
    if (_e266) {
        metal::uint4 _e267 = wbase;
        uint _e268 = u0_;
        Unit4_ _e269 = qmv_unit_load(_e267, _e268, wq, _buffer_sizes);
        cur = _e269;
        bool loop_init_18 = true;
        while(true) {
            if (!loop_init_18) {
                uint _e284 = u0_;
                u0_ = _e284 + QMV_LANES;
            }
            loop_init_18 = false;
            uint _e271 = u0_;
            if (_e271 < units) {
            } else {
                break;
            }
            {
                metal::uint4 _e273 = wbase;
                uint _e274 = u0_;
                Unit4_ _e280 = qmv_unit_load(_e273, metal::min(_e274 + QMV_LANES, units - 1u), wq, _buffer_sizes);
                uint _e281 = u0_;
                Unit4_ _e282 = cur;
                float _e283 = global_factor;
                qmv_unit(_e281, _e282, count_2, _e283, p, x_2, scales, biases, fp4_lut, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
                cur = _e280;
            }
        }
    }
    bool loop_init_19 = true;
    while(true) {
        if (!loop_init_19) {
            uint _e371 = u0_;
            u0_ = _e371 + 32u;
        }
        loop_init_19 = false;
        uint _e287 = u0_;
        if ((_e287 + 16u) < units) {
        } else {
            break;
        }
        {
            metal::uint4 _e297 = wbase;
            uint _e298 = u0_;
            Unit4_ _e299 = qmv_unit_load(_e297, _e298, wq, _buffer_sizes);
            wb = _e299;
            wc = _e299;
            wd = _e299;
            if (true) {
                metal::uint4 _e307 = wbase;
                uint _e308 = u0_;
                Unit4_ _e311 = qmv_unit_load(_e307, _e308 + QMV_LANES, wq, _buffer_sizes);
                wb = _e311;
            }
            if (false) {
                metal::uint4 _e316 = wbase;
                uint _e317 = u0_;
                Unit4_ _e323 = qmv_unit_load(_e316, _e317 + 32u, wq, _buffer_sizes);
                wc = _e323;
            }
            if (false) {
                metal::uint4 _e328 = wbase;
                uint _e329 = u0_;
                Unit4_ _e335 = qmv_unit_load(_e328, _e329 + 48u, wq, _buffer_sizes);
                wd = _e335;
            }
            uint _e336 = u0_;
            float _e337 = global_factor;
            qmv_unit(_e336, _e299, count_2, _e337, p, x_2, scales, biases, fp4_lut, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
            if (true) {
                uint _e342 = u0_;
                Unit4_ _e345 = wb;
                float _e346 = global_factor;
                qmv_unit(_e342 + QMV_LANES, _e345, count_2, _e346, p, x_2, scales, biases, fp4_lut, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
            }
            if (false) {
                uint _e351 = u0_;
                Unit4_ _e357 = wc;
                float _e358 = global_factor;
                qmv_unit(_e351 + 32u, _e357, count_2, _e358, p, x_2, scales, biases, fp4_lut, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
            }
            if (false) {
                uint _e363 = u0_;
                Unit4_ _e369 = wd;
                float _e370 = global_factor;
                qmv_unit(_e363 + 48u, _e369, count_2, _e370, p, x_2, scales, biases, fp4_lut, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
            }
        }
    }
    bool loop_init_20 = true;
    while(true) {
        if (!loop_init_20) {
            uint _e380 = u0_;
            u0_ = _e380 + QMV_LANES;
        }
        loop_init_20 = false;
        uint _e373 = u0_;
        if (_e373 < units) {
        } else {
            break;
        }
        {
            uint _e375 = u0_;
            metal::uint4 _e376 = wbase;
            uint _e377 = u0_;
            Unit4_ _e378 = qmv_unit_load(_e376, _e377, wq, _buffer_sizes);
            float _e379 = global_factor;
            qmv_unit(_e375, _e378, count_2, _e379, p, x_2, scales, biases, fp4_lut, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
        }
    }
    bool loop_init_21 = true;
    while(true) {
        if (!loop_init_21) {
            uint _e409 = mi_2;
            mi_2 = _e409 + 1u;
        }
        loop_init_21 = false;
        uint _e385 = mi_2;
        if (_e385 < QMV_XROWS) {
        } else {
            break;
        }
        {
            ci_2 = 0u;
            bool loop_init_22 = true;
            while(true) {
                if (!loop_init_22) {
                    uint _e406 = ci_2;
                    ci_2 = _e406 + 1u;
                }
                loop_init_22 = false;
                uint _e390 = ci_2;
                if (_e390 < QMV_COLS) {
                } else {
                    break;
                }
                {
                    uint _e393 = ci_2;
                    uint _e396 = mi_2;
                    uint _e400 = mi_2;
                    uint _e402 = ci_2;
                    float _e404 = qacc.inner[_e400][_e402];
                    acc.inner[(_e393 * QMAX_ROWS) + _e396] = _e404;
                }
            }
        }
    }
    uint first_1 = (count_2 > 0u) ? lane_1 : chunks;
    c0_ = word_path ? chunks : first_1;
    bool loop_init_23 = true;
    while(true) {
        if (!loop_init_23) {
            uint _e696 = c0_;
            c0_ = _e696 + 32u;
        }
        loop_init_23 = false;
        uint _e423 = c0_;
        if (_e423 < chunks) {
        } else {
            break;
        }
        {
            u = 0u;
            bool loop_init_24 = true;
            while(true) {
                if (!loop_init_24) {
                    uint _e456 = u;
                    u = _e456 + 1u;
                }
                loop_init_24 = false;
                uint _e427 = u;
                if (_e427 < 2u) {
                } else {
                    break;
                }
                {
                    uint _e429 = c0_;
                    uint _e430 = u;
                    uint c_3 = metal::min(_e429 + (_e430 * QMV_LANES), chunks - 1u);
                    ci_3 = 0u;
                    bool loop_init_25 = true;
                    while(true) {
                        if (!loop_init_25) {
                            uint _e453 = ci_3;
                            ci_3 = _e453 + 1u;
                        }
                        loop_init_25 = false;
                        uint _e439 = ci_3;
                        if (_e439 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e442 = ci_3;
                            uint _e444 = w_rows.inner[_e442];
                            uint _e445 = u;
                            uint _e448 = ci_3;
                            qmv_load(_e444, c_3, ((_e445 * QMAX_COLS) + _e448) * 8u, wq, p, wbuf, _buffer_sizes);
                        }
                    }
                }
            }
            u_1 = 0u;
            bool loop_init_26 = true;
            while(true) {
                if (!loop_init_26) {
                    uint _e694 = u_1;
                    u_1 = _e694 + 1u;
                }
                loop_init_26 = false;
                uint _e460 = u_1;
                if (_e460 < 2u) {
                } else {
                    break;
                }
                {
                    uint _e462 = c0_;
                    uint _e463 = u_1;
                    uint c_4 = _e462 + (_e463 * QMV_LANES);
                    if (c_4 >= chunks) {
                        break;
                    }
                    s0_ = 0u;
                    bool loop_init_27 = true;
                    while(true) {
                        if (!loop_init_27) {
                            uint _e691 = s0_;
                            s0_ = _e691 + 32u;
                        }
                        loop_init_27 = false;
                        uint _e470 = s0_;
                        if (_e470 < 32u) {
                        } else {
                            break;
                        }
                        {
                            uint _e475 = s0_;
                            uint j0_1 = (c_4 * 32u) + _e475;
                            uint _e479 = p.k;
                            if (j0_1 >= _e479) {
                                break;
                            }
                            ab = type_21 {};
                            ci_4 = 0u;
                            bool loop_init_28 = true;
                            while(true) {
                                if (!loop_init_28) {
                                    uint _e496 = ci_4;
                                    ci_4 = _e496 + 1u;
                                }
                                loop_init_28 = false;
                                uint _e485 = ci_4;
                                if (_e485 < QMV_COLS) {
                                } else {
                                    break;
                                }
                                {
                                    uint _e488 = ci_4;
                                    uint _e490 = ci_4;
                                    uint _e492 = w_rows.inner[_e490];
                                    float _e493 = global_factor;
                                    metal::float2 _e494 = qmv_group(_e492, j0_1, _e493, p, scales, biases, _buffer_sizes);
                                    ab.inner[_e488] = _e494;
                                }
                            }
                            dots = type_18 {};
                            sx = type_16 {};
                            e8_ = 0u;
                            bool loop_init_29 = true;
                            while(true) {
                                if (!loop_init_29) {
                                    uint _e643 = e8_;
                                    e8_ = _e643 + 8u;
                                }
                                loop_init_29 = false;
                                uint _e504 = e8_;
                                if (_e504 < 32u) {
                                } else {
                                    break;
                                }
                                {
                                    wf = type_18 {};
                                    ci_5 = 0u;
                                    bool loop_init_30 = true;
                                    while(true) {
                                        if (!loop_init_30) {
                                            uint _e541 = ci_5;
                                            ci_5 = _e541 + 1u;
                                        }
                                        loop_init_30 = false;
                                        uint _e510 = ci_5;
                                        if (_e510 < QMV_COLS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            e = 0u;
                                            bool loop_init_31 = true;
                                            while(true) {
                                                if (!loop_init_31) {
                                                    uint _e538 = e;
                                                    e = _e538 + 1u;
                                                }
                                                loop_init_31 = false;
                                                uint _e515 = e;
                                                if (_e515 < 8u) {
                                                } else {
                                                    break;
                                                }
                                                {
                                                    uint _e518 = ci_5;
                                                    uint _e521 = e;
                                                    uint _e524 = u_1;
                                                    uint _e527 = ci_5;
                                                    uint _e531 = s0_;
                                                    uint _e532 = e8_;
                                                    uint _e534 = e;
                                                    float _e536 = qmv_weight(((_e524 * QMAX_COLS) + _e527) * 8u, (_e531 + _e532) + _e534, fp4_lut, wbuf);
                                                    wf.inner[(_e518 * 8u) + _e521] = _e536;
                                                }
                                            }
                                        }
                                    }
                                    mi_3 = 0u;
                                    bool loop_init_32 = true;
                                    while(true) {
                                        if (!loop_init_32) {
                                            uint _e641 = mi_3;
                                            mi_3 = _e641 + 1u;
                                        }
                                        loop_init_32 = false;
                                        uint _e545 = mi_3;
                                        if (_e545 < QMV_XROWS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            uint _e548 = mi_3;
                                            if (_e548 < count_2) {
                                                uint _e550 = mi_3;
                                                uint _e552 = x_rows.inner[_e550];
                                                uint _e553 = e8_;
                                                qmv_x8_(_e552, j0_1 + _e553, p, x_2, xv, _buffer_sizes);
                                                if (false) {
                                                    uint _e560 = mi_3;
                                                    float _e562 = sx.inner[_e560];
                                                    float _e565 = xv.inner[0];
                                                    float _e568 = xv.inner[1];
                                                    float _e572 = xv.inner[2];
                                                    float _e575 = xv.inner[3];
                                                    float _e580 = xv.inner[4];
                                                    float _e583 = xv.inner[5];
                                                    float _e587 = xv.inner[6];
                                                    float _e590 = xv.inner[7];
                                                    sx.inner[_e560] = _e562 + (((_e565 + _e568) + (_e572 + _e575)) + ((_e580 + _e583) + (_e587 + _e590)));
                                                }
                                                ci_6 = 0u;
                                                bool loop_init_33 = true;
                                                while(true) {
                                                    if (!loop_init_33) {
                                                        uint _e638 = ci_6;
                                                        ci_6 = _e638 + 1u;
                                                    }
                                                    loop_init_33 = false;
                                                    uint _e597 = ci_6;
                                                    if (_e597 < QMV_COLS) {
                                                    } else {
                                                        break;
                                                    }
                                                    {
                                                        uint _e600 = ci_6;
                                                        uint _e603 = mi_3;
                                                        float _e606 = dots.inner[(_e600 * QMAX_ROWS) + _e603];
                                                        d = _e606;
                                                        e_1 = 0u;
                                                        bool loop_init_34 = true;
                                                        while(true) {
                                                            if (!loop_init_34) {
                                                                uint _e628 = e_1;
                                                                e_1 = _e628 + 1u;
                                                            }
                                                            loop_init_34 = false;
                                                            uint _e610 = e_1;
                                                            if (_e610 < 8u) {
                                                            } else {
                                                                break;
                                                            }
                                                            {
                                                                float _e613 = d;
                                                                uint _e615 = e_1;
                                                                float _e617 = xv.inner[_e615];
                                                                uint _e618 = ci_6;
                                                                uint _e621 = e_1;
                                                                float _e624 = wf.inner[(_e618 * 8u) + _e621];
                                                                d = _e613 + (_e617 * _e624);
                                                            }
                                                        }
                                                        uint _e630 = ci_6;
                                                        uint _e633 = mi_3;
                                                        float _e636 = d;
                                                        dots.inner[(_e630 * QMAX_ROWS) + _e633] = _e636;
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                            mi_4 = 0u;
                            bool loop_init_35 = true;
                            while(true) {
                                if (!loop_init_35) {
                                    uint _e689 = mi_4;
                                    mi_4 = _e689 + 1u;
                                }
                                loop_init_35 = false;
                                uint _e648 = mi_4;
                                if (_e648 < QMV_XROWS) {
                                } else {
                                    break;
                                }
                                {
                                    ci_7 = 0u;
                                    bool loop_init_36 = true;
                                    while(true) {
                                        if (!loop_init_36) {
                                            uint _e686 = ci_7;
                                            ci_7 = _e686 + 1u;
                                        }
                                        loop_init_36 = false;
                                        uint _e653 = ci_7;
                                        if (_e653 < QMV_COLS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            uint _e656 = ci_7;
                                            uint _e659 = mi_4;
                                            float _e662 = acc.inner[(_e656 * QMAX_ROWS) + _e659];
                                            uint _e663 = ci_7;
                                            float _e666 = ab.inner[_e663].x;
                                            uint _e667 = ci_7;
                                            uint _e670 = mi_4;
                                            float _e673 = dots.inner[(_e667 * QMAX_ROWS) + _e670];
                                            uint _e675 = ci_7;
                                            float _e678 = ab.inner[_e675].y;
                                            uint _e679 = mi_4;
                                            float _e681 = sx.inner[_e679];
                                            acc.inner[(_e656 * QMAX_ROWS) + _e659] = _e662 + ((_e666 * _e673) + (_e678 * _e681));
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
        uint _e703 = tile.y;
        qmv_reduce_flat(lid, lane_1, col0_1, count_2, _e703, acc, p, rows, out, red, _buffer_sizes);
        return;
    }
    bool loop_init_37 = true;
    while(true) {
        if (!loop_init_37) {
            uint _e861 = mi_5;
            mi_5 = _e861 + 1u;
        }
        loop_init_37 = false;
        uint _e706 = mi_5;
        if (_e706 < QMV_XROWS) {
        } else {
            break;
        }
        {
            ci_8 = 0u;
            bool loop_init_38 = true;
            while(true) {
                if (!loop_init_38) {
                    uint _e728 = ci_8;
                    ci_8 = _e728 + 1u;
                }
                loop_init_38 = false;
                uint _e711 = ci_8;
                if (_e711 < QMV_COLS) {
                } else {
                    break;
                }
                {
                    uint _e715 = ci_8;
                    uint _e720 = ci_8;
                    uint _e723 = mi_5;
                    float _e726 = acc.inner[(_e720 * QMAX_ROWS) + _e723];
                    red.inner[(_e715 * QMV_WG) + lid] = _e726;
                }
            }
            metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
            stride = 8u;
            bool loop_init_39 = true;
            while(true) {
                if (!loop_init_39) {
                    uint _e765 = stride;
                    stride = _e765 >> 1u;
                }
                loop_init_39 = false;
                uint _e735 = stride;
                if (_e735 > 0u) {
                } else {
                    break;
                }
                {
                    uint _e738 = stride;
                    if (lane_1 < _e738) {
                        ci_9 = 0u;
                        bool loop_init_40 = true;
                        while(true) {
                            if (!loop_init_40) {
                                uint _e763 = ci_9;
                                ci_9 = _e763 + 1u;
                            }
                            loop_init_40 = false;
                            uint _e742 = ci_9;
                            if (_e742 < QMV_COLS) {
                            } else {
                                break;
                            }
                            {
                                uint _e746 = ci_9;
                                float _e751 = red.inner[(_e746 * QMV_WG) + lid];
                                uint _e753 = ci_9;
                                uint _e757 = stride;
                                float _e760 = red.inner[((_e753 * QMV_WG) + lid) + _e757];
                                red.inner[(_e746 * QMV_WG) + lid] = _e751 + _e760;
                            }
                        }
                    }
                    metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
                }
            }
            if (lane_1 == 0u) {
                uint _e772 = mi_5;
                local_9 = _e772 < count_2;
            } else {
                local_9 = false;
            }
            bool _e775 = local_9;
            if (_e775) {
                uint _e777 = tile.y;
                uint _e778 = mi_5;
                metal::uint2 _e779 = qmv_row(_e777, _e778, rows, _buffer_sizes);
                uint _e783 = p.n;
                uint o_1 = _e779.y * _e783;
                if (false) {
                    ci_10 = 0u;
                    bool loop_init_41 = true;
                    while(true) {
                        if (!loop_init_41) {
                            uint _e830 = ci_10;
                            ci_10 = _e830 + 2u;
                        }
                        loop_init_41 = false;
                        uint _e791 = ci_10;
                        if (_e791 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e794 = ci_10;
                            uint _e798 = p.n;
                            if ((col0_1 + _e794) < _e798) {
                                uint _e801 = ci_10;
                                float _e806 = red.inner[(_e801 * QMV_WG) + lid];
                                uint _e808 = float_to_bits(_e806, XDT);
                                uint _e810 = ci_10;
                                float _e817 = red.inner[((_e810 + 1u) * QMV_WG) + lid];
                                uint _e819 = float_to_bits(_e817, XDT);
                                uint _e822 = ci_10;
                                out[((o_1 + col0_1) + _e822) >> 1u] = _e808 | (_e819 << 16u);
                            }
                        }
                    }
                } else {
                    ci_11 = 0u;
                    bool loop_init_42 = true;
                    while(true) {
                        if (!loop_init_42) {
                            uint _e858 = ci_11;
                            ci_11 = _e858 + 1u;
                        }
                        loop_init_42 = false;
                        uint _e835 = ci_11;
                        if (_e835 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e838 = ci_11;
                            uint _e842 = p.n;
                            if ((col0_1 + _e838) < _e842) {
                                uint _e846 = ci_11;
                                uint _e850 = ci_11;
                                float _e855 = red.inner[(_e850 * QMV_WG) + lid];
                                out[(o_1 + col0_1) + _e846] = as_type<uint>(_e855);
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
