"""Webhook signatures as the Standard Webhooks specification says (https://www.standardwebhooks.com), signed with
its reference library, so a receiver verifies with any Standard Webhooks library.

Every webhook POST carries the source CloudEvent as its body (CloudEvents HTTP binding, structured content mode,
`Content-Type: application/cloudevents+json`) and:

- `webhook-id`: the delivery id, the same on every retry (receivers drop repeats by it);
- `webhook-timestamp`: Unix time in seconds when the request was signed;
- `webhook-signature`: `v1,` + base64 of HMAC-SHA256 over `<webhook-id>.<webhook-timestamp>.<body>`.

The signing key is the subscriber's secret. A secret in the specification's form (`whsec_` + base64 of the key) is
used as it is; any other secret is the key's UTF-8 bytes, and the receiver passes `whsec_` + base64 of those bytes
to its library. Secrets notify generates are in the specification's form.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, Field
from standardwebhooks import Webhook

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
SECRET_PREFIX = "whsec_"
MIN_KEY_BYTES = 16


def new_secret() -> str:
    """A fresh secret in the specification's form: 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def standard_secret(secret: str) -> str:
    """`secret` in the specification's form."""
    return secret if secret.startswith(SECRET_PREFIX) else SECRET_PREFIX + base64.b64encode(secret.encode()).decode()


def secret_problem(secret: str) -> str | None:
    """Why `secret` cannot sign (None when it can): a `whsec_` secret must be base64 of 16 bytes or more."""
    if not secret.startswith(SECRET_PREFIX):
        return None
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except binascii.Error:
        return "a whsec_ secret must be base64 after the prefix"
    return None if len(key) >= MIN_KEY_BYTES else f"a whsec_ secret must encode {MIN_KEY_BYTES} bytes or more"


def _signing_secret(secret: str) -> str:
    if (problem := secret_problem(secret)) is not None:
        raise ValueError(problem)
    return secret


WebhookSecret = Annotated[str, Field(min_length=16, max_length=200), AfterValidator(_signing_secret)]
"""A secret a subscriber gives: 16 to 200 characters; a `whsec_` one must be base64 of 16 bytes or more."""


def signed_headers(secret: str, message_id: str, timestamp: float, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers of `body`, sent with id `message_id` at `timestamp`."""
    at = datetime.fromtimestamp(int(timestamp), UTC)
    signature = Webhook(standard_secret(secret)).sign(message_id, at, body.decode())
    return {ID_HEADER: message_id, TIMESTAMP_HEADER: str(int(timestamp)), SIGNATURE_HEADER: signature}
