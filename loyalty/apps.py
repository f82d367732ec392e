from django.apps import AppConfig


class LoyaltyConfig(AppConfig):
    name = "loyalty"
    verbose_name = "Баллы"

    def ready(self) -> None:
        from issues.events import event_recorded
        from issues.models import ReportEvent
        from loyalty import receivers
        from volunteers.models import Inspection
        from volunteers.signals import inspection_accepted

        event_recorded.connect(
            receivers.on_event_recorded, sender=ReportEvent, dispatch_uid="loyalty.on_event_recorded"
        )
        inspection_accepted.connect(
            receivers.on_inspection_accepted, sender=Inspection, dispatch_uid="loyalty.on_inspection_accepted"
        )
