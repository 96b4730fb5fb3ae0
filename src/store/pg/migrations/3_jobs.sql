-- Migration 3: enrollment jobs (filed by dashboards and `sltui enroll --db`, run
-- once by the leading hub), the audit log of every mutation, and the hub's status
-- row that dashboards show in their status bar.

CREATE TABLE sltui.jobs (
    id            bigserial PRIMARY KEY,
    -- The requester's idempotency key: filing the same key again returns this job.
    key           text NOT NULL UNIQUE,
    requested_by  text NOT NULL,
    cadence_id    bigint NOT NULL,
    person_id     bigint NOT NULL,
    step_id       bigint,
    -- The SalesLoft user the enrollment is made for (null: the hub's own user).
    on_behalf_of  bigint,
    state         text NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'running', 'done', 'failed')),
    outcome       text,
    membership_id bigint,
    -- How many times a runner took it: above 1, an earlier run may have reached
    -- SalesLoft, so the runner checks before it sends again.
    attempts      int NOT NULL DEFAULT 0,
    claimed_by    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    claimed_at    timestamptz,
    finished_at   timestamptz,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    seq           bigint NOT NULL DEFAULT 0
);
CREATE INDEX jobs_queued ON sltui.jobs (id) WHERE state = 'queued';
CREATE INDEX jobs_seq ON sltui.jobs (seq);

-- One row per mutation (a job filed, claimed, finished, put back). Never a secret.
CREATE TABLE sltui.audit (
    id      bigserial PRIMARY KEY,
    at      timestamptz NOT NULL DEFAULT now(),
    actor   text NOT NULL,
    action  text NOT NULL,
    job_key text,
    detail  text NOT NULL DEFAULT ''
);

-- The hub as the dashboards see it: who leads since when, the last sync, and
-- the team's budget as the hub last read it from SalesLoft's response headers.
CREATE TABLE sltui.hub_status (
    id               int PRIMARY KEY CHECK (id = 1),
    hub_name         text NOT NULL,
    leader_since     timestamptz,
    last_sync_at     timestamptz,
    budget_remaining int,
    budget_limit     int,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    seq              bigint NOT NULL DEFAULT 0
);

-- Jobs and the hub's status take change numbers on every write, like records.
CREATE FUNCTION sltui.stamp_always() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.seq := sltui.next_change();
  NEW.updated_at := now();
  RETURN NEW;
END $$;

CREATE TRIGGER jobs_stamp BEFORE INSERT OR UPDATE ON sltui.jobs
  FOR EACH ROW EXECUTE FUNCTION sltui.stamp_always();
CREATE TRIGGER hub_status_stamp BEFORE INSERT OR UPDATE ON sltui.hub_status
  FOR EACH ROW EXECUTE FUNCTION sltui.stamp_always();
SELECT sltui.announce_triggers('jobs');
SELECT sltui.announce_triggers('hub_status');
