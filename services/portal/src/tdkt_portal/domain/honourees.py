"""The public honour roll (danh sách khen thưởng công khai): one entry per grant, from awards' and notify's events.

Pure: how an entry is made from `award.granted`, changed by `award.revoked`, and how press bodies' publication
requests (đề nghị đăng tải) are collected per source event. Search works on normalised words (no diacritics).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from pydantic import Field

from tdkt_shared.contract.awards import AwardGranted, AwardRevoked, NomineeKind
from tdkt_shared.contract.notify import PublicationRequested
from tdkt_shared.kit.carry import carried
from tdkt_shared.kit.models import Value

MAX_TERMS = 40


def words(text: str) -> list[str]:
    """Lower-case words without diacritics (đ as d): what a search matches, typed with or without accents."""
    stripped = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in stripped if not unicodedata.combining(c)).lower()
    return [w for w in re.split(r"[^0-9a-z]+", plain) if w]


class Honouree(Value):
    """A grant as the public sees it; `grant_id` is its permanent link."""

    grant_id: str
    recipient_id: str
    recipient_name: str = ""
    recipient_kind: NomineeKind | None = None
    award_code: str = ""
    award_kind: str = ""
    year: int = 0
    organization_id: str | None = None
    decision_number: str | None = None
    decision_date: date | None = None
    imported: bool = False
    granted_event_id: str | None = None
    """The `award.granted` event: publication requests name it as their source."""
    revoked: bool = False
    revoked_on: date | None = None
    revocation_decision: str | None = None
    terms: list[str] = Field(default_factory=list)

    @property
    def known(self) -> bool:
        """False for a revocation learnt before its grant (shown nowhere until the grant arrives)."""
        return self.granted_event_id is not None


def granted(current: Honouree | None, event_id: str, data: AwardGranted) -> Honouree:
    """The entry for a grant (every field the event shares with it), keeping a revocation already learnt."""
    entry = Honouree(**carried(data, Honouree), granted_event_id=event_id, terms=words(data.recipient_name)[:MAX_TERMS])
    if current is not None and current.revoked:
        return entry.model_copy(
            update={
                "revoked": True,
                "revoked_on": current.revoked_on,
                "revocation_decision": current.revocation_decision,
            }
        )
    return entry


def revoked(current: Honouree | None, data: AwardRevoked) -> Honouree:
    """Hủy bỏ: the entry stays reachable at its link, marked revoked, and leaves the roll."""
    base = current or Honouree(grant_id=data.grant_id, recipient_id=data.recipient_id, award_code=data.award_code)
    return base.model_copy(
        update={"revoked": True, "revoked_on": data.revoked_on, "revocation_decision": data.decision_number}
    )


class PressRequest(Value):
    organization_id: str
    on: date


class Publication(Value):
    """The press bodies asked to publish one event (a grant, an approval, a congress)."""

    source_event_id: str
    source_event_type: str
    press: list[PressRequest] = Field(default_factory=list)


def requested(current: Publication | None, data: PublicationRequested) -> Publication:
    base = current or Publication(source_event_id=data.source_event_id, source_event_type=data.source_event_type)
    if any(p.organization_id == data.organization_id for p in base.press):
        return base
    added = PressRequest(organization_id=data.organization_id, on=data.on)
    return base.model_copy(update={"press": [*base.press, added]})
