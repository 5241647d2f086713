"""Co-responder tasks: the CSV import of large files. Thin: the job row holds the state and
coresponder.csvio.jobs does the work, so a task delivered twice imports the file once."""

from celery import shared_task

from coresponder.csvio import jobs


@shared_task(name="coresponder.import_run")
def import_run(job_id: int) -> bool:
    """Check and import one uploaded file; does nothing for a job done or running elsewhere."""
    return jobs.import_job_run(job_id=job_id)


@shared_task(name="coresponder.import_resume")
def import_resume() -> int:
    """Queue again imports that were never queued (broker down) or whose worker died (beat)."""
    return len(jobs.import_jobs_resume())
