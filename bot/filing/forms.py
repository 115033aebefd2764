"""Filling a form template with the client's data: ``{{placeholder}}`` → value.

Placeholders name a step (its text answer, or the Chinese label of a choice) or one of the
values ``form_values`` adds (``applicant``, ``provider``, ``date``, …). A value the client has
not given yet becomes a blank line to write on by hand. Word splits text into runs as it likes,
so a paragraph with a placeholder is rewritten as one run (keeping its first run's format).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # python-docx (and lxml) load on the first form: ~15 MB the bot rarely needs
    from docx.table import Table
    from docx.text.paragraph import Paragraph

SHIPPED_TEMPLATES = Path(__file__).resolve().parent.parent / "knowledge" / "templates"
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}")
BLANK = "________________"


def fill_docx(data: bytes, values: Mapping[str, str]) -> bytes:
    """The .docx ``data`` with every placeholder replaced (unknown ones by a blank line)."""
    from docx import Document

    document = Document(io.BytesIO(data))
    for paragraph in _paragraphs(document.paragraphs, document.tables):
        _fill(paragraph, values)
    for section in document.sections:
        for part in (section.header, section.footer):
            for paragraph in _paragraphs(part.paragraphs, part.tables):
                _fill(paragraph, values)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_text(data: bytes) -> str:
    """Every paragraph's text of a .docx, tables included, one per line."""
    from docx import Document

    document = Document(io.BytesIO(data))
    return "\n".join(p.text for p in _paragraphs(document.paragraphs, document.tables))


def _paragraphs(paragraphs: list[Paragraph], tables: list[Table]) -> Iterator[Paragraph]:
    yield from paragraphs
    for table in tables:
        for row in table.rows:
            for cell in row.cells:
                yield from _paragraphs(cell.paragraphs, cell.tables)


def _fill(paragraph: Paragraph, values: Mapping[str, str]) -> None:
    text = paragraph.text
    if "{{" not in text:
        return
    filled = PLACEHOLDER.sub(lambda match: values.get(match.group(1)) or BLANK, text)
    runs = paragraph.runs
    if not runs:
        return
    runs[0].text = filled
    for run in runs[1:]:
        run.text = ""


@dataclass(frozen=True)
class TemplateFolders:
    """Where template files are read: the agency's folder first, then the shipped defaults."""

    agency: Path | None
    shipped: Path

    def read(self, name: str) -> bytes | None:
        """The file's bytes, or None when neither folder has it."""
        for folder in (self.agency, self.shipped):
            if folder is None:
                continue
            path = (folder / name).resolve()
            if path.is_relative_to(folder.resolve()) and path.is_file():
                return path.read_bytes()
        return None
