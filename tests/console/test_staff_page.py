"""The staff page, for the owner only: staff and their roles, a new account with its role, a
changed role, a deactivated account; each act audit-logged, bad input changing nothing."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from weishang.compliance import staff as services
from weishang.compliance.models import AuditEntry

from .conftest import english, messages_of

pytestmark = pytest.mark.django_db
URL = "/console/staff/"


def with_role(django_user_model, username, role):
    user = django_user_model.objects.create_user(username=username, is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def role_names(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_only_the_owner_sees_and_changes_staff(client, brand, django_user_model, staff):
    clerk = with_role(django_user_model, "clerk", "customer_service")
    for role in ("operator", "finance", "customer_service", "auditor"):
        user = with_role(django_user_model, f"u-{role}", role)
        english(client).force_login(user)
        assert client.get(URL).status_code == 403, role
        response = client.post(reverse("console:staff_role", args=[clerk.pk]), {"role": "owner"})
        assert response.status_code == 403, role
    assert role_names(clerk) == {"customer_service"}
    assert not AuditEntry.objects.exists()


def test_lists_staff_with_their_roles_in_bounded_queries(
    console, django_user_model, customer, django_assert_max_num_queries
):
    for n in range(10):
        with_role(django_user_model, f"clerk{n}", "finance")
    django_user_model.objects.create_superuser(username="root", password="x", email="")
    with django_assert_max_num_queries(7):
        response = console.get(URL)
    html = response.content.decode()
    assert html.count('data-testid="staff-row"') == 12  # the owner, 10 clerks, the superuser
    assert customer.user.username not in html
    assert "superuser" in html
    members = dict((user.username, role) for user, role in response.context["members"])
    assert members["clerk3"] == "finance" and members["root"] == "owner"


def test_owner_creates_an_account_that_signs_in_with_its_role(console, client, staff):
    response = console.post(
        reverse("console:staff_create"),
        {"username": "kefu-wang", "password": "a-long-pass-2025", "role": "customer_service"},
        follow=True,
    )
    assert "kefu-wang can now sign in to the console as customer service." in messages_of(response)
    user = staff.__class__.objects.get(username="kefu-wang")
    assert user.is_staff and not user.is_superuser and role_names(user) == {"customer_service"}
    entry = AuditEntry.objects.get(action="staff.create")
    assert entry.actor == staff and entry.after["role"] == "customer_service"
    assert "a-long-pass-2025" not in str(entry.after)
    client.logout()
    response = client.post(
        reverse("console:login"), {"username": "kefu-wang", "password": "a-long-pass-2025"}
    )
    assert response.status_code == 302
    assert client.get(reverse("console:complaint_list")).status_code == 200
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"username": "operator", "password": "a-long-pass-2025"}, "is taken"),
        ({"username": "new1", "password": "short"}, "too short"),
        ({"username": "new2", "password": "password123"}, "too common"),
        ({"username": "new3", "password": "a-long-pass-2025", "role": "boss"}, "Role"),
        ({"username": "bad name!", "password": "a-long-pass-2025"}, "valid username"),
    ],
)
def test_bad_input_creates_nothing(console, django_user_model, fields, message):
    before = django_user_model.objects.count()
    response = console.post(
        reverse("console:staff_create"), {"role": "finance", **fields}, follow=True
    )
    assert message in " ".join(messages_of(response))
    assert django_user_model.objects.count() == before
    assert not AuditEntry.objects.exists()


def test_owner_changes_a_role_and_it_takes_effect_at_once(console, client, django_user_model):
    clerk = with_role(django_user_model, "clerk", "auditor")
    english(client)
    response = console.post(
        reverse("console:staff_role", args=[clerk.pk]), {"role": "finance"}, follow=True
    )
    assert "clerk is now finance." in messages_of(response)
    assert role_names(clerk) == {"finance"}
    entry = AuditEntry.objects.get(action="staff.role")
    assert (entry.before["role"], entry.after["role"]) == ("auditor", "finance")


def test_owner_deactivates_an_account_which_can_no_longer_sign_in(
    console, client, django_user_model, staff
):
    clerk = with_role(django_user_model, "clerk", "operator")
    clerk.set_password("pw-clerk-12345")
    clerk.save()
    console.post(reverse("console:staff_deactivate", args=[clerk.pk]), {"reason": "离职"})
    clerk.refresh_from_db()
    assert not clerk.is_active
    entry = AuditEntry.objects.get(action="staff.deactivate")
    assert entry.reason == "离职" and entry.after["is_active"] is False
    client.logout()
    client.post(reverse("console:login"), {"username": "clerk", "password": "pw-clerk-12345"})
    assert "_auth_user_id" not in client.session


def test_the_last_owner_and_yourself_are_kept(console, staff, django_user_model):
    response = console.post(
        reverse("console:staff_role", args=[staff.pk]), {"role": "auditor"}, follow=True
    )
    assert "at least one active owner" in " ".join(messages_of(response))
    response = console.post(reverse("console:staff_deactivate", args=[staff.pk]), follow=True)
    assert "your own account" in " ".join(messages_of(response))
    staff.refresh_from_db()
    assert staff.is_active and role_names(staff) == {"owner"}
    second = with_role(django_user_model, "owner2", "owner")
    console.post(reverse("console:staff_role", args=[second.pk]), {"role": "operator"})
    assert role_names(second) == {"operator"}
    assert AuditEntry.objects.get(action="staff.role").object_id == str(second.pk)


def test_a_superuser_is_managed_elsewhere(console, staff, django_user_model):
    root = django_user_model.objects.create_superuser(username="root", password="x", email="")
    with pytest.raises(services.StaffError, match="superuser"):
        services.change_staff_role(actor=staff, user=root, role="auditor")
    with pytest.raises(services.StaffError, match="superuser"):
        services.deactivate_staff(actor=staff, user=root)
    root.refresh_from_db()
    assert root.is_active


def test_customers_are_not_staff_to_manage(console, customer):
    url = reverse("console:staff_role", args=[customer.user.pk])
    assert console.post(url, {"role": "owner"}).status_code == 404
    assert not customer.user.groups.exists()


def test_a_new_account_starts_as_the_least_privileged_role(console):
    page = console.get(URL).content.decode()
    form = page[page.index('data-testid="staff-form"') :]
    select = form[form.index('name="role"') : form.index("</select>")]
    assert '<option value="auditor" selected>' in select
    assert '<option value="owner" selected>' not in select


def test_the_deactivate_button_says_deactivate_not_stop_selling(
    client, brand, staff, django_user_model, settings
):
    with_role(django_user_model, "clerk", "customer_service")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(staff)
    page = client.get(URL).content.decode()
    assert ">停用</button>" in page
    assert "停售" not in page  # the product word for a SKU taken off sale
