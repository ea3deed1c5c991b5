//! `git upgrades verify`

use clap::Args;
use gix::ObjectId;

use crate::error::{Error, Result};
use crate::ops;
use crate::store::Store;
use crate::text::plural;
use crate::trust::audit::{self, Verdict};
use crate::ui::{escape, Style, Ui};

mod cache;

/// Prove a branch's history: every move after adoption landed through the queue
///
/// Walks the first-parent history of <BRANCH> (default: the default target)
/// back to the adoption point (the first commit holding .upgrades.toml) or
/// --since. Each move must be an applied upgrade from exactly the previous
/// tip to exactly that commit, with approvals that verify under the policy
/// committed at the previous tip (signatures where it requires them) and a
/// passing test run on the landed commit, or the urgent bypass that policy
/// allows. Upgrades are read from the local queue and from every remote's
/// tracking refs (`git upgrades pull`). Exit 0 when every step is proven,
/// 5 when any is not.
#[derive(Args, Debug, Clone)]
pub struct VerifyArgs {
    /// The branch or revision to audit (e.g. main, origin/main)
    pub branch: Option<String>,
    /// Audit only the moves after this commit
    #[arg(long, value_name = "REV")]
    pub since: Option<String>,
    /// The target name landings must name (default: from BRANCH)
    #[arg(long, value_name = "BRANCH")]
    pub target: Option<String>,
}

/// The target name and tip for what the user named.
fn resolve(store: &Store<'_>, args: &VerifyArgs) -> Result<(String, ObjectId)> {
    let repo = store.repo;
    let given = match &args.branch {
        Some(b) => b.clone(),
        None => ops::default_target(store)?,
    };
    // A name that cannot be a branch (`HEAD~2`, `v1.0^{}`) is only a revision.
    let branch_like = crate::ids::validate_branch_name(&given).is_ok();
    if let Some(tip) = branch_like
        .then(|| store.ref_tip(&format!("refs/heads/{given}")))
        .transpose()?
        .flatten()
    {
        return Ok((args.target.clone().unwrap_or(given), tip));
    }
    if let Some(tip) = branch_like
        .then(|| store.ref_tip(&format!("refs/remotes/{given}")))
        .transpose()?
        .flatten()
    {
        let name = given.split_once('/').map(|(_, b)| b.to_string());
        let target = args.target.clone().or(name).unwrap_or(given);
        return Ok((target, tip));
    }
    let tip = ops::resolve_commit(repo, &given)?;
    let target = args.target.clone().ok_or_else(|| {
        Error::usage(format!(
            "{given:?} is not a branch; name its target with --target <branch>"
        ))
    })?;
    Ok((target, tip))
}

/// Run `verify`.
pub fn run(ui: &mut Ui, args: &VerifyArgs) -> Result<u8> {
    let repo = super::open_repo(ui)?;
    let store = Store::new(&repo);
    let (target, tip) = resolve(&store, args)?;
    crate::ids::validate_branch_name(&target)?;
    let since = args
        .since
        .as_deref()
        .map(|s| ops::resolve_commit(&repo, s))
        .transpose()?;
    if let Some(since) = since {
        // Otherwise the walk would never meet it and audit the whole history.
        if !ops::is_ancestor(&repo, since, tip)? {
            return Err(Error::usage(format!(
                "--since {} is not in the history of {target}",
                since.to_hex_with_len(10)
            )));
        }
    }
    // Cached output is replayed only where it is byte-for-byte what this
    // run would print: JSON, or human output without colour.
    let mode = match (ui.json, ui.color, ui.unicode) {
        (true, _, _) => Some("json"),
        (false, false, true) => Some("plain"),
        (false, false, false) => Some("ascii"),
        (false, true, _) => None,
    };
    if let Some(bytes) = mode.and_then(|m| cache::output(&repo, &target, tip, since, m)) {
        ui.verbatim(&bytes)?;
        return Ok(0);
    }
    let audit = match since
        .is_none()
        .then(|| cache::audit(&repo, &target))
        .flatten()
    {
        Some(older) => {
            let at: ObjectId = older.tip.parse().map_err(|_| Error::failure("bad cache"))?;
            if at == tip {
                older
            } else if ops::is_ancestor(&repo, at, tip)? {
                cache::extend(audit::verify(&store, &target, tip, Some(at))?, older)
            } else {
                audit::verify(&store, &target, tip, since)?
            }
        }
        None => audit::verify(&store, &target, tip, since)?,
    };
    let code = if audit.violations > 0 { 5 } else { 0 };
    let text = render(ui, &target, &audit)?;
    let text = ui.guarded(&text).into_owned();
    ui.verbatim(text.as_bytes())?;
    if let Some(m) = mode {
        cache::save(&repo, &audit, since, m, text.as_bytes());
    }
    Ok(code)
}

/// The output of `verify` for `audit`, JSON or human.
fn render(ui: &Ui, target: &str, audit: &audit::Audit) -> Result<String> {
    if ui.json {
        let mut j = serde_json::to_value(audit).map_err(std::io::Error::from)?;
        j["format"] = crate::ui::json::JSON_FORMAT.into();
        let mut text = serde_json::to_string_pretty(&j).map_err(std::io::Error::from)?;
        text.push('\n');
        return Ok(text);
    }
    let mut out = String::new();
    let short = |hex: &str| hex.chars().take(10).collect::<String>();
    for s in &audit.steps {
        let line = match s.result {
            Verdict::Proven => {
                let who: Vec<String> = s
                    .approvals
                    .iter()
                    .filter(|a| a.counts)
                    .map(|a| format!("{} [{}]", escape::text(&a.by), a.proof))
                    .collect();
                let how = match &s.urgent {
                    Some(reason) => format!("URGENT: {}", escape::text_max(reason, 80)),
                    None => format!("approved by {}", who.join(", ")),
                };
                format!(
                    "{} {}  {}  {how}; tests {}; landed by {}",
                    ui.paint(Style::Good, ui.check()),
                    ui.paint(Style::Id, &short(&s.commit)),
                    escape::text(s.upgrade.as_deref().unwrap_or("")),
                    s.tests.as_deref().unwrap_or("skipped"),
                    escape::text(s.landed_by.as_deref().unwrap_or("?")),
                )
            }
            Verdict::Violation => format!(
                "{} {}  {}",
                ui.paint(Style::Bad, ui.cross()),
                ui.paint(Style::Id, &short(&s.commit)),
                escape::text(s.reason.as_deref().unwrap_or("")),
            ),
            Verdict::BeforeAdoption => format!(
                "· {}  before adoption: {}",
                ui.paint(Style::Id, &short(&s.commit)),
                s.reason.as_deref().unwrap_or(""),
            ),
        };
        out.push_str(&line);
        out.push('\n');
    }
    let summary = format!(
        "{target} at {}: {} proven, {}",
        short(&audit.tip),
        plural(audit.proven, "landed step"),
        plural(audit.violations, "violation")
    );
    if audit.violations > 0 {
        out.push_str(&ui.paint(Style::Bad, &summary));
    } else {
        out.push_str(&summary);
    }
    out.push('\n');
    Ok(out)
}
