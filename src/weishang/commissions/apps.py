from django.apps import AppConfig


class CommissionsConfig(AppConfig):
    name = "weishang.commissions"
