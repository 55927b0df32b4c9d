"""Schemathesis against every service's OpenAPI, in process (the ASGI app with its lifespan, in-memory stores).

Three bounded, deterministic (seeded, derandomized) passes per service, each a test per operation
(`test_<pass>_<service>[METHOD /path]`); the terminal summary says how many cases each pass sent:
- `admin`: the examples and fuzzing phases (valid and invalid input) with an admin token, so the handlers run. No
  5xx; status code, content type, headers and body as documented.
- `anonymous`: fuzzing without a token: no 5xx, answers as documented (401 included).
- `officer`: fuzzing with a unit officer's token, so authorisation refuses most writes: no 5xx, answers as documented.

`TDKT_FUZZ_DEEP=1` adds the coverage phase (boundary values, every missing field, unsupported methods: a 405 must
carry a true `Allow`) and schemathesis' default of 100 examples per operation; it takes minutes, so `make test` runs
the bounded passes.

The admin pass also checks `negative_data_rejection`: input that breaks the schema (a number for a date, 0 for a
boolean, a string for an integer) is refused, never read the lax way. Not checked: `positive_data_acceptance`
(domain rules rightly answer 422 to schema-valid input, e.g. an unknown parent).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from typing import Any, cast

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.case import Case

from tdkt_shared.auth import Role, dev_headers
from tdkt_shared.runtime import InMemoryRuntime, create_app, definitions
from tests.fuzz.portal import portal_app, session_headers
from tests.fuzz.tally import TALLIES

ApiCase = Case[Any]
SEED = 20261125
PHASES = ("examples", "coverage", "fuzzing", "stateful")
ADMIN_EXAMPLES = 6
GUEST_EXAMPLES = 2
"""Fuzzing examples per operation (operations without parameters get fewer: there is nothing to vary)."""
AS_DOCUMENTED = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)


DEEP = os.environ.get("TDKT_FUZZ_DEEP") == "1"
"""`TDKT_FUZZ_DEEP=1`: the coverage phase too, and schemathesis' default of 100 examples (minutes, not seconds)."""
DEEP_EXAMPLES = 100


def _config(*, phases: tuple[str, ...], max_examples: int, checks: tuple[str, ...]) -> SchemathesisConfig:
    generation = {
        "max-examples": DEEP_EXAMPLES if DEEP else max_examples,
        "deterministic": True,
        "database": "none",
        # each pass sets the Authorization header itself (none for `anonymous`)
        "with-security-parameters": False,
    }
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "generation": generation,
            "phases": {phase: {"enabled": phase in phases} for phase in PHASES},
            "checks": {"enabled": False, **{check: {"enabled": True} for check in checks}},
        }
    )


ADMIN_CONFIG = _config(
    phases=("examples", "coverage", "fuzzing") if DEEP else ("examples", "fuzzing"),
    max_examples=ADMIN_EXAMPLES,
    checks=(*AS_DOCUMENTED, "unsupported_method", "allow_header_conformance", "negative_data_rejection"),
)
GUEST_CONFIG = _config(phases=("fuzzing",), max_examples=GUEST_EXAMPLES, checks=AS_DOCUMENTED)
PASSES: dict[str, tuple[SchemathesisConfig, dict[str, str]]] = {
    "admin": (ADMIN_CONFIG, dev_headers()),
    "anonymous": (GUEST_CONFIG, {}),
    "officer": (GUEST_CONFIG, dev_headers(Role.UNIT_OFFICER, organization_id="so-noi-vu-bac-kan")),
}
MIN_CASES = 1
"""Every operation gets at least this many cases in every pass: a pass that generates none has silently stopped."""

SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def tally(request: pytest.FixtureRequest) -> Iterator[list[None]]:
    """Counts one operation's cases in one pass (`test_<pass>_<service>`); afterwards there must have been enough."""
    item = request.node
    mode, service = item.originalname.removeprefix("test_").split("_")
    label = getattr(item, "operation_label", None) or item.name
    cases: list[None] = []
    yield cases
    TALLIES[service, mode][label] = len(cases)
    if getattr(item, "fuzz_call_failed", False):
        return  # the failure is the news; hypothesis stopped generating on it
    assert len(cases) >= MIN_CASES, f"{label}: {len(cases)} cases in the {mode} pass"


@functools.cache
def _app(service: str) -> FastAPI:
    """One app per service for its three passes, so the guests also meet what the admin created; schemathesis
    starts its lifespan on the first request."""
    if service == "portal":
        return portal_app()
    definition = definitions()[service]
    return create_app(definition, InMemoryRuntime(definition))


PORTAL_ROLES = {"admin": ("admin",), "anonymous": (), "officer": ("unit_officer",)}
"""The portal reads no bearer token: its passes sign in (a session cookie and its CSRF token) with these roles."""


def _pass(service: str, mode: str) -> Callable[..., None]:
    config, headers = PASSES[mode]
    schema = schemathesis.openapi.from_asgi("/openapi.json", _app(service), config=config)

    @schema.parametrize()
    @SETTINGS
    def check(case: ApiCase, tally: list[None]) -> None:
        tally.append(None)
        sent = session_headers(*PORTAL_ROLES[mode]) if service == "portal" else headers
        case.call_and_validate(headers=sent)

    return cast("Callable[..., None]", check)


test_admin_registry = _pass("registry", "admin")
test_admin_reporting = _pass("reporting", "admin")
test_admin_awards = _pass("awards", "admin")
test_admin_notify = _pass("notify", "admin")
test_anonymous_registry = _pass("registry", "anonymous")
test_anonymous_reporting = _pass("reporting", "anonymous")
test_anonymous_awards = _pass("awards", "anonymous")
test_anonymous_notify = _pass("notify", "anonymous")
test_officer_registry = _pass("registry", "officer")
test_officer_reporting = _pass("reporting", "officer")
test_officer_awards = _pass("awards", "officer")
test_officer_notify = _pass("notify", "officer")
test_admin_portal = _pass("portal", "admin")
test_anonymous_portal = _pass("portal", "anonymous")
test_officer_portal = _pass("portal", "officer")


def test_every_service_is_fuzzed() -> None:
    tested = {name.split("_")[2] for name in globals() if name.startswith("test_admin_")}
    assert tested == set(definitions())
