"""The forms a client prints and signs (核验单, 承诺书, 授权书, 真实性责任告知书): which step
offers which template, for which hosting provider and province, as the application data file
says (its ``[[template]]`` entries)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from bot.localized import LocalizedText, Strict

IDENTIFIER = r"^[a-z][a-z0-9_]{0,39}$"
# A file inside the templates folder (sub-folders allowed, no other dot): a .docx (filled in
# with the client's data) or a .pdf (sent as it is).
TEMPLATE_FILE = r"^[\w\- ]+(/[\w\- ]+)*\.(docx|pdf)$"


class TemplateVariant(Strict):
    """The file to use instead for one provider, one province, or both."""

    provider: str | None = None
    province: str | None = None
    file: Annotated[str, Field(pattern=TEMPLATE_FILE)]

    def specificity(self, provider: str | None, province: str | None) -> int:
        """How well it fits (-1: not at all; 3: provider and province)."""
        if self.provider is not None and self.provider != provider:
            return -1
        if self.province is not None and self.province != province:
            return -1
        return (2 if self.provider else 0) + (1 if self.province else 0)


class FormTemplate(Strict):
    """A form to sign, the steps whose card offers it, and its file per provider and province."""

    id: Annotated[str, Field(pattern=IDENTIFIER)]
    title: LocalizedText
    steps: Annotated[list[str], Field(min_length=1)]
    file: Annotated[str, Field(pattern=TEMPLATE_FILE)]
    # Offered only to clients of these providers or in these provinces (both empty: everyone).
    providers: list[str] = Field(default_factory=list)
    provinces: list[str] = Field(default_factory=list)
    variants: list[TemplateVariant] = Field(default_factory=list)

    def offered(self, provider: str | None, province: str | None) -> bool:
        """Whether a client with this provider and province needs this form."""
        if not self.providers and not self.provinces:
            return True
        return provider in self.providers or province in self.provinces

    def file_for(self, provider: str | None, province: str | None) -> str:
        """The most specific file for this provider and province (the default otherwise)."""
        best, best_fit = self.file, 0
        for variant in self.variants:
            fit = variant.specificity(provider, province)
            if fit > best_fit:
                best, best_fit = variant.file, fit
        return best


def templates_for_step(
    templates: list[FormTemplate], step_id: str, provider: str | None, province: str | None
) -> list[FormTemplate]:
    """The forms a step offers to a client with this provider and province, in file order."""
    return [t for t in templates if step_id in t.steps and t.offered(provider, province)]
