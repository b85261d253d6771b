//! Running one task: fitting a whole model, or a chunk of a forest's trees, from a fit's bytes.

use super::*;
use crate::models::forest::RandomForest;
use crate::models::registry::{Model, ModelSpec};
use crate::models::{ModelError, Progress};

/// Runs one task (anywhere: it needs only the fit's data and the model's spec).
pub fn run_task(
    data: &FitData,
    spec: &ModelSpec,
    task: &Task,
    progress: Progress,
) -> Result<TaskOutput, ModelError> {
    match (task.part, spec) {
        (Part::Whole, spec) => Ok(TaskOutput::Model(Box::new(spec.fit(
            &data.x,
            &data.y,
            data.n_classes,
            progress,
        )?))),
        (Part::Trees { start, end }, ModelSpec::Rf(p)) => {
            let binned = RandomForest::bin(p, &data.x)?;
            Ok(TaskOutput::Trees(RandomForest::fit_trees(
                p,
                &binned,
                &data.y,
                data.n_classes,
                start..end,
                progress,
            )?))
        }
        (Part::Trees { .. }, _) => Err(ModelError::InvalidParam {
            name: "part",
            value: "trees".into(),
            expected: "a part of a random forest".into(),
        }),
    }
}

/// Merges the outputs of one fit's tasks (in task order) into one model.
pub(super) fn merge(
    spec: &ModelSpec,
    data: &FitData,
    mut outputs: Vec<TaskOutput>,
) -> Result<Model, TrainError> {
    if outputs.len() == 1 {
        if let Some(TaskOutput::Model(_)) = outputs.first() {
            if let Some(TaskOutput::Model(m)) = outputs.pop() {
                return Ok(*m);
            }
        }
    }
    let ModelSpec::Rf(p) = spec else {
        return Err(PlanError::NotAForest.into());
    };
    let mut trees = Vec::with_capacity(p.n_trees);
    for o in outputs {
        match o {
            TaskOutput::Trees(t) => trees.extend(t),
            TaskOutput::Model(_) => return Err(PlanError::WholeModelPart.into()),
        }
    }
    let binned = RandomForest::bin(p, &data.x)?;
    Ok(Model::Rf(RandomForest::from_trees(
        p,
        &binned,
        &data.y,
        data.n_classes,
        trees,
    )?))
}
