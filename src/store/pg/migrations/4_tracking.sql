-- Migration 4 (additive; the SQLite store's migration 3): the email template of
-- each fact, and tracking-aware per-day sums.
--
-- flags gains 32 = sent without view tracking and 64 = sent without click
-- tracking (see metrics::flags). They are stored negated, so a fact written
-- before this version reads as tracked, as every email was counted until now.
-- `fact_days` gains `view_tracked` and `click_tracked`: the delivered emails
-- sent with view / click tracking on, the open and click rates' denominators;
-- `opened` and `clicked` count tracked emails only. What one sent email adds:
--   sent 1; bounced b; delivered d = 1 - b; replied d * replied;
--   view_tracked d * (1 - untracked_view); opened view_tracked * viewed;
--   click_tracked d * (1 - untracked_click); clicked click_tracked * clicked.
-- A group is skipped only when every one of its sums is zero (a statement may
-- swap flags between two facts of one group: the flag bits then cancel, their
-- products need not).

ALTER TABLE sltui.email_facts ADD COLUMN template_id bigint;
ALTER TABLE sltui.fact_days
    ADD COLUMN view_tracked  bigint NOT NULL DEFAULT 0,
    ADD COLUMN click_tracked bigint NOT NULL DEFAULT 0;

-- A fact whose template changed is a change (a new number for live readers).
CREATE OR REPLACE FUNCTION sltui.stamp_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF TG_TABLE_NAME = 'email_facts' THEN
      IF (NEW.updated_us, NEW.cadence_id, NEW.step_id, NEW.flags, NEW.sent_at, NEW.template_id)
         IS NOT DISTINCT FROM
         (OLD.updated_us, OLD.cadence_id, OLD.step_id, OLD.flags, OLD.sent_at, OLD.template_id)
      THEN
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

-- What each sent email of `deltas` (sign 1: coming in, -1: going out) adds to
-- its (day, cadence, step) sums. A view over the transition rows is not
-- possible, so the trigger below hands them over as an array.
CREATE TYPE sltui.fact_delta AS (
    sign       int,
    sent_at    bigint,
    updated_us bigint,
    cadence_id bigint,
    step_id    bigint,
    flags      int
);

CREATE FUNCTION sltui.fact_days_add(deltas sltui.fact_delta[]) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO sltui.fact_days AS f
    (day, cadence_id, step_id, sent, delivered, opened, clicked, replied, bounced,
     view_tracked, click_tracked)
  SELECT day, c, s, sum(sign), sum(sign * d), sum(sign * d * vt * v),
         sum(sign * d * ct * k), sum(sign * d * rp), sum(sign * (1 - d)),
         sum(sign * d * vt), sum(sign * d * ct)
  FROM (SELECT sign,
               sltui.fact_at(sent_at, updated_us) / 86400 AS day,
               coalesce(cadence_id, 0) AS c,
               coalesce(step_id, 0) AS s,
               1 - ((flags >> 1) & 1) AS d,
               (flags >> 2) & 1 AS v,
               (flags >> 3) & 1 AS k,
               (flags >> 4) & 1 AS rp,
               1 - ((flags >> 5) & 1) AS vt,
               1 - ((flags >> 6) & 1) AS ct
        FROM unnest(deltas) WHERE flags & 1 = 1) e
  GROUP BY day, c, s
  HAVING sum(sign) <> 0 OR sum(sign * d) <> 0 OR sum(sign * d * vt * v) <> 0
      OR sum(sign * d * ct * k) <> 0 OR sum(sign * d * rp) <> 0
      OR sum(sign * d * vt) <> 0 OR sum(sign * d * ct) <> 0
  ON CONFLICT (day, cadence_id, step_id) DO UPDATE SET
    sent = f.sent + excluded.sent, delivered = f.delivered + excluded.delivered,
    opened = f.opened + excluded.opened, clicked = f.clicked + excluded.clicked,
    replied = f.replied + excluded.replied, bounced = f.bounced + excluded.bounced,
    view_tracked = f.view_tracked + excluded.view_tracked,
    click_tracked = f.click_tracked + excluded.click_tracked;
  DELETE FROM sltui.fact_days WHERE sent <= 0;
$$;

-- The triggers of migration 2 keep calling this function (same name).
CREATE OR REPLACE FUNCTION sltui.fact_days_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM sltui.fact_days_add(ARRAY(
      SELECT ROW(1, sent_at, updated_us, cadence_id, step_id, flags)::sltui.fact_delta
      FROM new_rows WHERE flags & 1 = 1));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM sltui.fact_days_add(ARRAY(
      SELECT ROW(-1, sent_at, updated_us, cadence_id, step_id, flags)::sltui.fact_delta
      FROM old_rows WHERE flags & 1 = 1));
  ELSE
    PERFORM sltui.fact_days_add(ARRAY(
      SELECT ROW(1, sent_at, updated_us, cadence_id, step_id, flags)::sltui.fact_delta
      FROM new_rows WHERE flags & 1 = 1
      UNION ALL
      SELECT ROW(-1, sent_at, updated_us, cadence_id, step_id, flags)::sltui.fact_delta
      FROM old_rows WHERE flags & 1 = 1));
  END IF;
  RETURN NULL;
END $$;

-- The sums again, in one grouped pass over the stored facts.
DELETE FROM sltui.fact_days;
INSERT INTO sltui.fact_days
  (day, cadence_id, step_id, sent, delivered, opened, clicked, replied, bounced,
   view_tracked, click_tracked)
SELECT day, c, s, count(*), sum(d), sum(d * vt * v), sum(d * ct * k), sum(d * rp),
       sum(1 - d), sum(d * vt), sum(d * ct)
FROM (SELECT sltui.fact_at(sent_at, updated_us) / 86400 AS day,
             coalesce(cadence_id, 0) AS c,
             coalesce(step_id, 0) AS s,
             1 - ((flags >> 1) & 1) AS d,
             (flags >> 2) & 1 AS v,
             (flags >> 3) & 1 AS k,
             (flags >> 4) & 1 AS rp,
             1 - ((flags >> 5) & 1) AS vt,
             1 - ((flags >> 6) & 1) AS ct
      FROM sltui.email_facts WHERE flags & 1 = 1) e
GROUP BY day, c, s;
