from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weishang.crypto import EncryptedTextField


class BindingRule(models.TextChoices):
    LOCK = "lock", _("first binding is permanent (锁粉)")
    WINDOW = "window", _("binding lasts a number of days")
    LAST_CLICK = "last_click", _("every new share link rebinds")


class ProgrammeSettings(models.Model):
    """The brand's distribution programme settings: one row (see ``selectors.programme``)."""

    binding_rule = models.CharField(
        _("binding rule"), max_length=16, choices=BindingRule, default=BindingRule.WINDOW
    )
    binding_window_days = models.PositiveSmallIntegerField(_("binding window (days)"), default=30)
    self_purchase_earns = models.BooleanField(
        _("a distributor's own purchases earn commission"), default=False
    )
    withdrawal_min_fen = models.PositiveIntegerField(_("minimum withdrawal (fen)"), default=1000)
    withdrawal_daily_limit_fen = models.PositiveIntegerField(
        _("daily withdrawal limit (fen)"), default=2_000_000
    )
    review_order_amount_fen = models.PositiveIntegerField(
        _("hold commission for review on orders above (fen)"), default=500_000
    )
    review_refund_rate_bp = models.PositiveIntegerField(
        _("hold commission for review when the distributor's refund rate exceeds (bp)"),
        default=3000,
    )

    class Meta:
        verbose_name = _("programme settings")
        verbose_name_plural = _("programme settings")


class BusinessKind(models.TextChoices):
    """E-commerce Law Art. 10: a registered market entity, or the small-trade exemption."""

    REGISTERED = "registered", _("registered market entity (unified social credit code)")
    SMALL_TRADE = (
        "small_trade",
        _("individual exempt from registration (small trades, E-commerce Law Art. 10)"),
    )


class Distributor(models.Model):
    """A customer approved to share the brand's products and earn commission (小B)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        FROZEN = "frozen", _("frozen")
        BLACKLISTED = "blacklisted", _("blacklisted")

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.PROTECT, related_name="distributor"
    )
    slug = models.SlugField(_("store address"), max_length=40, unique=True)
    store_name = models.CharField(_("store name"), max_length=40)
    avatar = models.ImageField(_("avatar"), upload_to="avatars/%Y/%m/", blank=True)
    intro = models.CharField(_("introduction"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.ACTIVE)
    status_reason = models.CharField(_("reason for status"), max_length=300, blank=True)
    real_name = EncryptedTextField(_("real name"))
    id_number = EncryptedTextField(_("resident ID number"))
    id_number_masked = models.CharField(_("resident ID number"), max_length=18)
    # crypto.keyed_hash of the ID number, for the one-distributor-per-person index; cleared when
    # the account is closed, so the person may become a distributor again.
    id_number_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    business_kind = models.CharField(
        _("business registration"), max_length=16, choices=BusinessKind
    )
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    invited_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitees",
        help_text=_(
            "The team relationship; kept apart from which customers a distributor brought."
        ),
    )
    approved_at = models.DateTimeField(_("approved"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("distributor")
        verbose_name_plural = _("distributors")
        constraints = [
            models.CheckConstraint(
                condition=~Q(business_kind="registered", credit_code=""),
                name="registered_distributor_has_credit_code",
            ),
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=Q(id_number_hash__isnull=False),
                name="one_distributor_per_id_number",
            ),
        ]

    def __str__(self):
        return self.store_name

    @property
    def can_sell(self) -> bool:
        return self.status == self.Status.ACTIVE


class Application(models.Model):
    """A customer's request to become a distributor. Joining never costs anything
    (《禁止传销条例》Art. 7(2))."""

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting review")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", pgettext_lazy("application status", "rejected")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="distributor_applications"
    )
    real_name = EncryptedTextField(_("real name"))
    id_number = EncryptedTextField(_("resident ID number"))
    id_number_masked = models.CharField(_("resident ID number"), max_length=18)
    mobile = models.CharField(_("mobile"), max_length=11)
    business_kind = models.CharField(
        _("business registration"), max_length=16, choices=BusinessKind
    )
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    store_name = models.CharField(_("store name"), max_length=40)
    invited_by = models.ForeignKey(
        Distributor, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status, default=Status.PENDING)
    reject_reason = models.CharField(_("reason"), max_length=300, blank=True)
    submitted_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(status="pending"), name="one_pending_application"
            ),
        ]


class FeaturedProduct(models.Model):
    """A product a distributor chose to show first in his micro-store; he never sets its price."""

    distributor = models.ForeignKey(Distributor, on_delete=models.CASCADE, related_name="featured")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["distributor", "product"], name="feature_product_once")
        ]


class ShareSource(models.TextChoices):
    STORE_LINK = "store_link", _("store link")
    PRODUCT_LINK = "product_link", _("product link")
    QR = "qr", _("QR code")
    POSTER = "poster", _("poster")
    POST = "post", _("personal post")
    BRAND = "brand", _("reassigned by the brand")


class Binding(models.Model):
    """Who brought this customer (the customer relationship, 绑定) — current state."""

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, related_name="binding"
    )
    distributor = models.ForeignKey(Distributor, on_delete=models.PROTECT, related_name="bindings")
    source = models.CharField(max_length=16, choices=ShareSource)
    bound_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["distributor", "bound_at"])]


class BindingEvent(models.Model):
    """Append-only history of every binding change; never deleted, and updated only to replace
    the written reason when the customer closes his account (PIPL Art. 47)."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="binding_events"
    )
    distributor = models.ForeignKey(Distributor, on_delete=models.PROTECT, related_name="+")
    previous_distributor = models.ForeignKey(
        Distributor, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=16, choices=ShareSource)
    reason = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]


class ShareVisit(models.Model):
    """One opening of a distributor's share link, QR code or poster (his dashboard's visits)."""

    distributor = models.ForeignKey(Distributor, on_delete=models.CASCADE, related_name="visits")
    source = models.CharField(max_length=16, choices=ShareSource)
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    # Who opened it (``reach.person_of``); empty on visits recorded before it was kept.
    person = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["distributor", "created_at"])]


class Reach(models.Model):
    """The people a distributor's links reached on a day, each once: everyone who opened one of
    his share links, and every buyer of an order he is credited with (a buyer is reached, whatever
    brought him). ``distributor`` is 0 for a buyer no distributor brought. ``person`` is
    ``reach.person_of``: the customer, or for a visitor not signed in his device. Kept as the
    visits and payments happen, so the GMV factors count distinct people without scanning visits.
    """

    day = models.DateField()
    distributor = models.IntegerField()
    person = models.BigIntegerField()
    opened = models.BooleanField(default=False, help_text="Opened a share link that day.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "distributor", "person"], name="reach_once_a_day"
            )
        ]
        # Covering: the people a distributor reached in a period are counted from the index alone.
        indexes = [
            models.Index(
                fields=["distributor", "day"], include=["person"], name="reach_by_distributor"
            )
        ]


class PayoutAccount(models.Model):
    """Where a distributor's withdrawals are paid: a bank debit card, or a WeChat or Alipay
    account, always in his verified real name. The number is stored encrypted (PIPL Art. 51) and
    shown masked; finance sees it in full only on the page where it pays a withdrawal."""

    class Kind(models.TextChoices):
        BANK_CARD = "bank_card", pgettext_lazy("payout account", "bank card")
        WECHAT = "wechat", pgettext_lazy("payout account", "WeChat")
        ALIPAY = "alipay", pgettext_lazy("payout account", "Alipay")

    distributor = models.ForeignKey(
        Distributor, on_delete=models.PROTECT, related_name="payout_accounts"
    )
    kind = models.CharField(pgettext_lazy("payout account", "kind"), max_length=16, choices=Kind)
    holder_name = EncryptedTextField(_("account holder"))
    number = EncryptedTextField(_("card number or account"))
    number_masked = models.CharField(_("card number or account"), max_length=40)
    bank_code = models.CharField(pgettext_lazy("payout account", "bank"), max_length=16, blank=True)
    added_at = models.DateTimeField(pgettext_lazy("payout account", "added"))
    consented_at = models.DateTimeField(
        _("separate consent given"),
        help_text=_(
            "When he agreed, apart from anything else, that the brand keeps this account to pay "
            "him: a financial account is sensitive personal information (PIPL Art. 28, 29)."
        ),
    )
    removed_at = models.DateTimeField(
        pgettext_lazy("payout account", "removed"), null=True, blank=True
    )
    wechat_appid = models.CharField(max_length=32, blank=True, editable=False)
    wechat_openid = models.CharField(
        max_length=128,
        blank=True,
        editable=False,
        help_text="His openid under wechat_appid, linked when he signs in with WeChat: WeChat "
        "Pay's merchant transfers (商家转账) pay a WeChat account by it.",
    )

    class Meta:
        verbose_name = _("payout account")
        verbose_name_plural = _("payout accounts")
        ordering = ["-added_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="bank_card", bank_code=""), name="bank_card_names_its_bank"
            ),
        ]

    def __str__(self):
        return self.number_masked


class SharedProductDay(models.Model):
    """A product a distributor's link was opened on, once a day: the products he shared, which
    his sell-through (动销率) counts. Kept as visits are recorded, so the health page never
    scans the visits."""

    day = models.DateField()
    distributor = models.IntegerField()
    product = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["distributor", "day", "product"], name="shared_product_day_once"
            )
        ]


class Presence(models.Model):
    """A person seen on a day, brand-wide, by one of the counts of different people over a period:
    ``kind`` "reached" (reached by any link or as a buyer), "visitor" (opened a link), "buyer"
    (kept an order paid that day). ``since`` is the last day before it that the same count saw
    him (``presence.NEVER``: never before). See ``presence`` for why."""

    kind = models.CharField(max_length=8)
    day = models.DateField()
    person = models.BigIntegerField()
    since = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "person", "day"], name="presence_once_a_day")
        ]


class FirstSeen(models.Model):
    """How many people a count saw on ``day`` whose day before was ``since``, split over shards by
    person so that payments and visits never queue on one row."""

    kind = models.CharField(max_length=8)
    day = models.DateField()
    since = models.DateField()
    shard = models.SmallIntegerField()
    people = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "day", "since", "shard"], name="first_seen_once"
            )
        ]
