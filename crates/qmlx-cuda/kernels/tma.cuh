// mbarrier and bulk-copy (TMA) helpers shared by the sm_90 kernels (qmv_bulk.cuh, qmv_warp.cuh,
// qmm_sm90.cu). Defined only when compiling for sm_90+ (QMLX_TMA); callers guard their use.
#pragma once
#include <stdint.h>

// A CUtensorMap (opaque, 128 bytes, 64-byte aligned), passed by value as a __grid_constant__.
struct alignas(64) TmaMap {
  unsigned long long opaque[16];
};

#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
#define QMLX_TMA 1
__device__ __forceinline__ uint32_t smem_addr(const void* p) { return (uint32_t)__cvta_generic_to_shared(p); }

__device__ __forceinline__ void mbar_init(uint64_t* bar, uint32_t count) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;" ::"r"(smem_addr(bar)), "r"(count) : "memory");
}
// Makes initialized mbarriers visible to the async proxy (the copy engine) and the other threads.
__device__ __forceinline__ void mbar_init_fence() { asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory"); }
__device__ __forceinline__ void mbar_arrive(uint64_t* bar) {
  asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];" ::"r"(smem_addr(bar)) : "memory");
}
__device__ __forceinline__ void mbar_arrive_expect_tx(uint64_t* bar, uint32_t bytes) {
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" ::"r"(smem_addr(bar)), "r"(bytes) : "memory");
}
// Cluster helpers (sm_90+): a barrier of every non-exited thread of the cluster (release/acquire:
// orders distributed shared-memory stores before it with loads after it), the shared::cluster
// address of a local shared address in block `rank` of the cluster, and a 16-byte store there.
__device__ __forceinline__ void cluster_sync_all() {
  asm volatile("barrier.cluster.arrive.release.aligned;\nbarrier.cluster.wait.acquire.aligned;" ::: "memory");
}
__device__ __forceinline__ uint32_t cluster_map_shared(uint32_t addr, uint32_t rank) {
  uint32_t r;
  asm volatile("mapa.shared::cluster.u32 %0, %1, %2;" : "=r"(r) : "r"(addr), "r"(rank));
  return r;
}
__device__ __forceinline__ void st_cluster_f32x4(uint32_t addr, float a, float b, float c, float d) {
  asm volatile("st.shared::cluster.v4.f32 [%0], {%1, %2, %3, %4};" ::"r"(addr), "f"(a), "f"(b), "f"(c), "f"(d) : "memory");
}
// Waits until the phase with this parity has completed.
__device__ __forceinline__ void mbar_wait(uint64_t* bar, uint32_t parity) {
  asm volatile(
      "{\n.reg .pred done;\nWAIT:\n"
      "mbarrier.try_wait.parity.shared::cta.b64 done, [%0], %1;\n"
      "@!done bra WAIT;\n}\n" ::"r"(smem_addr(bar)),
      "r"(parity)
      : "memory");
}
// Orders this thread's earlier generic-proxy shared-memory accesses before later async-proxy ones
// (a bulk copy that overwrites a stage the thread has just read).
__device__ __forceinline__ void fence_proxy_async_smem() { asm volatile("fence.proxy.async.shared::cta;" ::: "memory"); }
// 1-D bulk copy: bytes (a multiple of 16) from global src to shared dst, both 16-byte aligned;
// completes on bar (whose expected transaction count the caller raised).
__device__ __forceinline__ void bulk_copy_g2s(void* dst, const void* src, uint32_t bytes, uint64_t* bar) {
  asm volatile("cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];" ::"r"(smem_addr(dst)),
               "l"(src), "r"(bytes), "r"(smem_addr(bar))
               : "memory");
}
// 2-D TMA copy of the box at (c0 = inner element, c1 = row) into shared memory; completes on bar.
__device__ __forceinline__ void tma_load_2d(void* dst, const TmaMap* map, int c0, int c1, uint64_t* bar) {
  asm volatile(
      "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1, {%2, %3}], [%4];" ::"r"(
          smem_addr(dst)),
      "l"(reinterpret_cast<uint64_t>(map)), "r"(c0), "r"(c1), "r"(smem_addr(bar))
      : "memory");
}
// 3-D TMA copy of the box at (c0 = inner element, c1, c2) into shared memory; completes on bar.
__device__ __forceinline__ void tma_load_3d(void* dst, const TmaMap* map, int c0, int c1, int c2, uint64_t* bar) {
  asm volatile(
      "cp.async.bulk.tensor.3d.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1, {%2, %3, %4}], [%5];" ::"r"(
          smem_addr(dst)),
      "l"(reinterpret_cast<uint64_t>(map)), "r"(c0), "r"(c1), "r"(c2), "r"(smem_addr(bar))
      : "memory");
}
// 2-D TMA prefetch of the box at (c0, c1) into L2 (no shared memory, no barrier): a hint the copy
// engine serves asynchronously; boxes past the tensor's bounds are clipped by the map.
__device__ __forceinline__ void tma_prefetch_l2_2d(const TmaMap* map, int c0, int c1) {
  asm volatile("cp.async.bulk.prefetch.tensor.2d.L2.global.tile [%0, {%1, %2}];" ::"l"(reinterpret_cast<uint64_t>(map)), "r"(c0),
               "r"(c1)
               : "memory");
}
#endif

// Programmatic dependent launch (PDL; bench/cuda-notes.md stage 20). A kernel launched with the
// programmatic-serialization attribute (src/lib.rs launch_ex) may start while the previous kernel on
// its stream is still running; it must not read or write memory that kernel may touch until
// griddepcontrol.wait returns (the predecessor grid has completed and its writes are visible).
// pdl_prologue, called once at a kernel's top by every thread: lets this kernel's own dependents
// launch, runs `before_wait` (only L2 prefetches of bytes the kernel will read: L2 is the coherence
// point, so a line a predecessor writes later is updated there; nothing into shared memory or
// registers), then waits. Without the attribute the wait returns at once; below sm_90 it does nothing.
// Ring stages a warp prefetches into L2 before the wait (a constant: a knob read from global memory put
// a load round trip per stage before the wait, ~1-2 µs per call in round 1 of stage 20).
#define QMLX_PDL_PREFETCH_STAGES 2
template <class F> __device__ __forceinline__ void pdl_prologue(F&& before_wait) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
  before_wait();
  asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
}
