"""What a page or a form does when a service refuses it: the app's handlers (in `service`) render these."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import partial

from tdkt_portal.backend import BackendError


class Unavailable(Exception):
    """A page whose reads a service refused: the message page `title`, with the service's status and reason."""

    def __init__(self, title: str, cause: BackendError) -> None:
        super().__init__(title)
        self.title = title
        self.cause = cause


class Refused(Exception):
    """A form's call a service refused: back to `path` with the reason, as an error (see `web.back`)."""

    def __init__(self, path: str, cause: BackendError) -> None:
        super().__init__(path)
        self.path = path
        self.cause = cause


@contextmanager
def _refusal_as(turned: Callable[[BackendError], Exception]) -> Iterator[None]:
    try:
        yield
    except BackendError as exc:
        raise turned(exc) from exc


def reading(title: str) -> AbstractContextManager[None]:
    """Around a page's reads: a refusal shows the message page `title` instead of the page."""
    return _refusal_as(partial(Unavailable, title))


def back_on_refusal(path: str) -> AbstractContextManager[None]:
    """Around a form's calls: a refusal goes back to `path` with its reason."""
    return _refusal_as(partial(Refused, path))
