"""Times publishes from Python through a project's prevention serve (bench workload 7).

    python-publish.py PROJECT_DIR FILE WARMUP COUNT

Prints one JSON line: the latency of each timed publish, in milliseconds, from the call to its
acknowledgement (durably committed by the service's pipeline).
"""
import json
import sys
import time

from prevention import Client

root, file, warmup, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with Client(root, autostart=False) as client:
    bus = client.bus(file, source="bench-python")
    for n in range(warmup):
        bus.publish("warmup", {"n": n})
    latencies = []
    for n in range(count):
        start = time.perf_counter()
        bus.publish("step", {"n": n})
        latencies.append((time.perf_counter() - start) * 1000)
print(json.dumps({"latenciesMs": latencies}))
