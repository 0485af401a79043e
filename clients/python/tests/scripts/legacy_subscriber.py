#!/usr/bin/env python3
"""Subscribes to ``greeting`` through the drop-in module. Publishes one itself and checks the
callback ran before ``publish`` returned, prints ``ready``, then prints (as JSON) the event that
another process publishes and exits."""

import json
import sys
import threading

from prevention.legacy_bus import publish, subscribe, unsubscribe

received = []
other = threading.Event()


def on_greeting(event: dict) -> None:
    received.append(event)
    if event["data"].get("writer") == "elsewhere":
        other.set()


def never(event: dict) -> None:
    sys.exit("an unsubscribed callback was called")


subscribe("greeting", on_greeting)
subscribe("greeting", never)
unsubscribe("greeting", never)
if not publish("greeting", {"from": "here"}):
    sys.exit("publish failed")
if [e["data"] for e in received] != [{"from": "here"}]:
    sys.exit(f"after publish returned, the subscriber had seen {received!r}")
print("ready", flush=True)
if not other.wait(60):
    sys.exit("the other process's event never arrived")
print(json.dumps(received[-1]), flush=True)
