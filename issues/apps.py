from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class IssuesConfig(AppConfig):
    name = "issues"
    verbose_name = "Сообщения"

    def ready(self):
        from issues.models import SeasonalProject, Topic, TopicGroup, TopicQuestion
        from issues.topics import catalog_changed

        for model in (Topic, TopicGroup, SeasonalProject, TopicQuestion):
            post_save.connect(catalog_changed, sender=model, dispatch_uid=f"catalog-{model.__name__}-save")
            post_delete.connect(
                catalog_changed, sender=model, dispatch_uid=f"catalog-{model.__name__}-delete"
            )
