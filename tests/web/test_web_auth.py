"""Who may see the dashboard: loopback open, anything else only with a password (stored hashed)."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from watchsync.config import WebSettings, default_config
from watchsync.store import Store
from watchsync.web.app import create_app
from watchsync.web.auth import WebConfigError, check_listen, hash_password, verify_password

PASSWORD = "correct horse battery"


def test_a_hash_verifies_its_password_only() -> None:
    stored = hash_password(PASSWORD)
    assert stored.startswith("scrypt$") and PASSWORD not in stored
    assert verify_password(PASSWORD, stored)
    assert not verify_password("wrong horse battery", stored)
    assert not verify_password(PASSWORD, "scrypt$broken")
    assert hash_password(PASSWORD) != stored  # salted


@pytest.mark.parametrize("listen", ["127.0.0.1:8080", "localhost:8080", "[::1]:8080", "127.0.0.2:0"])
def test_loopback_needs_no_password(listen: str) -> None:
    _host, port = check_listen(WebSettings(listen=listen))
    assert port == int(listen.rpartition(":")[2])


@pytest.mark.parametrize("listen", ["0.0.0.0:8080", "192.168.1.10:8080", "[::]:8080", "home.example:80"])
def test_any_other_address_without_a_password_is_refused_clearly(listen: str) -> None:
    with pytest.raises(WebConfigError, match=r"not a loopback address: refusing to serve the dashboard without a "
                                             r"password. Set \[web\] password_hash"):
        check_listen(WebSettings(listen=listen))
    assert check_listen(WebSettings(listen=listen, password_hash=SecretStr(hash_password(PASSWORD))))


def test_a_malformed_listen_or_hash_is_refused() -> None:
    with pytest.raises(WebConfigError, match="expected host:port"):
        check_listen(WebSettings(listen="8080"))
    with pytest.raises(WebConfigError, match="not a hash"):
        check_listen(WebSettings(listen="0.0.0.0:80", password_hash=SecretStr(PASSWORD)))


def test_with_a_password_every_page_asks_for_it(tmp_path: Path) -> None:
    config = default_config(state_dir=tmp_path)
    with Store.open(config.store_path) as store:
        app = create_app(config, store, lambda: {"alive": False, "athletes": []},
                         password_hash=hash_password(PASSWORD))
        client = TestClient(app)
        assert client.get("/").status_code == 401
        assert client.get("/").headers["www-authenticate"].startswith("Basic")
        assert client.get("/", auth=("coach", "nope")).status_code == 401
        assert client.get("/", auth=("someone", PASSWORD)).status_code == 401
        answer = client.get("/", auth=("coach", PASSWORD))
        assert answer.status_code == 200 and "anna" in answer.text
        assert "default-src 'none'" in answer.headers["content-security-policy"]
        assert answer.headers["x-frame-options"] == "DENY"
        garbage = {"authorization": "Basic " + base64.b64encode(b"\xff\xfe").decode()}
        assert client.get("/", headers=garbage).status_code == 401


def _daemon(tmp_path: Path, web: str) -> subprocess.CompletedProcess[str]:
    inbox = tmp_path / "inbox"
    (inbox / "anna").mkdir(parents=True, exist_ok=True)
    config = tmp_path / "config.toml"
    config.write_text(f'[garmin]\nendpoint = "http://127.0.0.1:9"\n[daemon]\ninbox = "{inbox}"\n{web}\n'
                      "[athletes.anna]\nlthr = 170\n")
    return subprocess.run([sys.executable, "-m", "watchsync", "--config", str(config), "--state-dir",
                           str(tmp_path / "state"), "daemon"], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONUNBUFFERED": "1"})


def test_the_real_daemon_refuses_a_public_listen_without_a_password(tmp_path: Path) -> None:
    result = _daemon(tmp_path, '[web]\nlisten = "0.0.0.0:18080"')
    assert result.returncode == 2  # a configuration that cannot work: systemd's RestartPreventExitStatus=2
    assert "[web] listen = '0.0.0.0:18080' is not a loopback address: refusing to serve the dashboard" in \
        result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_the_hash_is_never_logged(tmp_path: Path) -> None:
    stored = hash_password(PASSWORD)
    result = _daemon(tmp_path, f'[web]\nlisten = "0.0.0.0:bad"\npassword_hash = "{stored}"')
    assert result.returncode != 0 and "expected host:port" in result.stderr + result.stdout
    assert stored.split("$")[-1] not in result.stderr + result.stdout


def test_the_real_daemon_serves_a_public_listen_only_to_the_password(tmp_path: Path) -> None:
    import time
    import urllib.error
    import urllib.request

    from watchsync.demo import free_port

    port, stored = free_port(), hash_password(PASSWORD)
    inbox = tmp_path / "inbox"
    (inbox / "anna").mkdir(parents=True)
    config = tmp_path / "config.toml"
    config.write_text(f'[garmin]\nendpoint = "http://127.0.0.1:9"\n[daemon]\ninbox = "{inbox}"\n'
                      f'[web]\nlisten = "0.0.0.0:{port}"\npassword_hash = "{stored}"\n[athletes.anna]\nlthr = 170\n')
    log = tmp_path / "daemon.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "watchsync", "--config", str(config), "--state-dir",
                                    str(tmp_path / "state"), "daemon"], stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while "dashboard at" not in log.read_text():
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        url = f"http://127.0.0.1:{port}/status"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url, timeout=10)
        assert refused.value.code == 401
        token = base64.b64encode(f"coach:{PASSWORD}".encode()).decode()
        page = urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": f"Basic {token}"}),
                                      timeout=10).read().decode()
        assert 'data-athlete="anna"' in page
    finally:
        process.terminate()
        process.wait(timeout=20)
    text = log.read_text()
    assert stored.split("$")[-1] not in text and PASSWORD not in text
