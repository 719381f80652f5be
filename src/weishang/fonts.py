"""A font with Chinese glyphs for pictures drawn with Pillow: demo images and share posters."""

import functools
import shutil
import subprocess
from pathlib import Path

from PIL import ImageFont

# Tried when fontconfig is missing; the first that exists wins.
CJK_FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
]


@functools.cache
def cjk_font_path() -> str | None:
    """A font with Chinese glyphs: fontconfig's choice, else a well-known path, else None."""
    if shutil.which("fc-list"):
        try:
            out = subprocess.run(
                ["fc-list", ":lang=zh", "file"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            ).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        files = sorted(line.split(":")[0].strip() for line in out.splitlines() if line.strip())
        preferred = [f for f in files if "microhei" in f.lower() or "cjk" in f.lower()]
        for path in preferred + files:
            if Path(path).is_file():
                return path
    return next((path for path in CJK_FONT_CANDIDATES if Path(path).is_file()), None)


@functools.cache
def cjk_font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """The CJK font at ``size`` pixels; Pillow's built-in font when none is installed (Chinese
    characters then show as boxes, but the picture is still made)."""
    path = cjk_font_path()
    if path:
        return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)
