"""Checking an upload before it is stored: a picture's real format, size and pixel count; a voice
or video file's real container and size; and where private uploads are kept.

One inspection for every upload (product images, licence scans, avatars, complaint photos, the
material library's pictures, voice and video); each domain turns a rejection into its own message.
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


# Voice and video: the container is read from the file's first bytes, never from its name or the
# browser's Content-Type, and the file is later served with the type found here.
MP4_BRANDS_VIDEO = {b"isom", b"iso2", b"mp41", b"mp42", b"avc1", b"M4V "}
MP4_BRANDS_AUDIO = {b"M4A "}


@dataclass(frozen=True)
class CheckedMedia:
    content_type: str
    extension: str


def _sniff_media(head: bytes) -> CheckedMedia | None:
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in MP4_BRANDS_AUDIO:
            return CheckedMedia("audio/mp4", "m4a")
        if brand in MP4_BRANDS_VIDEO:
            return CheckedMedia("video/mp4", "mp4")
        return None
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return CheckedMedia("audio/mpeg", "mp3")
    if head.startswith(b"#!AMR\n"):
        return CheckedMedia("audio/amr", "amr")
    return None


def inspect_media(upload, *, kind: str, max_bytes: int) -> CheckedMedia:
    """A voice (``kind="voice"``: MP3, M4A or AMR) or video (``"video"``: MP4) file's real type,
    or ImageRejected (TOO_LARGE, or NOT_AN_IMAGE for a file of another kind). Rewound either
    way."""
    size = getattr(upload, "size", None)
    if size is None or size > max_bytes:
        raise ImageRejected(Problem.TOO_LARGE)
    try:
        upload.seek(0)
        head = upload.read(16)
    finally:
        upload.seek(0)
    media = _sniff_media(head)
    wanted = "video/" if kind == "video" else "audio/"
    if media is None or not media.content_type.startswith(wanted):
        raise ImageRejected(Problem.NOT_AN_IMAGE)
    return media


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
