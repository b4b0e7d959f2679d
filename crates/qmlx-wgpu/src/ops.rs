//! The three ops on [`GpuTensor`]s, driven by the same validated descriptions as the CPU backend
//! (`QuantizeOp`, `DequantizeOp`, `MatmulOp` and `MatmulOp::pairs`).

use crate::context::{flat_grid, Dispatch, GpuTensor, WgpuContext};
use crate::plan::Plan;
use crate::shaders::{dtype_tag, spec_constants, Kernel};
use qmlx_core::cpu::GatherIndices;
use qmlx_core::{DType, DequantizeOp, Error, MatmulOp, Meta, QuantizeOp, Result, Rounding};

/// A tensor's dtype and shape, for the shared buffer checks of the op descriptions.
fn meta(t: &GpuTensor) -> Meta {
    Meta::new(t.dtype, &t.shape)
}

fn metas(t: Option<&GpuTensor>) -> Option<Meta> {
    t.map(meta)
}

/// Kernels index with u32: refuse tensors past 2^32 elements (words) instead of wrapping.
fn fits_u32(what: &str, n: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| Error::Backend(format!("wgpu: {what} ({n}) exceeds the kernels' 32-bit indexing")))
}

impl WgpuContext {
    /// Quantizes `w` into `wq`, `scales` and (affine) `biases`, shaped as `op` says; bit-exact
    /// with `qmlx_core::cpu::quantize`. NaN/inf in `w` → [`Error::NonFinite`] naming the row.
    pub fn quantize(
        &self,
        op: &QuantizeOp,
        w: &GpuTensor,
        global_scale: Option<&GpuTensor>,
        wq: &GpuTensor,
        scales: &GpuTensor,
        biases: Option<&GpuTensor>,
    ) -> Result<()> {
        op.check_buffers(&meta(w), metas(global_scale).as_ref(), &meta(wq), &meta(scales), metas(biases).as_ref())?;
        let gs = op.spec.group_size() as usize;
        let groups = op.rows * op.cols / gs;
        if groups == 0 {
            return Ok(());
        }
        fits_u32("w elements", op.rows * op.cols)?;
        let per_word = if op.spec.has_biases() { if op.w_dtype == DType::F32 { 1 } else { 2 } } else { 4 };
        let threads = groups.div_ceil(per_word);
        let params = self.uniform(&[fits_u32("groups", groups)?, (op.cols / gs) as u32, global_scale.is_some() as u32, 0, 0, 0, 0, 0]);
        let status = self.upload_words("qmlx-status", &[u32::MAX, 0u32, 0, 0])?;
        let unused = self.scratch(16)?;
        let mut constants = spec_constants(&op.spec);
        constants.push(("WDT", dtype_tag(op.w_dtype)));
        constants.push(("ROUNDING", if op.rounding == Rounding::Cpu { 1.0 } else { 0.0 }));
        let g = global_scale.map_or(&self.dummy, |g| &g.buffer);
        let b = biases.map_or(&unused, |b| &b.buffer);
        self.dispatch(
            Kernel::Quantize,
            &constants,
            &[&params, &w.buffer, g, &wq.buffer, &scales.buffer, b, &status],
            flat_grid(threads.div_ceil(64))?,
        )?;
        let st: Vec<u32> = bytemuck::pod_collect_to_vec(&self.read_bytes(&status, 0, 8)?);
        if st[1] != 0 {
            let gv = f32::from_le_bytes(self.read_bytes(&global_scale.unwrap().buffer, 0, 4)?.try_into().unwrap());
            return Err(Error::Value { arg: "global_scale", expected: "a finite positive float".into(), got: gv.to_string() });
        }
        if st[0] != u32::MAX {
            let row = st[0] as usize;
            let es = op.w_dtype.size();
            let bytes = self.read_bytes(&w.buffer, (row * op.cols * es) as u64, op.cols * es)?;
            let value = bytes
                .chunks(es)
                .map(|c| match op.w_dtype {
                    DType::F32 => f32::from_le_bytes(c.try_into().unwrap()),
                    DType::F16 => half::f16::from_le_bytes(c.try_into().unwrap()).to_f32(),
                    _ => half::bf16::from_le_bytes(c.try_into().unwrap()).to_f32(),
                })
                .find(|v| !v.is_finite())
                .unwrap_or(f32::NAN);
            return Err(Error::NonFinite { row, value });
        }
        Ok(())
    }

    /// Dequantizes packed `w` into `out` (dtype `op.out_dtype`); bit-exact with the CPU backend.
    pub fn dequantize(
        &self,
        op: &DequantizeOp,
        w: &GpuTensor,
        scales: &GpuTensor,
        biases: Option<&GpuTensor>,
        global_scale: Option<&GpuTensor>,
        out: &GpuTensor,
    ) -> Result<()> {
        let spec = &op.spec;
        let words = op.rows * spec.packed_words(op.cols);
        op.check_buffers(&meta(w), &meta(scales), metas(biases).as_ref(), metas(global_scale).as_ref(), &meta(out))?;
        let sd = if spec.has_biases() { op.scales_dtype } else { DType::U8 };
        let elems = op.rows * op.cols;
        if elems == 0 {
            return Ok(());
        }
        let params = self.uniform(&[fits_u32("elements", elems)?, fits_u32("words", words)?, global_scale.is_some() as u32, 0, 0, 0, 0, 0]);
        let mut constants = spec_constants(spec);
        constants.push(("SDT", if spec.has_biases() { dtype_tag(sd) } else { 0.0 }));
        constants.push(("ODT", dtype_tag(op.out_dtype)));
        self.dispatch(
            Kernel::Dequantize,
            &constants,
            &[
                &params,
                &w.buffer,
                &scales.buffer,
                biases.map_or(&self.dummy, |b| &b.buffer),
                global_scale.map_or(&self.dummy, |g| &g.buffer),
                &out.buffer,
            ],
            flat_grid(elems.div_ceil(32).div_ceil(64))?,
        )
    }

    /// `quantized_matmul` / `gather_qmm` as described by `op`. `x` (and affine scales/biases)
    /// must already have dtype `op.out_dtype`; gather indices are read on the host and validated
    /// by `op.pairs`, so no kernel ever indexes with an unchecked value.
    #[allow(clippy::too_many_arguments)]
    pub fn matmul(
        &self,
        op: &MatmulOp,
        x: &GpuTensor,
        w: &GpuTensor,
        scales: &GpuTensor,
        biases: Option<&GpuTensor>,
        indices: GatherIndices<'_>,
        global_scale: Option<&GpuTensor>,
        out: &GpuTensor,
    ) -> Result<()> {
        if let Some(p) = self.prepare_matmul(op, x, w, scales, biases, indices, global_scale, out)? {
            self.submit(&p.steps.iter().collect::<Vec<_>>());
        }
        Ok(())
    }

    /// Validates and binds a matmul once, for running it repeatedly ([`PreparedMatmul::encode`]);
    /// None when the output is empty. What [`WgpuContext::matmul`] runs.
    #[allow(clippy::too_many_arguments)]
    pub fn prepare_matmul(
        &self,
        op: &MatmulOp,
        x: &GpuTensor,
        w: &GpuTensor,
        scales: &GpuTensor,
        biases: Option<&GpuTensor>,
        indices: GatherIndices<'_>,
        global_scale: Option<&GpuTensor>,
        out: &GpuTensor,
    ) -> Result<Option<PreparedMatmul>> {
        let spec = &op.spec;
        let (rows, cols) = if op.transpose { (op.n, op.k) } else { (op.k, op.n) };
        let gs = spec.group_size() as usize;
        op.check_buffers(&meta(x), &meta(w), &meta(scales), metas(biases).as_ref(), metas(global_scale).as_ref(), &meta(out))?;
        let pairs = op.pairs(indices.lhs, indices.rhs)?;
        let total = pairs.len() * op.m * op.n;
        if total == 0 {
            return Ok(None);
        }
        fits_u32("output elements", total)?;
        fits_u32("x elements", op.x_count * op.m * op.k)?;
        fits_u32("w words", op.w_count * rows * spec.packed_words(cols))?;

        let plan = Plan::new(op, &pairs);
        let tiles_buf = self.upload_words("qmlx-tiles", &plan.tiles)?;
        let rows_buf = self.upload_words("qmlx-rows", &plan.rows)?;
        let ntiles = plan.tiles.len() as u32;
        let params = self.uniform(&[
            op.n as u32,
            op.k as u32,
            rows as u32,
            spec.packed_words(cols) as u32,
            (cols / gs) as u32,
            global_scale.is_some() as u32,
            ntiles,
            cols as u32,
        ]);
        let mut constants = spec_constants(spec);
        constants.push(("XDT", dtype_tag(op.out_dtype)));
        let layout = plan.qmv.then(|| self.qmv_layout(op));
        let (kernel, gx) = if let Some(l) = &layout {
            constants.extend(l.constants(op, &plan));
            (Kernel::Qmv, op.n.div_ceil(l.cols_per_group()))
        } else {
            constants.push(("TRANSPOSE", op.transpose as u32 as f64));
            (Kernel::Qmm, op.n.div_ceil(32))
        };
        // A 16-bit output goes through a float32 scratch and a cast, unless qmv writes it itself.
        let cast = op.out_dtype != DType::F32 && !layout.is_some_and(|l| l.writes_16bit(op));
        let scratch = cast.then(|| self.scratch(total * 4)).transpose()?;
        let dst = scratch.as_ref().unwrap_or(&out.buffer);
        let mut steps = vec![self.prepare(
            kernel,
            &constants,
            &[
                &params,
                &x.buffer,
                &w.buffer,
                &scales.buffer,
                biases.map_or(&self.dummy, |b| &b.buffer),
                global_scale.map_or(&self.dummy, |g| &g.buffer),
                &tiles_buf,
                &rows_buf,
                dst,
            ],
            (fits_u32("grid", gx)?, ntiles),
        )?];
        if cast {
            let cparams = self.uniform(&[total as u32, 0, 0, 0, 0, 0, 0, 0]);
            steps.push(self.prepare(
                Kernel::Cast,
                &[("ODT", dtype_tag(op.out_dtype))],
                &[&cparams, dst, &out.buffer],
                flat_grid(total.div_ceil(2).div_ceil(64))?,
            )?);
        }
        Ok(Some(PreparedMatmul { steps, kernel, layout }))
    }
}

/// A validated, bound matmul ([`WgpuContext::prepare_matmul`]): its kernel and, for 16-bit
/// outputs, the cast after it. The bind groups keep every buffer they use alive.
#[derive(Debug)]
pub struct PreparedMatmul {
    steps: Vec<Dispatch>,
    kernel: Kernel,
    layout: Option<crate::plan::QmvLayout>,
}

impl PreparedMatmul {
    /// Records the matmul into a compute pass.
    pub fn encode(&self, pass: &mut wgpu::ComputePass<'_>) {
        for s in &self.steps {
            s.encode(pass);
        }
    }
    /// The matmul kernel chosen (qmv for decode shapes, qmm otherwise).
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }
    /// The kernel, its qmv layout and whether a cast follows, e.g. `qmv 32x4x128x2`.
    pub fn describe(&self) -> String {
        let cast = if self.steps.len() > 1 { "+cast" } else { "" };
        match self.layout {
            Some(l) => format!("{} {l}{cast}", self.kernel.name()),
            None => format!("{}{cast}", self.kernel.name()),
        }
    }
}

