"""Complaints: filed on an own order with photos, answered within the service level, closed with
an outcome; every staff act audit-logged; bad input changes nothing."""

import importlib
import io
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from weishang.compliance import blacklist, complaints
from weishang.compliance.complaints import ComplaintError
from weishang.compliance.models import (
    AuditEntry,
    Complaint,
    ComplaintMessage,
    ComplaintPhoto,
    ComplaintStatus,
    ComplianceSettings,
)
from weishang.compliance.selectors import complaint_counts_by_distributor
from weishang.distribution.models import Distributor
from weishang.sales import services as sales

pytestmark = pytest.mark.django_db


def photo(name="p.png", fmt="PNG", size=(40, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def media(settings, tmp_path):
    """The private media root, where complaint photos go; the public one stays empty."""
    settings.MEDIA_ROOT = tmp_path / "public"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def order(customer, sku):
    return sales.place_order(customer=customer, items={sku.pk: 1}, address=customer.addresses.get())


def make_distributor(customer, slug="zhang"):
    return Distributor.objects.create(
        customer=customer,
        slug=slug,
        store_name="张三的小店",
        real_name="张三",
        id_number="11010519491231002X",
        id_number_masked="1101**********002X",
        business_kind="small_trade",
        approved_at=timezone.now(),
    )


def file(customer, order, **kwargs):
    kwargs = {"category": "quality", "text": "枣子发霉了", **kwargs}
    return complaints.file_complaint(customer=customer, order=order, **kwargs)


def test_a_complaint_gets_a_number_and_is_due_in_48_hours(customer, order, media):
    now = timezone.now()
    complaint = file(customer, order, photos=[photo(), photo("b.jpg", "JPEG")], now=now)
    assert complaint.number.startswith("C") and len(complaint.number) == 19
    assert complaint.status == ComplaintStatus.RECEIVED
    assert complaint.due_at == now + timedelta(hours=48)
    assert complaint.first_answered_at is None
    stored = list(complaint.photos.all())
    assert len(stored) == 2
    assert stored[1].image.name.endswith(".jpg")
    assert all((media / p.image.name).exists() for p in stored)
    assert not (media.parent / "public").exists()  # never under the public media root


def test_the_migration_moves_photos_out_of_the_public_media_root(customer, order, media, settings):
    migration = importlib.import_module(
        "weishang.compliance.migrations.0005_private_complaint_photos"
    )
    name = file(customer, order, photos=[photo()]).photos.get().image.name
    public = settings.MEDIA_ROOT / name
    public.parent.mkdir(parents=True)
    (media / name).rename(public)  # where an older version stored it
    migration.to_private(django_apps, None)
    assert (media / name).is_file() and not public.exists()


def test_the_brand_sets_the_service_level(customer, order):
    ComplianceSettings.objects.create(pk=1, complaint_answer_hours=24)
    now = timezone.now()
    assert file(customer, order, now=now).due_at == now + timedelta(hours=24)


def test_a_complaint_counts_on_the_attributed_distributor(customer, make_customer, order):
    distributor = make_distributor(make_customer())
    order.distributor = distributor
    order.save(update_fields=["distributor"])
    complaint = file(customer, order)
    assert complaint.distributor == distributor
    file(customer, order, category="distributor", text="他一直刷屏")
    assert complaint_counts_by_distributor([distributor.pk]) == {distributor.pk: 2}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": "   "}, "Describe what went wrong."),
        ({"text": "x" * 2001}, "at most 2000 characters"),
        ({"category": "spam"}, "Choose what the complaint is about."),
        ({"photos": [photo() for _ in range(6)]}, "at most 5 photos"),
        (
            {"photos": [photo(), SimpleUploadedFile("x.png", b"not an image")]},
            "JPEG, PNG or WebP",
        ),
        ({"photos": [photo("a.gif", "GIF")]}, "JPEG, PNG or WebP"),
        (
            {"photos": [SimpleUploadedFile("big.png", b"0" * (5 * 1024 * 1024 + 1))]},
            "at most 5 MB",
        ),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(customer, order, media, kwargs, message):
    with pytest.raises(ComplaintError, match=message):
        file(customer, order, **kwargs)
    assert not Complaint.objects.exists()
    assert not ComplaintPhoto.objects.exists()
    assert not any(media.rglob("*.*"))


def test_only_own_orders_can_be_complained_about(make_customer, order):
    with pytest.raises(ComplaintError, match="your own orders"):
        file(make_customer(), order)
    assert not Complaint.objects.exists()


def test_the_first_answer_takes_it_into_progress(customer, order, staff):
    complaint = file(customer, order)
    answered = timezone.now()
    complaints.answer_complaint(complaint=complaint, staff=staff, text="请拍照给我们", now=answered)
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.IN_PROGRESS
    assert complaint.first_answered_at == answered
    complaints.customer_reply(complaint=complaint, customer=customer, text="照片已上传")
    complaints.answer_complaint(
        complaint=complaint, staff=staff, text="收到", now=answered + timedelta(hours=1)
    )
    complaint.refresh_from_db()
    assert complaint.first_answered_at == answered
    thread = list(complaint.messages.values_list("from_customer", "text"))
    assert thread == [(False, "请拍照给我们"), (True, "照片已上传"), (False, "收到")]
    audit = AuditEntry.objects.filter(action="complaint.answer").order_by("pk")
    assert [(e.actor_label, e.object_id) for e in audit] == [("operator", str(complaint.pk))] * 2
    assert audit[0].before == {"status": "received"}
    assert audit[0].after["status"] == "in_progress"


def test_resolving_needs_an_answer_first_and_an_outcome(customer, order, staff):
    complaint = file(customer, order)
    with pytest.raises(ComplaintError, match="Answer the customer before closing"):
        complaints.resolve_complaint(complaint=complaint, staff=staff, outcome="退款")
    complaints.answer_complaint(complaint=complaint, staff=staff, text="我们在查")
    with pytest.raises(ComplaintError, match="outcome"):
        complaints.resolve_complaint(complaint=complaint, staff=staff, outcome=" ")
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.IN_PROGRESS and complaint.outcome == ""

    complaints.resolve_complaint(complaint=complaint, staff=staff, outcome="已全额退款")
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RESOLVED
    assert complaint.outcome == "已全额退款" and complaint.resolved_at is not None
    entry = AuditEntry.objects.get(action="complaint.resolve")
    assert entry.after == {"status": "resolved", "outcome": "已全额退款"}


def test_a_closed_complaint_cannot_change(customer, order, staff):
    complaint = file(customer, order)
    complaints.answer_complaint(complaint=complaint, staff=staff, text="我们在查")
    complaints.reject_complaint(complaint=complaint, staff=staff, outcome="照片显示商品完好")
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.REJECTED
    messages_before = ComplaintMessage.objects.count()
    for act in (
        lambda: complaints.answer_complaint(complaint=complaint, staff=staff, text="再看看"),
        lambda: complaints.resolve_complaint(complaint=complaint, staff=staff, outcome="退款"),
        lambda: complaints.reject_complaint(complaint=complaint, staff=staff, outcome="再拒"),
    ):
        with pytest.raises(ComplaintError, match="closed"):
            act()
    with pytest.raises(ComplaintError, match="closed; file a new one"):
        complaints.customer_reply(complaint=complaint, customer=customer, text="不服")
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.REJECTED
    assert complaint.outcome == "照片显示商品完好"
    assert ComplaintMessage.objects.count() == messages_before
    assert AuditEntry.objects.filter(action__startswith="complaint.").count() == 2


def test_a_customer_cannot_reply_on_someone_elses_complaint(customer, make_customer, order):
    complaint = file(customer, order)
    with pytest.raises(ComplaintError, match="not your complaint"):
        complaints.customer_reply(complaint=complaint, customer=make_customer(), text="hi")
    assert not ComplaintMessage.objects.exists()


def test_a_blacklisted_customer_can_still_complain(customer, order, staff):
    blacklist.blacklist_customer(customer=customer, actor=staff, reason="恶意退货")
    assert file(customer, order).status == ComplaintStatus.RECEIVED


def test_transitions_follow_the_complaints_life():
    S = ComplaintStatus
    allowed = {
        (S.RECEIVED, S.IN_PROGRESS),
        (S.IN_PROGRESS, S.RESOLVED),
        (S.IN_PROGRESS, S.REJECTED),
    }
    for current in S:
        for target in S:
            if (current, target) in allowed:
                complaints.check_transition(current, target)
            else:
                with pytest.raises(ComplaintError):
                    complaints.check_transition(current, target)
