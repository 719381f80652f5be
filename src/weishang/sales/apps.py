from django.apps import AppConfig


class SalesConfig(AppConfig):
    """The acts that span domains: placing an order, applying a payment, cancelling, refunding."""

    name = "weishang.sales"
