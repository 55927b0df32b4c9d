"""What a create endpoint answers besides its body."""

from __future__ import annotations

from fastapi import Response

from tdkt_shared.kit.responses import created


def test_created_answers_the_view_and_names_where_it_is() -> None:
    response = Response()
    view = {"id": "m-1"}
    assert created(response, "/movements/m-1", view) is view
    assert response.headers["Location"] == "/movements/m-1"
