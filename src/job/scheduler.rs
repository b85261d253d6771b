//! The training scheduler: which pool worker fits which task, when a model is ready to be
//! assembled, and what the Train tab shows — as plain Rust, with no workers, timers or signals.
//!
//! The page (`ui::pool`) is a thin shell around a [`Scheduler`]: it owns the Web Workers and the
//! view signal, turns worker replies into *events* (method calls) and carries out the
//! [`Command`]s they return. Every call also writes what the Train tab shows into the
//! [`RunView`] it is given.
//!
//! A run goes like this:
//!
//! 1. [`RunView::preparing`] while the data worker splits the data and plans the tasks
//!    ([`super::prepare`]); [`RunView::fail`] if that fails.
//! 2. [`Scheduler::new`] with the [`Plan`]: every model's total cost, the stage line, the plan
//!    into the view. The run uses `min(workers, tasks)` pool workers (at least one).
//! 3. [`Scheduler::start`] → one [`Command::Send`] per worker of the run, tasks in plan order.
//! 4. Events, in any order:
//!    - [`Scheduler::progress`]: a worker's progress step; the model's done work grows by the
//!      fraction gained × the task's cost (never shrinks), its last loss is kept.
//!    - [`Scheduler::task_done`]: a worker's task is back. The rest of the task's cost counts as
//!      done; the worker gets the next queued task ([`Command::Send`]); when every task of that
//!      model is back, [`Command::Assemble`] hands their outputs (in plan order) to the data
//!      worker, and the model shows "scoring".
//!    - [`Scheduler::task_failed`]: a worker failed or died. Tasks are not retried: the whole run
//!      fails ([`RunView::fail`], the error names the worker's model) and [`Command::Stop`]
//!      terminates the pool.
//!    - [`Scheduler::assembled`]: the data worker's answer for a model: done, or failed on its
//!      own while the other models go on. Once every model is done or failed the run is over and
//!      [`Command::Idle`] lets the pool idle (it closes after a while without work).
//!    - [`Scheduler::cancel`]: nothing more is dispatched and later events are ignored
//!      ([`RunView::cancel`] shows it).
//!
//! After a failure or cancel every event is ignored and returns no command.

use std::collections::VecDeque;

use super::{Plan, Task};
use crate::models::Step;

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

impl ModelProgress {
    /// A model of a run that has not started yet.
    pub fn waiting(title: impl Into<String>) -> Self {
        ModelProgress {
            title: title.into(),
            done: 0.0,
            total: 0.0,
            started: None,
            finished: None,
            status: Status::Waiting,
            loss: None,
        }
    }

    /// Neither trained nor failed (yet).
    fn unfinished(&self) -> bool {
        !matches!(self.status, Status::Done | Status::Failed(_))
    }
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

impl RunView {
    /// No run yet; a pool of `workers` workers to come.
    pub fn new(workers: usize) -> Self {
        RunView {
            workers,
            plan: None,
            models: Vec::new(),
            stage: String::new(),
            running: false,
            error: None,
            warm_up: WarmUp::NotStarted,
        }
    }

    /// A new run of the models titled `titles`, on `workers` workers, being prepared. The
    /// warm-up state is the pool's and stays.
    pub fn preparing(&mut self, workers: usize, titles: impl IntoIterator<Item = String>) {
        *self = RunView {
            workers,
            plan: None,
            models: titles.into_iter().map(ModelProgress::waiting).collect(),
            stage: "Preparing: splitting the data and fitting the feature pipelines…".into(),
            running: true,
            error: None,
            warm_up: self.warm_up.clone(),
        };
    }

    /// The run failed with `message`: models not trained or failed are cancelled.
    pub fn fail(&mut self, message: String) {
        self.running = false;
        self.stage = "Training failed.".into();
        self.error = Some(message);
        self.cancel_unfinished();
    }

    /// The run (if one is running) was cancelled; models already trained stay.
    pub fn cancel(&mut self) {
        if self.running {
            self.running = false;
            self.stage = "Cancelled. Models that finished before are kept.".into();
            self.cancel_unfinished();
        }
    }

    fn cancel_unfinished(&mut self) {
        for m in self.models.iter_mut().filter(|m| m.unfinished()) {
            m.status = Status::Cancelled;
        }
    }

    /// Ends the run when every model is done or failed; true if this call ended it.
    fn finish_if_over(&mut self) -> bool {
        let over = !self.models.iter().any(ModelProgress::unfinished);
        if over && self.running {
            self.running = false;
            let ok = self
                .models
                .iter()
                .filter(|m| m.status == Status::Done)
                .count();
            self.stage = format!("Finished: {ok} of {} model(s) trained.", self.models.len());
            return true;
        }
        false
    }
}

/// What the shell has to do; `O` is a task's output as the shell holds it (bytes).
#[derive(Debug, Clone, PartialEq)]
pub enum Command<O> {
    /// Have pool worker `worker` fit `task`.
    Send { worker: usize, task: Task },
    /// Every task of model `model` is back: have the data worker merge `outputs` (in plan order)
    /// and score the model, then report with [`Scheduler::assembled`].
    Assemble {
        model: usize,
        outputs: Vec<O>,
        /// The model's tasks' fitting times, summed.
        cpu_ms: f64,
        /// From the model's first task's start to now.
        wall_ms: f64,
    },
    /// The run failed: terminate the pool.
    Stop,
    /// The run is over: the pool may idle (and close after a while without work).
    Idle,
}

/// A task's state in a run.
#[derive(Debug)]
struct TaskState<O> {
    task: Task,
    /// What the worker sent back; `None` while the task is outstanding.
    output: Option<O>,
    /// Its fitting time, in milliseconds.
    ms: f64,
    /// The fraction of it done (from its progress steps).
    fraction: f64,
    /// Its output went to the data worker.
    assembled: bool,
}

/// The state of one run: the tasks, the queue and what each worker is on.
#[derive(Debug)]
pub struct Scheduler<O> {
    tasks: Vec<TaskState<O>>,
    /// Tasks not yet given to a worker, in plan order.
    queue: VecDeque<usize>,
    /// The task each worker of the run is on.
    busy: Vec<Option<usize>>,
    /// Cancelled or failed: every event is ignored.
    stopped: bool,
}

impl<O> Scheduler<O> {
    /// A run of `plan` on at most `workers` pool workers; sets every model's total cost and the
    /// stage line, and moves the plan into `view`.
    pub fn new(plan: Plan, workers: usize, view: &mut RunView) -> Self {
        let n = workers.min(plan.tasks.len()).max(1);
        for (m, p) in view.models.iter_mut().enumerate() {
            p.total = plan
                .tasks
                .iter()
                .filter(|t| t.model == m)
                .map(|t| t.cost)
                .sum();
        }
        view.stage = format!(
            "Training {} task(s) on {n} worker(s): {} training rows, {} features.",
            plan.tasks.len(),
            plan.fits.first().map_or(0, |f| f.train_rows),
            plan.features.len()
        );
        let tasks: Vec<TaskState<O>> = plan
            .tasks
            .iter()
            .map(|&task| TaskState {
                task,
                output: None,
                ms: 0.0,
                fraction: 0.0,
                assembled: false,
            })
            .collect();
        view.plan = Some(plan);
        Scheduler {
            queue: (0..tasks.len()).collect(),
            tasks,
            busy: vec![None; n],
            stopped: false,
        }
    }

    /// How many pool workers the run uses (workers `0..n`).
    pub fn workers(&self) -> usize {
        self.busy.len()
    }

    /// Cancelled or failed.
    pub fn is_stopped(&self) -> bool {
        self.stopped
    }

    /// Gives every worker of the run its first task, at page time `now`.
    pub fn start(&mut self, now: f64, view: &mut RunView) -> Vec<Command<O>> {
        (0..self.busy.len())
            .filter_map(|w| self.dispatch(w, now, view))
            .collect()
    }

    /// Gives worker `w` the next queued task, if any, and shows its model fitting.
    fn dispatch(&mut self, w: usize, now: f64, view: &mut RunView) -> Option<Command<O>> {
        if self.stopped {
            return None;
        }
        let next = self.queue.pop_front();
        if let Some(busy) = self.busy.get_mut(w) {
            *busy = next;
        }
        let task = self.tasks[next?].task;
        if let Some(m) = view.models.get_mut(task.model) {
            m.started.get_or_insert(now);
            m.status = Status::Fitting;
        }
        Some(Command::Send { worker: w, task })
    }

    /// The task worker `w` is on, if any.
    fn task_of(&self, w: usize) -> Option<usize> {
        self.busy.get(w).copied().flatten()
    }

    /// Worker `w` reports `step` of its task.
    pub fn progress(&mut self, w: usize, step: &Step, view: &mut RunView) {
        if self.stopped {
            return;
        }
        let Some(slot) = self.task_of(w) else { return };
        let t = &mut self.tasks[slot];
        let f = if step.total > 0 {
            step.done as f64 / step.total as f64
        } else {
            0.0
        };
        let gain = (f - t.fraction).max(0.0);
        t.fraction = t.fraction.max(f);
        if let Some(m) = view.models.get_mut(t.task.model) {
            m.done += gain * t.task.cost;
            if step.loss.is_some() {
                m.loss = step.loss;
            }
        }
    }

    /// Worker `w`'s task is back with `output` after `ms` milliseconds of fitting, at page time
    /// `now`. A reply without output leaves the task's model waiting for it.
    pub fn task_done(
        &mut self,
        w: usize,
        output: Option<O>,
        ms: f64,
        now: f64,
        view: &mut RunView,
    ) -> Vec<Command<O>> {
        if self.stopped {
            return Vec::new();
        }
        let Some(slot) = self.busy.get_mut(w).and_then(Option::take) else {
            return Vec::new();
        };
        let t = &mut self.tasks[slot];
        let rest = (1.0 - t.fraction).max(0.0) * t.task.cost;
        t.fraction = 1.0;
        t.output = output;
        t.ms = ms;
        let model = t.task.model;
        if let Some(m) = view.models.get_mut(model) {
            m.done += rest;
        }
        let mut commands: Vec<Command<O>> = self.dispatch(w, now, view).into_iter().collect();
        let mine = || self.tasks.iter().filter(|t| t.task.model == model);
        if mine().all(|t| t.output.is_some() || t.assembled) {
            commands.push(self.assemble(model, now, view));
        }
        commands
    }

    /// Hands model `model`'s outputs to the data worker and shows it scoring.
    fn assemble(&mut self, model: usize, now: f64, view: &mut RunView) -> Command<O> {
        let mut outputs = Vec::new();
        let mut cpu_ms = 0.0;
        for t in self.tasks.iter_mut().filter(|t| t.task.model == model) {
            outputs.extend(t.output.take());
            t.assembled = true;
            cpu_ms += t.ms;
        }
        let m = view.models.get_mut(model);
        let started = m.as_ref().and_then(|m| m.started).unwrap_or(now);
        if let Some(m) = m {
            m.status = Status::Scoring;
        }
        Command::Assemble {
            model,
            outputs,
            cpu_ms,
            wall_ms: now - started,
        }
    }

    /// Worker `w` failed with `message` (or died): the run fails, naming the model it was on.
    pub fn task_failed(&mut self, w: usize, message: &str, view: &mut RunView) -> Vec<Command<O>> {
        if self.stopped {
            return Vec::new();
        }
        let title = self
            .task_of(w)
            .and_then(|slot| view.models.get(self.tasks[slot].task.model))
            .map_or("a model", |m| m.title.as_str());
        let message = format!("{title}: {message}");
        view.fail(message);
        self.stopped = true;
        vec![Command::Stop]
    }

    /// The data worker assembled model `model` (`Ok`) or could not (`Err`, the model alone
    /// fails), at page time `now`.
    pub fn assembled(
        &mut self,
        model: usize,
        result: Result<(), String>,
        now: f64,
        view: &mut RunView,
    ) -> Vec<Command<O>> {
        if self.stopped {
            return Vec::new();
        }
        if let Some(m) = view.models.get_mut(model) {
            match result {
                Ok(()) => {
                    m.status = Status::Done;
                    m.finished = Some(now);
                    m.done = m.total;
                }
                Err(message) => m.status = Status::Failed(message),
            }
        }
        if view.finish_if_over() {
            vec![Command::Idle]
        } else {
            Vec::new()
        }
    }

    /// Stops the run: nothing more is dispatched, later events are ignored.
    pub fn cancel(&mut self) {
        self.stopped = true;
    }
}

#[cfg(test)]
mod tests;
