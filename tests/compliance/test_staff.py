"""The brand always keeps an active owner: removing the last one is refused one act at a time, and
two owners removing each other at the same moment cannot both succeed."""

import pytest
from django.contrib.auth.models import Group
from django.utils import translation

from tests.concurrency import run_in_parallel
from weishang.compliance import staff as services
from weishang.compliance.models import AuditEntry

LAST_OWNER_ZH = "品牌方必须保留至少一名有效的所有者；请先将其他人设为所有者。"


def make_owner(django_user_model, username):
    user = django_user_model.objects.create_user(username=username, is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=services.OWNER)[0])
    return user


def active_owners(django_user_model) -> set[str]:
    users = django_user_model.objects.filter(is_active=True, groups__name=services.OWNER)
    return set(users.values_list("username", flat=True))


def demote(actor, user):
    return services.change_staff_role(actor=actor, user=user, role="operator")


def deactivate(actor, user):
    return services.deactivate_staff(actor=actor, user=user, reason="离职")


@pytest.mark.django_db
@pytest.mark.parametrize("remove", [demote, deactivate])
def test_the_second_of_two_owners_cannot_remove_the_first(django_user_model, remove):
    first, second = make_owner(django_user_model, "first"), make_owner(django_user_model, "second")
    remove(first, second)
    with translation.override("zh-hans"), pytest.raises(services.StaffError) as refused:
        remove(second, first)
    assert refused.value.code == "last_owner" and str(refused.value) == LAST_OWNER_ZH
    assert active_owners(django_user_model) == {"first"}
    assert AuditEntry.objects.filter(object_id=str(first.pk)).count() == 0


@pytest.mark.postgres
@pytest.mark.parametrize("remove", [demote, deactivate])
def test_two_owners_removing_each_other_at_once_leave_one(postgres_only, django_user_model, remove):
    for round_ in range(10):
        pair = [make_owner(django_user_model, f"owner{round_}-{n}") for n in (1, 2)]
        others = set(django_user_model.objects.values_list("pk", flat=True)) - {u.pk for u in pair}
        django_user_model.objects.filter(pk__in=others).update(is_active=False)

        def act(i, pair=pair):
            with translation.override("zh-hans"):
                return remove(pair[i], pair[1 - i])

        results = run_in_parallel(act, 2)
        refused = [r for r in results if isinstance(r, services.StaffError)]
        assert len(refused) == 1, (round_, results)
        assert refused[0].code == "last_owner" and str(refused[0]) == LAST_OWNER_ZH
        assert len(active_owners(django_user_model)) == 1, round_
