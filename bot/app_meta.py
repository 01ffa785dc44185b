"""Keys of the facts the bot stores about itself."""

BOT_USERNAME_KEY = "bot_username"
