"""Schemathesis hooks of scripts/fuzz.ts (see schemathesis.toml beside this file).

- Idempotency-Key: a valid key is replaced by a fresh one on every request. Reusing a key is a
  retry, answered with the first answer (which may name a resource deleted since) or 422 for
  another body; the fuzzer means every request as a new command. Invalid keys (empty, over 128
  characters) are sent as generated: their 400 is part of the contract.
- cursor: an opaque page cursor (no pattern in its schema) is issued by the service (base64url of a
  time and an id); one it did not issue is 400. A valid string the fuzzer generated becomes a
  well-formed cursor, so that a "valid" request is one a client could send; malformed ones (empty,
  too long) stay as generated. A cursor with a pattern (a ledger's seq) is sent as generated.
"""

import base64
import json
import uuid

import schemathesis


def _well_formed_cursor() -> str:
    position = json.dumps(["2026-01-01T00:00:00.000Z", str(uuid.uuid4())], separators=(",", ":"))
    return base64.urlsafe_b64encode(position.encode()).decode().rstrip("=")


@schemathesis.hook
def before_call(context, case, kwargs):
    headers = case.headers
    if headers:
        for name in list(headers):
            value = headers[name]
            if name.lower() == "idempotency-key" and isinstance(value, str) and 1 <= len(value) <= 128:
                headers[name] = str(uuid.uuid4())
    query = case.query
    if query and _opaque_cursor(case):
        cursor = query.get("cursor")
        if isinstance(cursor, str) and 1 <= len(cursor) <= 200:
            query["cursor"] = _well_formed_cursor()


def _opaque_cursor(case) -> bool:
    """A cursor whose schema gives no pattern is opaque; one with a pattern (a ledger's seq) is as documented."""
    parameter = case.operation.query.get("cursor")
    if parameter is None:
        return False
    return "pattern" not in (parameter.definition.get("schema") or {})
