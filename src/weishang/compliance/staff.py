"""The brand's staff accounts and their roles (auth groups), managed by the owner. Each act is
audit-logged; a password never enters the log. The console decides what each role may do
(weishang.console.roles); this module only says who holds which role."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weishang.core_errors import DomainError

from . import audit, locks

OWNER = "owner"
ROLES = {
    OWNER: gettext_lazy("owner"),  # 所有者
    "operator": gettext_lazy("operator"),  # 运营
    "finance": gettext_lazy("finance"),  # 财务
    "customer_service": gettext_lazy("customer service"),  # 客服
    "auditor": gettext_lazy("auditor"),  # 审计
}
USERNAME_MAX = 150


class StaffError(DomainError):
    pass


def _role_group(role: str) -> Group:
    if role not in ROLES:
        raise StaffError(_("Choose one of the roles."), code="unknown_role")
    # The data migration makes the groups; a flushed test database may not have them.
    return Group.objects.get_or_create(name=role)[0]


def role_of(user) -> str:
    """The user's role name ("" for none); a superuser is an owner. Reads prefetched groups."""
    if user.is_superuser:
        return OWNER
    names = [group.name for group in user.groups.all() if group.name in ROLES]
    return names[0] if names else ""


def staff_members() -> QuerySet:
    """Staff accounts, active first, with their role groups in one extra query."""
    return (
        get_user_model()
        .objects.filter(Q(is_staff=True) | Q(is_superuser=True))
        .prefetch_related(Prefetch("groups", Group.objects.filter(name__in=ROLES)))
        .order_by("-is_active", "username", "pk")
    )


def _active_owner_ids() -> set[int]:
    users = get_user_model().objects.filter(is_active=True, is_staff=True)
    return set(
        users.filter(Q(is_superuser=True) | Q(groups__name=OWNER)).values_list("pk", flat=True)
    )


def _keeps_an_owner(user) -> None:
    if _active_owner_ids() - {user.pk}:
        return
    raise StaffError(
        _("The brand must keep at least one active owner; make someone else owner first."),
        code="last_owner",
    )


def _state(user) -> dict:
    return {"username": user.get_username(), "role": role_of(user), "is_active": user.is_active}


def _lock(user, actor):
    """The account, locked with the actor and every active owner (the audit entry references the
    actor; the owners are counted before one is removed)."""
    ids = {user.pk, getattr(actor, "pk", None), *_active_owner_ids()}
    return locks.staff_for_update(ids).in_bulk()[user.pk]


def _refuse_superuser(user) -> None:
    if user.is_superuser:
        raise StaffError(
            _("A superuser is always an owner; change it in the site administration."),
            code="superuser",
        )


def create_staff_account(*, actor, username: str, password: str, role: str):
    """A new active staff account with one role and its initial password."""
    username = (username or "").strip()
    if not username or len(username) > USERNAME_MAX:
        raise StaffError(_("Enter a user name of at most 150 characters."), code="username")
    User = get_user_model()
    user = User(username=username, is_staff=True)
    try:
        user.full_clean(exclude=["password"], validate_unique=False)
        validate_password(password, user)
    except ValidationError as error:
        raise StaffError(" ".join(error.messages), code="invalid") from error
    with transaction.atomic():
        group = _role_group(role)
        if User.objects.filter(username__iexact=username).exists():
            message = _("The user name %(name)s is taken.") % {"name": username}
            raise StaffError(message, code="taken")
        user.set_password(password)
        user.save()
        user.groups.add(group)
        audit.record(actor=actor, action="staff.create", obj=user, after=_state(user))
    return user


def change_staff_role(*, actor, user, role: str):
    """Gives the account this one role instead of the one it had."""
    with transaction.atomic():
        group = _role_group(role)
        user = _lock(user, actor)
        _refuse_superuser(user)
        before = _state(user)
        if before["role"] == role:
            return user
        if before["role"] == OWNER:
            _keeps_an_owner(user)
        user.groups.remove(*Group.objects.filter(name__in=ROLES))
        user.groups.add(group)
        user = get_user_model().objects.prefetch_related("groups").get(pk=user.pk)
        audit.record(actor=actor, action="staff.role", obj=user, before=before, after=_state(user))
    return user


def deactivate_staff(*, actor, user, reason: str = ""):
    """The account can no longer sign in; its history (orders shipped, audit entries) stays."""
    with transaction.atomic():
        user = _lock(user, actor)
        if actor is not None and user.pk == actor.pk:
            raise StaffError(_("You cannot deactivate your own account."), code="self")
        _refuse_superuser(user)
        if not user.is_active:
            return user
        before = _state(user)
        if before["role"] == OWNER:
            _keeps_an_owner(user)
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            action="staff.deactivate",
            obj=user,
            before=before,
            after=_state(user),
            reason=reason,
        )
    return user
