from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import divisions


class Customer(models.Model):
    """A shopper, identified by a mobile number proven with a one-time code, or by WeChat alone
    until he proves one (``mobile`` is then empty: NULL, which the unique index allows many of)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="customer"
    )
    mobile = models.CharField(_("mobile"), max_length=11, unique=True, null=True, blank=True)
    nickname = models.CharField(_("nickname"), max_length=40, blank=True)
    birthday = models.DateField(
        _("birthday"),
        null=True,
        blank=True,
        help_text=_("Optional: the brand sends a birthday coupon when it has one."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self):
        return self.nickname or self.mobile or f"#{self.pk}"


class OneTimeCode(models.Model):
    """A login code sent by SMS; only its hash is stored."""

    mobile = models.CharField(max_length=11, db_index=True)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)


class Address(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    recipient = models.CharField(_("recipient"), max_length=40)
    phone = models.CharField(_("phone"), max_length=11)
    province = models.CharField(_("province"), max_length=20)
    city = models.CharField(_("city"), max_length=20)
    district = models.CharField(_("district"), max_length=20, blank=True)
    detail = models.CharField(_("street address"), max_length=200)
    district_code = models.CharField(
        _("division code"),
        max_length=6,
        blank=True,
        default="",
        db_default="",
        help_text=_("GB/T 2260 code of the county or district; empty on addresses saved before."),
    )
    is_default = models.BooleanField(_("default address"), default=False)

    class Meta:
        ordering = ["-is_default", "pk"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(is_default=True), name="one_default_address"
            )
        ]

    def __str__(self):
        return f"{self.recipient} {self.one_line()}"

    def one_line(self) -> str:
        return f"{self.province}{self.city}{self.district}{self.detail}"

    @property
    def province_code(self) -> str:
        """The GB/T 2260 province code that freight rules are keyed by."""
        return self.district_code[:2] or divisions.province_code(self.province)


class Device(models.Model):
    """A browser (device cookie) a customer signed in from; fraud review compares these."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="devices")
    device_id = models.CharField(max_length=64)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "device_id"], name="device_once_per_customer"
            )
        ]
        indexes = [models.Index(fields=["device_id"])]


class WechatIdentity(models.Model):
    """A WeChat user as one of the brand's apps knows him (the official account's web sign-in or
    the mini-program): his openid there, and his unionid, the same across the brand's apps when
    they are linked on WeChat's open platform."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="wechat_identities"
    )
    appid = models.CharField(max_length=32)
    openid = models.CharField(max_length=64)
    unionid = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField()
    last_sign_in_at = models.DateTimeField()

    class Meta:
        verbose_name = _("WeChat identity")
        verbose_name_plural = _("WeChat identities")
        constraints = [
            models.UniqueConstraint(fields=["appid", "openid"], name="wechat_openid_once_per_app"),
            # One unionid is one person: every app's identity with it belongs to one customer.
            # (Two apps' rows share a unionid, so uniqueness is per app; the service keeps them
            # on one customer.)
            models.UniqueConstraint(
                fields=["appid", "unionid"],
                condition=~Q(unionid=""),
                name="wechat_unionid_once_per_app",
            ),
        ]
        indexes = [models.Index(fields=["unionid"], name="wechat_identity_unionid")]
