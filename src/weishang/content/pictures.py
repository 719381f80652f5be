"""The one picture check of the content app (theme pictures, poster backgrounds, ideas' pictures,
lesson pictures): the kernel's upload inspection, its rejection said in the app's words."""

from django.utils.translation import gettext as _

from weishang import uploads

from .errors import ContentError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000


def checked_picture(upload) -> uploads.CheckedImage:
    """The picture's real format (JPEG, PNG or WebP), or a ContentError; the file is rewound."""
    try:
        return uploads.inspect_image(upload, max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS)
    except uploads.ImageRejected as exc:
        if exc.problem is uploads.Problem.TOO_LARGE:
            message = _("A picture can be at most %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)}
            raise ContentError(message, code="picture_too_large") from exc
        if exc.problem is uploads.Problem.TOO_MANY_PIXELS:
            raise ContentError(
                _("This picture has too many pixels; resize it to at most 40 megapixels."),
                code="picture_too_many_pixels",
            ) from exc
        raise ContentError(_("Upload a JPEG, PNG or WebP picture."), code="not_a_picture") from exc
