"""Build a transformers causal LM from an MLX checkpoint directory (what ``mlx_lm.convert`` or
``qmlx convert`` writes), with the quantized layers kept quantized.

    from quantization_mlx.loader import load
    model, tokenizer = load("path/to/mlx-model", device="cpu")

Which layers are quantized follows ``mlx_lm.load`` (0.32.2): a per-layer entry of config.json's
``quantization`` block wins (a dict of group_size/bits/mode, or ``false`` for unquantized);
otherwise a Linear/Embedding is quantized when ``<path>.scales`` exists, with bits and group size
read off the tensor shapes (uint8 scales mean an fp mode). The tied output head reuses the
quantized embedding (MLX's ``as_linear``).

Tested architectures: llama, mistral, qwen2, qwen3 (the dense models mlx_lm and transformers name
alike). Others whose transformers and MLX parameter names agree are attempted too.
"""

from __future__ import annotations

import glob
import json
import os

import torch

from .nn import QuantizedEmbedding, QuantizedLinear, TiedQuantizedHead

TESTED_ARCHITECTURES = ("llama", "mistral", "qwen2", "qwen3")
_FP_MODES = {(4, 16): "nvfp4", (4, 32): "mxfp4", (8, 32): "mxfp8"}


def _read_config(path):
    cfg_path = os.path.join(path, "config.json")
    try:
        with open(cfg_path) as f:
            return json.load(f)
    except FileNotFoundError:
        raise FileNotFoundError(f"{cfg_path}: not found (an MLX checkpoint directory has config.json)") from None


def _read_weights(path):
    from safetensors import safe_open

    files = sorted(glob.glob(os.path.join(path, "model*.safetensors")))
    if not files:
        raise FileNotFoundError(f"{path}: no model*.safetensors files")
    weights = {}
    for fn in files:
        try:
            with safe_open(fn, framework="pt") as f:
                for k in f.keys():
                    t = f.get_tensor(k)
                    # safetensors data offsets need not be aligned for the element type, and the
                    # kernels require aligned data: copy such tensors.
                    if t.numel() and t.data_ptr() % t.element_size():
                        t = t.clone()
                    weights[k] = t
        except Exception as e:  # safetensors raises its own error types for truncated/corrupt files
            raise ValueError(f"{os.path.basename(fn)}: cannot read safetensors file ({e})") from e
    return weights


def _layer_params(path, in_dims, weights, qblock):
    """``None`` (not quantized) or ``(group_size, bits, mode)`` for the module at ``path``."""
    if path in qblock:
        entry = qblock[path]
        if entry is False:
            return None
        if not isinstance(entry, dict):
            raise ValueError(f"config.json quantization['{path}']: expected a dict or false, got {entry!r}")
        mode = entry.get("mode", "affine")
        return entry.get("group_size"), entry.get("bits"), mode
    scales = weights.get(f"{path}.scales")
    if scales is None:
        if weights.get(f"{path}.weight") is not None and weights[f"{path}.weight"].dtype in (torch.uint32, torch.int32):
            raise ValueError(f"{path}.weight: packed uint32 weight but {path}.scales is missing")
        return None
    w = weights.get(f"{path}.weight")
    if w is None:
        raise ValueError(f"{path}.weight: missing ({path}.scales is present)")
    if scales.ndim < 1 or scales.shape[-1] == 0 or in_dims % scales.shape[-1]:
        raise ValueError(f"{path}.scales: shape {tuple(scales.shape)} does not divide the {in_dims} input features")
    group_size = in_dims // scales.shape[-1]
    bits = (w.shape[-1] * 32) // in_dims
    if scales.dtype != torch.uint8:
        return group_size, bits, "affine"
    mode = _FP_MODES.get((bits, group_size))
    if mode is None:
        raise ValueError(f"{path}: cannot infer the quantization mode of {bits} bits with group size {group_size}")
    return group_size, bits, mode


def _set_module(root, path, module):
    parent, _, name = path.rpartition(".")
    setattr(root.get_submodule(parent) if parent else root, name, module)


def _hf_config(config):
    import transformers

    cfg = {k: v for k, v in config.items() if k not in ("quantization", "quantization_config")}
    model_type = cfg.get("model_type")
    if model_type is None:
        raise ValueError("config.json: missing 'model_type'")
    return transformers.AutoConfig.for_model(**cfg)


def load_model(path, device="cpu", dtype=None):
    """A ``transformers`` ``*ForCausalLM`` (eval mode) running an MLX checkpoint's weights as stored.

    ``device``: where every tensor goes ("cpu", "cuda", ...). ``dtype``: cast the *unquantized*
    float tensors (norms, biases) to it; quantized layers always keep their stored scales. Errors
    (missing/ill-shaped tensors, unknown modes, unreadable files) name the tensor.
    """
    import transformers

    config = _read_config(path)
    qblock = config.get("quantization") or config.get("quantization_config") or {}
    if not isinstance(qblock, dict):
        raise ValueError(f"config.json quantization: expected an object, got {qblock!r}")
    mode = qblock.get("mode", "affine")
    if qblock and mode not in ("affine", "mxfp4", "mxfp8", "nvfp4"):
        raise ValueError(f"config.json quantization: unknown mode {mode!r} "
                         "(expected 'affine', 'mxfp4', 'mxfp8' or 'nvfp4')")
    weights = _read_weights(path)
    hf_cfg = _hf_config(config)
    tied = bool(config.get("tie_word_embeddings", True))
    hf_cfg.tie_word_embeddings = tied

    with torch.device("meta"):
        model = transformers.AutoModelForCausalLM.from_config(hf_cfg)
    model.eval()

    # Replace the Linear/Embedding modules the checkpoint stores quantized.
    quantized = {}
    for name, m in list(model.named_modules()):
        if isinstance(m, torch.nn.Linear):
            in_dims, out_dims = m.in_features, m.out_features
        elif isinstance(m, torch.nn.Embedding):
            in_dims, out_dims = m.embedding_dim, m.num_embeddings
        else:
            continue
        if tied and name == "lm_head":
            continue
        params = _layer_params(name, in_dims, weights, qblock)
        if params is None:
            continue
        gs, bits, lmode = params
        scales = weights.get(f"{name}.scales")
        sdt = scales.dtype if scales is not None and scales.dtype != torch.uint8 else torch.float32
        try:
            if isinstance(m, torch.nn.Linear):
                q = QuantizedLinear(in_dims, out_dims, m.bias is not None, gs, bits, lmode,
                                    scales_dtype=sdt, device="meta")
            else:
                q = QuantizedEmbedding(out_dims, in_dims, gs, bits, lmode, scales_dtype=sdt, device="meta")
        except ValueError as e:
            raise ValueError(f"{name}: {e}") from e
        _set_module(model, name, q)
        quantized[name] = q

    # A tied head has no tensors of its own (mlx_lm drops lm_head.weight when tied).
    emb = model.get_input_embeddings()
    if tied:
        if isinstance(emb, QuantizedEmbedding):
            model.lm_head = TiedQuantizedHead(emb)
        else:
            model.lm_head = torch.nn.Identity()  # re-tied to the embedding after loading
    state = model.state_dict()
    missing = [k for k in state if k not in weights]
    unexpected = [k for k in weights if k not in state]
    if missing or unexpected:
        raise ValueError(f"{path}: checkpoint does not match the {config.get('model_type')} architecture: "
                         f"missing tensors {missing[:8]}{'...' if len(missing) > 8 else ''}, "
                         f"unexpected tensors {unexpected[:8]}{'...' if len(unexpected) > 8 else ''}")
    for k, want in state.items():
        got = weights[k]
        if tuple(got.shape) != tuple(want.shape):
            owner = k.rpartition(".")[0]
            how = ""
            if owner in quantized:
                qm = quantized[owner]
                how = f" ({qm.mode}, bits={qm.bits}, group_size={qm.group_size})"
            raise ValueError(f"{k}: expected shape {tuple(want.shape)}{how}, got {tuple(got.shape)}")
    to_load = {}
    for k in state:
        t = weights[k]
        owner = k.rpartition(".")[0]
        if dtype is not None and t.is_floating_point() and owner not in quantized:
            t = t.to(dtype)
        to_load[k] = t.to(device)
    model.load_state_dict(to_load, strict=True, assign=True)
    for name, q in quantized.items():
        q.check_loaded(prefix=f"{name}.")

    if tied and not isinstance(emb, QuantizedEmbedding):
        head = torch.nn.Linear(emb.embedding_dim, emb.num_embeddings, bias=False, device="meta")
        head.weight = emb.weight
        model.lm_head = head

    # Buffers computed at construction (rotary frequencies) are still on the meta device: rebuild
    # those modules on the target device.
    for name, m in list(model.named_modules()):
        if any(b.is_meta for b in m.buffers(recurse=False)):
            if hasattr(m, "config") and "Rotary" in type(m).__name__:
                with torch.device(device):
                    _set_module(model, name, type(m)(config=m.config))
            else:
                raise RuntimeError(f"{name}: buffer left uninitialised after loading ({type(m).__name__})")
    if config.get("model_type") not in TESTED_ARCHITECTURES:
        import warnings

        warnings.warn(f"model_type {config.get('model_type')!r} is not among the tested architectures "
                      f"{TESTED_ARCHITECTURES}", stacklevel=2)
    return model


def load(path, device="cpu", dtype=None):
    """``(model, tokenizer)`` like ``mlx_lm.load``; the tokenizer is transformers' AutoTokenizer."""
    import transformers

    model = load_model(path, device=device, dtype=dtype)
    tok = transformers.AutoTokenizer.from_pretrained(path)
    return model, tok
