-- Migration 7: calls and email templates take change numbers, as the other
-- record tables (migration 1): the hub polls them every --poll-secs, and a
-- dashboard on the database follows them live (its step funnel's calls and
-- template names). An insert or real change takes the next number and the
-- statement announces it on sltui_changes; a row deleted (a full sync's sweep)
-- leaves a number in `removals`. Rows stored before keep number 0: a reader
-- takes its starting number after this migration and reads them whole.

ALTER TABLE sltui.calls ADD COLUMN seq bigint NOT NULL DEFAULT 0;
ALTER TABLE sltui.email_templates ADD COLUMN seq bigint NOT NULL DEFAULT 0;
CREATE INDEX calls_seq ON sltui.calls (seq);
CREATE INDEX email_templates_seq ON sltui.email_templates (seq);

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['calls', 'email_templates']
  LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE ON sltui.%I
                    FOR EACH ROW EXECUTE FUNCTION sltui.stamp_record()', t || '_stamp', t);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON sltui.%I
                    FOR EACH ROW EXECUTE FUNCTION sltui.note_removal()', t || '_removal', t);
    PERFORM sltui.announce_triggers(t);
  END LOOP;
END $$;
