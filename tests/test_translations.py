"""Every page and message exists in Simplified Chinese: no string is left untranslated."""

import gettext
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from django.db import models
from django.utils import translation
from django.utils.functional import Promise

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "weishang"
LOCALE = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES"

needs_gettext = pytest.mark.skipif(
    not (shutil.which("xgettext") and shutil.which("msgfmt")), reason="needs GNU gettext"
)


def catalog(mo: Path) -> dict:
    with mo.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)


@needs_gettext
def test_every_string_in_the_source_has_a_chinese_translation(tmp_path):
    copy = tmp_path / "weishang"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    weishang = Path(sys.executable).with_name("weishang")
    subprocess.run(
        [str(weishang), "makemessages", "-l", "zh_Hans", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    stats = subprocess.run(
        [
            "msgfmt",
            "--statistics",
            "-o",
            "/dev/null",
            str(copy / "locale/zh_Hans/LC_MESSAGES/django.po"),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stderr
    assert "untranslated" not in stats and "fuzzy" not in stats, f"run `make messages`: {stats}"


@needs_gettext
def test_the_compiled_catalogue_matches_its_source(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(compiled), str(LOCALE / "django.po")], check=True)
    assert catalog(compiled) == catalog(LOCALE / "django.mo"), "run `make messages` to compile"


def _text_choices():
    """Every TextChoices enum of ours, wherever it is defined (nested ones included)."""

    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    return [enum for enum in walk(models.TextChoices) if enum.__module__.startswith("weishang.")]


def _msg(label) -> tuple[str | None, str]:
    """(context, msgid) of ``gettext_lazy(msgid)`` or ``pgettext_lazy(context, msgid)``."""
    assert isinstance(label, Promise), f"{label!r} is not marked for translation"
    args = label._args
    return (None, args[0]) if len(args) == 1 else (args[0], args[1])


def _enum_name(enum) -> str:
    return f"{enum.__module__}.{enum.__qualname__}"


def test_every_choice_label_is_translated():
    """A status, kind or category shown to a user is in the catalogue, under its context."""
    translations = catalog(LOCALE / "django.mo")
    missing = []
    for enum in _text_choices():
        for member in enum:
            context, msgid = _msg(member.label)
            key = msgid if context is None else f"{context}\x04{msgid}"
            if not translations.get(key):
                missing.append(f"{_enum_name(enum)}.{member.name}: {key!r}")
    assert not missing, "untranslated choice labels:\n" + "\n".join(missing)


def test_a_label_shared_by_two_enums_carries_a_context_of_its_own():
    """The word "received" means 入库 for stock and 已受理 for a complaint: one msgid holds one
    translation, so a label that two enums share must be a ``pgettext_lazy`` with a context
    naming its enum, and no two enums may share a context for it."""
    uses = defaultdict(list)
    for enum in _text_choices():
        for member in enum:
            context, msgid = _msg(member.label)
            uses[msgid].append((_enum_name(enum), context))
    clashes = []
    for msgid, enums in sorted(uses.items()):
        if len({name for name, _context in enums}) < 2:
            continue
        contexts = [context for _name, context in enums]
        if None in contexts or len(set(contexts)) < len(contexts):
            clashes.append(f"{msgid!r}: {enums}")
    assert not clashes, "labels shared without a context of their own:\n" + "\n".join(clashes)


@pytest.mark.django_db
def test_the_empty_line_of_a_select_is_translated():
    """Django 6.1's "- Select an option -" is missing from Django's Chinese catalogue."""
    from weishang.catalog.models import Product
    from weishang.console.forms import ProductForm

    with translation.override("zh-hans"):
        select = str(ProductForm()["category"])
        blank = str(Product._meta.get_field("category").get_choices()[0][1])
    assert '<option value="" selected>- 请选择 -</option>' in select
    assert blank == "- 请选择 -"
