"""A 500 in production leaves one JSON line on stderr with its traceback and the request id that
the response carries in X-Request-ID."""

import io
import json
import logging

import pytest


@pytest.fixture
def stderr_lines():
    """What the configured stderr handler writes, one parsed JSON object per line."""
    (handler,) = [h for h in logging.getLogger().handlers if h.get_name() == "stderr"]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    handler.setStream(previous)


@pytest.mark.urls("tests.config.urls_failing")
def test_a_failing_view_is_logged_with_its_traceback_and_request_id(client, stderr_lines):
    client.raise_request_exception = False
    response = client.get("/fail/", headers={"X-Request-ID": "proxy-3f9a1c2b"})
    assert response.status_code == 500
    assert response["X-Request-ID"] == "proxy-3f9a1c2b"
    (line,) = [line for line in stderr_lines() if line["level"] == "ERROR"]
    assert line["logger"] == "django.request" and line["request_id"] == "proxy-3f9a1c2b"
    assert line["message"] == "Internal Server Error: /fail/"
    assert "Traceback" in line["traceback"]
    assert "RuntimeError: the stock ledger is inconsistent" in line["traceback"]


@pytest.mark.urls("tests.config.urls_failing")
@pytest.mark.parametrize("incoming", ["", "short", "x" * 65, "forged\nERROR line", "id with space"])
def test_an_unusable_incoming_request_id_is_replaced(client, stderr_lines, incoming):
    response = client.get("/nowhere/", headers={"X-Request-ID": incoming})
    request_id = response["X-Request-ID"]
    assert request_id != incoming and len(request_id) == 16
    (line,) = stderr_lines()
    assert (line["level"], line["request_id"]) == ("WARNING", request_id)


def test_every_line_has_a_request_id_and_outside_a_request_it_is_a_dash(stderr_lines):
    logging.getLogger("weishang.orders").info("expired %d orders", 3)
    (line,) = stderr_lines()
    assert line["message"] == "expired 3 orders" and line["request_id"] == "-"
    assert line["timestamp"].endswith("+00:00")
