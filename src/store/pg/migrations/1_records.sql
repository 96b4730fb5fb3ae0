-- Migration 1: records, email facts, sync checkpoints, meta; and the change
-- sequence: every insert or real change of a record takes the next number of
-- `change_seq` into its row's `seq`, and the statement sends
-- NOTIFY sltui_changes '<seq>' (delivered at commit), so a reader asks for the
-- rows past the last number it saw. A row removed leaves a number in `removals`.

CREATE SEQUENCE sltui.change_seq AS bigint;

CREATE TABLE sltui.meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);

-- Records keep the API's JSON (nulls dropped) plus the columns queries need.
-- `seen` is the full-sync generation that last saw the row: a finished full
-- sync removes rows it did not see (deleted upstream).
CREATE TABLE sltui.people (
    id         bigint PRIMARY KEY,
    updated_us bigint NOT NULL,
    seen       bigint NOT NULL,
    seq        bigint NOT NULL DEFAULT 0,
    data       jsonb NOT NULL
);
CREATE TABLE sltui.cadences (
    id         bigint PRIMARY KEY,
    updated_us bigint NOT NULL,
    seen       bigint NOT NULL,
    seq        bigint NOT NULL DEFAULT 0,
    data       jsonb NOT NULL
);
CREATE TABLE sltui.steps (
    id         bigint PRIMARY KEY,
    updated_us bigint NOT NULL,
    seen       bigint NOT NULL,
    seq        bigint NOT NULL DEFAULT 0,
    cadence_id bigint,
    data       jsonb NOT NULL
);
CREATE INDEX steps_cadence ON sltui.steps (cadence_id);
CREATE TABLE sltui.memberships (
    id         bigint PRIMARY KEY,
    updated_us bigint NOT NULL,
    seen       bigint NOT NULL,
    seq        bigint NOT NULL DEFAULT 0,
    person_id  bigint,
    cadence_id bigint,
    data       jsonb NOT NULL
);
CREATE INDEX memberships_cadence ON sltui.memberships (cadence_id);
CREATE INDEX memberships_person ON sltui.memberships (person_id);
CREATE TABLE sltui.users (
    id         bigint PRIMARY KEY,
    updated_us bigint NOT NULL,
    seen       bigint NOT NULL,
    seq        bigint NOT NULL DEFAULT 0,
    data       jsonb NOT NULL
);
-- One row per email: what the engagement aggregates need (see metrics::EmailFact).
-- flags: 1 sent, 2 bounced, 4 viewed, 8 clicked, 16 replied.
CREATE TABLE sltui.email_facts (
    id         bigint PRIMARY KEY,
    updated_us bigint NOT NULL,
    seen       bigint NOT NULL,
    seq        bigint NOT NULL DEFAULT 0,
    cadence_id bigint,
    step_id    bigint,
    flags      int NOT NULL,
    sent_at    bigint
);
CREATE INDEX email_facts_cadence ON sltui.email_facts (cadence_id);

CREATE INDEX people_seq ON sltui.people (seq);
CREATE INDEX cadences_seq ON sltui.cadences (seq);
CREATE INDEX steps_seq ON sltui.steps (seq);
CREATE INDEX memberships_seq ON sltui.memberships (seq);
CREATE INDEX users_seq ON sltui.users (seq);
CREATE INDEX email_facts_seq ON sltui.email_facts (seq);

-- Rows removed (a full sync's sweep), by the change number of their removal.
CREATE TABLE sltui.removals (
    seq bigint PRIMARY KEY,
    tbl text NOT NULL,
    id  bigint NOT NULL
);

-- An email fact's range time in unix seconds: its sent_at, else its updated_at,
-- clamped to 1..=u32::MAX as the aggregator does.
CREATE FUNCTION sltui.fact_at(sent_at bigint, updated_us bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT greatest(1, least(4294967295, coalesce(sent_at, updated_us) / 1000000)) $$;

-- The next change number. The transaction's first one also takes the write
-- lock, so numbers commit in the order they were drawn and a reader that saw
-- number N has seen every row numbered below it.
CREATE FUNCTION sltui.next_change() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('sltui.locked', true), '') = '' THEN
    PERFORM pg_advisory_xact_lock(126909647513858);
    PERFORM set_config('sltui.locked', '1', true);
  END IF;
  RETURN nextval('sltui.change_seq');
END $$;

-- A record row's number: a new one when inserted or really changed; a re-read
-- of the same version (only `seen` moves) keeps its number. (An upsert that
-- meets an existing row draws a number it does not keep: numbers have gaps.)
CREATE FUNCTION sltui.stamp_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF TG_TABLE_NAME = 'email_facts' THEN
      IF (NEW.updated_us, NEW.cadence_id, NEW.step_id, NEW.flags, NEW.sent_at)
         IS NOT DISTINCT FROM
         (OLD.updated_us, OLD.cadence_id, OLD.step_id, OLD.flags, OLD.sent_at) THEN
        NEW.seq := OLD.seq;
        RETURN NEW;
      END IF;
    ELSIF NEW.updated_us = OLD.updated_us AND NEW.data = OLD.data THEN
      NEW.seq := OLD.seq;
      RETURN NEW;
    END IF;
  END IF;
  NEW.seq := sltui.next_change();
  RETURN NEW;
END $$;

CREATE FUNCTION sltui.note_removal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sltui.removals (seq, tbl, id) VALUES (sltui.next_change(), TG_TABLE_NAME, OLD.id);
  RETURN OLD;
END $$;

-- Once per statement: announce the highest number it wrote. Rows an update
-- left unchanged keep their (older) numbers, so an update announces only when
-- its highest number is above the highest it replaced.
CREATE FUNCTION sltui.announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
  before bigint;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT max(seq) INTO n FROM new_rows;
  ELSE
    SELECT max(seq) INTO n FROM new_rows;
    SELECT max(seq) INTO before FROM old_rows;
    IF n <= before THEN
      n := NULL;
    END IF;
  END IF;
  IF n IS NOT NULL THEN
    PERFORM pg_notify('sltui_changes', n::text);
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION sltui.announce_triggers(t text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON sltui.%I REFERENCING NEW TABLE AS new_rows
                  FOR EACH STATEMENT EXECUTE FUNCTION sltui.announce_change()',
                 t || '_inserted', t);
  IF t <> 'removals' THEN
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON sltui.%I
                    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION sltui.announce_change()',
                   t || '_updated', t);
  END IF;
END $$;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['people', 'cadences', 'steps', 'memberships', 'users', 'email_facts']
  LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE ON sltui.%I
                    FOR EACH ROW EXECUTE FUNCTION sltui.stamp_record()', t || '_stamp', t);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON sltui.%I
                    FOR EACH ROW EXECUTE FUNCTION sltui.note_removal()', t || '_removal', t);
    PERFORM sltui.announce_triggers(t);
  END LOOP;
  PERFORM sltui.announce_triggers('removals');
END $$;

-- Where the sync of each resource stands (as in the SQLite store).
CREATE TABLE sltui.sync_state (
    resource     text PRIMARY KEY,
    generation   bigint NOT NULL DEFAULT 0,
    high_water   text,
    expected     bigint,
    cursor       text,
    full_done_at timestamptz,
    synced_at    timestamptz
);
CREATE TABLE sltui.sync_windows (
    resource text NOT NULL,
    idx      int NOT NULL,
    start    text NOT NULL,
    done     boolean NOT NULL DEFAULT false,
    PRIMARY KEY (resource, idx)
);
CREATE TABLE sltui.sync_pages (
    resource text NOT NULL,
    idx      int NOT NULL,
    page     int NOT NULL,
    count    bigint NOT NULL,
    len      int NOT NULL,
    first_at text,
    last_at  text,
    last_ids text,
    PRIMARY KEY (resource, idx, page)
);
