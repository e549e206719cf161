//! `rehearse weak`: every topic and tag, weakest first.

use anyhow::Result;
use jiff::Timestamp;

use crate::collection::Collection;

/// `rehearse weak`.
pub(super) fn weak(collection: &Collection, now: Timestamp) -> Result<()> {
    let history = collection.history_loader()?.load()?;
    let rows = crate::insight::weak::weak_topics(collection, Some(&history), now);
    outln!(
        "{:<5} {:<36} {:>6} {:>7} {:>7} {:>7} {:>9} {:>7}",
        "kind",
        "name",
        "cards",
        "studied",
        "recall",
        "lapses",
        "again30d",
        "leeches"
    );
    for r in rows {
        let kind = match r.kind {
            crate::insight::weak::GroupKind::Topic => "topic",
            crate::insight::weak::GroupKind::Tag => "tag",
        };
        outln!(
            "{:<5} {:<36} {:>6} {:>7} {:>7} {:>7} {:>9} {:>7}",
            kind,
            r.name,
            r.items,
            r.studied,
            pct(r.recall_now),
            pct(r.lapse_rate),
            pct(r.again_rate_30d),
            r.leeches
        );
    }
    Ok(())
}

fn pct(v: Option<f32>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{:.0}%", v * 100.0))
}
