//! Hidden maintenance commands: generate man pages and shell completions
//! from the clap definitions (the committed `man/` and `completions/` are
//! checked for freshness by a test).

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use crate::error::{Context, Result};
use crate::ui::Ui;

/// Generate man pages and completions
#[derive(Args, Debug, Clone)]
#[allow(missing_docs)]
pub struct UtilArgs {
    #[command(subcommand)]
    pub what: UtilCommand,
}

/// What to generate.
#[derive(Subcommand, Debug, Clone)]
#[allow(missing_docs)]
pub enum UtilCommand {
    /// Write man pages (git-upgrades.1, git-upgrades-<cmd>.1) into DIR
    Man { dir: PathBuf },
    /// Write completion scripts for every supported shell into DIR
    Completions { dir: PathBuf },
}

/// Run `util`.
pub fn run(_ui: &mut Ui, args: &UtilArgs) -> Result<u8> {
    match &args.what {
        UtilCommand::Man { dir } => write_man(dir)?,
        UtilCommand::Completions { dir } => write_completions(dir)?,
    }
    Ok(0)
}

/// Render every man page into `dir`.
pub fn write_man(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).context("cannot create the man directory")?;
    for (name, bytes) in man_pages()? {
        std::fs::write(dir.join(&name), bytes).with_context(|| format!("cannot write {name}"))?;
    }
    Ok(())
}

/// The man pages as (file name, contents).
pub fn man_pages() -> Result<Vec<(String, Vec<u8>)>> {
    let cmd = crate::cli::command()
        .name("git-upgrades")
        .bin_name("git upgrades");
    let mut pages = Vec::new();
    let mut main = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut main)
        .context("cannot render the man page")?;
    pages.push(("git-upgrades.1".to_string(), main));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name: &'static str =
            Box::leak(format!("git-upgrades-{}", sub.get_name()).into_boxed_str());
        let sub = sub
            .clone()
            .name(name)
            .bin_name(format!("git upgrades {}", sub.get_name()));
        let sub = sub.display_name(name);
        let mut page = Vec::new();
        clap_mangen::Man::new(sub)
            .render(&mut page)
            .context("cannot render a man page")?;
        pages.push((format!("{name}.1"), page));
    }
    Ok(pages)
}

/// Render every completion script into `dir`.
pub fn write_completions(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).context("cannot create the completions directory")?;
    for (name, bytes) in completions() {
        std::fs::write(dir.join(&name), bytes).with_context(|| format!("cannot write {name}"))?;
    }
    Ok(())
}

/// The completion scripts as (file name, contents).
pub fn completions() -> Vec<(String, Vec<u8>)> {
    use clap_complete::Shell;
    let mut out = Vec::new();
    for (shell, file) in [
        (Shell::Bash, "git-upgrades.bash"),
        (Shell::Zsh, "_git-upgrades"),
        (Shell::Fish, "git-upgrades.fish"),
        (Shell::PowerShell, "_git-upgrades.ps1"),
        (Shell::Elvish, "git-upgrades.elv"),
    ] {
        let mut cmd = crate::cli::command();
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut cmd, "git-upgrades", &mut buf);
        out.push((file.to_string(), buf));
    }
    out
}
