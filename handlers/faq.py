"""The FAQ: browsing topics with buttons, free-text questions, and "was this helpful?"."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import BotContext, HandlerList
from bot.faq.knowledge import Entry
from bot.faq.smalltalk import SmallTalk
from bot.faq.text import is_question, normalise, sentences
from bot.filing.catalogue import Item, ItemKind
from bot.i18n import Translator
from handlers.common import (
    MENU_FAQ,
    MENU_STAFF,
    answer_button,
    back_to_menu_button,
    button_data,
    edit_buttons,
    main_menu,
    parse_id,
    reply,
    send_card,
    show,
)
from handlers.support import hand_off

TOPICS = "faq:topics"
MORE = "faq:more"  # the topics as a new card, below an answer the client keeps
TOPIC_PREFIX = "faq:t:"
ENTRY_PREFIX = "faq:e:"
FEEDBACK_PREFIX = "faq:fb:"


def topics_keyboard(context: BotContext, translator: Translator) -> InlineKeyboardMarkup:
    """One button per FAQ topic."""
    knowledge = context.services.faq.knowledge
    rows = [
        [
            InlineKeyboardButton(
                topic.title.get(translator.language), callback_data=f"{TOPIC_PREFIX}{topic.id}"
            )
        ]
        for topic in knowledge.topics
    ]
    rows.append([back_to_menu_button(translator)])
    return InlineKeyboardMarkup(rows)


def answer_keyboard(translator: Translator, question_id: int) -> InlineKeyboardMarkup:
    """Buttons under an answer: feedback, staff, more questions."""
    _ = translator.gettext
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("👍 Helpful"), callback_data=f"{FEEDBACK_PREFIX}{question_id}:y"
                ),
                InlineKeyboardButton(
                    _("👎 Not helpful"), callback_data=f"{FEEDBACK_PREFIX}{question_id}:n"
                ),
            ],
            [
                InlineKeyboardButton(_("🙋 Talk to staff"), callback_data=MENU_STAFF),
                InlineKeyboardButton(_("📚 More questions"), callback_data=MORE),
            ],
        ]
    )


async def browse(update: Update, context: BotContext) -> None:
    """/faq and the FAQ buttons: list the topics (below an answer: as a new card)."""
    await answer_button(update.callback_query)
    _ = context.i18n.gettext
    text = _("Choose a topic, or simply type your question.")
    send = send_card if button_data(update) == MORE else show
    await send(update, context, text, topics_keyboard(context, context.i18n))


async def show_topic(update: Update, context: BotContext) -> None:
    """List the questions of one topic."""
    query = update.callback_query
    knowledge = context.services.faq.knowledge
    topic = knowledge.find_topic(button_data(update, TOPIC_PREFIX))
    if topic is None:
        await stale_faq_button(update, context)
        return
    await answer_button(query)
    translator = context.i18n
    rows = [
        [
            InlineKeyboardButton(
                entry.title.get(translator.language), callback_data=f"{ENTRY_PREFIX}{entry.id}"
            )
        ]
        for entry in knowledge.entries_of(topic.id)
    ]
    rows.append([InlineKeyboardButton(translator.gettext("⬅️ All topics"), callback_data=TOPICS)])
    await show(
        update,
        context,
        f"<b>{topic.title.get(translator.language)}</b>",
        InlineKeyboardMarkup(rows),
    )


async def show_entry(update: Update, context: BotContext) -> None:
    """Answer the entry whose button was pressed."""
    if not await open_entry(update, context, button_data(update, ENTRY_PREFIX)):
        await stale_faq_button(update, context)


async def open_entry(update: Update, context: BotContext, entry_id: str) -> bool:
    """Answer one FAQ entry (a button, or a deep link); False when there is no such entry."""
    entry = context.services.faq.knowledge.find_entry(entry_id)
    if entry is None or context.client is None:
        return False
    await answer_button(update.callback_query)
    translator = context.i18n
    question_id = await context.services.faq.record_browsed(
        context.session, context.client, entry, translator.language
    )
    await send_answer(update, context, entry, translator, question_id)
    return True


async def send_answer(
    update: Update,
    context: BotContext,
    entry: Entry,
    translator: Translator,
    question_id: int,
    *,
    footer: str = "",
    extra: Sequence[InlineKeyboardButton] = (),
) -> None:
    """Send one entry's answer with the feedback and staff buttons (and the ``extra`` ones,
    a row each)."""
    body = context.services.faq.render_answer(entry, translator)
    text = f"<b>{entry.title.get(translator.language)}</b>\n\n{body}{footer}"
    keyboard = answer_keyboard(translator, question_id)
    if extra:
        keyboard = InlineKeyboardMarkup(
            [*keyboard.inline_keyboard, *([button] for button in extra)]
        )
    await reply(update, text, keyboard)


async def question(
    update: Update, context: BotContext, text: str, *, waiting_step: Item | None = None
) -> None:
    """A typed question: answer it, offer close matches, or offer staff. At a step that waits
    for something, the reply also says what the application is waiting for."""
    client = context.client
    if client is None:
        return
    services = context.services
    result = await services.faq.ask(context.session, client, text, context.i18n.language)
    translator = services.translations.get(result.language)
    _ = translator.gettext
    reminder = _waiting_reminder(translator, waiting_step)
    if result.outcome is SmallTalk.HUMAN:
        await hand_off(update, context, translator, last_question=text)
    elif result.outcome is SmallTalk.GREETING:
        await reply(
            update,
            _("Hello! What would you like to know about the ICP filing?") + reminder,
            main_menu(translator),
        )
    elif result.outcome is SmallTalk.THANKS:
        await reply(update, _("You're welcome! Ask me anything else at any time.") + reminder)
    elif result.outcome is SmallTalk.ACKNOWLEDGEMENT:
        await reply(
            update, _("👍 Anything else I can help with?") + reminder, main_menu(translator)
        )
    elif result.entry is not None and result.question_id is not None:
        also, also_button = _second_answer(context, result.also, translator)
        buttons = [also_button] if also_button is not None else []
        if result.related is not None:
            buttons.append(_entry_button(result.related, translator, "📖"))
        await send_answer(
            update,
            context,
            result.entry,
            translator,
            result.question_id,
            footer=also + reminder,
            extra=buttons,
        )
    elif result.unsupported:
        rows = [
            [InlineKeyboardButton(_("🙋 Talk to staff"), callback_data=MENU_STAFF)],
            [InlineKeyboardButton(_("📚 Browse the FAQ"), callback_data=TOPICS)],
        ]
        lead = _(
            "That is outside what I can help with: I answer questions about the ICP filing and "
            "guide your application. A member of our team may still be able to help you."
        )
        await reply(update, lead + reminder, InlineKeyboardMarkup(rows))
    elif result.suggestions:
        rows = [[_entry_button(entry, translator)] for entry in result.suggestions]
        rows.append([InlineKeyboardButton(_("🙋 Talk to staff"), callback_data=MENU_STAFF)])
        lead = _("I'm not completely sure what you're asking. Is it one of these?")
        await reply(update, lead + reminder, InlineKeyboardMarkup(rows))
    else:
        rows = [[InlineKeyboardButton(_("🙋 Talk to staff"), callback_data=MENU_STAFF)]]
        rows += [[_entry_button(entry, translator)] for entry in result.closest]
        rows.append([InlineKeyboardButton(_("📚 Browse the FAQ"), callback_data=TOPICS)])
        lead = _(
            "I'm sorry, I'm not sure I understood your question, and I'd rather not guess. "
            "A member of our team can answer it: press Talk to staff."
        )
        if result.closest:
            lead += "\n\n" + _("If it is about one of these topics, you can open it right away:")
        await reply(update, lead + reminder, InlineKeyboardMarkup(rows))


async def answer_if_confident(update: Update, context: BotContext, text: str) -> None:
    """While a conversation with staff is open: a typed question the FAQ is sure of is also
    answered at once (staff got it already); anything else waits for staff, silently."""
    client = context.client
    if client is None or not any(map(is_question, sentences(normalise(text)))):
        return  # news for staff ("I sent the papers"), not a question
    result = await context.services.faq.ask(context.session, client, text, context.i18n.language)
    if result.entry is None or result.question_id is None:
        return
    translator = context.services.translations.get(result.language)
    footer = "\n\n" + translator.gettext(
        "💬 Your message also went to our team; they will answer here too."
    )
    await send_answer(update, context, result.entry, translator, result.question_id, footer=footer)


MAX_SECOND_ANSWER = 1800  # characters: both answers must fit one message (4096)


def _second_answer(
    context: BotContext, entry: Entry | None, translator: Translator
) -> tuple[str, InlineKeyboardButton | None]:
    """The answer to the other part of a two-part question: as a last section when both fit
    in one message, else as a button that opens it."""
    if entry is None:
        return "", None
    title = entry.title.get(translator.language)
    body = context.services.faq.render_answer(entry, translator)
    if len(body) > MAX_SECOND_ANSWER:
        return "", _entry_button(entry, translator, "➕")
    return f"\n\n<b>{title}</b>\n\n{body}", None


def _entry_button(entry: Entry, translator: Translator, mark: str = "") -> InlineKeyboardButton:
    """A button that opens an entry's answer as a new message (the client keeps this one),
    titled as the entry (after `mark`, if any)."""
    title = entry.title.get(translator.language)
    label = f"{mark} {title}" if mark else title
    return InlineKeyboardButton(label, callback_data=f"{ENTRY_PREFIX}{entry.id}")


def _waiting_reminder(translator: Translator, step: Item | None) -> str:
    """A last paragraph that reminds a client mid-application what the step waits for."""
    if step is None:
        return ""
    title = step.title.get(translator.language)
    if step.kind is ItemKind.IMAGE:
        line = translator.gettext(
            "📎 I'm waiting for: {step}. Send it as a file (📎 → File), or press ⏸ Pause."
        )
    else:
        line = translator.gettext("📝 Your application is waiting at: {step}.")
    return "\n\n" + line.format(step=title)


async def feedback(update: Update, context: BotContext) -> None:
    """Record “helpful” / “not helpful” for an answer the client received."""
    query = update.callback_query
    question_id, _sep, verdict = button_data(update, FEEDBACK_PREFIX).partition(":")
    client = context.client
    _ = context.i18n.gettext
    recorded = (
        client is not None
        and parse_id(question_id) is not None
        and verdict in ("y", "n")
        and await context.services.faq.record_feedback(
            context.session, client, parse_id(question_id) or 0, verdict == "y"
        )
    )
    notice = _("This button is out of date.")
    if recorded:
        # The answer keeps its other buttons (🙋 Talk to staff is one); the notice says the rest.
        notice = (
            _("Thank you for your feedback!")
            if verdict == "y"
            else _("Sorry that didn't help. A member of our team can answer you directly.")
        )
    await answer_button(query, notice, alert=recorded and verdict == "n")
    message = query.message if query is not None else None
    if isinstance(message, Message) and message.reply_markup is not None:
        rows = [
            row
            for row in message.reply_markup.inline_keyboard
            if not any(str(button.callback_data).startswith(FEEDBACK_PREFIX) for button in row)
        ]
        await edit_buttons(message, InlineKeyboardMarkup(rows))


async def stale_faq_button(update: Update, context: BotContext) -> None:
    """A button from an old message whose entry or topic no longer exists."""
    _ = context.i18n.gettext
    await answer_button(update.callback_query, _("This button is out of date."))
    await show(
        update,
        context,
        _("That button no longer works. Here are the current topics:"),
        topics_keyboard(context, context.i18n),
    )


HANDLERS: HandlerList = [
    CommandHandler("faq", browse, filters.ChatType.PRIVATE),
    CallbackQueryHandler(browse, pattern=f"^({MENU_FAQ}|{TOPICS}|{MORE})$"),
    CallbackQueryHandler(show_topic, pattern=f"^{TOPIC_PREFIX}"),
    CallbackQueryHandler(show_entry, pattern=f"^{ENTRY_PREFIX}"),
    CallbackQueryHandler(feedback, pattern=f"^{FEEDBACK_PREFIX}"),
]
