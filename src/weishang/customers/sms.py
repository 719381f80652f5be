"""How one-time codes reach a phone. Production names its gateway's sender in WEISHANG_SMS_SENDER
(the settings refuse to run without one when DEBUG is off); the demo's sender delivers nothing."""

import logging
from abc import ABC, abstractmethod

from django.conf import settings
from django.utils.module_loading import import_string

from .rules import mask_mobile

logger = logging.getLogger("weishang.sms")


class SmsSender(ABC):
    """Delivers one-time login codes and notices to a phone."""

    @abstractmethod
    def send_login_code(self, *, mobile: str, code: str) -> None: ...

    @abstractmethod
    def send_notice(self, *, mobile: str, event: str, params: dict, text: str, key: str) -> str:
        """Sends a notice (``event`` names the gateway's template, ``params`` its figures,
        ``text`` the words in the brand's language); ``key`` lets the gateway drop a repeat.
        Returns the gateway's reference; raises ``outbound.Declined`` or ``Unavailable``."""


class LogSmsSender(SmsSender):
    """For the demo, whose login page shows the code: logs that one was sent, never the code."""

    def send_login_code(self, *, mobile: str, code: str) -> None:
        logger.info("Login code sent to %s (demo: not delivered)", mask_mobile(mobile))

    def send_notice(self, *, mobile: str, event: str, params: dict, text: str, key: str) -> str:
        logger.info("Notice %s sent to %s (demo: not delivered)", event, mask_mobile(mobile))
        return key


class MemorySmsSender(SmsSender):
    """Keeps sent codes in memory, so tests can read them as a phone would."""

    outbox: list[tuple[str, str]] = []
    notices: list[tuple[str, str]] = []

    def send_login_code(self, *, mobile: str, code: str) -> None:
        self.outbox.append((mobile, code))

    def send_notice(self, *, mobile: str, event: str, params: dict, text: str, key: str) -> str:
        self.notices.append((mobile, text))
        return key


def sender() -> SmsSender:
    return import_string(settings.SMS_SENDER)()
