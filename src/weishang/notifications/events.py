"""What a customer is told, and in which words. A message keeps its event and its figures; its
words are written when it is shown (or sent), in the reader's language. A figure that has words
of its own (a carrier's name) is kept in every language at the time it is recorded."""

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext, pgettext_lazy

from weishang.money import format_fen


class Event(models.TextChoices):
    ORDER_PAID = "order_paid", pgettext_lazy("notification", "Payment received")
    ORDER_SHIPPED = "order_shipped", pgettext_lazy("notification", "Order shipped")
    RETURN_APPROVED = "return_approved", pgettext_lazy("notification", "Return approved")
    REFUNDED = "refunded", pgettext_lazy("notification", "Refund made")
    APPLICATION_APPROVED = (
        "application_approved",
        pgettext_lazy("notification", "Distributor application approved"),
    )
    APPLICATION_REJECTED = (
        "application_rejected",
        pgettext_lazy("notification", "Distributor application not approved"),
    )
    COMMISSION_AVAILABLE = (
        "commission_available",
        pgettext_lazy("notification", "Commission available"),
    )
    WITHDRAWAL_PAID = "withdrawal_paid", pgettext_lazy("notification", "Withdrawal paid")
    COMPLAINT_ANSWERED = "complaint_answered", pgettext_lazy("notification", "Complaint answered")
    RESELLER_APPROVED = (
        "reseller_approved",
        pgettext_lazy("notification", "Approved as a reseller"),
    )
    RESELLER_PRICE_SUSPENDED = (
        "reseller_price_suspended",
        pgettext_lazy("notification", "Your reseller price no longer applies"),
    )
    TEAM_JOINED = "team_joined", pgettext_lazy("notification", "You are in a team")
    TEAM_LEFT = "team_left", pgettext_lazy("notification", "You are no longer in a team")
    PRESALE_REACHED = "presale_reached", pgettext_lazy("notification", "Pre-sale target reached")
    PRESALE_MISSED = "presale_missed", pgettext_lazy("notification", "Pre-sale target missed")


def in_every_language(text) -> dict[str, str]:
    """A translatable text as it reads in each of the site's languages, for a message's figures."""
    words = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            words[code] = str(text)
    return words


def word(value) -> str:
    """A figure as the active language writes it (one kept in every language, or as it is)."""
    if isinstance(value, dict):
        language = translation.get_language() or settings.LANGUAGE_CODE
        return (
            value.get(language) or value.get(settings.LANGUAGE_CODE) or next(iter(value.values()))
        )
    return str(value)


def body(event: str, params: dict) -> str:
    """The message's text in the active language."""
    p = {key: word(value) for key, value in params.items()}
    if "amount_fen" in params:
        p["amount"] = format_fen(int(params["amount_fen"]))
    texts = {
        Event.ORDER_PAID: lambda: gettext(
            "We received your payment of %(amount)s for order %(order)s. It ships from the "
            "brand's warehouse soon."
        ),
        Event.ORDER_SHIPPED: lambda: gettext(
            "Order %(order)s is on its way with %(carrier)s, tracking number %(tracking)s."
        ),
        Event.RETURN_APPROVED: lambda: gettext(
            "Your return for order %(order)s is approved. Send the goods back and enter the "
            "tracking number on the order's page."
        ),
        Event.REFUNDED: lambda: gettext(
            "%(amount)s for order %(order)s is refunded to the account you paid from."
        ),
        Event.APPLICATION_APPROVED: lambda: gettext(
            "You are a distributor: your micro-store “%(store)s” is open and your distributor "
            "console is ready."
        ),
        Event.APPLICATION_REJECTED: lambda: gettext(
            "Your distributor application was not approved: %(reason)s"
        ),
        Event.COMMISSION_AVAILABLE: lambda: gettext(
            "%(amount)s of commission is now available to withdraw: the return windows of the "
            "orders it was earned on have closed."
        ),
        Event.WITHDRAWAL_PAID: lambda: gettext(
            "Your withdrawal of %(amount)s is paid (reference %(reference)s)."
        ),
        Event.COMPLAINT_ANSWERED: lambda: gettext(
            "The brand answered your complaint %(complaint)s: read it on the complaint's page."
        ),
        Event.RESELLER_APPROVED: lambda: gettext(
            "You are approved as a reseller: choose products and set your own prices within the "
            "brand's band on the Reseller page of your console. You never buy or hold stock."
        ),
        Event.RESELLER_PRICE_SUSPENDED: lambda: gettext(
            "Your reseller price %(price)s for %(product)s no longer applies: %(why)s Your store "
            "shows the brand's price until you set a new one on the Reseller page."
        ),
        Event.TEAM_JOINED: lambda: gettext(
            "The brand put you in the team %(team)s: its leader helps you get started and assigns "
            "you courses. Your pay stays your own direct commission."
        ),
        Event.TEAM_LEFT: lambda: gettext(
            "You are no longer in the team %(team)s. Your pay stays your own direct commission."
        ),
        Event.PRESALE_REACHED: lambda: gettext(
            "The pre-sale “%(campaign)s” reached its target: order %(order)s ships from the "
            "brand's warehouse soon."
        ),
        Event.PRESALE_MISSED: lambda: gettext(
            "The pre-sale “%(campaign)s” did not reach its target: order %(order)s is cancelled "
            "and %(amount)s is refunded in full to the account you paid from."
        ),
    }
    return texts[Event(event)]() % p


def title(event: str) -> str:
    return str(Event(event).label)
