"""HTML printed to PDF that a screen reader can read: a tagged PDF (PDF/UA-1).

Every PDF the portal makes (monthly reports, certificates of attendance) is printed here,
so each one carries the structure of its HTML: headings, paragraphs, lists, tables with
their header cells, images with their alt text. It also carries the document's title
(from <title>, shown by the reader instead of the file name) and its language (from
<html lang>), which the templates must therefore set.

WeasyPrint needs the Pango library, so it is imported only when a PDF is made: the rest
of the site runs without it. Nothing is fetched while printing (no base URL): the
templates link no files, and images are inline (data: URIs).
"""

PDF_VARIANT = "pdf/ua-1"


def pdf_layout(html: str, *, stylesheet: str):
    """The HTML laid out in pages (a WeasyPrint Document), before it is written as PDF."""
    from weasyprint import CSS, HTML

    return HTML(string=html).render(stylesheets=[CSS(string=stylesheet)], pdf_variant=PDF_VARIANT)


def pdf_bytes(layout) -> bytes:
    """A layout from pdf_layout written as a tagged PDF."""
    return layout.write_pdf(pdf_variant=PDF_VARIANT)


def html_to_pdf(html: str, *, stylesheet: str) -> bytes:
    """The HTML as a tagged PDF, with the stylesheet as the PDF's own (user) stylesheet."""
    return pdf_bytes(pdf_layout(html, stylesheet=stylesheet))
