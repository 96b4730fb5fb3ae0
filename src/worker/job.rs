//! What the worker runs (a [`Job`]), its words on the task line ([`label`]),
//! and how it ends ([`JobEnd`], [`Stop`]): shared by every job's file and the
//! scheduler, so it imports none of them.

use std::time::Duration;

use super::protocol::Request;

/// One unit of work: a UI request, or one of the worker's own periodic walks.
#[derive(Debug, Clone, PartialEq)]
pub enum Job {
    Request(Request),
    /// The live poll over changed emails (answers carry the `SetLive` id).
    Poll,
    /// Picks up changed people after the first full index.
    PeopleRefresh,
    /// Asks whether SalesLoft answers again (the circuit breaker's probe).
    Probe,
    /// Tries a refused key once more after the backoff (`GET /me`).
    AuthProbe,
}

impl Job {
    pub fn label(&self) -> String {
        match self {
            Job::Request(r) => label(r),
            Job::Poll => "Checking for new email activity".into(),
            Job::PeopleRefresh => "Refreshing the people index".into(),
            Job::Probe => "Checking whether SalesLoft answers".into(),
            Job::AuthProbe => "Trying the key again".into(),
        }
    }
}

/// The task line's words for a request.
pub fn label(request: &Request) -> String {
    match request {
        Request::Cadences => "Loading cadences".into(),
        Request::CadenceDetail { cadence_id } => format!("Loading cadence {cadence_id}"),
        Request::Engagement { cadence_ids, range } => {
            let n = cadence_ids.len();
            let s = if n == 1 { "" } else { "s" };
            format!("Loading engagement of {n} cadence{s} ({range})")
        }
        Request::EstimateEngagement { cadence_ids, range } => {
            let n = cadence_ids.len();
            let s = if n == 1 { "" } else { "s" };
            format!("Counting the emails of {n} cadence{s} ({range})")
        }
        Request::StoredEngagement { range } => {
            format!("Reading the stored engagement ({range})")
        }
        Request::IndexPeople => "Indexing people for search".into(),
        Request::LayOutPeople { .. } => "Laying out the people index".into(),
        Request::PersonByEmail { email } => format!("Looking up {email}"),
        Request::PersonDetail { person_id } => format!("Loading person {person_id}"),
        Request::Enroll {
            person_ids,
            cadence_id,
            ..
        } => {
            let n = person_ids.len();
            let who = if n == 1 {
                "1 person".to_string()
            } else {
                format!("{n} people")
            };
            format!("Enrolling {who} into cadence {cadence_id}")
        }
        Request::SetLive { enabled: true } => "Live updates on".into(),
        Request::SetLive { enabled: false } => "Live updates paused".into(),
        Request::SetPollInterval { secs } => format!("Polling every {secs} s"),
        Request::LiveFrom { through } => {
            format!(
                "Catching up on emails changed since {}",
                through.format("%Y-%m-%d %H:%M UTC")
            )
        }
        Request::ClearCache => "Clearing cached data".into(),
        Request::Me => "Loading your user".into(),
        Request::Users => "Loading the team's users".into(),
        Request::RetryAuth => "Trying the key again".into(),
        Request::Funnel { cadence_id, range } => {
            format!("Loading the funnel of cadence {cadence_id} ({range})")
        }
        Request::Calls { range } => format!("Loading the team's calls ({range})"),
    }
}

/// How a job ended.
#[derive(Debug)]
pub enum JobEnd {
    /// Done; the error in words.
    Done(Result<(), String>),
    /// The budget could not afford it (a `Deferred` event said so); run `job`
    /// (the rest of the work) again after `retry_in`.
    Deferred { retry_in: Duration, job: Job },
    /// A newer request of the same latest-wins slot replaced it.
    Superseded,
}

/// Why a walk stopped early.
#[derive(Debug)]
pub enum Stop {
    /// Deferred for the budget; the `Deferred` event was sent.
    Budget(Duration),
    /// Replaced by a newer request.
    Cancelled,
    Failed(String),
}

impl Stop {
    /// The job's end, given what is left to do.
    pub fn end(self, rest: Job) -> JobEnd {
        match self {
            Stop::Budget(retry_in) => JobEnd::Deferred {
                retry_in,
                job: rest,
            },
            Stop::Cancelled => JobEnd::Superseded,
            Stop::Failed(e) => JobEnd::Done(Err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::TimeRange;

    #[test]
    fn labels_read_well() {
        let r = Request::Engagement {
            cadence_ids: vec![1, 2],
            range: TimeRange::Days(30),
        };
        assert_eq!(label(&r), "Loading engagement of 2 cadences (last 30 days)");
        let e = Request::Enroll {
            person_ids: vec![5],
            cadence_id: 9,
            step_id: None,
            user_id: None,
        };
        assert_eq!(label(&e), "Enrolling 1 person into cadence 9");
        assert_eq!(Job::Poll.label(), "Checking for new email activity");
    }
}
