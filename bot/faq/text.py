"""Turning a question into matching terms: normalisation, tokens, stemming, synonyms."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable

from bot.chinese import to_simplified

_WORD = re.compile(r"[a-z0-9]+(?:\.[a-z]{2,})?|[\u3400-\u4dbf\u4e00-\u9fff]+")
_CJK_RUN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")

# Function words that say little about what a question is about. Question words such as
# "why", "how" and "when" are kept: "why" and "how long" point to different entries.
ENGLISH_STOPWORDS = frozenset(
    """a about above after again all also am an and any are as at be been before being below
    between both but by can could did do does doing done down during each few for from further
    get got had has have having he her here hers him his however i if in into is it its just
    know let like me might mine more most my no nor not now of off on once only or other our
    ours out over own please pls plz same she should so some such tell than thank thanks that
    the their theirs them then there these they this those through to too under until up us
    very was we were with would you your yours hi hello hey dear sir madam question quick
    want wanna gonna u ur im ive id dont doesnt cant isnt wont anyone someone thing things
    something really actually ok okay yes yeah""".split()  # noqa: SIM905 - reads better as text
)

# Chinese characters that carry little meaning on their own (particles, pronouns).
CHINESE_FILLER = frozenset(
    "的了吗呢吧啊呀么嘛哦哈我你您他她它们是在有和与及或请问就都也还要会能想"
)


# Common Cantonese words (after conversion to Simplified) and their Mandarin equivalents, so a
# Hong Kong client's 「要準備咩文件」 matches 「要准备什么文件」.
CANTONESE = {
    "点样": "怎么",
    "几耐": "多久",
    "几多钱": "多少钱",
    "几多": "多少",
    "边度": "哪里",
    "边个": "谁",
    "影相": "拍照",
    "唔该": "请",
    "使唔使": "需不需要",
    "唔使": "不用",
    "衫": "衣服",
    "咩": "什么",
    "唔": "不",
    "冇": "没有",
    "嘅": "的",
    "哋": "们",
    "佢": "他",
    "喺": "在",
    "㗎": "",
    "嘢": "东西",
}
_CANTONESE = re.compile("|".join(sorted(CANTONESE, key=len, reverse=True)))


# Words that name the filing itself: a message that uses one is about the ICP filing, so the
# bot may be unsure of it but never calls it a request outside what it serves.
_NAMES_THE_FILING = re.compile(
    r"\bicp\b|icp[\s-]?(?:license|licence|filing|number|备|证)|\bbei\s?an\b|\bmiit\b"
    r"|备案|工信部|管局|公网安备|网安备案"
)


def names_the_filing(text: str) -> bool:
    """Whether a message names the ICP filing (in English, pinyin or Chinese, either script)."""
    return _NAMES_THE_FILING.search(normalise(text)) is not None


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, Traditional to Simplified, Cantonese to Mandarin."""
    simplified = for_meaning(text).lower()
    return _CANTONESE.sub(lambda match: CANTONESE[match.group()], simplified)


def for_meaning(text: str) -> str:
    """A text as the sentence encoder reads it: in Simplified script, like most examples (the
    encoder knows both scripts, but the same words in one script lie closer together)."""
    return to_simplified(unicodedata.normalize("NFKC", text))


def stem(word: str) -> str:
    """A light English stemmer: enough to join licence/licences, apply/applying/applied."""
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, replacement in (
        ("ies", "y"),
        ("ing", ""),
        ("ied", "y"),
        ("ed", ""),
        ("es", ""),
        ("s", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: len(word) - len(suffix)] + replacement
            break
    return word.rstrip("e") if len(word) > 4 else word


def tokens(text: str) -> list[str]:
    """Stemmed Latin words (stop words included) and Chinese runs of a normalised text."""
    found: list[str] = []
    for match in _WORD.finditer(text):
        token = match.group()
        found.append(token if _CJK_RUN.match(token) else stem(token))
    return found


def is_stopword(token: str) -> bool:
    """Whether a (stemmed) Latin token is a function word."""
    return token in _STEMMED_STOPWORDS


def words(text: str) -> list[str]:
    """Latin words (stemmed, without stop words) and Chinese runs of a normalised text."""
    return [token for token in tokens(text) if not is_stopword(token)]


def latin_bigrams(stems: list[str]) -> list[str]:
    """Adjacent word pairs ("how long", "take down") unless both are function words."""
    return [
        f"{first}_{second}"
        for first, second in itertools.pairwise(stems)
        if not (is_stopword(first) and is_stopword(second))
    ]


_STEMMED_STOPWORDS = frozenset(ENGLISH_STOPWORDS | {stem(word) for word in ENGLISH_STOPWORDS})


def chinese_terms(run: str) -> list[str]:
    """Character bigrams of a Chinese run, plus meaningful single characters."""
    if len(run) == 1:
        return [] if run in CHINESE_FILLER else [run]
    bigrams = [run[i : i + 2] for i in range(len(run) - 1)]
    return [
        gram for gram in bigrams if not (gram[0] in CHINESE_FILLER and gram[1] in CHINESE_FILLER)
    ]


def is_chinese(token: str) -> bool:
    """Whether a token is a run of Chinese characters."""
    return bool(_CJK_RUN.match(token))


class SynonymTable:
    """Maps words and phrases, in any language, to one canonical concept term."""

    def __init__(self, groups: Iterable[Iterable[str]]) -> None:
        self._latin: dict[str, str] = {}
        self._chinese: list[tuple[str, str]] = []
        for index, group in enumerate(groups):
            concept = f"§{index}"
            for phrase in group:
                phrase = normalise(phrase).strip()
                if not phrase:
                    continue
                if re.search(r"[\u3400-\u9fff]", phrase):
                    self._chinese.append((phrase, concept))
                else:
                    key = " ".join(words(phrase))
                    if key:
                        self._latin[key] = concept
        # Longest phrases first, so "hong kong" wins over "kong".
        self._chinese.sort(key=lambda pair: -len(pair[0]))
        self._longest_latin = max((len(key.split()) for key in self._latin), default=1)
        self.latin_words = frozenset(word for key in self._latin for word in key.split())

    def latin_concepts(self, stems: list[str]) -> list[str]:
        """Concept terms for single words and multi-word phrases among stemmed words."""
        found: list[str] = []
        for size in range(1, self._longest_latin + 1):
            for start in range(len(stems) - size + 1):
                concept = self._latin.get(" ".join(stems[start : start + size]))
                if concept:
                    found.append(concept)
        return found

    def chinese_concepts(self, text: str) -> list[str]:
        """Concept terms for Chinese phrases found in the text."""
        return [concept for phrase, concept in self._chinese if phrase in text]


# Sentence ends: a long post is cut into sentences so that its questions can weigh more than
# the story around them. A full stop between letters ("alibabacloud.com", "2.0") is not an end.
_SENTENCE_END = re.compile(r"(?<=[?？!！。；;\n])|(?<=\.)(?=\s|$)")
_QUESTION_SENTENCE = re.compile(
    r"[?？]\s*$|^\s*(?:how|what|whats|why|when|where|which|who|can|could|do|does|did|is|are|"
    r"should|will|would|may|must|any|need|has|have)\b|\b(?:how|what|why|where|which)\b"
    r"|吗|么|怎|如何|什么|为什么|为何|哪|多少|多久|能否|是否|可否|有没有|能不能|可不可以|"
    r"要不要|需不需要|是不是|请问|咨询|嘛"
)


def sentences(text: str) -> list[str]:
    """The sentences of a normalised text, without empty ones."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def is_question(sentence: str) -> bool:
    """Whether a normalised sentence asks something."""
    return bool(_QUESTION_SENTENCE.search(sentence))


# Where one sentence joins two questions: "what is it, and why is it needed?", "要多久，多少钱？".
_CLAUSE_BREAK = re.compile(r"[,，、]\s*(?:(?:and|or|also)\s+|还有|以及|并且|而且|另外|那)?")


def asked_clauses(sentence: str) -> list[str]:
    """The questions a normalised sentence joins with commas, when each of its clauses asks
    one in its own words ("how long does it take, if I'm a foreigner?" asks one); else []."""
    clauses = [clause.strip() for clause in _CLAUSE_BREAK.split(sentence) if clause.strip()]
    if len(clauses) < 2:
        return []
    asking = all(is_question(clause.rstrip("?？ ")) for clause in clauses)
    return clauses if asking else []
