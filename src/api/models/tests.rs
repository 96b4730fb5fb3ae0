//! Parsing tests on real-shaped fixtures (after the recorded records and
//! envelopes cited in `salesloft-api.md` §1-§3, §9).

use super::*;

const USERS_WITHOUT_PAGING: &str = r#"{
  "metadata": {"filtering": {}, "sorting": {"sort_by": "id", "sort_direction": "DESC NULLS LAST"}},
  "data": [{
    "id": 49067, "guid": "0863ed13-7120-479b-8650-206a3679e2fb",
    "created_at": "2024-02-20T20:03:20.996772-05:00", "updated_at": "2024-04-27T07:18:23.531659-04:00",
    "name": "Int User", "first_name": "Int", "last_name": "User", "job_role": null, "active": true,
    "time_zone": "US/Eastern", "locale_utc_offset": -240, "email": "somebody@example.com",
    "seat_package": "premier", "team_admin": true, "crm_connected": false,
    "external_feature_flags": {"ma_enabled": true}, "_private_fields": {},
    "phone_client": {"id": 46885}, "phone_number_assignment": null, "group": null,
    "team": {"_href": "https://api.salesloft.com/v2/team", "id": 111855},
    "role": {"id": "Admin"}
  }]
}"#;

const PERSON: &str = r#"{"data": {"id": 103358219, "created_at": "2023-03-07T12:12:52.362090-05:00",
  "updated_at": "2023-03-07T12:49:27.205203-05:00", "last_contacted_at": null, "last_replied_at": null,
  "first_name": "User8", "last_name": "Sample", "display_name": "User8 Sample",
  "email_address": "user8.sample@example.com", "full_email_address": "\"User8 Sample\" <user8.sample@example.com>",
  "phone": null, "mobile_phone": "16205829403", "title": "Manager", "city": "San Francisco, CA, US",
  "do_not_contact": false, "bouncing": false, "locale": "US/Pacific", "locale_utc_offset": -420,
  "eu_resident": false, "job_seniority": "manager", "custom_fields": {}, "tags": [],
  "contact_restrictions": [], "success_count": 0, "starred": false, "untouched": false,
  "account_crm_id": null, "brand_new_field": {"nested": [1, 2]},
  "counts": {"emails_sent": 3, "emails_viewed": 2, "emails_clicked": 1, "emails_replied_to": null, "emails_bounced": 0, "calls": 0},
  "account": {"_href": "https://api.salesloft.com/v2/accounts/35092358", "id": 35092358},
  "owner": {"_href": "https://api.salesloft.com/v2/users/6970", "id": 6970}, "last_contacted_by": null,
  "person_stage": {"_href": "https://api.salesloft.com/v2/person_stages/10148", "id": 10148},
  "most_recent_cadence": {"_href": "https://api.salesloft.com/v2/cadences/25591", "id": 25591},
  "last_completed_step": null,
  "cadences": [{"_href": "https://api.salesloft.com/v2/cadences/25591", "id": 25591}]}}"#;

const CADENCE_WITHOUT_STATE: &str = r#"{"id": 340821, "created_at": "2023-03-07T12:47:07.697191-05:00",
  "updated_at": "2023-03-07T12:47:07.697191-05:00", "archived_at": null, "latest_active_date": null,
  "team_cadence": false, "shared": true, "remove_bounces_enabled": false, "remove_replies_enabled": false,
  "opt_out_link_included": false, "draft": false, "override_contact_restrictions": null,
  "cadence_framework_id": null, "cadence_function": "outbound", "name": "Cadence 1",
  "external_identifier": null, "tags": [],
  "creator": {"_href": "https://api.salesloft.com/v2/users/6970", "id": 6970},
  "owner": {"_href": "https://api.salesloft.com/v2/users/6970", "id": 6970},
  "bounced_stage": {"_href": "https://api.salesloft.com/v2/person_stages/10147", "id": 10147},
  "cadence_priority": {"_href": "https://api.salesloft.com/v2/cadence_priorities", "id": 3385},
  "groups": [],
  "counts": {"cadence_people": null, "people_acted_on_count": 0, "target_daily_people": 0, "opportunities_created": 0, "meetings_booked": 0}}"#;

const BOUNCED_EMAIL: &str = r#"{"id": 8202787, "created_at": "2021-09-16T10:02:20.479210-04:00",
  "updated_at": "2021-09-16T11:03:06.789805-04:00", "recipient_email_address": "kelly@example.com",
  "status": "sent", "bounced": true, "send_after": "2021-09-16T11:02:21.934859-04:00",
  "sent_at": "2021-09-16T11:02:51.405506-04:00", "view_tracking": true, "click_tracking": false,
  "headers": {}, "personalization": "100.0",
  "counts": {"clicks": 0, "views": 4, "replies": 1, "unique_devices": 0, "unique_locations": 0, "attachments": 0},
  "user": {"_href": "https://api.salesloft.com/v2/users/6970", "id": 6970},
  "recipient": {"_href": "https://api.salesloft.com/v2/people/6509414", "id": 6509414},
  "mailing": {"id": 3124568}, "action": null, "task": null,
  "crm_activity": {"_href": "https://api.salesloft.com/v2/crm_activities/11367506", "id": 11367506},
  "cadence": null, "step": null, "email_template": null}"#;

const MEMBERSHIPS: &str = r#"{"metadata": {"filtering": {}, "sorting": {"sort_by": "updated_at", "sort_direction": "DESC NULLS LAST"},
  "paging": {"per_page": 25, "current_page": 1, "next_page": 2, "prev_page": null}},
  "data": [{"id": 71245543, "added_at": "2023-03-07T12:12:53.179454-05:00",
  "created_at": "2023-03-07T12:12:53.186833-05:00", "updated_at": "2023-03-07T12:12:53.210155-05:00",
  "person_deleted": false, "currently_on_cadence": true, "current_state": "staged",
  "cadence": {"_href": "https://api.salesloft.com/v2/cadences/25591", "id": 25591},
  "person": {"_href": "https://api.salesloft.com/v2/people/103358221", "id": 103358221},
  "user": {"_href": "https://api.salesloft.com/v2/users/6970", "id": 6970},
  "latest_action": {"id": 343305169},
  "counts": {"views": 0, "clicks": 0, "replies": 0, "calls": 0, "sent_emails": 0, "bounces": 0}}]}"#;

const CALL: &str = r#"{"id": 2117241, "to": "+1234445556", "duration": null, "sentiment": "Customer",
  "disposition": "No Answer", "created_at": "2021-09-16T10:04:58.125490-04:00",
  "updated_at": "2021-09-16T10:04:58.295640-04:00", "recordings": [],
  "user": {"_href": "https://api.salesloft.com/v2/users/6970", "id": 6970}, "action": null,
  "called_person": {"_href": "https://api.salesloft.com/v2/people/6509414", "id": 6509414},
  "note": {"_href": "https://api.salesloft.com/v2/notes/1029422", "id": 1029422},
  "cadence": null, "step": null}"#;

const STEP: &str = r#"{"id": 198394, "created_at": "2021-09-16T10:12:17.764130-04:00",
  "updated_at": "2023-03-07T12:43:13.069452-05:00", "disabled": false, "type": "email",
  "name": "Sandbox Account", "display_name": "Day 1: Step 1 - Email", "day": 1, "step_number": "1",
  "multitouch_enabled": false,
  "details": {"_href": "https://api.salesloft.com/v2/action_details/email_details/198394", "id": 198394},
  "cadence": {"_href": "https://api.salesloft.com/v2/cadences/25591", "id": 25591}}"#;

#[test]
fn users_list_without_paging_and_string_ids() {
    let env: ListEnvelope<User> = serde_json::from_str(USERS_WITHOUT_PAGING).unwrap();
    assert!(env.metadata.paging.is_none());
    assert_eq!(
        env.metadata
            .sorting
            .as_ref()
            .unwrap()
            .sort_direction
            .as_deref(),
        Some("DESC NULLS LAST")
    );
    let u = &env.data[0];
    assert_eq!(u.id, 49067);
    assert_eq!(u.role.as_ref().unwrap().id, RefId::Str("Admin".into()));
    assert_eq!(u.role.as_ref().unwrap().id.as_u64(), None);
    assert_eq!(u.role.as_ref().unwrap().href, None);
    assert_eq!(u.phone_client.as_ref().unwrap().id_u64(), Some(46885));
    assert_eq!(
        u.team.as_ref().unwrap().href.as_deref(),
        Some("https://api.salesloft.com/v2/team")
    );
    assert_eq!(u.group, None);
}

#[test]
fn person_with_unknown_fields_and_null_counts() {
    let p: Single<Person> = serde_json::from_str(PERSON).unwrap();
    let p = p.data;
    assert_eq!(p.counts.emails_sent, 3);
    assert_eq!(p.counts.emails_replied_to, 0);
    assert_eq!(p.cadences.len(), 1);
    assert_eq!(
        p.updated_at.to_rfc3339(),
        "2023-03-07T12:49:27.205203-05:00"
    );
    assert_eq!(p.updated_at.offset().local_minus_utc(), -5 * 3600);
    assert_eq!(p.label(), "User8 Sample");
    assert_eq!(p.record_id(), 103358219);
}

#[test]
fn cadence_without_current_state_derives_it() {
    let mut c: Cadence = serde_json::from_str(CADENCE_WITHOUT_STATE).unwrap();
    assert_eq!(c.current_state, None);
    assert_eq!(c.counts.cadence_people, None);
    assert_eq!(c.state(), CadenceState::Active);
    c.draft = true;
    assert_eq!(c.state(), CadenceState::Draft);
    c.archived_at = Some(c.created_at);
    assert_eq!(c.state(), CadenceState::Archived);
    c.current_state = Some("expired".into());
    assert_eq!(c.state(), CadenceState::Expired);
    c.current_state = Some("paused".into());
    assert_eq!(c.state(), CadenceState::Other("paused".into()));
    assert_eq!(c.cadence_priority.unwrap().id_u64(), Some(3385));
}

#[test]
fn sent_email_can_be_bounced() {
    let e: Email = serde_json::from_str(BOUNCED_EMAIL).unwrap();
    assert!(e.is_sent() && e.bounced);
    assert_eq!(e.counts.views, 4);
    assert_eq!(e.mailing.as_ref().unwrap().href, None);
    assert_eq!(e.cadence_id(), None);
    assert_eq!(e.personalization.as_deref(), Some("100.0"));
    assert_eq!(
        e.sent_at
            .unwrap()
            .format("%Y-%m-%dT%H:%M:%S%.6f%:z")
            .to_string(),
        "2021-09-16T11:02:51.405506-04:00"
    );
    let mut pending = e.clone();
    pending.status = "sent_from_gmail".into();
    assert!(pending.is_sent());
    pending.status = "scheduled".into();
    assert!(!pending.is_sent());
}

#[test]
fn memberships_calls_steps() {
    let env: ListEnvelope<Membership> = serde_json::from_str(MEMBERSHIPS).unwrap();
    let paging = env.metadata.paging.clone().unwrap();
    assert_eq!(
        (paging.next_page, paging.prev_page, paging.total_count),
        (Some(2), None, None)
    );
    let m = &env.data[0];
    assert_eq!(m.current_state, "staged");
    assert_eq!(m.latest_action.as_ref().unwrap().href, None);
    assert_eq!(m.step, None);
    assert_eq!(
        (m.person_id(), m.cadence_id()),
        (Some(103358221), Some(25591))
    );

    let c: Call = serde_json::from_str(CALL).unwrap();
    assert_eq!(
        (c.duration, c.disposition.as_deref()),
        (None, Some("No Answer"))
    );
    let s: Step = serde_json::from_str(STEP).unwrap();
    assert_eq!(
        (s.step_type.as_str(), s.step_number, s.day),
        ("email", Some(1), Some(1))
    );
}

#[test]
fn refs_with_guid_ids_and_nulls_everywhere() {
    let r: Ref = serde_json::from_str(
        r#"{"_href": "https://api.salesloft.com/v2/users/54713f8f-6283-453f-84da-e27e28223e8c", "id": "54713f8f-6283-453f-84da-e27e28223e8c"}"#,
    )
    .unwrap();
    assert_eq!(r.id.to_string(), "54713f8f-6283-453f-84da-e27e28223e8c");
    assert_eq!(RefId::Str("42".into()).as_u64(), Some(42));
    let minimal = r#"{"id": 1, "created_at": "2021-09-16T10:02:20.479210Z", "updated_at": "2021-09-16T10:02:20.479210Z",
      "status": null, "bounced": null, "counts": null, "tags": null}"#;
    let e: Email = serde_json::from_str(minimal).unwrap();
    assert_eq!(
        (e.status.as_str(), e.bounced, e.counts.views),
        ("", false, 0)
    );
    let env: ListEnvelope<Email> = serde_json::from_str(r#"{"data": []}"#).unwrap();
    assert!(env.data.is_empty() && env.metadata.paging.is_none());
}

#[test]
fn bad_shapes_are_errors_with_a_location() {
    let bad = r#"{"data": [{"id": "x", "created_at": "2021-09-16T10:02:20Z", "updated_at": "2021-09-16T10:02:20Z"}]}"#;
    let err = serde_json::from_str::<ListEnvelope<Email>>(bad).unwrap_err();
    assert!(err.line() == 1 && err.column() > 0);
    let bad = r#"{"id": 1, "created_at": "2021-09-16T10:02:20Z", "updated_at": "2021-09-16T10:02:20Z", "counts": {"views": -3}}"#;
    assert!(serde_json::from_str::<Email>(bad).is_err());
}

#[test]
fn request_bodies_omit_unset_fields() {
    let p = NewPerson {
        email_address: Some("a@example.com".into()),
        last_name: Some("Doe".into()),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_string(&p).unwrap(),
        r#"{"email_address":"a@example.com","last_name":"Doe"}"#
    );
    let m = NewMembership {
        person_id: 1,
        cadence_id: 2,
        user_id: None,
        step_id: Some(3),
    };
    assert_eq!(
        serde_json::to_string(&m).unwrap(),
        r#"{"person_id":1,"cadence_id":2,"step_id":3}"#
    );
    let c = NewCall {
        person_id: 5,
        disposition: Some("Connected".into()),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_string(&c).unwrap(),
        r#"{"person_id":5,"disposition":"Connected"}"#
    );
    assert_eq!(
        serde_json::to_string(&PersonUpdate::default()).unwrap(),
        "{}"
    );
}

/// What `sltui sim --loose-json` (and the real API, now and then) sends: numbers
/// as strings, ids inside references as strings, enum values no client knows.
#[test]
fn loose_numbers_and_unknown_enums_read_as_the_definitions_say() {
    let step = r#"{"id": 9, "created_at": "2021-09-16T10:02:20.479210Z",
      "updated_at": "2021-09-16T10:02:20.479210Z", "type": "linkedin_message",
      "day": "3", "step_number": "2", "cadence": {"_href": "x", "id": "25591"}}"#;
    let s: Step = serde_json::from_str(step).unwrap();
    assert_eq!((s.day, s.step_number), (Some(3), Some(2)));
    assert_eq!(s.cadence.as_ref().unwrap().id, RefId::Int(25591));
    assert_eq!(s.step_type, "linkedin_message", "an unknown type is kept");
    // A GUID and a zero-padded code stay strings.
    let r: Ref = serde_json::from_str(r#"{"id": "007"}"#).unwrap();
    assert_eq!(r.id, RefId::Str("007".into()));
    let email = r#"{"id": 1, "created_at": "2021-09-16T10:02:20.479210Z",
      "updated_at": "2021-09-16T10:02:20.479210Z", "status": "queued_for_review",
      "bounced": false, "counts": {"views": "2", "clicks": "0", "replies": 1},
      "cadence": {"id": "4"}, "step": {"id": "9"}}"#;
    let e: Email = serde_json::from_str(email).unwrap();
    assert_eq!(
        (e.cadence_id(), e.step_id(), e.counts.views),
        (Some(4), Some(9), 2)
    );
    // README: `sent` is exactly sent, sent_from_gmail, sent_from_external.
    assert!(!e.is_sent(), "an unknown status is not sent");
    let m: Membership = serde_json::from_str(
        r#"{"id": 3, "created_at": "2021-09-16T10:02:20.479210Z",
            "updated_at": "2021-09-16T10:02:20.479210Z", "current_state": "paused",
            "currently_on_cadence": true, "person": {"id": "12"}}"#,
    )
    .unwrap();
    assert_eq!(
        (m.current_state.as_str(), m.person_id()),
        ("paused", Some(12))
    );
}
