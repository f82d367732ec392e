import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from tqdm import tqdm

from issues.generator import generate_city


class Command(BaseCommand):
    help = (
        "Наполняет базу реалистичным городом: N сообщений с полной историей событий "
        "(для бенчмарков; пишет в текущую базу)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reports", type=int, default=1_000_000)
        parser.add_argument("--days", type=int, default=365, help="за сколько дней распределить сообщения")
        parser.add_argument("--seed", type=int, default=2011)
        parser.add_argument("--batch", type=int, default=20_000)
        parser.add_argument("--yes", action="store_true", help="да, писать в текущую базу")

    def handle(self, *args, reports, days, seed, batch, yes, **options):
        if not yes:
            raise CommandError(
                f"Команда пишет в базу {connection.settings_dict.get('NAME')!r}: запустите с --yes "
                "(лучше на отдельной базе для бенчмарков)."
            )
        started = time.monotonic()
        bar = tqdm(total=reports, unit=" сообщ.", disable=options["verbosity"] == 0, mininterval=2)

        def progress(done):
            bar.update(done - bar.n)

        def stage(path):
            # The extensions (inspections, points) run once after the last batch.
            bar.set_postfix_str(path.rsplit(".", 1)[-1], refresh=True)

        summary = generate_city(reports, seed=seed, days=days, batch=batch, progress=progress, stage=stage)
        bar.close()
        seconds = time.monotonic() - started
        made = summary.reports
        self.stdout.write(f"Создано {made:,} сообщений за {seconds:.0f} с ({made / seconds:,.0f} в секунду).")
        for key, value in sorted(summary.counts.items()):
            self.stdout.write(f"  {key}: {value:,}")
        for key, value in summary.seconds.items():
            self.stdout.write(f"  время, {key}: {value:.1f} с")
