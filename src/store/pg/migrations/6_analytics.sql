-- Migration 6 (additive; the SQLite store's migration 4): what the step funnel
-- and the template table read besides the counts: each email's recipient
-- (`person_id`, the funnel's people reached), the team's calls (JSON, by
-- cadence) and its email templates (JSON, for their names). Readers do not
-- follow these two tables live (they read them when asked), so they take no
-- change numbers. Facts stored before carry no recipient: the emails' sync
-- starts over (a full sync), and until it finishes the funnel is not covered.

ALTER TABLE sltui.email_facts ADD COLUMN person_id bigint;

CREATE TABLE sltui.calls (
    id         bigint PRIMARY KEY,
    updated_us bigint NOT NULL,
    seen       bigint NOT NULL,
    cadence_id bigint,
    data       jsonb NOT NULL
);
CREATE INDEX calls_cadence ON sltui.calls (cadence_id);

CREATE TABLE sltui.email_templates (
    id         bigint PRIMARY KEY,
    updated_us bigint NOT NULL,
    seen       bigint NOT NULL,
    data       jsonb NOT NULL
);

UPDATE sltui.sync_state SET cursor = NULL, full_done_at = NULL WHERE resource = 'emails';
