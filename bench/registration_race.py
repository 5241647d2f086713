"""Registration race: N people register at once for an event with M seats, on real PostgreSQL.

Creates the database if needed and migrates it (as bench/load.py does), makes one event
with --seats seats, then releases --workers threads together; each has its own database
connection and calls training.services.registration_create for its share of --n people.
Prints confirmed, waitlisted, oversold (must be 0) and registrations per second, then
deletes the event again (--keep leaves it). It asserts nothing about timing; it exits 1
if the event is oversold, the waitlist positions are not 1..k, or a registration failed
with an unexpected error.

Email tasks are queued to Celery's in-memory broker and never sent, as a web request
only queues them: the figure is the cost of the registration itself.

    .venv/bin/python bench/registration_race.py [--n 200] [--seats 50] [--workers 32]
"""

import argparse
import datetime as dt
import logging
import os
import secrets
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.load import DEFAULT_DATABASE_URL, BenchError, database_ensure, redact  # noqa: E402


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    refused: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="registrations to send")
    parser.add_argument("--seats", type=int, default=50, help="seats of the event")
    parser.add_argument(
        "--workers", type=int, default=32, help="threads, each with its own connection"
    )
    parser.add_argument("--keep", action="store_true", help="keep the event and registrations")
    args = parser.parse_args()
    if args.n < 1 or args.seats < 1 or args.workers < 1:
        parser.error("--n, --seats and --workers must be at least 1")
    args.workers = min(args.workers, args.n)
    return args


def django_setup(database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "marc_safety.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.pop("DJANGO_DEBUG", None)
    os.environ.pop("REDIS_URL", None)  # the in-memory broker: nothing left in a real queue
    os.environ["EMAIL_URL"] = "dummymail://"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from marc_safety.celery import app

    app.conf.task_always_eager = False  # queue the emails, as a web request does
    logging.getLogger("kombu.connection").setLevel(logging.ERROR)  # memory:// has no host


def event_create(seats: int):
    from django.utils import timezone

    from training.models import Event, EventKind

    start = timezone.localtime() + dt.timedelta(days=30)
    start = start.replace(hour=9, minute=0, second=0, microsecond=0)
    return Event.objects.create(
        title="Registration race benchmark",
        slug=f"registration-race-{secrets.token_hex(4)}",
        kind=EventKind.TRAINING,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=seats,
        venue_name="Benchmark",
    )


def race(event_id: int, n: int, workers: int) -> tuple[Outcome, float]:
    from django.db import connections

    from training.services import RegistrationData, RegistrationError, registration_create

    outcome = Outcome()
    people = iter(range(n))
    take = threading.Lock()
    start = threading.Barrier(workers + 1)

    def work() -> None:
        try:
            start.wait()
            while True:
                with take:
                    person = next(people, None)
                if person is None:
                    return
                data = RegistrationData(
                    name=f"Bench person {person}",
                    email=f"bench{person}@example.org",
                    agency_name=f"Bench agency {person % 17}",
                    role="Call-taker",
                    state="MO" if person % 2 else "KS",
                )
                began = time.perf_counter()
                try:
                    registration_create(event_id=event_id, data=data)
                except RegistrationError as refusal:
                    with outcome.lock:
                        outcome.refused[refusal.code] = outcome.refused.get(refusal.code, 0) + 1
                except Exception as exc:
                    with outcome.lock:
                        outcome.errors.append(f"{type(exc).__name__}: {exc}")
                with outcome.lock:
                    outcome.latencies.append(time.perf_counter() - began)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return outcome, time.perf_counter() - began


def tally(event_id: int) -> dict:
    from training.models import SEAT_STATUSES, Registration, RegistrationStatus

    rows = Registration.objects.filter(event_id=event_id)
    positions = sorted(
        rows.filter(status=RegistrationStatus.WAITLISTED).values_list(
            "waitlist_position", flat=True
        )
    )
    return {
        "confirmed": rows.filter(status__in=SEAT_STATUSES).count(),
        "waitlisted": len(positions),
        "positions_ok": positions == list(range(1, len(positions) + 1)),
        "emails": rows.values("email").distinct().count(),
        "rows": rows.count(),
    }


def cleanup(event) -> None:
    """Remove the event, its registrations and their (unsent) outbox emails."""
    from django.db.models import Q

    from core.models import OutboxEmail

    emails = Q(pk__in=[])
    for pk in event.registrations.values_list("pk", flat=True):
        emails |= Q(key__startswith=f"registration:{pk}:")
    OutboxEmail.objects.filter(emails).delete()
    event.delete()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def run(args: argparse.Namespace) -> int:
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    database_ensure(database_url)
    django_setup(database_url)
    from django.core.management import call_command

    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"database {redact(database_url)} migrated in {time.monotonic() - started:.1f}s")

    event = event_create(args.seats)
    try:
        outcome, elapsed = race(event.pk, args.n, args.workers)
        counts = tally(event.pk)
    finally:
        if not args.keep:
            cleanup(event)

    oversold = max(counts["confirmed"] - args.seats, 0)
    latencies = sorted(outcome.latencies)
    p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
    print(
        f"\n{args.n} registrations, {args.seats} seats, {args.workers} threads "
        f"(each its own PostgreSQL connection)\n"
    )
    print(f"confirmed              {counts['confirmed']}")
    print(f"waitlisted             {counts['waitlisted']}")
    print(f"oversold               {oversold}")
    print(f"waitlist positions     {'1..k, distinct' if counts['positions_ok'] else 'BROKEN'}")
    by_code = ", ".join(f"{code} {count}" for code, count in sorted(outcome.refused.items()))
    print(f"refused                {sum(outcome.refused.values())} {by_code}".rstrip())
    print(f"failed                 {len(outcome.errors)}")
    print(f"elapsed                {elapsed:.2f} s")
    print(f"registrations/s        {args.n / elapsed:.1f}")
    print(
        f"latency ms             p50 {ms(statistics.median(latencies))}  "
        f"p95 {ms(p95)}  max {ms(latencies[-1])}"
    )
    for error in outcome.errors[:5]:
        print(f"  error: {error}")

    problems = []
    if oversold:
        problems.append(f"oversold by {oversold}")
    if not counts["positions_ok"]:
        problems.append("waitlist positions are not 1..k")
    if outcome.errors:
        problems.append(f"{len(outcome.errors)} registrations failed with an error")
    if counts["rows"] != counts["emails"]:
        problems.append("an email address is registered twice")
    print("\n" + ("problems: " + "; ".join(problems) if problems else "no problems"))
    return 1 if problems else 0


def main() -> int:
    args = parse_args()
    try:
        return run(args)
    except BenchError as exc:
        print(f"bench/registration_race.py: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
