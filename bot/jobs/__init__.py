"""Background work: broadcasts, reminders and retention.

The jobs speak to Telegram only through a ``bot.messenger.Messenger`` and commit their work
before each call; only ``bot.jobs.schedule`` knows PTB, to hand them to its job queue.
"""
