"""torch dense matmul (cuBLAS) baseline for the CUDA benchmark, timed like qmlx-cuda-check bench:
CUDA events around many back-to-back calls, weights rotated over copies > 200 MB. Prints CSV."""
import math, sys, torch

quick = "--quick" in sys.argv
dev = torch.device("cuda")
shapes = [(14336, 4096)] if quick else [(4096, 4096), (14336, 4096), (4096, 14336), (28672, 4096)]
ms = [1, 16, 1024] if quick else [1, 2, 4, 8, 16, 32, 64, 256, 1024, 4096]
if "--prefill" in sys.argv:  # the qmm (prefill) range only
    ms = [256, 1024, 4096]

def time_us(fn, iters):
    for i in range(3):
        fn(i)
    a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    a.record()
    for i in range(iters):
        fn(i)
    b.record()
    b.synchronize()
    return a.elapsed_time(b) * 1000 / iters

buf = torch.empty(1 << 30, dtype=torch.uint8, device=dev)
dst = torch.empty_like(buf)
us = time_us(lambda i: dst.copy_(buf), 20)
print(f"# torch {torch.__version__} {torch.cuda.get_device_name()}")
print(f"torch_copy_bandwidth_GBps,{2 * buf.numel() / (us * 1e-6) / 1e9:.1f}")
del buf, dst
print("kind,N,K,mode,dtype,M,us,GBps,pct_roofline,TFLOPs")
for n, k in shapes:
    for dt in (torch.float16, torch.bfloat16):
        copies = max(2, math.ceil((200 << 20) / (n * k * 2)))
        ws = [torch.randn(n, k, dtype=dt, device=dev) * 0.02 for _ in range(copies)]
        for m in ms:
            x = torch.randn(m, k, dtype=dt, device=dev)
            out = torch.empty(m, n, dtype=dt, device=dev)
            f = lambda i: torch.matmul(x, ws[i % copies].t(), out=out)
            est = time_us(f, 3)
            us = time_us(f, max(10, min(500, int(30000 / est))))
            byts = n * k * 2 + (m * k + m * n) * 2
            name = "f16" if dt == torch.float16 else "bf16"
            print(f"cublas,{n},{k},dense,{name},{m},{us:.2f},{byts / (us * 1e-6) / 1e9:.1f},,{2 * m * n * k / (us * 1e-6) / 1e12:.1f}")
        del ws
