"""The ICP filing assistant: application assembly, configuration and domain services."""

import os

# python-telegram-bot gives time periods (a flood-control error's retry_after) as timedelta
# when asked to; the int form is deprecated since v22.2 and warns on every RetryAfter. Our code
# reads both (bot/telegram_messenger.py).
os.environ.setdefault("PTB_TIMEDELTA", "true")
