"""The `kp` sub-commands; each module exposes `register(app)`."""

from __future__ import annotations

import typer

__all__ = ["register_all"]


def register_all(app: typer.Typer) -> None:
    """Attach every sub-command to the root Typer app."""
    # One line per command module, in the order they appear in `kp --help`.
    from knowledgepulse.cli.commands import scan, validate, version

    scan.register(app)
    validate.register(app)
    version.register(app)
