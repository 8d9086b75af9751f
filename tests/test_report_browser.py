"""A rendered report opened in headless Chromium: it renders, shows its figures, fetches nothing.

How the network check works (no DevTools protocol needed): the test serves the report from a
small local HTTP server and also gives Chromium that same server as its proxy. The page itself
is loaded from 127.0.0.1, which Chromium never sends through a proxy, so it arrives as a plain
``GET /report.html``; any request the page makes to another host (a CDN script, a web font, an
image) has to go through the proxy, where it arrives as ``GET http://host/...`` or
``CONNECT host:443`` and is recorded with its ``Referer``. A canary page with one external
image proves the trap catches such a request.

Chromium also calls a few of its own services at start-up even with background networking
disabled (component updates, account check); they carry no ``Referer`` and go to fixed hosts,
listed exactly in ``CHROMIUM_SERVICES``. The report passes when no request names it as
referrer (the favicon probe aside) and no host but the page's own and those services was
contacted. A static scan of the HTML for outside URLs in src/href/url()/@import runs first.

Needs ``/usr/bin/chromium`` (Debian package ``chromium``; ``make test`` installs it), else skips.
"""

from __future__ import annotations

import base64
import re
import shutil
import struct
import subprocess
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from clientlib.reports.export import network_references
from clientlib.reports.render import render_report

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists() and shutil.which("chromium"):
    CHROMIUM = Path(shutil.which("chromium"))  # type: ignore[arg-type]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Chromium is not installed (apt-get install -y chromium); `make test` installs it",
)

#: Exact hosts Chromium itself contacts at start-up (not domains: a CDN is never among them).
CHROMIUM_SERVICES = {
    "update.googleapis.com",
    "accounts.google.com",
    "clients2.google.com",
    "clientservices.googleapis.com",
    "safebrowsing.googleapis.com",
    "optimizationguide-pa.googleapis.com",
    "content-autofill.googleapis.com",
    "redirector.gvt1.com",
}
_QUIET = (
    "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate,"
    "AutofillServerCommunication,CertificateTransparencyComponentUpdater"
)
_PNG = re.compile(r'<img\b[^>]*\bsrc="data:image/png;base64,([A-Za-z0-9+/=]+)"')


class _Recorder(SimpleHTTPRequestHandler):
    """Serves files from its folder; records every request line (proxied ones too)."""

    seen: list[tuple[str, str]]

    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.seen.append((f"GET {self.path}", self.headers.get("Referer", "")))
        if self.path.startswith(("http://", "https://")):
            self.send_error(404, "outside requests are not served here")
            return
        super().do_GET()

    def do_CONNECT(self):  # noqa: N802
        self.seen.append((f"CONNECT {self.path}", self.headers.get("Referer", "")))
        self.send_error(405, "no tunnels")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("served")
    seen: list[tuple[str, str]] = []
    handler = type("Handler", (_Recorder,), {"seen": seen})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(folder)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield folder, httpd.server_address[1], seen
    httpd.shutdown()
    httpd.server_close()


def _chromium(url: str, port: int, profile: Path, *extra: str) -> str:
    args = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--disable-extensions", "--no-first-run",
        "--no-default-browser-check", "--metrics-recording-only", "--mute-audio", _QUIET,
        f"--user-data-dir={profile}", f"--proxy-server=http://127.0.0.1:{port}",
        "--virtual-time-budget=5000", *extra, url,
    ]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def _outside_hosts(seen: list[tuple[str, str]]) -> set[str]:
    """Hosts contacted through the proxy (absolute GET URLs and CONNECT targets)."""
    hosts = set()
    for line, _ref in seen:
        target = line.split(" ", 1)[1]
        if target.startswith("/"):
            continue  # the page's own server
        target = target.split("://", 1)[-1]
        hosts.add(target.split("/", 1)[0].rsplit(":", 1)[0])
    return hosts


def _png_size(b64: str) -> tuple[int, int]:
    raw = base64.b64decode(b64)
    assert raw[:8] == b"\x89PNG\r\n\x1a\n" and raw[12:16] == b"IHDR"
    return struct.unpack(">II", raw[16:24])


@pytest.fixture(scope="module")
def rendered(server):
    folder, _port, _seen = server
    result = render_report({"n_customers": 150, "timeline_months": 2, "k": 3},
                           folder / "report.html")
    return result.html


def test_the_trap_catches_an_outside_request(server, tmp_path):
    folder, port, seen = server
    (folder / "canary.html").write_text(
        '<html><body><h1>canary</h1><img src="http://cdn.example.invalid/pixel.png"></body></html>'
    )
    seen.clear()
    _chromium(f"http://127.0.0.1:{port}/canary.html", port, tmp_path / "profile", "--dump-dom")
    assert ("GET /canary.html", "") in seen
    assert "cdn.example.invalid" in _outside_hosts(seen)
    origin = f"http://127.0.0.1:{port}/"
    assert any("cdn.example.invalid" in line and ref.startswith(origin) for line, ref in seen)


def test_report_renders_with_its_figures_and_fetches_nothing(server, rendered, tmp_path):
    folder, port, seen = server
    page = rendered.read_text(encoding="utf-8")
    assert network_references(page) == []  # the static check, before the browser
    in_file = _PNG.findall(page)
    seen.clear()
    dom = _chromium(f"http://127.0.0.1:{port}/{rendered.name}", port, tmp_path / "profile",
                    "--dump-dom")
    # nothing was requested on the page's behalf (the browser's favicon probe aside)
    assert (f"GET /{rendered.name}", "") in seen
    origin = f"http://127.0.0.1:{port}/"
    on_behalf = [line for line, ref in seen if ref.startswith(origin)]
    assert [line for line in on_behalf if line != "GET /favicon.ico"] == []
    assert _outside_hosts(seen) <= CHROMIUM_SERVICES, seen
    own = {line for line, _ref in seen if line.startswith("GET /")}
    assert own <= {f"GET /{rendered.name}", "GET /favicon.ico"}
    # the DOM after load holds the report: title, headings and every figure inline
    assert "<h1>Customer classification report</h1>" in dom
    assert "<h2>Main findings</h2>" in dom and "<h2>Lifecycle over time</h2>" in dom
    in_dom = _PNG.findall(dom)
    assert len(in_dom) == len(in_file) >= 12
    for b64 in in_dom:
        width, height = _png_size(b64)
        assert width > 100 and height > 50
    assert "<script" not in dom.lower()


def test_report_screenshot_from_the_file(rendered, tmp_path):
    shot = tmp_path / "shot.png"
    _chromium(rendered.as_uri(), 9, tmp_path / "profile", "--hide-scrollbars",
              "--window-size=1200,3000", f"--screenshot={shot}")
    width, height = struct.unpack(">II", shot.read_bytes()[16:24])
    assert (width, height) == (1200, 3000)
    assert shot.stat().st_size > 50_000  # a page of text and charts, not a blank canvas


def test_nbconvert_default_page_would_fail_both_checks(server, rendered, tmp_path):
    """The checks are not vacuous: nbconvert's stock template is caught by each of them."""
    import nbformat
    from nbconvert import HTMLExporter

    folder, port, seen = server
    nb = nbformat.read(rendered.with_suffix(".ipynb"), as_version=4)
    stock, _ = HTMLExporter(exclude_input=True).from_notebook_node(nb)
    assert network_references(stock)  # require.js / MathJax from a CDN
    (folder / "stock.html").write_text(stock, encoding="utf-8")
    seen.clear()
    _chromium(f"http://127.0.0.1:{port}/stock.html", port, tmp_path / "profile", "--dump-dom")
    assert _outside_hosts(seen) - CHROMIUM_SERVICES, seen
