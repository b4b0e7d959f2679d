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
    float inner[1024];
};
struct type_15 {
    float inner[4];
};
constant uint MODE_AFFINE = 0u;
constant uint MODE_MXFP4_ = 1u;
constant uint MODE_MXFP8_ = 2u;
constant uint MODE_NVFP4_ = 3u;
constant uint DT_F32_ = 0u;
constant uint DT_F16_ = 1u;
constant uint DT_BF16_ = 2u;
constant uint BITS = 4u;
constant uint GS = 16u;
constant uint MODE = 3u;
constant uint XDT = 0u;
constant uint TRANSPOSE = 1u;

float f16_to_f32_(
    uint h
) {
    uint s = (h & 32768u) << 16u;
    uint e_6 = (h >> 10u) & 31u;
    uint m = h & 1023u;
    if (e_6 == 0u) {
        return as_type<float>(as_type<uint>(static_cast<float>(m) * 0.000000059604645) | s);
    }
    if (e_6 == 31u) {
        return as_type<float>((s | 2139095040u) | (m << 13u));
    }
    return as_type<float>((s | ((e_6 + 112u) << 23u)) | (m << 13u));
}

float bf16_to_f32_(
    uint h_1
) {
    return as_type<float>(h_1 << 16u);
}

uint word_index(
    uint i_3,
    uint dt
) {
    return (dt == DT_F32_) ? i_3 : (i_3 >> 1u);
}

float float_from_word(
    uint word,
    uint i_4,
    uint dt_1
) {
    if (dt_1 == DT_F32_) {
        return as_type<float>(word);
    }
    uint h_3 = (word >> ((i_4 & 1u) * 16u)) & 65535u;
    float _e13 = bf16_to_f32_(h_3);
    float _e14 = f16_to_f32_(h_3);
    return (dt_1 == DT_F16_) ? _e14 : _e13;
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
    float a_1,
    float q_1,
    float b_1,
    thread uint& opaque_zero
) {
    float _e3 = hi12_(q_1);
    float _e5 = opq(q_1 - _e3, opaque_zero);
    float _e6 = hi12_(b_1);
    float _e8 = opq(b_1 - _e6, opaque_zero);
    float _e10 = opq(_e3 * _e6, opaque_zero);
    float _e12 = opq(a_1 - _e10, opaque_zero);
    float _e14 = opq(_e3 * _e8, opaque_zero);
    float _e16 = opq(_e12 - _e14, opaque_zero);
    float _e18 = opq(_e5 * _e6, opaque_zero);
    float _e20 = opq(_e16 - _e18, opaque_zero);
    float _e22 = opq(_e5 * _e8, opaque_zero);
    return _e20 - _e22;
}

float div_rn(
    float a_2,
    float b_2,
    thread uint& opaque_zero
) {
    float q_2 = {};
    bool local = {};
    uint i_5 = 0u;
    q_2 = a_2 / b_2;
    float _e4 = q_2;
    bool finite = (as_type<uint>(_e4) & 2139095040u) != 2139095040u;
    if (!(!(finite))) {
        float _e14 = q_2;
        local = _e14 == 0.0;
    } else {
        local = true;
    }
    bool _e18 = local;
    if (_e18) {
        float _e19 = q_2;
        return _e19;
    }
    bool loop_init = true;
    while(true) {
        if (!loop_init) {
            uint _e41 = i_5;
            i_5 = _e41 + 1u;
        }
        loop_init = false;
        uint _e22 = i_5;
        if (_e22 < 4u) {
        } else {
            break;
        }
        {
            float _e25 = q_2;
            float _e26 = div_remainder(a_2, _e25, b_2, opaque_zero);
            if (_e26 == 0.0) {
                break;
            }
            float _e29 = q_2;
            float _e35 = next_toward(_e29, (_e26 > 0.0) == (b_2 > 0.0));
            float _e36 = div_remainder(a_2, _e35, b_2, opaque_zero);
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
    uint e_7 = (code >> 1u) & 3u;
    float m_1 = static_cast<float>(code & 1u);
    v = m_1 * 0.5;
    if (e_7 != 0u) {
        v = (1.0 + (m_1 * 0.5)) * static_cast<float>(1u << (e_7 - 1u));
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
    uint e_8 = (code_1 >> 3u) & 15u;
    if (e_8 == 0u) {
        mag = static_cast<float>(code_1 & 7u) * 0.001953125;
    } else {
        mag = as_type<float>(((e_8 + 120u) << 23u) | ((code_1 & 7u) << 20u));
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
    if (false) {
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
    uint e,
    thread type_4& chunk
) {
    uint v_1 = {};
    uint pos = e * BITS;
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
    if (true) {
        float _e8 = fp8_e4m3_value(byte);
        return has_global ? (_e8 * global_factor) : _e8;
    }
    float _e11 = e8m0_value(byte);
    return _e11;
}

uint wq_word(
    uint i_6,
    device type_6 const& wq,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint _e8 = wq[i_6 >> 2u][i_6 & 3u];
    return _e8;
}

void load_chunk(
    uint start,
    uint end,
    thread type_4& chunk,
    device type_6 const& wq,
    constant _mslBufferSizes& _buffer_sizes
) {
    bool local_1 = {};
    bool local_2 = {};
    uint v_2 = 0u;
    uint i_7 = 0u;
    if (true) {
        local_1 = (start & 3u) == 0u;
    } else {
        local_1 = false;
    }
    bool _e15 = local_1;
    if (_e15) {
        local_2 = (start + BITS) <= end;
    } else {
        local_2 = false;
    }
    bool _e22 = local_2;
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
            uint _e88 = i_7;
            i_7 = _e88 + 1u;
        }
        loop_init_2 = false;
        uint _e73 = i_7;
        if (_e73 < BITS) {
        } else {
            break;
        }
        {
            uint _e77 = i_7;
            uint _e80 = i_7;
            uint _e82 = wq_word(start + _e80, wq, _buffer_sizes);
            uint _e83 = i_7;
            chunk.inner[_e77] = ((start + _e83) < end) ? _e82 : 0u;
        }
    }
    return;
}

uint x_word(
    uint i_8,
    device type_6 const& x_2,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint _e8 = x_2[i_8 >> 2u][i_8 & 3u];
    return _e8;
}

float x_value(
    uint x_row,
    uint kk_1,
    constant Params& p,
    device type_6 const& x_2,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint _e4 = p.k;
    uint i_9 = (x_row * _e4) + kk_1;
    uint _e8 = word_index(i_9, XDT);
    uint _e9 = x_word(_e8, x_2, _buffer_sizes);
    float _e11 = float_from_word(_e9, i_9, XDT);
    return _e11;
}

metal::float2 group_params(
    uint wi,
    uint r,
    uint j_2,
    thread uint& opaque_zero,
    constant Params& p,
    device type_7 const& scales,
    device type_7 const& biases,
    device type_8 const& gscale,
    constant _mslBufferSizes& _buffer_sizes
) {
    float gf = 0.0;
    bool local_3 = {};
    uint _e5 = p.rows_per_w;
    uint _e10 = p.gpr;
    uint g = (((wi * _e5) + r) * _e10) + (j_2 / GS);
    if (false) {
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
    if (true) {
        uint _e58 = p.has_global;
        local_3 = _e58 != 0u;
    } else {
        local_3 = false;
    }
    bool _e62 = local_3;
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
    uint c,
    thread type_4& chunk,
    device type_6 const& wq,
    constant Params& p,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint _e5 = p.rows_per_w;
    uint _e10 = p.wpr;
    uint row_word = ((wi_1 * _e5) + r_1) * _e10;
    uint _e17 = p.wpr;
    load_chunk(row_word + (c * BITS), row_word + _e17, chunk, wq, _buffer_sizes);
    return;
}

void half_weights(
    uint wi_2,
    uint r_2,
    uint c_1,
    uint h_2,
    thread type_11& w16_,
    thread uint& opaque_zero,
    thread type_4& chunk,
    constant Params& p,
    device type_7 const& scales,
    device type_7 const& biases,
    device type_8 const& gscale,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint e_1 = 0u;
    uint e_2 = 0u;
    uint j0_ = (c_1 * 32u) + (h_2 * 16u);
    uint _e12 = p.cols;
    if (j0_ >= _e12) {
        bool loop_init_3 = true;
        while(true) {
            if (!loop_init_3) {
                uint _e23 = e_1;
                e_1 = _e23 + 1u;
            }
            loop_init_3 = false;
            uint _e16 = e_1;
            if (_e16 < 16u) {
            } else {
                break;
            }
            {
                uint _e19 = e_1;
                w16_.inner[_e19] = 0.0;
            }
        }
        return;
    }
    metal::float2 _e25 = group_params(wi_2, r_2, j0_, opaque_zero, p, scales, biases, gscale, _buffer_sizes);
    bool loop_init_4 = true;
    while(true) {
        if (!loop_init_4) {
            uint _e42 = e_2;
            e_2 = _e42 + 1u;
        }
        loop_init_4 = false;
        uint _e28 = e_2;
        if (_e28 < 16u) {
        } else {
            break;
        }
        {
            uint _e31 = e_2;
            uint _e35 = e_2;
            uint _e37 = chunk_code((h_2 * 16u) + _e35, chunk);
            float _e40 = weight_value(_e37, _e25.x, _e25.y);
            w16_.inner[_e31] = _e40;
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

void stage_tiles(
    metal::uint4 tile,
    bool live,
    uint n0_,
    uint kc_1,
    uint lid_1,
    thread uint& opaque_zero,
    thread type_4& chunk,
    device type_6 const& wq,
    constant Params& p,
    device type_6 const& x_2,
    device type_7 const& scales,
    device type_7 const& biases,
    device type_8 const& gscale,
    device type_10 const& rows,
    threadgroup type_14& xs,
    threadgroup type_14& ws,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint e_3 = 0u;
    float v_3 = {};
    bool local_4 = {};
    bool local_5 = {};
    type_11 w16_1 = {};
    bool local_6 = {};
    uint e_4 = 0u;
    bool local_7 = {};
    uint e_5 = 0u;
    uint lr = lid_1 >> 1u;
    uint h_4 = lid_1 & 1u;
    uint k0_ = kc_1 * 32u;
    bool loop_init_5 = true;
    while(true) {
        if (!loop_init_5) {
            uint _e55 = e_3;
            e_3 = _e55 + 1u;
        }
        loop_init_5 = false;
        uint _e13 = e_3;
        if (_e13 < 16u) {
        } else {
            break;
        }
        {
            uint _e19 = e_3;
            uint kk_2 = (k0_ + (h_4 * 16u)) + _e19;
            v_3 = 0.0;
            if (live) {
                local_4 = lr < tile.z;
            } else {
                local_4 = false;
            }
            bool _e28 = local_4;
            if (_e28) {
                uint _e33 = p.k;
                local_5 = kk_2 < _e33;
            } else {
                local_5 = false;
            }
            bool _e36 = local_5;
            if (_e36) {
                uint _e42 = rows[tile.y + lr].x;
                float _e43 = x_value(_e42, kk_2, p, x_2, _buffer_sizes);
                v_3 = _e43;
            }
            uint _e50 = e_3;
            float _e53 = v_3;
            xs.inner[((lr * 32u) + (h_4 * 16u)) + _e50] = _e53;
        }
    }
    if (true) {
        uint r_3 = n0_ + lr;
        if (live) {
            uint _e67 = p.n;
            local_6 = r_3 < _e67;
        } else {
            local_6 = false;
        }
        bool _e70 = local_6;
        if (_e70) {
            load_w_chunk(tile.x, r_3, kc_1, chunk, wq, p, _buffer_sizes);
            half_weights(tile.x, r_3, kc_1, h_4, w16_1, opaque_zero, chunk, p, scales, biases, gscale, _buffer_sizes);
        }
        bool loop_init_6 = true;
        while(true) {
            if (!loop_init_6) {
                uint _e91 = e_4;
                e_4 = _e91 + 1u;
            }
            loop_init_6 = false;
            uint _e75 = e_4;
            if (_e75 < 16u) {
            } else {
                break;
            }
            {
                uint _e81 = e_4;
                uint _e87 = e_4;
                float _e89 = w16_1.inner[_e87];
                ws.inner[(((h_4 * 16u) + _e81) * 32u) + lr] = _e89;
            }
        }
        return;
    } else {
        uint r_4 = k0_ + lr;
        if (live) {
            uint _e98 = p.k;
            local_7 = r_4 < _e98;
        } else {
            local_7 = false;
        }
        bool _e101 = local_7;
        if (_e101) {
            load_w_chunk(tile.x, r_4, n0_ / 32u, chunk, wq, p, _buffer_sizes);
            half_weights(tile.x, r_4, n0_ / 32u, h_4, w16_1, opaque_zero, chunk, p, scales, biases, gscale, _buffer_sizes);
        }
        bool loop_init_7 = true;
        while(true) {
            if (!loop_init_7) {
                uint _e126 = e_5;
                e_5 = _e126 + 1u;
            }
            loop_init_7 = false;
            uint _e110 = e_5;
            if (_e110 < 16u) {
            } else {
                break;
            }
            {
                uint _e119 = e_5;
                uint _e122 = e_5;
                float _e124 = w16_1.inner[_e122];
                ws.inner[((lr * 32u) + (h_4 * 16u)) + _e119] = _e124;
            }
        }
        return;
    }
}

struct qmmInput {
};
[[max_total_threads_per_threadgroup(64)]] kernel void qmm(
  metal::uint3 wid [[threadgroup_position_in_grid]]
, metal::uint3 nwg [[threadgroups_per_grid]]
, uint lid [[thread_index_in_threadgroup]]
, device type_6 const& wq [[buffer(2)]]
, constant Params& p [[buffer(0)]]
, device type_6 const& x_2 [[buffer(1)]]
, device type_7 const& scales [[buffer(3)]]
, device type_7 const& biases [[buffer(4)]]
, device type_8 const& gscale [[buffer(5)]]
, device type_6 const& tiles [[buffer(6)]]
, device type_10 const& rows [[buffer(7)]]
, device type_7& out [[buffer(8)]]
, threadgroup type_14& xs
, threadgroup type_14& ws
, constant _mslBufferSizes& _buffer_sizes [[buffer(15)]]
) {
    uint opaque_zero = {};
    type_4 chunk = {};
    type_11 acc = {};
    uint kc = 0u;
    uint kk = {};
    type_15 a = {};
    type_15 b = {};
    uint i = {};
    uint i_1 = {};
    uint j = {};
    uint i_2 = 0u;
    uint j_1 = {};
    uint _e3 = tile_index(wid, nwg);
    uint _e6 = p.tiles;
    bool live_1 = _e3 < _e6;
    uint _e11 = p.tiles;
    metal::uint4 tile_1 = tiles[metal::min(_e3, _e11 - 1u)];
    uint n0_1 = wid.x * 32u;
    uint ty = lid / 8u;
    uint tx = lid % 8u;
    uint _e27 = p.k;
    uint steps = (_e27 + 31u) / 32u;
    bool loop_init_8 = true;
    while(true) {
        if (!loop_init_8) {
            uint _e115 = kc;
            kc = _e115 + 1u;
        }
        loop_init_8 = false;
        uint _e34 = kc;
        if (_e34 < steps) {
        } else {
            break;
        }
        {
            uint _e36 = kc;
            stage_tiles(tile_1, live_1, n0_1, _e36, lid, opaque_zero, chunk, wq, p, x_2, scales, biases, gscale, rows, xs, ws, _buffer_sizes);
            metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
            kk = 0u;
            bool loop_init_9 = true;
            while(true) {
                if (!loop_init_9) {
                    uint _e112 = kk;
                    kk = _e112 + 1u;
                }
                loop_init_9 = false;
                uint _e39 = kk;
                if (_e39 < 32u) {
                } else {
                    break;
                }
                {
                    a = type_15 {};
                    b = type_15 {};
                    i = 0u;
                    bool loop_init_10 = true;
                    while(true) {
                        if (!loop_init_10) {
                            uint _e78 = i;
                            i = _e78 + 1u;
                        }
                        loop_init_10 = false;
                        uint _e48 = i;
                        if (_e48 < 4u) {
                        } else {
                            break;
                        }
                        {
                            uint _e51 = i;
                            uint _e56 = i;
                            uint _e60 = kk;
                            float _e63 = xs.inner[(((ty * 4u) + _e56) * 32u) + _e60];
                            a.inner[_e51] = _e63;
                            uint _e64 = i;
                            uint _e67 = kk;
                            uint _e73 = i;
                            float _e76 = ws.inner[((_e67 * 32u) + (tx * 4u)) + _e73];
                            b.inner[_e64] = _e76;
                        }
                    }
                    i_1 = 0u;
                    bool loop_init_11 = true;
                    while(true) {
                        if (!loop_init_11) {
                            uint _e109 = i_1;
                            i_1 = _e109 + 1u;
                        }
                        loop_init_11 = false;
                        uint _e82 = i_1;
                        if (_e82 < 4u) {
                        } else {
                            break;
                        }
                        {
                            j = 0u;
                            bool loop_init_12 = true;
                            while(true) {
                                if (!loop_init_12) {
                                    uint _e106 = j;
                                    j = _e106 + 1u;
                                }
                                loop_init_12 = false;
                                uint _e87 = j;
                                if (_e87 < 4u) {
                                } else {
                                    break;
                                }
                                {
                                    uint _e90 = i_1;
                                    uint _e93 = j;
                                    float _e96 = acc.inner[(_e90 * 4u) + _e93];
                                    uint _e97 = i_1;
                                    float _e99 = a.inner[_e97];
                                    uint _e100 = j;
                                    float _e102 = b.inner[_e100];
                                    acc.inner[(_e90 * 4u) + _e93] = _e96 + (_e99 * _e102);
                                }
                            }
                        }
                    }
                }
            }
            metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
        }
    }
    if (live_1) {
        bool loop_init_13 = true;
        while(true) {
            if (!loop_init_13) {
                uint _e167 = i_2;
                i_2 = _e167 + 1u;
            }
            loop_init_13 = false;
            uint _e119 = i_2;
            if (_e119 < 4u) {
            } else {
                break;
            }
            {
                uint _e124 = i_2;
                uint row = (ty * 4u) + _e124;
                if (row < tile_1.z) {
                    uint orow = rows[tile_1.y + row].y;
                    j_1 = 0u;
                    bool loop_init_14 = true;
                    while(true) {
                        if (!loop_init_14) {
                            uint _e164 = j_1;
                            j_1 = _e164 + 1u;
                        }
                        loop_init_14 = false;
                        uint _e136 = j_1;
                        if (_e136 < 4u) {
                        } else {
                            break;
                        }
                        {
                            uint _e142 = j_1;
                            uint col = (n0_1 + (tx * 4u)) + _e142;
                            uint _e146 = p.n;
                            if (col < _e146) {
                                uint _e151 = p.n;
                                uint _e155 = i_2;
                                uint _e158 = j_1;
                                float _e161 = acc.inner[(_e155 * 4u) + _e158];
                                out[(orow * _e151) + col] = as_type<uint>(_e161);
                            }
                        }
                    }
                }
            }
        }
        return;
    } else {
        return;
    }
}
