"""The public figures page of the co-responder program: /co-responder/.

Anonymous visitors get it from the page cache (@public_page). It declares no tag of its
own: encounters and call volume invalidate nothing (imports write them by the hundred), so
new records reach this page when the cached copy expires, within PAGE_CACHE_SECONDS.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from core.pagecache import public_page
from coresponder import public
from coresponder.suppression import LARGEST_SMALL


@require_safe
@public_page()
def figures(request: HttpRequest) -> HttpResponse:
    context = {
        "years": public.figures_by_year(),
        "columns": public.COLUMNS,
        "smallest_shown": LARGEST_SMALL + 1,
    }
    return render(request, "coresponder/public.html", context)
