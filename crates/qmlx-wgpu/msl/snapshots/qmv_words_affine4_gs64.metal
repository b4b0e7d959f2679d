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
    metal::uint4 inner[8];
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
constant uint QMAX_UNROLL = 2u;
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
    uint i = 0u;
    q_2 = a_1 / b_1;
    float _e4 = q_2;
    bool finite = (as_type<uint>(_e4) & 2139095040u) != 2139095040u;
    if (!(!(finite))) {
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
    metal::uint4 v_5 = metal::uint4(w_2 << 19u, w_2 << 15u, w_2 << 11u, w_2 << 7u);
    return as_type<metal::float4>((v_5 & metal::uint4(7864320u)) | metal::uint4(1065353216u));
}

metal::float4 codes4_hi_unit(
    uint w_3
) {
    metal::uint4 v_6 = metal::uint4(w_3 << 3u, w_3 >> 1u, w_3 >> 5u, w_3 >> 9u);
    return as_type<metal::float4>((v_6 & metal::uint4(7864320u)) | metal::uint4(1065353216u));
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
    bool local_4 = {};
    bool local_5 = {};
    uint v_2 = 0u;
    uint i_3 = 0u;
    uint word_1 = {};
    uint _e5 = p.wpr;
    uint row_word = row * _e5;
    uint start = row_word + (c * BITS);
    uint _e12 = p.wpr;
    uint end = row_word + _e12;
    if (true) {
        local_4 = (start & 3u) == 0u;
    } else {
        local_4 = false;
    }
    bool _e27 = local_4;
    if (_e27) {
        local_5 = (start + BITS) <= end;
    } else {
        local_5 = false;
    }
    bool _e34 = local_5;
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
            uint _e106 = i_3;
            i_3 = _e106 + 1u;
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
                uint _e97 = i_3;
                uint _e99 = wq_word(start + _e97, wq, _buffer_sizes);
                word_1 = _e99;
            }
            uint _e101 = i_3;
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
    if (true) {
        if (true) {
            uint _e12 = qmv_code(base_2, e_3, wbuf);
            return static_cast<float>(_e12);
        }
        uint pos_1 = e_3 * BITS;
        uint sh_1 = pos_1 & 31u;
        if ((sh_1 + BITS) <= 32u) {
            uint w_5 = wbuf.inner[base_2 + (pos_1 >> 5u)];
            if (sh_1 <= 19u) {
                v_4 = w_5 << (19u - sh_1);
            } else {
                v_4 = w_5 >> (sh_1 - 19u);
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
    device type_8 const& x_2,
    thread type_16& xv,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint e_4 = 0u;
    uint t_1 = 0u;
    uint _e4 = p.k;
    uint i_4 = (x_row * _e4) + j_1;
    if (true) {
        bool loop_init_3 = true;
        while(true) {
            if (!loop_init_3) {
                uint _e27 = e_4;
                e_4 = _e27 + 1u;
            }
            loop_init_3 = false;
            uint _e14 = e_4;
            if (_e14 < 8u) {
            } else {
                break;
            }
            {
                uint _e18 = e_4;
                uint _e21 = e_4;
                uint _e24 = x_2[i_4 + _e21];
                xv.inner[_e18] = as_type<float>(_e24);
            }
        }
        return;
    }
    bool loop_init_4 = true;
    while(true) {
        if (!loop_init_4) {
            uint _e80 = t_1;
            t_1 = _e80 + 1u;
        }
        loop_init_4 = false;
        uint _e31 = t_1;
        if (_e31 < 4u) {
        } else {
            break;
        }
        {
            uint _e37 = t_1;
            uint w_6 = x_2[(i_4 >> 1u) + _e37];
            if (false) {
                metal::float2 v_7 = float2(as_type<half2>(w_6));
                uint _e49 = t_1;
                xv.inner[2u * _e49] = v_7.x;
                uint _e55 = t_1;
                xv.inner[(2u * _e55) + 1u] = v_7.y;
            } else {
                uint _e63 = t_1;
                xv.inner[2u * _e63] = as_type<float>(w_6 << 16u);
                uint _e71 = t_1;
                xv.inner[(2u * _e71) + 1u] = as_type<float>(w_6 & 4294901760u);
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
    uint i_5 = (x_row_1 * _e4) + j_2;
    if (true) {
        uint _e14 = x_2[i_5];
        uint _e19 = x_2[i_5 + 1u];
        uint _e24 = x_2[i_5 + 2u];
        uint _e29 = x_2[i_5 + 3u];
        uint _e36 = x_2[i_5 + 4u];
        uint _e41 = x_2[i_5 + 5u];
        uint _e46 = x_2[i_5 + 6u];
        uint _e51 = x_2[i_5 + 7u];
        return X8_ {as_type<metal::float4>(metal::uint4(_e14, _e19, _e24, _e29)), as_type<metal::float4>(metal::uint4(_e36, _e41, _e46, _e51))};
    }
    uint h = i_5 >> 1u;
    uint _e59 = x_2[h];
    uint _e64 = x_2[h + 1u];
    uint _e69 = x_2[h + 2u];
    uint _e74 = x_2[h + 3u];
    metal::uint4 w_7 = metal::uint4(_e59, _e64, _e69, _e74);
    if (false) {
        return X8_ {metal::float4(float2(as_type<half2>(w_7.x)), float2(as_type<half2>(w_7.y))), metal::float4(float2(as_type<half2>(w_7.z)), float2(as_type<half2>(w_7.w)))};
    }
    metal::uint4 lo = metal::uint4(w_7.x << 16u, w_7.x & 4294901760u, w_7.y << 16u, w_7.y & 4294901760u);
    metal::uint4 hi = metal::uint4(w_7.z << 16u, w_7.z & 4294901760u, w_7.w << 16u, w_7.w & 4294901760u);
    return X8_ {as_type<metal::float4>(lo), as_type<metal::float4>(hi)};
}

float qmv_dot_word4_(
    uint w_4,
    X8_ xs,
    threadgroup type_12& fp4_lut
) {
    if (true) {
        if (true) {
            metal::uint4 _e12 = codes4_lo(w_4);
            metal::uint4 _e16 = codes4_hi(w_4);
            return metal::dot(static_cast<metal::float4>(_e12), xs.lo) + metal::dot(static_cast<metal::float4>(_e16), xs.hi);
        }
        metal::float4 _e21 = codes4_lo_unit(w_4);
        metal::float4 _e24 = codes4_hi_unit(w_4);
        return metal::dot(_e21, xs.lo) + metal::dot(_e24, xs.hi);
    }
    metal::uint4 _e28 = codes4_lo(w_4);
    metal::uint4 _e29 = codes4_hi(w_4);
    float _e33 = fp4_lut.inner[_e28.x];
    float _e37 = fp4_lut.inner[_e28.y];
    float _e41 = fp4_lut.inner[_e28.z];
    float _e45 = fp4_lut.inner[_e28.w];
    metal::float4 vl = metal::float4(_e33, _e37, _e41, _e45);
    float _e50 = fp4_lut.inner[_e29.x];
    float _e54 = fp4_lut.inner[_e29.y];
    float _e58 = fp4_lut.inner[_e29.z];
    float _e62 = fp4_lut.inner[_e29.w];
    metal::float4 vh = metal::float4(_e50, _e54, _e58, _e62);
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
, device type_8 const& x_2 [[buffer(1)]]
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
    uint c0_ = {};
    type_19 wv = {};
    uint u = {};
    uint ci_1 = {};
    uint u_1 = {};
    uint s0_ = {};
    type_20 ab = {};
    uint ci_2 = {};
    type_18 dots = {};
    type_16 sx = {};
    uint t = {};
    uint mi_1 = {};
    uint ci_3 = {};
    uint mi_2 = {};
    uint ci_4 = {};
    uint c0_1 = {};
    uint u_2 = {};
    uint ci_5 = {};
    uint u_3 = {};
    uint s0_1 = {};
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
    bool local_2 = {};
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
    uint first = (count > 0u) ? lane : chunks;
    if (true) {
        local_1 = true;
    } else {
        local_1 = false;
    }
    bool word_path = local_1;
    c0_ = word_path ? first : chunks;
    bool loop_init_7 = true;
    while(true) {
        if (!loop_init_7) {
            uint _e357 = c0_;
            c0_ = _e357 + 32u;
        }
        loop_init_7 = false;
        uint _e145 = c0_;
        if (_e145 < chunks) {
        } else {
            break;
        }
        {
            wv = type_19 {};
            u = 0u;
            bool loop_init_8 = true;
            while(true) {
                if (!loop_init_8) {
                    uint _e190 = u;
                    u = _e190 + 1u;
                }
                loop_init_8 = false;
                uint _e151 = u;
                if (_e151 < QMV_UNROLL) {
                } else {
                    break;
                }
                {
                    uint _e154 = c0_;
                    uint _e155 = u;
                    uint c_1 = metal::min(_e154 + (_e155 * QMV_LANES), chunks - 1u);
                    ci_1 = 0u;
                    bool loop_init_9 = true;
                    while(true) {
                        if (!loop_init_9) {
                            uint _e187 = ci_1;
                            ci_1 = _e187 + 1u;
                        }
                        loop_init_9 = false;
                        uint _e164 = ci_1;
                        if (_e164 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e167 = u;
                            uint _e170 = ci_1;
                            uint _e174 = ci_1;
                            uint _e176 = w_rows.inner[_e174];
                            uint _e179 = p.wpr;
                            metal::uint4 _e185 = wq[((_e176 * _e179) >> 2u) + c_1];
                            wv.inner[(_e167 * QMAX_COLS) + _e170] = _e185;
                        }
                    }
                }
            }
            u_1 = 0u;
            bool loop_init_10 = true;
            while(true) {
                if (!loop_init_10) {
                    uint _e355 = u_1;
                    u_1 = _e355 + 1u;
                }
                loop_init_10 = false;
                uint _e194 = u_1;
                if (_e194 < QMV_UNROLL) {
                } else {
                    break;
                }
                {
                    uint _e197 = c0_;
                    uint _e198 = u_1;
                    uint c_2 = _e197 + (_e198 * QMV_LANES);
                    if (c_2 >= chunks) {
                        break;
                    }
                    s0_ = 0u;
                    bool loop_init_11 = true;
                    while(true) {
                        if (!loop_init_11) {
                            uint _e352 = s0_;
                            s0_ = _e352 + 32u;
                        }
                        loop_init_11 = false;
                        uint _e205 = s0_;
                        if (_e205 < 32u) {
                        } else {
                            break;
                        }
                        {
                            ab = type_20 {};
                            ci_2 = 0u;
                            bool loop_init_12 = true;
                            while(true) {
                                if (!loop_init_12) {
                                    uint _e227 = ci_2;
                                    ci_2 = _e227 + 1u;
                                }
                                loop_init_12 = false;
                                uint _e212 = ci_2;
                                if (_e212 < QMV_COLS) {
                                } else {
                                    break;
                                }
                                {
                                    uint _e215 = ci_2;
                                    uint _e217 = ci_2;
                                    uint _e219 = w_rows.inner[_e217];
                                    uint _e222 = s0_;
                                    float _e224 = global_factor;
                                    metal::float2 _e225 = qmv_group(_e219, (c_2 * 32u) + _e222, _e224, p, scales, biases, _buffer_sizes);
                                    ab.inner[_e215] = _e225;
                                }
                            }
                            dots = type_18 {};
                            sx = type_16 {};
                            uint _e233 = s0_;
                            t = _e233 / 8u;
                            bool loop_init_13 = true;
                            while(true) {
                                if (!loop_init_13) {
                                    uint _e305 = t;
                                    t = _e305 + 1u;
                                }
                                loop_init_13 = false;
                                uint _e237 = t;
                                uint _e238 = s0_;
                                if (_e237 < ((_e238 + 32u) / 8u)) {
                                } else {
                                    break;
                                }
                                {
                                    mi_1 = 0u;
                                    bool loop_init_14 = true;
                                    while(true) {
                                        if (!loop_init_14) {
                                            uint _e302 = mi_1;
                                            mi_1 = _e302 + 1u;
                                        }
                                        loop_init_14 = false;
                                        uint _e245 = mi_1;
                                        if (_e245 < QMV_XROWS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            uint _e248 = mi_1;
                                            if (_e248 < count) {
                                                uint _e250 = mi_1;
                                                uint _e252 = x_rows.inner[_e250];
                                                uint _e256 = t;
                                                X8_ _e259 = qmv_x8v(_e252, (c_2 * 32u) + (8u * _e256), p, x_2, _buffer_sizes);
                                                if (true) {
                                                    uint _e265 = mi_1;
                                                    float _e267 = sx.inner[_e265];
                                                    sx.inner[_e265] = _e267 + metal::dot(_e259.lo + _e259.hi, metal::float4(1.0));
                                                }
                                                ci_3 = 0u;
                                                bool loop_init_15 = true;
                                                while(true) {
                                                    if (!loop_init_15) {
                                                        uint _e299 = ci_3;
                                                        ci_3 = _e299 + 1u;
                                                    }
                                                    loop_init_15 = false;
                                                    uint _e277 = ci_3;
                                                    if (_e277 < QMV_COLS) {
                                                    } else {
                                                        break;
                                                    }
                                                    {
                                                        uint _e280 = ci_3;
                                                        uint _e283 = mi_1;
                                                        float _e286 = dots.inner[(_e280 * QMAX_ROWS) + _e283];
                                                        uint _e287 = u_1;
                                                        uint _e290 = ci_3;
                                                        uint _e293 = t;
                                                        uint _e295 = wv.inner[(_e287 * QMAX_COLS) + _e290][_e293];
                                                        float _e296 = qmv_dot_word4_(_e295, _e259, fp4_lut);
                                                        dots.inner[(_e280 * QMAX_ROWS) + _e283] = _e286 + _e296;
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
                                    uint _e350 = mi_2;
                                    mi_2 = _e350 + 1u;
                                }
                                loop_init_16 = false;
                                uint _e309 = mi_2;
                                if (_e309 < QMV_XROWS) {
                                } else {
                                    break;
                                }
                                {
                                    ci_4 = 0u;
                                    bool loop_init_17 = true;
                                    while(true) {
                                        if (!loop_init_17) {
                                            uint _e347 = ci_4;
                                            ci_4 = _e347 + 1u;
                                        }
                                        loop_init_17 = false;
                                        uint _e314 = ci_4;
                                        if (_e314 < QMV_COLS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            uint _e317 = ci_4;
                                            uint _e320 = mi_2;
                                            float _e323 = acc.inner[(_e317 * QMAX_ROWS) + _e320];
                                            uint _e324 = ci_4;
                                            float _e327 = ab.inner[_e324].x;
                                            uint _e328 = ci_4;
                                            uint _e331 = mi_2;
                                            float _e334 = dots.inner[(_e328 * QMAX_ROWS) + _e331];
                                            uint _e336 = ci_4;
                                            float _e339 = ab.inner[_e336].y;
                                            uint _e340 = mi_2;
                                            float _e342 = sx.inner[_e340];
                                            acc.inner[(_e317 * QMAX_ROWS) + _e320] = _e323 + ((_e327 * _e334) + (_e339 * _e342));
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
    c0_1 = word_path ? chunks : first;
    bool loop_init_18 = true;
    while(true) {
        if (!loop_init_18) {
            uint _e636 = c0_1;
            c0_1 = _e636 + 32u;
        }
        loop_init_18 = false;
        uint _e361 = c0_1;
        if (_e361 < chunks) {
        } else {
            break;
        }
        {
            u_2 = 0u;
            bool loop_init_19 = true;
            while(true) {
                if (!loop_init_19) {
                    uint _e395 = u_2;
                    u_2 = _e395 + 1u;
                }
                loop_init_19 = false;
                uint _e365 = u_2;
                if (_e365 < QMV_UNROLL) {
                } else {
                    break;
                }
                {
                    uint _e368 = c0_1;
                    uint _e369 = u_2;
                    uint c_3 = metal::min(_e368 + (_e369 * QMV_LANES), chunks - 1u);
                    ci_5 = 0u;
                    bool loop_init_20 = true;
                    while(true) {
                        if (!loop_init_20) {
                            uint _e392 = ci_5;
                            ci_5 = _e392 + 1u;
                        }
                        loop_init_20 = false;
                        uint _e378 = ci_5;
                        if (_e378 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e381 = ci_5;
                            uint _e383 = w_rows.inner[_e381];
                            uint _e384 = u_2;
                            uint _e387 = ci_5;
                            qmv_load(_e383, c_3, ((_e384 * QMAX_COLS) + _e387) * 8u, wq, p, wbuf, _buffer_sizes);
                        }
                    }
                }
            }
            u_3 = 0u;
            bool loop_init_21 = true;
            while(true) {
                if (!loop_init_21) {
                    uint _e634 = u_3;
                    u_3 = _e634 + 1u;
                }
                loop_init_21 = false;
                uint _e399 = u_3;
                if (_e399 < QMV_UNROLL) {
                } else {
                    break;
                }
                {
                    uint _e402 = c0_1;
                    uint _e403 = u_3;
                    uint c_4 = _e402 + (_e403 * QMV_LANES);
                    if (c_4 >= chunks) {
                        break;
                    }
                    s0_1 = 0u;
                    bool loop_init_22 = true;
                    while(true) {
                        if (!loop_init_22) {
                            uint _e631 = s0_1;
                            s0_1 = _e631 + 32u;
                        }
                        loop_init_22 = false;
                        uint _e410 = s0_1;
                        if (_e410 < 32u) {
                        } else {
                            break;
                        }
                        {
                            uint _e415 = s0_1;
                            uint j0_ = (c_4 * 32u) + _e415;
                            uint _e419 = p.k;
                            if (j0_ >= _e419) {
                                break;
                            }
                            ab_1 = type_20 {};
                            ci_6 = 0u;
                            bool loop_init_23 = true;
                            while(true) {
                                if (!loop_init_23) {
                                    uint _e436 = ci_6;
                                    ci_6 = _e436 + 1u;
                                }
                                loop_init_23 = false;
                                uint _e425 = ci_6;
                                if (_e425 < QMV_COLS) {
                                } else {
                                    break;
                                }
                                {
                                    uint _e428 = ci_6;
                                    uint _e430 = ci_6;
                                    uint _e432 = w_rows.inner[_e430];
                                    float _e433 = global_factor;
                                    metal::float2 _e434 = qmv_group(_e432, j0_, _e433, p, scales, biases, _buffer_sizes);
                                    ab_1.inner[_e428] = _e434;
                                }
                            }
                            dots_1 = type_18 {};
                            sx_1 = type_16 {};
                            e8_ = 0u;
                            bool loop_init_24 = true;
                            while(true) {
                                if (!loop_init_24) {
                                    uint _e583 = e8_;
                                    e8_ = _e583 + 8u;
                                }
                                loop_init_24 = false;
                                uint _e444 = e8_;
                                if (_e444 < 32u) {
                                } else {
                                    break;
                                }
                                {
                                    wf = type_18 {};
                                    ci_7 = 0u;
                                    bool loop_init_25 = true;
                                    while(true) {
                                        if (!loop_init_25) {
                                            uint _e481 = ci_7;
                                            ci_7 = _e481 + 1u;
                                        }
                                        loop_init_25 = false;
                                        uint _e450 = ci_7;
                                        if (_e450 < QMV_COLS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            e = 0u;
                                            bool loop_init_26 = true;
                                            while(true) {
                                                if (!loop_init_26) {
                                                    uint _e478 = e;
                                                    e = _e478 + 1u;
                                                }
                                                loop_init_26 = false;
                                                uint _e455 = e;
                                                if (_e455 < 8u) {
                                                } else {
                                                    break;
                                                }
                                                {
                                                    uint _e458 = ci_7;
                                                    uint _e461 = e;
                                                    uint _e464 = u_3;
                                                    uint _e467 = ci_7;
                                                    uint _e471 = s0_1;
                                                    uint _e472 = e8_;
                                                    uint _e474 = e;
                                                    float _e476 = qmv_weight(((_e464 * QMAX_COLS) + _e467) * 8u, (_e471 + _e472) + _e474, fp4_lut, wbuf);
                                                    wf.inner[(_e458 * 8u) + _e461] = _e476;
                                                }
                                            }
                                        }
                                    }
                                    mi_3 = 0u;
                                    bool loop_init_27 = true;
                                    while(true) {
                                        if (!loop_init_27) {
                                            uint _e581 = mi_3;
                                            mi_3 = _e581 + 1u;
                                        }
                                        loop_init_27 = false;
                                        uint _e485 = mi_3;
                                        if (_e485 < QMV_XROWS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            uint _e488 = mi_3;
                                            if (_e488 < count) {
                                                uint _e490 = mi_3;
                                                uint _e492 = x_rows.inner[_e490];
                                                uint _e493 = e8_;
                                                qmv_x8_(_e492, j0_ + _e493, p, x_2, xv, _buffer_sizes);
                                                if (true) {
                                                    uint _e500 = mi_3;
                                                    float _e502 = sx_1.inner[_e500];
                                                    float _e505 = xv.inner[0];
                                                    float _e508 = xv.inner[1];
                                                    float _e512 = xv.inner[2];
                                                    float _e515 = xv.inner[3];
                                                    float _e520 = xv.inner[4];
                                                    float _e523 = xv.inner[5];
                                                    float _e527 = xv.inner[6];
                                                    float _e530 = xv.inner[7];
                                                    sx_1.inner[_e500] = _e502 + (((_e505 + _e508) + (_e512 + _e515)) + ((_e520 + _e523) + (_e527 + _e530)));
                                                }
                                                ci_8 = 0u;
                                                bool loop_init_28 = true;
                                                while(true) {
                                                    if (!loop_init_28) {
                                                        uint _e578 = ci_8;
                                                        ci_8 = _e578 + 1u;
                                                    }
                                                    loop_init_28 = false;
                                                    uint _e537 = ci_8;
                                                    if (_e537 < QMV_COLS) {
                                                    } else {
                                                        break;
                                                    }
                                                    {
                                                        uint _e540 = ci_8;
                                                        uint _e543 = mi_3;
                                                        float _e546 = dots_1.inner[(_e540 * QMAX_ROWS) + _e543];
                                                        d = _e546;
                                                        e_1 = 0u;
                                                        bool loop_init_29 = true;
                                                        while(true) {
                                                            if (!loop_init_29) {
                                                                uint _e568 = e_1;
                                                                e_1 = _e568 + 1u;
                                                            }
                                                            loop_init_29 = false;
                                                            uint _e550 = e_1;
                                                            if (_e550 < 8u) {
                                                            } else {
                                                                break;
                                                            }
                                                            {
                                                                float _e553 = d;
                                                                uint _e555 = e_1;
                                                                float _e557 = xv.inner[_e555];
                                                                uint _e558 = ci_8;
                                                                uint _e561 = e_1;
                                                                float _e564 = wf.inner[(_e558 * 8u) + _e561];
                                                                d = _e553 + (_e557 * _e564);
                                                            }
                                                        }
                                                        uint _e570 = ci_8;
                                                        uint _e573 = mi_3;
                                                        float _e576 = d;
                                                        dots_1.inner[(_e570 * QMAX_ROWS) + _e573] = _e576;
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
                                    uint _e629 = mi_4;
                                    mi_4 = _e629 + 1u;
                                }
                                loop_init_30 = false;
                                uint _e588 = mi_4;
                                if (_e588 < QMV_XROWS) {
                                } else {
                                    break;
                                }
                                {
                                    ci_9 = 0u;
                                    bool loop_init_31 = true;
                                    while(true) {
                                        if (!loop_init_31) {
                                            uint _e626 = ci_9;
                                            ci_9 = _e626 + 1u;
                                        }
                                        loop_init_31 = false;
                                        uint _e593 = ci_9;
                                        if (_e593 < QMV_COLS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            uint _e596 = ci_9;
                                            uint _e599 = mi_4;
                                            float _e602 = acc.inner[(_e596 * QMAX_ROWS) + _e599];
                                            uint _e603 = ci_9;
                                            float _e606 = ab_1.inner[_e603].x;
                                            uint _e607 = ci_9;
                                            uint _e610 = mi_4;
                                            float _e613 = dots_1.inner[(_e607 * QMAX_ROWS) + _e610];
                                            uint _e615 = ci_9;
                                            float _e618 = ab_1.inner[_e615].y;
                                            uint _e619 = mi_4;
                                            float _e621 = sx_1.inner[_e619];
                                            acc.inner[(_e596 * QMAX_ROWS) + _e599] = _e602 + ((_e606 * _e613) + (_e618 * _e621));
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
            uint _e797 = mi_5;
            mi_5 = _e797 + 1u;
        }
        loop_init_32 = false;
        uint _e640 = mi_5;
        if (_e640 < QMV_XROWS) {
        } else {
            break;
        }
        {
            ci_10 = 0u;
            bool loop_init_33 = true;
            while(true) {
                if (!loop_init_33) {
                    uint _e662 = ci_10;
                    ci_10 = _e662 + 1u;
                }
                loop_init_33 = false;
                uint _e645 = ci_10;
                if (_e645 < QMV_COLS) {
                } else {
                    break;
                }
                {
                    uint _e649 = ci_10;
                    uint _e654 = ci_10;
                    uint _e657 = mi_5;
                    float _e660 = acc.inner[(_e654 * QMAX_ROWS) + _e657];
                    red.inner[(_e649 * QMV_WG) + lid] = _e660;
                }
            }
            metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
            stride = 8u;
            bool loop_init_34 = true;
            while(true) {
                if (!loop_init_34) {
                    uint _e699 = stride;
                    stride = _e699 >> 1u;
                }
                loop_init_34 = false;
                uint _e669 = stride;
                if (_e669 > 0u) {
                } else {
                    break;
                }
                {
                    uint _e672 = stride;
                    if (lane < _e672) {
                        ci_11 = 0u;
                        bool loop_init_35 = true;
                        while(true) {
                            if (!loop_init_35) {
                                uint _e697 = ci_11;
                                ci_11 = _e697 + 1u;
                            }
                            loop_init_35 = false;
                            uint _e676 = ci_11;
                            if (_e676 < QMV_COLS) {
                            } else {
                                break;
                            }
                            {
                                uint _e680 = ci_11;
                                float _e685 = red.inner[(_e680 * QMV_WG) + lid];
                                uint _e687 = ci_11;
                                uint _e691 = stride;
                                float _e694 = red.inner[((_e687 * QMV_WG) + lid) + _e691];
                                red.inner[(_e680 * QMV_WG) + lid] = _e685 + _e694;
                            }
                        }
                    }
                    metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
                }
            }
            if (lane == 0u) {
                uint _e706 = mi_5;
                local_2 = _e706 < count;
            } else {
                local_2 = false;
            }
            bool _e709 = local_2;
            if (_e709) {
                uint _e712 = mi_5;
                uint _e716 = rows[tile.y + _e712].y;
                uint _e719 = p.n;
                uint o = _e716 * _e719;
                if (false) {
                    ci_12 = 0u;
                    bool loop_init_36 = true;
                    while(true) {
                        if (!loop_init_36) {
                            uint _e766 = ci_12;
                            ci_12 = _e766 + 2u;
                        }
                        loop_init_36 = false;
                        uint _e727 = ci_12;
                        if (_e727 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e730 = ci_12;
                            uint _e734 = p.n;
                            if ((col0_ + _e730) < _e734) {
                                uint _e737 = ci_12;
                                float _e742 = red.inner[(_e737 * QMV_WG) + lid];
                                uint _e744 = float_to_bits(_e742, XDT);
                                uint _e746 = ci_12;
                                float _e753 = red.inner[((_e746 + 1u) * QMV_WG) + lid];
                                uint _e755 = float_to_bits(_e753, XDT);
                                uint _e758 = ci_12;
                                out[((o + col0_) + _e758) >> 1u] = _e744 | (_e755 << 16u);
                            }
                        }
                    }
                } else {
                    ci_13 = 0u;
                    bool loop_init_37 = true;
                    while(true) {
                        if (!loop_init_37) {
                            uint _e794 = ci_13;
                            ci_13 = _e794 + 1u;
                        }
                        loop_init_37 = false;
                        uint _e771 = ci_13;
                        if (_e771 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e774 = ci_13;
                            uint _e778 = p.n;
                            if ((col0_ + _e774) < _e778) {
                                uint _e782 = ci_13;
                                uint _e786 = ci_13;
                                float _e791 = red.inner[(_e786 * QMV_WG) + lid];
                                out[(o + col0_) + _e782] = as_type<uint>(_e791);
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
