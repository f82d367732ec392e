from django.core.management.base import BaseCommand

from accounts.models import User
from loyalty import demo, selectors


class Command(BaseCommand):
    help = "Демо-поощрения с кодами, благотворительные фонды и баллы демо-жителя (повторный запуск ничего не удваивает)."

    def handle(self, *args, **options):
        made, added = demo.load_rewards()
        reports = demo.earn_demo_points()
        self.stdout.write(f"Поощрений создано: {made}, кодов добавлено: {added}.")
        resident = User.objects.filter(email=f"resident@{demo.DEMO_DOMAIN}").first()
        if resident is not None:
            self.stdout.write(
                f"Демо-житель: сообщений с подтверждённым ответом добавлено {reports}, "
                f"на счёте {selectors.balance(resident)} баллов."
            )
