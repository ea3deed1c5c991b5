//! `git upgrades hook pre-receive`

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
}

/// Run as a server-side git hook on the hub (installed by `init --hub`)
///
/// pre-receive refuses the whole push, with one line per reason, when a
/// branch protected by .upgrades.toml moves to a commit that the queue's
/// landings (on the hub or in the same push) do not explain, when an
/// upgrade's event log is rewritten, deleted or fails to replay, or when an
/// approval the policy requires to be signed is not. Everything else passes.
#[derive(Args, Debug, Clone)]
pub struct HookArgs {
    /// The hook
    #[arg(value_enum)]
    pub kind: HookKind,
}

/// Input larger than this is refused (git sends one short line per ref).
const MAX_INPUT: u64 = 64 << 20;

/// Run `hook`.
pub fn run(ui: &mut Ui, args: &HookArgs) -> Result<u8> {
    match args.kind {
        HookKind::PreReceive => {}
    }
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
    let updates = gate::parse_updates(&input)?;
    let hub = gate::open_quarantined()?;
    let store = Store::new(&hub.repo);
    let refusals = gate::check_push(&store, &updates)?;
    if refusals.is_empty() {
        return Ok(0);
    }
    for r in &refusals {
        ui.eprint(&format!("git-upgrades: refused {r}\n"));
    }
    ui.eprint(&format!(
        "git-upgrades: push refused ({}); see docs/TRUST.md\n",
        crate::text::plural(refusals.len(), "reason")
    ));
    Ok(1)
}
