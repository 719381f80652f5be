"""The teams domain's part of a customer's personal data: the team he is in as a distributor and
his joining, leaving and moving; on closure he leaves his team (recorded). The events themselves
are kept as recorded, like the audit log: they are the brand's record of its own acts."""

from datetime import datetime

from django.utils.translation import gettext as _

from weishang.customers.models import Customer

from .models import Membership, Team, TeamEvent


def _leader(team: Team) -> str:
    if team.leader_distributor_id:
        return team.leader_distributor.store_name
    return _("brand staff")


def personal_data_for(customer: Customer) -> dict:
    """One query: every membership change writes an event, so his latest event names the team
    he is in now (none after a "left")."""
    events = list(
        TeamEvent.objects.filter(distributor__customer=customer)
        .select_related("team__leader_distributor", "from_team")
        .order_by("-at", "-pk")
    )
    latest = events[0] if events else None
    return {
        "team": latest
        and latest.kind != TeamEvent.Kind.LEFT
        and {
            "name": latest.team.name,
            "leader": _leader(latest.team),
            "joined_at": latest.at,
        }
        or None,
        "team_history": [
            {
                "team": event.team.name,
                "kind": event.kind,
                "what": str(event.get_kind_display()),
                "from_team": event.from_team.name if event.from_team else None,
                "by_himself": event.by_member,
                "reason": event.reason,
                "at": event.at,
            }
            for event in events
        ],
    }


def closure_blockers(customer: Customer) -> list[str]:
    led = Team.objects.filter(leader_distributor__customer=customer, is_open=True).first()
    if led is None:
        return []
    return [
        _(
            "You lead the team %(team)s: ask the brand to appoint another leader before closing "
            "your account."
        )
        % {"team": led.name}
    ]


def erase_personal_data(customer: Customer, *, now: datetime) -> dict[str, int]:
    """He leaves his team, recorded as his own act."""
    membership = Membership.objects.filter(distributor__customer=customer).first()
    if membership is None:
        return {"team_membership": 0}
    TeamEvent.objects.create(
        team_id=membership.team_id,
        distributor_id=membership.distributor_id,
        kind=TeamEvent.Kind.LEFT,
        actor=customer.user,
        by_member=True,
        reason="Account closed.",
        at=now,
    )
    membership.delete()
    return {"team_membership": 1}
