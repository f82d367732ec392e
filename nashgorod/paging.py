"""A paginator whose total is kept briefly in the cache.

A work queue's page (the editorial desk's new reports, an organization's
open reports) shows its total, and the pager needs it. Counting is one index
scan over the whole queue on every reload, so its cost grows with the queue:
at 1,000,000 reports the new-reports queue held ~3,600, freshly filed and
not yet all-visible, and its COUNT(*) took 4.3 ms of PostgreSQL (the rest of
the page's queries together ~1 ms); a busy organization's open reports, 8,000.
The total is shown, not acted on, so it may lag by COUNT_SECONDS: arrivals
show in the rows at once (a page is always read whole, never cut to the
cached total, and the total shown is never less than the rows shown), and
the desk's and back office's own actions forget the totals they change
(forget_counts).
"""

from __future__ import annotations

from django.core.cache import cache
from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_SECONDS = 10


class CachedCountPaginator(Paginator):
    def __init__(self, object_list, per_page, *, count_key: str, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_key = f"page-count:{count_key}"

    @cached_property
    def count(self) -> int:
        total = cache.get(self.count_key)
        if total is None:
            total = Paginator.count.func(self)
            cache.set(self.count_key, total, COUNT_SECONDS)
        return total

    def page(self, number):
        # Paginator cuts the last page at the total; this one reads it whole,
        # so that a report which arrived since the total was kept is shown.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page])
        if bottom + len(rows) > self.count:
            # Never fewer than the rows shown; and the next page knows it too.
            self.count = bottom + len(rows)
            cache.set(self.count_key, self.count, COUNT_SECONDS)
        return self._get_page(rows, number, self)


def forget_counts(*count_keys: str) -> None:
    """After an action: the next page counts again."""
    cache.delete_many([f"page-count:{key}" for key in count_keys])
