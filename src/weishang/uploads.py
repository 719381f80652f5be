"""Checking an uploaded picture before it is stored: real format, size and pixel count; and where
private uploads are kept.

One inspection for every upload (product images, licence scans, avatars, complaint photos); each
domain turns a rejection into its own message.
"""

from dataclasses import dataclass
from enum import Enum

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property
from PIL import Image

EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


class Problem(Enum):
    TOO_LARGE = "too_large"
    NOT_AN_IMAGE = "not_an_image"
    TOO_MANY_PIXELS = "too_many_pixels"


class ImageRejected(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class CheckedImage:
    format: str
    extension: str


def inspect_image(upload, *, max_bytes: int, max_pixels: int) -> CheckedImage:
    """The upload's real format (JPEG, PNG or WebP, whatever its name says), or ImageRejected.
    The file is rewound either way, so it can be saved afterwards."""
    size = getattr(upload, "size", None)
    if size is None or size > max_bytes:
        raise ImageRejected(Problem.TOO_LARGE)
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except Exception as exc:  # Pillow raises many kinds for a broken or foreign file
        raise ImageRejected(Problem.NOT_AN_IMAGE) from exc
    finally:
        upload.seek(0)
    if image_format not in EXTENSIONS:
        raise ImageRejected(Problem.NOT_AN_IMAGE)
    if width * height > max_pixels:
        raise ImageRejected(Problem.TOO_MANY_PIXELS)
    return CheckedImage(image_format, EXTENSIONS[image_format])


@deconstructible
class PrivateStorage(FileSystemStorage):
    """Uploads that are personal data (complaint photos): kept under
    ``settings.PRIVATE_MEDIA_ROOT``, outside the public media root, and without a URL, so only a
    view that checks who is asking can serve them."""

    @cached_property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError("A private file has no public URL; serve it through a checked view.")


private_storage = PrivateStorage()
