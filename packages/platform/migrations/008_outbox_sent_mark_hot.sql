-- Marking a row sent (OutboxBatches' UPDATE of `sent_at`) becomes a HOT update: the new version of
-- the row goes on the same page and no index gets a new entry. `outbox_pending_idx` had `sent_at` in
-- its predicate, which made every mark a full update: a new heap tuple on another page when the page
-- was full, plus new entries in the primary key and `seq` indexes (measured: the mark was the largest
-- outbox cost in WAL per order journey). What it found, pending rows from a number on, the `seq`
-- index finds as cheaply from the relay's scan floor (outbox-scan-floor.ts), which keeps scans above
-- the sent rows; the backlog gauges count from the same floor.
DROP INDEX mvp_meta.outbox_pending_idx;

-- Room on each page for the marked versions of the rows inserted on it: a batch marks the rows of a
-- page together, before the page can be pruned of older versions. Only pages written from now on.
ALTER TABLE mvp_meta.outbox SET (fillfactor = 50);
