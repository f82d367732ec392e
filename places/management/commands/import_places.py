from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from places import importers


class Command(BaseCommand):
    help = "Загружает округа, районы и жилые дома Москвы из папки справочных данных."

    def add_arguments(self, parser):
        parser.add_argument("--data-dir", help="Папка с данными (по умолчанию REFERENCE_DATA_DIR).")
        parser.add_argument("--skip-buildings", action="store_true", help="Только границы.")

    def handle(self, *args, data_dir=None, skip_buildings=False, **options):
        quiet = options["verbosity"] == 0
        try:
            self._say(quiet, "Округа", importers.import_okrugs(data_dir))
            self._say(quiet, "Районы", importers.import_districts(data_dir))
            if not skip_buildings:
                result = importers.import_buildings(
                    data_dir,
                    progress=lambda rows: tqdm(
                        rows, desc="Дома", unit=" домов", disable=quiet, total=32969, mininterval=2
                    ),
                )
                self._say(quiet, "Дома", result)
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc

    def _say(self, quiet: bool, what: str, result) -> None:
        if not quiet:
            self.stdout.write(f"{what}: {result}")
