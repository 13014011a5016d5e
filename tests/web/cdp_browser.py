"""Headless Chromium driven over the DevTools protocol (a websocket): load a page, run a script,
collect console errors and take screenshots at a viewport width. Without Chromium the tests skip.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

BROWSERS = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         "--remote-debugging-port=0", "--remote-allow-origins=*")

#: For every element with its own visible text outside SVG: its colour against the first opaque
#: background up the tree, checked against WCAG 2.1 AA (4.5:1, 3:1 for large text).
CONTRAST_SCRIPT = r"""
(() => {
  const parse = c => {
    const m = c.match(/[\d.]+/g).map(Number);
    return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1};
  };
  const lin = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const lum = c => 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
  const background = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.a >= 0.99) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const failures = []; let checked = 0;
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest("svg") || el.tagName === "SCRIPT" || el.tagName === "STYLE") continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") continue;
    const fg = parse(style.color), bg = background(el);
    const a = lum(fg), b = lum(bg);
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
    const need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
    checked++;
    if (ratio < need) {
      const what = `${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 40)}"`;
      failures.push(`${what} ${style.color} on rgb(${bg.r},${bg.g},${bg.b}): ${ratio.toFixed(2)} < ${need}`);
    }
  }
  return {checked, failures};
})()
"""


def browser_path() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no Chromium installed: run scripts/ci-browser.sh as root (Debian package chromium)")


class Browser:
    """One headless Chromium with one page; ``errors`` collects console errors and uncaught exceptions."""

    def __init__(self) -> None:
        self._profile = Path(tempfile.mkdtemp(prefix="watchsync-chromium-"))
        self._process = subprocess.Popen([browser_path(), *FLAGS, f"--user-data-dir={self._profile}", "about:blank"],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port = self._devtools_port()
        targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10).read())
        page = next(t for t in targets if t["type"] == "page")
        self._ws: ClientConnection = connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=10)
        self._id = 0
        self.errors: list[str] = []
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable")

    def _devtools_port(self) -> int:
        marker = self._profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not marker.exists() or not marker.read_text().strip():
            if time.monotonic() > deadline or self._process.poll() is not None:
                raise AssertionError("Chromium did not open its DevTools port")
            time.sleep(0.05)
        return int(marker.read_text().split()[0])

    def call(self, method: str, timeout: float = 60, **params: Any) -> dict[str, Any]:
        self._id += 1
        self._ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self._ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("id") == self._id:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))
            self._event(message)

    def _event(self, message: dict[str, Any]) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.errors.append(" ".join(str(a.get("value", a.get("description"))) for a in params.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            self.errors.append(str(params.get("exceptionDetails", {}).get("exception", {}).get("description")))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            self.errors.append(f"{params['entry'].get('text')} ({params['entry'].get('url')})")
        elif method == "Page.loadEventFired":
            self._loaded = True

    def open(self, url: str, width: int, height: int = 900) -> None:
        """Load ``url`` at a viewport ``width`` px wide and wait for its load event."""
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                  mobile=width < 600)
        self._loaded = False
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + 60
        while not self._loaded:
            if time.monotonic() > deadline:
                raise AssertionError(f"{url} did not load")
            self._event(json.loads(self._ws.recv(timeout=60)))
        self.evaluate("document.fonts.ready.then(() => true)")

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path) -> bytes:
        """The whole page (not only the viewport) as PNG, written to ``path``."""
        size = self.call("Page.getLayoutMetrics")["cssContentSize"]
        shot = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                         clip={"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 6000), "scale": 1})
        data = base64.b64decode(shot["data"])
        path.write_bytes(data)
        return data

    def close(self) -> None:
        try:
            self._ws.close()
        finally:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            shutil.rmtree(self._profile, ignore_errors=True)
