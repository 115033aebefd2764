"""Maintain the translation catalogs: ``python -m bot.catalog_tools``.

1. extracts every translatable string from ``bot/`` and ``handlers/`` into ``messages.pot``;
2. merges it into each language's ``messages.po`` (new strings arrive untranslated);
3. fills English with the source text and generates Traditional Chinese (as written in Taiwan,
   see ``bot.chinese``) from Simplified, except entries marked with a ``# manual`` comment in
   the Traditional catalog;
4. lists Traditional entries that still use mainland-only words (``bot.chinese.MAINLAND_TERMS``);
5. generates the Traditional Chinese of every Simplified text of the data files
   (``bot/knowledge/faq.toml`` and ``application.toml``) that has no hand-written ``zh_Hant``,
   into ``bot/knowledge/traditional.json``, so the bot need not load the converter at start
   (see ``bot.localized``);
6. encodes the FAQ's example questions into ``bot/knowledge/faq_vectors.npz`` and trains the
   classifier of their meaning into ``faq_classifier.npz``, which the matcher loads at start
   instead of training it (see ``bot.faq.semantic`` and ``bot.faq.classifier``); the same for
   their words' vectors, ``faq_word_vectors.npz`` and ``faq_word_classifier.npz``
   (``bot.faq.word_vectors``).

Then translate the new Simplified Chinese strings by hand and run the tool again. Where the
generated Traditional text is wrong or reads unnaturally in Taiwan, write it by hand in
``locales/zh_Hant/LC_MESSAGES/messages.po`` and put ``# manual`` above the entry: the tool keeps
it from then on (delete the comment to have it generated again).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.chinese import mainland_terms, to_traditional
from bot.config import DEFAULT_FAQ_PATH
from bot.faq.classifier import CLASSIFIER_PATH, EntryClassifier
from bot.faq.knowledge import load_knowledge
from bot.faq.matcher import meaning_examples
from bot.faq.semantic import VECTORS_PATH, WORD_VECTORS_PATH, shared_store
from bot.faq.word_vectors import WORD_CLASSIFIER_PATH, WordMeaning
from bot.filing.catalogue import DEFAULT_CATALOGUE_PATH, load_catalogue
from bot.i18n import DOMAIN, ENGLISH, LOCALES_DIR, SIMPLIFIED, TRADITIONAL
from bot.localized import GENERATED_TRADITIONAL_PATH, TraditionalTexts

ROOT = LOCALES_DIR.parent
SOURCE_DIRS = ("bot", "handlers")
MANUAL = "manual"  # a "# manual" comment keeps a hand-written Traditional translation
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}


def extract() -> Catalog:
    """Every translatable string in the source code."""
    template = Catalog(project="icp-filing-assistant", charset="utf-8")
    for directory in SOURCE_DIRS:
        for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / directory, keywords=KEYWORDS, comment_tags=("Translators:",)
        ):
            template.add(
                message,
                None,
                [(f"{directory}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return template


def po_path(language: str) -> Path:
    """Where a language's catalog lives."""
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def load(language: str) -> Catalog:
    """A language's catalog, or an empty one."""
    path = po_path(language)
    if not path.exists():
        return Catalog(locale=language, project="icp-filing-assistant", charset="utf-8")
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def save(catalog: Catalog, path: Path) -> None:
    """Write a catalog without line numbers, so diffs stay small."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(
            handle,
            catalog,
            width=100,
            include_lineno=False,
            sort_output=False,
            ignore_obsolete=True,
        )


def texts_of(translation: str | tuple[str, ...] | list[str] | None) -> list[str]:
    """The text(s) of a translation: one string, or one per plural form."""
    if isinstance(translation, str):
        return [translation]
    return list(translation or ())


def _traditional(translation: str | tuple[str, ...] | list[str]) -> str | tuple[str, ...]:
    if isinstance(translation, str):
        return to_traditional(translation)
    return tuple(to_traditional(text) for text in translation)


def data_file_traditional() -> dict[str, str]:
    """Simplified → Traditional for every text of the shipped data files without a hand-written
    Traditional text, sorted (what ``traditional.json`` must hold)."""
    texts = TraditionalTexts({})
    load_knowledge(DEFAULT_FAQ_PATH, texts)
    load_catalogue(DEFAULT_CATALOGUE_PATH, texts)
    return {simplified: to_traditional(simplified) for simplified in sorted(set(texts.wanted))}


def traditional_json(texts: dict[str, str]) -> str:
    """The contents of ``traditional.json``: stable, one text per line, in code point order."""
    return json.dumps(texts, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_data_file_traditional() -> int:
    """Write ``traditional.json`` for the shipped data files; how many texts it holds."""
    texts = data_file_traditional()
    GENERATED_TRADITIONAL_PATH.write_text(traditional_json(texts), encoding="utf-8")
    return len(texts)


def write_faq_vectors() -> int:
    """Write the sentence vectors of the shipped FAQ's indexed texts and the classifier trained
    on them; how many texts they hold."""
    examples = meaning_examples(load_knowledge(DEFAULT_FAQ_PATH))
    texts = [example.text for example in examples]
    store = shared_store()
    store.save(texts, VECTORS_PATH)
    EntryClassifier.for_examples(store, examples, path=None).save(CLASSIFIER_PATH)
    words = WordMeaning.for_examples(store.encoder, examples, classifier_path=None)
    words.vectors.save(WORD_VECTORS_PATH)
    words.classifier.save(WORD_CLASSIFIER_PATH)
    return len(set(texts))


def main() -> None:
    """Extract, merge, fill English and generate Traditional Chinese."""
    template = extract()
    save(template, LOCALES_DIR / f"{DOMAIN}.pot")
    catalogs = {}
    for language in (ENGLISH, SIMPLIFIED, TRADITIONAL):
        catalog = load(language)
        catalog.update(copy.deepcopy(template), no_fuzzy_matching=True)
        catalog.fuzzy = False
        catalogs[language] = catalog
    for message in catalogs[ENGLISH]:
        if message.id:
            message.string = message.id
    simplified = catalogs[SIMPLIFIED]
    for message in catalogs[TRADITIONAL]:
        if not message.id or (MANUAL in message.user_comments and message.string):
            continue
        source = simplified.get(message.id)
        message.string = _traditional(source.string) if source and source.string else ""
    missing = [m.id for m in simplified if m.id and not m.string]
    mainland = [
        (m.id, terms)
        for m in catalogs[TRADITIONAL]
        if m.id and (terms := mainland_terms(texts_of(m.string)))
    ]
    for language, catalog in catalogs.items():
        save(catalog, po_path(language))
    generated = write_data_file_traditional()
    vectors = write_faq_vectors()
    print(f"{len(template)} strings; untranslated in {SIMPLIFIED}: {len(missing)}")
    print(f"{generated} data file texts in {TRADITIONAL}: {GENERATED_TRADITIONAL_PATH.name}")
    print(f"{vectors} FAQ texts encoded: {VECTORS_PATH.name}")
    for message_id in missing:
        print(f"  - {message_id!r}")
    if mainland:
        print(f"mainland-only words in {TRADITIONAL} (write these by hand, marked # manual):")
    for message_id, terms in mainland:
        print(f"  - {message_id!r}: {', '.join(dict.fromkeys(terms))}")


if __name__ == "__main__":
    main()
