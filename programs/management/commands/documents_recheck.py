"""Report stored documents whose file is not an allow-listed type, and unpublish them."""

from django.core.management.base import BaseCommand

from programs.quarantine import documents_recheck


class Command(BaseCommand):
    help = (
        "Check the content of every stored document file against the upload allow-list "
        "(PDF, office documents, PNG/JPEG/GIF/WebP images) and unpublish the published "
        "documents that fail. Safe to run again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only report; change nothing.",
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        findings = documents_recheck(unpublish=not dry_run)
        for finding in findings:
            document = finding.document
            action = "unpublished" if finding.unpublished else f"left {document.status}"
            self.stdout.write(f"{document.slug} ({document.file.name}): {action}. {finding.reason}")
        self.stdout.write(f"{len(findings)} document(s) failed the allow-list.")
