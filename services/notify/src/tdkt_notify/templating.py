"""Rendering templates with Jinja2 in a sandbox (operators write them through the API)."""

from __future__ import annotations

import functools
import logging
from datetime import date, datetime
from typing import Any

from jinja2 import Template, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from tdkt_notify.domain.templates import TemplateBody
from tdkt_shared.errors import DomainError

log = logging.getLogger(__name__)


def _vietnamese_date(value: Any) -> str:
    """`2026-03-05` -> `05/03/2026`, the way dates are written in Vietnamese documents."""
    try:
        day = value if isinstance(value, date) else datetime.fromisoformat(str(value)).date()
    except ValueError:
        return str(value)
    return day.strftime("%d/%m/%Y")


ENVIRONMENT = SandboxedEnvironment(autoescape=False, keep_trailing_newline=False, trim_blocks=True, lstrip_blocks=True)
ENVIRONMENT.filters["ngay"] = _vietnamese_date


def check(source: str, field: str) -> None:
    """Reject a template that does not parse, naming the field at fault."""
    try:
        ENVIRONMENT.parse(source)
    except TemplateSyntaxError as exc:
        raise DomainError(f"template syntax error on line {exc.lineno}: {exc.message}", field=field) from exc


@functools.lru_cache(maxsize=256)
def compiled(source: str) -> Template:
    """Compiling costs far more than rendering: each distinct source is compiled once (templates are few)."""
    return ENVIRONMENT.from_string(source)


def render(source: str, context: dict[str, Any]) -> str:
    return compiled(source).render(context).strip()


def render_message(template: TemplateBody, context: dict[str, Any], fallback: TemplateBody) -> tuple[str, str]:
    """The subject and body; a template that fails on this context (e.g. a sandbox refusal) gives way to `fallback`."""
    try:
        return render(template.subject, context), render(template.body, context)
    except Exception:
        log.exception("template %r failed; using the built-in one", template.subject)
        return render(fallback.subject, context), render(fallback.body, context)
