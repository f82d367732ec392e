from django.core.management.base import BaseCommand

from issues.catalog import load_catalog


class Command(BaseCommand):
    help = "Загружает каталог тем (issues/catalog/topics.csv)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--update",
            action="store_true",
            help="Вернуть темы, изменённые в админке, к значениям из файла.",
        )

    def handle(self, *args, update=False, **options):
        result = load_catalog(update=update)
        if options["verbosity"]:
            self.stdout.write(f"Темы: {result}")
