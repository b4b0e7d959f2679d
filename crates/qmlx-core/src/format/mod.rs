//! The storage format: the validated quantization description, code packing, element and scale
//! codecs, and the per-group quantize arithmetic. Nothing here knows about threads or tensors.

pub mod codes;
pub mod packing;
pub mod quantize;
pub mod spec;

pub use spec::{ElementCode, Mode, QuantSpec, Rounding, ScaleCode};
