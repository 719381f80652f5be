"""Every page and message exists in Simplified Chinese: no string is left untranslated, no
status label shares its msgid with another meaning, and no page shows a stored code."""

import gettext
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.functional import Promise

from weishang.compliance import audit
from weishang.compliance.models import Complaint, ComplaintCategory, ComplaintStatus
from weishang.distribution.models import Application, Distributor
from weishang.orders.models import Order, OrderStatus, ReturnRequest, ReturnStatus
from weishang.payments.models import Payment, Refund
from weishang.sales import services as sales

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


# Raw values never reach pages ----------------------------------------------------------------
# The pages that show statuses are rendered, in Chinese and in English, with objects in every
# state; their visible text holds no enum value (``partially_refunded``, ``succeeded``) that is
# not also a word of some label.


ENUMS = (
    OrderStatus,
    ReturnStatus,
    Payment.Status,
    Refund.Status,
    ComplaintStatus,
    ComplaintCategory,
    Distributor.Status,
    Application.Status,
)


class _Text(HTMLParser):
    """The text a visitor reads: no tags, attributes, scripts or styles."""

    def __init__(self):
        super().__init__()
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in {"script", "style"}

    def handle_endtag(self, tag):
        self._hidden -= tag in {"script", "style"}

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def _word(value: str) -> str:
    return rf"(?<![\w.]){re.escape(value)}(?![\w.])"


def raw_values_in(text: str, language: str) -> set[str]:
    """Enum values found as words in the text. In English, a value that is also a word of some
    label ("shipped", "quality" of "product quality") may be that word, so only the others
    count (``partially_refunded``, ``succeeded``); in Chinese every value counts."""
    members = [member for enum in ENUMS for member in enum]
    labels = " ".join(str(member.label) for member in members)
    return {
        member.value
        for member in members
        if re.search(_word(member.value), text)
        and not (language == "en" and re.search(_word(member.value), labels))
    }


@pytest.fixture
def every_state(brand, customer, sku, make_distributor):
    """One order in each status, each with a payment, a refund and a return in one of theirs;
    a complaint in each status; a distributor record and applications in every status."""
    now = timezone.now()
    orders = []
    for n, status in enumerate(OrderStatus.values):
        order = sales.place_order(
            customer=customer, items={sku.pk: 1}, address=customer.addresses.get()
        )
        Order.objects.filter(pk=order.pk).update(status=status)
        payment_status = Payment.Status.values[n % len(Payment.Status.values)]
        payment = Payment.objects.create(
            number=f"PAY{n:04d}",
            order=order,
            provider="sandbox",
            amount_fen=order.total_fen,
            status=payment_status,
            created_at=now,
            paid_at=now if payment_status == Payment.Status.SUCCEEDED else None,
        )
        Refund.objects.create(
            number=f"RF{n:04d}",
            payment=payment,
            amount_fen=100,
            status=Refund.Status.values[n % len(Refund.Status.values)],
            idempotency_key=f"refund-{n}",
            created_at=now,
        )
        ReturnRequest.objects.create(
            number=f"RT{n:04d}",
            order=order,
            status=ReturnStatus.values[n % len(ReturnStatus.values)],
            refund_fen=100,
            requested_at=now,
        )
        orders.append(order)
    complaints = []
    for n, status in enumerate(ComplaintStatus.values):
        complaints.append(
            Complaint.objects.create(
                number=f"TS{n:04d}",
                order=orders[n],
                customer=customer,
                category=ComplaintCategory.values[n % len(ComplaintCategory.values)],
                text="枣子发霉了",
                status=status,
                outcome="已处理" if status not in Complaint.OPEN else "",
                filed_at=now,
                due_at=now,
            )
        )
    make_distributor(customer, status=Distributor.Status.FROZEN)
    for n, status in enumerate(Application.Status.values):
        Application.objects.create(
            customer=customer,
            status=status,
            real_name="李四",
            id_number="11010519491231002X",
            id_number_masked="110***********002X",
            mobile=customer.mobile,
            business_kind="small_trade",
            store_name=f"小店 {n}",
            submitted_at=now,
            reject_reason="资料不全" if status == Application.Status.REJECTED else "",
        )
    audit.record(
        actor=None,
        action="withdrawal.paid",
        object_type="commissions.withdrawal",
        object_id=1,
        before={"status": "approved"},
        after={"status": "paid", "amount_fen": 1500},
    )
    return orders, complaints


def pages(orders, complaints):
    store = ["/account/privacy/export/", "/orders/", "/complaints/"]
    store += [f"/orders/{order.number}/" for order in orders]
    store += [f"/complaints/{complaint.number}/" for complaint in complaints]
    console = ["/console/orders/", "/console/returns/", "/console/complaints/", "/console/audit/"]
    console += [f"/console/orders/{order.number}/" for order in orders]
    console += [f"/console/complaints/{complaint.number}/" for complaint in complaints]
    return store, console


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_pages_with_statuses_show_no_raw_value(client, customer, staff, every_state, language):
    store, console = pages(*every_state)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    shown = {}
    for user, urls in ((customer.user, store), (staff, console)):
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            text = visible_text(response.content.decode())
            if found := raw_values_in(text, language[:2]):
                shown[url] = sorted(found)
            for code in ("amount_fen", "withdrawal.paid", "order.ship"):
                assert code not in text, (url, code)
    assert shown == {}
