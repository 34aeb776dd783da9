"""Search over skills, knowledge units and SOPs behind one interface per kind.

`sql.py` is the reference's text matching (`KP_SEARCH=sql`); `index.py` is the hybrid search
(registry-api.md §9.12) over the zvec index that `sync.py` keeps in step with the store.
Only `runtime.py` (and what it imports) needs zvec; nothing imports it for `KP_SEARCH=sql`.
"""
