"""MLX checkpoints end to end, against the real tools (issue 6).

* `qmlx convert --rounding cpu` vs `mlx_lm.convert` (which quantizes with MLX's CPU rules on
  Linux): every tensor bit-identical, and config.json / index / model card byte-identical, for
  several bits / group sizes / dtypes, sharded input and tied embeddings.
* `mlx_lm.load` loads our output; our transformers loader gives mlx_lm's logits (float32
  checkpoints: max |diff| <= 2e-5, measured ~5e-7) and the same 16 greedy tokens, for llama,
  mistral, qwen2 and qwen3, and for mlx_lm's mixed per-layer recipes.
* fp modes: checked against the GPU rules (this package's quantize, which the core checks against
  MLX-GPU fixtures), not mlx_lm on Linux (MLX's CPU fallback differs by design).
* Bad checkpoints raise errors naming the tensor.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "checkpoint"))
import ckpt_util  # noqa: E402

mx = pytest.importorskip("mlx.core", reason="mlx[cpu] is needed for the checkpoint tests")
mlx_lm = pytest.importorskip("mlx_lm", reason="mlx-lm==0.32.2 is needed (requirements-dev.txt)")
transformers = pytest.importorskip("transformers", reason="transformers is needed (requirements-dev.txt)")
import torch  # noqa: E402

import make_tiny  # noqa: E402

LOGIT_TOL = 2e-5  # float32 checkpoints: same stored weights, different summation order
PROMPT = list(range(5, 37))


@pytest.fixture(scope="session")
def qmlx_bin():
    b = ckpt_util.find_qmlx()
    if b is None:
        pytest.skip("SKIP: qmlx binary not built (cargo build --bin qmlx, or set QMLX_BIN)")
    print(f"[checkpoint tests] qmlx binary: {b}")
    return b


@pytest.fixture(scope="session")
def models(tmp_path_factory):
    """Tiny transformers checkpoints, made once (seeds fixed and printed by make_tiny)."""
    root = tmp_path_factory.mktemp("hf")
    made = {}

    def get(name, *args):
        if name not in made:
            out = root / name
            make_tiny.main([str(out), *args])
            made[name] = out
        return made[name]

    return get


_MODEL_ARGS = {
    "bf16": ["--dtype", "bfloat16", "--seed", "1"],
    "f32": ["--dtype", "float32", "--seed", "2"],
    "tied": ["--dtype", "bfloat16", "--tie", "--seed", "3"],
    "sharded": ["--dtype", "bfloat16", "--shard-size", "100KB", "--seed", "4"],
    "f16": ["--dtype", "float16", "--seed", "5"],
}


def _mlx_lm_convert(src, dst, **kw):
    from mlx_lm import convert

    convert(str(src), str(dst), **kw)


# (model, bits, group_size, --dtype)
AFFINE_CASES = [
    ("bf16", 4, 64, None),
    ("bf16", 2, 32, None),
    ("bf16", 3, 64, "float16"),
    ("bf16", 6, 128, "float32"),
    ("bf16", 8, 32, None),
    ("f32", 5, 64, None),
    ("f16", 4, 32, "bfloat16"),
    ("tied", 4, 64, None),
    ("sharded", 4, 32, None),
]


@pytest.mark.parametrize("model,bits,gs,dtype", AFFINE_CASES, ids=[f"{m}-b{b}-g{g}-{d}" for m, b, g, d in AFFINE_CASES])
def test_affine_bit_identical_to_mlx_lm(qmlx_bin, models, tmp_path, model, bits, gs, dtype):
    src = models(model, *_MODEL_ARGS[model])
    if model == "sharded":
        assert len(list(src.glob("model-*.safetensors"))) > 1, "the sharded source must have several shards"
    theirs, ours = tmp_path / "mlx_lm", tmp_path / "qmlx"
    _mlx_lm_convert(src, theirs, quantize=True, q_group_size=gs, q_bits=bits, dtype=dtype)
    args = ["convert", src, ours, "--bits", bits, "--group-size", gs, "--rounding", "cpu", "-q"]
    if dtype:
        args += ["--dtype", dtype]
    ckpt_util.qmlx(qmlx_bin, *args)
    problems, n = ckpt_util.diff_checkpoints(theirs, ours)
    assert not problems, "\n".join(problems[:20])
    n_quant = sum(1 for k in ckpt_util.load_bits(ours) if k.endswith(".scales"))
    assert n_quant == (15 if model == "tied" else 16)
    for f in ("config.json", "model.safetensors.index.json", "README.md", "generation_config.json", "tokenizer.json"):
        assert (theirs / f).read_bytes() == (ours / f).read_bytes(), f"{f} differs"
    print(f"[{model} b{bits} g{gs} {dtype}] {n} tensors bit-identical ({n_quant} quantized layers)")


@pytest.fixture(scope="session")
def f32_pair(qmlx_bin, models, tmp_path_factory):
    """A float32 llama converted by qmlx (cpu rounding) and by mlx_lm, 4-bit g64."""
    src = models("f32", *_MODEL_ARGS["f32"])
    d = tmp_path_factory.mktemp("f32pair")
    ckpt_util.qmlx(qmlx_bin, "convert", src, d / "qmlx", "--rounding", "cpu", "--dtype", "float32", "-q")
    _mlx_lm_convert(src, d / "mlx_lm", quantize=True, q_group_size=64, q_bits=4, dtype="float32")
    return d / "qmlx", d / "mlx_lm"


def test_mlx_lm_loads_ours(f32_pair):
    from mlx_lm import load

    ours, theirs = f32_pair
    m_ours, tok = load(str(ours))
    m_theirs, _ = load(str(theirs))
    a = np.array(m_ours(mx.array([PROMPT])))
    b = np.array(m_theirs(mx.array([PROMPT])))
    assert np.array_equal(a, b)
    assert ckpt_util.mlx_greedy(m_ours, PROMPT, 16) == ckpt_util.mlx_greedy(m_theirs, PROMPT, 16)
    assert tok.encode("The quick brown fox")


def _compare_with_mlx_lm(ckpt, steps=16, tol=LOGIT_TOL):
    from mlx_lm import load as mlx_load

    from quantization_mlx.loader import load

    m_mlx, _ = mlx_load(str(ckpt))
    ref = np.array(m_mlx(mx.array([PROMPT]))[0].astype(mx.float32))
    model, tok = load(str(ckpt))
    with torch.no_grad():
        got = model(torch.tensor([PROMPT])).logits[0].float().numpy()
    err = float(np.abs(got - ref).max())
    print(f"[{ckpt.name}] max|logit diff| = {err:.3g} (max |logit| {np.abs(ref).max():.3g}, tol {tol})")
    assert err <= tol
    if steps:
        want = ckpt_util.mlx_greedy(m_mlx, PROMPT, steps)
        assert ckpt_util.torch_greedy(model, PROMPT, steps) == want
    return model, err


def test_transformers_logits_and_greedy_match_mlx_lm(f32_pair):
    ours, theirs = f32_pair
    model, _ = _compare_with_mlx_lm(ours)
    from quantization_mlx.nn import QuantizedEmbedding, QuantizedLinear

    kinds = [type(m).__name__ for m in model.modules() if isinstance(m, (QuantizedLinear, QuantizedEmbedding))]
    assert kinds.count("QuantizedLinear") == 15 and kinds.count("QuantizedEmbedding") == 1
    assert not any(isinstance(m, torch.nn.Linear) for m in model.modules())
    _compare_with_mlx_lm(theirs, steps=0)  # mlx_lm's own file loads the same way


@pytest.mark.parametrize("arch", ["llama-tied", "mistral", "qwen2", "qwen3"])
def test_architectures(qmlx_bin, models, tmp_path, arch):
    name, _, tie = arch.partition("-")
    args = ["--arch", name, "--dtype", "float32", "--seed", "6"] + (["--tie"] if tie else [])
    src = models(f"{arch}-f32", *args)
    out = tmp_path / arch
    ckpt_util.qmlx(qmlx_bin, "convert", src, out, "--rounding", "cpu", "--bits", "8", "--group-size", "32", "-q")
    _compare_with_mlx_lm(out)


def test_per_layer_overrides_mixed_recipe(models, tmp_path, qmlx_bin):
    """mlx_lm's mixed_3_6 recipe writes per-layer entries; the loader and inspect honour them."""
    src = models("f32", *_MODEL_ARGS["f32"])
    out = tmp_path / "mixed"
    _mlx_lm_convert(src, out, quantize=True, q_group_size=64, q_bits=3, dtype="float32", quant_predicate="mixed_3_6")
    q = json.loads((out / "config.json").read_text())["quantization"]
    per_layer = {k: v for k, v in q.items() if isinstance(v, dict)}
    assert {v["bits"] for v in per_layer.values()} == {3, 6}
    model, _ = _compare_with_mlx_lm(out)
    for path, spec in per_layer.items():
        m = model.get_submodule(path)
        assert (m.bits, m.group_size, m.mode) == (spec["bits"], spec["group_size"], spec["mode"]), path
    r = ckpt_util.qmlx(qmlx_bin, "inspect", out)
    assert "check: OK" in r.stdout and " 6 " in r.stdout


@pytest.mark.parametrize("mode", ["mxfp4", "mxfp8", "nvfp4"])
def test_fp_modes_follow_gpu_rules(qmlx_bin, models, tmp_path, mode):
    import quantization_mlx as q
    from safetensors.torch import load_file

    src = models("f32", *_MODEL_ARGS["f32"])
    out = tmp_path / mode
    ckpt_util.qmlx(qmlx_bin, "convert", src, out, "--mode", mode, "-q")
    w_src = load_file(str(src / "model.safetensors"))
    w_out = load_file(str(out / "model.safetensors"))
    n = 0
    for k, w in w_src.items():
        if w.ndim == 2:
            wq, scales = q.quantize(w, mode=mode)
            p = k[: -len(".weight")]
            assert torch.equal(w_out[k].view(torch.int32), wq.view(torch.int32)), k
            assert torch.equal(w_out[f"{p}.scales"], scales), p
            assert f"{p}.biases" not in w_out
            n += 1
        else:
            assert torch.equal(w_out[k], w), k
    assert n == 16
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["quantization"]["mode"] == mode
    # mlx_lm loads it (structure and dtypes are what MLX expects) and runs it.
    from mlx_lm import load as mlx_load

    m, _ = mlx_load(str(out))
    logits = m(mx.array([PROMPT]))
    mx.eval(logits)
    assert logits.shape == (1, len(PROMPT), 512)
    # Our loader runs it too. MLX's CPU decode of fp codes equals the GPU one; the activations
    # of fp-mode embeddings are bfloat16 in both (MLX's dequantize default), so compare loosely.
    from quantization_mlx.loader import load_model

    model = load_model(str(out))
    with torch.no_grad():
        got = model(torch.tensor([PROMPT])).logits[0].float().numpy()
    ref = np.array(logits[0].astype(mx.float32))
    err = float(np.abs(got - ref).max() / np.abs(ref).max())
    print(f"[{mode}] relative max |logit diff| vs mlx_lm = {err:.3g}")
    assert err < 2e-2


def _copy(src, dst):
    shutil.copytree(src, dst)
    return dst


def _rewrite(d, edit):
    from safetensors.torch import load_file, save_file

    f = d / "model.safetensors"
    t = load_file(str(f))
    edit(t)
    save_file(t, str(f), metadata={"format": "mlx"})
    (d / "model.safetensors.index.json").unlink()


def test_bad_checkpoints_name_the_tensor(f32_pair, tmp_path, qmlx_bin):
    from quantization_mlx.loader import load_model

    good = f32_pair[0]
    d = _copy(good, tmp_path / "missing-scales")
    _rewrite(d, lambda t: t.pop("model.layers.1.mlp.up_proj.scales"))
    with pytest.raises(ValueError, match=r"model\.layers\.1\.mlp\.up_proj"):
        load_model(str(d))
    assert "model.layers.1.mlp.up_proj.scales" in ckpt_util.qmlx(qmlx_bin, "inspect", d, check=False).stdout

    d = _copy(good, tmp_path / "wrong-shape")

    def bad_shape(t):
        # Fewer rows than the weight: no reading of the shapes makes this consistent.
        t["model.layers.0.self_attn.k_proj.scales"] = t["model.layers.0.self_attn.k_proj.scales"][:32].contiguous()
        t["model.layers.0.self_attn.k_proj.biases"] = t["model.layers.0.self_attn.k_proj.biases"][:32].contiguous()

    _rewrite(d, bad_shape)
    with pytest.raises(ValueError, match=r"model\.layers\.0\.self_attn\.k_proj"):
        load_model(str(d))
    r = ckpt_util.qmlx(qmlx_bin, "inspect", d, check=False)
    assert r.returncode == 1 and "model.layers.0.self_attn.k_proj" in r.stdout

    d = _copy(good, tmp_path / "unknown-mode")
    (d / "config.json").write_text((d / "config.json").read_text().replace('"affine"', '"int3"'))
    with pytest.raises(ValueError, match="int3"):
        load_model(str(d))
    r = ckpt_util.qmlx(qmlx_bin, "inspect", d, check=False)
    assert r.returncode == 1 and "'int3'" in r.stdout

    d = _copy(good, tmp_path / "truncated")
    data = (d / "model.safetensors").read_bytes()
    (d / "model.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"model\.safetensors"):
        load_model(str(d))
    r = ckpt_util.qmlx(qmlx_bin, "inspect", d, check=False)
    assert r.returncode == 2 and "model.safetensors" in r.stderr


def test_inspect_reads_mlx_lm_output(f32_pair, qmlx_bin):
    r = ckpt_util.qmlx(qmlx_bin, "inspect", f32_pair[1])
    assert "check: OK" in r.stdout
    assert len(re.findall(r"^\S+\s+affine\s+4\s+64\s", r.stdout, re.M)) == 16


def test_cuda_forward_matches_cpu(f32_pair):
    import quantization_mlx as q

    if not torch.cuda.is_available():
        pytest.skip("SKIP: no CUDA device on this machine (the CPU path is tested above)")
    if "cuda" not in q.build_info().get("backends", []):
        pytest.skip("SKIP: quantization_mlx was built without its CUDA backend")
    from quantization_mlx.loader import load_model

    cpu = load_model(str(f32_pair[0]))
    gpu = load_model(str(f32_pair[0]), device="cuda")
    with torch.no_grad():
        a = cpu(torch.tensor([PROMPT])).logits
        b = gpu(torch.tensor([PROMPT], device="cuda")).logits.cpu()
    assert float((a - b).abs().max()) <= LOGIT_TOL
    assert ckpt_util.torch_greedy(gpu, PROMPT, 16) == ckpt_util.torch_greedy(cpu, PROMPT, 16)


def test_loader_dtype_and_tokenizer(f32_pair):
    """dtype= casts only the unquantized tensors; the tokenizer is the checkpoint's."""
    from mlx_lm import load as mlx_load

    from quantization_mlx.loader import load

    ours = str(f32_pair[0])
    model, tok = load(ours, dtype=torch.bfloat16)
    assert model.model.norm.weight.dtype == torch.bfloat16
    assert model.model.layers[0].mlp.up_proj.scales.dtype == torch.float32
    _, mlx_tok = mlx_load(ours)
    text = "The quick brown fox jumps over the lazy dog."
    assert tok.encode(text) == mlx_tok.encode(text)
    ref, _ = load(ours)
    with torch.no_grad():
        a = model(torch.tensor([PROMPT])).logits.float()
        b = ref(torch.tensor([PROMPT])).logits
    assert float((a - b).abs().max() / b.abs().max()) < 5e-2


@pytest.mark.parametrize("arch", ["llama", "qwen2", "qwen3"])
def test_shards_split_where_mlx_lm_splits(qmlx_bin, models, tmp_path, monkeypatch, arch):
    """Tensors are written in mlx_lm's order (its module tree), so with the same size limit the
    shards and the index's weight_map are mlx_lm's. mlx_lm's limit is whole GiB, so its order
    and sizes are captured from its make_shards and its rule applied to a small limit."""
    import mlx_lm.utils as U

    src = models(f"{arch}-order", "--arch", arch, "--dtype", "float32", "--seed", "8")
    captured = {}
    orig = U.make_shards

    def spy(weights, *a, **k):
        captured["sizes"] = [(name, v.nbytes) for name, v in weights.items()]
        return orig(weights, *a, **k)

    monkeypatch.setattr(U, "make_shards", spy)
    _mlx_lm_convert(src, tmp_path / "mlx_lm", quantize=True, q_group_size=64, q_bits=4)
    sizes = captured["sizes"]
    limit = sum(n for _, n in sizes) // 4
    shards, size = [], 0
    for name, n in sizes:  # mlx_lm's make_shards rule
        if not shards or size + n > limit:
            shards.append([])
            size = 0
        shards[-1].append(name)
        size += n
    want = {name: f"model-{i + 1:05d}-of-{len(shards):05d}.safetensors" for i, s in enumerate(shards) for name in s}
    ckpt_util.qmlx(qmlx_bin, "convert", src, tmp_path / "ours", "--max-shard-size", str(limit), "-q")
    got = json.loads((tmp_path / "ours" / "model.safetensors.index.json").read_text())["weight_map"]
    assert got == want
    assert len(shards) >= 4


@pytest.mark.parametrize("recipe", ["mixed_3_6", "mixed_2_6", "mixed_4_6", "mixed_3_4"])
def test_mixed_recipes_bit_identical_to_mlx_lm(qmlx_bin, models, tmp_path, recipe):
    """`--quant-predicate mixed_*`: per-layer bits and config.json's per-layer entries as mlx_lm's."""
    src = models("bf16-8layers", "--dtype", "bfloat16", "--layers", "8", "--seed", "10")
    _mlx_lm_convert(src, tmp_path / "mlx_lm", quantize=True, q_group_size=64, quant_predicate=recipe)
    ckpt_util.qmlx(qmlx_bin, "convert", src, tmp_path / "ours", "--group-size", "64", "--rounding", "cpu",
                   "--quant-predicate", recipe, "-q")
    problems, n = ckpt_util.diff_checkpoints(tmp_path / "mlx_lm", tmp_path / "ours")
    assert not problems, "\n".join(problems[:20])
    for f in ("config.json", "model.safetensors.index.json"):
        assert (tmp_path / "mlx_lm" / f).read_bytes() == (tmp_path / "ours" / f).read_bytes(), f
    q = json.loads((tmp_path / "ours" / "config.json").read_text())["quantization"]
    assert len({v["bits"] for v in q.values() if isinstance(v, dict)}) == 2
    assert "check: OK" in ckpt_util.qmlx(qmlx_bin, "inspect", tmp_path / "ours").stdout
