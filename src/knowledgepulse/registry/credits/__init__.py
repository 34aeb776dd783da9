"""Credit balances and the credit ledger (data-model.md §10)."""
