#!/usr/bin/env python3
"""Dashboard first-render time in headless Chromium, through chromedriver's WebDriver API.

    scripts/measure-dashboard.py URL [RUNS]      e.g. http://127.0.0.1:8470/?mentions=1

Each run is a new browser session (empty cache) that loads URL and waits for the dashboard to
say it has drawn its map markers and timeline (body[data-ready]); the figure is the page's own
performance mark `marsad-first-render` (milliseconds from navigation start: HTML, scripts,
base map, the /api/points request, clustering, markers, timeline, event list). Prints every run
and the median; needs Debian's chromium and chromium-driver.
"""
import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.request


def call(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.load(r)["value"]


def main():
    url, runs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    driver = subprocess.Popen(["chromedriver", f"--port={port}", "--allowed-ips=127.0.0.1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        times = []
        for i in range(runs):
            caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,900"]}}}}
            session = call(base, "POST", "/session", caps)["sessionId"]
            try:
                call(base, "POST", f"/session/{session}/url", {"url": url})
                script = {"script": "return document.body.dataset.ready === 'true' ? "
                                    "[performance.getEntriesByName('marsad-first-render')[0].startTime, "
                                    "document.querySelectorAll('path.marker').length, "
                                    "document.getElementById('status').textContent] : null", "args": []}
                deadline = time.time() + 60
                while (r := call(base, "POST", f"/session/{session}/execute/sync", script)) is None:
                    if time.time() > deadline:
                        raise SystemExit("the dashboard did not render within 60 s")
                    time.sleep(0.05)
                ms, markers, status = r
                times.append(ms)
                print(f"run {i + 1}: first render {ms:.0f} ms; {markers} markers drawn; {status}")
            finally:
                call(base, "DELETE", f"/session/{session}")
        print(f"median {statistics.median(times):.0f} ms, max {max(times):.0f} ms over {runs} runs")
    finally:
        driver.kill()


if __name__ == "__main__":
    main()
