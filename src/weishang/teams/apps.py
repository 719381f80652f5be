from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    """Teams (团队): distributors grouped under a leader who onboards and trains them and reads
    their aggregate figures. Pay stays each member's own direct commission."""

    name = "weishang.teams"
    verbose_name = _("teams")
