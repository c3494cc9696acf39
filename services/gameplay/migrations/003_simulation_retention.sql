-- The retention sweep deletes the oldest simulations first: by creation time, through this index.
CREATE INDEX gameplay_simulations_created ON mvp_core.gameplay_simulations (created_at);
