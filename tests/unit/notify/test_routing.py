from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from tdkt_notify.defaults import DEFAULT_RULES
from tdkt_notify.domain.directory import RoleAssignment, holders_on
from tdkt_notify.domain.routing import (
    Purpose,
    RecipientSource,
    RecipientSpec,
    RoutingRule,
    Target,
    event_date,
    route,
    values_at,
)
from tdkt_shared.contract import CloudEvent
from tdkt_shared.contract.notify import Channel
from tdkt_shared.contract.registry import FunctionalRole
from tests.unit.notify import events

PRESS = FunctionalRole.PRESS_COMMUNICATION
TDKT = FunctionalRole.TDKT_STATE_MANAGEMENT


def assignment(aid: str, role: FunctionalRole, org: str, start: date, end: date | None = None) -> RoleAssignment:
    return RoleAssignment(assignment_id=aid, role=role, organization_id=org, valid_from=start, valid_to=end)


ROLES = {
    TDKT: [assignment("a1", TDKT, "so-noi-vu", date(2020, 1, 1))],
    PRESS: [
        assignment("p1", PRESS, "bao-bac-kan", date(2020, 1, 1), date(2025, 6, 30)),
        assignment("p2", PRESS, "bao-thai-nguyen", date(2025, 7, 1)),
    ],
}


def report_event(when: datetime) -> CloudEvent:
    return events.report_submitted("so-y-te", when)


def congress_event(when: datetime) -> CloudEvent:
    return events.congress_scheduled("ubnd-tinh", ["so-y-te", "so-giao-duc"], when)


def nomination_event(when: datetime) -> CloudEvent:
    return events.nomination_approved("so-y-te", "bv-tinh", when)


def pairs(targets: list[Target]) -> set[tuple[str, str, str]]:
    return {(t.recipient_id, t.channel.value, t.purpose.value) for t in targets}


def test_values_at_descends_into_lists_and_skips_missing() -> None:
    data = {"a": [{"b": "x"}, {"b": "y"}, {"c": 1}], "d": None}
    assert values_at(data, "a.b") == ["x", "y"]
    assert values_at(data, "d") == []
    assert values_at(data, "nope.b") == []


def test_several_organisations_may_hold_a_role_and_dates_are_inclusive() -> None:
    both = [*ROLES[PRESS], assignment("p3", PRESS, "dai-phat-thanh", date(2025, 1, 1))]
    assert holders_on(both, PRESS, date(2025, 6, 30)) == ["bao-bac-kan", "dai-phat-thanh"]
    assert holders_on(both, PRESS, date(2025, 7, 1)) == ["bao-thai-nguyen", "dai-phat-thanh"]
    assert holders_on(both, PRESS, date(2019, 12, 31)) == []


def test_report_submitted_reaches_the_unit_and_the_tdkt_body_on_every_channel() -> None:
    targets = route(report_event(datetime(2025, 12, 1, tzinfo=UTC)), DEFAULT_RULES, ROLES)
    expected = {(r, c.value, "NOTIFICATION") for r in ("so-y-te", "so-noi-vu") for c in Channel}
    assert pairs(targets) == expected


def test_nomination_approved_reaches_the_units_the_tdkt_body_and_the_press_body_of_that_day() -> None:
    targets = route(nomination_event(datetime(2025, 3, 1, tzinfo=UTC)), DEFAULT_RULES, ROLES)
    got = pairs(targets)
    for org in ("so-y-te", "bv-tinh", "so-noi-vu"):
        assert {(org, c.value, "NOTIFICATION") for c in Channel} <= got
    assert {("bao-bac-kan", c.value, "PUBLICATION_REQUEST") for c in Channel} <= got
    assert len(got) == 4 * len(Channel)


def test_the_press_body_of_the_event_date_gets_the_publication_request() -> None:
    before = route(congress_event(datetime(2025, 6, 30, 23, tzinfo=UTC)), DEFAULT_RULES, ROLES)
    after = route(congress_event(datetime(2025, 7, 1, 1, tzinfo=UTC)), DEFAULT_RULES, ROLES)
    press_before = {t.recipient_id for t in before if t.purpose == Purpose.PUBLICATION_REQUEST}
    press_after = {t.recipient_id for t in after if t.purpose == Purpose.PUBLICATION_REQUEST}
    assert press_before == {"bao-bac-kan"}
    assert press_after == {"bao-thai-nguyen"}
    invited = {t.recipient_id for t in after if t.purpose == Purpose.NOTIFICATION}
    assert invited == {"ubnd-tinh", "so-y-te", "so-giao-duc"}


def test_a_date_path_picks_the_role_date_from_the_data() -> None:
    event = congress_event(datetime(2025, 1, 1, tzinfo=UTC))
    assert event_date(event, "held_on") == date(2025, 9, 20)
    assert event_date(event, None) == date(2025, 1, 1)
    rule = RoutingRule(
        id="press-on-the-day",
        description="Báo chí đưa tin ngày đại hội",
        event_types=["tdkt.reporting.congress.*"],
        recipients=[RecipientSpec(source=RecipientSource.ROLE_HOLDER, role=PRESS, date_path="held_on")],
        channels=[Channel.INBOX],
    )
    assert pairs(route(event, [rule], ROLES)) == {("bao-thai-nguyen", "INBOX", "NOTIFICATION")}


def test_the_first_rule_wins_a_shared_recipient_and_disabled_rules_send_nothing() -> None:
    subscribers = RecipientSpec(source=RecipientSource.SUBSCRIBERS, ids=["cong-thong-tin"])
    first = RoutingRule(
        id="b", description="x", event_types=["*"], recipients=[subscribers], channels=[Channel.INBOX], priority=1
    )
    second = first.model_copy(update={"id": "a", "priority": 2, "template_key": "other"})
    targets = route(report_event(datetime(2025, 1, 1, tzinfo=UTC)), [second, first], {})
    assert [(t.rule_id, t.recipient_id) for t in targets] == [("b", "cong-thong-tin")]
    off = first.model_copy(update={"enabled": False})
    assert route(report_event(datetime(2025, 1, 1, tzinfo=UTC)), [off], {}) == []


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"source": "EVENT_ORGANIZATION"}, "needs a path"),
        ({"source": "ROLE_HOLDER"}, "needs a role"),
        ({"source": "SUBSCRIBERS"}, "needs ids"),
    ],
)
def test_an_incomplete_recipient_spec_is_refused(spec: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        RecipientSpec.model_validate(spec)


def test_an_event_type_pattern_must_name_tdkt_types() -> None:
    with pytest.raises(ValidationError, match="pattern"):
        RoutingRule(
            id="x",
            description="x",
            event_types=["DROP TABLE"],
            recipients=[RecipientSpec(source=RecipientSource.SUBSCRIBERS, ids=["a"])],
            channels=[Channel.INBOX],
        )
