"""The WeChat platform client against a stub of WeChat's servers on 127.0.0.1: cached credentials,
the code exchanges, WeChat's error codes and a server that does not answer in time."""

import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest

from weishang import wechat


def test_access_token_and_jsapi_ticket_are_fetched_once_and_cached(wechat_stub):
    platform = wechat.platform()
    assert platform.jsapi_ticket() == wechat_stub.ticket
    assert platform.jsapi_ticket() == wechat_stub.ticket
    assert wechat.platform().access_token() == wechat_stub.access_token_value
    assert wechat_stub.calls["/cgi-bin/stable_token"] == 1
    assert wechat_stub.calls["/cgi-bin/ticket/getticket"] == 1


def test_a_revoked_access_token_is_fetched_again_for_the_ticket(wechat_stub):
    wechat_stub.fail("/cgi-bin/ticket/getticket", 40001, "invalid credential")
    assert wechat.platform().jsapi_ticket() == wechat_stub.ticket
    assert wechat_stub.calls["/cgi-bin/stable_token"] == 2


def test_signature_follows_wechats_documented_example():
    # The example of WeChat's JS-SDK documentation (附录1), signature included.
    signature = wechat.jsapi_signature(
        ticket="sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg",
        nonce_str="Wm3WZYTPz0wzccnW",
        timestamp=1414587457,
        url="http://mp.weixin.qq.com?params=value#fragment",
    )
    assert signature == "0f9de62fce790f9a083d5c99e95740ceb90c27ed"


def test_js_sdk_config_signs_the_page_without_its_fragment(wechat_stub):
    config = wechat.platform().js_sdk_config("https://weishang.test/p/jujube/?ref=abc#top", now=1)
    plain = (
        f"jsapi_ticket={wechat_stub.ticket}&noncestr={config.nonce_str}&timestamp=1"
        "&url=https://weishang.test/p/jujube/?ref=abc"
    )
    assert config.app_id == "wx1111111111111111"
    assert config.signature == hashlib.sha1(plain.encode()).hexdigest()


def test_web_code_is_exchanged_for_openid_unionid_and_nickname(wechat_stub):
    user = wechat_stub.user(unionid="union-1", nickname="小枣")
    platform = wechat.platform()
    grant = platform.exchange_web_code(wechat_stub.code_for(user))
    assert (grant.openid, grant.unionid, grant.scope) == (user.openid, "union-1", "snsapi_userinfo")
    info = platform.user_info(access_token=grant.access_token, openid=grant.openid)
    assert (info.nickname, info.unionid) == ("小枣", "union-1")


@pytest.mark.parametrize(
    ("errcode", "error", "words"),
    [
        (40029, wechat.InvalidCode, "not valid"),
        (40163, wechat.CodeUsed, "already used"),
        (45011, wechat.RateLimited, "too many requests"),
        (-1, wechat.Unavailable, "busy"),
        (40125, wechat.WechatError, "could not complete"),
    ],
)
def test_wechat_error_codes_become_clear_errors(wechat_stub, errcode, error, words):
    wechat_stub.fail("/sns/oauth2/access_token", errcode, "error")
    with pytest.raises(error) as raised:
        wechat.platform().exchange_web_code("any-code")
    assert raised.value.errcode == errcode
    assert words in str(raised.value.message)


def test_a_code_used_twice_is_refused_by_wechat(wechat_stub):
    code = wechat_stub.code_for(wechat_stub.user())
    wechat.platform().exchange_web_code(code)
    with pytest.raises(wechat.CodeUsed):
        wechat.platform().exchange_web_code(code)
    with pytest.raises(wechat.InvalidCode):
        wechat.platform().exchange_web_code("never-issued")


def test_no_answer_in_time_is_unavailable(wechat_stub, settings):
    settings.WECHAT_TIMEOUT_SECONDS = 0.3
    wechat_stub.hang("/sns/jscode2session", 1.0)
    with pytest.raises(wechat.Unavailable) as raised:
        wechat.platform().code_to_session("any-code")
    assert "in time" in str(raised.value.message)


def test_an_unreachable_server_is_unavailable(settings):
    settings.WECHAT_API_BASE = "http://127.0.0.1:9"  # the discard port: nothing listens
    with pytest.raises(wechat.Unavailable):
        wechat.platform().code_to_session("any-code")


def test_mini_program_code_is_exchanged_for_its_session(wechat_stub):
    user = wechat_stub.user(unionid="union-2")
    session = wechat.platform().code_to_session(wechat_stub.code_for(user))
    assert (session.openid, session.unionid) == (user.mp_openid, "union-2")
    assert session.session_key


def test_authorise_url_has_wechats_parameters_in_order(wechat_stub):
    url = wechat.authorise_url(
        redirect_uri="https://weishang.test/login/wechat/done/", state="abc", scope="snsapi_base"
    )
    parts = urlsplit(url)
    assert parts.path == "/connect/oauth2/authorize" and parts.fragment == "wechat_redirect"
    assert [pair.split("=")[0] for pair in parts.query.split("&")] == [
        "appid",
        "redirect_uri",
        "response_type",
        "scope",
        "state",
    ]
    assert parse_qs(parts.query)["redirect_uri"] == ["https://weishang.test/login/wechat/done/"]
