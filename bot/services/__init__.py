"""Domain services: the bot's logic, testable without Telegram."""
