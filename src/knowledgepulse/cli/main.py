"""Entry point of the `kp` CLI: one Typer app, one sub-command module per command."""

from __future__ import annotations

import typer

__all__ = ["app", "main"]

app = typer.Typer(
    name="kp",
    help="KnowledgePulse: share and find agent skills and knowledge units.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register_commands() -> None:
    # Imported here so `import knowledgepulse.cli.main` stays cheap and free of cycles.
    from knowledgepulse.cli.commands import register_all

    register_all(app)


_register_commands()


def main() -> None:
    """Run the `kp` CLI (console script)."""
    app()
