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

// One warp's share of a decode tile: RT m16 row tiles × MT n8 column tiles, a 128·(CH/32)-wide k
// step at a time. Shared by the per-pair/grouped kernel and the work-list gather kernel below.
// CHUNK > 0 overrides the format's chunk (kernels/qmm_ring.cuh: nvfp4 as 32-code chunks of two groups).
template <int KIND, int BITS, typename T, int MT, int RT, int DEPTH = 0, int CHUNK = 0> struct DecodeTile {
  using F = Fmt<KIND, BITS>;
  using Dec = TcDecode<KIND, BITS, T>;
  static constexpr int CH = CHUNK > 0 ? CHUNK : F::chunk, CW = CH * BITS / 32, NP = CH / 2, MMAS = CH / 4, XV = CH / 8;
  static constexpr int H = 2 * RT;                     // rows per lane: g + 8h
  static constexpr int D0 = BITS <= 4 ? 4 : 2;         // k steps of weights in flight per warp (RT = 1)
  // About the same bytes in flight at RT = 2; DEPTH > 0 sets it (the work-list kernel's variants).
  static constexpr int D = DEPTH > 0 ? DEPTH : D0 / RT < 2 ? 2 : D0 / RT;
  static constexpr int ROWS = DEC_ROWS * RT;
  static constexpr int STEP_K = 4 * CH;  // k covered by one warp step
  static constexpr int COLS = 8 * MT;
  static constexpr bool BF = std::is_same<T, __nv_bfloat16>::value;
  static_assert(D % 2 == 0, "the x double buffer alternates with the ring");

  // This lane's chunk at k of its H rows (element offsets wrow[h] into p.w, grow[h] into the
  // parameters), or zeros (decode to zeros; x is zero there too).
  __device__ __forceinline__ static void load_w(const MatmulParams& p, const long long (&wrow)[H], const long long (&grow)[H], long long k,
                                                int gshift, bool ok, uint32_t (&v)[H][CW], uint32_t (&s)[H], uint32_t (&b)[H]) {
#pragma unroll
    for (int h = 0; h < H; ++h) {
      if (ok) {
        load_words<CW>(p.w + wrow[h] + k * BITS / 32, v[h]);
        s[h] = Dec::load_param(p.scales, grow[h] + (k >> gshift));
        b[h] = KIND == KIND_AFFINE ? Dec::load_param(p.biases, grow[h] + (k >> gshift)) : 0u;
      } else {
#pragma unroll
        for (int w = 0; w < CW; ++w) v[h][w] = 0u;
        s[h] = 0u;
        b[h] = 0u;
      }
    }
  }
  // x at k for this lane's B columns (null column: zeros).
  __device__ __forceinline__ static void load_x(const T* const (&xcol)[MT], long long k, bool ok, uint4 (&xr)[MT][XV]) {
#pragma unroll
    for (int mt = 0; mt < MT; ++mt)
#pragma unroll
      for (int e = 0; e < XV; ++e)
        xr[mt][e] = (ok && xcol[mt]) ? __ldg(reinterpret_cast<const uint4*>(xcol[mt] + k) + e) : make_uint4(0, 0, 0, 0);
  }
  __device__ __forceinline__ static void zero(float (&acc)[2][RT][MT][4]) {
#pragma unroll
    for (int a = 0; a < 2; ++a)
#pragma unroll
      for (int rt = 0; rt < RT; ++rt)
#pragma unroll
        for (int mt = 0; mt < MT; ++mt)
#pragma unroll
          for (int e = 0; e < 4; ++e) acc[a][rt][mt][e] = 0.0f;
  }
  // PACKED: TcDecode::run_packed (kernels/qmm_ring.cuh): the mx formats and affine 2/3/5/6-bit f16 in
  // 16-bit arithmetic.
  template <bool PACKED = false>
  __device__ __forceinline__ static void compute(const uint32_t (&v)[H][CW], const uint32_t (&s)[H], const uint32_t (&b)[H], float gfactor,
                                                 const uint4 (&xr)[MT][XV], float (&acc)[2][RT][MT][4]) {
    uint32_t a[H][NP];
#pragma unroll
    for (int h = 0; h < H; ++h) {
      if constexpr (PACKED) Dec::template run_packed<CW, NP>(v[h], s[h], b[h], gfactor, a[h]);
      else Dec::template run<CW, NP>(v[h], s[h], b[h], gfactor, a[h]);
    }
#pragma unroll
    for (int mt = 0; mt < MT; ++mt) {
      const uint32_t* X = reinterpret_cast<const uint32_t*>(&xr[mt][0]);
#pragma unroll
      for (int j = 0; j < MMAS; ++j) {
        uint32_t x0, x1;
        Dec::template x_pairs_for<PACKED>(X, j, x0, x1);
#pragma unroll
        for (int rt = 0; rt < RT; ++rt)  // tile rt: rows g + 16·rt (a0, a2) and g + 16·rt + 8 (a1, a3)
          mma_16816(acc[j & 1][rt][mt], a[2 * rt][2 * j], a[2 * rt + 1][2 * j], a[2 * rt][2 * j + 1], a[2 * rt + 1][2 * j + 1], x0, x1, BF);
      }
    }
  }
  // C fragment: (row g, cols 2t, 2t+1) and (row g+8, same cols) of each 16×8 tile, into this
  // warp's slice of the block's reduction buffer.
  __device__ __forceinline__ static void stage(float (&red)[ROWS][COLS + 1], const float (&acc)[2][RT][MT][4], int g, int t) {
#pragma unroll
    for (int rt = 0; rt < RT; ++rt)
#pragma unroll
      for (int mt = 0; mt < MT; ++mt) {
        const int r0 = 16 * rt + g;
        red[r0][8 * mt + 2 * t] = acc[0][rt][mt][0] + acc[1][rt][mt][0];
        red[r0][8 * mt + 2 * t + 1] = acc[0][rt][mt][1] + acc[1][rt][mt][1];
        red[r0 + 8][8 * mt + 2 * t] = acc[0][rt][mt][2] + acc[1][rt][mt][2];
        red[r0 + 8][8 * mt + 2 * t + 1] = acc[0][rt][mt][3] + acc[1][rt][mt][3];
      }
  }
};

template <int KIND, int BITS, typename T, int MT, int NW, int RT>
__device__ void qmm_decode_impl(const MatmulParams& p, int group_size, int grouped) {
  using Tile = DecodeTile<KIND, BITS, T, MT, RT>;
  constexpr int H = Tile::H, D = Tile::D, ROWS = Tile::ROWS, STEP_K = Tile::STEP_K, COLS = Tile::COLS, CH = Tile::CH, CW = Tile::CW,
                XV = Tile::XV;
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
  long long wrow[H], grow[H];
#pragma unroll
  for (int h = 0; h < H; ++h) {
    const long long r = min(n0 + g + 8 * h, N - 1);  // a duplicate row is computed, never written
    wrow[h] = (wi * N + r) * wpr;
    grow[h] = (wi * N + r) * gpr;
  }

  float acc[2][RT][MT][4];  // two chains of dependent mma (even and odd k16 slices) per row tile
  Tile::zero(acc);

  // A register ring: step i's weights are loaded D steps ahead, its x one step ahead. (Measured
  // alternatives, bench/cuda-notes.md stage 11: an async-copy ring in shared memory was L1-bound on
  // its many small copies; batches of D steps with one wait each were slower still.)
  uint32_t wv[D][H][CW], sr[D][H], br[D][H];
  uint4 xv[2][MT][XV];
  auto kof = [&](long long i) { return (warp + i * NW) * STEP_K + t * CH; };
#pragma unroll
  for (int d = 0; d < D; ++d) Tile::load_w(p, wrow, grow, kof(d), gshift, d < mine && kof(d) < K, wv[d], sr[d], br[d]);
  Tile::load_x(xcol, kof(0), 0 < mine && kof(0) < K, xv[0]);
  for (long long i0 = 0; i0 < mine; i0 += D) {
#pragma unroll
    for (int d = 0; d < D; ++d) {
      const long long i = i0 + d;
      if (i < mine) {
        Tile::load_x(xcol, kof(i + 1), i + 1 < mine && kof(i + 1) < K, xv[(d + 1) & 1]);
        Tile::compute(wv[d], sr[d], br[d], gfactor, xv[d & 1], acc);
        Tile::load_w(p, wrow, grow, kof(i + D), gshift, i + D < mine && kof(i + D) < K, wv[d], sr[d], br[d]);
      }
    }
  }

  Tile::stage(red[warp], acc, g, t);
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

// ---- gathers of single rows (M = 1) over a work list: the MoE decode path ----------------------
// Every block first resolves all P pairs (≤ QMLX_RUNS_MAX_PAIRS) into shared memory and cuts them
// into items: a maximal run of consecutive pairs using the same w matrix, split every COLS pairs (a
// bad index is an item of its own). Work units are (item, row tile), numbered item-major; block b
// of a persistent grid takes units b, b + grid, …, so no block exists only to read indices and leave
// (the grouped kernel above launches row tiles × pairs blocks, most of which do). Each warp keeps
// one register ring over all its units' k steps, so the next unit's weights are in flight while the
// current one finishes; per unit the warps' partial sums meet in a double-buffered shared buffer
// (one barrier per unit). Unsorted indices only make more, shorter items.
#define QMLX_RUNS_MAX_PAIRS 2048

// Exclusive block-wide scan of one int per thread (op: sum, or max when MAX); also returns the total.
template <int NT, bool MAX>
__device__ __forceinline__ int block_exclusive_scan(int v, int* tmp, int& total) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  int incl = v;
#pragma unroll
  for (int o = 1; o < 32; o <<= 1) {
    const int u = __shfl_up_sync(0xFFFFFFFFu, incl, o);
    if (lane >= o) incl = MAX ? max(incl, u) : incl + u;
  }
  if (lane == 31) tmp[warp] = incl;
  __syncthreads();
  int before = MAX ? -1 : 0, all = MAX ? -1 : 0;
#pragma unroll
  for (int w = 0; w < NT / 32; ++w) {
    const int x = tmp[w];
    if (w < warp) before = MAX ? max(before, x) : before + x;
    all = MAX ? max(all, x) : all + x;
  }
  __syncthreads();  // tmp is reused by the next scan
  const int excl_in_warp = __shfl_up_sync(0xFFFFFFFFu, incl, 1);
  const int mine = lane == 0 ? (MAX ? -1 : 0) : excl_in_warp;
  total = all;
  return MAX ? max(before, mine) : before + mine;
}

// One unit of a gather work list: `rows` weight rows (from n0) of one item's matrix w, applied to the
// item's cols pairs from pos on.
struct GatherUnit {
  int pos, cols, w;
  long long n0;
};
// Unit u of the work list (item-major: item u / row_tiles, row tile u % row_tiles).
__device__ __forceinline__ GatherUnit gather_unit_at(int u, int row_tiles, int rows, const int* item_start, const int* wsel) {
  const int item = u / row_tiles;
  GatherUnit r;
  r.pos = item_start[item];
  r.cols = item_start[item + 1] - r.pos;
  r.w = wsel[r.pos];
  r.n0 = (long long)(u - item * row_tiles) * rows;
  return r;
}
// The block's j-th unit where units are dealt round-robin (block b takes units b, b + grid, ...).
__device__ __forceinline__ GatherUnit gather_unit(int j, int row_tiles, int rows, const int* item_start, const int* wsel) {
  return gather_unit_at((int)blockIdx.x + j * (int)gridDim.x, row_tiles, rows, item_start, wsel);
}

// The work list of a gather of single rows: every pair resolved into wsel (w index, −1: bad; block 0
// reports it, the others stay quiet) and xsel, then cut into items (item_start[0..count], and
// item_start[count] = P). Called by all NT threads of the block; ends with a block barrier.
template <int NT, int COLS>
__device__ int gather_items(const MatmulParams& p, int* wsel, int* xsel, int* item_start, int* scan_tmp, int* item_count) {
  const int P = (int)p.batch;
  for (int i = threadIdx.x; i < P; i += NT) {
    long long xi, wi;
    const bool ok = resolve_pair(p.map, i, blockIdx.x == 0 ? p.status : nullptr, p.host_status, xi, wi);
    wsel[i] = ok ? (int)wi : -1;
    xsel[i] = ok ? (int)xi : 0;
  }
  __syncthreads();
  // Items: thread t scans pairs [t·c, t·c + c). A pair opens a run where its matrix differs from
  // the previous pair's (or either is bad); within a run an item starts every COLS pairs.
  const int chunk = (P + NT - 1) / NT, i_lo = min(P, (int)threadIdx.x * chunk), i_hi = min(P, i_lo + chunk);
  auto opens_run = [&](int i) { return i == 0 || wsel[i] < 0 || wsel[i - 1] < 0 || wsel[i] != wsel[i - 1]; };
  int last_open = -1;
  for (int i = i_lo; i < i_hi; ++i)
    if (opens_run(i)) last_open = i;
  int unused;
  int run_begin = block_exclusive_scan<NT, true>(last_open, scan_tmp, unused);
  int mine = 0;
  for (int i = i_lo, rb = run_begin; i < i_hi; ++i) {
    if (opens_run(i)) rb = i;
    mine += ((i - rb) & (COLS - 1)) == 0;
  }
  int count;
  int slot = block_exclusive_scan<NT, false>(mine, scan_tmp, count);
  for (int i = i_lo, rb = run_begin; i < i_hi; ++i) {
    if (opens_run(i)) rb = i;
    if (((i - rb) & (COLS - 1)) == 0) item_start[slot++] = i;
  }
  if (threadIdx.x == 0) {
    item_start[count] = P;
    *item_count = count;
  }
  __syncthreads();
  return count;
}

template <int KIND, int BITS, typename T, int NW, int RT, int DEPTH>
__device__ void qmm_runs_impl(const MatmulParams& p, int group_size) {
  using Tile = DecodeTile<KIND, BITS, T, 1, RT, DEPTH>;
  constexpr int H = Tile::H, D = Tile::D, ROWS = Tile::ROWS, STEP_K = Tile::STEP_K, COLS = Tile::COLS, CH = Tile::CH, CW = Tile::CW,
                XV = Tile::XV, NT = NW * 32;
  __shared__ float red[2][NW][ROWS][COLS + 1];
  __shared__ int scan_tmp[NW];
  __shared__ int item_count;
  extern __shared__ int pair_info[];  // [P] w index (−1: bad), [P] x index, [P + 1] item starts
  const int P = (int)p.batch;
  int* const wsel = pair_info;
  int* const xsel = pair_info + P;
  int* const item_start = pair_info + 2 * P;

  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  const long long N = p.n, K = p.k;
  T* out = reinterpret_cast<T*>(p.out);

  gather_items<NT, COLS>(p, wsel, xsel, item_start, scan_tmp, &item_count);

  // 3. This block's units, one ring per warp across them.
  const int row_tiles = (int)((N + ROWS - 1) / ROWS);
  const int units = item_count * row_tiles;
  const int my_units = (int)blockIdx.x < units ? (units - 1 - (int)blockIdx.x) / (int)gridDim.x + 1 : 0;
  const int gshift = __ffs(group_size) - 1;
  const long long wpr = K * BITS / 32, gpr = K >> gshift;
  const int nsteps = (int)((K + STEP_K - 1) / STEP_K);
  const int steps = nsteps > warp ? (nsteps - warp + NW - 1) / NW : 0;  // this warp's k steps per unit
  const int per_unit = max(steps, 1);  // warps without a k step still meet each unit's barrier
  const int total = my_units * per_unit;
  // i / per_unit without a division (exact for i < 2^32 / per_unit).
  const unsigned long long unit_recip = ((1ull << 32) + per_unit - 1) / per_unit;
  auto unit_of_step = [&](int i) { return (int)(((unsigned long long)i * unit_recip) >> 32); };
  using Unit = GatherUnit;
  auto unit = [&](int j) { return gather_unit(j, row_tiles, ROWS, item_start, wsel); };
  auto k_of = [&](int s) { return (long long)(warp + s * NW) * STEP_K + t * CH; };

  uint32_t wv[D][H][CW], sr[D][H], br[D][H];
  float graw[D];  // nvfp4: the step's raw global scale (2688 when absent: a factor of exactly 1)
  uint4 xv[2][1][XV];
  auto load_w = [&](int d, int i) {
    long long wrow[H], grow[H];
    const int j = unit_of_step(i), s = i - j * per_unit;
    bool ok = i < total && s < steps;
    const long long k = k_of(s);
    ok = ok && k < K;
    Unit un;
    if (ok) {
      un = unit(j);
      ok = un.w >= 0;
    }
#pragma unroll
    for (int h = 0; h < H; ++h) {
      const long long r = ok ? min(un.n0 + g + 8 * h, N - 1) : 0;  // a duplicate row is computed, never written
      const long long row = ok ? (long long)un.w * N + r : 0;
      wrow[h] = row * wpr;
      grow[h] = row * gpr;
    }
    Tile::load_w(p, wrow, grow, k, gshift, ok, wv[d], sr[d], br[d]);
    if (KIND == KIND_NVFP4) graw[d] = ok && p.global_scale ? __ldg(p.global_scale + un.w) : 2688.0f;
  };
  auto load_x = [&](int b, int i) {
    const int j = unit_of_step(i), s = i - j * per_unit;
    const long long k = k_of(s);
    const bool ok = i < total && s < steps && k < K;
    const T* xcol[1] = {nullptr};
    if (ok) {
      const Unit un = unit(j);
      if (g < un.cols && un.w >= 0) xcol[0] = reinterpret_cast<const T*>(p.x) + (long long)xsel[un.pos + g] * K;
    }
    Tile::load_x(xcol, k, ok, xv[b]);
  };

  float acc[2][RT][1][4];
  Tile::zero(acc);
#pragma unroll
  for (int d = 0; d < D; ++d) load_w(d, d);
  load_x(0, 0);
  for (int i0 = 0; i0 < total; i0 += D) {
#pragma unroll
    for (int d = 0; d < D; ++d) {
      const int i = i0 + d;
      if (i < total) {
        load_x((d + 1) & 1, i + 1);
        const float gfactor = KIND == KIND_NVFP4 ? __fdiv_rn(graw[d], 2688.0f) : 0.0f;
        Tile::compute(wv[d], sr[d], br[d], gfactor, xv[d & 1], acc);
        load_w(d, i + D);
        const int j = unit_of_step(i);
        if (i - j * per_unit == per_unit - 1) {  // the unit's last step: reduce across warps, write
          Tile::stage(red[j & 1][warp], acc, g, t);
          Tile::zero(acc);
          // Every warp arrives once per unit, from whichever unrolled copy holds its last step
          // (warps may own different step counts), hence the non-.aligned barrier.
          asm volatile("barrier.sync 0;" ::: "memory");
          const Unit un = unit(j);
          for (int e = threadIdx.x; e < ROWS * un.cols; e += NT) {
            const int c = e / ROWS, r = e % ROWS;
            if (un.n0 + r < N) {
              float v = 0.0f;
#pragma unroll
              for (int w = 0; w < NW; ++w) v += red[j & 1][w][r][c];
              out[(long long)(un.pos + c) * N + un.n0 + r] = from_f32<T>(un.w >= 0 ? v : __uint_as_float(0x7FC00000u));
            }
          }
        }
      }
    }
  }
}

// Entry points: qmmd<MT>x<NW>r<RT>_<format>_<dtype> (MT n8 column tiles: M ≤ 8·MT; NW warps per
// block; RT m16 row tiles per warp).
#define QMLX_DECODE_VARIANT(FN, KIND, BITS, TN, T, MT, NW, RT)                                            \
  extern "C" __global__ void __launch_bounds__(NW * 32)                                                  \
      qmmd##MT##x##NW##r##RT##_##FN##_##TN(const MatmulParams p, int gs, int grouped) {                  \
    pdl_prologue([] {});                                                                                 \
    qmm_decode_impl<KIND, BITS, T, MT, NW, RT>(p, gs, grouped);                                          \
  }
// qmmr<NW>r<RT>d<D>_<format>_<dtype>: the work-list gather kernel, NW warps, RT row tiles per warp,
// a ring of D k steps (dynamic shared memory: 4·(3P + 1) bytes).
#define QMLX_RUNS_VARIANT(FN, KIND, BITS, TN, T, NW, RT, D)                                              \
  extern "C" __global__ void __launch_bounds__(NW * 32) qmmr##NW##r##RT##d##D##_##FN##_##TN(const MatmulParams p, int gs) { \
    qmm_runs_impl<KIND, BITS, T, NW, RT, D>(p, gs);                                                      \
  }
#define QMLX_DECODE_KERNELS(FN, KIND, BITS, TN, T)       \
  QMLX_DECODE_VARIANT(FN, KIND, BITS, TN, T, 1, 4, 1)    \
  QMLX_DECODE_VARIANT(FN, KIND, BITS, TN, T, 1, 8, 1)    \
  QMLX_DECODE_VARIANT(FN, KIND, BITS, TN, T, 2, 4, 1)    \
  QMLX_DECODE_VARIANT(FN, KIND, BITS, TN, T, 2, 8, 1)    \
  QMLX_DECODE_VARIANT(FN, KIND, BITS, TN, T, 1, 4, 2)    \
  QMLX_DECODE_VARIANT(FN, KIND, BITS, TN, T, 1, 8, 2)    \
  QMLX_DECODE_VARIANT(FN, KIND, BITS, TN, T, 2, 4, 2)    \
  QMLX_DECODE_VARIANT(FN, KIND, BITS, TN, T, 2, 8, 2) \
  QMLX_RUNS_VARIANT(FN, KIND, BITS, TN, T, 2, 1, 4)      \
  QMLX_RUNS_VARIANT(FN, KIND, BITS, TN, T, 4, 1, 4)      \
  QMLX_RUNS_VARIANT(FN, KIND, BITS, TN, T, 2, 2, 2)      \
  QMLX_RUNS_VARIANT(FN, KIND, BITS, TN, T, 4, 2, 2)      \
  QMLX_RUNS_VARIANT(FN, KIND, BITS, TN, T, 2, 2, 4)      \
  QMLX_RUNS_VARIANT(FN, KIND, BITS, TN, T, 4, 2, 4)
