"""Typed errors of the prevention client."""

from __future__ import annotations

from typing import Any, Dict, Optional

# The codes are core's (the same a PreventionError carries in a Node process), so an agent
# tests `error.code` the same way whichever client or language raised it.

#: The server refused a conditional write: the file changed since it was read (412).
PRECONDITION_FAILED = "PREVENTION_PRECONDITION_FAILED"
#: The file is not one the project's config covers (404).
UNKNOWN_FILE = "PREVENTION_UNKNOWN_FILE"
#: The path leaves the project: ``..``, absolute, through a symlink (400).
UNSAFE_PATH = "PREVENTION_UNSAFE_PATH"
#: The change or event was refused by validation; nothing was committed (422).
VALIDATION_FAILED = "PREVENTION_VALIDATION_FAILED"
#: The request itself is malformed (400).
BAD_REQUEST = "PREVENTION_BAD_REQUEST"
#: TCP without the right bearer token (401).
UNAUTHORIZED = "PREVENTION_UNAUTHORIZED"
#: The file stayed locked by another writer (503).
LOCK_TIMEOUT = "PREVENTION_LOCK_TIMEOUT"
#: Nothing answers on the socket, and the service was not (or could not be) started.
UNAVAILABLE = "PREVENTION_ENGINE_CLOSED"
#: The request was sent but no answer came (a timeout, a lost connection): its outcome is unknown,
#: except for a publish, which was sent again with its Idempotency-Key.
TRANSPORT = "PREVENTION_IO_FAILED"
#: The call itself is wrong (a value JSON cannot represent, a bad argument); nothing was sent.
USAGE = "PREVENTION_USAGE"
#: The service answered something that is not the protocol.
BAD_ANSWER = "PREVENTION_INTERNAL"


class PreventionError(Exception):
    """An error from the prevention service, or from the client on its way there.

    ``code`` is the stable ``PREVENTION_…`` code (the server's own when the server refused the
    request), ``status`` the HTTP status (``None`` when no response was received), ``details``
    what the server added (validation issues, the current version, ...), ``hint`` what to do.
    """

    def __init__(
        self,
        code: str,
        message: str,
        status: Optional[int] = None,
        details: Optional[Dict[str, Any]] = None,
        hint: Optional[str] = None,
        etag: Optional[str] = None,
    ) -> None:
        super().__init__(f"[{code}] {message}")
        self.code = code
        self.message = message
        self.status = status
        self.details: Dict[str, Any] = details or {}
        self.hint = hint
        #: The file's current version, when a 412 response named it.
        self.etag = etag

    def __repr__(self) -> str:
        return f"PreventionError(code={self.code!r}, status={self.status!r}, message={self.message!r})"
