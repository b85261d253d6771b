//! Training in a pool of Web Workers sized by `navigator.hardwareConcurrency`.
//!
//! The data worker prepares the job (split, pipelines, the plan of tasks, one fit-data payload per
//! fit). The page hands tasks to idle pool workers — a forest's trees in chunks, other models
//! whole — and as soon as every task of a model is back, asks the data worker to assemble and
//! score it. The main thread only moves bytes between workers.
//!
//! Which worker fits which task, the progress accounting and when a model is ready are
//! [`crate::job::scheduler`]'s (plain Rust, tested natively). This module is its shell: it owns
//! the workers and the view signal, turns worker replies into the scheduler's events and carries
//! out the commands it returns (send a task, assemble a model, stop the pool, go idle).
//!
//! The pool starts as soon as the page has its first data set, and each worker first runs
//! [`crate::worker::warm_up`], so the browser has optimised the models' code before the first
//! training; it stays up between trainings (a worker's optimised code lives as long as it does)
//! and is closed after [`IDLE_CLOSE`] without work, to give its memory back. Cancel terminates
//! the pool (a worker busy fitting cannot read messages); the next job starts a fresh one.

mod explain;

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Uint8Array;
use leptos::prelude::*;

use super::worker_client::WorkerClient;
use super::Session;
use crate::job::scheduler::{Command, Scheduler};
pub use crate::job::scheduler::{ModelProgress, RunView, Status, WarmUp};
use crate::job::{JobRequest, Plan, Task};
use crate::worker::load::crash_cause;
use crate::worker::protocol::{FromWorker, ToWorker, TrainedResult};
pub use explain::OnParts;

/// The state of a run, shared by the reply handlers of every worker.
struct Run {
    id: u32,
    job: JobRequest,
    /// The data worker's request that prepared the job.
    prepared_by: u32,
    fits: Vec<Uint8Array>,
    /// Which worker is on which task, and when a model is ready (see `job::scheduler`).
    scheduler: Scheduler<Uint8Array>,
    /// A search round ([`Trainer::start_round`]): each model's metrics (or why it failed) and its
    /// tasks' summed milliseconds go here, and no model is kept.
    on_scored: Option<OnScored>,
}

/// Receives a search round's model `m`: its metrics or the error, and its fitting milliseconds.
pub type OnScored = Rc<dyn Fn(usize, Result<crate::eval::metrics::Report, String>, f64)>;

type SharedRun = Rc<RefCell<Run>>;

/// The pool and the run in progress.
pub struct Pool {
    workers: Vec<WorkerClient>,
    run: Option<SharedRun>,
    /// Workers that answered the warm-up, and the slowest one's time.
    warmed: usize,
    warm_ms: f64,
    /// Bumped whenever the pool gets work, so an idle timer knows whether it is still idle.
    generation: u32,
    /// An explanation's parts running in the pool (see [`explain`]).
    explaining: Option<explain::PartsRun>,
}

/// The request id of the pool's warm-up messages (runs use the session's ids, counted from 1).
const WARM_UP_REQUEST: u32 = u32::MAX;

/// How long an idle pool stays up.
pub const IDLE_CLOSE: std::time::Duration = std::time::Duration::from_secs(120);

/// How many pool workers to start.
pub fn pool_size() -> usize {
    let n = web_sys::window().map_or(2.0, |w| w.navigator().hardware_concurrency());
    (n as usize).clamp(1, 8)
}

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// The handle the Train tab keeps: the pool (started on first use) and the view of the run.
#[derive(Clone, Copy)]
pub struct Trainer {
    pool: StoredValue<Option<Pool>, LocalStorage>,
    pub view: RwSignal<RunView>,
}

impl Trainer {
    pub fn new() -> Self {
        Trainer {
            pool: StoredValue::new_local(None),
            view: RwSignal::new(RunView::new(pool_size())),
        }
    }

    /// Starts the pool if it is not up, each worker warming up first (see the module docs).
    pub fn warm_up(&self, session: Session) {
        if self.pool.with_value(Option::is_some) {
            return;
        }
        if let Err(e) = self.spawn_pool(session) {
            self.view.update(|v| v.warm_up = WarmUp::Failed(e));
            return;
        }
        self.view.update(|v| v.warm_up = WarmUp::Running);
        self.pool.with_value(|p| {
            for client in p.iter().flat_map(|p| &p.workers) {
                let message = ToWorker::WarmUp {
                    request: WARM_UP_REQUEST,
                };
                client.send(&message, &[], &[], false);
            }
        });
    }

    /// Starts `pool_size()` workers whose replies go to whatever run is current.
    fn spawn_pool(&self, session: Session) -> Result<(), String> {
        let trainer = *self;
        let mut workers = Vec::new();
        for w in 0..pool_size() {
            workers.push(WorkerClient::spawn(move |reply, bytes| {
                trainer.on_pool_message(session, w, reply, bytes)
            })?);
        }
        self.pool.set_value(Some(Pool {
            workers,
            run: None,
            warmed: 0,
            warm_ms: 0.0,
            generation: 0,
            explaining: None,
        }));
        Ok(())
    }

    /// A pool worker's reply: the warm-up's, or one for the current run.
    fn on_pool_message(
        &self,
        session: Session,
        w: usize,
        reply: FromWorker,
        bytes: Vec<Uint8Array>,
    ) {
        match &reply {
            FromWorker::WarmedUp { ms, .. } => {
                let done = self.pool.try_update_value(|p| {
                    p.as_mut().and_then(|p| {
                        p.warmed += 1;
                        p.warm_ms = p.warm_ms.max(*ms);
                        (p.warmed == p.workers.len()).then_some(p.warm_ms)
                    })
                });
                if let Some(Some(ms)) = done {
                    self.view.update(|v| v.warm_up = WarmUp::Done(ms));
                }
                return;
            }
            FromWorker::Crashed { message } => {
                self.end_parts(Err(format!(
                    "pool worker {} {}",
                    w + 1,
                    crash_cause(message)
                )));
                let message = format!(
                    "pool worker {} {}; the job was stopped and the pool will be restarted",
                    w + 1,
                    crash_cause(message)
                );
                let run = self
                    .pool
                    .with_value(|p| p.as_ref().and_then(|p| p.run.clone()));
                match run {
                    Some(run) => self.feed(session, &run, |s, v| s.task_failed(w, &message, v)),
                    None => self.stop_pool(),
                }
                return;
            }
            FromWorker::Failed {
                request, message, ..
            } if *request == WARM_UP_REQUEST => {
                let message = message.clone();
                self.view.update(|v| v.warm_up = WarmUp::Failed(message));
                return;
            }
            _ => {}
        }
        if self.on_part_reply(&reply, &bytes) {
            return;
        }
        let run = self
            .pool
            .with_value(|p| p.as_ref().and_then(|p| p.run.clone()));
        if let Some(run) = run {
            self.on_pool_reply(session, &run, w, reply, bytes);
        }
    }

    /// Starts training `job` (a run in progress is cancelled first).
    pub fn start(&self, session: Session, job: JobRequest) {
        self.start_with(session, job, None)
    }

    /// Starts one round of a hyper-parameter search: its trials are the job's models, run in
    /// the pool like any training; each one's score goes to `on_scored` (nothing is kept).
    pub fn start_round(&self, session: Session, job: JobRequest, on_scored: OnScored) {
        self.start_with(session, job, Some(on_scored))
    }

    fn start_with(&self, session: Session, job: JobRequest, on_scored: Option<OnScored>) {
        if self.view.with_untracked(|v| v.running) {
            self.cancel();
        }
        let workers = pool_size();
        let titles = job.models.iter().map(|m| m.title().to_string());
        self.view.update(|v| v.preparing(workers, titles));
        let trainer = *self;
        let request_job = job.clone();
        session.call(
            move |request| ToWorker::Prepare {
                request,
                job: request_job,
                workers,
            },
            Vec::new(),
            Vec::new(),
            move |reply, bytes| match reply {
                FromWorker::Prepared { request, plan } => trainer.launch(
                    session,
                    job.clone(),
                    (request, on_scored.clone()),
                    *plan,
                    bytes,
                    workers,
                ),
                FromWorker::Failed { message, .. } => trainer.fail(message),
                _ => {}
            },
        );
    }

    /// The data worker died: a run in progress fails with `message` (its models trained so far
    /// stay).
    pub fn abort(&self, message: String) {
        if self.view.with_untracked(|v| v.running) {
            self.fail(message);
        }
    }

    fn fail(&self, message: String) {
        self.view.update(|v| v.fail(message));
        self.stop_pool();
    }

    /// Terminates the pool workers (a fresh pool starts with the next run, without a warm-up);
    /// an explanation running in it fails.
    fn stop_pool(&self) {
        self.end_parts(Err("the pool was stopped".into()));
        self.pool.update_value(|p| {
            if let Some(p) = p {
                if let Some(run) = p.run.take() {
                    run.borrow_mut().scheduler.cancel();
                }
            }
            if p.is_some() {
                self.view.update(|v| v.warm_up = WarmUp::Closed);
            }
            *p = None;
        });
    }

    /// Stops the run in progress; models already trained stay.
    pub fn cancel(&self) {
        let running = self.view.with_untracked(|v| v.running);
        self.stop_pool();
        if running {
            self.view.update(RunView::cancel);
        }
    }

    fn launch(
        &self,
        session: Session,
        job: JobRequest,
        (prepared_by, on_scored): (u32, Option<OnScored>),
        plan: Plan,
        fits: Vec<Uint8Array>,
        workers: usize,
    ) {
        let Some(scheduler) = self.view.try_update(|v| Scheduler::new(plan, workers, v)) else {
            return;
        };
        let run = Rc::new(RefCell::new(Run {
            id: session.next_id(),
            job,
            prepared_by,
            fits,
            scheduler,
            on_scored,
        }));
        if self.pool.with_value(Option::is_none) {
            if let Err(e) = self.spawn_pool(session) {
                return self.fail(e);
            }
        }
        self.pool.update_value(|p| {
            if let Some(p) = p {
                p.run = Some(run.clone());
                p.generation += 1;
            }
        });
        let now = now();
        self.feed(session, &run, |s, v| s.start(now, v));
    }

    /// Hands an event to the run's scheduler (with the view to update) and carries out the
    /// commands it returns; a stopped run ignores it.
    fn feed(
        &self,
        session: Session,
        run: &SharedRun,
        event: impl FnOnce(&mut Scheduler<Uint8Array>, &mut RunView) -> Vec<Command<Uint8Array>>,
    ) {
        if run.borrow().scheduler.is_stopped() {
            return;
        }
        let commands = self
            .view
            .try_update(|v| event(&mut run.borrow_mut().scheduler, v))
            .unwrap_or_default();
        for command in commands {
            match command {
                Command::Send { worker, task } => self.send(run, worker, task),
                Command::Assemble {
                    model,
                    outputs,
                    cpu_ms,
                    wall_ms,
                } => self.assemble(session, run, model, outputs, [cpu_ms, wall_ms]),
                Command::Stop => self.stop_pool(),
                Command::Idle => self.idle(),
            }
        }
    }

    /// Test only (`?test-crash&crash-pool-fit`): the first fit sent in this page's life is preceded
    /// by a [`ToWorker::Crash`] to the same pool worker, so it dies mid-training.
    fn crash_first_fit() -> bool {
        thread_local! {
            static CRASHED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
        }
        super::recover::test_crash()
            && super::recover::page_query().contains("crash-pool-fit")
            && !CRASHED.with(|c| c.replace(true))
    }

    /// Sends `task` to pool worker `w`, with its fit's data.
    fn send(&self, run: &SharedRun, w: usize, task: Task) {
        let (message, fit) = {
            let r = run.borrow();
            let message = ToWorker::Fit {
                request: r.id,
                task,
                spec: r.job.models[task.model].clone(),
            };
            (message, r.fits[task.fit].clone())
        };
        self.pool.with_value(|p| {
            if let Some(client) = p.as_ref().and_then(|p| p.workers.get(w)) {
                if Self::crash_first_fit() {
                    let request = run.borrow().id;
                    client.send(&ToWorker::Crash { request }, &[], &[], false);
                }
                // Copied, not transferred: other tasks of the same fit need it too.
                client.send(&message, &[], &[fit], false);
            }
        });
    }

    fn on_pool_reply(
        &self,
        session: Session,
        run: &SharedRun,
        w: usize,
        reply: FromWorker,
        bytes: Vec<Uint8Array>,
    ) {
        match reply {
            FromWorker::FitProgress { step, .. } => self.feed(session, run, |s, v| {
                s.progress(w, &step, v);
                Vec::new()
            }),
            FromWorker::Fitted { ms, .. } => {
                let (output, now) = (bytes.into_iter().next(), now());
                self.feed(session, run, |s, v| s.task_done(w, output, ms, now, v));
            }
            FromWorker::Failed { message, .. } => {
                self.feed(session, run, |s, v| s.task_failed(w, &message, v))
            }
            _ => {}
        }
    }

    /// Sends model `model`'s outputs to the data worker to be merged and scored; `[cpu_ms,
    /// wall_ms]` are its tasks' summed fitting time and its time since its first task started.
    fn assemble(
        &self,
        session: Session,
        run: &SharedRun,
        model: usize,
        outputs: Vec<Uint8Array>,
        [cpu_ms, wall_ms]: [f64; 2],
    ) {
        let job = run.borrow().prepared_by;
        let on_scored = run.borrow().on_scored.clone();
        let score_only = on_scored.is_some();
        let trainer = *self;
        let run = run.clone();
        session.call(
            move |request| ToWorker::Assemble {
                request,
                job,
                model,
                cpu_ms,
                wall_ms,
                score_only,
            },
            Vec::new(),
            outputs,
            move |reply, bytes| {
                if run.borrow().scheduler.is_stopped() {
                    return;
                }
                if let Some(on_scored) = &on_scored {
                    let result = match reply {
                        FromWorker::Scored { metrics, .. } => Ok(*metrics),
                        FromWorker::Failed { message, .. } => Err(message),
                        _ => return,
                    };
                    let ok = result.as_ref().map(|_| ()).map_err(String::clone);
                    let now = now();
                    trainer.feed(session, &run, |s, v| s.assembled(model, ok, now, v));
                    on_scored(model, result, cpu_ms);
                    return;
                }
                match reply {
                    FromWorker::Trained { result, .. } => {
                        let file = bytes.into_iter().next();
                        let info = &result.info;
                        session.kept.keep_model(info.id, info.name.clone(), file);
                        trainer.trained(session, &run, model, *result)
                    }
                    FromWorker::Failed { message, .. } => {
                        let now = now();
                        trainer.feed(session, &run, |s, v| {
                            s.assembled(model, Err(message), now, v)
                        })
                    }
                    _ => {}
                }
            },
        );
    }

    fn trained(&self, session: Session, run: &SharedRun, model: usize, result: TrainedResult) {
        session.models.update(|m| m.push(result.info.clone()));
        session.results.update(|r| r.push(result));
        let now = now();
        self.feed(session, run, |s, v| s.assembled(model, Ok(()), now, v));
    }

    /// The run is over: the pool stays up for the next one, and closes after [`IDLE_CLOSE`]
    /// without work, freeing its workers' memory.
    fn idle(&self) {
        let generation = self.pool.try_update_value(|p| {
            p.as_mut().map(|p| {
                p.run = None;
                p.generation
            })
        });
        let Some(Some(generation)) = generation else {
            return;
        };
        let trainer = *self;
        set_timeout(
            move || {
                let idle = trainer.pool.with_value(|p| {
                    p.as_ref().is_some_and(|p| {
                        p.run.is_none() && p.explaining.is_none() && p.generation == generation
                    })
                });
                if idle {
                    trainer.pool.set_value(None);
                    trainer.view.update(|v| v.warm_up = WarmUp::Closed);
                }
            },
            IDLE_CLOSE,
        );
    }
}

impl Default for Trainer {
    fn default() -> Self {
        Self::new()
    }
}
