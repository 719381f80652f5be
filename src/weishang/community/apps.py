from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    """City stations and their opinion leaders, customer tags and rule segments."""

    name = "weishang.community"
    verbose_name = _("community")
