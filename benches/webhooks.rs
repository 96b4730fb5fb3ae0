//! The webhook receiver over loopback: signed `email_updated` deliveries from
//! concurrent senders into `sltui::webhooks::start`, with a consumer folding every
//! accepted event into the engagement aggregator (as the dashboard's worker does).
//! Prints deliveries per second and the latency of one delivery (p50, p99, max);
//! then the same bodies again, all of them redeliveries. Each figure is printed
//! as a JSON line and as a line of text.
//!
//! `cargo bench --bench webhooks`; env: SLTUI_BENCH_DELIVERIES (default 20000),
//! SLTUI_BENCH_SENDERS (default 16).

use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use sha1::Sha1;
use sltui::metrics::{Aggregator, TimeRange};
use sltui::webhooks::{self, Payload, WebhookToken};
use sltui::worker::email_fact;

const TOKEN: &str = "bench-callback-token";

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn sign(body: &[u8]) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(TOKEN.as_bytes()).unwrap();
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A realistic email object (about 0.8 KB; the bench prints the mean size).
fn email(id: u64) -> Vec<u8> {
    let cadence = id % 40 + 1;
    serde_json::to_vec(&serde_json::json!({
        "id": id,
        "created_at": "2026-11-27T06:00:00.000000-04:00",
        "updated_at": format!("2026-11-27T06:{:02}:{:02}.{:06}-04:00", id / 60 % 60, id % 60, id % 1_000_000),
        "recipient_email_address": format!("person{id}@example.com"),
        "status": "sent", "bounced": id.is_multiple_of(50),
        "send_after": "2026-11-27T06:00:00.000000-04:00",
        "sent_at": "2026-11-27T06:00:01.000000-04:00",
        "view_tracking": true, "click_tracking": true, "headers": {},
        "personalization": "100.0",
        "counts": {"clicks": id % 7 / 6, "views": id % 3, "replies": id % 11 / 10,
                   "unique_devices": 1, "unique_locations": 1, "attachments": 0},
        "user": {"_href": "https://api.salesloft.com/v2/users/1", "id": 1},
        "recipient": {"_href": format!("https://api.salesloft.com/v2/people/{id}"), "id": id},
        "mailing": {"id": id}, "action": null, "task": null, "crm_activity": null,
        "cadence": {"_href": format!("https://api.salesloft.com/v2/cadences/{cadence}"), "id": cadence},
        "step": {"_href": "https://api.salesloft.com/v2/steps/9", "id": 9},
        "email_template": null,
    }))
    .unwrap()
}

async fn send_all(
    url: &str,
    bodies: &[(Vec<u8>, String)],
    senders: usize,
) -> (Duration, Vec<Duration>) {
    let client = reqwest::Client::new();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for s in 0..senders {
        let mine: Vec<(Vec<u8>, String)> =
            bodies.iter().skip(s).step_by(senders).cloned().collect();
        let (client, url) = (client.clone(), url.to_string());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(mine.len());
            for (body, sig) in mine {
                let t = Instant::now();
                let res = client
                    .post(&url)
                    .header("x-salesloft-event", "email_updated")
                    .header("x-salesloft-signature", sig)
                    .body(body)
                    .send()
                    .await
                    .expect("receiver reachable");
                assert!(res.status().is_success(), "{}", res.status());
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    (started.elapsed(), all)
}

fn report(what: &str, n: usize, senders: usize, took: Duration, mut lat: Vec<Duration>) {
    lat.sort();
    let pct = |p: f64| lat[((lat.len() as f64 - 1.0) * p) as usize];
    println!(
        "{{\"bench\":\"webhooks\",\"keys\":\"{what}\",\"senders\":{senders},\"deliveries\":{n},\"per_s\":{:.0},\"p50_ms\":{:.4},\"p99_ms\":{:.4},\"max_ms\":{:.4}}}",
        n as f64 / took.as_secs_f64(),
        pct(0.5).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        lat.last().unwrap().as_secs_f64() * 1e3,
    );
    println!(
        "{what:<28} {n:>7} deliveries in {:>6.2} s = {:>8.0}/s; latency p50 {:>5.2} ms, p99 {:>5.2} ms, max {:>6.2} ms",
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64(),
        pct(0.5).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        lat.last().unwrap().as_secs_f64() * 1e3,
    );
}

#[tokio::main]
async fn main() {
    let n = env("SLTUI_BENCH_DELIVERIES", 20_000);
    let senders = env("SLTUI_BENCH_SENDERS", 16);
    let (rx, mut events) = webhooks::start(
        ([127, 0, 0, 1], 0).into(),
        WebhookToken::new(TOKEN).unwrap(),
    )
    .await
    .unwrap();
    let consumer = tokio::spawn(async move {
        let mut agg = Aggregator::new(TimeRange::All, chrono::Utc::now());
        while let Some(ev) = events.recv().await {
            if let Payload::Email(e) = ev.payload {
                agg.upsert(email_fact(&e));
            }
        }
        agg
    });
    let bodies: Vec<(Vec<u8>, String)> = (1..=n as u64)
        .map(|id| {
            let b = email(id);
            let s = sign(&b);
            (b, s)
        })
        .collect();
    let size = bodies.iter().map(|(b, _)| b.len()).sum::<usize>() / n;
    println!(
        "webhook receiver, loopback, {senders} concurrent senders, {size}-byte email bodies, HMAC-SHA1 checked"
    );
    let (took, lat) = send_all(&rx.url(), &bodies, senders).await;
    report("new deliveries", n, senders, took, lat);
    let (took, lat) = send_all(&rx.url(), &bodies, senders).await;
    report("redeliveries (deduplicated)", n, senders, took, lat);
    let stats = rx.stats();
    rx.shutdown().await;
    let agg = consumer.await.unwrap();
    println!(
        "accepted {}, duplicates {}, emails folded {}, sent {}",
        stats.accepted,
        stats.duplicates,
        agg.len(),
        agg.totals().sent
    );
    assert_eq!(
        (
            stats.accepted as usize,
            stats.duplicates as usize,
            agg.len()
        ),
        (n, n, n)
    );
}
