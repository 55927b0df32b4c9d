"""Awards events as rule data: the consultation's publication request, and the reminder before it closes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from tdkt_notify.defaults import DEFAULT_RULES
from tdkt_notify.domain.deliveries import Delivery
from tdkt_notify.domain.directory import RoleAssignment
from tdkt_notify.domain.routing import Condition, Purpose, RecipientSource, RecipientSpec, route
from tdkt_notify.store import NotifyStores
from tdkt_shared.contract import CloudEvent, make_event
from tdkt_shared.contract.awards import AwardGranted, GrantReviewRequested, NomineeKind, RevocationReason
from tdkt_shared.contract.notify import Channel
from tdkt_shared.contract.registry import FunctionalRole, RoleAssigned
from tests.unit.notify import events
from tests.unit.notify.conftest import Feed

PRESS = FunctionalRole.PRESS_COMMUNICATION
TDKT = FunctionalRole.TDKT_STATE_MANAGEMENT
ROLES = {
    PRESS: [RoleAssignment(assignment_id="p", role=PRESS, organization_id="bao", valid_from=date(2020, 1, 1))],
    TDKT: [RoleAssignment(assignment_id="t", role=TDKT, organization_id="ban-tdkt", valid_from=date(2020, 1, 1))],
}
OPENED = events.nomination_status(
    "ubnd-tp", "PUBLIC_CONSULTATION", datetime(2024, 12, 31, 2, tzinfo=UTC), until=date(2025, 1, 14)
)


def test_opening_a_consultation_asks_the_press_body_to_publish_and_schedules_the_closing_reminder() -> None:
    targets = route(OPENED, DEFAULT_RULES, ROLES)
    now = {(t.recipient_id, t.channel.value) for t in targets if t.not_before is None}
    assert now == {("bao", c.value) for c in Channel}
    assert {t.purpose for t in targets if t.recipient_id == "bao"} == {Purpose.PUBLICATION_REQUEST}
    assert {t.template_key for t in targets if t.recipient_id == "bao"} == {"consultation.opened"}
    reminders = [t for t in targets if t.reminder_rule == "consultation-closing"]
    assert {(t.recipient_id, t.channel.value) for t in reminders} == {
        (org, c) for org in ("ubnd-tp", "ban-tdkt") for c in ("INBOX", "EMAIL")
    }
    # two days before the last day, at 08:00 Vietnam time; pointless once the last day is over
    assert {t.not_before for t in reminders} == {datetime(2025, 1, 12, 1, tzinfo=UTC)}
    assert {t.expires_at for t in reminders} == {datetime(2025, 1, 14, 17, tzinfo=UTC)}


def test_other_status_changes_send_neither() -> None:
    review = events.nomination_status("ubnd-tp", "COUNCIL_REVIEW", datetime(2025, 1, 20, tzinfo=UTC))
    assert route(review, DEFAULT_RULES, ROLES) == []
    # a status with the wrong value is refused by the condition even if a date were there
    odd = events.nomination_status("ubnd-tp", "RETURNED", datetime(2025, 1, 2, tzinfo=UTC), until=date(2025, 1, 14))
    assert route(odd, DEFAULT_RULES, ROLES) == []


def test_a_condition_needs_a_value() -> None:
    with pytest.raises(ValidationError):
        Condition(path="to_status", any_of=[])
    assert Condition(path="to_status", any_of=["A", "B"]).holds(OPENED) is False


async def test_the_reminder_is_recorded_pending_with_its_vietnamese_text(feed: Feed, stores: NotifyStores) -> None:
    await feed(
        events.contact("ubnd-tp", email="vanthu@ubndtp.example"),
        events.role("t", TDKT, "ban-tdkt", date(2020, 1, 1)),
    )
    # far ahead, so that the reminder is not dropped as past (the consumer uses the clock)
    opened = events.nomination_status(
        "ubnd-tp", "PUBLIC_CONSULTATION", datetime(2098, 12, 31, tzinfo=UTC), until=date(2099, 1, 14)
    )
    await feed(opened)
    found = [Delivery.model_validate(s.state) for s in await stores.deliveries.find({"event_id": opened.id})]
    mail = next(d for d in found if d.recipient_id == "ubnd-tp" and d.channel == Channel.EMAIL)
    assert mail.subject == "Nhắc hạn: lấy ý kiến Nhân dân hồ sơ hs-1 kết thúc ngày 14/01/2099"
    assert mail.body is not None
    assert "Hội đồng Thi đua – Khen thưởng" in mail.body
    assert mail.not_before == datetime(2099, 1, 12, 1, tzinfo=UTC)
    assert {(d.recipient_id, d.channel.value) for d in found} == {
        ("ubnd-tp", "EMAIL"),
        ("ubnd-tp", "INBOX"),
        ("ban-tdkt", "INBOX"),  # no e-mail address known for it
    }


def test_a_council_session_date_schedules_a_reminder_to_the_standing_body_and_the_tdkt_body() -> None:
    standing = FunctionalRole.COUNCIL_STANDING_BODY
    roles = {
        **ROLES,
        standing: [
            RoleAssignment(assignment_id="s", role=standing, organization_id="snv", valid_from=date(2020, 1, 1))
        ],
    }
    sent = events.nomination_status(
        "ban-tdkt", "COUNCIL_REVIEW", datetime(2025, 1, 20, 2, tzinfo=UTC), session_on=date(2025, 2, 10)
    )
    reminders = [t for t in route(sent, DEFAULT_RULES, roles) if t.reminder_rule == "council-session-approaching"]
    assert {(t.recipient_id, t.channel.value) for t in reminders} == {
        (org, c) for org in ("snv", "ban-tdkt") for c in ("INBOX", "EMAIL")
    }
    # three days before the session, at 08:00 Vietnam time
    assert {t.not_before for t in reminders} == {datetime(2025, 2, 7, 1, tzinfo=UTC)}
    assert {t.template_key for t in reminders} == {"council.session_soon"}


@pytest.mark.parametrize(("imported", "publicised"), [(False, True), (True, False)])
def test_grants_are_publicised_unless_they_were_imported_from_history(imported: bool, publicised: bool) -> None:
    data = AwardGranted(
        grant_id="g-1",
        recipient_id="p-1",
        recipient_kind=NomineeKind.INDIVIDUAL,
        recipient_name="Nguyễn Thị Hà",
        award_code="CSTD_TINH",
        award_kind="ANNUAL_MERIT",
        year=2024,
        rule_set_id="VN-2024-D98",
        imported=imported,
    )
    granted = make_event(data, partitionkey="p-1", time=datetime(2025, 1, 20, 2, tzinfo=UTC))
    press = {t.recipient_id for t in route(granted, DEFAULT_RULES, ROLES) if t.purpose == Purpose.PUBLICATION_REQUEST}
    assert press == ({"bao"} if publicised else set())


def test_a_condition_has_exactly_one_test() -> None:
    with pytest.raises(ValidationError):
        Condition(path="imported", any_of=["a"], none_of=["b"])
    with pytest.raises(ValidationError):
        Condition(path="imported")


async def test_a_grant_flagged_for_review_reaches_the_tdkt_body_and_the_proposer_in_vietnamese(
    feed: Feed, stores: NotifyStores
) -> None:
    await feed(
        events.contact("so-noi-vu", email="vanthu@snv.example"),
        events.role("t", TDKT, "ban-tdkt", date(2020, 1, 1)),
    )
    data = review_requested()
    flagged = make_event(data, partitionkey="p-1")
    await feed(flagged)
    found = [Delivery.model_validate(s.state) for s in await stores.deliveries.find({"event_id": flagged.id})]
    assert {(d.recipient_id, d.channel.value) for d in found} == {
        ("so-noi-vu", "EMAIL"),
        ("so-noi-vu", "INBOX"),
        ("ban-tdkt", "INBOX"),
    }
    mail = next(d for d in found if d.channel == Channel.EMAIL)
    assert mail.subject == "Đề nghị xem xét khen thưởng CSTD_TINH năm 2025 của Nguyễn Thị Hà"
    assert mail.body is not None
    assert "h.3, nay đã bị hủy bỏ (FALSE_INFO)" in mail.body
    assert "(PROVINCE_CHAIRMAN) xem xét lại" in mail.body


def review_requested() -> GrantReviewRequested:
    return GrantReviewRequested(
        grant_id="qd-1.1",
        decision_id="qd-1",
        decision_number="12/QĐ-UBND",
        recipient_id="p-1",
        recipient_name="Nguyễn Thị Hà",
        award_code="CSTD_TINH",
        year=2025,
        revoked_grant_id="h.3",
        revocation_reason=RevocationReason.FALSE_INFO,
        deciding_authority="PROVINCE_CHAIRMAN",
        signer_role="PROVINCE_CHAIRMAN",
        submitting_organization_id="so-noi-vu",
    )


DECIDING = FunctionalRole.DECIDING_AUTHORITY


def deciding(assignment_id: str, org: str, authority: str, start: date, end: date | None = None) -> CloudEvent:
    data = RoleAssigned(
        assignment_id=assignment_id,
        role=DECIDING,
        organization_id=org,
        valid_from=start,
        valid_to=end,
        authority=authority,
    )
    return make_event(data, partitionkey=org)


async def test_a_grant_flagged_for_review_goes_to_the_office_of_its_deciding_authority_when_the_registry_knows_it(
    feed: Feed, stores: NotifyStores
) -> None:
    await feed(
        events.role("t", TDKT, "ban-tdkt", date(2020, 1, 1)),
        deciding("d-1", "vp-ubnd-tinh", "PROVINCE_CHAIRMAN", date(2020, 1, 1)),
        deciding("d-2", "van-phong-chinh-phu", "PRIME_MINISTER", date(2020, 1, 1)),
        deciding("d-3", "vp-ubnd-cu", "PROVINCE_CHAIRMAN", date(2010, 1, 1), date(2019, 12, 31)),
    )
    flagged = make_event(review_requested(), partitionkey="p-1")
    await feed(flagged)
    found = [Delivery.model_validate(s.state) for s in await stores.deliveries.find({"event_id": flagged.id})]
    # the deciding authority's office in force on the day, and the proposer; not the TĐKT body, nor another authority
    assert {d.recipient_id for d in found} == {"vp-ubnd-tinh", "so-noi-vu"}


def test_without_an_office_in_force_for_the_authority_the_tdkt_body_is_asked() -> None:
    flagged = make_event(review_requested(), partitionkey="p-1")
    other = {
        **ROLES,
        DECIDING: [
            RoleAssignment(
                assignment_id="d", role=DECIDING, organization_id="vpcp", valid_from=date(2020, 1, 1), authority="PM"
            )
        ],
    }
    assert {t.recipient_id for t in route(flagged, DEFAULT_RULES, other)} == {"ban-tdkt", "so-noi-vu"}


def test_a_deciding_authority_recipient_needs_a_path_and_a_fallback_role() -> None:
    with pytest.raises(ValidationError):
        RecipientSpec(source=RecipientSource.DECIDING_AUTHORITY, path="deciding_authority")
    with pytest.raises(ValidationError):
        RecipientSpec(source=RecipientSource.DECIDING_AUTHORITY, role=TDKT)
