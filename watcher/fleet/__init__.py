"""Fleet mode: many job seekers in one PostgreSQL database, served by any number of workers.

Isolation design: one PostgreSQL schema per job seeker. The personal store (tables,
queries, Alembic migrations) is used unchanged inside each schema: a job seeker's
sessions run every transaction under ``SET LOCAL search_path TO <their schema>``, and the
existing migrations are applied per schema. We chose this over a user key on every owned
table because isolation then does not depend on every one of the store's queries (and
every future one) remembering a ``WHERE user_id = ...``: a query run for job seeker A
cannot name B's tables at all. The personal mode (one config, SQLite, ``followup run``)
is untouched and pays nothing for the fleet. The fleet's own registry (job seekers, their
settings with secrets only as references, per-account sync schedule) lives in the
``followup_fleet`` schema; Procrastinate's job tables live in ``public``.
"""
