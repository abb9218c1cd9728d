-- Run once by the trino-init service; every statement is safe to repeat.
CREATE SCHEMA IF NOT EXISTS iceberg.demo;

-- 1.5 million orders, one partition per order date.
CREATE TABLE IF NOT EXISTS iceberg.demo.orders
WITH (partitioning = ARRAY['day(orderdate)'])
AS SELECT orderkey, custkey, orderstatus, totalprice, orderdate,
          orderpriority, clerk, shippriority, comment
FROM tpch.sf1.orders;

-- Column statistics for SHOW STATS, which skim reads for its estimates.
ANALYZE iceberg.demo.orders;
