"""The client of a project's ``prevention serve``: files and the bus over HTTP + JSON."""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import select
import socket
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union
from urllib.parse import quote, urlencode, urlsplit

from . import _transport
from .errors import (
    BAD_ANSWER,
    PRECONDITION_FAILED,
    TRANSPORT,
    UNAVAILABLE,
    USAGE,
    PreventionError,
)

JsonValue = Any
FileName = Union[str, "os.PathLike[str]"]

#: What no header name or value may hold (http.client refuses the same).
_ILLEGAL_HEADER_TEXT = re.compile(r"[\r\n\0]")
_ILLEGAL_TARGET_TEXT = re.compile(r"[\x00-\x20\x7f]")

#: How long a stream may stay silent before it counts as lost (the server sends a heartbeat every 15 s).
STREAM_IDLE_TIMEOUT = 45.0


@dataclass(frozen=True)
class CommitResult:
    """What a committed write answers: the file, the sha256 of the bytes now on disk (its new
    version, the ``etag`` to pass as ``if_match``) and their size."""

    file: str
    sha256: str
    bytes: int

    @property
    def etag(self) -> str:
        """The new version, as ``read_version`` would give it."""
        return self.sha256


def _env_flag(name: str) -> Optional[bool]:
    value = os.environ.get(name)
    if value is None or value == "":
        return None
    return value.strip().lower() not in ("0", "false", "no", "off")


def default_source() -> str:
    """The ``source`` of events published without one: ``PREVENTION_SOURCE``, else the name of
    the running script (``python`` for an interactive session or ``-c``)."""
    configured = os.environ.get("PREVENTION_SOURCE")
    if configured:
        return configured
    script = Path(sys.argv[0]).stem if sys.argv and sys.argv[0] not in ("", "-", "-c", "-m") else ""
    return script or "python"


def _dumps(document: Any, what: str) -> bytes:
    # Serialized in full before anything is sent, so a value JSON cannot represent is refused
    # here, whole, and nothing reaches the file.
    try:
        return json.dumps(document, allow_nan=False, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except (TypeError, ValueError) as error:
        raise PreventionError(USAGE, f"{what} is not JSON: {error}. Nothing was sent") from error


def _unquote_etag(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    value = value.strip()
    if value.startswith("W/"):
        value = value[2:]
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


def _quote_etag(value: str) -> str:
    return value if value.startswith('"') else f'"{value}"'


def last_seq_of(document: Any) -> int:
    """The ``seq`` of the newest event of a shared context document (0 for none), by the bus's
    rule: an event's stored ``seq``, or for an event written by an older bus, its position."""
    events = document.get("events") if isinstance(document, dict) else None
    previous = 0
    for event in events if isinstance(events, list) else []:
        stored = event.get("seq") if isinstance(event, dict) else None
        if isinstance(stored, int) and not isinstance(stored, bool) and stored > previous:
            previous = stored
        else:
            previous += 1
    return previous


class Client:
    """A connection to the project's ``prevention serve``.

    The project is found from ``root`` (default: the working directory) upwards: the nearest
    directory with a ``prevention.config.*`` file or an existing ``.prevention/prevention.sock``.
    The client speaks HTTP over that Unix socket, or over TCP with a bearer token when ``url``
    (or ``PREVENTION_URL``) names one. When the socket does not answer, it starts ``prevention
    serve`` itself (``autostart``, on unless ``PREVENTION_AUTOSTART=0``) and says so once on stderr.

    One client keeps one persistent connection (requests from several threads take turns on it);
    streams from :meth:`Bus.follow` use their own. Use it as a context manager or call :meth:`close`.
    """

    def __init__(
        self,
        root: Optional[FileName] = None,
        *,
        socket_path: Optional[FileName] = None,
        url: Optional[str] = None,
        token: Optional[str] = None,
        autostart: Optional[bool] = None,
        timeout: float = 60.0,
        retries: int = 3,
        source: Optional[str] = None,
    ) -> None:
        root_setting = root if root is not None else os.environ.get("PREVENTION_ROOT")
        given_socket = Path(socket_path).absolute() if socket_path is not None else None
        if root_setting is None and given_socket is not None and given_socket.parent.name == _transport.STATE_DIR:
            # A project's own socket names its project.
            root_setting = str(given_socket.parent.parent)
        self.root: Path = _transport.find_root(Path(root_setting) if root_setting else None)
        self.url: Optional[str] = url if url is not None else (os.environ.get("PREVENTION_URL") or None)
        self.socket_path: Path = given_socket or _transport.socket_path_for(self.root)
        self.timeout = timeout
        self.retries = max(1, retries)
        self.source = source or default_source()
        env_autostart = _env_flag("PREVENTION_AUTOSTART")
        self.autostart: bool = (
            autostart if autostart is not None else (env_autostart if env_autostart is not None else True)
        )
        real_socket = Path(os.path.realpath(self.socket_path.parent)) / self.socket_path.name
        if real_socket != _transport.socket_path_for(self.root):
            # A socket elsewhere is not one a server started here would listen on.
            self.autostart = False
        self._tcp: Optional[Tuple[str, int]] = None
        self._token: Optional[str] = None
        if self.url:
            parts = urlsplit(self.url)
            if parts.scheme != "http" or not parts.hostname:
                raise PreventionError(USAGE, f"PREVENTION_URL must be http://127.0.0.1:PORT (got {self.url!r})")
            self._tcp = (parts.hostname, parts.port or 80)
            self._token = token or os.environ.get("PREVENTION_SERVE_TOKEN") or self._token_from_file()
            if not self._token:
                raise PreventionError(
                    USAGE,
                    f"a TCP service ({self.url}) needs a token: pass token=, "
                    "or set PREVENTION_SERVE_TOKEN or PREVENTION_TOKEN_FILE",
                )
            # Autostart is for the project's own socket; a TCP service is run by whoever chose its port.
            self.autostart = False
        self._lock = threading.Lock()
        self._connection: Optional[http.client.HTTPConnection] = None
        self._pid = os.getpid()

    # Connections

    @staticmethod
    def _token_from_file() -> Optional[str]:
        path = os.environ.get("PREVENTION_TOKEN_FILE")
        if not path:
            return None
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
            # The token is the first line, as `prevention serve --token-file` reads it.
            return (lines[0].strip() if lines else "") or None
        except OSError as error:
            raise PreventionError(USAGE, f"cannot read the token file {path}: {error}") from error

    def _new_connection(self, timeout: Optional[float]) -> http.client.HTTPConnection:
        if self._tcp is not None:
            return http.client.HTTPConnection(self._tcp[0], self._tcp[1], timeout=timeout)
        return _transport.UnixHTTPConnection(str(self.socket_path), timeout=timeout)

    def _connect(self, timeout: Optional[float]) -> http.client.HTTPConnection:
        """A connected connection, starting the service once if nothing answers."""
        connection = self._new_connection(timeout)
        try:
            connection.connect()
            return connection
        except (FileNotFoundError, ConnectionRefusedError) as error:
            connection.close()
            if not self.autostart:
                raise PreventionError(
                    UNAVAILABLE,
                    f"the prevention service for {self.root} does not answer on {self.where()} "
                    f"({error.strerror or error})",
                    hint="start it with `prevention serve` in the project, "
                    "or let the client start it (PREVENTION_AUTOSTART=1)",
                ) from error
        except OSError as error:
            connection.close()
            raise PreventionError(UNAVAILABLE, f"cannot connect to {self.where()}: {error}") from error
        _transport.start_service(self.root)
        connection = self._new_connection(timeout)
        try:
            connection.connect()
        except OSError as error:
            connection.close()
            raise PreventionError(
                UNAVAILABLE, f"the service started for {self.root} does not accept connections: {error}"
            ) from error
        return connection

    def where(self) -> str:
        """Where the service is reached: its socket path or URL."""
        return self.url or str(self.socket_path)

    @staticmethod
    def _dropped(connection: http.client.HTTPConnection) -> bool:
        # A kept-alive connection the server has since closed reads as "readable" (EOF): reusing it
        # would lose the next request on the way, so it is replaced before sending anything.
        sock = connection.sock
        if sock is None:
            return True
        try:
            readable, _, _ = select.select([sock], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def close(self) -> None:
        """Closes the connection (a later request opens a new one)."""
        with self._lock:
            self._drop()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _headers(self, extra: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
        headers = {"Accept": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        if extra:
            headers.update(extra)
        return headers

    def _host(self) -> str:
        if self._tcp is None:
            return "localhost"
        host, port = self._tcp
        return host if port == 80 else f"{host}:{port}"

    def _request_bytes(self, method: str, target: str, headers: Mapping[str, str], body: Optional[bytes]) -> bytes:
        # The whole request in one buffer, sent with one sendall: http.client sends the head and
        # the body in two, which costs a system call more here and a read more in the service.
        if _ILLEGAL_TARGET_TEXT.search(target):
            raise PreventionError(USAGE, f"{target!r} cannot be sent as a request target. Nothing was sent")
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self._host()}"]
        for name, value in headers.items():
            # A line break in a value would end the header and let the value write headers of its own.
            if _ILLEGAL_HEADER_TEXT.search(name) or _ILLEGAL_HEADER_TEXT.search(value) or ":" in name:
                raise PreventionError(
                    USAGE, f"the {name} header cannot hold {value!r}: no line breaks or NUL. Nothing was sent"
                )
            lines.append(f"{name}: {value}")
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        try:
            head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        except UnicodeEncodeError as error:
            raise PreventionError(
                USAGE, f"{method} {target}: a header holds text HTTP cannot carry ({error}). Nothing was sent"
            ) from error
        return head if body is None else head + body

    def _request(
        self,
        method: str,
        target: str,
        body: Optional[bytes] = None,
        headers: Optional[Mapping[str, str]] = None,
        *,
        replayable: bool,
    ) -> Tuple[int, http.client.HTTPMessage, bytes]:
        """Sends one request on the persistent connection and reads the whole answer.

        A failure to connect is retried after starting the service. A request lost after it was
        sent (timeout, connection reset) is sent again only when ``replayable`` (a read, an
        unconditional write, a publish carrying an ``Idempotency-Key``): anything else could
        apply twice, so its caller gets the error instead."""
        all_headers = self._headers(headers)
        if body is not None:
            all_headers.setdefault("Content-Type", "application/json")
        request = self._request_bytes(method, target, all_headers, body)
        if self._pid != os.getpid():
            # A forked child must not speak on its parent's connection (the answers would go to
            # whichever process reads first), nor wait on a lock a parent's thread held.
            self._pid = os.getpid()
            self._lock = threading.Lock()
            self._connection = None
        attempt = 0
        while True:
            attempt += 1
            failure: Optional[BaseException] = None
            with self._lock:
                if self._connection is not None and self._dropped(self._connection):
                    self._drop()
                if self._connection is None:
                    self._connection = self._connect(self.timeout)
                connection = self._connection
                try:
                    sock = connection.sock
                    try:
                        sock.sendall(request)
                    except (BrokenPipeError, ConnectionResetError):
                        # A server refusing a body (413, 415) answers and closes without reading
                        # the rest: its answer is still there to read, and is the real outcome.
                        response = http.client.HTTPResponse(sock, method=method)
                        response.begin()
                        data = response.read()
                        self._drop()
                        return response.status, response.msg, data
                    response = http.client.HTTPResponse(sock, method=method)
                    response.begin()
                    data = response.read()
                    if response.will_close:
                        self._drop()
                    return response.status, response.msg, data
                except (OSError, http.client.HTTPException) as error:
                    self._drop()
                    # socket.timeout is TimeoutError only from Python 3.10 on.
                    timed_out = isinstance(error, (TimeoutError, socket.timeout))
                    if replayable and attempt < self.retries:
                        failure = error
                    else:
                        code = TRANSPORT
                        what = f"no answer within {self.timeout:.1f} s" if timed_out else str(error)
                        outcome = (
                            f"sent {attempt} times"
                            if replayable
                            else "it may or may not have been applied; read the file to know"
                        )
                        raise PreventionError(code, f"{method} {target}: {what} ({outcome})") from error
            if failure is not None:
                # Out of the lock: other threads go on while this one backs off.
                time.sleep(min(0.05 * attempt, 0.5) * random.uniform(0.5, 1.5))

    def _call(
        self,
        method: str,
        target: str,
        body: Optional[bytes] = None,
        headers: Optional[Mapping[str, str]] = None,
        *,
        replayable: bool,
        expect: Sequence[int] = (200,),
    ) -> Tuple[Any, http.client.HTTPMessage]:
        status, response_headers, data = self._request(method, target, body, headers, replayable=replayable)
        if status not in expect:
            raise self._error(status, response_headers, data, f"{method} {target}")
        try:
            return (json.loads(data) if data else None), response_headers
        except ValueError as error:
            raise PreventionError(BAD_ANSWER, f"{method} {target}: the answer is not JSON ({error})", status) from error

    @staticmethod
    def _error(status: int, headers: http.client.HTTPMessage, data: bytes, what: str) -> PreventionError:
        etag = _unquote_etag(headers.get("ETag"))
        try:
            error = json.loads(data).get("error")
        except (ValueError, AttributeError):
            error = None
        if not isinstance(error, dict) or not isinstance(error.get("code"), str):
            text = data[:200].decode("utf-8", "replace")
            return PreventionError(
                BAD_ANSWER, f"{what}: HTTP {status} without an error body ({text!r})", status, etag=etag
            )
        details = error.get("details")
        return PreventionError(
            error["code"],
            str(error.get("message", "")),
            status,
            details if isinstance(details, dict) else None,
            error.get("hint") if isinstance(error.get("hint"), str) else None,
            etag=etag,
        )

    def _file_path(self, file: FileName) -> str:
        name = os.fspath(file)
        if os.path.isabs(name):
            # An absolute path inside the project is named by its project-relative path; one
            # outside is sent as it is, for the server to refuse (PREVENTION_UNSAFE_PATH).
            try:
                relative = Path(name).resolve().relative_to(self.root)
                name = relative.as_posix()
            except ValueError:
                pass
        return "/".join(quote(segment, safe="") for segment in name.split("/"))

    # The service

    def health(self) -> Dict[str, Any]:
        """``GET /v1/health``: ``{"status": "ok", "pid", "root", "version"}``."""
        health, _ = self._call("GET", "/v1/health", replayable=True)
        if not isinstance(health, dict):
            raise PreventionError(BAD_ANSWER, f"GET /v1/health answered {health!r}")
        return health

    # Files

    def read(self, file: FileName) -> JsonValue:
        """The committed document of ``file`` (its initial document when it does not exist yet)."""
        return self.read_version(file)[0]

    def read_version(self, file: FileName) -> Tuple[JsonValue, Optional[str]]:
        """The committed document and its version (the sha256 of its bytes, ``None`` for a file
        that does not exist yet). Pass the version as ``if_match`` to write only on top of it."""
        document, headers = self._call("GET", f"/v1/files/{self._file_path(file)}", replayable=True)
        return document, _unquote_etag(headers.get("ETag"))

    def write(
        self, file: FileName, document: JsonValue, if_match: Optional[str] = None, if_none_match: bool = False
    ) -> CommitResult:
        """Replaces the document; returns once the commit is durable and verified.

        ``if_match``: commit only if the file is still at that version; ``if_none_match``: only
        if it does not exist yet. Otherwise :class:`PreventionError` ``PREVENTION_PRECONDITION_FAILED``
        (status 412, its ``etag`` the current version) and nothing is written."""
        headers: Dict[str, str] = {}
        if if_match is not None:
            headers["If-Match"] = _quote_etag(if_match)
        if if_none_match:
            headers["If-None-Match"] = "*"
        body = _dumps(document, "the document")
        result, _ = self._call("PUT", f"/v1/files/{self._file_path(file)}", body, headers, replayable=not headers)
        return self._commit_result(result)

    def update(
        self, file: FileName, fn: Callable[[JsonValue], Optional[JsonValue]], *, attempts: int = 20
    ) -> CommitResult:
        """Applies ``fn`` to the latest version and commits the result, optimistically: read with
        its version, apply, write with ``If-Match``; when another writer got there first (412),
        read again and re-apply, up to ``attempts`` times with jittered backoff.

        ``fn`` gets a fresh copy; it returns the next document, or ``None`` to commit the copy
        it changed in place. It may run more than once, so it should have no other effects."""
        delay = 0.005
        for attempt in range(1, attempts + 1):
            document, version = self.read_version(file)
            result = fn(document)
            next_document = document if result is None else result
            try:
                return self.write(file, next_document, if_match=version, if_none_match=version is None)
            except PreventionError as error:
                if error.code != PRECONDITION_FAILED or attempt == attempts:
                    raise
            time.sleep(delay * random.uniform(0.5, 1.5))
            delay = min(delay * 2, 0.5)
        raise AssertionError("unreachable")

    def patch(
        self, file: FileName, patch: Union[List[Any], Dict[str, Any]], if_match: Optional[str] = None
    ) -> CommitResult:
        """Applies a patch to the latest version under the file's lock: a list is a JSON Patch
        (RFC 6902), an object a JSON Merge Patch (RFC 7396). A failing ``test`` operation is 422."""
        if isinstance(patch, list):
            content_type = "application/json-patch+json"
        elif isinstance(patch, dict):
            content_type = "application/merge-patch+json"
        else:
            raise PreventionError(
                USAGE, f"a patch is a list (JSON Patch) or a dict (merge patch), not {type(patch).__name__}"
            )
        headers = {"Content-Type": content_type}
        if if_match is not None:
            headers["If-Match"] = _quote_etag(if_match)
        # Never replayed: an `add` to the end of an array applied twice would add twice.
        result, _ = self._call(
            "PATCH", f"/v1/files/{self._file_path(file)}", _dumps(patch, "the patch"), headers, replayable=False
        )
        return self._commit_result(result)

    @staticmethod
    def _commit_result(result: Any) -> CommitResult:
        if not isinstance(result, dict) or not isinstance(result.get("sha256"), str):
            raise PreventionError(BAD_ANSWER, f"a commit answered {result!r}, not {{file, sha256, bytes}}")
        return CommitResult(str(result.get("file", "")), result["sha256"], int(result.get("bytes", 0)))

    # The bus

    def bus(self, file: FileName, source: Optional[str] = None) -> "Bus":
        """The message bus on the shared context ``file``; events published without a source get
        ``source`` (default: the client's)."""
        return Bus(self, file, source or self.source)


class Bus:
    """The bus on one shared context file, through the service (``client.bus(file)``)."""

    def __init__(self, client: Client, file: FileName, source: str) -> None:
        self.client = client
        self.file = os.fspath(file)
        self.source = source
        self._target = f"/v1/events/{client._file_path(file)}"

    def _input(self, type: str, payload: Any, source: Optional[str], correlation_id: Optional[str]) -> Dict[str, Any]:
        if not isinstance(type, str) or not type:
            raise PreventionError(USAGE, f"an event's type must be a non-empty string (got {type!r})")
        event: Dict[str, Any] = {"type": type, "source": source or self.source}
        if payload is not None:
            event["payload"] = payload
        if correlation_id is not None:
            event["correlationId"] = correlation_id
        return event

    def _post(self, body: Any, idempotency_key: Optional[str]) -> Any:
        # The key is chosen once per publish, so every retry of it (after a timeout, a reset
        # connection, a restarted service) is the same publish to the server, committed once.
        key = idempotency_key or str(uuid.uuid4())
        result, _ = self.client._call(
            "POST",
            self._target,
            _dumps(body, "the event"),
            {"Idempotency-Key": key},
            replayable=True,
            expect=(200, 201),
        )
        return result

    def publish(
        self,
        type: str,
        payload: Any = None,
        source: Optional[str] = None,
        *,
        correlation_id: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> Dict[str, Any]:
        """Publishes one event; returns it (``id``, ``seq``, ``type``, ``source``, ``timestamp``,
        ``payload``) once it is durably committed. Retried with the same ``Idempotency-Key``
        when the answer is lost, so it is committed once."""
        event = self._post(self._input(type, payload, source, correlation_id), idempotency_key)
        if not isinstance(event, dict):
            raise PreventionError(BAD_ANSWER, f"a publish answered {event!r}, not an event")
        return event

    def publish_many(
        self, events: Iterable[Union[Mapping[str, Any], Tuple[str, Any]]], *, idempotency_key: Optional[str] = None
    ) -> List[Dict[str, Any]]:
        """Publishes several events in one commit, in order: all or none. Each is a mapping
        (``type``, ``payload``, ``source``, ``correlation_id``) or a ``(type, payload)`` pair."""
        inputs = []
        for item in events:
            if isinstance(item, tuple):
                inputs.append(self._input(item[0], item[1] if len(item) > 1 else None, None, None))
            else:
                inputs.append(
                    self._input(
                        item.get("type"),  # type: ignore[arg-type]
                        item.get("payload"),
                        item.get("source"),
                        item.get("correlation_id", item.get("correlationId")),
                    )
                )
        if not inputs:
            return []
        result = self._post(inputs, idempotency_key)
        if not isinstance(result, list):
            raise PreventionError(BAD_ANSWER, f"a publish of {len(inputs)} events answered {result!r}, not a list")
        return result

    def events(
        self,
        since: Optional[int] = None,
        type: Union[None, str, Sequence[str]] = None,
        source: Union[None, str, Sequence[str]] = None,
        limit: Optional[int] = None,
    ) -> List[Dict[str, Any]]:
        """Events after ``since`` (default: all), oldest first, optionally only of these types
        and sources, at most ``limit``."""
        query = self._query(since, type, source, limit)
        result, _ = self.client._call("GET", f"{self._target}{query}", replayable=True)
        if not isinstance(result, list):
            raise PreventionError(BAD_ANSWER, f"GET {self._target} answered {result!r}, not a list of events")
        return result

    @staticmethod
    def _query(
        since: Optional[int],
        type: Union[None, str, Sequence[str]] = None,
        source: Union[None, str, Sequence[str]] = None,
        limit: Optional[int] = None,
        follow: bool = False,
    ) -> str:
        pairs: List[Tuple[str, str]] = []
        if follow:
            pairs.append(("follow", "1"))
        if since is not None:
            pairs.append(("since", str(int(since))))
        for key, values in (("type", type), ("source", source)):
            if values is not None:
                pairs.extend((key, value) for value in ([values] if isinstance(values, str) else values))
        if limit is not None:
            pairs.append(("limit", str(int(limit))))
        return f"?{urlencode(pairs)}" if pairs else ""

    def last_seq(self) -> int:
        """The seq of the newest event (0 for none)."""
        status, headers, data = self.client._request("GET", f"{self._target}?limit=1", replayable=True)
        if status != 200:
            raise Client._error(status, headers, data, f"GET {self._target}")
        header = headers.get("Prevention-Last-Seq")
        if header is not None and header.strip().isdigit():
            return int(header)
        # A server that does not send the header: the bus's own rule, on the document.
        return last_seq_of(self.client.read(self.file))

    def clear(self) -> CommitResult:
        """Removes every event, keeping the rest of the file, through the pipeline."""
        result, _ = self.client._call("DELETE", self._target, replayable=False)
        return Client._commit_result(result)

    def follow(
        self,
        since: Optional[int] = None,
        type: Union[None, str, Sequence[str]] = None,
        *,
        reconnect_for: float = 60.0,
    ) -> Iterator[Dict[str, Any]]:
        """Yields every event after ``since`` (default: those published from now on) as it is
        committed, in seq order, each once, from any process.

        A lost stream (the service restarted, the connection dropped) is reopened from the last
        seq yielded, so nothing is missed or repeated; after ``reconnect_for`` seconds without
        getting a stream back it raises ``PREVENTION_ENGINE_CLOSED``. Stop it with ``close()`` on
        the generator (or by leaving the loop)."""
        last = self.last_seq() if since is None else int(since)
        wanted = None if type is None else ({type} if isinstance(type, str) else set(type))
        lost_at: Optional[float] = None
        delay = 0.05
        while True:
            connection: Optional[http.client.HTTPConnection] = None
            try:
                connection = self.client._connect(STREAM_IDLE_TIMEOUT)
                connection.request(
                    "GET",
                    f"{self._target}{self._query(last, type, follow=True)}",
                    headers=self.client._headers({"Accept": "application/x-ndjson"}),
                )
                response = connection.getresponse()
                if response.status != 200:
                    error = Client._error(response.status, response.msg, response.read(), f"follow {self.file}")
                    # A refusal (unknown file, bad token) will not change by asking again; a
                    # service that is closing or busy will.
                    if response.status < 500:
                        raise error
                else:
                    lost_at = None
                    delay = 0.05
                    while True:
                        line = response.readline()
                        if not line:
                            break
                        line = line.strip()
                        if not line:
                            continue  # heartbeat
                        try:
                            event = json.loads(line)
                        except ValueError as error:
                            raise PreventionError(
                                BAD_ANSWER, f"follow {self.file}: a line is not JSON ({error})"
                            ) from error
                        seq = event.get("seq") if isinstance(event, dict) else None
                        # The server sends each event once, in order, from `since`: the last seq
                        # seen is only where a lost stream resumes.
                        if isinstance(seq, int):
                            last = seq
                        if wanted is None or event.get("type") in wanted:
                            yield event
            except PreventionError as error:
                if error.code != UNAVAILABLE:
                    raise
            except (OSError, http.client.HTTPException):
                pass
            finally:
                if connection is not None:
                    connection.close()
            now = time.monotonic()
            if lost_at is None:
                lost_at = now
            elif now - lost_at > reconnect_for:
                raise PreventionError(
                    UNAVAILABLE,
                    f"follow {self.file}: the service at {self.client.where()} "
                    f"has not answered for {reconnect_for:.0f} s",
                )
            time.sleep(delay * random.uniform(0.5, 1.5))
            delay = min(delay * 2, 1.0)
