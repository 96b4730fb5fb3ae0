//! A confirmed enrollment as the task line and the Activity log show it: progress,
//! then ✓ or ✗ per person with the reason in plain words.

use std::time::{Duration, Instant};

/// How long a finished task stays on the task line.
pub const TASK_LINGER: Duration = Duration::from_secs(30);

use crate::worker::protocol::{EnrollOutcome, RequestId};

/// A confirmed enrollment: progress, then ✓ or ✗ per person.
#[derive(Debug, Clone)]
pub struct EnrollTask {
    pub id: RequestId,
    pub cadence_id: u64,
    pub cadence_name: String,
    pub people: Vec<(u64, String)>,
    pub outcomes: Vec<(u64, EnrollOutcome)>,
    /// Set when the worker finished the request; the error says why it stopped.
    pub finished: Option<Instant>,
    pub error: Option<String>,
    /// What it waits on, while it waits ("waiting for the hub: …").
    pub note: Option<String>,
}

impl EnrollTask {
    pub fn name_of(&self, person_id: u64) -> String {
        self.people
            .iter()
            .find(|(id, _)| *id == person_id)
            .map_or_else(|| format!("person {person_id}"), |(_, n)| n.clone())
    }

    pub fn succeeded(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|(_, o)| matches!(o, EnrollOutcome::Enrolled { .. }))
            .count()
    }

    pub fn already(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|(_, o)| matches!(o, EnrollOutcome::AlreadyOnCadence { .. }))
            .count()
    }

    pub fn failed(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|(_, o)| matches!(o, EnrollOutcome::Failed { .. }))
            .count()
    }

    /// One line: "Enrolling 3 into Q3 Outbound… 1/3" or the final tally.
    pub fn summary(&self) -> String {
        let n = self.people.len();
        let who = if n == 1 {
            self.people[0].1.clone()
        } else {
            format!("{n} people")
        };
        if self.finished.is_none() {
            let note = self
                .note
                .as_ref()
                .map_or_else(String::new, |n| format!(" ({n})"));
            return format!(
                "enrolling {who} into \"{}\"… {}/{n}{note}",
                self.cadence_name,
                self.outcomes.len()
            );
        }
        let mut parts = vec![format!("{} enrolled", self.succeeded())];
        if self.already() > 0 {
            parts.push(format!("{} already on it", self.already()));
        }
        if self.failed() > 0 {
            parts.push(format!("{} failed", self.failed()));
        }
        let missing = n.saturating_sub(self.outcomes.len());
        if missing > 0 {
            parts.push(format!("{missing} not attempted"));
        }
        format!("\"{}\": {}", self.cadence_name, parts.join(", "))
    }

    /// "✓ Ada Lovelace enrolled" / "✗ Ada Lovelace: already on this cadence".
    pub fn lines(&self) -> Vec<(bool, String)> {
        self.outcomes
            .iter()
            .map(|(id, o)| {
                let name = self.name_of(*id);
                match o {
                    EnrollOutcome::Enrolled { .. } => (true, format!("✓ {name} enrolled")),
                    EnrollOutcome::AlreadyOnCadence { .. } => {
                        (false, format!("✗ {name}: already on this cadence"))
                    }
                    EnrollOutcome::Failed { reason } => (false, format!("✗ {name}: {reason}")),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_waiting_note_shows_until_the_task_ends() {
        let mut t = EnrollTask {
            id: 1,
            cadence_id: 2,
            cadence_name: "Q3".into(),
            people: vec![(7, "Ada".into())],
            outcomes: Vec::new(),
            finished: None,
            error: None,
            note: Some("waiting for the hub: no leader has picked it up for 30 s".into()),
        };
        assert_eq!(
            t.summary(),
            "enrolling Ada into \"Q3\"… 0/1 (waiting for the hub: no leader has picked it up \
             for 30 s)"
        );
        t.outcomes
            .push((7, EnrollOutcome::Enrolled { membership_id: 3 }));
        t.finished = Some(Instant::now());
        assert_eq!(t.summary(), "\"Q3\": 1 enrolled");
    }
}
