from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from weishang.api import keys
from weishang.core_errors import DomainError


class Command(BaseCommand):
    help = (
        "Makes or revokes a staff API key as an owner (audit-logged): "
        "weishang api_key create --by OWNER --name NAME --role ROLE | revoke --by OWNER --id ID"
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "revoke"])
        parser.add_argument("--by", required=True, help="the owner's username")
        parser.add_argument("--name", default="")
        parser.add_argument("--role", default="")
        parser.add_argument("--id", type=int)

    def handle(self, *args, **options):
        actor = get_user_model().objects.filter(username=options["by"], is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {options['by']!r}.")
        try:
            if options["action"] == "create":
                key, secret = keys.create_api_key(
                    actor=actor, name=options["name"], role=options["role"]
                )
                self.stdout.write(f"{key.pk}\t{secret}\t(shown once: keep it now)")
            else:
                keys.revoke_api_key(actor=actor, key_id=options["id"] or 0)
                self.stdout.write("revoked")
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
