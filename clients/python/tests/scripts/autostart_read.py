#!/usr/bin/env python3
"""Reads a file through two clients in a project whose service is not running; prints the
service's health."""

import json

from prevention import Client

with Client() as first:
    first.read("state.json")
with Client() as second:
    second.write("state.json", {"started": True})
    print(json.dumps(second.health()))
