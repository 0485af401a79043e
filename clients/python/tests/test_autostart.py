"""The client starts the project's service when none answers, and only then."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import unittest
from pathlib import Path

from prevention import Client, PreventionError
from prevention.errors import UNAVAILABLE

from support import CLI, Project, python_env, wait_for


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

    def test_clients_start_one_service_from_the_project_and_say_so_once(self) -> None:
        # Found as a project's installed CLI would be: node_modules/.bin/prevention, upwards.
        bin_dir = self.project.root / "node_modules" / ".bin"
        bin_dir.mkdir(parents=True)
        (bin_dir / "prevention").symlink_to(CLI)
        # Three agents at once find no service: one server wins, all use it.
        agents = [
            subprocess.Popen(
                [sys.executable, str(Path(__file__).parent / "scripts" / "autostart_read.py")],
                cwd=self.project.root,
                env=python_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        answers = [agent.communicate(timeout=120) for agent in agents]
        pids = {json.loads(out)["pid"] for out, _ in answers if out}
        for pid in pids:
            self.addCleanup(lambda pid=pid: alive(pid) and os.kill(pid, signal.SIGTERM))
        self.assertEqual([agent.returncode for agent in agents], [0, 0, 0], [err for _, err in answers])
        self.assertEqual(len(pids), 1, "one service for the project")
        pid = pids.pop()
        self.assertTrue(alive(pid), "the service outlives the clients that started it")
        self.assertEqual("".join(err for _, err in answers).count("started `prevention serve`"), 1, answers)
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
