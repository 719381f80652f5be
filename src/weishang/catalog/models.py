from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Brand(models.Model):
    """The seller of record: one row, shown in every store footer (E-commerce Law Art. 12, 15)."""

    name = models.CharField(_("brand name"), max_length=100)
    company_name = models.CharField(_("company name"), max_length=200)
    business_licence_no = models.CharField(_("business licence (USCC)"), max_length=32)
    food_licence_no = models.CharField(_("food licence or filing no."), max_length=64, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    service_phone = models.CharField(_("customer service phone"), max_length=32, blank=True)
    return_shipping_paid_by_brand = models.BooleanField(
        _("brand pays return shipping"), default=False
    )

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brand")

    def __str__(self):
        return self.name


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(unique=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name


class ReturnClass(models.TextChoices):
    """How the 7-day no-reason return applies (Consumer Protection Law Art. 25): four classes are
    excluded by law (Online 7-day Returns Measures Art. 6); goods unsafe or changed once unsealed,
    devalued once activated, or sold as near-expiry or defective may be excluded only when the
    customer confirms it at purchase (Art. 7, 20)."""

    NORMAL = "normal", _("7-day no-reason return")
    CUSTOM_MADE = "custom_made", _("custom-made: no no-reason return")
    PERISHABLE = "perishable", _("fresh or perishable: no no-reason return")
    DIGITAL = "digital", _("unsealed digital goods: no no-reason return")
    PERIODICAL = "periodical", _("newspapers and periodicals: no no-reason return")
    EXCLUDABLE = "excludable", _("no no-reason return if you confirm at checkout")

    @classmethod
    def excluded_by_law(cls):
        return {cls.CUSTOM_MADE, cls.PERISHABLE, cls.DIGITAL, cls.PERIODICAL}


class Product(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("product status", "draft")
        PUBLISHED = "published", pgettext_lazy("product status", "published")

    name = models.CharField(_("name"), max_length=120)
    # Latin or Chinese (若羌灰枣) or none: without one, the product's address carries its id.
    slug = models.SlugField(_("slug"), allow_unicode=True, blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.DRAFT)
    is_food = models.BooleanField(_("food"), default=False)
    food_licence_no = models.CharField(_("food licence or filing no."), max_length=64, blank=True)
    return_class = models.CharField(
        _("return class"), max_length=16, choices=ReturnClass, default=ReturnClass.NORMAL
    )
    exclusion_reason = models.CharField(
        _("why returns may be excluded"),
        max_length=200,
        blank=True,
        help_text=_("Shown to the customer, who must confirm it at checkout."),
    )
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published", is_food=True, food_licence_no=""),
                name="published_food_has_licence",
                violation_error_message=_(
                    "A food product cannot be published without the brand's food licence "
                    "or filing number (Food Safety Law Art. 35)."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(return_class="excludable", exclusion_reason=""),
                name="excludable_has_reason",
            ),
            models.UniqueConstraint(
                fields=["slug"], condition=~Q(slug=""), name="product_slug_unique"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def url_key(self) -> str:
        """What the product's address carries: its slug, or its id when it has none (a slug
        is never all digits, so the two cannot be confused)."""
        return self.slug or str(self.pk)

    @property
    def needs_return_confirmation(self) -> bool:
        return self.return_class == ReturnClass.EXCLUDABLE

    @property
    def main_image(self):
        images = self.images.all()
        return images[0] if images else None


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="products/%Y/%m/")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]


class Sku(models.Model):
    """A sellable variant, e.g. 500 g or 1 kg. Prices are integer fen."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="skus")
    code = models.CharField(_("SKU code"), max_length=40, unique=True)
    name = models.CharField(_("specification"), max_length=60)
    list_price_fen = models.PositiveIntegerField(_("list price (fen)"))
    # What one unit costs the brand, for the commission plan's margin check; None is unknown.
    # Staff-only: never shown in the store or the distributor console.
    cost_fen = models.PositiveIntegerField(_("cost price (fen)"), null=True, blank=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")
        constraints = [
            models.CheckConstraint(condition=Q(list_price_fen__gt=0), name="sku_price_positive")
        ]

    def __str__(self):
        return f"{self.product.name} {self.name}"


class PricePeriod(models.Model):
    """A scheduled price for part of a product's life; periods never overlap."""

    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="price_periods")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    price_fen = models.PositiveIntegerField(_("price (fen)"))
    label = models.CharField(_("label"), max_length=60, blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="period_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(price_fen__gt=0), name="period_price_positive"),
        ]


class LicenceKind(models.TextChoices):
    BUSINESS_LICENCE = "business_licence", _("business licence")
    FOOD_PRODUCTION = "food_production", _("food production licence")
    FOOD_BUSINESS = "food_business", _("food business licence")
    FOOD_FILING = "food_filing", _("food sales filing")
    OTHER = "other", _("other licence")


class Licence(models.Model):
    """A licence the seller shows on every store page (E-commerce Law Art. 12, 15; Food Safety
    Law Art. 35). A retired licence stays as a record but is no longer shown."""

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="licences")
    kind = models.CharField(_("kind"), max_length=20, choices=LicenceKind)
    number = models.CharField(_("licence number"), max_length=64)
    holder = models.CharField(_("holder"), max_length=200)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(
        _("expires on"), null=True, blank=True, help_text=_("Leave empty if it never expires.")
    )
    image = models.ImageField(_("scan"), upload_to="licences/%Y/", blank=True)
    shown = models.BooleanField(_("shown in the store footer"), default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("issued_on")),
                name="licence_expires_after_issue",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"
