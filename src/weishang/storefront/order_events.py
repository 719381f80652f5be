"""What happened after the sale, dated, for the customer's order page: each return's steps, each
refund (requested, then reached him) and each complaint with the brand's answers."""

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from weishang.compliance.models import Complaint, ComplaintStatus
from weishang.money import format_fen
from weishang.orders.carriers import carrier_name
from weishang.orders.models import ReturnRequest
from weishang.payments.models import Refund


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str
    title: str
    detail: str = ""
    link: str = ""


def _return_events(rr: ReturnRequest) -> list[Event]:
    number = {"number": rr.number}
    events = [Event(rr.requested_at, "return", _("Return %(number)s requested") % number)]
    if rr.approved_at:
        events.append(Event(rr.approved_at, "return", _("Return %(number)s approved") % number))
    if rr.return_shipped_at:
        events.append(
            Event(
                rr.return_shipped_at,
                "return",
                _("Return %(number)s sent back") % number,
                f"{carrier_name(rr.return_carrier)} {rr.return_tracking_no}",
            )
        )
    if rr.received_at:
        events.append(
            Event(rr.received_at, "return", _("The brand received return %(number)s") % number)
        )
    if rr.rejected_at:
        events.append(
            Event(
                rr.rejected_at,
                "return",
                _("Return %(number)s rejected") % number,
                rr.reject_reason,
            )
        )
    return events


def _refund_events(refund: Refund) -> list[Event]:
    amount = {"amount": format_fen(refund.amount_fen)}
    events = [Event(refund.created_at, "refund", _("Refund of %(amount)s requested") % amount)]
    if refund.status == Refund.Status.SUCCEEDED and refund.confirmed_at:
        events.append(
            Event(
                refund.confirmed_at,
                "refund",
                _("Refund of %(amount)s paid back to your account") % amount,
            )
        )
    return events


def _complaint_events(complaint: Complaint) -> list[Event]:
    number = {"number": complaint.number}
    link = reverse("storefront:complaint_detail", args=[complaint.number])
    events = [Event(complaint.filed_at, "complaint", _("Complaint %(number)s filed") % number)]
    events += [
        Event(
            answer.at,
            "complaint",
            _("The brand answered complaint %(number)s") % number,
            answer.text,
            link,
        )
        for answer in complaint.staff_answers
    ]
    if complaint.resolved_at:
        title = (
            _("Complaint %(number)s resolved")
            if complaint.status == ComplaintStatus.RESOLVED
            else _("Complaint %(number)s closed without a remedy")
        )
        events.append(Event(complaint.resolved_at, "complaint", title % number, complaint.outcome))
    return events


def after_sales_events(
    returns: list[ReturnRequest], refunds: list[Refund], complaints: list[Complaint]
) -> list[Event]:
    events = [event for rr in returns for event in _return_events(rr)]
    events += [event for refund in refunds for event in _refund_events(refund)]
    events += [event for complaint in complaints for event in _complaint_events(complaint)]
    return sorted(events, key=lambda event: event.at)
