// Calibration read probe (src/bench.rs --calibrate): what plain loads stream from DRAM over the bytes
// of a decode matmul. Grid-stride over n 16-byte words, READ_PROBE_UNROLL independent loads in flight
// per thread; the XOR of the words is stored only if it equals a constant (never, for the bench's
// random words), so the loads are kept and nothing is written.
#pragma once
#define READ_PROBE_UNROLL 8

extern "C" __global__ void __launch_bounds__(512) read_probe_u4(const uint4* __restrict__ src, long long n, unsigned* out) {
  pdl_prologue([] {});
  const long long stride = (long long)gridDim.x * blockDim.x;
  long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
  unsigned acc = 0;
  for (; i + (READ_PROBE_UNROLL - 1) * stride < n; i += READ_PROBE_UNROLL * stride) {
    uint4 v[READ_PROBE_UNROLL];
#pragma unroll
    for (int u = 0; u < READ_PROBE_UNROLL; ++u) v[u] = __ldcs(src + i + u * stride);
#pragma unroll
    for (int u = 0; u < READ_PROBE_UNROLL; ++u) acc ^= v[u].x ^ v[u].y ^ v[u].z ^ v[u].w;
  }
  for (; i < n; i += stride) {
    const uint4 v = __ldcs(src + i);
    acc ^= v.x ^ v.y ^ v.z ^ v.w;
  }
  if (acc == 0x9E3779B9u) out[blockIdx.x] = acc;
}
