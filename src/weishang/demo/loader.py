"""Loads the demo brand through the real services, so the demo shows what the code really does."""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from weishang.campaigns import services as campaigns
from weishang.catalog.licences import add_licence
from weishang.catalog.models import Brand, Category, LicenceKind, Product, ProductImage, Sku
from weishang.catalog.services import publish_product, schedule_price_period
from weishang.commissions.payout_accounts import add_payout_account
from weishang.commissions.plans import save_plan
from weishang.commissions.rules import PlanDraft
from weishang.content.models import Course
from weishang.customers import services as customers
from weishang.customers.models import Customer
from weishang.distribution import services as distribution
from weishang.distribution.binding import bind_customer
from weishang.distribution.models import BusinessKind, Distributor, PayoutAccount, ShareSource
from weishang.inventory.services import set_stock_on_hand
from weishang.loyalty import coupons
from weishang.loyalty.points import grant_points
from weishang.loyalty.redemptions import offer_redemption
from weishang.loyalty.redpackets import save_red_packet_offer
from weishang.loyalty.reward_rules import POINTS_FIXED, RewardRuleDraft
from weishang.loyalty.share_rewards import save_share_rule
from weishang.loyalty.tiers import save_tier
from weishang.orders import services as orders
from weishang.orders.after_sales import add_return_address
from weishang.orders.services import set_freight_rule
from weishang.payments import services as payments
from weishang.payments.providers import Notification
from weishang.reseller import services as resellers
from weishang.sales import services as sales
from weishang.teams import services as teams

from . import catalogue
from .content import load_content
from .images import render_close_up, render_facts, render_origin, render_product_image


@dataclass(frozen=True)
class LoadResult:
    created: bool
    products: int = 0
    orders: int = 0


def load_demo() -> LoadResult:
    """Creates the demo brand, its catalogue, staff logins and a customer with orders, then its
    community and content; once only. The brand and everything but the orders commit together;
    the orders, the community and the content then go through their services, each its own
    durable transaction as in production."""
    if Brand.objects.exists():
        return LoadResult(created=False)
    with transaction.atomic():
        if Brand.objects.select_for_update().exists():
            return LoadResult(created=False)
        brand = Brand.objects.create(**catalogue.BRAND)
        add_licences(brand=brand)
        add_return_address(actor=None, **catalogue.RETURN_ADDRESS)
        for province_code, fee_fen, free_from_fen in catalogue.FREIGHT:
            set_freight_rule(
                actor=None,
                province_code=province_code,
                fee_fen=fee_fen,
                free_from_fen=free_from_fen,
            )
        products = load_catalogue(brand=brand)
        create_staff()
        create_membership()
        distributor = create_programme()
        customer = create_customer()
        # Points to try the redeem centre with, as if an earlier order had earned them.
        grant_points(
            customer_id=customer.pk,
            points=800,
            key="demo:welcome",
            reason="欢迎加入会员",
            now=timezone.now(),
        )
        # The demo customer came through the distributor's poster, so his orders earn commission.
        bind_customer(customer=customer, distributor=distributor, source=ShareSource.POSTER)
    create_coupons(customer=customer)
    save_share_rule(
        draft=RewardRuleDraft(reward=POINTS_FIXED, amount=catalogue.SHARE_REWARD_POINTS), actor=None
    )
    placed = place_demo_orders(customer=customer)
    load_content()
    create_team()
    create_campaigns()
    create_reseller_bands()
    return LoadResult(created=True, products=len(products), orders=len(placed))


def create_reseller_bands() -> None:
    """Reseller mode ready to try: the brand offers two SKUs to resellers within a band and has
    approved the demo distributor, who sets his own price on his console's Reseller page (none is
    set, so every demo price stays the brand's until he does)."""
    admin = get_user_model().objects.get(username="admin")
    for code, supply_fen, ceiling_fen in catalogue.RESELLER_BANDS:
        resellers.set_band(
            actor=admin,
            sku=Sku.objects.get(code=code),
            supply_fen=supply_fen,
            ceiling_fen=ceiling_fen,
            is_open=True,
        )
    distributor = Distributor.objects.get(customer__mobile=catalogue.DISTRIBUTOR["mobile"])
    resellers.approve_reseller(actor=admin, distributor=distributor)


def create_team() -> None:
    """A team led by the operator with the demo distributor in it and the onboarding course
    assigned: the team pages and the distributor's "My team" show it."""
    admin = get_user_model().objects.get(username="admin")
    now = timezone.now()
    team = teams.create_team(actor=admin, name="新疆直营团队", leader_username="operator", now=now)
    teams.add_member(
        actor=admin,
        team_id=team.pk,
        mobile=catalogue.DISTRIBUTOR["mobile"],
        reason="新人入队",
        now=now,
    )
    onboarding = Course.objects.filter(is_onboarding=True).order_by("pk").first()
    teams.assign_course(actor=admin, team_id=team.pk, course_id=onboarding.pk, now=now)


def create_campaigns() -> None:
    """A pre-sale of the new season's grey jujubes and a festival gift box, both on for a week."""
    now = timezone.now()
    skus = {}
    for sku in Sku.objects.select_related("product").order_by("pk"):
        skus.setdefault(sku.product.slug, sku)  # each product's first SKU
    presale = campaigns.save_campaign(
        actor=None,
        kind="presale",
        name="新季若羌灰枣预售",
        description="新枣 11 月下旬采摘。预售满 50 件统一发货，未满 50 件全额自动退款。",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=7),
        per_customer_limit=5,
        stock_units=200,
        target_units=50,
        items=[campaigns.ItemInput(sku_id=skus["ruoqiang-grey-jujube"].pk, price_fen=2990)],
    )
    box = campaigns.save_campaign(
        actor=None,
        kind="gift_box",
        name="年货红枣礼盒",
        description="两袋和田骏枣配一盒枣夹核桃，一盒一价。",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=7),
        per_customer_limit=3,
        stock_units=100,
        box_price_fen=12800,
        items=[
            campaigns.ItemInput(sku_id=skus["hotan-junzao"].pk, quantity=2),
            campaigns.ItemInput(sku_id=skus["jujube-walnut"].pk, quantity=1),
        ],
    )
    for campaign in (presale, box):
        campaigns.publish_campaign(actor=None, campaign=campaign, now=now)


def create_membership() -> None:
    """The member tiers 普通 / 银卡 / 金卡 / 钻石; in the redeem centre two products for points (one
    for points alone, one for points and cash) and two red packets."""
    for name, threshold_fen, discount_bp, multiplier_bp in catalogue.MEMBER_TIERS:
        save_tier(
            actor=None,
            name=name,
            threshold_fen=threshold_fen,
            discount_bp=discount_bp,
            multiplier_bp=multiplier_bp,
        )
    for name, points_cost, amount_fen in catalogue.RED_PACKETS:
        save_red_packet_offer(
            actor=None,
            name=name,
            points_cost=points_cost,
            amount_fen=amount_fen,
            active=True,
            now=timezone.now(),
        )
    for code, points, cash_fen in catalogue.REDEMPTIONS:
        offer_redemption(
            actor=None, sku_id=Sku.objects.get(code=code).pk, points=points, cash_fen=cash_fen
        )


def add_licences(*, brand: Brand) -> None:
    """The business licence (no expiry) and the food production licence, shown in every footer."""
    add_licence(
        actor=None,
        kind=LicenceKind.BUSINESS_LICENCE,
        number=brand.business_licence_no,
        holder=brand.company_name,
        issued_on=date(2019, 3, 18),
        expires_on=None,
    )
    add_licence(
        actor=None,
        kind=LicenceKind.FOOD_PRODUCTION,
        number=brand.food_licence_no,
        holder=brand.company_name,
        issued_on=date(2022, 6, 1),
        expires_on=date(2027, 5, 31),
    )


def gallery(item: catalogue.DemoProduct) -> list[tuple[str, bytes]]:
    """A product's pictures as a seller's gallery has them: the product, a card of its facts,
    and for food a close-up and the orchard it comes from."""
    main = render_product_image(
        item.name, shape=item.shape, palette=item.palette, subtitle=item.tagline
    )
    facts = render_facts(
        item.name, [f"规格：{sku.name}" for sku in item.skus] + [item.tagline], palette=item.palette
    )
    if not item.is_food:
        return [("main", main), ("facts", facts)]
    close_up = render_close_up(item.name, palette=item.palette, caption="细节实拍")
    return [("main", main), ("detail", close_up), ("facts", facts), ("origin", render_origin())]


def load_catalogue(*, brand: Brand) -> list[Product]:
    categories = {}
    for position, (slug, name) in enumerate(catalogue.CATEGORIES):
        categories[slug], _ = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "position": position}
        )
    products = []
    for position, item in enumerate(catalogue.PRODUCTS):
        product = Product.objects.create(
            name=item.name,
            slug=item.slug,
            category=categories[item.category],
            description=catalogue.long_description(item),
            is_food=item.is_food,
            food_licence_no=brand.food_licence_no if item.is_food else "",
            return_class=item.return_class,
            exclusion_reason=item.exclusion_reason,
            position=position,
        )
        for sku_position, demo_sku in enumerate(item.skus):
            sku = Sku.objects.create(
                product=product,
                code=demo_sku.code,
                name=demo_sku.name,
                list_price_fen=demo_sku.price_fen,
                position=sku_position,
            )
            set_stock_on_hand(
                actor=None, sku_id=sku.pk, on_hand=demo_sku.stock, reference="demo opening stock"
            )
        for image_position, (suffix, picture) in enumerate(gallery(item)):
            image = ProductImage(product=product, position=image_position)
            image.image.save(f"{item.slug}-{suffix}.jpg", ContentFile(picture), save=True)
        products.append(publish_product(actor=None, product=product))

    now = timezone.now()
    for code, starts_in_days, days, price_fen, label in catalogue.PRICE_PERIODS:
        # A period starting "today" began an hour ago, so it is active the moment the demo opens.
        starts_at = (
            now + timedelta(days=starts_in_days) - timedelta(hours=1 if starts_in_days == 0 else 0)
        )
        schedule_price_period(
            actor=None,
            sku=Sku.objects.get(code=code),
            starts_at=starts_at,
            ends_at=now + timedelta(days=starts_in_days + days),
            price_fen=price_fen,
            label=label,
        )
    return products


def create_staff() -> None:
    """One login per console role, so each role's view of the console can be tried."""
    users = get_user_model().objects
    for username, password, superuser, role in catalogue.STAFF:
        if users.filter(username=username).exists():
            continue
        if superuser:
            user = users.create_superuser(username=username, password=password, email="")
        else:
            user = users.create_user(username=username, password=password, is_staff=True)
        user.groups.add(Group.objects.get_or_create(name=role)[0])


def create_programme() -> Distributor:
    """The commission plan in force and one approved distributor with his micro-store, made
    the way they are in production: the brand saves a plan, a customer applies, the brand
    approves."""
    admin = get_user_model().objects.get(username="admin")
    save_plan(draft=PlanDraft(default_rate_bp=catalogue.PLAN_DEFAULT_RATE_BP), actor=admin)
    spec = catalogue.DISTRIBUTOR
    code = customers.send_login_code(mobile=spec["mobile"])
    customer = customers.log_in_with_code(mobile=spec["mobile"], code=code)
    customers.set_password(customer=customer, password=catalogue.PASSWORD)
    customers.add_address(customer=customer, phone=spec["mobile"], **spec["address"])
    application = distribution.apply_to_distribute(
        customer=customer,
        real_name=spec["real_name"],
        id_number=spec["id_number"],
        mobile=spec["mobile"],
        business_kind=BusinessKind.SMALL_TRADE,
        store_name=spec["store_name"],
    )
    distributor = distribution.approve_application(application=application, reviewer=admin)
    distribution.update_store(
        distributor=distributor, store_name=spec["store_name"], intro=spec["intro"]
    )
    featured = Product.objects.filter(slug__in=spec["featured"]).values_list("pk", flat=True)
    distribution.set_featured_products(distributor=distributor, product_ids=list(featured))
    add_payout_account(
        distributor=distributor,
        kind=PayoutAccount.Kind.ALIPAY,
        number=spec["mobile"],
        holder_name=spec["real_name"],
        consent=True,
    )
    return distributor


def create_customer() -> Customer:
    """Signs the demo customer up the way a shopper does: by a one-time code, then a password."""
    mobile = catalogue.CUSTOMER["mobile"]
    customer = Customer.objects.filter(mobile=mobile).first()
    if customer is None:
        code = customers.send_login_code(mobile=mobile)
        customer = customers.log_in_with_code(mobile=mobile, code=code)
    customers.set_password(customer=customer, password=catalogue.PASSWORD)
    if not customer.addresses.exists():
        customers.add_address(customer=customer, phone=mobile, **catalogue.CUSTOMER["address"])
    return customer


def create_coupons(*, customer: Customer) -> None:
    """The demo's coupon templates; the first is the new-member rule's, which the demo customer,
    signed up before the rule existed, is given by hand."""
    now = timezone.now()
    made = [
        coupons.save_coupon_template(actor=None, terms=terms, now=now)
        for terms in catalogue.COUPONS
    ]
    coupons.set_coupon_rule(actor=None, rule="new_member", template_id=made[0].pk)
    coupons.issue_by_hand(
        actor=None, template_id=made[0].pk, customer_id=customer.pk, key="demo", now=now
    )


def _pay(order):
    payment = payments.start_payment(order=order, provider="sandbox")
    sales.confirm_payment(
        provider="sandbox",
        notification=Notification(
            trade_number=payment.number,
            transaction_id=f"sbx_{secrets.token_hex(10)}",
            amount_fen=payment.amount_fen,
            paid_at=timezone.now(),
        ),
    )


def place_demo_orders(*, customer: Customer) -> list:
    """One order in each state the customer's order list shows."""
    sku = {s.code: s.pk for s in Sku.objects.all()}
    address = customer.addresses.get(is_default=True)

    def place(items, **kwargs):
        return sales.place_order(
            customer=customer,
            items={sku[code]: qty for code, qty in items.items()},
            address=address,
            clear_cart=False,
            **kwargs,
        )

    delivered = place({"ZZD-EJ-500": 1, "ZZD-HZ-GIFT": 1}, confirm_return_exclusion=True)
    _pay(delivered)
    orders.ship_order(actor=None, order=delivered, carrier="sf", tracking_no="SF1402837465920")
    orders.mark_delivered(actor=None, order=delivered, signed_at=timezone.now())

    shipped = place({"ZZD-JH-500": 1, "ZZD-CP-6X60": 1})
    _pay(shipped)
    orders.ship_order(actor=None, order=shipped, carrier="zto", tracking_no="78310029455612")

    paid = place({"ZZD-JZ-1000": 1, "ZZD-GQ-15": 2})
    _pay(paid)

    refunded = place({"ZZD-JK-4": 1})
    _pay(refunded)
    sales.cancel_order(order=refunded, by_brand=False, reason="下错了，想改订单期")

    cancelled = place({"ZZD-FM-500": 1})
    sales.cancel_order(order=cancelled, by_brand=False, reason="拍错规格")

    pending = place({"ZZD-HZ-500": 2})
    return [delivered, shipped, paid, refunded, cancelled, pending]
