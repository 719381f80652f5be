"""Every staff act in the brand console leaves exactly one audit entry, written by the act's own
transaction and naming the staff member; a refused or invalid request leaves none.

The walk starts from the console's URL resolver: every route is either a staff act in ``ACTS``
(with a valid and an invalid request, sent as the least-privileged role allowed to act), a page
that only reads (``READ_ONLY``: a POST to it changes nothing) or the sign-in and sign-out pages.
A new route fails ``test_every_console_route_is_walked`` until it is put in one of them.

The distributor console (/d/) is left out on purpose: its POSTs are the distributor's own acts on
his store and withdrawals, not staff acts.
"""

import itertools
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.content.library_fixtures import MP3, background_upload, media_upload
from tests.helpers import deliver, pay, png_upload
from weishang.campaigns import services as campaigns
from weishang.catalog import licences
from weishang.catalog.models import Category, PricePeriod, Product, ProductImage, Sku
from weishang.commissions import ledger
from weishang.commissions.models import Account, Commission, CommissionPlan
from weishang.commissions.services import request_withdrawal, settle_commissions
from weishang.community import services as community
from weishang.compliance import api_keys, complaints
from weishang.compliance.blacklist import blacklist_customer
from weishang.compliance.models import AuditEntry
from weishang.console import roles
from weishang.content import courses, ideas, library
from weishang.content.models import Theme
from weishang.distribution.models import Binding, ProgrammeSettings
from weishang.distribution.services import apply_to_distribute
from weishang.loyalty import coupons, redemptions
from weishang.loyalty.models import MemberTier, RedPacketOffer
from weishang.orders import claims
from weishang.orders import services as orders
from weishang.orders.after_sales import add_return_address, retire_return_address
from weishang.reseller import services as reseller_services
from weishang.sales import services as sales
from weishang.teams import services as teams

from .conftest import english
from .test_licences_console import form as _licence_data
from .test_plan_editor import form_data
from .test_roles import console_routes, member

pytestmark = pytest.mark.django_db

# Pages that only read: a POST, where the role map lets it through, changes nothing.
READ_ONLY = frozenset(
    {
        "dashboard",
        "analytics_factors",
        "analytics_funnel",
        "analytics_cohorts",
        "order_list",
        "order_detail",
        "packing_list",
        "waybill_template",
        "return_list",
        "product_list",
        "complaint_list",
        "complaint_detail",
        "complaint_photo",
        "blacklist",
        "plan_list",
        "export",
        "export_download",
        "distributor_list",
        "distributor_detail",
        "application_list",
        "withdrawal_list",
        "withdrawal_payee",
        "held_commission_list",
        "audit_log",
        "staff_list",
        "api_key_list",
        "customer_list",
        "customer_detail",
        "claim_list",
        "claim_detail",
        "claim_photo",
        "coupon_templates",
        "top_sharers",
        "theme_stats",
        "segment_list",
        "segment_detail",
        "theme_list",
        "theme_media",
        "poster_template_list",
        "poster_template_preview",
        "idea_list",
        "idea_detail",
        "content_cadence",
        "analytics_rankings",
        "analytics_health",
        "reseller_list",
        "reseller_report",
        "reseller_detail",
        "my_team",
        "campaign_list",
        "campaign_detail",
    }
)


class World:
    """The objects the acts work on, each made through the services when first asked for."""

    def __init__(self, make_customer, make_product, make_distributor):
        self.make_customer = make_customer
        self.make_product = make_product
        self.make_distributor = make_distributor

    def _placed(self, customer=None, sku=None):
        customer = customer or self.make_customer()
        sku = sku or self.make_product()
        return sales.place_order(
            customer=customer, items={sku.pk: 1}, address=customer.addresses.get()
        )

    def placed(self):
        return self._placed()

    def paid(self):
        return pay(self._placed())

    def shipped(self):
        order = self.paid()
        orders.ship_order(order=order, actor=None, carrier="sf", tracking_no="SF1402837465920")
        return order

    def requested_return(self):
        order = deliver(self.paid())
        return orders.request_return(
            order=order, customer=order.customer, quantities={order.lines.get().pk: 1}
        )

    def approved_return(self):
        return orders.approve_return(return_request=self.requested_return(), actor=None)

    def received_return(self):
        return orders.receive_return(return_request=self.approved_return(), actor=None)

    def return_address(self):
        return add_return_address(
            actor=None, recipient="退货组", phone="0996-1234567", address="若羌县"
        )

    def retired_return_address(self):
        return retire_return_address(actor=None, return_address=self.return_address())

    def claim(self, remedy="refund"):
        order = deliver(self.paid())
        return claims.file_claim(
            order=order,
            customer=order.customer,
            order_line_id=order.lines.get().pk,
            quantity=1,
            remedy=remedy,
            description="发霉",
            photos=[png_upload()],
        )

    def approved_claim(self):
        return claims.approve_claim(claim=self.claim("repair"), actor=None, remedy="repair")

    def freight_rule(self):
        return orders.set_freight_rule(actor=None, province_code="65", fee_fen=2000)

    def redemption(self):
        return redemptions.offer_redemption(
            actor=None, sku_id=self.make_product().pk, points=500, cash_fen=0
        )

    def coupon_template(self, *, active=True):
        template = coupons.save_coupon_template(actor=None, terms=_COUPON_TERMS, now=timezone.now())
        if not active:
            coupons.deactivate_coupon_template(actor=None, template_id=template.pk)
        return template

    def draft_product(self, *, with_sku=True):
        if not with_sku:
            category = Category.objects.get(slug="jujube")
            return Product.objects.create(name="空", slug="empty", category=category)
        sku = self.make_product()
        Product.objects.filter(pk=sku.product_id).update(status=Product.Status.DRAFT)
        return Product.objects.get(pk=sku.product_id)

    def published_sku(self):
        return self.make_product()

    def inactive_sku(self):
        sku = self.make_product()
        Sku.objects.filter(pk=sku.pk).update(is_active=False)
        return sku

    def image(self):
        product = self.make_product().product
        return ProductImage.objects.create(product=product, image="products/a.png")

    def period(self):
        sku = self.make_product()
        now = timezone.now()
        return PricePeriod.objects.create(
            sku=sku, starts_at=now, ends_at=now + timedelta(days=3), price_fen=2990
        )

    def complaint(self, *, answered=False, delivered=False):
        order = deliver(self.paid()) if delivered else self.paid()
        complaint = complaints.file_complaint(
            customer=order.customer, order=order, category="quality", text="坏了"
        )
        if answered:
            complaints.answer_complaint(complaint=complaint, staff=self.colleague, text="在查")
        return complaint

    def blacklisted(self):
        customer = self.make_customer()
        blacklist_customer(customer=customer, actor=self.colleague, reason="恶意下单")
        return customer

    def licence(self):
        return licences.add_licence(
            actor=None, kind="other", number="X1", holder="某公司", issued_on=timezone.localdate()
        )

    def tier(self):
        return MemberTier.objects.get_or_create(name="普通", threshold_fen=0)[0]

    def red_packet(self):
        return RedPacketOffer.objects.create(
            name="5元红包", points_cost=500, amount_fen=500, created_at=timezone.now()
        )

    def station(self, *, is_open=True):
        station = community.create_station(
            actor=None, name=f"站{next(_names)}", province="河南省", city="郑州", now=timezone.now()
        )
        if not is_open:
            community.close_station(actor=None, station_id=station.pk)
        return station

    def leader(self):
        return community.appoint_leader(
            actor=None,
            station_id=self.station().pk,
            mobile=self.make_customer().mobile,
            now=timezone.now(),
        )

    def tag(self):
        return community.create_tag(actor=None, name=f"标签{next(_names)}", now=timezone.now())

    def segment(self, **terms):
        return community.save_segment(
            actor=None, terms={"name": f"人群{next(_names)}"} | terms, now=timezone.now()
        )

    def tag_in_use(self):
        tag = self.tag()
        self.segment(tag_id=tag.pk)
        return tag

    def segment_in_use(self):
        segment = self.segment()
        Theme.objects.create(title="春节", copy="年货", segment=segment, created_at=timezone.now())
        return segment

    def tagged(self):
        customer, tag = self.make_customer(), self.tag()
        community.tag_customer(
            actor=None, customer_id=customer.pk, tag_id=tag.pk, now=timezone.now()
        )
        return customer, tag

    def theme(self, *, images=0, published=False, media=False):
        theme = library.create_theme(actor=None, title="新年礼盒", copy="红枣甜")
        for _ in range(max(images, 1 if published else 0)):
            library.add_theme_image(actor=None, theme=theme, image_file=png_upload())
        if media:
            library.attach_theme_media(
                actor=None, theme=theme, kind="voice", upload=media_upload(MP3, "a.mp3")
            )
        if published:
            library.publish_theme(actor=None, theme=theme)
        return theme

    def poster_template(self, *, in_use=True):
        template = library.create_poster_template(
            actor=None, name="新年红", background=background_upload()
        )
        if not in_use:
            library.set_poster_template_in_use(actor=None, template=template, in_use=False)
        return template

    def idea(self):
        return ideas.submit_idea(
            author=self.make_customer(), request_key=uuid.uuid4().hex, title="枣茶", text="泡茶"
        )

    def course(self, *, lessons=0, published=False):
        course = courses.create_course(actor=None, title="新人上手", now=timezone.now())
        for index in range(lessons):
            courses.add_lesson(actor=None, course=course, title=f"第{index}课", body="<p>要点</p>")
        if published:
            courses.publish_course(actor=None, course=course)
        return course

    def lesson(self, index=0):
        course = self.course(lessons=2)
        return courses.lessons_of(course)[index]

    def team(self, *, is_open=True):
        team = teams.create_team(
            actor=None,
            name=f"队{next(_names)}",
            leader_username=self.colleague.username,
            now=timezone.now(),
        )
        if not is_open:
            teams.close_team(actor=None, team_id=team.pk, now=timezone.now())
        return team

    def team_led_by_actor(self):
        return teams.create_team(
            actor=None,
            name=f"队{next(_names)}",
            leader_username=self.actor.username,
            now=timezone.now(),
        )

    def team_member(self):
        team, member = self.team(), self.distributor()
        teams.add_member(
            actor=None, team_id=team.pk, mobile=member.customer.mobile, now=timezone.now()
        )
        return team, member

    def team_with_course(self):
        team, course = self.team(), self.course(lessons=1, published=True)
        teams.assign_course(actor=None, team_id=team.pk, course_id=course.pk, now=timezone.now())
        return team, course

    def api_key(self, *, revoked=False):
        key, _secret = api_keys.create_api_key(actor=self.colleague, name="ERP", role="finance")
        if revoked:
            api_keys.revoke_api_key(actor=self.colleague, key_id=key.pk)
        return key

    @cached_property
    def colleague(self):
        """Another staff member, for set-up acts that need a person."""
        return _staff_member(roles.OWNER)

    @cached_property
    def programme(self):
        CommissionPlan.objects.create(
            version=1, default_rate_bp=1000, created_at=timezone.now() - timedelta(days=1)
        )
        return ProgrammeSettings.objects.create(withdrawal_min_fen=100)

    def distributor(self):
        assert self.programme
        distributor = self.make_distributor()
        # Not at his buyers' address, which fraud review would hold as self-dealing.
        distributor.customer.addresses.update(detail=f"人民路{distributor.pk}号")
        return distributor

    def application(self):
        customer = self.make_customer()
        return apply_to_distribute(
            customer=customer,
            real_name="张三",
            id_number="11010519491231002X",
            mobile=customer.mobile,
            business_kind="small_trade",
            store_name="三哥的枣铺",
        )

    def _sold_by(self, distributor, sku=None):
        buyer = self.make_customer()
        Binding.objects.create(
            customer=buyer, distributor=distributor, source="qr", bound_at=timezone.now()
        )
        return pay(self._placed(buyer, sku))

    def withdrawal(self):
        seller = self.distributor()
        deliver(self._sold_by(seller))
        settle_commissions(now=timezone.now() + timedelta(days=9))
        return request_withdrawal(distributor=seller, amount_fen=300, request_key="w1")

    def withheld_tax(self, amount_fen=500):
        """Tax withheld from an earlier payout, still to be paid to the tax office."""
        ledger.transfer(
            debit=ledger.brand_account(Account.Kind.BRAND_EXPENSE),
            credit=ledger.brand_account(Account.Kind.TAX_PAYABLE),
            amount_fen=amount_fen,
            key="withheld-earlier",
            kind="withhold",
            now=timezone.now(),
        )

    def held_commission(self):
        seller = self.distributor()
        ProgrammeSettings.objects.update(review_order_amount_fen=5000)
        self._sold_by(seller, self.make_product(price_fen=6000))
        return Commission.objects.get(status=Commission.Status.HELD)


def _reseller(w):
    """A distributor the brand approved as a reseller."""
    distributor = w.distributor()
    reseller_services.approve_reseller(actor=None, distributor=distributor)
    return distributor


@dataclass(frozen=True)
class Request:
    url: str
    data: dict


@dataclass(frozen=True)
class Act:
    """A staff act: ``valid`` and ``invalid`` each make their objects and return the request.
    ``entries``: an act over many objects audits each one and then itself."""

    valid: object
    invalid: object
    entries: int = 1


def _product_data(category, **fields):
    return {
        "name": "骏枣",
        "slug": "junzao",
        "category": category.pk,
        "description": "",
        "food_licence_no": "",
        "return_class": "normal",
        "exclusion_reason": "",
    } | fields


def _programme_data(**fields):
    return {
        "binding_rule": "lock",
        "binding_window_days": "15",
        "withdrawal_min_fen": "20",
        "withdrawal_daily_limit_fen": "5000",
        "review_order_amount_fen": "800",
        "review_refund_rate_pc": "25",
    } | fields


def _share_rule_data(**fields):
    return {
        "trigger": "order_completed",
        "reward": "points_fixed",
        "points": "100",
        "invite_after_orders": "3",
    } | fields


_names = itertools.count(1)


def _station_data(**fields):
    return {"name": "郑州站", "province": "河南省", "city": "郑州", "intro": "枣友会"} | fields


def _customer_act(name, data):
    """Back to the tags page: the customer's own page audits each full view of his data."""
    return lambda w: Request(_url(name, w.make_customer().pk), data(w) | {"next": _url("tag_list")})


def _untag_request(w, tagged: bool):
    customer, tag = w.tagged()
    other = w.tag()
    data = {"tag": (tag if tagged else other).pk, "next": _url("tag_list")}
    return Request(_url("customer_untag", customer.pk), data)


def _staff_member(role="finance"):
    return member(get_user_model(), role)


def _url(name, *args):
    return reverse(f"console:{name}", args=args)


def _campaign_form(sku, **change):
    now = timezone.localtime()
    data = {
        "kind": "presale",
        "name": "预售",
        "starts_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "per_customer_limit": "2",
        "stock_units": "10",
        "target_units": "3",
        "items": f"{sku.code}, 29.90",
    }
    return {**data, **change}


def _campaign(w, *, publish=False):
    now = timezone.now()
    made = campaigns.save_campaign(
        actor=_staff_member(roles.OWNER),
        kind="presale",
        name="预售",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=2),
        per_customer_limit=2,
        stock_units=10,
        target_units=3,
        items=[campaigns.ItemInput(sku_id=w.make_product().pk, price_fen=2990)],
    )
    if publish:
        made = campaigns.publish_campaign(actor=_staff_member(roles.OWNER), campaign=made)
    return made


def _order_act(name, make, data):
    return lambda w: Request(_url(name, make(w).number), data)


def _return_act(name, make, data=None):
    return lambda w: Request(_url(name, make(w).number), data or {})


def _tax_remit_request(w, amount):
    w.withheld_tax()
    return Request(_url("tax_remit"), {"amount": amount, "reference": "3650000123"})


def _waybill_request(w, number):
    order = w.paid()
    csv = f"订单号,快递公司,运单号\n{order.number},顺丰速运,{number}\n".encode()
    upload = SimpleUploadedFile("waybills.csv", csv, content_type="text/csv")
    return Request(_url("waybill_import"), {"file": upload})


def _return_address_data(**fields):
    return {
        "recipient": "退货组",
        "phone": "0996-1234567",
        "address": "新疆若羌县枣园路1号",
    } | fields


_COUPON_TERMS = {
    "name": "满100减20",
    "kind": "amount_off",
    "amount_off_fen": 2000,
    "threshold_fen": 10000,
    "scope": "all",
    "valid_days": 30,
    "per_customer_limit": 1,
}


def _coupon_form(**fields):
    return {
        "name": "满100减20",
        "kind": "amount_off",
        "amount_off": "20",
        "threshold": "100",
        "scope": "all",
        "validity": "days",
        "valid_days": "30",
        "per_customer_limit": "1",
    } | fields


def _issue_request(w, key):
    # Back to the templates: the customer's own page audits each full view of his data.
    data = {"template": w.coupon_template().pk, "key": key, "next": _url("coupon_templates")}
    return Request(_url("coupon_issue", w.make_customer().pk), data)


def _segment_request(w, **fields):
    w.make_customer()
    data = {"template": w.coupon_template().pk, "segment": "all", "key": "a" * 32} | fields
    return Request(_url("coupon_segment"), data)


def _sku_data(**fields):
    return {"code": "NEW-1", "name": "1kg", "price": "59.90"} | fields


def _period_data(sku, **fields):
    now = timezone.localtime()
    return {
        "sku": sku.pk,
        "starts_at": f"{now + timedelta(days=10):%Y-%m-%d %H:%M}",
        "ends_at": f"{now + timedelta(days=12):%Y-%m-%d %H:%M}",
        "price": "29.90",
        "label": "国庆",
    } | fields


def _period_request(w, **fields):
    sku = w.published_sku()
    return Request(_url("price_periods", sku.product_id), _period_data(sku, **fields))


def _programme_request(w, **fields):
    assert w.programme
    return Request(_url("programme"), _programme_data(**fields))


def _reassign_request(w, reason):
    distributor, other = w.distributor(), w.distributor()
    customer = w.make_customer()
    data = {"mobile": customer.mobile, "to": other.slug, "reason": reason}
    return Request(_url("customer_reassign", distributor.pk), data)


def _points_settings(**fields):
    return {
        "points_per_yuan": "2",
        "fen_per_point": "1",
        "points_valid_days": "365",
        "tier_window_days": "180",
    } | fields


def _tier_data(**fields):
    return {"name": "普通", "threshold": "0", "discount": "0", "multiplier": "1"} | fields


def _red_packet_data(**fields):
    return {"name": "10元红包", "points_cost": "1000", "amount": "10", "active": "on"} | fields


def _award_data(**fields):
    return {"points": "300", "reason": "优质晒单", "request_key": "ab" * 16} | fields


def _theme_data(**fields):
    return {"title": "新年礼盒", "copy": "红枣甜，年味浓。"} | fields


def _placement_data(**fields):
    return {
        "name": "新年红",
        "qr_x": "460",
        "qr_y": "900",
        "qr_size": "240",
        "name_x": "40",
        "name_y": "900",
        "name_size": "40",
        "price_x": "40",
        "price_y": "980",
        "price_size": "56",
        "text_color": "#33221c",
        "price_color": "#c8242c",
    } | fields


def _image_request(w, name, pick):
    theme = w.theme(images=2)
    return Request(_url(name, theme.pk, pick(list(theme.images.all())).pk), {})


def _media_remove_request(w, media_id=None):
    theme = w.theme(media=True)
    return Request(_url("theme_media_remove", theme.pk, media_id or theme.media.get().pk), {})


def _content_settings(**fields):
    return {
        "posts_min_per_day": "4",
        "posts_max_per_day": "7",
        "product_posts_max_bp": "40",
        "care_list_size": "10",
        "care_contact_gap_days": "30",
    } | fields


ACTS = {
    # The material library and poster templates
    "theme_new": Act(
        lambda w: Request(_url("theme_new"), _theme_data()),
        lambda w: Request(_url("theme_new"), _theme_data(title="")),
    ),
    "theme_edit": Act(
        lambda w: Request(_url("theme_edit", w.theme().pk), _theme_data(title="中秋礼盒")),
        lambda w: Request(
            _url("theme_edit", w.theme().pk),
            _theme_data(valid_from="2030-01-02T00:00", valid_until="2030-01-01T00:00"),
        ),
    ),
    "theme_publish": Act(
        lambda w: Request(_url("theme_publish", w.theme(images=1).pk), {}),
        lambda w: Request(_url("theme_publish", w.theme().pk), {}),  # no picture yet
    ),
    "theme_withdraw": Act(
        lambda w: Request(_url("theme_withdraw", w.theme(published=True).pk), {}),
        lambda w: Request(_url("theme_withdraw", w.theme().pk), {}),
    ),
    "theme_image_add": Act(
        lambda w: Request(_url("theme_image_add", w.theme().pk), {"file": png_upload()}),
        lambda w: Request(
            _url("theme_image_add", w.theme().pk), {"file": media_upload(MP3, "x.png")}
        ),
    ),
    "theme_image_remove": Act(
        lambda w: _image_request(w, "theme_image_remove", lambda images: images[0]),
        lambda w: Request(_url("theme_image_remove", w.theme().pk, 999_999), {}),
    ),
    "theme_image_earlier": Act(
        lambda w: _image_request(w, "theme_image_earlier", lambda images: images[1]),
        lambda w: Request(_url("theme_image_earlier", w.theme().pk, 999_999), {}),
    ),
    "theme_media_add": Act(
        lambda w: Request(
            _url("theme_media_add", w.theme().pk),
            {"kind": "voice", "file": media_upload(MP3, "a.mp3")},
        ),
        lambda w: Request(
            _url("theme_media_add", w.theme().pk),
            {"kind": "video", "file": media_upload(MP3, "a.mp4")},
        ),
    ),
    "theme_media_remove": Act(
        lambda w: _media_remove_request(w),
        lambda w: _media_remove_request(w, media_id=999_999),
    ),
    "poster_template_new": Act(
        lambda w: Request(
            _url("poster_template_new"), {"name": "新年红", "background": background_upload()}
        ),
        lambda w: Request(
            _url("poster_template_new"),
            {"name": "新年红", "background": background_upload((300, 400))},
        ),
    ),
    "poster_template_edit": Act(
        lambda w: Request(_url("poster_template_edit", w.poster_template().pk), _placement_data()),
        lambda w: Request(
            _url("poster_template_edit", w.poster_template().pk), _placement_data(qr_x="700")
        ),
    ),
    "poster_template_activate": Act(
        lambda w: Request(_url("poster_template_activate", w.poster_template(in_use=False).pk), {}),
        lambda w: Request(_url("poster_template_activate", w.poster_template().pk), {}),
    ),
    "poster_template_deactivate": Act(
        lambda w: Request(_url("poster_template_deactivate", w.poster_template().pk), {}),
        lambda w: Request(
            _url("poster_template_deactivate", w.poster_template(in_use=False).pk), {}
        ),
    ),
    # Orders
    "order_ship": Act(
        _order_act("order_ship", World.paid, {"carrier": "sf", "tracking_no": "SF1402837465920"}),
        _order_act("order_ship", World.paid, {"carrier": "sf", "tracking_no": "SF9"}),
    ),
    "order_deliver": Act(
        _order_act("order_deliver", World.shipped, {"signed_at": ""}),
        _order_act("order_deliver", World.shipped, {"signed_at": "2999-01-01 10:00"}),
    ),
    "waybill_import": Act(
        lambda w: _waybill_request(w, "SF1402837465920"),
        lambda w: _waybill_request(w, "SF9"),
        entries=2,
    ),
    "order_cancel": Act(
        _order_act("order_cancel", World.placed, {"reason": "客户要求"}),
        _order_act("order_cancel", World.paid, {"reason": "客户要求"}),
    ),
    # Members: coupons
    "coupon_template_new": Act(
        lambda w: Request(_url("coupon_template_new"), _coupon_form()),
        lambda w: Request(
            _url("coupon_template_new"), _coupon_form(kind="percent_off", percent_off="120")
        ),
    ),
    "coupon_template_edit": Act(
        lambda w: Request(
            _url("coupon_template_edit", w.coupon_template().pk), _coupon_form(name="满100减25")
        ),
        lambda w: Request(
            _url("coupon_template_edit", w.coupon_template().pk), _coupon_form(amount_off="0")
        ),
    ),
    "coupon_template_deactivate": Act(
        lambda w: Request(_url("coupon_template_deactivate", w.coupon_template().pk), {}),
        lambda w: Request(
            _url("coupon_template_deactivate", w.coupon_template(active=False).pk), {}
        ),
    ),
    "coupon_issue": Act(
        lambda w: _issue_request(w, "b" * 32),
        lambda w: _issue_request(w, ""),
    ),
    "coupon_segment": Act(
        lambda w: _segment_request(w),
        lambda w: _segment_request(w, segment="bought_within"),
    ),
    "coupon_rules": Act(
        lambda w: Request(
            _url("coupon_rules"), {"rule": "new_member", "template": w.coupon_template().pk}
        ),
        lambda w: Request(
            _url("coupon_rules"), {"rule": "anniversary", "template": w.coupon_template().pk}
        ),
    ),
    # Campaigns
    "campaign_new": Act(
        lambda w: Request(_url("campaign_new"), _campaign_form(w.make_product())),
        lambda w: Request(_url("campaign_new"), _campaign_form(w.make_product(), target_units="0")),
    ),
    "campaign_edit": Act(
        lambda w: Request(
            _url("campaign_edit", _campaign(w).pk), _campaign_form(w.make_product(), name="改")
        ),
        lambda w: Request(
            _url("campaign_edit", _campaign(w).pk), _campaign_form(w.make_product(), items="")
        ),
    ),
    "campaign_publish": Act(
        lambda w: Request(_url("campaign_publish", _campaign(w).pk), {}),
        lambda w: Request(_url("campaign_publish", _campaign(w, publish=True).pk), {}),
    ),
    "campaign_end": Act(
        lambda w: Request(_url("campaign_end", _campaign(w, publish=True).pk), {}),
        lambda w: Request(_url("campaign_end", _campaign(w).pk), {}),
    ),
    # Freight template
    "freight": Act(
        lambda w: Request(_url("freight"), {"province": "", "fee": "8", "free_from": "99"}),
        lambda w: Request(_url("freight"), {"province": "", "fee": "-8"}),
    ),
    "freight_delete": Act(
        lambda w: Request(_url("freight_delete"), {"province": w.freight_rule().province_code}),
        lambda w: Request(_url("freight_delete"), {"province": "99"}),
    ),
    # Products for points
    "redemption_list": Act(
        lambda w: Request(
            _url("redemption_list"), {"sku": w.make_product().pk, "points": "800", "cash": "9.9"}
        ),
        lambda w: Request(
            _url("redemption_list"), {"sku": w.make_product().pk, "points": "800", "cash": "99"}
        ),
    ),
    "redemption_retire": Act(
        lambda w: Request(_url("redemption_retire"), {"redemption": w.redemption().pk}),
        lambda w: Request(_url("redemption_retire"), {"redemption": "999999"}),
    ),
    # Returns
    "return_approve": Act(
        _return_act("return_approve", World.requested_return),
        _return_act("return_approve", World.approved_return),
    ),
    "return_reject": Act(
        _return_act("return_reject", World.requested_return, {"reason": "已拆封"}),
        _return_act("return_reject", World.requested_return, {"reason": " "}),
    ),
    "return_receive": Act(
        _return_act("return_receive", World.approved_return),
        _return_act("return_receive", World.requested_return),
    ),
    "return_refund": Act(
        _return_act("return_refund", World.received_return),
        _return_act("return_refund", World.approved_return),
    ),
    # After-sales settings and return addresses
    "after_sales": Act(
        lambda w: Request(_url("after_sales"), {"auto_confirm_days": "7"}),
        lambda w: Request(_url("after_sales"), {"auto_confirm_days": "0"}),
    ),
    "return_address_add": Act(
        lambda w: Request(_url("return_address_add"), _return_address_data()),
        lambda w: Request(_url("return_address_add"), _return_address_data(phone="")),
    ),
    "return_address_edit": Act(
        lambda w: Request(
            _url("return_address_edit", w.return_address().pk),
            _return_address_data(recipient="李四"),
        ),
        lambda w: Request(
            _url("return_address_edit", w.return_address().pk), _return_address_data(address="")
        ),
    ),
    "return_address_retire": Act(
        lambda w: Request(_url("return_address_retire", w.return_address().pk), {}),
        lambda w: Request(_url("return_address_retire", w.retired_return_address().pk), {}),
    ),
    # Catalogue, stock, prices
    "product_new": Act(
        lambda w: Request(_url("product_new"), _product_data(w.published_sku().product.category)),
        lambda w: Request(
            _url("product_new"), _product_data(w.published_sku().product.category, name="")
        ),
    ),
    "product_edit": Act(
        lambda w: Request(
            _url("product_edit", (p := w.published_sku().product).pk), _product_data(p.category)
        ),
        lambda w: Request(
            _url("product_edit", (p := w.published_sku().product).pk),
            _product_data(p.category, slug="no spaces"),
        ),
    ),
    "sku_add": Act(
        lambda w: Request(_url("sku_add", w.draft_product().pk), _sku_data()),
        lambda w: Request(_url("sku_add", w.draft_product().pk), _sku_data(price="abc")),
    ),
    "image_add": Act(
        lambda w: Request(_url("image_add", w.draft_product().pk), {"image": png_upload()}),
        lambda w: Request(_url("image_add", w.draft_product().pk), {}),
    ),
    "image_remove": Act(
        lambda w: Request(_url("image_remove", (i := w.image()).product_id, i.pk), {}),
        lambda w: Request(_url("image_remove", w.image().product_id, 999_999), {}),
    ),
    "category_add": Act(
        lambda w: Request(_url("category_add"), {"name": "礼盒", "slug": "gift"}),
        lambda w: Request(_url("category_add"), {"name": "礼盒", "slug": "gift box"}),
    ),
    "product_publish": Act(
        lambda w: Request(_url("product_publish", w.draft_product().pk), {}),
        lambda w: Request(_url("product_publish", w.draft_product(with_sku=False).pk), {}),
    ),
    "product_unpublish": Act(
        lambda w: Request(_url("product_unpublish", w.published_sku().product_id), {}),
        lambda w: Request(_url("product_unpublish", 999_999), {}),
    ),
    "price_periods": Act(
        lambda w: _period_request(w),
        lambda w: _period_request(w, price="-1"),
    ),
    "price_period_delete": Act(
        lambda w: Request(_url("price_period_delete", (p := w.period()).sku.product_id, p.pk), {}),
        lambda w: Request(_url("price_period_delete", w.period().sku.product_id, 999_999), {}),
    ),
    "stock_set": Act(
        lambda w: Request(_url("stock_set", w.published_sku().pk), {"on_hand": "42"}),
        lambda w: Request(_url("stock_set", w.published_sku().pk), {"on_hand": "-1"}),
    ),
    "sku_edit": Act(
        lambda w: Request(_url("sku_edit", w.published_sku().pk), {"name": "1kg", "price": "49"}),
        lambda w: Request(_url("sku_edit", w.published_sku().pk), {"name": "1kg", "price": ""}),
    ),
    "sku_cost": Act(
        lambda w: Request(_url("sku_cost", w.published_sku().pk), {"cost": "12.50"}),
        lambda w: Request(_url("sku_cost", w.published_sku().pk), {"cost": "-1"}),
    ),
    "sku_activate": Act(
        lambda w: Request(_url("sku_activate", w.inactive_sku().pk), {}),
        lambda w: Request(_url("sku_activate", 999_999), {}),
    ),
    "sku_deactivate": Act(
        lambda w: Request(_url("sku_deactivate", w.draft_product().skus.get().pk), {}),
        lambda w: Request(_url("sku_deactivate", w.published_sku().pk), {}),  # the last on sale
    ),
    # The creative group
    "idea_accept": Act(
        lambda w: Request(_url("idea_accept", w.idea().pk), {"points": "100"}),
        lambda w: Request(_url("idea_accept", w.idea().pk), {"points": "-1"}),
    ),
    "idea_reject": Act(
        lambda w: Request(_url("idea_reject", w.idea().pk), {"reason": "不合适"}),
        lambda w: Request(_url("idea_reject", w.idea().pk), {"reason": ""}),
    ),
    # Complaints and the blacklist
    "complaint_answer": Act(
        lambda w: Request(_url("complaint_answer", w.complaint().number), {"text": "您好"}),
        lambda w: Request(_url("complaint_answer", w.complaint().number), {"text": ""}),
    ),
    "complaint_resolve": Act(
        lambda w: Request(
            _url("complaint_resolve", w.complaint(answered=True).number), {"text": "已补发"}
        ),
        lambda w: Request(_url("complaint_resolve", w.complaint().number), {"text": "已补发"}),
    ),
    "complaint_reject": Act(
        lambda w: Request(
            _url("complaint_reject", w.complaint(answered=True).number), {"text": "完好"}
        ),
        lambda w: Request(
            _url("complaint_reject", w.complaint(answered=True).number), {"text": ""}
        ),
    ),
    "complaint_refund": Act(
        lambda w: Request(
            _url("complaint_refund", w.complaint(answered=True, delivered=True).number),
            {"text": "退一半", "amount": "10.00"},
        ),
        lambda w: Request(
            _url("complaint_refund", w.complaint(answered=True, delivered=True).number),
            {"text": "退一半", "amount": "-1"},
        ),
    ),
    # Quality claims
    "aftersales_settings": Act(
        lambda w: Request(_url("aftersales_settings"), {"claim_days": "365"}),
        lambda w: Request(_url("aftersales_settings"), {"claim_days": "3"}),
    ),
    "claim_approve": Act(
        lambda w: Request(_url("claim_approve", w.claim().number), {"remedy": "refund"}),
        lambda w: Request(_url("claim_approve", w.approved_claim().number), {"remedy": "refund"}),
    ),
    "claim_reject": Act(
        lambda w: Request(_url("claim_reject", w.claim().number), {"reason": "人为损坏"}),
        lambda w: Request(_url("claim_reject", w.claim().number), {"reason": ""}),
    ),
    "claim_ship": Act(
        lambda w: Request(
            _url("claim_ship", w.approved_claim().number),
            {"carrier": "sf", "tracking_no": "SF1402837465920"},
        ),
        lambda w: Request(
            _url("claim_ship", w.claim().number),
            {"carrier": "sf", "tracking_no": "SF1402837465920"},
        ),
    ),
    "blacklist_add": Act(
        lambda w: Request(
            _url("blacklist_add"), {"mobile": w.make_customer().mobile, "reason": "恶意"}
        ),
        lambda w: Request(_url("blacklist_add"), {"mobile": w.make_customer().mobile}),
    ),
    "blacklist_lift": Act(
        lambda w: Request(
            _url("blacklist_lift"), {"mobile": w.blacklisted().mobile, "reason": "误判"}
        ),
        lambda w: Request(_url("blacklist_lift"), {"mobile": w.blacklisted().mobile}),
    ),
    # Commission plan
    "plan_new": Act(
        lambda w: Request(_url("plan_new"), form_data(action="save")),
        lambda w: Request(_url("plan_new"), form_data(action="save", default_rate="五")),
    ),
    # Licences
    "licence_list": Act(
        lambda w: Request(_url("licence_list"), _licence_data()),
        lambda w: Request(_url("licence_list"), _licence_data(number="")),
    ),
    "licence_edit": Act(
        lambda w: Request(_url("licence_edit", w.licence().pk), _licence_data()),
        lambda w: Request(_url("licence_edit", w.licence().pk), _licence_data(issued_on="x")),
    ),
    "licence_retire": Act(
        lambda w: Request(_url("licence_retire", w.licence().pk), {"reason": "已注销"}),
        lambda w: Request(_url("licence_retire", w.licence().pk), {"reason": ""}),
    ),
    # Distribution
    "customer_reassign": Act(
        lambda w: _reassign_request(w, "客户要求"),
        lambda w: _reassign_request(w, ""),
    ),
    "distributor_status": Act(
        lambda w: Request(
            _url("distributor_status", w.distributor().pk, "freeze"), {"reason": "刷单"}
        ),
        lambda w: Request(_url("distributor_status", w.distributor().pk, "freeze"), {"reason": ""}),
    ),
    "application_act": Act(
        lambda w: Request(_url("application_act", w.application().pk, "approve"), {}),
        lambda w: Request(_url("application_act", w.application().pk, "reject"), {"reason": ""}),
    ),
    "withdrawal_act": Act(
        lambda w: Request(_url("withdrawal_act", w.withdrawal().pk, "approve"), {}),
        lambda w: Request(_url("withdrawal_act", w.withdrawal().pk, "reject"), {"reason": ""}),
    ),
    "withholding_rule": Act(
        lambda w: Request(_url("withholding_rule"), {"kind": "flat", "rate_pc": "3"}),
        lambda w: Request(_url("withholding_rule"), {"kind": "flat", "rate_pc": "三"}),
    ),
    "tax_remit": Act(
        lambda w: _tax_remit_request(w, "3.00"),
        lambda w: _tax_remit_request(w, "10.00"),
    ),
    "held_commission_act": Act(
        lambda w: Request(
            _url("held_commission_act", w.held_commission().pk, "release"), {"reason": "熟客"}
        ),
        lambda w: Request(
            _url("held_commission_act", w.held_commission().pk, "reject"), {"reason": ""}
        ),
    ),
    "programme": Act(
        lambda w: _programme_request(w),
        lambda w: _programme_request(w, binding_window_days="0"),
    ),
    # Members and rewards
    "loyalty_settings": Act(
        lambda w: Request(_url("loyalty_settings"), _points_settings()),
        lambda w: Request(_url("loyalty_settings"), _points_settings(points_valid_days="7")),
    ),
    "tier_add": Act(
        lambda w: Request(_url("tier_add"), _tier_data()),
        lambda w: Request(_url("tier_add"), _tier_data(threshold="100")),  # none from ¥0
    ),
    "tier_edit": Act(
        lambda w: Request(_url("tier_edit", w.tier().pk), _tier_data(discount="1")),
        lambda w: Request(_url("tier_edit", w.tier().pk), _tier_data(multiplier="0.5")),
    ),
    "red_packet_add": Act(
        lambda w: Request(_url("red_packet_add"), _red_packet_data()),
        lambda w: Request(_url("red_packet_add"), _red_packet_data(points_cost="五百")),
    ),
    "red_packet_edit": Act(
        lambda w: Request(_url("red_packet_edit", w.red_packet().pk), _red_packet_data()),
        lambda w: Request(
            _url("red_packet_edit", w.red_packet().pk), _red_packet_data(amount="2000")
        ),
    ),
    "customer_points": Act(
        lambda w: Request(_url("customer_points", w.make_customer().pk), _award_data()),
        lambda w: Request(_url("customer_points", w.make_customer().pk), _award_data(points="0")),
    ),
    # A rule paying for the act of sharing is refused, with the rule it breaks
    "share_rewards": Act(
        lambda w: Request(_url("share_rewards"), _share_rule_data()),
        lambda w: Request(_url("share_rewards"), _share_rule_data(trigger="share")),
    ),
    # Community: stations, leaders, tags, segments, a customer's tags and station
    "station_list": Act(
        lambda w: Request(_url("station_list"), _station_data()),
        lambda w: Request(_url("station_list"), _station_data(name="")),
    ),
    "station_detail": Act(
        lambda w: Request(_url("station_detail", w.station().pk), _station_data(intro="新")),
        lambda w: Request(_url("station_detail", w.station().pk), _station_data(city="")),
    ),
    "station_close": Act(
        lambda w: Request(_url("station_close", w.station().pk), {}),
        lambda w: Request(_url("station_close", w.station(is_open=False).pk), {}),
    ),
    "leader_appoint": Act(
        lambda w: Request(
            _url("leader_appoint", w.station().pk),
            {"mobile": w.make_customer().mobile, "title": "团长"},
        ),
        lambda w: Request(_url("leader_appoint", w.station().pk), {"mobile": "139"}),
    ),
    "leader_remove": Act(
        lambda w: Request(_url("leader_remove", w.leader().pk), {}),
        lambda w: Request(_url("leader_remove", 999_999), {}),
    ),
    "tag_list": Act(
        lambda w: Request(_url("tag_list"), {"name": "宝妈"}),
        lambda w: Request(_url("tag_list"), {"name": " "}),
    ),
    "tag_rename": Act(
        lambda w: Request(_url("tag_rename", w.tag().pk), {"name": "宝妈"}),
        lambda w: Request(_url("tag_rename", w.tag().pk), {"name": "长" * 21}),
    ),
    "tag_delete": Act(
        lambda w: Request(_url("tag_delete", w.tag().pk), {}),
        lambda w: Request(_url("tag_delete", w.tag_in_use().pk), {}),
    ),
    "segment_new": Act(
        lambda w: Request(_url("segment_new"), {"name": "复购", "min_orders": "3"}),
        lambda w: Request(_url("segment_new"), {"name": "复购", "min_orders": "三"}),
    ),
    "segment_edit": Act(
        lambda w: Request(
            _url("segment_edit", w.segment().pk), {"name": "沉睡", "no_order_days": "60"}
        ),
        lambda w: Request(
            _url("segment_edit", w.segment().pk),
            {"name": "矛盾", "ordered_within_days": "30", "no_order_days": "30"},
        ),
    ),
    "segment_delete": Act(
        lambda w: Request(_url("segment_delete", w.segment().pk), {}),
        lambda w: Request(_url("segment_delete", w.segment_in_use().pk), {}),
    ),
    "customer_tag": Act(
        _customer_act("customer_tag", lambda w: {"tag": w.tag().pk}),
        _customer_act("customer_tag", lambda w: {"tag": "999999"}),
    ),
    "customer_untag": Act(
        lambda w: _untag_request(w, tagged=True),
        lambda w: _untag_request(w, tagged=False),
    ),
    "customer_station": Act(
        _customer_act("customer_station", lambda w: {"station": w.station().pk}),
        _customer_act("customer_station", lambda w: {"station": w.station(is_open=False).pk}),
    ),
    # Training courses
    "course_list": Act(
        lambda w: Request(_url("course_list"), {"title": "新人上手", "is_onboarding": "on"}),
        lambda w: Request(_url("course_list"), {"title": ""}),
    ),
    "course_detail": Act(
        lambda w: Request(_url("course_detail", w.course().pk), {"title": "开店七步"}),
        lambda w: Request(_url("course_detail", w.course().pk), {"title": "课" * 61}),
    ),
    "team_list": Act(
        lambda w: Request(
            _url("team_list"), {"name": "一队", "leader_username": w.colleague.username}
        ),
        lambda w: Request(_url("team_list"), {"name": "一队"}),
    ),
    "team_detail": Act(
        lambda w: Request(_url("team_detail", w.team().pk), {"name": "新名"}),
        lambda w: Request(_url("team_detail", w.team().pk), {"name": " "}),
    ),
    "team_leader": Act(
        lambda w: Request(
            _url("team_leader", w.team().pk), {"leader_mobile": w.distributor().customer.mobile}
        ),
        lambda w: Request(_url("team_leader", w.team().pk), {"leader_mobile": "139"}),
    ),
    "team_close": Act(
        lambda w: Request(_url("team_close", w.team().pk), {}),
        lambda w: Request(_url("team_close", w.team(is_open=False).pk), {}),
    ),
    "team_member_add": Act(
        lambda w: Request(
            _url("team_member_add", w.team().pk),
            {"mobile": w.distributor().customer.mobile, "reason": "新人"},
        ),
        lambda w: Request(_url("team_member_add", w.team().pk), {"mobile": "139"}),
    ),
    "team_member_remove": Act(
        lambda w: (
            lambda team, member: Request(
                _url("team_member_remove", team.pk), {"distributor": member.pk, "reason": "调岗"}
            )
        )(*w.team_member()),
        lambda w: Request(_url("team_member_remove", w.team().pk), {"distributor": 999_999}),
    ),
    "team_course_assign": Act(
        lambda w: Request(
            _url("team_course_assign", w.team().pk),
            {"course": w.course(lessons=1, published=True).pk},
        ),
        lambda w: Request(_url("team_course_assign", w.team().pk), {"course": w.course().pk}),
    ),
    "team_course_unassign": Act(
        lambda w: (
            lambda team, course: Request(
                _url("team_course_unassign", team.pk), {"course": course.pk}
            )
        )(*w.team_with_course()),
        lambda w: Request(
            _url("team_course_unassign", w.team().pk),
            {"course": w.course(lessons=1, published=True).pk},
        ),
    ),
    "my_team_course": Act(
        lambda w: Request(
            _url("my_team_course"),
            {
                "team": w.team_led_by_actor().pk,
                "course": w.course(lessons=1, published=True).pk,
                "action": "assign",
            },
        ),
        lambda w: Request(
            _url("my_team_course"),
            {
                "team": w.team().pk,
                "course": w.course(lessons=1, published=True).pk,
                "action": "assign",
            },
        ),
    ),
    "course_publish": Act(
        lambda w: Request(_url("course_publish", w.course(lessons=1).pk), {}),
        lambda w: Request(_url("course_publish", w.course().pk), {}),
    ),
    "course_unpublish": Act(
        lambda w: Request(_url("course_unpublish", w.course(lessons=1, published=True).pk), {}),
        lambda w: Request(_url("course_unpublish", w.course().pk), {}),
    ),
    "lesson_new": Act(
        lambda w: Request(
            _url("lesson_new", w.course().pk), {"title": "加好友", "body": "<p>先问候</p>"}
        ),
        lambda w: Request(
            _url("lesson_new", w.course().pk), {"title": "加好友", "body": "<script>x</script>"}
        ),
    ),
    "lesson_edit": Act(
        lambda w: Request(
            _url("lesson_edit", (le := w.lesson()).course_id, le.pk),
            {"title": "加好友", "body": "<p>先问候，再介绍</p>"},
        ),
        lambda w: Request(
            _url("lesson_edit", (le := w.lesson()).course_id, le.pk), {"title": "", "body": "x"}
        ),
    ),
    "lesson_move": Act(
        lambda w: Request(
            _url("lesson_move", (le := w.lesson(1)).course_id, le.pk), {"direction": "up"}
        ),
        lambda w: Request(
            _url("lesson_move", (le := w.lesson(0)).course_id, le.pk), {"direction": "up"}
        ),
    ),
    "lesson_delete": Act(
        lambda w: Request(_url("lesson_delete", (le := w.lesson()).course_id, le.pk), {}),
        lambda w: Request(_url("lesson_delete", w.course().pk, 999_999), {}),
    ),
    "lesson_image": Act(
        lambda w: Request(_url("lesson_image"), {"image": png_upload()}),
        lambda w: Request(_url("lesson_image"), {}),
    ),
    # Content: the cadence and care list settings, the repurchase intervals
    "content_settings": Act(
        lambda w: Request(_url("content_settings"), _content_settings()),
        lambda w: Request(_url("content_settings"), _content_settings(posts_min_per_day="9")),
    ),
    "repurchase_intervals": Act(
        lambda w: Request(
            _url("repurchase_intervals"), {f"days_{w.make_product().product_id}": "30"}
        ),
        lambda w: Request(
            _url("repurchase_intervals"), {f"days_{w.make_product().product_id}": "0"}
        ),
    ),
    # Analytics
    "analytics_funnel_threshold": Act(
        lambda w: Request(_url("analytics_funnel_threshold"), {"threshold": "8000"}),
        lambda w: Request(_url("analytics_funnel_threshold"), {"threshold": "0"}),
    ),
    # Staff
    "staff_create": Act(
        lambda w: Request(
            _url("staff_create"),
            {"username": "kefu", "password": "a-long-pass-2025", "role": "customer_service"},
        ),
        lambda w: Request(
            _url("staff_create"), {"username": "kefu", "password": "1", "role": "finance"}
        ),
    ),
    "staff_role": Act(
        lambda w: Request(_url("staff_role", _staff_member().pk), {"role": "customer_service"}),
        lambda w: Request(_url("staff_role", _staff_member().pk), {"role": "king"}),
    ),
    "staff_deactivate": Act(
        lambda w: Request(_url("staff_deactivate", _staff_member().pk), {"reason": "离职"}),
        lambda w: Request(_url("staff_deactivate", w.actor.pk), {"reason": "离职"}),
    ),
    "api_key_create": Act(
        lambda w: Request(_url("api_key_create"), {"name": "仓库ERP", "role": "operator"}),
        lambda w: Request(_url("api_key_create"), {"name": "仓库ERP", "role": "king"}),
    ),
    "api_key_revoke": Act(
        lambda w: Request(_url("api_key_revoke", w.api_key().pk), {}),
        lambda w: Request(_url("api_key_revoke", w.api_key(revoked=True).pk), {}),
    ),
    # Reseller mode
    "reseller_pricing": Act(
        lambda w: Request(
            _url("reseller_pricing", (sku := w.published_sku()).product_id),
            {"sku": sku.pk, "supply": "30", "ceiling": "50", "is_open": "on"},
        ),
        lambda w: Request(
            _url("reseller_pricing", (sku := w.published_sku()).product_id),
            {"sku": sku.pk, "supply": "50", "ceiling": "30", "is_open": "on"},
        ),
    ),
    "reseller_approve": Act(
        lambda w: Request(_url("reseller_approve"), {"store": w.distributor().slug}),
        lambda w: Request(_url("reseller_approve"), {"store": "no-such-store"}),
    ),
    "reseller_revoke": Act(
        lambda w: Request(_url("reseller_revoke"), {"store": _reseller(w).slug, "reason": "x"}),
        lambda w: Request(_url("reseller_revoke"), {"store": _reseller(w).slug, "reason": ""}),
    ),
}


def acting_role(name: str) -> str:
    """The least-privileged role that may act on the route: the owner only if nobody else may."""
    writers = roles.allowed_roles(name, "POST")
    others = sorted(writers - {roles.OWNER})
    return others[0] if others else roles.OWNER


def test_every_console_route_is_walked():
    assert not (set(ACTS) & READ_ONLY)
    assert set(console_routes()) == set(ACTS) | READ_ONLY | roles.OPEN_ROUTES


@pytest.fixture
def world(brand, make_customer, make_product, make_distributor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    Category.objects.get_or_create(slug="jujube", defaults={"name": "红枣"})
    return World(make_customer, make_product, make_distributor)


@pytest.fixture
def sign_in(client):
    def sign_in(world, role):
        user = _staff_member(role)
        world.actor = user
        english(client).force_login(user)
        return client

    return sign_in


def _messages(response) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for message in response.context["messages"] if response.context else ():
        found.setdefault(message.level_tag, []).append(str(message))
    return found


def _post(client, request):
    return client.post(request.url, request.data, follow=True)


@pytest.mark.parametrize("name", sorted(ACTS))
def test_a_successful_act_is_audited_once_with_its_actor(name, world, sign_in):
    role = acting_role(name)
    client = sign_in(world, role)
    request = ACTS[name].valid(world)
    before = AuditEntry.objects.count()
    response = _post(client, request)
    outcome = _messages(response)
    assert response.status_code == 200 and outcome.get("success") and not outcome.get("error"), (
        outcome
    )
    entries = list(AuditEntry.objects.order_by("pk")[before:])
    assert [(entry.actor_id, entry.actor_label) for entry in entries] == [
        (world.actor.pk, world.actor.username)
    ] * ACTS[name].entries, [entry.action for entry in entries]


@pytest.mark.parametrize("name", sorted(ACTS))
def test_an_invalid_act_is_refused_and_not_audited(name, world, sign_in):
    client = sign_in(world, acting_role(name))
    request = ACTS[name].invalid(world)
    before = AuditEntry.objects.count()
    response = _post(client, request)
    assert response.status_code == 404 or _messages(response).get("error")
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("name", sorted(ACTS))
def test_a_role_that_may_not_act_is_refused_and_not_audited(name, world, sign_in):
    refused = sorted(roles.ALL_ROLES - roles.allowed_roles(name, "POST"))
    client = sign_in(world, refused[0])
    request = ACTS[name].valid(world)
    before = AuditEntry.objects.count()
    assert client.post(request.url, request.data).status_code == 403
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("name", sorted(READ_ONLY))
def test_a_post_to_a_reading_page_writes_nothing(name, world, sign_in, client):
    client = sign_in(world, roles.OWNER)
    args = ["0"] * len(console_routes()[name].pattern.converters)
    before = AuditEntry.objects.count()
    assert client.post(_url(name, *args), {}).status_code < 500
    assert AuditEntry.objects.count() == before
