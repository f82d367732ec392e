from django.core.management.base import BaseCommand

from issues.catalog import load_catalog, load_questions


class Command(BaseCommand):
    help = "Загружает каталог тем и их дополнительные вопросы (issues/catalog/topics.csv, questions.csv)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--update",
            action="store_true",
            help="Вернуть темы, изменённые в админке, к значениям из файла.",
        )

    def handle(self, *args, update=False, **options):
        result = load_catalog(update=update)
        questions = load_questions(update=update)
        if options["verbosity"]:
            self.stdout.write(f"Темы: {result}")
            self.stdout.write(f"Вопросы тем: {questions}")
