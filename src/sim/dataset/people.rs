//! Companies and the people who work there.

use std::collections::{HashMap, HashSet};

use super::basis::{DAY, GenOptions, HOUR, PERSON_BASE};
use super::names::{
    CITIES, COMPANY_FIRST, COMPANY_SECOND, COMPANY_SUFFIX, FIRST_NAMES, INDUSTRIES, LAST_NAMES,
    PERSON_TAGS, TITLES, TLDS,
};
use crate::sim::model::{Micros, Person, PersonCounts, User};
use crate::sim::rng::Rng;

pub(super) struct People {
    pub people: Vec<Person>,
    pub by_email: HashMap<String, u64>,
}

struct Company {
    name: String,
    domain: String,
    industry: &'static str,
    city: usize,
}

fn companies(rng: &mut Rng, n: usize) -> Vec<Company> {
    let mut domains = HashSet::new();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let base = format!(
            "{}{}",
            rng.pick(COMPANY_FIRST),
            rng.pick(COMPANY_SECOND).to_lowercase()
        );
        let suffix = *rng.pick(COMPANY_SUFFIX);
        let name = if suffix.is_empty() {
            base.clone()
        } else {
            format!("{base} {suffix}")
        };
        let mut domain = format!("{}.{}", base.to_lowercase(), rng.pick(TLDS));
        let mut k = 2;
        while !domains.insert(domain.clone()) {
            domain = format!("{}{k}.{}", base.to_lowercase(), rng.pick(TLDS));
            k += 1;
        }
        out.push(Company {
            name,
            domain,
            industry: INDUSTRIES[rng.index(INDUSTRIES.len())],
            city: rng.index(CITIES.len()),
        });
    }
    out
}

fn country_code(country: &str) -> &'static str {
    match country {
        "GB" => "44",
        "IE" => "353",
        "DE" => "49",
        "FR" => "33",
        "NL" => "31",
        "SE" => "46",
        "AU" => "61",
        _ => "1",
    }
}

fn phone(rng: &mut Rng, city: usize) -> String {
    let (_, _, country, area) = CITIES[city % CITIES.len()];
    let digits = 10usize.saturating_sub(area.len()).max(6);
    let limit = 10u64.pow(u32::try_from(digits).unwrap_or(7));
    let n = rng.range(limit / 10 * 2, limit);
    format!(
        "+{}{}{:0width$}",
        country_code(country),
        area,
        n,
        width = digits
    )
}

fn email_local(rng: &mut Rng, first: &str, last: &str) -> String {
    let (f, l) = (first.to_lowercase(), last.to_lowercase());
    match rng.weighted(&[60.0, 20.0, 10.0, 10.0]) {
        0 => format!("{f}.{l}"),
        1 => format!("{}{l}", &f[..1.min(f.len())]),
        2 => f,
        _ => format!("{f}_{l}"),
    }
}

/// Creation times, ascending (ids follow creation order like the real API's).
fn created_times(rng: &mut Rng, n: usize, now: Micros) -> Vec<Micros> {
    let mut times: Vec<Micros> = (0..n)
        .map(|_| {
            if rng.chance(0.7) {
                now - rng.range_i64(180 * DAY, 720 * DAY)
            } else {
                now - rng.range_i64(HOUR, 180 * DAY)
            }
        })
        .collect();
    times.sort_unstable();
    times
}

pub(super) fn build(rng: &mut Rng, opts: &GenOptions, users: &[User]) -> People {
    let now = opts.now;
    let owners: Vec<u64> = users
        .iter()
        .filter(|u| u.active && !u.team_admin)
        .map(|u| u.id)
        .collect();
    let fallback_owner = users.first().map(|u| u.id);
    let companies = companies(rng, (opts.people / 8).max(20));
    let created = created_times(rng, opts.people, now);
    let mut by_email: HashMap<String, u64> = HashMap::with_capacity(opts.people);
    let mut people = Vec::with_capacity(opts.people);
    for (i, created_at) in created.into_iter().enumerate() {
        let id = PERSON_BASE + i as u64;
        let first = *rng.pick(FIRST_NAMES);
        let last = *rng.pick(LAST_NAMES);
        let company = rng.pick(&companies);
        let city = if rng.chance(0.7) {
            company.city
        } else {
            rng.index(CITIES.len())
        };
        let (city_name, state, country, _) = CITIES[city];
        let has_email = !rng.chance(0.005);
        let email = has_email.then(|| {
            let local = email_local(rng, first, last);
            let mut candidate = format!("{local}@{}", company.domain);
            let mut k = 2;
            while by_email.contains_key(&candidate) {
                candidate = format!("{local}{k}@{}", company.domain);
                k += 1;
            }
            by_email.insert(candidate.clone(), id);
            candidate
        });
        let (title, seniority) = *rng.pick(TITLES);
        let mut tags = Vec::new();
        if rng.chance(0.15) {
            tags.push(rng.pick(PERSON_TAGS).to_string());
        }
        let updated_at = if rng.chance(0.3) {
            (created_at + rng.range_i64(HOUR, 60 * DAY)).min(now)
        } else {
            created_at + rng.range_i64(1, 900_000)
        };
        people.push(Person {
            id,
            first_name: Some(first.to_string()),
            last_name: Some(last.to_string()),
            email_address: email,
            phone: (!has_email || rng.chance(0.6)).then(|| phone(rng, city)),
            mobile_phone: rng.chance(0.4).then(|| phone(rng, city)),
            title: rng.chance(0.95).then(|| title.to_string()),
            company_name: Some(company.name.clone()),
            company_website: Some(format!("https://www.{}", company.domain)),
            company_industry: rng.chance(0.85).then(|| company.industry.to_string()),
            city: Some(city_name.to_string()),
            state: Some(state.to_string()),
            country: Some(country.to_string()),
            linkedin_url: rng.chance(0.45).then(|| {
                format!(
                    "https://www.linkedin.com/in/{}-{}-{:06x}",
                    first.to_lowercase(),
                    last.to_lowercase(),
                    rng.range(0, 1 << 24)
                )
            }),
            job_seniority: seniority.map(str::to_string),
            owner_id: rng.try_pick(&owners).copied().or(fallback_owner),
            do_not_contact: rng.chance(0.01),
            bouncing: false,
            tags,
            counts: PersonCounts::default(),
            last_contacted_at: None,
            last_contacted_type: None,
            last_contacted_by: None,
            last_replied_at: None,
            created_at,
            updated_at: updated_at.min(now),
        });
    }
    People { people, by_email }
}
