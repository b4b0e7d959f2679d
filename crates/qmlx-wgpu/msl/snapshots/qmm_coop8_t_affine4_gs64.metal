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
    float inner[64];
};
constant uint MODE_AFFINE = 0u;
constant uint MODE_MXFP4_ = 1u;
constant uint MODE_MXFP8_ = 2u;
constant uint MODE_NVFP4_ = 3u;
constant uint DT_F32_ = 0u;
constant uint DT_F16_ = 1u;
constant uint DT_BF16_ = 2u;
constant uint BITS = 4u;
constant uint GS = 64u;
constant uint MODE = 0u;
constant uint XDT = 1u;
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
    uint i_1,
    uint dt
) {
    return (dt == DT_F32_) ? i_1 : (i_1 >> 1u);
}

float float_from_word(
    uint word,
    uint i_2,
    uint dt_1
) {
    if (dt_1 == DT_F32_) {
        return as_type<float>(word);
    }
    uint h_3 = (word >> ((i_2 & 1u) * 16u)) & 65535u;
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
    bool local_1 = {};
    uint i_3 = 0u;
    q_2 = a_1 / b_1;
    float _e4 = q_2;
    bool finite = (as_type<uint>(_e4) & 2139095040u) != 2139095040u;
    if (!(!(finite))) {
        float _e14 = q_2;
        local_1 = _e14 == 0.0;
    } else {
        local_1 = true;
    }
    bool _e18 = local_1;
    if (_e18) {
        float _e19 = q_2;
        return _e19;
    }
    bool loop_init = true;
    while(true) {
        if (!loop_init) {
            uint _e41 = i_3;
            i_3 = _e41 + 1u;
        }
        loop_init = false;
        uint _e22 = i_3;
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
    if (false) {
        float _e8 = fp8_e4m3_value(byte);
        return has_global ? (_e8 * global_factor) : _e8;
    }
    float _e11 = e8m0_value(byte);
    return _e11;
}

uint wq_word(
    uint i_4,
    device type_6 const& wq,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint _e8 = wq[i_4 >> 2u][i_4 & 3u];
    return _e8;
}

void load_chunk(
    uint start,
    uint end,
    thread type_4& chunk,
    device type_6 const& wq,
    constant _mslBufferSizes& _buffer_sizes
) {
    bool local_2 = {};
    bool local_3 = {};
    uint v_2 = 0u;
    uint i_5 = 0u;
    if (true) {
        local_2 = (start & 3u) == 0u;
    } else {
        local_2 = false;
    }
    bool _e15 = local_2;
    if (_e15) {
        local_3 = (start + BITS) <= end;
    } else {
        local_3 = false;
    }
    bool _e22 = local_3;
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
            uint _e88 = i_5;
            i_5 = _e88 + 1u;
        }
        loop_init_2 = false;
        uint _e73 = i_5;
        if (_e73 < BITS) {
        } else {
            break;
        }
        {
            uint _e77 = i_5;
            uint _e80 = i_5;
            uint _e82 = wq_word(start + _e80, wq, _buffer_sizes);
            uint _e83 = i_5;
            chunk.inner[_e77] = ((start + _e83) < end) ? _e82 : 0u;
        }
    }
    return;
}

uint x_word(
    uint i_6,
    device type_6 const& x_2,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint _e8 = x_2[i_6 >> 2u][i_6 & 3u];
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
    uint i_7 = (x_row * _e4) + kk_1;
    uint _e8 = word_index(i_7, XDT);
    uint _e9 = x_word(_e8, x_2, _buffer_sizes);
    float _e11 = float_from_word(_e9, i_7, XDT);
    return _e11;
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
    bool local_4 = {};
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
        local_4 = _e58 != 0u;
    } else {
        local_4 = false;
    }
    bool _e62 = local_4;
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
    bool local_5 = {};
    bool local_6 = {};
    type_11 w16_1 = {};
    bool local_7 = {};
    uint e_4 = 0u;
    bool local_8 = {};
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
                local_5 = lr < tile.z;
            } else {
                local_5 = false;
            }
            bool _e28 = local_5;
            if (_e28) {
                uint _e33 = p.k;
                local_6 = kk_2 < _e33;
            } else {
                local_6 = false;
            }
            bool _e36 = local_6;
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
            local_7 = r_3 < _e67;
        } else {
            local_7 = false;
        }
        bool _e70 = local_7;
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
            local_8 = r_4 < _e98;
        } else {
            local_8 = false;
        }
        bool _e101 = local_8;
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
metal::simdgroup_float8x8 NagaCooperativeLoad(const threadgroup float* ptr, int stride, bool is_row_major) {
    metal::simdgroup_float8x8 m;
    simdgroup_load(m, ptr, stride, 0, is_row_major);
    return m;
}

metal::simdgroup_float8x8 NagaCooperativeMultiplyAdd(const thread metal::simdgroup_float8x8& a, const thread metal::simdgroup_float8x8& b, const thread metal::simdgroup_float8x8& c) {
    metal::simdgroup_float8x8 d;
    simdgroup_multiply_accumulate(d,a,b,c);
    return d;
}


struct qmm_coop8_Input {
};
[[max_total_threads_per_threadgroup(64)]] kernel void qmm_coop8_(
  metal::uint3 wid [[threadgroup_position_in_grid]]
, metal::uint3 nwg [[threadgroups_per_grid]]
, uint lid [[thread_index_in_threadgroup]]
, uint sg [[simdgroup_index_in_threadgroup]]
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
, threadgroup type_15& zero8_
, constant _mslBufferSizes& _buffer_sizes [[buffer(15)]]
) {
    uint opaque_zero = {};
    type_4 chunk = {};
    metal::simdgroup_float8x8 c00_ = {};
    metal::simdgroup_float8x8 c01_ = {};
    metal::simdgroup_float8x8 c02_ = {};
    metal::simdgroup_float8x8 c03_ = {};
    metal::simdgroup_float8x8 c10_ = {};
    metal::simdgroup_float8x8 c11_ = {};
    metal::simdgroup_float8x8 c12_ = {};
    metal::simdgroup_float8x8 c13_ = {};
    uint kc = 0u;
    uint kk = {};
    uint i = {};
    bool local = {};
    uint _e4 = tile_index(wid, nwg);
    uint _e7 = p.tiles;
    bool live_1 = _e4 < _e7;
    uint _e12 = p.tiles;
    metal::uint4 tile_1 = tiles[metal::min(_e4, _e12 - 1u)];
    uint n0_1 = wid.x * 32u;
    uint r0_ = sg * 16u;
    zero8_.inner[lid] = 0.0;
    metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
    c00_ = NagaCooperativeLoad(&zero8_.inner[0], 8u, false);
    metal::simdgroup_float8x8 _e31 = c00_;
    c01_ = _e31;
    metal::simdgroup_float8x8 _e33 = c00_;
    c02_ = _e33;
    metal::simdgroup_float8x8 _e35 = c00_;
    c03_ = _e35;
    metal::simdgroup_float8x8 _e37 = c00_;
    c10_ = _e37;
    metal::simdgroup_float8x8 _e39 = c00_;
    c11_ = _e39;
    metal::simdgroup_float8x8 _e41 = c00_;
    c12_ = _e41;
    metal::simdgroup_float8x8 _e43 = c00_;
    c13_ = _e43;
    uint _e47 = p.k;
    uint steps = (_e47 + 31u) / 32u;
    bool loop_init_8 = true;
    while(true) {
        if (!loop_init_8) {
            uint _e134 = kc;
            kc = _e134 + 1u;
        }
        loop_init_8 = false;
        uint _e54 = kc;
        if (_e54 < steps) {
        } else {
            break;
        }
        {
            uint _e56 = kc;
            stage_tiles(tile_1, live_1, n0_1, _e56, lid, opaque_zero, chunk, wq, p, x_2, scales, biases, gscale, rows, xs, ws, _buffer_sizes);
            metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
            kk = 0u;
            bool loop_init_9 = true;
            while(true) {
                if (!loop_init_9) {
                    uint _e130 = kk;
                    kk = _e130 + 8u;
                }
                loop_init_9 = false;
                uint _e59 = kk;
                if (_e59 < 32u) {
                } else {
                    break;
                }
                {
                    uint _e65 = kk;
                    metal::simdgroup_float8x8 a0_ = NagaCooperativeLoad(&xs.inner[(r0_ * 32u) + _e65], 32u, false);
                    uint _e75 = kk;
                    metal::simdgroup_float8x8 a1_ = NagaCooperativeLoad(&xs.inner[((r0_ + 8u) * 32u) + _e75], 32u, false);
                    uint _e81 = kk;
                    metal::simdgroup_float8x8 b0_ = NagaCooperativeLoad(&ws.inner[_e81 * 32u], 32u, false);
                    uint _e88 = kk;
                    metal::simdgroup_float8x8 b1_ = NagaCooperativeLoad(&ws.inner[(_e88 * 32u) + 8u], 32u, false);
                    uint _e97 = kk;
                    metal::simdgroup_float8x8 b2_ = NagaCooperativeLoad(&ws.inner[(_e97 * 32u) + 16u], 32u, false);
                    uint _e106 = kk;
                    metal::simdgroup_float8x8 b3_ = NagaCooperativeLoad(&ws.inner[(_e106 * 32u) + 24u], 32u, false);
                    metal::simdgroup_float8x8 _e114 = c00_;
                    c00_ = NagaCooperativeMultiplyAdd(a0_, b0_, _e114);
                    metal::simdgroup_float8x8 _e116 = c01_;
                    c01_ = NagaCooperativeMultiplyAdd(a0_, b1_, _e116);
                    metal::simdgroup_float8x8 _e118 = c02_;
                    c02_ = NagaCooperativeMultiplyAdd(a0_, b2_, _e118);
                    metal::simdgroup_float8x8 _e120 = c03_;
                    c03_ = NagaCooperativeMultiplyAdd(a0_, b3_, _e120);
                    metal::simdgroup_float8x8 _e122 = c10_;
                    c10_ = NagaCooperativeMultiplyAdd(a1_, b0_, _e122);
                    metal::simdgroup_float8x8 _e124 = c11_;
                    c11_ = NagaCooperativeMultiplyAdd(a1_, b1_, _e124);
                    metal::simdgroup_float8x8 _e126 = c12_;
                    c12_ = NagaCooperativeMultiplyAdd(a1_, b2_, _e126);
                    metal::simdgroup_float8x8 _e128 = c13_;
                    c13_ = NagaCooperativeMultiplyAdd(a1_, b3_, _e128);
                }
            }
            metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
        }
    }
    metal::simdgroup_float8x8 _e136 = c00_;
    simdgroup_store(_e136, &xs.inner[r0_ * 32u], 32u);
    metal::simdgroup_float8x8 _e142 = c01_;
    simdgroup_store(_e142, &xs.inner[(r0_ * 32u) + 8u], 32u);
    metal::simdgroup_float8x8 _e150 = c02_;
    simdgroup_store(_e150, &xs.inner[(r0_ * 32u) + 16u], 32u);
    metal::simdgroup_float8x8 _e158 = c03_;
    simdgroup_store(_e158, &xs.inner[(r0_ * 32u) + 24u], 32u);
    metal::simdgroup_float8x8 _e166 = c10_;
    simdgroup_store(_e166, &xs.inner[(r0_ + 8u) * 32u], 32u);
    metal::simdgroup_float8x8 _e174 = c11_;
    simdgroup_store(_e174, &xs.inner[((r0_ + 8u) * 32u) + 8u], 32u);
    metal::simdgroup_float8x8 _e184 = c12_;
    simdgroup_store(_e184, &xs.inner[((r0_ + 8u) * 32u) + 16u], 32u);
    metal::simdgroup_float8x8 _e194 = c13_;
    simdgroup_store(_e194, &xs.inner[((r0_ + 8u) * 32u) + 24u], 32u);
    metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
    if (live_1) {
        i = lid;
        bool loop_init_10 = true;
        while(true) {
            if (!loop_init_10) {
                uint _e243 = i;
                i = _e243 + 64u;
            }
            loop_init_10 = false;
            uint _e205 = i;
            if (_e205 < 1024u) {
            } else {
                break;
            }
            {
                uint _e208 = i;
                uint row = _e208 / 32u;
                uint _e211 = i;
                uint col = n0_1 + (_e211 % 32u);
                if (row < tile_1.z) {
                    uint _e221 = p.n;
                    local = col < _e221;
                } else {
                    local = false;
                }
                bool _e224 = local;
                if (_e224) {
                    uint _e231 = rows[tile_1.y + row].y;
                    uint _e234 = p.n;
                    uint _e239 = i;
                    float _e241 = xs.inner[_e239];
                    out[(_e231 * _e234) + col] = as_type<uint>(_e241);
                }
            }
        }
        return;
    } else {
        return;
    }
}
