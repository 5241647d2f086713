"""CSV import and export of co-responder records, in exactly the data dictionary's format.

- `parse`: reading an uploaded file and checking every row (the errors a person sees);
- `upsert`: staging the good rows with COPY and upserting them in batches;
- `lock`: the advisory lock and heartbeat that make a job run once, even after its worker
  died;
- `jobs`: an import job's life: `import_start`, `import_job_run` (in the request or the
  Celery task), the resume sweep, and who sees which job;
- `export`: the records, and an import's error list, as CSV.
"""
