"""The channels a message goes out on besides the inbox, behind one interface. Each says which
events it carries and whom it can reach, and sends one message; it raises
``outbound.Declined`` when the provider refuses and ``outbound.Unavailable`` when it does not
answer. The site's channels are named in NOTIFICATION_CHANNELS."""

from abc import ABC, abstractmethod
from functools import cache

from django.conf import settings
from django.utils import translation
from django.utils.module_loading import import_string

from weishang import wechat
from weishang.customers import sms
from weishang.customers.selectors import wechat_openid
from weishang.money import format_fen
from weishang.outbound import Declined, Unavailable

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


class WeChatSubscribeChannel(Channel):
    """Mini-program subscribe messages (订阅消息) for the events given a template in
    WECHAT_SUBSCRIBE_TEMPLATES, to customers signed in to the mini-program. WeChat delivers one
    only if the customer agreed to it in the mini-program; otherwise it refuses (given up)."""

    code = "wechat"
    # WeChat's limits on a template field's value, by the field's kind ("thing" is free text).
    LIMITS = {"thing": 20, "character_string": 32, "phrase": 5, "amount": 10}

    def carries(self, event: str) -> bool:
        return event in settings.WECHAT_SUBSCRIBE_TEMPLATES and wechat.mini_program_configured()

    def _openid(self, customer) -> str | None:
        return wechat_openid(customer.pk, settings.WECHAT_MP_APPID)

    def reaches(self, customer) -> bool:
        return self._openid(customer) is not None

    def _value(self, name: str, field: str, params: dict) -> str:
        if name == "amount":
            value = format_fen(int(params.get("amount_fen", 0)))
        else:
            value = events.word(params.get(name, ""))
        kind = field.rstrip("0123456789")
        return value[: self.LIMITS.get(kind, 20)]

    def send(self, *, message, customer, key: str) -> str:
        openid = self._openid(customer)
        if openid is None:
            raise Declined("the customer no longer has a mini-program sign-in")
        setup = settings.WECHAT_SUBSCRIBE_TEMPLATES[message.event]
        with translation.override(settings.LANGUAGE_CODE):
            data = {
                field: self._value(name, field, message.params)
                for field, name in setup.get("fields", {}).items()
            }
        try:
            page = setup.get("page", "").format_map(
                {k: v for k, v in message.params.items() if isinstance(v, str | int)}
            )
        except (KeyError, ValueError) as exc:
            raise Declined(f"the template's page names a figure this message lacks: {exc}") from exc
        try:
            return (
                wechat.platform().send_subscribe_message(
                    openid=openid, template_id=setup["template"], data=data, page=page
                )
                or key
            )
        except (wechat.Unavailable, wechat.RateLimited) as exc:
            raise Unavailable(str(exc.message)) from exc
        except wechat.WechatError as exc:
            raise Declined(exc.message) from exc


@cache
def _configured(paths: tuple[str, ...]) -> tuple[Channel, ...]:
    return tuple(import_string(path)() for path in paths)


def all_channels() -> tuple[Channel, ...]:
    return _configured(tuple(settings.NOTIFICATION_CHANNELS))


def channels_for(event: str) -> list[Channel]:
    return [channel for channel in all_channels() if channel.carries(event)]


def channel(code: str) -> Channel | None:
    return next((c for c in all_channels() if c.code == code), None)
