"""Run by Saleor's own Python inside its checkout (``DJANGO_SETTINGS_MODULE=saleor.settings``)
with ``bench/checkout.py``'s catalogue plan as JSON: that catalogue made in Saleor (the same
products and SKUs at the same prices, plenty of stock in one warehouse, free shipping to the
United States) and an
app allowed to record payments (``HANDLE_PAYMENTS``), as a payment app would be. Prints what the
load generator needs as one line of JSON.

Nothing here is Saleor's code: it calls Saleor's models the way its own test fixtures do."""

import json
import sys
from datetime import UTC, datetime
from decimal import Decimal

import django

django.setup()

from graphene import Node  # noqa: E402
from prices import Money  # noqa: E402
from saleor.account.models import Address  # noqa: E402
from saleor.app.models import App  # noqa: E402
from saleor.channel.models import Channel  # noqa: E402
from saleor.permission.models import Permission  # noqa: E402
from saleor.product.models import (  # noqa: E402
    Category,
    Product,
    ProductChannelListing,
    ProductType,
    ProductVariant,
    ProductVariantChannelListing,
)
from saleor.shipping.models import (  # noqa: E402
    ShippingMethodChannelListing,
    ShippingMethodType,
    ShippingZone,
)
from saleor.tax.models import TaxConfiguration  # noqa: E402
from saleor.warehouse.models import Stock, Warehouse  # noqa: E402

CURRENCY = "USD"
STOCK_PER_VARIANT = 10_000_000
SINCE = datetime(2000, 1, 1, tzinfo=UTC)


def main() -> None:
    channel = Channel.objects.create(
        name="Bench",
        slug="bench",
        currency_code=CURRENCY,
        default_country="US",
        is_active=True,
    )
    # Prices are what the customer pays, as in Weishang's catalogue: no tax is added.
    TaxConfiguration.objects.create(channel=channel, charge_taxes=False)
    zone = ShippingZone.objects.create(name="United States", countries=["US"])
    zone.channels.add(channel)
    method = zone.shipping_methods.create(name="Free", type=ShippingMethodType.PRICE_BASED)
    ShippingMethodChannelListing.objects.create(
        channel=channel,
        shipping_method=method,
        currency=CURRENCY,
        minimum_order_price=Money(0, CURRENCY),
        price=Money(0, CURRENCY),
    )
    warehouse = Warehouse.objects.create(
        name="Bench warehouse",
        slug="bench-warehouse",
        email="warehouse@example.com",
        address=Address.objects.create(
            first_name="Bench",
            last_name="Warehouse",
            street_address_1="1 Main Street",
            city="NEW YORK",
            country_area="NY",
            postal_code="10001",
            country="US",
        ),
    )
    warehouse.shipping_zones.add(zone)
    warehouse.channels.add(channel)

    product_type = ProductType.objects.create(
        name="Jujube", slug="jujube", has_variants=True, is_shipping_required=True
    )
    category = Category.objects.create(name="Jujube", slug="jujube")
    variants = []
    for n, skus in json.loads(sys.argv[1]):
        product = Product.objects.create(
            name=f"Jujube {n}", slug=f"bench-{n}", product_type=product_type, category=category
        )
        for size, cents in skus:
            price = Decimal(cents) / 100
            variant = ProductVariant.objects.create(
                product=product, sku=f"BENCH-{n}-{size}", name=size
            )
            ProductVariantChannelListing.objects.create(
                variant=variant,
                channel=channel,
                price_amount=price,
                discounted_price_amount=price,
                currency=CURRENCY,
            )
            Stock.objects.create(
                warehouse=warehouse, product_variant=variant, quantity=STOCK_PER_VARIANT
            )
            variants.append({"id": Node.to_global_id("ProductVariant", variant.pk), "cents": cents})
        ProductChannelListing.objects.create(
            product=product,
            channel=channel,
            is_published=True,
            visible_in_listings=True,
            available_for_purchase_at=SINCE,
            discounted_price_amount=Decimal(min(cents for _size, cents in skus)) / 100,
            currency=CURRENCY,
        )

    app = App.objects.create(name="Bench payments", is_active=True)
    app.permissions.add(Permission.objects.get(codename="handle_payments"))
    _token, secret = app.tokens.create(app=app, name="bench")
    print(
        json.dumps(
            {
                "channel": channel.slug,
                "currency": CURRENCY,
                "variants": variants,
                "shipping_method": Node.to_global_id("ShippingMethod", method.pk),
                "app_token": secret,
            }
        )
    )


main()
