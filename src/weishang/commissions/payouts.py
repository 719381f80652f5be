"""How a withdrawal's money reaches the distributor. For now a person pays by bank or WeChat
transfer and records the reference here (the manual backend); a provider API can take its place."""

from abc import ABC, abstractmethod

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from weishang.core_errors import DomainError


class PayoutError(DomainError):
    code = "payout"


class PayoutBackend(ABC):
    code = ""

    @abstractmethod
    def pay(self, *, withdrawal, reference: str) -> str:
        """Pays the withdrawal; returns the reference that proves it."""


class ManualPayout(PayoutBackend):
    """The operator already paid outside the system; the reference is his bank or WeChat record."""

    code = "manual"

    def pay(self, *, withdrawal, reference: str) -> str:
        reference = (reference or "").strip()
        if not reference:
            raise PayoutError(
                _("Enter the reference of the bank or WeChat transfer that paid this withdrawal.")
            )
        if len(reference) > 64:
            raise PayoutError(_("The payout reference can be at most 64 characters."))
        return reference


def get_backend() -> PayoutBackend:
    path = getattr(settings, "WEISHANG_PAYOUT_BACKEND", "weishang.commissions.payouts.ManualPayout")
    return import_string(path)()
