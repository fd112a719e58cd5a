"""Running the jobs of aligna.jobs: recorded runs, the embedded scheduler, Procrastinate workers.

- `runs`: run one job and record it (job_run), and the overview `aligna jobs` prints.
- `crons`: a job's cron read the same way by both runners, in the organisation's time zone.
- `lease`: which process runs the embedded scheduler (the scheduler_lease table).
- `embedded`: APScheduler inside `aligna serve`, in the one process holding the lease.
- `worker`: Procrastinate on PostgreSQL for `aligna worker` processes.
"""
