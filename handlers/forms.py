"""The forms a step asks the client to sign: the button on the step's card sends the template,
filled in with what the client has given so far."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.context import BotContext, HandlerList
from bot.services.forms import FormDesk
from handlers.application_view import FORM_PREFIX, stale_button
from handlers.common import answer_button, button_data, send_file


def desk(context: BotContext) -> FormDesk:
    """The form desk for this update."""
    services = context.services
    settings = services.settings
    return FormDesk(
        context.session, services.catalogue, settings.template_folders(), settings.office_timezone
    )


async def send_form(update: Update, context: BotContext) -> None:
    """The form's button: send the filled-in template as a document."""
    template_id = button_data(update, FORM_PREFIX)
    form = await desk(context).fill(context.client, template_id) if context.client else None
    if form is None:
        await stale_button(update, context)
        return
    translator = context.i18n
    _ = translator.gettext
    await answer_button(update.callback_query)
    caption = _(
        "📄 {title}\nPrint it, check the details, sign it in black ink (a company also stamps "
        "its seal), then photograph or scan it in colour and send it here. Fields left blank "
        "are yours to fill in by hand."
    ).format(title=form.template.title.get(translator.language))
    await send_file(update, form.data, form.file_name, caption)


HANDLERS: HandlerList = [CallbackQueryHandler(send_form, pattern=f"^{FORM_PREFIX}")]
