"""`kp version`: print the installed KnowledgePulse version."""

from __future__ import annotations

import typer

from knowledgepulse import __version__
from knowledgepulse.cli.output import console

__all__ = ["register"]


def version() -> None:
    """Print the KnowledgePulse version."""
    console.print(__version__)


def register(app: typer.Typer) -> None:
    app.command("version")(version)
