"""Waybill files: the template a warehouse fills in (CSV or Excel) and reading one back into rows.

Reading never touches the database: a file that cannot be read at all raises WaybillFileError
with the reason; rows are checked one by one by ``shipping.ship_orders_from_rows``."""

import csv
import io
import re
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from weishang.core_errors import DomainError

from .carriers import CARRIERS

MAX_BYTES = 1_000_000
MAX_ROWS = 1000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MAX_SCANNED = 5 * MAX_ROWS  # rows read from a sheet, blank ones included
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = {
    "order_number": gettext_lazy("Order number"),
    "carrier": gettext_lazy("Carrier"),
    "waybill": gettext_lazy("Waybill number"),
}
# Headings accepted for each column besides the template's own, in either language.
_HEADINGS = {
    "order_number": ("order number", "order_number", "order no.", "order", "订单号", "订单编号"),
    "carrier": ("carrier", "courier", "快递公司", "快递", "承运商", "物流公司"),
    "waybill": (
        "waybill number",
        "waybill",
        "tracking number",
        "tracking_no",
        "运单号",
        "快递单号",
    ),
}


class WaybillFileError(DomainError):
    pass


@dataclass(frozen=True)
class WaybillRow:
    """One filled-in row; ``line`` is its row number in the file as a spreadsheet shows it."""

    line: int
    order_number: str
    carrier: str
    waybill: str


def _too_many() -> WaybillFileError:
    return WaybillFileError(
        _("A file may hold at most %(max)d orders; split it into smaller files.")
        % {"max": MAX_ROWS}
    )


def _heading(text) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip().casefold()


def _headings() -> dict[str, str]:
    known = {}
    for column, label in COLUMNS.items():
        for heading in (*_HEADINGS[column], str(label)):
            known[_heading(heading)] = column
    return known


def _cell(value) -> str:
    """A cell as text; Excel keeps long numbers typed without a leading ' as numbers. Control
    characters (a NUL that PostgreSQL cannot compare, an escaped _x0000_ in a workbook) are
    dropped."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else _CONTROL.sub("", str(value)).strip()


def _rows(table) -> list[WaybillRow]:
    """Rows under the heading row (the first that is not blank); blank rows are skipped, extra
    columns ignored."""
    numbered = enumerate(table, start=1)
    header = next((values for _line, values in numbered if any(map(_cell, values))), ())
    known = _headings()
    positions = {}
    for position, text in enumerate(header):
        column = known.get(_heading(_cell(text)))
        if column and column not in positions:
            positions[column] = position
    if set(positions) != set(COLUMNS):
        raise WaybillFileError(
            _(
                "The first row must name the columns %(columns)s. Download the template and fill "
                "it in."
            )
            % {"columns": ", ".join(str(label) for label in COLUMNS.values())}
        )
    rows = []
    for line, values in numbered:
        cells = {
            column: _cell(values[position]) if position < len(values) else ""
            for column, position in positions.items()
        }
        if not any(cells.values()):
            continue
        if len(rows) == MAX_ROWS:
            raise _too_many()
        rows.append(WaybillRow(line=line, **cells))
    if not rows:
        raise WaybillFileError(_("The file has no rows to import under its heading row."))
    return rows


def _csv_text(data: bytes) -> str:
    # Excel in China saves CSV in GB18030 (GBK); everything else, and the template, in UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise WaybillFileError(_("This is not a CSV or Excel (.xlsx) file."))


def _xlsx_rows(data: bytes) -> list[tuple]:
    unreadable = WaybillFileError(_("This Excel file cannot be read; save it again as .xlsx."))
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise unreadable from None
    try:
        rows = list(
            book.worksheets[0].iter_rows(max_row=_MAX_SCANNED + 1, max_col=20, values_only=True)
        )
    except Exception:
        # Whatever a damaged or hostile workbook makes the parser raise, the answer is the same.
        raise unreadable from None
    finally:
        book.close()
    if len(rows) > _MAX_SCANNED:
        raise _too_many()
    return rows


def read_waybill_file(upload) -> list[WaybillRow]:
    """The rows of an uploaded CSV or .xlsx file; WaybillFileError when it cannot be read."""
    if upload.size > MAX_BYTES:
        raise WaybillFileError(
            _("The file is larger than %(size)d KB; split it into smaller files.")
            % {"size": MAX_BYTES // 1000}
        )
    data = upload.read(MAX_BYTES + 1)
    if data.startswith(b"PK\x03\x04"):
        return _rows(_xlsx_rows(data))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise WaybillFileError(_("Old Excel (.xls) files cannot be read; save it as .xlsx."))
    try:
        return _rows(csv.reader(io.StringIO(_csv_text(data), newline="")))
    except csv.Error:
        raise WaybillFileError(_("This CSV file cannot be read; save it again as CSV.")) from None


def _heading_row() -> list[str]:
    return [str(label) for label in COLUMNS.values()]


def template_csv(order_numbers: list[str]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese headings correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_heading_row())
    writer.writerows([number, "", ""] for number in order_numbers)
    return out.getvalue().encode("utf-8-sig")


def template_xlsx(order_numbers: list[str]) -> bytes:
    """Every cell is text, so Excel keeps 18-digit order numbers and waybill numbers whole; the
    carrier column offers the list of carriers."""
    book = Workbook()
    sheet = book.active
    sheet.title = str(gettext_lazy("Waybills"))
    sheet.append(_heading_row())
    for number in order_numbers:
        sheet.append([number, "", ""])
    for column, width in zip("ABC", (24, 16, 24), strict=True):
        sheet.column_dimensions[column].width = width
        for cell in sheet[column]:
            cell.number_format = "@"
    names = [str(carrier.name) for carrier in CARRIERS.values()]
    choices = DataValidation(type="list", formula1=f'"{",".join(names)}"', allow_blank=True)
    sheet.add_data_validation(choices)
    choices.add(f"B2:B{MAX_ROWS + 1}")
    listed = book.create_sheet(str(gettext_lazy("Carriers")))
    listed.append([str(COLUMNS["carrier"]), str(gettext_lazy("Example waybill number"))])
    for carrier in CARRIERS.values():
        listed.append([str(carrier.name), carrier.example])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
