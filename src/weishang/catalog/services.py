"""Every write to the catalogue."""

import re
import uuid
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from weishang import uploads
from weishang.compliance import audit
from weishang.inventory.services import set_stock_on_hand
from weishang.transactions import step

from .errors import CatalogError
from .models import Brand, Category, PricePeriod, Product, ProductImage, ReturnClass, Sku
from .rules import PRODUCT_ID, overlaps

MAX_PRICE_FEN = 1_000_000_000  # ¥10,000,000.00, well inside a PositiveIntegerField
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000  # a 5 MB file can still declare a decompression bomb
IMAGE_FORMATS = uploads.EXTENSIONS
PRODUCT_FIELDS = (
    "name",
    "slug",
    "category",
    "description",
    "is_food",
    "food_licence_no",
    "return_class",
    "exclusion_reason",
)
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_UNICODE_SLUG = re.compile(r"^[-\w]+\Z")
SKU_FIELDS = ("code", "name", "list_price_fen", "is_active")


def _product_state(product: Product) -> dict:
    """A product's fields as the audit log keeps them (the category by its id)."""
    state = {name: getattr(product, name) for name in PRODUCT_FIELDS if name != "category"}
    return {**state, "category": product.category_id, "status": product.status}


def _sku_state(sku: Sku) -> dict:
    return {name: getattr(sku, name) for name in SKU_FIELDS}


def _period_state(period: PricePeriod) -> dict:
    return {
        "sku": period.sku_id,
        "starts_at": period.starts_at,
        "ends_at": period.ends_at,
        "price_fen": period.price_fen,
        "label": period.label,
    }


def _set_status(product: Product, status: str, *, actor, action: str) -> Product:
    """Saves the locked product's new status, audited when it changed."""
    before = {"status": product.status}
    product.status = status
    product.save(update_fields=["status"])
    audit.record_change(
        actor=actor, action=action, obj=product, before=before, after={"status": status}
    )
    return product


@transaction.atomic
def publish_product(*, product: Product, actor) -> Product:
    product = Product.objects.select_for_update().get(pk=product.pk)
    if product.is_food and not product.food_licence_no.strip():
        raise CatalogError(
            _(
                "A food product cannot be published without the brand's food licence or filing "
                "number (Food Safety Law Art. 35)."
            ),
            code="food_licence_missing",
        )
    if not product.skus.filter(is_active=True).exists():
        raise CatalogError(_("A product needs at least one active SKU before it is published."))
    return _set_status(product, Product.Status.PUBLISHED, actor=actor, action="product.publish")


@transaction.atomic
def unpublish_product(*, product: Product, actor) -> Product:
    product = Product.objects.select_for_update().get(pk=product.pk)
    return _set_status(product, Product.Status.DRAFT, actor=actor, action="product.unpublish")


@transaction.atomic
def schedule_price_period(
    *, sku: Sku, actor, starts_at: datetime, ends_at: datetime, price_fen: int, label: str = ""
) -> PricePeriod:
    """Adds a lifecycle price; refuses a period that overlaps another of the same SKU."""
    if not isinstance(price_fen, int) or price_fen <= 0:
        raise CatalogError(_("A price must be a positive whole number of fen."))
    if ends_at <= starts_at:
        raise CatalogError(_("A price period must end after it starts."))
    # Lock the SKU so two operators cannot add overlapping periods at the same time.
    Sku.objects.select_for_update().get(pk=sku.pk)
    for other in PricePeriod.objects.filter(sku=sku):
        if overlaps(starts_at, ends_at, other.starts_at, other.ends_at):
            raise CatalogError(
                _("This period overlaps the period from %(start)s to %(end)s.")
                % {
                    # In the brand's local time, as the operator entered it (not UTC).
                    "start": f"{timezone.localtime(other.starts_at):%Y-%m-%d %H:%M}",
                    "end": f"{timezone.localtime(other.ends_at):%Y-%m-%d %H:%M}",
                },
                code="price_period_overlap",
            )
    period = PricePeriod.objects.create(
        sku=sku, starts_at=starts_at, ends_at=ends_at, price_fen=price_fen, label=label
    )
    audit.record(actor=actor, action="price_period.add", obj=period, after=_period_state(period))
    return period


@transaction.atomic
def delete_price_period(*, period: PricePeriod, actor) -> None:
    audit.record(
        actor=actor, action="price_period.delete", obj=period, before=_period_state(period)
    )
    period.delete()


# Products, SKUs, images and categories ---------------------------------------------------------


def _text(value, *, model, field: str, required: bool = True) -> str:
    """A stripped text value that fits its column; SQLite would not refuse an over-long one."""
    text = str(value or "").strip()
    model_field = model._meta.get_field(field)
    if required and not text:
        raise CatalogError(
            _("Enter the %(field)s.") % {"field": model_field.verbose_name}, code="required"
        )
    if model_field.max_length and len(text) > model_field.max_length:
        raise CatalogError(
            _("The %(field)s can be at most %(n)d characters.")
            % {"field": model_field.verbose_name, "n": model_field.max_length},
            code="too_long",
        )
    return text


def _slug(value, *, model) -> str:
    slug = _text(value, model=model, field="slug")
    if not _SLUG.match(slug):
        raise CatalogError(
            _("A slug uses only English letters, digits, hyphens and underscores."),
            code="invalid_slug",
        )
    return slug


def _product_slug(value) -> str:
    """Letters of any script (若羌灰枣), digits, hyphens and underscores, or nothing at all; never
    digits only, which is how a product without a slug is addressed by its id."""
    slug = _text(value, model=Product, field="slug", required=False)
    if slug and not _UNICODE_SLUG.match(slug):
        raise CatalogError(
            _("A slug uses only letters (Chinese ones too), digits, hyphens and underscores."),
            code="invalid_slug",
        )
    if PRODUCT_ID.fullmatch(slug):
        raise CatalogError(
            _("A slug needs a letter: an address of digits only is a product's number."),
            code="invalid_slug",
        )
    return slug


def _price_fen(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise CatalogError(_("A price must be a positive whole number of fen."), code="bad_price")
    if value > MAX_PRICE_FEN:
        raise CatalogError(_("This price is too high."), code="bad_price")
    return value


def _next_position(queryset) -> int:
    highest = queryset.aggregate(highest=Max("position"))["highest"]
    return 0 if highest is None else highest + 1


def _duplicate_slug(slug: str) -> CatalogError:
    return CatalogError(
        _("Another product already uses the slug “%(slug)s”; choose another.") % {"slug": slug},
        code="duplicate_slug",
    )


def _check_product(product: Product) -> None:
    """The rules a product's fields must meet together, checked before the database sees them."""
    if product.return_class not in ReturnClass.values:
        raise CatalogError(_("Choose one of the return classes."), code="bad_return_class")
    if product.return_class == ReturnClass.EXCLUDABLE and not product.exclusion_reason:
        raise CatalogError(
            _(
                "Say why no-reason returns may be excluded; the customer must confirm it at "
                "checkout (Consumer Protection Law Art. 25)."
            ),
            code="exclusion_reason_missing",
        )
    if (
        product.status == Product.Status.PUBLISHED
        and product.is_food
        and not product.food_licence_no
    ):
        raise CatalogError(
            _(
                "A published food product must show the brand's food licence or filing number "
                "(Food Safety Law Art. 35). Enter the number, or unpublish the product first."
            ),
            code="food_licence_missing",
        )


def _clean_product_fields(fields: dict, *, product: Product | None = None) -> dict:
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise TypeError(f"not product fields: {', '.join(sorted(unknown))}")
    clean = dict(fields)
    for name, required in (
        ("name", True),
        ("description", False),
        ("food_licence_no", False),
        ("exclusion_reason", False),
    ):
        if name in clean:
            clean[name] = _text(clean[name], model=Product, field=name, required=required)
    if "slug" in clean:
        clean["slug"] = _product_slug(clean["slug"])
        others = Product.objects.filter(slug=clean["slug"]).exclude(slug="")
        if product is not None:
            others = others.exclude(pk=product.pk)
        if others.exists():
            raise _duplicate_slug(clean["slug"])
    if "category" in clean and not isinstance(clean["category"], Category):
        raise CatalogError(_("Choose a category."), code="bad_category")
    if "is_food" in clean:
        clean["is_food"] = bool(clean["is_food"])
    return clean


@transaction.atomic
def create_product(
    *,
    actor,
    name: str,
    category: Category,
    slug: str = "",
    description: str = "",
    is_food: bool = False,
    food_licence_no: str = "",
    return_class: str = ReturnClass.NORMAL,
    exclusion_reason: str = "",
) -> Product:
    """A new product, always a draft: it goes on sale only through ``publish_product``."""
    fields = _clean_product_fields(
        {
            "name": name,
            "slug": slug,
            "category": category,
            "description": description,
            "is_food": is_food,
            "food_licence_no": food_licence_no,
            "return_class": return_class,
            "exclusion_reason": exclusion_reason,
        }
    )
    product = Product(
        status=Product.Status.DRAFT, position=_next_position(Product.objects.all()), **fields
    )
    _check_product(product)
    try:
        with transaction.atomic():
            product.save(force_insert=True)
    except IntegrityError as exc:  # another operator took the slug a moment ago
        raise _duplicate_slug(fields["slug"]) from exc
    audit.record(actor=actor, action="product.create", obj=product, after=_product_state(product))
    return product


@transaction.atomic
def update_product(*, product: Product, actor, **fields) -> Product:
    """Changes a product's details; its status changes only by publishing or unpublishing."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    before = _product_state(product)
    fields = _clean_product_fields(fields, product=product)
    for name, value in fields.items():
        setattr(product, name, value)
    _check_product(product)
    if fields:
        try:
            with transaction.atomic():
                product.save(update_fields=list(fields))
        except IntegrityError as exc:
            raise _duplicate_slug(product.slug) from exc
    audit.record_change(
        actor=actor,
        action="product.update",
        obj=product,
        before=before,
        after=_product_state(product),
    )
    return product


def _duplicate_code(code: str) -> CatalogError:
    return CatalogError(
        _("The SKU code “%(code)s” is already in use; choose another.") % {"code": code},
        code="duplicate_sku_code",
    )


@transaction.atomic
def add_sku(*, product: Product, actor, code: str, name: str, list_price_fen: int) -> Sku:
    """A new sellable variant (500 g, 1 kg) with a stock row at zero in the central warehouse."""
    code = _text(code, model=Sku, field="code")
    name = _text(name, model=Sku, field="name")
    list_price_fen = _price_fen(list_price_fen)
    product = Product.objects.select_for_update().get(pk=product.pk)
    if Sku.objects.filter(code=code).exists():
        raise _duplicate_code(code)
    try:
        with transaction.atomic():
            sku = Sku.objects.create(
                product=product,
                code=code,
                name=name,
                list_price_fen=list_price_fen,
                position=_next_position(product.skus.all()),
            )
    except IntegrityError as exc:
        raise _duplicate_code(code) from exc
    set_stock_on_hand(sku_id=sku.pk, actor=actor, on_hand=0, reference=f"new sku {code}")
    audit.record(actor=actor, action="sku.add", obj=sku, after=_sku_state(sku))
    return sku


@transaction.atomic
def update_sku(
    *,
    sku: Sku,
    actor,
    name: str | None = None,
    list_price_fen: int | None = None,
    is_active: bool | None = None,
) -> Sku:
    """Renames, reprices, activates or deactivates a SKU; ``None`` leaves a field as it is."""
    product = Product.objects.select_for_update().get(pk=sku.product_id)
    sku = Sku.objects.select_for_update().get(pk=sku.pk)
    before = _sku_state(sku)
    changed = []
    if name is not None:
        sku.name = _text(name, model=Sku, field="name")
        changed.append("name")
    if list_price_fen is not None:
        sku.list_price_fen = _price_fen(list_price_fen)
        changed.append("list_price_fen")
    if is_active is not None:
        if (
            not is_active
            and product.status == Product.Status.PUBLISHED
            and not product.skus.filter(is_active=True).exclude(pk=sku.pk).exists()
        ):
            raise CatalogError(
                _(
                    "This is the last active SKU of a product on sale; unpublish the product "
                    "before deactivating it."
                ),
                code="last_active_sku",
            )
        sku.is_active = bool(is_active)
        changed.append("is_active")
    if changed:
        sku.save(update_fields=changed)
    audit.record_change(
        actor=actor, action="sku.update", obj=sku, before=before, after=_sku_state(sku)
    )
    return sku


def _checked_image(image_file) -> str:
    """The file's real format (JPEG, PNG or WebP), or a CatalogError; the file is rewound."""
    try:
        return uploads.inspect_image(
            image_file, max_bytes=MAX_IMAGE_BYTES, max_pixels=MAX_IMAGE_PIXELS
        ).format
    except uploads.ImageRejected as exc:
        if exc.problem is uploads.Problem.TOO_LARGE:
            message = _("An image can be at most %(mb)d MB.") % {
                "mb": MAX_IMAGE_BYTES // (1024 * 1024)
            }
            raise CatalogError(message, code="image_too_large") from exc
        if exc.problem is uploads.Problem.TOO_MANY_PIXELS:
            raise CatalogError(
                _("This image has too many pixels; resize it to at most 40 megapixels."),
                code="image_too_many_pixels",
            ) from exc
        raise CatalogError(_("Upload a JPEG, PNG or WebP image."), code="not_an_image") from exc


@transaction.atomic
def set_sku_cost(*, sku: Sku, actor, cost_fen: int | None) -> Sku:
    """Records what one unit costs the brand (None: unknown), from which the commission plan's
    margin check derives the product's margin."""
    if cost_fen is not None:
        if isinstance(cost_fen, bool) or not isinstance(cost_fen, int) or cost_fen < 0:
            raise CatalogError(
                _("A cost price must be a whole number of fen, zero or more."), code="bad_cost"
            )
        if cost_fen > MAX_PRICE_FEN:
            raise CatalogError(_("This cost price is too high."), code="bad_cost")
    sku = Sku.objects.select_for_update().get(pk=sku.pk)
    before = {"cost_fen": sku.cost_fen}
    sku.cost_fen = cost_fen
    sku.save(update_fields=["cost_fen"])
    audit.record_change(
        actor=actor, action="sku.set_cost", obj=sku, before=before, after={"cost_fen": cost_fen}
    )
    return sku


@transaction.atomic
def add_product_image(*, product: Product, actor, image_file) -> ProductImage:
    """Stores a checked image after the product's others.

    The stored name comes from the product and the real format, never from the uploaded name,
    so a file is always served with an image content type.
    """
    image_format = _checked_image(image_file)
    product = Product.objects.select_for_update().get(pk=product.pk)
    image = ProductImage(product=product, position=_next_position(product.images.all()))
    name = f"product-{product.pk}-{uuid.uuid4().hex[:12]}.{IMAGE_FORMATS[image_format]}"
    image.image.save(name, image_file, save=False)
    try:
        image.save(force_insert=True)
    except Exception:
        image.image.storage.delete(image.image.name)  # no row, so no file either
        raise
    audit.record(
        actor=actor,
        action="product.image_add",
        obj=product,
        after={"image": image.pk, "file": image.image.name},
    )
    return image


@transaction.atomic
def remove_product_image(*, image: ProductImage, actor) -> None:
    """Deletes the image's row now and its file once the deletion is committed."""
    storage, name = image.image.storage, image.image.name
    if ProductImage.objects.filter(pk=image.pk).delete()[0]:
        audit.record(
            actor=actor,
            action="product.image_remove",
            object_type=Product._meta.label_lower,
            object_id=image.product_id,
            before={"image": image.pk, "file": name},
        )
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def create_category(*, actor, name: str, slug: str) -> Category:
    name = _text(name, model=Category, field="name")
    slug = _slug(slug, model=Category)
    duplicate = CatalogError(
        _("Another category already uses the slug “%(slug)s”; choose another.") % {"slug": slug},
        code="duplicate_slug",
    )
    if Category.objects.filter(slug=slug).exists():
        raise duplicate
    try:
        with transaction.atomic():
            category = Category.objects.create(
                name=name, slug=slug, position=_next_position(Category.objects.all())
            )
    except IntegrityError as exc:
        raise duplicate from exc
    audit.record(
        actor=actor, action="category.add", obj=category, after={"name": name, "slug": slug}
    )
    return category


@step
def set_return_shipping_rule(*, paid_by_brand: bool) -> bool:
    """Records whether the brand pays no-reason return shipping, for the act that changes it
    (which audits it); returns the rule it replaced."""
    brand = Brand.objects.select_for_update().order_by("pk").first()
    if brand is None and not paid_by_brand:
        return False
    if brand is None:
        raise CatalogError(_("Set up the brand first."), code="no_brand")
    before = brand.return_shipping_paid_by_brand
    brand.return_shipping_paid_by_brand = bool(paid_by_brand)
    brand.save(update_fields=["return_shipping_paid_by_brand"])
    return before
