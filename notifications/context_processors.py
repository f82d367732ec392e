from django.utils.functional import SimpleLazyObject

from notifications.services import unread_count


def bell(request) -> dict:
    """The unread count for the bell in the page header: one COUNT query,
    made only when a template shows it, and only for a logged-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": SimpleLazyObject(lambda: unread_count(user))}
