"""The life of a child's file after intake: review, close and reopen, transfer, ageing out."""
