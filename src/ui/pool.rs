//! Training in a pool of Web Workers sized by `navigator.hardwareConcurrency`.
//!
//! The data worker prepares the job (split, pipelines, the plan of tasks, one fit-data payload per
//! fit). The page hands tasks to idle pool workers — a forest's trees in chunks, other models
//! whole — and as soon as every task of a model is back, asks the data worker to assemble and
//! score it. The main thread only moves bytes between workers.
//!
//! The pool starts as soon as the page has its first data set, and each worker first runs
//! [`crate::worker::warm_up`], so the browser has optimised the models' code before the first
//! training; it stays up between trainings (a worker's optimised code lives as long as it does)
//! and is closed after [`IDLE_CLOSE`] without work, to give its memory back. Cancel terminates
//! the pool (a worker busy fitting cannot read messages); the next job starts a fresh one.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::Uint8Array;
use leptos::prelude::*;

use super::worker_client::WorkerClient;
use super::Session;
use crate::job::{JobRequest, Plan, Task};
use crate::worker::protocol::{FromWorker, ToWorker, TrainedResult};

/// How one model of a run is getting on.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelProgress {
    pub title: String,
    /// Work done and in all, in task cost units (see `job::Task::cost`).
    pub done: f64,
    pub total: f64,
    /// When its first task started and (once trained) when it finished, in page milliseconds.
    pub started: Option<f64>,
    pub finished: Option<f64>,
    pub status: Status,
    /// The model's last training loss, where it has one.
    pub loss: Option<f64>,
}

/// Where a model of a run is.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Waiting,
    Fitting,
    Scoring,
    Done,
    Failed(String),
    Cancelled,
}

/// What the Train tab shows of the run in progress (or the last one).
#[derive(Debug, Clone, PartialEq)]
pub struct RunView {
    pub workers: usize,
    pub plan: Option<Plan>,
    pub models: Vec<ModelProgress>,
    /// Preparing, running, finished, failed, cancelled — in words.
    pub stage: String,
    pub running: bool,
    pub error: Option<String>,
    /// Where the pool's warm-up is.
    pub warm_up: WarmUp,
}

/// The state of the pool's warm-up, as the Train tab shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum WarmUp {
    /// No pool yet (the page has no data yet).
    NotStarted,
    Running,
    /// Every worker warmed up; the slowest took this many milliseconds.
    Done(f64),
    Failed(String),
    /// The pool was closed (idle, or cancelled); the next training starts fresh workers.
    Closed,
}

/// A task's state in a run.
struct TaskSlot {
    task: Task,
    output: Option<Uint8Array>,
    ms: f64,
    /// Fraction of the task done (from its progress messages).
    fraction: f64,
}

/// The state of a run, shared by the reply handlers of every worker.
struct Run {
    id: u32,
    job: JobRequest,
    /// The data worker's request that prepared the job.
    prepared_by: u32,
    fits: Vec<Uint8Array>,
    slots: Vec<TaskSlot>,
    queue: VecDeque<usize>,
    /// The slot each pool worker is on.
    busy: Vec<Option<usize>>,
    cancelled: bool,
}

/// The pool and the run in progress.
pub struct Pool {
    workers: Vec<WorkerClient>,
    run: Option<Rc<RefCell<Run>>>,
    /// Workers that answered the warm-up, and the slowest one's time.
    warmed: usize,
    warm_ms: f64,
    /// Bumped whenever the pool gets work, so an idle timer knows whether it is still idle.
    generation: u32,
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
            view: RwSignal::new(RunView {
                workers: pool_size(),
                plan: None,
                models: Vec::new(),
                stage: String::new(),
                running: false,
                error: None,
                warm_up: WarmUp::NotStarted,
            }),
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
            FromWorker::Failed {
                request, message, ..
            } if *request == WARM_UP_REQUEST => {
                let message = message.clone();
                self.view.update(|v| v.warm_up = WarmUp::Failed(message));
                return;
            }
            _ => {}
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
        if self.view.with_untracked(|v| v.running) {
            self.cancel();
        }
        let workers = pool_size();
        let models = job
            .models
            .iter()
            .map(|m| ModelProgress {
                title: m.title().to_string(),
                done: 0.0,
                total: 0.0,
                started: None,
                finished: None,
                status: Status::Waiting,
                loss: None,
            })
            .collect();
        let warm_up = self.view.with_untracked(|v| v.warm_up.clone());
        self.view.set(RunView {
            workers,
            plan: None,
            models,
            stage: "Preparing: splitting the data and fitting the feature pipelines…".into(),
            running: true,
            error: None,
            warm_up,
        });
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
                FromWorker::Prepared { request, plan } => {
                    trainer.launch(session, job.clone(), request, *plan, bytes, workers)
                }
                FromWorker::Failed { message, .. } => trainer.fail(message),
                _ => {}
            },
        );
    }

    fn fail(&self, message: String) {
        self.view.update(|v| {
            v.running = false;
            v.stage = "Training failed.".into();
            v.error = Some(message);
            for m in &mut v.models {
                if !matches!(m.status, Status::Done | Status::Failed(_)) {
                    m.status = Status::Cancelled;
                }
            }
        });
        self.stop_pool();
    }

    /// Terminates the pool workers (a fresh pool starts with the next run, without a warm-up).
    fn stop_pool(&self) {
        self.pool.update_value(|p| {
            if let Some(p) = p {
                if let Some(run) = p.run.take() {
                    run.borrow_mut().cancelled = true;
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
            self.view.update(|v| {
                v.running = false;
                v.stage = "Cancelled. Models that finished before are kept.".into();
                for m in &mut v.models {
                    if !matches!(m.status, Status::Done | Status::Failed(_)) {
                        m.status = Status::Cancelled;
                    }
                }
            });
        }
    }

    fn launch(
        &self,
        session: Session,
        job: JobRequest,
        prepared_by: u32,
        plan: Plan,
        fits: Vec<Uint8Array>,
        workers: usize,
    ) {
        let slots: Vec<TaskSlot> = plan
            .tasks
            .iter()
            .map(|&task| TaskSlot {
                task,
                output: None,
                ms: 0.0,
                fraction: 0.0,
            })
            .collect();
        let n = workers.min(slots.len()).max(1);
        self.view.update(|v| {
            for (m, p) in v.models.iter_mut().enumerate() {
                p.total = plan
                    .tasks
                    .iter()
                    .filter(|t| t.model == m)
                    .map(|t| t.cost)
                    .sum();
            }
            v.stage = format!(
                "Training {} task(s) on {n} worker(s): {} training rows, {} features.",
                plan.tasks.len(),
                plan.fits.first().map_or(0, |f| f.train_rows),
                plan.features.len()
            );
            v.plan = Some(plan);
        });
        let run = Rc::new(RefCell::new(Run {
            id: session.next_id(),
            job,
            prepared_by,
            fits,
            queue: (0..slots.len()).collect(),
            slots,
            busy: vec![None; n],
            cancelled: false,
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
        for w in 0..n {
            self.dispatch(&run, w);
        }
    }

    /// Gives pool worker `w` the next task, if any.
    fn dispatch(&self, run: &Rc<RefCell<Run>>, w: usize) {
        let next = {
            let mut r = run.borrow_mut();
            if r.cancelled {
                return;
            }
            let Some(slot) = r.queue.pop_front() else {
                r.busy[w] = None;
                return;
            };
            r.busy[w] = Some(slot);
            let task = r.slots[slot].task;
            let message = ToWorker::Fit {
                request: r.id,
                task,
                spec: r.job.models[task.model].clone(),
            };
            (message, r.fits[task.fit].clone(), task.model)
        };
        let (message, fit, model) = next;
        let started = now();
        self.view.update(|v| {
            if let Some(m) = v.models.get_mut(model) {
                m.started.get_or_insert(started);
                m.status = Status::Fitting;
            }
        });
        self.pool.with_value(|p| {
            if let Some(p) = p {
                if let Some(client) = p.workers.get(w) {
                    // Copied, not transferred: other tasks of the same fit need it too.
                    client.send(&message, &[], &[fit], false);
                }
            }
        });
    }

    fn on_pool_reply(
        &self,
        session: Session,
        run: &Rc<RefCell<Run>>,
        w: usize,
        reply: FromWorker,
        bytes: Vec<Uint8Array>,
    ) {
        if run.borrow().cancelled {
            return;
        }
        match reply {
            FromWorker::FitProgress { step, .. } => {
                let (model, fraction_gain, cost) = {
                    let mut r = run.borrow_mut();
                    let Some(slot) = r.busy[w] else { return };
                    let s = &mut r.slots[slot];
                    let f = if step.total > 0 {
                        step.done as f64 / step.total as f64
                    } else {
                        0.0
                    };
                    let gain = (f - s.fraction).max(0.0);
                    s.fraction = s.fraction.max(f);
                    (s.task.model, gain, s.task.cost)
                };
                self.view.update(|v| {
                    if let Some(m) = v.models.get_mut(model) {
                        m.done += fraction_gain * cost;
                        if step.loss.is_some() {
                            m.loss = step.loss;
                        }
                    }
                });
            }
            FromWorker::Fitted { ms, .. } => {
                let finished_model = {
                    let mut r = run.borrow_mut();
                    let Some(slot) = r.busy[w].take() else { return };
                    let s = &mut r.slots[slot];
                    let rest = (1.0 - s.fraction).max(0.0) * s.task.cost;
                    s.fraction = 1.0;
                    s.output = bytes.into_iter().next();
                    s.ms = ms;
                    let model = s.task.model;
                    let all_done = r
                        .slots
                        .iter()
                        .filter(|s| s.task.model == model)
                        .all(|s| s.output.is_some());
                    self.view.update(|v| {
                        if let Some(m) = v.models.get_mut(model) {
                            m.done += rest;
                        }
                    });
                    all_done.then_some(model)
                };
                self.dispatch(run, w);
                if let Some(model) = finished_model {
                    self.assemble(session, run, model);
                }
            }
            FromWorker::Failed { message, .. } => {
                let model = {
                    let r = run.borrow();
                    r.busy[w].map(|s| r.slots[s].task.model)
                };
                let title = model
                    .and_then(|m| {
                        self.view
                            .with_untracked(|v| v.models.get(m).map(|p| p.title.clone()))
                    })
                    .unwrap_or_else(|| "a model".into());
                self.fail(format!("{title}: {message}"));
            }
            _ => {}
        }
    }

    /// Sends model `model`'s outputs to the data worker to be merged and scored.
    fn assemble(&self, session: Session, run: &Rc<RefCell<Run>>, model: usize) {
        let (job, outputs, cpu_ms) = {
            let r = run.borrow();
            let mine: Vec<&TaskSlot> = r.slots.iter().filter(|s| s.task.model == model).collect();
            (
                r.prepared_by,
                mine.iter()
                    .filter_map(|s| s.output.clone())
                    .collect::<Vec<_>>(),
                mine.iter().map(|s| s.ms).sum::<f64>(),
            )
        };
        let started = self
            .view
            .with_untracked(|v| v.models.get(model).and_then(|m| m.started))
            .unwrap_or_else(now);
        let wall_ms = now() - started;
        self.view.update(|v| {
            if let Some(m) = v.models.get_mut(model) {
                m.status = Status::Scoring;
            }
        });
        let trainer = *self;
        let run = run.clone();
        session.call(
            move |request| ToWorker::Assemble {
                request,
                job,
                model,
                cpu_ms,
                wall_ms,
            },
            Vec::new(),
            outputs,
            move |reply, _| {
                if run.borrow().cancelled {
                    return;
                }
                match reply {
                    FromWorker::Trained { result, .. } => trainer.trained(session, model, *result),
                    FromWorker::Failed { message, .. } => trainer.view.update(|v| {
                        if let Some(m) = v.models.get_mut(model) {
                            m.status = Status::Failed(message);
                        }
                        trainer.maybe_finish(v);
                    }),
                    _ => {}
                }
            },
        );
    }

    fn trained(&self, session: Session, model: usize, result: TrainedResult) {
        session.models.update(|m| m.push(result.info.clone()));
        session.results.update(|r| r.push(result));
        let t = now();
        self.view.update(|v| {
            if let Some(m) = v.models.get_mut(model) {
                m.status = Status::Done;
                m.finished = Some(t);
                m.done = m.total;
            }
            self.maybe_finish(v);
        });
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
                    p.as_ref()
                        .is_some_and(|p| p.run.is_none() && p.generation == generation)
                });
                if idle {
                    trainer.pool.set_value(None);
                    trainer.view.update(|v| v.warm_up = WarmUp::Closed);
                }
            },
            IDLE_CLOSE,
        );
    }

    /// Ends the run when every model is done or failed.
    fn maybe_finish(&self, v: &mut RunView) {
        let over = v
            .models
            .iter()
            .all(|m| matches!(m.status, Status::Done | Status::Failed(_)));
        if over && v.running {
            v.running = false;
            let ok = v.models.iter().filter(|m| m.status == Status::Done).count();
            v.stage = format!("Finished: {ok} of {} model(s) trained.", v.models.len());
            self.idle();
        }
    }
}

impl Default for Trainer {
    fn default() -> Self {
        Self::new()
    }
}
