from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "weishang.catalog"
