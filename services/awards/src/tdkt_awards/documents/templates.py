"""The default DOCX templates, built in code with python-docx so they are reproducible and reviewable as text.

Each one is a docxtpl template (Jinja tags in the text) laid out as Decree 30/2020/NĐ-CP, Appendix I, asks of an
administrative document:

- A4 (210 x 297 mm), margins top 20 mm, bottom 20 mm, left 30 mm, right 15 mm;
- Times New Roman (Liberation Serif, metric-compatible, where LibreOffice renders), body 14 pt;
- the title block: issuing body (and its superior) on the left, with a short rule under it and "Số: .../...";
  on the right the national title "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", the motto "Độc lập - Tự do - Hạnh phúc"
  with a rule under it, and the place and date in italics;
- the document's kind and its summary (trích yếu) in bold, centred;
- the recipients (Nơi nhận) bottom left, the signer block bottom right: authority (TM./KT.), title, name.

`python -m tdkt_awards.documents.templates <dir>` writes them out, as a starting point for an office's own.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from tdkt_awards.domain.documents import DocumentKind

FONT = "Times New Roman"
BODY_PT = 14
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
"""Decree 30/2020, Appendix I: top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm."""
TEXT_WIDTH_MM = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]


def _new(landscape: bool = False) -> DocumentObject:
    document = Document()
    section = document.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance = section.footer_distance = Mm(10)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    return document


def _text(
    paragraph: Paragraph,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: float = BODY_PT,
    underline: bool = False,
) -> Paragraph:
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.size = Pt(size)
    run.font.name = FONT
    return paragraph


def _para(
    container: DocumentObject | _Cell,
    text: str = "",
    *,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
    bold: bool = False,
    italic: bool = False,
    size: float = BODY_PT,
    before: float = 0,
    after: float = 0,
    indent_mm: float = 0,
) -> Paragraph:
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(before)
    paragraph.paragraph_format.space_after = Pt(after)
    if indent_mm:
        paragraph.paragraph_format.first_line_indent = Mm(indent_mm)
    if text:
        _text(paragraph, text, bold=bold, italic=italic, size=size)
    return paragraph


def _rule(container: DocumentObject | _Cell, width_mm: float, cell_width_mm: float) -> Paragraph:
    """A short centred rule (the line under the body's name and under the motto)."""
    paragraph = container.add_paragraph()
    side = max((cell_width_mm - width_mm) / 2, 0)
    paragraph.paragraph_format.left_indent = Mm(side)
    paragraph.paragraph_format.right_indent = Mm(side)
    paragraph.paragraph_format.space_after = Pt(2)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)
    _text(paragraph, "", size=2)
    paragraph.paragraph_format.line_spacing = Pt(2)
    return paragraph


def _no_borders(table: Table) -> None:
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.append(borders)


def _grid(columns_mm: list[float], rows: int = 1, *, document: DocumentObject, borders: bool = False) -> Table:
    table: Table = document.add_table(rows=rows, cols=len(columns_mm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    if borders:
        table.style = document.styles["Table Grid"]
    else:
        _no_borders(table)
    for row in table.rows:
        for cell, width in zip(row.cells, columns_mm, strict=True):
            cell.width = Mm(width)
    for column, width in zip(table.columns, columns_mm, strict=True):
        column.width = Mm(width)
    return table


def _clear(cell: _Cell) -> _Cell:
    """A new cell holds one empty paragraph: drop it so the cell starts with ours."""
    for paragraph in list(cell.paragraphs):
        paragraph._p.getparent().remove(paragraph._p)
    return cell


LEFT_MM, RIGHT_MM = 62.0, TEXT_WIDTH_MM - 62.0


def _title_block(document: DocumentObject, *, numbered: bool = True) -> None:
    """Quốc hiệu, tiêu ngữ, issuing body, số và ký hiệu, place and date (Decree 30/2020, Appendix I)."""
    table = _grid([LEFT_MM, RIGHT_MM], document=document)
    left, right = (_clear(c) for c in table.rows[0].cells)
    _para(left, "{%p if issuer_parent %}", size=2)
    _para(left, "{{ issuer_parent }}", size=13)
    _para(left, "{%p endif %}", size=2)
    _para(left, "{{ issuer_name }}", bold=True, size=13)
    _rule(left, 25, LEFT_MM)
    if numbered:
        _para(left, "Số: {{ number }}", size=13, before=4)
    _para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12.5)
    _para(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=14)
    _rule(right, 58, RIGHT_MM)
    _para(right, "{{ place }}, {{ date_text }}", italic=True, size=14, before=4)


def _heading(document: DocumentObject, kind: str, summary: str, *, rule: bool = True) -> None:
    _para(document, kind, bold=True, before=18)
    _para(document, summary, bold=True)
    if rule:
        _rule(document, 40, TEXT_WIDTH_MM)
    _para(document, "", after=6)


def _body(document: DocumentObject, text: str, *, after: float = 6, bold: bool = False) -> Paragraph:
    return _para(document, text, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent_mm=10, after=after, bold=bold)


def _signature(document: DocumentObject, *, recipients: bool = True) -> None:
    """Nơi nhận (left) and the signer block (right): TM./KT., title, room to sign, name."""
    _para(document, "", after=6)
    table = _grid([LEFT_MM + 10, RIGHT_MM - 10], document=document)
    left, right = (_clear(c) for c in table.rows[0].cells)
    if recipients:
        _para(left, "Nơi nhận:", align=WD_ALIGN_PARAGRAPH.LEFT, bold=True, italic=True, size=12, before=6)
        _para(left, "{%p for r in copies_to %}", size=2)
        _para(left, "- {{ r }};", align=WD_ALIGN_PARAGRAPH.LEFT, size=11)
        _para(left, "{%p endfor %}", size=2)
        _para(left, "- Lưu: VT.", align=WD_ALIGN_PARAGRAPH.LEFT, size=11)
    _para(right, "{%p if signer_on_behalf %}", size=2)
    _para(right, "{{ signer_on_behalf }}", bold=True, before=6)
    _para(right, "{%p endif %}", size=2)
    _para(right, "{{ signer_title }}", bold=True)
    for _ in range(4):
        _para(right, "")
    _para(right, "{{ signer_name }}", bold=True)


def _nominee_table(document: DocumentObject, *, result: bool = False) -> None:
    """STT, name, unit, the award: one row per nominee (docxtpl's `{%tr %}` row loop)."""
    if result:
        heads = ["STT", "Họ và tên", "Số phiếu đồng ý", "Tỷ lệ (%)", "Kết quả"]
        widths = [14.0, 53.0, 40.0, 28.0, 30.0]
        cells = ["{{ n.index }}", "{{ n.name }}", "{{ n.votes }}", "{{ n.percent }}", "{{ n.result }}"]
    else:
        heads = ["STT", "Họ và tên", "Chức vụ, đơn vị công tác", "Hình thức khen thưởng"]
        widths = [14.0, 55.0, 56.0, 40.0]
        cells = ["{{ n.index }}", "{{ n.name }}", "{{ n.unit }}", "{{ award_name }}"]
    table = _grid(widths, rows=4, document=document, borders=True)
    for cell, head in zip(table.rows[0].cells, heads, strict=True):
        _para(_clear(cell), head, bold=True, size=13)
    _para(_clear(table.rows[1].cells[0]), "{%tr for n in nominees %}", size=2)
    for i, (cell, text) in enumerate(zip(table.rows[2].cells, cells, strict=True)):
        align = WD_ALIGN_PARAGRAPH.LEFT if i in (1, 2) and not result else WD_ALIGN_PARAGRAPH.CENTER
        _para(_clear(cell), text, size=13, align=align)
    _para(_clear(table.rows[3].cells[0]), "{%tr endfor %}", size=2)


def proposal() -> DocumentObject:
    """Tờ trình: the proposer asks the competent authority for the award."""
    document = _new()
    _title_block(document)
    _heading(document, "TỜ TRÌNH", "Về việc đề nghị tặng {{ award_name }} năm {{ year }}")
    _para(document, "Kính gửi: {{ addressee }}.", after=12)
    _body(document, "Căn cứ {{ legal_basis_text }};")
    _body(
        document,
        "Xét thành tích đạt được trong năm {{ year }} và kết quả bình xét của Hội đồng Thi đua - Khen thưởng, "
        "{{ issuer_name_sentence }} kính đề nghị {{ addressee }} xem xét, tặng {{ award_name }} cho "
        "{{ nominee_count_text }} (có danh sách và báo cáo thành tích kèm theo).",
    )
    _body(document, "{{ summary }}")
    _body(document, "Kính trình {{ addressee }} xem xét, quyết định./.", after=12)
    _signature(document)
    return document


def nominee_list() -> DocumentObject:
    """Danh sách đề nghị khen thưởng (the list that goes with the tờ trình)."""
    document = _new()
    _title_block(document, numbered=False)
    _heading(
        document,
        "DANH SÁCH",
        "Đề nghị tặng {{ award_name }} năm {{ year }}",
        rule=False,
    )
    _para(document, "({{ attached_to }})", italic=True)
    _rule(document, 40, TEXT_WIDTH_MM)
    _para(document, "", after=6)
    _nominee_table(document)
    _para(document, "Danh sách có {{ nominee_count_text }}./.", align=WD_ALIGN_PARAGRAPH.LEFT, italic=True, before=6)
    _signature(document, recipients=False)
    return document


def council_minutes() -> DocumentObject:
    """Biên bản họp Hội đồng Thi đua - Khen thưởng: attendance and the vote on each nominee."""
    document = _new()
    _title_block(document)
    _heading(document, "BIÊN BẢN", "Họp Hội đồng Thi đua - Khen thưởng xét {{ award_name }} năm {{ year }}")
    _body(document, "Hôm nay, {{ held_on_text }}, {{ issuer_name_sentence }} họp xét đề nghị tặng {{ award_name }}.")
    _body(
        document,
        "Thành phần: {{ attendees }}/{{ members_total }} thành viên Hội đồng có mặt; "
        "số phiếu viết của thành viên vắng mặt được tính theo quy định.",
    )
    _body(document, "Ngưỡng thông qua: {{ threshold }}% {{ base_text }}. Kết quả biểu quyết như sau:")
    _nominee_table(document, result=True)
    _body(document, "", after=0)
    _body(document, "Cuộc họp kết thúc vào cùng ngày; biên bản đã được thông qua trước Hội đồng./.", after=12)
    _signature(document)
    return document


def decision() -> DocumentObject:
    """Quyết định khen thưởng, with its annex (phụ lục: the recipients) on a new page."""
    document = _new()
    _title_block(document)
    _heading(document, "QUYẾT ĐỊNH", "Về việc tặng {{ award_name }}", rule=True)
    _para(document, "{{ authority_upper }}", bold=True, after=12)
    _para(document, "{%p for basis in legal_bases %}", size=2)
    _para(document, "Căn cứ {{ basis }};", align=WD_ALIGN_PARAGRAPH.JUSTIFY, italic=True, indent_mm=10, after=6)
    _para(document, "{%p endfor %}", size=2)
    _para(
        document,
        "Xét đề nghị của {{ proposer_name }} tại hồ sơ số {{ nomination_id }} và kết quả xét của "
        "Hội đồng Thi đua - Khen thưởng.",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        italic=True,
        indent_mm=10,
        after=12,
    )
    _para(document, "QUYẾT ĐỊNH:", bold=True, after=12)
    _body(
        document,
        "Điều 1. Tặng {{ award_name }} cho {{ nominee_count_text }} đã có thành tích xuất sắc (có danh sách kèm theo).",
    )
    _body(
        document,
        "Điều 2. Mỗi {{ subject_word }} được tặng kèm theo tiền thưởng {{ bonus_text }} đồng "
        "(bằng {{ bonus_multiple }} lần mức lương cơ sở), chi từ Quỹ Thi đua, khen thưởng.",
    )
    _body(
        document,
        "Điều 3. Quyết định có hiệu lực kể từ ngày ký. Chánh Văn phòng, Giám đốc Sở Nội vụ, {{ proposer_name }} "
        "và {{ subject_word }} có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này./.",
        after=12,
    )
    _signature(document)
    breaker = document.add_paragraph()
    breaker.add_run().add_break(WD_BREAK.PAGE)
    _para(document, "DANH SÁCH", bold=True)
    _para(document, "Được tặng {{ award_name }}", bold=True)
    _para(
        document,
        "(Kèm theo Quyết định số {{ number }} ngày {{ date_short }} của {{ authority_title }})",
        italic=True,
    )
    _rule(document, 40, TEXT_WIDTH_MM)
    _para(document, "", after=6)
    _nominee_table(document)
    return document


def certificate() -> DocumentObject:
    """Bằng khen / Giấy khen (or a title's certificate): A4 landscape, one recipient."""
    document = _new(landscape=True)
    width = 297 - MARGINS_MM["left"] - MARGINS_MM["right"]
    _para(document, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=14)
    _para(document, "Độc lập - Tự do - Hạnh phúc", bold=True, size=14)
    _rule(document, 58, width)
    _para(document, "{{ authority_upper }}", bold=True, size=16, before=30)
    _para(document, "TẶNG", bold=True, size=16, before=8)
    _para(document, "{{ certificate_title }}", bold=True, size=44, before=10, after=10)
    _para(document, "{{ recipient_name }}", bold=True, size=22, before=6)
    _para(document, "{%p if recipient_unit %}", size=2)
    _para(document, "{{ recipient_unit }}", size=16)
    _para(document, "{%p endif %}", size=2)
    _para(document, "{{ achievement }}", italic=True, size=16, before=14, after=30)
    table = _grid([width / 2, width / 2], document=document)
    left, right = (_clear(c) for c in table.rows[0].cells)
    _para(left, "Quyết định số {{ number }}", size=13, before=24)
    _para(left, "Số sổ vàng: {{ serial }}", size=13)
    _para(right, "{{ place }}, {{ date_text }}", italic=True, size=14)
    _para(right, "{{ signer_title }}", bold=True, size=14)
    for _ in range(3):
        _para(right, "")
    _para(right, "{{ signer_name }}", bold=True, size=14)
    return document


BUILDERS: dict[DocumentKind, Callable[[], DocumentObject]] = {
    DocumentKind.PROPOSAL: proposal,
    DocumentKind.NOMINEE_LIST: nominee_list,
    DocumentKind.COUNCIL_MINUTES: council_minutes,
    DocumentKind.DECISION: decision,
    DocumentKind.CERTIFICATE: certificate,
}


@cache
def default_template(kind: DocumentKind) -> bytes:
    """The default template of `kind`, as DOCX bytes (built once per process)."""
    out = io.BytesIO()
    BUILDERS[kind]().save(out)
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    """Write every default template to a directory, as `<kind>.docx`."""
    target = Path((argv or sys.argv[1:] or ["."])[0])
    target.mkdir(parents=True, exist_ok=True)
    for kind in DocumentKind:
        (target / f"{kind.value.lower()}.docx").write_bytes(default_template(kind))
        print(target / f"{kind.value.lower()}.docx")


if __name__ == "__main__":
    main()
