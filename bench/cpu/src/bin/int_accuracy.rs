//! Runs one quantized matmul per case directory with several CPU kernel sets, for
//! `bench/int_dot_accuracy.py` (which writes the cases with MLX and scores the outputs against
//! float64 and MLX-CPU).
//!
//! Usage: `int_accuracy DIR...`; each DIR holds `meta.txt` (`mode group_size bits dtype m n k`),
//! `x.bin` (x in dtype), `wq.bin` (u32), `s.bin` (scales: dtype, or u8 for fp modes), `b.bin`
//! (affine biases); writes `y_<kernels>.bin` (f32) for every kernel set this CPU runs. An 8th
//! field `nt` in `meta.txt`: transpose=False (`wq` stored `[k, n]`, grouped along n).

use half::{bf16, f16};
use qmlx_core::cpu::{self, GatherIndices, Kernels};
use qmlx_core::{DType, Element, Float, MatmulOp, Mode, QuantSpec, TensorMut, TensorRef};
use std::path::Path;

fn run<T: Float + Element>(dir: &Path, spec: QuantSpec, m: usize, n: usize, k: usize, transpose: bool) {
    let read = |f: &str| std::fs::read(dir.join(f)).unwrap_or_default();
    let x: Vec<T> = bytemuck::cast_slice(&read("x.bin")).to_vec();
    let wq: Vec<u32> = bytemuck::cast_slice(&read("wq.bin")).to_vec();
    let (s, b) = (read("s.bin"), read("b.bin"));
    let s_dtype = if spec.has_biases() { T::DTYPE } else { DType::U8 };
    let (rows, cols) = if transpose { (n, k) } else { (k, n) };
    let wq_shape = [rows, spec.packed_words(cols)];
    let s_shape = [rows, cols / spec.group_size() as usize];
    let (x_shape, y_shape) = ([m, k], [m, n]);
    for kern in Kernels::available() {
        let xr = TensorRef::new(&x, &x_shape).unwrap();
        let w = TensorRef::new(&wq, &wq_shape).unwrap();
        let sr = TensorRef::from_bytes("scales", s_dtype, &s_shape, &s).unwrap();
        let br = spec.has_biases().then(|| TensorRef::from_bytes("biases", s_dtype, &s_shape, &b).unwrap());
        let op = MatmulOp::gather_qmm(&xr.meta(), &w.meta(), &sr.meta(), br.map(|b| b.meta()).as_ref(), None, None, transpose, spec, None, false).unwrap();
        let mut out = vec![T::default(); m * n];
        cpu::matmul_with(kern, &op, xr, w, sr, br, GatherIndices::default(), None, TensorMut::new(&mut out, &y_shape).unwrap()).unwrap();
        let y: Vec<f32> = out.iter().map(|v| v.to_f32()).collect();
        std::fs::write(dir.join(format!("y_{}.bin", kern.name())), bytemuck::cast_slice(&y)).unwrap();
    }
}

fn main() {
    for d in std::env::args().skip(1) {
        let dir = Path::new(&d);
        let meta = std::fs::read_to_string(dir.join("meta.txt")).unwrap();
        let f: Vec<&str> = meta.split_whitespace().collect();
        let mode = match f[0] {
            "affine" => Mode::Affine,
            "mxfp4" => Mode::Mxfp4,
            "mxfp8" => Mode::Mxfp8,
            _ => Mode::Nvfp4,
        };
        let (gs, bits): (u32, u32) = (f[1].parse().unwrap(), f[2].parse().unwrap());
        let spec = QuantSpec::new(mode, gs, bits).unwrap();
        let (m, n, k): (usize, usize, usize) = (f[4].parse().unwrap(), f[5].parse().unwrap(), f[6].parse().unwrap());
        let transpose = f.get(7) != Some(&"nt");
        match f[3] {
            "float32" => run::<f32>(dir, spec, m, n, k, transpose),
            "float16" => run::<f16>(dir, spec, m, n, k, transpose),
            _ => run::<bf16>(dir, spec, m, n, k, transpose),
        }
    }
}
