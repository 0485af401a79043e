#!/usr/bin/env python3
"""The old bus's own check, publish three events, read them back, print the statistics, with
one change: the import line."""

import json
import sys

from prevention.legacy_bus import get_events, get_statistics, publish


def check_message_bus() -> None:
    test_events = [
        ("test_event_1", {"message": "Test event 1"}),
        ("test_event_2", {"message": "Test event 2"}),
        ("test_event_3", {"message": "Test event 3"}),
    ]
    for event_type, data in test_events:
        if not publish(event_type, data):
            sys.exit(f"failed to publish {event_type}")
    for event_type, data in test_events:
        events = get_events(event_type)
        if [event["data"] for event in events] != [data]:
            sys.exit(f"get_events({event_type!r}) gave {events!r}")
    all_events = get_events()
    stats = get_statistics()
    for event_type, _ in test_events:
        if stats["event_types"].get(event_type) != 1:
            sys.exit(f"statistics count {event_type} {stats['event_types'].get(event_type)} times")
    if stats["total_events"] != len(all_events) or stats["file_size"] <= 0:
        sys.exit(f"statistics {stats!r} do not match the {len(all_events)} events")
    print(json.dumps({"events": all_events, "statistics": stats}))


if __name__ == "__main__":
    check_message_bus()
