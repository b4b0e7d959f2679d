// M = 2..16 decode kernel (transpose=True, one (x, w) pair, affine f16/bf16, group size 32 or 64, K a
// multiple of 512; sm_90+): the M = 1 ring kernel's feed (kernels/qmv_warp.cuh) with the register
// decode of the swap-AB kernel (kernels/qmm_decode.cuh DecodeTile). Why (bench/cuda-notes.md stage
// 18): the register-ring decode kernel keeps ~1-4 KB in flight per warp and reads x through L1/L2
// for every 16 rows (at M = 16 the x tile is 4× the 4-bit weights per k), so M = 16 cost 1.6-1.8×
// M = 1 on the K = 4096 shapes once M = 1 moved to the bulk-copy ring. Here:
//   - each consumer warp owns whole 16·RT-row tiles (all of K: no split-K, so no reduction) and its
//     own ring of 512-code K slices (codes, scales, biases of its rows: three 2-D tensor copies by
//     lane 0, completing on the stage's mbarrier), as in qmv_warp.cuh;
//   - x (the M rows, zero-filled to 8·MT by the copy) arrives once per block and 512-code phase
//     by one 3-D tensor copy (128-byte swizzle: [m][64-code line][128 B]) into a ring of QR_XBUF
//     phases, issued by a producer warp; every consumer warp reads the phase from shared memory
//     and releases it on an "empty" mbarrier (one arrival per warp);
//   - A operand: the weights decoded with the group's scale and bias (TcDecode::run, the same
//     numerics as the decode kernel), lane (g, t) holding chunk t of each 128-code step of rows
//     g + 8h; B: x of chunk t from shared memory (x_pairs order), MT n8 column tiles.
#pragma once
#include "tma.cuh"

#define QR_KS 512     // codes per ring stage and per x phase
#define QR_MAX_STAGES 8
#define QR_XBUF 4     // x phases in flight
#define QR_HEAD 1024  // barriers: full [NW][QR_MAX_STAGES], x full [QR_XBUF], x empty [QR_XBUF]

// Bytes of one x phase: 8·MT rows × 512 codes of 2 bytes.
__host__ __device__ constexpr int qr_x_bytes(int mt) { return 8 * mt * QR_KS * 2; }

template <int KIND, int BITS, typename T, int NW, int RT, int MT, int GS>
__device__ void qmm_ring_impl(const TmaMap& wmap, const TmaMap& smap, const TmaMap& bmap, const TmaMap& xmap, const MatmulParams& p,
                              int nstages, int kp, int xbuf, int rounds) {
#ifdef QMLX_TMA
  using Tile = DecodeTile<KIND, BITS, T, MT, RT, 0, 32>;
  constexpr int H = Tile::H, CH = Tile::CH, CW = Tile::CW, XV = Tile::XV, COLS = Tile::COLS;
  // fp modes: one scale byte per group, no biases; nvfp4: a lane's 32-code chunk holds two 16-code
  // groups (both scale bytes go to run_packed; the sums take the global factor · 2^7 at the end).
  constexpr bool FP = KIND != KIND_AFFINE;
  static_assert(CH == 32, "32-code chunks");
  static_assert(GS == 32 || GS == 64 || (KIND == KIND_NVFP4 && GS == 16), "a chunk lies in one group (nvfp4: two); parameter rows of 16 or 32 bytes");
  constexpr int ROWS = 16 * RT;
  constexpr int RB = QR_KS * BITS / 8;          // code bytes per row and stage
  constexpr int CODES = ROWS * RB;
  constexpr int PG = QR_KS / GS;                // groups per row and stage
  constexpr int PROW = PG * (FP ? 1 : 2);       // bytes per row and stage of each parameter array
  constexpr int STAGE = CODES + (FP ? 1 : 2) * ROWS * PROW;
  constexpr int XB = qr_x_bytes(MT);
  constexpr int RED = NW * ROWS * COLS;         // partial sums of one round (floats), split-K only
  static_assert(STAGE % 128 == 0 && XB % 1024 == 0, "stages and x phases stay aligned");

  extern __shared__ __align__(1024) unsigned char qr_raw[];
  unsigned char* mem = qr_raw + ((1024 - (smem_addr(qr_raw) & 1023)) & 1023);  // the 128-byte swizzle wants 1024-byte phases
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  uint64_t* bars = reinterpret_cast<uint64_t*>(mem);
  uint64_t* xfull = bars + NW * QR_MAX_STAGES;  // [kp][xbuf]
  uint64_t* xempty = xfull + kp * xbuf;         // [kp][xbuf]
  unsigned char* xring = mem + QR_HEAD;         // [kp][xbuf] phases
  float* red = reinterpret_cast<float*>(xring + kp * xbuf * XB);  // [2][NW][ROWS][COLS] where kp > 1
  unsigned char* wring = reinterpret_cast<unsigned char*>(red) + (kp > 1 ? 2 * RED * 4 : 0);

  const long long N = p.n, K = p.k;
  const int nst = (int)(K / QR_KS);
  const int slots = NW / kp;                    // row tiles per block and round
  // Part q of K: slices [q·nst/kp, (q+1)·nst/kp).
  auto part_begin = [&](int q) { return q * nst / kp; };
  const long long tiles = (N + ROWS - 1) / ROWS;
  const long long tb = (long long)blockIdx.x * tiles / gridDim.x, te = ((long long)blockIdx.x + 1) * tiles / gridDim.x;
  // PDL: before the predecessor is waited for, each consumer warp's first slices into L2 (matrix 0
  // without a gather index; x is left alone: it is typically the predecessor's output).
  pdl_prologue([&] {
    const int w = threadIdx.x >> 5, q = w % kp, tl = (int)(tb + w / kp);
    if ((threadIdx.x & 31) == 0 && w < NW && p.map.rhs_kind == IDX_NONE && tl < te)
      for (int s = 0; s < part_begin(q + 1) - part_begin(q) && s < QMLX_PDL_PREFETCH_STAGES; ++s) {
        const int sl = part_begin(q) + s;
        tma_prefetch_l2_2d(&wmap, sl * (QR_KS * BITS / 32), tl * ROWS);
        tma_prefetch_l2_2d(&smap, sl * PG, tl * ROWS);
        tma_prefetch_l2_2d(&bmap, sl * PG, tl * ROWS);
      }
  });
  long long xi = 0, wi = 0;
  const bool ok = resolve_pair(p.map, 0, blockIdx.x == 0 && threadIdx.x == 0 ? p.status : nullptr, p.host_status, xi, wi);

  if (threadIdx.x == 0) {
    for (int i = 0; i < NW * QR_MAX_STAGES; ++i) mbar_init(&bars[i], 1);
    for (int b = 0; b < kp * xbuf; ++b) {
      mbar_init(&xfull[b], 1);
      mbar_init(&xempty[b], slots);
    }
    mbar_init_fence();
  }
  __syncthreads();

  if (warp == NW) {
    // Producer: phase i of part q (K slice part_begin(q) + i mod its slices, the pair's M rows) into
    // slot (q, i mod xbuf), once the slots' consumer warps have released the phase that used it before.
    if (lane == 0) {
      const int xrow = (int)(xi * p.m);
      const int most = part_begin(kp) - part_begin(kp - 1);  // the last part has the most slices
      for (int i = 0; i < rounds * most; ++i) {
        const int b = i % xbuf;
        for (int q = 0; q < kp; ++q) {
          const int myq = part_begin(q + 1) - part_begin(q);
          if (i >= rounds * myq) continue;
          uint64_t* xe = &xempty[q * xbuf + b];
          if (i >= xbuf) mbar_wait(xe, (uint32_t)((i / xbuf - 1) & 1));
          uint64_t* xf = &xfull[q * xbuf + b];
          mbar_arrive_expect_tx(xf, XB);
          tma_load_3d(xring + (q * xbuf + b) * XB, &xmap, 0, (part_begin(q) + i % myq) * (QR_KS / 64), xrow, xf);
        }
      }
    }
    return;
  }

  const int part = warp % kp, slot = warp / kp;
  const int s_beg = part_begin(part), my = part_begin(part + 1) - s_beg;  // this warp's K slices
  const int phases = rounds * my;
  const int xshift = __ffs(xbuf) - 1;           // xbuf is 2 or 4: no division per stage
  uint64_t* full = bars + warp * QR_MAX_STAGES;
  unsigned char* ring = wring + warp * nstages * STAGE;
  auto tile_of = [&](long long r) -> long long {
    const long long tl = tb + r * slots + slot;
    return tl < te ? tl : -1;
  };
  // Producer of this warp's ring (lane 0): stage (round pr, slice pj of its part) into slot ps.
  int pr = 0, pj = 0, ps = 0, prow0 = -1;
  auto issue = [&]() {
    if (lane == 0) {
      if (pj == 0) {
        const long long tl = tile_of(pr);
        prow0 = ok && tl >= 0 ? (int)(wi * N + tl * ROWS) : -1;
      }
      uint64_t* bar = &full[ps];
      unsigned char* st = ring + ps * STAGE;
      if (prow0 >= 0) {
        const int sl = s_beg + pj;
        mbar_arrive_expect_tx(bar, STAGE);
        tma_load_2d(st, &wmap, sl * (QR_KS * BITS / 32), prow0, bar);
        tma_load_2d(st + CODES, &smap, sl * PG, prow0, bar);
        if constexpr (!FP) tma_load_2d(st + CODES + ROWS * PROW, &bmap, sl * PG, prow0, bar);
      } else {
        mbar_arrive(bar);
      }
    }
    if (++pj == my) { pj = 0; ++pr; }
    if (++ps == nstages) ps = 0;
  };
  const int first = phases < nstages ? phases : nstages;
  for (int i = 0; i < first; ++i) issue();

  // x of chunk c (of the phase), row m: line m·8 + c/2, 16-byte unit 4·(c & 1) + e swizzled by the line (c/2).
  uint64_t* xf_part = xfull + part * xbuf;
  uint64_t* xe_part = xempty + part * xbuf;
  const unsigned char* xr_part = xring + part * xbuf * XB;
  T* out = reinterpret_cast<T*>(p.out);
  const long long M = p.m;
  const float nan = __uint_as_float(0x7FC00000u);
  // nvfp4: the decode's scales are E4M3 · 2^-7; the global factor and 2^7 go on the sums.
  const float sum_scale = KIND == KIND_NVFP4 ? nvfp4_gfactor(p, wi) * 128.0f : 1.0f;
  // x of chunk c = 4q + t, row m = g + 8·mt, unit e: byte (m·8 + line)·128 + ((4·(c & 1) + e) ^ (line & 7))·16 of the
  // phase, line = c/2 = 2q + (t >> 1). The XOR splits into lane bits (t >> 1 at bit 0, t & 1 at bit 2) and the
  // compile-time cc = e ^ 2q: (L ^ cc) = L + cc - 2·(L & cc), so four lane offsets (by cc's bits 0 and 2), four
  // adds per phase and an immediate per load. Why: computed per load, ptxas added the shared base to each x
  // address (one IMAD.IADD per pair of loads; SASS of the phase loop, bench/cuda-notes.md stage 23). Only where
  // it measured faster (H100 stage 23 round 1, 2-3 % at M = 9..16): M = 9..16 (MT = 2) of affine 2/3/4-bit and
  // mxfp4, M = 2..8 of affine 3-bit and 4-bit f16; the other entries were as fast or 0.5-3 % slower with it,
  // so they keep the per-load form (their SASS is main's). RT = 2 (4 warps × 2 row tiles) keeps it too: with
  // the offsets its loop grew (1330 → 1347 instructions).
  constexpr bool AFF = KIND == KIND_AFFINE;
  constexpr bool XLANE = RT == 1 && (MT == 2 ? (AFF && BITS <= 4) || KIND == KIND_MXFP4
                                             : AFF && (BITS == 3 || (BITS == 4 && std::is_same<T, __half>::value)));
  static_assert(XV == 4 && QR_KS / 128 == 4, "units e < 4 and lines 2q + (t >> 1) < 8: the XOR splits as above");
  int xlane[2][2] = {};
  if constexpr (XLANE) {
    const int h = t >> 1, b = t & 1, L = 4 * b + h, base = (g * (QR_KS / 64) + h) * 128;
#pragma unroll
    for (int c0 = 0; c0 < 2; ++c0)
#pragma unroll
      for (int c2 = 0; c2 < 2; ++c2) xlane[c0][c2] = base + ((L - 2 * (c0 ? h : 0) - 8 * (c2 ? b : 0)) << 4);
  }
  int i = 0;
  int cs = 0;
  uint32_t cpar = 0;
  for (int r = 0; r < rounds; ++r) {
    const long long tl = tile_of(r);
    float acc[2][RT][MT][4];
    Tile::zero(acc);
    for (int j = 0; j < my; ++j, ++i) {
      const int xb = i & (xbuf - 1);
      mbar_wait(&full[cs], cpar);
      mbar_wait(&xf_part[xb], (uint32_t)(i >> xshift) & 1u);
      if (ok && tl >= 0) {
        const unsigned char* st = ring + cs * STAGE;
        const unsigned char* xs = xr_part + xb * XB;
        const unsigned char* xq[2][2] = {{xs + xlane[0][0], xs + xlane[0][1]}, {xs + xlane[1][0], xs + xlane[1][1]}};
#pragma unroll
        for (int q = 0; q < QR_KS / 128; ++q) {
          const int c = 4 * q + t;  // this lane's chunk of the stage
          uint32_t v[H][CW], sr[H], br[H];
#pragma unroll
          for (int h = 0; h < H; ++h) {
            const int row = g + 8 * h;
            qb_words<CW>(reinterpret_cast<const uint32_t*>(st + row * RB) + c * CW, v[h]);
            if constexpr (GS == 16) {
              sr[h] = reinterpret_cast<const unsigned short*>(st + CODES + row * PROW)[c];  // groups 2c, 2c + 1
              br[h] = 0u;
            } else if constexpr (FP) {
              sr[h] = (st + CODES + row * PROW)[c * 32 / GS];
              br[h] = 0u;
            } else {
              const unsigned short* sp = reinterpret_cast<const unsigned short*>(st + CODES + row * PROW);
              const unsigned short* bp = reinterpret_cast<const unsigned short*>(st + CODES + (ROWS + row) * PROW);
              sr[h] = sp[c * 32 / GS];
              br[h] = bp[c * 32 / GS];
            }
          }
          uint4 xr[MT][XV];
#pragma unroll
          for (int mt = 0; mt < MT; ++mt) {
            const int m = g + 8 * mt, line = c >> 1;
            const unsigned char* xl = xs + (m * (QR_KS / 64) + line) * 128;
#pragma unroll
            for (int e = 0; e < XV; ++e) {
              const int cc = e ^ (2 * q);  // the unit's compile-time XOR part
              xr[mt][e] = XLANE ? *reinterpret_cast<const uint4*>(xq[cc & 1][(cc >> 2) & 1] + mt * (8 * (QR_KS / 64) * 128) + q * 256 + (cc << 4))
                                : *reinterpret_cast<const uint4*>(xl + (((4 * (c & 1) + e) ^ (line & 7)) << 4));
            }
          }
          Tile::template compute<true>(v, sr, br, 0.0f, xr, acc);
        }
      }
      // Both stages are read (every lane's loads done): release x, refill the weight stage.
      __syncwarp();
      if (lane == 0) mbar_arrive(&xe_part[xb]);
      if (i + nstages < phases) {
        if (lane == 0) fence_proxy_async_smem();
        issue();
      }
      if (++cs == nstages) { cs = 0; cpar ^= 1u; }
    }
    // D fragment: rows g (+8) of row tile rt, columns 2t, 2t + 1 of column tile mt.
    if (kp == 1) {
      if (tl >= 0) {
#pragma unroll
        for (int rt = 0; rt < RT; ++rt)
#pragma unroll
          for (int mt = 0; mt < MT; ++mt)
#pragma unroll
            for (int e = 0; e < 4; ++e) {
              const long long n = tl * ROWS + 16 * rt + g + 8 * (e >> 1);
              const int m = 8 * mt + 2 * t + (e & 1);
              if (n < N && m < M) out[m * N + n] = from_f32<T>(ok ? (acc[0][rt][mt][e] + acc[1][rt][mt][e]) * sum_scale : nan);
            }
      }
    } else {
      // Split K: the kp warps of a tile add their partial sums in shared memory (double-buffered by
      // round, so one barrier of the consumer warps per round).
      float* rb = red + (r & 1) * RED + warp * ROWS * COLS;
#pragma unroll
      for (int rt = 0; rt < RT; ++rt)
#pragma unroll
        for (int mt = 0; mt < MT; ++mt)
#pragma unroll
          for (int e = 0; e < 4; ++e) rb[(16 * rt + g + 8 * (e >> 1)) * COLS + 8 * mt + 2 * t + (e & 1)] = acc[0][rt][mt][e] + acc[1][rt][mt][e];
      asm volatile("bar.sync 1, %0;" ::"r"(NW * 32) : "memory");
      if (part == 0 && tl >= 0) {
        const float* r0 = red + (r & 1) * RED + warp * ROWS * COLS;
        for (int e = lane; e < ROWS * COLS; e += 32) {
          const long long n = tl * ROWS + e / COLS;
          const int m = e % COLS;
          if (n < N && m < M) {
            float v = 0.0f;
            for (int q = 0; q < kp; ++q) v += r0[q * ROWS * COLS + e];
            out[m * N + n] = from_f32<T>(ok ? v * sum_scale : nan);
          }
        }
      }
    }
  }
#endif
}

// The group sizes of a format: affine 32 or 64 (a launch argument), mxfp4/mxfp8 32, nvfp4 16.
template <int KIND, int BITS, typename T, int NW, int RT, int MT>
__device__ __forceinline__ void qmm_ring_gs(const TmaMap& wmap, const TmaMap& smap, const TmaMap& bmap, const TmaMap& xmap, const MatmulParams& p,
                                            int gs, int nstages, int kp, int xbuf, int rounds) {
  if constexpr (KIND == KIND_NVFP4) qmm_ring_impl<KIND, BITS, T, NW, RT, MT, 16>(wmap, smap, bmap, xmap, p, nstages, kp, xbuf, rounds);
  else if constexpr (KIND != KIND_AFFINE) qmm_ring_impl<KIND, BITS, T, NW, RT, MT, 32>(wmap, smap, bmap, xmap, p, nstages, kp, xbuf, rounds);
  else if (gs == 32) qmm_ring_impl<KIND, BITS, T, NW, RT, MT, 32>(wmap, smap, bmap, xmap, p, nstages, kp, xbuf, rounds);
  else qmm_ring_impl<KIND, BITS, T, NW, RT, MT, 64>(wmap, smap, bmap, xmap, p, nstages, kp, xbuf, rounds);
}

// Entry points qmmw<NW>r<RT>m<MT>_<format>_<dtype>: NW consumer warps + one x producer warp, RT m16
// row tiles per warp, MT n8 column tiles (M ≤ 8·MT); the affine group size (32 or 64) is a launch
// argument; kp K parts (warps of a tile), xbuf x phases per part.
#define QMLX_RING16_VARIANT(FN, KIND, BITS, TN, T, NW, RT, MT)                                                          \
  extern "C" __global__ void __launch_bounds__((NW + 1) * 32, 1) qmmw##NW##r##RT##m##MT##_##FN##_##TN(                   \
      const __grid_constant__ TmaMap wmap, const __grid_constant__ TmaMap smap, const __grid_constant__ TmaMap bmap,    \
      const __grid_constant__ TmaMap xmap, const MatmulParams p, int gs, int nstages, int kp, int xbuf, int rounds) {   \
    qmm_ring_gs<KIND, BITS, T, NW, RT, MT>(wmap, smap, bmap, xmap, p, gs, nstages, kp, xbuf, rounds);                     \
  }
// Every width: 8 warps of one row tile; 4-bit also 4 warps of two (M > 8 on the tallest shapes).
#define QMLX_RING16_KERNELS(FN, KIND, BITS, TN, T)     \
  QMLX_RING16_VARIANT(FN, KIND, BITS, TN, T, 8, 1, 1)  \
  QMLX_RING16_VARIANT(FN, KIND, BITS, TN, T, 8, 1, 2)
#define QMLX_RING16_KERNELS_RT2(FN, KIND, BITS, TN, T) \
  QMLX_RING16_KERNELS(FN, KIND, BITS, TN, T)           \
  QMLX_RING16_VARIANT(FN, KIND, BITS, TN, T, 4, 2, 2)
