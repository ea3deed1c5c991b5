//! `git upgrades hook pre-receive` and `git upgrades hook update`

use std::io::Read;

use clap::{Args, ValueEnum};

use crate::error::{Error, Result};
use crate::store::Store;
use crate::trust::gate;
use crate::ui::Ui;

/// Which hook git is running.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookKind {
    /// Judge a whole push before any ref moves (stdin: `<old> <new> <ref>` lines)
    PreReceive,
    /// Judge one ref (arguments: `<ref> <old> <new>`), for servers that run only update hooks
    Update,
}

/// Run as a server-side git hook on the hub (installed by `init --hub`)
///
/// pre-receive refuses the whole push, with one line per reason, when a
/// branch protected by .upgrades.toml moves to a commit that the queue's
/// landings (on the hub or in the same push) do not explain, when an
/// upgrade's event log is rewritten, deleted or fails to replay, or when an
/// approval the policy requires to be signed is not. Everything else passes.
///
/// update judges each ref alone, against the refs already on the hub: a
/// protected branch must then be pushed after the queue refs that explain it
/// (`git upgrades push` does so when the hub asks).
#[derive(Args, Debug, Clone)]
pub struct HookArgs {
    /// The hook
    #[arg(value_enum)]
    pub kind: HookKind,
    /// For update: the ref, its old value and its new value, as git passes them
    #[arg(value_name = "ARG", num_args = 0..=3)]
    pub args: Vec<String>,
}

/// Input larger than this is refused (git sends one short line per ref).
const MAX_INPUT: u64 = 64 << 20;

/// Run `hook`.
pub fn run(ui: &mut Ui, args: &HookArgs) -> Result<u8> {
    let updates = match args.kind {
        HookKind::PreReceive => {
            if !args.args.is_empty() {
                return Err(Error::usage(
                    "pre-receive reads its refs from standard input",
                ));
            }
            gate::parse_updates(&read_input()?)?
        }
        HookKind::Update => {
            let [name, old, new] = args.args.as_slice() else {
                return Err(Error::usage(
                    "update takes three arguments: <ref> <old> <new>",
                ));
            };
            gate::parse_updates(&format!("{old} {new} {name}\n"))?
        }
    };
    let hub = gate::open_quarantined()?;
    let store = Store::new(&hub.repo);
    let refusals = gate::check_push(&store, &updates)?;
    if refusals.is_empty() {
        return Ok(0);
    }
    for r in &refusals {
        ui.eprint(&format!("git-upgrades: refused {r}\n"));
    }
    let branch_refused = refusals.iter().any(|r| r.starts_with("refs/heads/"));
    if args.kind == HookKind::Update && branch_refused {
        // The queue refs of the same push are not visible to an update hook.
        ui.eprint(&format!(
            "{} (this hub judges each ref alone: push the queue refs, then the branch)\n",
            gate::QUEUE_FIRST
        ));
    }
    ui.eprint(&format!(
        "git-upgrades: push refused ({}); see docs/TRUST.md\n",
        crate::text::plural(refusals.len(), "reason")
    ));
    Ok(1)
}

/// git's pre-receive input, bounded.
fn read_input() -> Result<String> {
    let mut input = String::new();
    std::io::stdin()
        .take(MAX_INPUT + 1)
        .read_to_string(&mut input)
        .map_err(|e| Error::from_std("cannot read the hook's input", &e))?;
    // A cut line could name another ref than the one pushed: refuse, never guess.
    if input.len() as u64 > MAX_INPUT {
        return Err(Error::failure(format!(
            "the hook's input is larger than {MAX_INPUT} bytes; push refused"
        )));
    }
    Ok(input)
}
