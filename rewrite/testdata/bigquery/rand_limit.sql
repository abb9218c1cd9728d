-- case: whole table sample with backticks
SELECT * FROM `myproj.analytics.events` ORDER BY RAND() LIMIT 1000

-- case: plain path
SELECT user_id, page FROM myproj.analytics.events ORDER BY RAND() LIMIT 1000

-- case: split backticks
SELECT user_id FROM `myproj`.analytics.events AS e ORDER BY RAND() LIMIT 1000

-- case: default project and dataset
-- session: myproj analytics
SELECT user_id FROM events ORDER BY RAND() LIMIT 1000

-- case: default project with a dataset
-- session: myproj other
SELECT user_id FROM analytics.events ORDER BY RAND() LIMIT 1000

-- case: DATE of the partition timestamp
SELECT user_id FROM `myproj.analytics.events` WHERE DATE(event_ts) = '2026-11-20' ORDER BY RAND() LIMIT 1000

-- case: timestamp range
SELECT user_id FROM `myproj.analytics.events` WHERE event_ts >= TIMESTAMP '2026-11-18' AND event_ts < TIMESTAMP '2026-11-25' ORDER BY RAND() LIMIT 1000

-- case: TIMESTAMP_TRUNC
SELECT user_id FROM `myproj.analytics.events` WHERE TIMESTAMP_TRUNC(event_ts, DAY) = TIMESTAMP '2026-11-21' ORDER BY RAND() LIMIT 1000

-- case: between dates
SELECT user_id FROM `myproj.analytics.events` WHERE DATE(event_ts) BETWEEN '2026-11-01' AND '2026-11-07' ORDER BY RAND() LIMIT 1000

-- case: date partitioned table prefers partitions
SELECT message FROM `myproj.analytics.logs` ORDER BY RAND() LIMIT 1000

-- case: date partitioned table with a seed
-- seed: 99
SELECT message FROM `myproj.analytics.logs` ORDER BY RAND() LIMIT 1000

-- case: date partitioned with a where clause gets a wrapped predicate
SELECT message FROM `myproj.analytics.logs` WHERE level = 'ERROR' OR level = 'WARN' ORDER BY RAND() LIMIT 100

-- case: date partitioned with a partition range
SELECT message FROM `myproj.analytics.logs` l WHERE l.log_date >= DATE '2026-11-20' ORDER BY RAND() LIMIT 100

-- case: star except
SELECT * EXCEPT (payload) FROM `myproj.analytics.events` ORDER BY RAND() LIMIT 1000

-- case: struct and safe_cast survive
SELECT STRUCT(user_id AS id, page AS p) AS s, SAFE_CAST(user_id AS STRING) AS uid FROM `myproj.analytics.events` ORDER BY RAND() LIMIT 10

-- case: interval and comments
-- recent events
SELECT user_id /* id */, page
FROM `myproj.analytics.events`   # table
WHERE country IN ('DE', 'FR')
ORDER BY RAND()
LIMIT 500

-- case: array offset
SELECT SPLIT(page, '/')[OFFSET(1)] AS section FROM `myproj.analytics.events` ORDER BY RAND() LIMIT 100

-- case: in unnest is an opaque filter
SELECT user_id FROM `myproj.analytics.events` WHERE country IN UNNEST(['DE', 'FR']) ORDER BY RAND() LIMIT 100

-- case: utf-8
SELECT 'héllo ✓' AS `naïve`, page FROM `myproj.analytics.events` ORDER BY RAND() LIMIT 10

-- case: join samples the largest
SELECT e.page, u.plan FROM `myproj.analytics.events` e JOIN `myproj.analytics.users` u USING (user_id) ORDER BY RAND() LIMIT 1000

-- case: left join samples the preserved side
SELECT e.page, d.label FROM `myproj.analytics.events` e LEFT JOIN `myproj.analytics.small_dim` d ON d.id = e.user_id ORDER BY RAND() LIMIT 1000

-- case: cte read once
WITH recent AS (SELECT * FROM `myproj.analytics.events` WHERE DATE(event_ts) >= '2026-11-20')
SELECT user_id FROM recent ORDER BY RAND() LIMIT 1000

-- case: sample inside a cte
WITH s AS (SELECT user_id FROM `myproj.analytics.events` ORDER BY RAND() LIMIT 1000)
SELECT COUNT(*) FROM s

-- case: users table
SELECT * FROM `myproj.analytics.users` ORDER BY RAND() LIMIT 100

-- case: many rows
SELECT user_id FROM `myproj.analytics.events` ORDER BY RAND() LIMIT 20000000
