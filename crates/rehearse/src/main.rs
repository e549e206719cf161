//! The `rehearse` command: no subcommand opens the window.

use std::process::ExitCode;

use clap::Parser;
use rehearse_core::cli;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    match cli::run(args, open_window) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("rehearse: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The window over an opened collection, or a window that says why the
/// collection could not be opened.
fn open_window(opened: anyhow::Result<rehearse_core::Collection>) -> anyhow::Result<ExitCode> {
    match opened {
        Ok(collection) => {
            rehearse::ui::run(collection)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            // Started from a desktop there is no terminal to read this in.
            eprintln!("rehearse: {e:#}");
            if let Err(shown) = rehearse::ui::run_error(&format!("{e:#}")) {
                eprintln!("rehearse: the error window could not open either: {shown:#}");
            }
            Ok(ExitCode::FAILURE)
        }
    }
}
