"""Facility list latency at 100,000 facilities: the real server, signed in as an analyst, ~200 requests.

Loads the demo chain with the bulk path, starts ``fairthread runserver`` on a free port, signs in through the
login form and requests ``/facilities/`` with a mix of searches, filters, sorting and deep pages.
Target: p95 ≤ 300 ms. Usage: ``uv run --frozen python benchmarks/facility_list.py [--facilities N]``.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402

QUERIES = [
    ("no filter", ""),
    ("search", "q=textile"),
    ("country", "country=IN"),
    ("tier", "tier=3"),
    ("sort by name", "sort=name"),
    ("page 50", "page=50"),
    ("country+tier", "country=CN&tier=2"),
    ("search+sort", "q=spinning&sort=-name"),
]
ROUNDS = 25  # 8 queries x 25 = 200 timed requests
PASSWORD = "bench-password-not-secret"  # noqa: S105 - a throw-away user in a temporary database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            _common.fail(f"the server stopped (exit {server.returncode}) before answering")
        try:
            urllib.request.urlopen(url, timeout=2).read()  # noqa: S310 - our own local server
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    _common.fail(f"the server did not answer {url} within {timeout:.0f} s")


def server_hwm_mb(pid: int) -> float | None:
    """The server's peak resident memory (Linux), read before it stops."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    return int(found.group(1)) / 1024 if found else None


def sign_in(opener: urllib.request.OpenerDirector, base: str, username: str) -> None:
    page = opener.open(f"{base}/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        _common.fail("the login page has no CSRF token")
    form = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - our own local server
        f"{base}/login/", data=form, headers={"Referer": f"{base}/login/"}
    )
    response = opener.open(request)
    if "/login/" in response.geturl():
        _common.fail("signing in as the analyst failed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--facilities", type=int, default=100_000)
    args = parser.parse_args()
    print(f"facility_list: {_common.machine()}", flush=True)
    data_dir = _common.setup_django("list")
    from django.urls import Resolver404, resolve

    from fairthread.accounts.models import Membership, Role, User
    from fairthread.supplychain import demo_load
    from fairthread.supplychain.models import Facility

    try:
        resolve("/facilities/")
    except Resolver404:
        _common.fail("there is no facility list at /facilities/ yet, so there is nothing to measure")

    start = time.perf_counter()
    loaded = demo_load.load(args.facilities, 42, bulk=True)
    load_s = time.perf_counter() - start
    print(f"loaded: {loaded.summary()} in {load_s:.1f} s", flush=True)
    _common.figure("facility_list_load_seconds", load_s, "s")
    analyst = User.objects.create_user("bench-analyst")
    analyst.set_password(PASSWORD)
    analyst.save()
    Membership.objects.create(user=analyst, organisation=demo_load.ensure_brand(), role=Role.BRAND_ANALYST)
    total = Facility.objects.count()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "FAIRTHREAD_DATA_DIR": str(data_dir), "FAIRTHREAD_DEBUG": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "fairthread", "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"{base}/login/", server)
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        sign_in(opener, base, analyst.username)
        times: dict[str, list[float]] = {label: [] for label, _ in QUERIES}
        for _label, query in QUERIES:  # warm-up, untimed; also checks that every query works
            try:
                response = opener.open(f"{base}/facilities/?{query}")
            except urllib.error.HTTPError as exc:
                _common.fail(f"/facilities/?{query} answered {exc.code}")
            body = response.read().decode()
            if "/login/" in response.geturl() or "NW-T" not in body:
                _common.fail(f"/facilities/?{query} did not return a list of the demo facilities")
        for _ in range(ROUNDS):
            for label, query in QUERIES:
                t0 = time.perf_counter()
                with opener.open(f"{base}/facilities/?{query}") as response:
                    response.read()
                    status = response.status
                times[label].append((time.perf_counter() - t0) * 1000)
                if status != 200:
                    _common.fail(f"/facilities/?{query} answered {status}")
        server_peak_mb = server_hwm_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)

    every = sorted(t for values in times.values() for t in values)
    print(f"{len(every)} requests over {total:,} facilities (ms):")
    print(f"  {'query':<14} {'p50':>7} {'p95':>7} {'max':>7}")
    for label, values in times.items():
        values.sort()
        print(f"  {label:<14} {statistics.median(values):7.1f} {values[int(0.95 * (len(values) - 1))]:7.1f} "
              f"{values[-1]:7.1f}")
    _common.figure("facility_list_p50_ms", statistics.median(every), "ms")
    _common.figure("facility_list_p95_ms", every[int(0.95 * (len(every) - 1))], "ms")
    _common.figure("facility_list_peak_rss_mb", _common.peak_rss_mb(), "MB")
    if server_peak_mb is not None:
        _common.figure("facility_list_server_peak_rss_mb", server_peak_mb, "MB")


if __name__ == "__main__":
    main()
