//! Writes the MSL of every snapshot variant into a folder (default `msl-out/`), for
//! `scripts/check_msl.sh` and for inspecting what Apple's compiler would get.
fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "msl-out".into());
    std::fs::create_dir_all(&dir).unwrap();
    let mut n = 0;
    for (stem, kernel, constants) in qmlx_wgpu::msl::snapshot_variants() {
        let (src, entry) = qmlx_wgpu::msl::kernel_msl(kernel, &constants, (2, 4)).unwrap_or_else(|e| panic!("{stem}: {e}"));
        std::fs::write(format!("{dir}/{stem}.metal"), src).unwrap();
        println!("{stem}: entry point {entry}");
        n += 1;
    }
    eprintln!("wrote {n} MSL files to {dir}");
}
