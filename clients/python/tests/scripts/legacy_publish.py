#!/usr/bin/env python3
"""Publishes ``count`` events of ``type`` with data ``{"writer", "n"}`` through the drop-in
module, printing ``writer:n`` once each publish returned True; exits 1 at the first False."""

import sys

from prevention.legacy_bus import publish

event_type, count, writer = sys.argv[1], int(sys.argv[2]), sys.argv[3]
for n in range(1, count + 1):
    if not publish(event_type, {"writer": writer, "n": n}):
        sys.exit(f"{writer}:{n} not published")
    print(f"{writer}:{n}", flush=True)
