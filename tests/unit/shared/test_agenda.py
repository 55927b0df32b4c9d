from __future__ import annotations

import pytest

from tdkt_shared.store.agenda import InMemoryAgenda
from tests.store_contract import AgendaContract


class TestInMemoryAgenda(AgendaContract):
    @pytest.fixture
    def agenda(self) -> InMemoryAgenda:
        return InMemoryAgenda("open_things")
