// Hopper (sm_90a) quantized matmul for prefill (transpose=True, f16/bf16, M > 16): the analog of
// MLX's "NAX" matrix-engine kernels. Built only for sm_90a (build.rs compiles this file alone for
// it); src/sm90.rs launches it.
//
// A block computes yᵀ for 128 weight rows × BT tokens (BT = 256 or 128) as Ŵ_tile · x_tileᵀ with
// wgmma: the dequantized weights are the A operand straight from registers (no shared-memory round
// trip), x the B operand from 128-byte-swizzled shared memory. Warp-specialized, 3 warpgroups:
//   warpgroup 0 (producer): warp 0 issues the TMA copies of the x tile (BT × 64, swizzled) and the
//     packed weight tile (128 rows × 64 codes; odd widths: 128 codes every second stage, see
//     Sm90Layout) into a ring of 4-5 (BT = 256) or 7-8 (BT = 128) shared-memory stages
//     guarded by mbarriers; warp 1 (affine; fp formats: warps 1-3 in turn) writes the tile's group parameters, 8 bytes per
//     (row, 16-wide K step): affine with a packed decode (f16 1-8 bits, bf16 1-8): the raw
//     T scale and bias each doubled into T×2 (affine8·bf16: the scale ·2^6); mxfp4, nvfp4 and mxfp8·f16: the packed factor and the
//     f32 scale, plus a per-stage flag (every factor exact); otherwise f32 pairs (affine: s·2^BITS,
//     bias − s·2^BITS; fp: the decoded scale, 0). nvfp4's scales are E4M3 · 2^-7 (exact products in
//     T); its global factor · 2^7 multiplies the f32 accumulators in the epilogue.
//   warpgroups 1, 2 (consumers): 64 weight rows each; per 16-wide K step a lane dequantizes its
//     A fragment and issues wgmma m64nBTk16: in packed 16-bit arithmetic where it is exact
//     (quant.cuh: affine_pair_packed, fp4_pair_packed or fp8_pair_packed /
//     mul_pair_packed, ~3-5 instructions per code pair), else in f32 (code_pair_bits / dequant_pair). The next
//     tile is dequantized while the current tile's wgmmas run (wait_group 1).
// Tails: TMA zero-fills x rows and weight rows past the tensor; rows/tokens past N/M of this
// matrix are computed and never stored. K must be a multiple of 64 (odd bit widths: 128): a TMA
// box row must be a multiple of 16 bytes, and 64 codes are 8·BITS bytes.
#include "quant.cuh"
#include "tma.cuh"  // TmaMap, tma_load_2d, smem_addr, mbar_* (sm_90+)

#define SM90_BW 128      // weight rows per block (2 consumer warpgroups × 64)
#define SM90_BK 64       // K per stage
#define SM90_SMEM_STAGES_MAX (220 * 1024)  // shared memory for the stage ring (of 227 KB per block)
#define SM90_THREADS 384

// Tiles are numbered by block (the whole-tile kernels' (x, y, z) grid, x fastest); tile numbers
// map to (row tile, token tile, pair) in groups of group_rows row tiles: inside a matrix pair, a
// group's row tiles fastest, then its token tiles, then the next group (sm90_tile_coords). The
// whole-tile kernels leave tiles numbered first_split and up to the _split kernels, launched after
// them as 2-block clusters on a 1-D grid: block b computes one K half of tile first_split + b / 2,
// rank 1 adding its accumulators into rank 0's through distributed shared memory.
struct Sm90Grid {
  int row_tiles, tok_tiles, first_split, group_rows;
};

// Tile number → first weight row, first token, matrix pair. Row tile fastest over all rows (one
// group) re-reads every weight tile once per token tile from DRAM when the weights exceed the L2
// (28672×4096: 58-117 MB, 4-16 token tiles); in groups of group_rows row tiles a wave's blocks
// share their weight tiles across token tiles while x stays in L2 (prefill stage 15).
// u: the tile's number within its matrix pair (32-bit: the host caps the tile count at 2^30).
template <int BT>
__device__ __forceinline__ void sm90_tile_coords(int u, const Sm90Grid& g, long long& n0, long long& m0) {
  const int span = g.group_rows * g.tok_tiles;  // tiles per whole group (group_rows ≤ row_tiles)
  const int grp = u / span, v = u - grp * span;
  const int rows = min(g.group_rows, g.row_tiles - grp * g.group_rows);  // the last group may be short
  n0 = (long long)(grp * g.group_rows + v % rows) * SM90_BW;
  m0 = (long long)(v / rows) * BT;
}


// Shared-memory layout of one launch (offsets from a 1024-byte aligned base).
template <int BITS, int BT> struct Sm90Layout {
  // Odd widths: 64 codes are 8·BITS bytes, not a whole number of 16-byte TMA units, so even K
  // tiles copy the weights of two K tiles (16·BITS bytes per row) and odd K tiles read the second
  // half from the previous stage, which their consumers still hold (each warp releases it only
  // after this tile's A fragments are loaded).
  static constexpr bool PAIRED = BITS % 2 == 1;
  static constexpr int X_STAGE = BT * SM90_BK * 2;                  // swizzled x tile
  static constexpr int W_WORDS = SM90_BK * BITS / 32;               // packed words per weight row and K tile
  static constexpr int W_ROW = PAIRED ? 2 * W_WORDS : W_WORDS;      // words per row of a stage's weight copy
  static constexpr int W_STAGE = SM90_BW * W_ROW * 4;
  static constexpr int P_STAGE = 4 * SM90_BW * 8;                   // float2 per (16-wide K step, row)
  // As many stages as fit (4-5 for 256 tokens, 7-8 for 128); src/sm90.rs computes the same.
  static constexpr int STAGES_FIT = SM90_SMEM_STAGES_MAX / (X_STAGE + W_STAGE + P_STAGE);
  static constexpr int STAGES = STAGES_FIT < 8 ? STAGES_FIT : 8;
  static constexpr int X_OFF = 0;
  static constexpr int W_OFF = X_OFF + STAGES * X_STAGE;
  static constexpr int P_OFF = W_OFF + STAGES * W_STAGE;
  static constexpr int BAR_OFF = P_OFF + STAGES * P_STAGE;
  static constexpr int FLAG_OFF = BAR_OFF + 2 * STAGES * 8;          // per stage: mxfp4 tile takes the packed path
  static constexpr int BYTES = FLAG_OFF + STAGES * 4;
  // The block's tile (row tile, token tile, pair), written by thread 0 (sm90_tile_coords).
  static constexpr int COORD_OFF = (BYTES + 7) / 8 * 8;
  // fp formats only (src/sm90.rs adds it for them): the parameter warps' table of a scale byte's
  // (packed factor, f32 scale), 256 × 8 bytes.
  static constexpr int TAB_OFF = COORD_OFF + 16;
  static constexpr int TAB_BYTES = 256 * 8;
  static constexpr int OUT_LD = SM90_BW + 8;                        // epilogue staging row (T elements)
  static_assert(BT * OUT_LD * 2 <= STAGES * X_STAGE, "epilogue staging fits in the x stages");
  static_assert(STAGES >= 3, "at least 3 stages (the ring's depth hides the parameter loads)");
};

// Swizzle of the packed weight tile (src/sm90.rs picks the same TMA mode). A warp reads one
// 16-byte chunk of 8 consecutive rows per LDS.128 (4 lanes share a row). Unswizzled, 64-byte rows
// (8-bit) put rows r, r+2, r+4, r+6 on the same banks (4-way conflict); TMA's 64B swizzle XORs
// the chunk index (address bits 4-5) with address bits 7-8 = row bits 1-2, so the 8 rows' chunks
// cover all 32 banks (prefill stage 6, H200: affine8 f16 +3-14 %). 32-byte rows (4-bit) are 2-way:
// the 32B swizzle cost more address arithmetic than it saved, so they stay unswizzled; 16- and
// 48-byte rows are conflict-free, and odd widths read 8-byte pieces of 16·BITS-byte rows (the 8
// rows' pieces fall on distinct banks for BITS = 1, 3, 5).
// Only the packed 8-bit decodes (affine8 f16/bf16 and mxfp8 f16, where the conflicts were measured
// to matter for affine8 f16): the f32 decode path (mxfp8 bf16) measured 0.95-1.00x with it.
template <int KIND, int BITS, typename T> __device__ __forceinline__ int sm90_weight_chunk_xor(int row) {
  if constexpr (BITS == 8 && (KIND == KIND_AFFINE || (KIND == KIND_MXFP8 && std::is_same<T, __half>::value))) return (row >> 1) & 3;
  else return 0;
}

template <int BT, typename T> struct Wgmma;

#if defined(__CUDA_ARCH__) && defined(__CUDA_ARCH_FEAT_SM90_ALL)
#define QMLX_SM90A 1
#endif

#ifdef QMLX_SM90A
__device__ __forceinline__ void wgmma_fence() { asm volatile("wgmma.fence.sync.aligned;" ::: "memory"); }
__device__ __forceinline__ void wgmma_commit() { asm volatile("wgmma.commit_group.sync.aligned;" ::: "memory"); }
template <int N> __device__ __forceinline__ void wgmma_wait() {
  asm volatile("wgmma.wait_group.sync.aligned %0;" ::"n"(N) : "memory");
}
// Shared-memory matrix descriptor of a K-major operand in the 128-byte swizzle layout that TMA
// writes: rows of 128 bytes, 8-row atoms 1024 bytes apart (stride byte offset), leading byte
// offset unused by this layout (1), swizzle mode 1 = 128 B in bits 62-63.
__device__ __forceinline__ uint64_t sw128_desc(uint32_t addr) {
  return (uint64_t)((addr & 0x3FFFF) >> 4) | ((uint64_t)1 << 16) | ((uint64_t)(1024 >> 4) << 32) | ((uint64_t)1 << 62);
}

#ifdef QMLX_SM90A
// wgmma m64n256k16 for T = f16 or bf16 (TS, the PTX type suffix): f32 += T·T, A = 4 registers per
// lane, B = K-major shared-memory descriptor, scale-d = 1 (accumulate).
#define QMLX_WGMMA_256(T, TS) \
  template <> struct Wgmma<256, T> { \
    static __device__ __forceinline__ void mma(float (&d)[128], const uint32_t (&a)[4], uint64_t desc) { \
      asm volatile( \
  "{\n.reg .pred p;\nsetp.ne.b32 p, %133, 0;\n" \
  "wgmma.mma_async.sync.aligned.m64n256k16.f32." TS "." TS " " \
  "{" \
  "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15," \
  "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31," \
  "%32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47," \
  "%48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63," \
  "%64, %65, %66, %67, %68, %69, %70, %71, %72, %73, %74, %75, %76, %77, %78, %79," \
  "%80, %81, %82, %83, %84, %85, %86, %87, %88, %89, %90, %91, %92, %93, %94, %95," \
  "%96, %97, %98, %99, %100, %101, %102, %103, %104, %105, %106, %107, %108, %109, %110, %111," \
  "%112, %113, %114, %115, %116, %117, %118, %119, %120, %121, %122, %123, %124, %125, %126, %127" \
  "}, {%128, %129, %130, %131}, %132, p, 1, 1, 0;\n}\n" \
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), \
      "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), \
      "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), \
      "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]), \
      "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]), \
      "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]), \
      "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]), \
      "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63]), \
      "+f"(d[64]), "+f"(d[65]), "+f"(d[66]), "+f"(d[67]), "+f"(d[68]), "+f"(d[69]), "+f"(d[70]), "+f"(d[71]), \
      "+f"(d[72]), "+f"(d[73]), "+f"(d[74]), "+f"(d[75]), "+f"(d[76]), "+f"(d[77]), "+f"(d[78]), "+f"(d[79]), \
      "+f"(d[80]), "+f"(d[81]), "+f"(d[82]), "+f"(d[83]), "+f"(d[84]), "+f"(d[85]), "+f"(d[86]), "+f"(d[87]), \
      "+f"(d[88]), "+f"(d[89]), "+f"(d[90]), "+f"(d[91]), "+f"(d[92]), "+f"(d[93]), "+f"(d[94]), "+f"(d[95]), \
      "+f"(d[96]), "+f"(d[97]), "+f"(d[98]), "+f"(d[99]), "+f"(d[100]), "+f"(d[101]), "+f"(d[102]), "+f"(d[103]), \
      "+f"(d[104]), "+f"(d[105]), "+f"(d[106]), "+f"(d[107]), "+f"(d[108]), "+f"(d[109]), "+f"(d[110]), "+f"(d[111]), \
      "+f"(d[112]), "+f"(d[113]), "+f"(d[114]), "+f"(d[115]), "+f"(d[116]), "+f"(d[117]), "+f"(d[118]), "+f"(d[119]), \
      "+f"(d[120]), "+f"(d[121]), "+f"(d[122]), "+f"(d[123]), "+f"(d[124]), "+f"(d[125]), "+f"(d[126]), "+f"(d[127]) \
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(desc), "r"(1)); \
    } \
  };
// wgmma m64n128k16 for T = f16 or bf16 (TS, the PTX type suffix): f32 += T·T, A = 4 registers per
// lane, B = K-major shared-memory descriptor, scale-d = 1 (accumulate).
#define QMLX_WGMMA_128(T, TS) \
  template <> struct Wgmma<128, T> { \
    static __device__ __forceinline__ void mma(float (&d)[64], const uint32_t (&a)[4], uint64_t desc) { \
      asm volatile( \
  "{\n.reg .pred p;\nsetp.ne.b32 p, %69, 0;\n" \
  "wgmma.mma_async.sync.aligned.m64n128k16.f32." TS "." TS " " \
  "{" \
  "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15," \
  "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31," \
  "%32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47," \
  "%48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63" \
  "}, {%64, %65, %66, %67}, %68, p, 1, 1, 0;\n}\n" \
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), \
      "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), \
      "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), \
      "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]), \
      "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]), \
      "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]), \
      "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]), \
      "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63]) \
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(desc), "r"(1)); \
    } \
  };
QMLX_WGMMA_256(__half, "f16")
QMLX_WGMMA_256(__nv_bfloat16, "bf16")
QMLX_WGMMA_128(__half, "f16")
QMLX_WGMMA_128(__nv_bfloat16, "bf16")
#undef QMLX_WGMMA_256
#undef QMLX_WGMMA_128
#endif

#ifdef QMLX_SM90A
// mbarrier operations on a shared address held in a register (the consumer loop's barrier
// addresses are base + stage · 8, computed without converting a generic pointer each time).
__device__ __forceinline__ void mbar_arrive_at(uint32_t addr) {
  asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];" ::"r"(addr) : "memory");
}
// Non-blocking test: 1 when the phase with this parity has completed (acquire, as the wait).
__device__ __forceinline__ uint32_t mbar_test_at(uint32_t addr, uint32_t parity) {
  uint32_t r;
  asm volatile("{\n.reg .pred p;\nmbarrier.test_wait.parity.shared::cta.b64 p, [%1], %2;\nselp.u32 %0, 1, 0, p;\n}\n"
               : "=r"(r) : "r"(addr), "r"(parity) : "memory");
  return r;
}
__device__ __forceinline__ void mbar_wait_at(uint32_t addr, uint32_t parity) {
  asm volatile(
      "{\n.reg .pred done;\nWAIT:\n"
      "mbarrier.try_wait.parity.shared::cta.b64 done, [%0], %1;\n"
      "@!done bra WAIT;\n}\n" ::"r"(addr),
      "r"(parity)
      : "memory");
}
#endif

// The f32 group parameters of one 16-wide K step for one weight row (see the header comment), from
// the raw stored scale (T bits or a code byte) and bias (T bits).
template <typename T> __device__ __forceinline__ float bits_to_f32(uint32_t v);
template <> __device__ __forceinline__ float bits_to_f32<__half>(uint32_t v) { return __half2float(__ushort_as_half((unsigned short)v)); }
template <> __device__ __forceinline__ float bits_to_f32<__nv_bfloat16>(uint32_t v) { return __uint_as_float(v << 16); }
template <int KIND, int BITS, typename T>
__device__ __forceinline__ float2 sm90_group_params(uint32_t sraw, uint32_t braw, float gfactor) {
  if constexpr (KIND == KIND_AFFINE) {
    const float su = bits_to_f32<T>(sraw) * (float)(1 << BITS);
    return make_float2(su, bits_to_f32<T>(braw) - su);
  } else {
    return make_float2(fp_group_scale<KIND>((uint8_t)sraw, gfactor), 0.0f);
  }
}

// SPLIT: a compile-time parameter so that the whole-tile kernels keep the loop code they had
// before the split tail existed (as a run-time flag it cost ~12 % more instructions in the
// consumer loop and measured 2-4 % slower on whole-tile launches, prefill stage 8).
template <int KIND, int BITS, typename T, int BT, bool SPLIT>
__device__ __forceinline__ void qmm_sm90_impl(const TmaMap& xmap, const TmaMap& wmap, const MatmulParams& p, int gs, const Sm90Grid& grid) {
  using L = Sm90Layout<BITS, BT>;
  constexpr int NACC = BT / 2;
  constexpr bool PACKED = KIND == KIND_AFFINE && PackedAffine<BITS, T>::packed;
  // affine8·bf16: codes read as bf16 bits (quant.cuh affine8_bf16_pair_packed, 4 instructions a pair
  // instead of sign_split's 5); its parameter words carry the scale ·2^6.
  constexpr bool AFFINE8_BF16 = PACKED && BITS == 8 && std::is_same<T, __nv_bfloat16>::value;
  constexpr bool PACKED_FP4 = KIND == KIND_MXFP4 || KIND == KIND_NVFP4;
  constexpr bool PACKED_FP8 = KIND == KIND_MXFP8 && PackedFp8<T>::ok;
  constexpr bool PACKED_FP = PACKED_FP4 || PACKED_FP8;  // packed path when the tile's flag says exact
  extern __shared__ __align__(1024) unsigned char smem_raw[];
  // Offset from the shared array itself (not through an integer cast) so that the compiler keeps
  // the shared state space: LDS rather than generic loads in the consumer loop.
  unsigned char* smem = smem_raw + ((1024u - (smem_addr(smem_raw) & 1023u)) & 1023u);
  uint64_t* full = reinterpret_cast<uint64_t*>(smem + L::BAR_OFF);
  uint64_t* empty = full + L::STAGES;
  const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31, wg = warp >> 2;
  const long long M = p.m, N = p.n, K = p.k;
  constexpr bool split = SPLIT;
  if constexpr (!split) {
    if (((long long)blockIdx.z * gridDim.y + blockIdx.y) * gridDim.x + blockIdx.x >= grid.first_split) return;
  }
  // The tile's coordinates go through shared memory, computed by thread 0 only: computed by every
  // thread they changed ptxas's order in the consumer loops of kernels whose order they do not
  // change (affine5/6/8·f16 3-4 % slower on the 4096-row shapes, prefill stage 15); the epilogue
  // reads them again, so nothing of them is live across the loop (as main's blockIdx).
  int* coords = reinterpret_cast<int*>(smem + L::COORD_OFF);
  // This block's K tiles: [kt0, kt0 + nk). A split's halves meet at an even K tile (odd widths
  // copy K tiles in pairs); the host splits only K of at least 16 tiles.
  const int ktiles = (int)(K / SM90_BK);
  const int krank = split ? (int)(blockIdx.x & 1) : 0;  // = the cluster rank (cluster of 2 along x)
  const int khalf = ((ktiles / 2) + 1) & ~1;
  const int kt0 = krank ? khalf : 0, nk = split ? (krank ? ktiles - khalf : khalf) : ktiles;

  if (tid == 0) {
    int tile, pr;
    if constexpr (split) {
      const int per = grid.row_tiles * grid.tok_tiles;
      tile = grid.first_split + (int)(blockIdx.x >> 1);
      pr = tile / per;
      tile -= pr * per;
    } else {
      tile = (int)(blockIdx.y * gridDim.x + blockIdx.x);
      pr = blockIdx.z;
    }
    long long cn, cm;
    sm90_tile_coords<BT>(tile, grid, cn, cm);
    coords[0] = (int)(cn / SM90_BW); coords[1] = (int)(cm / BT); coords[2] = pr;
    for (int s = 0; s < L::STAGES; ++s) {
      mbar_init(&full[s], 1 + 32);  // the TMA thread's expect_tx + one parameter warp
      mbar_init(&empty[s], 8);      // one arrival per consumer warp
    }
    asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
  }
  __syncthreads();
  const long long n0 = (long long)coords[0] * SM90_BW, m0 = (long long)coords[1] * BT, pair = coords[2];
  T* out = reinterpret_cast<T*>(p.out) + pair * M * N;

  long long xi, wi;
  if (!resolve_pair(p.map, pair, p.status, p.host_status, xi, wi)) {
    for (int i = tid; i < BT * SM90_BW; i += SM90_THREADS) {
      long long r = m0 + i / SM90_BW, c = n0 + i % SM90_BW;
      if (r < M && c < N) out[r * N + c] = from_f32<T>(__uint_as_float(0x7FC00000u));
    }
    return;
  }

  if (wg == 0) {
    // ---- producer warpgroup ----
    asm volatile("setmaxnreg.dec.sync.aligned.u32 56;\n" ::: "memory");
    if (warp == 0) {
      if (lane == 0) {
        const int xrow = (int)(xi * M + m0), wrow = (int)(wi * N + n0);
        for (int i = 0; i < nk; ++i) {  // ring slot i, K tile t
          const int t = kt0 + i, s = i % L::STAGES;
          const bool wcopy = !L::PAIRED || (i & 1) == 0;
          if (i >= L::STAGES) mbar_wait(&empty[s], ((i / L::STAGES) - 1) & 1);
          mbar_arrive_expect_tx(&full[s], L::X_STAGE + (wcopy ? L::W_STAGE : 0));
          tma_load_2d(smem + L::X_OFF + s * L::X_STAGE, &xmap, t * SM90_BK, xrow, &full[s]);
          if (wcopy) tma_load_2d(smem + L::W_OFF + s * L::W_STAGE, &wmap, (L::PAIRED ? t / 2 : t) * L::W_ROW, wrow, &full[s]);
        }
      }
    } else if (KIND != KIND_AFFINE) {
      // fp formats: warps 1-3 take turns, tile t's group parameters written by warp 1 + t % 3 (one
      // warp for every tile, as affine, measured 5-23 % slower for fp: prefill stage 12). A group's
      // (packed factor, f32 scale) depends only on its scale byte (nvfp4's global factor is applied
      // in the epilogue), so the three warps first fill a 256-entry table of it in shared memory
      // and a (row, group) is then one LDS.64 instead of the scale's decode and the factor's
      // conversion (prefill stage 13). Group sizes are fixed per format (QuantSpec: mx 32, nvfp4
      // 16), so a tile's groups per row are a constant and a row's scale bytes of a tile lie
      // together at a multiple of their count (K is a multiple of 64).
      constexpr int RPL = SM90_BW / 32;
      constexpr int FP_GS = KIND == KIND_NVFP4 ? 16 : 32;
      constexpr int GPT = SM90_BK / FP_GS;  // groups per row and K tile: 2 (mx) or 4 (nvfp4)
      constexpr int SPG = 4 / GPT;          // 16-wide K steps per group
      // nvfp4: E4M3 · 2^-7, exact (the global factor is applied in the epilogue).
      const float gfactor = KIND == KIND_NVFP4 ? 0.0078125f : 0.0f;
      uint2* tab = reinterpret_cast<uint2*>(smem + L::TAB_OFF);
      for (int b = tid - 32; b < 256; b += 96) {
        const float sc = fp_group_scale<KIND>((uint8_t)b, gfactor);
        uint32_t f2 = 0u;  // mxfp8·bf16 takes the f32 path only
        if constexpr (PACKED_FP) {
          bool ok;
          f2 = KIND == KIND_NVFP4   ? nvfp4_packed_factor<T>(sc, ok)
               : KIND == KIND_MXFP4 ? fp4_packed_factor<T>(sc, ok)
                                    : fp8_packed_factor(sc, ok);
          // Not exact: all ones (a NaN pair, never an exact factor), so a tile's flag is one max.
          if (!ok) f2 = 0xFFFFFFFFu;
        }
        tab[b] = make_uint2(f2, __float_as_uint(sc));
      }
      asm volatile("bar.sync 2, 96;" ::: "memory");  // warps 1-3: the table is written
      const long long gpr = K / FP_GS;
      const bool word = reinterpret_cast<uintptr_t>(p.scales) % GPT == 0;  // one load per row and tile
      const unsigned char* rows[RPL];
#pragma unroll
      for (int r = 0; r < RPL; ++r)  // rows past N: any finite parameters
        rows[r] = reinterpret_cast<const unsigned char*>(p.scales) + (wi * N + min(n0 + lane + 32 * r, N - 1)) * gpr;
      // The tile loop once per load width (a uniform branch outside it: inside, ptxas predicated
      // both widths' loads, which still take issue slots).
      auto tiles = [&](auto word_c) {
        constexpr bool WORD = decltype(word_c)::value;
        for (int i = warp - 1; i < nk; i += 3) {  // ring slot i, K tile t
          const int t = kt0 + i, s = i % L::STAGES;
          uint32_t sb[RPL];  // a row's GPT scale bytes of tile t, group g in byte g
#pragma unroll
          for (int r = 0; r < RPL; ++r) {
            const unsigned char* src = rows[r] + (long long)t * GPT;
            if constexpr (WORD) {
              sb[r] = GPT == 4 ? __ldg(reinterpret_cast<const unsigned int*>(src)) : __ldg(reinterpret_cast<const unsigned short*>(src));
            } else {
              uint32_t v = 0u;
#pragma unroll
              for (int g = 0; g < GPT; ++g) v |= (uint32_t)__ldg(src + g) << (8 * g);
              sb[r] = v;
            }
          }
          if (i >= L::STAGES) mbar_wait(&empty[s], ((i / L::STAGES) - 1) & 1);
          uint2* ps = reinterpret_cast<uint2*>(smem + L::P_OFF + s * L::P_STAGE);
          uint32_t fmax = 0u;
#pragma unroll
          for (int r = 0; r < RPL; ++r)
#pragma unroll
            for (int g = 0; g < GPT; ++g) {
              const uint2 e = tab[__byte_perm(sb[r], 0u, 0x4440u | g)];  // byte g (PRMT; the address one LEA)
              fmax = max(fmax, e.x);
#pragma unroll
              for (int kk = g * SPG; kk < (g + 1) * SPG; ++kk)
                ps[kk * SM90_BW + lane + 32 * r] = PACKED_FP ? e : make_uint2(e.y, 0u);  // else (scale, 0) as f32
            }
          if constexpr (PACKED_FP) {
            // The tile takes the packed path only if every factor is exact.
            const uint32_t m = __reduce_max_sync(0xFFFFFFFFu, fmax);
            if (lane == 0) reinterpret_cast<uint32_t*>(smem + L::FLAG_OFF)[s] = m != 0xFFFFFFFFu ? 1u : 0u;
          }
          mbar_arrive(&full[s]);
        }
      };
      if (word) tiles(std::true_type());
      else tiles(std::false_type());
    } else if (warp == 1) {
      // Affine: one parameter warp writes every tile's group parameters (prefill stage 12; before,
      // warps 1-3 took turns with 2-byte loads and a run-time division by gs per row and K step:
      // ~352 SASS instructions per K tile on the consumers' schedulers, one tile of loads in flight
      // per warp; now ~95, affine +4-18 %). A lane owns rows lane + 32·i and loads a row's
      // parameters four groups at a time (a "quad": one 8-byte load of scales and one of biases)
      // when a tile starts a new quad, every gs/16 ≥ 2 K tiles; the ring's depth covers that load
      // (the warp runs up to STAGES tiles ahead of the consumers). A K step's value is a uniform
      // SEL + PRMT (which also doubles it into the T×2 word of the packed path); gs is a power of
      // two of at least 16, so a tile's group is a shift and its K steps lie in one quad.
      // Prefetching the next quad (16 more registers) made ptxas spill: the producer warpgroup
      // runs within the 56 registers of its setmaxnreg.dec.
      constexpr int RPL = SM90_BW / 32;
      using Quad = uint2;
      const int gpr = (int)(K / gs), lg = __ffs(gs) - 1;
      // Whole-quad loads need quads inside a row (gpr % 4) and 8-byte aligned arrays; else 4
      // element loads per quad, the group index clamped to the row.
      const bool vec = gpr % 4 == 0 && reinterpret_cast<uintptr_t>(p.scales) % 8 == 0 &&
                       reinterpret_cast<uintptr_t>(p.biases) % 8 == 0;
      const long long row0 = wi * N;
      auto load_quad = [&](int q, Quad (&sq)[RPL], Quad (&bq)[RPL]) {
#pragma unroll
        for (int i = 0; i < RPL; ++i) {
          const long long e = (row0 + min(n0 + lane + 32 * i, N - 1)) * gpr;  // rows past N: any finite parameters
          const unsigned short* sp = reinterpret_cast<const unsigned short*>(p.scales) + e;
          const unsigned short* bp = reinterpret_cast<const unsigned short*>(p.biases) + e;
          if (vec) {
            sq[i] = __ldg(reinterpret_cast<const uint2*>(sp + 4 * q));
            bq[i] = __ldg(reinterpret_cast<const uint2*>(bp + 4 * q));
          } else {
            uint32_t sv[4], bv[4];
#pragma unroll
            for (int c = 0; c < 4; ++c) {
              const int g = min(4 * q + c, gpr - 1);
              sv[c] = __ldg(sp + g);
              bv[c] = __ldg(bp + g);
            }
            sq[i] = make_uint2(sv[0] | (sv[1] << 16), sv[2] | (sv[3] << 16));
            bq[i] = make_uint2(bv[0] | (bv[1] << 16), bv[2] | (bv[3] << 16));
          }
        }
      };
      Quad sq[RPL], bq[RPL];  // this lane's rows' current quads of scales and biases
      int qn = (kt0 * SM90_BK) >> (lg + 2);  // the next quad
      int s = 0;
      uint32_t wrap = 0;  // ring passes completed by slot i
      for (int i = 0; i < nk; ++i) {  // ring slot i, K tile t
        const int t = kt0 + i;
        const int g0 = (t * SM90_BK) >> lg;  // the tile's first group (uniform)
        if ((g0 >> 2) == qn) {  // the tile starts the next quad
          load_quad(qn, sq, bq);
          qn += 1;
        }
        if (wrap > 0) mbar_wait(&empty[s], (wrap - 1) & 1);
        // Per K step kk: the group (t·64 + 16·kk) >> lg, element c of the quad; steps inside the
        // previous step's group repeat its values.
        uint32_t sv[RPL], bv[RPL];
#pragma unroll
        for (int kk = 0; kk < 4; ++kk) {
          if (kk == 0 || ((16 * kk) & (gs - 1)) == 0) {
            const uint32_t c = ((t * SM90_BK + 16 * kk) >> lg) & 3;
#pragma unroll
            for (int r = 0; r < RPL; ++r) {
              // Element c of the quad; PACKED: doubled into a T×2 word for the packed fma.
              const uint32_t sel = PACKED ? ((c & 1) ? 0x3232u : 0x1010u) : ((c & 1) ? 0x4432u : 0x4410u);
              sv[r] = __byte_perm((c & 2) ? sq[r].y : sq[r].x, 0u, sel);
              bv[r] = __byte_perm((c & 2) ? bq[r].y : bq[r].x, 0u, sel);
              // The consumers' decode wants the scale ·2^6 (exact, see quant.cuh); here, not at the
              // quad's load, so that nothing waits for the load before the ring's empty barrier.
              if constexpr (AFFINE8_BF16) sv[r] = mul_pair_packed<T>(sv[r], kAffine8Bf16ScaleUp);
            }
          }
          if constexpr (PACKED) {
            uint2* ps = reinterpret_cast<uint2*>(smem + L::P_OFF + s * L::P_STAGE);
#pragma unroll
            for (int r = 0; r < RPL; ++r) ps[kk * SM90_BW + lane + 32 * r] = make_uint2(sv[r], bv[r]);
          } else {
            float2* ps = reinterpret_cast<float2*>(smem + L::P_OFF + s * L::P_STAGE);
#pragma unroll
            for (int r = 0; r < RPL; ++r) ps[kk * SM90_BW + lane + 32 * r] = sm90_group_params<KIND, BITS, T>(sv[r], bv[r], 0.0f);
          }
        }
        mbar_arrive(&full[s]);
        if (++s == L::STAGES) { s = 0; ++wrap; }
      }
    }
    return;
  }

  // ---- consumer warpgroups ----
  asm volatile("setmaxnreg.inc.sync.aligned.u32 224;\n" ::: "memory");
  const int cw = wg - 1, wq = warp & 3, t4 = lane & 3;
  const int r0 = cw * 64 + wq * 16 + (lane >> 2), r1 = r0 + 8;  // this lane's two weight rows
  const int wsw = sm90_weight_chunk_xor<KIND, BITS, T>(r0);              // same for r1 = r0 + 8
  // Packed-path constants, loop-invariant registers.
  const uint32_t sel = PACKED_FP4          ? pair_selector<4, __nv_bfloat16>(t4)
                       : KIND == KIND_MXFP8 ? fp8_pair_selector(t4)
                       : AFFINE8_BF16       ? pair_selector<8, __half>(t4)  // plain bytes 2t, 2t+1
                                            : pair_selector<BITS, T>(t4);
  const uint32_t magic = PackedAffine<BITS, T>::magic;
  const uint2 fix = make_uint2(PackedAffine<BITS, T>::fix_mul, PackedAffine<BITS, T>::fix_add);
  float acc[NACC];
#pragma unroll
  for (int i = 0; i < NACC; ++i) acc[i] = 0.0f;
  uint32_t afr[2][4][4];

  // Dequantizes this lane's A fragments of its 4 K steps into a from ring stage s (whose full
  // barrier the caller has waited for); sw is the stage holding the weights (odd widths: the pair's
  // copy sits in the stage of its even tile, s itself for half = 0 or the previous stage for half = 1).
  auto load_tile = [&](int s, int sw, int half, uint32_t (&a)[4][4]) {
    uint32_t w0[L::W_WORDS], w1[L::W_WORDS];
    if constexpr (L::PAIRED) {
      const uint32_t* ws = reinterpret_cast<const uint32_t*>(smem + L::W_OFF + sw * L::W_STAGE) + half * L::W_WORDS;
#pragma unroll
      for (int i = 0; i < L::W_WORDS; i += 2) {
        const uint2 u0 = *reinterpret_cast<const uint2*>(ws + r0 * L::W_ROW + i);
        const uint2 u1 = *reinterpret_cast<const uint2*>(ws + r1 * L::W_ROW + i);
        w0[i] = u0.x; w0[i + 1] = u0.y;
        w1[i] = u1.x; w1[i + 1] = u1.y;
      }
    } else {
      const uint32_t* ws = reinterpret_cast<const uint32_t*>(smem + L::W_OFF + s * L::W_STAGE);
#pragma unroll
      for (int i = 0; i < L::W_WORDS; i += 4) {
        const int c = ((i / 4) ^ wsw) * 4;  // the TMA swizzle moved 16-byte chunk i/4 of these rows here
        const uint4 u0 = *reinterpret_cast<const uint4*>(ws + r0 * L::W_ROW + c);
        const uint4 u1 = *reinterpret_cast<const uint4*>(ws + r1 * L::W_ROW + c);
        w0[i] = u0.x; w0[i + 1] = u0.y; w0[i + 2] = u0.z; w0[i + 3] = u0.w;
        w1[i] = u1.x; w1[i + 1] = u1.y; w1[i + 2] = u1.z; w1[i + 3] = u1.w;
      }
    }
    if constexpr (PACKED_FP) {
      const uint2* ps = reinterpret_cast<const uint2*>(smem + L::P_OFF + s * L::P_STAGE);
      if (reinterpret_cast<const uint32_t*>(smem + L::FLAG_OFF)[s] != 0u) {
        // Codes J+2t, J+2t+1 of a row as T×2 values times the format's packed-path unit.
        auto fp_pair = [&](auto j, const uint32_t (&w)[L::W_WORDS]) {
          if constexpr (PACKED_FP4) return fp4_pair_packed<decltype(j)::value, L::W_WORDS, T>(w, sel);
          else return fp8_pair_packed<decltype(j)::value, L::W_WORDS>(w, sel);
        };
#define QMLX_SM90_STEP(KK)                                                                                  \
  {                                                                                                         \
    const uint32_t f0 = ps[(KK) * SM90_BW + r0].x, f1 = ps[(KK) * SM90_BW + r1].x;                           \
    a[KK][0] = mul_pair_packed<T>(fp_pair(std::integral_constant<int, 16 * (KK)>(), w0), f0);               \
    a[KK][1] = mul_pair_packed<T>(fp_pair(std::integral_constant<int, 16 * (KK)>(), w1), f1);               \
    a[KK][2] = mul_pair_packed<T>(fp_pair(std::integral_constant<int, 16 * (KK) + 8>(), w0), f0);           \
    a[KK][3] = mul_pair_packed<T>(fp_pair(std::integral_constant<int, 16 * (KK) + 8>(), w1), f1);           \
  }
        QMLX_SM90_STEP(0) QMLX_SM90_STEP(1) QMLX_SM90_STEP(2) QMLX_SM90_STEP(3)
#undef QMLX_SM90_STEP
      } else {
#define QMLX_SM90_STEP(KK)                                                                                              \
  {                                                                                                                     \
    const float s0 = __uint_as_float(ps[(KK) * SM90_BW + r0].y), s1 = __uint_as_float(ps[(KK) * SM90_BW + r1].y);      \
    a[KK][0] = dequant_pair<KIND, BITS, T>(code_pair_bits<BITS, 16 * (KK), L::W_WORDS>(w0, 2 * t4), s0, 0.0f);          \
    a[KK][1] = dequant_pair<KIND, BITS, T>(code_pair_bits<BITS, 16 * (KK), L::W_WORDS>(w1, 2 * t4), s1, 0.0f);          \
    a[KK][2] = dequant_pair<KIND, BITS, T>(code_pair_bits<BITS, 16 * (KK) + 8, L::W_WORDS>(w0, 2 * t4), s0, 0.0f);      \
    a[KK][3] = dequant_pair<KIND, BITS, T>(code_pair_bits<BITS, 16 * (KK) + 8, L::W_WORDS>(w1, 2 * t4), s1, 0.0f);      \
  }
        QMLX_SM90_STEP(0) QMLX_SM90_STEP(1) QMLX_SM90_STEP(2) QMLX_SM90_STEP(3)
#undef QMLX_SM90_STEP
      }
    } else if constexpr (PACKED) {
      const uint2* ps = reinterpret_cast<const uint2*>(smem + L::P_OFF + s * L::P_STAGE);
      // Codes J+2t, J+2t+1 of a row → T×2 of c·s + b (g: the row's (scale, bias) words of the K step).
      auto aff_pair = [&](auto j, const uint32_t (&w)[L::W_WORDS], uint2 g) {
        if constexpr (AFFINE8_BF16) return affine8_bf16_pair_packed<decltype(j)::value, L::W_WORDS>(w, sel, g.x, g.y);
        else return affine_pair_packed<BITS, decltype(j)::value, L::W_WORDS, T>(w, t4, sel, magic, g.x, g.y, fix);
      };
#define QMLX_SM90_STEP(KK)                                                                \
  {                                                                                       \
    const uint2 g0 = ps[(KK) * SM90_BW + r0], g1 = ps[(KK) * SM90_BW + r1];               \
    a[KK][0] = aff_pair(std::integral_constant<int, 16 * (KK)>(), w0, g0);                \
    a[KK][1] = aff_pair(std::integral_constant<int, 16 * (KK)>(), w1, g1);                \
    a[KK][2] = aff_pair(std::integral_constant<int, 16 * (KK) + 8>(), w0, g0);            \
    a[KK][3] = aff_pair(std::integral_constant<int, 16 * (KK) + 8>(), w1, g1);            \
  }
      QMLX_SM90_STEP(0) QMLX_SM90_STEP(1) QMLX_SM90_STEP(2) QMLX_SM90_STEP(3)
#undef QMLX_SM90_STEP
    } else {
      const float2* ps = reinterpret_cast<const float2*>(smem + L::P_OFF + s * L::P_STAGE);
#define QMLX_SM90_STEP(KK)                                                                          \
  {                                                                                                 \
    const float2 g0 = ps[(KK) * SM90_BW + r0], g1 = ps[(KK) * SM90_BW + r1];                        \
    a[KK][0] = dequant_pair<KIND, BITS, T>(code_pair_bits<BITS, 16 * (KK), L::W_WORDS>(w0, 2 * t4), g0.x, g0.y);     \
    a[KK][1] = dequant_pair<KIND, BITS, T>(code_pair_bits<BITS, 16 * (KK), L::W_WORDS>(w1, 2 * t4), g1.x, g1.y);     \
    a[KK][2] = dequant_pair<KIND, BITS, T>(code_pair_bits<BITS, 16 * (KK) + 8, L::W_WORDS>(w0, 2 * t4), g0.x, g0.y); \
    a[KK][3] = dequant_pair<KIND, BITS, T>(code_pair_bits<BITS, 16 * (KK) + 8, L::W_WORDS>(w1, 2 * t4), g1.x, g1.y); \
  }
      QMLX_SM90_STEP(0) QMLX_SM90_STEP(1) QMLX_SM90_STEP(2) QMLX_SM90_STEP(3)
#undef QMLX_SM90_STEP
    }
  };
  // The consumer loop's ring bookkeeping is kept off its critical path (prefill stage 11, ncu of
  // main's loop: the per-K-tile chain of t % 5 and t / 5 divisions, a re-read of the shared window
  // base and the full-barrier test's latency took ~35 % of a consumer warp's time per K tile):
  // the shared base is read once (opaque, so it is not rematerialized), the stage and parity are
  // counters, and the next tile's full barrier is tested right after this tile's wgmmas are issued,
  // its result used only after the wait for the previous group.
  uint32_t sb;
  asm volatile("mov.b32 %0, %1;" : "=r"(sb) : "r"(smem_addr(smem)));
  const uint32_t full_sb = sb + L::BAR_OFF, empty_sb = full_sb + 8u * L::STAGES;
  // Issues the 4 wgmmas of the tile in stage s (x advances 16 elements = 32 bytes inside the
  // swizzle atom per step).
  auto mma_tile = [&](int s, const uint32_t (&a)[4][4]) {
    // +32 bytes is +2 in the descriptor's address field (stage bases are 1024-byte aligned: no carry).
    const uint64_t desc = sw128_desc(sb + L::X_OFF + (uint32_t)s * L::X_STAGE);
    wgmma_fence();
#pragma unroll
    for (int kk = 0; kk < 4; ++kk) Wgmma<BT, T>::mma(acc, a[kk], desc + 2 * kk);
    wgmma_commit();
  };
  auto release = [&](int s) {
    __syncwarp();
    if (lane == 0) mbar_arrive_at(empty_sb + 8u * (uint32_t)s);
  };
  // Tile t (buffer and half = t % 2, a literal per call) in stage s, parity ph; sp: tile t-1's stage.
  // Returns after the wait for tile t-1's group and its release, with tile t+1's full barrier
  // waited for; s, ph, sp advanced to tile t+1.
  auto step = [&](int t, auto buf, int& s, uint32_t& ph, int& sp) {
    constexpr int B = decltype(buf)::value;
    load_tile(s, B ? sp : s, B, afr[B]);
    mma_tile(s, afr[B]);
    const int sn = s + 1 == L::STAGES ? 0 : s + 1;
    const uint32_t phn = sn == 0 ? ph ^ 1u : ph;
    const bool more = t + 1 < nk;
    const uint32_t ready = more ? mbar_test_at(full_sb + 8u * (uint32_t)sn, phn) : 1u;
    wgmma_wait<1>();  // tile t-1's wgmmas are done: its stage and A registers are free
    if (t > 0) release(sp);
    if (!ready) mbar_wait_at(full_sb + 8u * (uint32_t)sn, phn);
    sp = s; s = sn; ph = phn;
  };
  {
    int s = 0, sp = 0;
    uint32_t ph = 0;
    mbar_wait_at(full_sb, 0u);
    int t = 0;
    for (; t + 1 < nk; t += 2) {  // ring slots (K tile kt0 + t), in pairs: literal buffer indices
      step(t, std::integral_constant<int, 0>(), s, ph, sp);
      step(t + 1, std::integral_constant<int, 1>(), s, ph, sp);
    }
    if (t < nk) step(t, std::integral_constant<int, 0>(), s, ph, sp);
    wgmma_wait<0>();
    release(sp);
  }
  const int ct = tid - 128;

  if constexpr (split) {
    // Rank 1 adds its partial sums into rank 0's: stored as float4 [NACC/4][256 threads] over
    // rank 0's stage ring, which both ranks' consumers are done with at the first cluster barrier.
    static_assert(BT * SM90_BW * 4 <= L::BAR_OFF, "the partial sums fit in the stage ring");
    cluster_sync_all();
    if (krank == 1) {
      const uint32_t remote = cluster_map_shared(smem_addr(smem), 0);
#pragma unroll
      for (int j = 0; j < NACC / 4; ++j)
        st_cluster_f32x4(remote + (uint32_t)(j * 256 + ct) * 16u, acc[4 * j], acc[4 * j + 1], acc[4 * j + 2], acc[4 * j + 3]);
    }
    cluster_sync_all();  // rank 1's stores are visible to rank 0
    if (krank == 1) return;
    const float4* red = reinterpret_cast<const float4*>(smem);
#pragma unroll
    for (int j = 0; j < NACC / 4; ++j) {
      const float4 v = red[j * 256 + ct];
      acc[4 * j] += v.x; acc[4 * j + 1] += v.y; acc[4 * j + 2] += v.z; acc[4 * j + 3] += v.w;
    }
  }

  // ---- epilogue: stage yᵀ as y (token-major) in the x stages, then 16-byte coalesced stores ----
  // nvfp4: the global factor (g / 2688, as the other kernels round it) times the 2^7 taken out of
  // the scales.
  const float gout = KIND == KIND_NVFP4 ? (p.global_scale ? __fdiv_rn(p.global_scale[wi], 2688.0f) : 1.0f) * 128.0f : 1.0f;
  auto scaled = [&](float v) { return KIND == KIND_NVFP4 ? v * gout : v; };
  asm volatile("bar.sync 1, 256;" ::: "memory");  // both consumer warpgroups are done with the x stages
  T* stage = reinterpret_cast<T*>(smem + L::X_OFF);
#pragma unroll
  for (int j = 0; j < NACC / 4; ++j) {
    const int c = 8 * j + 2 * t4;  // token within the tile
    stage[c * L::OUT_LD + r0] = from_f32<T>(scaled(acc[4 * j]));
    stage[(c + 1) * L::OUT_LD + r0] = from_f32<T>(scaled(acc[4 * j + 1]));
    stage[c * L::OUT_LD + r1] = from_f32<T>(scaled(acc[4 * j + 2]));
    stage[(c + 1) * L::OUT_LD + r1] = from_f32<T>(scaled(acc[4 * j + 3]));
  }
  asm volatile("bar.sync 1, 256;" ::: "memory");
  // The tile's coordinates read again (see coords above).
  const long long en0 = (long long)coords[0] * SM90_BW, em0 = (long long)coords[1] * BT;
  T* eout = reinterpret_cast<T*>(p.out) + (long long)coords[2] * M * N;
  const bool vec = (N % 8) == 0 && (reinterpret_cast<uintptr_t>(p.out) % 16) == 0;
  for (int i = ct; i < BT * (SM90_BW / 8); i += 256) {
    const int tok = i / (SM90_BW / 8), col = (i % (SM90_BW / 8)) * 8;
    const long long m = em0 + tok, n = en0 + col;
    if (m >= M) continue;
    const T* src = stage + tok * L::OUT_LD + col;
    if (vec && n + 8 <= N) {
      *reinterpret_cast<uint4*>(eout + m * N + n) = *reinterpret_cast<const uint4*>(src);
    } else {
      for (int e = 0; e < 8; ++e)
        if (n + e < N) eout[m * N + n + e] = src[e];
    }
  }
}
#endif  // QMLX_SM90A

// Kernel entry points: qmm_sm90_<format>_t<BT>_<dtype>[_split]; group size is a launch argument.
#ifdef QMLX_SM90A
#define QMLX_SM90_BODY(KIND, BITS, T, BT, SPLIT) qmm_sm90_impl<KIND, BITS, T, BT, SPLIT>(xmap, wmap, p, gs, grid);
#else
#define QMLX_SM90_BODY(KIND, BITS, T, BT, SPLIT)
#endif
#define QMLX_SM90_KERNEL(FN, KIND, BITS, TN, T, BT)                                                                \
  extern "C" __global__ void __launch_bounds__(SM90_THREADS, 1)                                                    \
      qmm_sm90_##FN##_t##BT##_##TN(const __grid_constant__ TmaMap xmap, const __grid_constant__ TmaMap wmap,       \
                                   const MatmulParams p, int gs, const Sm90Grid grid) {                            \
    QMLX_SM90_BODY(KIND, BITS, T, BT, false)                                                                       \
  }                                                                                                                \
  extern "C" __global__ void __launch_bounds__(SM90_THREADS, 1)                                                    \
      qmm_sm90_##FN##_t##BT##_##TN##_split(const __grid_constant__ TmaMap xmap, const __grid_constant__ TmaMap wmap, \
                                           const MatmulParams p, int gs, const Sm90Grid grid) {                    \
    QMLX_SM90_BODY(KIND, BITS, T, BT, true)                                                                        \
  }
#define QMLX_SM90_KERNELS(FN, KIND, BITS)                          \
  QMLX_SM90_KERNEL(FN, KIND, BITS, f16, __half, 256)               \
  QMLX_SM90_KERNEL(FN, KIND, BITS, bf16, __nv_bfloat16, 256)       \
  QMLX_SM90_KERNEL(FN, KIND, BITS, f16, __half, 128)               \
  QMLX_SM90_KERNEL(FN, KIND, BITS, bf16, __nv_bfloat16, 128)

QMLX_SM90_KERNELS(affine1, KIND_AFFINE, 1)
QMLX_SM90_KERNELS(affine2, KIND_AFFINE, 2)
QMLX_SM90_KERNELS(affine3, KIND_AFFINE, 3)
QMLX_SM90_KERNELS(affine4, KIND_AFFINE, 4)
QMLX_SM90_KERNELS(affine5, KIND_AFFINE, 5)
QMLX_SM90_KERNELS(affine6, KIND_AFFINE, 6)
QMLX_SM90_KERNELS(affine8, KIND_AFFINE, 8)
QMLX_SM90_KERNELS(mxfp4, KIND_MXFP4, 4)
QMLX_SM90_KERNELS(mxfp8, KIND_MXFP8, 8)
QMLX_SM90_KERNELS(nvfp4, KIND_NVFP4, 4)
