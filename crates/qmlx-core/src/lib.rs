//! # qmlx-core
//!
//! MLX's quantization system in Rust: the storage format (bit-exact with MLX), validated op
//! descriptions, and the CPU backend. Data flows one way:
//! [`format`] → [`ops`] (validated descriptions) → backends ([`cpu`]; CUDA and wgpu in their own
//! crates) → bindings.
//!
//! ```
//! use qmlx_core::{api, QuantSpec, Rounding, Mode};
//!
//! // A 4-bit, group-64 affine quantization of a 8×128 weight, then y = x @ Ŵᵀ.
//! let (n, k) = (8, 128);
//! let w: Vec<f32> = (0..n * k).map(|i| ((i * 37 % 101) as f32 - 50.0) / 100.0).collect();
//! let spec = QuantSpec::new(Mode::Affine, 64, 4).unwrap();
//! let q = api::quantize(&w, &[n, k], spec, Rounding::Gpu, None).unwrap();
//! let x = vec![1.0f32; k];
//! let y = api::quantized_matmul(&x, &[1, k], &q, true).unwrap();
//! assert_eq!(y.len(), n);
//! let w_hat = api::dequantize::<f32>(&q).unwrap();
//! let exact: f32 = (0..k).map(|j| w_hat[j]).sum();
//! assert!((y[0] - exact).abs() < 1e-4);
//! ```

#![warn(missing_docs)]

pub mod api;
pub mod cpu;
pub mod dtype;
pub mod error;
pub mod format;
pub mod ops;

pub use dtype::{DType, Element, Float, Meta, TensorMut, TensorRef};
pub use error::{Error, Result};
pub use format::{Mode, QuantSpec, Rounding};
pub use half;
pub use ops::{DequantizeOp, IndexSlice, MatmulOp, QuantizeOp};
