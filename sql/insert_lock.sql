-- The table pgpool locks a row of (insert_lock in native replication mode)
-- to serialize INSERTs: it runs "SELECT 1 FROM pgpool_catalog.insert_lock
-- WHERE reloid = <table oid> FOR UPDATE", inserting the row first when it
-- is missing.  Run in every database used through pgpool, or once in
-- template1 before databases are created:
--   psql -f insert_lock.sql template1
-- Running it again changes nothing.
CREATE SCHEMA IF NOT EXISTS pgpool_catalog;
GRANT USAGE ON SCHEMA pgpool_catalog TO PUBLIC;
CREATE TABLE IF NOT EXISTS pgpool_catalog.insert_lock (reloid oid PRIMARY KEY);
GRANT ALL ON pgpool_catalog.insert_lock TO PUBLIC;
