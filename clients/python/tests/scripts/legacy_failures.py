#!/usr/bin/env python3
"""The drop-in module's failures: False, [] or {"error"} with the reason logged, as the old
bus answered, never an exception. Prints the answers as JSON."""

import json
import logging

from prevention import legacy_bus

logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(message)s")

answers = {"bad_data": legacy_bus.publish("bad", {"not json": {1, 2}})}
legacy_bus.configure(file="not/covered.json")
answers["unknown_publish"] = legacy_bus.publish("x", {})
answers["unknown_events"] = legacy_bus.get_events()
answers["unknown_clear"] = legacy_bus.clear_events()
answers["unknown_statistics"] = legacy_bus.get_statistics()
print(json.dumps(answers))
