//! Host-tensor entry points with the CPU backend's signatures (`qmlx_core::cpu::*`): inputs are
//! copied into wgpu buffers, the kernels run, outputs are copied back. This is how bindings run
//! host (e.g. torch CPU) tensors through the wgpu backend.

use crate::context::{GpuTensor, WgpuContext};
use qmlx_core::cpu::GatherIndices;
use qmlx_core::{DequantizeOp, MatmulOp, QuantizeOp, Result, TensorMut, TensorRef};

impl WgpuContext {
    fn fetch_into(&self, g: &GpuTensor, out: &mut TensorMut<'_>) -> Result<()> {
        let bytes = self.download(g)?;
        out.bytes.copy_from_slice(&bytes);
        Ok(())
    }

    fn output(&self, t: &TensorMut<'_>) -> Result<GpuTensor> {
        self.alloc(&t.meta())
    }

    /// [`WgpuContext::quantize`] on host tensors (same signature as `qmlx_core::cpu::quantize`).
    pub fn quantize_host(
        &self,
        op: &QuantizeOp,
        w: TensorRef<'_>,
        global_scale: Option<TensorRef<'_>>,
        mut wq: TensorMut<'_>,
        mut scales: TensorMut<'_>,
        biases: Option<TensorMut<'_>>,
    ) -> Result<()> {
        let gw = self.upload(&w)?;
        let gg = global_scale.map(|g| self.upload(&g)).transpose()?;
        let (gq, gs) = (self.output(&wq)?, self.output(&scales)?);
        let gb = biases.as_ref().map(|b| self.output(b)).transpose()?;
        self.quantize(op, &gw, gg.as_ref(), &gq, &gs, gb.as_ref())?;
        self.fetch_into(&gq, &mut wq)?;
        self.fetch_into(&gs, &mut scales)?;
        if let (Some(mut b), Some(g)) = (biases, gb) {
            self.fetch_into(&g, &mut b)?;
        }
        Ok(())
    }

    /// [`WgpuContext::dequantize`] on host tensors (same signature as `qmlx_core::cpu::dequantize`).
    pub fn dequantize_host(
        &self,
        op: &DequantizeOp,
        w: TensorRef<'_>,
        scales: TensorRef<'_>,
        biases: Option<TensorRef<'_>>,
        global_scale: Option<TensorRef<'_>>,
        mut out: TensorMut<'_>,
    ) -> Result<()> {
        let gw = self.upload(&w)?;
        let gs = self.upload(&scales)?;
        let gb = biases.map(|b| self.upload(&b)).transpose()?;
        let gg = global_scale.map(|g| self.upload(&g)).transpose()?;
        let go = self.output(&out)?;
        self.dequantize(op, &gw, &gs, gb.as_ref(), gg.as_ref(), &go)?;
        self.fetch_into(&go, &mut out)
    }

    /// [`WgpuContext::matmul`] on host tensors (same signature as `qmlx_core::cpu::matmul`).
    #[allow(clippy::too_many_arguments)]
    pub fn matmul_host(
        &self,
        op: &MatmulOp,
        x: TensorRef<'_>,
        w: TensorRef<'_>,
        scales: TensorRef<'_>,
        biases: Option<TensorRef<'_>>,
        indices: GatherIndices<'_>,
        global_scale: Option<TensorRef<'_>>,
        mut out: TensorMut<'_>,
    ) -> Result<()> {
        let gx = self.upload(&x)?;
        let gw = self.upload(&w)?;
        let gs = self.upload(&scales)?;
        let gb = biases.map(|b| self.upload(&b)).transpose()?;
        let gg = global_scale.map(|g| self.upload(&g)).transpose()?;
        let go = self.output(&out)?;
        self.matmul(op, &gx, &gw, &gs, gb.as_ref(), indices, gg.as_ref(), &go)?;
        self.fetch_into(&go, &mut out)
    }
}
