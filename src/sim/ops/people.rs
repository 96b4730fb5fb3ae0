//! Creating and updating people: the "email_address or phone + last_name"
//! lookup rule, case-insensitive email uniqueness, `person_by_email` upkeep.

use super::{Errors, World};
use crate::sim::body::{Fields, Got};
use crate::sim::model::{Dataset, Person};
use crate::sim::query::ApiError;

const SENIORITIES: [&str; 6] = [
    "director",
    "executive",
    "individual_contributor",
    "manager",
    "vice_president",
    "unknown",
];

fn valid_email(s: &str) -> bool {
    let mut parts = s.split('@');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(domain), None) => {
            !local.is_empty() && domain.contains('.') && !s.chars().any(char::is_whitespace)
        }
        _ => false,
    }
}

/// Applies the writable person fields in `f` to `p`, collecting errors.
fn apply_person(ds: &Dataset, p: &mut Person, f: &Fields, errs: &mut Errors) {
    let texts: [(&str, &mut Option<String>); 13] = [
        ("first_name", &mut p.first_name),
        ("last_name", &mut p.last_name),
        ("email_address", &mut p.email_address),
        ("phone", &mut p.phone),
        ("mobile_phone", &mut p.mobile_phone),
        ("title", &mut p.title),
        ("person_company_name", &mut p.company_name),
        ("person_company_website", &mut p.company_website),
        ("person_company_industry", &mut p.company_industry),
        ("city", &mut p.city),
        ("state", &mut p.state),
        ("country", &mut p.country),
        ("linkedin_url", &mut p.linkedin_url),
    ];
    for (name, slot) in texts {
        match f.text(name) {
            Got::Absent => {}
            Got::Null => *slot = None,
            Got::Value(v) => *slot = Some(v),
            Got::Invalid => errs.add(name, "is invalid"),
        }
    }
    match f.text("job_seniority") {
        Got::Absent => {}
        Got::Null => p.job_seniority = None,
        Got::Value(v) if SENIORITIES.contains(&v.as_str()) => p.job_seniority = Some(v),
        _ => errs.add("job_seniority", "is not included in the list"),
    }
    match f.id("owner_id") {
        Got::Absent => {}
        Got::Null => p.owner_id = None,
        Got::Value(id) if ds.users.get(id).is_some() => p.owner_id = Some(id),
        _ => errs.add("owner_id", "is invalid"),
    }
    match f.boolean("do_not_contact") {
        Got::Absent => {}
        Got::Null => p.do_not_contact = false,
        Got::Value(b) => p.do_not_contact = b,
        Got::Invalid => errs.add("do_not_contact", "is invalid"),
    }
    match f.strings("tags") {
        Got::Absent => {}
        Got::Null => p.tags.clear(),
        Got::Value(tags) => p.tags = tags,
        Got::Invalid => errs.add("tags", "is invalid"),
    }
}

/// Checks the lookup rule ("email_address or phone + last_name") and email uniqueness.
fn check_identity(ds: &Dataset, p: &Person, errs: &mut Errors) {
    match &p.email_address {
        Some(email) => {
            if !valid_email(email) {
                errs.add("email_address", "is invalid");
            } else if let Some(&other) = ds.person_by_email.get(&email.to_lowercase())
                && other != p.id
            {
                errs.add("email_address", "has already been taken");
            }
        }
        None if p.phone.is_some() && p.last_name.is_some() => {}
        None => errs.add("email_address", "can't be blank"),
    }
}

/// `POST /v2/people`: returns the new person's id.
pub fn create_person(w: &mut World, f: &Fields) -> Result<u64, ApiError> {
    let now = w.stamp();
    let me = w.me();
    let ds = &mut w.ds;
    let mut p = Person {
        id: ds.people.next_id(),
        first_name: None,
        last_name: None,
        email_address: None,
        phone: None,
        mobile_phone: None,
        title: None,
        company_name: None,
        company_website: None,
        company_industry: None,
        city: None,
        state: None,
        country: None,
        linkedin_url: None,
        job_seniority: None,
        owner_id: me,
        do_not_contact: false,
        bouncing: false,
        tags: Vec::new(),
        counts: Default::default(),
        last_contacted_at: None,
        last_contacted_type: None,
        last_contacted_by: None,
        last_replied_at: None,
        created_at: now,
        updated_at: now,
    };
    let mut errs = Errors::default();
    apply_person(ds, &mut p, f, &mut errs);
    check_identity(ds, &p, &mut errs);
    errs.check()?;
    if let Some(email) = &p.email_address {
        ds.person_by_email.insert(email.to_lowercase(), p.id);
    }
    Ok(ds.people.insert(p))
}

/// `PUT /v2/people/{id}`: partial update.
pub fn update_person(w: &mut World, id: u64, f: &Fields) -> Result<(), ApiError> {
    let now = w.stamp();
    let ds = &mut w.ds;
    let mut p = ds.people.get(id).cloned().ok_or(ApiError::NotFound)?;
    let old_email = p.email_address.as_ref().map(|e| e.to_lowercase());
    let mut errs = Errors::default();
    apply_person(ds, &mut p, f, &mut errs);
    check_identity(ds, &p, &mut errs);
    errs.check()?;
    let new_email = p.email_address.as_ref().map(|e| e.to_lowercase());
    if old_email != new_email {
        if let Some(old) = old_email
            && ds.person_by_email.get(&old) == Some(&id)
        {
            ds.person_by_email.remove(&old);
        }
        if let Some(new) = new_email {
            ds.person_by_email.insert(new, id);
        }
    }
    p.updated_at = now;
    ds.people
        .update(id, |row| *row = p)
        .ok_or(ApiError::NotFound)
}
