from django.apps import AppConfig


class ResellerConfig(AppConfig):
    name = "weishang.reseller"
