// language: metal2.4
#include <metal_stdlib>
#include <simd/simd.h>

using metal::uint;

struct _mslBufferSizes {
    uint size2;
    uint size4;
    uint size5;
    uint size6;
    uint size7;
    uint size8;
    uint size9;
    uint size10;
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
struct type_14 {
    float inner[512];
};
struct type_15 {
    float inner[8];
};
constant uint MODE_AFFINE = 0u;
constant uint MODE_MXFP4_ = 1u;
constant uint MODE_MXFP8_ = 2u;
constant uint MODE_NVFP4_ = 3u;
constant uint DT_F32_ = 0u;
constant uint DT_F16_ = 1u;
constant uint DT_BF16_ = 2u;
constant uint LANES = 16u;
constant uint MAXM = 8u;
constant uint BITS = 4u;
constant uint GS = 64u;
constant uint MODE = 0u;
constant uint XDT = 0u;

float f16_to_f32_(
    uint h_1
) {
    uint s_1 = (h_1 & 32768u) << 16u;
    uint e_4 = (h_1 >> 10u) & 31u;
    uint m = h_1 & 1023u;
    if (e_4 == 0u) {
        return as_type<float>(as_type<uint>(static_cast<float>(m) * 0.000000059604645) | s_1);
    }
    if (e_4 == 31u) {
        return as_type<float>((s_1 | 2139095040u) | (m << 13u));
    }
    return as_type<float>((s_1 | ((e_4 + 112u) << 23u)) | (m << 13u));
}

float bf16_to_f32_(
    uint h_2
) {
    return as_type<float>(h_2 << 16u);
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
    uint h_4 = (word >> ((i_1 & 1u) * 16u)) & 65535u;
    float _e13 = bf16_to_f32_(h_4);
    float _e14 = f16_to_f32_(h_4);
    return (dt_1 == DT_F16_) ? _e14 : _e13;
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
    float v = {};
    uint e_5 = (code >> 1u) & 3u;
    float m_1 = static_cast<float>(code & 1u);
    v = m_1 * 0.5;
    if (e_5 != 0u) {
        v = (1.0 + (m_1 * 0.5)) * static_cast<float>(1u << (e_5 - 1u));
    }
    float _e23 = v;
    float _e24 = v;
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

float weight_value(
    uint code_3,
    float scale,
    float bias
) {
    if (true) {
        return metal::fma(scale, static_cast<float>(code_3), bias);
    }
    if (false) {
        float _e15 = fp8_e4m3_value(code_3);
        return _e15 * scale;
    }
    float _e17 = fp4_value(code_3);
    return _e17 * scale;
}

uint chunk_code(
    uint e_1,
    thread type_4& chunk
) {
    uint v_1 = {};
    uint pos = e_1 * BITS;
    uint wi_3 = pos >> 5u;
    uint sh = pos & 31u;
    uint _e9 = chunk.inner[wi_3];
    v_1 = _e9 >> sh;
    if ((sh + BITS) > 32u) {
        uint _e16 = v_1;
        uint _e21 = chunk.inner[wi_3 + 1u];
        v_1 = _e16 | (_e21 << (32u - sh));
    }
    uint _e26 = v_1;
    return _e26 & 15u;
}

float fp_scale(
    uint byte,
    float global_factor,
    bool has_global
) {
    if (false) {
        float _e8 = fp8_e4m3_value(byte);
        return has_global ? (_e8 * global_factor) : _e8;
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

void load_chunk(
    uint start,
    uint end,
    thread type_4& chunk,
    device type_6 const& wq,
    constant _mslBufferSizes& _buffer_sizes
) {
    bool local_3 = {};
    bool local_4 = {};
    uint v_2 = 0u;
    uint i_4 = 0u;
    if (true) {
        local_3 = (start & 3u) == 0u;
    } else {
        local_3 = false;
    }
    bool _e15 = local_3;
    if (_e15) {
        local_4 = (start + BITS) <= end;
    } else {
        local_4 = false;
    }
    bool _e22 = local_4;
    if (_e22) {
        bool loop_init_1 = true;
        while(true) {
            if (!loop_init_1) {
                uint _e69 = v_2;
                v_2 = _e69 + 1u;
            }
            loop_init_1 = false;
            uint _e25 = v_2;
            if (_e25 < 1u) {
            } else {
                break;
            }
            {
                uint _e34 = v_2;
                metal::uint4 q_3 = wq[(start >> 2u) + _e34];
                uint _e40 = v_2;
                chunk.inner[4u * _e40] = q_3.x;
                uint _e46 = v_2;
                chunk.inner[(4u * _e46) + 1u] = q_3.y;
                uint _e54 = v_2;
                chunk.inner[(4u * _e54) + 2u] = q_3.z;
                uint _e62 = v_2;
                chunk.inner[(4u * _e62) + 3u] = q_3.w;
            }
        }
        return;
    }
    bool loop_init_2 = true;
    while(true) {
        if (!loop_init_2) {
            uint _e88 = i_4;
            i_4 = _e88 + 1u;
        }
        loop_init_2 = false;
        uint _e73 = i_4;
        if (_e73 < BITS) {
        } else {
            break;
        }
        {
            uint _e77 = i_4;
            uint _e80 = i_4;
            uint _e82 = wq_word(start + _e80, wq, _buffer_sizes);
            uint _e83 = i_4;
            chunk.inner[_e77] = ((start + _e83) < end) ? _e82 : 0u;
        }
    }
    return;
}

float x_value(
    uint x_row,
    uint kk,
    constant Params& p,
    device type_7 const& x_2,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint _e4 = p.k;
    uint i_5 = (x_row * _e4) + kk;
    uint _e9 = word_index(i_5, XDT);
    uint _e11 = x_2[_e9];
    float _e13 = float_from_word(_e11, i_5, XDT);
    return _e13;
}

metal::float2 group_params(
    uint wi,
    uint r,
    uint j,
    thread uint& opaque_zero,
    constant Params& p,
    device type_7 const& scales,
    device type_7 const& biases,
    device type_8 const& gscale,
    constant _mslBufferSizes& _buffer_sizes
) {
    float gf = 0.0;
    bool local_5 = {};
    uint _e5 = p.rows_per_w;
    uint _e10 = p.gpr;
    uint g = (((wi * _e5) + r) * _e10) + (j / GS);
    if (true) {
        uint _e22 = word_index(g, XDT);
        uint _e24 = scales[_e22];
        float _e26 = float_from_word(_e24, g, XDT);
        uint _e29 = word_index(g, XDT);
        uint _e31 = biases[_e29];
        float _e33 = float_from_word(_e31, g, XDT);
        return metal::float2(_e26, _e33);
    }
    uint _e39 = scales[g >> 2u];
    uint byte_1 = (_e39 >> ((g & 3u) * 8u)) & 255u;
    if (false) {
        uint _e58 = p.has_global;
        local_5 = _e58 != 0u;
    } else {
        local_5 = false;
    }
    bool _e62 = local_5;
    if (_e62) {
        float _e65 = gscale[wi];
        float _e67 = div_rn(_e65, 2688.0, opaque_zero);
        gf = _e67;
    }
    float _e68 = gf;
    uint _e71 = p.has_global;
    float _e74 = fp_scale(byte_1, _e68, _e71 != 0u);
    return metal::float2(_e74, 0.0);
}

void load_w_chunk(
    uint wi_1,
    uint r_1,
    uint c_1,
    thread type_4& chunk,
    device type_6 const& wq,
    constant Params& p,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint _e5 = p.rows_per_w;
    uint _e10 = p.wpr;
    uint row_word = ((wi_1 * _e5) + r_1) * _e10;
    uint _e17 = p.wpr;
    load_chunk(row_word + (c_1 * BITS), row_word + _e17, chunk, wq, _buffer_sizes);
    return;
}

void half_weights(
    uint wi_2,
    uint r_2,
    uint c_2,
    uint h_3,
    thread type_11& w16_1,
    thread uint& opaque_zero,
    thread type_4& chunk,
    constant Params& p,
    device type_7 const& scales,
    device type_7 const& biases,
    device type_8 const& gscale,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint e_2 = 0u;
    uint e_3 = 0u;
    uint j0_ = (c_2 * 32u) + (h_3 * 16u);
    uint _e12 = p.cols;
    if (j0_ >= _e12) {
        bool loop_init_3 = true;
        while(true) {
            if (!loop_init_3) {
                uint _e23 = e_2;
                e_2 = _e23 + 1u;
            }
            loop_init_3 = false;
            uint _e16 = e_2;
            if (_e16 < 16u) {
            } else {
                break;
            }
            {
                uint _e19 = e_2;
                w16_1.inner[_e19] = 0.0;
            }
        }
        return;
    }
    metal::float2 _e25 = group_params(wi_2, r_2, j0_, opaque_zero, p, scales, biases, gscale, _buffer_sizes);
    bool loop_init_4 = true;
    while(true) {
        if (!loop_init_4) {
            uint _e42 = e_3;
            e_3 = _e42 + 1u;
        }
        loop_init_4 = false;
        uint _e28 = e_3;
        if (_e28 < 16u) {
        } else {
            break;
        }
        {
            uint _e31 = e_3;
            uint _e35 = e_3;
            uint _e37 = chunk_code((h_3 * 16u) + _e35, chunk);
            float _e40 = weight_value(_e37, _e25.x, _e25.y);
            w16_1.inner[_e31] = _e40;
        }
    }
    return;
}

uint tile_index(
    metal::uint3 wid_1,
    metal::uint3 nwg_1
) {
    return wid_1.y + (wid_1.z * nwg_1.y);
}

struct qmvInput {
};
[[max_total_threads_per_threadgroup(64)]] kernel void qmv(
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
, device type_8& out [[buffer(8)]]
, threadgroup type_14& red
, constant _mslBufferSizes& _buffer_sizes [[buffer(15)]]
) {
    uint opaque_zero = {};
    type_4 chunk = {};
    bool local = {};
    type_15 acc = {};
    type_11 w16_ = {};
    uint c = {};
    uint h = {};
    uint mi = {};
    float s = {};
    uint e = {};
    uint mi_1 = 0u;
    uint stride = 8u;
    uint mi_2 = {};
    bool local_1 = {};
    uint mi_3 = 0u;
    uint _e3 = tile_index(wid, nwg);
    uint _e7 = p.tiles;
    metal::uint4 tile = tiles[metal::min(_e3, _e7 - 1u)];
    uint lane = lid % LANES;
    uint col = (wid.x * 4u) + (lid / LANES);
    uint _e23 = p.tiles;
    if (_e3 < _e23) {
        uint _e29 = p.n;
        local = col < _e29;
    } else {
        local = false;
    }
    bool live = local;
    if (live) {
        uint _e36 = p.k;
        uint chunks = (_e36 + 31u) / 32u;
        c = lane;
        bool loop_init_5 = true;
        while(true) {
            if (!loop_init_5) {
                uint _e111 = c;
                c = _e111 + LANES;
            }
            loop_init_5 = false;
            uint _e43 = c;
            if (_e43 < chunks) {
            } else {
                break;
            }
            {
                uint _e46 = c;
                load_w_chunk(tile.x, col, _e46, chunk, wq, p, _buffer_sizes);
                h = 0u;
                bool loop_init_6 = true;
                while(true) {
                    if (!loop_init_6) {
                        uint _e109 = h;
                        h = _e109 + 1u;
                    }
                    loop_init_6 = false;
                    uint _e49 = h;
                    if (_e49 < 2u) {
                    } else {
                        break;
                    }
                    {
                        uint _e52 = c;
                        uint _e55 = h;
                        uint j0_1 = (_e52 * 32u) + (_e55 * 16u);
                        uint _e61 = p.k;
                        if (j0_1 >= _e61) {
                            break;
                        }
                        uint _e64 = c;
                        uint _e65 = h;
                        half_weights(tile.x, col, _e64, _e65, w16_, opaque_zero, chunk, p, scales, biases, gscale, _buffer_sizes);
                        mi = 0u;
                        bool loop_init_7 = true;
                        while(true) {
                            if (!loop_init_7) {
                                uint _e106 = mi;
                                mi = _e106 + 1u;
                            }
                            loop_init_7 = false;
                            uint _e68 = mi;
                            if (_e68 < MAXM) {
                            } else {
                                break;
                            }
                            {
                                uint _e71 = mi;
                                if (_e71 < tile.z) {
                                    uint _e76 = mi;
                                    uint xr = rows[tile.y + _e76].x;
                                    s = 0.0;
                                    e = 0u;
                                    bool loop_init_8 = true;
                                    while(true) {
                                        if (!loop_init_8) {
                                            uint _e98 = e;
                                            e = _e98 + 1u;
                                        }
                                        loop_init_8 = false;
                                        uint _e85 = e;
                                        if (_e85 < 16u) {
                                        } else {
                                            break;
                                        }
                                        {
                                            float _e88 = s;
                                            uint _e89 = e;
                                            float _e91 = w16_.inner[_e89];
                                            uint _e92 = e;
                                            float _e94 = x_value(xr, j0_1 + _e92, p, x_2, _buffer_sizes);
                                            s = _e88 + (_e91 * _e94);
                                        }
                                    }
                                    uint _e100 = mi;
                                    float _e102 = acc.inner[_e100];
                                    float _e103 = s;
                                    acc.inner[_e100] = _e102 + _e103;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    bool loop_init_9 = true;
    while(true) {
        if (!loop_init_9) {
            uint _e129 = mi_1;
            mi_1 = _e129 + 1u;
        }
        loop_init_9 = false;
        uint _e116 = mi_1;
        if (_e116 < MAXM) {
        } else {
            break;
        }
        {
            uint _e122 = mi_1;
            uint _e125 = mi_1;
            float _e127 = acc.inner[_e125];
            red.inner[(lid * MAXM) + _e122] = _e127;
        }
    }
    metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
    bool loop_init_10 = true;
    while(true) {
        if (!loop_init_10) {
            uint _e163 = stride;
            stride = _e163 >> 1u;
        }
        loop_init_10 = false;
        uint _e133 = stride;
        if (_e133 > 0u) {
        } else {
            break;
        }
        {
            uint _e136 = stride;
            if (lane < _e136) {
                mi_2 = 0u;
                bool loop_init_11 = true;
                while(true) {
                    if (!loop_init_11) {
                        uint _e161 = mi_2;
                        mi_2 = _e161 + 1u;
                    }
                    loop_init_11 = false;
                    uint _e140 = mi_2;
                    if (_e140 < MAXM) {
                    } else {
                        break;
                    }
                    {
                        uint _e146 = mi_2;
                        float _e149 = red.inner[(lid * MAXM) + _e146];
                        uint _e151 = stride;
                        uint _e155 = mi_2;
                        float _e158 = red.inner[((lid + _e151) * MAXM) + _e155];
                        red.inner[(lid * MAXM) + _e146] = _e149 + _e158;
                    }
                }
            }
            metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
        }
    }
    if (live) {
        local_1 = lane == 0u;
    } else {
        local_1 = false;
    }
    bool _e171 = local_1;
    if (_e171) {
        bool loop_init_12 = true;
        while(true) {
            if (!loop_init_12) {
                uint _e202 = mi_3;
                mi_3 = _e202 + 1u;
            }
            loop_init_12 = false;
            uint _e174 = mi_3;
            if (_e174 < MAXM) {
            } else {
                break;
            }
            {
                uint _e177 = mi_3;
                if (_e177 < tile.z) {
                    uint _e183 = mi_3;
                    uint _e187 = rows[tile.y + _e183].y;
                    uint _e190 = p.n;
                    uint _e197 = mi_3;
                    float _e200 = red.inner[(lid * MAXM) + _e197];
                    out[(_e187 * _e190) + col] = _e200;
                }
            }
        }
        return;
    } else {
        return;
    }
}
