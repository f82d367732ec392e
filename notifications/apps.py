from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Уведомления"

    def ready(self) -> None:
        from issues.events import event_recorded
        from issues.models import ReportEvent
        from notifications import subscribers

        event_recorded.connect(
            subscribers.on_event_recorded, sender=ReportEvent, dispatch_uid="notifications.on_event_recorded"
        )
