//! GPU-machine driver: `qmlx-cuda-check correctness [--quick]`, `qmlx-cuda-check bench [--quick] [--decode] [--prefill] [--calibrate] [--tile 128|256]`.
//! Prints a log and tables; exits non-zero on any failed check.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let cmd = args.get(1).map(String::as_str).unwrap_or("correctness");
    let quick = args.iter().any(|a| a == "--quick");
    if !qmlx_cuda::available() {
        println!("SKIP: no CUDA device (archs compiled: {:?})", qmlx_cuda::compiled_archs());
        return;
    }
    let dev = qmlx_cuda::device(0).expect("device 0");
    // QMLX_DECODE_POLICY=1|2 forces the f16/bf16 M ≤ 16 decode kernel on or off, QMLX_DECODE_WARPS=4|8
    // its block size, QMLX_DECODE_ROWS=1|2 its m16 row tiles per warp (defaults: picked per shape), to
    // compare the paths in one run.
    // QMLX_BULK_POLICY=1|2 forces the sm_90 bulk-copy M ≤ 4 kernel on (wherever its layout allows) or off.
    // QMLX_WARP_RING_POLICY=1|2|3 forces the sm_90 per-warp ring M = 1 kernel on (1 and 3: wherever
    // eligible, i.e. one x row and one w matrix) or off, QMLX_WARP_RING_WARPS=8|16 its warps per block,
    // QMLX_WARP_RING_STAGES=n caps its ring stages per warp, QMLX_WARP_RING_KS=1024 its codes per stage,
    // QMLX_WARP_RING_PREFETCH=n its PDL L2 prefetch (n − 1 ring stages per warp; default picked per shape),
    // QMLX_WARP_FEED=1|2 feeds that path by each lane's own loads into registers (qmvr, 8-bit codes) or
    // by the per-warp tensor-copy ring (default: picked per format and shape).
    // QMLX_GATHER_POLICY=1|2 forces the work-list kernel for M = 1 gathers on (wherever it applies) or
    // off, QMLX_GATHER_RING=4 its ring depth with two row tiles (QMLX_DECODE_WARPS=2|4 and
    // QMLX_DECODE_ROWS=1|2 set its warps and row tiles, QMLX_GATHER_MAX_BLOCKS its grid cap);
    // QMLX_GATHER_POLICY=3 forces the bulk-copy gather kernel, QMLX_GATHER_KP=1|2|4|8 its K parts,
    // QMLX_GATHER_BULK_BLOCKS=1|2 its blocks per SM, QMLX_GATHER_HALF=1|2 its half-chunk k steps on or off,
    // QMLX_GATHER_XS=1|2 x in its ring stages on (where compiled and it fits) or off.
    // QMLX_RING16_POLICY=1|2 forces the sm_90 per-warp ring M = 2..16 kernel on (wherever eligible) or
    // off, QMLX_RING16_SHAPE=1|2 its block shape (8 warps × 16 rows | 4 warps × 32 rows),
    // QMLX_RING16_STAGES=n its ring stages per warp.
    for (var, knob) in [
        ("QMLX_DECODE_POLICY", &qmlx_cuda::DECODE_POLICY),
        ("QMLX_DECODE_WARPS", &qmlx_cuda::DECODE_WARPS),
        ("QMLX_DECODE_ROWS", &qmlx_cuda::DECODE_ROW_TILES),
        ("QMLX_BULK_POLICY", &qmlx_cuda::BULK_POLICY),
        ("QMLX_WARP_RING_POLICY", &qmlx_cuda::WARP_RING_POLICY),
        ("QMLX_WARP_RING_WARPS", &qmlx_cuda::WARP_RING_WARPS),
        ("QMLX_WARP_RING_STAGES", &qmlx_cuda::WARP_RING_STAGES),
        ("QMLX_WARP_RING_KS", &qmlx_cuda::WARP_RING_KS),
        ("QMLX_WARP_RING_PREFETCH", &qmlx_cuda::WARP_RING_PREFETCH),
        ("QMLX_WARP_FEED", &qmlx_cuda::WARP_FEED),
        ("QMLX_GATHER_POLICY", &qmlx_cuda::GATHER_POLICY),
        ("QMLX_GATHER_RING", &qmlx_cuda::GATHER_RING),
        ("QMLX_GATHER_MAX_BLOCKS", &qmlx_cuda::GATHER_MAX_BLOCKS),
        ("QMLX_GATHER_KP", &qmlx_cuda::GATHER_KP),
        ("QMLX_GATHER_BULK_BLOCKS", &qmlx_cuda::GATHER_BULK_BLOCKS),
        ("QMLX_GATHER_HALF", &qmlx_cuda::GATHER_HALF_STEPS),
        ("QMLX_GATHER_XS", &qmlx_cuda::GATHER_X_STAGED),
        ("QMLX_RING16_POLICY", &qmlx_cuda::RING16_POLICY),
        ("QMLX_RING16_SHAPE", &qmlx_cuda::RING16_SHAPE),
        ("QMLX_RING16_STAGES", &qmlx_cuda::RING16_STAGES),
    ] {
        if let Some(v) = std::env::var(var).ok().and_then(|v| v.parse().ok()) {
            knob.store(v, std::sync::atomic::Ordering::Relaxed);
            println!("# {var}={v}");
        }
    }
    // QMLX_SM90_MIN_M=m: M above which the sm_90a kernel takes eligible matmuls (default MID_MAX_M).
    if let Some(m) = std::env::var("QMLX_SM90_MIN_M").ok().and_then(|v| v.parse().ok()) {
        qmlx_cuda::sm90::set_min_m(m);
        println!("# QMLX_SM90_MIN_M={m}");
    }
    match cmd {
        "correctness" => {
            let seed = std::env::var("QMLX_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
            });
            let t = qmlx_cuda::suite::run_correctness(dev, seed, !quick);
            print!("{}", t.log);
            println!("correctness: {} passed, {} failed (seed {seed})", t.passed, t.failed);
            if t.failed > 0 {
                std::process::exit(1);
            }
        }
        "bench" => {
            // --tile 128|256: force the sm_90a kernel's token tile (QMLX_BENCH_ONLY=affine4g64: one format).
            let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
            qmlx_cuda::sm90::force_token_tile(value("--tile").and_then(|t| t.parse().ok()));
            if args.iter().any(|a| a == "--calibrate") {
                return qmlx_cuda::bench::calibrate(dev);
            }
            qmlx_cuda::bench::run(dev, quick, args.iter().any(|a| a == "--decode"), args.iter().any(|a| a == "--prefill"))
        }
        other => {
            eprintln!("unknown command {other}");
            std::process::exit(2);
        }
    }
}
