"""Staff roles in the brand console, as Django auth groups, and who may do what.

Every console route (by URL name) belongs to one AREA in ``ROUTE_AREAS``. Reading an area (GET,
HEAD) is open to every staff role unless the area names its readers (the regulator export, staff
management); any other method is a write and is open only to the area's writers. A route missing
from ``ROUTE_AREAS`` is refused for everyone, so a new page stays shut until it is mapped here.
``ConsoleRoleMiddleware`` applies this to every request in the ``console`` namespace."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from weishang.compliance.staff import OWNER, ROLES
from weishang.customers.rules import mask_mobile, mask_name

OPERATOR = "operator"
FINANCE = "finance"
CUSTOMER_SERVICE = "customer_service"
AUDITOR = "auditor"
ALL_ROLES = frozenset(ROLES)
SAFE_METHODS = frozenset({"GET", "HEAD"})
# Routes anyone may reach: the middleware leaves them to the views.
OPEN_ROUTES = frozenset({"login", "logout"})


@dataclass(frozen=True)
class Area:
    label: object
    writers: frozenset
    readers: frozenset = ALL_ROLES


def _area(label, *writers, readers=ALL_ROLES) -> Area:
    return Area(label, frozenset(writers), frozenset(readers))


AREAS = {
    "dashboard": _area(_("Dashboard")),
    "orders": _area(_("Orders and shipping"), OWNER, OPERATOR),
    # Packing lists, labels and waybill files carry every delivery address: only the roles that
    # ship open them (PIPL Art. 6).
    "shipping": _area(_("Packing lists and waybills"), OWNER, OPERATOR, readers={OWNER, OPERATOR}),
    "returns": _area(_("Return review"), OWNER, OPERATOR, CUSTOMER_SERVICE),
    "refunds": _area(_("Refunds"), OWNER, FINANCE),
    "products": _area(_("Products, stock and prices"), OWNER, OPERATOR),
    "licences": _area(_("Licences"), OWNER, OPERATOR),
    "plans": _area(_("Commission plan"), OWNER),
    "programme": _area(_("Programme settings"), OWNER),
    "distributors": _area(_("Distributors, applications and bindings"), OWNER, OPERATOR),
    "withdrawals": _area(_("Withdrawals and held commission"), OWNER, FINANCE),
    # The payee's full account number (PIPL Art. 51): only the roles that pay see it.
    "payouts": _area(_("Paying withdrawals"), OWNER, FINANCE, readers={OWNER, FINANCE}),
    "complaints": _area(_("Complaints and the customer blacklist"), OWNER, CUSTOMER_SERVICE),
    # A download, so a GET, but it carries personal data: only the roles that answer regulators.
    "export": _area(_("Regulator export"), readers={OWNER, AUDITOR, OPERATOR}),
    "audit": _area(_("Audit log")),
    "staff": _area(_("Staff and roles"), OWNER, readers={OWNER}),
    # Read only: every role finds a customer; FULL_CUSTOMER_DATA decides who sees his details.
    "customers": _area(_("Customers")),
    "after_sales": _area(_("After-sales settings and return addresses"), OWNER, OPERATOR),
    "aftersales": _area(_("Quality claim period"), OWNER),
    "coupons": _area(_("Coupons and products for points"), OWNER, OPERATOR),
    # Tiers, points and red packets set what members get and what the brand gives away.
    "loyalty": _area(_("Member tiers, points and red packets"), OWNER),
    # Awarding points by hand; finance and auditors read the members' points.
    "members": _area(_("Awarding points to members"), OWNER, OPERATOR),
    # The material library, poster templates, the creative group, posting cadence, care list
    # and training courses.
    "content": _area(_("Material library, creative group and training"), OWNER, OPERATOR),
    "community": _area(_("City stations, tags and segments"), OWNER, OPERATOR),
    # Sales figures: the roles that run, pay for and check the programme read them.
    "analytics": _area(_("Analytics"), OWNER, readers={OWNER, OPERATOR, FINANCE, AUDITOR}),
    # Reseller bands and approving resellers: the roles that run the catalogue and distribution.
    "reseller": _area(_("Reseller pricing and resellers"), OWNER, OPERATOR),
    # Teams carry each member's sales: the roles that run and check the programme read them.
    "teams": _area(_("Teams"), OWNER, OPERATOR, readers={OWNER, OPERATOR, AUDITOR}),
    # A staff member of any role may lead a team: the page shows only the teams he leads.
    "my_team": _area(_("My team")),
    # A staff leader assigns courses to the team he leads (the service checks he leads it);
    # the auditor only reads.
    "my_team_courses": _area(
        _("Courses for the team I lead"), OWNER, OPERATOR, FINANCE, CUSTOMER_SERVICE
    ),
    # Pre-sales, gift boxes and member-only events: prices and stock, like products.
    "campaigns": _area(_("Campaigns"), OWNER, OPERATOR),
}

# Roles that need a customer's full mobile, names and addresses: shipping, returns, complaints.
# The others see them masked (138****5678, 张*, the city only).
FULL_CUSTOMER_DATA = frozenset({OWNER, OPERATOR, CUSTOMER_SERVICE})

ROUTE_AREAS = {
    "analytics_factors": "analytics",
    "analytics_funnel": "analytics",
    "analytics_funnel_threshold": "analytics",
    "dashboard": "dashboard",
    "analytics_cohorts": "analytics",
    # Orders
    "campaign_list": "campaigns",
    "campaign_new": "campaigns",
    "campaign_detail": "campaigns",
    "campaign_edit": "campaigns",
    "campaign_publish": "campaigns",
    "campaign_end": "campaigns",
    "order_list": "orders",
    "order_detail": "orders",
    "order_ship": "orders",
    "order_deliver": "orders",
    "order_cancel": "orders",
    "packing_list": "shipping",
    "waybill_template": "shipping",
    "waybill_import": "shipping",
    "freight": "orders",
    # Members
    "redemption_list": "coupons",
    "redemption_retire": "coupons",
    "freight_delete": "orders",
    # Returns: reviewing and receiving them; refunding is money
    "return_list": "returns",
    "return_approve": "returns",
    "return_reject": "returns",
    "return_receive": "returns",
    "return_refund": "refunds",
    # After-sales settings and return addresses
    "after_sales": "after_sales",
    "return_address_add": "after_sales",
    "return_address_edit": "after_sales",
    "return_address_retire": "after_sales",
    # Catalogue, stock, prices
    "product_list": "products",
    "product_new": "products",
    "product_edit": "products",
    "sku_add": "products",
    "image_add": "products",
    "image_remove": "products",
    "category_add": "products",
    "product_publish": "products",
    "product_unpublish": "products",
    "price_periods": "products",
    "price_period_delete": "products",
    "stock_set": "products",
    "sku_edit": "products",
    "sku_cost": "products",
    "sku_activate": "products",
    "sku_deactivate": "products",
    # Complaints and the customer blacklist
    "complaint_list": "complaints",
    "complaint_detail": "complaints",
    "complaint_photo": "complaints",
    "complaint_answer": "complaints",
    "complaint_resolve": "complaints",
    "complaint_reject": "complaints",
    "blacklist": "complaints",
    "blacklist_add": "complaints",
    "blacklist_lift": "complaints",
    # Commission plan
    "plan_list": "plans",
    "plan_new": "plans",
    # Licences and the regulator export
    "licence_list": "licences",
    "licence_edit": "licences",
    "licence_retire": "licences",
    "export": "export",
    "export_download": "export",
    # Distribution
    "distributor_list": "distributors",
    "distributor_detail": "distributors",
    "customer_reassign": "distributors",
    "distributor_status": "distributors",
    "application_list": "distributors",
    "application_act": "distributors",
    "withdrawal_list": "withdrawals",
    "withdrawal_act": "withdrawals",
    "withdrawal_payee": "payouts",
    "withholding_rule": "withdrawals",
    "tax_remit": "withdrawals",
    "held_commission_list": "withdrawals",
    "held_commission_act": "withdrawals",
    "programme": "programme",
    # Customer share rewards: the rule is programme settings; the report is open to every role
    "share_rewards": "programme",
    "top_sharers": "programme",
    # Content
    "theme_stats": "content",
    # Compliance centre: audit log and staff
    "audit_log": "audit",
    "staff_list": "staff",
    "staff_create": "staff",
    "staff_role": "staff",
    "staff_deactivate": "staff",
    # Staff API keys: an integration acts with a role, so only the owner makes them
    "api_key_list": "staff",
    "api_key_create": "staff",
    "api_key_revoke": "staff",
    # Customers (CRM)
    "customer_list": "customers",
    "customer_detail": "customers",
    # Quality claims: customer service decides them, a refund included (Consumer Protection Law
    # Art. 24); a complaint's resolution may order a refund
    "claim_list": "returns",
    "claim_detail": "returns",
    "claim_photo": "returns",
    "claim_approve": "returns",
    "claim_reject": "returns",
    "claim_ship": "returns",
    "complaint_refund": "complaints",
    "aftersales_settings": "aftersales",
    # Members: coupons
    "coupon_templates": "coupons",
    "coupon_template_new": "coupons",
    "coupon_template_edit": "coupons",
    "coupon_template_deactivate": "coupons",
    "coupon_segment": "coupons",
    "coupon_rules": "coupons",
    "coupon_issue": "coupons",
    # Members and rewards
    "customer_points": "members",
    "loyalty_settings": "loyalty",
    "tier_add": "loyalty",
    "tier_edit": "loyalty",
    "red_packet_add": "loyalty",
    "red_packet_edit": "loyalty",
    # Community: city stations, opinion leaders, tags and segments; a customer's tags and
    # station are set from his CRM page
    "station_list": "community",
    "station_detail": "community",
    "station_close": "community",
    "leader_appoint": "community",
    "leader_remove": "community",
    "tag_list": "community",
    "tag_rename": "community",
    "tag_delete": "community",
    "segment_list": "community",
    "segment_new": "community",
    "segment_detail": "community",
    "segment_edit": "community",
    "segment_delete": "community",
    "customer_tag": "community",
    "customer_untag": "community",
    "customer_station": "community",
    # The material library and poster templates
    "theme_list": "content",
    "theme_new": "content",
    "theme_edit": "content",
    "theme_publish": "content",
    "theme_withdraw": "content",
    "theme_image_add": "content",
    "theme_image_remove": "content",
    "theme_image_earlier": "content",
    "theme_media_add": "content",
    "theme_media": "content",
    "theme_media_remove": "content",
    "poster_template_list": "content",
    "poster_template_new": "content",
    "poster_template_edit": "content",
    "poster_template_preview": "content",
    "poster_template_activate": "content",
    "poster_template_deactivate": "content",
    # Content: the creative group's review
    "idea_list": "content",
    "idea_detail": "content",
    "idea_accept": "content",
    "idea_reject": "content",
    # Training courses
    "course_list": "content",
    "course_detail": "content",
    "course_publish": "content",
    "course_unpublish": "content",
    "lesson_new": "content",
    "lesson_edit": "content",
    "lesson_move": "content",
    "lesson_delete": "content",
    "lesson_image": "content",
    # Content: posting cadence, its settings and the care list's repurchase intervals
    "content_cadence": "content",
    "content_settings": "content",
    "repurchase_intervals": "content",
    # Analytics: rankings and distributor health
    "analytics_rankings": "analytics",
    "analytics_health": "analytics",
    # Reseller mode
    "reseller_pricing": "reseller",
    "reseller_list": "reseller",
    "reseller_approve": "reseller",
    "reseller_revoke": "reseller",
    "reseller_report": "reseller",
    "reseller_detail": "reseller",
    # Teams
    "team_list": "teams",
    "team_detail": "teams",
    "team_leader": "teams",
    "team_close": "teams",
    "team_member_add": "teams",
    "team_member_remove": "teams",
    "team_course_assign": "teams",
    "team_course_unassign": "teams",
    "my_team": "my_team",
    "my_team_course": "my_team_courses",
}


def roles_of(user) -> frozenset:
    """The console roles a user holds; a superuser counts as owner. Cached on the user object."""
    cached = getattr(user, "_console_roles", None)
    if cached is not None:
        return cached
    if not (user.is_authenticated and user.is_active and user.is_staff):
        roles = frozenset()
    elif user.is_superuser:
        roles = frozenset({OWNER})
    else:
        roles = frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
    user._console_roles = roles
    return roles


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def area_of(url_name: str) -> Area | None:
    name = ROUTE_AREAS.get(url_name)
    return AREAS[name] if name else None


def allowed_roles(url_name: str, method: str) -> frozenset:
    """The roles that may send ``method`` to the route; empty for an unmapped route."""
    area = area_of(url_name)
    if area is None:
        return frozenset()
    return area.readers if method.upper() in SAFE_METHODS else area.writers


def can(role: str, url_name: str, method: str) -> bool:
    return role in allowed_roles(url_name, method)


def user_can(user, url_name: str, method: str) -> bool:
    return bool(roles_of(user) & allowed_roles(url_name, method))


def sees_full_customer_data(user) -> bool:
    return bool(roles_of(user) & FULL_CUSTOMER_DATA)


def role_sees_full_customer_data(role: str) -> bool:
    """For a staff API key, bound to one role."""
    return role in FULL_CUSTOMER_DATA


def order_contact(order, *, full: bool) -> tuple[str, str]:
    """The customer's mobile (empty for a customer who signed in with WeChat only) and the
    recipient of an order in a list, masked unless ``full``."""
    mobile = order.customer.mobile or ""
    if full:
        return mobile, order.recipient
    return mask_mobile(mobile) if mobile else "", mask_name(order.recipient)


def order_delivery(order, *, full: bool) -> dict[str, str]:
    """An order's delivery on its console page: roles that neither ship, take returns nor answer
    complaints see the mobiles masked, the recipient's surname only and the city, not the
    address."""
    mobile = order.customer.mobile or ""
    if full:
        return {
            "mobile": mobile,
            "recipient": order.recipient,
            "phone": order.phone,
            "address": order.address,
        }
    return {
        "mobile": mask_mobile(mobile) if mobile else "",
        "recipient": mask_name(order.recipient),
        "phone": mask_mobile(order.phone) if order.phone else "",
        "address": order.city,
    }


def role_labels(roles) -> str:
    return ", ".join(str(ROLES[role]) for role in ROLES if role in roles)


class _AreaFlags:
    """``{% if request.perms_area.orders %}``: whether the user may write (``write=True``) or read
    each area; an unknown area is False."""

    def __init__(self, user, *, write: bool):
        self.user, self.write = user, write

    def __getitem__(self, name: str) -> bool:
        area = AREAS.get(name)
        if area is None:
            return False
        return bool(roles_of(self.user) & (area.writers if self.write else area.readers))

    def __contains__(self, name: str) -> bool:
        return self[name]


def area_flags(user) -> tuple[_AreaFlags, _AreaFlags]:
    """(writable areas, readable areas) for templates."""
    return _AreaFlags(user, write=True), _AreaFlags(user, write=False)
