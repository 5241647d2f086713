"""Load benchmark with Redis stopped: public pages from the in-process page cache.

The same production setup as bench/load.py (gunicorn sync workers, bench.settings_load,
DJANGO_DEBUG unset, wrk on loopback), but the portal's Redis is a redis-server this script
starts itself on its own port (6390 by default; never the machine's Redis on 6379) and
later stops:

1. prepares the database (migrate, collectstatic, load_demo) like bench/load.py;
2. starts its redis-server, then gunicorn with REDIS_URL pointing at it;
3. warms up and runs wrk on a minimal view and three public pages: Redis up;
4. stops its redis-server (the gunicorn workers keep running, as in a real outage), warms
   up again (a page missing from a worker's local layer is rendered once and kept) and
   runs wrk again: Redis down;
5. prints requests/s and p99 of both runs side by side, and the ratio Redis-down/Redis-up.

    apt-get install -y wrk redis-server   # if missing
    .venv/bin/python bench/load_redis_down.py [--duration 6] [--connections 16] [--port 6390]

Nothing is asserted about timing. The exit status is non-zero when a page does not answer
200 (with Redis up or down), or wrk counts non-2xx/3xx responses. The target for public
pages is a Redis-down throughput of at least half the Redis-up one (PAGE_CACHE_STALE_SECONDS
bounds how long a worker keeps serving its local copies; the default 300 s outlasts the run).
"""

import argparse
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import load  # noqa: E402

DEFAULT_REDIS_PORT = 6390
PAGE_CACHE_WARNING = re.compile(r"core\.pagecache .*page cache: ")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=6, help="seconds of wrk per run")
    parser.add_argument("--connections", type=int, default=16, help="wrk open connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--warmup", type=int, default=20, help="requests per target beforehand")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_REDIS_PORT, help="port of the bench's redis-server"
    )
    args = parser.parse_args()
    if args.duration < 1 or args.connections < args.threads or args.threads < 1:
        parser.error("need duration >= 1 and connections >= threads >= 1")
    if args.port == 6379:
        parser.error("the bench stops its Redis: give it a port of its own, not 6379")
    return args


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((load.HOST, port)) == 0


def redis_start(redis_server: str, port: int, workdir: Path) -> subprocess.Popen:
    """A throwaway redis-server of the bench's own: no persistence, loopback only."""
    if port_in_use(port):
        raise load.BenchError(f"port {port} is taken: choose another with --port")
    log = (workdir / "redis.log").open("w")
    server = subprocess.Popen(
        [
            redis_server,
            "--port",
            str(port),
            "--bind",
            load.HOST,
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise load.BenchError(f"redis-server exited:\n{load.tail(workdir / 'redis.log')}")
        if port_in_use(port):
            return server
        time.sleep(0.1)
    redis_stop(server)
    raise load.BenchError(f"redis-server did not listen on {port} within 10 s")


def redis_stop(server: subprocess.Popen) -> None:
    """Stop the bench's own redis-server (this process only, by its id)."""
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=5)


def measure(port: int, targets: list[load.Target], args, wrk: str) -> None:
    for target in targets:
        load.warm_up(port, target, args.warmup)
    for target in targets:
        if target.status == 200:
            load.wrk_run(wrk, port, target, args)


def side_by_side(up: list[load.Target], down: list[load.Target]) -> str:
    header = (
        "target",
        "up req/s",
        "up p99 ms",
        "down req/s",
        "down p99 ms",
        "down/up",
        "cache (down)",
    )
    rows = [header]
    for before, after in zip(up, down, strict=True):
        ratio = after.requests_per_s / before.requests_per_s if before.requests_per_s else 0.0
        rows.append(
            (
                before.name,
                f"{before.requests_per_s:.1f}",
                f"{before.p99_ms:.2f}",
                f"{after.requests_per_s:.1f}",
                f"{after.p99_ms:.2f}",
                f"{100 * ratio:.0f}%",
                after.page_cache if after.cached else "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            cell.ljust(width) if i in (0, 6) else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def failures(targets: list[load.Target], phase: str) -> list[str]:
    found = []
    for t in targets:
        if t.status != 200:
            found.append(f"{phase}: {t.name} {t.path} answered HTTP {t.status} during warm-up")
        if t.non_2xx_3xx:
            found.append(f"{phase}: {t.name}: {t.non_2xx_3xx} of {t.requests} not 2xx/3xx")
        if any(t.socket_errors.values()):
            found.append(f"{phase}: {t.name}: wrk socket errors {t.socket_errors}")
    return found


def run(args: argparse.Namespace, wrk: str, redis_server: str, workdir: Path) -> int:
    env = load.bench_env()
    env["REDIS_URL"] = f"redis://{load.HOST}:{args.port}/0"  # the cache then uses database 1
    env.pop("REDIS_CACHE_URL", None)
    print(f"database {load.redact(env['DATABASE_URL'])}, redis {env['REDIS_URL']} (own server)")
    load.database_ensure(env["DATABASE_URL"])
    redis = redis_start(redis_server, args.port, workdir)
    try:
        page = load.prepare(env)
        up = [
            load.Target("minimal", "/bench/minimal/", cached=False),
            load.Target("home", "/", cached=True),
            load.Target("program page", page, cached=True),
            load.Target("search", load.SEARCH_PATH, cached=True),
        ]
        down = [load.Target(t.name, t.path, t.cached) for t in up]
        http_port = load.free_port()
        log_path = workdir / "gunicorn.log"
        with log_path.open("w") as log:
            server = load.gunicorn_start(env, http_port, args.workers, log)
            try:
                load.gunicorn_wait_ready(server, http_port, log_path)
                print(f"gunicorn with {args.workers} workers on {load.HOST}:{http_port}")
                measure(http_port, up, args, wrk)
                redis_stop(redis)
                if port_in_use(args.port):
                    raise load.BenchError(f"redis-server still answers on {args.port}")
                print(f"stopped the bench's redis-server on {args.port}; measuring again")
                measure(http_port, down, args, wrk)
            finally:
                load.gunicorn_stop(server)
    finally:
        redis_stop(redis)

    print(
        f"\nwrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency per run; "
        f"gunicorn {args.workers} sync workers; Redis up, then stopped\n"
    )
    print(side_by_side(up, down))
    public = [(u, d) for u, d in zip(up, down, strict=True) if u.cached and u.requests_per_s]
    if public:
        ratio = sum(d.requests_per_s for _, d in public) / sum(u.requests_per_s for u, _ in public)
        verdict = "meets" if ratio >= 0.5 else "misses"
        print(
            f"\npublic pages, Redis down / Redis up: {100 * ratio:.0f}% ({verdict} the 50% target)"
        )

    lines = log_path.read_text(errors="replace").splitlines()
    expected = [line for line in lines if PAGE_CACHE_WARNING.search(line)]
    unexpected = [line for line in lines if load.LOG_PROBLEM.search(line) and line not in expected]
    print(f"gunicorn log: {len(expected)} page-cache warnings while Redis was down (expected)")
    found = failures(up, "Redis up") + failures(down, "Redis down")
    if unexpected:
        found.append(f"gunicorn log has {len(unexpected)} other warning/error lines:")
        found.extend(f"    {line}" for line in unexpected[:10])
    print("\n".join(["problems:", *found]) if found else "no problems: every target 200")
    if found:
        kept = Path(tempfile.gettempdir()) / f"marc-bench-redis-down-{int(time.time())}.log"
        shutil.copy(log_path, kept)
        print(f"gunicorn log kept at {kept}")
    return 1 if any(t.status != 200 or t.non_2xx_3xx for t in up + down) else 0


def main() -> int:
    args = parse_args()
    wrk = shutil.which("wrk")
    redis_server = shutil.which("redis-server")
    if not wrk or not redis_server:
        print(
            "bench/load_redis_down.py needs wrk and redis-server "
            "(apt-get install -y wrk redis-server)."
        )
        return 2

    def stop(signum, frame):
        raise SystemExit(128 + signum)  # unwinds through the finally blocks that stop servers

    signal.signal(signal.SIGTERM, stop)
    with tempfile.TemporaryDirectory(prefix="marc-bench-redis-down-") as workdir:
        try:
            return run(args, wrk, redis_server, Path(workdir))
        except load.BenchError as exc:
            print(f"bench/load_redis_down.py: {exc}", file=sys.stderr)
            return 1


if __name__ == "__main__":
    sys.exit(main())
