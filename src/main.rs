//! The `rehearse` command: no subcommand opens the window.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = rehearse::cli::Args::parse();
    match rehearse::cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("rehearse: {e:#}");
            ExitCode::FAILURE
        }
    }
}
