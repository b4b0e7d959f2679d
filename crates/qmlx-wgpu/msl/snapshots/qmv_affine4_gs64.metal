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
typedef metal::uint4 type_6[1];
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
typedef uint type_7[1];
typedef float type_8[1];
typedef metal::uint2 type_10[1];
struct type_11 {
    float inner[16];
};
struct type_13 {
    float inner[1024];
};
struct type_14 {
    uint inner[64];
};
struct type_15 {
    float inner[8];
};
struct type_16 {
    uint inner[4];
};
struct type_17 {
    float inner[32];
};
struct type_18 {
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
constant uint QMV_OUT16_ = 0u;

float f16_to_f32_(
    uint h
) {
    uint s = (h & 32768u) << 16u;
    uint e_5 = (h >> 10u) & 31u;
    uint m = h & 1023u;
    if (e_5 == 0u) {
        return as_type<float>(as_type<uint>(static_cast<float>(m) * 0.000000059604645) | s);
    }
    if (e_5 == 31u) {
        return as_type<float>((s | 2139095040u) | (m << 13u));
    }
    return as_type<float>((s | ((e_5 + 112u) << 23u)) | (m << 13u));
}

uint naga_f2u32(float value) {
    return static_cast<uint>(metal::clamp(value, 0.0, 4294967000.0));
}

uint f32_to_f16_(
    float f
) {
    uint x_3 = as_type<uint>(f);
    uint s_1 = (x_3 >> 16u) & 32768u;
    uint a_2 = x_3 & 2147483647u;
    if (a_2 > 2139095040u) {
        return (s_1 | 32256u) | ((a_2 & 8388607u) >> 13u);
    }
    if (a_2 >= 1199566848u) {
        return s_1 | 31744u;
    }
    if (a_2 < 947912704u) {
        return s_1 | naga_f2u32(metal::rint(as_type<float>(a_2) * 16777216.0));
    }
    uint r = (a_2 + 4095u) + ((a_2 >> 13u) & 1u);
    return s_1 | ((r - 939524096u) >> 13u);
}

float bf16_to_f32_(
    uint h_1
) {
    return as_type<float>(h_1 << 16u);
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

uint word_index(
    uint i,
    uint dt
) {
    return (dt == DT_F32_) ? i : (i >> 1u);
}

float float_from_word(
    uint word,
    uint i_1,
    uint dt_1
) {
    if (dt_1 == DT_F32_) {
        return as_type<float>(word);
    }
    uint h_2 = (word >> ((i_1 & 1u) * 16u)) & 65535u;
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
    bool local_2 = {};
    uint i_2 = 0u;
    q_2 = a_1 / b_1;
    float _e4 = q_2;
    bool finite = (as_type<uint>(_e4) & 2139095040u) != 2139095040u;
    if (!(!(finite))) {
        float _e14 = q_2;
        local_2 = _e14 == 0.0;
    } else {
        local_2 = true;
    }
    bool _e18 = local_2;
    if (_e18) {
        float _e19 = q_2;
        return _e19;
    }
    bool loop_init = true;
    while(true) {
        if (!loop_init) {
            uint _e41 = i_2;
            i_2 = _e41 + 1u;
        }
        loop_init = false;
        uint _e22 = i_2;
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
    uint i_3,
    device type_6 const& wq,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint _e8 = wq[i_3 >> 2u][i_3 & 3u];
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
    device type_6 const& wq,
    constant Params& p,
    thread type_14& wbuf,
    constant _mslBufferSizes& _buffer_sizes
) {
    bool local_3 = {};
    bool local_4 = {};
    uint v_2 = 0u;
    uint i_4 = 0u;
    uint word_1 = {};
    uint _e5 = p.wpr;
    uint row_word = row * _e5;
    uint start = row_word + (c * BITS);
    uint _e12 = p.wpr;
    uint end = row_word + _e12;
    if (true) {
        local_3 = (start & 3u) == 0u;
    } else {
        local_3 = false;
    }
    bool _e27 = local_3;
    if (_e27) {
        local_4 = (start + BITS) <= end;
    } else {
        local_4 = false;
    }
    bool _e34 = local_4;
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
    thread type_14& wbuf
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
    threadgroup type_11& fp4_lut,
    thread type_14& wbuf
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
            uint w = wbuf.inner[base_2 + (pos_1 >> 5u)];
            if (sh_1 <= 19u) {
                v_4 = w << (19u - sh_1);
            } else {
                v_4 = w >> (sh_1 - 19u);
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
    device type_7 const& scales,
    device type_7 const& biases,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint _e5 = p.gpr;
    uint g = (row_1 * _e5) + (j / GS);
    if (true) {
        uint _e17 = word_index(g, XDT);
        uint _e19 = scales[_e17];
        float _e21 = float_from_word(_e19, g, XDT);
        uint _e24 = word_index(g, XDT);
        uint _e26 = biases[_e24];
        float _e28 = float_from_word(_e26, g, XDT);
        if (true) {
            return metal::float2(_e21, _e28);
        }
        float a_3 = _e21 * 16.0;
        return metal::float2(a_3, _e28 - a_3);
    }
    uint _e47 = scales[g >> 2u];
    uint byte_1 = (_e47 >> ((g & 3u) * 8u)) & 255u;
    uint _e57 = p.has_global;
    float _e60 = fp_scale(byte_1, global_factor_2, _e57 != 0u);
    return metal::float2(_e60, 0.0);
}

void qmv_x8_(
    uint x_row,
    uint j_1,
    constant Params& p,
    device type_7 const& x_2,
    thread type_15& xv,
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
                uint _e24 = x_2[i_5 + _e21];
                xv.inner[_e18] = as_type<float>(_e24);
            }
        }
        return;
    }
    bool loop_init_4 = true;
    while(true) {
        if (!loop_init_4) {
            uint _e80 = t;
            t = _e80 + 1u;
        }
        loop_init_4 = false;
        uint _e31 = t;
        if (_e31 < 4u) {
        } else {
            break;
        }
        {
            uint _e37 = t;
            uint w_1 = x_2[(i_5 >> 1u) + _e37];
            if (false) {
                metal::float2 v_5 = float2(as_type<half2>(w_1));
                uint _e49 = t;
                xv.inner[2u * _e49] = v_5.x;
                uint _e55 = t;
                xv.inner[(2u * _e55) + 1u] = v_5.y;
            } else {
                uint _e63 = t;
                xv.inner[2u * _e63] = as_type<float>(w_1 << 16u);
                uint _e71 = t;
                xv.inner[(2u * _e71) + 1u] = as_type<float>(w_1 & 4294901760u);
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
, device type_6 const& wq [[buffer(2)]]
, constant Params& p [[buffer(0)]]
, device type_7 const& x_2 [[buffer(1)]]
, device type_7 const& scales [[buffer(3)]]
, device type_7 const& biases [[buffer(4)]]
, device type_8 const& gscale [[buffer(5)]]
, device type_6 const& tiles [[buffer(6)]]
, device type_10 const& rows [[buffer(7)]]
, device type_7& out [[buffer(8)]]
, threadgroup type_13& red
, threadgroup type_11& fp4_lut
, constant _mslBufferSizes& _buffer_sizes [[buffer(15)]]
) {
    uint opaque_zero = {};
    type_14 wbuf = {};
    type_15 xv = {};
    float global_factor = 0.0;
    bool local = {};
    type_4 x_rows = {};
    uint mi = 0u;
    type_16 w_rows = {};
    uint ci = 0u;
    type_17 acc = {};
    uint c0_ = {};
    uint u = {};
    uint ci_1 = {};
    uint u_1 = {};
    uint s0_ = {};
    type_18 ab = {};
    uint ci_2 = {};
    type_17 dots = {};
    type_15 sx = {};
    uint e8_ = {};
    type_17 wf = {};
    uint ci_3 = {};
    uint e = {};
    uint mi_1 = {};
    uint ci_4 = {};
    float d = {};
    uint e_1 = {};
    uint mi_2 = {};
    uint ci_5 = {};
    uint mi_3 = 0u;
    uint ci_6 = {};
    uint stride = {};
    uint ci_7 = {};
    bool local_1 = {};
    uint ci_8 = {};
    uint ci_9 = {};
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
    c0_ = (count > 0u) ? lane : chunks;
    bool loop_init_7 = true;
    while(true) {
        if (!loop_init_7) {
            uint _e407 = c0_;
            c0_ = _e407 + 32u;
        }
        loop_init_7 = false;
        uint _e132 = c0_;
        if (_e132 < chunks) {
        } else {
            break;
        }
        {
            u = 0u;
            bool loop_init_8 = true;
            while(true) {
                if (!loop_init_8) {
                    uint _e166 = u;
                    u = _e166 + 1u;
                }
                loop_init_8 = false;
                uint _e136 = u;
                if (_e136 < QMV_UNROLL) {
                } else {
                    break;
                }
                {
                    uint _e139 = c0_;
                    uint _e140 = u;
                    uint c_1 = metal::min(_e139 + (_e140 * QMV_LANES), chunks - 1u);
                    ci_1 = 0u;
                    bool loop_init_9 = true;
                    while(true) {
                        if (!loop_init_9) {
                            uint _e163 = ci_1;
                            ci_1 = _e163 + 1u;
                        }
                        loop_init_9 = false;
                        uint _e149 = ci_1;
                        if (_e149 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e152 = ci_1;
                            uint _e154 = w_rows.inner[_e152];
                            uint _e155 = u;
                            uint _e158 = ci_1;
                            qmv_load(_e154, c_1, ((_e155 * QMAX_COLS) + _e158) * 8u, wq, p, wbuf, _buffer_sizes);
                        }
                    }
                }
            }
            u_1 = 0u;
            bool loop_init_10 = true;
            while(true) {
                if (!loop_init_10) {
                    uint _e405 = u_1;
                    u_1 = _e405 + 1u;
                }
                loop_init_10 = false;
                uint _e170 = u_1;
                if (_e170 < QMV_UNROLL) {
                } else {
                    break;
                }
                {
                    uint _e173 = c0_;
                    uint _e174 = u_1;
                    uint c_2 = _e173 + (_e174 * QMV_LANES);
                    if (c_2 >= chunks) {
                        break;
                    }
                    s0_ = 0u;
                    bool loop_init_11 = true;
                    while(true) {
                        if (!loop_init_11) {
                            uint _e402 = s0_;
                            s0_ = _e402 + 32u;
                        }
                        loop_init_11 = false;
                        uint _e181 = s0_;
                        if (_e181 < 32u) {
                        } else {
                            break;
                        }
                        {
                            uint _e186 = s0_;
                            uint j0_ = (c_2 * 32u) + _e186;
                            uint _e190 = p.k;
                            if (j0_ >= _e190) {
                                break;
                            }
                            ab = type_18 {};
                            ci_2 = 0u;
                            bool loop_init_12 = true;
                            while(true) {
                                if (!loop_init_12) {
                                    uint _e207 = ci_2;
                                    ci_2 = _e207 + 1u;
                                }
                                loop_init_12 = false;
                                uint _e196 = ci_2;
                                if (_e196 < QMV_COLS) {
                                } else {
                                    break;
                                }
                                {
                                    uint _e199 = ci_2;
                                    uint _e201 = ci_2;
                                    uint _e203 = w_rows.inner[_e201];
                                    float _e204 = global_factor;
                                    metal::float2 _e205 = qmv_group(_e203, j0_, _e204, p, scales, biases, _buffer_sizes);
                                    ab.inner[_e199] = _e205;
                                }
                            }
                            dots = type_17 {};
                            sx = type_15 {};
                            e8_ = 0u;
                            bool loop_init_13 = true;
                            while(true) {
                                if (!loop_init_13) {
                                    uint _e354 = e8_;
                                    e8_ = _e354 + 8u;
                                }
                                loop_init_13 = false;
                                uint _e215 = e8_;
                                if (_e215 < 32u) {
                                } else {
                                    break;
                                }
                                {
                                    wf = type_17 {};
                                    ci_3 = 0u;
                                    bool loop_init_14 = true;
                                    while(true) {
                                        if (!loop_init_14) {
                                            uint _e252 = ci_3;
                                            ci_3 = _e252 + 1u;
                                        }
                                        loop_init_14 = false;
                                        uint _e221 = ci_3;
                                        if (_e221 < QMV_COLS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            e = 0u;
                                            bool loop_init_15 = true;
                                            while(true) {
                                                if (!loop_init_15) {
                                                    uint _e249 = e;
                                                    e = _e249 + 1u;
                                                }
                                                loop_init_15 = false;
                                                uint _e226 = e;
                                                if (_e226 < 8u) {
                                                } else {
                                                    break;
                                                }
                                                {
                                                    uint _e229 = ci_3;
                                                    uint _e232 = e;
                                                    uint _e235 = u_1;
                                                    uint _e238 = ci_3;
                                                    uint _e242 = s0_;
                                                    uint _e243 = e8_;
                                                    uint _e245 = e;
                                                    float _e247 = qmv_weight(((_e235 * QMAX_COLS) + _e238) * 8u, (_e242 + _e243) + _e245, fp4_lut, wbuf);
                                                    wf.inner[(_e229 * 8u) + _e232] = _e247;
                                                }
                                            }
                                        }
                                    }
                                    mi_1 = 0u;
                                    bool loop_init_16 = true;
                                    while(true) {
                                        if (!loop_init_16) {
                                            uint _e352 = mi_1;
                                            mi_1 = _e352 + 1u;
                                        }
                                        loop_init_16 = false;
                                        uint _e256 = mi_1;
                                        if (_e256 < QMV_XROWS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            uint _e259 = mi_1;
                                            if (_e259 < count) {
                                                uint _e261 = mi_1;
                                                uint _e263 = x_rows.inner[_e261];
                                                uint _e264 = e8_;
                                                qmv_x8_(_e263, j0_ + _e264, p, x_2, xv, _buffer_sizes);
                                                if (true) {
                                                    uint _e271 = mi_1;
                                                    float _e273 = sx.inner[_e271];
                                                    float _e276 = xv.inner[0];
                                                    float _e279 = xv.inner[1];
                                                    float _e283 = xv.inner[2];
                                                    float _e286 = xv.inner[3];
                                                    float _e291 = xv.inner[4];
                                                    float _e294 = xv.inner[5];
                                                    float _e298 = xv.inner[6];
                                                    float _e301 = xv.inner[7];
                                                    sx.inner[_e271] = _e273 + (((_e276 + _e279) + (_e283 + _e286)) + ((_e291 + _e294) + (_e298 + _e301)));
                                                }
                                                ci_4 = 0u;
                                                bool loop_init_17 = true;
                                                while(true) {
                                                    if (!loop_init_17) {
                                                        uint _e349 = ci_4;
                                                        ci_4 = _e349 + 1u;
                                                    }
                                                    loop_init_17 = false;
                                                    uint _e308 = ci_4;
                                                    if (_e308 < QMV_COLS) {
                                                    } else {
                                                        break;
                                                    }
                                                    {
                                                        uint _e311 = ci_4;
                                                        uint _e314 = mi_1;
                                                        float _e317 = dots.inner[(_e311 * QMAX_ROWS) + _e314];
                                                        d = _e317;
                                                        e_1 = 0u;
                                                        bool loop_init_18 = true;
                                                        while(true) {
                                                            if (!loop_init_18) {
                                                                uint _e339 = e_1;
                                                                e_1 = _e339 + 1u;
                                                            }
                                                            loop_init_18 = false;
                                                            uint _e321 = e_1;
                                                            if (_e321 < 8u) {
                                                            } else {
                                                                break;
                                                            }
                                                            {
                                                                float _e324 = d;
                                                                uint _e326 = e_1;
                                                                float _e328 = xv.inner[_e326];
                                                                uint _e329 = ci_4;
                                                                uint _e332 = e_1;
                                                                float _e335 = wf.inner[(_e329 * 8u) + _e332];
                                                                d = _e324 + (_e328 * _e335);
                                                            }
                                                        }
                                                        uint _e341 = ci_4;
                                                        uint _e344 = mi_1;
                                                        float _e347 = d;
                                                        dots.inner[(_e341 * QMAX_ROWS) + _e344] = _e347;
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                            mi_2 = 0u;
                            bool loop_init_19 = true;
                            while(true) {
                                if (!loop_init_19) {
                                    uint _e400 = mi_2;
                                    mi_2 = _e400 + 1u;
                                }
                                loop_init_19 = false;
                                uint _e359 = mi_2;
                                if (_e359 < QMV_XROWS) {
                                } else {
                                    break;
                                }
                                {
                                    ci_5 = 0u;
                                    bool loop_init_20 = true;
                                    while(true) {
                                        if (!loop_init_20) {
                                            uint _e397 = ci_5;
                                            ci_5 = _e397 + 1u;
                                        }
                                        loop_init_20 = false;
                                        uint _e364 = ci_5;
                                        if (_e364 < QMV_COLS) {
                                        } else {
                                            break;
                                        }
                                        {
                                            uint _e367 = ci_5;
                                            uint _e370 = mi_2;
                                            float _e373 = acc.inner[(_e367 * QMAX_ROWS) + _e370];
                                            uint _e374 = ci_5;
                                            float _e377 = ab.inner[_e374].x;
                                            uint _e378 = ci_5;
                                            uint _e381 = mi_2;
                                            float _e384 = dots.inner[(_e378 * QMAX_ROWS) + _e381];
                                            uint _e386 = ci_5;
                                            float _e389 = ab.inner[_e386].y;
                                            uint _e390 = mi_2;
                                            float _e392 = sx.inner[_e390];
                                            acc.inner[(_e367 * QMAX_ROWS) + _e370] = _e373 + ((_e377 * _e384) + (_e389 * _e392));
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
    bool loop_init_21 = true;
    while(true) {
        if (!loop_init_21) {
            uint _e568 = mi_3;
            mi_3 = _e568 + 1u;
        }
        loop_init_21 = false;
        uint _e411 = mi_3;
        if (_e411 < QMV_XROWS) {
        } else {
            break;
        }
        {
            ci_6 = 0u;
            bool loop_init_22 = true;
            while(true) {
                if (!loop_init_22) {
                    uint _e433 = ci_6;
                    ci_6 = _e433 + 1u;
                }
                loop_init_22 = false;
                uint _e416 = ci_6;
                if (_e416 < QMV_COLS) {
                } else {
                    break;
                }
                {
                    uint _e420 = ci_6;
                    uint _e425 = ci_6;
                    uint _e428 = mi_3;
                    float _e431 = acc.inner[(_e425 * QMAX_ROWS) + _e428];
                    red.inner[(_e420 * QMV_WG) + lid] = _e431;
                }
            }
            metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
            stride = 8u;
            bool loop_init_23 = true;
            while(true) {
                if (!loop_init_23) {
                    uint _e470 = stride;
                    stride = _e470 >> 1u;
                }
                loop_init_23 = false;
                uint _e440 = stride;
                if (_e440 > 0u) {
                } else {
                    break;
                }
                {
                    uint _e443 = stride;
                    if (lane < _e443) {
                        ci_7 = 0u;
                        bool loop_init_24 = true;
                        while(true) {
                            if (!loop_init_24) {
                                uint _e468 = ci_7;
                                ci_7 = _e468 + 1u;
                            }
                            loop_init_24 = false;
                            uint _e447 = ci_7;
                            if (_e447 < QMV_COLS) {
                            } else {
                                break;
                            }
                            {
                                uint _e451 = ci_7;
                                float _e456 = red.inner[(_e451 * QMV_WG) + lid];
                                uint _e458 = ci_7;
                                uint _e462 = stride;
                                float _e465 = red.inner[((_e458 * QMV_WG) + lid) + _e462];
                                red.inner[(_e451 * QMV_WG) + lid] = _e456 + _e465;
                            }
                        }
                    }
                    metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
                }
            }
            if (lane == 0u) {
                uint _e477 = mi_3;
                local_1 = _e477 < count;
            } else {
                local_1 = false;
            }
            bool _e480 = local_1;
            if (_e480) {
                uint _e483 = mi_3;
                uint _e487 = rows[tile.y + _e483].y;
                uint _e490 = p.n;
                uint o = _e487 * _e490;
                if (false) {
                    ci_8 = 0u;
                    bool loop_init_25 = true;
                    while(true) {
                        if (!loop_init_25) {
                            uint _e537 = ci_8;
                            ci_8 = _e537 + 2u;
                        }
                        loop_init_25 = false;
                        uint _e498 = ci_8;
                        if (_e498 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e501 = ci_8;
                            uint _e505 = p.n;
                            if ((col0_ + _e501) < _e505) {
                                uint _e508 = ci_8;
                                float _e513 = red.inner[(_e508 * QMV_WG) + lid];
                                uint _e515 = float_to_bits(_e513, XDT);
                                uint _e517 = ci_8;
                                float _e524 = red.inner[((_e517 + 1u) * QMV_WG) + lid];
                                uint _e526 = float_to_bits(_e524, XDT);
                                uint _e529 = ci_8;
                                out[((o + col0_) + _e529) >> 1u] = _e515 | (_e526 << 16u);
                            }
                        }
                    }
                } else {
                    ci_9 = 0u;
                    bool loop_init_26 = true;
                    while(true) {
                        if (!loop_init_26) {
                            uint _e565 = ci_9;
                            ci_9 = _e565 + 1u;
                        }
                        loop_init_26 = false;
                        uint _e542 = ci_9;
                        if (_e542 < QMV_COLS) {
                        } else {
                            break;
                        }
                        {
                            uint _e545 = ci_9;
                            uint _e549 = p.n;
                            if ((col0_ + _e545) < _e549) {
                                uint _e553 = ci_9;
                                uint _e557 = ci_9;
                                float _e562 = red.inner[(_e557 * QMV_WG) + lid];
                                out[(o + col0_) + _e553] = as_type<uint>(_e562);
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
