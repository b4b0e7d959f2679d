//! Element types and borrowed tensor views.
//!
//! Tensors cross the crate boundary as byte slices tagged with a [`DType`] and a shape, so that
//! every binding (Rust, Python through raw pointers, GPU staging) uses one representation.

use crate::error::{fmt_shape, Error, Result};
use half::{bf16, f16};

/// Element type of a tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DType {
    /// IEEE binary32.
    F32,
    /// IEEE binary16.
    F16,
    /// bfloat16.
    BF16,
    /// Unsigned byte (fp-mode scale codes).
    U8,
    /// Unsigned 32-bit word (packed codes).
    U32,
    /// Signed 32-bit integer (gather indices).
    I32,
    /// Signed 64-bit integer (gather indices).
    I64,
}

impl DType {
    /// Size of one element in bytes.
    pub const fn size(self) -> usize {
        match self {
            DType::F16 | DType::BF16 => 2,
            DType::U8 => 1,
            DType::F32 | DType::U32 | DType::I32 => 4,
            DType::I64 => 8,
        }
    }
    /// MLX's / numpy's name for the dtype.
    pub const fn name(self) -> &'static str {
        match self {
            DType::F32 => "float32",
            DType::F16 => "float16",
            DType::BF16 => "bfloat16",
            DType::U8 => "uint8",
            DType::U32 => "uint32",
            DType::I32 => "int32",
            DType::I64 => "int64",
        }
    }
    /// Parses MLX / numpy / torch names (`float16`, `torch.float16`, `half`, `bf16`, ...).
    pub fn parse(name: &str) -> Option<DType> {
        let n = name.strip_prefix("torch.").unwrap_or(name);
        Some(match n {
            "float32" | "float" | "f32" => DType::F32,
            "float16" | "half" | "f16" => DType::F16,
            "bfloat16" | "bf16" => DType::BF16,
            "uint8" | "u8" => DType::U8,
            "uint32" | "u32" => DType::U32,
            "int32" | "i32" => DType::I32,
            "int64" | "long" | "i64" => DType::I64,
            _ => return None,
        })
    }
    /// True for the three activation / weight float types.
    pub const fn is_float(self) -> bool {
        matches!(self, DType::F32 | DType::F16 | DType::BF16)
    }
    /// MLX's type promotion between two float dtypes (`f16 + bf16 -> f32`).
    pub fn promote(a: DType, b: DType) -> DType {
        if a == b {
            a
        } else {
            DType::F32
        }
    }
}

impl std::fmt::Display for DType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A float element type the kernels are generic over: `f32`, `half::f16`, `half::bf16`.
pub trait Float: bytemuck::Pod + Default + Send + Sync + PartialEq + std::fmt::Debug + 'static {
    /// The runtime tag of this type.
    const DTYPE: DType;
    /// Exact widening to f32.
    fn to_f32(self) -> f32;
    /// Round-to-nearest-even narrowing from f32.
    fn from_f32(v: f32) -> Self;
}

impl Float for f32 {
    const DTYPE: DType = DType::F32;
    #[inline(always)]
    fn to_f32(self) -> f32 {
        self
    }
    #[inline(always)]
    fn from_f32(v: f32) -> Self {
        v
    }
}
impl Float for f16 {
    const DTYPE: DType = DType::F16;
    #[inline(always)]
    fn to_f32(self) -> f32 {
        f16::to_f32(self)
    }
    #[inline(always)]
    fn from_f32(v: f32) -> Self {
        f16::from_f32(v)
    }
}
impl Float for bf16 {
    const DTYPE: DType = DType::BF16;
    #[inline(always)]
    fn to_f32(self) -> f32 {
        bf16::to_f32(self)
    }
    #[inline(always)]
    fn from_f32(v: f32) -> Self {
        bf16::from_f32(v)
    }
}

/// Shape and dtype of a tensor, without its data: what op descriptions are built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    /// Element type.
    pub dtype: DType,
    /// Dimensions, outermost first (row-major, contiguous).
    pub shape: Vec<usize>,
}

impl Meta {
    /// Builds a meta from a dtype and a shape.
    pub fn new(dtype: DType, shape: &[usize]) -> Self {
        Meta { dtype, shape: shape.to_vec() }
    }
    /// Number of elements.
    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }
    /// Number of dimensions.
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }
    /// Dimension `i` counted from the end (`dim_from_end(1)` is the last one).
    pub fn dim_from_end(&self, i: usize) -> usize {
        self.shape[self.shape.len() - i]
    }
    /// The shape with the last two dims removed (the batch shape of a matrix stack).
    pub fn batch_shape(&self) -> &[usize] {
        &self.shape[..self.shape.len().saturating_sub(2)]
    }
    pub(crate) fn shape_str(&self) -> String {
        fmt_shape(&self.shape)
    }
    pub(crate) fn expect_dtype(&self, arg: &'static str, allowed: &[DType]) -> Result<()> {
        if allowed.contains(&self.dtype) {
            Ok(())
        } else {
            let names: Vec<_> = allowed.iter().map(|d| d.name()).collect();
            Err(Error::dtype(arg, names.join(" or "), self.dtype))
        }
    }
}

/// A borrowed, contiguous, row-major tensor.
#[derive(Debug, Clone, Copy)]
pub struct TensorRef<'a> {
    /// Element type of `bytes`.
    pub dtype: DType,
    /// Dimensions.
    pub shape: &'a [usize],
    /// The elements, `numel * dtype.size()` bytes, aligned for `dtype`.
    pub bytes: &'a [u8],
}

/// A mutable borrowed, contiguous, row-major tensor (an output).
#[derive(Debug)]
pub struct TensorMut<'a> {
    /// Element type of `bytes`.
    pub dtype: DType,
    /// Dimensions.
    pub shape: &'a [usize],
    /// The elements.
    pub bytes: &'a mut [u8],
}

fn check_len(arg: &'static str, dtype: DType, shape: &[usize], len: usize) -> Result<()> {
    let want = shape.iter().product::<usize>() * dtype.size();
    if want != len {
        return Err(Error::shape(arg, format!("{want} bytes for shape {}", fmt_shape(shape)), format!("{len} bytes")));
    }
    Ok(())
}

impl<'a> TensorRef<'a> {
    /// Wraps a typed slice; fails if the slice length does not match the shape.
    pub fn new<T: bytemuck::Pod + Element>(data: &'a [T], shape: &'a [usize]) -> Result<Self> {
        let bytes: &[u8] = bytemuck::cast_slice(data);
        check_len("tensor", T::TAG, shape, bytes.len())?;
        Ok(TensorRef { dtype: T::TAG, shape, bytes })
    }
    /// Wraps raw bytes tagged with a dtype (used by bindings).
    pub fn from_bytes(arg: &'static str, dtype: DType, shape: &'a [usize], bytes: &'a [u8]) -> Result<Self> {
        check_len(arg, dtype, shape, bytes.len())?;
        if bytes.as_ptr() as usize % dtype.size() != 0 {
            return Err(Error::value(arg, format!("data aligned to {} bytes", dtype.size()), "a misaligned pointer"));
        }
        Ok(TensorRef { dtype, shape, bytes })
    }
    /// Its shape and dtype.
    pub fn meta(&self) -> Meta {
        Meta::new(self.dtype, self.shape)
    }
    /// Reinterprets the bytes as `T`; panics on a dtype mismatch (callers have validated).
    pub fn typed<T: bytemuck::Pod + Element>(&self) -> &'a [T] {
        assert_eq!(self.dtype, T::TAG, "internal dtype mismatch");
        bytemuck::cast_slice(self.bytes)
    }
}

impl<'a> TensorMut<'a> {
    /// Wraps a typed mutable slice; fails if the slice length does not match the shape.
    pub fn new<T: bytemuck::Pod + Element>(data: &'a mut [T], shape: &'a [usize]) -> Result<Self> {
        let bytes: &mut [u8] = bytemuck::cast_slice_mut(data);
        check_len("out", T::TAG, shape, bytes.len())?;
        Ok(TensorMut { dtype: T::TAG, shape, bytes })
    }
    /// Wraps raw bytes tagged with a dtype (used by bindings).
    pub fn from_bytes(arg: &'static str, dtype: DType, shape: &'a [usize], bytes: &'a mut [u8]) -> Result<Self> {
        check_len(arg, dtype, shape, bytes.len())?;
        if bytes.as_ptr() as usize % dtype.size() != 0 {
            return Err(Error::value(arg, format!("data aligned to {} bytes", dtype.size()), "a misaligned pointer"));
        }
        Ok(TensorMut { dtype, shape, bytes })
    }
    /// Its shape and dtype.
    pub fn meta(&self) -> Meta {
        Meta::new(self.dtype, self.shape)
    }
    /// Reinterprets the bytes as `T`; panics on a dtype mismatch (callers have validated).
    pub fn typed<T: bytemuck::Pod + Element>(&mut self) -> &mut [T] {
        assert_eq!(self.dtype, T::TAG, "internal dtype mismatch");
        bytemuck::cast_slice_mut(self.bytes)
    }
}

/// Maps a Rust element type to its [`DType`] tag.
pub trait Element {
    /// The tag.
    const TAG: DType;
}
impl Element for f32 {
    const TAG: DType = DType::F32;
}
impl Element for f16 {
    const TAG: DType = DType::F16;
}
impl Element for bf16 {
    const TAG: DType = DType::BF16;
}
impl Element for u8 {
    const TAG: DType = DType::U8;
}
impl Element for u32 {
    const TAG: DType = DType::U32;
}
impl Element for i32 {
    const TAG: DType = DType::I32;
}
impl Element for i64 {
    const TAG: DType = DType::I64;
}

/// Calls `$body` with `$T` bound to the Rust float type for a float [`DType`].
#[macro_export]
macro_rules! with_float_type {
    ($dtype:expr, $T:ident => $body:expr) => {
        match $dtype {
            $crate::DType::F32 => {
                type $T = f32;
                $body
            }
            $crate::DType::F16 => {
                type $T = $crate::half::f16;
                $body
            }
            $crate::DType::BF16 => {
                type $T = $crate::half::bf16;
                $body
            }
            other => unreachable!("validated float dtype, got {other}"),
        }
    };
}
