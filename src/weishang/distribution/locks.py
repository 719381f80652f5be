"""Row locks for distribution writes, always in primary-key order so they cannot deadlock."""

from django.db.models import QuerySet

from weishang.customers.models import Customer

from .models import Application, Distributor, ProgrammeSettings


def customer_for_update(customer_id: int) -> QuerySet[Customer]:
    """Serialises one customer's applications (the database also allows one pending)."""
    return Customer.objects.filter(pk=customer_id).order_by("pk").select_for_update()


def application_for_update(application_id: int) -> QuerySet[Application]:
    return Application.objects.filter(pk=application_id).order_by("pk").select_for_update()


def distributors_for_update(distributor_ids) -> QuerySet[Distributor]:
    return (
        Distributor.objects.filter(pk__in=list(distributor_ids)).order_by("pk").select_for_update()
    )


def programme_for_update() -> ProgrammeSettings:
    """The programme settings row, locked; created with the defaults on the brand's first save."""
    settings = ProgrammeSettings.objects.order_by("pk").select_for_update().first()
    return settings or ProgrammeSettings.objects.create()
