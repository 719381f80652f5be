"""A distributor's monthly statement (``commissions.selectors.monthly_statement``) as CSV and as
PDF, in the reader's language. The PDF is drawn by fpdf2 with the CJK font ``weishang.fonts``
finds, so Chinese names and words print as text, not boxes."""

import csv
import io

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from fpdf import FPDF

from weishang.commissions.selectors import LedgerEvent, Statement
from weishang.fonts import cjk_font_path
from weishang.money import format_fen, format_yuan


def title(statement: Statement) -> str:
    return _("Commission statement %(month)s") % {"month": statement.month.strftime("%Y-%m")}


def summary(statement: Statement) -> list[tuple[str, int]]:
    return [
        (pgettext("statement", "Earned"), statement.earned_fen),
        (pgettext("statement", "Reversed"), statement.reversed_fen),
        (pgettext("statement", "Tax withheld"), statement.withheld_fen),
        (pgettext("statement", "Paid to you"), statement.paid_fen),
    ]


def _event_cells(event: LedgerEvent) -> list[str]:
    return [
        event.at.strftime("%Y-%m-%d %H:%M"),
        event.event,
        event.state,
        event.order_number,
    ]


def _columns() -> list[str]:
    return [
        pgettext("statement", "Time"),
        pgettext("statement", "Event"),
        pgettext("statement", "State"),
        pgettext("statement", "Order"),
    ]


def as_csv(statement: Statement) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese right; amounts in
    yuan as plain numbers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([title(statement)])
    writer.writerow([pgettext("statement", "Store"), statement.distributor.store_name])
    for label, fen in summary(statement):
        writer.writerow([label, format_yuan(fen)])
    writer.writerow([])
    writer.writerow(
        [
            *_columns(),
            pgettext("statement", "Amount (yuan)"),
            pgettext("statement", "Tax withheld"),
            pgettext("statement", "Paid to you"),
        ]
    )
    for event in statement.events:
        writer.writerow(
            [
                *_event_cells(event),
                ("-" if event.sign == "−" else "") + format_yuan(event.amount_fen),
                format_yuan(event.withheld_fen) if event.kind == "paid" else "",
                format_yuan(event.net_fen) if event.kind == "paid" else "",
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _amount(event: LedgerEvent) -> str:
    text = f"{event.sign}{format_fen(event.amount_fen)}"
    if event.kind == "paid" and event.withheld_fen:
        text += " " + _("(tax %(withheld)s, paid %(net)s)") % {
            "withheld": format_fen(event.withheld_fen),
            "net": format_fen(event.net_fen),
        }
    return text


def as_pdf(statement: Statement) -> bytes:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    font = cjk_font_path()
    if font:
        pdf.add_font("cjk", fname=font)
        pdf.add_font("cjk", style="B", fname=font)  # table headings are bold
        pdf.set_font("cjk", size=10)
    else:  # no CJK font installed: Latin text still prints
        pdf.set_font("helvetica", size=10)
    pdf.set_title(title(statement))
    pdf.add_page()
    pdf.set_font_size(16)
    pdf.cell(0, 10, title(statement), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(10)
    pdf.cell(
        0,
        7,
        f"{pgettext('statement', 'Store')}: {statement.distributor.store_name}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    with pdf.table(col_widths=(60, 40), width=100, align="LEFT") as table:
        for label, fen in summary(statement):
            row = table.row()
            row.cell(label)
            row.cell(format_fen(fen), align="RIGHT")
    pdf.ln(4)
    with pdf.table(col_widths=(28, 28, 52, 36, 46)) as table:
        header = table.row()
        for name in [*_columns(), pgettext("statement", "Amount")]:
            header.cell(name)
        for event in statement.events:
            row = table.row()
            for cell in _event_cells(event):
                row.cell(cell)
            row.cell(_amount(event), align="RIGHT")
    if not statement.events:
        pdf.cell(0, 8, _("Nothing happened this month."), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
