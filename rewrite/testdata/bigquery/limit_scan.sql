-- case: select star limit
SELECT * FROM `myproj.analytics.events` LIMIT 100

-- case: column limit
SELECT user_id, page FROM myproj.analytics.events LIMIT 1000

-- case: limit on one day
SELECT * FROM `myproj.analytics.events` WHERE DATE(event_ts) = '2026-11-24' LIMIT 100

-- case: limit on logs picks partitions
SELECT * FROM `myproj.analytics.logs` LIMIT 100

-- case: limit with a filter warns
SELECT * FROM `myproj.analytics.events` WHERE country = 'DE' LIMIT 100

-- case: limit in a cte
WITH s AS (SELECT * FROM `myproj.analytics.events` LIMIT 100)
SELECT * FROM s

-- case: limit on users
SELECT * FROM `myproj.analytics.users` LIMIT 10

-- case: limit with default dataset
-- session: myproj analytics
SELECT page FROM events LIMIT 10
