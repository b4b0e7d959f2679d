//! GPU correctness suite (reduced shapes). Without a CUDA device it prints a SKIP line and passes:
//! CI has no GPU; scripts/test.sh runs this with --nocapture so the skip is visible.
#[test]
fn gpu_suite_matches_cpu() {
    if !qmlx_cuda::available() {
        println!("SKIP qmlx-cuda gpu_suite_matches_cpu: no CUDA device here (compiled archs: {:?})", qmlx_cuda::compiled_archs());
        return;
    }
    let dev = qmlx_cuda::device(0).unwrap();
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    let t = qmlx_cuda::suite::run_correctness(dev, seed, false);
    println!("{}", t.log);
    assert_eq!(t.failed, 0, "{} GPU checks failed (seed {seed})", t.failed);
}

#[test]
fn builds_without_a_gpu() {
    // The crate must load and answer on any machine.
    let archs = qmlx_cuda::compiled_archs();
    println!("compiled archs: {archs:?}; CUDA available: {}", qmlx_cuda::available());
    if !qmlx_cuda::available() {
        assert!(qmlx_cuda::device(0).is_err());
    }
}
