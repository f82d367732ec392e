from django.core.management.base import BaseCommand, CommandError

from organizations.structure import build_city_structure


class Command(BaseCommand):
    help = "Создаёт управы, префектуры, ГБУ «Жилищник», управляющие компании и городские службы."

    def handle(self, *args, **options):
        try:
            result = build_city_structure()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"]:
            self.stdout.write(f"Организации: {result}")
