"""Make every fact and counter again from the event log (after a deploy that
changes a definition, a data repair, or a fresh import).

    manage.py rebuild_stats

Runs in one transaction under the statistics' lock: the pages show the old
figures until it commits, and the event subscriber's refreshes wait for it.
"""

import time

from django.core.management.base import BaseCommand

from stats.counters import rebuild_all


class Command(BaseCommand):
    help = "Пересчитывает статистику (факты о сообщениях и счётчики) по журналу событий."

    def add_arguments(self, parser):
        parser.add_argument("--chunk", type=int, default=5000, help="сообщений за один проход")

    def handle(self, *args, chunk, **options):
        started = time.monotonic()
        verbose = options["verbosity"] > 0

        def progress(stage: str, done: int) -> None:
            if verbose:
                what = "фактов" if stage == "facts" else "ячеек счётчиков"
                self.stdout.write(f"\r  {what}: {done:,}  ({time.monotonic() - started:,.0f} с)", ending="")
                self.stdout.flush()

        result = rebuild_all(chunk=chunk, progress=progress)
        if verbose:
            self.stdout.write("")
        self.stdout.write(
            f"Пересчитано: {result['facts']:,} сообщений, {result['cells']:,} ячеек счётчиков "
            f"за {time.monotonic() - started:,.0f} с."
        )
