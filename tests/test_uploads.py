"""The one upload check: voice and video files are known by their first bytes, not their names."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from weishang.uploads import ImageRejected, Problem, inspect_media

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
M4A = b"\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00M4A isom" + b"\x00" * 64
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 16
AMR = b"#!AMR\n" + b"\x3c" * 64


@pytest.mark.parametrize(
    ("content", "kind", "content_type"),
    [
        (MP4, "video", "video/mp4"),
        (M4A, "voice", "audio/mp4"),
        (MP3, "voice", "audio/mpeg"),
        (AMR, "voice", "audio/amr"),
    ],
)
def test_a_real_voice_or_video_file_is_known_by_its_content(content, kind, content_type):
    upload = SimpleUploadedFile("anything.bin", content, content_type="text/html")
    assert inspect_media(upload, kind=kind, max_bytes=10_000).content_type == content_type
    assert upload.tell() == 0


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"<html><script>alert(1)</script></html>", "voice"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "video"),
        (MP3, "video"),
        (MP4, "voice"),
    ],
)
def test_a_file_of_another_kind_is_refused_whatever_its_name(content, kind):
    upload = SimpleUploadedFile("clip.mp4", content, content_type="video/mp4")
    with pytest.raises(ImageRejected) as refused:
        inspect_media(upload, kind=kind, max_bytes=10_000)
    assert refused.value.problem is Problem.NOT_AN_IMAGE


def test_a_file_over_the_limit_is_refused_before_it_is_read():
    upload = SimpleUploadedFile("clip.mp4", MP4, content_type="video/mp4")
    with pytest.raises(ImageRejected) as refused:
        inspect_media(upload, kind="video", max_bytes=len(MP4) - 1)
    assert refused.value.problem is Problem.TOO_LARGE
