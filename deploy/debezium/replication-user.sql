-- The least-privileged PostgreSQL role for the Debezium outbox connector, and the publication it reads.
--
-- Run as the database's owner (an admin), in the services' database, once before the connector starts:
--   psql "$ADMIN_DATABASE_URL" -v ON_ERROR_STOP=1 -v role=necp_debezium -v password="$DEBEZIUM_PASSWORD" \
--     -f deploy/debezium/replication-user.sql
-- (the services' migrations must have run: the publication names mvp_meta.outbox).
--
-- What the role can do, and nothing more:
--   - LOGIN REPLICATION: open a replication connection and create its logical replication slot
--     (`slot.name`), which streams the WAL of the tables in the publication;
--   - CONNECT to this database, USAGE on the mvp_meta schema and SELECT on mvp_meta.outbox: Debezium
--     reads the table's columns and types at start. No other table, no write anywhere, no CREATE.
-- The publication belongs to the admin who runs this script, so the connector needs no ownership of
-- the table (`publication.autocreate.mode=disabled` in outbox-connector.json: it only checks that
-- `necp_outbox` exists). It publishes inserts only: the relay's marks, retention's deletes and
-- truncates are not events.
--
-- Cluster-wide: the role and the slot belong to the server, not to the database. Drop the slot
-- (`SELECT pg_drop_replication_slot('necp_outbox')`) when the connector is removed for good, or
-- PostgreSQL keeps the WAL for it forever.
\set ON_ERROR_STOP on

CREATE ROLE :"role" WITH LOGIN REPLICATION PASSWORD :'password';
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), :'role') \gexec
GRANT USAGE ON SCHEMA mvp_meta TO :"role";
GRANT SELECT ON mvp_meta.outbox TO :"role";

CREATE PUBLICATION necp_outbox FOR TABLE mvp_meta.outbox WITH (publish = 'insert');
