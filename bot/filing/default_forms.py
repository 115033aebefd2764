"""The default forms shipped in ``bot/knowledge/templates``, made with python-docx.

An agency replaces them with the provider's or province's own forms in ``TEMPLATES_DIR`` (any
``{{placeholder}}`` in a .docx is filled in, see ``bot.filing.forms``). Rebuild the shipped
files after changing this module with ``python -m bot.filing.default_forms``.

Word documents rather than PDF: every office program opens and prints them with the reader's
own Chinese fonts (a PDF would have to embed a CJK font of several megabytes), and a client can
correct a field before printing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from bot.filing.forms import SHIPPED_TEMPLATES

CHINESE_FONT = "SimSun"  # 宋体: on every Chinese Windows; other systems substitute their own
CHINESE_FONT_EAST_ASIA = "宋体"

SIGNATURE_NOTE = "（请用黑色签字笔签字，不得涂改；单位须加盖公章。）"


def _document(title: str) -> DocumentObject:
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = CHINESE_FONT
    normal.font.size = Pt(12)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), CHINESE_FONT_EAST_ASIA)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(title)
    run.bold = True
    run.font.size = Pt(18)
    return document


def _table(document: DocumentObject, rows: list[tuple[str, str]]) -> None:
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].text = value


def _signatures(document: DocumentObject, *lines: str) -> None:
    document.add_paragraph()
    for line in lines:
        document.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.add_paragraph("日期：{{date}}").alignment = WD_ALIGN_PARAGRAPH.RIGHT


def verification_form() -> DocumentObject:
    """网站备案信息真实性核验单."""
    document = _document("网站备案信息真实性核验单")
    _table(
        document,
        [
            ("主办单位或个人名称", "{{entity_name}}"),
            ("主办者性质", "{{applicant}}"),
            ("网站名称", "{{website_name}}"),
            ("网站域名", "{{domain}}"),
            ("接入服务单位", "{{provider}}"),
            ("网站负责人姓名", "{{person_in_charge_name}}"),
            ("网站负责人手机号码", "{{mobile}}"),
            ("网站负责人电子邮箱", "{{email}}"),
        ],
    )
    document.add_paragraph()
    document.add_paragraph(
        "本单位（本人）确认：以上备案信息及所提交的证件资料真实、准确、完整，网站负责人已本人"
        "完成真实性核验。如有虚假，愿意承担由此产生的一切法律责任，并同意注销该网站的备案。"
    )
    _signatures(document, "网站负责人签字：________________", "主办单位盖章（个人无需盖章）：")
    document.add_paragraph(SIGNATURE_NOTE)
    return document


def commitment_letter() -> DocumentObject:
    """互联网信息服务备案承诺书."""
    document = _document("互联网信息服务备案承诺书")
    document.add_paragraph(
        "本单位（本人）{{entity_name}}，为网站“{{website_name}}”（域名：{{domain}}）办理互联网"
        "信息服务备案，经{{provider}}接入，郑重承诺："
    )
    for number, promise in enumerate(
        (
            "所填写的备案信息和提交的证件资料真实、有效，与证件原件一致；",
            "网站负责人本人完成真实性核验，联系方式真实可用，变更时及时更新备案信息；",
            "遵守国家法律法规，不制作、复制、发布、传播法律法规禁止的信息；",
            "网站在取得备案号前不开通访问，取得备案号后在网站首页底部显著位置展示备案号并链接至"
            "工业和信息化部备案管理系统；",
            "如违反上述承诺，愿意承担相应的法律责任，并同意注销该网站的备案。",
        ),
        start=1,
    ):
        document.add_paragraph(f"{number}. {promise}")
    _signatures(document, "承诺人（网站负责人）签字：________________", "主办单位盖章：")
    document.add_paragraph(SIGNATURE_NOTE)
    return document


def authorisation_letter() -> DocumentObject:
    """法定代表人授权书 (the website's person in charge is not the legal representative)."""
    document = _document("授权书")
    document.add_paragraph("致：{{provider}}、通信管理局")
    document.add_paragraph(
        "兹授权 {{person_in_charge_name}}（证件号码：{{person_in_charge_id_number}}）为本单位"
        "{{entity_name}}网站“{{website_name}}”（域名：{{domain}}）的网站负责人，代表本单位办理"
        "该网站的ICP备案及相关事宜，并负责网站的日常管理。被授权人的手机号码为{{mobile}}。"
    )
    document.add_paragraph(
        "本单位对被授权人在授权范围内所办理的事项承担相应责任。本授权自签署之日起生效，"
        "至备案办结之日止。"
    )
    _signatures(
        document,
        "法定代表人签字：________________",
        "被授权人签字：________________",
        "单位盖章：",
    )
    document.add_paragraph(SIGNATURE_NOTE)
    return document


def responsibility_notice() -> DocumentObject:
    """ICP备案信息真实性责任告知书 (Jiangsu since 2021-06-01; Huawei Cloud asks for it too)."""
    document = _document("ICP备案信息真实性责任告知书")
    document.add_paragraph("网站：{{website_name}}（域名：{{domain}}）；主办者：{{entity_name}}")
    for number, notice in enumerate(
        (
            "备案主体应当保证所提交备案信息的真实性、准确性和完整性，并对其负责；",
            "备案信息发生变化时，应当在三十日内通过接入服务单位办理变更；",
            "提供虚假备案信息的，通信管理局可依法注销备案并予以处罚；",
            "网站负责人须本人完成真实性核验，不得冒用他人身份。",
        ),
        start=1,
    ):
        document.add_paragraph(f"{number}. {notice}")
    document.add_paragraph("本人已阅读并知悉上述内容，承诺所提交的备案信息真实有效。")
    _signatures(document, "网站负责人签字：________________", "主办单位盖章（个人无需盖章）：")
    document.add_paragraph(SIGNATURE_NOTE)
    return document


DEFAULT_FORMS: dict[str, Callable[[], DocumentObject]] = {
    "verification_form.docx": verification_form,
    "commitment_letter.docx": commitment_letter,
    "authorisation_letter.docx": authorisation_letter,
    "responsibility_notice.docx": responsibility_notice,
}


def write_defaults(folder: Path = SHIPPED_TEMPLATES) -> list[Path]:
    """Write every default form into ``folder``; the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in DEFAULT_FORMS.items():
        document = build()
        document.core_properties.title = name.removesuffix(".docx")
        path = folder / name
        document.save(str(path))
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - a development tool
    for path in write_defaults(Path(sys.argv[1]) if len(sys.argv) > 1 else SHIPPED_TEMPLATES):
        print(path)
