"""Registration emails and reminders: each sent once, with the right content and timing."""

import datetime as dt
import smtplib
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from core import tasks as core_tasks
from core.models import OutboxEmail, OutboxStatus
from core.outbox import outbox_sweep
from tests.training.factories import EventFactory, RegistrationFactory
from training import emails, tasks
from training.links import cancel_url

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")


def local(*args, fold: int = 0) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CHICAGO, fold=fold)


def send(registration, kind: str) -> bool:
    """Ask for the email (as a task would) and send what the outbox has due."""
    added = tasks.send_registration_email.apply(args=[registration.pk, kind]).get()
    outbox_sweep()
    return added


# --- Each email once ------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind,status",
    [
        ("confirmation", "confirmed"),
        ("waitlisted", "waitlisted"),
        ("promoted", "confirmed"),
        ("cancelled", "cancelled"),
        ("reminder", "confirmed"),
    ],
)
def test_asking_for_an_email_twice_sends_one_email(kind, status):
    position = 4 if status == "waitlisted" else None
    registration = RegistrationFactory(status=status, waitlist_position=position)
    assert send(registration, kind) is True
    assert send(registration, kind) is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [registration.email]
    [row] = OutboxEmail.objects.all()
    assert row.status == OutboxStatus.SENT and row.key.startswith(
        f"registration:{registration.pk}:{kind}"
    )


def test_a_failed_send_is_sent_again_by_the_outbox_later(monkeypatch):
    registration = RegistrationFactory()
    real_send = mail.EmailMultiAlternatives.send
    calls = []

    def flaky_send(self, fail_silently=False):
        calls.append(1)
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real_send(self, fail_silently)

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", flaky_send)
    with time_machine.travel(local(2027, 1, 4, 9), tick=False) as clock:
        assert send(registration, "confirmation") is True
        assert mail.outbox == [] and OutboxEmail.objects.get().status == OutboxStatus.PENDING
        clock.shift(dt.timedelta(minutes=2))
        assert outbox_sweep() == 1
    assert len(mail.outbox) == 1 and len(calls) == 2


def test_an_email_whose_news_is_out_of_date_is_not_sent():
    promoted_meanwhile = RegistrationFactory(status="confirmed")
    assert send(promoted_meanwhile, "waitlisted") is False
    cancelled_meanwhile = RegistrationFactory(status="cancelled")
    assert send(cancelled_meanwhile, "confirmation") is False
    assert mail.outbox == []
    assert not OutboxEmail.objects.exists()


def test_an_email_for_a_deleted_registration_is_dropped_quietly():
    registration = RegistrationFactory()
    pk = registration.pk
    registration.delete()
    assert tasks.send_registration_email.apply(args=[pk, "confirmation"]).get() is False
    assert mail.outbox == [] and not OutboxEmail.objects.exists()


# --- Content --------------------------------------------------------------------------


def test_the_confirmation_has_the_details_a_cancel_link_and_the_calendar_file():
    event = EventFactory(
        title="Active threat tabletop",
        starts_at=local(2027, 3, 16, 9),
        ends_at=local(2027, 3, 16, 11, 30),
        virtual_url="https://meet.example.org/tabletop",
    )
    registration = RegistrationFactory(event=event, name="Pat O'Neil")
    send(registration, "confirmation")
    [email] = mail.outbox
    assert email.subject == "You are registered: Active threat tabletop"
    text = email.body
    assert text.startswith("Hello Pat O'Neil,")  # plain text is not HTML-escaped
    assert "When: Tuesday, March 16, 2027, 9:00 AM – 11:30 AM CDT" in text
    assert "Where: MARC conference room, 600 Broadway" in text
    assert "Join online: https://meet.example.org/tabletop" in text
    assert cancel_url(registration) in text

    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert "Pat O&#x27;Neil" in html
    assert f'href="{cancel_url(registration)}"' in html

    [(filename, content, content_type)] = email.attachments
    assert filename == f"{event.slug}.ics"
    assert content_type.startswith("text/calendar")
    [vevent] = Calendar.from_ical(content).walk("VEVENT")
    assert str(vevent["summary"]) == "Active threat tabletop"
    assert vevent.decoded("dtstart") == local(2027, 3, 16, 9)


def test_the_waitlist_email_gives_the_place_and_a_link_to_leave_but_no_joining_link():
    event = EventFactory(virtual_url="https://meet.example.org/seats-only")
    registration = RegistrationFactory(event=event, status="waitlisted", waitlist_position=7)
    send(registration, "waitlisted")
    [email] = mail.outbox
    assert "you are number 7" in email.body
    assert "meet.example.org" not in email.body + email.alternatives[0][0]
    assert "Leave the waitlist here:\n" + cancel_url(registration) in email.body
    assert email.attachments == []


def test_the_promotion_email_says_the_seat_is_theirs_and_attaches_the_calendar_file():
    registration = RegistrationFactory(status="confirmed")
    send(registration, "promoted")
    [email] = mail.outbox
    assert email.subject.startswith("A seat opened up")
    assert "it is yours" in email.body
    assert [a[0] for a in email.attachments] == [f"{registration.event.slug}.ics"]


def test_the_cancellation_email_has_no_cancel_link():
    registration = RegistrationFactory(status="cancelled")
    send(registration, "cancelled")
    [email] = mail.outbox
    assert "is cancelled" in email.body
    assert "/calendar/cancel/" not in email.body
    assert "/calendar/cancel/" not in email.alternatives[0][0]


def test_registering_and_cancelling_through_the_service_send_their_emails(
    django_capture_on_commit_callbacks,
):
    from tests.training.factories import registration_data
    from training.services import registration_cancel, registration_create

    event = EventFactory(capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        first = registration_create(event_id=event.pk, data=registration_data(email="a@x.org"))
        registration_create(event_id=event.pk, data=registration_data(email="b@x.org"))
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration_id=first.pk)
    sent = [(m.to[0], m.subject.split(":")[0]) for m in mail.outbox]
    assert sent == [
        ("a@x.org", "You are registered"),
        ("b@x.org", "You are on the waitlist"),
        ("a@x.org", "Your registration is cancelled"),
        ("b@x.org", "A seat opened up, you are in"),
    ]


# --- Reminders: the day after tomorrow, America/Chicago ---------------------------------


def due(now: dt.datetime) -> set[int]:
    return set(emails.reminders_due(now=now).values_list("pk", flat=True))


def registration_at(start: dt.datetime, **fields):
    event = EventFactory(starts_at=start, ends_at=start + dt.timedelta(hours=1))
    return RegistrationFactory(event=event, **fields)


def test_reminders_switch_to_the_next_day_at_local_midnight_not_utc_midnight():
    early_on_day_2 = registration_at(local(2027, 1, 14, 0, 15))
    late_on_day_2 = registration_at(local(2027, 1, 14, 23, 45))
    early_on_day_3 = registration_at(local(2027, 1, 15, 0, 15))
    tomorrow = registration_at(local(2027, 1, 13, 23, 45))

    # 23:59:59 on January 12 in Chicago is already January 13 in UTC.
    before_midnight = local(2027, 1, 12, 23, 59, 59)
    assert before_midnight.astimezone(dt.UTC).date() == dt.date(2027, 1, 13)
    assert due(before_midnight) == {early_on_day_2.pk, late_on_day_2.pk}
    assert tomorrow.pk not in due(before_midnight)

    after_midnight = local(2027, 1, 13, 0, 0)
    assert due(after_midnight) == {early_on_day_3.pk}


def test_reminders_cover_the_23_hour_day_when_clocks_spring_forward():
    # Sunday March 14, 2027: 2:00 AM CST becomes 3:00 AM CDT.
    just_after_midnight = registration_at(local(2027, 3, 14, 0, 30))
    after_the_change = registration_at(local(2027, 3, 14, 3, 30))
    last_minute = registration_at(local(2027, 3, 14, 23, 59))
    next_day = registration_at(local(2027, 3, 15, 0, 0))
    now = local(2027, 3, 12, 23, 30)  # Friday evening, 05:30 UTC on Saturday
    assert due(now) == {just_after_midnight.pk, after_the_change.pk, last_minute.pk}
    assert next_day.pk in due(local(2027, 3, 13, 8))


def test_reminders_cover_the_25_hour_day_when_clocks_fall_back():
    # Sunday November 7, 2027: 2:00 AM CDT becomes 1:00 AM CST, so 1:30 AM happens twice.
    first_one_thirty = registration_at(local(2027, 11, 7, 1, 30, fold=0))
    second_one_thirty = registration_at(local(2027, 11, 7, 1, 30, fold=1))
    late_evening = registration_at(local(2027, 11, 7, 23, 30))  # 05:30 UTC November 8
    day_before = registration_at(local(2027, 11, 6, 23, 30))
    # Aware datetimes in one zone compare by wall time; in UTC the two are an hour apart.
    utc = [r.event.starts_at.astimezone(dt.UTC) for r in (first_one_thirty, second_one_thirty)]
    assert utc[1] - utc[0] == dt.timedelta(hours=1)
    now = local(2027, 11, 5, 9)
    assert due(now) == {first_one_thirty.pk, second_one_thirty.pk, late_evening.pk}
    assert day_before.pk not in due(now)


def test_only_confirmed_seats_at_scheduled_published_events_are_reminded():
    start = local(2027, 1, 14, 9)
    confirmed = registration_at(start)
    registration_at(start, status="waitlisted", waitlist_position=1)
    registration_at(start, status="cancelled")
    cancelled_event = registration_at(start)
    cancelled_event.event.status = "cancelled"
    cancelled_event.event.save(update_fields=["status"])
    unpublished = registration_at(start)
    unpublished.event.published = False
    unpublished.event.save(update_fields=["published"])
    assert due(local(2027, 1, 12, 10)) == {confirmed.pk}


def test_each_reminder_is_sent_once_however_often_the_job_runs():
    registration = registration_at(local(2027, 1, 14, 9))
    registration_at(local(2027, 1, 15, 9))
    for hour in (7, 8, 9, 20):
        emails.reminders_send(now=local(2027, 1, 12, hour))
        outbox_sweep()
    [email] = mail.outbox
    assert email.to == [registration.email]
    assert email.subject == f"Reminder, the day after tomorrow: {registration.event.title}"
    assert "When: Thursday, January 14, 2027, 9:00 AM – 10:00 AM CST" in email.body
    assert cancel_url(registration) in email.body


def test_an_event_moved_to_another_day_is_reminded_again():
    registration = registration_at(local(2027, 1, 14, 9))
    assert emails.reminders_send(now=local(2027, 1, 12, 9)) == 1
    event = registration.event
    event.starts_at, event.ends_at = local(2027, 1, 21, 9), local(2027, 1, 21, 10)
    event.save(update_fields=["starts_at", "ends_at"])
    assert emails.reminders_send(now=local(2027, 1, 19, 9)) == 1
    assert emails.reminders_send(now=local(2027, 1, 19, 10)) == 0
    assert outbox_sweep() == 2
    assert len(mail.outbox) == 2


def test_one_failing_reminder_does_not_stop_the_others(monkeypatch):
    first = registration_at(local(2027, 1, 14, 9), email="broken@example.org")
    second = registration_at(local(2027, 1, 14, 10), email="fine@example.org")
    real_send = mail.EmailMultiAlternatives.send

    def send_or_fail(self, fail_silently=False):
        if self.to == ["broken@example.org"]:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real_send(self, fail_silently)

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", send_or_fail)
    with time_machine.travel(local(2027, 1, 12, 9), tick=False) as clock:
        assert emails.reminders_send() == 2
        assert outbox_sweep() == 1
        assert [m.to for m in mail.outbox] == [[second.email]]
        monkeypatch.undo()
        assert emails.reminders_send() == 0  # the next hour's run: both are in the outbox
        clock.shift(dt.timedelta(minutes=2))  # the failed one's retry is due
        assert outbox_sweep() == 1
    assert [m.to for m in mail.outbox] == [[second.email], [first.email]]


def test_the_reminder_task_runs_twice_and_sends_one_email():
    from django.utils import timezone

    start = (timezone.localtime() + dt.timedelta(days=2)).replace(hour=12, minute=0)
    registration = registration_at(start)
    assert tasks.send_reminders.apply().get() == 1
    assert tasks.send_reminders.apply().get() == 0
    outbox_sweep()
    assert [m.to for m in mail.outbox] == [[registration.email]]


def test_beat_runs_the_reminders_hourly_with_an_expiry():
    [entry] = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "training.send_reminders"
    ]
    assert 0 < entry["options"]["expires"] <= 60 * 60
    assert entry["schedule"].hour == set(range(7, 21))


def test_a_registration_saved_while_the_broker_is_down_gets_its_email_from_the_sweep(
    monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    from tests.training.factories import registration_data
    from training.services import registration_create

    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(core_tasks.outbox_send, "delay", broker_down)
    event = EventFactory(capacity=5)
    with django_capture_on_commit_callbacks(execute=True):
        registration = registration_create(event_id=event.pk, data=registration_data())
    assert registration.pk and mailoutbox == []
    assert core_tasks.outbox_sweep.apply().get() == 1
    assert core_tasks.outbox_sweep.apply().get() == 0
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["dana@example.org"]
    assert mailoutbox[0].subject == f"You are registered: {event.title}"


def test_a_cancel_link_is_the_same_in_every_email_and_old_links_still_work(client):
    from django.core import signing

    from training.links import CANCEL_SALT, _email_digest, cancel_token

    registration = RegistrationFactory()
    assert cancel_token(registration) == cancel_token(registration)
    # The format of links emailed before (signing.dumps, with a timestamp) is still honoured.
    old = signing.dumps(
        {"r": registration.pk, "e": _email_digest(registration.email)}, salt=CANCEL_SALT
    )
    from training.links import registration_from_token

    assert registration_from_token(old) == registration
    response = client.get(reverse("training:cancel", kwargs={"token": old}))
    assert response.status_code == 200, response.content.decode()[:300]
    assert registration.event.title in response.content.decode()
