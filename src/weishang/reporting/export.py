"""The regulator export (E-commerce Law Art. 25, 31): transactions, complaints with their
outcomes and the distributor register for a date range, as CSV (UTF-8 with BOM) or JSON.

Everything streams: rows come from the database through ``.iterator(chunk_size=CHUNK)`` (a
server-side cursor on PostgreSQL) over ``values()`` with only the needed columns, are formatted
one at a time and leave as bytes, so memory stays flat however many orders the range holds. The
whole export reads one snapshot (REPEATABLE READ on PostgreSQL). The fields are documented in
docs/regulator-export.md and docs/regulator-export.schema.json.
"""

import csv
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import batched
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weishang import replicas
from weishang.catalog import selectors as catalog
from weishang.compliance import audit
from weishang.compliance import selectors as compliance
from weishang.core_errors import DomainError
from weishang.distribution import selectors as distribution
from weishang.money import format_yuan
from weishang.orders import selectors as orders
from weishang.payments import selectors as payments

SHANGHAI = ZoneInfo("Asia/Shanghai")
SCHEMA_ID = "https://weishang.example/schemas/regulator-export/1"
FORMAT_VERSION = 1
CHUNK = 2000
BOM = "\ufeff".encode()
MAX_RANGE_DAYS = 3660
FORMATS = ("csv", "json")


class ExportError(DomainError):
    pass


@dataclass(frozen=True)
class DateRange:
    """Days in Asia/Shanghai, ``start`` included and ``end`` excluded: [start, end)."""

    start: date
    end: date

    @classmethod
    def checked(cls, start, end) -> "DateRange":
        if not isinstance(start, date) or not isinstance(end, date):
            raise ExportError(_("Enter both dates as YYYY-MM-DD."), code="bad_date")
        if end <= start:
            raise ExportError(
                _("The end date must be after the start date (the end day is not included)."),
                code="bad_range",
            )
        if (end - start).days > MAX_RANGE_DAYS:
            raise ExportError(_("Export at most ten years at a time."), code="range_too_long")
        return cls(start, end)

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return (
            datetime.combine(self.start, time.min, tzinfo=SHANGHAI),
            datetime.combine(self.end, time.min, tzinfo=SHANGHAI),
        )


# Formatting ------------------------------------------------------------------------------------


def local_iso(moment: datetime | None) -> str | None:
    """ISO 8601 in Shanghai time with its offset, e.g. 2026-03-01T09:30:00+08:00."""
    if moment is None:
        return None
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds")


# Sections --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    name: str
    columns: tuple[str, ...]
    count: Callable[[], int]
    # Each row is a tuple of the columns' values, in the columns' order.
    rows: Callable[[], Iterator[tuple]]


TRANSACTION_COLUMNS = (
    "order_number",
    "placed_at",
    "paid_at",
    "order_status",
    "product_name",
    "sku_code",
    "sku_name",
    "quantity",
    "unit_price_fen",
    "unit_price_yuan",
    "line_total_fen",
    "line_total_yuan",
    "order_total_fen",
    "order_total_yuan",
    "refunded_fen",
    "refunded_yuan",
    "refund_times",
    "seller_company_name",
    "seller_uscc",
    "distributor_store_name",
    "distributor_id_number_masked",
    "distributor_business_kind",
    "distributor_credit_code",
    "distributor_status",
    "payment_provider",
    "payment_transaction_id",
)


def _lines(rng: DateRange):
    return orders.lines_placed_between(*rng.bounds)


def transaction_rows(rng: DateRange, seller: dict) -> Iterator[tuple]:
    """One row per order line (``TRANSACTION_COLUMNS``' values), in order of placing; payments,
    refunds and the distributors' register entries are asked of their domains per chunk of
    lines (at most three queries per CHUNK lines), never for the whole range. What belongs to the
    order is formatted once for all its lines, and each amount once per chunk."""
    lines = _lines(rng).iterator(chunk_size=CHUNK)
    company, uscc = seller["company_name"], seller["uscc"]
    no_distributor = (None,) * 5
    for chunk in batched(lines, CHUNK):
        first, last = chunk[0][2], chunk[-1][2]
        paid = payments.payments_of_orders_placed_between(first, last)
        refunds = (
            payments.refund_times_of_orders_placed_between(first, last)
            if any(line[6] for line in chunk)
            else {}
        )
        register = distribution.register_entries(line[7] for line in chunk)
        yuan = _YuanCache()
        current_order, order_head, order_tail = None, (), ()
        for (
            order_id,
            number,
            placed_at,
            paid_at,
            status,
            total_fen,
            refunded_fen,
            distributor_id,
            product_name,
            sku_code,
            sku_name,
            quantity,
            unit_price_fen,
            line_total_fen,
        ) in chunk:
            if order_id != current_order:
                current_order = order_id
                payment = paid.get(order_id)
                store_name, id_masked, business_kind, credit_code, distributor_status = (
                    register.get(distributor_id, no_distributor)
                    if distributor_id is not None
                    else no_distributor
                )
                order_head = (number, local_iso(placed_at), local_iso(paid_at), status)
                order_tail = (
                    total_fen,
                    yuan[total_fen],
                    refunded_fen,
                    yuan[refunded_fen],
                    [local_iso(at) for at in refunds.get(order_id, ())],
                    company,
                    uscc,
                    store_name,
                    id_masked,
                    business_kind,
                    credit_code or None,
                    distributor_status,
                    payment[0] if payment else None,
                    payment[1] if payment else None,
                )
            yield (
                *order_head,
                product_name,
                sku_code,
                sku_name,
                quantity,
                unit_price_fen,
                yuan[unit_price_fen],
                line_total_fen,
                yuan[line_total_fen],
                *order_tail,
            )


class _YuanCache(dict):
    """Amounts in yuan, each formatted once: a chunk's prices and totals repeat."""

    def __missing__(self, fen: int) -> str:
        text = self[fen] = format_yuan(fen)
        return text


COMPLAINT_COLUMNS = (
    "complaint_number",
    "order_number",
    "filed_at",
    "category",
    "text",
    "status",
    "first_answer_due_at",
    "first_answered_at",
    "first_answer_late",
    "closed_at",
    "outcome",
    "distributor_store_name",
    "distributor_id_number_masked",
)


def _complaints(rng: DateRange):
    return compliance.complaints_filed_between(*rng.bounds)


def complaint_rows(rng: DateRange, now: datetime) -> Iterator[tuple]:
    rows = _complaints(rng).iterator(chunk_size=CHUNK)
    for (
        number,
        order_number,
        filed_at,
        category,
        text,
        status,
        due_at,
        answered_at,
        closed_at,
        outcome,
        store_name,
        id_masked,
    ) in rows:
        late = answered_at > due_at if answered_at is not None else now > due_at
        yield (
            number,
            order_number,
            local_iso(filed_at),
            category,
            text,
            status,
            local_iso(due_at),
            local_iso(answered_at),
            late,
            local_iso(closed_at),
            outcome or None,
            store_name,
            id_masked,
        )


CLAIM_COLUMNS = (
    "claim_number",
    "order_number",
    "requested_at",
    "quantity",
    "remedy_asked",
    "remedy_granted",
    "status",
    "decided_at",
    "decision_reason",
    "refund_fen",
    "refund_yuan",
    "refunded_at",
    "complaint_number",
)


def _claims(rng: DateRange):
    return orders.claims_requested_between(*rng.bounds)


def claim_rows(rng: DateRange) -> Iterator[tuple]:
    """Quality claims (Consumer Protection Law Art. 24) and refunds a complaint ordered."""
    for (
        number,
        order_number,
        requested_at,
        quantity,
        remedy,
        decided_remedy,
        status,
        decided_at,
        reason,
        refund_fen,
        refunded_at,
        complaint_number,
    ) in _claims(rng).iterator(chunk_size=CHUNK):
        yield (
            number,
            order_number,
            local_iso(requested_at),
            quantity,
            remedy,
            decided_remedy or None,
            status,
            local_iso(decided_at),
            reason or None,
            refund_fen,
            format_yuan(refund_fen),
            local_iso(refunded_at),
            complaint_number,
        )


DISTRIBUTOR_COLUMNS = (
    "store_name",
    "store_slug",
    "id_number_masked",
    "business_kind",
    "credit_code",
    "status",
    "status_reason",
    "approved_at",
    "complaint_count",
)


def distributor_rows() -> Iterator[tuple]:
    """The whole register as it stands at export time (not limited to the range), with each
    distributor's complaint count asked per chunk."""
    for chunk in batched(distribution.register().iterator(chunk_size=CHUNK), CHUNK):
        complaints = compliance.complaint_counts_by_distributor(row[0] for row in chunk)
        for pk, name, slug, masked, kind, credit, status, reason, approved_at in chunk:
            yield (
                name,
                slug,
                masked,
                kind,
                credit or None,
                status,
                reason or None,
                local_iso(approved_at),
                complaints.get(pk, 0),
            )


def seller() -> dict:
    brand = catalog.brand()
    return {
        "brand_name": brand.name if brand else "",
        "company_name": brand.company_name if brand else "",
        "uscc": brand.business_licence_no if brand else "",
    }


class Export:
    """One export of a date range: its sections and their row streams."""

    def __init__(self, rng: DateRange, *, now: datetime | None = None):
        self.range = rng
        self.now = now or timezone.now()
        self._seller = None

    @property
    def seller(self) -> dict:
        if self._seller is None:
            self._seller = seller()
        return self._seller

    def sections(self) -> list[Section]:
        rng = self.range
        return [
            Section(
                "transactions",
                TRANSACTION_COLUMNS,
                lambda: _lines(rng).count(),
                lambda: transaction_rows(rng, self.seller),
            ),
            Section(
                "complaints",
                COMPLAINT_COLUMNS,
                lambda: _complaints(rng).count(),
                lambda: complaint_rows(rng, self.now),
            ),
            Section(
                "quality_claims",
                CLAIM_COLUMNS,
                lambda: _claims(rng).count(),
                lambda: claim_rows(rng),
            ),
            Section(
                "distributors",
                DISTRIBUTOR_COLUMNS,
                distribution.register_size,
                distributor_rows,
            ),
        ]

    def header(self) -> dict:
        return {
            "$schema": SCHEMA_ID,
            "format_version": FORMAT_VERSION,
            "generated_at": local_iso(self.now),
            "timezone": "Asia/Shanghai",
            "range": {"from": self.range.start.isoformat(), "to": self.range.end.isoformat()},
            "seller": self.seller,
            "sections": [section.name for section in self.sections()],
        }


# Snapshot --------------------------------------------------------------------------------------


@contextmanager
def consistent_snapshot():
    """One read-only transaction for the whole export, on the replica when one is configured and
    keeping up (``weishang.replicas``): every section sees the same data, and PostgreSQL's
    server-side cursors stream instead of being materialised at commit."""
    with replicas.reads():
        alias = replicas.read_alias()
        outermost = not connections[alias].in_atomic_block  # inside a caller's, use that one
        with transaction.atomic(using=alias):
            if outermost and connections[alias].vendor == "postgresql":
                with connections[alias].cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield


def snapshot(stream: Iterable[bytes]) -> Iterator[bytes]:
    with consistent_snapshot():
        yield from stream


# CSV -------------------------------------------------------------------------------------------

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    kind = type(value)
    if kind is str:
        return "'" + value if value.startswith(_FORMULA_STARTS) else value
    if kind is int:
        return str(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(value)
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value  # a spreadsheet must not run text as a formula
    return str(value)


class _Parts:
    """A write-only text sink that hands its contents over in pieces."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> bytes:
        data = "".join(self.parts).encode()
        self.parts.clear()
        return data


def csv_stream(section: Section, *, progress: Callable[[int], None] | None = None):
    """UTF-8 with BOM (Excel reads the Chinese correctly), a header row, CRLF line ends."""
    sink = _Parts()
    writer = csv.writer(sink, lineterminator="\r\n")
    writer.writerow(section.columns)
    yield BOM + sink.take()
    pending = 0
    for row in section.rows():
        writer.writerow([_cell(value) for value in row])
        pending += 1
        if pending == 500:
            yield sink.take()
            if progress:
                progress(pending)
            pending = 0
    if pending:
        yield sink.take()
        if progress:
            progress(pending)


class _ByteParts:
    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def zip_stream(export: Export) -> Iterator[bytes]:
    """A ZIP of one CSV per section, written to an unseekable sink and handed on as it grows."""
    sink = _ByteParts()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        for section in export.sections():
            with archive.open(f"{section.name}.csv", mode="w", force_zip64=True) as member:
                for data in csv_stream(section):
                    member.write(data)
                    if len(sink.parts) > 16:
                        yield sink.take()
            yield sink.take()
    yield sink.take()


# JSON ------------------------------------------------------------------------------------------


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def json_stream(
    export: Export, *, progress: Callable[[int], None] | None = None
) -> Iterator[bytes]:
    """One JSON document: the header's fields, then each section as an array, a row per line."""
    header = export.header()
    yield ("{\n" + ",\n".join(f"{_dumps(k)}:{_dumps(v)}" for k, v in header.items())).encode()
    for section in export.sections():
        parts = [f",\n{_dumps(section.name)}:["]
        first, pending = True, 0
        columns = section.columns
        for row in section.rows():
            parts.append(("\n" if first else ",\n") + _dumps(dict(zip(columns, row, strict=True))))
            first = False
            pending += 1
            if pending == 500:
                yield "".join(parts).encode()
                parts.clear()
                if progress:
                    progress(pending)
                pending = 0
        parts.append("]")
        yield "".join(parts).encode()
        if progress and pending:
            progress(pending)
    yield b"\n}\n"


# Entry points ----------------------------------------------------------------------------------


def download(rng: DateRange, fmt: str) -> tuple[Iterator[bytes], str, str]:
    """The byte stream, content type and file name of a console download."""
    export = Export(rng)
    stem = f"regulator-export-{rng.start:%Y%m%d}-{rng.end:%Y%m%d}"
    if fmt == "json":
        return snapshot(json_stream(export)), "application/json", f"{stem}.json"
    if fmt == "csv":
        return snapshot(zip_stream(export)), "application/zip", f"{stem}.zip"
    raise ExportError(_("Choose CSV or JSON."), code="bad_format")


def write_files(
    rng: DateRange,
    fmt: str,
    out_dir: Path,
    *,
    progress_total: Callable[[int], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Path]:
    """Writes the export into ``out_dir``: one CSV per section, or one JSON file."""
    if fmt not in FORMATS:
        raise ExportError(_("Choose CSV or JSON."), code="bad_format")
    out_dir.mkdir(parents=True, exist_ok=True)
    export = Export(rng)
    written: list[Path] = []

    def run():
        sections = export.sections()
        if progress_total:
            progress_total(sum(section.count() for section in sections))
        if fmt == "json":
            path = out_dir / f"regulator-export-{rng.start:%Y%m%d}-{rng.end:%Y%m%d}.json"
            with path.open("wb") as out:
                for data in json_stream(export, progress=progress):
                    out.write(data)
            written.append(path)
            return
        for section in sections:
            path = out_dir / f"{section.name}.csv"
            with path.open("wb") as out:
                for data in csv_stream(section, progress=progress):
                    out.write(data)
            written.append(path)

    with consistent_snapshot():
        run()
    return written


@transaction.atomic
def note_export(*, actor, rng: DateRange, fmt: str) -> None:
    """The export itself is recorded in the audit log: who took which data out, and when."""
    audit.record(
        actor=actor,
        action="regulator_export.download",
        object_type="regulator_export",
        object_id=f"{rng.start}..{rng.end}",
        after={"from": rng.start, "to": rng.end, "format": fmt},
    )


def parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        return None
