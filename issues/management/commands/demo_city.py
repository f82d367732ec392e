from django.core.management.base import BaseCommand
from tqdm import tqdm

from issues.demo import DEMO_DOMAIN, fill_demo_city
from issues.models import Report


class Command(BaseCommand):
    help = "Заполняет демо-город сообщениями в реальных местах (один раз; повторный запуск ничего не меняет)."

    def add_arguments(self, parser):
        parser.add_argument("--reports", type=int, default=300)
        parser.add_argument(
            "--force", action="store_true", help="Добавить ещё, даже если демо-город уже есть."
        )

    def handle(self, *args, reports: int, force: bool, **options):
        existing = Report.objects.filter(author__email__endswith=DEMO_DOMAIN).count()
        if existing and not force:
            self.stdout.write(f"Демо-город уже есть: {existing} сообщений.")
            return
        quiet = options["verbosity"] == 0
        made = fill_demo_city(
            reports, progress=lambda it: tqdm(it, desc="Демо-город", disable=quiet, mininterval=2)
        )
        self.stdout.write(f"Демо-город: создано {made} сообщений.")
