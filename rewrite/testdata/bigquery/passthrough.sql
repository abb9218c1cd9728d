-- case: group by
SELECT country, COUNT(*) FROM `myproj.analytics.events` GROUP BY country ORDER BY RAND() LIMIT 10

-- case: aggregate
SELECT MAX(event_ts) FROM `myproj.analytics.events` LIMIT 1

-- case: countif
SELECT COUNTIF(page = '/') FROM `myproj.analytics.events` LIMIT 1

-- case: distinct
SELECT DISTINCT country FROM `myproj.analytics.events` LIMIT 10

-- case: window
SELECT user_id, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY event_ts) AS n FROM `myproj.analytics.events` LIMIT 10

-- case: union all
SELECT user_id FROM `myproj.analytics.events` UNION ALL SELECT user_id FROM `myproj.analytics.users` LIMIT 10

-- case: union distinct ordered randomly
SELECT user_id FROM `myproj.analytics.events` UNION DISTINCT SELECT user_id FROM `myproj.analytics.users` ORDER BY RAND() LIMIT 10

-- case: top-k
SELECT * FROM `myproj.analytics.events` ORDER BY event_ts DESC LIMIT 10

-- case: offset
SELECT * FROM `myproj.analytics.events` LIMIT 10 OFFSET 5

-- case: random without limit
SELECT * FROM `myproj.analytics.events` ORDER BY RAND()

-- case: no limit
SELECT * FROM `myproj.analytics.events` WHERE DATE(event_ts) = '2026-11-24'

-- case: full join
SELECT * FROM `myproj.analytics.events` e FULL JOIN `myproj.analytics.users` u USING (user_id) LIMIT 10

-- case: big table on the null-extended side
SELECT * FROM `myproj.analytics.small_dim` d LEFT JOIN `myproj.analytics.events` e ON e.user_id = d.id LIMIT 10

-- case: small table
SELECT * FROM `myproj.analytics.small_dim` ORDER BY RAND() LIMIT 10

-- case: unknown table
SELECT * FROM `myproj.analytics.clicks` LIMIT 10

-- case: unknown project without defaults
SELECT * FROM events LIMIT 10

-- case: bernoulli sample already
SELECT * FROM `myproj.analytics.events` TABLESAMPLE BERNOULLI (1 PERCENT) LIMIT 10

-- case: system sample already does not parse here
SELECT * FROM `myproj.analytics.events` TABLESAMPLE SYSTEM (1 PERCENT) LIMIT 10

-- case: opt-out
SELECT * FROM `myproj.analytics.events` /* skim:off */ LIMIT 10

-- case: opt-out hash comment
# skim:off
SELECT * FROM `myproj.analytics.events` LIMIT 10

-- case: hint text in a string is not a hint
SELECT '/* skim:off */' AS s, page FROM `myproj.analytics.events` LIMIT 10

-- case: insert
INSERT INTO `myproj.analytics.sample` (user_id) SELECT user_id FROM `myproj.analytics.events` LIMIT 10

-- case: create table as
CREATE TABLE `myproj.analytics.sample` AS SELECT * FROM `myproj.analytics.events` LIMIT 10

-- case: delete
DELETE FROM `myproj.analytics.events` WHERE TRUE

-- case: update
UPDATE `myproj.analytics.users` SET plan = 'free' WHERE plan IS NULL

-- case: merge
MERGE `myproj.analytics.users` t USING `myproj.analytics.users` s ON t.user_id = s.user_id WHEN MATCHED THEN UPDATE SET plan = s.plan

-- case: qualify is not understood
SELECT user_id FROM `myproj.analytics.events` QUALIFY ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY event_ts) = 1 LIMIT 10

-- case: script
DECLARE x INT64 DEFAULT 1; SELECT * FROM `myproj.analytics.events` LIMIT 10

-- case: time travel is not understood
SELECT * FROM `myproj.analytics.events` FOR SYSTEM_TIME AS OF TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 1 HOUR) LIMIT 10

-- case: partition filter with a parameter
SELECT * FROM `myproj.analytics.events` WHERE DATE(event_ts) = @day LIMIT 10

-- case: partition filter relative to today
SELECT * FROM `myproj.analytics.events` WHERE event_ts > TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 7 DAY) LIMIT 10

-- case: cte read twice
WITH e AS (SELECT user_id FROM `myproj.analytics.events`)
SELECT a.user_id FROM e a JOIN e b USING (user_id) LIMIT 10

-- case: limit inside a subquery with filters
SELECT * FROM `myproj.analytics.users` WHERE user_id IN (SELECT user_id FROM `myproj.analytics.events` WHERE country = 'DE' LIMIT 10)

-- case: limit beyond the rows in scope
SELECT * FROM `myproj.analytics.logs` WHERE log_date = DATE '2026-11-25' LIMIT 999999999

-- case: limit parameter
SELECT * FROM `myproj.analytics.events` LIMIT @n

-- case: select without table
SELECT 1 LIMIT 1

-- case: information schema
SELECT * FROM `myproj.analytics.INFORMATION_SCHEMA.PARTITIONS` LIMIT 10

-- case: wildcard table
SELECT * FROM `myproj.analytics.events_*` LIMIT 10
