"""The brand console's menu: the overview, then nine groups (analytics, orders, products,
distribution, members, community, content, compliance, settings). Each entry is a console route;
a role sees only the entries it may open (``roles``), and a group with none left is not shown."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import roles


@dataclass(frozen=True)
class Entry:
    nav: str  # what the page's view passes as ``nav``
    route: str
    label: object


GROUPS = [
    (
        "analytics",
        pgettext_lazy("console menu", "Analytics"),
        [
            Entry("analytics_factors", "analytics_factors", _("GMV factors")),
            Entry("analytics_funnel", "analytics_funnel", _("C→B funnel")),
            Entry("rankings", "analytics_rankings", _("Rankings")),
            Entry("health", "analytics_health", _("Distributor health")),
            Entry("cohorts", "analytics_cohorts", _("Repurchase cohorts")),
        ],
    ),
    (
        "orders",
        pgettext_lazy("console menu", "Orders"),
        [
            Entry("orders", "order_list", _("Orders")),
            Entry("shipping", "waybill_import", _("Batch shipping")),
            Entry("returns", "return_list", _("Returns")),
            Entry("claims", "claim_list", _("Quality claims")),
            Entry("customers", "customer_list", _("Customers")),
        ],
    ),
    (
        "products",
        pgettext_lazy("console menu", "Products"),
        [
            Entry("products", "product_list", _("Products & stock")),
            Entry("campaigns", "campaign_list", _("Campaigns")),
        ],
    ),
    (
        "distribution",
        pgettext_lazy("console menu", "Distribution"),
        [
            Entry("distributors", "distributor_list", _("Distributors")),
            Entry("applications", "application_list", _("Applications")),
            Entry("withdrawals", "withdrawal_list", _("Withdrawals")),
            Entry("held", "held_commission_list", _("Held commission")),
            Entry("plans", "plan_list", _("Commission plan")),
            Entry("resellers", "reseller_list", _("Resellers")),
            Entry("reseller_report", "reseller_report", _("Reseller report")),
            Entry("teams", "team_list", pgettext_lazy("console menu", "Teams")),
            Entry("my_team", "my_team", pgettext_lazy("console menu", "My team")),
        ],
    ),
    (
        "members",
        pgettext_lazy("console menu", "Members"),
        [
            Entry("coupons", "coupon_templates", _("Coupon templates")),
            Entry("coupon_segment", "coupon_segment", _("Issue coupons to a segment")),
            Entry("coupon_rules", "coupon_rules", _("Coupon rules")),
            Entry("redemptions", "redemption_list", _("Products for points")),
            Entry("share_rewards", "share_rewards", _("Share rewards")),
            Entry("top_sharers", "top_sharers", _("Top sharers")),
        ],
    ),
    (
        "community",
        pgettext_lazy("console menu", "Community"),
        [
            Entry("stations", "station_list", _("City stations")),
            Entry("tags", "tag_list", _("Tags")),
            Entry("segments", "segment_list", _("Segments")),
        ],
    ),
    (
        "content",
        pgettext_lazy("console menu", "Content"),
        [
            Entry("themes", "theme_list", _("Material library")),
            Entry("poster_templates", "poster_template_list", _("Poster templates")),
            Entry("theme_stats", "theme_stats", _("Theme use and sales")),
            Entry("ideas", "idea_list", _("Creative group")),
            Entry("courses", "course_list", _("Training courses")),
            Entry("content_cadence", "content_cadence", _("Posting cadence")),
            Entry("content_settings", "content_settings", _("Posting and care list settings")),
            Entry("repurchase_intervals", "repurchase_intervals", _("Repurchase intervals")),
        ],
    ),
    (
        "compliance",
        pgettext_lazy("console menu", "Compliance"),
        [
            Entry("complaints", "complaint_list", _("Complaints")),
            Entry("blacklist", "blacklist", _("Blacklist")),
            Entry("licences", "licence_list", _("Licences")),
            Entry("export", "export", _("Regulator export")),
            Entry("audit", "audit_log", _("Audit log")),
        ],
    ),
    (
        "settings",
        pgettext_lazy("console menu", "Settings"),
        [
            Entry("after_sales", "after_sales", _("After-sales")),
            Entry("freight", "freight", _("Freight")),
            Entry("programme", "programme", _("Programme")),
            Entry("loyalty", "loyalty_settings", _("Members & points")),
            Entry("staff", "staff_list", _("Staff")),
            Entry("api_keys", "api_key_list", _("API keys")),
        ],
    ),
]


@dataclass(frozen=True)
class Link:
    url: str
    label: object
    current: bool


@dataclass(frozen=True)
class Group:
    key: str
    label: object
    links: list
    current: bool


def menu_for(user, *, nav: str = "", route: str = "") -> list[Group]:
    """The groups the user may open, with the current page (by ``nav`` or by route) marked."""
    groups = []
    for key, label, entries in GROUPS:
        links = [
            Link(
                url=reverse(f"console:{entry.route}"),
                label=entry.label,
                current=(nav == entry.nav if nav else route == entry.route),
            )
            for entry in entries
            if roles.user_can(user, entry.route, "GET")
        ]
        if links:
            groups.append(Group(key, label, links, any(link.current for link in links)))
    return groups
