"""Forms of the material library's console pages: they parse what was typed; the services in
``content.library`` decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weishang.catalog.models import Product
from weishang.community.models import Segment
from weishang.content import poster_rules
from weishang.content.library import MAX_PRODUCTS
from weishang.content.models import PosterTemplate, Theme, ThemeMedia
from weishang.inputs import IntegerField, text_field

from .forms import _datetime_field

PIXELS = {"min_value": 0, "max_value": poster_rules.MAX_HEIGHT}
FONT = {"min_value": poster_rules.MIN_FONT, "max_value": poster_rules.MAX_FONT}


class ThemeForm(forms.Form):
    title = text_field(Theme, "title", label=_("Title"), required=True)
    copy = forms.CharField(
        label=pgettext_lazy("theme", "Copy"),
        max_length=Theme._meta.get_field("copy").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Plain text, as distributors post it; needed before publishing."),
    )
    products = forms.MultipleChoiceField(label=_("Linked products"), required=False)
    segment = forms.ModelChoiceField(
        label=_("Audience"),
        queryset=Segment.objects.order_by("name"),
        required=False,
        empty_label=_("Every customer"),
    )
    poster_template = forms.ModelChoiceField(
        label=_("Poster template"),
        queryset=PosterTemplate.objects.order_by("name"),
        required=False,
        empty_label=_("No template"),
    )
    valid_from = _datetime_field(_("Valid from"), required=False)
    valid_until = _datetime_field(_("Valid until"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        published = Product.objects.filter(status=Product.Status.PUBLISHED).order_by("name")
        self.product_choices = [(str(pk), name) for pk, name in published.values_list("pk", "name")]
        self.fields["products"].choices = [("", "")] + self.product_choices

    def clean_products(self):
        """The chosen products in the order of their slots, each once, empty slots left out."""
        chosen = [value for value in self.cleaned_data["products"] if value]
        return [int(value) for value in dict.fromkeys(chosen)][:MAX_PRODUCTS]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "copy": data["copy"],
            "product_ids": data["products"],
            "segment_id": data["segment"].pk if data["segment"] else None,
            "poster_template_id": data["poster_template"].pk if data["poster_template"] else None,
            "valid_from": data["valid_from"],
            "valid_until": data["valid_until"],
        }


class UploadForm(forms.Form):
    # A plain file field: the content service decides what counts as a picture.
    file = forms.FileField(
        label=_("File"), error_messages={"required": _("Choose a file to upload.")}
    )


class MediaForm(UploadForm):
    kind = forms.ChoiceField(
        choices=ThemeMedia.Kind.choices,
        error_messages={
            "required": _("Choose voice or video."),
            "invalid_choice": _("Choose voice or video."),
        },
    )


class NewTemplateForm(forms.Form):
    name = text_field(PosterTemplate, "name", label=_("Template name"), required=True)
    background = forms.FileField(
        label=_("Background (JPEG, PNG or WebP)"),
        help_text=_("From 600 × 800 to 2000 × 3000 pixels."),
        error_messages={"required": _("Choose the background picture.")},
    )


class TemplateForm(forms.Form):
    name = text_field(PosterTemplate, "name", label=_("Template name"), required=True)
    qr_x = IntegerField(label=_("QR code left"), **PIXELS)
    qr_y = IntegerField(label=_("QR code top"), **PIXELS)
    qr_size = IntegerField(
        label=_("QR code size"), min_value=poster_rules.MIN_QR, max_value=poster_rules.MAX_HEIGHT
    )
    name_x = IntegerField(label=_("Name left"), **PIXELS)
    name_y = IntegerField(label=_("Name top"), **PIXELS)
    name_size = IntegerField(label=_("Name font size"), **FONT)
    price_x = IntegerField(label=_("Price left"), **PIXELS)
    price_y = IntegerField(label=_("Price top"), **PIXELS)
    price_size = IntegerField(label=_("Price font size"), **FONT)
    text_color = forms.RegexField(
        label=_("Name colour"),
        regex=poster_rules.COLOUR,
        widget=forms.TextInput(attrs={"type": "color"}),
        error_messages={"invalid": _("Choose a colour.")},
    )
    price_color = forms.RegexField(
        label=_("Price colour"),
        regex=poster_rules.COLOUR,
        widget=forms.TextInput(attrs={"type": "color"}),
        error_messages={"invalid": _("Choose a colour.")},
    )
    background = forms.FileField(
        label=_("New background (optional)"),
        required=False,
        help_text=_("From 600 × 800 to 2000 × 3000 pixels."),
    )

    PLACEMENT = tuple(poster_rules.Placement.__dataclass_fields__)

    def placement(self) -> poster_rules.Placement:
        return poster_rules.Placement(**{name: self.cleaned_data[name] for name in self.PLACEMENT})
