from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "weishang.console"

    def ready(self):
        from django.db.models import fields

        from weishang.inputs import BLANK_CHOICE_LABEL

        # Every select on the site, the admin's included, starts with this translated line.
        fields.BLANK_CHOICE_LABEL = BLANK_CHOICE_LABEL
