//! People in the real API's shape (`salesloft-api.md` §3.2).

use serde_json::{Value, json};

use super::{TextObj, href, opt_href, opt_ts, quoted_address, ts};
use crate::sim::model::{Dataset, Micros, Person};

/// IANA-ish zone and UTC offset (minutes) for a generated place.
fn locale(state: Option<&str>, country: Option<&str>) -> Option<(&'static str, i32)> {
    Some(match (country?, state.unwrap_or_default()) {
        ("US", "CA" | "WA" | "OR") => ("US/Pacific", -420),
        ("US", "AZ") => ("US/Arizona", -420),
        ("US", "CO" | "UT") => ("US/Mountain", -360),
        ("US", "IL" | "TX" | "MN" | "TN") => ("US/Central", -300),
        ("US", _) => ("US/Eastern", -240),
        ("CA", "BC") => ("America/Vancouver", -420),
        ("CA", _) => ("America/Toronto", -240),
        ("GB", _) => ("Europe/London", 60),
        ("IE", _) => ("Europe/Dublin", 60),
        ("AU", _) => ("Australia/Sydney", 600),
        (_, _) => ("Europe/Berlin", 120),
    })
}

/// References to the cadences a person is currently on, and the most recent one
/// (cadences in id order, as the cadence table lists them).
fn person_cadences(ds: &Dataset, person_id: u64, base: &str) -> (Vec<Value>, Value) {
    let mut current = Vec::new();
    let mut recent: Option<(Micros, u64)> = None;
    for (cadence_id, membership_id) in ds.memberships_of(person_id) {
        if ds.cadences.get(cadence_id).is_none() {
            continue;
        }
        let Some(m) = ds.memberships.get(membership_id) else {
            continue;
        };
        if m.state.on_cadence() {
            current.push(href(base, "cadences", cadence_id));
        }
        if recent.is_none_or(|(t, _)| m.added_at > t) {
            recent = Some((m.added_at, cadence_id));
        }
    }
    (current, opt_href(base, "cadences", recent.map(|r| r.1)))
}

pub fn person(ds: &Dataset, p: &Person, base: &str) -> Value {
    let mut out = Vec::with_capacity(2048);
    person_text(ds, p, base, &mut out);
    serde_json::from_slice(&out).unwrap_or(Value::Null)
}

/// Writes the person as compact JSON, keys in the order `serde_json` writes a
/// `Value` (sorted), so a list page is written straight from the rows, with no
/// value tree built and dropped per row, and equals the rendered `Value` byte for
/// byte.
pub fn person_text(ds: &Dataset, p: &Person, base: &str, out: &mut Vec<u8>) {
    let name = [p.first_name.as_deref(), p.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let display = if name.is_empty() {
        p.email_address.clone().unwrap_or_default()
    } else {
        name.clone()
    };
    let full_email = p.email_address.as_ref().map(|e| {
        if name.is_empty() {
            e.clone()
        } else {
            quoted_address(&name, e)
        }
    });
    let place = locale(p.state.as_deref(), p.country.as_deref());
    let eu = matches!(p.country.as_deref(), Some("IE" | "DE" | "FR" | "NL" | "SE"));
    let (cadences, most_recent) = person_cadences(ds, p.id, base);
    let c = &p.counts;
    let null = Value::Null;
    let mut o = TextObj::open(out);
    o.set("account", &null)
        .set("account_crm_id", &null)
        .set("bouncing", p.bouncing)
        .set("cadences", &cadences)
        .set("city", &p.city)
        .set("contact_restrictions", [(); 0])
        .set("country", &p.country)
        .set(
            "counts",
            json!({
                "emails_sent": c.emails_sent,
                "emails_viewed": c.emails_viewed,
                "emails_clicked": c.emails_clicked,
                "emails_replied_to": c.emails_replied_to,
                "emails_bounced": c.emails_bounced,
                "calls": c.calls,
            }),
        )
        .set("created_at", ts(ds, p.created_at))
        .set("crm_id", &null)
        .set("crm_object_type", &null)
        .set("crm_url", &null)
        .set("custom_fields", json!({}))
        .set("display_name", display)
        .set("do_not_contact", p.do_not_contact)
        .set("email_address", &p.email_address)
        .set("eu_resident", eu)
        .set("first_name", &p.first_name)
        .set("full_email_address", full_email)
        .set("home_phone", &null)
        .set("id", p.id)
        .set("import", &null)
        .set("job_seniority", &p.job_seniority)
        .set("last_completed_step", &null)
        .set("last_completed_step_cadence", &null)
        .set("last_contacted_at", opt_ts(ds, p.last_contacted_at))
        .set(
            "last_contacted_by",
            opt_href(base, "users", p.last_contacted_by),
        )
        .set("last_contacted_type", &p.last_contacted_type)
        .set("last_name", &p.last_name)
        .set("last_replied_at", opt_ts(ds, p.last_replied_at))
        .set("linkedin_url", &p.linkedin_url)
        .set("locale", place.map(|l| l.0))
        .set("locale_utc_offset", place.map(|l| l.1))
        .set("mobile_phone", &p.mobile_phone)
        .set("most_recent_cadence", most_recent)
        .set("owner", opt_href(base, "users", p.owner_id))
        .set("owner_crm_id", &null)
        .set("person_company_industry", &p.company_industry)
        .set("person_company_name", &p.company_name)
        .set("person_company_website", &p.company_website)
        .set("person_stage", &null)
        .set("personal_email_address", &null)
        .set("personal_website", &null)
        .set("phone", &p.phone)
        .set("phone_extension", &null)
        .set("secondary_email_address", &null)
        .set("starred", false)
        .set("state", &p.state)
        .set("success_count", 0)
        .set("tags", &p.tags)
        .set("title", &p.title)
        .set("twitter_handle", &null)
        .set("untouched", p.last_contacted_at.is_none())
        .set("updated_at", ts(ds, p.updated_at))
        .set("work_city", &null)
        .set("work_country", &null)
        .set("work_state", &null);
    o.close();
}
