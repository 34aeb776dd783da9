"""Alembic revisions, one file per schema change: `<yyyy>_<mm>_<dd>_<rev>_<slug>.py`."""
