"""Message templates (Vietnamese, Jinja2 syntax) per template key and channel, with a generic fallback.

The key is an event type, a rule's own key (e.g. `publication.request`), or `*` for the generic template.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from tdkt_shared.contract.notify import Channel

GENERIC = "*"
KEY_PATTERN = r"^[a-z0-9_.*]{1,120}$"


def template_id(key: str, channel: Channel) -> str:
    return f"{key}|{channel.value}"


class TemplateBody(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    subject: str = Field(min_length=1, max_length=500)
    body: str = Field(min_length=1, max_length=20000)
    language: str = Field(default="vi", pattern=r"^[a-z]{2}$")


class Template(TemplateBody):
    key: str = Field(pattern=KEY_PATTERN)
    channel: Channel


def lookup_order(template_key: str, event_type: str, channel: Channel) -> list[str]:
    """Ids to try, most specific first: the rule's key, the event type, then the generic template."""
    keys = list(dict.fromkeys([template_key, event_type, GENERIC]))
    return [template_id(k, channel) for k in keys]
