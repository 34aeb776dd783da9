"""The import rules of ARCHITECTURE.md, checked on the source tree."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "knowledgepulse"
TRANSPORTS = ("fastapi", "starlette", "typer", "mcp", "uvicorn")
DOMAIN_INFRA = {"db", "infra", "api", "migrations", "search"}


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out.append((".".join(parts), path))
    return out


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


MODULES = _modules()


def _violations(prefix: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for name, path in MODULES:
        if name == prefix or name.startswith(prefix + "."):
            for imported in _imports(path):
                if any(imported == f or imported.startswith(f + ".") for f in forbidden):
                    found.append(f"{name} imports {imported}")
    return found


@pytest.mark.parametrize(
    ("room", "forbidden"),
    [
        (
            "knowledgepulse._lib",
            ("knowledgepulse.sdk", "knowledgepulse.registry", "knowledgepulse.cli"),
        ),
        (
            "knowledgepulse.sdk",
            ("knowledgepulse.registry", "knowledgepulse.cli", "knowledgepulse.mcp"),
        ),
        ("knowledgepulse.embedding", ("knowledgepulse.registry", "knowledgepulse.cli")),
        ("knowledgepulse.cli", ("knowledgepulse.registry",)),
        ("knowledgepulse.registry.db", ("knowledgepulse.registry.api", *TRANSPORTS)),
        ("knowledgepulse.registry.infra", ("knowledgepulse.registry.api", *TRANSPORTS)),
    ],
)
def test_room_does_not_import_what_sits_above_it(room: str, forbidden: tuple[str, ...]) -> None:
    assert _violations(room, forbidden) == []


def test_domain_packages_know_nothing_of_http_or_cli() -> None:
    bad = []
    for name, path in MODULES:
        parts = name.split(".")
        if len(parts) >= 3 and parts[1] == "registry" and (SRC / "registry" / parts[2]).is_dir():
            if parts[2] in DOMAIN_INFRA:
                continue
            for imported in _imports(path):
                if imported.split(".")[0] in TRANSPORTS or imported.startswith(
                    "knowledgepulse.registry.api"
                ):
                    bad.append(f"{name} imports {imported}")
    assert bad == []


def test_stores_never_commit() -> None:
    bad = [
        name
        for name, path in MODULES
        if name.endswith((".store", ".service")) and ".commit()" in path.read_text(encoding="utf-8")
    ]
    assert bad == []


def test_only_settings_reads_the_environment() -> None:
    allowed = {"knowledgepulse.registry.settings", "knowledgepulse.registry.cli"}
    readers = [
        name
        for name, path in MODULES
        if name not in allowed
        and any(
            token in path.read_text(encoding="utf-8")
            for token in ("os.environ", "os.getenv", "getenv(")
        )
    ]
    assert readers == []
