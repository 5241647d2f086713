"""Load benchmark: the portal under gunicorn in production mode, measured with wrk.

Prepares a dedicated database (migrate, demo content), collects static files, starts gunicorn
on a free loopback port with bench.settings_load, and a second gunicorn with the same flags
serving the floor (bench.settings_floor: a bare Django view, no middleware, no database).
Then runs wrk against the floor, a minimal view behind the portal's middleware and three
public pages, and prints requests/s, latency percentiles and each one's share of the floor.
It asserts nothing about timing; it only fails when a page does not answer 200. See
bench/README.md.

    apt-get install -y wrk   # if missing
    .venv/bin/python bench/load.py [--duration 10] [--connections 16] [--workers 2]
"""

import argparse
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/marc_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/5"  # the page cache then lives on database 6
HOST = "127.0.0.1"
# Production settings redirect plain HTTP to HTTPS; a TLS-terminating proxy sends this header.
PROXY_HEADER = ("X-Forwarded-Proto", "https")
PREFERRED_PAGE = ("public-safety-communications", "911-peer-support")
SEARCH_PATH = "/search/?q=hazardous"
LOG_PROBLEM = re.compile(r"\b(WARNING|ERROR|CRITICAL)\b|Traceback")

# Run by `manage.py shell -c` after the demo load: start the page cache afresh (so no page
# rendered by older templates is served) and name one published program page.
PICK_PAGE = f"""
from core.pagecache import invalidate_all
from programs.selectors import pages_published
invalidate_all()
pages = pages_published()
page = (
    pages.filter(area__slug={PREFERRED_PAGE[0]!r}, slug={PREFERRED_PAGE[1]!r}).first()
    or pages.order_by("area__slug", "slug").first()
)
print("BENCH_PAGE", page.get_absolute_url() if page else "")
"""


class BenchError(Exception):
    """A step failed; the message says which and why."""


@dataclass
class Target:
    name: str
    path: str
    cached: bool  # whether the view is a @public_page that should come from the page cache
    status: int = 0
    body_bytes: int = 0
    page_cache: str = ""
    requests_per_s: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    requests: int = 0
    non_2xx_3xx: int = 0
    socket_errors: dict[str, int] = field(default_factory=dict)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per target")
    parser.add_argument("--connections", type=int, default=16, help="wrk open connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--warmup", type=int, default=20, help="requests per target beforehand")
    args = parser.parse_args()
    if args.duration < 1 or args.connections < args.threads or args.threads < 1:
        parser.error("need duration >= 1 and connections >= threads >= 1")
    return args


def redact(url: str) -> str:
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def bench_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DJANGO_DEBUG", None)  # production mode
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings_load",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        REDIS_URL=os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL,
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    )
    return env


def database_ensure(url: str) -> None:
    """Create the benchmark database if the server does not have it yet."""
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    if not name:
        raise BenchError(f"DATABASE_URL names no database: {redact(url)}")
    try:
        with psycopg.connect(url, dbname="postgres", autocommit=True, connect_timeout=5) as conn:
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not found:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"created database {name}")
    except psycopg.Error as exc:
        raise BenchError(f"cannot reach PostgreSQL at {redact(url)}: {exc}") from exc


def manage(env: dict[str, str], *args: str, timeout: int = 300) -> str:
    command = [sys.executable, "manage.py", *args]
    try:
        done = subprocess.run(
            command, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"manage.py {args[0]} took longer than {timeout}s") from exc
    if done.returncode != 0:
        if "Unknown command" in done.stderr:
            raise BenchError(f"manage.py has no {args[0]!r} command yet:\n{done.stderr.strip()}")
        output = (done.stdout + done.stderr).strip()
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{output[-3000:]}")
    return done.stdout


def prepare(env: dict[str, str]) -> str:
    """Migrate, collect static files, load the demo content; return a program page's path."""
    started = time.monotonic()
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    # load_demo refuses production mode, so it alone runs with DEBUG on, on the same database.
    manage(env | {"DJANGO_DEBUG": "1"}, "load_demo")
    output = manage(env, "shell", "-c", PICK_PAGE)
    found = re.search(r"^BENCH_PAGE (\S*)$", output, re.MULTILINE)
    if not found or not found.group(1):
        raise BenchError(f"no published program page in the database after load_demo:\n{output}")
    print(f"prepared the database and static files in {time.monotonic() - started:.1f}s")
    return found.group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get(port: int, path: str, timeout: float = 10) -> http.client.HTTPResponse:
    """One GET as the proxy would send it; redirects are not followed, so they show."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=dict([PROXY_HEADER]))
        response = conn.getresponse()
        response.body = response.read()
        return response
    finally:
        conn.close()


def gunicorn_start(env: dict[str, str], port: int, workers: int, log) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "marc_safety.wsgi:application",
        f"--workers={workers}",
        f"--bind={HOST}:{port}",
        f"--chdir={REPO}",
        "--timeout=30",
        "--graceful-timeout=5",
        "--no-control-socket",  # gunicorn 27 would otherwise open ~/.gunicorn/gunicorn.ctl
    ]
    return subprocess.Popen(
        command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def gunicorn_wait_ready(
    server: subprocess.Popen, port: int, log_path: Path, path: str = "/healthz"
) -> None:
    deadline = time.monotonic() + 30
    last = "no answer"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn exited with {server.returncode}:\n{tail(log_path)}")
        try:
            response = get(port, path, timeout=2)
            if response.status == 200:
                return
            last = f"HTTP {response.status}"
        except OSError as exc:
            last = str(exc)
        time.sleep(0.25)
    raise BenchError(f"gunicorn not ready after 30s ({last}):\n{tail(log_path)}")


def gunicorn_stop(server: subprocess.Popen) -> None:
    """Stop the master (it stops its workers); kill its process group if it lingers."""
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=5)


def tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def warm_up(port: int, target: Target, count: int) -> None:
    """Prime the page cache and the workers; record the status and whether the cache hit."""
    for _ in range(max(count, 2)):
        response = get(port, target.path)
        target.status = response.status
        if response.status != 200:
            return
    target.page_cache = response.getheader("X-Page-Cache") or "miss"
    target.body_bytes = len(response.body)


FLOOR_PATH = "/floor/"


def floor_start(
    env: dict[str, str], workers: int, body_bytes: int, log
) -> tuple[subprocess.Popen, int]:
    """The floor (bench.settings_floor) under gunicorn with the portal's flags; its port."""
    port = free_port()
    floor_env = env | {
        "DJANGO_SETTINGS_MODULE": "bench.settings_floor",
        "FLOOR_BODY_BYTES": str(body_bytes),
    }
    return gunicorn_start(floor_env, port, workers, log), port


MS_PER_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def to_ms(value: str, unit: str) -> float:
    return float(value) * MS_PER_UNIT[unit]


def wrk_run(
    wrk: str, port: int, target: Target, args: argparse.Namespace, script: Path | None = None
) -> str:
    """Run wrk (with a Lua script, if given) and read its figures into target; its output."""
    command = [
        wrk,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--latency",
        *(["-s", str(script)] if script else []),
        "-H",
        f"{PROXY_HEADER[0]}: {PROXY_HEADER[1]}",
        f"http://{HOST}:{port}{target.path}",
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=args.duration + 30)
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"wrk did not finish for {target.path}") from exc
    out = done.stdout
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.MULTILINE)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s|m|h)\s*$", out, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m|h)\s*$", out, re.MULTILINE)
    total = re.search(r"^\s+(\d+) requests in", out, re.MULTILINE)
    if done.returncode != 0 or not (rate and p50 and p99 and total):
        raise BenchError(f"could not read wrk's output for {target.path}:\n{out}{done.stderr}")
    target.requests_per_s = float(rate.group(1))
    target.p50_ms = to_ms(*p50.groups())
    target.p99_ms = to_ms(*p99.groups())
    target.requests = int(total.group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    target.non_2xx_3xx = int(non_2xx.group(1)) if non_2xx else 0
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if errors:
        kinds = ("connect", "read", "write", "timeout")
        target.socket_errors = dict(zip(kinds, map(int, errors.groups()), strict=True))
    return out


def table(targets: list[Target]) -> str:
    """The figures of each target; the first is the floor the others are compared with."""
    baseline = targets[0].requests_per_s or 1.0
    header = ("target", "path", "req/s", "p50 ms", "p99 ms", "vs floor", "non-2xx", "cache")
    rows = [header]
    for t in targets:
        rows.append(
            (
                t.name,
                t.path,
                f"{t.requests_per_s:.1f}",
                f"{t.p50_ms:.2f}",
                f"{t.p99_ms:.2f}",
                f"{100 * t.requests_per_s / baseline:.1f}%",
                str(t.non_2xx_3xx),
                t.page_cache if t.cached else "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    right = {2, 3, 4, 5, 6}
    lines = []
    for n, row in enumerate(rows):
        cells = [
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def problems(targets: list[Target], log_path: Path) -> list[str]:
    found = []
    for t in targets:
        if t.status != 200:
            found.append(f"{t.name}: {t.path} answered HTTP {t.status} during warm-up, not 200")
        if t.non_2xx_3xx:
            found.append(f"{t.name}: {t.non_2xx_3xx} of {t.requests} responses were not 2xx/3xx")
        if any(t.socket_errors.values()):
            found.append(f"{t.name}: wrk socket errors {t.socket_errors}")
        if t.cached and t.status == 200 and t.page_cache != "hit":
            found.append(f"{t.name}: no X-Page-Cache: hit after warm-up; the page cache missed")
    log_lines = [
        line
        for line in log_path.read_text(errors="replace").splitlines()
        if LOG_PROBLEM.search(line)
    ]
    if log_lines:
        found.append(f"gunicorn log has {len(log_lines)} warning/error lines, first ones:")
        found.extend(f"    {line}" for line in log_lines[:10])
    return found


def run(args: argparse.Namespace, wrk: str, workdir: Path) -> int:
    env = bench_env()
    print(f"database {redact(env['DATABASE_URL'])}, redis {redact(env['REDIS_URL'])}")
    database_ensure(env["DATABASE_URL"])
    page = prepare(env)
    floor = Target("floor", FLOOR_PATH, cached=False)
    targets = [
        floor,
        Target("minimal", "/bench/minimal/", cached=False),
        Target("home", "/", cached=True),
        Target("program page", page, cached=True),
        Target("search", SEARCH_PATH, cached=True),
    ]
    port = free_port()
    log_path = workdir / "gunicorn.log"
    with log_path.open("w") as log:
        server = gunicorn_start(env, port, args.workers, log)
        floor_server = None
        try:
            gunicorn_wait_ready(server, port, log_path)
            print(f"gunicorn with {args.workers} workers on {HOST}:{port}")
            for target in targets[1:]:
                warm_up(port, target, args.warmup)
            floor_server, floor_port = floor_start(env, args.workers, targets[2].body_bytes, log)
            gunicorn_wait_ready(floor_server, floor_port, log_path, FLOOR_PATH)
            warm_up(floor_port, floor, args.warmup)
            print(f"floor: the same gunicorn on {HOST}:{floor_port}, {floor.body_bytes} bytes")
            for target in targets:
                if target.status == 200:
                    wrk_run(wrk, floor_port if target is floor else port, target, args)
        finally:
            gunicorn_stop(server)
            if floor_server is not None:
                gunicorn_stop(floor_server)
    print(
        f"\nwrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency, "
        f"header '{PROXY_HEADER[0]}: {PROXY_HEADER[1]}'; gunicorn {args.workers} sync workers; "
        "the floor is a bare Django view (no middleware) of the home page's size\n"
    )
    print(table(targets))
    found = problems(targets, log_path)
    print("\n" + ("\n".join(["problems:", *found]) if found else "no problems: every target 200"))
    if found:
        kept = Path(tempfile.gettempdir()) / f"marc-bench-gunicorn-{int(time.time())}.log"
        shutil.copy(log_path, kept)
        print(f"gunicorn log kept at {kept}")
    return 1 if any(t.status != 200 or t.non_2xx_3xx for t in targets) else 0


def main() -> int:
    args = parse_args()
    wrk = shutil.which("wrk")
    if not wrk:
        print("bench/load.py needs wrk, which is not installed (apt-get install -y wrk).")
        return 2

    def stop(signum, frame):
        raise SystemExit(128 + signum)  # unwinds through the finally that stops gunicorn

    signal.signal(signal.SIGTERM, stop)
    with tempfile.TemporaryDirectory(prefix="marc-bench-") as workdir:
        try:
            return run(args, wrk, Path(workdir))
        except BenchError as exc:
            print(f"bench/load.py: {exc}", file=sys.stderr)
            return 1


if __name__ == "__main__":
    sys.exit(main())
