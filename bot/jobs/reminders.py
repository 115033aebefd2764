"""Reminder jobs: visits tomorrow, SMS deadlines, unfinished applications, waiting staff.

The due dates and what was sent live in the database; each reminder is recorded, and committed,
before it is sent, so it goes out at most once, across restarts and bot processes.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import CANCEL_VISIT, CHANGE_VISIT, TALK_TO_STAFF
from bot.callbacks import CONTINUE_APPLICATION as CONTINUE
from bot.config import Settings
from bot.filing.applications import ApplicationService
from bot.filing.booking import BookingService
from bot.filing.catalogue import Catalogue
from bot.i18n import Translations, Translator
from bot.messenger import BlockedError, Button, Keyboard, Messenger, MessengerError, keyboard
from bot.names import name_of
from bot.scope import background_session
from bot.services.agency import AgencyInfo
from bot.services.clients import ClientService, language_of
from bot.services.footer import public_security_due
from bot.services.office import Office, office_for
from bot.services.reminders import Due, Kind, ReminderService
from storage.database import Database
from storage.models import Booking, Client, as_utc

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reminder:
    """A reminder ready to send; ``client`` is set when it goes to the client themselves."""

    chat_id: int
    text: str
    buttons: Keyboard | None = None
    client: Client | None = None
    office: Office | None = None  # sent as a place on the map after the text, when known


class Reminders:
    """Sends the reminders that are due through a ``Messenger``."""

    def __init__(
        self,
        database: Database,
        messenger: Messenger,
        translations: Translations,
        settings: Settings,
        catalogue: Catalogue,
        agency: AgencyInfo,
    ) -> None:
        self.database = database
        self.messenger = messenger
        self.translations = translations
        self.settings = settings
        self.catalogue = catalogue
        self.agency = agency

    async def send_visit_reminders(self) -> None:
        """Remind clients of tomorrow's visits."""
        settings = self.settings
        async with background_session(self.database) as session:
            service = BookingService(session, settings.hours(), settings.booking_days_ahead)
            for booking, client in await service.due_reminders():
                reminder = self._visit_reminder(booking, client)
                if not await service.claim_reminder(booking):
                    continue  # another bot process sends this one
                await self._send(session, reminder, "visit")

    async def send_application_reminders(self) -> None:
        """Remind clients of SMS deadlines and unfinished applications, and staff of
        applications waiting for their review."""
        async with background_session(self.database) as session:
            service = ReminderService(session)
            for due in await service.due():
                reminder = await self._application_reminder(session, due)
                if not await service.mark_sent(due):
                    continue  # another bot process sends this one
                if reminder is None:
                    await session.commit()  # nobody to tell (no staff chat): not due again
                    continue
                await self._send(session, reminder, due.kind)

    async def _send(self, session: AsyncSession, reminder: Reminder, kind: str) -> None:
        """Commit the record that it was sent, then send it."""
        await session.commit()
        try:
            await self.messenger.send(reminder.chat_id, reminder.text, reminder.buttons)
            office = reminder.office
            if office is not None and office.location is not None:
                latitude, longitude = office.location
                await self.messenger.send_place(
                    reminder.chat_id, latitude, longitude, office.name, office.address
                )
        except BlockedError:
            if reminder.client is not None:
                ClientService.mark_blocked(reminder.client, True)
                await session.commit()
        except MessengerError as error:
            log.warning("Could not send a %s reminder: %s", kind, error)

    def _translator_for(self, client: Client) -> Translator:
        return self.translations.get(language_of(client, self.settings.default_language))

    def _visit_reminder(self, booking: Booking, client: Client) -> Reminder:
        translator = self._translator_for(client)
        when = translator.format_datetime(as_utc(booking.starts_at), self.settings.office_timezone)
        _ = translator.gettext
        office = office_for(self.settings, self.catalogue, translator)
        text = (
            _(
                "⏰ Reminder: your visit to {agency} for the verification photo is on {when}."
            ).format(agency=self.agency.escaped_name, when=when)
            + "\n\n"
            + office.lines(translator)
        )
        buttons = keyboard(
            [Button(_("🔁 Change the time"), CHANGE_VISIT)],
            [Button(_("❌ Cancel the visit"), CANCEL_VISIT)],
        )
        return Reminder(client.telegram_id, text, buttons, client=client, office=office)

    async def _application_reminder(self, session: AsyncSession, due: Due) -> Reminder | None:
        """The reminder for ``due``; None when there is nobody to tell."""
        if due.kind is Kind.SMS_DEADLINE:
            return self._sms_reminder(due)
        if due.kind is Kind.UNFINISHED:
            return await self._unfinished_reminder(session, due)
        if due.kind is Kind.PUBLIC_SECURITY:
            return self._public_security_reminder(due)
        return self._staff_reminder(due)

    def _public_security_reminder(self, due: Due) -> Reminder:
        translator = self._translator_for(due.client)
        _ = translator.gettext
        approved = as_utc(due.application.updated_at).astimezone(self.settings.hours().timezone)
        text = _(
            "🛡 Reminder: the public-security filing (公安联网备案) of your site {number} is due "
            "within 30 days of it going live – by {deadline} if it went live when it was "
            "approved. File it on beian.mps.gov.cn, or let us do it with you. When you have the "
            "公网安备 number, send it to us: we give you the footer with both numbers."
        ).format(
            number=html.escape(due.application.icp_number or "", quote=False),
            deadline=translator.format_date(public_security_due(approved.date())),
        )
        buttons = keyboard([Button(_("🛡 Help with the public-security filing"), TALK_TO_STAFF)])
        return Reminder(due.client.telegram_id, text, buttons, client=due.client)

    def _sms_reminder(self, due: Due) -> Reminder | None:
        if due.application.sms_due_at is None:
            return None
        translator = self._translator_for(due.client)
        deadline = translator.format_datetime(
            as_utc(due.application.sms_due_at), self.settings.office_timezone
        )
        text = translator.gettext(
            "⏰ Reminder: the MIIT SMS verification is due by {deadline}. Enter the code, the "
            "mobile number and the last 6 digits of the ID on beian.miit.gov.cn – otherwise the "
            "filing is returned."
        ).format(deadline=deadline)
        return Reminder(due.client.telegram_id, text, client=due.client)

    async def _unfinished_reminder(self, session: AsyncSession, due: Due) -> Reminder:
        translator = self._translator_for(due.client)
        _ = translator.gettext
        progress = await ApplicationService(session, self.catalogue).progress(due.application)
        text = translator.ngettext(
            "📝 Your ICP application is waiting for you: {done} of {total} step done. "
            "Continue whenever you are ready – everything you sent is saved.",
            "📝 Your ICP application is waiting for you: {done} of {total} steps done. "
            "Continue whenever you are ready – everything you sent is saved.",
            progress.total,
        ).format(done=progress.done, total=progress.total)
        buttons = keyboard([Button(_("▶️ Continue"), CONTINUE)])
        return Reminder(due.client.telegram_id, text, buttons, client=due.client)

    def _staff_reminder(self, due: Due) -> Reminder | None:
        if self.settings.staff_chat_id is None:
            return None
        staff = self.translations.get(None)
        since = staff.format_datetime(
            as_utc(due.application.updated_at), self.settings.office_timezone
        )
        text = staff.gettext(
            "⏳ Application #{number} ({name}) has been waiting for our review since {since}. "
            "Open it with /app {number}."
        ).format(
            number=due.application.id,
            name=html.escape(name_of(due.client) or str(due.client.telegram_id), quote=False),
            since=since,
        )
        return Reminder(self.settings.staff_chat_id, text)
