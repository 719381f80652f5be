"""Malformed console input is a message, never a 500."""

import pytest
from django.urls import reverse

from weishang.distribution.selectors import programme
from weishang.inventory.models import Stock

from .conftest import messages_of

PROGRAMME = {
    "binding_rule": "lock",
    "binding_window_days": "15",
    "withdrawal_min_fen": "20",
    "withdrawal_daily_limit_fen": "5000",
    "review_order_amount_fen": "800",
    "review_refund_rate_pc": "25",
}


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("binding_window_days", "²", "whole number of days"),
        ("binding_window_days", "١٥", "whole number of days"),
        ("binding_window_days", "99999999999999999999", "whole number of days"),
        ("review_refund_rate_pc", "٢٥", "percentage"),
        ("withdrawal_min_fen", "２０", "Enter an amount in yuan"),
    ],
)
def test_programme_settings_refuse_non_ascii_and_huge_numbers(console, field, value, message):
    before = programme().binding_window_days
    response = console.post("/console/programme/", {**PROGRAMME, field: value})
    assert response.status_code == 200
    assert any(message in text for text in messages_of(response))
    assert programme().binding_window_days == before


def test_a_next_that_is_not_a_path_goes_back_to_the_list(console, sku):
    response = console.post(
        reverse("console:stock_set", args=[sku.pk]), {"on_hand": "7", "next": "9999-12-31"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("console:product_list")
    assert Stock.objects.get(sku=sku).on_hand == 7
