//! The command line: clap definitions, global flags, dispatch and the
//! mapping of errors to messages and exit codes. Each subcommand lives in
//! `crate::commands::<verb>`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::commands;
use crate::error::{Error, Kind};
use crate::ui::{ColorChoice, Style, Ui};

pub mod generate;

/// A human-approval queue for proposed code changes, kept in git refs and notes
#[derive(Parser, Debug)]
#[allow(missing_docs)]
#[command(
    name = "git-upgrades",
    bin_name = "git upgrades",
    version,
    propagate_version = true
)]
#[command(after_help = crate::error::exit_codes_help())]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Flags accepted by every subcommand.
#[derive(Args, Debug, Clone)]
pub struct GlobalArgs {
    /// Run as if started in <PATH> (repeatable, like git -C)
    #[arg(short = 'C', global = true, value_name = "PATH")]
    pub directory: Vec<PathBuf>,
    /// Print machine-readable JSON (see docs/JSON.md)
    #[arg(long, global = true)]
    pub json: bool,
    /// When to use colours
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// No progress output and fewer messages
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Stream the full test output while tests run
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
#[allow(missing_docs)]
pub enum Command {
    Propose(commands::propose::ProposeArgs),
    Update(commands::update::UpdateArgs),
    #[command(visible_alias = "ls")]
    List(commands::list::ListArgs),
    Status(commands::list::StatusArgs),
    Show(commands::show::ShowArgs),
    Diff(commands::diff::DiffArgs),
    Approve(commands::approve::ApproveArgs),
    Reject(commands::reject::RejectArgs),
    Comment(commands::comment::CommentArgs),
    RequestChanges(commands::request_changes::RequestChangesArgs),
    Review(commands::review::ReviewArgs),
    Apply(commands::apply::ApplyArgs),
    Rollback(commands::rollback::RollbackArgs),
    Rebase(commands::rebase::RebaseArgs),
    Log(commands::log::LogArgs),
    Export(commands::export::ExportArgs),
    Maintain(commands::maintain::MaintainArgs),
    Init(commands::init::InitArgs),
    Push(commands::sync::PushArgs),
    Pull(commands::sync::PullArgs),
    Sync(commands::sync::SyncArgs),
    Verify(commands::verify::VerifyArgs),
    Wait(commands::wait::WaitArgs),
    Hook(commands::hook::HookArgs),
    #[command(hide = true)]
    Util(commands::util::UtilArgs),
}

/// Parse arguments, run the command, print errors; the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout with code 0, errors with 2.
            let _ = e.print();
            return ExitCode::from(e.exit_code().clamp(0, 255) as u8);
        }
    };
    for dir in &cli.global.directory {
        if dir.as_os_str().is_empty() {
            continue;
        }
        if let Err(e) = std::env::set_current_dir(dir) {
            eprintln!("error: cannot change to {}: {e}", dir.display());
            return ExitCode::from(Kind::Failure.exit_code());
        }
    }
    let g = &cli.global;
    let mut ui = Ui::new(g.json, g.color, g.quiet, g.verbose);
    let result = dispatch(&mut ui, cli.command);
    for notice in crate::store::lock::take_notices() {
        ui.warn(&notice);
    }
    let flushed = ui.flush();
    drop(ui);
    crate::ui::pager::finish_pager();
    let code = match result.and_then(|code| flushed.map(|_| code)) {
        Ok(code) => code,
        Err(err) => report(&err),
    };
    ExitCode::from(code)
}

fn dispatch(ui: &mut Ui, command: Option<Command>) -> Result<u8, Error> {
    match command {
        None => commands::list::status(ui, &commands::list::StatusArgs::default()),
        Some(Command::Propose(a)) => commands::propose::run(ui, &a),
        Some(Command::Update(a)) => commands::update::run(ui, &a),
        Some(Command::List(a)) => commands::list::list(ui, &a),
        Some(Command::Status(a)) => commands::list::status(ui, &a),
        Some(Command::Show(a)) => commands::show::run(ui, &a),
        Some(Command::Diff(a)) => commands::diff::run(ui, &a),
        Some(Command::Approve(a)) => commands::approve::run(ui, &a),
        Some(Command::Reject(a)) => commands::reject::run(ui, &a),
        Some(Command::Comment(a)) => commands::comment::run(ui, &a),
        Some(Command::RequestChanges(a)) => commands::request_changes::run(ui, &a),
        Some(Command::Review(a)) => commands::review::run(ui, &a),
        Some(Command::Apply(a)) => commands::apply::run(ui, &a),
        Some(Command::Rollback(a)) => commands::rollback::run(ui, &a),
        Some(Command::Rebase(a)) => commands::rebase::run(ui, &a),
        Some(Command::Log(a)) => commands::log::run(ui, &a),
        Some(Command::Export(a)) => commands::export::run(ui, &a),
        Some(Command::Maintain(a)) => commands::maintain::run(ui, &a),
        Some(Command::Init(a)) => commands::init::run(ui, &a),
        Some(Command::Push(a)) => commands::sync::push(ui, &a),
        Some(Command::Verify(a)) => commands::verify::run(ui, &a),
        Some(Command::Wait(a)) => commands::wait::run(ui, &a),
        Some(Command::Hook(a)) => commands::hook::run(ui, &a),
        Some(Command::Pull(a)) => commands::sync::pull(ui, &a),
        Some(Command::Sync(a)) => commands::sync::sync(ui, &a),
        Some(Command::Util(a)) => commands::util::run(ui, &a, generate::GENERATED),
    }
}

/// Print an error as git does (`error: ...`, then `hint: ...`); its exit code.
fn report(err: &Error) -> u8 {
    if err.kind == Kind::BrokenPipe {
        return 0;
    }
    let color = Ui::new(false, ColorChoice::Auto, false, false);
    let one_line = crate::ui::escape::text(&err.to_string()).into_owned();
    eprintln!("{} {one_line}", color.paint_err(Style::Bad, "error:"));
    for hint in &err.hints {
        let hint = crate::ui::escape::text(hint);
        eprintln!("{} {hint}", color.paint_err(Style::Warn, "hint:"));
    }
    err.kind.exit_code()
}

/// The clap command, for man pages and completions.
pub fn command() -> clap::Command {
    Cli::command()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_app() {
        Cli::command().debug_assert();
    }
}
