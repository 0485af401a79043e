"""prevention.legacy_bus, the old bus's functions, against the real server, in agent processes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from support import SEEDED_EVENT, SHARED, ServedTestCase, python_env

LOCAL_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$")


class LegacyBusTest(ServedTestCase):
    # The file as a team brings it: written by the old bus.
    seed_legacy = True

    def stored(self) -> dict:
        return json.loads(self.project.path(SHARED).read_text())

    def test_the_old_bus_check_passes_with_only_the_import_changed(self) -> None:
        run = self.project.run_python("old_bus_check.py")
        self.assertEqual(run.returncode, 0, run.stderr)
        answer = json.loads(run.stdout)
        self.assertEqual(answer["statistics"]["total_events"], 4)
        self.assertEqual(answer["statistics"]["event_types"]["component_build_requested"], 1)
        events = self.stored()["events"]
        self.assertEqual(events[0], SEEDED_EVENT, "the old event is kept as it was")
        self.assertEqual([e["event"] for e in events[1:]], ["test_event_1", "test_event_2", "test_event_3"])
        for event in events[1:]:
            # The old shape, which the file's other readers expect.
            self.assertEqual(event["data"], {"message": f"Test event {event['event'][-1]}"})
            self.assertRegex(event["timestamp"], LOCAL_TIME)
        self.assertEqual(answer["events"], events)

    def test_subscribers_see_their_own_publish_at_once_and_other_processes_events(self) -> None:
        subscriber = subprocess.Popen(
            [sys.executable, str(Path(__file__).parent / "scripts" / "legacy_subscriber.py")],
            cwd=self.project.root,
            env=python_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.addCleanup(subscriber.kill)
        assert subscriber.stdout is not None
        self.assertEqual(
            subscriber.stdout.readline().strip(), "ready", subscriber.stderr.read() if subscriber.poll() else ""
        )
        other = self.project.run_python("legacy_publish.py", "greeting", "1", "elsewhere")
        self.assertEqual(other.returncode, 0, other.stderr)
        out, err = subscriber.communicate(timeout=90)
        self.assertEqual(subscriber.returncode, 0, err)
        event = json.loads(out)
        self.assertEqual(sorted(event), ["data", "event", "timestamp"])
        self.assertEqual((event["event"], event["data"]), ("greeting", {"writer": "elsewhere", "n": 1}))
        self.assertRegex(event["timestamp"], LOCAL_TIME)

    def test_failures_answer_as_the_old_bus_did_and_say_why(self) -> None:
        before = self.project.path(SHARED).read_bytes()
        run = self.project.run_python("legacy_failures.py")
        self.assertEqual(run.returncode, 0, run.stderr)
        answers = json.loads(run.stdout)
        self.assertIs(answers["bad_data"], False)
        self.assertIs(answers["unknown_publish"], False)
        self.assertEqual(answers["unknown_events"], [])
        self.assertIs(answers["unknown_clear"], False)
        self.assertIn("error", answers["unknown_statistics"])
        self.assertIn("PREVENTION_USAGE", run.stderr)
        self.assertIn("PREVENTION_UNKNOWN_FILE", run.stderr)
        self.assertEqual(self.project.path(SHARED).read_bytes(), before)

    def test_clear_events_empties_the_events_and_keeps_the_rest(self) -> None:
        script = (
            "from prevention.legacy_bus import clear_events, get_events, publish\n"
            "assert publish('a', {'n': 1})\n"
            "assert clear_events() is True\n"
            "assert get_events() == [], get_events()\n"
        )
        document = self.stored()
        document["team"] = "core"
        self.project.path(SHARED).write_text(json.dumps(document, indent=2))
        self.project.stop()  # the edit above is the team's own, before prevention runs again
        self.project.start()
        run = subprocess.run(
            [sys.executable, "-c", script], cwd=self.project.root, env=python_env(), capture_output=True, text=True
        )
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(self.stored(), {"events": [], "team": "core"})

    def test_get_events_since_a_timestamp(self) -> None:
        script = (
            "import json\n"
            "from prevention.legacy_bus import get_events, publish\n"
            "assert publish('later', {'n': 1})\n"
            "print(json.dumps([e['event'] for e in get_events(since='2025-08-03T00:00:00')]))\n"
        )
        run = subprocess.run(
            [sys.executable, "-c", script], cwd=self.project.root, env=python_env(), capture_output=True, text=True
        )
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(json.loads(run.stdout), ["later"])

    def test_another_file_by_environment(self) -> None:
        run = self.project.run_python(
            "legacy_publish.py", "note", "2", "env", PREVENTION_SHARED_CONTEXT="data/other.json"
        )
        self.assertEqual(run.returncode, 0, run.stderr)
        events = json.loads(self.project.path("data/other.json").read_text())["events"]
        self.assertEqual([e["payload"]["n"] for e in events], [1, 2])

    def test_forked_workers_publish_on_connections_of_their_own(self) -> None:
        run = self.project.run_python("legacy_fork.py")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(json.loads(run.stdout), {"parent": True, "children": [0, 0, 0], "events": 80})
        steps = [(e["data"]["writer"], e["data"]["n"]) for e in self.stored()["events"] if e["event"] == "step"]
        self.assertEqual(len(set(steps)), 80)
        for writer in ("parent", "child0", "child1", "child2"):
            self.assertEqual([n for w, n in steps if w == writer], list(range(1, 21)))
