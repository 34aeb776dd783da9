"""End-to-end tests: real `kp-registry serve` subprocesses (helpers in `_e2e.py`)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "pg_restart: stops and restarts the shared PostgreSQL server for a few seconds"
        " (deselect with -m 'not pg_restart' when other sessions use it)",
    )
