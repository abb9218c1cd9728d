-- case: group by
SELECT country, count(*) FROM iceberg.web.events GROUP BY country ORDER BY rand() LIMIT 10

-- case: aggregate without group by
SELECT max(event_ts) FROM iceberg.web.events ORDER BY rand() LIMIT 1

-- case: distinct
SELECT DISTINCT country FROM iceberg.web.events ORDER BY rand() LIMIT 10

-- case: window function
SELECT user_id, row_number() OVER (PARTITION BY user_id ORDER BY event_ts) AS n FROM iceberg.web.events ORDER BY rand() LIMIT 10

-- case: union
SELECT user_id FROM iceberg.web.events UNION SELECT user_id FROM iceberg.web.sessions ORDER BY rand() LIMIT 10

-- case: union all
SELECT user_id FROM iceberg.web.events UNION ALL SELECT user_id FROM iceberg.web.sessions ORDER BY random() LIMIT 10

-- case: intersect
SELECT user_id FROM iceberg.web.events INTERSECT SELECT user_id FROM iceberg.web.sessions ORDER BY rand() LIMIT 10

-- case: except
SELECT user_id FROM iceberg.web.events EXCEPT SELECT user_id FROM iceberg.web.sessions ORDER BY rand() LIMIT 10

-- case: offset
SELECT * FROM iceberg.web.events ORDER BY rand() OFFSET 10 LIMIT 10

-- case: top-k ordering is not random
SELECT * FROM iceberg.web.events ORDER BY event_ts DESC LIMIT 10

-- case: random key after another key
SELECT * FROM iceberg.web.events ORDER BY user_id, rand() LIMIT 10

-- case: random order without limit
SELECT * FROM iceberg.web.events ORDER BY rand()

-- case: limit without order is left to Trino
SELECT * FROM iceberg.web.events LIMIT 10

-- case: expression of rand is not rand
SELECT * FROM iceberg.web.events ORDER BY rand() * 2 LIMIT 10

-- case: full join
SELECT * FROM iceberg.web.events e FULL JOIN iceberg.web.sessions s ON s.session_id = e.session_id ORDER BY rand() LIMIT 10

-- case: big table only on the null-extended side
SELECT * FROM hive.ref.countries c LEFT JOIN iceberg.web.events e ON e.country = c.code ORDER BY rand() LIMIT 10

-- case: small table
SELECT * FROM hive.ref.countries ORDER BY rand() LIMIT 10

-- case: one narrow column of one partition is below the threshold
SELECT dt FROM hive.web.page_views WHERE dt = '2026-11-25' ORDER BY rand() LIMIT 10

-- case: unknown table
SELECT * FROM hive.web.clicks ORDER BY rand() LIMIT 10

-- case: unqualified without session defaults
SELECT * FROM events ORDER BY rand() LIMIT 10

-- case: already sampled with system
SELECT * FROM iceberg.web.events TABLESAMPLE SYSTEM (1) ORDER BY rand() LIMIT 10

-- case: already sampled with bernoulli
SELECT * FROM iceberg.web.events e TABLESAMPLE BERNOULLI (5) ORDER BY rand() LIMIT 10

-- case: opt-out block comment
SELECT * FROM iceberg.web.events /* skim:off */ ORDER BY rand() LIMIT 10

-- case: opt-out line comment
-- skim:off
SELECT * FROM iceberg.web.events ORDER BY rand() LIMIT 10

-- case: opt-out text inside a string is not a hint
SELECT '/* skim:off */' AS note, user_id FROM iceberg.web.events ORDER BY rand() LIMIT 10

-- case: insert select
INSERT INTO iceberg.web.sample_events SELECT * FROM iceberg.web.events ORDER BY rand() LIMIT 1000

-- case: create table as
CREATE TABLE iceberg.web.sample_events AS SELECT * FROM iceberg.web.events ORDER BY rand() LIMIT 1000

-- case: delete
DELETE FROM iceberg.web.events WHERE event_date < DATE '2026-10-01'

-- case: update
UPDATE iceberg.web.events SET page = '/' WHERE page IS NULL

-- case: merge
MERGE INTO hive.ref.users u USING hive.ref.users s ON u.id = s.id WHEN MATCHED THEN UPDATE SET plan = s.plan

-- case: explain
EXPLAIN SELECT * FROM iceberg.web.events ORDER BY rand() LIMIT 10

-- case: show
SHOW TABLES FROM iceberg.web

-- case: set session
SET SESSION query_max_run_time = '10m'

-- case: prepared statement execution
EXECUTE _trino_go USING 1, 'a'

-- case: trino-only syntax passes through
SELECT * FROM iceberg.web.events FOR TIMESTAMP AS OF TIMESTAMP '2026-11-01 00:00:00' ORDER BY rand() LIMIT 10

-- case: match_recognize passes through
SELECT * FROM iceberg.web.events MATCH_RECOGNIZE (PARTITION BY user_id ORDER BY event_ts PATTERN (A B) DEFINE B AS true) ORDER BY rand() LIMIT 10

-- case: two statements
SELECT * FROM iceberg.web.events ORDER BY rand() LIMIT 10; SELECT 1

-- case: partition filter skim cannot evaluate
SELECT * FROM iceberg.web.events WHERE event_date > current_date - INTERVAL '7' DAY ORDER BY rand() LIMIT 10

-- case: or on the partition column
SELECT * FROM iceberg.web.events WHERE event_date = DATE '2026-11-01' OR event_date = DATE '2026-11-02' ORDER BY rand() LIMIT 10

-- case: CTE read twice
WITH e AS (SELECT user_id FROM iceberg.web.events)
SELECT a.user_id FROM e a JOIN e b ON a.user_id = b.user_id ORDER BY rand() LIMIT 10

-- case: CTE that aggregates
WITH c AS (SELECT user_id, count(*) AS n FROM iceberg.web.events GROUP BY user_id)
SELECT * FROM c ORDER BY rand() LIMIT 10

-- case: derived table that limits
SELECT * FROM (SELECT * FROM iceberg.web.events LIMIT 100000) t ORDER BY rand() LIMIT 10

-- case: limit asks for more rows than the table holds
SELECT * FROM hive.web.page_views ORDER BY rand() LIMIT 999999999999

-- case: subquery sample with unknown selectivity
SELECT * FROM hive.ref.users WHERE id IN (SELECT user_id FROM iceberg.web.events WHERE country = 'DE' ORDER BY rand() LIMIT 100)

-- case: zero rows asked
SELECT * FROM iceberg.web.events ORDER BY rand() LIMIT 0

-- case: partitions metadata table
SELECT * FROM iceberg.web."events$partitions" ORDER BY rand() LIMIT 10

-- case: values only
VALUES (1), (2)

-- case: no table
SELECT rand() ORDER BY rand() LIMIT 1

-- case: empty statement
   

-- case: unqualified partition column beside an unnest is ambiguous
SELECT e.user_id FROM iceberg.web.events e CROSS JOIN UNNEST(ARRAY[DATE '2026-11-01']) AS u(event_date) WHERE event_date = DATE '2026-11-01' ORDER BY rand() LIMIT 10

-- case: prepared statement parameter on the partition column
SELECT * FROM iceberg.web.events WHERE event_date = ? ORDER BY rand() LIMIT 100

-- case: prepared statement parameter as the limit
SELECT * FROM iceberg.web.events ORDER BY rand() LIMIT ?
