"""The SQL warroom sends to a watched database: one statement per refresh, one JSON row back.

Written for PostgreSQL 13 to 17 and a role holding only pg_monitor: it reads
pg_stat_activity and pg_locks, naming no column added after 13 (pg_locks.waitstart, 14+,
is read through to_jsonb so 13 gets NULL instead of an error), and calls
pg_blocking_pids() only for backends actually waiting on a heavyweight lock, because that
function briefly takes every lock-manager partition lock.

Connection counts are client backends (what max_connections limits); the lock tree takes
any backend type, because an autovacuum worker or an extension's background worker can be
the root blocker. warroom's own backend (pg_backend_pid()) is excluded from every figure.
"""

from __future__ import annotations

# Parameters: long_running_s (float seconds), max_rows (int), roots (int[]: the previous
# refresh's root blockers, of which those still connected come back as roots_connected).
# Durations are seconds (float) computed server-side against one clock, now().
REFRESH_SQL = """
WITH act AS MATERIALIZED (
    SELECT a.pid, a.datname, a.usename, a.application_name,
           host(a.client_addr) AS client_addr, a.client_hostname, a.client_port,
           a.state, a.wait_event_type, a.wait_event, a.backend_start, a.backend_type,
           a.xact_start, a.query_start, a.state_change, a.query,
           CASE WHEN a.wait_event_type = 'Lock'
                THEN pg_blocking_pids(a.pid) ELSE '{}'::int[] END AS blocked_by
      FROM pg_stat_activity a
     WHERE a.pid <> pg_backend_pid()
),
clients AS (
    SELECT * FROM act WHERE backend_type = 'client backend'
),
blockers AS (
    SELECT DISTINCT unnest(blocked_by) AS pid FROM act
),
locks AS MATERIALIZED (
    -- pg_locks read once per refresh: reading it briefly takes every lock-manager partition lock
    SELECT l.pid, l.mode, l.locktype, l.granted, l.database, l.relation, l.transactionid,
           (to_jsonb(l) ->> 'waitstart')::timestamptz AS waitstart
      FROM pg_locks l
     WHERE l.pid IS NOT NULL AND (NOT l.granted OR l.locktype = 'tuple')
),
waits AS (
    -- the one ungranted lock each waiter is queued for (a backend waits on one lock)
    SELECT DISTINCT ON (w.pid)
           w.pid, w.mode, w.locktype, w.waitstart,
           CASE
             WHEN r.relation IS NULL THEN NULL
             WHEN r.database IN (0, (SELECT oid FROM pg_database
                                      WHERE datname = current_database()))
               THEN r.relation::regclass::text
             ELSE 'oid ' || r.relation::text || ' in another database'
           END AS relation,
           w.transactionid::text AS transactionid
      FROM locks w
      -- a row-lock waiter queues on the holder's transaction id; the tuple lock it holds
      -- meanwhile names the table
      LEFT JOIN LATERAL (
          SELECT w.relation, w.database WHERE w.relation IS NOT NULL
          UNION ALL
          SELECT t.relation, t.database FROM locks t
           WHERE w.relation IS NULL AND w.locktype = 'transactionid'
             AND t.pid = w.pid AND t.granted AND t.locktype = 'tuple'
          LIMIT 1
      ) r ON true
     WHERE NOT w.granted
     ORDER BY w.pid
),
shown AS (
    SELECT act.*, w.mode, w.locktype, w.relation, w.transactionid,
           extract(epoch FROM now() - act.query_start)::float8 AS query_s,
           extract(epoch FROM now() - act.xact_start)::float8 AS xact_s,
           extract(epoch FROM now() - act.state_change)::float8 AS state_s,
           extract(epoch FROM now() - act.backend_start)::float8 AS backend_s,
           extract(epoch FROM now() - w.waitstart)::float8 AS wait_s
      FROM act LEFT JOIN waits w USING (pid)
     WHERE cardinality(act.blocked_by) > 0
        OR act.pid IN (SELECT pid FROM blockers)
        OR (act.backend_type = 'client backend' AND act.state = 'active'
            AND act.query_start < now() - make_interval(secs => %(long_running_s)s))
        OR (act.backend_type = 'client backend' AND act.state LIKE 'idle in transaction%%'
            AND act.xact_start < now() - make_interval(secs => %(long_running_s)s))
     ORDER BY cardinality(act.blocked_by) > 0 OR act.pid IN (SELECT pid FROM blockers) DESC,
              least(act.query_start, act.xact_start) ASC NULLS LAST
     LIMIT %(max_rows)s
)
SELECT json_build_object(
    'server_version_num', current_setting('server_version_num')::int,
    'max_connections', current_setting('max_connections')::int,
    'database', current_database(),
    'by_state', (SELECT coalesce(json_object_agg(state, n), '{}'::json) FROM (
                    SELECT CASE WHEN wait_event_type = 'Lock' THEN 'waiting'
                                ELSE coalesce(state, 'unknown') END AS state,
                           count(*) AS n
                      FROM clients GROUP BY 1) s),
    'per_database', (SELECT coalesce(json_object_agg(db, n), '{}'::json) FROM (
                    SELECT coalesce(datname, '(none)') AS db, count(*) AS n
                      FROM clients GROUP BY 1) d),
    'ungranted_locks', (SELECT count(*) FROM locks WHERE NOT granted),
    'backends', (SELECT coalesce(json_agg(row_to_json(shown)), '[]'::json) FROM shown),
    'roots_connected', (SELECT coalesce(json_object_agg(pid, backend_start), '{}'::json)
                          FROM act WHERE pid = ANY(%(roots)s::int[]))
)
"""

CANCEL_SQL = """
SELECT pg_cancel_backend(pid) FROM pg_stat_activity
 WHERE pid = %(pid)s AND backend_start = %(backend_start)s::timestamptz
"""

TERMINATE_SQL = """
SELECT pg_terminate_backend(pid) FROM pg_stat_activity
 WHERE pid = %(pid)s AND backend_start = %(backend_start)s::timestamptz
"""
