//! Hostile input (issue 4): real-shaped JSON from the simulator, damaged on
//! purpose (missing fields, nulls, wrong types, ids as strings, 1 MB strings,
//! 10k-deep nesting, unknown and duplicated fields, broken `paging`,
//! truncation, invalid UTF-8) and fed to every deserializer the client uses,
//! directly and through the real client over HTTP. Nothing may panic; the
//! client's errors name the request and stay short.
//!
//! Deterministic: a small hand-written generator with fixed seeds; a failure
//! prints the seed, the mutations and the start of the body.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

use serde_json::Value;
use sltui::api::models::{
    Cadence, Call, Email, ListEnvelope, Membership, Person, Single, Step, User,
};
use sltui::api::{ApiClient, ApiError, Query};
use sltui::sim::SimConfig;

#[path = "hostile_json/client.rs"]
mod client;
#[path = "hostile_json/mutate.rs"]
mod mutate;
#[path = "hostile_json/targeted.rs"]
mod targeted;

use mutate::{Rng, mutant};

/// splitmix64 seeds; one stream per fixture.
const DIRECT_SEED: u64 = 0x5EED_0000;
/// Mutants per fixture fed straight to serde (debug build: about a second).
const DIRECT_PER_FIXTURE: usize = 250;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    People,
    Cadences,
    Memberships,
    Steps,
    Emails,
    Calls,
    Users,
    Me,
    Person,
    Cadence,
    Step,
    Membership,
    Email,
    Call,
}

impl Kind {
    pub fn is_list(self) -> bool {
        use Kind::*;
        matches!(
            self,
            People | Cadences | Memberships | Steps | Emails | Calls | Users
        )
    }

    /// The request path the client's error must name.
    pub fn resource(self) -> &'static str {
        match self {
            Kind::People => "people",
            Kind::Cadences => "cadences",
            Kind::Memberships => "cadence_memberships",
            Kind::Steps => "steps",
            Kind::Emails => "activities/emails",
            Kind::Calls => "activities/calls",
            Kind::Users => "users",
            Kind::Me => "me.json",
            Kind::Person => "people/7",
            Kind::Cadence => "cadences/7",
            Kind::Step => "steps/7",
            Kind::Membership => "cadence_memberships/7",
            Kind::Email => "activities/emails/7",
            Kind::Call => "activities/calls/7",
        }
    }
}

/// Every serde path the client uses for this resource; `Err` holds the message.
pub fn decode_direct(kind: Kind, body: &[u8]) -> Result<(), String> {
    fn go<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<(), String> {
        serde_json::from_slice::<T>(body)
            .map(drop)
            .map_err(|e| e.to_string())
    }
    match kind {
        Kind::People => go::<ListEnvelope<Person>>(body),
        Kind::Cadences => go::<ListEnvelope<Cadence>>(body),
        Kind::Memberships => go::<ListEnvelope<Membership>>(body),
        Kind::Steps => go::<ListEnvelope<Step>>(body),
        Kind::Emails => go::<ListEnvelope<Email>>(body),
        Kind::Calls => go::<ListEnvelope<Call>>(body),
        Kind::Users => go::<ListEnvelope<User>>(body),
        Kind::Me => go::<Single<User>>(body),
        Kind::Person => go::<Single<Person>>(body),
        Kind::Cadence => go::<Single<Cadence>>(body),
        Kind::Step => go::<Single<Step>>(body),
        Kind::Membership => go::<Single<Membership>>(body),
        Kind::Email => go::<Single<Email>>(body),
        Kind::Call => go::<Single<Call>>(body),
    }
}

/// The client method that reads this resource.
pub async fn decode_client(kind: Kind, c: &ApiClient) -> Result<(), ApiError> {
    let q = Query::new();
    match kind {
        Kind::People => c.people(&q).await.map(drop),
        Kind::Cadences => c.cadences(&q).await.map(drop),
        Kind::Memberships => c.memberships(&q).await.map(drop),
        Kind::Steps => c.steps(&q).await.map(drop),
        Kind::Emails => c.emails(&q).await.map(drop),
        Kind::Calls => c.calls(&q).await.map(drop),
        Kind::Users => c.users().await.map(drop),
        Kind::Me => c.me().await.map(drop),
        Kind::Person => c.person(7).await.map(drop),
        Kind::Cadence => c.cadence(7).await.map(drop),
        Kind::Step => c.step(7).await.map(drop),
        Kind::Membership => c.membership(7).await.map(drop),
        Kind::Email => c.email(7).await.map(drop),
        Kind::Call => c.call(7).await.map(drop),
    }
}

pub struct Fixture {
    pub kind: Kind,
    pub body: Vec<u8>,
    pub value: Value,
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// Raw bodies of every list and get endpoint the client reads, from the
/// simulator; fetched once for all tests of this file.
pub fn fixtures() -> &'static [Fixture] {
    static FIXTURES: OnceLock<Vec<Fixture>> = OnceLock::new();
    FIXTURES.get_or_init(|| runtime().block_on(fetch_fixtures()))
}

async fn fetch_fixtures() -> Vec<Fixture> {
    const KEY: &str = "hostile-json-key";
    let sim = sltui::sim::start(SimConfig {
        addr: ([127, 0, 0, 1], 0).into(),
        people: 120,
        cadences: 6,
        users: 4,
        api_key: KEY.to_string(),
        ..SimConfig::default()
    })
    .await
    .expect("start the simulator");
    let base = sim.base_url();
    let http = reqwest::Client::new();
    let get = |path: String| {
        let url = format!("{base}/{path}");
        let http = http.clone();
        async move {
            let resp = http
                .get(&url)
                .bearer_auth(KEY)
                .send()
                .await
                .unwrap_or_else(|e| panic!("GET {url}: {e}"));
            assert!(resp.status().is_success(), "GET {url}: {}", resp.status());
            resp.bytes().await.expect("a body").to_vec()
        }
    };
    let fixture = |kind, body: Vec<u8>| Fixture {
        kind,
        value: serde_json::from_slice(&body).expect("the simulator sends JSON"),
        body,
    };
    let mut out = Vec::new();
    for (kind, single, path) in [
        (Kind::People, Kind::Person, "people"),
        (Kind::Cadences, Kind::Cadence, "cadences"),
        (Kind::Memberships, Kind::Membership, "cadence_memberships"),
        (Kind::Steps, Kind::Step, "steps"),
        (Kind::Emails, Kind::Email, "activities/emails"),
        (Kind::Calls, Kind::Call, "activities/calls"),
    ] {
        let list = fixture(
            kind,
            get(format!(
                "{path}?per_page=3&page=1&include_paging_counts=true"
            ))
            .await,
        );
        let id = list.value["data"][0]["id"]
            .as_u64()
            .unwrap_or_else(|| panic!("a record in {path}"));
        out.push(list);
        out.push(fixture(single, get(format!("{path}/{id}")).await));
    }
    out.push(fixture(Kind::Users, get("users".into()).await));
    out.push(fixture(
        Kind::Users,
        get("users?per_page=2&page=1".into()).await,
    ));
    out.push(fixture(Kind::Me, get("me.json".into()).await));
    sim.shutdown().await;
    out
}

pub fn show(body: &[u8], log: &[String], seed: u64) -> String {
    let head = String::from_utf8_lossy(&body[..body.len().min(300)]);
    format!("seed {seed:#x}, mutations {log:?}, body starts {head}")
}

/// Runs `f` on a thread with a 2 MiB stack, a tokio worker's: deep nesting
/// that overflowed the stack there would abort this test, not pass on a
/// larger stack.
pub fn on_worker_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .expect("spawn")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
}

/// Decodes, turning a panic into `Err(())`.
pub(crate) fn decode_guarded(kind: Kind, body: &[u8]) -> Result<Result<(), String>, ()> {
    catch_unwind(AssertUnwindSafe(|| decode_direct(kind, body))).map_err(drop)
}

#[test]
fn unmutated_fixtures_parse_directly() {
    let fixtures = fixtures();
    assert_eq!(fixtures.len(), 15);
    for f in fixtures {
        if let Err(e) = decode_direct(f.kind, &f.body) {
            panic!("{:?} fixture does not parse: {e}", f.kind);
        }
    }
}

#[test]
fn mutated_json_never_panics_in_any_deserializer() {
    on_worker_stack(mutated_json_never_panics_in_any_deserializer_inner);
}

fn mutated_json_never_panics_in_any_deserializer_inner() {
    let (mut ok, mut err) = (0, 0);
    for (n, f) in fixtures().iter().enumerate() {
        let seed = DIRECT_SEED + n as u64;
        let mut rng = Rng::new(seed);
        for _ in 0..DIRECT_PER_FIXTURE {
            let (body, log) = mutant(f, &mut rng);
            match decode_guarded(f.kind, &body) {
                Ok(Ok(())) => ok += 1,
                Ok(Err(_)) => err += 1,
                Err(()) => panic!(
                    "{:?}: the deserializer panicked; {}",
                    f.kind,
                    show(&body, &log, seed)
                ),
            }
        }
    }
    eprintln!("direct: {ok} mutants parsed, {err} rejected");
    assert!(ok > 100 && err > 100, "{ok} parsed, {err} rejected");
}
