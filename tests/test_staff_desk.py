"""The staff desk's use cases without Telegram: cards, moves with the client's notice, dossiers."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.filing.applications import ApplicationService
from bot.filing.catalogue import load_catalogue
from bot.filing.stages import STAFF_MOVES, MoveError, Stage
from bot.i18n import Translations
from bot.images.storage import DocumentStore
from bot.messenger import Button, keyboard
from bot.services.staff_desk import StageDesk
from storage.database import Database
from storage.models import Client, FilingApplication
from tests.support.fake_messenger import FakeMessenger

CATALOGUE = load_catalogue()
TRANSLATIONS = Translations.load()
CONTINUE = "app:continue"


@dataclass
class Desk:
    """A desk on a real session, its messenger, and the client with a submitted application."""

    desk: StageDesk
    messenger: FakeMessenger
    session: AsyncSession
    client: Client
    number: int


@pytest.fixture
async def desk(
    database: Database, make_settings: Callable[..., Settings], tmp_path: Path
) -> AsyncIterator[Desk]:
    async with database.sessions() as session:
        client = Client(telegram_id=7001, first_name="Li", last_name="Na", language="zh_Hans")
        session.add(client)
        await session.flush()
        applications = ApplicationService(session, CATALOGUE)
        application = await applications.start(client, "mainland_individual")
        for item in await applications.missing(application):
            await applications.accept_text(
                application, item, "星辰设计作品集" if item.id == "website_name" else "x"
            )
        assert await applications.submit(application, client.telegram_id)
        await session.commit()
        messenger = FakeMessenger()

        async def commit_first(_chat: int) -> None:
            await session.commit()  # as the real Messenger does

        messenger.before_send = commit_first
        staff_desk = StageDesk(
            session,
            make_settings(),
            TRANSLATIONS,
            CATALOGUE,
            DocumentStore(tmp_path / "documents"),
            messenger,
            commit=session.commit,
            continue_data=CONTINUE,
        )
        yield Desk(staff_desk, messenger, session, client, application.id)


async def test_the_card_shows_stage_history_and_moves(desk: Desk) -> None:
    card = await desk.desk.card(desk.number)
    assert card is not None
    assert (card.number, card.client_name, card.stage) == (desk.number, "Li Na", "submitted")
    assert [entry.stage for entry in card.history] == ["submitted"]
    assert card.moves == STAFF_MOVES[Stage.SUBMITTED] and card.icp_number is None
    assert await desk.desk.card(desk.number + 1) is None


async def test_a_move_is_stored_before_the_client_is_told(desk: Desk, database: Database) -> None:
    outcome = await desk.desk.move(desk.number, Stage.WITH_PROVIDER, 9001)
    assert outcome is not None and outcome.delivered
    assert outcome.change.stage == "with_provider" and outcome.card.stage == "with_provider"
    assert outcome.notice is not None and outcome.notice.chat_id == 7001
    assert outcome.notice.language == "zh_Hans" and outcome.notice.buttons is None
    [sent] = desk.messenger.sent
    assert sent.text == outcome.notice.text and sent.chat_id == 7001
    await desk.session.rollback()  # what the card read afterwards; the move was committed
    async with database.sessions() as elsewhere:
        stored = await elsewhere.get(FilingApplication, desk.number)
        assert stored is not None and stored.status == "with_provider"
    assert [entry.stage for entry in outcome.card.history] == ["submitted", "with_provider"]
    assert await desk.desk.move(desk.number + 1, Stage.AT_BUREAU, 9001) is None


async def test_a_move_not_allowed_changes_nothing(desk: Desk) -> None:
    with pytest.raises(MoveError, match="cannot move"):
        await desk.desk.move(desk.number, Stage.APPROVED, 9001, "京ICP备12345678号-1")
    with pytest.raises(MoveError, match="needs a reason"):
        await desk.desk.move(desk.number, Stage.CHANGES_REQUESTED, 9001, " ")
    card = await desk.desk.card(desk.number)
    assert card is not None and card.stage == "submitted" and len(card.history) == 1
    assert desk.messenger.sent == []


async def test_changes_reopen_the_steps_and_offer_continue(desk: Desk) -> None:
    note = "website_name: 名称与网站内容无关"
    outcome = await desk.desk.move(desk.number, Stage.CHANGES_REQUESTED, 9001, note)
    assert outcome is not None and outcome.notice is not None
    continue_label = TRANSLATIONS.get("zh_Hans").gettext("▶️ Continue")
    assert outcome.notice.buttons == keyboard([Button(continue_label, CONTINUE)])
    assert "名称与网站内容无关" in outcome.notice.text
    applications = ApplicationService(desk.session, CATALOGUE)
    application = await desk.desk.stages.get(desk.number)
    assert application is not None and application.current_step == "website_name"
    assert await applications.open_for(desk.client) is application


async def test_a_blocked_client_is_marked_and_the_move_stays(desk: Desk) -> None:
    desk.messenger.block(desk.client.telegram_id)
    outcome = await desk.desk.move(desk.number, Stage.WITH_PROVIDER, 9001)
    assert outcome is not None and not outcome.delivered and outcome.notice is not None
    assert desk.client.blocked_bot and outcome.card.stage == "with_provider"


async def test_the_dossier_is_built_after_committing(desk: Desk) -> None:
    dossier = await desk.desk.export(desk.number)
    assert dossier is not None and not desk.session.in_transaction()
    assert dossier.file_name == f"icp_application_{desk.number}.zip" and dossier.documents == 0
    summary = zipfile.ZipFile(io.BytesIO(dossier.data)).read("summary.txt").decode()
    assert f"Application #{desk.number}" in summary and "Li Na" in summary
    assert await desk.desk.export(desk.number + 1) is None


async def test_the_export_is_the_providers_form_in_beijing_time(desk: Desk) -> None:
    application = await desk.desk.stages.get(desk.number)
    assert application is not None
    application.submitted_at = datetime(2026, 9, 30, 18, 30, tzinfo=UTC)  # 02:30 on 1 October
    applications = ApplicationService(desk.session, CATALOGUE)
    for step, value in {
        "entity_name": "李娜",
        "entity_id_number": "11010519491231002X",
        "domain": "lina-design.cn",
        "mobile": "13912345678",
    }.items():
        item = CATALOGUE.find_item(step)
        assert item is not None
        await applications.accept_text(application, item, value)
    await desk.desk.move(desk.number, Stage.WITH_PROVIDER, 9001)
    dossier = await desk.desk.export(desk.number)
    assert dossier is not None
    archive = zipfile.ZipFile(io.BytesIO(dossier.data))
    summary = archive.read("summary.txt").decode()
    assert "Submitted: 2026-10-01 02:30" in summary and "Beijing time" in summary
    assert "## Entity (主体信息)" in summary and "## Website (网站信息)" in summary
    assert "| ID number | 11010519491231002X (" in summary and "birth_date: 1949-12-31" in summary
    data = json.loads(archive.read("summary.json"))
    assert (
        data["submitted_at"] == "2026-10-01T02:30:00+08:00" and data["timezone"] == "Asia/Shanghai"
    )
    stamps = [data["created_at"], data["exported_at"], *(e["when"] for e in data["history"])]
    assert stamps and all(stamp.endswith("+08:00") for stamp in stamps)
    by_id = {section["id"]: section for section in data["sections"]}
    entity = {field["step"]: field for field in by_id["entity"]["fields"]}
    assert entity["entity_name"]["value"] == "李娜"
    assert entity["entity_id_number"]["derived"]["region"] == "110105"
    website = {field["step"]: field["value"] for field in by_id["website"]["fields"]}
    assert website["domain"] == "lina-design.cn" and website["website_name"] == "星辰设计作品集"
    assert "mobile" in {field["step"] for field in by_id["website_person"]["fields"]}
