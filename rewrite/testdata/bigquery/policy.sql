-- case: enforce samples a BigQuery aggregate with SYSTEM
-- mode: enforce
-- sample: percent=1
SELECT country, COUNT(*) FROM `myproj.analytics.events` GROUP BY country

-- case: enforce keeps the last 3 days of a timestamp-partitioned table
-- mode: enforce
-- sample: percent=1 last=3d
SELECT event_name, COUNT(*) FROM myproj.analytics.events GROUP BY event_name

-- case: a sampling key hashes with FARM_FINGERPRINT
-- mode: enforce
-- sample: percent=1 key=user_id seed=42 min=1GiB
SELECT e.page, u.plan FROM myproj.analytics.events e JOIN myproj.analytics.users u USING (user_id)

-- case: a budget rejects a BigQuery full scan
-- budget: 100GiB
SELECT * FROM myproj.analytics.events
