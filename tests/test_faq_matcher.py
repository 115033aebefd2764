"""FAQ matching on the shipped knowledge file: answers, near-misses, languages, typos."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import ClassVar

import pytest

from bot.config import DEFAULT_FAQ_PATH
from bot.faq.knowledge import load_knowledge
from bot.faq.matcher import FaqMatcher, Match, MatchSettings, Outcome
from bot.faq.semantic import shared_store
from bot.faq.smalltalk import SmallTalk, classify
from bot.services import faq as faq_service
from bot.services.agency import AgencyInfo
from bot.services.faq import FaqReply, FaqService
from storage.models import Client as ClientModel
from storage.models import Question

BENCH_SET = Path(__file__).resolve().parent.parent / "bench" / "faq_questions.toml"


@pytest.fixture(scope="module")
def matcher() -> FaqMatcher:
    return FaqMatcher(load_knowledge(DEFAULT_FAQ_PATH), vectors=shared_store())


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("外国人可以申请吗？", "foreigners"),
        ("外國人可以申請嗎？", "foreigners"),
        ("how long does it take?", "duration"),
        ("how lond does it tak", "duration"),
        ("how long does 备案 take", "duration"),
        ("备案要多久", "duration"),
        ("what does it cost", "fees"),
        ("can a foreign company apply with its overseas business license?", "foreign_company"),
        ("香港人可以辦理備案嗎", "hk_macau_taiwan"),
        ("where do i put the icp number on my website", "display_number"),
        ("my filing was rejected, what now?", "rejection"),
        ("what documents does a company need", "documents_company"),
        ("What is an ICP license?", "what_is_icp"),
        ("什么是备案？", "what_is_icp"),
        ("網站為什麼要備案？", "why_needed"),
        # Pinyin with spaces: its syllables are English stopwords ("an") or near English
        # words ("gong" → "going") and must still be read as pinyin.
        ("gong an bei an required?", "public_security"),
        ("how long does bei an take", "duration"),
    ],
)
def test_answers_covered_questions(matcher: FaqMatcher, question: str, entry: str) -> None:
    result = matcher.match(question)
    assert result.outcome is Outcome.ANSWER, result
    assert result.best is not None and result.best.entry_id == entry


@pytest.mark.parametrize(
    "question",
    [
        "what's the weather in Shanghai tomorrow?",
        "tell me a joke",
        "how do I open a bank account in China?",
        "帮我写一封辞职信",
        "",
        "🙂🙂🙂",
    ],
)
def test_does_not_answer_what_it_does_not_cover(matcher: FaqMatcher, question: str) -> None:
    assert matcher.match(question).outcome is not Outcome.ANSWER


def test_benchmark_set_stays_good(matcher: FaqMatcher) -> None:
    """A guard against regressions when the FAQ file is edited (targets are in bench/)."""
    questions = tomllib.loads(BENCH_SET.read_text(encoding="utf-8"))["question"]
    covered = [q for q in questions if q["expect"] != "none"]
    uncovered = [q for q in questions if q["expect"] == "none"]

    def answered(text: str) -> str | None:
        result = matcher.match(text)
        return result.best.entry_id if result.outcome is Outcome.ANSWER and result.best else None

    accuracy = sum(answered(q["text"]) == q["expect"] for q in covered) / len(covered)
    handoff = sum(answered(q["text"]) is None for q in uncovered) / len(uncovered)
    assert accuracy >= 0.9 and handoff >= 0.85, (accuracy, handoff)


@pytest.mark.parametrize(
    "text",
    [
        "Book me a flight to Beijing next week",
        "What's the weather in Shanghai tomorrow?",
        "帮我订一张去北京的机票",
        "明天北京天气怎么样？",
    ],
)
def test_requests_the_bot_cannot_serve_are_unsupported(matcher: FaqMatcher, text: str) -> None:
    assert matcher.match(text).outcome is Outcome.UNSUPPORTED


@pytest.mark.parametrize(
    ("text", "offered"),
    [("In china, how to add ICP number", "display_number"), ("ICP备案跟我订的机票有关系吗", None)],
)
def test_a_question_that_names_the_filing_is_never_called_off_topic(
    matcher: FaqMatcher, text: str, offered: str | None
) -> None:
    """Unsure of it, perhaps, with the closest entries one tap away, but not "outside what I
    can help with"."""
    result = matcher.match(text)
    assert result.outcome is not Outcome.UNSUPPORTED
    assert offered is None or offered in result.offered


def test_a_two_part_question_offers_the_other_part(matcher: FaqMatcher) -> None:
    result = matcher.match("How long does it take? And how much does it cost?")
    assert result.outcome is Outcome.ANSWER
    assert result.answered == {"duration", "fees"}
    assert matcher.match("备案要多久？费用多少？").answered == {"duration", "fees"}
    # One sentence that joins two questions with a comma asks both.
    for joined in ("How long does it take, and how much does it cost?", "备案要多久，费用多少？"):
        assert matcher.match(joined).answered == {"duration", "fees"}, joined
    hant = matcher.match("什麼是網站備案，為什麼要備案？")
    assert hant.answered == {"what_is_icp", "why_needed"}
    # A clause that only qualifies the question asks nothing of its own.
    qualified = matcher.match("How long does it take, if I am a foreigner?")
    assert qualified.also is None and len(qualified.answered) == 1
    # A question the bot is unsure of answers nothing, whatever came closest.
    unsure = matcher.match("Please book me a flight to Shenzhen")
    assert unsure.outcome is not Outcome.ANSWER and unsure.answered == set()


def test_naive_bayes_posterior_is_a_distribution_over_entries(matcher: FaqMatcher) -> None:
    query = matcher._vector(matcher._terms("how long does the filing take"))
    posterior = matcher._posterior(query)
    assert abs(sum(posterior) - 1) < 1e-9
    assert matcher._out_of_scope is not None and posterior[matcher._out_of_scope] == 0
    assert matcher._entry_ids[int(posterior.argmax())] == "duration"


def test_packed_postings_keep_every_posting_in_order() -> None:
    from bot.faq.matcher import _Postings

    postings = _Postings(
        [("a", 3, 0.5, 0.0), ("b", 1, 0.25, 1.5), ("a", 7, 0.75, 2.0), ("c", 2, 1.0, 0.0)]
    )
    assert list(postings.get("a")) == [(3, 0.5, 0.0), (7, 0.75, 2.0)]
    assert list(postings.get("b")) == [(1, 0.25, 1.5)]
    assert list(postings.get("missing")) == []


def test_a_one_part_question_has_no_other_part(matcher: FaqMatcher) -> None:
    assert matcher.match("外国人可以申请吗？").also is None
    # Both parts about the same entry: nothing else to offer.
    assert matcher.match("照片和掃描檔有什麼要求？軟體會自動檢查嗎？").also is None


def test_a_question_buried_in_a_long_post_is_found(matcher: FaqMatcher) -> None:
    post = (
        "Hello everyone. We are a small design studio from Lyon and we have been working with "
        "Chinese clients for years, and our marketing people are now planning a Chinese site. "
        "How long does the ICP filing take? Thanks in advance. Best regards, Marie"
    )
    result = matcher.match(post)
    assert result.outcome is Outcome.ANSWER and result.best is not None
    assert result.best.entry_id == "duration"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Thanks for you help.", SmallTalk.THANKS),
        ("谢谢解答…", SmallTalk.THANKS),
        ("Thank you very much! Best regards.", SmallTalk.THANKS),
        ("noted, thanks", SmallTalk.THANKS),
        ("好的，多谢哈", SmallTalk.THANKS),
        ("Welp. Thanks for letting me know.", SmallTalk.THANKS),
        ("ok", SmallTalk.ACKNOWLEDGEMENT),
        ("好的", SmallTalk.ACKNOWLEDGEMENT),
        ("收到", SmallTalk.ACKNOWLEDGEMENT),
        ("Good ~", SmallTalk.ACKNOWLEDGEMENT),
        ("Hello there!", SmallTalk.GREETING),
        ("您好", SmallTalk.GREETING),
        ("can I talk to a human?", SmallTalk.HUMAN),
        ("好主意", SmallTalk.ACKNOWLEDGEMENT),
        ("You're welcome :)", SmallTalk.ACKNOWLEDGEMENT),
        ("妥妥的！", SmallTalk.ACKNOWLEDGEMENT),
    ],
)
def test_real_small_talk_is_recognised(text: str, kind: SmallTalk) -> None:
    assert classify(text) is kind


@pytest.mark.parametrize(
    "text",
    [
        "thanks, but how long does it take?",
        "Thanks! Can I use a Hong Kong server?",
        "thank you, but I still can't upload my ID photo",
        "谢谢，备案要多久",
        "好的，那需要什么材料",
        "ok so what documents do I need",
        "你好，我想办理备案",
        "sorry, how long does it take?",
        "is my filing correct?",
        "抱歉，备案要多久",
    ],
)
def test_questions_after_thanks_are_not_small_talk(text: str) -> None:
    assert classify(text) is None


class _FakeQuestions:
    """Stands in for QuestionRepository: the service's log of questions."""

    added: ClassVar[list[Question]] = []

    def __init__(self, session: object) -> None:
        pass

    async def record(
        self,
        client_id: int,
        text: str,
        language: str,
        outcome: str,
        entry_id: str | None,
        score: float,
    ) -> int:
        question = Question(
            client_id=client_id,
            text=text,
            language=language,
            outcome=outcome,
            entry_id=entry_id,
            score=score,
        )
        self.added.append(question)
        return len(self.added)


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch) -> FaqService:
    monkeypatch.setattr(faq_service, "QuestionRepository", _FakeQuestions)
    return FaqService(load_knowledge(DEFAULT_FAQ_PATH), AgencyInfo("Agency"))


async def _ask(service: FaqService, text: str) -> FaqReply:
    client = ClientModel(id=1, telegram_id=1, language="en")
    return await service.ask(None, client, text, "en")  # type: ignore[arg-type]


async def test_service_reply_carries_the_other_part(service: FaqService) -> None:
    reply = await _ask(service, "How long does it take? And how much does it cost?")
    assert reply.outcome is Outcome.ANSWER and reply.entry is not None
    assert reply.also is not None and {reply.entry.id, reply.also.id} == {"duration", "fees"}
    assert not reply.unsupported


async def test_service_reply_for_what_the_bot_cannot_serve(service: FaqService) -> None:
    reply = await _ask(service, "Book me a flight to Beijing next week")
    assert reply.outcome is Outcome.UNSUPPORTED and reply.unsupported
    assert reply.entry is None and reply.also is None and reply.suggestions == ()
    assert _FakeQuestions.added[-1].outcome == "unsupported"


@pytest.mark.parametrize(
    ("question", "neighbours"),
    [
        (
            "what server should I buy for the filing and for how long",
            {"server_term", "hosting_requirements"},
        ),
        ("is the ICP licence the same as an ICP number?", {"what_is_icp", "filing_vs_licence"}),
        ("icp備案跟icp證差在哪", {"filing_vs_licence", "edi_licence"}),
    ],
)
def test_an_answer_between_two_neighbours_offers_the_other(
    matcher: FaqMatcher, question: str, neighbours: set[str]
) -> None:
    result = matcher.match(question)
    assert result.outcome is Outcome.ANSWER and result.best is not None
    assert result.related is not None, result
    assert {result.best.entry_id, result.related.entry_id} == neighbours


@pytest.mark.parametrize(
    "question",
    ["服务器要买多久才能备案", "how long does it take?", "我的网站放在香港需要备案吗？"],
)
def test_a_clear_answer_offers_no_neighbour(matcher: FaqMatcher, question: str) -> None:
    result = matcher.match(question)
    assert result.outcome is Outcome.ANSWER and result.related is None, result


async def test_service_reply_carries_the_neighbour(service: FaqService) -> None:
    reply = await _ask(service, "is the ICP licence the same as an ICP number?")
    assert reply.entry is not None and reply.related is not None
    assert reply.related.id != reply.entry.id


def test_reply_stays_backwards_compatible() -> None:
    reply = FaqReply("en", Outcome.UNSURE, None, (), None)
    assert reply.also is None and not reply.unsupported


def test_both_halves_of_the_photo_question_are_answered_in_traditional(
    matcher: FaqMatcher,
) -> None:
    """'What must scans look like? Does the software check them?': one answer covers both."""
    result = matcher.match("照片和掃描檔有什麼要求？軟體會自動檢查嗎？")
    assert result.outcome is Outcome.ANSWER and result.best is not None
    entry = load_knowledge(DEFAULT_FAQ_PATH).find_entry(result.best.entry_id)
    assert entry is not None and entry.answer.zh_Hant is not None
    assert "彩色" in entry.answer.zh_Hant and "自動檢查" in entry.answer.zh_Hant


def test_what_an_icp_licence_is_names_the_ministry(matcher: FaqMatcher) -> None:
    for question in ("什么是ICP许可证？", "What is an ICP license?"):
        result = matcher.match(question)
        assert result.outcome is Outcome.ANSWER and result.best is not None
        entry = load_knowledge(DEFAULT_FAQ_PATH).find_entry(result.best.entry_id)
        assert entry is not None
        assert "工信部" in entry.answer.zh_Hans and "MIIT" in entry.answer.en


def test_an_entry_nearly_as_close_as_the_out_of_scope_questions_is_offered_not_answered() -> None:
    candidates = (Match("verification_photo", 0.32), Match("image_requirements", 0.1))
    limits = MatchSettings()
    near = FaqMatcher._decide(candidates, 0.3, False, limits)
    assert near is Outcome.SUGGEST  # "Is it one of these?" with the entry and Talk to staff
    closer = FaqMatcher._decide(candidates, 0.33, False, limits)
    assert closer in (Outcome.UNSURE, Outcome.UNSUPPORTED)  # no entry offered
    weak = (Match("verification_photo", 0.12),)
    assert FaqMatcher._decide(weak, 0.11, False, limits) is Outcome.UNSURE


@pytest.mark.parametrize(
    ("question", "language", "entry", "facts"),
    [
        (
            "How can I tell whether a Chinese website's ICP number is real?",
            "en",
            "lookup_filing",
            ("beian.miit.gov.cn", "not valid"),
        ),
        ("如何查一个网站的ICP备案是不是真的", "zh_Hans", "lookup_filing", ("公共查询", "无效")),
        ("哪裡可以查到一家公司的ICP備案紀錄", "zh_Hant", "lookup_filing", ("公共查询", "無效")),
        (
            "My filing got approved but the website still can't be reached",
            "en",
            "unreachable_after_approval",
            ("1–2 working days", "80/443"),
        ),
        (
            "备案成功都两天了，域名还是被接入商拦截",
            "zh_Hans",
            "unreachable_after_approval",
            ("1–2个工作日", "谁接入谁备案"),
        ),
        (
            "備案核准了，可是網站還是連不上，怎麼回事？",
            "zh_Hant",
            "unreachable_after_approval",
            ("1–2個工作天", "誰接入誰備案"),
        ),
    ],
)
def test_looking_up_a_filing_and_a_site_blocked_after_approval_get_their_answers(
    matcher: FaqMatcher, question: str, language: str, entry: str, facts: tuple[str, str]
) -> None:
    """Clients' own words (not the entries' examples) get the answer, with its key facts."""
    result = matcher.match(question)
    assert result.outcome is Outcome.ANSWER and result.best is not None, result
    assert result.best.entry_id == entry
    found = load_knowledge(DEFAULT_FAQ_PATH).find_entry(entry)
    assert found is not None
    answer = getattr(found.answer, language)
    assert answer is not None and all(fact in answer for fact in facts)


@pytest.mark.parametrize(
    "question",
    [
        "what if the server sits in our office in Shenzhen",
        "域名是我表哥的名字可以吗",
        "can my wordpress plugin be sold to Chinese customers through a reseller?",
        "how long does it take?",
        "Please book me a flight to Shenzhen",
    ],
)
def test_only_an_unsure_reply_offers_the_closest_entries(
    matcher: FaqMatcher, question: str
) -> None:
    result = matcher.match(question)
    if result.outcome is not Outcome.UNSURE:
        assert result.closest == ()
        return
    assert result.closest == tuple(
        match for match in result.candidates[:2] if match.score >= matcher.settings.suggest
    )


async def test_an_unsure_service_reply_names_the_closest_entries(service: FaqService) -> None:
    reply = await _ask(service, "what if the server sits in our office in Shenzhen")
    assert reply.outcome is Outcome.UNSURE and reply.entry is None
    assert 1 <= len(reply.closest) <= 2
    assert "hosting_requirements" in {entry.id for entry in reply.closest}
