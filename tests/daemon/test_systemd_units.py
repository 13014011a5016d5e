"""The shipped systemd units: `systemd-analyze verify` clean, hardening scored, and our runtime works under
MemoryDenyWriteExecute (emulated with prctl(PR_SET_MDWE), the kernel's version of the same rule)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
UNITS = REPO_ROOT / "systemd"
ANALYZE = shutil.which("systemd-analyze")
needs_analyze = pytest.mark.skipif(
    ANALYZE is None, reason="systemd-analyze not installed (scripts/ci-system-deps.sh installs it in CI when root)"
)
WATCHSYNC = Path(sys.executable).parent / "watchsync"
UNIT_MODES = [("watchsync.service", "--system"), ("watchsync-user.service", "--user")]
# systemd-analyze security --offline exposure levels (0 = locked down, 10 = wide open).
MAX_EXPOSURE = {"watchsync.service": 2.0, "watchsync-user.service": 7.5}


def _settings(unit: Path) -> dict[str, list[str]]:
    """Key -> values (in order) of a unit file, ignoring comments and section headers."""
    values: dict[str, list[str]] = {}
    for line in unit.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def _installable_copy(name: str, tmp_path: Path) -> Path:
    """The unit with ExecStart pointing at this venv's real `watchsync`, which verify requires to exist."""
    source = (UNITS / name).read_text(encoding="utf-8")
    text, count = re.subn(r"(?m)^ExecStart=\S+", f"ExecStart={WATCHSYNC}", source)
    assert count == 1, f"{name}: expected exactly one ExecStart= line"
    copy = tmp_path / name
    copy.write_text(text, encoding="utf-8")
    return copy


def _analyze(mode: str, *args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "SYSTEMD_LOG_COLOR": "0", "SYSTEMD_PAGER": ""}
    assert ANALYZE is not None
    return subprocess.run([ANALYZE, mode, *args], capture_output=True, text=True, env=env, timeout=60, check=False)


@needs_analyze
@pytest.mark.parametrize(("name", "mode"), UNIT_MODES)
def test_units_verify_without_warnings(name: str, mode: str, tmp_path: Path) -> None:
    if not WATCHSYNC.exists():
        pytest.skip(f"{WATCHSYNC} missing: install the package (pip install -e .) so verify can find ExecStart")
    unit = _installable_copy(name, tmp_path)
    result = _analyze(mode, "verify", str(unit), tmp_path=tmp_path)
    # Harmless: lines about *other* units on the host (distro units with deprecated keys pulled in
    # via After=/Wants=); anything naming our unit is a real problem.
    ours = [line for line in result.stderr.splitlines() if name in line]
    assert result.returncode == 0 and not ours, result.stderr


@needs_analyze
@pytest.mark.parametrize(("name", "mode"), UNIT_MODES)
def test_units_hardening_exposure(name: str, mode: str, tmp_path: Path) -> None:
    unit = _installable_copy(name, tmp_path)
    result = _analyze(mode, "security", "--offline=true", "--no-pager", str(unit), tmp_path=tmp_path)
    if "offline" in result.stderr and "unrecognized" in result.stderr:
        pytest.skip("systemd-analyze security --offline needs systemd >= 250")
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout)
    assert match, result.stdout[-2000:] + result.stderr
    assert float(match.group(1)) <= MAX_EXPOSURE[name], result.stdout


@pytest.mark.parametrize(("name", "mode"), UNIT_MODES)
def test_units_have_the_daemon_contract(name: str, mode: str) -> None:
    settings = _settings(UNITS / name)
    assert settings["Type"] == ["notify"]
    assert settings["ExecStart"][0].endswith("watchsync daemon")
    assert settings["Restart"] == ["on-failure"]
    assert settings["RestartPreventExitStatus"] == ["2"]  # `watchsync daemon` exits 2 for a config to fix
    assert settings["TimeoutStopSec"] == ["15"]
    assert settings["ConfigurationDirectory"] == ["watchsync"]
    assert int(settings["WatchdogSec"][0]) > 0
    assert settings["UMask"] == ["0077"]
    if mode == "--system":
        assert settings["User"] == ["watchsync"] and "DynamicUser" not in settings
        assert settings["ReadWritePaths"] == ["/srv/watchsync/inbox"]
        assert settings["StateDirectory"] == ["watchsync"]  # /var/lib/watchsync on every systemd version
    else:
        assert "User" not in settings and "DynamicUser" not in settings
        assert settings["ExecStart"][0] == "%h/.local/bin/watchsync daemon"  # where the user install puts it
        # StateDirectory= and %S move between systemd versions in user units (~/.config up to 253): never used
        text = (UNITS / name).read_text(encoding="utf-8")
        assert "StateDirectory" not in settings and "%S" not in text and "WATCHSYNC_STATE_DIR" not in text


@pytest.mark.parametrize("systemd", ["253", "254"])
def test_the_user_unit_and_the_cli_find_the_same_state_directory(systemd: str, tmp_path: Path) -> None:
    """What the daemon sees under the user unit (per systemd version) against what `watchsync login` sees."""
    home = tmp_path / "home"
    config_dir = home / ".config" / "watchsync"
    config_dir.mkdir(parents=True)
    (config_dir / "config.toml").write_text("[athletes.anna]\nlthr = 170\n")
    shell = {"HOME": str(home), "PATH": os.environ["PATH"]}
    unit = {**shell, "CONFIGURATION_DIRECTORY": str(config_dir)}  # what ConfigurationDirectory= sets
    if "StateDirectory" in _settings(UNITS / "watchsync-user.service"):  # would be set per version
        unit["STATE_DIRECTORY"] = str(home / (".config" if systemd == "253" else ".local/state") / "watchsync")
    probe = "from watchsync.config import load_config; c = load_config(); print(c.state_dir, c.source)"
    seen = [subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True).stdout
            for env in (shell, unit)]
    assert seen[0] == seen[1] == f"{home / '.local/state/watchsync'} {config_dir / 'config.toml'}\n"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(PR_SET_MDWE) is Linux-only")
def test_python_runtime_survives_memory_deny_write_execute() -> None:
    """MemoryDenyWriteExecute=yes must not break numpy, cffi/curl_cffi, ctypes callbacks or the inotify watcher."""
    script = textwrap.dedent(
        """
        import ctypes, mmap, pathlib, sys, tempfile
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(65, 1, 0, 0, 0) != 0:  # PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN
            sys.exit(77)
        try:
            mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
            sys.exit("W+X mapping still allowed: MDWE is not in force")
        except OSError:
            pass
        import numpy, fitfast, fitdecode, fit_tool, garminconnect, curl_cffi.requests, pydantic, sqlite3
        assert numpy.linalg.norm(numpy.arange(1000.0)) > 0
        curl_cffi.requests.Session().close()
        callback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)(lambda x: x + 1)
        assert callback(1) == 2
        from watchsync.daemon.inbox import InboxWatcher
        with tempfile.TemporaryDirectory() as folder:
            watcher = InboxWatcher({"anna": pathlib.Path(folder)}, on_ready=print, on_rejected=print)
            watcher.start()
            watcher.stop()
        sqlite3.connect(":memory:").execute("select 1")
        print("ok")
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    if result.returncode == 77:
        pytest.skip("kernel without PR_SET_MDWE (Linux < 6.3): cannot emulate MemoryDenyWriteExecute")
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
