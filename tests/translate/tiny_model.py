"""Build a tiny CTranslate2 translation model in a folder, without torch or downloads.

The model has the layout of a converted OPUS-MT model (model.bin, vocabularies,
source.spm, target.spm). Its weights are random except for the output projection,
whose bias makes one chosen target piece win every decoding step: so its output is
predictable ("drone drone drone" for max_decoding_length=3), which lets the tests
check real loading, batching and sentencepiece detokenising.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import sentencepiece as spm
from ctranslate2.converters import Converter
from ctranslate2.specs import common_spec, transformer_spec

SENTENCES = [
    "el dron detectó una pluma de acetona cerca del laboratorio clandestino",
    "the drone detected an acetone plume near the clandestine lab",
    "la fuente emite amoniaco y metano con viento del oeste",
    "the source emits ammonia and methane with a west wind",
    "los agentes encontraron una pista clandestina en la frontera",
    "agents found a clandestine airstrip at the border",
] * 20

D_MODEL, FFN, HEADS = 16, 32, 2


def train_spm(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = folder / f"{name}.txt"
    text.write_text("\n".join(SENTENCES) + "\n", encoding="utf-8")
    prefix = folder / name
    spm.SentencePieceTrainer.train(
        input=str(text),
        model_prefix=str(prefix),
        vocab_size=50,
        model_type="word",  # whole words: the favoured piece is a readable word
        character_coverage=1.0,
        minloglevel=2,
    )
    text.unlink()
    (folder / f"{name}.vocab").unlink()
    return prefix.with_suffix(".model")


class _TinyConverter(Converter):
    def __init__(self, src_vocab: list[str], tgt_vocab: list[str], favour: str, seed: int) -> None:
        self.src_vocab, self.tgt_vocab, self.favour = src_vocab, tgt_vocab, favour
        self.rng = np.random.default_rng(seed)

    def _w(self, *shape: int) -> np.ndarray:
        return (self.rng.standard_normal(shape) * 0.1).astype(np.float32)

    def _linear(self, spec: common_spec.LinearSpec, out_dim: int, in_dim: int) -> None:
        spec.weight = self._w(out_dim, in_dim)
        spec.bias = np.zeros(out_dim, dtype=np.float32)

    def _norm(self, spec: common_spec.LayerNormSpec) -> None:
        spec.gamma = np.ones(D_MODEL, dtype=np.float32)
        spec.beta = np.zeros(D_MODEL, dtype=np.float32)

    def _ffn(self, spec: transformer_spec.FeedForwardSpec) -> None:
        self._norm(spec.layer_norm)
        self._linear(spec.linear_0, FFN, D_MODEL)
        self._linear(spec.linear_1, D_MODEL, FFN)

    def _load(self) -> transformer_spec.TransformerSpec:
        spec = transformer_spec.TransformerSpec.from_config((1, 1), HEADS)
        enc, dec = spec.encoder, spec.decoder
        enc.embeddings[0].weight = self._w(len(self.src_vocab), D_MODEL)
        enc.scale_embeddings = True
        self._norm(enc.layer_norm)
        for layer in enc.layer:
            self._linear(layer.self_attention.linear[0], 3 * D_MODEL, D_MODEL)
            self._linear(layer.self_attention.linear[1], D_MODEL, D_MODEL)
            self._norm(layer.self_attention.layer_norm)
            self._ffn(layer.ffn)
        dec.embeddings.weight = self._w(len(self.tgt_vocab), D_MODEL)
        dec.scale_embeddings = True
        self._norm(dec.layer_norm)
        for layer in dec.layer:
            self._linear(layer.self_attention.linear[0], 3 * D_MODEL, D_MODEL)
            self._linear(layer.self_attention.linear[1], D_MODEL, D_MODEL)
            self._norm(layer.self_attention.layer_norm)
            self._linear(layer.attention.linear[0], D_MODEL, D_MODEL)
            self._linear(layer.attention.linear[1], 2 * D_MODEL, D_MODEL)
            self._linear(layer.attention.linear[2], D_MODEL, D_MODEL)
            self._norm(layer.attention.layer_norm)
            self._ffn(layer.ffn)
        dec.projection.weight = np.zeros((len(self.tgt_vocab), D_MODEL), dtype=np.float32)
        bias = np.full(len(self.tgt_vocab), -10.0, dtype=np.float32)
        bias[self.tgt_vocab.index(self.favour)] = 10.0
        dec.projection.bias = bias
        spec.register_source_vocabulary(self.src_vocab)
        spec.register_target_vocabulary(self.tgt_vocab)
        return spec


def build_tiny_model(folder: Path, favour: str = "▁drone", seed: int = 0) -> Path:
    """Write a tiny OPUS-MT-like CTranslate2 model to ``folder`` and return it."""
    work = folder.parent / (folder.name + "-spm")
    src = train_spm(work, "source")
    tgt = train_spm(work, "target")
    vocab = [spm.SentencePieceProcessor(model_file=str(p)) for p in (src, tgt)]
    src_vocab, tgt_vocab = ([sp.id_to_piece(i) for i in range(sp.get_piece_size())] for sp in vocab)
    if favour == "</s>":
        pass
    elif favour not in tgt_vocab:
        raise ValueError(f"{favour!r} is not a target piece")
    _TinyConverter(src_vocab, tgt_vocab, favour, seed).convert(str(folder), force=True)
    src.rename(folder / "source.spm")
    tgt.rename(folder / "target.spm")
    work.rmdir()
    return folder
