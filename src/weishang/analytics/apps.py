from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    """The brand's figures: GMV and its factors, the C→B funnel, rankings, distributor health and
    repurchase cohorts, read from rollups the sales services keep as orders change state."""

    name = "weishang.analytics"
    verbose_name = _("analytics")
