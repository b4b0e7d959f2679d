// M = 1 matrix-vector kernel (transpose=True, one (x, w) pair, affine 4-bit f16/bf16, 2/3/5/6/8-bit f16,
// group size 32 or 64, K a multiple of 512; sm_90+) where each WARP owns whole 16-row tiles and its
// own bulk-copy ring. Why (bench/cuda-notes.md stages 11, 12, 15, 17): the register-ring kernels keep
// ~1 KB in flight per warp; the block-wide bulk ring (qmv_bulk.cuh) made its consumers wait at a
// block barrier per stage; the first version of this kernel spent 2.4 instructions per weight
// (scale/bias fmas per code pair, x permutes). Here:
//   - lane 0 of each warp issues the tile's next 512-code K slice as three 2-D tensor copies (codes,
//     scales, biases of its 16 rows) into a ring stage of the warp's own, completing on that stage's
//     mbarrier; no block barrier inside the K loop.
//   - A operand of mma.sync.m16n8k16: lane (g, t) holds 32 codes (its chunk t) of rows g and g + 8
//     per 128-code step as exact 16-bit floats OFFSET + c (TcDecode::codes: one LOP3/PRMT per two
//     codes, plus a shift per window for other widths; no scale or bias). B column n carries x only
//     for chunk n (even steps, n < 4) or chunk n − 4 (odd steps, n ≥ 4) and zeros elsewhere, so after two steps D column n is the integer-code
//     sum Σ (OFFSET + c)·x of one (step, chunk) — exactly the group partial the scale applies to. Lane
//     t owns D columns 2t, 2t + 1: step parity t >> 1, chunks 2(t & 1), 2(t & 1) + 1, and adds
//     s·(D − Σ OFFSET·x) + b·Σx per group (f32; Σx and Σ OFFSET·x per chunk precomputed per block).
//   - x is staged once per block in shared memory, already in the A registers' code-pair order,
//     with 64 zero bytes that the lanes off the B diagonal read instead.
//   - a persistent grid over the row tiles, one block per SM: block b takes an even share of the
//     tiles, NW / kp at a time for `rounds` rounds; with few tiles its warps split K `kp` ways
//     (split-K) and add their partial sums through shared memory once per round.
#pragma once
#include "tma.cuh"

#define QW_ROWS 16                      // rows of a tile (one m16 mma tile)
#define QW_MAX_STAGES 8
#define QW_HEAD_PER_WARP 192            // barriers [NW][QW_MAX_STAGES] (64 B each) + partial sums [2][NW][16] (128 B each)

// KS codes per ring stage and row (512 or 1024).
template <int BITS, int KS> struct WarpRingGeom {
  static constexpr int steps = KS / 128;  // 128-code mma steps per stage (even: steps go in pairs)
  static constexpr int row_bytes = KS * BITS / 8;  // dense: the tensor copy writes its box row after row
  static constexpr int codes = QW_ROWS * row_bytes;
};

// Bytes of a block's x area (after the head): 64 zero bytes, x in code-pair order (2 bytes per k),
// (Σx, Σ OFFSET·x) per 32-code chunk; rounded up to 128 (src/lib.rs warp_ring_x_bytes mirrors it).
__host__ __device__ constexpr long long qw_x_bytes(long long k) { return (64 + 2 * k + 8 * (k / 32) + 127) / 128 * 128; }

// A raw 16-bit group parameter as f32.
template <typename T> __device__ __forceinline__ float param_f32(unsigned short raw) {
  T v;
  *reinterpret_cast<unsigned short*>(&v) = raw;
  return to_f32<T>(v);
}

// The lane's parameter group of a step pair (first step 2qq + e) within a stage's groups: lane t's D
// columns 2t, 2t + 1 hold groups gi and (GS < 64) gi + 1. HALVES (nvfp4): the half chunks of chunk t of
// step 2qq + e; else step parity ep = t >> 1, chunks 2cp, 2cp + 1 (cp = t & 1) of step 2qq + ep.
template <int GS, bool HALVES> __device__ __forceinline__ int qw_lane_group(int qq, int e, int t) {
  return HALVES ? (2 * qq + e) * 8 + 2 * t : ((2 * qq + (t >> 1)) * 128 + (t & 1) * 64) / GS;
}

// x staging, once per block (every thread): chunk c of 32 codes → 16 words in code-pair order at
// xwords[16 + 16c] (16 zero words first), its (Σx, Σ OFFSET·x) at float2 c of xsum.
template <int KIND, int BITS, typename T>
__device__ __forceinline__ void qw_stage_x(const MatmulParams& p, long long xi, bool ok, uint32_t* xwords, float4* xsum) {
  using Dec = TcDecode<KIND, BITS, T>;
  constexpr int NP = 16;
  const long long K = p.k;
  if (threadIdx.x < 16) xwords[threadIdx.x] = 0u;
  if (!ok) return;
  const uint4* xg = reinterpret_cast<const uint4*>(reinterpret_cast<const T*>(p.x) + xi * K);
  for (long long c = threadIdx.x; c < K / 32; c += blockDim.x) {
    uint4 raw[4];
#pragma unroll
    for (int e = 0; e < 4; ++e) raw[e] = __ldg(xg + 4 * c + e);
    const unsigned short* h = reinterpret_cast<const unsigned short*>(raw);
    uint32_t o[NP];
#pragma unroll
    for (int i = 0; i < NP; ++i) o[i] = (uint32_t)h[Dec::pair_code(i, 0)] | ((uint32_t)h[Dec::pair_code(i, 1)] << 16);
    float sx = 0.0f, ox = 0.0f;
#pragma unroll
    for (int j = 0; j < 32; ++j) {
      T v;
      *reinterpret_cast<unsigned short*>(&v) = h[j];
      const float f = to_f32<T>(v);
      sx += f;
      ox = fmaf(Dec::code_offset(j), f, ox);
    }
    uint4* dst = reinterpret_cast<uint4*>(xwords + 16 + 16 * c);
#pragma unroll
    for (int e = 0; e < 4; ++e) dst[e] = make_uint4(o[4 * e], o[4 * e + 1], o[4 * e + 2], o[4 * e + 3]);
    reinterpret_cast<float2*>(xsum)[c] = make_float2(sx, ox);
  }
}

// Where lane (g, t)'s B fragments start in xwords (word offset + step · stride; stride 0: the zeros):
// chunk t of even steps if g == t, of odd steps if g == t + 4, else zeros. HALVES: the first half of
// chunk t (registers 0-7: codes 0-15) if g == 2t, the second half if g == 2t + 1, of every step.
struct QwXFrag {
  int off0, str0, off1, str1;
  template <bool HALVES> __device__ __forceinline__ static QwXFrag of(int g, int t) {
    QwXFrag f;
    f.off0 = HALVES ? (g == 2 * t ? 16 + 16 * t : 0) : g == t ? 16 + 16 * t : 0;
    f.str0 = (HALVES ? g == 2 * t : g == t) ? 64 : 0;
    f.off1 = HALVES ? (g == 2 * t + 1 ? 16 + 16 * t + 8 : 0) : g == t + 4 ? 16 + 64 + 16 * t : 0;
    f.str1 = (HALVES ? g == 2 * t + 1 : g == t + 4) ? 64 : 0;
    return f;
  }
};

// One pair of 128-code steps of rows g and g + 8 (steps gstep, gstep + 1 of the row): words(e, h, v)
// gives the lane's code words (its 32-code chunk t) of step gstep + e, row g + 8h; params(h, sr, br)
// the raw parameters of its groups in row g + 8h (qw_lane_group; affine: [j] group gi + j, 16-bit
// scale / bias; fp: [e] the two scale bytes of groups gi, gi + 1 as one 16-bit word), asked for
// after the mma as the ring kernel always read them; y[h] += the pair's sum. Step: the ring passes an
// int (a 64-bit index cost its 2/3-bit kernels 2-3 %, stage 27), the register kernel a long long (its
// 8-bit kernels were measured so; int moved them +0.4-1.3 %). The one place the
// codes-only mma and the per-group fold live (both M = 1 feeds use it).
template <int KIND, int BITS, typename T, int GS, class Words, class Params, typename Step>
__device__ __forceinline__ void qw_consume_pair(Words&& words, Params&& params, const uint32_t* xwords, const float4* xsum,
                                                const QwXFrag& xf, Step gstep, int t, float (&y)[2]) {
  using Dec = TcDecode<KIND, BITS, T>;
  constexpr bool FP = KIND != KIND_AFFINE;
  constexpr bool HALVES = GS == 16;
  constexpr int NP = 16;
  constexpr int MMAS = 8;
  constexpr bool BF = std::is_same<T, __nv_bfloat16>::value;
  const int ep = t >> 1, cp = t & 1;
  float d[2][4];
#pragma unroll
  for (int e = 0; e < 2; ++e)
#pragma unroll
    for (int k = 0; k < 4; ++k) d[e][k] = 0.0f;
#pragma unroll
  for (int e = 0; e < 2; ++e) {
    uint32_t a[2][NP];
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      uint32_t v[BITS];
      words(e, h, v);
      Dec::template codes<BITS, NP>(v, a[h]);
    }
    uint32_t X[NP];
#pragma unroll
    for (int u = 0; u < 4; ++u) {
      // HALVES: words 0-7 from the first-half row, 8-15 from the second, of step gstep + e.
      const uint4* xp = HALVES ? reinterpret_cast<const uint4*>(u < 2 ? xwords + xf.off0 + (gstep + e) * xf.str0
                                                                      : xwords + xf.off1 + (gstep + e) * xf.str1 - 8)
                               : reinterpret_cast<const uint4*>(xwords + (e ? xf.off1 + gstep * xf.str1 : xf.off0 + gstep * xf.str0));
      const uint4 w4 = xp[u];
      X[4 * u] = w4.x; X[4 * u + 1] = w4.y; X[4 * u + 2] = w4.z; X[4 * u + 3] = w4.w;
    }
#pragma unroll
    for (int m = 0; m < MMAS; ++m) mma_16816(d[e], a[0][2 * m], a[1][2 * m], a[0][2 * m + 1], a[1][2 * m + 1], X[2 * m], X[2 * m + 1], BF);
  }
  if constexpr (FP) {
    // Rows g | g + 8: D columns 2t, 2t + 1 are groups gi, gi + 1 (HALVES: of both steps; else of
    // step parity ep, the other parity's accumulator zero there) times code_unit.
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      uint32_t sr[2], br[2];
      params(h, sr, br);
#pragma unroll
      for (int e = 0; e < (HALVES ? 2 : 1); ++e) {
        const float D0 = HALVES ? d[e][2 * h] : d[0][2 * h] + d[1][2 * h];
        const float D1 = HALVES ? d[e][2 * h + 1] : d[0][2 * h + 1] + d[1][2 * h + 1];
        y[h] = fmaf(fp_group_scale<KIND>((uint8_t)(sr[e] & 0xFFu), 1.0f), D0 * Dec::code_unit, y[h]);
        y[h] = fmaf(fp_group_scale<KIND>((uint8_t)(sr[e] >> 8), 1.0f), D1 * Dec::code_unit, y[h]);
      }
    }
    return;
  }
  // D[row g | g + 8][2t, 2t + 1] (the other parity's accumulator is zero there).
  const float4 xs = xsum[((gstep + ep) * 4 + 2 * cp) >> 1];  // (Σx, Σ OFFSET·x) of chunks 2cp, 2cp + 1
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    uint32_t sr[2], br[2];
    params(h, sr, br);
    const float D0 = d[0][2 * h] + d[1][2 * h], D1 = d[0][2 * h + 1] + d[1][2 * h + 1];
    if constexpr (GS == 64) {  // one group: s·(D0 + D1 − ΣOFFSET·x) + b·Σx
      const float s = param_f32<T>(sr[0]), b = param_f32<T>(br[0]);
      y[h] = fmaf(s, (D0 + D1) - (xs.y + xs.w), fmaf(b, xs.x + xs.z, y[h]));
    } else {
      y[h] = fmaf(param_f32<T>(sr[0]), D0 - xs.y, fmaf(param_f32<T>(br[0]), xs.x, y[h]));
      y[h] = fmaf(param_f32<T>(sr[1]), D1 - xs.w, fmaf(param_f32<T>(br[1]), xs.z, y[h]));
    }
  }
}

// Adds the four lanes t of each row (they hold different groups) and stores a tile's 16 outputs, or
// (kp > 1) its partial sums through shared memory `red` ([2][NW][QW_ROWS], round parity r & 1), the
// part-0 warp adding the kp parts in order. Every warp of the block calls it once per round.
template <int KIND, typename T, int NW>
__device__ __forceinline__ void qw_store_tile(float (&y)[2], const MatmulParams& p, float* red, long long tl, int r, int kp, int warp,
                                              int part, bool ok, float gfactor) {
  const int lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  const long long N = p.n;
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    y[h] += __shfl_xor_sync(0xFFFFFFFFu, y[h], 1);
    y[h] += __shfl_xor_sync(0xFFFFFFFFu, y[h], 2);
    if constexpr (KIND == KIND_NVFP4) y[h] *= gfactor;
  }
  const long long n0 = tl >= 0 ? tl * QW_ROWS : 0;
  T* out = reinterpret_cast<T*>(p.out);
  const float nan = __uint_as_float(0x7FC00000u);
  if (kp == 1) {
    if (tl >= 0 && t == 0) {
      if (n0 + g < N) out[n0 + g] = from_f32<T>(ok ? y[0] : nan);
      if (n0 + g + 8 < N) out[n0 + g + 8] = from_f32<T>(ok ? y[1] : nan);
    }
  } else {
    float* rb = red + (r & 1) * NW * QW_ROWS;
    if (t == 0) {
      rb[warp * QW_ROWS + g] = y[0];
      rb[warp * QW_ROWS + g + 8] = y[1];
    }
    __syncthreads();
    if (part == 0 && tl >= 0 && lane < QW_ROWS && n0 + lane < N) {
      float v = 0.0f;
      for (int w = 0; w < kp; ++w) v += rb[(warp + w) * QW_ROWS + lane];
      out[n0 + lane] = from_f32<T>(ok ? v : nan);
    }
  }
}

// COMPUTE = false: the ring's streaming alone (decode, mma and fold removed; outputs zero) — the
// benchmark's calibration (`bench --calibrate`), never dispatched for a matmul.
template <int KIND, int BITS, typename T, int NW, int GS, int KS, bool COMPUTE = true>
__device__ void qmv_warp_impl(const TmaMap& wmap, const TmaMap& smap, const TmaMap& bmap, const MatmulParams& p, int nstages, int kp,
                              int rounds, int pf) {
#ifdef QMLX_TMA
  using Dec = TcDecode<KIND, BITS, T>;
  using G = WarpRingGeom<BITS, KS>;
  static_assert(Dec::ring_codes, "formats with codes-only A fragments");
  // fp modes: one scale byte per group, no biases; nvfp4's 16-code groups are half chunks, so its B
  // columns are (chunk, half) of ONE step (HALVES) instead of (step parity, chunk).
  constexpr bool FP = KIND != KIND_AFFINE;
  constexpr bool HALVES = GS == 16;
  constexpr int CW = BITS;        // words of a lane's 32-code chunk
  extern __shared__ __align__(128) unsigned char qw_raw[];
  unsigned char* qw_mem = qw_raw + ((128 - (smem_addr(qw_raw) & 127)) & 127);  // tensor copies want 128-byte stages
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  uint64_t* full = reinterpret_cast<uint64_t*>(qw_mem) + warp * QW_MAX_STAGES;
  float* red = reinterpret_cast<float*>(qw_mem + 8 * NW * QW_MAX_STAGES);  // [2][NW][QW_ROWS]
  const long long N = p.n, K = p.k;
  unsigned char* xarea = qw_mem + QW_HEAD_PER_WARP * NW;
  uint32_t* xwords = reinterpret_cast<uint32_t*>(xarea);                   // [16 zeros][K/2 x pairs]
  float4* xsum = reinterpret_cast<float4*>(xarea + 64 + 2 * K);            // two chunks' (Σx, Σ OFFSET·x)
  static_assert(GS == 32 || GS == 64 || (FP && GS == 16), "a group is half a chunk (nvfp4), one or two chunks");
  constexpr uint32_t prow = KS / GS * (FP ? 1 : sizeof(T));  // bytes per row and stage of each parameter array
  constexpr uint32_t stage_bytes = G::codes + (FP ? 1 : 2) * QW_ROWS * prow;
  unsigned char* ring = xarea + qw_x_bytes(K) + warp * nstages * stage_bytes;

  const long long tiles = (N + QW_ROWS - 1) / QW_ROWS;
  const int nst = (int)(K / KS);                           // stages of a whole row
  const int part = warp % kp, slot = warp / kp;
  const int s_beg = part * nst / kp, my = (part + 1) * nst / kp - s_beg;  // this warp's K slices
  const long long total = (long long)rounds * my;
  // This block's tiles: an even share [tb, te) of the row tiles.
  const long long tb = (long long)blockIdx.x * tiles / gridDim.x, te = ((long long)blockIdx.x + 1) * tiles / gridDim.x;
  const int slots = NW / kp;
  // PDL: before the predecessor is waited for, the warp's first `pf` slices into L2 (the matrix of
  // pair 0 is matrix 0 without a gather index; with one it is not known yet). pf is a launch
  // argument (a kernel parameter: no memory load inside the loop), picked per shape by the host.
  pdl_prologue([&] {
    if (lane == 0 && p.map.rhs_kind == IDX_NONE && tb + slot < te)
      for (int s = 0; s < my && s < pf; ++s) {
        const int row = (int)((tb + slot) * QW_ROWS), sl = s_beg + s;
        tma_prefetch_l2_2d(&wmap, sl * (KS * BITS / 32), row);
        tma_prefetch_l2_2d(&smap, sl * (KS / GS), row);
        tma_prefetch_l2_2d(&bmap, sl * (KS / GS), row);
      }
  });
  // The one (x, w) pair (gather indices checked; block 0 reports a bad one).
  long long xi = 0, wi = 0;
  const bool ok = resolve_pair(p.map, 0, blockIdx.x == 0 && threadIdx.x == 0 ? p.status : nullptr, p.host_status, xi, wi);

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
  // three 2-D tensor copies (codes, scales, biases of the tile's 16 rows; rows past the last matrix
  // are zero-filled, rows past N never stored).
  int pr = 0, pj = 0, ps = 0;
  int prow0 = -1;  // first row of the tile in the stacked [w_count·N] rows, or -1: nothing to copy
  auto issue = [&]() {
    if (lane == 0) {
      if (pj == 0) {
        const long long tl = tile_of(pr);
        prow0 = ok && tl >= 0 ? (int)(wi * N + tl * QW_ROWS) : -1;
      }
      uint64_t* bar = &full[ps];
      unsigned char* st = ring + ps * stage_bytes;
      if (prow0 >= 0) {
        const int sl = s_beg + pj;
        mbar_arrive_expect_tx(bar, stage_bytes);
        tma_load_2d(st, &wmap, sl * (KS * BITS / 32), prow0, bar);
        tma_load_2d(st + G::codes, &smap, sl * (KS / GS), prow0, bar);
        if constexpr (!FP) tma_load_2d(st + G::codes + QW_ROWS * prow, &bmap, sl * (KS / GS), prow0, bar);
      } else {
        mbar_arrive(bar);
      }
    }
    if (++pj == my) { pj = 0; ++pr; }
    if (++ps == nstages) ps = 0;
  };

  const long long first = total < nstages ? total : nstages;
  for (long long i = 0; i < first; ++i) issue();

  // x staging (while the first stages are in flight).
  qw_stage_x<KIND, BITS, T>(p, xi, ok, xwords, xsum);
  __syncthreads();

  const QwXFrag xf = QwXFrag::of<HALVES>(g, t);
  const float gfactor = KIND == KIND_NVFP4 ? nvfp4_gfactor(p, wi) : 1.0f;  // applied to the row sums

  long long i = 0;  // consumed stages; ring slot cs with phase parity cpar
  int cs = 0;
  uint32_t cpar = 0;
  for (int r = 0; r < rounds; ++r) {
    const long long tl = tile_of(r);
    float y[2] = {0.0f, 0.0f};  // rows g, g + 8: this lane's groups
    for (int j = 0; j < my; ++j, ++i) {
      mbar_wait(&full[cs], cpar);
      if (COMPUTE && ok && tl >= 0) {
        const unsigned char* st = ring + cs * stage_bytes;
        const int s0 = (s_beg + j) * G::steps;  // the stage's first 128-code step in K
#pragma unroll
        for (int qq = 0; qq < G::steps / 2; ++qq) {
          auto words = [&](int e, int h, uint32_t(&v)[CW]) {
            qb_words<CW>(reinterpret_cast<const uint32_t*>(st + (g + 8 * h) * G::row_bytes + ((2 * qq + e) * 128 + t * 32) * BITS / 8), v);
          };
          auto params = [&](int h, uint32_t(&sr)[2], uint32_t(&br)[2]) {
#pragma unroll
            for (int e = 0; e < 2; ++e) {
              const int gi = qw_lane_group<GS, HALVES>(qq, e, t);
              if constexpr (FP) {  // the scale bytes of groups gi, gi + 1 (gi even; HALVES: per step)
                const unsigned char* sp = st + G::codes + (g + 8 * h) * prow;
                sr[e] = HALVES || e == 0 ? (uint32_t)sp[gi] | (uint32_t)sp[gi + 1] << 8 : 0u;
                br[e] = 0u;
              } else {
                const unsigned short* sp = reinterpret_cast<const unsigned short*>(st + G::codes + (g + 8 * h) * prow);
                const unsigned short* bp = reinterpret_cast<const unsigned short*>(st + G::codes + (QW_ROWS + g + 8 * h) * prow);
                sr[e] = GS < 64 || e == 0 ? sp[gi + e] : 0u;
                br[e] = GS < 64 || e == 0 ? bp[gi + e] : 0u;
              }
            }
          };
          qw_consume_pair<KIND, BITS, T, GS>(words, params, xwords, xsum, xf, s0 + 2 * qq, t, y);
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
    qw_store_tile<KIND, T, NW>(y, p, red, tl, r, kp, warp, part, ok, gfactor);
  }
#endif
}

// Global loads of W words (one 16-, 8- or 4-byte load each) as volatile asm: they stay in program
// order with the mma asm, so a stage's loads are issued before the consume of the stage before it.
// L1 is not allocated: every code byte is read once.
template <int W> __device__ __forceinline__ void qw_ldg_words(const uint32_t* p, uint32_t (&v)[W]) {
  if constexpr (W % 4 == 0) {
#pragma unroll
    for (int i = 0; i < W / 4; ++i)
      asm volatile("ld.global.nc.L1::no_allocate.v4.u32 {%0,%1,%2,%3}, [%4];"
                   : "=r"(v[4 * i]), "=r"(v[4 * i + 1]), "=r"(v[4 * i + 2]), "=r"(v[4 * i + 3]) : "l"(p + 4 * i));
  } else if constexpr (W % 2 == 0) {
#pragma unroll
    for (int i = 0; i < W / 2; ++i)
      asm volatile("ld.global.nc.L1::no_allocate.v2.u32 {%0,%1}, [%2];" : "=r"(v[2 * i]), "=r"(v[2 * i + 1]) : "l"(p + 2 * i));
  } else {
#pragma unroll
    for (int i = 0; i < W; ++i) asm volatile("ld.global.nc.L1::no_allocate.u32 %0, [%1];" : "=r"(v[i]) : "l"(p + i));
  }
}
// A 16-bit parameter word (the four lanes of a row read the same one: L1 serves them).
__device__ __forceinline__ uint32_t qw_ldg_u16(const unsigned char* p) {
  unsigned short v;
  asm volatile("ld.global.nc.u16 %0, [%1];" : "=h"(v) : "l"(p));
  return v;
}

// M = 1 kernel with the ring kernel's tiles, split-K, x staging and consume (qw_consume_pair), fed
// differently: each lane loads its own code words and group parameters straight into registers,
// NB − 1 stages of KS codes ahead of its consume — plain loads, as the calibration's read probe
// streams (bench/cuda-notes.md stages 21-25: tensor copies and cp.async into shared memory both
// streamed ~15 % below it). No ring, no barriers in the K loop; shared memory holds the head (split-K
// partial sums) and x, laid out as qmv_warp_impl's (the host's smem formula is shared).
template <int KIND, int BITS, typename T, int NW, int GS, int KS, int NB>
__device__ void qmv_regs_impl(const MatmulParams& p, int kp, int rounds, int pf) {
#ifdef QMLX_TMA
  using Dec = TcDecode<KIND, BITS, T>;
  static_assert(Dec::ring_codes, "formats with codes-only A fragments");
  static_assert(KS % 256 == 0 && NB >= 2, "stages of whole step pairs, at least one stage ahead");
  constexpr bool FP = KIND != KIND_AFFINE;
  constexpr bool HALVES = GS == 16;
  constexpr int CW = BITS;            // words of a lane's 32-code chunk
  constexpr int PAIRS = KS / 256;     // step pairs per stage
  constexpr int PSIZE = FP ? 1 : 2;   // bytes per group parameter
  extern __shared__ __align__(128) unsigned char qw_raw[];
  unsigned char* qw_mem = qw_raw + ((128 - (smem_addr(qw_raw) & 127)) & 127);
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  float* red = reinterpret_cast<float*>(qw_mem + 8 * NW * QW_MAX_STAGES);  // [2][NW][QW_ROWS]
  const long long N = p.n, K = p.k;
  unsigned char* xarea = qw_mem + QW_HEAD_PER_WARP * NW;
  uint32_t* xwords = reinterpret_cast<uint32_t*>(xarea);
  float4* xsum = reinterpret_cast<float4*>(xarea + 64 + 2 * K);
  const long long row_words = K * BITS / 32, groups = K / GS;

  const long long tiles = (N + QW_ROWS - 1) / QW_ROWS;
  const int nst = (int)(K / KS);
  const int part = warp % kp, slot = warp / kp;
  const int s_beg = part * nst / kp, my = (part + 1) * nst / kp - s_beg;
  const long long total = (long long)rounds * my;
  const long long tb = (long long)blockIdx.x * tiles / gridDim.x, te = ((long long)blockIdx.x + 1) * tiles / gridDim.x;
  const int slots = NW / kp;
  auto tile_of = [&](long long r) -> long long {
    const long long tl = tb + r * slots + slot;
    return tl < te ? tl : -1;
  };
  // Row h of the lane (g + 8h) in tile tl of the stacked [w_count·N] rows; rows past N read row N − 1
  // (their outputs are never stored).
  auto row_of = [&](long long tl, int h, long long wi) -> long long {
    const long long n = tl * QW_ROWS + g + 8 * h;
    return wi * N + (n < N ? n : N - 1);
  };
  // PDL: before the wait, the lane's code chunks of the warp's first `pf` stages into L2 (matrix 0:
  // without a gather index that is the pair's matrix).
  pdl_prologue([&] {
    if (p.map.rhs_kind == IDX_NONE && tb + slot < te)
      for (int s = 0; s < my && s < pf; ++s)
#pragma unroll
        for (int h = 0; h < 2; ++h)
#pragma unroll
          for (int q = 0; q < KS / 128; ++q) {
            const uint32_t* a = p.w + row_of(tb + slot, h, 0) * row_words + ((long long)(s_beg + s) * KS + q * 128 + t * 32) * BITS / 32;
            asm volatile("prefetch.global.L2 [%0];" ::"l"(a));
          }
  });
  long long xi = 0, wi = 0;
  const bool ok = resolve_pair(p.map, 0, blockIdx.x == 0 && threadIdx.x == 0 ? p.status : nullptr, p.host_status, xi, wi);

  struct Stage {
    uint32_t cw[PAIRS][2][2][CW];  // [pair][step parity e][row half h]: the lane's chunk words
    uint32_t sr[PAIRS][2][2];      // [pair][h][j]: raw parameters as qw_consume_pair's params() gives them
    uint32_t br[PAIRS][2][2];
  };
  Stage buf[NB];
  // Load cursor: round lr, slice lj of the warp's part; rows of the current tile.
  int lr = 0, lj = 0;
  bool lvalid = false;
  const uint32_t* lcodes[2] = {p.w, p.w};
  const unsigned char* lscale[2] = {nullptr, nullptr};
  const unsigned char* lbias[2] = {nullptr, nullptr};
  auto load = [&](Stage& s) {
    if (lj == 0) {
      const long long tl = tile_of(lr);
      lvalid = ok && tl >= 0;
      if (lvalid)
#pragma unroll
        for (int h = 0; h < 2; ++h) {
          const long long row = row_of(tl, h, wi);
          lcodes[h] = p.w + row * row_words;
          lscale[h] = reinterpret_cast<const unsigned char*>(p.scales) + row * groups * PSIZE;
          if constexpr (!FP) lbias[h] = reinterpret_cast<const unsigned char*>(p.biases) + row * groups * PSIZE;
        }
    }
    if (lvalid) {
      const long long sl = s_beg + lj;
#pragma unroll
      for (int pq = 0; pq < PAIRS; ++pq)
#pragma unroll
        for (int e = 0; e < 2; ++e)
#pragma unroll
          for (int h = 0; h < 2; ++h)
            qw_ldg_words<CW>(lcodes[h] + (sl * KS + (2 * pq + e) * 128 + t * 32) * BITS / 32, s.cw[pq][e][h]);
#pragma unroll
      for (int pq = 0; pq < PAIRS; ++pq)
#pragma unroll
        for (int h = 0; h < 2; ++h)
#pragma unroll
          for (int e = 0; e < 2; ++e) {
            const long long gi = sl * (KS / GS) + qw_lane_group<GS, HALVES>(pq, e, t);
            if constexpr (FP) {
              s.sr[pq][h][e] = HALVES || e == 0 ? qw_ldg_u16(lscale[h] + gi) : 0u;
              s.br[pq][h][e] = 0u;
            } else {
              s.sr[pq][h][e] = GS < 64 || e == 0 ? qw_ldg_u16(lscale[h] + 2 * (gi + e)) : 0u;
              s.br[pq][h][e] = GS < 64 || e == 0 ? qw_ldg_u16(lbias[h] + 2 * (gi + e)) : 0u;
            }
          }
    }
    if (++lj == my) { lj = 0; ++lr; }
  };

  // The first NB − 1 stages, then x (while they are in flight).
#pragma unroll
  for (int b = 0; b < NB - 1; ++b)
    if (b < total) load(buf[b]);
  qw_stage_x<KIND, BITS, T>(p, xi, ok, xwords, xsum);
  __syncthreads();

  const QwXFrag xf = QwXFrag::of<HALVES>(g, t);
  const float gfactor = KIND == KIND_NVFP4 ? nvfp4_gfactor(p, wi) : 1.0f;
  int cr = 0, cj = 0;  // consume cursor: round, slice
  float y[2] = {0.0f, 0.0f};
  for (long long i0 = 0; i0 < total; i0 += NB) {
    // Unrolled NB times so that every buffer index is a constant (registers, not local memory).
#pragma unroll
    for (int u = 0; u < NB; ++u) {
      const long long i = i0 + u;
      if (i < total) {
        if (i + NB - 1 < total) load(buf[(u + NB - 1) % NB]);
        const long long tl = tile_of(cr);
        if (ok && tl >= 0) {
          const long long s0 = (long long)(s_beg + cj) * (KS / 128);
#pragma unroll
          for (int pq = 0; pq < PAIRS; ++pq)
            qw_consume_pair<KIND, BITS, T, GS>(
                [&](int e, int h, uint32_t(&v)[CW]) {
#pragma unroll
                  for (int w = 0; w < CW; ++w) v[w] = buf[u].cw[pq][e][h][w];
                },
                [&](int h, uint32_t(&sr)[2], uint32_t(&br)[2]) {
#pragma unroll
                  for (int j = 0; j < 2; ++j) { sr[j] = buf[u].sr[pq][h][j]; br[j] = buf[u].br[pq][h][j]; }
                },
                xwords, xsum, xf, s0 + 2 * pq, t, y);
        }
        if (++cj == my) {
          qw_store_tile<KIND, T, NW>(y, p, red, tl, cr, kp, warp, part, ok, gfactor);
          y[0] = y[1] = 0.0f;
          cj = 0;
          ++cr;
        }
      }
    }
  }
#endif
}

// The group sizes of a format: affine 32 or 64 (a launch argument), mxfp4/mxfp8 32, nvfp4 16.
template <int KIND, int BITS, typename T, int NW, int KS>
__device__ __forceinline__ void qmv_warp_gs(const TmaMap& wmap, const TmaMap& smap, const TmaMap& bmap, const MatmulParams& p, int gs,
                                            int nstages, int kp, int rounds, int pf) {
  if constexpr (KIND == KIND_NVFP4) qmv_warp_impl<KIND, BITS, T, NW, 16, KS>(wmap, smap, bmap, p, nstages, kp, rounds, pf);
  else if constexpr (KIND != KIND_AFFINE) qmv_warp_impl<KIND, BITS, T, NW, 32, KS>(wmap, smap, bmap, p, nstages, kp, rounds, pf);
  else if (gs == 32) qmv_warp_impl<KIND, BITS, T, NW, 32, KS>(wmap, smap, bmap, p, nstages, kp, rounds, pf);
  else qmv_warp_impl<KIND, BITS, T, NW, 64, KS>(wmap, smap, bmap, p, nstages, kp, rounds, pf);
}

// Entry points qmvw<NW>x<KS>_<format>_<dtype> (the codes-only formats), NW warps per block, one block
// per SM, KS codes per stage and row; the affine group size (32 or 64) and the PDL prefetch depth
// (ring stages per warp into L2 before the wait) are launch arguments.
#define QMLX_WARP_RING_VARIANT(FN, KIND, BITS, TN, T, NW, KS)                                                      \
  extern "C" __global__ void __launch_bounds__(NW * 32, 1)                                                        \
      qmvw##NW##x##KS##_##FN##_##TN(const __grid_constant__ TmaMap wmap, const __grid_constant__ TmaMap smap,     \
                                    const __grid_constant__ TmaMap bmap, const MatmulParams p, int gs, int nstages, \
                                    int kp, int rounds, int pf) {                                                \
    qmv_warp_gs<KIND, BITS, T, NW, KS>(wmap, smap, bmap, p, gs, nstages, kp, rounds, pf);                         \
  }
#define QMLX_WARP_RING_KERNEL(FN, KIND, BITS, TN, T)   \
  QMLX_WARP_RING_VARIANT(FN, KIND, BITS, TN, T, 8, 512)  \
  QMLX_WARP_RING_VARIANT(FN, KIND, BITS, TN, T, 16, 512) \
  QMLX_WARP_RING_VARIANT(FN, KIND, BITS, TN, T, 8, 1024)
// Entry points qmvr<NW>x<KS>b<NB>_<format>_<dtype> of the register-fed kernel (qmv_regs_impl): 8-bit codes
// for large and small matrices, narrower codes for small ones only (matmul.cu, src/lib.rs regs_wins;
// stages 26-27: from 32 M weights 4-bit
// ran 1.0-1.4x the ring's time, its consume needs more warps than a register pipeline deep enough to
// stream leaves room for; below that the plain loads start sooner than the ring's copies).
template <int KIND, int BITS, typename T, int NW, int KS, int NB>
__device__ __forceinline__ void qmv_regs_gs(const MatmulParams& p, int gs, int kp, int rounds, int pf) {
  if constexpr (KIND == KIND_NVFP4) qmv_regs_impl<KIND, BITS, T, NW, 16, KS, NB>(p, kp, rounds, pf);
  else if constexpr (KIND != KIND_AFFINE) qmv_regs_impl<KIND, BITS, T, NW, 32, KS, NB>(p, kp, rounds, pf);
  else if (gs == 32) qmv_regs_impl<KIND, BITS, T, NW, 32, KS, NB>(p, kp, rounds, pf);
  else qmv_regs_impl<KIND, BITS, T, NW, 64, KS, NB>(p, kp, rounds, pf);
}
#define QMLX_REGS_VARIANT(FN, KIND, BITS, TN, T, NW, KS, NB)                                                     \
  extern "C" __global__ void __launch_bounds__(NW * 32, 1)                                                      \
      qmvr##NW##x##KS##b##NB##_##FN##_##TN(const MatmulParams p, int gs, int kp, int rounds, int pf) {         \
    qmv_regs_gs<KIND, BITS, T, NW, KS, NB>(p, gs, kp, rounds, pf);                                               \
  }
// Calibration entry point (src/bench.rs --calibrate): affine 4-bit f16 g64 (whatever `gs`), 8 warps,
// streaming only.
extern "C" __global__ void __launch_bounds__(8 * 32, 1)
    qmvw8x512_stream_affine4_f16(const __grid_constant__ TmaMap wmap, const __grid_constant__ TmaMap smap,
                                    const __grid_constant__ TmaMap bmap, const MatmulParams p, int gs, int nstages, int kp,
                                    int rounds, int pf) {
  qmv_warp_impl<KIND_AFFINE, 4, __half, 8, 64, 512, false>(wmap, smap, bmap, p, nstages, kp, rounds, pf);
}
