//! `rehearse optimize`: fit the memory model to the review history, one
//! parameter set per option preset.

use std::process::ExitCode;

use anyhow::Result;

use crate::collection::Collection;
use crate::insight::fit::{PresetOutcome, PresetsFit};
use crate::insight::{Fitted, MIN_ITEMS};
use crate::schedule::DEFAULT_PRESET;

/// `rehearse optimize`.
pub(super) fn optimize(collection: &mut Collection, json: bool) -> Result<ExitCode> {
    let job = collection.fit_job()?;
    let mut last = 0;
    let fitted = job.run(|done, total| {
        if !json && total > 0 && done * 10 / total != last {
            last = done * 10 / total;
            eprint!("\roptimising… {}%", done * 100 / total);
        }
        true
    });
    if !json {
        eprintln!();
    }
    let fitted = fitted?;
    collection.use_fit(&fitted)?;
    if json {
        outln!("{}", serde_json::to_string_pretty(&to_json(&fitted))?);
    } else {
        print_text(&fitted);
    }
    Ok(ExitCode::SUCCESS)
}

fn evaluation_json(f: &Fitted) -> serde_json::Value {
    serde_json::json!({
        "reviews": f.reviews,
        "items": f.items,
        "before": { "log_loss": f.before.log_loss, "rmse_bins": f.before.rmse_bins },
        "after": { "log_loss": f.after.log_loss, "rmse_bins": f.after.rmse_bins },
        "improved": f.improved,
        "kept": if f.improved { "new" } else { "current" },
        "parameters": f.parameters,
    })
}

/// The global fit's figures at the top level (as before presets), and one
/// entry per preset.
fn to_json(fitted: &PresetsFit) -> serde_json::Value {
    let mut out = evaluation_json(&fitted.global);
    let mut presets = vec![serde_json::json!({
        "name": DEFAULT_PRESET,
        "source": "all history",
        "fit": evaluation_json(&fitted.global),
    })];
    for p in &fitted.presets {
        presets.push(match &p.outcome {
            PresetOutcome::Fitted(f) => serde_json::json!({
                "name": p.name,
                "source": "own decks",
                "fit": evaluation_json(f),
            }),
            PresetOutcome::TooLittleHistory { have } => serde_json::json!({
                "name": p.name,
                "source": "global",
                "items": have,
                "need": MIN_ITEMS,
            }),
        });
    }
    out["presets"] = serde_json::Value::Array(presets);
    out
}

fn print_text(fitted: &PresetsFit) {
    let g = &fitted.global;
    outln!(
        "{DEFAULT_PRESET} (global): fitted on all {} reviews ({} training items)",
        g.reviews,
        g.items
    );
    print_fit(g);
    for p in &fitted.presets {
        match &p.outcome {
            PresetOutcome::Fitted(f) => {
                outln!(
                    "{}: fitted on its decks' {} reviews ({} training items)",
                    p.name,
                    f.reviews,
                    f.items
                );
                print_fit(f);
            }
            PresetOutcome::TooLittleHistory { have } => outln!(
                "{}: {have} training items from its decks, fewer than {MIN_ITEMS}; uses the global parameters",
                p.name
            ),
        }
    }
}

fn print_fit(f: &Fitted) {
    outln!("  {:<10} {:>9} {:>11}", "", "log loss", "RMSE(bins)");
    outln!(
        "  {:<10} {:>9.4} {:>11.4}",
        "current",
        f.before.log_loss,
        f.before.rmse_bins
    );
    outln!(
        "  {:<10} {:>9.4} {:>11.4}",
        "fitted",
        f.after.log_loss,
        f.after.rmse_bins
    );
    if f.improved {
        outln!("  saved the fitted parameters; they apply from each card's next review");
    } else {
        outln!("  kept the current parameters: the fitted ones do not predict this history better");
    }
}
