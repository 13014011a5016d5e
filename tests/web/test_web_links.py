"""Links and headers hold any athlete name or activity id: percent-encoded path segments, RFC 6266 names.

Served by the dashboard's own uvicorn server (the wire decodes a path once; Starlette's TestClient
decodes it twice, so ``%25`` could not be tested through it)."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote

from watchsync.config import load_config
from watchsync.store import Store
from watchsync.web.app import url_segment
from watchsync.web.server import WebServer

NAMES = ("ann#1", "q?x", "pct%41", "Jiří")


def _get(url: str) -> tuple[int, str, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, answer.read().decode(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def test_every_link_of_the_overview_leads_to_its_page_and_the_feed_has_a_utf8_name(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[web]\nlisten = "127.0.0.1:0"\n' + "".join(f'[athletes."{name}"]\nlthr = 170\n' for name in NAMES),
                    "utf-8")
    config = load_config(path, state_dir=tmp_path / "state")
    config.state_dir.mkdir()
    with Store.open(config.store_path) as store:
        server = WebServer(config, store, lambda: {"alive": False, "athletes": []})
        server.start()
        try:
            base = server.url.rstrip("/")
            status, overview, headers = _get(base + "/")
            assert status == 200 and headers["cache-control"] == "private, no-cache"  # never in a shared cache
            links = set(re.findall(r'href="(/athletes/[^"]+)"', overview))
            assert {f"/athletes/{url_segment(name)}" for name in NAMES} <= links
            for link in sorted(links):
                status, text, _ = _get(base + link)
                assert status == 200, (link, text[:200])
            status, feed, headers = _get(f"{base}/athletes/{url_segment('Jiří')}.ics")
            assert status == 200 and feed.startswith("BEGIN:VCALENDAR")
            disposition = headers["content-disposition"]
            assert disposition.startswith('inline; filename="Ji__.ics"; filename*=UTF-8\'\'')
            assert unquote(disposition.rpartition("''")[2]) == "Jiří.ics"
        finally:
            server.stop()


def test_a_multisport_legs_id_is_one_segment() -> None:
    assert url_segment("9000000370#1") == "9000000370%231"
