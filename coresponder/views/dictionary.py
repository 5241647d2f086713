"""The co-responder data dictionary as a public page and as downloads (coresponder.opendata).

/co-responder/data-dictionary/                         every field, code and rule, the
                                                       measures and the suppression rules
/co-responder/data-dictionary/v<version>/<file>        the CSV templates, Table Schemas,
                                                       JSON Schemas and the Data Package

Everything is generated from coresponder.dictionary's spec and changes only with the code
(and the program's start date, a setting), so anonymous visitors get it all from the page
cache. Only the current version is served: an old version's address answers 404.
"""

import json
from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from core.pagecache import public_page
from coresponder import dictionary as dd
from coresponder import opendata

# Where the files of the current version are (coresponder.urls).
FILES_PATH = f"co-responder/data-dictionary/v{dd.DICTIONARY_VERSION}/"


@dataclass(frozen=True)
class Download:
    """One file of the standard: its name in the address, what it is, how it is served."""

    name: str
    label: str
    content_type: str
    build: object  # () -> str
    attachment: bool = False

    @property
    def url(self) -> str:
        return reverse("coresponder:dictionary_file", kwargs={"name": self.name})

    @property
    def filename(self) -> str:
        """The name a download is saved under: with the version, like its address."""
        versioned = f"v{dd.DICTIONARY_VERSION}"
        return self.name if versioned in self.name else f"coresponder-{versioned}-{self.name}"


def _json(build) -> object:
    return lambda: json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def _downloads_of(spec: dd.FileSpec) -> list[Download]:
    return [
        Download(
            opendata.template_name(spec),
            "CSV template, with one example row",
            opendata.CSV_TYPE,
            lambda: opendata.csv_template(spec),
            attachment=True,
        ),
        Download(
            opendata.table_schema_name(spec),
            "Frictionless Table Schema",
            opendata.JSON_TYPE,
            _json(lambda: opendata.table_schema(spec)),
        ),
        Download(
            opendata.json_schema_name(spec),
            "JSON Schema of one row",
            opendata.JSON_SCHEMA_TYPE,
            _json(lambda: opendata.json_schema(spec)),
        ),
    ]


PACKAGE = Download(
    opendata.PACKAGE_FILE,
    "Frictionless Data Package of both files",
    opendata.JSON_TYPE,
    _json(opendata.data_package),
)
DOWNLOADS = {d.name: d for spec in dd.FILES for d in _downloads_of(spec)} | {PACKAGE.name: PACKAGE}


def _file_context(spec: dd.FileSpec) -> dict:
    example = opendata.example_row(spec)
    columns = [
        {
            "column": column,
            "rules": opendata.rules_of(column),
            "codes": list(column.codes.items()),
            "example": example[column.name],
        }
        for column in spec.columns
    ]
    return {
        "spec": spec,
        "columns": columns,
        "rules": opendata.file_rules(spec),
        "downloads": _downloads_of(spec),
    }


@require_safe
@public_page()
def page(request: HttpRequest) -> HttpResponse:
    context = {
        "version": dd.DICTIONARY_VERSION,
        "files": [_file_context(spec) for spec in dd.FILES],
        "package": PACKAGE,
        "written": [(kind, dd.WRITTEN[kind]) for kind in dd.KINDS],
        "program_start": opendata.program_start(),
        "measures": opendata.dashboard_measures(),
        "suppression_rules": opendata.suppression_rules(),
    }
    return render(request, "coresponder/dictionary.html", context)


@require_safe
@public_page()
def download(request: HttpRequest, name: str) -> HttpResponse:
    found = DOWNLOADS.get(name)
    if found is None:
        raise Http404("No such file in this version of the data dictionary.")
    response = HttpResponse(found.build(), content_type=found.content_type)
    disposition = "attachment" if found.attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{found.filename}"'
    response["Access-Control-Allow-Origin"] = "*"  # validators in a browser may fetch them
    return response
