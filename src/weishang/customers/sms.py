"""How one-time codes reach a phone. Production plugs in a gateway; the default logs the code."""

import logging
from abc import ABC, abstractmethod

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("weishang.sms")


class SmsSender(ABC):
    """Delivers one-time login codes to a phone."""

    @abstractmethod
    def send_login_code(self, *, mobile: str, code: str) -> None: ...


class LogSmsSender(SmsSender):
    """Writes the code to the server log: for development and the demo."""

    def send_login_code(self, *, mobile: str, code: str) -> None:
        logger.info("Login code for %s: %s", mobile, code)


class MemorySmsSender(SmsSender):
    """Keeps sent codes in memory, so tests can read them as a phone would."""

    outbox: list[tuple[str, str]] = []

    def send_login_code(self, *, mobile: str, code: str) -> None:
        self.outbox.append((mobile, code))


def sender() -> SmsSender:
    return import_string(settings.SMS_SENDER)()
