//! Validated op descriptions. Each is built from tensor metas (shape + dtype) and the
//! [`QuantSpec`](crate::QuantSpec); every backend runs the same descriptions.

mod buffers;
pub mod matmul;
pub mod quantize;

pub use matmul::{IndexSlice, MatmulOp, MatrixSelect};
pub use quantize::{DequantizeOp, QuantizeOp};
