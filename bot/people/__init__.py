"""People and places: who may use the bot, where they sit, and what they see."""
