-- case: whole table sample
SELECT * FROM iceberg.web.events ORDER BY rand() LIMIT 1000

-- case: random() and a column list
SELECT user_id, event_type FROM iceberg.web.events ORDER BY random() LIMIT 100

-- case: alias keeps its place before TABLESAMPLE
SELECT e.user_id, e.page FROM iceberg.web.events AS e ORDER BY rand() LIMIT 500

-- case: alias without AS
SELECT e.user_id FROM iceberg.web.events e ORDER BY rand() LIMIT 500

-- case: one day by equality
SELECT user_id, page FROM iceberg.web.events WHERE event_date = DATE '2026-11-20' ORDER BY rand() LIMIT 1000

-- case: a week by range
SELECT user_id, page
FROM iceberg.web.events
WHERE event_date >= DATE '2026-11-18' AND event_date < DATE '2026-11-25'
ORDER BY rand()
LIMIT 1000

-- case: between on the partition column
SELECT * FROM iceberg.web.events WHERE event_date BETWEEN DATE '2026-11-01' AND DATE '2026-11-03' ORDER BY rand() LIMIT 50

-- case: in list on the partition column
SELECT session_id FROM iceberg.web.events WHERE event_date IN (DATE '2026-11-01', DATE '2026-11-11', DATE '2026-11-21') ORDER BY rand() LIMIT 50

-- case: string literal compared with a date partition
SELECT session_id FROM iceberg.web.events WHERE event_date = '2026-11-02' ORDER BY rand() LIMIT 50

-- case: date_trunc on the partition column
SELECT session_id FROM iceberg.web.events WHERE date_trunc('day', event_date) = DATE '2026-11-05' ORDER BY rand() LIMIT 50

-- case: literal on the left
SELECT session_id FROM iceberg.web.events WHERE DATE '2026-11-20' <= event_date ORDER BY rand() LIMIT 50

-- case: session defaults qualify the table
-- session: iceberg web
SELECT * FROM events ORDER BY rand() LIMIT 1000

-- case: session catalog with a two-part name
-- session: iceberg other
SELECT * FROM web.events ORDER BY rand() LIMIT 1000

-- case: quoted identifiers
SELECT "user_id" FROM "iceberg"."web"."events" "E" ORDER BY rand() LIMIT 10

-- case: comments, case and layout survive
/* notebook cell 3 */
select   USER_ID,   page   -- the page
  from ICEBERG.Web.Events   -- all events
 order by RAND()
 limit 250   ;

-- case: trailing comment between the table and ORDER BY
SELECT * FROM iceberg.web.sessions -- sessions
ORDER BY rand() LIMIT 100000000

-- case: multi-byte text before and after the table
SELECT 'héllo ✓' AS "naïve", page FROM iceberg.web.events WHERE page <> 'ünïcödé' ORDER BY rand() LIMIT 20

-- case: filter on a non-partition column keeps the fallback
SELECT * FROM iceberg.web.events WHERE country = 'DE' ORDER BY rand() LIMIT 1000

-- case: non-partition and partition filters together
SELECT * FROM iceberg.web.events WHERE event_date = DATE '2026-11-24' AND event_type IN ('click', 'view') ORDER BY rand() LIMIT 1000

-- case: first order key random, then more keys
SELECT * FROM iceberg.web.events ORDER BY rand(), user_id LIMIT 10

-- case: FETCH FIRST
SELECT * FROM iceberg.web.events ORDER BY rand() FETCH FIRST 100 ROWS ONLY

-- case: many rows need many splits
SELECT user_id FROM iceberg.web.events ORDER BY rand() LIMIT 50000000

-- case: unpartitioned large table
SELECT session_id, device FROM iceberg.web.sessions ORDER BY rand() LIMIT 1000

-- case: varchar date partitions
SELECT url FROM hive.web.page_views WHERE dt >= '2026-11-20' ORDER BY rand() LIMIT 1000

-- case: varchar partitions, every day
SELECT * FROM hive.web.page_views ORDER BY rand() LIMIT 1000

-- case: join with a small dimension samples the fact table
SELECT e.user_id, c.name
FROM iceberg.web.events e
JOIN hive.ref.countries c ON c.code = e.country
ORDER BY rand()
LIMIT 1000

-- case: left join samples the preserved side
SELECT e.user_id, u.plan
FROM iceberg.web.events e
LEFT JOIN hive.ref.users u ON u.id = e.user_id
WHERE e.event_date = DATE '2026-11-24'
ORDER BY rand()
LIMIT 1000

-- case: right join samples the preserved side
SELECT e.user_id, u.plan
FROM hive.ref.users u
RIGHT JOIN iceberg.web.events e ON u.id = e.user_id
ORDER BY rand()
LIMIT 1000

-- case: join of two large tables samples only the largest
SELECT s.device, e.page
FROM iceberg.web.sessions s
JOIN iceberg.web.events e ON e.session_id = s.session_id
ORDER BY rand()
LIMIT 1000

-- case: CTE read once is sampled inside
WITH recent AS (
  SELECT user_id, page FROM iceberg.web.events WHERE event_date >= DATE '2026-11-20'
)
SELECT * FROM recent ORDER BY rand() LIMIT 1000

-- case: derived table is sampled inside
SELECT * FROM (SELECT user_id, page FROM iceberg.web.events) t ORDER BY rand() LIMIT 1000

-- case: random sample inside a CTE
WITH s AS (SELECT user_id FROM iceberg.web.events ORDER BY rand() LIMIT 1000)
SELECT count(*) FROM s

-- case: random sample inside an IN subquery
SELECT * FROM hive.ref.users WHERE id IN (SELECT user_id FROM iceberg.web.events ORDER BY rand() LIMIT 100)

-- case: random sample inside a derived table
SELECT t.user_id, count(*) FROM (SELECT user_id FROM iceberg.web.sessions ORDER BY rand() LIMIT 5000) t GROUP BY t.user_id

-- case: two sampled blocks
WITH a AS (SELECT user_id FROM iceberg.web.events ORDER BY rand() LIMIT 10),
     b AS (SELECT user_id FROM iceberg.web.sessions ORDER BY rand() LIMIT 10)
SELECT * FROM a UNION ALL SELECT * FROM b

-- case: where with OR keeps its meaning
SELECT * FROM iceberg.web.sessions s WHERE s.device = 'ios' OR s.device = 'android' ORDER BY rand() LIMIT 1000

-- case: unnest beside the sampled table
SELECT e.user_id, t.tag FROM iceberg.web.events e CROSS JOIN UNNEST(ARRAY['a', 'b']) AS t(tag) ORDER BY rand() LIMIT 100

-- case: seed changes nothing for a SYSTEM sample
-- seed: 7
SELECT * FROM iceberg.web.events ORDER BY rand() LIMIT 1000

-- case: unqualified partition column in a join with a known table
SELECT e.user_id, u.plan FROM iceberg.web.events e JOIN hive.ref.users u ON u.id = e.user_id WHERE event_date = DATE '2026-11-24' ORDER BY rand() LIMIT 10

-- case: prepared statement parameter on another column
SELECT * FROM iceberg.web.events WHERE user_id = ? ORDER BY rand() LIMIT 100

-- case: many rows with a filter, within what the caller counts
SELECT user_id FROM iceberg.web.events WHERE country = 'DE' ORDER BY rand() LIMIT 200000
