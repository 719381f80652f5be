"""The complaints' part of a customer's personal data: his complaints with their threads, for
the copy; an open one keeps the account open. Complaints are kept when the account is closed, his
own words in them are not (PIPL Art. 47)."""

from django.utils.translation import gettext as _

from .models import Complaint, ComplaintMessage

# What replaces a closed account's free text in every domain: his words often hold his name, phone
# or address, which no pattern finds reliably, so the whole text goes.
CLOSED = "[closed]"


def personal_data_for(customer) -> dict:
    rows = Complaint.objects.filter(customer=customer).select_related("order")
    return {
        "complaints": [
            {
                "number": c.number,
                "order": c.order.number,
                "category": c.category,
                "text": c.text,
                "status": c.status,
                "filed_at": c.filed_at,
                "outcome": c.outcome,
                "messages": [
                    {"from_me": m.from_customer, "text": m.text, "at": m.at}
                    for m in c.messages.all()
                ],
            }
            for c in rows.prefetch_related("messages").order_by("pk")
        ]
    }


def closure_blockers(customer) -> list[str]:
    return [
        _("Complaint %(number)s is still being handled.") % {"number": number}
        for number in Complaint.objects.filter(
            customer=customer, status__in=Complaint.OPEN
        ).values_list("number", flat=True)
    ]


def erase_personal_data(customer) -> dict[str, int]:
    """Replaces the text of his complaints and of his own messages in their threads with the
    marker; the complaint itself (order, category, dates, status, the brand's outcome and answers)
    is kept for the regulator export."""
    return {
        "complaints": Complaint.objects.filter(customer=customer).update(text=CLOSED),
        "complaint_messages": ComplaintMessage.objects.filter(
            complaint__customer=customer, from_customer=True
        ).update(text=CLOSED),
    }
