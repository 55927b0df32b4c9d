"""Webhook signatures.

Every webhook POST carries:

- `X-TDKT-Delivery`: the delivery id (the same on every retry: receivers can drop repeats by it);
- `X-TDKT-Timestamp`: Unix time in seconds when the request was signed;
- `X-TDKT-Signature`: `v1=` + lower-case hex of HMAC-SHA256(key = the subscriber's secret as UTF-8,
  message = timestamp + "." + the raw request body bytes).

To verify, recompute the HMAC over the timestamp header, a dot and the body exactly as received, compare in constant
time, and reject a timestamp further than a tolerance (five minutes by default) from your clock: a captured request
cannot be replayed later, and the signature cannot be moved to another body or time.
"""

from __future__ import annotations

import hashlib
import hmac

DELIVERY_HEADER = "X-TDKT-Delivery"
TIMESTAMP_HEADER = "X-TDKT-Timestamp"
SIGNATURE_HEADER = "X-TDKT-Signature"
SCHEME = "v1"
DEFAULT_TOLERANCE_S = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def verify(
    secret: str, timestamp: str, body: bytes, signature: str, *, now: float, tolerance_s: int = DEFAULT_TOLERANCE_S
) -> bool:
    """True when `signature` is ours for this timestamp and body, and the timestamp is within the tolerance."""
    try:
        signed_at = int(timestamp)
    except ValueError:
        return False
    if abs(now - signed_at) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, signed_at, body), signature)
