"""The WeChat platform's server API (api.weixin.qq.com) behind an interface: the official account's
access_token and jsapi_ticket, cached until shortly before they expire; web authorisation
(网页授权) code exchange and user info; the mini-program's ``jscode2session``.

Every call goes over HTTP and may take seconds: callers make it outside any database transaction
and record its result in one of their own. WeChat's error codes and a missing answer become
:class:`WechatError` subclasses with a message a customer can read.
"""

import hashlib
import json
import logging
import secrets
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from weishang.core_errors import DomainError

logger = logging.getLogger("weishang.wechat")

# Tokens are renewed this long before WeChat says they expire, so none is used as it runs out.
EXPIRY_MARGIN_SECONDS = 300
# The access_token WeChat no longer accepts (invalid, expired): fetch a new one and try again.
STALE_TOKEN_CODES = {40001, 40014, 42001}


class WechatError(DomainError):
    """WeChat answered with an error, or did not answer."""

    code = "wechat"

    def __init__(self, message=None, *, errcode: int | None = None, code: str | None = None):
        super().__init__(message or _("WeChat could not complete the request."), code=code)
        self.errcode = errcode


class InvalidCode(WechatError):
    code = "wechat_invalid_code"


class CodeUsed(WechatError):
    code = "wechat_code_used"


class RateLimited(WechatError):
    code = "wechat_rate_limited"


class Unavailable(WechatError):
    """No answer in time, an answer that is not WeChat's JSON, or WeChat's own "system busy"."""

    code = "wechat_unavailable"


def _error_for(errcode: int, errmsg: str) -> WechatError:
    if errcode == 40029:
        return InvalidCode(
            _("The WeChat sign-in code is not valid; please sign in with WeChat again."),
            errcode=errcode,
        )
    if errcode == 40163:
        return CodeUsed(
            _("This WeChat sign-in code was already used; please sign in with WeChat again."),
            errcode=errcode,
        )
    if errcode == 45011:
        return RateLimited(
            _("WeChat is receiving too many requests; please try again in a minute."),
            errcode=errcode,
        )
    if errcode == -1:
        return Unavailable(_("WeChat is busy; please try again shortly."), errcode=errcode)
    if errcode == 43101:
        return NotSubscribed(
            _("The customer has not agreed to receive this message in WeChat."), errcode=errcode
        )
    logger.warning("WeChat answered errcode %s: %s", errcode, errmsg)
    return WechatError(errcode=errcode)


@dataclass(frozen=True)
class WebAuthorisation:
    """What a web authorisation code is exchanged for (sns/oauth2/access_token)."""

    openid: str
    unionid: str
    access_token: str
    scope: str
    # A visitor of a page opened from a Moments snapshot (朋友圈快照页): not a real user.
    is_snapshot_user: bool = False


@dataclass(frozen=True)
class UserInfo:
    openid: str
    unionid: str
    nickname: str
    avatar_url: str


@dataclass(frozen=True)
class MiniProgramSession:
    """What a mini-program's wx.login code is exchanged for (sns/jscode2session)."""

    openid: str
    unionid: str
    session_key: str


@dataclass(frozen=True)
class JsSdkConfig:
    """The arguments of the JS-SDK's ``wx.config`` for one page."""

    app_id: str
    timestamp: int
    nonce_str: str
    signature: str


def jsapi_signature(*, ticket: str, nonce_str: str, timestamp: int, url: str) -> str:
    """WeChat's JS-SDK signature: sha1 of the four fields, sorted by name, joined as a query
    string without escaping; ``url`` is the page's address without its #fragment."""
    url = url.split("#", 1)[0]
    plain = f"jsapi_ticket={ticket}&noncestr={nonce_str}&timestamp={timestamp}&url={url}"
    return hashlib.sha1(plain.encode()).hexdigest()


class NotSubscribed(WechatError):
    """A subscribe message the user did not agree to receive (each agreement allows one)."""

    code = "wechat_not_subscribed"


class WechatPlatform(ABC):
    """The WeChat server API this site uses: the official account (公众号) for web sign-in and
    share cards, and the mini-program (小程序) for its sign-in."""

    @abstractmethod
    def access_token(self) -> str: ...

    @abstractmethod
    def jsapi_ticket(self) -> str: ...

    @abstractmethod
    def exchange_web_code(self, code: str) -> WebAuthorisation: ...

    @abstractmethod
    def user_info(self, *, access_token: str, openid: str) -> UserInfo: ...

    @abstractmethod
    def code_to_session(self, js_code: str) -> MiniProgramSession: ...

    @abstractmethod
    def send_subscribe_message(
        self, *, openid: str, template_id: str, data: dict[str, str], page: str = ""
    ) -> str:
        """Sends a mini-program subscribe message (订阅消息) the user agreed to receive; returns
        WeChat's msgid. Raises NotSubscribed when he did not agree."""

    def js_sdk_config(self, url: str, *, now: float | None = None) -> JsSdkConfig:
        timestamp = int(now if now is not None else time.time())
        nonce_str = secrets.token_hex(8)
        signature = jsapi_signature(
            ticket=self.jsapi_ticket(), nonce_str=nonce_str, timestamp=timestamp, url=url
        )
        return JsSdkConfig(settings.WECHAT_OA_APPID, timestamp, nonce_str, signature)


class HttpWechatPlatform(WechatPlatform):
    """The API over HTTPS at ``settings.WECHAT_API_BASE`` (a stub server in the tests)."""

    def __init__(self, *, base_url: str | None = None, timeout: float | None = None):
        self.base_url = (base_url or settings.WECHAT_API_BASE).rstrip("/")
        self.timeout = timeout if timeout is not None else settings.WECHAT_TIMEOUT_SECONDS

    # HTTP ----------------------------------------------------------------------------------------

    def _call(self, path: str, *, query: dict | None = None, body: dict | None = None) -> dict:
        url = f"{self.base_url}/{path}"
        if query:
            url = f"{url}?{urlencode(query)}"
        data = None
        headers = {"Accept": "application/json"}
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = Request(url, data=data, headers=headers, method="POST" if data else "GET")
        try:
            with urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except HTTPError as exc:
            logger.warning("WeChat %s answered HTTP %s", path, exc.code)
            raise Unavailable(_("WeChat is busy; please try again shortly.")) from exc
        except OSError as exc:  # URLError, a refused connection, a timeout
            logger.warning("WeChat %s did not answer: %s", path, exc)
            raise Unavailable(_("WeChat did not answer in time; please try again.")) from exc
        try:
            answer = json.loads(raw)
        except ValueError as exc:
            logger.warning("WeChat %s answered something that is not JSON", path)
            raise Unavailable(_("WeChat is busy; please try again shortly.")) from exc
        if not isinstance(answer, dict):
            raise Unavailable(_("WeChat is busy; please try again shortly."))
        errcode = answer.get("errcode") or 0
        if errcode:
            raise _error_for(int(errcode), str(answer.get("errmsg", "")))
        return answer

    @staticmethod
    def _field(answer: dict, name: str) -> str:
        value = answer.get(name)
        if not isinstance(value, str) or not value:
            logger.warning("WeChat's answer lacks %s", name)
            raise Unavailable(_("WeChat is busy; please try again shortly."))
        return value

    # Cached credentials --------------------------------------------------------------------------

    def _cached(self, key: str, fetch) -> str:
        value = cache.get(key)
        if value is None:
            value, expires_in = fetch()
            cache.set(key, value, max(int(expires_in) - EXPIRY_MARGIN_SECONDS, 60))
        return value

    def _token_key(self, appid: str | None = None) -> str:
        return f"wechat:access_token:{appid or settings.WECHAT_OA_APPID}"

    def _app_token(self, appid: str, secret: str) -> str:
        def fetch():
            answer = self._call(
                "cgi-bin/stable_token",
                body={
                    "grant_type": "client_credential",
                    "appid": appid,
                    "secret": secret,
                    "force_refresh": False,
                },
            )
            return self._field(answer, "access_token"), answer.get("expires_in", 7200)

        return self._cached(self._token_key(appid), fetch)

    def access_token(self) -> str:
        return self._app_token(settings.WECHAT_OA_APPID, settings.WECHAT_OA_SECRET)

    def mini_program_access_token(self) -> str:
        return self._app_token(settings.WECHAT_MP_APPID, settings.WECHAT_MP_SECRET)

    # Subscribe messages --------------------------------------------------------------------------

    def send_subscribe_message(
        self, *, openid: str, template_id: str, data: dict[str, str], page: str = ""
    ) -> str:
        def send():
            return self._call(
                "cgi-bin/message/subscribe/send?"
                + urlencode({"access_token": self.mini_program_access_token()}),
                body={
                    "touser": openid,
                    "template_id": template_id,
                    "page": page,
                    "data": {key: {"value": value} for key, value in data.items()},
                    "miniprogram_state": settings.WECHAT_MP_STATE,
                    "lang": "zh_CN",
                },
            )

        try:
            answer = send()
        except WechatError as exc:
            if exc.errcode not in STALE_TOKEN_CODES:
                raise
            cache.delete(self._token_key(settings.WECHAT_MP_APPID))
            answer = send()
        return str(answer.get("msgid") or "")

    def jsapi_ticket(self) -> str:
        def fetch():
            try:
                answer = self._ticket_answer()
            except WechatError as exc:
                if exc.errcode not in STALE_TOKEN_CODES:
                    raise
                cache.delete(self._token_key())  # revoked early (a new secret, another server)
                answer = self._ticket_answer()
            return self._field(answer, "ticket"), answer.get("expires_in", 7200)

        return self._cached(f"wechat:jsapi_ticket:{settings.WECHAT_OA_APPID}", fetch)

    def _ticket_answer(self) -> dict:
        return self._call(
            "cgi-bin/ticket/getticket", query={"access_token": self.access_token(), "type": "jsapi"}
        )

    # Sign-in -------------------------------------------------------------------------------------

    def exchange_web_code(self, code: str) -> WebAuthorisation:
        answer = self._call(
            "sns/oauth2/access_token",
            query={
                "appid": settings.WECHAT_OA_APPID,
                "secret": settings.WECHAT_OA_SECRET,
                "code": code,
                "grant_type": "authorization_code",
            },
        )
        return WebAuthorisation(
            openid=self._field(answer, "openid"),
            unionid=answer.get("unionid") or "",
            access_token=self._field(answer, "access_token"),
            scope=answer.get("scope") or "",
            is_snapshot_user=answer.get("is_snapshotuser") == 1,
        )

    def user_info(self, *, access_token: str, openid: str) -> UserInfo:
        answer = self._call(
            "sns/userinfo", query={"access_token": access_token, "openid": openid, "lang": "zh_CN"}
        )
        return UserInfo(
            openid=self._field(answer, "openid"),
            unionid=answer.get("unionid") or "",
            nickname=str(answer.get("nickname") or ""),
            avatar_url=str(answer.get("headimgurl") or ""),
        )

    def code_to_session(self, js_code: str) -> MiniProgramSession:
        answer = self._call(
            "sns/jscode2session",
            query={
                "appid": settings.WECHAT_MP_APPID,
                "secret": settings.WECHAT_MP_SECRET,
                "js_code": js_code,
                "grant_type": "authorization_code",
            },
        )
        return MiniProgramSession(
            openid=self._field(answer, "openid"),
            unionid=answer.get("unionid") or "",
            session_key=self._field(answer, "session_key"),
        )


def platform() -> WechatPlatform:
    return HttpWechatPlatform()


def official_account_configured() -> bool:
    return bool(settings.WECHAT_OA_APPID and settings.WECHAT_OA_SECRET)


def mini_program_configured() -> bool:
    return bool(settings.WECHAT_MP_APPID and settings.WECHAT_MP_SECRET)


def is_wechat_browser(user_agent: str) -> bool:
    """WeChat's in-app browser names itself MicroMessenger in its user agent."""
    return "MicroMessenger" in (user_agent or "")


def authorise_url(*, redirect_uri: str, state: str, scope: str) -> str:
    """Where web authorisation starts (open.weixin.qq.com); its parameters in WeChat's order,
    and the ``#wechat_redirect`` WeChat requires."""
    query = urlencode(
        [
            ("appid", settings.WECHAT_OA_APPID),
            ("redirect_uri", redirect_uri),
            ("response_type", "code"),
            ("scope", scope),
            ("state", state),
        ]
    )
    return (
        f"{settings.WECHAT_OPEN_BASE.rstrip('/')}/connect/oauth2/authorize?{query}#wechat_redirect"
    )
