"""Budget methodology, individual budgets and the append-only ledger."""
