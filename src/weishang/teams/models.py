"""Teams (团队, seeds 002 and 003): a brand groups distributors into teams, each led by one
distributor or one staff member who onboards and trains them. A team pays nobody anything: pay
stays each member's own direct commission (《禁止传销条例》Art. 7(3)), so nothing here is read by
the commission code."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Team(models.Model):
    name = models.CharField(_("team name"), max_length=40)
    leader_distributor = models.ForeignKey(
        "distribution.Distributor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_teams",
        verbose_name=_("leader (distributor)"),
    )
    leader_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_teams",
        verbose_name=_("leader (staff member)"),
    )
    is_open = models.BooleanField(_("open"), default=True)
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-is_open", "name", "pk"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(leader_distributor__isnull=False, leader_staff__isnull=True)
                    | Q(leader_distributor__isnull=True, leader_staff__isnull=False)
                ),
                name="team_has_exactly_one_leader",
            ),
            models.UniqueConstraint(
                fields=["name"], condition=Q(is_open=True), name="open_team_name_once"
            ),
            models.UniqueConstraint(
                fields=["leader_distributor"],
                condition=Q(is_open=True),
                name="distributor_leads_one_open_team",
            ),
        ]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """The one team a distributor is in now; his history is in ``TeamEvent``."""

    distributor = models.OneToOneField(
        "distribution.Distributor", on_delete=models.PROTECT, related_name="team_membership"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="memberships")
    joined_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["team", "joined_at"])]


class TeamEvent(models.Model):
    """A distributor joining, leaving or moving between teams: who did it, when and why.
    Append-only (on PostgreSQL a trigger refuses UPDATE and DELETE)."""

    class Kind(models.TextChoices):
        JOINED = "joined", pgettext_lazy("team event", "joined")
        LEFT = "left", pgettext_lazy("team event", "left")
        MOVED = "moved", pgettext_lazy("team event", "moved here")

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="events")
    from_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    distributor = models.ForeignKey(
        "distribution.Distributor", on_delete=models.PROTECT, related_name="team_events"
    )
    kind = models.CharField(max_length=8, choices=Kind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Who did it in words: a staff member's username, "member" for the distributor himself.
    by_member = models.BooleanField(default=False)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["team", "-at"]),
            models.Index(fields=["distributor", "-at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="moved", from_team__isnull=False)
                | (~Q(kind="moved") & Q(from_team__isnull=True)),
                name="team_event_moved_names_its_team",
            )
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("team events are append-only")
        super().save(*args, **kwargs)


class CourseAssignment(models.Model):
    """A published course the team's leader asked every member to take; members see it marked
    in their course list and the leader follows their progress."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="assignments")
    course = models.ForeignKey("content.Course", on_delete=models.CASCADE, related_name="+")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField()

    class Meta:
        ordering = ["assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["team", "course"], name="assign_a_course_once")
        ]
