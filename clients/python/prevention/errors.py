"""Typed errors of the prevention client."""

from __future__ import annotations

from typing import Any, Dict, Optional

#: The server refused a conditional write: the file changed since it was read.
PRECONDITION_FAILED = "PREVENTION_PRECONDITION_FAILED"
#: The file is not one the project's config covers.
UNKNOWN_FILE = "PREVENTION_UNKNOWN_FILE"
#: The path leaves the project (``..``, absolute, through a symlink).
UNSAFE_PATH = "PREVENTION_UNSAFE_PATH"
#: The change or event was refused by validation; nothing was committed.
VALIDATION_FAILED = "PREVENTION_VALIDATION_FAILED"
#: The service does not answer and could not be started.
UNAVAILABLE = "PREVENTION_UNAVAILABLE"
#: The service did not answer in time, even after retrying.
TIMEOUT = "PREVENTION_TIMEOUT"
#: The call itself is wrong (a value JSON cannot represent, a bad argument).
USAGE = "PREVENTION_USAGE"
#: The service answered something that is not the protocol.
BAD_RESPONSE = "PREVENTION_BAD_RESPONSE"


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
