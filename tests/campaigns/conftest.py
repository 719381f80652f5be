"""A campaign made through the brand's own service, published and open now."""

from datetime import timedelta

import pytest
from django.utils import timezone

from weishang.campaigns import services as campaigns
from weishang.campaigns.services import ItemInput


@pytest.fixture
def make_campaign(db, staff):
    def make(
        *,
        kind="presale",
        skus,
        price_fen=2990,
        stock_units=10,
        per_customer_limit=5,
        target_units=3,
        publish=True,
        starts_at=None,
        ends_at=None,
        **fields,
    ):
        now = timezone.now()
        per_box = fields.pop("box_quantity", 1)
        items = [ItemInput(sku_id=sku.pk, price_fen=price_fen, quantity=per_box) for sku in skus]
        campaign = campaigns.save_campaign(
            actor=staff,
            kind=kind,
            name=fields.pop("name", "新疆红枣预售"),
            starts_at=starts_at or now - timedelta(hours=1),
            ends_at=ends_at or now + timedelta(days=3),
            per_customer_limit=per_customer_limit,
            stock_units=stock_units,
            target_units=target_units if kind == "presale" else None,
            items=items,
            **fields,
        )
        if publish:
            campaign = campaigns.publish_campaign(
                actor=staff, campaign=campaign, now=min(now, campaign.starts_at)
            )
        return campaign

    return make
