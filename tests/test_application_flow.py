"""The guided application, as clients go through it: eligibility, every step, a rejected upload
replaced, a restart in the middle, and submission – in English and in Chinese."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from PIL import ImageFilter
from sqlalchemy import select
from telegram.ext import CallbackContext

from bot.config import Settings
from bot.context import services_of
from bot.jobs.schedule import send_visit_reminders
from handlers.uploads import REASONS
from storage.models import Booking, DocumentVersion, FilingApplication, utcnow
from storage.models import Client as ClientRow
from tests.conftest import STAFF_CHAT_ID
from tests.support.fake_bot_api import ApiCall
from tests.support.harness import Client, Harness, last_reply, replies, running_bot
from tests.support.image_samples import encode, make_document, phone_photo
from tests.test_images import BAD_FILES

ADMIN_ID = 777


def good_scan(seed: int = 1) -> bytes:
    return encode(make_document((1800, 1150), seed=seed), quality=92)


def photocopy() -> bytes:
    return encode(make_document((1800, 1150)).convert("L").convert("RGB"), quality=92)


def blurred() -> bytes:
    return encode(make_document((1800, 1150)).filter(ImageFilter.GaussianBlur(9)), quality=92)


def staff_close(harness: Harness, conversation: int = 1) -> dict:
    """A staff member presses Close on the client's conversation alert."""
    member = Client(harness, user_id=9001, first_name="Staff")
    chat = {"id": STAFF_CHAT_ID, "type": "supergroup"}
    message = {"message_id": 1, "date": 0, "chat": chat, "text": "alert"}
    update = member.message_update()
    return {
        "update_id": update["update_id"],
        "callback_query": {
            "id": "close",
            "from": member.user,
            "chat_instance": "staff",
            "data": f"sup:close:{conversation}",
            "message": message,
        },
    }


def to_client(client: Client, calls: list[ApiCall]) -> ApiCall:
    """The last message sent to the client (not to the staff chat)."""
    return [call for call in replies(calls) if int(call.params["chat_id"]) == client.user_id][-1]


async def press(client: Client, calls: list[ApiCall], label: str) -> list[ApiCall]:
    """Press the button labelled ``label`` on the last message that has one."""
    for call in reversed(replies(calls)):
        if any(label in text for text, _ in call.buttons):
            return await client.press_on(call, label)
    raise AssertionError(f"no button {label!r} in {[c.buttons for c in replies(calls)]}")


async def eligibility(
    client: Client, applicant: str, answers: list[str], province: str = "Beijing"
) -> list[ApiCall]:
    calls = await client.press("menu:eligibility")
    calls = await press(client, calls, applicant)
    calls = await press(client, calls, province)
    for label in answers:
        calls = await press(client, calls, label)
    return calls


async def _versions(harness: Harness) -> list[DocumentVersion]:
    async with services_of(harness.application).database.sessions() as session:
        return list(await session.scalars(select(DocumentVersion).order_by(DocumentVersion.id)))


async def _application(harness: Harness) -> FilingApplication:
    async with services_of(harness.application).database.sessions() as session:
        application = await session.scalar(select(FilingApplication))
        assert application is not None
        return application


async def test_individual_in_english_with_a_restart(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    async with running_bot(settings) as harness:
        client = Client(harness, user_id=6001, first_name="Anna", language_code="en")
        verdict = last_reply(
            await eligibility(
                client, "Mainland individual", ["mainland China", "approved registrar", "No, none"]
            )
        )
        assert "you can file" in verdict.text and "personal" in verdict.text
        step = last_reply(await press(client, [verdict], "Start my application"))
        assert "Step 1 of 23" in step.text and "Kind of filing" in step.text
        calls = await press(client, [step], "First filing")
        assert "Province: <b>Beijing</b>" in replies(calls)[0].text  # asked once, in the check
        step = last_reply(calls)
        assert "Step 3 of 23" in step.text and "Hosting provider" in step.text
        step = last_reply(await press(client, [step], "Alibaba Cloud"))
        assert "Step 4 of 23" in step.text and "portrait side" in step.text

        refused = last_reply(await client.send_document(photocopy(), "id.jpg"))
        assert "black and white" in refused.text and "colour" in refused.text
        blurry = last_reply(await client.send_document(blurred(), "id.jpg"))
        assert "blurred" in blurry.text
        calls = await client.send_document(good_scan(), "id_front.jpg")
        assert "accepted" in replies(calls)[0].text
        assert "Step 5 of 23" in last_reply(calls).text and "emblem side" in last_reply(calls).text

    async with running_bot(settings) as harness:  # the bot restarted; the client comes back
        client = Client(harness, user_id=6001, first_name="Anna", language_code="en")
        welcome = last_reply(await client.say("/start"))
        assert "4 of 23 steps done" in welcome.text
        step = last_reply(await press(client, [welcome], "Continue my application"))
        assert "Step 5 of 23" in step.text and "emblem side" in step.text
        calls = await client.send_document(good_scan(seed=2), "id_back.jpg")
        step = last_reply(calls)
        assert "ID card's province" in step.text
        step = last_reply(await press(client, [step], "Yes, issued there"))
        assert "Domain certificate" in step.text
        step = last_reply(await press(client, [step], "Skip for now"))
        assert "verification form" in step.text
        step = last_reply(await client.send_document(good_scan(seed=3), "form.png"))
        assert "face check" in step.text
        step = last_reply(await press(client, [step], "face check is done"))
        assert "Website name" in step.text

        problem = last_reply(await client.say("my site"))
        assert "three Chinese characters" in problem.text
        problem = last_reply(await client.say("中国好设计网"))
        assert "reserved for state bodies" in problem.text
        step = last_reply(await client.say("星辰设计作品集"))
        assert "Domain" in step.text
        assert "cannot be filed" in last_reply(await client.say("anna.io")).text
        step = last_reply(await client.say("https://www.anna-design.com/"))
        assert (
            "anna-design.com" in replies(await client.say("/status"))[0].text
            or "Contact mobile" in step.text
        )
        step = last_reply(await client.press("app:continue"))
        assert "mobile" in step.text
        assert "mainland mobile number" in last_reply(await client.say("12345")).text
        assert "e.g. 13912345678" in last_reply(await client.say("14012345678")).text
        assert "example number" in last_reply(await client.say("+86 138 0013 8000")).text
        step = last_reply(await client.say("+86 139 1234 5678"))
        assert "e-mail" in step.text
        assert "e-mail address" in last_reply(await client.say("anna.@example.com")).text
        step = last_reply(await client.say("anna@example.com"))
        assert "Describe" in step.text
        step = last_reply(await client.say("A portfolio of my interior design work."))
        review = await _walk_the_form_in_english(client, step)
        assert "Review your application" in review.text and "anna-design.com" in review.text
        assert "13912345678" in review.text and "11010519491231002X" in review.text
        done = to_client(client, await press(client, [review], "Submit"))
        assert "submitted" in done.text and "What happens next" in done.text
        alert = harness.api.messages_to(STAFF_CHAT_ID)[-1].text
        assert "submitted" in alert and "anna-design.com" in alert and "星辰设计作品集" in alert

        application = await _application(harness)
        assert application.status == "submitted" and application.submitted_at is not None
        versions = await _versions(harness)
        assert [v.accepted for v in versions] == [False, False, True, True, True]
        assert [v.rejection for v in versions[:2]] == ["greyscale", "blurry"]
        documents = settings.data_dir / "documents"
        stored = {p.name.split(".")[0] for p in documents.rglob("*") if p.is_file()}
        for version in versions[2:]:
            assert {version.original_sha256, version.normalised_sha256} <= stored
        assert len(stored) == 6  # nothing stored for the two refused uploads

        status = last_reply(await client.say("/status"))
        assert "submitted for our review" in status.text and "Next step expected by" in status.text
        # Submitting opened a conversation with staff: a late file goes to them.
        late = await client.send_document(good_scan(), "late.jpg")
        assert [int(c.params["chat_id"]) for c in late if c.method == "copyMessage"] == [
            STAFF_CHAT_ID
        ]
        await harness.feed(staff_close(harness))
        after = last_reply(await client.send_document(good_scan(), "later.jpg"))
        assert "with our team for review" in after.text


async def _walk_the_form_in_english(client: Client, step: ApiCall) -> ApiCall:
    """The filing form's own data for an individual, with a refusal or note at each kind."""
    assert "Applicant's name" in step.text
    step = last_reply(await client.say("Anna Li 李安娜"))
    assert "resident ID number" in step.text
    refused = last_reply(await client.say("110105194912310021")).text
    assert "does not match" in refused and "e.g. 11010519491231002X" in refused
    step = last_reply(await client.say("11010519491231002x"))
    assert "valid until" in step.text or "Until when" in step.text
    soon = (utcnow() + timedelta(days=30)).date().isoformat()
    refused = last_reply(await client.say(soon)).text
    assert "at least 3 more months" in refused and "e.g. 2036-05-01" in refused
    step = last_reply(await client.say("2016.05.01-2036.05.01"))
    assert "address printed on your ID" in step.text
    assert "house or room number" in last_reply(await client.say("北京市朝阳区建国路附近")).text
    step = last_reply(await client.say("北京市朝阳区建国路88号1栋101室"))
    assert "mailing address" in step.text
    step = last_reply(await client.say("北京市朝阳区建国路88号1栋101室"))
    assert "emergency phone" in step.text
    refused = last_reply(await client.say("139 1234 5678")).text
    assert "another number than the contact mobile" in refused and "010-12345678" in refused
    step = last_reply(await client.say("010 6512 3456"))
    assert "Who holds the domain" in step.text
    calls = await client.say("Zhang Wei")
    warned = replies(calls)[0].text
    assert "Saved: Zhang Wei" in warned and "domain holder is not the applicant" in warned
    assert "Anna Li 李安娜" in warned
    step = last_reply(calls)
    assert "service type" in step.text or "What kind of service" in step.text
    step = last_reply(await press(client, [step], "Blog or personal space"))
    assert "at least 3 months" in step.text
    return last_reply(await press(client, [step], "A year or more"))


async def test_company_in_chinese_with_a_visit(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(admin_ids=frozenset({ADMIN_ID}))
    async with running_bot(settings) as harness:
        client = Client(harness, user_id=6002, first_name="李雷", language_code="zh-hans")
        verdict = last_reply(
            await eligibility(client, "中国大陆企业或组织", ["中国大陆", "已实名", "不会"], "北京")
        )
        assert "可以办理备案" in verdict.text
        step = last_reply(await press(client, [verdict], "开始我的申请"))
        assert "第 1 步，共 24 步" in step.text
        step = last_reply(await press(client, [step], "首次备案"))
        step = last_reply(await press(client, [step], "腾讯云"))
        assert "法定代表人" in step.text
        step = last_reply(await press(client, [step], "另有其人"))
        assert "网站负责人证件类型" in step.text
        step = last_reply(await press(client, [step], "居民身份证"))
        assert (
            "共 29 步" in step.text and "营业执照" in step.text
        )  # extra steps for the person in charge

        photo = last_reply(await client.send_photo(encode(make_document((1280, 800))), 1280, 800))
        assert "以文件形式" in photo.text  # compressed by Telegram: send it as a file
        for seed in range(1, 7):
            step = last_reply(await client.send_document(good_scan(seed=seed + 10), "doc.jpg"))
        assert "域名证书" in step.text
        step = last_reply(await press(client, [step], "跳过"))
        step = last_reply(await client.send_document(good_scan(seed=30), "form.jpg"))
        assert "预约" in step.text

        days = last_reply(await press(client, [step], "预约到我们办公室"))
        slots = last_reply(await client.press_on(days, days.buttons[0][0]))
        booked = await client.press_on(slots, slots.buttons[0][0])
        assert any("已预约" in call.text for call in replies(booked))
        assert "网站名称" in last_reply(booked).text

        staff = Client(harness, user_id=ADMIN_ID, first_name="Staff", language_code="en")
        day = days.buttons[0][1].removeprefix("book:day:")
        listing = last_reply(await staff.say(f"/bookings {day[:4]}-{day[4:6]}-{day[6:]}"))
        assert "李雷" in listing.text
        outsider = Client(harness, user_id=6099, language_code="en")
        refused = last_reply(await outsider.say("/bookings"))
        assert "staff only" in refused.text and "李雷" not in refused.text

        for answer in (
            "星辰科技官网",
            "xingchen-tech.cn",
            "13912345678",
            "hr@xingchen-tech.cn",
            "星辰科技公司的官方网站，介绍产品和服务。",
        ):
            step = last_reply(await client.say(answer))
        step = await _walk_the_form_in_chinese(client, step)
        assert "核对您的申请" in step.text
        assert "星辰科技公司的官方网站，介绍产品和服务。" in step.text  # full-width kept
        done = to_client(client, await press(client, [step], "提交"))
        assert "已提交" in done.text


async def _walk_the_form_in_chinese(client: Client, step: ApiCall) -> ApiCall:
    """The filing form's own data for a company whose person in charge is not the legal rep."""
    assert "主办单位或主办人名称" in step.text
    step = last_reply(await client.say("星辰科技（北京）有限公司"))
    assert "统一社会信用代码" in step.text
    refused = last_reply(await client.say("9111000060003734")).text
    assert "18 位" in refused and "例如 91110000600037341L" in refused
    calls = await client.say("91440300MA5FXX1234")
    assert "校验位不符" in replies(calls)[0].text  # a warning, not a refusal
    step = last_reply(calls)
    assert "通信地址" in step.text
    step = last_reply(await client.say("北京市朝阳区建国路88号1栋101室"))
    assert "网站负责人的证件号码" in step.text
    assert "出生日期" in last_reply(await client.say("110105194913310021")).text
    step = last_reply(await client.say("11010519491231002X"))
    assert "有效期" in step.text
    step = last_reply(await client.say("长期"))
    assert "法定代表人本人" in step.text
    refused = last_reply(await client.say("139-1234-5678")).text
    assert "另一位负责人" in refused and "例如" in refused
    step = last_reply(await client.say("13612345678"))
    assert "应急联系电话" in step.text
    assert "与联系手机不同" in last_reply(await client.say("13612345678")).text
    step = last_reply(await client.say("0755-12345678"))
    assert "域名持有者" in step.text
    calls = await client.say("星辰科技(北京)有限公司")
    assert "不一致" not in replies(calls)[0].text  # the same name, half-width brackets
    step = last_reply(await press(client, [last_reply(calls)], "单位门户网站"))
    assert "至少 3 个月" in step.text
    return last_reply(await press(client, [step], "3 至 11 个月"))


async def test_upload_before_starting_and_text_where_a_file_is_expected(harness: Harness) -> None:
    client = Client(harness, user_id=6003, language_code="en")
    early = last_reply(
        await client.send_document(b"%PDF-1.4 nothing", "doc.pdf", "application/pdf")
    )
    assert "start your application" in early.text
    await client.press("app:start")
    await client.press("app:type:mainland_individual")
    await client.press("app:choose:filing_type:first")
    await client.press("app:choose:province:beijing")
    await client.press("app:choose:hosting_provider:aliyun")
    answered = replies(await client.say("how long does it take?"))
    assert len(answered) == 1  # one coherent reply: the answer, then what the step waits for
    assert "weeks" in answered[0].text and "waiting for" in answered[0].text
    pdf = last_reply(await client.send_document(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "id.jpg"))
    assert "damaged" in pdf.text  # a PDF, recognised by its content whatever its name
    huge = last_reply(await client.send_document(b"x", "big.jpg", size=25 * 1024 * 1024))
    assert "20 MB" in huge.text


async def test_stale_and_forged_application_buttons(harness: Harness) -> None:
    client = Client(harness, user_id=6004, language_code="en")
    calls = await client.press("app:choose:hosting_provider:aliyun")
    assert any("out of date" in c.params.get("text", "") for c in calls)
    await client.press("app:start")
    await client.press("app:type:mainland_individual")
    await client.press("app:choose:filing_type:first")
    await client.press("app:choose:province:beijing")
    calls = await client.press("app:choose:hosting_provider:nonsense")
    assert any("out of date" in c.params.get("text", "") for c in calls)
    calls = await client.press("app:goto:not_a_step")
    assert any("out of date" in c.params.get("text", "") for c in calls)
    calls = await client.press("book:at:19990101T0930")
    assert any("out of date" in c.params.get("text", "") for c in calls)
    calls = await client.press("app:submit")
    assert any("missing" in c.params.get("text", "") for c in calls)


async def test_photo_rules_follow_the_data_file(harness: Harness) -> None:
    client = Client(harness, user_id=6005, language_code="en")
    await client.press("app:start")
    await client.press("app:type:mainland_individual")
    await client.press("app:choose:filing_type:first")
    await client.press("app:choose:province:beijing")
    await client.press("app:choose:hosting_provider:aliyun")
    small = encode(make_document((900, 600)), quality=92)
    reply = last_reply(await client.send_document(small, "id.jpg"))
    assert "too small" in reply.text and "720" in reply.text
    rotated = phone_photo((2000, 1300), orientation=6)
    reply = replies(await client.send_document(rotated, "id.jpg"))[0]
    assert "accepted" in reply.text and "1300×2000" in reply.text.replace(" ", "")


async def test_visit_reminder_is_sent_once_even_after_a_restart(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    async with running_bot(settings) as harness:
        client = Client(harness, user_id=6006, language_code="en")
        await client.press("app:start")
        await client.press("app:type:mainland_individual")
        await client.press("app:choose:filing_type:first")
        await client.press("app:choose:province:beijing")
        await client.press("app:choose:hosting_provider:aliyun")
        await client.press("app:goto:verification")
        days = last_reply(await client.press("book:days"))
        slots = last_reply(await client.press_on(days, days.buttons[0][0]))
        await client.press_on(slots, slots.buttons[0][0])

    async with running_bot(settings) as harness:  # restarted: the reminder state is in the DB
        services = services_of(harness.application)
        async with services.database.sessions() as session:
            booking = await session.scalar(select(Booking))
            assert booking is not None
            booking.starts_at = utcnow() + timedelta(hours=20)
            await session.commit()
        context = CallbackContext(harness.application)
        await send_visit_reminders(context)
        await send_visit_reminders(context)
        reminders = [c for c in harness.api.messages_to(6006) if "Reminder" in c.text]
        assert len(reminders) == 1 and "verification photo" in reminders[0].text


async def test_bad_file_corpus_through_the_bot_stores_nothing(
    harness: Harness, make_settings: Callable[..., Settings]
) -> None:

    client = Client(harness, user_id=6007, language_code="en")
    await client.press("app:start")
    await client.press("app:type:mainland_individual")
    await client.press("app:choose:filing_type:first")
    await client.press("app:choose:province:beijing")
    await client.press("app:choose:hosting_provider:aliyun")
    document = make_document((1600, 1000))
    scan = encode(document, quality=92)
    for name, (make, reason) in BAD_FILES.items():
        reply = replies(await client.send_document(make(document, scan), f"{name}.jpg"))[0]
        expected = REASONS[reason][0].split("{")[0][:25]
        assert reply.text.startswith("❌") and expected in reply.text, (name, reply.text)
    versions = await _versions(harness)
    assert len(versions) == len(BAD_FILES)
    alerts = [c for c in harness.api.messages_to(STAFF_CHAT_ID) if "talk to a person" in c.text]
    assert len(alerts) == 1  # after three refusals in a row, once
    assert all(not v.accepted and v.original_sha256 is None for v in versions)
    documents = make_settings().data_dir / "documents"
    assert not documents.exists() or not any(p.is_file() for p in documents.rglob("*"))


async def test_an_accepted_document_can_be_replaced(harness: Harness) -> None:
    client = Client(harness, user_id=6008, language_code="en")
    await client.press("app:start")
    await client.press("app:type:mainland_individual")
    await client.press("app:choose:filing_type:first")
    await client.press("app:choose:province:beijing")
    await client.press("app:choose:hosting_provider:aliyun")
    await client.send_document(good_scan(seed=1), "front.jpg")
    checklist = last_reply(await client.press("app:list"))
    assert any("✅ ID card – portrait side" in label for label, _ in checklist.buttons)
    step = last_reply(await client.press("app:goto:id_card_front"))
    assert "Already done" in step.text
    await client.send_document(good_scan(seed=5), "front-new.jpg")
    versions = await _versions(harness)
    assert [v.is_current for v in versions] == [False, True]
    assert versions[0].normalised_sha256 != versions[1].normalised_sha256


async def test_delete_my_data_removes_records_and_files(
    harness: Harness, make_settings: Callable[..., Settings]
) -> None:
    client = Client(harness, user_id=6010, language_code="en")
    other = Client(harness, user_id=6011, language_code="en")
    for person in (client, other):
        await person.press("app:start")
        await person.press("app:type:mainland_individual")
        await person.press("app:choose:filing_type:first")
        await person.press("app:choose:province:beijing")
        await person.press("app:choose:hosting_provider:aliyun")
    await client.send_document(good_scan(seed=1), "mine.jpg")
    await other.send_document(good_scan(seed=2), "theirs.jpg")
    await client.say("how long does it take?")
    documents = make_settings().data_dir / "documents"
    assert len([p for p in documents.rglob("*") if p.is_file()]) == 4

    question = last_reply(await client.say("/delete_my_data"))
    assert "cannot be undone" in question.text
    done = await client.press_on(question, "Yes, delete everything")
    assert "has been deleted" in to_client(client, done).text
    assert "6010" in harness.api.messages_to(STAFF_CHAT_ID)[-1].text

    async with services_of(harness.application).database.sessions() as session:
        remaining = list(await session.scalars(select(ClientRow.telegram_id)))
        applications = list(await session.scalars(select(FilingApplication.client_id)))
    versions = await _versions(harness)
    assert remaining == [6011] and len(applications) == 1 and len(versions) == 1
    assert len([p for p in documents.rglob("*") if p.is_file()]) == 2  # only the other's files
    assert "Hello" in last_reply(await client.say("/start")).text  # a fresh start


async def test_uploads_per_client_are_limited(make_settings: Callable[..., Settings]) -> None:
    async with running_bot(make_settings(max_uploads_per_client=10)) as harness:
        client = Client(harness, user_id=6012, language_code="en")
        await client.press("app:start")
        await client.press("app:type:mainland_individual")
        await client.press("app:choose:filing_type:first")
        await client.press("app:choose:province:beijing")
        await client.press("app:choose:hosting_provider:aliyun")
        for _ in range(10):
            await client.send_document(b"not an image", "x.jpg")
        reply = last_reply(await client.send_document(good_scan(), "id.jpg"))
        assert "more than it can hold" in reply.text
        assert len(await _versions(harness)) == 10  # nothing more stored


async def test_a_press_whose_button_answer_fails_still_does_its_work(harness: Harness) -> None:
    client = Client(harness, user_id=6090, language_code="en")
    await client.press("app:start")
    # A press Telegram delivers again after a restart: its query was answered before.
    harness.api.fail(
        "answerCallbackQuery",
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )
    step = last_reply(await client.press("app:type:mainland_individual"))
    assert "Step 1 of" in step.text  # the application was opened all the same
    assert harness.api.messages_to(STAFF_CHAT_ID) == []  # and no error was reported
