"""A drop-in replacement for the old ``robust_message_bus`` module.

The same functions, signatures and return values, so an agent migrates by changing one line::

    from robust_message_bus import publish, subscribe, get_events   # before
    from prevention.legacy_bus import publish, subscribe, get_events # after

Every call goes through the project's ``prevention serve`` (started when it does not answer),
so writes are locked, validated, backed up, committed atomically and never lost, whoever else
writes the file. The file is ``bmad/agents/core/shared_context.json`` under the project root,
or what ``PREVENTION_SHARED_CONTEXT`` or :func:`configure` names. Events keep the file's own
shape: on a file written by the old bus they are ``{"timestamp", "event", "data"}`` (with the
``seq``, ``id`` and ``source`` the bus adds, which old readers ignore). The shape follows the
file's newest event, so a file with none yet gets prevention's shape; :func:`get_events` adds
the old keys to such events.

What changes: ``clear_events`` keeps the file's other keys (the old one rewrote the file as
``{"events": []}``), and subscribers see events published by every process, not only this one;
they run on a background thread, and ``publish`` still returns only after this process's
subscribers to that event were called (waiting at most ``DELIVERY_WAIT`` seconds), as before.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from .client import Bus, Client, default_source
from .errors import USAGE, PreventionError

DEFAULT_FILE = "bmad/agents/core/shared_context.json"

#: How long ``publish`` waits for this process's subscribers to see its event.
DELIVERY_WAIT = 10.0

logger = logging.getLogger("prevention.legacy_bus")

_state_lock = threading.RLock()
_settings: Dict[str, Any] = {"file": None, "source": None, "root": None}
_client: Optional[Client] = None
_bus: Optional[Bus] = None

Event = Dict[str, Any]
Subscriber = Callable[[Event], Any]

_subscribers: Dict[str, List[Subscriber]] = {}
_follower: Optional[threading.Thread] = None
_delivered = threading.Condition()
_delivered_seq = 0


def _after_fork() -> None:
    # A forked agent gets its own connection and follower: the parent's are not its to use.
    global _state_lock, _delivered, _client, _bus, _follower
    _state_lock = threading.RLock()
    _delivered = threading.Condition()
    _client = None
    _bus = None
    _follower = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


def configure(
    file: Optional[str] = None,
    source: Optional[str] = None,
    root: Optional[str] = None,
    client: Optional[Client] = None,
) -> None:
    """Names the shared context file (project-relative), the ``source`` of published events,
    the project root, or a :class:`~prevention.Client` to use. Call it before anything else;
    unset values keep their defaults (``PREVENTION_SHARED_CONTEXT``, ``PREVENTION_SOURCE``)."""
    global _client, _bus
    with _state_lock:
        if _follower is not None:
            raise PreventionError(
                USAGE, "configure() must come before subscribe(): a subscriber already follows the file"
            )
        if file is not None:
            _settings["file"] = file
        if source is not None:
            _settings["source"] = source
        if root is not None:
            _settings["root"] = root
        if client is not None or root is not None:
            _client = client
        _bus = None


def _get_bus() -> Bus:
    global _client, _bus
    with _state_lock:
        if _bus is None:
            if _client is None:
                _client = Client(_settings["root"])
            file = _settings["file"] or os.environ.get("PREVENTION_SHARED_CONTEXT") or DEFAULT_FILE
            _bus = _client.bus(file, _settings["source"] or default_source())
        return _bus


def shared_context_path() -> Path:
    """The absolute path of the shared context file."""
    bus = _get_bus()
    path = Path(bus.file)
    return path if path.is_absolute() else bus.client.root / path


def __getattr__(name: str) -> Any:
    # The old module exposed its file as SHARED_CONTEXT_PATH; scripts that print it keep working.
    if name == "SHARED_CONTEXT_PATH":
        return shared_context_path()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _legacy_view(raw: Any) -> Any:
    """An event as old readers expect it: the stored event, with ``timestamp``, ``event`` and
    ``data`` added when it was written in another shape (say, by an agent on the new API)."""
    if not isinstance(raw, dict) or ("event" in raw and "data" in raw and "timestamp" in raw):
        return raw
    view = dict(raw)
    view.setdefault("event", raw.get("type", raw.get("event_type", "unknown")))
    view.setdefault("data", raw.get("payload", raw.get("data")))
    view.setdefault("timestamp", raw.get("timestamp", ""))
    return view


def _type_of(event: Any) -> str:
    if not isinstance(event, dict):
        return "unknown"
    value = event.get("event", event.get("event_type", event.get("type", "unknown")))
    return value if isinstance(value, str) else "unknown"


def _read_events() -> List[Any]:
    document = _get_bus().client.read(_get_bus().file)
    events = document.get("events", []) if isinstance(document, dict) else []
    return [_legacy_view(event) for event in events] if isinstance(events, list) else []


def publish(event: str, data: Dict[str, Any]) -> bool:
    """Publishes ``event`` with ``data``; True once it is durably committed, False (with the
    reason logged) when it was not: nothing was committed for it then."""
    try:
        # Subscribers inherited by a forked agent get their follower back before it publishes.
        _ensure_follower()
        published = _get_bus().publish(event, data)
    except PreventionError as error:
        logger.error("[prevention.legacy_bus] could not publish %s: %s", event, error)
        return False
    except Exception as error:  # the old bus never raised from publish; neither does this one
        logger.error("[prevention.legacy_bus] could not publish %s: %s", event, error)
        return False
    logger.info("[prevention.legacy_bus] published %s (seq %s)", event, published.get("seq"))
    _await_delivery(event, published.get("seq"))
    return True


def _await_delivery(event: str, seq: Any) -> None:
    # The old bus called this process's subscribers before publish returned; code that relies on
    # it keeps working. A subscriber that publishes runs on the follower thread, which must not
    # wait for itself.
    if not isinstance(seq, int) or threading.current_thread() is _follower:
        return
    with _state_lock:
        if not _subscribers.get(event):
            return
    with _delivered:
        if not _delivered.wait_for(lambda: _delivered_seq >= seq, timeout=DELIVERY_WAIT):
            logger.warning("[prevention.legacy_bus] subscribers to %s have not seen event %s yet", event, seq)


def subscribe(event_type: str, callback: Subscriber) -> None:
    """Calls ``callback(event)`` for every ``event_type`` event published from now on, by any
    process, with the event as ``{"timestamp", "event", "data"}``."""
    with _state_lock:
        _subscribers.setdefault(event_type, []).append(callback)
        _ensure_follower()
    logger.info("[prevention.legacy_bus] subscriber added for %s", event_type)


def _ensure_follower() -> None:
    global _follower, _delivered_seq
    with _state_lock:
        if _follower is not None or not any(_subscribers.values()):
            return
        # Started from the newest seq now, so the follower begins exactly at this subscribe.
        start = _get_bus().last_seq()
        with _delivered:
            _delivered_seq = max(_delivered_seq, start)
        _follower = threading.Thread(target=_follow, args=(start,), name="prevention.legacy_bus follower", daemon=True)
        _follower.start()


def unsubscribe(event_type: str, callback: Subscriber) -> None:
    """Removes a callback added with :func:`subscribe`; nothing happens if it was not there."""
    with _state_lock:
        callbacks = _subscribers.get(event_type, [])
        if callback in callbacks:
            callbacks.remove(callback)
            logger.info("[prevention.legacy_bus] subscriber removed for %s", event_type)


def _follow(start: int) -> None:
    global _delivered_seq
    bus = _get_bus()
    while True:
        try:
            for event in bus.follow(since=start, reconnect_for=float("inf")):
                kind = str(event.get("type"))
                legacy = {"timestamp": event.get("timestamp"), "event": kind, "data": event.get("payload")}
                with _state_lock:
                    callbacks = list(_subscribers.get(kind, []))
                for callback in callbacks:
                    try:
                        callback(legacy)
                    except Exception:
                        logger.exception("[prevention.legacy_bus] a subscriber to %s failed", event.get("type"))
                seq = event.get("seq")
                if isinstance(seq, int):
                    start = seq
                    with _delivered:
                        _delivered_seq = seq
                        _delivered.notify_all()
        except Exception as error:
            # The follower is the only thing driving subscribers: it never gives up.
            logger.error("[prevention.legacy_bus] following %s failed, resuming: %s", bus.file, error)
            threading.Event().wait(1.0)


def get_events(event_type: Optional[str] = None, since: Optional[str] = None) -> List[Event]:
    """The file's events, oldest first: only ``event_type`` ones, only those whose timestamp is
    after ``since`` (compared as text, as the old bus did). ``[]`` (with the reason logged) when
    the file cannot be read."""
    try:
        events = _read_events()
    except Exception as error:
        logger.error("[prevention.legacy_bus] could not read events: %s", error)
        return []
    if event_type:
        events = [e for e in events if _type_of(e) == event_type]
    if since:
        events = [e for e in events if isinstance(e, dict) and str(e.get("timestamp", "")) > since]
    return events


def clear_events() -> bool:
    """Removes every event (for tests and resets), keeping the rest of the file; True once
    committed, False (with the reason logged) when not."""
    try:
        _get_bus().clear()
    except Exception as error:
        logger.error("[prevention.legacy_bus] could not clear events: %s", error)
        return False
    logger.info("[prevention.legacy_bus] all events cleared")
    return True


def _backup_exists(path: Path) -> bool:
    # prevention keeps backups under .prevention/backups beside the file, named after it.
    backups = path.parent / ".prevention" / "backups"
    for _directory, _dirs, files in os.walk(backups):
        if any(path.name in name or path.stem in _directory for name in files):
            return True
    return False


def get_statistics() -> Dict[str, Any]:
    """``{"total_events", "event_types": {type: count}, "file_size", "backup_exists"}``, or
    ``{"error": reason}`` when the file cannot be read."""
    try:
        events = _read_events()
        event_types: Dict[str, int] = {}
        for event in events:
            kind = _type_of(event)
            event_types[kind] = event_types.get(kind, 0) + 1
        path = shared_context_path()
        return {
            "total_events": len(events),
            "event_types": event_types,
            "file_size": path.stat().st_size if path.exists() else 0,
            "backup_exists": _backup_exists(path),
        }
    except Exception as error:
        logger.error("[prevention.legacy_bus] could not get statistics: %s", error)
        return {"error": str(error)}
