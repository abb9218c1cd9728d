-- case: enforce samples an aggregate with SYSTEM
-- mode: enforce
-- sample: percent=1
SELECT country, count(*) FROM iceberg.web.sessions JOIN hive.ref.countries c ON device = c.code GROUP BY country

-- case: enforce keeps the last week of a partitioned table
-- mode: enforce
-- sample: percent=2 last=7d
SELECT event_type, count(*) AS n
FROM iceberg.web.events /* all of it */
WHERE country = 'NL'
GROUP BY event_type

-- case: a sampling key samples both sides of a join by the same hash
-- mode: enforce
-- sample: percent=1 key=user_id seed=42
SELECT s.device, count(*)
FROM iceberg.web.sessions s
JOIN iceberg.web.events AS e ON e.user_id = s.user_id
WHERE e.event_date >= DATE '2026-11-20'
GROUP BY s.device

-- case: a seed picks the same partitions on every run
-- mode: enforce
-- sample: percent=10 seed=7
SELECT url, count(*) FROM hive.web.page_views GROUP BY url

-- case: a seed with no key and no partitions falls back to SYSTEM and says so
-- mode: enforce
-- sample: percent=5 seed=7
SELECT avg(duration_s) FROM iceberg.web.sessions

-- case: the outer join's NULL-extended side is sampled inside its subquery
-- mode: enforce
-- sample: percent=1
SELECT u.id, s.session_id FROM hive.ref.users u LEFT JOIN iceberg.web.sessions s ON s.user_id = u.id

-- case: rand_limit's sample stands in for the dev sample
-- mode: enforce
-- sample: percent=1
SELECT * FROM iceberg.web.sessions ORDER BY rand() LIMIT 100

-- case: small tables are read whole
-- mode: enforce
SELECT * FROM hive.ref.countries

-- case: writes are never sampled
-- mode: enforce
INSERT INTO hive.ref.countries SELECT * FROM iceberg.web.sessions

-- case: a table the user sampled is left alone
-- mode: enforce
SELECT count(*) FROM iceberg.web.sessions TABLESAMPLE BERNOULLI (5)

-- case: enforce honours skim:off when the policy allows it
-- mode: enforce
SELECT count(*) FROM iceberg.web.sessions /* skim:off */

-- case: enforce ignores skim:off when the policy does not allow it
-- mode: enforce
-- no-opt-out
SELECT count(*) FROM iceberg.web.sessions /* skim:off */

-- case: a budget rejects a full scan and suggests the partition column
-- budget: 1TiB
SELECT * FROM iceberg.web.events

-- case: a budget lets a filtered scan through
-- budget: 10TiB
SELECT * FROM iceberg.web.events WHERE event_date = DATE '2026-11-20'

-- case: a budget counts the rewritten scan
-- budget: 100GiB
SELECT * FROM iceberg.web.events ORDER BY rand() LIMIT 1000

-- case: skim:off skips the budget when allowed
-- budget: 1TiB
SELECT * FROM iceberg.web.events -- skim:off

-- case: a budget applies to the scan of a write
-- budget: 100GiB
INSERT INTO hive.ref.countries SELECT session_id, device, device FROM iceberg.web.sessions

-- case: an aliased table keeps its alias inside the dev sample
-- mode: enforce
-- sample: percent=10 seed=7
SELECT pv.url FROM hive.web.page_views AS pv WHERE pv.user_id > 10

-- case: advise mode still enforces the budget
-- mode: advise
-- budget: 1GiB
SELECT * FROM iceberg.web.sessions

-- case: off mode has no budget
-- mode: off
-- budget: 1GiB
SELECT * FROM iceberg.web.sessions

-- case: a budget on a filtered scan asks for a narrower filter
-- budget: 1TiB
SELECT * FROM iceberg.web.events WHERE event_date >= DATE '2026-11-20'

-- case: a key the statement does not read gives way to a seeded choice of partitions
-- mode: enforce
-- sample: percent=10 key=user_id seed=42
SELECT event_type, count(*) FROM iceberg.web.events GROUP BY event_type

-- case: without partitions, a seed hashes the key even though it costs the key column
-- mode: enforce
-- sample: percent=1 key=user_id seed=42
SELECT device, count(*) FROM iceberg.web.sessions GROUP BY device

-- case: without a seed, a key the statement does not read gives way to SYSTEM
-- mode: enforce
-- sample: percent=1 key=user_id
SELECT device, count(*) FROM iceberg.web.sessions GROUP BY device

-- case: a skim:seed hint replaces the policy's seed
-- mode: enforce
-- sample: percent=1 key=user_id seed=42
SELECT s.device, count(*) FROM iceberg.web.sessions s JOIN hive.web.page_views p ON p.user_id = s.user_id GROUP BY 1 /* skim:seed=7 */
