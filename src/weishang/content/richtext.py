"""Lesson rich text: the only HTML of the brand's that pages show unescaped, so it is cleaned with
nh3 (Ammonia) every time it is saved. A short list of formatting tags survives; links go to
http, https or mailto only and never to a new window; pictures only from the lesson pictures the
console checked and stored (``content/lessons/`` under MEDIA_URL). Whatever else arrives — script,
event handlers, styles, svg, frames, ``javascript:`` or ``data:`` URLs — is removed."""

import re

import nh3
from django.conf import settings
from django.utils.translation import gettext as _

from .errors import ContentError

MAX_CLEAN_CHARS = 50_000  # Lesson.body's max_length
MAX_INPUT_CHARS = 200_000  # more than this is not a lesson; refused before it is parsed

TAGS = {"p", "br", "h2", "h3", "strong", "em", "u", "s", "ul", "ol", "li", "blockquote", "a", "img"}
ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"
# Dropped with everything inside them, not just their tags.
DROPPED_WITH_CONTENT = {
    "script",
    "style",
    "svg",
    "math",
    "iframe",
    "object",
    "embed",
    "template",
    "noscript",
    "textarea",
    "select",
}
_PICTURE_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}\.(?:jpg|png|webp)")
_LINK = re.compile(r"(?:https?://[^\s/]|mailto:)\S*", re.IGNORECASE)


def lesson_picture_prefix() -> str:
    return f"{settings.MEDIA_URL}content/lessons/"


def is_lesson_picture(src: str) -> bool:
    """A picture stored by the console's lesson upload: the prefix and one plain file name."""
    prefix = lesson_picture_prefix()
    return src.startswith(prefix) and _PICTURE_NAME.fullmatch(src[len(prefix) :]) is not None


def _keep(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if is_lesson_picture(value) else None
    if tag == "a" and attribute == "href":
        return value if _LINK.fullmatch(value.strip()) else None
    return value


def clean(html: str) -> str:
    """The HTML safe to show as it is; ContentError when it is too long to keep."""
    html = str(html or "")
    if len(html) > MAX_INPUT_CHARS:
        raise ContentError(_("The lesson is too long."), code="lesson_too_long")
    cleaned = nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ATTRIBUTES,
        attribute_filter=_keep,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()
    if len(cleaned) > MAX_CLEAN_CHARS:
        raise ContentError(
            _("The lesson is too long: at most %(n)d characters of formatted text.")
            % {"n": MAX_CLEAN_CHARS},
            code="lesson_too_long",
        )
    return cleaned


def is_blank(html: str) -> bool:
    """True when the cleaned lesson shows neither text nor a picture."""
    has_picture = f' src="{lesson_picture_prefix()}' in html
    return not has_picture and not nh3.clean(html, tags=set()).strip()
