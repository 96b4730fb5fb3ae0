//! The list endpoints, one function each: which filters a resource accepts
//! (salesloft-api.md Appendix A), how it may be sorted, and how its rows render.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::Value;

use super::json;
use super::list::{Order, Select, SortVal, envelope, envelope_text, select};
use super::model::{
    Cadence, Call, Dataset, Email, EmailTemplate, Membership, Person, Record, Step, Table, User,
};
use super::query::{ApiError, Query};

type Key<T> = fn(&T) -> SortVal;

/// A resource's row filter from its query; `None` when no filter was given, so
/// the list can page and count on the `updated_at` index alone.
pub(super) type Filter<T> = Option<Box<dyn Fn(&T) -> bool>>;

/// The filter `f`, unless `given` says no filter parameter was set.
fn filter<T>(given: bool, f: impl Fn(&T) -> bool + 'static) -> Filter<T> {
    given.then(|| Box::new(f) as Box<dyn Fn(&T) -> bool>)
}

/// Reads paging and sorting, then the resource's filters via `filters`, and
/// renders the page as the response body. `key` maps a sort name to a key
/// (`None` = updated_at index); `render` writes one row as JSON (see [`value`]).
#[allow(clippy::too_many_arguments)]
pub(super) fn run<T: Record>(
    table: &Table<T>,
    mut q: Query,
    always_page: bool,
    sorts: &[&str],
    default_sort: &str,
    key: fn(&str) -> Option<Key<T>>,
    filters: impl FnOnce(&mut Query) -> Filter<T>,
    render: impl Fn(&T, &mut Vec<u8>),
) -> Result<String, ApiError> {
    let paging = q.paging(always_page);
    let sorting = q.sorting(sorts, default_sort);
    let ids = q.ids("ids");
    let updated = q.range("updated_at");
    let keep = filters(&mut q);
    let filtering = q.finish()?;
    let key_fn = key(&sorting.by);
    let order = match &key_fn {
        Some(f) => Order::By(f),
        None => Order::Updated,
    };
    let sel = Select {
        ids,
        updated,
        order,
        desc: sorting.desc,
        paging,
    };
    let page = select(table, &sel, keep.as_deref());
    let meta = envelope(filtering, &paging, &sorting, &page, Vec::new());
    Ok(envelope_text(&meta, &page.rows, render))
}

/// `keep`, and not a row of a hidden person (`--non-admin`, see
/// `sim::privacy`); `person` names the row's person.
fn hiding<T: 'static>(
    keep: Filter<T>,
    hidden: Option<Arc<HashSet<u64>>>,
    person: fn(&T) -> u64,
) -> Filter<T> {
    let Some(hidden) = hidden else {
        return keep;
    };
    Some(Box::new(move |row: &T| {
        !hidden.contains(&person(row)) && keep.as_ref().is_none_or(|k| k(row))
    }))
}

/// A row renderer from one that builds a `Value`.
pub(super) fn value<T>(f: impl Fn(&T) -> Value) -> impl Fn(&T, &mut Vec<u8>) {
    move |row, out| {
        // Writing a value into a Vec cannot fail.
        let _ = serde_json::to_writer(out, &f(row));
    }
}

fn any_in<T: Eq + std::hash::Hash>(set: &Option<HashSet<T>>, v: &T) -> bool {
    set.as_ref().is_none_or(|s| s.contains(v))
}

fn opt_in<T: Eq + std::hash::Hash>(set: &Option<HashSet<T>>, v: Option<&T>) -> bool {
    match set {
        None => true,
        Some(s) => v.is_some_and(|v| s.contains(v)),
    }
}

fn flag_is(flag: Option<bool>, v: bool) -> bool {
    flag.is_none_or(|f| f == v)
}

/// Case-insensitive membership of an optional string in a lower-cased set.
fn text_in(set: &Option<HashSet<String>>, v: Option<&str>) -> bool {
    match set {
        None => true,
        Some(s) => match v {
            Some(v) => s.contains(&v.to_lowercase()),
            None => s.contains("_is_null"),
        },
    }
}

/// User ids for `owned_by_guid[]`/`user_guid[]`-style filters.
fn users_by_guid(ds: &Dataset, guids: Option<Vec<String>>) -> Option<HashSet<u64>> {
    let guids: HashSet<String> = guids?.into_iter().collect();
    Some(
        ds.users
            .iter()
            .filter(|u| guids.contains(&u.guid))
            .map(|u| u.id)
            .collect(),
    )
}

pub fn user_name(u: &User) -> String {
    format!("{} {}", u.first_name, u.last_name)
}

pub fn users(ds: &Dataset, q: Query, base: &str) -> Result<String, ApiError> {
    let key = |by: &str| -> Option<Key<User>> {
        let f: Key<User> = match by {
            "email" => |u| SortVal::text(Some(&u.email)),
            "name" => |u| SortVal::Text(user_name(u).to_lowercase()),
            "group" => |_| SortVal::Null,
            "role" => |u| SortVal::Text(if u.team_admin { "admin" } else { "user" }.into()),
            _ => |u| SortVal::Int(u.id as i64),
        };
        Some(f)
    };
    let filters = |q: &mut Query| -> Filter<User> {
        let guids: Option<HashSet<String>> = q.strings("guid").map(|v| v.into_iter().collect());
        let roles = q.lower_set("role_id");
        let active = q.flag("active");
        // Defaults to true: only users the key may act on (its group under
        // group privacy, everyone otherwise).
        let visible_only = q.flag("visible_only").unwrap_or(true);
        let privacy = ds.privacy.clone().filter(|_| visible_only);
        let search = q.raw("search").map(str::to_string);
        if let Some(s) = search.clone() {
            q.echo("search", Value::String(s));
        }
        let search = search.map(|s| s.to_lowercase());
        filter(true, move |u: &User| {
            let role = if u.team_admin { "admin" } else { "user" };
            privacy.as_ref().is_none_or(|p| p.user_visible(u.id))
                && guids.as_ref().is_none_or(|g| g.contains(&u.guid))
                && roles.as_ref().is_none_or(|r| r.contains(role))
                && flag_is(active, u.active)
                && search.as_ref().is_none_or(|s| {
                    user_name(u).to_lowercase().contains(s) || u.email.to_lowercase().contains(s)
                })
        })
    };
    let sorts = ["id", "email", "name", "group", "role"];
    let render = value(|u: &User| json::user(ds, u, base));
    run(&ds.users, q, false, &sorts, "id", key, filters, render)
}

fn person_name(p: &Person) -> SortVal {
    let name = match (&p.first_name, &p.last_name) {
        (Some(f), Some(l)) => format!("{f} {l}"),
        (Some(n), None) | (None, Some(n)) => n.clone(),
        (None, None) => p.email_address.clone().unwrap_or_default(),
    };
    SortVal::Text(name.to_lowercase())
}

pub fn people(ds: &Dataset, q: Query, base: &str) -> Result<String, ApiError> {
    let key = |by: &str| -> Option<Key<Person>> {
        let f: Key<Person> = match by {
            "created_at" => |p| SortVal::Int(p.created_at),
            "last_contacted_at" => |p| SortVal::opt_int(p.last_contacted_at),
            "name" => person_name,
            "title" => |p| SortVal::text(p.title.as_deref()),
            "job_seniority" => |p| SortVal::text(p.job_seniority.as_deref()),
            "call_count" => |p| SortVal::Int(p.counts.calls.into()),
            "sent_emails" => |p| SortVal::Int(p.counts.emails_sent.into()),
            "clicked_emails" => |p| SortVal::Int(p.counts.emails_clicked.into()),
            "replied_emails" => |p| SortVal::Int(p.counts.emails_replied_to.into()),
            "viewed_emails" => |p| SortVal::Int(p.counts.emails_viewed.into()),
            "account" | "cadence_stage_name" => |_| SortVal::Null,
            _ => return None,
        };
        Some(f)
    };
    let filters = |q: &mut Query| -> Filter<Person> {
        let created = q.range("created_at");
        let emails = q.lower_set("email_addresses");
        let on_cadence: Option<HashSet<u64>> = q.ids("cadence_id").map(|cads| {
            ds.memberships
                .iter()
                .filter(|m| m.state.on_cadence() && cads.contains(&m.cadence_id))
                .map(|m| m.person_id)
                .collect()
        });
        let by_guid = users_by_guid(ds, q.strings("owned_by_guid"));
        let owner_ids = q.ids("owner_id");
        let bounced = q.flag("bounced");
        let replied = q.flag("replied");
        let dnc = q.flag("do_not_contact");
        let titles = q.lower_set("title");
        let seniority = q.lower_set("job_seniority");
        let countries = q.lower_set("country");
        let states = q.lower_set("state");
        let cities = q.lower_set("city");
        let given = !created.is_empty()
            || emails.is_some()
            || on_cadence.is_some()
            || by_guid.is_some()
            || owner_ids.is_some()
            || bounced.is_some()
            || replied.is_some()
            || dnc.is_some()
            || titles.is_some()
            || seniority.is_some()
            || countries.is_some()
            || states.is_some()
            || cities.is_some();
        filter(given, move |p: &Person| {
            created.contains(p.created_at)
                && text_in(&emails, p.email_address.as_deref())
                && any_in(&on_cadence, &p.id)
                && opt_in(&by_guid, p.owner_id.as_ref())
                && opt_in(&owner_ids, p.owner_id.as_ref())
                && flag_is(bounced, p.bouncing || p.counts.emails_bounced > 0)
                && flag_is(replied, p.counts.emails_replied_to > 0)
                && flag_is(dnc, p.do_not_contact)
                && text_in(&titles, p.title.as_deref())
                && text_in(&seniority, p.job_seniority.as_deref())
                && text_in(&countries, p.country.as_deref())
                && text_in(&states, p.state.as_deref())
                && text_in(&cities, p.city.as_deref())
        })
    };
    let sorts = [
        "created_at",
        "updated_at",
        "last_contacted_at",
        "name",
        "title",
        "job_seniority",
        "call_count",
        "sent_emails",
        "clicked_emails",
        "replied_emails",
        "viewed_emails",
        "account",
        "cadence_stage_name",
    ];
    run(
        &ds.people,
        q,
        true,
        &sorts,
        "updated_at",
        key,
        |q: &mut Query| {
            hiding(
                filters(q),
                super::privacy::hidden_people(ds),
                |p: &Person| p.id,
            )
        },
        |p, out| json::person_text(ds, p, base, out),
    )
}

pub fn cadences(ds: &Dataset, q: Query, base: &str) -> Result<String, ApiError> {
    let key = |by: &str| -> Option<Key<Cadence>> {
        let f: Key<Cadence> = match by {
            "created_at" => |c| SortVal::Int(c.created_at),
            "name" => |c| SortVal::text(Some(&c.name)),
            _ => return None,
        };
        Some(f)
    };
    let filters = |q: &mut Query| -> Filter<Cadence> {
        let team = q.flag("team_cadence");
        let shared = q.flag("shared");
        let archived = q.flag("archived");
        let addable = q.flag("people_addable");
        let names = q.lower_set("name");
        let owners = users_by_guid(ds, q.strings("owned_by_guid"));
        filter(true, move |c: &Cadence| {
            flag_is(team, c.team_cadence)
                && flag_is(shared, c.shared)
                && flag_is(archived, c.archived_at.is_some())
                && flag_is(addable, c.archived_at.is_none() && !c.draft)
                && text_in(&names, Some(&c.name))
                && any_in(&owners, &c.owner_id)
        })
    };
    let sorts = ["created_at", "updated_at", "name"];
    run(
        &ds.cadences,
        q,
        true,
        &sorts,
        "updated_at",
        key,
        filters,
        value(|c| json::cadence(ds, c, base)),
    )
}

pub fn memberships(ds: &Dataset, q: Query, base: &str) -> Result<String, ApiError> {
    let key = |by: &str| -> Option<Key<Membership>> {
        let f: Key<Membership> = match by {
            "added_at" => |m| SortVal::Int(m.added_at),
            _ => return None,
        };
        Some(f)
    };
    let filters = |q: &mut Query| -> Filter<Membership> {
        let people = q.ids("person_id");
        let cads = q.ids("cadence_id");
        let current = q.flag("currently_on_cadence");
        let given = people.is_some() || cads.is_some() || current.is_some();
        filter(given, move |m: &Membership| {
            any_in(&people, &m.person_id)
                && any_in(&cads, &m.cadence_id)
                && flag_is(current, m.state.on_cadence())
        })
    };
    let sorts = ["added_at", "updated_at"];
    run(
        &ds.memberships,
        q,
        true,
        &sorts,
        "updated_at",
        key,
        |q: &mut Query| {
            hiding(
                filters(q),
                super::privacy::hidden_people(ds),
                |m: &Membership| m.person_id,
            )
        },
        value(|m| json::membership(ds, m, base)),
    )
}

pub fn steps(ds: &Dataset, q: Query, base: &str) -> Result<String, ApiError> {
    let key = |by: &str| -> Option<Key<Step>> {
        let f: Key<Step> = match by {
            "created_at" => |s| SortVal::Int(s.created_at),
            _ => return None,
        };
        Some(f)
    };
    let filters = |q: &mut Query| -> Filter<Step> {
        let cads = q.ids("cadence_id");
        let kinds = q.lower_set("type");
        filter(true, move |s: &Step| {
            any_in(&cads, &s.cadence_id) && text_in(&kinds, Some(s.kind.as_str()))
        })
    };
    let sorts = ["created_at", "updated_at"];
    run(
        &ds.steps,
        q,
        true,
        &sorts,
        "updated_at",
        key,
        filters,
        value(|s| json::step(ds, s, base)),
    )
}

pub fn emails(ds: &Dataset, q: Query, base: &str) -> Result<String, ApiError> {
    let key = |by: &str| -> Option<Key<Email>> {
        let f: Key<Email> = match by {
            "send_time" => |e| SortVal::opt_int(e.sent_at),
            _ => return None,
        };
        Some(f)
    };
    let filters = |q: &mut Query| -> Filter<Email> {
        let bounced = q.flag("bounced");
        let one_off = q.flag("one_off");
        let users = q.ids("user_id");
        let statuses = q.lower_set("status");
        let cads = q.ids("cadence_id");
        let steps = q.ids("step_id");
        let actions = q.ids("action_id");
        let people = q.ids("person_id");
        let recipients: Option<HashSet<u64>> = q.lower_set("email_addresses").map(|set| {
            set.iter()
                .filter_map(|e| ds.person_by_email.get(e).copied())
                .collect()
        });
        let sent = q.range("sent_at");
        let given = bounced.is_some()
            || one_off.is_some()
            || users.is_some()
            || statuses.is_some()
            || cads.is_some()
            || steps.is_some()
            || actions.is_some()
            || people.is_some()
            || recipients.is_some()
            || !sent.is_empty();
        filter(given, move |e: &Email| {
            flag_is(bounced, e.bounced)
                && flag_is(one_off, e.cadence_id.is_none())
                && any_in(&users, &e.user_id)
                && text_in(&statuses, Some(e.status.as_str()))
                && opt_in(&cads, e.cadence_id.as_ref())
                && opt_in(&steps, e.step_id.as_ref())
                && opt_in(&actions, e.action_id.as_ref())
                && any_in(&people, &e.person_id)
                && any_in(&recipients, &e.person_id)
                && sent.contains_opt(e.sent_at)
        })
    };
    let sorts = ["updated_at", "send_time"];
    run(
        &ds.emails,
        q,
        true,
        &sorts,
        "updated_at",
        key,
        |q: &mut Query| {
            hiding(
                filters(q),
                super::privacy::hidden_people(ds),
                |e: &Email| e.person_id,
            )
        },
        |e, out| json::email_text(ds, e, base, out),
    )
}

pub fn calls(ds: &Dataset, q: Query, base: &str) -> Result<String, ApiError> {
    let key = |by: &str| -> Option<Key<Call>> {
        let f: Key<Call> = match by {
            "created_at" => |c| SortVal::Int(c.created_at),
            _ => return None,
        };
        Some(f)
    };
    let filters = |q: &mut Query| -> Filter<Call> {
        let created = q.range("created_at");
        let users = users_by_guid(ds, q.strings("user_guid"));
        let people = q.ids("person_id");
        let sentiments: Option<HashSet<String>> =
            q.strings("sentiment").map(|v| v.into_iter().collect());
        let dispositions: Option<HashSet<String>> =
            q.strings("disposition").map(|v| v.into_iter().collect());
        filter(true, move |c: &Call| {
            created.contains(c.created_at)
                && any_in(&users, &c.user_id)
                && any_in(&people, &c.person_id)
                && opt_in(&sentiments, c.sentiment.as_ref())
                && opt_in(&dispositions, c.disposition.as_ref())
        })
    };
    let sorts = ["created_at", "updated_at"];
    run(
        &ds.calls,
        q,
        true,
        &sorts,
        "updated_at",
        key,
        |q: &mut Query| {
            hiding(filters(q), super::privacy::hidden_people(ds), |c: &Call| {
                c.person_id
            })
        },
        value(|c| json::call(ds, c, base)),
    )
}

pub fn email_templates(ds: &Dataset, q: Query, base: &str) -> Result<String, ApiError> {
    let key = |by: &str| -> Option<Key<EmailTemplate>> {
        let f: Key<EmailTemplate> = match by {
            "created_at" => |t| SortVal::Int(t.created_at),
            _ => return None,
        };
        Some(f)
    };
    let filters = |q: &mut Query| -> Filter<EmailTemplate> {
        let include_cadence = q.flag("include_cadence_templates").unwrap_or(false);
        let cads = q.ids("cadence_id");
        // Templates used on the given cadences' steps.
        let on_cadences: Option<HashSet<u64>> = cads.map(|cads| {
            ds.steps
                .iter()
                .filter(|s| cads.contains(&s.cadence_id))
                .flat_map(|s| s.template_ids.iter().copied())
                .collect()
        });
        filter(true, move |t: &EmailTemplate| {
            (include_cadence || !t.cadence_template) && any_in(&on_cadences, &t.id)
        })
    };
    let counts = json::template_counts(ds);
    let sorts = ["created_at", "updated_at"];
    run(
        &ds.email_templates,
        q,
        true,
        &sorts,
        "updated_at",
        key,
        filters,
        value(|t| json::email_template(ds, t, counts.get(&t.id), base)),
    )
}
