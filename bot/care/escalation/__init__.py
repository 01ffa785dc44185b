"""Escalations: flagged and urgent reports up the ladder township → county → city → province.

`policy` holds the levels, states and times; `routing` who can receive at a level; `message`
what every level's message says; `ladder` raising and moving up; `handling` what the people who
receive do with it; `followup` chasing an owner and releasing a revoked one's reports; `listing`
the lists, the unrouted ones and what else was informed, for cards and exports.
`bot.care.escalations` re-exports the names the rest of the bot uses.
"""
