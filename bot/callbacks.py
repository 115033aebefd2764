"""Callback data of buttons that both handlers and background jobs show.

Jobs live in ``bot`` and must not import ``handlers``; a button a job sends is answered by a
handler, so the data they agree on lives here.
"""

from __future__ import annotations

CONTINUE = "app:continue"  # go on with the open application
