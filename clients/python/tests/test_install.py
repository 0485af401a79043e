"""``pip install ./clients/python`` gives a working package: the old bus's check runs on it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from support import CLIENT_DIR, ServedTestCase


class InstallTest(ServedTestCase):
    def test_the_installed_package_runs_the_old_bus_check(self) -> None:
        work = Path(tempfile.mkdtemp(prefix="prevention-pip-"))
        self.addCleanup(shutil.rmtree, work, True)
        venv = work / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
        python = venv / "bin" / "python"
        # A copy, so the build leaves nothing in the source tree; no index: the package's
        # backend is its own and needs nothing downloaded.
        source = work / "source"
        shutil.copytree(CLIENT_DIR, source, ignore=shutil.ignore_patterns("tests", "__pycache__", "*.egg-info"))
        install = subprocess.run(
            [str(python), "-m", "pip", "install", "--no-index", "--quiet", str(source)],
            capture_output=True,
            text=True,
        )
        self.assertEqual(install.returncode, 0, install.stderr)
        check = subprocess.run(
            [str(python), str(Path(__file__).parent / "scripts" / "old_bus_check.py")],
            cwd=self.project.root,
            capture_output=True,
            text=True,
            # The installed package, not this checkout's.
            env={"PATH": "/usr/bin:/bin", "HOME": str(work)},
        )
        self.assertEqual(check.returncode, 0, check.stderr)
        self.assertEqual(json.loads(check.stdout)["statistics"]["total_events"], 3)
        where = subprocess.run(
            [str(python), "-c", "import prevention; print(prevention.__file__)"],
            capture_output=True,
            text=True,
            cwd=work,
        )
        self.assertTrue(where.stdout.strip().startswith(str(venv)), where.stdout)
