"""Links built once per page rather than once per row."""

from __future__ import annotations

from django.urls import reverse


def url_prefix(viewname: str) -> str:
    """The url of `viewname` for any pk, less the pk and its slash: a row's
    link is the prefix, its pk and «/» (one reverse() per page, not per row)."""
    url = reverse(viewname, args=[0])
    if not url.endswith("/0/"):
        raise ValueError(f"{viewname}: {url} does not end with its pk")
    return url[:-2]
