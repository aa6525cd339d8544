"""The pre-flight: before a campaign day (and from cron), everything that would stop a post
going out as approved, found while there is still time to act.

One module per check: approvals due, a daemon alive, caps, images, held or paused accounts,
credentials (probed by the caller) and tokens about to expire. `run.run_checks` runs the
database checks; `credentials.check_credentials` the probes. Each finding (`findings.Problem`)
says where, what is wrong and what to do, in plain words.
"""
