from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weishang.uploads import PrivateStorage


class ContentSettings(models.Model):
    """The brand's posting cadence and care-list size; one row (pk 1), the defaults apply until
    the brand saves it."""

    posts_min_per_day = models.PositiveSmallIntegerField(_("posts a day, at least"), default=5)
    posts_max_per_day = models.PositiveSmallIntegerField(_("posts a day, at most"), default=8)
    product_posts_max_bp = models.PositiveSmallIntegerField(
        _("posts about products, at most (basis points of the day's posts)"), default=5000
    )
    care_list_size = models.PositiveSmallIntegerField(_("customers to greet a day"), default=10)
    care_contact_gap_days = models.PositiveSmallIntegerField(
        _("greet a customer again after (days)"), default=30
    )

    class Meta:
        verbose_name = _("content settings")
        verbose_name_plural = _("content settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(posts_min_per_day__gte=1, posts_max_per_day__lte=30)
                & Q(posts_min_per_day__lte=F("posts_max_per_day")),
                name="cadence_day_range",
            ),
            models.CheckConstraint(
                condition=Q(product_posts_max_bp__lte=10_000), name="product_share_at_most_all"
            ),
            models.CheckConstraint(
                condition=Q(care_list_size__gte=1, care_list_size__lte=50),
                name="care_list_size_range",
            ),
            models.CheckConstraint(
                condition=Q(care_contact_gap_days__gte=1, care_contact_gap_days__lte=365),
                name="care_gap_range",
            ),
        ]

    @classmethod
    def current(cls) -> "ContentSettings":
        return cls.objects.filter(pk=1).first() or cls(pk=1)


# The material library ----------------------------------------------------------------------------


class PosterTemplate(models.Model):
    """The brand's own poster artwork: a background image with the places (in the background's
    pixels) where the QR code, the product or store name and the price are drawn."""

    name = models.CharField(_("template name"), max_length=40, unique=True)
    background = models.ImageField(_("background"), upload_to="content/posters/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    qr_x = models.PositiveIntegerField(_("QR code left"))
    qr_y = models.PositiveIntegerField(_("QR code top"))
    qr_size = models.PositiveIntegerField(_("QR code size"))
    name_x = models.PositiveIntegerField(_("name left"))
    name_y = models.PositiveIntegerField(_("name top"))
    name_size = models.PositiveSmallIntegerField(_("name font size"), default=40)
    price_x = models.PositiveIntegerField(_("price left"))
    price_y = models.PositiveIntegerField(_("price top"))
    price_size = models.PositiveSmallIntegerField(_("price font size"), default=56)
    text_color = models.CharField(_("text colour"), max_length=7, default="#33221c")
    price_color = models.CharField(_("price colour"), max_length=7, default="#c8242c")
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        verbose_name = _("poster template")
        verbose_name_plural = _("poster templates")
        constraints = [
            models.CheckConstraint(
                condition=Q(qr_size__gte=120), name="poster_qr_large_enough_to_scan"
            ),
            models.CheckConstraint(
                condition=Q(qr_x__lte=F("width") - F("qr_size"))
                & Q(qr_y__lte=F("height") - F("qr_size")),
                name="poster_qr_inside_background",
            ),
        ]

    def __str__(self):
        return self.name


class Theme(models.Model):
    """An official theme (官方主题) in the material library: copy, images, optional voice and
    video, linked products, an audience segment, a validity period and a poster template.
    Distributors see published themes inside their validity."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("theme status", "draft")
        PUBLISHED = "published", pgettext_lazy("theme status", "published")
        WITHDRAWN = "withdrawn", pgettext_lazy("theme status", "withdrawn")

    title = models.CharField(_("title"), max_length=60)
    copy = models.TextField(_("copy"), max_length=2000)
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    products = models.ManyToManyField(
        "catalog.Product", through="ThemeProduct", related_name="+", blank=True
    )
    segment = models.ForeignKey(
        "community.Segment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("audience"),
    )
    poster_template = models.ForeignKey(
        PosterTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="themes",
        verbose_name=_("poster template"),
    )
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    credited_to = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("idea by"),
    )
    created_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        indexes = [models.Index(fields=["status", "valid_until"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_from__lt=F("valid_until")),
                name="theme_valid_period_ordered",
            )
        ]

    def __str__(self):
        return self.title


class ThemeProduct(models.Model):
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="theme_products")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["theme", "product"], name="theme_product_once")
        ]


class ThemeImage(models.Model):
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="content/themes/")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]


class ThemeMedia(models.Model):
    """A theme's voice or video file: checked on upload (``uploads.inspect_media``), kept out of
    the public media root and served by a view that names its checked type."""

    class Kind(models.TextChoices):
        VOICE = "voice", _("voice")
        VIDEO = "video", _("video")

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="media")
    kind = models.CharField(max_length=5, choices=Kind)
    file = models.FileField(storage=PrivateStorage(), upload_to="content/media/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["kind", "pk"]


# Personal posts ----------------------------------------------------------------------------------


class Post(models.Model):
    """A distributor's post for WeChat Moments, made from a theme in one action or written by
    him; planned for a day (the posting assistant counts a day's posts), shown on his micro-store
    feed from that day on. ``key`` names the post in its share links."""

    distributor = models.ForeignKey(
        "distribution.Distributor", on_delete=models.CASCADE, related_name="posts"
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, null=True, blank=True, related_name="posts"
    )
    key = models.CharField(max_length=22, unique=True)
    text = models.TextField(_("text"), max_length=2000)
    about_products = models.BooleanField(_("about products"), default=False)
    planned_on = models.DateField(_("post on"))
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-planned_on", "-created_at", "-pk"]
        indexes = [models.Index(fields=["distributor", "planned_on"])]


class PostVisit(models.Model):
    """One opening of a link from a post (counted per theme on the brand's side)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="visits")
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["post", "created_at"])]


class PostOrder(models.Model):
    """An order placed by a visitor a post's link brought; its completed sales count on the
    post's theme."""

    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="orders")
    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()


# The creative group ------------------------------------------------------------------------------


class Submission(models.Model):
    """A creative idea (创意) a customer or distributor submits; the brand accepts it (points
    awarded, author credited, it may become an official theme) or rejects it with a reason."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("submission status", "waiting for review")
        ACCEPTED = "accepted", pgettext_lazy("submission status", "accepted")
        REJECTED = "rejected", pgettext_lazy("submission status", "not accepted")

    author = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="submissions"
    )
    request_key = models.CharField(max_length=40)
    title = models.CharField(_("title"), max_length=60)
    text = models.TextField(_("idea"), max_length=1000)
    status = models.CharField(max_length=8, choices=Status, default=Status.PENDING)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    points = models.PositiveIntegerField(_("points awarded"), default=0)
    theme = models.ForeignKey(
        Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["status", "submitted_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "request_key"], name="submit_an_idea_once_per_request"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""), name="rejection_has_a_reason"
            ),
        ]


class SubmissionImage(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="content/ideas/")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]


# The care list -----------------------------------------------------------------------------------


class RepurchaseInterval(models.Model):
    """How many days a customer typically takes to buy the product again (the brand sets it);
    the care list names customers whose next purchase is due."""

    product = models.OneToOneField(
        "catalog.Product", on_delete=models.CASCADE, related_name="repurchase_interval"
    )
    days = models.PositiveSmallIntegerField(_("repurchase interval (days)"))

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(days__gte=1, days__lte=730), name="repurchase_days_range"
            )
        ]


class CareTask(models.Model):
    """One customer on a distributor's care list (老客户维护) for a day, with why he is on it
    and a suggested message; ``done_at`` when the distributor marks him greeted."""

    class Reason(models.TextChoices):
        REPURCHASE = "repurchase", _("a repurchase is due")
        BIRTHDAY = "birthday", _("birthday coming up")
        NO_CONTACT = "no_contact", _("not greeted for a while")

    distributor = models.ForeignKey(
        "distribution.Distributor", on_delete=models.CASCADE, related_name="care_tasks"
    )
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    reason = models.CharField(max_length=10, choices=Reason)
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.CharField(max_length=300, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["day", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["distributor", "customer", "day"], name="care_once_a_day"
            )
        ]
        indexes = [models.Index(fields=["distributor", "customer", "done_at"])]


# Training ----------------------------------------------------------------------------------------


class Course(models.Model):
    """A training course (培训 / SOP) of step-by-step lessons. Every approved distributor takes
    the published onboarding courses."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("course status", "draft")
        PUBLISHED = "published", pgettext_lazy("course status", "published")

    title = models.CharField(_("title"), max_length=60)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    is_onboarding = models.BooleanField(_("onboarding course"), default=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self):
        return self.title


class Lesson(models.Model):
    """One step of a course; ``body`` is rich text, sanitised when saved (``content.richtext``)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(_("title"), max_length=60)
    body = models.TextField(_("lesson"), max_length=50_000)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]


class LessonImage(models.Model):
    """A picture uploaded for lesson bodies (checked like every upload)."""

    image = models.ImageField(upload_to="content/lessons/")
    uploaded_at = models.DateTimeField()


class LessonProgress(models.Model):
    distributor = models.ForeignKey(
        "distribution.Distributor", on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    completed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["distributor", "lesson"], name="complete_lesson_once")
        ]
