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
    uint inner[4];
};
struct type_19 {
    float inner[32];
};
struct type_20 {
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
    uint r = (a_3 + 4095u) + ((a_3 >> 13u) & 1u);
    return s | ((r - 939524096u) >> 13u);
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
    bool local_4 = {};
    uint i = 0u;
    q_2 = a_1 / b_1;
    float _e4 = q_2;
    bool finite = (as_type<uint>(_e4) & 2139095040u) != 2139095040u;
    if (!(!(finite))) {
        float _e14 = q_2;
        local_4 = _e14 == 0.0;
    } else {
        local_4 = true;
    }
    bool _e18 = local_4;
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
    bool local_5 = {};
    bool local_6 = {};
    uint v_2 = 0u;
    uint i_4 = 0u;
    uint word_1 = {};
    uint _e5 = p.wpr;
    uint row_word = row * _e5;
    uint start = row_word + (c * BITS);
    uint _e12 = p.wpr;
    uint end = row_word + _e12;
    if (true) {
        local_5 = (start & 3u) == 0u;
    } else {
        local_5 = false;
    }
    bool _e27 = local_5;
    if (_e27) {
        local_6 = (start + BITS) <= end;
    } else {
        local_6 = false;
    }
    bool _e34 = local_6;
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
    bool local_7 = {};
    if (false) {
        local_7 = false;
    } else {
        local_7 = false;
    }
    bool _e15 = local_7;
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
    bool local_8 = {};
    uint v0_ = 0u;
    metal::float4 a_2 = {};
    metal::float4 b_2 = {};
    uint ci_12 = {};
    uint mi_6 = {};
    metal::float4 d_1 = {};
    float sx_1 = {};
    uint v_5 = {};
    if (true) {
        local_8 = true;
    } else {
        local_8 = false;
    }
    bool _e23 = local_8;
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
    float global_factor = 0.0;
    bool local = {};
    type_4 x_rows = {};
    uint mi = 0u;
    type_18 w_rows = {};
    uint ci = 0u;
    type_19 acc = {};
    bool local_1 = {};
    metal::uint4 wbase = metal::uint4(0u);
    uint ci_1 = 0u;
    uint mi_1 = 0u;
    bool local_2 = {};
    uint u0_ = {};
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
    type_20 ab = {};
    uint ci_4 = {};
    type_19 dots = {};
    type_16 sx = {};
    uint e8_ = {};
    type_19 wf = {};
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
    bool local_3 = {};
    uint ci_10 = {};
    uint ci_11 = {};
    if (lid < 16u) {
        float _e7 = fp4_value(lid);
        fp4_lut.inner[lid] = _e7;
    }
    metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
    uint _e8 = tile_index(wid, nwg);
    uint _e11 = p.tiles;
    bool tile_live = _e8 < _e11;
    uint _e16 = p.tiles;
    metal::uint4 tile = tiles[metal::min(_e8, _e16 - 1u)];
    opaque_zero = tile.w;
    uint count_1 = tile_live ? tile.z : 0u;
    uint lane = lid % QMV_LANES;
    uint col0_ = ((wid.x * 8u) + (lid / QMV_LANES)) * QMV_COLS;
    uint _e44 = p.rows_per_w;
    uint row0_1 = tile.x * _e44;
    if (false) {
        uint _e57 = p.has_global;
        local = _e57 != 0u;
    } else {
        local = false;
    }
    bool _e61 = local;
    if (_e61) {
        float _e65 = gscale[tile.x];
        float _e67 = div_rn(_e65, 2688.0, opaque_zero);
        global_factor = _e67;
    }
    bool loop_init_9 = true;
    while(true) {
        if (!loop_init_9) {
            uint _e89 = mi;
            mi = _e89 + 1u;
        }
        loop_init_9 = false;
        uint _e71 = mi;
        if (_e71 < QMV_XROWS) {
        } else {
            break;
        }
        {
            uint _e74 = mi;
            uint _e78 = mi;
            uint _e87 = rows[tile.y + metal::min(_e78, metal::max(count_1, 1u) - 1u)].x;
            x_rows.inner[_e74] = _e87;
        }
    }
    bool loop_init_10 = true;
    while(true) {
        if (!loop_init_10) {
            uint _e109 = ci;
            ci = _e109 + 1u;
        }
        loop_init_10 = false;
        uint _e94 = ci;
        if (_e94 < QMV_COLS) {
        } else {
            break;
        }
        {
            uint _e97 = ci;
            uint _e99 = ci;
            uint _e103 = p.n;
            w_rows.inner[_e97] = row0_1 + metal::min(col0_ + _e99, _e103 - 1u);
        }
    }
    uint _e113 = p.k;
    uint chunks = (_e113 + 31u) / 32u;
    if (true) {
        local_1 = true;
    } else {
        local_1 = false;
    }
    bool word_path = local_1;
    uint _e137 = p.wpr;
    uint units = _e137 / QMV_VEC;
    bool loop_init_11 = true;
    while(true) {
        if (!loop_init_11) {
            uint _e164 = ci_1;
            ci_1 = _e164 + 1u;
        }
        loop_init_11 = false;
        uint _e145 = ci_1;
        if (_e145 < QMV_COLS) {
        } else {
            break;
        }
        {
            uint _e148 = ci_1;
            uint _e150 = ci_1;
            uint _e152 = w_rows.inner[_e150];
            uint _e155 = p.wpr;
            wbase[_e148] = _e152 * _e155;
            uint _e158 = ci_1;
            uint _e160 = ci_1;
            uint _e162 = w_rows.inner[_e160];
            qmv_wrow[_e158] = _e162;
        }
    }
    bool loop_init_12 = true;
    while(true) {
        if (!loop_init_12) {
            uint _e178 = mi_1;
            mi_1 = _e178 + 1u;
        }
        loop_init_12 = false;
        uint _e168 = mi_1;
        if (_e168 < QMV_XROWS) {
        } else {
            break;
        }
        {
            uint _e172 = mi_1;
            uint _e174 = mi_1;
            uint _e176 = x_rows.inner[_e174];
            qmv_xrow.inner[_e172] = _e176;
        }
    }
    if (word_path) {
        local_2 = count_1 > 0u;
    } else {
        local_2 = false;
    }
    bool _e190 = local_2;
    u0_ = _e190 ? lane : units;
    bool loop_init_13 = true;
    while(true) {
        if (!loop_init_13) {
            uint _e277 = u0_;
            u0_ = _e277 + 32u;
        }
        loop_init_13 = false;
        uint _e193 = u0_;
        if ((_e193 + 16u) < units) {
        } else {
            break;
        }
        {
            metal::uint4 _e203 = wbase;
            uint _e204 = u0_;
            Unit4_ _e205 = qmv_unit_load(_e203, _e204, wq, _buffer_sizes);
            wb = _e205;
            wc = _e205;
            wd = _e205;
            if (true) {
                metal::uint4 _e213 = wbase;
                uint _e214 = u0_;
                Unit4_ _e217 = qmv_unit_load(_e213, _e214 + QMV_LANES, wq, _buffer_sizes);
                wb = _e217;
            }
            if (false) {
                metal::uint4 _e222 = wbase;
                uint _e223 = u0_;
                Unit4_ _e229 = qmv_unit_load(_e222, _e223 + 32u, wq, _buffer_sizes);
                wc = _e229;
            }
            if (false) {
                metal::uint4 _e234 = wbase;
                uint _e235 = u0_;
                Unit4_ _e241 = qmv_unit_load(_e234, _e235 + 48u, wq, _buffer_sizes);
                wd = _e241;
            }
            uint _e242 = u0_;
            float _e243 = global_factor;
            qmv_unit(_e242, _e205, count_1, _e243, p, x_2, scales, biases, fp4_lut, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
            if (true) {
                uint _e248 = u0_;
                Unit4_ _e251 = wb;
                float _e252 = global_factor;
                qmv_unit(_e248 + QMV_LANES, _e251, count_1, _e252, p, x_2, scales, biases, fp4_lut, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
            }
            if (false) {
                uint _e257 = u0_;
                Unit4_ _e263 = wc;
                float _e264 = global_factor;
                qmv_unit(_e257 + 32u, _e263, count_1, _e264, p, x_2, scales, biases, fp4_lut, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
            }
            if (false) {
                uint _e269 = u0_;
                Unit4_ _e275 = wd;
                float _e276 = global_factor;
                qmv_unit(_e269 + 48u, _e275, count_1, _e276, p, x_2, scales, biases, fp4_lut, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
            }
        }
    }
    bool loop_init_14 = true;
    while(true) {
        if (!loop_init_14) {
            uint _e286 = u0_;
            u0_ = _e286 + QMV_LANES;
        }
        loop_init_14 = false;
        uint _e279 = u0_;
        if (_e279 < units) {
        } else {
            break;
        }
        {
            uint _e281 = u0_;
            metal::uint4 _e282 = wbase;
            uint _e283 = u0_;
            Unit4_ _e284 = qmv_unit_load(_e282, _e283, wq, _buffer_sizes);
            float _e285 = global_factor;
            qmv_unit(_e281, _e284, count_1, _e285, p, x_2, scales, biases, fp4_lut, qacc, qmv_wrow, qmv_xrow, _buffer_sizes);
        }
    }
    bool loop_init_15 = true;
    while(true) {
        if (!loop_init_15) {
            uint _e315 = mi_2;
            mi_2 = _e315 + 1u;
        }
        loop_init_15 = false;
        uint _e291 = mi_2;
        if (_e291 < QMV_XROWS) {
        } else {
            break;
        }
        {
            ci_2 = 0u;
            bool loop_init_16 = true;
            while(true) {
                if (!loop_init_16) {
                    uint _e312 = ci_2;
                    ci_2 = _e312 + 1u;
                }
                loop_init_16 = false;
                uint _e296 = ci_2;
                if (_e296 < QMV_COLS) {
                } else {
                    break;
                }
                {
                    uint _e299 = ci_2;
                    uint _e302 = mi_2;
                    uint _e306 = mi_2;
                    uint _e308 = ci_2;
                    float _e310 = qacc.inner[_e306][_e308];
                    acc.inner[(_e299 * QMAX_ROWS) + _e302] = _e310;
                }
            }
        }
    }
    uint first = (count_1 > 0u) ? lane : chunks;
    c0_ = word_path ? chunks : first;
    bool loop_init_17 = true;
    while(true) {
        if (!loop_init_17) {
            uint _e602 = c0_;
            c0_ = _e602 + 32u;
        }
        loop_init_17 = false;
        uint _e329 = c0_;
        if (_e329 < chunks) {
        } else {
            break;
        }
        {
            u = 0u;
            bool loop_init_18 = true;
            while(true) {
                if (!loop_init_18) {
                    uint _e362 = u;
                    u = _e362 + 1u;
                }
                loop_init_18 = false;
                uint _e333 = u;
                if (_e333 < 2u) {
                } else {
                    break;
                }
                {
                    uint _e335 = c0_;
                    uint _e336 = u;
                    uint c_3 = metal::min(_e335 + (_e336 * QMV_LANES), chunks - 1u);
                    ci_3 = 0u;
                    bool loop_init_19 = true;
                    while(true) {
                        if (!loop_init_19) {
                            uint _e359 = ci_3;
                            ci_3 = _e359 + 1u;
                        }
                        loop_init_19 = false;
                        uint _e345 = ci_3;
                        if (_e345 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e348 = ci_3;
                            uint _e350 = w_rows.inner[_e348];
                            uint _e351 = u;
                            uint _e354 = ci_3;
                            qmv_load(_e350, c_3, ((_e351 * QMAX_COLS) + _e354) * 8u, wq, p, wbuf, _buffer_sizes);
                        }
                    }
                }
            }
            u_1 = 0u;
            bool loop_init_20 = true;
            while(true) {
                if (!loop_init_20) {
                    uint _e600 = u_1;
                    u_1 = _e600 + 1u;
                }
                loop_init_20 = false;
                uint _e366 = u_1;
                if (_e366 < 2u) {
                } else {
                    break;
                }
                {
                    uint _e368 = c0_;
                    uint _e369 = u_1;
                    uint c_4 = _e368 + (_e369 * QMV_LANES);
                    if (c_4 >= chunks) {
                        break;
                    }
                    s0_ = 0u;
                    bool loop_init_21 = true;
                    while(true) {
                        if (!loop_init_21) {
                            uint _e597 = s0_;
                            s0_ = _e597 + 32u;
                        }
                        loop_init_21 = false;
                        uint _e376 = s0_;
                        if (_e376 < 32u) {
                        } else {
                            break;
                        }
                        {
                            uint _e381 = s0_;
                            uint j0_1 = (c_4 * 32u) + _e381;
                            uint _e385 = p.k;
                            if (j0_1 >= _e385) {
                                break;
                            }
                            ab = type_20 {};
                            ci_4 = 0u;
                            bool loop_init_22 = true;
                            while(true) {
                                if (!loop_init_22) {
                                    uint _e402 = ci_4;
                                    ci_4 = _e402 + 1u;
                                }
                                loop_init_22 = false;
                                uint _e391 = ci_4;
                                if (_e391 < QMV_COLS) {
                                } else {
                                    break;
                                }
                                {
                                    uint _e394 = ci_4;
                                    uint _e396 = ci_4;
                                    uint _e398 = w_rows.inner[_e396];
                                    float _e399 = global_factor;
                                    metal::float2 _e400 = qmv_group(_e398, j0_1, _e399, p, scales, biases, _buffer_sizes);
                                    ab.inner[_e394] = _e400;
                                }
                            }
                            dots = type_19 {};
                            sx = type_16 {};
                            e8_ = 0u;
                            bool loop_init_23 = true;
                            while(true) {
                                if (!loop_init_23) {
                                    uint _e549 = e8_;
                                    e8_ = _e549 + 8u;
                                }
                                loop_init_23 = false;
                                uint _e410 = e8_;
                                if (_e410 < 32u) {
                                } else {
                                    break;
                                }
                                {
                                    wf = type_19 {};
                                    ci_5 = 0u;
                                    bool loop_init_24 = true;
                                    while(true) {
                                        if (!loop_init_24) {
                                            uint _e447 = ci_5;
                                            ci_5 = _e447 + 1u;
                                        }
                                        loop_init_24 = false;
                                        uint _e416 = ci_5;
                                        if (_e416 < QMV_COLS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            e = 0u;
                                            bool loop_init_25 = true;
                                            while(true) {
                                                if (!loop_init_25) {
                                                    uint _e444 = e;
                                                    e = _e444 + 1u;
                                                }
                                                loop_init_25 = false;
                                                uint _e421 = e;
                                                if (_e421 < 8u) {
                                                } else {
                                                    break;
                                                }
                                                {
                                                    uint _e424 = ci_5;
                                                    uint _e427 = e;
                                                    uint _e430 = u_1;
                                                    uint _e433 = ci_5;
                                                    uint _e437 = s0_;
                                                    uint _e438 = e8_;
                                                    uint _e440 = e;
                                                    float _e442 = qmv_weight(((_e430 * QMAX_COLS) + _e433) * 8u, (_e437 + _e438) + _e440, fp4_lut, wbuf);
                                                    wf.inner[(_e424 * 8u) + _e427] = _e442;
                                                }
                                            }
                                        }
                                    }
                                    mi_3 = 0u;
                                    bool loop_init_26 = true;
                                    while(true) {
                                        if (!loop_init_26) {
                                            uint _e547 = mi_3;
                                            mi_3 = _e547 + 1u;
                                        }
                                        loop_init_26 = false;
                                        uint _e451 = mi_3;
                                        if (_e451 < QMV_XROWS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            uint _e454 = mi_3;
                                            if (_e454 < count_1) {
                                                uint _e456 = mi_3;
                                                uint _e458 = x_rows.inner[_e456];
                                                uint _e459 = e8_;
                                                qmv_x8_(_e458, j0_1 + _e459, p, x_2, xv, _buffer_sizes);
                                                if (false) {
                                                    uint _e466 = mi_3;
                                                    float _e468 = sx.inner[_e466];
                                                    float _e471 = xv.inner[0];
                                                    float _e474 = xv.inner[1];
                                                    float _e478 = xv.inner[2];
                                                    float _e481 = xv.inner[3];
                                                    float _e486 = xv.inner[4];
                                                    float _e489 = xv.inner[5];
                                                    float _e493 = xv.inner[6];
                                                    float _e496 = xv.inner[7];
                                                    sx.inner[_e466] = _e468 + (((_e471 + _e474) + (_e478 + _e481)) + ((_e486 + _e489) + (_e493 + _e496)));
                                                }
                                                ci_6 = 0u;
                                                bool loop_init_27 = true;
                                                while(true) {
                                                    if (!loop_init_27) {
                                                        uint _e544 = ci_6;
                                                        ci_6 = _e544 + 1u;
                                                    }
                                                    loop_init_27 = false;
                                                    uint _e503 = ci_6;
                                                    if (_e503 < QMV_COLS) {
                                                    } else {
                                                        break;
                                                    }
                                                    {
                                                        uint _e506 = ci_6;
                                                        uint _e509 = mi_3;
                                                        float _e512 = dots.inner[(_e506 * QMAX_ROWS) + _e509];
                                                        d = _e512;
                                                        e_1 = 0u;
                                                        bool loop_init_28 = true;
                                                        while(true) {
                                                            if (!loop_init_28) {
                                                                uint _e534 = e_1;
                                                                e_1 = _e534 + 1u;
                                                            }
                                                            loop_init_28 = false;
                                                            uint _e516 = e_1;
                                                            if (_e516 < 8u) {
                                                            } else {
                                                                break;
                                                            }
                                                            {
                                                                float _e519 = d;
                                                                uint _e521 = e_1;
                                                                float _e523 = xv.inner[_e521];
                                                                uint _e524 = ci_6;
                                                                uint _e527 = e_1;
                                                                float _e530 = wf.inner[(_e524 * 8u) + _e527];
                                                                d = _e519 + (_e523 * _e530);
                                                            }
                                                        }
                                                        uint _e536 = ci_6;
                                                        uint _e539 = mi_3;
                                                        float _e542 = d;
                                                        dots.inner[(_e536 * QMAX_ROWS) + _e539] = _e542;
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                            mi_4 = 0u;
                            bool loop_init_29 = true;
                            while(true) {
                                if (!loop_init_29) {
                                    uint _e595 = mi_4;
                                    mi_4 = _e595 + 1u;
                                }
                                loop_init_29 = false;
                                uint _e554 = mi_4;
                                if (_e554 < QMV_XROWS) {
                                } else {
                                    break;
                                }
                                {
                                    ci_7 = 0u;
                                    bool loop_init_30 = true;
                                    while(true) {
                                        if (!loop_init_30) {
                                            uint _e592 = ci_7;
                                            ci_7 = _e592 + 1u;
                                        }
                                        loop_init_30 = false;
                                        uint _e559 = ci_7;
                                        if (_e559 < QMV_COLS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            uint _e562 = ci_7;
                                            uint _e565 = mi_4;
                                            float _e568 = acc.inner[(_e562 * QMAX_ROWS) + _e565];
                                            uint _e569 = ci_7;
                                            float _e572 = ab.inner[_e569].x;
                                            uint _e573 = ci_7;
                                            uint _e576 = mi_4;
                                            float _e579 = dots.inner[(_e573 * QMAX_ROWS) + _e576];
                                            uint _e581 = ci_7;
                                            float _e584 = ab.inner[_e581].y;
                                            uint _e585 = mi_4;
                                            float _e587 = sx.inner[_e585];
                                            acc.inner[(_e562 * QMAX_ROWS) + _e565] = _e568 + ((_e572 * _e579) + (_e584 * _e587));
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
    bool loop_init_31 = true;
    while(true) {
        if (!loop_init_31) {
            uint _e763 = mi_5;
            mi_5 = _e763 + 1u;
        }
        loop_init_31 = false;
        uint _e606 = mi_5;
        if (_e606 < QMV_XROWS) {
        } else {
            break;
        }
        {
            ci_8 = 0u;
            bool loop_init_32 = true;
            while(true) {
                if (!loop_init_32) {
                    uint _e628 = ci_8;
                    ci_8 = _e628 + 1u;
                }
                loop_init_32 = false;
                uint _e611 = ci_8;
                if (_e611 < QMV_COLS) {
                } else {
                    break;
                }
                {
                    uint _e615 = ci_8;
                    uint _e620 = ci_8;
                    uint _e623 = mi_5;
                    float _e626 = acc.inner[(_e620 * QMAX_ROWS) + _e623];
                    red.inner[(_e615 * QMV_WG) + lid] = _e626;
                }
            }
            metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
            stride = 8u;
            bool loop_init_33 = true;
            while(true) {
                if (!loop_init_33) {
                    uint _e665 = stride;
                    stride = _e665 >> 1u;
                }
                loop_init_33 = false;
                uint _e635 = stride;
                if (_e635 > 0u) {
                } else {
                    break;
                }
                {
                    uint _e638 = stride;
                    if (lane < _e638) {
                        ci_9 = 0u;
                        bool loop_init_34 = true;
                        while(true) {
                            if (!loop_init_34) {
                                uint _e663 = ci_9;
                                ci_9 = _e663 + 1u;
                            }
                            loop_init_34 = false;
                            uint _e642 = ci_9;
                            if (_e642 < QMV_COLS) {
                            } else {
                                break;
                            }
                            {
                                uint _e646 = ci_9;
                                float _e651 = red.inner[(_e646 * QMV_WG) + lid];
                                uint _e653 = ci_9;
                                uint _e657 = stride;
                                float _e660 = red.inner[((_e653 * QMV_WG) + lid) + _e657];
                                red.inner[(_e646 * QMV_WG) + lid] = _e651 + _e660;
                            }
                        }
                    }
                    metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
                }
            }
            if (lane == 0u) {
                uint _e672 = mi_5;
                local_3 = _e672 < count_1;
            } else {
                local_3 = false;
            }
            bool _e675 = local_3;
            if (_e675) {
                uint _e678 = mi_5;
                uint _e682 = rows[tile.y + _e678].y;
                uint _e685 = p.n;
                uint o = _e682 * _e685;
                if (false) {
                    ci_10 = 0u;
                    bool loop_init_35 = true;
                    while(true) {
                        if (!loop_init_35) {
                            uint _e732 = ci_10;
                            ci_10 = _e732 + 2u;
                        }
                        loop_init_35 = false;
                        uint _e693 = ci_10;
                        if (_e693 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e696 = ci_10;
                            uint _e700 = p.n;
                            if ((col0_ + _e696) < _e700) {
                                uint _e703 = ci_10;
                                float _e708 = red.inner[(_e703 * QMV_WG) + lid];
                                uint _e710 = float_to_bits(_e708, XDT);
                                uint _e712 = ci_10;
                                float _e719 = red.inner[((_e712 + 1u) * QMV_WG) + lid];
                                uint _e721 = float_to_bits(_e719, XDT);
                                uint _e724 = ci_10;
                                out[((o + col0_) + _e724) >> 1u] = _e710 | (_e721 << 16u);
                            }
                        }
                    }
                } else {
                    ci_11 = 0u;
                    bool loop_init_36 = true;
                    while(true) {
                        if (!loop_init_36) {
                            uint _e760 = ci_11;
                            ci_11 = _e760 + 1u;
                        }
                        loop_init_36 = false;
                        uint _e737 = ci_11;
                        if (_e737 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e740 = ci_11;
                            uint _e744 = p.n;
                            if ((col0_ + _e740) < _e744) {
                                uint _e748 = ci_11;
                                uint _e752 = ci_11;
                                float _e757 = red.inner[(_e752 * QMV_WG) + lid];
                                out[(o + col0_) + _e748] = as_type<uint>(_e757);
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
