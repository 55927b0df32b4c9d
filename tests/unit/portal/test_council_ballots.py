"""The council screen's open sessions and a member's secret ballot in one (in memory, through the real APIs): the
member sees the session, casts their own ballot once, and awards records who voted, not what."""

from __future__ import annotations

from tdkt_shared.auth import dev_headers
from tests.unit.awards.test_council_sessions import SECRETARY, at_council, constitute
from tests.unit.portal.conftest import Stack, csrf_of


async def test_a_member_sees_the_open_session_and_casts_a_secret_ballot_once(stack: Stack) -> None:
    awards = stack.clients["awards"]
    awards.headers.update(dev_headers())  # the set-up below acts as an admin; the portal sends the user's token
    try:
        people = await constitute(stack.services["awards"], 9)
        await at_council(awards, stack.services["awards"], "n-1", ["p-1"])
        body = {
            "id": "phien-1",
            "council_id": "hd-tdkt-thai-nguyen",
            "held_on": "2026-01-05",
            "attendees": people[:6],
            "agenda": ["n-1"],
        }
        opened = await awards.post("/council-sessions", json=body, headers=SECRETARY)
        assert opened.status_code == 201, opened.text
    finally:
        del awards.headers["authorization"]

    await stack.sign_in(people[1], "ubnd-tinh-thai-nguyen", "council_member")
    home = (await stack.portal.get("/hoi-dong")).text
    assert "Phiên họp đang mở, bỏ phiếu kín (1)" in home
    assert '<a href="/hoi-dong/phien/phien-1">Phiên phien-1</a>, ngày 05/01/2026' in home
    page = "/hoi-dong/phien/phien-1"
    ballot = (await stack.portal.get(page)).text
    assert "0 thành viên đã bỏ phiếu" in ballot
    assert 'name="nominee_id" value="p-1"' in ballot
    form = {"csrf_token": csrf_of(ballot), "nomination_id": "n-1", "nominee_id": "p-1", "choice": "NO"}
    answer = await stack.portal.post(f"{page}/phieu", data=form)
    assert (answer.status_code, answer.headers["location"]) == (303, page)
    after = (await stack.portal.get(page)).text
    assert "Đã bỏ phiếu kín cho hồ sơ n-1." in after
    assert "1 thành viên đã bỏ phiếu" in after
    assert "Bạn đã bỏ phiếu cho hồ sơ này." in after
    assert 'name="choice"' not in after
    session = (await awards.get("/council-sessions/phien-1", headers=dev_headers())).json()
    assert session["agenda"][0]["voters"] == [people[1]]
    assert session["agenda"][0]["tallies"] == []  # sealed until the close

    # a second ballot is awards' 409, shown to the member; nothing more is recorded
    again = await stack.portal.post(f"{page}/phieu", data={**form, "choice": "YES"})
    assert again.status_code == 303
    assert "Không thực hiện được" in (await stack.portal.get(page)).text
    session = (await awards.get("/council-sessions/phien-1", headers=dev_headers())).json()
    assert session["agenda"][0]["voters"] == [people[1]]
    # a choice outside YES/NO is refused by the form before awards is called
    bad = await stack.portal.post(f"{page}/phieu", data={**form, "choice": "MAYBE"})
    assert bad.status_code == 422


async def test_a_secretary_sees_the_session_but_has_no_ballot(stack: Stack) -> None:
    await stack.sign_in("thu-ky", "so-noi-vu-thai-nguyen", "council_secretary")
    home = (await stack.portal.get("/hoi-dong")).text
    assert "Không có phiên họp đang mở." in home
    form = {"csrf_token": csrf_of(home), "nomination_id": "n-1", "nominee_id": "p-1", "choice": "YES"}
    assert (await stack.portal.post("/hoi-dong/phien/phien-1/phieu", data=form)).status_code == 403
