import pytest

from tests.training.factories import EventFactory, in_days, registration_data
from training.models import RegistrationStatus
from training.services import RegistrationError, registration_cancel, registration_create

pytestmark = pytest.mark.django_db


def test_registrations_beyond_capacity_join_the_waitlist_in_order():
    event = EventFactory(capacity=2)
    statuses = [
        registration_create(event_id=event.pk, data=registration_data(email=f"p{n}@example.org"))
        for n in range(4)
    ]
    assert [r.status for r in statuses] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [r.waitlist_position for r in statuses[2:]] == [1, 2]


def test_a_freed_seat_goes_to_the_first_waitlisted_person(mailoutbox):
    event = EventFactory(capacity=1)
    first = registration_create(event_id=event.pk, data=registration_data(email="a@example.org"))
    second = registration_create(event_id=event.pk, data=registration_data(email="b@example.org"))
    registration_cancel(registration_id=first.pk)
    second.refresh_from_db()
    assert second.status == RegistrationStatus.CONFIRMED
    assert second.waitlist_position is None and second.promoted_at is not None


def test_one_registration_per_email_per_event_case_insensitive():
    event = EventFactory()
    registration_create(event_id=event.pk, data=registration_data(email="Dana@Example.org"))
    with pytest.raises(RegistrationError) as error:
        registration_create(event_id=event.pk, data=registration_data(email="dana@example.org"))
    assert error.value.code == "duplicate"


@pytest.mark.parametrize(
    "fields,code",
    [
        ({"starts_at": in_days(-1), "ends_at": in_days(-1, hour=11)}, "past"),
        ({"status": "cancelled"}, "cancelled"),
        ({"registration_closes_at": in_days(-1)}, "closed"),
        ({"registration_opens_at": in_days(3)}, "not_open"),
    ],
)
def test_closed_registration_is_refused_with_a_reason(fields, code):
    event = EventFactory(**fields)
    with pytest.raises(RegistrationError) as error:
        registration_create(event_id=event.pk, data=registration_data())
    assert error.value.code == code
    assert error.value.message


def test_agency_seat_cap_is_enforced():
    event = EventFactory(capacity=10, agency_seat_cap=1)
    registration_create(event_id=event.pk, data=registration_data(email="one@example.org"))
    with pytest.raises(RegistrationError) as error:
        registration_create(event_id=event.pk, data=registration_data(email="two@example.org"))
    assert error.value.code == "agency_cap"


def test_cancelling_after_the_event_was_cancelled_promotes_nobody():
    event = EventFactory(capacity=1)
    first = registration_create(event_id=event.pk, data=registration_data(email="a@example.org"))
    second = registration_create(event_id=event.pk, data=registration_data(email="b@example.org"))
    event.status = "cancelled"
    event.save(update_fields=["status"])
    registration_cancel(registration_id=first.pk)
    second.refresh_from_db()
    assert second.status == RegistrationStatus.WAITLISTED


def test_the_waitlist_is_renumbered_after_a_promotion():
    event = EventFactory(capacity=1)
    people = [
        registration_create(event_id=event.pk, data=registration_data(email=f"p{n}@example.org"))
        for n in range(4)
    ]
    registration_cancel(registration_id=people[0].pk)
    positions = [
        (r.email, r.waitlist_position)
        for r in event.registrations.filter(status="waitlisted").order_by("waitlist_position")
    ]
    assert positions == [("p2@example.org", 1), ("p3@example.org", 2)]


def test_the_registrants_link_cannot_cancel_once_the_event_has_started():
    from training.services import registration_cancel_by_registrant

    event = EventFactory(capacity=5)
    registration = registration_create(event_id=event.pk, data=registration_data())
    event.starts_at = in_days(-1)
    event.ends_at = in_days(-1, hour=11)
    event.save(update_fields=["starts_at", "ends_at"])
    with pytest.raises(RegistrationError) as error:
        registration_cancel_by_registrant(registration_id=registration.pk)
    assert error.value.code == "too_late"
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
