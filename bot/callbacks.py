"""Callback data of buttons that services and jobs put under their messages (handlers answer
them), kept here so that ``bot/`` never imports ``handlers/``."""

from __future__ import annotations

TALK_TO_STAFF = "menu:staff"
CONTINUE_APPLICATION = "app:continue"
CLAIM_CONVERSATION = "sup:claim:"  # + conversation id
CLOSE_CONVERSATION = "sup:close:"  # + conversation id
CHANGE_VISIT = "book:days"  # offers the days with free times (booking or changing a visit)
CANCEL_VISIT = "book:cancel"
REOPEN_CONVERSATION = "sup:reopen:"  # + conversation id [+ ":" + staff message to deliver]
END_CONVERSATION = "sup:end"  # the client ends their conversation
