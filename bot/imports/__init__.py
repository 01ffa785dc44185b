"""Bringing a county's existing ledger (个人信息台账) in: read, check as intake does, write."""
