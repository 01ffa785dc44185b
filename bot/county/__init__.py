"""The county's yearly duties: the director ledger and training, the spot check, deadlines."""
