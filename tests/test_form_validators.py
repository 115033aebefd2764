"""The filing form's data, checked the way the filing system checks it."""

from __future__ import annotations

from datetime import date

import pytest

from bot.filing.catalogue import Validator, load_catalogue
from bot.filing.identity import province_of
from bot.filing.stages import is_icp_number
from bot.filing.validators import Checked, Note, Problem, validate
from bot.i18n import Translations

CATALOGUE = load_catalogue()
TODAY = date(2026, 12, 1)
TRANSLATIONS = Translations.load()


def check(validator: Validator, text: str, **answers: str) -> Checked:
    return validate(validator, text, CATALOGUE.domains, answers, TODAY)


@pytest.mark.parametrize(
    ("text", "registered"),
    [
        ("foo.bj.cn", "foo.bj.cn"),
        ("https://www.shop.foo.bj.cn/about", "foo.bj.cn"),
        ("blog.example.com.cn", "example.com.cn"),
        ("例子.中国", "例子.中国"),
        ("xn--fsqu00a.xn--fiqs8s", "例子.中国"),
        ("ＥＸＡＭＰＬＥ．ＣＯＭ", "example.com"),
    ],
)
def test_the_registered_domain_comes_from_the_public_suffix_list(
    text: str, registered: str
) -> None:
    checked = check(Validator.DOMAIN, text)
    assert (checked.value, checked.problem, checked.notes) == (registered, None, ())


def test_an_unknown_suffix_goes_to_staff_and_invalid_input_is_refused() -> None:
    wang = check(Validator.DOMAIN, "example.wang")
    assert wang.value == "example.wang" and wang.notes == (Note.DOMAIN_SUFFIX_UNCONFIRMED,)
    assert wang.details["suffix"] == ".wang"
    assert check(Validator.DOMAIN, "example.io").problem is Problem.DOMAIN_SUFFIX
    assert check(Validator.DOMAIN, "bj.cn").problem is Problem.DOMAIN_IS_SUFFIX
    for bad in ("example.notatld", "-bad.com", "a..com", "exa mple.com", "localhost", "1.2.3.4"):
        assert check(Validator.DOMAIN, bad).problem is Problem.DOMAIN_INVALID, bad


@pytest.mark.parametrize("address", ["a@-b.cn", "a@b_c.cn", "a.@b.cn", "a@[1.2.3.4]", "a@b"])
def test_email_addresses_the_filing_system_refuses(address: str) -> None:
    assert check(Validator.EMAIL, address).problem is Problem.EMAIL_INVALID


def test_good_email_addresses_are_kept() -> None:
    assert check(Validator.EMAIL, "Anna.Li@Example.CN").value == "Anna.Li@example.cn"
    assert check(Validator.EMAIL, "张三@例子.中国").value == "张三@例子.中国"


@pytest.mark.parametrize("number", ["14012345678", "15412345678", "17412345678", "12345678901"])
def test_unallocated_mobile_ranges_are_refused(number: str) -> None:
    assert check(Validator.MOBILE, number).problem is Problem.MOBILE_INVALID


def test_mobiles_allocated_real_and_one_per_person() -> None:
    assert check(Validator.MOBILE, "+86 139-1234-5678").value == "13912345678"
    assert check(Validator.MOBILE, "0086 199 1234 5678").value == "19912345678"
    assert check(Validator.MOBILE, "13800138000").problem is Problem.MOBILE_PLACEHOLDER
    assert check(Validator.MOBILE, "+852 9123 4567").problem is Problem.MOBILE_INVALID
    shared = check(Validator.ENTITY_MOBILE, "13912345678", mobile="13912345678")
    assert shared.problem is Problem.MOBILE_SHARED
    assert check(Validator.ENTITY_MOBILE, "13612345678", mobile="13912345678").ok


def test_emergency_phone_is_a_mobile_or_landline_other_than_the_contact_mobile() -> None:
    assert check(Validator.PHONE, "010 12345678").value == "010-12345678"
    assert check(Validator.PHONE, "(0755) 1234-5678").value == "0755-12345678"
    assert check(Validator.PHONE, "13612345678", mobile="13912345678").value == "13612345678"
    same = check(Validator.PHONE, "139 1234 5678", mobile="13912345678")
    assert same.problem is Problem.PHONE_SAME_AS_MOBILE
    assert check(Validator.PHONE, "12345").problem is Problem.PHONE_INVALID
    assert check(Validator.PHONE, "15412345678").problem is Problem.PHONE_INVALID


@pytest.mark.parametrize(
    "number",
    [
        "京ICP备12345678号-1",
        "浙ICP备2021012345号",
        "京ICP备12345678号-1A",
        "京ICP备12345678号-1X",
        "粤B2-20090059-1626X",
        "粤B2-20090059",
        " 沪ICP备12345678号－2 ",
    ],
)
def test_every_form_of_icp_number_is_accepted(number: str) -> None:
    assert is_icp_number(number) and check(Validator.ICP_NUMBER, number).ok


def test_non_icp_numbers_are_refused() -> None:
    for bad in ("ICP12345678", "京ICP证123456", "港ICP备12345678号", "京ICP备12345678号-"):
        assert not is_icp_number(bad), bad
        assert check(Validator.ICP_NUMBER, bad).problem is Problem.ICP_NUMBER_INVALID


def test_full_width_punctuation_in_the_description_is_kept_as_written() -> None:
    text = "星辰设计工作室的作品集，展示室内设计案例（住宅与办公）。"
    assert check(Validator.DESCRIPTION, text).value == text
    name = "星辰科技（北京）有限公司"
    assert check(Validator.ENTITY_NAME, name).value == name


def test_credit_code_checksum_warns_and_gives_the_region() -> None:
    good = check(Validator.CREDIT_CODE, "91110000 60003 7341l")
    assert (good.value, good.notes, good.details["region"]) == ("91110000600037341L", (), "110000")
    early = check(Validator.CREDIT_CODE, "91440300MA5FXX1234")
    assert early.ok and early.notes == (Note.CREDIT_CODE_CHECKSUM,)
    assert early.details["region"] == "440300"  # Shenzhen, Guangdong
    assert province_of(early.details["region"]) == "440000"
    for bad in ("9111000060003734", "91110000600037341I", "ABCDEFGH600037341L"):
        assert check(Validator.CREDIT_CODE, bad).problem is Problem.CREDIT_CODE_INVALID, bad


def test_resident_id_checksum_birth_date_and_age() -> None:
    old = check(Validator.RESIDENT_ID, "11010519491231002x")
    assert old.value == "11010519491231002X"
    assert (old.details["age"], old.details["region"]) == ("76", "110105")
    assert check(Validator.RESIDENT_ID, "110105194912310021").problem is (
        Problem.RESIDENT_ID_CHECKSUM
    )
    assert check(Validator.RESIDENT_ID, "1101051949123100").problem is (
        Problem.RESIDENT_ID_INVALID
    )
    assert check(Validator.RESIDENT_ID, "110105194913310021").problem is (
        Problem.RESIDENT_ID_BIRTH_DATE
    )
    seventeen = check(Validator.RESIDENT_ID, "110105200906010010")
    assert seventeen.ok and seventeen.notes == (Note.PERSON_UNDER_18,)
    assert seventeen.details["age"] == "17"
    child = check(Validator.RESIDENT_ID, "110105201501010017")
    assert child.problem is Problem.PERSON_TOO_YOUNG and child.details["age"] == "11"


def test_passports_and_permits() -> None:
    kinds = {
        "E12345678": "passport",
        "h12345678": "home_return_permit",
        "12345678": "taiwan_permit",
        "810000199408230021": "residence_permit",
    }
    for number, kind in kinds.items():
        checked = check(Validator.TRAVEL_DOCUMENT, number)
        assert checked.ok and checked.details["kind"] == kind, number
    assert check(Validator.TRAVEL_DOCUMENT, "護照").problem is Problem.TRAVEL_DOCUMENT_INVALID
    mixed = check(Validator.IDENTITY_NUMBER, "11010519491231002X")
    assert mixed.details["kind"] == "resident_id" and mixed.details["age"] == "76"
    assert check(Validator.IDENTITY_NUMBER, "E12345678").details["kind"] == "passport"


def test_document_validity_needs_three_months() -> None:
    assert check(Validator.DOCUMENT_VALIDITY, "2020.01.01-2040.01.01").value == "2040-01-01"
    assert check(Validator.DOCUMENT_VALIDITY, "2027年3月1日").value == "2027-03-01"
    assert check(Validator.DOCUMENT_VALIDITY, "长期").value == "长期"
    short = check(Validator.DOCUMENT_VALIDITY, "2027-02-28")
    assert short.problem is Problem.VALIDITY_TOO_SHORT
    assert short.details == {"until": "2027-02-28", "earliest": "2027-03-01"}
    assert check(Validator.DOCUMENT_VALIDITY, "soon").problem is Problem.VALIDITY_INVALID


def test_addresses_down_to_the_house_number() -> None:
    place = "北京市朝阳区建国路８８号１栋１０１室"
    assert check(Validator.ADDRESS, place).value == place  # kept as written
    assert check(Validator.ADDRESS, "北京市").problem is Problem.ADDRESS_TOO_SHORT
    assert check(Validator.ADDRESS, "北京市朝阳区建国路附近").problem is Problem.ADDRESS_NO_NUMBER


def test_a_domain_holder_other_than_the_applicant_is_caught() -> None:
    entity = "星辰科技（北京）有限公司"
    same = check(Validator.DOMAIN_HOLDER, "星辰科技(北京)有限公司", entity_name=entity)
    assert same.ok and same.notes == ()
    other = check(Validator.DOMAIN_HOLDER, "张三", entity_name=entity)
    assert other.value == "张三" and other.notes == (Note.DOMAIN_HOLDER_DIFFERS,)
    assert other.details["entity"] == entity


def test_every_refusal_and_note_has_a_localised_message_with_an_example() -> None:
    from handlers.application import NOTES, PROBLEMS

    assert set(PROBLEMS) == set(Problem) and set(NOTES) == set(Note)
    chinese = TRANSLATIONS.get("zh_Hans")
    taiwan = TRANSLATIONS.get("zh_Hant")
    for problem, message in PROBLEMS.items():
        for translator in (chinese, taiwan):
            assert translator.gettext(message) != message, problem
        if problem not in {
            Problem.EMPTY,
            Problem.DESCRIPTION_TOO_LONG,
            Problem.NAME_TOO_LONG,
            Problem.ADDRESS_TOO_LONG,
            Problem.PERSON_TOO_YOUNG,
        }:
            wording = message + chinese.gettext(message)
            assert any(m in wording for m in ("e.g.", "like ", "例如", "形如")), problem
