// Decode kernel (transpose=True, f16/bf16, M ≤ 16): "swap-AB" tensor cores. y^T = Ŵ·x^T with the
// weights as the A operand of mma.sync.m16n8k16 (16 output rows × 16 k), dequantized in registers
// straight from the packed loads (TcDecode in quant.cuh), and x as the B operand (k × 8 columns,
// zero-padded past M). The sum over k is order-free, so each lane keeps its own contiguous chunk:
// lane (g, t) owns codes [32t, 32t + 32) of rows g and g + 8 of each 128-wide k step, and the
// mma's logical k slots {2t, 2t+1, 2t+8, 2t+9} map to 4 consecutive codes of that chunk; x is
// loaded in the same order (no shared memory, no repacked weights).
//
// A block owns 16·RT rows; its NW warps split K (warp w takes steps w, w + NW, …), each keeping D
// steps of weights in flight (a register ring) and x one step ahead; the partial 16·RT × 8·MT tiles
// are added in shared memory. RT = 2 (two m16 tiles per warp) uses each x fragment twice: x read
// from L1/L2 per weight byte halves, which is what limits M = 9..16 and long MoE runs, where the
// x tile (8·MT columns × 2 bytes per k) outweighs the rows' 16 × ½ byte per k. Columns of B: the M rows of one batch pair, or (`grouped`, M = 1 gathers) a run
// of up to 8·MT consecutive pairs that use the same w matrix (sorted MoE rhs): each expert's rows
// are then streamed once for the whole run. A run never crosses a multiple of 8·MT, so every block
// decides on its own, from at most 8·MT index reads, whether it starts one.
#pragma once
#include "quant.cuh"

__device__ __forceinline__ void mma_16816(float (&c)[4], uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t b0,
                                          uint32_t b1, bool bf16) {
  if (bf16) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
        : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
        : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
  } else {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
        : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
        : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
  }
}

#define DEC_ROWS 16

template <int KIND, int BITS, typename T, int MT, int NW, int RT>
__device__ void qmm_decode_impl(const MatmulParams& p, int group_size, int grouped) {
  using F = Fmt<KIND, BITS>;
  using Dec = TcDecode<KIND, BITS, T>;
  constexpr int CH = F::chunk, CW = F::chunk_words, NP = CH / 2, MMAS = CH / 4, XV = CH / 8;
  constexpr int H = 2 * RT;                           // rows per lane: g + 8h
  constexpr int D0 = BITS <= 4 ? 4 : 2;               // k steps of weights in flight per warp (RT = 1)
  constexpr int D = D0 / RT < 2 ? 2 : D0 / RT;        // about the same bytes in flight at RT = 2
  constexpr int ROWS = DEC_ROWS * RT;
  static_assert(D % 2 == 0, "the x double buffer alternates with the ring");
  constexpr int STEP_K = 4 * CH;  // k covered by one warp step
  constexpr int COLS = 8 * MT;
  constexpr bool BF = std::is_same<T, __nv_bfloat16>::value;
  __shared__ float red[NW][ROWS][COLS + 1];

  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  const long long M = p.m, N = p.n, K = p.k;
  const long long n0 = (long long)blockIdx.x * ROWS, pos = blockIdx.y;
  T* out = reinterpret_cast<T*>(p.out);
  long long xi, wi;
  if (!resolve_pair(p.map, pos, p.status, p.host_status, xi, wi)) {
    for (long long i = threadIdx.x; i < M * ROWS; i += NW * 32) {
      const long long r = n0 + i % ROWS;
      if (r < N) out[(pos * M + i / ROWS) * N + r] = from_f32<T>(__uint_as_float(0x7FC00000u));
    }
    return;
  }
  // Grouped: lane l resolves pair pos − 1 + l (l ≤ COLS), so the whole run is found in one round of
  // index reads; the ballot is the same in every warp, so a block that is not a run's start leaves
  // as a whole.
  int cols = (int)M;
  long long xq = 0;
  if (grouped) {
    const long long q = pos - 1 + lane;
    long long wq = -1;
    const bool same = lane <= COLS && q >= 0 && q < p.batch && resolve_pair(p.map, q, nullptr, nullptr, xq, wq) && wq == wi;
    const unsigned run = __ballot_sync(0xFFFFFFFFu, same);
    if (pos % COLS != 0 && (run & 1u)) return;  // pair pos − 1 uses the same matrix: inside a run
    cols = 1;
    while (cols < COLS && (pos + cols) % COLS != 0 && ((run >> (cols + 1)) & 1u)) ++cols;
  }
  // This lane's B columns g and g + 8: their x rows (null past the last column: zeros).
  const T* xcol[MT];
#pragma unroll
  for (int mt = 0; mt < MT; ++mt) {
    const int c = g + 8 * mt;
    const long long xg = __shfl_sync(0xFFFFFFFFu, xq, (c + 1) & 31);  // grouped: lane c + 1 holds pair pos + c
    xcol[mt] = c < cols ? reinterpret_cast<const T*>(p.x) + (grouped ? xg : xi * M + c) * K : nullptr;
  }

  const int gshift = __ffs(group_size) - 1;  // group sizes are powers of two (no 64-bit division per step)
  const long long wpr = K * BITS / 32, gpr = K >> gshift;
  const long long nsteps = (K + STEP_K - 1) / STEP_K;
  const long long mine = nsteps > warp ? (nsteps - warp + NW - 1) / NW : 0;  // this warp's steps
  const float gfactor = KIND == KIND_NVFP4 ? nvfp4_gfactor(p, wi) : 0.0f;
  const uint32_t* wrow[H];
  long long grow[H];
#pragma unroll
  for (int h = 0; h < H; ++h) {
    const long long r = min(n0 + g + 8 * h, N - 1);  // a duplicate row is computed, never written
    wrow[h] = p.w + (wi * N + r) * wpr;
    grow[h] = (wi * N + r) * gpr;
  }

  float acc[2][RT][MT][4];  // two chains of dependent mma (even and odd k16 slices) per row tile
#pragma unroll
  for (int a = 0; a < 2; ++a)
#pragma unroll
    for (int rt = 0; rt < RT; ++rt)
#pragma unroll
      for (int mt = 0; mt < MT; ++mt)
#pragma unroll
        for (int e = 0; e < 4; ++e) acc[a][rt][mt][e] = 0.0f;

  // A register ring: step i's weights are loaded D steps ahead, its x one step ahead. (Measured
  // alternatives, bench/cuda-notes.md stage 11: an async-copy ring in shared memory was L1-bound on
  // its many small copies; batches of D steps with one wait each were slower still.)
  uint32_t wv[D][H][CW], sr[D][H], br[D][H];
  uint4 xv[2][MT][XV];
  auto load_w = [&](uint32_t (&v)[H][CW], uint32_t (&s)[H], uint32_t (&b)[H], long long i) {
    const long long k = (warp + i * NW) * STEP_K + t * CH;
    const bool ok = i < mine && k < K;
#pragma unroll
    for (int h = 0; h < H; ++h) {
      if (ok) {
        load_words<CW>(wrow[h] + k * BITS / 32, v[h]);
        s[h] = Dec::load_param(p.scales, grow[h] + (k >> gshift));
        b[h] = KIND == KIND_AFFINE ? Dec::load_param(p.biases, grow[h] + (k >> gshift)) : 0u;
      } else {
#pragma unroll
        for (int w = 0; w < CW; ++w) v[h][w] = 0u;  // decodes to zeros; x is zero there too
        s[h] = 0u;
        b[h] = 0u;
      }
    }
  };
  auto load_x = [&](uint4 (&xr)[MT][XV], long long i) {
    const long long k = (warp + i * NW) * STEP_K + t * CH;
    const bool ok = i < mine && k < K;
#pragma unroll
    for (int mt = 0; mt < MT; ++mt)
#pragma unroll
      for (int e = 0; e < XV; ++e)
        xr[mt][e] = (ok && xcol[mt]) ? __ldg(reinterpret_cast<const uint4*>(xcol[mt] + k) + e) : make_uint4(0, 0, 0, 0);
  };
  auto compute = [&](const uint32_t (&v)[H][CW], const uint32_t (&s)[H], const uint32_t (&b)[H], const uint4 (&xr)[MT][XV]) {
    uint32_t a[H][NP];
#pragma unroll
    for (int h = 0; h < H; ++h) Dec::template run<CW, NP>(v[h], s[h], b[h], gfactor, a[h]);
#pragma unroll
    for (int mt = 0; mt < MT; ++mt) {
      const uint32_t* X = reinterpret_cast<const uint32_t*>(&xr[mt][0]);
#pragma unroll
      for (int j = 0; j < MMAS; ++j) {
        uint32_t x0, x1;
        if constexpr (Dec::nibble_pairs) {
          // Step j = 2w + e holds code pairs (2e, 2e+4), (2e+1, 2e+5) of word w: x pairs to match.
          const int w = j >> 1, e = j & 1;
          x0 = prmt(X[4 * w + e], X[4 * w + e + 2], 0x5410u);
          x1 = prmt(X[4 * w + e], X[4 * w + e + 2], 0x7632u);
        } else {
          x0 = X[2 * j];
          x1 = X[2 * j + 1];
        }
#pragma unroll
        for (int rt = 0; rt < RT; ++rt)  // tile rt: rows g + 16·rt (a0, a2) and g + 16·rt + 8 (a1, a3)
          mma_16816(acc[j & 1][rt][mt], a[2 * rt][2 * j], a[2 * rt + 1][2 * j], a[2 * rt][2 * j + 1], a[2 * rt + 1][2 * j + 1], x0, x1, BF);
      }
    }
  };

#pragma unroll
  for (int d = 0; d < D; ++d) load_w(wv[d], sr[d], br[d], d);
  load_x(xv[0], 0);
  for (long long i0 = 0; i0 < mine; i0 += D) {
#pragma unroll
    for (int d = 0; d < D; ++d) {
      const long long i = i0 + d;
      if (i < mine) {
        load_x(xv[(d + 1) & 1], i + 1);
        compute(wv[d], sr[d], br[d], xv[d & 1]);
        load_w(wv[d], sr[d], br[d], i + D);
      }
    }
  }

  // C fragment: (row g, cols 2t, 2t+1) and (row g+8, same cols) of each 16×8 tile.
#pragma unroll
  for (int rt = 0; rt < RT; ++rt)
#pragma unroll
    for (int mt = 0; mt < MT; ++mt) {
      const int r0 = 16 * rt + g;
      red[warp][r0][8 * mt + 2 * t] = acc[0][rt][mt][0] + acc[1][rt][mt][0];
      red[warp][r0][8 * mt + 2 * t + 1] = acc[0][rt][mt][1] + acc[1][rt][mt][1];
      red[warp][r0 + 8][8 * mt + 2 * t] = acc[0][rt][mt][2] + acc[1][rt][mt][2];
      red[warp][r0 + 8][8 * mt + 2 * t + 1] = acc[0][rt][mt][3] + acc[1][rt][mt][3];
    }
  __syncthreads();
  for (int e = threadIdx.x; e < ROWS * COLS; e += NW * 32) {
    const int c = e / ROWS, r = e % ROWS;
    if (c < cols && n0 + r < N) {
      float v = 0.0f;
#pragma unroll
      for (int w = 0; w < NW; ++w) v += red[w][r][c];
      out[(pos * M + c) * N + n0 + r] = from_f32<T>(v);
    }
  }
}

// Entry points: qmmd<MT>x<NW>r<RT>_<format>_<dtype> (MT n8 column tiles: M ≤ 8·MT; NW warps per
// block; RT m16 row tiles per warp).
#define QMLX_DECODE_VARIANT(FN, KIND, BITS, TN, T, MT, NW, RT)                                            \
  extern "C" __global__ void __launch_bounds__(NW * 32)                                                  \
      qmmd##MT##x##NW##r##RT##_##FN##_##TN(const MatmulParams p, int gs, int grouped) {                  \
    qmm_decode_impl<KIND, BITS, T, MT, NW, RT>(p, gs, grouped);                                          \
  }
#define QMLX_DECODE_KERNELS(FN, KIND, BITS, TN, T)       \
  QMLX_DECODE_VARIANT(FN, KIND, BITS, TN, T, 1, 4, 1)    \
  QMLX_DECODE_VARIANT(FN, KIND, BITS, TN, T, 1, 8, 1)    \
  QMLX_DECODE_VARIANT(FN, KIND, BITS, TN, T, 2, 4, 1)    \
  QMLX_DECODE_VARIANT(FN, KIND, BITS, TN, T, 2, 8, 1)    \
  QMLX_DECODE_VARIANT(FN, KIND, BITS, TN, T, 1, 4, 2)    \
  QMLX_DECODE_VARIANT(FN, KIND, BITS, TN, T, 1, 8, 2)    \
  QMLX_DECODE_VARIANT(FN, KIND, BITS, TN, T, 2, 4, 2)    \
  QMLX_DECODE_VARIANT(FN, KIND, BITS, TN, T, 2, 8, 2)
