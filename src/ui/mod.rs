//! The window.

/// Opens the window.
pub fn run(_collection: crate::Collection) -> anyhow::Result<()> {
    anyhow::bail!("the window is not built yet")
}
