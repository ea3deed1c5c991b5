//! Human output that agrees with itself: counts with the right plural,
//! closing lines that match the outcome, paging like git.

use crate::common::{TestEnv, PASSING};

#[test]
fn one_file_is_one_file() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(PASSING));
    env.branch_commit(&repo, "fix", "main", "a.txt", "a\n");
    let run = env.run(&repo, &["propose", "fix", "-m", "One file"]);
    let out = run.ok();
    assert!(out.contains("+1 -0 in 1 file "), "{out}");
    let id = env.git(
        &repo,
        &[
            "for-each-ref",
            "--format=%(refname:lstrip=2)",
            "refs/upgrades/",
        ],
    );
    let shown = env.run(&repo, &["show", &id]);
    assert!(shown.ok().contains("1 file, +1 -0"), "{}", shown.stdout);
    let stat = env.run(&repo, &["diff", &id, "--stat"]);
    assert!(
        stat.ok()
            .contains("1 file changed, 1 insertion(+), 0 deletions(-)"),
        "{}",
        stat.stdout
    );
    for out in [&run.stdout, &shown.stdout, &stat.stdout] {
        for bad in ["1 files", "1 upgrades", "1 approvals", "1 insertions"] {
            assert!(!out.contains(bad), "{bad:?} in:\n{out}");
        }
    }
}
