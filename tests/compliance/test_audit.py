import pytest
from django.db import DatabaseError, transaction

from weishang.compliance import audit
from weishang.compliance.models import AuditEntry
from weishang.compliance.selectors import audit_entries


@pytest.mark.django_db
def test_an_entry_records_who_what_and_before_after(staff, sku):
    entry = audit.record(
        actor=staff,
        action="price.schedule",
        obj=sku,
        before={"price_fen": 3990},
        after={"price_fen": 2990},
        reason="双十一",
    )
    assert (entry.actor_label, entry.object_type, entry.object_id) == (
        "operator",
        "catalog.sku",
        str(sku.pk),
    )
    assert audit_entries(action="price").get() == entry
    assert not audit_entries(actor="someone-else").exists()


@pytest.mark.postgres
def test_the_database_refuses_to_change_or_delete_audit_entries(postgres_only, staff):
    entry = audit.record(actor=staff, action="plan.save", object_type="plan", object_id="1")
    for change in (
        lambda: AuditEntry.objects.filter(pk=entry.pk).update(reason="edited"),
        lambda: AuditEntry.objects.filter(pk=entry.pk).delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            change()
    entry.refresh_from_db()
    assert entry.reason == ""
