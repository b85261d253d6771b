//! The scheduler driven by hand on real plans ([`crate::job::prepare`] of a small data set), as
//! the page's pool drives it.

use super::*;
use crate::eval::split::SplitKind;
use crate::ingest::{Dataset, IngestOptions, Loader, Taxonomy};
use crate::job::{self, JobRequest, Part, Prepared, TaskOutput};
use crate::models::forest::RandomForestParams;
use crate::models::{no_progress, Model, ModelSpec};

/// 60 rows, two classes told apart by duration (the `job` module's doctest data).
fn data() -> Dataset {
    let mut text = String::from("duration,bytes,label\n");
    for i in 0..60 {
        let (d, label) = if i % 2 == 0 {
            (0.1, "benign")
        } else {
            (5.0, "attack")
        };
        text.push_str(&format!("{},{},{}\n", d + i as f64 * 0.001, 100 + i, label));
    }
    let mut loader = Loader::new(IngestOptions::default());
    loader.start_file("flows.csv");
    loader.feed(text.as_bytes()).unwrap();
    loader.end_file().unwrap();
    loader.finish().unwrap()
}

fn dt() -> ModelSpec {
    ModelSpec::default_for("dt").unwrap()
}

fn rf(n_trees: usize) -> ModelSpec {
    ModelSpec::Rf(RandomForestParams {
        n_trees,
        ..Default::default()
    })
}

/// `models` prepared for `workers` workers (25 % hold-out, raw labels).
fn prepare(data: &Dataset, models: Vec<ModelSpec>, workers: usize) -> Prepared {
    let mut request = JobRequest::new(models);
    request.split = SplitKind::Random { test_size: 0.25 };
    request.taxonomy = Taxonomy::Raw;
    job::prepare(data, &request, workers).unwrap()
}

/// A view of the run being prepared, as the page shows it before the plan arrives.
fn view_of(prepared: &Prepared, workers: usize) -> RunView {
    let mut view = RunView::new(workers);
    let titles = prepared
        .request
        .models
        .iter()
        .map(|m| m.title().to_string());
    view.preparing(workers, titles);
    view
}

/// A scheduler of string outputs on `prepared`'s plan, and its view.
fn scheduler(prepared: &Prepared, workers: usize) -> (Scheduler<&'static str>, RunView) {
    let mut view = view_of(prepared, workers);
    let s = Scheduler::new(prepared.plan.clone(), workers, &mut view);
    (s, view)
}

fn send(worker: usize, task: Task) -> Command<&'static str> {
    Command::Send { worker, task }
}

fn step(done: usize, total: usize, loss: Option<f64>) -> Step {
    Step {
        done,
        total,
        loss,
        val_loss: None,
    }
}

#[test]
fn two_workers_take_the_tasks_in_plan_order_and_models_assemble_when_back() {
    let p = prepare(&data(), vec![dt(), rf(4)], 2);
    let tasks = p.plan.tasks.clone();
    let parts: Vec<(usize, Part)> = tasks.iter().map(|t| (t.model, t.part)).collect();
    assert_eq!(
        parts,
        vec![
            (0, Part::Whole),
            (1, Part::Trees { start: 0, end: 2 }),
            (1, Part::Trees { start: 2, end: 4 }),
        ]
    );
    let (mut s, mut view) = scheduler(&p, 2);
    assert_eq!(s.workers(), 2);
    assert_eq!(
        view.stage,
        "Training 3 task(s) on 2 worker(s): 44 training rows, 5 features."
    );
    assert_eq!(view.plan.as_ref(), Some(&p.plan));

    assert_eq!(
        s.start(10.0, &mut view),
        vec![send(0, tasks[0]), send(1, tasks[1])]
    );
    for m in &view.models {
        assert_eq!((&m.status, m.started), (&Status::Fitting, Some(10.0)));
    }
    // The forest's first chunk is back: worker 1 takes the last task, the forest still waits.
    assert_eq!(
        s.task_done(1, Some("rf 0..2"), 5.0, 20.0, &mut view),
        vec![send(1, tasks[2])]
    );
    assert_eq!(view.models[1].status, Status::Fitting);
    // The tree is back: nothing left to send, the tree is assembled.
    assert_eq!(
        s.task_done(0, Some("dt"), 7.0, 30.0, &mut view),
        vec![Command::Assemble {
            model: 0,
            outputs: vec!["dt"],
            cpu_ms: 7.0,
            wall_ms: 20.0,
        }]
    );
    assert_eq!(view.models[0].status, Status::Scoring);
    assert_eq!(
        s.task_done(1, Some("rf 2..4"), 6.0, 45.0, &mut view),
        vec![Command::Assemble {
            model: 1,
            outputs: vec!["rf 0..2", "rf 2..4"],
            cpu_ms: 11.0,
            wall_ms: 35.0,
        }]
    );
    assert!(view.running);
    assert_eq!(s.assembled(1, Ok(()), 50.0, &mut view), vec![]);
    assert_eq!(s.assembled(0, Ok(()), 60.0, &mut view), vec![Command::Idle]);
    assert!(!view.running);
    assert_eq!(view.stage, "Finished: 2 of 2 model(s) trained.");
    assert_eq!(view.models[0].finished, Some(60.0));
    assert_eq!(view.models[1].finished, Some(50.0));
}

#[test]
fn a_forest_in_chunks_assembles_only_when_every_chunk_is_back_in_plan_order() {
    let data = data();
    let p = prepare(&data, vec![rf(6)], 3);
    assert_eq!(p.plan.tasks.len(), 3);
    let mut view = view_of(&p, 3);
    let mut s: Scheduler<TaskOutput> = Scheduler::new(p.plan.clone(), 3, &mut view);
    let sent = s.start(0.0, &mut view);
    let run = |c: &Command<TaskOutput>| {
        let Command::Send { task, .. } = c else {
            panic!("expected a Send, got {c:?}")
        };
        let fit = p.fit_data(&data, task.fit).unwrap();
        job::run_task(&fit, &p.request.models[0], task, &mut no_progress()).unwrap()
    };
    let outputs: Vec<TaskOutput> = sent.iter().map(&run).collect();
    let mut outputs: Vec<Option<TaskOutput>> = outputs.into_iter().map(Some).collect();
    // Back in the order 2, 0, 1: only the last one completes the forest.
    assert_eq!(
        s.task_done(2, outputs[2].take(), 1.0, 1.0, &mut view),
        vec![]
    );
    assert_eq!(
        s.task_done(0, outputs[0].take(), 1.0, 2.0, &mut view),
        vec![]
    );
    assert_eq!(view.models[0].status, Status::Fitting);
    let mut commands = s.task_done(1, outputs[1].take(), 1.0, 3.0, &mut view);
    assert_eq!(commands.len(), 1);
    let Some(Command::Assemble { model, outputs, .. }) = commands.pop() else {
        panic!("expected an Assemble")
    };
    assert_eq!((model, outputs.len()), (0, 3));
    // Handed over in plan order, the chunks merge into the forest of the tasks run in order.
    let in_order: Vec<TaskOutput> = sent.iter().map(&run).collect();
    assert_eq!(outputs, in_order);
    let (trained, _) = job::assemble(&data, &p, 0, outputs, &mut no_progress()).unwrap();
    let Model::Rf(forest) = &trained.model else {
        panic!("expected a forest")
    };
    assert_eq!(forest.trees().len(), 6);
    assert!(trained.meta.metrics.accuracy > 0.9);
}

#[test]
fn progress_is_counted_in_task_cost_units_and_never_shrinks() {
    let p = prepare(&data(), vec![dt(), rf(4)], 2);
    let cost: Vec<f64> = p.plan.tasks.iter().map(|t| t.cost).collect();
    let (mut s, mut view) = scheduler(&p, 2);
    assert_eq!(view.models[0].total, cost[0]);
    assert_eq!(view.models[1].total, cost[1] + cost[2]);
    assert_eq!(cost[1], cost[2]);
    s.start(0.0, &mut view);

    s.progress(1, &step(1, 2, None), &mut view);
    assert_eq!(view.models[1].done / view.models[1].total, 0.25);
    s.progress(1, &step(1, 2, None), &mut view);
    s.progress(1, &step(0, 2, None), &mut view);
    assert_eq!(view.models[1].done / view.models[1].total, 0.25);
    s.progress(1, &step(1, 0, None), &mut view);
    assert_eq!(view.models[1].done / view.models[1].total, 0.25);

    s.progress(0, &step(3, 10, Some(0.7)), &mut view);
    assert_eq!(view.models[0].done, 0.3 * cost[0]);
    assert_eq!(view.models[0].loss, Some(0.7));
    s.progress(0, &step(4, 10, None), &mut view);
    assert_eq!(view.models[0].loss, Some(0.7));

    // The rest of a task counts when it is back.
    s.task_done(1, Some("rf 0..2"), 1.0, 1.0, &mut view);
    assert_eq!(view.models[1].done / view.models[1].total, 0.5);
    s.task_done(0, Some("dt"), 1.0, 1.0, &mut view);
    assert_eq!(view.models[0].done, cost[0]);
    s.assembled(0, Ok(()), 2.0, &mut view);
    assert_eq!(view.models[0].done, view.models[0].total);
    assert_eq!(view.models[0].status, Status::Done);
}

#[test]
fn a_failed_task_fails_the_run_and_names_its_model() {
    let p = prepare(&data(), vec![dt(), rf(4)], 2);
    let (mut s, mut view) = scheduler(&p, 2);
    s.start(0.0, &mut view);
    s.task_done(0, Some("dt"), 1.0, 1.0, &mut view);
    s.assembled(0, Ok(()), 2.0, &mut view);
    assert_eq!(
        s.task_failed(1, "out of memory", &mut view),
        vec![Command::Stop]
    );
    assert!(!view.running);
    assert!(s.is_stopped());
    assert_eq!(view.stage, "Training failed.");
    assert_eq!(view.error.as_deref(), Some("random forest: out of memory"));
    assert_eq!(view.models[0].status, Status::Done);
    assert_eq!(view.models[1].status, Status::Cancelled);
    // Later replies change nothing.
    let before = view.clone();
    assert_eq!(s.task_done(0, Some("rf 2..4"), 1.0, 3.0, &mut view), vec![]);
    s.progress(0, &step(1, 2, None), &mut view);
    assert_eq!(s.assembled(1, Ok(()), 3.0, &mut view), vec![]);
    assert_eq!(s.task_failed(0, "again", &mut view), vec![]);
    assert_eq!(view, before);
}

#[test]
fn a_worker_off_the_run_that_dies_fails_the_run_as_a_model() {
    let p = prepare(&data(), vec![dt()], 4);
    let (mut s, mut view) = scheduler(&p, 4);
    s.start(0.0, &mut view);
    assert_eq!(
        s.task_failed(3, "the worker crashed", &mut view),
        vec![Command::Stop]
    );
    assert_eq!(view.error.as_deref(), Some("a model: the worker crashed"));
    assert_eq!(view.models[0].status, Status::Cancelled);
}

#[test]
fn a_model_that_fails_to_assemble_fails_alone() {
    let p = prepare(&data(), vec![dt(), rf(4)], 2);
    let (mut s, mut view) = scheduler(&p, 2);
    s.start(0.0, &mut view);
    s.task_done(0, Some("dt"), 1.0, 1.0, &mut view);
    assert_eq!(
        s.assembled(0, Err("no test rows".into()), 2.0, &mut view),
        vec![]
    );
    assert_eq!(view.models[0].status, Status::Failed("no test rows".into()));
    assert!(view.running);
    s.task_done(1, Some("rf 0..2"), 1.0, 3.0, &mut view);
    let last = s.task_done(0, Some("rf 2..4"), 1.0, 4.0, &mut view);
    assert!(matches!(last[..], [Command::Assemble { model: 1, .. }]));
    assert_eq!(s.assembled(1, Ok(()), 5.0, &mut view), vec![Command::Idle]);
    assert_eq!(view.models[1].status, Status::Done);
    assert_eq!(view.stage, "Finished: 1 of 2 model(s) trained.");
    assert_eq!(view.error, None);
    assert!(!view.running);
}

#[test]
fn cancel_stops_dispatch_and_keeps_trained_models() {
    let p = prepare(&data(), vec![dt(), rf(4)], 2);
    let (mut s, mut view) = scheduler(&p, 1);
    assert_eq!(s.workers(), 1);
    let tasks = p.plan.tasks.clone();
    assert_eq!(s.start(0.0, &mut view), vec![send(0, tasks[0])]);
    assert_eq!(view.models[1].status, Status::Waiting);
    let back = s.task_done(0, Some("dt"), 1.0, 1.0, &mut view);
    assert!(matches!(
        back[..],
        [
            Command::Send { worker: 0, .. },
            Command::Assemble { model: 0, .. }
        ]
    ));
    s.assembled(0, Ok(()), 2.0, &mut view);

    s.cancel();
    view.cancel();
    assert!(s.is_stopped());
    assert!(!view.running);
    assert_eq!(
        view.stage,
        "Cancelled. Models that finished before are kept."
    );
    assert_eq!(view.models[0].status, Status::Done);
    assert_eq!(view.models[1].status, Status::Cancelled);
    let before = view.clone();
    assert_eq!(s.task_done(0, Some("rf 0..2"), 1.0, 3.0, &mut view), vec![]);
    // A view that is not running is left as it is.
    view.cancel();
    assert_eq!(view, before);
}

#[test]
fn more_workers_than_tasks_uses_one_worker_per_task() {
    let p = prepare(&data(), vec![dt()], 8);
    let (mut s, mut view) = scheduler(&p, 8);
    assert_eq!(s.workers(), 1);
    assert_eq!(
        view.stage,
        "Training 1 task(s) on 1 worker(s): 44 training rows, 5 features."
    );
    assert_eq!(s.start(0.0, &mut view), vec![send(0, p.plan.tasks[0])]);
    // Replies from workers outside the run are ignored.
    s.progress(5, &step(1, 2, None), &mut view);
    assert_eq!(s.task_done(5, Some("x"), 1.0, 1.0, &mut view), vec![]);
    assert_eq!(view.models[0].done, 0.0);

    // A forest of 4 trees over 8 workers: 4 chunks, 4 workers.
    let p = prepare(&data(), vec![rf(4)], 8);
    let (mut s, mut view) = scheduler(&p, 8);
    assert_eq!((p.plan.tasks.len(), s.workers()), (4, 4));
    let sent = s.start(0.0, &mut view);
    let workers: Vec<usize> = sent
        .iter()
        .map(|c| match c {
            Command::Send { worker, .. } => *worker,
            _ => usize::MAX,
        })
        .collect();
    assert_eq!(workers, vec![0, 1, 2, 3]);
}

#[test]
fn preparing_resets_the_run_but_keeps_the_warm_up() {
    let mut view = RunView::new(4);
    assert_eq!(view.warm_up, WarmUp::NotStarted);
    view.warm_up = WarmUp::Done(12.0);
    view.error = Some("old".into());
    view.preparing(3, ["decision tree".to_string(), "MLP".to_string()]);
    assert_eq!(view.workers, 3);
    assert_eq!(view.warm_up, WarmUp::Done(12.0));
    assert_eq!(view.error, None);
    assert!(view.running);
    assert_eq!(view.models[1], ModelProgress::waiting("MLP"));
    view.fail("the data has no labelled rows".into());
    assert_eq!(view.stage, "Training failed.");
    assert_eq!(view.models[0].status, Status::Cancelled);
    assert!(!view.running);
}
