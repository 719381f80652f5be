"""A stand-in for WeChat's servers on 127.0.0.1 (pytest-httpserver), answering with the bodies
WeChat documents: the official account's stable_token and jsapi ticket, web authorisation (the
authorisation page itself, the code exchange and user info) and the mini-program's
jscode2session. Codes are single-use and name the user they were issued to, as WeChat's are."""

import json
import secrets
import time
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlencode

from werkzeug import Request, Response

OA_APPID = "wx1111111111111111"
OA_SECRET = "oa-secret-for-tests-only-0123456789"
MP_APPID = "wx2222222222222222"
MP_SECRET = "mp-secret-for-tests-only-0123456789"
JSSDK_PATH = "/open/js/jweixin-1.6.0.js"
# WeChat's JS-SDK as far as a browser outside WeChat can tell: it keeps what the page asked of it
# in window.wxCalls (the real one talks to the WeChat app, which a test browser is not).
FAKE_JSSDK = """
window.wxCalls = {};
window.wx = {
  config: function (config) { window.wxCalls.config = config; },
  ready: function (callback) { setTimeout(callback, 0); },
  updateAppMessageShareData: function (card) { window.wxCalls.appMessage = card; },
  updateTimelineShareData: function (card) { window.wxCalls.timeline = card; }
};
"""


@dataclass
class WechatUser:
    openid: str
    unionid: str = ""
    nickname: str = ""
    mp_openid: str = ""  # his openid in the mini-program


def _json(body: dict, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status, content_type="application/json")


class WechatStub:
    def __init__(self, server):
        self.server = server
        self.codes: dict[str, tuple[WechatUser, str, bool]] = {}  # code -> user, scope, snapshot
        self.used: set[str] = set()
        self.tokens: dict[str, WechatUser] = {}  # web access_token -> user
        self.calls: Counter = Counter()
        self.ticket = (
            "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg"
        )
        self.access_token_value = "ACCESS_TOKEN_" + secrets.token_hex(8)
        self.mp_access_token_value = "MP_ACCESS_TOKEN_" + secrets.token_hex(8)
        self.subscribe_sent: list[dict] = []  # the subscribe messages WeChat accepted
        self.not_subscribed: set[str] = set()  # mini-program openids that agreed to nothing
        self.next_user: WechatUser | None = None  # who the authorisation page signs in
        self.install()

    @property
    def base_url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    # Test helpers --------------------------------------------------------------------------------

    def user(
        self, *, openid: str | None = None, unionid: str = "", nickname: str = ""
    ) -> WechatUser:
        return WechatUser(
            openid=openid or "o" + secrets.token_urlsafe(20)[:27],
            unionid=unionid,
            nickname=nickname,
            mp_openid="o" + secrets.token_urlsafe(20)[:27],
        )

    def code_for(self, user: WechatUser, *, scope="snsapi_userinfo", snapshot=False) -> str:
        code = secrets.token_hex(16)
        self.codes[code] = (user, scope, snapshot)
        return code

    def fail(self, path: str, errcode: int, errmsg: str) -> None:
        """The next request to ``path`` gets WeChat's error body."""
        self.server.expect_oneshot_request(path).respond_with_handler(
            self._counted(path, lambda request: _json({"errcode": errcode, "errmsg": errmsg}))
        )

    def hang(self, path: str, seconds: float) -> None:
        """The next request to ``path`` gets its answer only after ``seconds``."""

        def slow(request: Request) -> Response:
            time.sleep(seconds)
            return _json({"errcode": -1, "errmsg": "system error"})

        self.server.expect_oneshot_request(path).respond_with_handler(self._counted(path, slow))

    # WeChat's endpoints --------------------------------------------------------------------------

    def install(self) -> None:
        routes = {
            "/cgi-bin/stable_token": self.stable_token,
            "/cgi-bin/ticket/getticket": self.getticket,
            "/sns/oauth2/access_token": self.oauth_access_token,
            "/sns/userinfo": self.userinfo,
            "/sns/jscode2session": self.jscode2session,
            "/cgi-bin/message/subscribe/send": self.subscribe_send,
            "/connect/oauth2/authorize": self.authorize,
            JSSDK_PATH: self.js_sdk,
        }
        for path, handler in routes.items():
            self.server.expect_request(path).respond_with_handler(self._counted(path, handler))

    def _counted(self, path, handler):
        def counted(request: Request) -> Response:
            self.calls[path] += 1
            return handler(request)

        return counted

    def stable_token(self, request: Request) -> Response:
        body = json.loads(request.get_data() or b"{}")
        credentials = (body.get("appid"), body.get("secret"))
        if credentials == (MP_APPID, MP_SECRET):
            return _json({"access_token": self.mp_access_token_value, "expires_in": 7200})
        if credentials != (OA_APPID, OA_SECRET):
            return _json({"errcode": 40013, "errmsg": "invalid appid"})
        return _json({"access_token": self.access_token_value, "expires_in": 7200})

    def subscribe_send(self, request: Request) -> Response:
        """The mini-program's subscribe message: sent once per agreement of the user's."""
        if request.args.get("access_token") != self.mp_access_token_value:
            return _json(
                {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"}
            )
        body = json.loads(request.get_data() or b"{}")
        if body.get("touser") in self.not_subscribed:
            return _json({"errcode": 43101, "errmsg": "user refuse to accept the msg"})
        if not body.get("template_id") or not isinstance(body.get("data"), dict):
            return _json({"errcode": 47003, "errmsg": "argument invalid! data.thing1.value"})
        self.subscribe_sent.append(body)
        return _json({"errcode": 0, "errmsg": "ok", "msgid": 1_000 + len(self.subscribe_sent)})

    def getticket(self, request: Request) -> Response:
        if request.args.get("access_token") != self.access_token_value:
            return _json(
                {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"}
            )
        return _json({"errcode": 0, "errmsg": "ok", "ticket": self.ticket, "expires_in": 7200})

    def _redeem(self, code: str):
        if code in self.used:
            return None, _json({"errcode": 40163, "errmsg": "code been used"})
        if code not in self.codes:
            return None, _json({"errcode": 40029, "errmsg": "invalid code"})
        self.used.add(code)
        return self.codes[code], None

    def oauth_access_token(self, request: Request) -> Response:
        args = request.args
        if (args.get("appid"), args.get("secret")) != (OA_APPID, OA_SECRET):
            return _json({"errcode": 40125, "errmsg": "invalid appsecret"})
        grant, error = self._redeem(args.get("code", ""))
        if error:
            return error
        user, scope, snapshot = grant
        token = "WEB_TOKEN_" + secrets.token_hex(8)
        self.tokens[token] = user
        body = {
            "access_token": token,
            "expires_in": 7200,
            "refresh_token": "REFRESH_" + secrets.token_hex(8),
            "openid": user.openid,
            "scope": scope,
        }
        if snapshot:
            body["is_snapshotuser"] = 1
        if user.unionid:
            body["unionid"] = user.unionid
        return _json(body)

    def userinfo(self, request: Request) -> Response:
        user = self.tokens.get(request.args.get("access_token", ""))
        if user is None or request.args.get("openid") != user.openid:
            return _json({"errcode": 40003, "errmsg": "invalid openid"})
        body = {
            "openid": user.openid,
            "nickname": user.nickname,
            "sex": 0,
            "province": "",
            "city": "",
            "country": "",
            "headimgurl": "https://thirdwx.qlogo.cn/mmopen/test/132",
            "privilege": [],
        }
        if user.unionid:
            body["unionid"] = user.unionid
        return _json(body)

    def jscode2session(self, request: Request) -> Response:
        args = request.args
        if (args.get("appid"), args.get("secret")) != (MP_APPID, MP_SECRET):
            return _json({"errcode": 40013, "errmsg": "invalid appid"})
        grant, error = self._redeem(args.get("js_code", ""))
        if error:
            return error
        user = grant[0]
        body = {"openid": user.mp_openid, "session_key": secrets.token_urlsafe(16)}
        if user.unionid:
            body["unionid"] = user.unionid
        return _json(body)

    @property
    def js_sdk_url(self) -> str:
        return self.server.url_for(JSSDK_PATH)

    def js_sdk(self, request: Request) -> Response:
        return Response(FAKE_JSSDK, 200, content_type="text/javascript")

    def authorize(self, request: Request) -> Response:
        """WeChat's authorisation page: the user (``next_user``) agrees at once and WeChat sends
        the browser back to redirect_uri with a code and the state it was given."""
        args = request.args
        if args.get("appid") != OA_APPID or args.get("response_type") != "code":
            return Response("bad request", 400)
        code = self.code_for(self.next_user or self.user(), scope=args.get("scope", ""))
        target = f"{args['redirect_uri']}?{urlencode({'code': code, 'state': args['state']})}"
        return Response("", 302, headers={"Location": target})
