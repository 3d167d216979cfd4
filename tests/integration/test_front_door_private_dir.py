"""The front door works from a checkout only its owner can enter (mode 700, as many home
directories are). nginx's worker may run as another user (it does when nginx starts as root):
it must never need to read a file under the checkout. Here the run directory and the web root
live in a fresh mode-700 directory; the web app is served the way the hosting emulator does it
(a process of the checkout's owner), and nginx must still answer /config.json and every asset."""

from __future__ import annotations

import functools
import http.server
import shutil
import stat
import tempfile
import threading
from pathlib import Path

import pytest
import requests

from tools.local_stack import ROOT, LocalStack, Ports

from .conftest import PORT_OFFSET


@pytest.fixture
def private_checkout():
    top = Path(tempfile.mkdtemp(prefix="mc-private-"))  # mkdtemp: mode 700
    try:
        assert stat.S_IMODE(top.stat().st_mode) == 0o700
        web_root = top / "web-public"
        shutil.copytree(ROOT / "web" / "public", web_root)
        yield top, web_root
    finally:
        shutil.rmtree(top, ignore_errors=True)


def test_config_and_assets_are_served_from_a_mode_700_directory(private_checkout):
    top, web_root = private_checkout
    ports = Ports().shifted(PORT_OFFSET + 700)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(web_root))
    hosting = http.server.ThreadingHTTPServer(("127.0.0.1", ports.hosting), handler)
    threading.Thread(target=hosting.serve_forever, daemon=True).start()
    stack = LocalStack(ports, name="private", run_dir=top / "run")
    try:
        stack.start_front_door()
        config = requests.get(f"{stack.front_url}/config.json", timeout=10)
        assert config.status_code == 200, config.text
        assert config.headers["Content-Type"].startswith("application/json")
        assert config.json() == stack.web_config()
        for path in ("/", "/styles.css", "/assets/app.js"):  # app.js is larger than nginx's buffers
            resp = requests.get(f"{stack.front_url}{path}", timeout=10)
            assert resp.status_code == 200, path
            served = web_root / ("index.html" if path == "/" else path.lstrip("/"))
            assert resp.content == served.read_bytes(), path
    finally:
        if stack.front_door is not None:
            stack.front_door.stop()
        hosting.shutdown()
        hosting.server_close()

