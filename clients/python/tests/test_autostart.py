"""The client starts the project's service when none answers, and only then."""

from __future__ import annotations

import json
import os
import signal
import unittest

from prevention import Client, PreventionError
from prevention.errors import UNAVAILABLE

from support import CLI, Project, wait_for


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class AutostartTest(unittest.TestCase):
    def setUp(self) -> None:
        self.project = Project()
        self.addCleanup(self.project.cleanup)

    def test_a_client_starts_the_service_from_the_project_and_says_so_once(self) -> None:
        # Found as a project's installed CLI would be: node_modules/.bin/prevention, upwards.
        bin_dir = self.project.root / "node_modules" / ".bin"
        bin_dir.mkdir(parents=True)
        (bin_dir / "prevention").symlink_to(CLI)
        run = self.project.run_python("autostart_read.py", timeout=120)
        self.assertEqual(run.returncode, 0, run.stderr)
        health = json.loads(run.stdout)
        pid = health["pid"]
        self.addCleanup(lambda: alive(pid) and os.kill(pid, signal.SIGTERM))
        self.assertEqual(health["root"], str(self.project.root))
        self.assertTrue(alive(pid), "the service outlives the client that started it")
        self.assertEqual(run.stderr.count("started `prevention serve`"), 1, run.stderr)
        self.assertEqual(json.loads(self.project.path("state.json").read_text()), {"started": True})
        # A later client finds it running and starts nothing.
        again = self.project.run_python("autostart_read.py")
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(json.loads(again.stdout)["pid"], pid)
        self.assertNotIn("started", again.stderr)
        os.kill(pid, signal.SIGTERM)
        wait_for(lambda: not alive(pid), "the started service to stop on SIGTERM")

    def test_with_autostart_off_a_silent_socket_is_unavailable(self) -> None:
        with self.assertRaises(PreventionError) as caught:
            Client(self.project.root, autostart=False).read("state.json")
        self.assertEqual(caught.exception.code, UNAVAILABLE)
        self.assertFalse(self.project.socket.exists())

    def test_the_environment_turns_autostart_off(self) -> None:
        os.environ["PREVENTION_AUTOSTART"] = "0"
        self.addCleanup(os.environ.pop, "PREVENTION_AUTOSTART")
        with self.assertRaises(PreventionError) as caught:
            Client(self.project.root).read("state.json")
        self.assertEqual(caught.exception.code, UNAVAILABLE)
