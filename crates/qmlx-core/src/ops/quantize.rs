//! Validated descriptions of `quantize` and `dequantize`.

use crate::dtype::{DType, Meta};
use crate::error::{fmt_shape, Error, Result};
use crate::format::{Mode, QuantSpec, Rounding};

/// Checks an nvfp4 global scale: one float32 element, and only for nvfp4.
pub(crate) fn check_scalar_global_scale(spec: &QuantSpec, global_scale: Option<&Meta>) -> Result<()> {
    if let Some(g) = global_scale {
        if spec.mode() != Mode::Nvfp4 {
            return Err(Error::value("global_scale", "None for mode '".to_string() + spec.mode().name() + "' (only nvfp4 has one)", "a tensor"));
        }
        g.expect_dtype("global_scale", &[DType::F32])?;
        if g.numel() != 1 || g.ndim() > 1 {
            return Err(Error::shape("global_scale", "one element, shape () or (1,)", g.shape_str()));
        }
    }
    Ok(())
}

/// `quantize(w)`: `w [..., R, K]` float → `wq [..., R, K*bits/32]` u32, `scales [..., R, K/gs]`,
/// `biases` (affine).
#[derive(Debug, Clone, PartialEq)]
pub struct QuantizeOp {
    /// The quantization.
    pub spec: QuantSpec,
    /// Affine algorithm variant (fp modes have one algorithm).
    pub rounding: Rounding,
    /// Input weight dtype (also the dtype of affine scales/biases).
    pub w_dtype: DType,
    /// Rows over all leading dims.
    pub rows: usize,
    /// Elements per row.
    pub cols: usize,
    /// Whether an nvfp4 global scale is given.
    pub has_global_scale: bool,
    /// Shape of the packed output.
    pub wq_shape: Vec<usize>,
    /// Shape of scales (and biases).
    pub scales_shape: Vec<usize>,
}

impl QuantizeOp {
    /// Validates the weight's shape and dtype against the quantization.
    pub fn new(w: &Meta, spec: QuantSpec, rounding: Rounding, global_scale: Option<&Meta>) -> Result<Self> {
        w.expect_dtype("w", &[DType::F32, DType::F16, DType::BF16])?;
        if w.ndim() < 2 {
            return Err(Error::shape("w", "at least 2 dimensions", w.shape_str()));
        }
        check_scalar_global_scale(&spec, global_scale)?;
        let cols = w.dim_from_end(1);
        if cols % spec.group_size() as usize != 0 {
            return Err(Error::shape(
                "w",
                format!("last dimension divisible by group_size={}", spec.group_size()),
                w.shape_str(),
            ));
        }
        let rows = w.shape[..w.ndim() - 1].iter().product();
        let lead = &w.shape[..w.ndim() - 1];
        let mut wq_shape = lead.to_vec();
        wq_shape.push(spec.packed_words(cols));
        let mut scales_shape = lead.to_vec();
        scales_shape.push(cols / spec.group_size() as usize);
        Ok(QuantizeOp {
            spec,
            rounding,
            w_dtype: w.dtype,
            rows,
            cols,
            has_global_scale: global_scale.is_some(),
            wq_shape,
            scales_shape,
        })
    }
    /// Meta of the packed weight output.
    pub fn wq_meta(&self) -> Meta {
        Meta::new(DType::U32, &self.wq_shape)
    }
    /// Meta of the scales output.
    pub fn scales_meta(&self) -> Meta {
        Meta::new(self.spec.scales_dtype(self.w_dtype), &self.scales_shape)
    }
    /// Meta of the biases output (affine only).
    pub fn biases_meta(&self) -> Option<Meta> {
        self.spec.has_biases().then(|| Meta::new(self.w_dtype, &self.scales_shape))
    }
}

/// `dequantize(w, scales, biases)`: packed `[..., R, W]` → `[..., R, W*32/bits]`.
#[derive(Debug, Clone, PartialEq)]
pub struct DequantizeOp {
    /// The quantization.
    pub spec: QuantSpec,
    /// Rows over all leading dims.
    pub rows: usize,
    /// Elements per row.
    pub cols: usize,
    /// Dtype of affine scales/biases (None for fp modes).
    pub scales_dtype: DType,
    /// Whether an nvfp4 global scale is given.
    pub has_global_scale: bool,
    /// Output dtype (MLX default: scales' dtype for affine, bfloat16 for fp modes, float32 for nvfp4
    /// with a global scale).
    pub out_dtype: DType,
    /// Output shape.
    pub out_shape: Vec<usize>,
}

/// Checks that `scales` (and `biases`) match packed `w` under `spec`: same leading dims, same row
/// count, and `w.shape[-1]*32/bits == scales.shape[-1]*group_size`. Returns the unpacked row length.
pub(crate) fn check_quantized_weight(
    spec: &QuantSpec,
    w: &Meta,
    scales: &Meta,
    biases: Option<&Meta>,
) -> Result<usize> {
    w.expect_dtype("w", &[DType::U32])?;
    if w.ndim() < 2 {
        return Err(Error::shape("w", "at least 2 dimensions", w.shape_str()));
    }
    if spec.has_biases() {
        let b = biases.ok_or_else(|| Error::value("biases", "a tensor for mode 'affine'", "None"))?;
        scales.expect_dtype("scales", &[DType::F32, DType::F16, DType::BF16])?;
        if b.dtype != scales.dtype {
            return Err(Error::dtype("biases", format!("{} (the dtype of scales)", scales.dtype), b.dtype));
        }
        if b.shape != scales.shape {
            return Err(Error::shape("biases", format!("the shape of scales {}", scales.shape_str()), b.shape_str()));
        }
    } else {
        if biases.is_some() {
            return Err(Error::value("biases", format!("None for mode '{}'", spec.mode()), "a tensor"));
        }
        scales.expect_dtype("scales", &[DType::U8])?;
    }
    let cols = spec.unpacked_len(w.dim_from_end(1));
    let gs = spec.group_size() as usize;
    let mut expected = w.shape.clone();
    *expected.last_mut().unwrap() = cols / gs;
    if cols % gs != 0 || scales.shape != expected {
        return Err(Error::shape(
            "scales",
            format!(
                "{} for w of shape {} with group_size={} and bits={}",
                fmt_shape(&expected),
                w.shape_str(),
                spec.group_size(),
                spec.bits()
            ),
            scales.shape_str(),
        ));
    }
    Ok(cols)
}

impl DequantizeOp {
    /// Validates packed weight, scales, biases and the output dtype.
    pub fn new(
        w: &Meta,
        scales: &Meta,
        biases: Option<&Meta>,
        spec: QuantSpec,
        global_scale: Option<&Meta>,
        dtype: Option<DType>,
    ) -> Result<Self> {
        let cols = check_quantized_weight(&spec, w, scales, biases)?;
        check_scalar_global_scale(&spec, global_scale)?;
        // MLX: affine → the scales' dtype; fp → bfloat16, promoted with the float32 global scale.
        let default = match (spec.has_biases(), global_scale) {
            (true, _) => scales.dtype,
            (false, None) => DType::BF16,
            (false, Some(_)) => DType::F32,
        };
        let out_dtype = dtype.unwrap_or(default);
        if !out_dtype.is_float() {
            return Err(Error::dtype("dtype", "float32, float16 or bfloat16", out_dtype));
        }
        let rows = w.shape[..w.ndim() - 1].iter().product();
        let mut out_shape = w.shape.clone();
        *out_shape.last_mut().unwrap() = cols;
        Ok(DequantizeOp {
            spec,
            rows,
            cols,
            scales_dtype: scales.dtype,
            has_global_scale: global_scale.is_some(),
            out_dtype,
            out_shape,
        })
    }
}
