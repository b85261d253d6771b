//! Explanations in the pool: the data worker cuts a model's mean-|SHAP| explanation into
//! parts by trees ([`crate::predictions::explain_parts`]); this sends one part to each pool
//! worker and hands their outputs back once all are in. Like a training run, the main thread
//! only moves bytes. One explanation at a time, and only while no training runs (a worker busy
//! fitting would hold a part back for minutes): otherwise [`Trainer::free_workers`] says 0 and
//! the data worker explains alone.

use std::rc::Rc;

use js_sys::Uint8Array;
use leptos::prelude::*;

use super::{pool_size, Trainer};
use crate::predictions::explain_parts::ExplainPart;
use crate::ui::Session;
use crate::worker::protocol::{FromWorker, ToWorker};

/// Receives the parts' outputs (one per part, in the order they came back) or why not.
pub type OnParts = Rc<dyn Fn(Result<Vec<Uint8Array>, String>)>;

/// An explanation running in the pool.
pub(super) struct PartsRun {
    /// The id its messages carry.
    request: u32,
    /// Parts sent and outputs back.
    parts: usize,
    outputs: Vec<Uint8Array>,
    on_done: OnParts,
}

impl Trainer {
    /// How many pool workers an explanation may use now: the pool's size when no training or
    /// other explanation is running (the pool is started if it was closed), else 0.
    pub fn free_workers(&self) -> usize {
        let busy = self.view.with_untracked(|v| v.running)
            || self
                .pool
                .with_value(|p| p.as_ref().is_some_and(|p| p.explaining.is_some()));
        if busy {
            0
        } else {
            pool_size()
        }
    }

    /// Sends each of `parts` to a pool worker with `bytes` (the model file and the rows, copied
    /// to each); `on_done` gets their outputs once every part is back, or the first failure.
    pub fn explain_parts(
        &self,
        session: Session,
        parts: Vec<ExplainPart>,
        bytes: Vec<Uint8Array>,
        on_done: OnParts,
    ) {
        if self.pool.with_value(Option::is_none) {
            if let Err(e) = self.spawn_pool(session) {
                return on_done(Err(e));
            }
        }
        let request = session.next_id();
        let sent = self.pool.try_update_value(|p| {
            let p = p.as_mut()?;
            if p.explaining.is_some() || p.workers.is_empty() {
                return None;
            }
            for (i, part) in parts.iter().enumerate() {
                let message = ToWorker::ExplainPart {
                    request,
                    part: *part,
                };
                p.workers[i % p.workers.len()].send(&message, &[], &bytes, false);
            }
            p.generation += 1;
            p.explaining = Some(PartsRun {
                request,
                parts: parts.len(),
                outputs: Vec::new(),
                on_done: on_done.clone(),
            });
            Some(())
        });
        if !matches!(sent, Some(Some(()))) {
            on_done(Err("the pool is busy with another explanation".into()));
        }
    }

    /// A pool worker's reply, if it belongs to the explanation running: kept, and once every
    /// part is back (or one failed) handed on. Returns whether it was one.
    pub(super) fn on_part_reply(&self, reply: &FromWorker, bytes: &[Uint8Array]) -> bool {
        let running = self.pool.with_value(|p| {
            p.as_ref()
                .and_then(|p| p.explaining.as_ref().map(|e| e.request))
        });
        let result = match reply {
            FromWorker::PartExplained { request, .. } if Some(*request) == running => {
                let done = self.pool.try_update_value(|p| {
                    let e = p.as_mut()?.explaining.as_mut()?;
                    e.outputs.extend(bytes.first().cloned());
                    (e.outputs.len() == e.parts).then_some(())
                });
                if !matches!(done, Some(Some(()))) {
                    return true;
                }
                Ok(())
            }
            FromWorker::Failed {
                request, message, ..
            } if Some(*request) == running => Err(message.clone()),
            _ => return false,
        };
        self.end_parts(result.map_err(|m| format!("a pool worker could not explain: {m}")));
        true
    }

    /// Ends the explanation running (if any) with its outputs, or `Err(message)`, and lets the
    /// pool go idle.
    pub(super) fn end_parts(&self, result: Result<(), String>) {
        let run = self
            .pool
            .try_update_value(|p| p.as_mut().and_then(|p| p.explaining.take()))
            .flatten();
        let Some(run) = run else { return };
        if self.view.with_untracked(|v| !v.running) {
            self.idle();
        }
        (run.on_done)(result.map(|()| run.outputs));
    }
}
