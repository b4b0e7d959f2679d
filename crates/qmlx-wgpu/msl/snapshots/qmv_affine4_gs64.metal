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
struct type_13 {
    float inner[2048];
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
constant uint LANES = 8u;
constant uint COLS = 8u;
constant uint MAXM = 8u;
constant uint BLOCK = 256u;
constant uint BITS = 4u;
constant uint GS = 64u;
constant uint MODE = 0u;
constant uint XDT = 0u;

float f16_to_f32_(
    uint h_1
) {
    uint s = (h_1 & 32768u) << 16u;
    uint e_3 = (h_1 >> 10u) & 31u;
    uint m = h_1 & 1023u;
    if (e_3 == 0u) {
        return as_type<float>(as_type<uint>(static_cast<float>(m) * 0.000000059604645) | s);
    }
    if (e_3 == 31u) {
        return as_type<float>((s | 2139095040u) | (m << 13u));
    }
    return as_type<float>((s | ((e_3 + 112u) << 23u)) | (m << 13u));
}

float bf16_to_f32_(
    uint h_2
) {
    return as_type<float>(h_2 << 16u);
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
    float q_1,
    bool up
) {
    if (q_1 == 0.0) {
        return up ? as_type<float>(1u) : as_type<float>(2147483649u);
    }
    uint b_3 = as_type<uint>(q_1);
    bool away = up == (q_1 > 0.0);
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
    float q_2,
    float b_1,
    thread uint& opaque_zero
) {
    float _e3 = hi12_(q_2);
    float _e5 = opq(q_2 - _e3, opaque_zero);
    float _e6 = hi12_(b_1);
    float _e8 = opq(b_1 - _e6, opaque_zero);
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
    float b_2,
    thread uint& opaque_zero
) {
    float q_3 = {};
    bool local_3 = {};
    uint i_3 = 0u;
    q_3 = a_1 / b_2;
    float _e4 = q_3;
    bool finite = (as_type<uint>(_e4) & 2139095040u) != 2139095040u;
    if (!(!(finite))) {
        float _e14 = q_3;
        local_3 = _e14 == 0.0;
    } else {
        local_3 = true;
    }
    bool _e18 = local_3;
    if (_e18) {
        float _e19 = q_3;
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
            float _e25 = q_3;
            float _e26 = div_remainder(a_1, _e25, b_2, opaque_zero);
            if (_e26 == 0.0) {
                break;
            }
            float _e29 = q_3;
            float _e35 = next_toward(_e29, (_e26 > 0.0) == (b_2 > 0.0));
            float _e36 = div_remainder(a_1, _e35, b_2, opaque_zero);
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
    uint e_4 = (code >> 1u) & 3u;
    float m_1 = static_cast<float>(code & 1u);
    v_1 = m_1 * 0.5;
    if (e_4 != 0u) {
        v_1 = (1.0 + (m_1 * 0.5)) * static_cast<float>(1u << (e_4 - 1u));
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
    uint e_5 = (code_1 >> 3u) & 15u;
    if (e_5 == 0u) {
        mag = static_cast<float>(code_1 & 7u) * 0.001953125;
    } else {
        mag = as_type<float>(((e_5 + 120u) << 23u) | ((code_1 & 7u) << 20u));
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
    uint e_2,
    thread type_4& chunk
) {
    uint v_2 = {};
    uint pos = e_2 * BITS;
    uint wi_2 = pos >> 5u;
    uint sh = pos & 31u;
    uint _e9 = chunk.inner[wi_2];
    v_2 = _e9 >> sh;
    if ((sh + BITS) > 32u) {
        uint _e16 = v_2;
        uint _e21 = chunk.inner[wi_2 + 1u];
        v_2 = _e16 | (_e21 << (32u - sh));
    }
    uint _e26 = v_2;
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
    bool local_4 = {};
    bool local_5 = {};
    uint v_3 = 0u;
    uint i_5 = 0u;
    if (true) {
        local_4 = (start & 3u) == 0u;
    } else {
        local_4 = false;
    }
    bool _e15 = local_4;
    if (_e15) {
        local_5 = (start + BITS) <= end;
    } else {
        local_5 = false;
    }
    bool _e22 = local_5;
    if (_e22) {
        bool loop_init_1 = true;
        while(true) {
            if (!loop_init_1) {
                uint _e69 = v_3;
                v_3 = _e69 + 1u;
            }
            loop_init_1 = false;
            uint _e25 = v_3;
            if (_e25 < 1u) {
            } else {
                break;
            }
            {
                uint _e34 = v_3;
                metal::uint4 q_4 = wq[(start >> 2u) + _e34];
                uint _e40 = v_3;
                chunk.inner[4u * _e40] = q_4.x;
                uint _e46 = v_3;
                chunk.inner[(4u * _e46) + 1u] = q_4.y;
                uint _e54 = v_3;
                chunk.inner[(4u * _e54) + 2u] = q_4.z;
                uint _e62 = v_3;
                chunk.inner[(4u * _e62) + 3u] = q_4.w;
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

float x_value(
    uint x_row,
    uint kk,
    constant Params& p,
    device type_7 const& x_2,
    constant _mslBufferSizes& _buffer_sizes
) {
    uint _e4 = p.k;
    uint i_6 = (x_row * _e4) + kk;
    uint _e9 = word_index(i_6, XDT);
    uint _e11 = x_2[_e9];
    float _e13 = float_from_word(_e11, i_6, XDT);
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
    bool local_6 = {};
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
        local_6 = _e58 != 0u;
    } else {
        local_6 = false;
    }
    bool _e62 = local_6;
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
, threadgroup type_13& xs
, threadgroup type_14& red
, constant _mslBufferSizes& _buffer_sizes [[buffer(15)]]
) {
    uint opaque_zero = {};
    type_4 chunk = {};
    bool local = {};
    type_15 acc = {};
    type_11 q = {};
    uint b = 0u;
    uint i = {};
    float v = {};
    bool local_1 = {};
    uint h = {};
    uint e = {};
    uint mi = {};
    float sqx = {};
    float sx = {};
    uint e_1 = {};
    uint mi_1 = 0u;
    uint stride = 4u;
    uint mi_2 = {};
    bool local_2 = {};
    uint mi_3 = 0u;
    uint _e3 = tile_index(wid, nwg);
    uint _e6 = p.tiles;
    bool tile_live = _e3 < _e6;
    uint _e11 = p.tiles;
    metal::uint4 tile = tiles[metal::min(_e3, _e11 - 1u)];
    uint count = tile_live ? tile.z : 0u;
    uint lane = lid % LANES;
    uint col = (wid.x * COLS) + (lid / LANES);
    if (tile_live) {
        uint _e32 = p.n;
        local = col < _e32;
    } else {
        local = false;
    }
    bool live = local;
    uint _e40 = p.k;
    uint blocks = ((_e40 + BLOCK) - 1u) / BLOCK;
    bool loop_init_3 = true;
    while(true) {
        if (!loop_init_3) {
            uint _e212 = b;
            b = _e212 + 1u;
        }
        loop_init_3 = false;
        uint _e49 = b;
        if (_e49 < blocks) {
        } else {
            break;
        }
        {
            uint _e51 = b;
            uint k0_ = _e51 * BLOCK;
            i = lid;
            bool loop_init_4 = true;
            while(true) {
                if (!loop_init_4) {
                    uint _e83 = i;
                    i = _e83 + 64u;
                }
                loop_init_4 = false;
                uint _e55 = i;
                if (_e55 < (count * BLOCK)) {
                } else {
                    break;
                }
                {
                    uint _e59 = i;
                    uint kk_1 = k0_ + (_e59 % BLOCK);
                    v = 0.0;
                    uint _e67 = p.k;
                    if (kk_1 < _e67) {
                        uint _e71 = i;
                        uint _e77 = rows[tile.y + (_e71 / BLOCK)].x;
                        float _e78 = x_value(_e77, kk_1, p, x_2, _buffer_sizes);
                        v = _e78;
                    }
                    uint _e80 = i;
                    float _e82 = v;
                    xs.inner[_e80] = _e82;
                }
            }
            metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
            uint _e86 = b;
            uint c_1 = (_e86 * LANES) + lane;
            if (live) {
                uint _e96 = p.k;
                local_1 = (c_1 * 32u) < _e96;
            } else {
                local_1 = false;
            }
            bool _e99 = local_1;
            if (_e99) {
                load_w_chunk(tile.x, col, c_1, chunk, wq, p, _buffer_sizes);
                h = 0u;
                bool loop_init_5 = true;
                while(true) {
                    if (!loop_init_5) {
                        uint _e209 = h;
                        h = _e209 + 1u;
                    }
                    loop_init_5 = false;
                    uint _e103 = h;
                    if (_e103 < 2u) {
                    } else {
                        break;
                    }
                    {
                        uint _e108 = h;
                        uint j0_ = (c_1 * 32u) + (_e108 * 16u);
                        uint _e114 = p.k;
                        if (j0_ >= _e114) {
                            break;
                        }
                        metal::float2 _e117 = group_params(tile.x, col, j0_, opaque_zero, p, scales, biases, gscale, _buffer_sizes);
                        e = 0u;
                        bool loop_init_6 = true;
                        while(true) {
                            if (!loop_init_6) {
                                uint _e143 = e;
                                e = _e143 + 1u;
                            }
                            loop_init_6 = false;
                            uint _e120 = e;
                            if (_e120 < 16u) {
                            } else {
                                break;
                            }
                            {
                                uint _e123 = h;
                                uint _e126 = e;
                                uint _e128 = chunk_code((_e123 * 16u) + _e126, chunk);
                                if (true) {
                                    uint _e134 = e;
                                    q.inner[_e134] = static_cast<float>(_e128);
                                } else {
                                    uint _e137 = e;
                                    float _e141 = weight_value(_e128, 1.0, 0.0);
                                    q.inner[_e137] = _e141;
                                }
                            }
                        }
                        mi = 0u;
                        bool loop_init_7 = true;
                        while(true) {
                            if (!loop_init_7) {
                                uint _e206 = mi;
                                mi = _e206 + 1u;
                            }
                            loop_init_7 = false;
                            uint _e147 = mi;
                            if (_e147 < MAXM) {
                            } else {
                                break;
                            }
                            {
                                uint _e150 = mi;
                                if (_e150 < count) {
                                    uint _e152 = mi;
                                    uint base = (_e152 * BLOCK) + (j0_ - k0_);
                                    sqx = 0.0;
                                    sx = 0.0;
                                    e_1 = 0u;
                                    bool loop_init_8 = true;
                                    while(true) {
                                        if (!loop_init_8) {
                                            uint _e180 = e_1;
                                            e_1 = _e180 + 1u;
                                        }
                                        loop_init_8 = false;
                                        uint _e163 = e_1;
                                        if (_e163 < 16u) {
                                        } else {
                                            break;
                                        }
                                        {
                                            uint _e167 = e_1;
                                            float xv = xs.inner[base + _e167];
                                            float _e171 = sqx;
                                            uint _e172 = e_1;
                                            float _e174 = q.inner[_e172];
                                            sqx = _e171 + (_e174 * xv);
                                            float _e177 = sx;
                                            sx = _e177 + xv;
                                        }
                                    }
                                    if (true) {
                                        uint _e187 = mi;
                                        float _e189 = acc.inner[_e187];
                                        float _e191 = sqx;
                                        float _e194 = sx;
                                        acc.inner[_e187] = _e189 + ((_e117.x * _e191) + (_e117.y * _e194));
                                    } else {
                                        uint _e198 = mi;
                                        float _e200 = acc.inner[_e198];
                                        float _e202 = sqx;
                                        acc.inner[_e198] = _e200 + (_e117.x * _e202);
                                    }
                                }
                            }
                        }
                    }
                }
            }
            metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
        }
    }
    bool loop_init_9 = true;
    while(true) {
        if (!loop_init_9) {
            uint _e229 = mi_1;
            mi_1 = _e229 + 1u;
        }
        loop_init_9 = false;
        uint _e216 = mi_1;
        if (_e216 < MAXM) {
        } else {
            break;
        }
        {
            uint _e222 = mi_1;
            uint _e225 = mi_1;
            float _e227 = acc.inner[_e225];
            red.inner[(lid * MAXM) + _e222] = _e227;
        }
    }
    metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
    bool loop_init_10 = true;
    while(true) {
        if (!loop_init_10) {
            uint _e263 = stride;
            stride = _e263 >> 1u;
        }
        loop_init_10 = false;
        uint _e233 = stride;
        if (_e233 > 0u) {
        } else {
            break;
        }
        {
            uint _e236 = stride;
            if (lane < _e236) {
                mi_2 = 0u;
                bool loop_init_11 = true;
                while(true) {
                    if (!loop_init_11) {
                        uint _e261 = mi_2;
                        mi_2 = _e261 + 1u;
                    }
                    loop_init_11 = false;
                    uint _e240 = mi_2;
                    if (_e240 < MAXM) {
                    } else {
                        break;
                    }
                    {
                        uint _e246 = mi_2;
                        float _e249 = red.inner[(lid * MAXM) + _e246];
                        uint _e251 = stride;
                        uint _e255 = mi_2;
                        float _e258 = red.inner[((lid + _e251) * MAXM) + _e255];
                        red.inner[(lid * MAXM) + _e246] = _e249 + _e258;
                    }
                }
            }
            metal::threadgroup_barrier(metal::mem_flags::mem_threadgroup);
        }
    }
    if (live) {
        local_2 = lane == 0u;
    } else {
        local_2 = false;
    }
    bool _e271 = local_2;
    if (_e271) {
        bool loop_init_12 = true;
        while(true) {
            if (!loop_init_12) {
                uint _e301 = mi_3;
                mi_3 = _e301 + 1u;
            }
            loop_init_12 = false;
            uint _e274 = mi_3;
            if (_e274 < MAXM) {
            } else {
                break;
            }
            {
                uint _e277 = mi_3;
                if (_e277 < count) {
                    uint _e282 = mi_3;
                    uint _e286 = rows[tile.y + _e282].y;
                    uint _e289 = p.n;
                    uint _e296 = mi_3;
                    float _e299 = red.inner[(lid * MAXM) + _e296];
                    out[(_e286 * _e289) + col] = _e299;
                }
            }
        }
        return;
    } else {
        return;
    }
}
