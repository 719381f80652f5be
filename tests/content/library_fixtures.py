"""Uploads for the material library's tests: pictures, backgrounds, voice and video files made
of the bytes their formats start with."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 64
M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00" + b"\x00" * 64
MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00" + b"\x00" * 64
AMR = b"#!AMR\n" + b"\x00" * 64


def picture_upload(size=(12, 8), name="photo.png", colour=(120, 40, 30), fmt="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def background_upload(size=(750, 1200), name="bg.jpg"):
    return picture_upload(size, name=name, colour=(200, 160, 60), fmt="JPEG")


def media_upload(content: bytes, name: str, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)
