-- The domain services share the mvp_core schema; each table in it is owned, and written, by one service.
CREATE SCHEMA IF NOT EXISTS mvp_core;
