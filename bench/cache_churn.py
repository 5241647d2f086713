"""Cache churn benchmark: public pages under wrk while content keeps changing.

The production setup of bench/load.py (gunicorn sync workers, bench.settings_load, the page
cache in Redis) and its floor (bench.settings_floor: a bare Django view with no middleware,
the home page's size, under the same gunicorn flags). While wrk loads one page after the
other, two threads of this script change what the portal shows, through the same database
and the same Redis as the server:

- registrations arrive at --rate per second (10 by default) for one upcoming event, through
  training.services.registration_create, as the public form does;
- an editor publishes a program page every --publish-every seconds (10 by default): the
  page is saved, as the admin saves it.

The churn runs from the first wrk run to the last, the floor's included, so every figure
shares the same load. For each target the script prints requests/s, p50, p99, the share of
the floor, and how many answers were page-cache hits (counted by a wrk Lua script).

    apt-get install -y wrk   # if missing
    .venv/bin/python bench/cache_churn.py [--duration 8] [--connections 16] [--workers 2]

The script asserts nothing about timing. It exits non-zero when a target does not answer
200, when wrk counts non-2xx/3xx answers, or when the churn threads fail.
"""

import argparse
import itertools
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import load  # noqa: E402

# Counts the page-cache hits among wrk's answers; printed once per run.
HIT_COUNTER = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) hits = 0; misses = 0 end
function response(status, headers, body)
  if headers["X-Page-Cache"] == "hit" then hits = hits + 1 else misses = misses + 1 end
end
function done(summary, latency, requests)
  local h, m = 0, 0
  for _, t in ipairs(threads) do h = h + t:get("hits"); m = m + t:get("misses") end
  io.write(string.format("PAGE_CACHE hits %d misses %d\\n", h, m))
end
"""
HITS = re.compile(r"^PAGE_CACHE hits (\d+) misses (\d+)$", re.MULTILINE)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds of wrk per target")
    parser.add_argument("--connections", type=int, default=16, help="wrk open connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--warmup", type=int, default=20, help="requests per target beforehand")
    parser.add_argument("--rate", type=float, default=10.0, help="registrations per second")
    parser.add_argument(
        "--publish-every", type=float, default=10.0, help="seconds between page publications"
    )
    args = parser.parse_args()
    if args.duration < 1 or args.connections < args.threads or args.threads < 1:
        parser.error("need duration >= 1 and connections >= threads >= 1")
    if args.rate <= 0 or args.publish_every <= 0:
        parser.error("need a positive --rate and --publish-every")
    return args


# --- The churn: this process changes the portal's content, like its visitors and editors ---


def django_setup(env: dict[str, str]) -> None:
    """Django in this process, on the server's database and page cache (Redis). Tasks run
    in-process (no broker) and emails go to a dummy backend: the server sees only the
    content changes and the page-cache invalidations they make."""
    redis_url = env["REDIS_URL"].rstrip("/")
    base, _, db = redis_url.rpartition("/")
    os.environ.update({k: v for k, v in env.items() if k != "REDIS_URL"})
    os.environ.pop("REDIS_URL", None)
    os.environ["REDIS_CACHE_URL"] = f"{base}/{int(db) + 1}"  # the server's cache database
    os.environ["EMAIL_URL"] = "dummymail://"
    os.environ["LOG_LEVEL"] = "WARNING"  # not a line per email sent
    import logging

    import django

    django.setup()
    # The in-process broker (memory://) has no host name, which kombu warns about once.
    logging.getLogger("kombu.connection").setLevel(logging.ERROR)


def churn_targets(page_path: str) -> tuple[int, str, int]:
    """An upcoming event open for registration, soonest on the calendar, with seats for the
    whole run; and a program page for the editor, in the same area as the measured page.
    Returns the event's pk and address and the editor's page pk."""
    import datetime as dt

    from django.utils import timezone

    from programs.models import ProgramPage, Status
    from training.models import Event, EventKind

    start = timezone.now() + dt.timedelta(hours=2)
    event, _ = Event.objects.update_or_create(
        slug="bench-churn-training",
        defaults={
            "title": "Bench churn training",
            "kind": EventKind.TRAINING,
            "audiences": ["dispatch"],
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=2),
            "venue_name": "MARC conference room",
            "capacity": 1_000_000,
            "description": "Registrations arrive here while the load benchmark runs.",
        },
    )
    area_slug, slug = page_path.strip("/").split("/")[-2:]
    measured = ProgramPage.objects.get(area__slug=area_slug, slug=slug)
    editor_page, _ = ProgramPage.objects.update_or_create(
        area=measured.area,
        slug="bench-churn-notes",
        defaults={
            "title": "Bench churn notes",
            "summary": "A page the benchmark's editor publishes again and again.",
            "body": "Published by the cache churn benchmark.",
            "status": Status.PUBLISHED,
        },
    )
    return event.pk, event.get_absolute_url(), editor_page.pk


@dataclass
class Churn:
    event_id: int
    page_id: int
    rate: float
    publish_every: float
    stop: threading.Event = field(default_factory=threading.Event)
    registrations: int = 0
    publications: int = 0
    errors: list[str] = field(default_factory=list)
    started: float = 0.0
    stopped: float = 0.0

    def register(self) -> None:
        from django.db import connection

        from training.services import RegistrationData, registration_create

        run = int(time.time())
        interval = 1.0 / self.rate
        due = time.monotonic()
        try:
            for n in itertools.count():
                if self.stop.is_set():
                    return
                data = RegistrationData(
                    name=f"Bench registrant {n}",
                    email=f"bench-{run}-{n}@example.org",
                    agency_name="Bench County 911",
                    role="Call-taker",
                    state="MO",
                )
                registration_create(event_id=self.event_id, data=data)
                self.registrations += 1
                due += interval
                self.stop.wait(max(0.0, due - time.monotonic()))
        except Exception as exc:
            self.errors.append(f"registration: {exc!r}")
        finally:
            connection.close()

    def publish(self) -> None:
        from django.db import connection

        from programs.models import ProgramPage

        try:
            while not self.stop.wait(self.publish_every):
                page = ProgramPage.objects.get(pk=self.page_id)
                page.body = f"Published by the cache churn benchmark at {time.time():.0f}."
                page.save(update_fields=["body", "updated_at"])
                self.publications += 1
        except Exception as exc:
            self.errors.append(f"publication: {exc!r}")
        finally:
            connection.close()

    def __enter__(self) -> "Churn":
        self.threads = [
            threading.Thread(target=self.register, name="registrations", daemon=True),
            threading.Thread(target=self.publish, name="editor", daemon=True),
        ]
        self.started = time.monotonic()
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)
        self.stopped = time.monotonic()

    def summary(self) -> str:
        seconds = max(self.stopped - self.started, 1e-9)
        return (
            f"churn over {seconds:.0f} s: {self.registrations} registrations "
            f"({self.registrations / seconds:.1f}/s, target {self.rate:g}/s), "
            f"{self.publications} page publications (every {self.publish_every:g} s)"
        )


# --- Measuring ------------------------------------------------------------------------------


def wrk_counting_hits(
    wrk: str, port: int, target: load.Target, args: argparse.Namespace, lua: Path
) -> tuple[int, int]:
    """bench/load.py's wrk run with the hit-counting script; (hits, misses)."""
    found = HITS.search(load.wrk_run(wrk, port, target, args, script=lua))
    return (int(found.group(1)), int(found.group(2))) if found else (-1, -1)


def table(rows: list[tuple[load.Target, int, int]]) -> str:
    floor = rows[0][0].requests_per_s or 1.0
    header = ("target", "req/s", "p50 ms", "p99 ms", "vs floor", "hits", "misses", "non-2xx")
    lines = [header]
    for t, hits, misses in rows:
        lines.append(
            (
                t.name,
                f"{t.requests_per_s:.1f}",
                f"{t.p50_ms:.2f}",
                f"{t.p99_ms:.2f}",
                f"{100 * t.requests_per_s / floor:.1f}%",
                str(hits) if t.cached else "-",
                str(misses) if t.cached else "-",
                str(t.non_2xx_3xx),
            )
        )
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]
    out = []
    for n, row in enumerate(lines):
        cells = [
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def run(args: argparse.Namespace, wrk: str, workdir: Path) -> int:
    env = load.bench_env()
    print(f"database {load.redact(env['DATABASE_URL'])}, redis {load.redact(env['REDIS_URL'])}")
    load.database_ensure(env["DATABASE_URL"])
    page = load.prepare(env)
    django_setup(env)
    event_id, event_path, editor_page_id = churn_targets(page)

    floor = load.Target("floor", load.FLOOR_PATH, cached=False)
    targets = [
        floor,
        load.Target("home", "/", cached=True),
        load.Target("program page", page, cached=True),
        load.Target("calendar", "/calendar/", cached=True),
        load.Target("event page (registrations)", event_path, cached=True),
    ]
    lua = workdir / "hits.lua"
    lua.write_text(HIT_COUNTER)
    rows: list[tuple[load.Target, int, int]] = []
    churn = Churn(event_id, editor_page_id, args.rate, args.publish_every)
    port = load.free_port()
    log_path = workdir / "gunicorn.log"
    with log_path.open("w") as log:
        server = load.gunicorn_start(env, port, args.workers, log)
        floor_server = None
        try:
            load.gunicorn_wait_ready(server, port, log_path)
            for target in targets[1:]:
                load.warm_up(port, target, args.warmup)
            floor_server, floor_port = load.floor_start(
                env, args.workers, targets[1].body_bytes, log
            )
            load.gunicorn_wait_ready(floor_server, floor_port, log_path, load.FLOOR_PATH)
            load.warm_up(floor_port, floor, args.warmup)
            print(
                f"gunicorn with {args.workers} workers on {load.HOST}:{port}; floor on "
                f"{load.HOST}:{floor_port} ({floor.body_bytes} bytes); churn starts"
            )
            with churn:
                for target in targets:
                    if target.status == 200:
                        target_port = floor_port if target is floor else port
                        hits, misses = wrk_counting_hits(wrk, target_port, target, args, lua)
                        rows.append((target, hits, misses))
        finally:
            load.gunicorn_stop(server)
            if floor_server is not None:
                load.gunicorn_stop(floor_server)

    print(
        f"\nwrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency per target, "
        f"header '{load.PROXY_HEADER[0]}: {load.PROXY_HEADER[1]}'; gunicorn {args.workers} sync "
        "workers; the floor is a bare Django view (no middleware) of the home page's size"
    )
    print(churn.summary() + "\n")
    print(table(rows))
    found = load.problems(targets, log_path) + churn.errors
    print("\n" + ("\n".join(["problems:", *found]) if found else "no problems: every target 200"))
    if found:
        kept = Path(tempfile.gettempdir()) / f"marc-bench-churn-{int(time.time())}.log"
        shutil.copy(log_path, kept)
        print(f"gunicorn log kept at {kept}")
    failed = any(t.status != 200 or t.non_2xx_3xx for t in targets) or churn.errors
    return 1 if failed else 0


def main() -> int:
    args = parse_args()
    wrk = shutil.which("wrk")
    if not wrk:
        print("bench/cache_churn.py needs wrk, which is not installed (apt-get install -y wrk).")
        return 2

    def stop(signum, frame):
        raise SystemExit(128 + signum)  # unwinds through the finally that stops gunicorn

    signal.signal(signal.SIGTERM, stop)
    with tempfile.TemporaryDirectory(prefix="marc-bench-churn-") as workdir:
        try:
            return run(args, wrk, Path(workdir))
        except load.BenchError as exc:
            print(f"bench/cache_churn.py: {exc}", file=sys.stderr)
            return 1


if __name__ == "__main__":
    sys.exit(main())
