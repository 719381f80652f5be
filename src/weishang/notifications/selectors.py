from .models import Message


def inbox(customer):
    """His messages, newest first."""
    return Message.objects.filter(customer=customer).order_by("-pk")


def unread_count(customer) -> int:
    return Message.objects.filter(customer=customer, read_at=None).count()
