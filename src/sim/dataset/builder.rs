//! The generator state the membership walk ([`super::activity`]) and the single
//! touches ([`super::engage`]) share, with the little they both need from it.

use std::collections::HashMap;

use super::basis::{template_for, template_reply_factor};
use super::plan::Track;
use super::touch::{Contact, Origin};
use crate::sim::model::{Call, Email, Micros, Person, Step};
use crate::sim::rng::Rng;

/// Generator state shared by the membership walk and the single touches.
pub(super) struct Builder<'a> {
    pub rng: &'a mut Rng,
    pub now: Micros,
    pub people: &'a mut [Person],
    pub contacts: Vec<Contact>,
    pub emails: Vec<Email>,
    pub calls: Vec<Call>,
    pub meetings: HashMap<u64, u32>,
    pub team_id: u64,
    pub next_action: u64,
}

impl Builder<'_> {
    pub fn action(&mut self) -> u64 {
        self.next_action += 1;
        self.next_action
    }

    /// Where an email or call of `step` belongs, with the template variant drawn.
    pub fn origin(&mut self, track: &Track, step: &Step, quality: f64, click: bool) -> Origin {
        let template_id = template_for(step, self.rng.next_u64());
        Origin {
            cadence_id: track.cadence.id,
            step_id: step.id,
            action_id: 0,
            template_id,
            reply_factor: template_id.map_or(1.0, |t| template_reply_factor(self.team_id, t)),
            quality: track.quality * quality,
            bounce_factor: track.bounce,
            click_tracking: click,
        }
    }
}
