// M = 1 matrix-vector kernel (transpose=True, affine 4-bit f16/bf16 and 8-bit f16, group size 32
// or 64, K a multiple of 512; sm_90+) where each WARP owns whole 16-row tiles and its own bulk-copy
// ring. Why (bench/cuda-notes.md stages 11, 12, 15): the register-ring kernels keep ~1 KB in flight
// per warp, and the block-wide bulk ring (qmv_bulk.cuh) made its consumers wait at a block barrier
// per stage and decode in f32. Here:
//   - lane 0 of each warp issues the tile's next 512-code K slice as three 2-D tensor copies (codes,
//     scales, biases of its 16 rows) into a ring stage of the warp's own, completing on that stage's
//     mbarrier; no block barrier inside the K loop, so every warp keeps up to `stages` slices
//     (4.6-9.2 KB each) in flight whatever the others do. (Per-row 1-D bulk copies cost ~430 issue
//     slots per stage: the compiler loops over the lanes' distinct addresses.)
//   - the consumer is the tensor-core decode of qmm_decode.cuh: lane (g, t) decodes 32 codes of rows
//     g and g + 8 per 128-code step with TcDecode (magic-number f16x2/bf16x2 dequantization) into
//     mma.sync.m16n8k16 A fragments; x is the B operand (every column holds x; column 0 is kept),
//     accumulated in f32;
//   - a persistent grid over (batch pair, row tile), one block per SM: block b takes an even share
//     of the tiles, NW / kp at a time for `rounds` rounds; with few tiles its warps split K `kp` ways
//     (split-K) and add their partial sums through shared memory once per round.
#pragma once
#include "tma.cuh"

#define QW_ROWS 16                      // rows of a tile (one m16 mma tile)
#define QW_KS 512                       // codes per ring stage (per row)
#define QW_STEPS (QW_KS / 128)          // 128-code mma steps per stage (even: see the x double buffer)
#define QW_MAX_STAGES 4
#define QW_HEAD_PER_WARP 256            // barriers [NW][QW_MAX_STAGES] + partial sums [2][NW][16], rounded up

template <int BITS> struct WarpRingGeom {
  static constexpr int row_bytes = QW_KS * BITS / 8;  // dense: the tensor copy writes its box row after row
  static constexpr int codes = QW_ROWS * row_bytes;
};

template <int BITS, typename T, int NW>
__device__ void qmv_warp_impl(const TmaMap& wmap, const TmaMap& smap, const TmaMap& bmap, const MatmulParams& p, int group_size,
                              int nstages, int kp, int rounds) {
#ifdef QMLX_TMA
  using Dec = TcDecode<KIND_AFFINE, BITS, T>;
  using G = WarpRingGeom<BITS>;
  static_assert(Dec::nibble_pairs || Dec::byte_pairs, "magic-number formats only");
  constexpr int CW = BITS;        // words of a lane's 32-code chunk
  constexpr int NP = 16;          // code pairs of a chunk
  constexpr int MMAS = 8;         // k16 slices of a 128-code step
  constexpr bool BF = std::is_same<T, __nv_bfloat16>::value;
  extern __shared__ __align__(128) unsigned char qw_raw[];
  unsigned char* qw_mem = qw_raw + ((128 - (smem_addr(qw_raw) & 127)) & 127);  // tensor copies want 128-byte stages
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  uint64_t* full = reinterpret_cast<uint64_t*>(qw_mem) + warp * QW_MAX_STAGES;
  float* red = reinterpret_cast<float*>(qw_mem + 8 * NW * QW_MAX_STAGES);  // [2][NW][QW_ROWS]
  const uint32_t prow = (uint32_t)(QW_KS / group_size * sizeof(T));              // parameter bytes per row and stage
  const uint32_t stage_bytes = G::codes + 2 * QW_ROWS * prow;
  unsigned char* ring = qw_mem + QW_HEAD_PER_WARP * NW + warp * nstages * stage_bytes;

  const long long N = p.n, K = p.k;
  const long long row_tiles = (N + QW_ROWS - 1) / QW_ROWS, tiles = p.batch * row_tiles;
  const int nst = (int)(K / QW_KS);                           // stages of a whole row
  const int part = warp % kp, slot = warp / kp;
  const int s_beg = part * nst / kp, my = (part + 1) * nst / kp - s_beg;  // this warp's K slices
  const long long total = (long long)rounds * my;
  // This block's tiles: an even share [tb, te) of all (batch pair, row tile) tiles.
  const long long tb = (long long)blockIdx.x * tiles / gridDim.x, te = ((long long)blockIdx.x + 1) * tiles / gridDim.x;
  const int slots = NW / kp;
  const int gshift = __ffs(group_size) - 1;

  if (lane == 0) {
    for (int s = 0; s < nstages; ++s) mbar_init(&full[s], 1);
    mbar_init_fence();
  }
  __syncwarp();

  // Tile of round r for this warp (-1: none).
  auto tile_of = [&](long long r) -> long long {
    const long long tl = tb + r * slots + slot;
    return tl < te ? tl : -1;
  };
  // Producer (lane 0): the warp's next stage (round pr, slice pj of its part) into ring slot ps, as
  // three 2-D tensor copies (codes, scales, biases of the tile's 16 rows; rows past the last
  // matrix are zero-filled and never stored). Counters instead of divisions; the tile's (x, w)
  // pair is resolved once per tile.
  int pr = 0, pj = 0, ps = 0;
  int prow0 = -1;  // first row of the tile in the stacked [w_count·N] rows, or -1: nothing to copy
  constexpr uint32_t STAGE_TX = G::codes;  // plus 2 · QW_ROWS · prow
  auto issue = [&]() {
    if (lane == 0) {
      if (pj == 0) {
        const long long tl = tile_of(pr);
        long long xi, wi;
        const bool ok = tl >= 0 && resolve_pair(p.map, tl / row_tiles, nullptr, nullptr, xi, wi);
        prow0 = ok ? (int)(wi * N + (tl % row_tiles) * QW_ROWS) : -1;
      }
      uint64_t* bar = &full[ps];
      unsigned char* st = ring + ps * stage_bytes;
      if (prow0 >= 0) {
        const int sl = s_beg + pj;
        mbar_arrive_expect_tx(bar, STAGE_TX + 2 * QW_ROWS * prow);
        tma_load_2d(st, &wmap, sl * (QW_KS * BITS / 32), prow0, bar);
        tma_load_2d(st + G::codes, &smap, (sl * QW_KS) >> gshift, prow0, bar);
        tma_load_2d(st + G::codes + QW_ROWS * prow, &bmap, (sl * QW_KS) >> gshift, prow0, bar);
      } else {
        mbar_arrive(bar);
      }
    }
    if (++pj == my) { pj = 0; ++pr; }
    if (++ps == nstages) ps = 0;
  };

  const long long first = total < nstages ? total : nstages;
  for (long long i = 0; i < first; ++i) issue();

  long long i = 0;  // consumed stages; ring slot cs with phase parity cpar
  int cs = 0;
  uint32_t cpar = 0;
  for (int r = 0; r < rounds; ++r) {
    const long long tl = tile_of(r);
    long long xi = 0, wi = 0;
    const bool ok = tl >= 0 && resolve_pair(p.map, tl / row_tiles, p.status, p.host_status, xi, wi);
    const T* x = reinterpret_cast<const T*>(p.x) + xi * K;
    float acc[2][4];
#pragma unroll
    for (int a = 0; a < 2; ++a)
#pragma unroll
      for (int e = 0; e < 4; ++e) acc[a][e] = 0.0f;
    // x, 16 bytes × 4 per lane and 128-code step, double-buffered one step ahead across stage
    // boundaries (a stage has an even number of steps, so its step q uses buffer q & 1).
    uint4 xv[2][4];
    auto load_x = [&](uint4 (&dst)[4], int jj, int q) {
      const uint4* src = reinterpret_cast<const uint4*>(x + (long long)(s_beg + jj) * QW_KS + q * 128 + t * 32);
#pragma unroll
      for (int e = 0; e < 4; ++e) dst[e] = __ldg(src + e);
    };
    if (ok && my > 0) load_x(xv[0], 0, 0);
    for (int j = 0; j < my; ++j, ++i) {
      mbar_wait(&full[cs], cpar);
      if (ok) {
        const unsigned char* st = ring + cs * stage_bytes;
#pragma unroll
        for (int q = 0; q < QW_STEPS; ++q) {
          if (q + 1 < QW_STEPS) load_x(xv[(q + 1) & 1], j, q + 1);
          else if (j + 1 < my) load_x(xv[0], j + 1, 0);
          const int c0 = q * 128 + t * 32;  // the lane's first code in the stage
          const int gi = c0 >> gshift;
          uint32_t a[2][NP];
#pragma unroll
          for (int h = 0; h < 2; ++h) {
            const int row = g + 8 * h;
            uint32_t v[CW];
            qb_words<CW>(reinterpret_cast<const uint32_t*>(st + row * G::row_bytes + c0 * BITS / 8), v);
            const uint32_t sraw = reinterpret_cast<const unsigned short*>(st + G::codes + row * prow)[gi];
            const uint32_t braw = reinterpret_cast<const unsigned short*>(st + G::codes + (QW_ROWS + row) * prow)[gi];
            Dec::template run<CW, NP>(v, sraw, braw, 0.0f, a[h]);
          }
          const uint32_t* X = reinterpret_cast<const uint32_t*>(&xv[q & 1][0]);
#pragma unroll
          for (int m = 0; m < MMAS; ++m) {
            uint32_t x0, x1;
            Dec::x_pairs(X, m, x0, x1);
            mma_16816(acc[m & 1], a[0][2 * m], a[1][2 * m], a[0][2 * m + 1], a[1][2 * m + 1], x0, x1, BF);
          }
        }
      }
      // The stage is read (every lane's loads done): refill it with stage i + nstages.
      __syncwarp();
      if (i + nstages < total) {
        if (lane == 0) fence_proxy_async_smem();
        issue();
      }
      if (++cs == nstages) { cs = 0; cpar ^= 1u; }
    }
    // C fragment column 0: lanes t = 0 hold rows g (element 0) and g + 8 (element 2).
    const float y0 = acc[0][0] + acc[1][0], y1 = acc[0][2] + acc[1][2];
    const long long n0 = tl >= 0 ? (tl % row_tiles) * QW_ROWS : 0;
    T* out = reinterpret_cast<T*>(p.out) + (tl >= 0 ? tl / row_tiles : 0) * N;
    const float nan = __uint_as_float(0x7FC00000u);
    if (kp == 1) {
      if (tl >= 0 && t == 0) {
        if (n0 + g < N) out[n0 + g] = from_f32<T>(ok ? y0 : nan);
        if (n0 + g + 8 < N) out[n0 + g + 8] = from_f32<T>(ok ? y1 : nan);
      }
    } else {
      float* rb = red + (r & 1) * NW * QW_ROWS;
      if (t == 0) {
        rb[warp * QW_ROWS + g] = y0;
        rb[warp * QW_ROWS + g + 8] = y1;
      }
      __syncthreads();
      if (part == 0 && tl >= 0 && lane < QW_ROWS && n0 + lane < N) {
        float v = 0.0f;
        for (int w = 0; w < kp; ++w) v += rb[(warp + w) * QW_ROWS + lane];
        out[n0 + lane] = from_f32<T>(ok ? v : nan);
      }
    }
  }
#endif
}

// Entry points qmvw<NW>_<format>_<dtype> (the magic-number formats), NW warps per block, one block
// per SM: 16 doubles the warps per SM where the 4-bit stages fit 3 deep (H100 stage 15 round 2: 7
// warps per SM, 0.37 eligible per scheduler, with 8); 8-bit stages (8.7 KB) fit 8 warps 3 deep.
#define QMLX_WARP_RING_VARIANT(FN, BITS, TN, T, NW)                                                                \
  extern "C" __global__ void __launch_bounds__(NW * 32, 1)                                                        \
      qmvw##NW##_##FN##_##TN(const __grid_constant__ TmaMap wmap, const __grid_constant__ TmaMap smap,            \
                             const __grid_constant__ TmaMap bmap, const MatmulParams p, int gs, int nstages, int kp, \
                             int rounds) {                                                                       \
    qmv_warp_impl<BITS, T, NW>(wmap, smap, bmap, p, gs, nstages, kp, rounds);                                     \
  }
#define QMLX_WARP_RING_KERNEL(FN, BITS, TN, T) \
  QMLX_WARP_RING_VARIANT(FN, BITS, TN, T, 8)   \
  QMLX_WARP_RING_VARIANT(FN, BITS, TN, T, 16)
