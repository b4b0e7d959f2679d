"""Write a tiny random Hugging Face causal LM (transformers `save_pretrained`) plus a tiny locally
trained byte-level BPE tokenizer. Nothing is downloaded.

    python tests/checkpoint/make_tiny.py OUT [--arch llama|mistral|qwen2|qwen3] [--dtype bfloat16]
        [--tie] [--shard-size 200KB] [--seed 0] [--hidden 128] [--intermediate 256] [--vocab 512]

Pitfalls handled (see shared/spec/mlx-lm-check.md): mlx_lm needs a tokenizer; the tokenizer is
padded to the model's vocab so every id decodes; rope theta stays 10000 (mlx_lm's llama ignores
transformers 5's `rope_parameters`); norms get non-trivial weights.
"""
import argparse
import json
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import torch  # noqa: E402
import transformers  # noqa: E402
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers  # noqa: E402

CORPUS = [
    "The quick brown fox jumps over the lazy dog.",
    "Hello world, this is a tiny tokenizer for a tiny model.",
    "Quantized weights are stored in groups with a scale and a bias.",
    "Rust and Python both read safetensors files.",
]

ARCHS = {
    "llama": ("LlamaConfig", "LlamaForCausalLM"),
    "mistral": ("MistralConfig", "MistralForCausalLM"),
    "qwen2": ("Qwen2Config", "Qwen2ForCausalLM"),
    "qwen3": ("Qwen3Config", "Qwen3ForCausalLM"),
}


def make_tokenizer(vocab):
    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=min(vocab, 320),
        special_tokens=["<s>", "</s>", "<unk>", "<pad>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(CORPUS * 8, trainer)
    extra = vocab - tok.get_vocab_size()
    if extra > 0:
        tok.add_tokens([f"<x{i}>" for i in range(extra)])
    assert tok.get_vocab_size() == vocab, (tok.get_vocab_size(), vocab)
    return transformers.PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>", pad_token="<pad>"
    )


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--arch", default="llama", choices=sorted(ARCHS))
    ap.add_argument("--dtype", default="bfloat16", choices=["float32", "float16", "bfloat16"])
    ap.add_argument("--tie", action="store_true")
    ap.add_argument("--shard-size", default=None, help="max_shard_size for save_pretrained (e.g. 200KB)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--intermediate", type=int, default=256)
    ap.add_argument("--vocab", type=int, default=512)
    ap.add_argument("--layers", type=int, default=2)
    a = ap.parse_args(argv)

    torch.manual_seed(a.seed)
    tok = make_tokenizer(a.vocab)
    cfg_cls, model_cls = (getattr(transformers, n) for n in ARCHS[a.arch])
    kw = dict(
        vocab_size=a.vocab, hidden_size=a.hidden, intermediate_size=a.intermediate,
        num_hidden_layers=a.layers, num_attention_heads=4, num_key_value_heads=2,
        max_position_embeddings=256, rms_norm_eps=1e-5, bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id, tie_word_embeddings=a.tie,
    )
    if a.arch == "qwen3":
        kw["head_dim"] = a.hidden // 4
    model = model_cls(cfg_cls(**kw))
    with torch.no_grad():
        for n, p in model.named_parameters():
            if "norm" in n:
                p.copy_(1 + 0.1 * torch.randn_like(p))
            elif n.endswith(".bias"):
                p.copy_(0.02 * torch.randn_like(p))
    model = model.to(getattr(torch, a.dtype)).eval()
    kwargs = {"max_shard_size": a.shard_size} if a.shard_size else {}
    model.save_pretrained(a.out, **kwargs)
    tok.save_pretrained(a.out)
    # transformers 5 writes only rope_parameters; mlx_lm's models read a top-level rope_theta (and
    # qwen2's defaults to 1e6 without it). Write it so both sides use the same base.
    cfg_path = os.path.join(a.out, "config.json")
    with open(cfg_path) as f:
        cfg = json.load(f)
    cfg["rope_theta"] = cfg.get("rope_parameters", {}).get("rope_theta", 10000.0)
    with open(cfg_path, "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
    print(f"[make_tiny] seed={a.seed} arch={a.arch} dtype={a.dtype} tie={a.tie} -> {sorted(os.listdir(a.out))}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
