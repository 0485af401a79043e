#!/usr/bin/env python3
"""An agent that publishes, then forks workers that publish through the same module (as a
multiprocessing pool with fork does): each must get its own connection. Prints the events each
process was told were committed."""

import json
import os
import sys

from prevention.legacy_bus import get_events, publish

if not publish("parent", {"writer": "parent", "n": 0}):  # the parent's connection is open now
    sys.exit("the parent could not publish")
children = []
for worker in range(3):
    pid = os.fork()
    if pid == 0:
        ok = all(publish("step", {"writer": f"child{worker}", "n": n}) for n in range(1, 21))
        os._exit(0 if ok else 1)
    children.append(pid)
ok = all(publish("step", {"writer": "parent", "n": n}) for n in range(1, 21))
codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]
print(json.dumps({"parent": ok, "children": codes, "events": len(get_events("step"))}))
