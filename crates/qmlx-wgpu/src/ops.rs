//! The three ops on [`GpuTensor`]s, driven by the same validated descriptions as the CPU backend
//! (`QuantizeOp`, `DequantizeOp`, `MatmulOp` and `MatmulOp::pairs`) and dispatched from the
//! launch descriptions of [`crate::launch`], the ones the Metal host dispatches too.

use crate::context::{Dispatch, GpuTensor, WgpuContext};
use crate::launch::{Launch, QUANTIZE_STATUS_INIT};
use crate::plan::Plan;
use crate::shaders::Kernel;
use qmlx_core::cpu::GatherIndices;
use qmlx_core::{DType, DequantizeOp, Error, MatmulOp, Meta, QuantizeOp, Result};

/// A tensor's dtype and shape, for the shared buffer checks of the op descriptions.
fn meta(t: &GpuTensor) -> Meta {
    Meta::new(t.dtype, &t.shape)
}

fn metas(t: Option<&GpuTensor>) -> Option<Meta> {
    t.map(meta)
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
        let Some(launch) = Launch::quantize(op)? else { return Ok(()) };
        let status = self.upload_words("qmlx-status", &QUANTIZE_STATUS_INIT)?;
        let unused = self.scratch(16)?;
        let g = global_scale.map_or(&self.dummy, |g| &g.buffer);
        let b = biases.map_or(&unused, |b| &b.buffer);
        self.dispatch_launch(&launch, &[&w.buffer, g, &wq.buffer, &scales.buffer, b, &status])?;
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
        if let Some(d) = self.prepare_dequantize(op, w, scales, biases, global_scale, out)? {
            self.submit(&[&d]);
        }
        Ok(())
    }

    /// Validates and binds a dequantize (None when there is nothing to do).
    fn prepare_dequantize(
        &self,
        op: &DequantizeOp,
        w: &GpuTensor,
        scales: &GpuTensor,
        biases: Option<&GpuTensor>,
        global_scale: Option<&GpuTensor>,
        out: &GpuTensor,
    ) -> Result<Option<Dispatch>> {
        op.check_buffers(&meta(w), &meta(scales), metas(biases).as_ref(), metas(global_scale).as_ref(), &meta(out))?;
        let Some(launch) = Launch::dequantize(op)? else { return Ok(None) };
        let buffers = [&w.buffer, &scales.buffer, biases.map_or(&self.dummy, |b| &b.buffer), global_scale.map_or(&self.dummy, |g| &g.buffer), &out.buffer];
        self.prepare_launch(&launch, &buffers).map(Some)
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
        op.check_buffers(&meta(x), &meta(w), &meta(scales), metas(biases).as_ref(), metas(global_scale).as_ref(), &meta(out))?;
        let pairs = op.pairs(indices.lhs, indices.rhs)?;
        if pairs.len() * op.m * op.n == 0 {
            return Ok(None);
        }
        let plan = Plan::new(op, &pairs);
        let layout = plan.qmv.then(|| self.qmv_layout(op));
        let launch = Launch::matmul_with_layout(op, &plan, layout)?;
        let (tiles, rows) = if plan.is_direct() {
            self.direct_tables(plan.rows.len())?
        } else {
            (self.upload_words("qmlx-tiles", &plan.tiles)?, self.upload_words("qmlx-rows", &plan.rows)?)
        };
        // A 16-bit output the kernel does not write itself goes through a float32 scratch and a cast.
        let scratch = launch.cast.as_ref().map(|_| self.scratch(plan.rows.len() * op.n * 4)).transpose()?;
        let dst = scratch.as_ref().unwrap_or(&out.buffer);
        let mut main = vec![
            &x.buffer,
            &w.buffer,
            &scales.buffer,
            biases.map_or(&self.dummy, |b| &b.buffer),
            global_scale.map_or(&self.dummy, |g| &g.buffer),
            &tiles,
            &rows,
            dst,
        ];
        if launch.main.kernel.binds_w_words() {
            main.push(&w.buffer);
        }
        let mut steps = vec![self.prepare_launch(&launch.main, &main)?];
        if let Some(cast) = &launch.cast {
            steps.push(self.prepare_launch(cast, &[dst, &out.buffer])?);
        }
        Ok(Some(PreparedMatmul { steps, kernel: launch.main.kernel, layout }))
    }
}

impl WgpuContext {
    /// Records every op that `record` adds to the [`Batch`] into ONE compute pass and submits it
    /// once, after `record` returns (nothing is submitted if it fails). A model runner's way to
    /// run a layer's matmuls: on NVIDIA's Vulkan driver a compute pass costs about 5 µs of GPU
    /// time (bench/results/wgpu-gpu-h100-stage4-round2.txt), more than a third of a 4-bit
    /// 14336×4096 decode matmul. Ops run in the order added; an op reading an earlier op's
    /// output sees it (wgpu orders the dispatches of a pass that share a buffer).
    pub fn batch<'c, R>(&'c self, record: impl FnOnce(&mut Batch<'c>) -> Result<R>) -> Result<R> {
        let mut b = Batch { ctx: self, steps: Vec::new() };
        let r = record(&mut b)?;
        if !b.steps.is_empty() {
            self.submit(&b.steps.iter().map(|s| match s {
                Step::Bound(d) => d,
                Step::Prepared(d) => *d,
            }).collect::<Vec<_>>());
        }
        Ok(r)
    }
}

/// The ops of one [`WgpuContext::batch`]: validated and bound as they are added (or prepared
/// before, [`Batch::prepared`]), encoded into one compute pass at the end.
pub struct Batch<'c> {
    ctx: &'c WgpuContext,
    steps: Vec<Step<'c>>,
}

/// A dispatch of a batch: bound by the batch, or part of a matmul prepared by the caller.
enum Step<'c> {
    Bound(Dispatch),
    Prepared(&'c Dispatch),
}

impl<'c> Batch<'c> {
    /// A matmul prepared once by [`WgpuContext::prepare_matmul`], as a step of the batch: no
    /// validation or binding per call (a runner that reuses its buffers every token).
    pub fn prepared(&mut self, p: &'c PreparedMatmul) {
        self.steps.extend(p.steps.iter().map(Step::Prepared));
    }

    /// [`WgpuContext::matmul`] as a step of the batch.
    #[allow(clippy::too_many_arguments)]
    pub fn matmul(
        &mut self,
        op: &MatmulOp,
        x: &GpuTensor,
        w: &GpuTensor,
        scales: &GpuTensor,
        biases: Option<&GpuTensor>,
        indices: GatherIndices<'_>,
        global_scale: Option<&GpuTensor>,
        out: &GpuTensor,
    ) -> Result<()> {
        if let Some(p) = self.ctx.prepare_matmul(op, x, w, scales, biases, indices, global_scale, out)? {
            self.steps.extend(p.steps.into_iter().map(Step::Bound));
        }
        Ok(())
    }

    /// [`WgpuContext::dequantize`] as a step of the batch.
    pub fn dequantize(
        &mut self,
        op: &DequantizeOp,
        w: &GpuTensor,
        scales: &GpuTensor,
        biases: Option<&GpuTensor>,
        global_scale: Option<&GpuTensor>,
        out: &GpuTensor,
    ) -> Result<()> {
        if let Some(d) = self.ctx.prepare_dequantize(op, w, scales, biases, global_scale, out)? {
            self.steps.push(Step::Bound(d));
        }
        Ok(())
    }

    /// Ops added so far (dispatches: a matmul with a 16-bit output its kernel does not write
    /// itself counts two, its cast included).
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
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

