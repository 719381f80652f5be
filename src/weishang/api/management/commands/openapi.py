import json

from django.core.management.base import BaseCommand

from weishang.api.main import api


class Command(BaseCommand):
    help = "Prints the API's OpenAPI schema: weishang openapi > docs/openapi.json"

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(api.get_openapi_schema(), ensure_ascii=False, indent=2))
