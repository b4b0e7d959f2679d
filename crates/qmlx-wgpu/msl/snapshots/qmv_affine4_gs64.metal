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
    uint inner[4];
};
struct type_18 {
    float inner[32];
};
struct type_19 {
    metal::uint4 inner[16];
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

uint naga_f2u32(float value) {
    return static_cast<uint>(metal::clamp(value, 0.0, 4294967000.0));
}

uint f32_to_f16_(
    float f
) {
    uint x_3 = as_type<uint>(f);
    uint s = (x_3 >> 16u) & 32768u;
    uint a_2 = x_3 & 2147483647u;
    if (a_2 > 2139095040u) {
        return (s | 32256u) | ((a_2 & 8388607u) >> 13u);
    }
    if (a_2 >= 1199566848u) {
        return s | 31744u;
    }
    if (a_2 < 947912704u) {
        return s | naga_f2u32(metal::rint(as_type<float>(a_2) * 16777216.0));
    }
    uint r = (a_2 + 4095u) + ((a_2 >> 13u) & 1u);
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
    float v_1,
    uint dt
) {
    if (dt == DT_F32_) {
        return as_type<uint>(v_1);
    }
    uint _e5 = f32_to_bf16_(v_1);
    uint _e6 = f32_to_f16_(v_1);
    return (dt == DT_F16_) ? _e6 : _e5;
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
    bool local_5 = {};
    uint i = 0u;
    q_2 = a_1 / b_1;
    float _e4 = q_2;
    bool finite = (as_type<uint>(_e4) & 2139095040u) != 2139095040u;
    if (!(!(finite))) {
        float _e14 = q_2;
        local_5 = _e14 == 0.0;
    } else {
        local_5 = true;
    }
    bool _e18 = local_5;
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
    float v_2 = {};
    uint e_5 = (code >> 1u) & 3u;
    float m = static_cast<float>(code & 1u);
    v_2 = m * 0.5;
    if (e_5 != 0u) {
        v_2 = (1.0 + (m * 0.5)) * static_cast<float>(1u << (e_5 - 1u));
    }
    float _e23 = v_2;
    float _e24 = v_2;
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
    bool local_6 = {};
    bool local_7 = {};
    uint v_3 = 0u;
    uint i_4 = 0u;
    uint word_1 = {};
    uint _e5 = p.wpr;
    uint row_word = row * _e5;
    uint start = row_word + (c * BITS);
    uint _e12 = p.wpr;
    uint end = row_word + _e12;
    if (true) {
        local_6 = (start & 3u) == 0u;
    } else {
        local_6 = false;
    }
    bool _e27 = local_6;
    if (_e27) {
        local_7 = (start + BITS) <= end;
    } else {
        local_7 = false;
    }
    bool _e34 = local_7;
    if (_e34) {
        bool loop_init_1 = true;
        while(true) {
            if (!loop_init_1) {
                uint _e85 = v_3;
                v_3 = _e85 + 1u;
            }
            loop_init_1 = false;
            uint _e37 = v_3;
            if (_e37 < 1u) {
            } else {
                break;
            }
            {
                uint _e46 = v_3;
                metal::uint4 q_3 = wq[(start >> 2u) + _e46];
                uint _e52 = v_3;
                wbuf.inner[base + (4u * _e52)] = q_3.x;
                uint _e59 = v_3;
                wbuf.inner[(base + (4u * _e59)) + 1u] = q_3.y;
                uint _e68 = v_3;
                wbuf.inner[(base + (4u * _e68)) + 2u] = q_3.z;
                uint _e77 = v_3;
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
    uint v_4 = {};
    uint pos = e_2 * BITS;
    uint wi = base_1 + (pos >> 5u);
    uint sh = pos & 31u;
    uint _e11 = wbuf.inner[wi];
    v_4 = _e11 >> sh;
    if ((sh + BITS) > 32u) {
        uint _e18 = v_4;
        uint _e23 = wbuf.inner[wi + 1u];
        v_4 = _e18 | (_e23 << (32u - sh));
    }
    uint _e28 = v_4;
    return _e28 & 15u;
}

float qmv_weight(
    uint base_2,
    uint e_3,
    threadgroup type_12& fp4_lut,
    thread type_15& wbuf
) {
    uint v_5 = {};
    if (true) {
        if (true) {
            uint _e12 = qmv_code(base_2, e_3, wbuf);
            return static_cast<float>(_e12);
        }
        uint pos_1 = e_3 * BITS;
        uint sh_1 = pos_1 & 31u;
        if ((sh_1 + BITS) <= 32u) {
            uint w_6 = wbuf.inner[base_2 + (pos_1 >> 5u)];
            if (sh_1 <= 19u) {
                v_5 = w_6 << (19u - sh_1);
            } else {
                v_5 = w_6 >> (sh_1 - 19u);
            }
            uint _e38 = v_5;
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
        float a_3 = _e35 * 16.0;
        return metal::float2(a_3, _e42 - a_3);
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
    uint i_5 = (x_row * _e4) + j_1;
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
                uint _e22 = x_word(i_5 + _e20, x_2, _buffer_sizes);
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
            uint _e36 = x_word((i_5 >> 1u) + _e34, x_2, _buffer_sizes);
            if (false) {
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
    uint i_6 = (x_row_1 * _e4) + j_2;
    if (true) {
        metal::uint4 _e16 = x_2[i_6 >> 2u];
        metal::uint4 _e24 = x_2[(i_6 >> 2u) + 1u];
        return X8_ {as_type<metal::float4>(_e16), as_type<metal::float4>(_e24)};
    }
    metal::uint4 w_7 = x_2[i_6 >> 3u];
    if (false) {
        return X8_ {metal::float4(float2(as_type<half2>(w_7.x)), float2(as_type<half2>(w_7.y))), metal::float4(float2(as_type<half2>(w_7.z)), float2(as_type<half2>(w_7.w)))};
    }
    metal::uint4 lo = metal::uint4(w_7.x << 16u, w_7.x & 4294901760u, w_7.y << 16u, w_7.y & 4294901760u);
    metal::uint4 hi = metal::uint4(w_7.z << 16u, w_7.z & 4294901760u, w_7.w << 16u, w_7.w & 4294901760u);
    return X8_ {as_type<metal::float4>(lo), as_type<metal::float4>(hi)};
}

metal::uint4 pairs4_(
    uint w_4
) {
    if (true) {
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
    bool local_8 = {};
    if (true) {
        local_8 = true;
    } else {
        local_8 = false;
    }
    bool _e15 = local_8;
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
    if (true) {
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
    float global_factor = 0.0;
    bool local = {};
    type_4 x_rows = {};
    uint mi = 0u;
    type_17 w_rows = {};
    uint ci = 0u;
    type_18 acc = {};
    bool local_1 = {};
    bool local_2 = {};
    bool local_3 = {};
    uint u0_ = {};
    type_19 wv = {};
    uint u = {};
    uint ci_1 = {};
    uint u_1 = {};
    uint v0_ = {};
    type_20 ab = {};
    uint ci_2 = {};
    type_18 dots = {};
    type_16 sx = {};
    uint v = {};
    uint mi_1 = {};
    uint ci_3 = {};
    uint mi_2 = {};
    uint ci_4 = {};
    uint c0_ = {};
    uint u_2 = {};
    uint ci_5 = {};
    uint u_3 = {};
    uint s0_ = {};
    type_20 ab_1 = {};
    uint ci_6 = {};
    type_18 dots_1 = {};
    type_16 sx_1 = {};
    uint e8_ = {};
    type_18 wf = {};
    uint ci_7 = {};
    uint e = {};
    uint mi_3 = {};
    uint ci_8 = {};
    float d = {};
    uint e_1 = {};
    uint mi_4 = {};
    uint ci_9 = {};
    uint mi_5 = 0u;
    uint ci_10 = {};
    uint stride = {};
    uint ci_11 = {};
    bool local_4 = {};
    uint ci_12 = {};
    uint ci_13 = {};
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
    uint count = tile_live ? tile.z : 0u;
    uint lane = lid % QMV_LANES;
    uint col0_ = ((wid.x * 8u) + (lid / QMV_LANES)) * QMV_COLS;
    uint _e44 = p.rows_per_w;
    uint row0_ = tile.x * _e44;
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
    bool loop_init_5 = true;
    while(true) {
        if (!loop_init_5) {
            uint _e89 = mi;
            mi = _e89 + 1u;
        }
        loop_init_5 = false;
        uint _e71 = mi;
        if (_e71 < QMV_XROWS) {
        } else {
            break;
        }
        {
            uint _e74 = mi;
            uint _e78 = mi;
            uint _e87 = rows[tile.y + metal::min(_e78, metal::max(count, 1u) - 1u)].x;
            x_rows.inner[_e74] = _e87;
        }
    }
    bool loop_init_6 = true;
    while(true) {
        if (!loop_init_6) {
            uint _e109 = ci;
            ci = _e109 + 1u;
        }
        loop_init_6 = false;
        uint _e94 = ci;
        if (_e94 < QMV_COLS) {
        } else {
            break;
        }
        {
            uint _e97 = ci;
            uint _e99 = ci;
            uint _e103 = p.n;
            w_rows.inner[_e97] = row0_ + metal::min(col0_ + _e99, _e103 - 1u);
        }
    }
    uint _e113 = p.k;
    uint chunks = (_e113 + 31u) / 32u;
    if (false) {
        local_1 = true;
    } else {
        local_1 = false;
    }
    bool word_path = local_1;
    uint _e137 = p.wpr;
    uint units = _e137 / QMV_VEC;
    if (false) {
        local_2 = true;
    } else {
        local_2 = false;
    }
    bool _e159 = local_2;
    float fp_unscale = _e159 ? 16384.0 : 1.0;
    if (word_path) {
        local_3 = count > 0u;
    } else {
        local_3 = false;
    }
    bool _e173 = local_3;
    u0_ = _e173 ? lane : units;
    bool loop_init_7 = true;
    while(true) {
        if (!loop_init_7) {
            uint _e411 = u0_;
            u0_ = _e411 + 32u;
        }
        loop_init_7 = false;
        uint _e176 = u0_;
        if (_e176 < units) {
        } else {
            break;
        }
        {
            wv = type_19 {};
            u = 0u;
            bool loop_init_8 = true;
            while(true) {
                if (!loop_init_8) {
                    uint _e245 = u;
                    u = _e245 + 1u;
                }
                loop_init_8 = false;
                uint _e182 = u;
                if (_e182 < QMV_UNROLL) {
                } else {
                    break;
                }
                {
                    uint _e185 = u0_;
                    uint _e186 = u;
                    uint c_1 = metal::min(_e185 + (_e186 * QMV_LANES), units - 1u);
                    ci_1 = 0u;
                    bool loop_init_9 = true;
                    while(true) {
                        if (!loop_init_9) {
                            uint _e242 = ci_1;
                            ci_1 = _e242 + 1u;
                        }
                        loop_init_9 = false;
                        uint _e195 = ci_1;
                        if (_e195 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e198 = ci_1;
                            uint _e200 = w_rows.inner[_e198];
                            uint _e203 = p.wpr;
                            uint wi_1 = (_e200 * _e203) + (c_1 * QMV_VEC);
                            if (true) {
                                uint _e212 = u;
                                uint _e215 = ci_1;
                                metal::uint4 _e222 = wq[wi_1 >> 2u];
                                wv.inner[(_e212 * QMAX_COLS) + _e215] = _e222;
                            } else {
                                uint _e223 = u;
                                uint _e226 = ci_1;
                                uint _e236 = wq[wi_1 >> 2u][wi_1 & 3u];
                                wv.inner[(_e223 * QMAX_COLS) + _e226] = metal::uint4(_e236, 0u, 0u, 0u);
                            }
                        }
                    }
                }
            }
            u_1 = 0u;
            bool loop_init_10 = true;
            while(true) {
                if (!loop_init_10) {
                    uint _e409 = u_1;
                    u_1 = _e409 + 1u;
                }
                loop_init_10 = false;
                uint _e249 = u_1;
                if (_e249 < QMV_UNROLL) {
                } else {
                    break;
                }
                {
                    uint _e252 = u0_;
                    uint _e253 = u_1;
                    uint c_2 = _e252 + (_e253 * QMV_LANES);
                    if (c_2 >= units) {
                        break;
                    }
                    v0_ = 0u;
                    bool loop_init_11 = true;
                    while(true) {
                        if (!loop_init_11) {
                            uint _e406 = v0_;
                            v0_ = _e406 + 4u;
                        }
                        loop_init_11 = false;
                        uint _e260 = v0_;
                        if (_e260 < QMV_VEC) {
                        } else {
                            break;
                        }
                        {
                            uint _e265 = v0_;
                            uint j0_ = ((c_2 * QMV_VEC) + _e265) * 8u;
                            ab = type_20 {};
                            ci_2 = 0u;
                            bool loop_init_12 = true;
                            while(true) {
                                if (!loop_init_12) {
                                    uint _e284 = ci_2;
                                    ci_2 = _e284 + 1u;
                                }
                                loop_init_12 = false;
                                uint _e273 = ci_2;
                                if (_e273 < QMV_COLS) {
                                } else {
                                    break;
                                }
                                {
                                    uint _e276 = ci_2;
                                    uint _e278 = ci_2;
                                    uint _e280 = w_rows.inner[_e278];
                                    float _e281 = global_factor;
                                    metal::float2 _e282 = qmv_group(_e280, j0_, _e281, p, scales, biases, _buffer_sizes);
                                    ab.inner[_e276] = _e282;
                                }
                            }
                            dots = type_18 {};
                            sx = type_16 {};
                            uint _e290 = v0_;
                            v = _e290;
                            bool loop_init_13 = true;
                            while(true) {
                                if (!loop_init_13) {
                                    uint _e358 = v;
                                    v = _e358 + 1u;
                                }
                                loop_init_13 = false;
                                uint _e292 = v;
                                uint _e293 = v0_;
                                if (_e292 < (_e293 + 4u)) {
                                } else {
                                    break;
                                }
                                {
                                    mi_1 = 0u;
                                    bool loop_init_14 = true;
                                    while(true) {
                                        if (!loop_init_14) {
                                            uint _e355 = mi_1;
                                            mi_1 = _e355 + 1u;
                                        }
                                        loop_init_14 = false;
                                        uint _e298 = mi_1;
                                        if (_e298 < QMV_XROWS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            uint _e301 = mi_1;
                                            if (_e301 < count) {
                                                uint _e303 = mi_1;
                                                uint _e305 = x_rows.inner[_e303];
                                                uint _e306 = v;
                                                uint _e307 = v0_;
                                                X8_ _e312 = qmv_x8v(_e305, j0_ + ((_e306 - _e307) * 8u), p, x_2, _buffer_sizes);
                                                if (true) {
                                                    uint _e318 = mi_1;
                                                    float _e320 = sx.inner[_e318];
                                                    sx.inner[_e318] = _e320 + metal::dot(_e312.lo + _e312.hi, metal::float4(1.0));
                                                }
                                                ci_3 = 0u;
                                                bool loop_init_15 = true;
                                                while(true) {
                                                    if (!loop_init_15) {
                                                        uint _e352 = ci_3;
                                                        ci_3 = _e352 + 1u;
                                                    }
                                                    loop_init_15 = false;
                                                    uint _e330 = ci_3;
                                                    if (_e330 < QMV_COLS) {
                                                    } else {
                                                        break;
                                                    }
                                                    {
                                                        uint _e333 = ci_3;
                                                        uint _e336 = mi_1;
                                                        float _e339 = dots.inner[(_e333 * QMAX_ROWS) + _e336];
                                                        uint _e340 = u_1;
                                                        uint _e343 = ci_3;
                                                        uint _e346 = v;
                                                        uint _e348 = wv.inner[(_e340 * QMAX_COLS) + _e343][_e346];
                                                        float _e349 = qmv_dot_word4_(_e348, _e312, fp4_lut);
                                                        dots.inner[(_e333 * QMAX_ROWS) + _e336] = _e339 + _e349;
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                            mi_2 = 0u;
                            bool loop_init_16 = true;
                            while(true) {
                                if (!loop_init_16) {
                                    uint _e404 = mi_2;
                                    mi_2 = _e404 + 1u;
                                }
                                loop_init_16 = false;
                                uint _e362 = mi_2;
                                if (_e362 < QMV_XROWS) {
                                } else {
                                    break;
                                }
                                {
                                    ci_4 = 0u;
                                    bool loop_init_17 = true;
                                    while(true) {
                                        if (!loop_init_17) {
                                            uint _e401 = ci_4;
                                            ci_4 = _e401 + 1u;
                                        }
                                        loop_init_17 = false;
                                        uint _e367 = ci_4;
                                        if (_e367 < QMV_COLS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            uint _e370 = ci_4;
                                            uint _e373 = mi_2;
                                            float _e376 = acc.inner[(_e370 * QMAX_ROWS) + _e373];
                                            uint _e377 = ci_4;
                                            float _e380 = ab.inner[_e377].x;
                                            uint _e381 = ci_4;
                                            uint _e384 = mi_2;
                                            float _e387 = dots.inner[(_e381 * QMAX_ROWS) + _e384];
                                            uint _e390 = ci_4;
                                            float _e393 = ab.inner[_e390].y;
                                            uint _e394 = mi_2;
                                            float _e396 = sx.inner[_e394];
                                            acc.inner[(_e370 * QMAX_ROWS) + _e373] = _e376 + ((_e380 * (_e387 * fp_unscale)) + (_e393 * _e396));
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
    uint first = (count > 0u) ? lane : chunks;
    c0_ = word_path ? chunks : first;
    bool loop_init_18 = true;
    while(true) {
        if (!loop_init_18) {
            uint _e698 = c0_;
            c0_ = _e698 + 32u;
        }
        loop_init_18 = false;
        uint _e425 = c0_;
        if (_e425 < chunks) {
        } else {
            break;
        }
        {
            u_2 = 0u;
            bool loop_init_19 = true;
            while(true) {
                if (!loop_init_19) {
                    uint _e458 = u_2;
                    u_2 = _e458 + 1u;
                }
                loop_init_19 = false;
                uint _e429 = u_2;
                if (_e429 < 2u) {
                } else {
                    break;
                }
                {
                    uint _e431 = c0_;
                    uint _e432 = u_2;
                    uint c_3 = metal::min(_e431 + (_e432 * QMV_LANES), chunks - 1u);
                    ci_5 = 0u;
                    bool loop_init_20 = true;
                    while(true) {
                        if (!loop_init_20) {
                            uint _e455 = ci_5;
                            ci_5 = _e455 + 1u;
                        }
                        loop_init_20 = false;
                        uint _e441 = ci_5;
                        if (_e441 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e444 = ci_5;
                            uint _e446 = w_rows.inner[_e444];
                            uint _e447 = u_2;
                            uint _e450 = ci_5;
                            qmv_load(_e446, c_3, ((_e447 * QMAX_COLS) + _e450) * 8u, wq, p, wbuf, _buffer_sizes);
                        }
                    }
                }
            }
            u_3 = 0u;
            bool loop_init_21 = true;
            while(true) {
                if (!loop_init_21) {
                    uint _e696 = u_3;
                    u_3 = _e696 + 1u;
                }
                loop_init_21 = false;
                uint _e462 = u_3;
                if (_e462 < 2u) {
                } else {
                    break;
                }
                {
                    uint _e464 = c0_;
                    uint _e465 = u_3;
                    uint c_4 = _e464 + (_e465 * QMV_LANES);
                    if (c_4 >= chunks) {
                        break;
                    }
                    s0_ = 0u;
                    bool loop_init_22 = true;
                    while(true) {
                        if (!loop_init_22) {
                            uint _e693 = s0_;
                            s0_ = _e693 + 32u;
                        }
                        loop_init_22 = false;
                        uint _e472 = s0_;
                        if (_e472 < 32u) {
                        } else {
                            break;
                        }
                        {
                            uint _e477 = s0_;
                            uint j0_1 = (c_4 * 32u) + _e477;
                            uint _e481 = p.k;
                            if (j0_1 >= _e481) {
                                break;
                            }
                            ab_1 = type_20 {};
                            ci_6 = 0u;
                            bool loop_init_23 = true;
                            while(true) {
                                if (!loop_init_23) {
                                    uint _e498 = ci_6;
                                    ci_6 = _e498 + 1u;
                                }
                                loop_init_23 = false;
                                uint _e487 = ci_6;
                                if (_e487 < QMV_COLS) {
                                } else {
                                    break;
                                }
                                {
                                    uint _e490 = ci_6;
                                    uint _e492 = ci_6;
                                    uint _e494 = w_rows.inner[_e492];
                                    float _e495 = global_factor;
                                    metal::float2 _e496 = qmv_group(_e494, j0_1, _e495, p, scales, biases, _buffer_sizes);
                                    ab_1.inner[_e490] = _e496;
                                }
                            }
                            dots_1 = type_18 {};
                            sx_1 = type_16 {};
                            e8_ = 0u;
                            bool loop_init_24 = true;
                            while(true) {
                                if (!loop_init_24) {
                                    uint _e645 = e8_;
                                    e8_ = _e645 + 8u;
                                }
                                loop_init_24 = false;
                                uint _e506 = e8_;
                                if (_e506 < 32u) {
                                } else {
                                    break;
                                }
                                {
                                    wf = type_18 {};
                                    ci_7 = 0u;
                                    bool loop_init_25 = true;
                                    while(true) {
                                        if (!loop_init_25) {
                                            uint _e543 = ci_7;
                                            ci_7 = _e543 + 1u;
                                        }
                                        loop_init_25 = false;
                                        uint _e512 = ci_7;
                                        if (_e512 < QMV_COLS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            e = 0u;
                                            bool loop_init_26 = true;
                                            while(true) {
                                                if (!loop_init_26) {
                                                    uint _e540 = e;
                                                    e = _e540 + 1u;
                                                }
                                                loop_init_26 = false;
                                                uint _e517 = e;
                                                if (_e517 < 8u) {
                                                } else {
                                                    break;
                                                }
                                                {
                                                    uint _e520 = ci_7;
                                                    uint _e523 = e;
                                                    uint _e526 = u_3;
                                                    uint _e529 = ci_7;
                                                    uint _e533 = s0_;
                                                    uint _e534 = e8_;
                                                    uint _e536 = e;
                                                    float _e538 = qmv_weight(((_e526 * QMAX_COLS) + _e529) * 8u, (_e533 + _e534) + _e536, fp4_lut, wbuf);
                                                    wf.inner[(_e520 * 8u) + _e523] = _e538;
                                                }
                                            }
                                        }
                                    }
                                    mi_3 = 0u;
                                    bool loop_init_27 = true;
                                    while(true) {
                                        if (!loop_init_27) {
                                            uint _e643 = mi_3;
                                            mi_3 = _e643 + 1u;
                                        }
                                        loop_init_27 = false;
                                        uint _e547 = mi_3;
                                        if (_e547 < QMV_XROWS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            uint _e550 = mi_3;
                                            if (_e550 < count) {
                                                uint _e552 = mi_3;
                                                uint _e554 = x_rows.inner[_e552];
                                                uint _e555 = e8_;
                                                qmv_x8_(_e554, j0_1 + _e555, p, x_2, xv, _buffer_sizes);
                                                if (true) {
                                                    uint _e562 = mi_3;
                                                    float _e564 = sx_1.inner[_e562];
                                                    float _e567 = xv.inner[0];
                                                    float _e570 = xv.inner[1];
                                                    float _e574 = xv.inner[2];
                                                    float _e577 = xv.inner[3];
                                                    float _e582 = xv.inner[4];
                                                    float _e585 = xv.inner[5];
                                                    float _e589 = xv.inner[6];
                                                    float _e592 = xv.inner[7];
                                                    sx_1.inner[_e562] = _e564 + (((_e567 + _e570) + (_e574 + _e577)) + ((_e582 + _e585) + (_e589 + _e592)));
                                                }
                                                ci_8 = 0u;
                                                bool loop_init_28 = true;
                                                while(true) {
                                                    if (!loop_init_28) {
                                                        uint _e640 = ci_8;
                                                        ci_8 = _e640 + 1u;
                                                    }
                                                    loop_init_28 = false;
                                                    uint _e599 = ci_8;
                                                    if (_e599 < QMV_COLS) {
                                                    } else {
                                                        break;
                                                    }
                                                    {
                                                        uint _e602 = ci_8;
                                                        uint _e605 = mi_3;
                                                        float _e608 = dots_1.inner[(_e602 * QMAX_ROWS) + _e605];
                                                        d = _e608;
                                                        e_1 = 0u;
                                                        bool loop_init_29 = true;
                                                        while(true) {
                                                            if (!loop_init_29) {
                                                                uint _e630 = e_1;
                                                                e_1 = _e630 + 1u;
                                                            }
                                                            loop_init_29 = false;
                                                            uint _e612 = e_1;
                                                            if (_e612 < 8u) {
                                                            } else {
                                                                break;
                                                            }
                                                            {
                                                                float _e615 = d;
                                                                uint _e617 = e_1;
                                                                float _e619 = xv.inner[_e617];
                                                                uint _e620 = ci_8;
                                                                uint _e623 = e_1;
                                                                float _e626 = wf.inner[(_e620 * 8u) + _e623];
                                                                d = _e615 + (_e619 * _e626);
                                                            }
                                                        }
                                                        uint _e632 = ci_8;
                                                        uint _e635 = mi_3;
                                                        float _e638 = d;
                                                        dots_1.inner[(_e632 * QMAX_ROWS) + _e635] = _e638;
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                            mi_4 = 0u;
                            bool loop_init_30 = true;
                            while(true) {
                                if (!loop_init_30) {
                                    uint _e691 = mi_4;
                                    mi_4 = _e691 + 1u;
                                }
                                loop_init_30 = false;
                                uint _e650 = mi_4;
                                if (_e650 < QMV_XROWS) {
                                } else {
                                    break;
                                }
                                {
                                    ci_9 = 0u;
                                    bool loop_init_31 = true;
                                    while(true) {
                                        if (!loop_init_31) {
                                            uint _e688 = ci_9;
                                            ci_9 = _e688 + 1u;
                                        }
                                        loop_init_31 = false;
                                        uint _e655 = ci_9;
                                        if (_e655 < QMV_COLS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            uint _e658 = ci_9;
                                            uint _e661 = mi_4;
                                            float _e664 = acc.inner[(_e658 * QMAX_ROWS) + _e661];
                                            uint _e665 = ci_9;
                                            float _e668 = ab_1.inner[_e665].x;
                                            uint _e669 = ci_9;
                                            uint _e672 = mi_4;
                                            float _e675 = dots_1.inner[(_e669 * QMAX_ROWS) + _e672];
                                            uint _e677 = ci_9;
                                            float _e680 = ab_1.inner[_e677].y;
                                            uint _e681 = mi_4;
                                            float _e683 = sx_1.inner[_e681];
                                            acc.inner[(_e658 * QMAX_ROWS) + _e661] = _e664 + ((_e668 * _e675) + (_e680 * _e683));
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
    bool loop_init_32 = true;
    while(true) {
        if (!loop_init_32) {
            uint _e859 = mi_5;
            mi_5 = _e859 + 1u;
        }
        loop_init_32 = false;
        uint _e702 = mi_5;
        if (_e702 < QMV_XROWS) {
        } else {
            break;
        }
        {
            ci_10 = 0u;
            bool loop_init_33 = true;
            while(true) {
                if (!loop_init_33) {
                    uint _e724 = ci_10;
                    ci_10 = _e724 + 1u;
                }
                loop_init_33 = false;
                uint _e707 = ci_10;
                if (_e707 < QMV_COLS) {
                } else {
                    break;
                }
                {
                    uint _e711 = ci_10;
                    uint _e716 = ci_10;
                    uint _e719 = mi_5;
                    float _e722 = acc.inner[(_e716 * QMAX_ROWS) + _e719];
                    red.inner[(_e711 * QMV_WG) + lid] = _e722;
                }
            }
            metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
            stride = 8u;
            bool loop_init_34 = true;
            while(true) {
                if (!loop_init_34) {
                    uint _e761 = stride;
                    stride = _e761 >> 1u;
                }
                loop_init_34 = false;
                uint _e731 = stride;
                if (_e731 > 0u) {
                } else {
                    break;
                }
                {
                    uint _e734 = stride;
                    if (lane < _e734) {
                        ci_11 = 0u;
                        bool loop_init_35 = true;
                        while(true) {
                            if (!loop_init_35) {
                                uint _e759 = ci_11;
                                ci_11 = _e759 + 1u;
                            }
                            loop_init_35 = false;
                            uint _e738 = ci_11;
                            if (_e738 < QMV_COLS) {
                            } else {
                                break;
                            }
                            {
                                uint _e742 = ci_11;
                                float _e747 = red.inner[(_e742 * QMV_WG) + lid];
                                uint _e749 = ci_11;
                                uint _e753 = stride;
                                float _e756 = red.inner[((_e749 * QMV_WG) + lid) + _e753];
                                red.inner[(_e742 * QMV_WG) + lid] = _e747 + _e756;
                            }
                        }
                    }
                    metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
                }
            }
            if (lane == 0u) {
                uint _e768 = mi_5;
                local_4 = _e768 < count;
            } else {
                local_4 = false;
            }
            bool _e771 = local_4;
            if (_e771) {
                uint _e774 = mi_5;
                uint _e778 = rows[tile.y + _e774].y;
                uint _e781 = p.n;
                uint o = _e778 * _e781;
                if (false) {
                    ci_12 = 0u;
                    bool loop_init_36 = true;
                    while(true) {
                        if (!loop_init_36) {
                            uint _e828 = ci_12;
                            ci_12 = _e828 + 2u;
                        }
                        loop_init_36 = false;
                        uint _e789 = ci_12;
                        if (_e789 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e792 = ci_12;
                            uint _e796 = p.n;
                            if ((col0_ + _e792) < _e796) {
                                uint _e799 = ci_12;
                                float _e804 = red.inner[(_e799 * QMV_WG) + lid];
                                uint _e806 = float_to_bits(_e804, XDT);
                                uint _e808 = ci_12;
                                float _e815 = red.inner[((_e808 + 1u) * QMV_WG) + lid];
                                uint _e817 = float_to_bits(_e815, XDT);
                                uint _e820 = ci_12;
                                out[((o + col0_) + _e820) >> 1u] = _e806 | (_e817 << 16u);
                            }
                        }
                    }
                } else {
                    ci_13 = 0u;
                    bool loop_init_37 = true;
                    while(true) {
                        if (!loop_init_37) {
                            uint _e856 = ci_13;
                            ci_13 = _e856 + 1u;
                        }
                        loop_init_37 = false;
                        uint _e833 = ci_13;
                        if (_e833 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e836 = ci_13;
                            uint _e840 = p.n;
                            if ((col0_ + _e836) < _e840) {
                                uint _e844 = ci_13;
                                uint _e848 = ci_13;
                                float _e853 = red.inner[(_e848 * QMV_WG) + lid];
                                out[(o + col0_) + _e844] = as_type<uint>(_e853);
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
