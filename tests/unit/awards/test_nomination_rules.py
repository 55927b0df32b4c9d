"""Pure workflow rules: every illegal step is refused, holds return where they were, council tallies at the boundary."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from tdkt_awards.catalogue_data import default_catalogue
from tdkt_awards.domain import attachments
from tdkt_awards.domain import nominations as wf
from tdkt_awards.domain.catalogue import Citation, EffectiveRules, Ratio, VoteBase, VoteRule
from tdkt_awards.domain.eligibility import GrantFact, HoldFact, HoldReason, MemberFacts
from tdkt_awards.domain.files import AttachedFile
from tdkt_awards.domain.grants import DecideNomination, bonus, decide
from tdkt_awards.domain.nominations import Actor, Nomination, Status
from tdkt_shared.contract.awards import NomineeKind
from tdkt_shared.contract.types import EventData
from tdkt_shared.errors import DomainError, InvalidTransition

CATALOGUE = default_catalogue()
RULES = CATALOGUE.rules_for(date(2025, 12, 31), "thai-nguyen")
AT = datetime(2026, 1, 5, tzinfo=UTC)
WHO = Actor(actor="a", organization_id="o", reason="r")


def a_file(item: str) -> AttachedFile:
    return AttachedFile(
        file_id=f"f-{item.lower()}",
        item=item,
        filename=f"{item}.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        uploaded_at=AT,
        uploaded_by="a",
        organization_id="o",
    )


def nomination(status: Status, award: str = "CSTD_TINH") -> Nomination:
    command = wf.DraftNomination(
        id="n",
        kind=wf.NominationKind.ANNUAL_MERIT,
        award_code=award,
        year=2025,
        submitting_organization_id="o",
        nominees=[wf.Nominee(nominee_id="p", kind=NomineeKind.INDIVIDUAL, name="P")],
        actor="a",
    )
    n, _ = wf.draft(command, RULES, AT)
    return n.model_copy(update={"status": status, "held_from": Status.RECEIVED if status is Status.ON_HOLD else None})


Step = Callable[[Nomination], tuple[Nomination, list[EventData]]]
STEPS: dict[str, tuple[Step, set[Status]]] = {
    "submit": (lambda n: wf.submit(n, WHO, AT), {Status.DRAFT, Status.RETURNED}),
    "receive": (lambda n: wf.receive(n, WHO, AT), {Status.SUBMITTED}),
    "start_appraisal": (lambda n: wf.start_appraisal(n, WHO, AT), {Status.RECEIVED}),
    "appraise": (lambda n: wf.appraise(n, [], [], RULES, WHO, AT), {Status.UNDER_APPRAISAL}),
    "to_council": (lambda n: wf.to_council(n, RULES, WHO, AT), {Status.ELIGIBLE}),
    "hold": (lambda n: wf.put_on_hold(n, WHO, AT), set(wf.HOLDABLE)),
    "release": (lambda n: wf.release_hold(n, WHO, AT), {Status.ON_HOLD}),
    "decide_mark": (lambda n: wf.mark_decided(n, "d", WHO, AT), {Status.APPROVED}),
}


@pytest.mark.parametrize("step", sorted(STEPS))
@pytest.mark.parametrize("status", list(Status))
def test_each_step_is_legal_only_from_its_states(step: str, status: Status) -> None:
    run, allowed = STEPS[step]
    n = nomination(status)
    if status in allowed:
        moved, events = run(n)
        assert len(moved.audit) == len(n.audit) + 1
        assert events
    else:
        with pytest.raises(InvalidTransition):
            run(n)


@pytest.mark.parametrize("status", list(Status))
def test_files_change_only_while_the_proposer_holds_the_dossier(status: Status) -> None:
    n = nomination(status)
    if status in (Status.DRAFT, Status.RETURNED):
        added, [event] = attachments.add_file(n, a_file("TO_TRINH"), WHO, AT)
        assert (added.attachments, added.audit, event.event_type) == (
            ["TO_TRINH"],
            n.audit,
            "tdkt.awards.attachment.added.v1",
        )
        removed, [gone] = attachments.remove_file(added, "f-to_trinh", WHO, AT)
        assert (removed.files, removed.attachments, gone.event_type) == ([], [], "tdkt.awards.attachment.removed.v1")
    else:
        with pytest.raises(InvalidTransition):
            attachments.add_file(n, a_file("TO_TRINH"), WHO, AT)


def test_submission_names_the_first_item_without_a_file() -> None:
    n = nomination(Status.DRAFT)
    with pytest.raises(DomainError) as refused:
        wf.submit(n, WHO, AT, rules=RULES)
    assert (refused.value.field, refused.value.code) == ("files.TO_TRINH", "missing_attachment")
    filed = n.model_copy(update={"files": [a_file(i) for i in wf.required_attachments(n, RULES)]})
    assert wf.submit(filed, WHO, AT, rules=RULES)[0].status is Status.SUBMITTED


@pytest.mark.parametrize("status", sorted(wf.HOLDABLE))
def test_hold_returns_to_where_it_was(status: Status) -> None:
    held, _ = wf.put_on_hold(nomination(status), WHO, AT)
    assert (held.status, held.held_from) == (Status.ON_HOLD, status)
    back, [event] = wf.release_hold(held, WHO, AT)
    assert back.status is status
    assert back.held_from is None
    assert [a.action for a in back.audit[-2:]] == ["hold", "release"]
    assert event.to_status == status  # type: ignore[attr-defined]


def test_a_hold_needs_a_reason() -> None:
    with pytest.raises(DomainError):
        wf.put_on_hold(nomination(Status.DRAFT), Actor(actor="a", organization_id="o"), AT)


def test_simplified_procedure_needs_only_the_submission() -> None:
    n = nomination(Status.UNDER_APPRAISAL).model_copy(
        update={"kind": wf.NominationKind.SIMPLIFIED, "files": [a_file("TO_TRINH")]}
    )
    assert wf.missing_attachments(n, RULES) == []
    bare = n.model_copy(update={"files": [], "attachments": ["TO_TRINH"]})
    assert wf.missing_attachments(bare, RULES) == ["TO_TRINH"]  # a bare code satisfies nothing
    assert wf.missing_attachments(n.model_copy(update={"kind": wf.NominationKind.ANNUAL_MERIT}), RULES) == [
        "BAO_CAO_THANH_TICH",
        "BIEN_BAN_BINH_XET",
        "CHUNG_NHAN_SANG_KIEN",
    ]


def rules_with(vote: VoteRule) -> EffectiveRules:
    award = RULES.award("LDTT").model_copy(update={"vote_rule": vote})
    return RULES.model_copy(update={"award_types": {**RULES.award_types, "LDTT": award}})


def vote(attendees: int, yes: int, no: int, yes_w: int = 0, no_w: int = 0, members: int = 10) -> wf.CouncilVote:
    ballot = wf.Ballot(nominee_id="p", yes_present=yes, no_present=no, yes_written=yes_w, no_written=no_w)
    return wf.CouncilVote(
        session_id="s", held_on=date(2025, 12, 1), members_total=members, attendees=attendees, ballots=[ballot]
    )


CITE = Citation(instrument="test")
TWO_THIRDS = Ratio(numerator=2, denominator=3)
NINE_TENTHS = Ratio(numerator=9, denominator=10)
HALF = Ratio(numerator=1, denominator=2)


def rule(
    base: VoteBase, threshold: Ratio, quorum: Ratio = HALF, *, inclusive: bool = True, written: bool = False
) -> VoteRule:
    return VoteRule(
        secret=True,
        base=base,
        threshold=threshold,
        inclusive=inclusive,
        quorum=quorum,
        written_votes=written,
        citation=CITE,
    )


@pytest.mark.parametrize(
    ("rule", "ballot", "passed"),
    [
        # at least 70% of attendees (who voted, written votes included)
        (rule(VoteBase.ATTENDEES, Ratio(numerator=7, denominator=10)), vote(10, 7, 3), True),
        (rule(VoteBase.ATTENDEES, Ratio(numerator=7, denominator=10)), vote(10, 6, 4), False),
        # more than 50% of all members: exactly half is not enough
        (rule(VoteBase.ALL_MEMBERS, HALF, inclusive=False, written=True), vote(8, 5, 3), False),
        (rule(VoteBase.ALL_MEMBERS, HALF, inclusive=False, written=True), vote(8, 5, 3, yes_w=1), True),
        # 90% of all members: absent members' written votes make the difference
        (rule(VoteBase.ALL_MEMBERS, NINE_TENTHS, TWO_THIRDS, written=True), vote(7, 7, 0, yes_w=2), True),
        (rule(VoteBase.ALL_MEMBERS, NINE_TENTHS, TWO_THIRDS, written=True), vote(7, 7, 0, yes_w=1), False),
        # a threshold of exactly 2/3 of attendees: 6 of 9 passes, 5 of 9 fails, 14 of 21 passes
        (rule(VoteBase.ATTENDEES, TWO_THIRDS), vote(9, 6, 3, members=9), True),
        (rule(VoteBase.ATTENDEES, TWO_THIRDS), vote(9, 5, 4, members=9), False),
        (rule(VoteBase.ATTENDEES, TWO_THIRDS), vote(21, 14, 7, members=21), True),
    ],
)
def test_council_thresholds_at_the_boundary(rule: VoteRule, ballot: wf.CouncilVote, passed: bool) -> None:
    [result] = wf.tally(ballot, rules_with(rule), "LDTT")
    assert result.passed is passed


@pytest.mark.parametrize(("present", "members"), [(2, 3), (6, 9), (8, 12), (10, 15), (14, 21)])
def test_a_quorum_of_exactly_two_thirds_is_met_and_one_attendee_fewer_is_not(present: int, members: int) -> None:
    two_thirds = rule(VoteBase.ATTENDEES, HALF, TWO_THIRDS)
    [result] = wf.tally(vote(present, present, 0, members=members), rules_with(two_thirds), "LDTT")
    assert (result.passed, result.threshold_numerator, result.threshold_denominator) == (True, 1, 2)
    with pytest.raises(DomainError) as err:
        wf.tally(vote(present - 1, present - 1, 0, members=members), rules_with(two_thirds), "LDTT")
    assert (err.value.code, err.value.field) == ("no_quorum", "attendees")


def test_the_shipped_quorums_are_exact_two_thirds() -> None:
    """The provincial council's rules once stored 66.67%, which refused 2 of 3 present."""
    for code in ("CSTD_TINH", "CSTD_TQ", "TTLDXS", "BANG_KHEN_TINH"):
        assert RULES.award(code).vote_rule.quorum == TWO_THIRDS
    [result] = wf.tally(vote(14, 14, 0, yes_w=5, members=21), RULES, "CSTD_TINH")
    assert (result.votes_yes, result.passed) == (19, True)  # 19/21 >= 9/10


@pytest.mark.parametrize(
    ("ballot", "field"),
    [
        (vote(6, 6, 0), "attendees"),  # a 2/3 quorum of 10 needs 7 present
        (vote(7, 7, 1), "ballots.0"),  # more votes than attendees
        (vote(7, 7, 0, yes_w=4), "ballots.0"),  # more written votes than absentees
        (vote(11, 7, 0), "attendees"),
    ],
)
def test_council_refuses_impossible_sessions(ballot: wf.CouncilVote, field: str) -> None:
    strict = rule(VoteBase.ALL_MEMBERS, NINE_TENTHS, TWO_THIRDS, written=True)
    with pytest.raises(DomainError) as err:
        wf.tally(ballot, rules_with(strict), "LDTT")
    assert err.value.field == field


def test_written_votes_count_only_where_the_rule_allows_them() -> None:
    in_the_room = rule(VoteBase.ATTENDEES, HALF)
    with pytest.raises(DomainError) as err:
        wf.tally(vote(8, 5, 3, yes_w=1), rules_with(in_the_room), "LDTT")
    assert (err.value.code, err.value.field) == ("written_votes_not_allowed", "ballots.0")


@pytest.mark.parametrize(("numerator", "denominator"), [(3, 2), (1, 0), (-1, 3)])
def test_a_ratio_is_a_fraction_between_zero_and_one(numerator: int, denominator: int) -> None:
    with pytest.raises(ValidationError):
        Ratio(numerator=numerator, denominator=denominator)


@pytest.mark.parametrize(
    ("day", "salary", "amount"),
    [(date(2024, 6, 30), 1_800_000, 5_400_000), (date(2024, 7, 1), 2_340_000, 7_020_000)],
)
def test_bonus_uses_the_base_salary_on_the_decision_date(day: date, salary: int, amount: int) -> None:
    assert CATALOGUE.base_salary_on(day).amount == salary
    n = nomination(Status.APPROVED).model_copy(
        update={"council": wf.CouncilSession(session_id="s", held_on=day, members_total=1, attendees=1, results=[])}
    )
    n = n.model_copy(
        update={
            "council": n.council.model_copy(  # type: ignore[union-attr]
                update={"results": wf.tally(vote(1, 1, 0, members=1), RULES, "CSTD_TINH")}
            )
        }
    )
    command = DecideNomination(
        decision_id="d", number="1/QĐ", date=day, signer_role="CT", actor="a", organization_id="o", version=1
    )
    decision, [event] = decide(n, command, RULES, CATALOGUE)
    assert (decision.base_salary, decision.grants[0].bonus_amount, event.bonus_amount) == (salary, amount, amount)
    assert bonus(0.3, 2_340_000) == 702_000


def test_an_open_case_blocks_submission() -> None:
    n = nomination(Status.DRAFT)
    nominee = n.nominees[0].model_copy(
        update={"holds": [HoldFact(reason=HoldReason.COMPLAINT, opened=date(2025, 12, 1))]}
    )
    blocked = n.model_copy(update={"nominees": [nominee]})
    with pytest.raises(DomainError) as err:
        wf.submit(blocked, WHO, AT)
    assert (err.value.code, err.value.field) == ("hold_open", "nominees.0.holds")
    closed = nominee.model_copy(
        update={"holds": [HoldFact(reason=HoldReason.COMPLAINT, opened=date(2025, 12, 1), closed=date(2026, 1, 2))]}
    )
    assert wf.submit(n.model_copy(update={"nominees": [closed]}), WHO, AT)[0].status is Status.SUBMITTED


def test_member_grants_cannot_be_declared() -> None:
    member = MemberFacts(
        person_id="m", grants=[GrantFact(grant_id="g", recipient_id="m", award_code="LDTT", year=2025)]
    )
    with pytest.raises(ValidationError, match="never declared"):
        wf.Nominee(nominee_id="c", kind=NomineeKind.COLLECTIVE, name="C", members=[member])
