use std::collections::BTreeSet;

use serde_json::Value;

use super::*;
use crate::sim::dataset::{GenOptions, generate};
use crate::sim::model::MembershipState;

const BASE: &str = "http://127.0.0.1:7878/v2";

fn small() -> Dataset {
    generate(&GenOptions {
        seed: 11,
        people: 300,
        cadences: 12,
        users: 6,
        now: 1_714_564_800_123_457,
    })
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

fn set(names: &str) -> BTreeSet<String> {
    names.split_whitespace().map(str::to_string).collect()
}

/// Walks a value: no `opens` key anywhere, every timestamp well formed.
fn audit(v: &Value, key: &str) {
    match v {
        Value::Object(o) => {
            for (k, child) in o {
                assert!(!k.contains("open"), "forbidden key {k}");
                audit(child, k);
            }
        }
        Value::Array(a) => a.iter().for_each(|c| audit(c, key)),
        Value::String(s) if key.ends_with("_at") || key == "send_after" => {
            assert_eq!(s.len(), 32, "{key}: {s}");
            assert_eq!(&s[19..20], ".", "{s}");
            assert!(s[20..26].bytes().all(|b| b.is_ascii_digit()), "{s}");
            assert!(s.ends_with("-04:00"), "{s}");
        }
        _ => {}
    }
}

#[test]
fn timestamps_match_the_real_format() {
    let mut ds = small();
    assert_eq!(
        ts(&ds, 1_631_800_940_479_210),
        "2021-09-16T10:02:20.479210-04:00"
    );
    ds.utc_offset_minutes = 0;
    assert_eq!(
        ts(&ds, 1_631_800_940_000_001),
        "2021-09-16T14:02:20.000001+00:00"
    );
}

#[test]
fn timestamps_written_by_hand_equal_chronos_format() {
    let mut ds = small();
    let mut t: i64 = -62_000_000_000_000_000;
    for offset in [-720, -570, -240, 0, 45, 330, 600, 840] {
        ds.utc_offset_minutes = offset;
        let zone = FixedOffset::east_opt(offset * 60).unwrap();
        for _ in 0..2_000 {
            t = t
                .wrapping_mul(6_364_136_223_846_793)
                .wrapping_add(1_442_695_040_888_963)
                % 300_000_000_000_000_000;
            for v in [t, t / 1_000, 0, -1, 1_631_800_940_479_210] {
                let want = DateTime::from_timestamp_micros(v)
                    .unwrap_or_default()
                    .with_timezone(&zone)
                    .format("%Y-%m-%dT%H:%M:%S%.6f%:z")
                    .to_string();
                assert_eq!(ts(&ds, v), want, "{v} at {offset}");
            }
        }
    }
}

#[test]
fn people_written_as_text_equal_their_values_byte_for_byte() {
    let ds = small();
    assert!(ds.people.len() > 50);
    for p in ds.people.iter() {
        let mut out = Vec::new();
        person_text(&ds, p, BASE, &mut out);
        let text = String::from_utf8(out).unwrap();
        let value = person(&ds, p, BASE);
        assert!(value.is_object());
        assert_eq!(text, value.to_string(), "person {}", p.id);
    }
}

#[test]
fn emails_written_as_text_equal_their_values_byte_for_byte() {
    let ds = small();
    assert!(ds.emails.len() > 50);
    for e in ds.emails.iter() {
        let mut out = Vec::new();
        email_text(&ds, e, BASE, &mut out);
        let text = String::from_utf8(out).unwrap();
        let value = email(&ds, e, BASE);
        assert!(value.is_object());
        assert_eq!(text, value.to_string(), "email {}", e.id);
    }
}

#[test]
fn every_row_renders_with_the_real_field_set() {
    let ds = small();
    let user_keys = set(
        "id guid created_at updated_at name first_name last_name job_role active time_zone \
         locale_utc_offset slack_username twitter_handle email email_client_email_address \
         sending_email_address from_address full_email_address bcc_email_address work_country \
         seat_package email_signature email_signature_type \
         email_signature_click_tracking_disabled team_admin local_dial_enabled \
         click_to_call_enabled email_client_configured crm_connected external_feature_flags \
         _private_fields phone_client phone_number_assignment group team role",
    );
    let person_keys = set(
        "id created_at updated_at last_contacted_at last_replied_at first_name last_name \
         display_name email_address full_email_address secondary_email_address \
         personal_email_address phone phone_extension home_phone mobile_phone linkedin_url title \
         city state country work_city work_state work_country crm_url crm_id crm_object_type \
         owner_crm_id account_crm_id person_company_name person_company_website \
         person_company_industry do_not_contact bouncing locale locale_utc_offset eu_resident \
         personal_website twitter_handle last_contacted_type job_seniority custom_fields tags \
         contact_restrictions success_count starred untouched counts account owner \
         last_contacted_by import person_stage most_recent_cadence last_completed_step_cadence \
         last_completed_step cadences",
    );
    let cadence_keys = set(
        "id created_at updated_at archived_at latest_active_date team_cadence shared \
         remove_bounces_enabled remove_replies_enabled opt_out_link_included draft \
         override_contact_restrictions cadence_framework_id cadence_function name \
         external_identifier tags current_state creator owner bounced_stage replied_stage \
         added_stage finished_stage cadence_priority groups counts",
    );
    let step_keys = set(
        "id created_at updated_at disabled type name display_name day step_number \
         multitouch_enabled details cadence",
    );
    let membership_keys = set(
        "id added_at created_at updated_at person_deleted currently_on_cadence current_state \
         cadence person user latest_action counts step",
    );
    let email_keys = set(
        "id created_at updated_at recipient_email_address status bounced send_after sent_at \
         view_tracking click_tracking headers personalization counts user recipient mailing \
         action task crm_activity cadence step email_template",
    );
    let call_keys = set(
        "id to duration sentiment disposition created_at updated_at recordings user action \
         called_person crm_activity note cadence step",
    );
    for u in ds.users.iter() {
        let v = user(&ds, u, BASE);
        assert_eq!(keys(&v), user_keys);
        audit(&v, "");
        assert_eq!(v["team"]["_href"], format!("{BASE}/team"));
        assert!(v["role"]["id"] == "Admin" || v["role"]["id"] == "User");
        assert_eq!(keys(&v["phone_client"]), set("id"));
    }
    for p in ds.people.iter() {
        let v = person(&ds, p, BASE);
        assert_eq!(keys(&v), person_keys);
        audit(&v, "");
        assert_eq!(
            keys(&v["counts"]),
            set("emails_sent emails_viewed emails_clicked emails_replied_to emails_bounced calls")
        );
    }
    for c in ds.cadences.iter() {
        let v = cadence(&ds, c, BASE);
        assert_eq!(keys(&v), cadence_keys);
        audit(&v, "");
        if !v["cadence_priority"].is_null() {
            assert_eq!(
                v["cadence_priority"]["_href"],
                format!("{BASE}/cadence_priorities")
            );
        }
    }
    for s in ds.steps.iter() {
        let v = step(&ds, s, BASE);
        assert_eq!(keys(&v), step_keys);
        audit(&v, "");
    }
    for m in ds.memberships.iter() {
        let v = membership(&ds, m, BASE);
        assert_eq!(keys(&v), membership_keys);
        audit(&v, "");
        if !v["latest_action"].is_null() {
            assert_eq!(keys(&v["latest_action"]), set("id"));
        }
        assert_eq!(
            keys(&v["counts"]),
            set("views clicks replies calls sent_emails bounces")
        );
    }
    for e in ds.emails.iter() {
        let v = email(&ds, e, BASE);
        assert_eq!(keys(&v), email_keys);
        audit(&v, "");
        assert_eq!(keys(&v["mailing"]), set("id"));
        assert_eq!(
            keys(&v["counts"]),
            set("clicks views replies unique_devices unique_locations attachments")
        );
        assert!(
            v["personalization"]
                .as_str()
                .is_some_and(|s| s.contains('.'))
        );
        assert_eq!(
            v["recipient"]["_href"],
            format!("{BASE}/people/{}", e.person_id)
        );
    }
    for c in ds.calls.iter() {
        let v = call(&ds, c, BASE);
        assert_eq!(keys(&v), call_keys);
        audit(&v, "");
    }
}

#[test]
fn bounced_email_keeps_status_sent_and_person_address_is_quoted() {
    let ds = small();
    let e = ds
        .emails
        .iter()
        .find(|e| e.bounced)
        .expect("some email bounced");
    let v = email(&ds, e, BASE);
    assert_eq!(v["bounced"], true);
    assert!(v["status"].as_str().is_some_and(|s| s.starts_with("sent")));
    let p = ds.people.get(e.person_id).expect("recipient exists");
    let v = person(&ds, p, BASE);
    let full = v["full_email_address"].as_str().unwrap_or_default();
    assert!(full.starts_with('"') && full.ends_with('>'), "{full}");
    assert_eq!(v["bouncing"], true);
}

#[test]
fn cadence_people_follows_membership_changes() {
    let mut ds = small();
    let m = ds
        .memberships
        .iter()
        .find(|m| m.state == MembershipState::Active)
        .expect("an active membership")
        .clone();
    let count = |ds: &Dataset| {
        let c = ds.cadences.get(m.cadence_id).expect("cadence exists");
        cadence(ds, c, BASE)["counts"]["cadence_people"].as_u64()
    };
    let expected = ds
        .memberships
        .iter()
        .filter(|x| x.cadence_id == m.cadence_id && x.state.on_cadence())
        .count() as u64;
    assert_eq!(count(&ds), Some(expected));
    ds.memberships
        .update(m.id, |x| x.state = MembershipState::Removed);
    assert_eq!(count(&ds), Some(expected - 1));
    // The person's `cadences` list drops it too.
    let p = ds.people.get(m.person_id).expect("person exists");
    let v = person(&ds, p, BASE);
    let ids: Vec<u64> = v["cadences"]
        .as_array()
        .map(|a| a.iter().filter_map(|r| r["id"].as_u64()).collect())
        .unwrap_or_default();
    assert!(!ids.contains(&m.cadence_id));
}

/// A person's `cadences` and `most_recent_cadence` (read from the person's range
/// of the pair index) are what a scan of every membership says: the cadences the
/// person is on, in id order, and the one they were added to last.
#[test]
fn a_persons_cadences_match_a_scan_of_the_memberships() {
    let ds = small();
    let mut with_cadences = 0;
    let mut with_several = 0;
    for p in ds.people.iter() {
        let mut mine: Vec<_> = ds
            .memberships
            .iter()
            .filter(|m| m.person_id == p.id)
            .collect();
        mine.sort_by_key(|m| m.cadence_id);
        let on: Vec<u64> = mine
            .iter()
            .filter(|m| m.state.on_cadence())
            .map(|m| m.cadence_id)
            .collect();
        let latest = mine.iter().map(|m| m.added_at).max();
        let recent = mine
            .iter()
            .find(|m| Some(m.added_at) == latest)
            .map(|m| m.cadence_id);
        let v = person(&ds, p, BASE);
        let ids: Vec<u64> = v["cadences"]
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(|r| r["id"].as_u64())
            .collect();
        assert_eq!(ids, on, "person {}", p.id);
        assert_eq!(
            v["most_recent_cadence"]["id"].as_u64(),
            recent,
            "person {}",
            p.id
        );
        with_cadences += usize::from(!on.is_empty());
        with_several += usize::from(on.len() > 1);
    }
    assert!(with_cadences > 50, "{with_cadences} people on a cadence");
    assert!(with_several > 0, "someone is on two cadences");
}
