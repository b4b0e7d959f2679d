//! The Apple path's MSL: every kernel variant translates with naga, and a representative subset
//! matches the committed snapshots in `msl/snapshots/` (regenerate with `QMLX_UPDATE_MSL=1`).
//! `scripts/check_msl.sh` additionally type-checks all variants with clang.

use qmlx_wgpu::msl::{kernel_msl, snapshot_variants};

const SNAPSHOTS: [&str; 10] = [
    "quantize_affine3_gs64",
    "dequantize_affine4_gs64",
    "qmv_affine4_gs64",
    "qmv_words_affine4_gs64",
    "qmv_words_mxfp44_gs32",
    "qmv_words_d3_affine4_gs64",
    "qmm_t_nvfp44_gs16",
    "qmm_n_mxfp88_gs32",
    "cast_bf16",
    "qmm_coop8_t_affine4_gs64",
];

#[test]
fn every_variant_translates_to_msl() {
    let mut n = 0;
    for (stem, kernel, constants) in snapshot_variants() {
        for version in [(2, 4), (3, 1)] {
            let (src, entry) = kernel_msl(kernel, &constants, version).unwrap_or_else(|e| panic!("{stem}: {e}"));
            assert!(src.contains(&format!("kernel void {entry}(")), "{stem}: no kernel {entry}");
            // Explicit slots: the host binds buffer i at [[buffer(i)]], as the wgpu backend binds.
            assert!(src.contains("[[buffer(0)]]"), "{stem}: no explicit buffer slots");
            if kernel == qmlx_wgpu::shaders::Kernel::QmmCoop8 {
                // The optional Metal-only kernel: 8×8 simdgroup matrices, two simdgroups of 32.
                assert!(src.contains("simdgroup_multiply_accumulate") && src.contains("simdgroup_float8x8"), "{stem}: no simdgroup matrices");
                assert!(!src.contains("16x16"), "{stem}: Metal has only 8×8 simdgroup matrices");
            } else {
                assert!(!src.contains("simd_"), "{stem}: a subgroup op slipped in (kernels must be subgroup-size agnostic)");
            }
            n += 1;
        }
    }
    println!("translated {n} kernel variants");
}

#[test]
fn msl_matches_snapshots() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("msl/snapshots");
    let update = std::env::var_os("QMLX_UPDATE_MSL").is_some();
    for (stem, kernel, constants) in snapshot_variants().into_iter().filter(|v| SNAPSHOTS.contains(&v.0.as_str())) {
        let (src, _) = kernel_msl(kernel, &constants, (2, 4)).unwrap();
        let path = dir.join(format!("{stem}.metal"));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &src).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e} (QMLX_UPDATE_MSL=1 to create)", path.display()));
        assert!(want == src, "{stem}: generated MSL differs from {} (QMLX_UPDATE_MSL=1 to accept)", path.display());
    }
}
