"""A fresh virtualenv with watchsync installed from its built wheel generates a plan without ``--library``.

The wheel is built with ``pip wheel`` from this checkout; the new venv gets the wheel itself (no
editable source on its path) and borrows the dependencies of the test interpreter through a
``.pth`` line, so the test needs no downloads and stays well under a minute.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import time
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]


def test_a_wheel_installed_in_a_fresh_venv_generates_a_plan_with_no_library_option(tmp_path: Path) -> None:
    started = time.monotonic()
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(tmp_path / "dist"), str(REPO)], capture_output=True, text=True, timeout=120,
                           check=False)
    if built.returncode != 0 and "setuptools" in built.stderr:
        built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"),
                                str(REPO)], capture_output=True, text=True, timeout=120, check=False)
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp_path / "dist").glob("watchsync-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert any(name.endswith("dist-info/licenses/LICENSE") or name.endswith("/LICENSE") for name in names)
    assert sum(name.startswith("watchsync/data/workouts/") for name in names) >= 20

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "zz_test_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")  # deps only, after ours
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q",
                                str(wheel)], capture_output=True, text=True, timeout=120, check=False)
    assert installed.returncode == 0, installed.stderr

    work = tmp_path / "elsewhere"  # no workouts/ folder here
    work.mkdir()
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path)}
    env.pop("WATCHSYNC_CONFIG", None)
    where = subprocess.run([env_dir / "bin" / "python", "-c", "import watchsync; print(watchsync.__file__)"],
                           capture_output=True, text=True, cwd=work, env=env, check=True).stdout
    assert where.startswith(str(site)), where  # the wheel's copy, not this checkout
    done = subprocess.run([env_dir / "bin" / "watchsync", "plan", "generate", "--weeks", "4", "--start",
                           "2030-01-07", "-o", "plan.toml"], capture_output=True, text=True, cwd=work, env=env,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "workout library shipped with watchsync" in done.stderr
    linted = subprocess.run([env_dir / "bin" / "watchsync", "plan", "lint", "plan.toml"], capture_output=True,
                            text=True, cwd=work, env=env, timeout=60, check=False)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    assert time.monotonic() - started < 60
