"""The complaints' part of a customer's personal data: his complaints with their threads, for
the copy; an open one keeps the account open. Complaints are kept when the account is closed."""

from django.utils.translation import gettext as _

from .models import Complaint


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
