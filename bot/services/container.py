"""The services one bot instance shares across updates."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.config import Settings
from bot.filing.catalogue import Catalogue
from bot.i18n import Translations
from bot.images.service import ImageService
from bot.images.storage import DocumentStore
from bot.services.agency import AgencyInfo
from bot.services.conversations import ForumFlag
from bot.services.faq import FaqService
from bot.services.send_budget import SendBudget
from bot.services.staff_group import StaffGroupMoves
from storage.database import Database


@dataclass
class Services:
    """Everything handlers need besides the update itself."""

    settings: Settings
    database: Database
    translations: Translations
    agency: AgencyInfo
    faq: FaqService
    catalogue: Catalogue
    documents: DocumentStore
    images: ImageService
    send_budget: SendBudget
    staff_forum: ForumFlag = field(default_factory=ForumFlag)
    # The staff group followed to its new id when Telegram makes it a supergroup.
    staff_moves: StaffGroupMoves = field(init=False)

    def __post_init__(self) -> None:
        self.staff_moves = StaffGroupMoves(self.settings, self.database, self.staff_forum)
