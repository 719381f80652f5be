"""Control characters never reach a view or the database: a NUL in the path, the query string, a
form field, an uploaded file's name or a cookie is answered with a translated 400 page."""

from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile


@pytest.fixture
def shopper(client, brand, customer):
    client.force_login(customer.user)
    return client


def refused(response, *, english=True) -> bool:
    text = response.content.decode()
    return response.status_code == 400 and (
        "invisible control characters" in text if english else "不可见的控制字符" in text
    )


@pytest.mark.parametrize(
    "path", ["/?c=%00", "/orders/%00/", "/console/orders/?q=a%00b", "/?x%01=1", "/p/a%7Fb/"]
)
def test_control_characters_in_path_or_query_are_refused(shopper, path):
    shopper.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert refused(shopper.get(path))


def test_the_page_speaks_chinese_by_default(shopper):
    assert refused(shopper.get("/?c=%00"), english=False)


@pytest.mark.parametrize("content_type", ["multipart", "urlencoded"])
def test_a_nul_in_a_form_field_changes_nothing(shopper, customer, content_type):
    shopper.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = {"action": "nickname", "nickname": "小\x00明"}
    if content_type == "urlencoded":
        response = shopper.post(
            "/account/privacy/", urlencode(data), content_type="application/x-www-form-urlencoded"
        )
    else:
        response = shopper.post("/account/privacy/", data)
    assert refused(response)
    customer.refresh_from_db()
    assert "\x00" not in customer.nickname


def test_file_contents_may_hold_any_byte(shopper):
    photo = SimpleUploadedFile("a.png", b"\x00\x01\x02", "image/png")
    assert shopper.post("/account/privacy/", {"photo": photo}).status_code == 200


def test_text_keeps_line_breaks_and_tabs(shopper):
    response = shopper.post(
        "/account/privacy/", {"action": "nickname", "nickname": "a\tb"}, follow=False
    )
    assert response.status_code != 400
    assert shopper.get("/?c=a%0Ab").status_code == 200


def test_a_tampered_cookie_is_refused_and_cleared(client, brand):
    client.cookies[settings.SESSION_COOKIE_NAME] = "abcdefgh\x00ijkl"
    response = client.get("/")
    assert response.status_code == 400
    assert response.cookies[settings.SESSION_COOKIE_NAME].value == ""
    assert client.get("/").status_code == 200


def test_a_provider_notification_keeps_its_raw_body(client):
    """Parsing a form body first would make request.body unreadable to the notification view."""
    response = client.post("/payments/notify/sandbox/", {"field": "a\x00"})
    assert response.status_code == 400
    assert response.json()["code"] == "FAIL"
