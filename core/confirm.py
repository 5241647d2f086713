"""The second step of an action that cannot be undone: "are you sure?", asked once, server-side.

A view whose action cannot be taken back (declining a request, rebuilding a report,
cancelling an event, messaging everyone registered) validates its form as usual, then,
unless the post says it was confirmed, answers with a confirmation page instead of acting:

    if form.is_valid():
        if not confirmed(request):
            return confirm_page(request, title="Cancel this event?", action="Cancel the event",
                                consequences=[...], back_url=..., form=form)
        ... act ...

The confirmation page re-posts what was typed, as hidden fields, with CONFIRM_FIELD added,
to the same URL, so nothing typed is lost and the second post runs the same validation.
"Go back" returns to the page without acting. Works without JavaScript.

Going back to a form that holds typed text (a message, a note): pass `back_reposts=True`,
and "Go back" re-posts what was typed too, answered by the view as its form, bound and
filled in, without acting:

    if request.method != "POST" or went_back(request):
        return render(request, "form.html", {"form": form})   # form = Form(request.POST or None)

Otherwise "Go back" is a link to back_url (a choice can ride in its query string).
"""

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

CONFIRM_FIELD = "confirmed"
_NOT_REPOSTED = {"csrfmiddlewaretoken", CONFIRM_FIELD}


def confirmed(request: HttpRequest) -> bool:
    """True once the person has answered the confirmation page."""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "yes"


def went_back(request: HttpRequest) -> bool:
    """True when the person chose "Go back" on a confirmation page with back_reposts."""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "no"


def reposted_fields(data: QueryDict) -> list[tuple[str, str]]:
    """Every (name, value) the first post carried, to carry again (lists keep all values)."""
    return [
        (name, value)
        for name, values in data.lists()
        if name not in _NOT_REPOSTED
        for value in values
    ]


def confirm_page(
    request: HttpRequest,
    *,
    title: str,
    action: str,
    back_url: str,
    consequences: list[str] = (),
    summary: list[tuple[str, str]] = (),
    back_reposts: bool = False,
    status: int = 200,
) -> HttpResponse:
    """The page that asks once more.

    title: the question, as the page heading ("Decline this request?").
    action: the label of the destructive button ("Decline the request").
    back_url: where "Go back" leads (nothing is done), unless back_reposts.
    back_reposts: "Go back" re-posts what was typed, for the view to show its form filled in.
    consequences: sentences saying what will happen and what cannot be undone.
    summary: (label, value) pairs repeating what was chosen (a reason, a message subject).
    """
    return render(
        request,
        "includes/confirm_page.html",
        {
            "title": title,
            "action": action,
            "back_url": back_url,
            "back_reposts": back_reposts,
            "consequences": consequences,
            "summary": summary,
            "reposted": reposted_fields(request.POST),
            "confirm_field": CONFIRM_FIELD,
        },
        status=status,
    )
