//! Kernel parameter blocks, laid out exactly as the structs in `kernels/quant.cuh`.

/// Maximum number of output batch dimensions the kernels map (ops::MatrixSelect on the device).
pub const MAX_BATCH_DIMS: usize = 6;

#[repr(C)]
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct BatchMap {
    pub shape: [i64; MAX_BATCH_DIMS],
    pub xs: [i64; MAX_BATCH_DIMS],
    pub ws: [i64; MAX_BATCH_DIMS],
    pub lhs: u64,
    pub rhs: u64,
    pub x_count: i64,
    pub w_count: i64,
    pub ndim: i32,
    pub lhs_kind: i32,
    pub rhs_kind: i32,
    pub pad: i32,
}

#[repr(C)]
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct MatmulParams {
    pub x: u64,
    pub w: u64,
    pub scales: u64,
    pub biases: u64,
    pub global_scale: u64,
    pub out: u64,
    pub status: u64,
    pub host_status: u64,
    pub m: i64,
    pub n: i64,
    pub k: i64,
    pub batch: i64,
    pub row_blocks: i64,
    pub map: BatchMap,
}

#[repr(C)]
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct ConvertParams {
    pub src: u64,
    pub scales: u64,
    pub biases: u64,
    pub global_scale: u64,
    pub wq: u64,
    pub scales_out: u64,
    pub biases_out: u64,
    pub out: u64,
    pub status: u64,
    pub host_status: u64,
    pub rows: i64,
    pub cols: i64,
    pub kind: i32,
    pub bits: i32,
    pub group_size: i32,
    pub rounding: i32,
}

pub(crate) const IDX_NONE: i32 = 0;
pub(crate) const IDX_I32: i32 = 1;
pub(crate) const IDX_I64: i32 = 2;
pub(crate) const IDX_U32: i32 = 3;

pub(crate) const ST_LHS_INDEX: u32 = 1;
pub(crate) const ST_RHS_INDEX: u32 = 2;
pub(crate) const ST_NON_FINITE: u32 = 3;
pub(crate) const ST_GLOBAL_SCALE: u32 = 4;
