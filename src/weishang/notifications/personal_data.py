"""The notifications' part of a customer's personal data: what he was told, when, and whether
he read it. On closure his messages and their deliveries are deleted."""

from . import events
from .models import Message


def personal_data_for(customer) -> dict:
    return {
        "messages": [
            {
                "at": m.created_at,
                "title": events.title(m.event),
                "text": events.body(m.event, m.params),
                "read_at": m.read_at,
            }
            for m in Message.objects.filter(customer=customer).order_by("pk")
        ]
    }


def erase_personal_data(customer) -> dict:
    mine = Message.objects.filter(customer=customer)
    count = mine.count()
    mine.delete()
    return {"messages": count}
