from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """Reports that read every domain through its own selectors: the regulator export and the
    records-retention check. No models of its own."""

    name = "weishang.reporting"
