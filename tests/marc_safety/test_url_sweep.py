"""A property-based sweep of the whole site: no input gives a 500, every refusal is audited.

Every URL pattern of the project (public pages, staff pages, the admin) is requested as
each of the eight staff roles and as an anonymous visitor, first with a fixed set of
hostile values, then with query strings and form bodies that Hypothesis draws (dates far
out of range, NUL bytes, huge numbers, markup, SQL, arbitrary text). What must hold:

- no answer is a server error (and no exception escapes a view);
- a request refused with 403 leaves exactly one "denied" row in the audit log, and any other
  answer at most one (a scoped 404 is audited too).

URLs are grouped by their first two path segments; each group is one test, so the shared
data (one event, request, encounter, report… and one account per role) is made once per
group rather than once per URL.
"""

import re
from collections import defaultdict
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import AuditEvent, AuditOutcome
from accounts.roles import Role
from tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
ROLES = [ANONYMOUS, *Role.values]
# Requests that would end the session or the enrolment the rest of the sweep relies on.
NOT_POSTED = {"account/logout/", "admin/logout/", "account/two_factor/disable/"}
# Sign-in refusals (axes' lockout) are recorded as sign-in events, not as denials.
LOGIN_PATHS = ("account/login/",)

HOSTILE = [
    "",
    "0",
    "-1",
    "99999999999999999999",
    "1e309",
    "NaN",
    "0000-01",
    "9999-12",
    "9999-12-31",
    "0000-01-01",
    "0999-06-15",
    "2023-02-30",
    "2025-13",
    "x" * 400,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "\x00",
    "a\x00b",
    "☃️ café",
    "on",
    "true",
    "[]",
    "{}",
]
KEYS = [
    "q",
    "page",
    "kind",
    "audience",
    "area",
    "host",
    "start",
    "end",
    "seats",
    "month",
    "year",
    "agency",
    "provider",
    "date",
    "date_from",
    "date_to",
    "status",
    "preview",
    "code",
    "email",
    "name",
    "format",
    "o",
    "p",
    "e",
    "_changelist_filters",
    "action",
    "_selected_action",
    "select_across",
    "index",
    "urgency",
    "contact_name",
    "auth-username",
    "auth-password",
    "login_view-current_step",
]
values = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))
fields = st.dictionaries(
    keys=st.one_of(st.sampled_from(KEYS), st.text(min_size=1, max_size=12)),
    values=st.one_of(values, st.lists(values, min_size=1, max_size=3)),
    max_size=5,
)


# --- The URL patterns ------------------------------------------------------------------


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if isinstance(pattern.pattern, RoutePattern):
                yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                # The admin's regex-routed parts: only the fixed ones (app indexes come below).
                text = str(pattern.pattern).lstrip("^").rstrip("$")
                if re.fullmatch(r"[\w/-]*", text):
                    yield from _walk(pattern.url_patterns, prefix + text)
        elif isinstance(pattern, URLPattern):
            text = str(pattern.pattern)
            if isinstance(pattern.pattern, RoutePattern):
                yield prefix + text
            elif re.fullmatch(r"\^?[\w/.-]*\$?", text):
                yield prefix + text.lstrip("^").rstrip("$")


def _routes() -> list[str]:
    routes = sorted(set(_walk(get_resolver().url_patterns)))
    admin_apps = sorted({r.split("/")[1] for r in routes if r.startswith("admin/") and "/" in r})
    routes += [f"admin/{app}/" for app in admin_apps if f"admin/{app}/" not in routes]
    # The admin's catch-all regex (anything else → 404) is covered by a made-up address.
    return [*routes, "admin/no-such-thing/"]


def _group(route: str) -> str:
    """The first two path segments; the admin's, three (one group per model)."""
    parts = [p for p in route.split("/") if p and "<" not in p]
    return "/".join(parts[: 3 if route.startswith("admin/") else 2]) or "(home)"


# Behind the admin's door every role without admin access meets the same refusal, so the
# admin is swept as the anonymous visitor, one such role and the two roles that use it.
ADMIN_ROLES = [ANONYMOUS, Role.PEER_TEAM_MEMBER, Role.SITE_EDITOR, Role.ADMINISTRATOR]


def roles_for(route: str) -> list[str]:
    return ADMIN_ROLES if route.startswith("admin/") else ROLES


GROUPS: dict[str, list[str]] = defaultdict(list)
for _route in _routes():
    GROUPS[_group(_route)].append(_route)


# --- The shared data and the accounts ----------------------------------------------------


@pytest.fixture
def world(make_staff):
    from tests.coresponder.factories import clinician_for, encounter, org
    from tests.peersupport.factories import member_for, submitted_request
    from tests.programs.factories import AreaFactory, DocumentFactory, PageFactory
    from tests.training.factories import EventFactory, RegistrationFactory
    from training import links
    from training.models import EventDocument
    from training.services import history_token

    area = AreaFactory()
    page = PageFactory(area=area)
    document = DocumentFactory(area=area)
    event = EventFactory(capacity=5)
    registration = RegistrationFactory(event=event)
    event_document = EventDocument.objects.create(
        event=event, title="Agenda", file=SimpleUploadedFile("agenda.pdf", b"%PDF-1.4")
    )
    support_request, status_token = submitted_request()

    users = {}
    for role in Role.values:
        fields = {"organization": org("blue-springs")} if role == Role.AGENCY_LIAISON else {}
        users[role] = make_staff(roles=[role], **fields)
    clinician_for(users[Role.CORESPONDER_CLINICIAN])
    member = member_for(users[Role.PEER_TEAM_MEMBER])
    seen = encounter()

    from reports.models import ReportRun

    report = ReportRun.objects.create(kind="training", period="2026-10-01")

    from coresponder import public
    from coresponder.models import ImportJob, Release
    from coresponder.release_tables import ROW_TO_DATE, ROW_YEAR

    # A release of 2026 (the year the addresses name), so that its public pages answer.
    counts = next(iter(public.yearly_counts().values()))
    figures = public.figures_json(public.year_figures(counts))
    Release.objects.create(
        year=2026,
        revision=1,
        published_at=seen.created_at,
        published_by=users[Role.PROGRAM_MANAGER],
        counts={ROW_YEAR: counts, ROW_TO_DATE: counts},
        figures={ROW_YEAR: figures, ROW_TO_DATE: figures},
    )

    job = ImportJob.objects.create(
        kind="encounters",
        file=SimpleUploadedFile("import.csv", b"encounter_id\n"),
        original_name="import.csv",
        created_by=users[Role.PROGRAM_MANAGER],
    )
    tokens = {
        "peer-support/status": status_token,
        "calendar/cancel": links.cancel_token(registration),
        "calendar/registered": links.registered_token(registration),
        "training/history": history_token(registration.email),
    }
    return SimpleNamespace(
        area=area,
        page=page,
        document=document,
        event=event,
        registration=registration,
        event_document=event_document,
        support_request=support_request,
        member=member,
        encounter=seen,
        report=report,
        job=job,
        tokens=tokens,
        users=users,
    )


@pytest.fixture
def clients(world):
    found = {ANONYMOUS: Client()}
    for role, user in world.users.items():
        found[role] = signed_in_client(user)
    # The role groups exist for every account (a flushed database recreates them).
    assert Group.objects.filter(name__in=Role.values).count() == len(Role.values)
    return found


# --- Turning a pattern into an address ---------------------------------------------------

_CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")


def _admin_object_id(route: str) -> str:
    parts = route.split("/")
    try:
        model = apps.get_model(parts[1], parts[2])
    except (LookupError, IndexError):
        return "1"
    first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
    return str(first if first is not None else 1)


def _int_for(route: str, name: str, w) -> int:
    if name in ("registration_pk", "registration_id"):
        return w.registration.pk
    if name == "document_pk":
        return w.event_document.pk
    if name == "year":
        return 2026
    if name == "month":
        return 11
    for prefix, value in (
        ("calendar/events", w.event.pk),
        ("staff/training/events", w.event.pk),
        ("staff/peer-support/team", w.member.pk),
        ("staff/peer-support", w.support_request.pk),
        ("staff/coresponder/encounters", w.encounter.pk),
        ("staff/coresponder/import", w.job.pk),
        ("staff/reports", w.report.pk),
    ):
        if route.startswith(prefix):
            return value
    return 1


def _text_for(route: str, kind: str, name: str, w) -> str:
    for prefix, token in w.tokens.items():
        if route.startswith(prefix) and name == "token":
            return token
    return {
        "area": w.area.slug,
        "fmt": "pdf",
        "name": "encounters",
        "uidb64": "MQ",
        "token": "set-password",
    }.get(name) or {
        "programs": w.page.slug,
        "documents": w.document.slug,
        "calendar": w.event.slug,
    }.get(route.split("/")[0], "x")


def address(route: str, w) -> str:
    def fill(match: re.Match) -> str:
        kind, name = match["kind"] or "str", match["name"]
        if kind == "int":
            return str(_int_for(route, name, w))
        if kind == "path":
            return _admin_object_id(route)
        return _text_for(route, kind, name, w)

    return "/" + _CONVERTER.sub(fill, route)


# --- The check ---------------------------------------------------------------------------


def _denials() -> int:
    return AuditEvent.objects.filter(outcome=AuditOutcome.DENIED).count()


def check(clients, route: str, path: str, role: str, method: str, data: dict) -> None:
    if method == "post" and route in NOT_POSTED:
        method = "get"
    client = clients[role]
    before = _denials()
    response = getattr(client, method)(path, data)
    where = f"{method.upper()} {path} as {role} with {data!r}"
    assert response.status_code < 500, f"{response.status_code} for {where}"
    if route.startswith(LOGIN_PATHS):
        return
    added = _denials() - before
    if response.status_code == 403:
        assert added == 1, f"403 with {added} audit rows for {where}"
    else:
        assert added <= 1, f"{response.status_code} with {added} audit rows for {where}"


FIXED = [
    {"q": "\x00", "month": "0000-01", "end": "9999-12-31", "year": "-1"},
    {
        "start": "0999-01-01",
        "agency": "independence",
        "page": "99999999999999999999",
        "date": "2023-02-30",
        "preview": "1",
        "o": "99",
    },
]


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_no_request_to_any_url_as_any_role_answers_500(group, world, clients):
    routes = GROUPS[group]
    for route in routes:
        path = address(route, world)
        for role in roles_for(route):
            for data in FIXED:
                check(clients, route, path, role, "get", data)
            check(clients, route, path, role, "post", FIXED[0])

    @settings(
        max_examples=4 * len(routes),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        route=st.sampled_from(routes),
        role_index=st.integers(min_value=0, max_value=len(ROLES) - 1),
        method=st.sampled_from(["get", "post", "head"]),
        data=fields,
    )
    def sweep(route, role_index, method, data):
        roles = roles_for(route)
        role = roles[role_index % len(roles)]
        check(clients, route, address(route, world), role, method, data)

    sweep()
