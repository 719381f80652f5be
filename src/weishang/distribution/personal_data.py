"""The distribution domain's part of a customer's personal data: his binding and its history,
his own distributor record, applications (ID numbers masked) and payout accounts (numbers masked),
and erasing them on closure."""

from collections.abc import Iterable
from datetime import datetime

from weishang.compliance.personal_data import CLOSED
from weishang.customers.models import Customer
from weishang.customers.personal_data import closed_mobile

from .models import Application, Binding, BindingEvent, Distributor, PayoutAccount


def store_names(distributor_ids: Iterable[int | None]) -> dict[int, str]:
    ids = {pk for pk in distributor_ids if pk is not None}
    if not ids:
        return {}
    return dict(Distributor.objects.filter(pk__in=ids).values_list("pk", "store_name"))


def distributor_id_of(customer: Customer) -> int | None:
    return Distributor.objects.filter(customer=customer).values_list("pk", flat=True).first()


def personal_data_for(customer: Customer) -> dict:
    binding = (
        Binding.objects.filter(customer=customer)
        .select_related("distributor")
        .only("source", "bound_at", "expires_at", "distributor__store_name")
        .first()
    )
    events = (
        BindingEvent.objects.filter(customer=customer)
        .select_related("distributor", "previous_distributor")
        .only("source", "created_at", "distributor__store_name", "previous_distributor__store_name")
    )
    distributor = Distributor.objects.filter(customer=customer).defer("id_number").first()
    applications = Application.objects.filter(customer=customer).defer("id_number")
    payout_accounts = PayoutAccount.objects.filter(distributor__customer=customer).defer("number")
    return {
        "binding": binding
        and {
            "store_name": binding.distributor.store_name,
            "source": binding.source,
            "bound_at": binding.bound_at,
            "expires_at": binding.expires_at,
        },
        "binding_history": [
            {
                "store_name": e.distributor.store_name,
                "previous_store_name": e.previous_distributor.store_name
                if e.previous_distributor
                else None,
                "source": e.source,
                "at": e.created_at,
            }
            for e in events
        ],
        "distributor": distributor
        and {
            "store_name": distributor.store_name,
            "store_address": distributor.slug,
            "intro": distributor.intro,
            "status": distributor.status,
            "real_name": distributor.real_name,
            "id_number": distributor.id_number_masked,
            "business_kind": distributor.business_kind,
            "credit_code": distributor.credit_code,
            "approved_at": distributor.approved_at,
        },
        "distributor_applications": [
            {
                "store_name": a.store_name,
                "real_name": a.real_name,
                "id_number": a.id_number_masked,
                "mobile": a.mobile,
                "business_kind": a.business_kind,
                "credit_code": a.credit_code,
                "status": a.status,
                "reject_reason": a.reject_reason,
                "submitted_at": a.submitted_at,
                "reviewed_at": a.reviewed_at,
            }
            for a in applications
        ],
        # Masked as everywhere he sees them: the copy may travel further than his own screen.
        "payout_accounts": [
            {
                "kind": a.kind,
                "bank": a.bank_code,
                "holder_name": a.holder_name,
                "number": a.number_masked,
                "added_at": a.added_at,
                "removed_at": a.removed_at,
            }
            for a in payout_accounts
        ],
    }


def erase_personal_data(customer: Customer, *, now: datetime) -> dict[str, int]:
    """Deletes the binding, replaces the written reasons in its history with the marker (the
    history keeps ids, sources and dates), rejects a pending application, blanks the
    applications' and the distributor's personal fields and closes an open micro-store."""
    done = {
        "binding": Binding.objects.filter(customer=customer).delete()[0],
        "binding_reasons": BindingEvent.objects.filter(customer=customer)
        .exclude(reason="")
        .update(reason=CLOSED),
    }
    Application.objects.filter(customer=customer, status=Application.Status.PENDING).update(
        status=Application.Status.REJECTED, reject_reason="Account closed.", reviewed_at=now
    )
    for application in Application.objects.filter(customer=customer).only("pk"):
        application.real_name = CLOSED
        application.id_number = CLOSED
        application.id_number_masked = CLOSED
        application.mobile = closed_mobile(customer.pk)
        application.store_name = CLOSED
        application.save(
            update_fields=["real_name", "id_number", "id_number_masked", "mobile", "store_name"]
        )
    for account in PayoutAccount.objects.filter(distributor__customer=customer):
        account.holder_name = CLOSED
        account.number = CLOSED
        account.number_masked = CLOSED
        account.removed_at = account.removed_at or now
        account.save(update_fields=["holder_name", "number", "number_masked", "removed_at"])
    done["payout_accounts"] = PayoutAccount.objects.filter(distributor__customer=customer).count()
    distributor = Distributor.objects.filter(customer=customer).first()
    if distributor is not None:
        if distributor.avatar:
            distributor.avatar.delete(save=False)
        distributor.real_name = CLOSED
        distributor.id_number = CLOSED
        distributor.id_number_masked = CLOSED
        distributor.id_number_hash = None  # the person may become a distributor again
        distributor.store_name = f"{CLOSED} #{distributor.pk}"
        distributor.intro = ""
        distributor.avatar = ""
        if distributor.status == Distributor.Status.ACTIVE:
            distributor.status = Distributor.Status.FROZEN
            distributor.status_reason = "Account closed by its owner."
        distributor.save()
    return done
