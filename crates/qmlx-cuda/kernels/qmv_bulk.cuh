// M ≤ 4 matrix-vector kernel (transpose=True, f16/bf16) whose weights arrive by 1-D bulk copies
// (TMA, sm_90+): a row tile (QB_ROWS rows × a K slice of up to QB_KS codes, plus the slice's scales
// and biases) lands in one stage of a QB_STAGES-deep shared-memory ring guarded by mbarriers. One
// producer thread issues the copies (one per tile for whole rows, else one per row and array) and
// runs ahead across tiles of a persistent grid; QB_CWARPS consumer warps decode from shared memory
// with the per-bit helpers of quant.cuh. Why: the register-ring kernels keep one step per warp in
// flight (bench/cuda-notes.md stage 11); here each block keeps up to QB_STAGES × ~16-24 KB in flight.
//
// Needs (checked on the host, src/lib.rs `bulk_layout_ok`): 16-byte aligned w/scales/biases, packed
// row bytes and per-row parameter bytes of every slice multiples of 16. Included by matmul.cu
// (uses load8, fast_code_value, group-sum forms and nvfp4_gfactor from there).
#pragma once

#define QB_STAGES 4
#define QB_CWARPS 8                     // consumer warps; one more warp issues the copies
#define QB_THREADS ((QB_CWARPS + 1) * 32)
#define QB_KS 4096                      // codes per row slice (128 chunks of 32: one per chunk lane)
#define QB_PARAM_ROW 256                // bytes of one row slice's scales (or biases), at most QB_KS / 16
#define QB_HEAD 4096                    // barriers + reduction buffer, before the stages
#define QB_CHUNK_LANES 128              // consumer threads per row group (two row groups)
// Rows per tile: a stage holds ~16 KB of packed codes.
#define QB_ROWS_OF(BITS) ((BITS) <= 2 ? 16 : (BITS) <= 4 ? 8 : 4)

#include "tma.cuh"
#ifdef QMLX_TMA
#define QMLX_BULK 1
#endif

// W words of a chunk from shared memory (the offset is a multiple of W words; stage rows 16-byte aligned).
template <int W> __device__ __forceinline__ void qb_words(const uint32_t* p, uint32_t (&v)[W]) {
  if constexpr (W % 4 == 0) {
#pragma unroll
    for (int i = 0; i < W / 4; ++i) {
      uint4 t = reinterpret_cast<const uint4*>(p)[i];
      v[4 * i] = t.x; v[4 * i + 1] = t.y; v[4 * i + 2] = t.z; v[4 * i + 3] = t.w;
    }
  } else if constexpr (W % 2 == 0) {
#pragma unroll
    for (int i = 0; i < W / 2; ++i) {
      uint2 t = reinterpret_cast<const uint2*>(p)[i];
      v[2 * i] = t.x; v[2 * i + 1] = t.y;
    }
  } else {
#pragma unroll
    for (int i = 0; i < W; ++i) v[i] = p[i];
  }
}

template <int KIND, int BITS> struct BulkGeom {
  static constexpr int rows = QB_ROWS_OF(BITS);
  static constexpr int wbytes = QB_KS * BITS / 8;                  // one row slice of codes
  static constexpr int stage = rows * (wbytes + 2 * QB_PARAM_ROW);  // codes, scales, biases
};

template <int KIND, int BITS, typename T, int MT>
__device__ void qmv_bulk_impl(const MatmulParams& p, int group_size) {
#ifdef QMLX_BULK
  using F = Fmt<KIND, BITS>;
  using G = BulkGeom<KIND, BITS>;
  constexpr int CH = F::chunk, CW = F::chunk_words, R = G::rows, RPT = R / 2;
  constexpr bool AFF = KIND == KIND_AFFINE;
  constexpr int PSIZE = AFF ? (int)sizeof(T) : 1;
  constexpr float UNIT_SCALE = (float)(1 << BITS);
  extern __shared__ __align__(128) unsigned char qb_mem[];
  uint64_t* full = reinterpret_cast<uint64_t*>(qb_mem);
  uint64_t* empty = full + QB_STAGES;
  float* red = reinterpret_cast<float*>(qb_mem + 128);  // [2][QB_CWARPS][RPT][MT]
  unsigned char* stages = qb_mem + QB_HEAD;

  const long long M = p.m, N = p.n, K = p.k;
  const long long row_tiles = (N + R - 1) / R, nslices = (K + QB_KS - 1) / QB_KS;
  const long long tiles = p.batch * row_tiles;
  const long long kspan = K < QB_KS ? K : QB_KS;
  const uint32_t wstride = (uint32_t)(kspan * BITS / 8), pstride = (uint32_t)(kspan / group_size * PSIZE);
  const long long wrow = K * BITS / 8, prow = K / group_size * PSIZE;  // global row bytes
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;

  if (threadIdx.x == 0) {
    for (int s = 0; s < QB_STAGES; ++s) {
      mbar_init(&full[s], 1);
      mbar_init(&empty[s], QB_CWARPS);
    }
    mbar_init_fence();
  }
  __syncthreads();

  if (warp == QB_CWARPS) {
    // Producer: one thread walks the same (tile, slice) sequence as the consumers.
    if (lane != 0) return;
    long long it = 0;
    for (long long tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
      const long long pair = tile / row_tiles, n0 = (tile % row_tiles) * R;
      long long xi, wi;
      const bool ok = resolve_pair(p.map, pair, p.status, p.host_status, xi, wi);
      const uint32_t valid = (uint32_t)min((long long)R, N - n0);
      const unsigned char* wg = reinterpret_cast<const unsigned char*>(p.w) + (wi * N + n0) * wrow;
      const unsigned char* sg = reinterpret_cast<const unsigned char*>(p.scales) + (wi * N + n0) * prow;
      const unsigned char* bg = AFF ? reinterpret_cast<const unsigned char*>(p.biases) + (wi * N + n0) * prow : nullptr;
      for (long long sl = 0; sl < nslices; ++sl, ++it) {
        const int s = (int)(it % QB_STAGES);
        if (it >= QB_STAGES) mbar_wait(&empty[s], (uint32_t)((it / QB_STAGES - 1) & 1));
        const long long k0 = sl * QB_KS, kn = min((long long)QB_KS, K - k0);
        const uint32_t wb = (uint32_t)(kn * BITS / 8), pb = (uint32_t)(kn / group_size * PSIZE);
        unsigned char* st = stages + s * G::stage;
        unsigned char* ws = st;
        unsigned char* ss = st + R * G::wbytes;
        unsigned char* bs = ss + R * QB_PARAM_ROW;
        if (!ok) {
          mbar_arrive_expect_tx(&full[s], 0);
          continue;
        }
        mbar_arrive_expect_tx(&full[s], valid * (wb + (AFF ? 2 : 1) * pb));
        if (nslices == 1) {
          // Whole rows: the tile's rows are contiguous in global and in the stage.
          bulk_copy_g2s(ws, wg, valid * wb, &full[s]);
          bulk_copy_g2s(ss, sg, valid * pb, &full[s]);
          if (AFF) bulk_copy_g2s(bs, bg, valid * pb, &full[s]);
        } else {
          const long long wo = k0 * BITS / 8, po = k0 / group_size * PSIZE;
          for (uint32_t r = 0; r < valid; ++r) {
            bulk_copy_g2s(ws + r * wstride, wg + r * wrow + wo, wb, &full[s]);
            bulk_copy_g2s(ss + r * pstride, sg + r * prow + po, pb, &full[s]);
            if (AFF) bulk_copy_g2s(bs + r * pstride, bg + r * prow + po, pb, &full[s]);
          }
        }
      }
    }
    return;
  }

  // Consumers: thread ct takes chunk lanes ct % 128 of the rows of row group ct / 128.
  const int ct = threadIdx.x, cl = ct % QB_CHUNK_LANES, rg = ct / QB_CHUNK_LANES;
  const int gshift = 31 - __clz(group_size);  // group sizes are powers of two: no division per chunk
  constexpr bool UNIT = AFF;  // f16/bf16 only: codes as 1 + c·2^-BITS, offset undone per group
  long long it = 0;
  int tb = 0;
  for (long long tile = blockIdx.x; tile < tiles; tile += gridDim.x, tb ^= 1) {
    const long long pair = tile / row_tiles, n0 = (tile % row_tiles) * R;
    long long xi, wi;
    const bool ok = resolve_pair(p.map, pair, nullptr, nullptr, xi, wi);
    const T* x = reinterpret_cast<const T*>(p.x) + xi * M * K;
    const float gfactor = KIND == KIND_NVFP4 && ok ? nvfp4_gfactor(p, wi) : 0.0f;
    float acc[MT][RPT];
#pragma unroll
    for (int m = 0; m < MT; ++m)
#pragma unroll
      for (int r = 0; r < RPT; ++r) acc[m][r] = 0.0f;
    for (long long sl = 0; sl < nslices; ++sl, ++it) {
      const int s = (int)(it % QB_STAGES);
      mbar_wait(&full[s], (uint32_t)((it / QB_STAGES) & 1));
      if (ok) {
        const long long k0 = sl * QB_KS, kn = min((long long)QB_KS, K - k0);
        const int chunks = (int)(kn / CH);
        const unsigned char* st = stages + s * G::stage;
        const unsigned char* ss = st + R * G::wbytes;
        const unsigned char* bs = ss + R * QB_PARAM_ROW;
        for (int c = cl; c < chunks; c += QB_CHUNK_LANES) {
          const int g = (c * CH) >> gshift;
          // M = 1: the chunk's x (CH/8 16-byte loads, L1 hits after the first block) is loaded up
          // front so the loads overlap; M > 1 loads a piece at a time (registers).
          uint4 xraw[MT == 1 ? CH / 8 : 1];
          if constexpr (MT == 1) {
#pragma unroll
            for (int piece = 0; piece < CH / 8; ++piece) xraw[piece] = *reinterpret_cast<const uint4*>(x + k0 + c * CH + piece * 8);
          }
          uint32_t v[RPT][CW];
          float sc[RPT], bi[RPT];
#pragma unroll
          for (int r = 0; r < RPT; ++r) {
            const int row = rg * RPT + r;
            qb_words<CW>(reinterpret_cast<const uint32_t*>(st + row * wstride) + c * CW, v[r]);
            if (AFF) {
              sc[r] = to_f32<T>(reinterpret_cast<const T*>(ss + row * pstride)[g]);
              bi[r] = to_f32<T>(reinterpret_cast<const T*>(bs + row * pstride)[g]);
            } else {
              sc[r] = fp_group_scale<KIND>((ss + row * pstride)[g], gfactor);
              bi[r] = 0.0f;
            }
          }
          float dot[MT][RPT], sx[MT];
#pragma unroll
          for (int m = 0; m < MT; ++m) {
            sx[m] = 0.0f;
#pragma unroll
            for (int r = 0; r < RPT; ++r) dot[m][r] = 0.0f;
          }
#pragma unroll
          for (int piece = 0; piece < CH / 8; ++piece) {
            float xv[MT][8];
#pragma unroll
            for (int m = 0; m < MT; ++m) {
              if constexpr (MT == 1) {
                const T* h = reinterpret_cast<const T*>(&xraw[piece]);
#pragma unroll
                for (int j = 0; j < 8; ++j) xv[m][j] = to_f32<T>(h[j]);
              } else if (m < M) {
                load8<T>(x + m * K + k0 + c * CH + piece * 8, xv[m]);
              } else {
#pragma unroll
                for (int j = 0; j < 8; ++j) xv[m][j] = 0.0f;
              }
            }
#pragma unroll
            for (int j = 0; j < 8; ++j) {
              if (AFF) {
#pragma unroll
                for (int m = 0; m < MT; ++m) sx[m] += xv[m][j];
              }
#pragma unroll
              for (int r = 0; r < RPT; ++r) {
                const float q = UNIT ? chunk_code_unit<BITS, CW>(v[r], piece * 8 + j)
                                     : fast_code_value<KIND>(chunk_code<BITS, CW>(v[r], piece * 8 + j));
#pragma unroll
                for (int m = 0; m < MT; ++m) dot[m][r] = fmaf(xv[m][j], q, dot[m][r]);
              }
            }
          }
#pragma unroll
          for (int m = 0; m < MT; ++m)
#pragma unroll
            for (int r = 0; r < RPT; ++r) {
              if (UNIT) {
                // s·Σx·c + b·Σx = (s·2^B)·Σx·u + (b − s·2^B)·Σx
                const float su = sc[r] * UNIT_SCALE;
                acc[m][r] = fmaf(su, dot[m][r], fmaf(bi[r] - su, sx[m], acc[m][r]));
              } else {
                acc[m][r] = fmaf(sc[r], dot[m][r], acc[m][r]);
              }
            }
        }
      }
      __syncwarp();
      if (lane == 0) mbar_arrive(&empty[s]);
    }
    // Row sums: warp shuffles, then the 4 warps of each row group through shared memory.
    float* rb = red + tb * QB_CWARPS * RPT * MT;
#pragma unroll
    for (int m = 0; m < MT; ++m)
#pragma unroll
      for (int r = 0; r < RPT; ++r) {
        float v = acc[m][r];
#pragma unroll
        for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xFFFFFFFFu, v, o);
        if (lane == 0) rb[(warp * RPT + r) * MT + m] = v;
      }
    asm volatile("bar.sync 1, %0;" ::"n"(QB_CWARPS * 32) : "memory");
    if (ct < R * MT) {
      const int row = ct % R, m = ct / R, g = row / RPT, r = row % RPT;
      constexpr int WPG = QB_CWARPS / 2;  // warps per row group
      if (m < M && n0 + row < N) {
        float v = 0.0f;
#pragma unroll
        for (int w = 0; w < WPG; ++w) v += rb[((g * WPG + w) * RPT + r) * MT + m];
        T* out = reinterpret_cast<T*>(p.out) + pair * M * N;
        out[m * N + n0 + row] = from_f32<T>(ok ? v : __uint_as_float(0x7FC00000u));
      }
    }
  }
#endif
}

// Kernel entry points qmvb<MT>_<format>_<dtype> (MT = 1: M = 1, two blocks per SM; MT = 4:
// M = 2..4, one block per SM: its 4 x rows need more than the 96 registers of two blocks, which
// spilled 100-400 bytes for ≤ 4-bit codes).
#define QMLX_BULK_KERNELS(FN, KIND, BITS, TN, T)                                                                    \
  extern "C" __global__ void __launch_bounds__(QB_THREADS, 2) qmvb1_##FN##_##TN(const MatmulParams p, int gs) { \
    qmv_bulk_impl<KIND, BITS, T, 1>(p, gs);                                                                         \
  }                                                                                                                 \
  extern "C" __global__ void __launch_bounds__(QB_THREADS, 1) qmvb4_##FN##_##TN(const MatmulParams p, int gs) { \
    qmv_bulk_impl<KIND, BITS, T, 4>(p, gs);                                                                         \
  }
