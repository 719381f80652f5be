"""``weishang load_demo``: the 枣知道 jujube brand, staff logins and a customer with orders."""

from django.conf import settings
from django.core.management.base import BaseCommand

from weishang.demo import catalogue
from weishang.demo.loader import load_demo


class Command(BaseCommand):
    help = (
        "Load the demo jujube brand (catalogue, stock, staff, a customer with orders, its community"
        " and content); runs once."
    )

    def handle(self, *args, **options):
        result = load_demo()
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded the demo brand {catalogue.BRAND['name']}: "
                    f"{result.products} products, {result.orders} orders."
                )
            )
        else:
            self.stdout.write("A brand exists already; the demo data was not loaded again.")
        mobile = catalogue.CUSTOMER["mobile"]
        # The address the demo is served on: `make demo` sets it from its HOST and PORT.
        base_url = settings.SITE_URL
        self.stdout.write(
            "\n".join(
                [
                    f"  Store:    {base_url}/",
                    f"  Console:  {base_url}/console/   admin (owner), operator, finance, service, "
                    f"auditor — password {catalogue.PASSWORD}",
                    f"  Admin:    {base_url}/admin/     admin / {catalogue.PASSWORD}",
                    f"  Distributor: {base_url}/d/   {catalogue.DISTRIBUTOR['mobile']} / "
                    f"{catalogue.PASSWORD}  (his micro-store is linked from there)",
                    f"  Customer: {mobile} / {catalogue.PASSWORD} "
                    "(or ask for a one-time code: the login page shows it in the demo)",
                ]
            )
        )
