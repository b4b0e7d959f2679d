// MoE decode (gathers of single rows, M = 1, f16/bf16 out; sm_90+): the work list of
// qmm_runs_impl (qmm_decode.cuh) fed by bulk copies. Why (bench/cuda-notes.md stages 16, 17): the
// register-ring work-list kernel keeps 2-4 KB in flight per warp and streams ~1.5 TB/s at every
// token count. Here a unit (item = run of ≤ 8 pairs on one expert, × UR = 32·rg whole rows) is
// contiguous in memory (codes, scales, biases: rows n0..n0+UR of matrix w), so ONE producer lane
// moves it into a shared-memory ring stage with up to three 1-D bulk copies (tens of KB each),
// completing on the stage's mbarrier; a block of one SM keeps `nstages` units in flight.
//   - consumers: NWC warps, warp w = (row group w / kp, K part w % kp); each does the decode
//     kernel's step (DecodeTile: two m16 row tiles × one n8 column tile, TcDecode magic-number
//     dequantization, mma.sync) on words read from the stage, x (the item's ≤ 8 gathered rows) from
//     L2 one step ahead across units; partial sums of the kp parts meet in a double-buffered shared
//     buffer behind one named barrier per unit (fixed order: deterministic);
//   - block b takes a contiguous range of units (all units cost the same: same rows, same K), so
//     its consecutive units mostly share the item: with two k steps per warp and unit (gate+up,
//     K = 2048 over 8 K parts) a warp's x registers then hold the item's x across units, and x
//     is not re-read from L2 per 32-row unit;
//     (XS kernels, where x is never kept, take units b, b + grid, … instead: H100 stage 20, the
//     contiguous order read 3-8 % slower there);
//   - a bad index is an item of its own: nothing is copied for it, its rows are NaN.
//   - a k step is 4·CH codes: CH = the format's chunk (128-code steps; nvfp4 64), or half of it
//     (the qmmgbh… entries, 4-bit affine / mxfp4) so that K = 768 splits into 12 steps, 3 per K part
//     of 4, instead of 6 steps as 2+2+1+1 (H100 stage 18 ncu: the 1-step warps waited at the
//     unit's barrier 2 cycles per issued instruction);
//   - mxfp4 decodes in packed 16-bit arithmetic (fp4_code_pairs_packed, exact like the f32 path)
//     where the group's factor is exact, else through f32 (stage 17 ncu: 2.2× affine's instructions);
//     nvfp4 likewise, always packed: c · E4M3 · 2^-7 is exact in T for every byte, and the global
//     factor · 2^7 multiplies the unit's sums (as qmm_sm90.cu's epilogue).
//   - FP4H (mxfp4 / nvfp4 with f16 x): TcDecode::codes' f16 byte layout (c·2^-14 per code, 11
//     instructions per 4 registers, pairs (2i, 2i+2) of a word's even or odd nibbles, x pairs to
//     match) and one HMUL2 by the group factor: mxfp4 2^(e-113) from the E8M0 byte by exponent
//     arithmetic (exact for e in 89..128; other groups through f32), nvfp4 the E4M3 scale itself
//     (one cvt.f16x2.e4m3x2; c·s·2^-14 is exact in f16 for every byte, the global factor · 2^14
//     multiplies the unit's sums). Was ~6.25 instructions per code pair plus ~14 per group
//     (cuobjdump, sm_90a), now 3.75 plus 2-5. nvfp4 also takes 32-code chunks (two groups per lane
//     and step, the qmmgbd… entries) so that K = 2048 is two steps per warp and unit (x kept).
//   - XS (the qmmgb…x entries, 4-bit affine / mxfp4): the item's x rows (≤ 8, K values each) are
//     bulk-copied into the stage after the weights, one copy per row, rows K·sizeof(T) + 16 bytes
//     apart (the 16-byte pad puts rows g and g + 1 of a quarter-warp's 128-bit loads on different
//     banks); the consumers read x of the step from shared memory once the stage is full. Why
//     (H100 stage 18 ncu, down projection): x from L2 one step ahead left 3.3 cycles of long
//     scoreboard per issued instruction once steps were half as long.
// Host-checked layout (lib.rs `gather_bulk_plan`): N % UR == 0, each unit's code and parameter
// bytes multiples of 16, base pointers 16-byte aligned, nstages ≥ 2, and K a whole number of k
// steps: the consumers skip a step per lane, and mma.sync is warp-collective (K = 64 < one step
// hung the kernel on the H100, session 4).
#pragma once
#include "tma.cuh"

#define QMLX_GB_MAX_STAGES 8

// mxfp4/nvfp4 with f16 x: the byte-layout codes and one packed multiply per register (above).
template <int KIND, typename T> __host__ __device__ constexpr bool gb_fp4_f16() { return (KIND == KIND_MXFP4 || KIND == KIND_NVFP4) && std::is_same<T, __half>::value; }

// Two E4M3 bytes (bits 0-15) as f16×2, exactly (NaN bytes stay NaN).
__device__ __forceinline__ uint32_t e4m3x2_to_f16x2(uint32_t q) {
  uint32_t h;
  asm("{\n.reg .b16 lo;\ncvt.u16.u32 lo, %1;\ncvt.rn.f16x2.e4m3x2 %0, lo;\n}" : "=r"(h) : "r"(q));
  return h;
}

// The B register (x pair) matching A register i of TcDecode::codes' layout: the x values of
// chunk codes pair_code(i, 0) and pair_code(i, 1) (X: the chunk's x in code order, two per u32).
template <typename Dec> __device__ __forceinline__ uint32_t gb_x_pair(const uint32_t* X, int i) {
  const int a = Dec::pair_code(i, 0), b = Dec::pair_code(i, 1);
  return prmt(X[a >> 1], X[b >> 1], ((a & 1) ? 0x32u : 0x10u) | ((b & 1) ? 0x7600u : 0x5400u));
}

template <int KIND, int BITS, typename T, int NWC, int CH, bool XS>
__device__ __forceinline__ void qmm_gather_bulk_impl(const MatmulParams& p, int group_size, int kp, int nstages, int stage_bytes) {
#ifdef QMLX_TMA
  using Tile = DecodeTile<KIND, BITS, T, 1, 2, 2>;  // zero() and stage(); the step itself is below (CH codes per lane)
  using Dec = typename Tile::Dec;
  constexpr bool FP4H = gb_fp4_f16<KIND, T>();
  // nvfp4 f16: 32-code chunks (two groups per lane and step); else a chunk lies in one group.
  constexpr int GPC = KIND == KIND_NVFP4 && CH == 32 ? 2 : 1;
  static_assert(GPC == 1 || FP4H, "two groups per chunk: nvfp4 with f16 x only");
  static_assert(CH % 8 == 0 && CH * BITS % 32 == 0 && CH <= GPC * Tile::CH, "a lane's chunk is whole words inside one group (or two nvfp4 groups)");
  // Units b, b + grid, … where x is never kept in registers (XS); contiguous ranges otherwise.
  constexpr bool CONTIG = !XS;
  constexpr int H = Tile::H, CW = CH * BITS / 32, NP = CH / 2, MMAS = CH / 4, XV = CH / 8, STEP_K = 4 * CH, NT = (NWC + 1) * 32;
  constexpr int PSIZE = KIND == KIND_AFFINE ? 2 : 1;  // bytes per group parameter
  __shared__ float red[2][NWC][32][9];
  __shared__ int scan_tmp[NWC + 1];
  __shared__ int item_count;
  __shared__ __align__(8) uint64_t full[QMLX_GB_MAX_STAGES], empty[QMLX_GB_MAX_STAGES];
  extern __shared__ __align__(128) unsigned char gb_raw[];
  unsigned char* ring = gb_raw + ((128 - (smem_addr(gb_raw) & 127)) & 127);
  const int P = (int)p.batch;
  int* const wsel = reinterpret_cast<int*>(ring + nstages * stage_bytes);
  int* const xsel = wsel + P;
  int* const item_start = wsel + 2 * P;

  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  const long long N = p.n, K = p.k;
  const int rg = NWC / kp, UR = 32 * rg;
  const long long RB = K * BITS / 8, PB = (K / group_size) * PSIZE;  // bytes per row: codes, parameters
  const long long codes_bytes = UR * RB, par_bytes = UR * PB;
  const bool has_b = KIND == KIND_AFFINE;
  const long long x_off = codes_bytes + (has_b ? 2 : 1) * par_bytes;  // XS: the x rows in a stage
  const int x_stride = (int)(K * (long long)sizeof(T)) + 16;

  if (threadIdx.x == 0) {
    for (int s = 0; s < nstages; ++s) {
      mbar_init(&full[s], 1);
      mbar_init(&empty[s], NWC);
    }
    mbar_init_fence();
  }
  const int count = gather_items<NT, 8>(p, wsel, xsel, item_start, scan_tmp, &item_count);  // ends with a block barrier

  const int row_tiles = (int)(N / UR);
  const int units = count * row_tiles;
  // Block b takes a contiguous range of units (item-major), so that consecutive units of a block
  // mostly share the item and its x rows (the consumers then keep x in registers, below).
  const int first_unit = CONTIG ? (int)((long long)blockIdx.x * units / gridDim.x) : (int)blockIdx.x;
  const int my_units = CONTIG ? (int)(((long long)blockIdx.x + 1) * units / gridDim.x) - first_unit
                              : (units > (int)blockIdx.x ? (units - (int)blockIdx.x + (int)gridDim.x - 1) / (int)gridDim.x : 0);
  using Unit = GatherUnit;
  auto unit = [&](int j) { return gather_unit_at(CONTIG ? first_unit + j : first_unit + j * (int)gridDim.x, row_tiles, UR, item_start, wsel); };

  if (warp == NWC) {
    // Producer: unit j into stage j % nstages once the consumers have released its last use.
    if (lane == 0) {
      for (int j = 0; j < my_units; ++j) {
        const int s = j % nstages;
        if (j >= nstages) mbar_wait(&empty[s], ((j / nstages) - 1) & 1);
        const Unit un = unit(j);
        unsigned char* st = ring + s * stage_bytes;
        if (un.w >= 0) {
          const long long row = (long long)un.w * N + un.n0;
          const long long x_bytes = XS ? un.cols * K * (long long)sizeof(T) : 0;
          mbar_arrive_expect_tx(&full[s], (uint32_t)(codes_bytes + (has_b ? 2 : 1) * par_bytes + x_bytes));
          bulk_copy_g2s(st, reinterpret_cast<const unsigned char*>(p.w) + row * RB, (uint32_t)codes_bytes, &full[s]);
          bulk_copy_g2s(st + codes_bytes, reinterpret_cast<const unsigned char*>(p.scales) + row * PB, (uint32_t)par_bytes, &full[s]);
          if (has_b)
            bulk_copy_g2s(st + codes_bytes + par_bytes, reinterpret_cast<const unsigned char*>(p.biases) + row * PB, (uint32_t)par_bytes, &full[s]);
          if constexpr (XS) {
            for (int c = 0; c < un.cols; ++c)
              bulk_copy_g2s(st + x_off + c * x_stride, reinterpret_cast<const T*>(p.x) + (long long)xsel[un.pos + c] * K,
                            (uint32_t)(K * sizeof(T)), &full[s]);
          }
        } else {
          mbar_arrive(&full[s]);  // a bad index: nothing to read, the rows become NaN
        }
      }
    }
    return;
  }

  // Consumers. This warp's k steps per unit (row group rgi, part kpart) and its 2·H rows' offsets
  // in a stage (the same in every unit).
  const int rgi = warp / kp, kpart = warp % kp;
  const int gshift = __ffs(group_size) - 1, ur_shift = __ffs(UR) - 1;
  const int nsteps = (int)((K + STEP_K - 1) / STEP_K);
  const int steps = nsteps > kpart ? (nsteps - kpart + kp - 1) / kp : 0;
  const int per_unit = max(steps, 1);  // a warp without a k step still releases and meets each unit
  const int total = my_units * per_unit;
  auto k_of = [&](int s) { return (long long)(kpart + s * kp) * STEP_K + t * CH; };
  int roff[H], goff[H];
#pragma unroll
  for (int h = 0; h < H; ++h) {
    const int r = 32 * rgi + g + 8 * h;
    roff[h] = (int)(r * RB);
    goff[h] = (int)(r * (K >> gshift));
  }
  // x row index of this lane's column g in unit j (−1: no such pair, or a bad item; an index, not
  // a pointer: two registers fewer, which keeps the two-block kernels under their cap of 96).
  auto x_row = [&](int j) -> int {
    if (j >= my_units) return -1;
    const Unit un = unit(j);
    return g < un.cols && un.w >= 0 ? xsel[un.pos + g] : -1;
  };

  uint4 xv[2][XV];
  auto load_x = [&](int b, int xr, int s) {
    const long long k = k_of(s);
    const bool ok = s < steps && k < K && xr >= 0;
    const uint4* src = reinterpret_cast<const uint4*>(reinterpret_cast<const T*>(p.x) + (long long)xr * K + k);
#pragma unroll
    for (int e = 0; e < XV; ++e) xv[b][e] = ok ? __ldg(src + e) : make_uint4(0, 0, 0, 0);
  };
  // One k step of the warp's two m16 row tiles (DecodeTile::compute's decode and mma with CH codes
  // per lane): A pairs of the H rows, then MMAS mma per row tile against the x pairs.
  auto compute = [&](const uint32_t (&v)[H][CW], const uint32_t (&sr)[H], const uint32_t (&br)[H], const uint4 (&xr)[XV],
                     float (&c)[2][2][1][4]) {
    uint32_t a[H][NP];
#pragma unroll
    for (int h = 0; h < H; ++h) {
      if constexpr (FP4H) {
        Dec::template codes<CW, NP>(v[h], a[h]);  // c·2^-14 (f16), byte layout
        if constexpr (KIND == KIND_MXFP4) {
          // 2^(e-127) · 2^14 as f16 (exact for e in 89..128: 2^-24 .. 2^15), from its f32 bits.
          const uint32_t e = sr[h] & 0xFFu;
          const float f = __uint_as_float((e + 14u) << 23);
          if (e - 89u <= 39u) {
            const __half2 f2 = __floats2half2_rn(f, f);
#pragma unroll
            for (int i = 0; i < NP; ++i) a[h][i] = mul_pair_packed<T>(a[h][i], *reinterpret_cast<const uint32_t*>(&f2));
          } else {
            // c · scale in f32, rounded once to f16 (as the f32 path): c = the f16 value · 2^14.
            const float s = e8m0_value(e);
#pragma unroll
            for (int i = 0; i < NP; ++i) {
              const float2 c = __half22float2(*reinterpret_cast<const __half2*>(&a[h][i]));
              const __half2 r = __floats2half2_rn(c.x * 16384.0f * s, c.y * 16384.0f * s);
              a[h][i] = *reinterpret_cast<const uint32_t*>(&r);
            }
          }
        } else {
          // E4M3 scale(s) of the chunk's group(s) as f16×2; the global factor · 2^14 comes after.
          const uint32_t f = e4m3x2_to_f16x2(GPC == 2 ? sr[h] : sr[h] * 0x101u);
#pragma unroll
          for (int i = 0; i < NP; ++i) a[h][i] = mul_pair_packed<T>(a[h][i], GPC == 2 ? prmt(f, f, i < NP / 2 ? 0x1010u : 0x3232u) : f);
        }
      } else if constexpr (KIND == KIND_MXFP4) {
        bool exact;
        const uint32_t f2 = fp4_packed_factor<T>(fp_group_scale<KIND>((uint8_t)sr[h], 0.0f), exact);
        if (exact) fp4_code_pairs_packed<T>(v[h], f2, a[h]);
        else Dec::template run<CW, NP>(v[h], sr[h], br[h], 0.0f, a[h]);
      } else if constexpr (KIND == KIND_NVFP4) {
        // c · E4M3 · 2^-7, exact in T for every byte (a NaN byte gives NaN pairs, as the f32 path);
        // the global factor · 2^7 multiplies the unit's sums (as the sm90 kernel's epilogue).
        bool exact;
        fp4_code_pairs_packed<T>(v[h], nvfp4_packed_factor<T>(fp8_value(sr[h]) * 0.0078125f, exact), a[h]);
      } else {
        Dec::template run<CW, NP>(v[h], sr[h], br[h], 0.0f, a[h]);
      }
    }
    const uint32_t* X = reinterpret_cast<const uint32_t*>(&xr[0]);
#pragma unroll
    for (int j = 0; j < MMAS; ++j) {
      uint32_t x0, x1;
      if constexpr (FP4H) {
        x0 = gb_x_pair<Dec>(X, 2 * j);
        x1 = gb_x_pair<Dec>(X, 2 * j + 1);
      } else {
        Dec::x_pairs(X, j, x0, x1);
      }
#pragma unroll
      for (int rt = 0; rt < 2; ++rt)  // tile rt: rows g + 16·rt (a0, a2) and g + 16·rt + 8 (a1, a3)
        mma_16816(c[j & 1][rt][0], a[2 * rt][2 * j], a[2 * rt + 1][2 * j], a[2 * rt][2 * j + 1], a[2 * rt + 1][2 * j + 1], x0, x1, Tile::BF);
    }
  };

  float acc[2][2][1][4];
  Tile::zero(acc);
  int j = 0, s = 0, stg = 0;  // unit and step of i, the unit's stage and its phase parity
  uint32_t par = 0;
  int x_cols = 0;  // XS: x rows of the unit in the stage (0 for a bad item: nothing was copied)
  bool x_kept = false;
  int x_cur = XS ? -1 : x_row(0);
  int x_next = XS ? -1 : x_row(1);
  if constexpr (!XS) load_x(0, x_cur, 0);
  // Two steps per round, so that the x double buffer is indexed at compile time.
  for (int i0 = 0; i0 < total; i0 += 2) {
#pragma unroll
    for (int b = 0; b < 2; ++b) {
      if (i0 + b < total) {
        const unsigned char* st = ring + stg * stage_bytes;
        if (s == 0) {
          mbar_wait(&full[stg], par);
          const Unit un = unit(j);
          if constexpr (XS) x_cols = un.w >= 0 ? un.cols : 0;
        }
        const bool last = s + 1 == per_unit;
        if constexpr (!XS) {
          // Two steps per unit: buffer b always holds step b, so where the next unit's x row for
          // this lane is the one already there (same item: a block's units are contiguous), the
          // load is skipped (H100 stage 19 ncu, gate+up: 2.3 cycles of long scoreboard per issued
          // instruction, x re-read from L2 for every 32-row unit).
          const bool held = per_unit == 2 && (last ? x_next == x_cur : x_kept);
          if (!held) load_x(b ^ 1, last ? x_next : x_cur, last ? 0 : s + 1);
          if (last) x_kept = held;  // buffer 1 (step 1 of this unit) serves the next unit too
        }
        const long long k = k_of(s);
        if (s < steps && k < K) {
          uint32_t v[H][CW], sr[H], br[H];
          const int kb = (int)(k * BITS / 8), kg = (int)(k >> gshift);
#pragma unroll
          for (int h = 0; h < H; ++h) {
            qb_words<CW>(reinterpret_cast<const uint32_t*>(st + roff[h] + kb), v[h]);
            if (KIND == KIND_AFFINE) {
              sr[h] = reinterpret_cast<const unsigned short*>(st + codes_bytes)[goff[h] + kg];
              br[h] = reinterpret_cast<const unsigned short*>(st + codes_bytes + par_bytes)[goff[h] + kg];
            } else if constexpr (GPC == 2) {
              sr[h] = reinterpret_cast<const unsigned short*>(st + codes_bytes + goff[h] + kg)[0];  // the chunk's two scale bytes
              br[h] = 0u;
            } else {
              sr[h] = (st + codes_bytes)[goff[h] + kg];
              br[h] = 0u;
            }
          }
          if constexpr (XS) {
            // Column g's x of this step from the stage (zeros past the item's rows: those columns
            // are not stored, and the stage holds no x there).
            const uint4* xs = reinterpret_cast<const uint4*>(st + x_off + g * x_stride + k * (long long)sizeof(T));
#pragma unroll
            for (int e = 0; e < XV; ++e) xv[b][e] = g < x_cols ? xs[e] : make_uint4(0, 0, 0, 0);
          }
          compute(v, sr, br, xv[b], acc);
        }
        if (last) {
          // The unit's last step: release the stage, then add the kp parts of each row group.
          __syncwarp();
          if (lane == 0) mbar_arrive(&empty[stg]);
          Tile::stage(red[j & 1][warp], acc, g, t);
          Tile::zero(acc);
          asm volatile("bar.sync 1, %0;" ::"r"(NWC * 32) : "memory");
          const Unit un = unit(j);
          T* out = reinterpret_cast<T*>(p.out) + (long long)un.pos * N + un.n0;
          // nvfp4: the global factor (g / 2688, as the other kernels round it) times the 2^7 (FP4H:
          // 2^14) taken out of the decoded codes.
          const float gout = KIND == KIND_NVFP4 ? (un.w >= 0 && p.global_scale ? __fdiv_rn(__ldg(p.global_scale + un.w), 2688.0f) : 1.0f) * (FP4H ? 16384.0f : 128.0f) : 1.0f;
          for (int e = threadIdx.x; e < (un.cols << ur_shift); e += NWC * 32) {
            const int c = e >> ur_shift, r = e & (UR - 1), q0 = (r >> 5) * kp;
            float v = 0.0f;
            for (int q = 0; q < kp; ++q) v += red[j & 1][q0 + q][r & 31][c];
            out[(long long)c * N + r] = from_f32<T>(un.w >= 0 ? (KIND == KIND_NVFP4 ? v * gout : v) : __uint_as_float(0x7FC00000u));
          }
          s = 0;
          ++j;
          if constexpr (!XS) {
            x_cur = x_next;
            x_next = x_row(j + 1);
          }
          if (++stg == nstages) {
            stg = 0;
            par ^= 1u;
          }
        } else {
          ++s;
        }
      }
    }
  }
#endif
}

// qmmgb8_<format>_<dtype>: 8 consumer warps + one producer warp, one block per SM; qmmgb8m2_…:
// the same with two blocks per SM (registers capped at 112, half the ring each): twice the warps
// to hide the decode's latency (H100 stage 17 ncu: 8.9 warps per SM issue 37 % of cycles).
// qmmgbh8_… / qmmgbh8m2_…: half-chunk k steps (4-bit affine and mxfp4 only: whole words per lane).
#define QMLX_GATHER_BULK_ENTRIES(NAME, FN, KIND, BITS, TN, T, CH, XS)                                                        \
  extern "C" __global__ void __launch_bounds__(9 * 32, 1)                                                              \
      NAME##8_##FN##_##TN(const MatmulParams p, int gs, int kp, int nstages, int stage_bytes) {                         \
    qmm_gather_bulk_impl<KIND, BITS, T, 8, CH, XS>(p, gs, kp, nstages, stage_bytes);                                      \
  }                                                                                                                    \
  extern "C" __global__ void __launch_bounds__(9 * 32, 2)                                                              \
      NAME##8m2_##FN##_##TN(const MatmulParams p, int gs, int kp, int nstages, int stage_bytes) {                       \
    qmm_gather_bulk_impl<KIND, BITS, T, 8, CH, XS>(p, gs, kp, nstages, stage_bytes);                                      \
  }
#define QMLX_GATHER_BULK_KERNEL(FN, KIND, BITS, TN, T) QMLX_GATHER_BULK_ENTRIES(qmmgb, FN, KIND, BITS, TN, T, (Fmt<KIND, BITS>::chunk), false)
// The 4-bit affine / mxfp4 extras: half-chunk steps (qmmgbh), x in the stage (qmmgbx, qmmgbhx).
#define QMLX_GATHER_BULK_HALF_KERNEL(FN, KIND, BITS, TN, T)                                     \
  QMLX_GATHER_BULK_ENTRIES(qmmgbh, FN, KIND, BITS, TN, T, (Fmt<KIND, BITS>::chunk / 2), false) \
  QMLX_GATHER_BULK_ENTRIES(qmmgbx, FN, KIND, BITS, TN, T, (Fmt<KIND, BITS>::chunk), true)      \
  QMLX_GATHER_BULK_ENTRIES(qmmgbhx, FN, KIND, BITS, TN, T, (Fmt<KIND, BITS>::chunk / 2), true)
// nvfp4 with f16 x: 32-code chunks of two groups (qmmgbd, qmmgbdx: whole 128-code steps; the format's
// 16-code chunks, qmmgb above, are their half steps) and x in the stage with 16-code chunks (qmmgbx).
#define QMLX_GATHER_BULK_NVFP4_F16_KERNEL()                                           \
  QMLX_GATHER_BULK_ENTRIES(qmmgbd, nvfp4, KIND_NVFP4, 4, f16, __half, 32, false) \
  QMLX_GATHER_BULK_ENTRIES(qmmgbdx, nvfp4, KIND_NVFP4, 4, f16, __half, 32, true) \
  QMLX_GATHER_BULK_ENTRIES(qmmgbx, nvfp4, KIND_NVFP4, 4, f16, __half, 16, true)
