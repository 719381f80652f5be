from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    """The material library, distributors' personal posts, the creative group, the posting
    assistant, the care list and training courses."""

    name = "weishang.content"
    verbose_name = _("content")
