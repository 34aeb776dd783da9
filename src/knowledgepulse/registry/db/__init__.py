"""The one SQL store's foundation: engine, metadata, portable types, errors and migrations.

Domain packages define their tables on `metadata`; the app creates one engine with
`create_engine(url)` and runs `upgrade_to_head(engine)` at start-up.
"""
