"""The regulator export page: staff only, a streaming download, refusal of a bad range."""

import io
import json
import zipfile

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from weishang.compliance.models import AuditEntry

from .conftest import english, messages_of


def test_staff_only(client, brand):
    english(client)
    for url in (reverse("console:export"), reverse("console:export_download")):
        response = client.get(url, {"start": "2026-01-01", "end": "2026-02-01", "format": "csv"})
        assert response.status_code == 302 and "/console/login/" in response["Location"]
    assert not AuditEntry.objects.exists()


def test_page_offers_the_command(console):
    page = console.get(reverse("console:export")).content.decode()
    assert "weishang regulator_export --from" in page
    assert 'action="/console/export/download/"' in page


def test_streaming_json_download(console, paid_order, staff):
    today = timezone.localdate()
    response = console.get(
        reverse("console:export_download"),
        {
            "start": today.isoformat(),
            "end": (today + timezone.timedelta(days=1)).isoformat(),
            "format": "json",
        },
    )
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "application/json"
    assert "attachment;" in response["Content-Disposition"]
    document = json.loads(b"".join(response.streaming_content))
    assert [row["order_number"] for row in document["transactions"]] == [paid_order.number]
    entry = AuditEntry.objects.get(action="regulator_export.download")
    assert entry.actor == staff and entry.after["format"] == "json"


def test_streaming_csv_zip_download(console, paid_order):
    today = timezone.localdate()
    response = console.get(
        reverse("console:export_download"),
        {
            "start": today.isoformat(),
            "end": (today + timezone.timedelta(days=1)).isoformat(),
            "format": "csv",
        },
    )
    assert isinstance(response, StreamingHttpResponse)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    transactions = archive.read("transactions.csv")
    assert transactions.startswith(b"\xef\xbb\xbf")
    assert paid_order.number.encode() in transactions


def test_bad_range_is_refused(console):
    response = console.get(
        reverse("console:export_download"),
        {"start": "2026-02-01", "end": "2026-01-01", "format": "csv"},
        follow=True,
    )
    assert any("must be after the start date" in m for m in messages_of(response))
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_date_pickers_hold_iso_days_in_every_language(console, settings, language):
    """A date input shows blank unless its value is YYYY-MM-DD; Chinese writes 2026/12/01."""
    console.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = console.get(reverse("console:export")).content.decode()
    today = timezone.localdate()
    assert f'type="date" name="start" value="{today.replace(day=1):%Y-%m-%d}"' in page
    tomorrow = today + timezone.timedelta(days=1)
    assert f'type="date" name="end" value="{tomorrow:%Y-%m-%d}"' in page
    typed = console.get(reverse("console:export"), {"start": "2026-12-01", "end": "2026-12-08"})
    assert 'value="2026-12-01"' in typed.content.decode()
