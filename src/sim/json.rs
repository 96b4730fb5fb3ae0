//! Rows rendered exactly in the real API's JSON shape (`salesloft-api.md` §1,
//! §1.1, §3.1-3.7, checked against recorded real records): every field present,
//! nullable ones as explicit `null`, timestamps with six fractional digits and the
//! team's UTC offset, references as `{"_href", "id"}` with the real quirks
//! (`mailing` and `latest_action` without `_href`, string role ids, `/v2/team` and
//! `/v2/cadence_priorities` hrefs without an id). No `opens` anywhere: engagement
//! is `views`.
//!
//! `base` is the simulator's own API root, e.g. `http://127.0.0.1:7878/v2`.

use chrono::{DateTime, Datelike, FixedOffset, Offset, Timelike, Utc};
use serde_json::{Map, Value, json};

use super::model::{Cadence, Call, Dataset, Email, Membership, Micros, Step, StepType, User};
use super::truth::cadence_people;

mod person;
mod templates;
pub use person::{person, person_text};
pub use templates::{cadence_export, cadence_import, email_template, template_counts};

/// `2021-09-16T10:02:20.479210-04:00`: six fractional digits, the team's offset.
pub fn ts(ds: &Dataset, t: Micros) -> String {
    let offset =
        FixedOffset::east_opt(ds.utc_offset_minutes.saturating_mul(60)).unwrap_or(Utc.fix());
    let local = DateTime::from_timestamp_micros(t)
        .unwrap_or_default()
        .with_timezone(&offset);
    let Ok(year) = u32::try_from(local.year()) else {
        return local.format("%Y-%m-%dT%H:%M:%S%.6f%:z").to_string();
    };
    if year > 9999 {
        return local.format("%Y-%m-%dT%H:%M:%S%.6f%:z").to_string();
    }
    // Written digit by digit: every row has several timestamps, and chrono's
    // `format` parses its pattern on every call.
    let mut out = String::with_capacity(32);
    push_digits(&mut out, year, 4);
    for (sep, n, width) in [
        ('-', local.month(), 2),
        ('-', local.day(), 2),
        ('T', local.hour(), 2),
        (':', local.minute(), 2),
        (':', local.second(), 2),
        ('.', local.timestamp_subsec_micros().min(999_999), 6),
    ] {
        out.push(sep);
        push_digits(&mut out, n, width);
    }
    let off = offset.local_minus_utc();
    out.push(if off < 0 { '-' } else { '+' });
    let minutes = off.unsigned_abs() / 60;
    push_digits(&mut out, minutes / 60, 2);
    out.push(':');
    push_digits(&mut out, minutes % 60, 2);
    out
}

/// `n` in decimal, zero-padded to `width` digits (higher digits are dropped).
fn push_digits(out: &mut String, n: u32, width: u32) {
    for i in (0..width).rev() {
        out.push(char::from(b'0' + (n / 10u32.pow(i) % 10) as u8));
    }
}

fn opt_ts(ds: &Dataset, t: Option<Micros>) -> Value {
    t.map_or(Value::Null, |t| Value::String(ts(ds, t)))
}

/// `{"_href": "<base>/<path>/<id>", "id": id}`
fn href(base: &str, path: &str, id: u64) -> Value {
    json!({"_href": format!("{base}/{path}/{id}"), "id": id})
}

fn opt_href(base: &str, path: &str, id: Option<u64>) -> Value {
    id.map_or(Value::Null, |id| href(base, path, id))
}

/// An object built field by field (the `json!` macro chokes on 60 keys).
struct Obj(Map<String, Value>);

impl Obj {
    fn new() -> Self {
        Obj(Map::new())
    }
    fn set(&mut self, key: &str, value: impl Into<Value>) -> &mut Self {
        self.0.insert(key.to_string(), value.into());
        self
    }
    fn done(&mut self) -> Value {
        Value::Object(std::mem::take(&mut self.0))
    }
}

/// A JSON object written straight into a byte buffer, member by member; keys
/// are plain identifiers (never escaped).
pub(crate) struct TextObj<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> TextObj<'a> {
    pub(crate) fn open(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        TextObj { out, first: true }
    }

    pub(crate) fn set(&mut self, key: &str, value: impl serde::Serialize) -> &mut Self {
        debug_assert!(!key.contains(['"', '\\']), "{key}");
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
        // Writing plain data into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *self.out, &value);
        self
    }

    pub(crate) fn close(self) {
        self.out.push(b'}');
    }
}

fn quoted_address(name: &str, email: &str) -> String {
    format!("\"{}\" <{email}>", name.replace('"', "'"))
}

pub fn user(ds: &Dataset, u: &User, base: &str) -> Value {
    let name = format!("{} {}", u.first_name, u.last_name);
    let slack = u.email.split('@').next().unwrap_or_default().to_string();
    Obj::new()
        .set("id", u.id)
        .set("guid", u.guid.as_str())
        .set("created_at", ts(ds, u.created_at))
        .set("updated_at", ts(ds, u.updated_at))
        .set("name", name.as_str())
        .set("first_name", u.first_name.as_str())
        .set("last_name", u.last_name.as_str())
        .set("job_role", u.job_role.clone())
        .set("active", u.active)
        .set("time_zone", u.time_zone.as_str())
        .set("locale_utc_offset", ds.utc_offset_minutes)
        .set("slack_username", slack)
        .set("twitter_handle", Value::Null)
        .set("email", u.email.as_str())
        .set("email_client_email_address", u.email.as_str())
        .set("sending_email_address", u.email.as_str())
        .set("from_address", Value::Null)
        .set("full_email_address", quoted_address(&name, &u.email))
        .set("bcc_email_address", Value::Null)
        .set("work_country", "US")
        .set(
            "seat_package",
            if u.team_admin { "admin" } else { "prospect" },
        )
        .set("email_signature", "")
        .set("email_signature_type", "html")
        .set("email_signature_click_tracking_disabled", false)
        .set("team_admin", u.team_admin)
        .set("local_dial_enabled", true)
        .set("click_to_call_enabled", false)
        .set("email_client_configured", true)
        .set("crm_connected", false)
        .set("external_feature_flags", json!({}))
        .set("_private_fields", json!({}))
        .set("phone_client", json!({"id": 53_000 + u.id % 1000}))
        .set("phone_number_assignment", Value::Null)
        .set(
            "group",
            match ds.privacy.as_ref().and_then(|p| p.group_of(u.id)) {
                Some(g) => json!({"_href": format!("{base}/groups/{g}"), "id": g}),
                None => Value::Null,
            },
        )
        .set(
            "team",
            json!({"_href": format!("{base}/team"), "id": ds.team_id}),
        )
        .set(
            "role",
            json!({"id": if u.team_admin { "Admin" } else { "User" }}),
        )
        .done()
}

/// Person stage ids the team's cadences point at (bounced, replied, added, finished).
const STAGES: [(&str, u64); 4] = [
    ("bounced_stage", 10_147),
    ("replied_stage", 10_148),
    ("added_stage", 10_149),
    ("finished_stage", 10_151),
];

/// `counts.cadence_people` is computed from the memberships (see
/// `truth::cadence_people_all`, memoised on the memberships table's stamp), so it
/// stays right after live updates and server-side creates and removals.
pub fn cadence(ds: &Dataset, c: &Cadence, base: &str) -> Value {
    let people = cadence_people(ds, c.id);
    let mut o = Obj::new();
    o.set("id", c.id)
        .set("created_at", ts(ds, c.created_at))
        .set("updated_at", ts(ds, c.updated_at))
        .set("archived_at", opt_ts(ds, c.archived_at))
        .set("latest_active_date", Value::Null)
        .set("team_cadence", c.team_cadence)
        .set("shared", c.shared)
        .set("remove_bounces_enabled", c.remove_bounces_enabled)
        .set("remove_replies_enabled", c.remove_replies_enabled)
        .set("opt_out_link_included", c.opt_out_link_included)
        .set("draft", c.draft)
        .set("override_contact_restrictions", Value::Null)
        .set("cadence_framework_id", Value::Null)
        .set("cadence_function", c.cadence_function.as_str())
        .set("name", c.name.as_str())
        .set("external_identifier", Value::Null)
        .set("tags", c.tags.clone())
        .set("current_state", c.current_state())
        .set("creator", href(base, "users", c.creator_id))
        .set("owner", href(base, "users", c.owner_id));
    for (key, id) in STAGES {
        o.set(key, href(base, "person_stages", id));
    }
    let priority = if c.draft {
        Value::Null
    } else {
        json!({"_href": format!("{base}/cadence_priorities"), "id": 3_383 + c.id % 3})
    };
    o.set("cadence_priority", priority)
        .set("groups", Vec::<Value>::new())
        .set(
            "counts",
            json!({
                "cadence_people": people.cadence_people,
                "people_acted_on_count": people.people_acted_on,
                "target_daily_people": c.target_daily_people,
                "opportunities_created": c.opportunities_created,
                "meetings_booked": c.meetings_booked,
            }),
        )
        .done()
}

pub fn step(ds: &Dataset, s: &Step, base: &str) -> Value {
    let details = match s.kind {
        StepType::Email => "action_details/email_details",
        StepType::Phone => "action_details/call_instructions",
        StepType::Other => "action_details/other_details",
        StepType::Integration => "action_details/integration_details",
    };
    Obj::new()
        .set("id", s.id)
        .set("created_at", ts(ds, s.created_at))
        .set("updated_at", ts(ds, s.updated_at))
        .set("disabled", s.disabled)
        .set("type", s.kind.as_str())
        .set("name", s.name.as_str())
        .set("display_name", s.display_name())
        .set("day", s.day)
        .set("step_number", s.step_number)
        .set("multitouch_enabled", s.multitouch_enabled)
        .set("details", href(base, details, s.id))
        .set("cadence", href(base, "cadences", s.cadence_id))
        .done()
}

pub fn membership(ds: &Dataset, m: &Membership, base: &str) -> Value {
    let c = &m.counts;
    Obj::new()
        .set("id", m.id)
        .set("added_at", ts(ds, m.added_at))
        .set("created_at", ts(ds, m.created_at))
        .set("updated_at", ts(ds, m.updated_at))
        .set("person_deleted", ds.people.get(m.person_id).is_none())
        .set("currently_on_cadence", m.state.on_cadence())
        .set("current_state", m.state.as_str())
        .set("cadence", href(base, "cadences", m.cadence_id))
        .set("person", href(base, "people", m.person_id))
        .set("user", href(base, "users", m.user_id))
        .set(
            "latest_action",
            m.latest_action_id.map(|id| json!({"id": id})),
        )
        .set(
            "counts",
            json!({
                "views": c.views,
                "clicks": c.clicks,
                "replies": c.replies,
                "calls": c.calls,
                "sent_emails": c.sent_emails,
                "bounces": c.bounces,
            }),
        )
        .set("step", opt_href(base, "steps", m.step_id))
        .done()
}

pub fn email(ds: &Dataset, e: &Email, base: &str) -> Value {
    let mut out = Vec::with_capacity(1024);
    email_text(ds, e, base, &mut out);
    serde_json::from_slice(&out).unwrap_or(Value::Null)
}

/// Writes the email as compact JSON, keys sorted as `serde_json` writes a
/// `Value` (see [`person_text`]).
pub fn email_text(ds: &Dataset, e: &Email, base: &str, out: &mut Vec<u8>) {
    let recipient = ds
        .people
        .get(e.person_id)
        .and_then(|p| p.email_address.as_deref());
    let null = Value::Null;
    let mut o = TextObj::open(out);
    o.set("action", opt_href(base, "actions", e.action_id))
        .set("bounced", e.bounced)
        .set("cadence", opt_href(base, "cadences", e.cadence_id))
        .set("click_tracking", e.click_tracking)
        .set(
            "counts",
            json!({
                "clicks": e.clicks,
                "views": e.views,
                "replies": e.replies,
                "unique_devices": e.unique_devices,
                "unique_locations": e.unique_locations,
                "attachments": 0,
            }),
        )
        .set("created_at", ts(ds, e.created_at))
        .set("crm_activity", &null)
        .set(
            "email_template",
            opt_href(base, "email_templates", e.template_id),
        )
        .set("headers", json!({}))
        .set("id", e.id)
        .set("mailing", json!({"id": e.mailing_id}))
        .set("personalization", format!("{:.1}", e.personalization))
        .set("recipient", href(base, "people", e.person_id))
        .set("recipient_email_address", recipient)
        .set("send_after", opt_ts(ds, e.send_after))
        .set("sent_at", opt_ts(ds, e.sent_at))
        .set("status", e.status.as_str())
        .set("step", opt_href(base, "steps", e.step_id))
        .set("task", &null)
        .set("updated_at", ts(ds, e.updated_at))
        .set("user", href(base, "users", e.user_id))
        .set("view_tracking", e.view_tracking);
    o.close();
}

pub fn call(ds: &Dataset, c: &Call, base: &str) -> Value {
    Obj::new()
        .set("id", c.id)
        .set("to", c.to.as_str())
        .set("duration", c.duration)
        .set("sentiment", c.sentiment.clone())
        .set("disposition", c.disposition.clone())
        .set("created_at", ts(ds, c.created_at))
        .set("updated_at", ts(ds, c.updated_at))
        .set("recordings", Vec::<Value>::new())
        .set("user", href(base, "users", c.user_id))
        .set("action", Value::Null)
        .set("called_person", href(base, "people", c.person_id))
        .set("crm_activity", Value::Null)
        .set("note", Value::Null)
        .set("cadence", opt_href(base, "cadences", c.cadence_id))
        .set("step", opt_href(base, "steps", c.step_id))
        .done()
}

#[cfg(test)]
mod tests;
