"""quantization_mlx: MLX's quantized formats and ops on PyTorch tensors (a drop-in for the seed's
`quantization_mlx` / `mlx-quantization-metal-kernels` kernel package).
"""

from ._api import (
    affine_gather_qmm_rhs_nax,
    affine_qmm_n,
    affine_qmm_n_nax,
    affine_qmm_t,
    affine_qmm_t_nax,
    affine_qmv,
    build_info,
    dequantize,
    gather_qmm,
    mxfp4_qmm_n,
    mxfp4_qmv,
    quantize,
    quantized_matmul,
)
from ._rust import __version__

__all__ = [
    "__version__",
    "build_info",
    "quantize",
    "dequantize",
    "quantized_matmul",
    "gather_qmm",
    "affine_qmm_t",
    "affine_qmm_n",
    "affine_qmv",
    "mxfp4_qmm_n",
    "mxfp4_qmv",
    "affine_qmm_t_nax",
    "affine_qmm_n_nax",
    "affine_gather_qmm_rhs_nax",
]
