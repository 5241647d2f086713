"""The de-identified peer-support dashboard under /staff/peer-support/dashboard/.

For peer support coordinators and program managers; the figures come from
peersupport.dashboard. GET ?start=YYYY-MM-DD&end=YYYY-MM-DD picks the period (default:
the last twelve months).
"""

import csv
import io

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.access import staff_required
from accounts.roles import Role
from accounts.staff_areas import StaffArea, register
from core import dates
from peersupport import dashboard as stats

DASHBOARD_ROLES = (Role.PEER_SUPPORT_COORDINATOR, Role.PROGRAM_MANAGER)
TEMPLATE = "peersupport/dashboard.html"


def register_staff_area() -> None:
    """Put the dashboard on the staff landing page; call from PeerSupportConfig.ready()."""
    register(
        StaffArea(
            "Peer support dashboard",
            "De-identified figures: open requests, time to first contact, monthly requests, "
            "incident kinds, out-of-region decisions, people reached and hours.",
            "/staff/peer-support/dashboard/",
            roles=DASHBOARD_ROLES,
        )
    )


class PeriodForm(forms.Form):
    start = dates.DateField(
        label="From",
        required=False,
        error_messages={
            "invalid": "Enter the first day as a date, for example 2025-01-31.",
        },
    )
    end = dates.DateField(
        label="To",
        required=False,
        error_messages={
            "invalid": "Enter the last day as a date, for example 2025-12-31.",
        },
    )

    @classmethod
    def from_query(cls, query) -> "PeriodForm":
        """Bound to the query string; a missing or empty date takes the default's."""
        default = stats.Period.default()
        return cls(
            {
                "start": query.get("start") or default.start.isoformat(),
                "end": query.get("end") or default.end.isoformat(),
            }
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is None or end is None:
            return cleaned
        if end < start:
            raise forms.ValidationError("The last day must be on or after the first day.")
        if start > timezone.localdate():
            self.add_error("start", "The first day cannot be in the future.")
        elif stats.Period(start, end).month_count > stats.MAX_MONTHS:
            raise forms.ValidationError(
                f"Choose a period of at most {stats.MAX_MONTHS // 12} years "
                f"({stats.MAX_MONTHS} months)."
            )
        return cleaned

    @property
    def period(self) -> stats.Period:
        return stats.Period(self.cleaned_data["start"], self.cleaned_data["end"])


@staff_required(*DASHBOARD_ROLES)
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    form = PeriodForm.from_query(request.GET)
    if not form.is_valid():
        return render(request, TEMPLATE, {"form": form}, status=400)
    period = form.period
    context = {
        "form": form,
        "figures": stats.dashboard(period),
        "csv_query": f"start={period.start.isoformat()}&end={period.end.isoformat()}",
    }
    return render(request, TEMPLATE, context)


@staff_required(*DASHBOARD_ROLES)
@require_safe
def monthly_csv(request: HttpRequest) -> HttpResponse:
    """The monthly table of the dashboard as CSV (only counts: nothing to neutralize)."""
    form = PeriodForm.from_query(request.GET)
    if not form.is_valid():
        return render(request, TEMPLATE, {"form": form}, status=400)
    period = form.period
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(stats.MONTHLY_CSV_HEADERS)
    writer.writerows(stats.monthly_rows(stats.requests_by_month(period)))
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    filename = f"peer-support-monthly-{period.start.isoformat()}-to-{period.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
