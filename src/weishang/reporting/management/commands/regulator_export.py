"""``weishang regulator_export``: the regulator export into files, for ranges of any size."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from weishang.reporting.export import FORMATS, DateRange, ExportError, parse_day, write_files


class Command(BaseCommand):
    help = (
        "Export transactions, complaints and the distributor register for [--from, --to) "
        "(days in Asia/Shanghai) as CSV files (UTF-8 with BOM) or one JSON file."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
        parser.add_argument(
            "--to", dest="end", required=True, metavar="YYYY-MM-DD", help="not included"
        )
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("--out", required=True, metavar="DIR", type=Path)

    def handle(self, *args, start, end, format, out, verbosity=1, **options):
        try:
            rng = DateRange.checked(parse_day(start), parse_day(end))
        except ExportError as error:
            raise CommandError(error.message) from error
        started = time.perf_counter()
        with tqdm(unit=" rows", disable=verbosity == 0, mininterval=0.5) as bar:

            def set_total(total):
                bar.total = total
                bar.refresh()

            paths = write_files(rng, format, out, progress_total=set_total, progress=bar.update)
            rows = bar.n
        seconds = time.perf_counter() - started
        for path in paths:
            self.stdout.write(f"{path} ({path.stat().st_size:,} bytes)")
        self.stdout.write(f"Exported {rows:,} rows in {seconds:.1f} s")
