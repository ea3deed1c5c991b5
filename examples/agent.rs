//! An agent that changes its own code only through the queue: it edits a
//! file, proposes the change, and waits for a person's decision.
//!
//!     cargo run --example agent -- <repo> <file> <line to append> [timeout-seconds]
//!
//! Prints the upgrade's id as soon as it is proposed, then its final state.
//! Exit 0 when applied, 1 when anything else happened.

use std::io::Write;
use std::time::Duration;

use git_upgrades::{Proposal, Queue, Until, WaitOutcome};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [repo, file, line, rest @ ..] = args.as_slice() else {
        eprintln!("usage: agent <repo> <file> <line to append> [timeout-seconds]");
        std::process::exit(2);
    };
    let timeout = rest
        .first()
        .and_then(|s| s.parse().ok())
        .map(Duration::from_secs);
    match run(repo, file, line, timeout) {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("agent: {e}");
            std::process::exit(1);
        }
    }
}

fn run(
    repo: &str,
    file: &str,
    line: &str,
    timeout: Option<Duration>,
) -> Result<bool, Box<dyn std::error::Error>> {
    let queue = Queue::open(repo)?.acting_as("Agent", "agent@example.com");
    // The agent's own edit, in its working tree.
    let path = std::path::Path::new(repo).join(file);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)?;
    writeln!(f, "{line}")?;
    drop(f);

    let up = queue.propose(&Proposal::working_tree(&format!("Append to {file}")))?;
    println!("{}", up.id);
    std::io::stdout().flush()?;
    let outcome = queue.wait(&up.id, Until::Decided, timeout)?;
    let state = outcome.upgrade().record.state;
    println!("{state}");
    Ok(matches!(outcome, WaitOutcome::Reached(_)) && state == git_upgrades::record::State::Applied)
}
