"""One shape of the cuBLAS baseline for a profiler (ncu): torch fp16/bf16 matmul y = x·wᵀ, 5 calls.
Usage: python3 bench/cuda_cublas_profile.py N K M [f16|bf16]"""
import sys, torch

n, k, m = (int(v) for v in sys.argv[1:4])
dt = torch.bfloat16 if len(sys.argv) > 4 and sys.argv[4] == "bf16" else torch.float16
w = torch.randn(n, k, dtype=dt, device="cuda") * 0.02
x = torch.randn(m, k, dtype=dt, device="cuda")
out = torch.empty(m, n, dtype=dt, device="cuda")
for _ in range(5):
    torch.matmul(x, w.t(), out=out)
torch.cuda.synchronize()
print(f"cublas {n}x{k} M={m} {dt}: done")
