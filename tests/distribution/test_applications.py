"""Becoming a distributor: applying (free, real-name checked), review, freezing, the blacklist,
and the micro-store's own settings."""

import importlib
import io

import pytest
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.concurrency import run_in_parallel
from weishang.catalog.models import Product
from weishang.compliance.models import AuditEntry
from weishang.distribution import selectors, services
from weishang.distribution.models import Application, Distributor, FeaturedProduct
from weishang.privacy import data_rights

from .conftest import VALID_CREDIT_CODE, VALID_ID, application_fields

pytestmark = pytest.mark.django_db


def test_an_application_stores_the_id_number_encrypted_and_masked(customer):
    application = services.apply_to_distribute(
        customer=customer, **application_fields(customer, id_number="11010519491231002x")
    )
    application.refresh_from_db()
    assert application.status == Application.Status.PENDING
    assert application.id_number == VALID_ID  # lowercase x read as X
    assert application.id_number_masked == "110***********002X"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, real_name FROM distribution_application WHERE id = %s",
            [application.pk],
        )
        raw_id, raw_name = cursor.fetchone()
    assert VALID_ID not in raw_id and "张三" not in raw_name


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"real_name": "  "}, "real_name", "real name"),
        ({"id_number": "11010519491231002"}, "id_number", "18 characters"),
        ({"id_number": "110105194912310021"}, "id_number", "check digit"),
        ({"id_number": "110105194902300023"}, "id_number", "birth date"),
        ({"mobile": "12345"}, "mobile", "11-digit"),
        ({"mobile": "13900000000"}, "mobile", "signed in with"),
        ({"business_kind": "company"}, "business_kind", "Art. 10"),
        ({"business_kind": "registered", "credit_code": ""}, "credit_code", "Enter"),
        (
            {"business_kind": "registered", "credit_code": "91350100M000100Y44"},
            "credit_code",
            "check character",
        ),
        ({"store_name": ""}, "store_name", "1 to 40"),
        ({"store_name": "店" * 41}, "store_name", "1 to 40"),
        ({"invite_code": "nobody"}, "invite_code", "invite code"),
    ],
)
def test_every_bad_input_is_named_and_changes_nothing(customer, overrides, field, words):
    with pytest.raises(services.ApplicationInvalid) as caught:
        services.apply_to_distribute(customer=customer, **application_fields(customer, **overrides))
    assert words in caught.value.errors[field]
    assert set(caught.value.errors) == {field}
    assert not Application.objects.exists()


def test_all_wrong_fields_are_reported_together(customer):
    with pytest.raises(services.ApplicationInvalid) as caught:
        services.apply_to_distribute(
            customer=customer,
            **application_fields(customer, real_name="", id_number="x", store_name=""),
        )
    assert set(caught.value.errors) == {"real_name", "id_number", "store_name"}


def test_a_registered_seller_keeps_his_credit_code_and_a_small_trader_none(make_customer):
    registered = make_customer()
    application = services.apply_to_distribute(
        customer=registered,
        **application_fields(
            registered, business_kind="registered", credit_code=VALID_CREDIT_CODE.lower()
        ),
    )
    assert application.credit_code == VALID_CREDIT_CODE
    small = make_customer()
    application = services.apply_to_distribute(
        customer=small, **application_fields(small, credit_code=VALID_CREDIT_CODE)
    )
    assert application.credit_code == ""


def test_one_pending_application_at_a_time(customer):
    services.apply_to_distribute(customer=customer, **application_fields(customer))
    with pytest.raises(services.DistributionError, match="awaiting review"):
        services.apply_to_distribute(customer=customer, **application_fields(customer))
    assert Application.objects.count() == 1


def test_approval_opens_a_store_with_a_unique_address(make_customer, staff):
    first = make_customer()
    application = services.apply_to_distribute(
        customer=first, **application_fields(first, id_number=VALID_ID)
    )
    distributor = services.approve_application(application=application, reviewer=staff)
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    assert application.reviewed_by == staff
    assert distributor.customer == first and distributor.can_sell
    assert distributor.store_name == "三哥的枣铺"
    assert distributor.real_name == "张三" and distributor.id_number == VALID_ID
    assert distributor.id_number_masked == "110***********002X"
    assert distributor.invited_by is None
    assert len(distributor.slug) == services.SLUG_LENGTH

    second = make_customer()
    other = services.approve_application(
        application=services.apply_to_distribute(customer=second, **application_fields(second)),
        reviewer=staff,
    )
    assert other.slug != distributor.slug
    with pytest.raises(services.DistributionError, match="already reviewed"):
        services.approve_application(application=application, reviewer=staff)


def test_the_invite_code_records_the_team_relation_only(distributor, make_customer, staff):
    newcomer = make_customer()
    application = services.apply_to_distribute(
        customer=newcomer,
        **application_fields(newcomer, invite_code=distributor.slug.upper()),
    )
    invitee = services.approve_application(application=application, reviewer=staff)
    assert invitee.invited_by == distributor
    assert not hasattr(invitee.customer, "binding")  # the team relation is not a binding

    services.freeze_distributor(distributor=distributor, actor=staff, reason="核查中")
    late = make_customer()
    with pytest.raises(services.ApplicationInvalid) as caught:
        services.apply_to_distribute(
            customer=late, **application_fields(late, invite_code=distributor.slug)
        )
    assert "invite code" in caught.value.errors["invite_code"]


def test_an_existing_or_blacklisted_distributor_cannot_apply(distributor, staff):
    customer = distributor.customer
    with pytest.raises(services.DistributionError, match="already a distributor"):
        services.apply_to_distribute(customer=customer, **application_fields(customer))
    services.blacklist_distributor(distributor=distributor, actor=staff, reason="虚假宣传")
    with pytest.raises(services.DistributionError, match="cannot apply again"):
        services.apply_to_distribute(customer=customer, **application_fields(customer))
    assert Application.objects.filter(customer=customer).count() == 1


def test_rejection_needs_a_reason_and_allows_a_new_application(customer, staff):
    application = services.apply_to_distribute(customer=customer, **application_fields(customer))
    with pytest.raises(services.DistributionError, match="reason"):
        services.reject_application(application=application, reviewer=staff, reason="  ")
    application.refresh_from_db()
    assert application.status == Application.Status.PENDING
    services.reject_application(application=application, reviewer=staff, reason="身份证照片模糊")
    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED
    assert application.reject_reason == "身份证照片模糊"
    assert not Distributor.objects.exists()
    again = services.apply_to_distribute(customer=customer, **application_fields(customer))
    assert selectors.latest_application(customer) == again


def test_freeze_unfreeze_and_blacklist(distributor, staff):
    with pytest.raises(services.DistributionError, match="reason"):
        services.freeze_distributor(distributor=distributor, actor=staff, reason="")
    distributor.refresh_from_db()
    assert distributor.can_sell

    services.freeze_distributor(distributor=distributor, actor=staff, reason="刷单嫌疑")
    distributor.refresh_from_db()
    assert not distributor.can_sell and distributor.status_reason == "刷单嫌疑"
    with pytest.raises(services.DistributionError, match="already frozen"):
        services.freeze_distributor(distributor=distributor, actor=staff, reason="again")

    services.unfreeze_distributor(distributor=distributor, actor=staff, reason="核实无误")
    distributor.refresh_from_db()
    assert distributor.can_sell

    services.blacklist_distributor(distributor=distributor, actor=staff, reason="传销宣传")
    distributor.refresh_from_db()
    assert distributor.status == Distributor.Status.BLACKLISTED and not distributor.can_sell
    with pytest.raises(services.DistributionError, match="final"):
        services.unfreeze_distributor(distributor=distributor, actor=staff, reason="mistake")
    log = AuditEntry.objects.filter(
        object_type="distribution.distributor", object_id=str(distributor.pk)
    )
    assert [(e.action, e.reason, e.actor) for e in log.order_by("at", "pk")] == [
        ("distributor.freeze", "刷单嫌疑", staff),
        ("distributor.unfreeze", "核实无误", staff),
        ("distributor.blacklist", "传销宣传", staff),
    ]


def _png(size=(64, 64)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 40)).save(buffer, "PNG")
    return SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")


def test_update_store_checks_the_avatar(distributor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    services.update_store(
        distributor=distributor, store_name="阿三好物", intro="只卖自己吃过的枣", avatar_file=_png()
    )
    distributor.refresh_from_db()
    assert distributor.store_name == "阿三好物" and distributor.avatar.name.endswith(".png")

    fake = SimpleUploadedFile("evil.png", b"<script>alert(1)</script>", content_type="image/png")
    with pytest.raises(services.DistributionError, match="JPEG, PNG or WebP"):
        services.update_store(distributor=distributor, store_name="新名字", avatar_file=fake)
    big = SimpleUploadedFile("big.png", b"\0" * (2 * 1024 * 1024 + 1))
    with pytest.raises(services.DistributionError, match="2 MB"):
        services.update_store(distributor=distributor, store_name="新名字", avatar_file=big)
    with pytest.raises(services.DistributionError, match="1 to 40"):
        services.update_store(distributor=distributor, store_name=" ")
    distributor.refresh_from_db()
    assert distributor.store_name == "阿三好物"


def test_featured_products_are_published_ones_in_his_order(distributor, make_product):
    a, b, draft = (make_product().product for _ in range(3))
    Product.objects.filter(pk=draft.pk).update(status=Product.Status.DRAFT)
    services.set_featured_products(distributor=distributor, product_ids=[b.pk, a.pk, b.pk])
    assert selectors.featured_product_ids(distributor) == [b.pk, a.pk]
    with pytest.raises(services.DistributionError, match="published"):
        services.set_featured_products(distributor=distributor, product_ids=[a.pk, draft.pk])
    assert selectors.featured_product_ids(distributor) == [b.pk, a.pk]
    services.set_featured_products(distributor=distributor, product_ids=[])
    assert not FeaturedProduct.objects.exists()


def test_one_id_number_one_distributor_until_the_first_account_is_closed(make_customer, staff):
    first = make_customer()
    services.approve_application(
        application=services.apply_to_distribute(
            customer=first, **application_fields(first, id_number=VALID_ID)
        ),
        reviewer=staff,
    )
    applicant = make_customer()
    with pytest.raises(services.ApplicationInvalid) as refused:
        services.apply_to_distribute(
            customer=applicant, **application_fields(applicant, id_number=VALID_ID.lower())
        )
    assert "already uses this ID number" in refused.value.errors["id_number"]
    assert not Application.objects.filter(customer=applicant).exists()

    # Filed while the first was still pending: refused at approval, and left pending.
    early = make_customer()
    Application.objects.filter(customer=first).update(status=Application.Status.PENDING)
    Distributor.objects.filter(customer=first).update(id_number_hash=None)
    pending = services.apply_to_distribute(
        customer=early, **application_fields(early, id_number=VALID_ID)
    )
    Distributor.objects.filter(customer=first).update(
        id_number_hash=services.id_number_hash(VALID_ID)
    )
    holder = Distributor.objects.get(customer=first)
    for status in ("frozen", "blacklisted"):
        Distributor.objects.filter(pk=holder.pk).update(status=status)
        with pytest.raises(services.DistributionError, match="already uses this ID number"):
            services.approve_application(application=pending, reviewer=staff)
    pending.refresh_from_db()
    assert pending.status == Application.Status.PENDING
    assert not Distributor.objects.filter(customer=early).exists()

    Distributor.objects.filter(pk=holder.pk).update(status="active")
    data_rights.close_account(customer=first, confirmation="CLOSE")
    assert Distributor.objects.get(pk=holder.pk).id_number_hash is None
    opened = services.approve_application(application=pending, reviewer=staff)
    assert opened.can_sell and opened.id_number == VALID_ID


def test_the_id_number_hash_is_keyed_and_the_number_stays_encrypted(distributor, settings):
    digest = Distributor.objects.get(pk=distributor.pk).id_number_hash
    assert digest == services.id_number_hash(distributor.id_number)
    assert distributor.id_number not in digest and len(digest) == 64
    settings.ID_HASH_KEY = "another-key"
    assert services.id_number_hash(distributor.id_number) != digest


def test_the_migration_gives_existing_distributors_their_hash_once(make_distributor):
    migration = importlib.import_module("weishang.distribution.migrations.0002_id_number_hash")
    first, second = make_distributor(), make_distributor()  # the same ID number
    closed = make_distributor()
    Distributor.objects.filter(pk=closed.pk).update(id_number="[closed]")
    migration.backfill(django_apps, None)
    hashes = dict(Distributor.objects.values_list("pk", "id_number_hash"))
    assert hashes[first.pk] == services.id_number_hash(first.id_number)
    assert hashes[second.pk] is None and hashes[closed.pk] is None


@pytest.mark.postgres
def test_two_approvals_of_one_id_number_at_once_open_one_store(postgres_only, make_customer, staff):
    applications = []
    for _ in range(2):
        customer = make_customer()
        applications.append(
            services.apply_to_distribute(
                customer=customer, **application_fields(customer, id_number=VALID_ID)
            )
        )

    def approve(i):
        return services.approve_application(application=applications[i], reviewer=staff)

    results = run_in_parallel(approve, 2)
    opened = [r for r in results if isinstance(r, Distributor)]
    refused = [r for r in results if isinstance(r, services.DistributionError)]
    assert len(opened) == 1 and len(refused) == 1, results
    assert refused[0].code == "id_number_taken"  # threads speak the default Chinese
    assert Distributor.objects.count() == 1
    assert Application.objects.filter(status=Application.Status.PENDING).count() == 1
