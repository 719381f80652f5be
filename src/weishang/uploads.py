"""Checking an uploaded picture before it is stored: real format, size and pixel count.

One inspection for every upload (product images, licence scans, avatars, complaint photos); each
domain turns a rejection into its own message.
"""

from dataclasses import dataclass
from enum import Enum

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
