from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = "Статистика"

    def ready(self) -> None:
        from issues.events import event_recorded
        from issues.models import ReportEvent
        from stats import tasks

        event_recorded.connect(
            tasks.on_event_recorded, sender=ReportEvent, dispatch_uid="stats.on_event_recorded"
        )
