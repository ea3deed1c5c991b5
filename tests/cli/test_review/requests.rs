//! Change requests: a blocking vote, cleared only by the requester; forged
//! revisions and clearings written with plain git are refused.

use super::{proposed, show};
use crate::common::forge::{self, Forgery};
use crate::common::{TestEnv, PASSING};

const TWO_APPROVALS: &str =
    "[test]\ncommand = \"test -f README.md\"\ntimeout = \"1m\"\n[policy]\nrequired_approvals = 2\n";

#[test]
fn changes_requested_block_landing_until_the_requester_approves_a_later_revision() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(TWO_APPROVALS));
    env.branch_commit(&repo, "feat", "main", "src/app.txt", "one\ntwo\n");
    env.run(
        &repo,
        &[
            "propose",
            "feat",
            "-m",
            "Add the app",
            "--id",
            "u1",
            "--no-test",
        ],
    )
    .ok();
    let main = env.git(&repo, &["rev-parse", "main"]);

    env.run_as("Carol", &repo, &["approve", "u1"]).ok();
    let status = env.run(&repo, &["status"]).ok().to_string();
    assert!(status.contains("approvals: 1/2"), "{status}");
    env.run_as(
        "Bob",
        &repo,
        &["request-changes", "u1", "-m", "two should be 2"],
    )
    .ok();
    let status = env.run(&repo, &["status"]).ok().to_string();
    assert!(
        status.contains("changes requested by Bob <bob@example.com>"),
        "{status}"
    );
    let list = env.run(&repo, &["list"]).ok().to_string();
    assert!(
        list.contains("1/2") && list.contains("[changes requested]"),
        "{list}"
    );

    // A new revision: Carol's approval no longer counts; the request stays.
    let second = env.branch_commit(&repo, "feat", "feat", "src/app.txt", "one\n2\n");
    env.run(&repo, &["update", "u1", "feat", "-m", "2, as asked"])
        .ok();
    let j = show(&env, &repo);
    assert_eq!(j["approval_status"]["valid"], 0);
    assert_eq!(
        j["approval_status"]["blocking"][0]["by"],
        "Bob <bob@example.com>"
    );
    assert_eq!(j["changes_requested"][0]["open"], true);
    assert_eq!(j["changes_requested"][0]["revision"], 1);

    // Two approvals of the new revision, but Bob's request still blocks.
    env.run_as("Carol", &repo, &["approve", "u1"]).ok();
    let run = env.run_as("Dave", &repo, &["approve", "u1", "--json"]);
    run.ok();
    assert_eq!(run.json()["state"], "approved");
    assert_eq!(
        env.git(&repo, &["rev-parse", "main"]),
        main,
        "nothing landed"
    );
    let before = env.refs(&repo);
    let run = env.run_as("Carol", &repo, &["apply", "u1"]);
    run.code(5);
    assert!(
        run.stderr
            .contains("has changes requested by Bob <bob@example.com>"),
        "{}",
        run.stderr
    );
    assert_eq!(env.refs(&repo), before);
    let out = env.run(&repo, &["show", "u1"]).ok().to_string();
    assert!(out.contains("changes requested by Bob"), "{out}");

    // Bob approves the later revision: his request is cleared and it lands,
    // exactly the second revision's head.
    env.run_as("Bob", &repo, &["approve", "u1"]).ok();
    assert_eq!(env.git(&repo, &["rev-parse", "main"]), second);
    let j = show(&env, &repo);
    assert_eq!(j["state"], "applied");
    assert_eq!(j["changes_requested"][0]["open"], false);
    // The landing is proven from git objects alone.
    env.run(&repo, &["verify"]).ok();
    env.fsck(&repo);
}

#[test]
fn a_change_request_can_be_withdrawn_only_by_its_requester() {
    let env = TestEnv::new();
    let (repo, head) = proposed(&env);
    env.run_as("Bob", &repo, &["request-changes", "u1", "-m", "hold on"])
        .ok();
    let before = env.refs(&repo);
    // The proposer cannot, and nobody else can withdraw Bob's.
    env.run(&repo, &["request-changes", "u1", "-m", "me too"])
        .code(5);
    env.run_as("Carol", &repo, &["request-changes", "u1", "--withdraw"])
        .code(2);
    assert_eq!(env.refs(&repo), before);
    // Carol's approval does not land it while Bob's request is open.
    env.run_as("Carol", &repo, &["approve", "u1"]).ok();
    assert_ne!(env.git(&repo, &["rev-parse", "main"]), head);
    env.run_as("Bob", &repo, &["request-changes", "u1", "--withdraw"])
        .ok();
    env.run_as("Carol", &repo, &["apply", "u1"]).ok();
    assert_eq!(env.git(&repo, &["rev-parse", "main"]), head);
    // Closed: no more requests (exit 1), nothing written.
    let before = env.refs(&repo);
    env.run_as("Bob", &repo, &["request-changes", "u1", "-m", "late"])
        .code(1);
    assert_eq!(env.refs(&repo), before);
}

const MALLORY: &str = "Mallory <mallory@example.com>";

#[test]
fn a_forged_revision_by_someone_else_is_refused_on_replay_and_by_the_hub() {
    let env = TestEnv::new();
    let (hub_dir, c) = forge::hub(&env, PASSING, 2);
    let first = env.branch_commit(&c[0], "feat", "main", "app.txt", "good\n");
    env.run(
        &c[0],
        &["propose", "feat", "-m", "Good change", "--id", "u1"],
    )
    .ok();
    env.run(&c[0], &["push"]).ok();

    // Mallory, with push access, writes a revision of Alice's upgrade with plain git.
    env.run_as("Mallory", &c[1], &["pull"]).ok();
    let evil = env.branch_commit(&c[1], "evil", "main", "app.txt", "evil\n");
    let base = env.git(&c[1], &["rev-parse", "main"]);
    let f = Forgery {
        env: &env,
        dir: &c[1],
        id: "u1",
    };
    f.append(
        MALLORY,
        "upgrade.revised",
        serde_json::json!({"from_head": first, "head": evil, "base": base, "approvals_kept": true}),
        |r| {
            r["head"] = evil.as_str().into();
            let mut rev = r["revisions"][0].clone();
            rev["number"] = 2.into();
            rev["head"] = evil.as_str().into();
            rev["kind"] = "updated".into();
            rev["by"] = MALLORY.into();
            r["revisions"].as_array_mut().unwrap().push(rev);
        },
    );
    env.git(&c[1], &["update-ref", "refs/upgrades/u1", &evil]);
    // Her own clone refuses it: the chain does not replay.
    let run = env.run(&c[1], &["show", "u1"]);
    run.code(1);
    assert!(
        run.stderr
            .contains("a revision by someone who is not the proposer"),
        "{}",
        run.stderr
    );
    env.run_as("Bob", &c[1], &["approve", "u1"]).code(1);
    // Pushed to a plain remote, every other clone refuses it on pull.
    f.push("origin", &["+refs/upgrades/u1:refs/upgrades/u1", "evil"]);
    let before = env.refs(&c[0]);
    let run = env.run(&c[0], &["pull"]);
    run.code(1);
    assert!(run.stderr.contains("u1"), "{}", run.stderr);
    let after = env.refs(&c[0]);
    let queue = |refs: &str| -> Vec<String> {
        refs.lines()
            .filter(|l| l.contains("refs/notes/upgrades/") || l.starts_with("refs/upgrades/"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(queue(&after), queue(&before), "our queue is unchanged");
    assert_eq!(
        env.run(&c[0], &["show", "u1", "--json"]).json()["head"],
        first.as_str()
    );

    // A hub with the hook refuses the push outright.
    let hub2 = env.path().join("hub2.git");
    env.git(
        env.path(),
        &[
            "clone",
            "-q",
            "--bare",
            hub_dir.to_str().unwrap(),
            hub2.to_str().unwrap(),
        ],
    );
    env.git(
        &hub2,
        &[
            "update-ref",
            "refs/notes/upgrades/u1",
            &forge::tip(&env, &c[0], "u1"),
        ],
    );
    env.run(&hub2, &["init", "--hub"]).ok();
    let run = env.git_run(
        &c[1],
        &[
            "push",
            hub2.to_str().unwrap(),
            "+refs/notes/upgrades/u1:refs/notes/upgrades/u1",
        ],
    );
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("not the proposer"), "{}", run.stderr);
}

#[test]
fn a_forged_comment_cannot_clear_someone_elses_change_request() {
    let env = TestEnv::new();
    let (repo, head) = proposed(&env);
    env.run_as(
        "Bob",
        &repo,
        &["request-changes", "u1", "-m", "not like this"],
    )
    .ok();
    env.run_as("Carol", &repo, &["approve", "u1"]).ok();
    let main = env.git(&repo, &["rev-parse", "main"]);
    assert_ne!(main, head, "blocked");
    let request = show(&env, &repo)["changes_requested"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let f = Forgery {
        env: &env,
        dir: &repo,
        id: "u1",
    };
    let good_tip = forge::tip(&env, &repo, "u1");
    let restore = || env.git(&repo, &["update-ref", "refs/notes/upgrades/u1", &good_tip]);

    // "Resolving" the request as if it were a comment: the chain is refused.
    f.append(
        MALLORY,
        "upgrade.comment-resolved",
        serde_json::json!({"comment": request}),
        |_| {},
    );
    let run = env.run_as("Carol", &repo, &["apply", "u1"]);
    run.code(1);
    assert!(
        run.stderr.contains("only its requester can clear"),
        "{}",
        run.stderr
    );
    restore();
    // Withdrawing it in her own name: refused too.
    f.append(
        MALLORY,
        "upgrade.changes-withdrawn",
        serde_json::json!({}),
        |r| {
            r["changes_requested"][0]["open"] = false.into();
        },
    );
    env.run_as("Carol", &repo, &["apply", "u1"]).code(1);
    restore();
    // A reply saying "withdrawn", and her own approval: valid events that
    // clear nothing; landing is still denied.
    f.append(
        MALLORY,
        "upgrade.commented",
        serde_json::json!({"text": "withdrawn", "head": head, "reply_to": request}),
        |r| r["comment_count"] = 1.into(),
    );
    let seq_tip = forge::tip(&env, &repo, "u1");
    assert_ne!(seq_tip, good_tip);
    f.append(
        MALLORY,
        "upgrade.approved",
        serde_json::json!({"head": head, "target": "main", "approvals": 2, "required": 1}),
        |r| {
            r["approvals"].as_array_mut().unwrap().push(
                serde_json::json!({"by": MALLORY, "at": "2026-01-01T00:00:00Z", "head": head}),
            );
        },
    );
    let j = show(&env, &repo);
    assert_eq!(j["changes_requested"][0]["open"], true, "{j}");
    let run = env.run_as("Carol", &repo, &["apply", "u1"]);
    run.code(5);
    assert!(
        run.stderr.contains("changes requested by Bob"),
        "{}",
        run.stderr
    );
    assert_eq!(env.git(&repo, &["rev-parse", "main"]), main);
    env.fsck(&repo);
}
