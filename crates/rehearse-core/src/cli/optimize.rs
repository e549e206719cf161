//! `rehearse optimize`: fit the memory model to the review history.

use std::process::ExitCode;

use anyhow::Result;

use crate::collection::Collection;

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
    if fitted.improved {
        collection.use_parameters(fitted.parameters.clone())?;
    }
    if json {
        let out = serde_json::json!({
            "reviews": fitted.reviews,
            "items": fitted.items,
            "before": { "log_loss": fitted.before.log_loss, "rmse_bins": fitted.before.rmse_bins },
            "after": { "log_loss": fitted.after.log_loss, "rmse_bins": fitted.after.rmse_bins },
            "improved": fitted.improved,
            "kept": if fitted.improved { "new" } else { "current" },
            "parameters": fitted.parameters,
        });
        outln!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        outln!(
            "fitted on {} reviews ({} training items)",
            fitted.reviews,
            fitted.items
        );
        outln!("{:<12} {:>9} {:>11}", "", "log loss", "RMSE(bins)");
        outln!(
            "{:<12} {:>9.4} {:>11.4}",
            "current",
            fitted.before.log_loss,
            fitted.before.rmse_bins
        );
        outln!(
            "{:<12} {:>9.4} {:>11.4}",
            "fitted",
            fitted.after.log_loss,
            fitted.after.rmse_bins
        );
        if fitted.improved {
            outln!("saved the fitted parameters; they apply from each card's next review");
        } else {
            outln!(
                "kept the current parameters: the fitted ones do not predict your history better"
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
