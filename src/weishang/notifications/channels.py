"""The channels a message goes out on besides the inbox, behind one interface. Each says which
events it carries and whom it can reach, and sends one message; it raises
``outbound.Declined`` when the provider refuses and ``outbound.Unavailable`` when it does not
answer. The site's channels are named in NOTIFICATION_CHANNELS."""

from abc import ABC, abstractmethod
from functools import cache

from django.conf import settings
from django.utils import translation
from django.utils.module_loading import import_string

from weishang.customers import sms

from . import events


class Channel(ABC):
    code = ""

    @abstractmethod
    def carries(self, event: str) -> bool:
        """Whether messages of this event go out on the channel."""

    @abstractmethod
    def reaches(self, customer) -> bool:
        """Whether the customer can be reached on it (a number, a subscription)."""

    @abstractmethod
    def send(self, *, message, customer, key: str) -> str:
        """Sends the message, ``key`` letting the provider drop a repeat; returns its reference.
        Never called inside a database transaction."""


class SmsChannel(Channel):
    """Text messages through the site's SMS gateway, for the events in NOTIFY_SMS_EVENTS, in
    the brand's language (the gateway's templates are registered in it)."""

    code = "sms"

    def carries(self, event: str) -> bool:
        return event in settings.NOTIFY_SMS_EVENTS

    def reaches(self, customer) -> bool:
        return bool(customer.mobile)

    def send(self, *, message, customer, key: str) -> str:
        with translation.override(settings.LANGUAGE_CODE):
            text = events.body(message.event, message.params)
        return sms.sender().send_notice(
            mobile=customer.mobile, event=message.event, params=message.params, text=text, key=key
        )


@cache
def _configured(paths: tuple[str, ...]) -> tuple[Channel, ...]:
    return tuple(import_string(path)() for path in paths)


def all_channels() -> tuple[Channel, ...]:
    return _configured(tuple(settings.NOTIFICATION_CHANNELS))


def channels_for(event: str) -> list[Channel]:
    return [channel for channel in all_channels() if channel.carries(event)]


def channel(code: str) -> Channel | None:
    return next((c for c in all_channels() if c.code == code), None)
