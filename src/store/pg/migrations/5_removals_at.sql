-- When each removal was noted, so the hub can prune old ones (a reader that
-- fell behind the pruned numbers re-reads everything; see changes.rs).
ALTER TABLE sltui.removals ADD COLUMN at timestamptz NOT NULL DEFAULT now();
CREATE INDEX removals_at ON sltui.removals (at);
