"""A static-files finder for the browser libraries ``npm ci`` installs into ``node_modules``:
it serves only the files named in ``VENDOR_FILES`` (``vendor/echarts.min.js``), never the rest
of a package, so the app ships its own copy of ECharts and no page loads one from a CDN."""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Warning as CheckWarning
from django.core.files.storage import FileSystemStorage

# The static path each file is served at, and where it lies under node_modules.
VENDOR_FILES = {"vendor/echarts.min.js": "echarts/dist/echarts.min.js"}


class VendorFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.root = Path(settings.NODE_MODULES)

    def check(self, **kwargs):
        return [
            CheckWarning(
                f"{self.root / source} is missing: run `make install` (npm ci).",
                id="weishang.W001",
            )
            for source in VENDOR_FILES.values()
            if not (self.root / source).is_file()
        ]

    def find(self, path, find_all=False, **kwargs):
        source = VENDOR_FILES.get(path)
        if source is None or not (self.root / source).is_file():
            return []
        found = str(self.root / source)
        return [found] if find_all else found

    def list(self, ignore_patterns):
        for path, source in VENDOR_FILES.items():
            if not (self.root / source).is_file():
                continue
            directory, name = path.rsplit("/", 1)
            storage = FileSystemStorage(location=self.root / Path(source).parent)
            storage.prefix = directory
            yield name, storage
