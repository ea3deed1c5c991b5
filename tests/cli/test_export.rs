//! `export --html`: the static dashboard, its escaping, where it may be
//! written, and (when /usr/bin/chromium is installed) what a browser makes of it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::TestEnv;

const HOSTILE: &str = "<script>alert(1)</script> \"><img src=x onerror=alert(2)>";
/// Tests that pass and print markup, so the test output on the pages is hostile too.
const POLICY: &str = r#"[test]
command = "printf '<script>alert(4)</script>\\n' && test -f README.md"
timeout = "1m"
"#;

/// A queue with two pending upgrades (one described with markup, one with a
/// file whose name and content are markup), one applied and one rejected.
/// Returns (repo, pending ids, closed ids).
fn queue(env: &TestEnv) -> (PathBuf, Vec<String>, Vec<String>) {
    let repo = env.repo("r", Some(POLICY));
    env.branch_commit(&repo, "hostile", "main", "a.txt", "one\n");
    let hostile = env.propose(&repo, "hostile", HOSTILE, &[]);
    env.branch_commit(
        &repo,
        "markup",
        "main",
        "<img src=x onerror=alert(3)>.txt",
        "<script>alert(5)</script>\n",
    );
    // File contents with controls and bytes that are not UTF-8.
    env.git(&repo, &["checkout", "-q", "markup"]);
    std::fs::write(repo.join("bytes.txt"), b"caf\xe9 \x1b[31mred\x1b[0m\n").unwrap();
    env.git(&repo, &["add", "-A"]);
    env.git(&repo, &["commit", "-q", "-m", "bytes"]);
    env.git(&repo, &["checkout", "-q", "main"]);
    let markup = env.propose(&repo, "markup", "Add a page", &[]);
    env.branch_commit(&repo, "fix", "main", "fix.txt", "fixed\n");
    let fix = env.propose(&repo, "fix", "Fix bug in task assignment", &[]);
    env.run_as("Bob", &repo, &["approve", &fix, "-m", "lgtm"])
        .ok();
    env.branch_commit(&repo, "cfg", "main", "cfg.txt", "x\n");
    let cfg = env.propose(&repo, "cfg", "Change config", &[]);
    env.run_as("Bob", &repo, &["reject", &cfg, "-m", "<b>no</b>"])
        .ok();
    (repo, vec![hostile, markup], vec![fix, cfg])
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Nothing but the export itself: no temporary directory left beside or inside it.
#[track_caller]
fn no_leftovers(dir: &Path) {
    for d in [dir, dir.parent().unwrap()] {
        if let Ok(entries) = std::fs::read_dir(d) {
            for e in entries {
                let name = e.unwrap().file_name().to_string_lossy().into_owned();
                assert!(
                    !name.contains(".tmp-"),
                    "left behind: {}/{name}",
                    d.display()
                );
            }
        }
    }
}

#[test]
fn export_writes_the_queue_and_a_page_per_upgrade_with_data_escaped() {
    let env = TestEnv::new();
    let (repo, pending, closed) = queue(&env);
    let site = env.path().join("out/site");
    let run = env.run(
        &repo,
        &["export", "--html", site.to_str().unwrap(), "--json"],
    );
    let j = run.json();
    assert_eq!(j["format"], 1);
    assert_eq!(j["pending"], 2);
    assert_eq!(j["history"], 2);
    assert_eq!(j["pages"], 5);
    assert_eq!(j["damaged"], 0);
    assert_eq!(
        Path::new(j["dir"].as_str().unwrap()),
        std::fs::canonicalize(&site).unwrap()
    );
    for f in ["index.html", "style.css", ".git-upgrades-export"] {
        assert!(site.join(f).is_file(), "{f}");
    }
    no_leftovers(&site);

    let index = read(&site.join("index.html"));
    assert_eq!(index.matches("<tr class=\"pending\"").count(), 2, "{index}");
    assert_eq!(index.matches("<tr class=\"history\"").count(), 2);
    assert!(index.contains("id=\"pending-badge\" title=\"pending upgrades\">2</span>"));
    assert!(index.contains("Pending upgrades (2)") && index.contains("Upgrade history (2)"));
    assert!(index.contains("data-state=\"applied\"") && index.contains("data-state=\"rejected\""));
    // Who landed and who closed, and the judged approvals of pending ones.
    assert!(index.contains("<td>Bob &lt;bob@example.com&gt;</td>"));
    assert!(index.contains("<td class=\"num approvals\">0/1</td>"));
    // Only ever escaped: no element and no attribute comes from data.
    assert!(
        !index.contains("<script") && !index.contains("<img"),
        "{index}"
    );
    assert!(!index.contains("\"><img"));
    assert!(index.contains(
        "&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(2)&gt;"
    ));
    // No external resources, no scripts.
    for bad in ["http://", "https://", "<script", "src=\"", "@import"] {
        assert!(!index.contains(bad), "{bad}");
        assert!(!read(&site.join("style.css")).contains(bad), "{bad}");
    }

    for id in pending.iter().chain(&closed) {
        let page = read(&site.join(format!("u/{id}.html")));
        assert!(
            !page.contains("<script") && !page.contains("<img"),
            "{page}"
        );
        assert!(page.contains("href=\"../style.css\""));
        assert!(page.contains("upgrade.proposed"), "the timeline");
        assert!(
            page.contains("&lt;script&gt;alert(4)&lt;/script&gt;"),
            "the test output"
        );
        assert!(index.contains(&format!("<a href=\"u/{id}.html\">{id}</a>")));
    }
    let hostile = read(&site.join(format!("u/{}.html", pending[0])));
    assert!(hostile.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(hostile.contains(&format!("<code>git upgrades approve {}</code>", pending[0])));
    assert!(hostile.contains(&format!(
        "<code>git upgrades reject {} -m \"why\"</code>",
        pending[0]
    )));
    assert!(hostile.contains("<span class=\"add\">+one</span>"));
    assert!(
        hostile.contains("[needs rebase]"),
        "main moved when fix landed"
    );
    let markup = read(&site.join(format!("u/{}.html", pending[1])));
    assert!(markup.contains("<span class=\"add\">+&lt;script&gt;alert(5)&lt;/script&gt;</span>"));
    assert!(markup.contains("b/&lt;img src=x onerror=alert(3)&gt;.txt"));
    assert!(markup.contains("<span class=\"add\">+caf\u{fffd} ^[[31mred^[[0m</span>"));
    assert!(!markup.contains('\x1b'));
    let rejected = read(&site.join(format!("u/{}.html", closed[1])));
    assert!(rejected.contains("&lt;b&gt;no&lt;/b&gt;"), "the reason");
    assert!(rejected.contains(&format!("<code>git upgrades show {}</code>", closed[1])));
    let applied = read(&site.join(format!("u/{}.html", closed[0])));
    assert!(applied.contains("1 of 1 required") && applied.contains("Landed"));
    env.fsck(&repo);
}

#[test]
fn export_replaces_an_earlier_export_and_refuses_other_directories() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(crate::common::PASSING));
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    let a = env.propose(&repo, "a", "First", &[]);
    let site = env.path().join("site");
    let site_arg = site.to_str().unwrap();
    env.run(&repo, &["export", "--html", site_arg]).ok();
    // The queue changes; the next export replaces the pages, stale ones included.
    env.run_as("Bob", &repo, &["reject", &a, "-m", "no"]).ok();
    env.branch_commit(&repo, "b", "main", "b.txt", "b\n");
    let b = env.propose(&repo, "b", "Second", &[]);
    env.run(
        &repo,
        &["export", "--html", site_arg, "--closed-pages", "0"],
    )
    .ok();
    let index = read(&site.join("index.html"));
    assert_eq!(index.matches("<tr class=\"pending\"").count(), 1);
    assert!(site.join(format!("u/{b}.html")).is_file());
    assert!(
        !site.join(format!("u/{a}.html")).exists(),
        "closed, and --closed-pages 0"
    );
    assert!(
        index.contains(&format!("<td class=\"id\">{a}</td>")),
        "listed, not linked"
    );
    no_leftovers(&site);

    // A directory with other files and no marker: refused, untouched.
    let other = env.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("keep.txt"), "mine").unwrap();
    let run = env.run(&repo, &["export", "--html", other.to_str().unwrap()]);
    run.code(2);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    assert!(run
        .stderr
        .contains("is not empty and holds no earlier export"));
    assert!(run.stderr.contains("--force"));
    let names: Vec<_> = std::fs::read_dir(&other)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["keep.txt"]);
    // With --force the export is written beside the other files.
    env.run(
        &repo,
        &["export", "--html", other.to_str().unwrap(), "--force"],
    )
    .ok();
    assert_eq!(read(&other.join("keep.txt")), "mine");
    assert!(other.join("index.html").is_file() && other.join("u").is_dir());
    no_leftovers(&other);
    // An empty directory needs no --force.
    let empty = env.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    env.run(&repo, &["export", "--html", empty.to_str().unwrap()])
        .ok();
    assert!(empty.join("index.html").is_file());
}

#[test]
fn export_into_a_file_or_an_unwritable_directory_writes_nothing() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(crate::common::PASSING));
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    env.propose(&repo, "a", "First", &[]);
    let file = env.path().join("a-file");
    std::fs::write(&file, "data").unwrap();
    let run = env.run(&repo, &["export", "--html", file.to_str().unwrap()]);
    run.code(2);
    assert_eq!(
        run.stderr.lines().next().unwrap(),
        format!("error: {} exists and is not a directory", file.display())
    );
    assert_eq!(read(&file), "data");
    // Missing --html is a usage error too.
    env.run(&repo, &["export"]).code(2);

    // A directory nobody may write into (as root, permissions do not stop
    // writes: a sysfs directory does).
    use std::os::unix::fs::PermissionsExt;
    let locked = env.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    let probe = std::fs::create_dir(locked.join("probe")).is_ok();
    let target = if !probe {
        locked.join("site")
    } else {
        std::fs::remove_dir(locked.join("probe")).unwrap();
        let sys = PathBuf::from(format!(
            "/sys/git-upgrades-export-test-{}",
            std::process::id()
        ));
        if std::fs::create_dir(&sys).is_ok() {
            let _ = std::fs::remove_dir(&sys);
            eprintln!("note: no unwritable directory available here; skipping that case");
            std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
            return;
        }
        sys
    };
    let run = env.run(&repo, &["export", "--html", target.to_str().unwrap()]);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    run.code(1);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("error: cannot write beside "),
        "{}",
        run.stderr
    );
    assert!(!target.exists());
    assert_eq!(std::fs::read_dir(&locked).unwrap().count(), 0);
}

#[test]
fn damaged_upgrades_are_listed_and_the_export_goes_on() {
    let env = TestEnv::new();
    let repo = env.repo("r", Some(crate::common::PASSING));
    env.branch_commit(&repo, "a", "main", "a.txt", "a\n");
    env.propose(&repo, "a", "Fine", &[]);
    // A notes ref pointing at a commit that is no event.
    let main = env.git(&repo, &["rev-parse", "main"]);
    env.git(&repo, &["update-ref", "refs/notes/upgrades/broken", &main]);
    let site = env.path().join("site");
    let j = env
        .run(
            &repo,
            &["export", "--html", site.to_str().unwrap(), "--json"],
        )
        .json();
    assert_eq!(
        (j["pending"].as_u64(), j["damaged"].as_u64()),
        (Some(1), Some(1))
    );
    let index = read(&site.join("index.html"));
    assert_eq!(index.matches("<tr class=\"damaged\"").count(), 1);
    assert!(index.contains("<td class=\"id\">broken</td>"));
    assert!(!site.join("u/broken.html").exists());
}

const CHROMIUM: &str = "/usr/bin/chromium";

/// Run headless chromium on `url` with `args`, stdout into `out`; killed
/// (with its whole process group) if it has not finished within two minutes.
fn chromium(env: &TestEnv, url: &str, args: &[String], out: &Path) {
    use std::os::unix::process::CommandExt;
    let profile = tempfile::tempdir_in(env.path()).unwrap();
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .env("HOME", env.path().join("home"))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(out).unwrap())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("start chromium");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium {args:?} failed: {status}");
            return;
        }
        if Instant::now() > deadline {
            // SAFETY: signals the process group chromium leads (its own pid).
            unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
            let _ = child.wait();
            panic!("chromium {args:?} did not finish in two minutes");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_headless_browser_shows_the_rows_and_only_text_from_data() {
    if !Path::new(CHROMIUM).exists() {
        eprintln!("note: {CHROMIUM} is absent; skipping the headless browser test");
        return;
    }
    let env = TestEnv::new();
    let (repo, pending, _) = queue(&env);
    let site = env.path().join("site");
    env.run(&repo, &["export", "--html", site.to_str().unwrap()])
        .ok();
    let url = |p: &str| format!("file://{}/{p}", site.display());
    let dom_path = env.path().join("dom.html");
    chromium(&env, &url("index.html"), &["--dump-dom".into()], &dom_path);
    let dom = read(&dom_path);
    // The DOM as the browser built it: every row, and the hostile
    // description as text (a text node serializes `<` as `&lt;`).
    assert_eq!(dom.matches("<tr class=\"pending\"").count(), 2, "{dom}");
    assert_eq!(dom.matches("<tr class=\"history\"").count(), 2);
    assert!(!dom.contains("<script") && !dom.contains("<img"), "{dom}");
    assert!(
        dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{dom}"
    );
    assert!(dom.contains(">2</span>"), "the pending badge");
    let page = format!("u/{}.html", pending[1]);
    chromium(&env, &url(&page), &["--dump-dom".into()], &dom_path);
    let dom = read(&dom_path);
    assert!(!dom.contains("<script") && !dom.contains("<img"), "{dom}");
    assert!(dom.contains("<span class=\"add\">+&lt;script&gt;alert(5)&lt;/script&gt;</span>"));

    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/export-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    for (name, p) in [
        ("index.png", "index.html".to_string()),
        ("upgrade.png", page),
    ] {
        let png = shots.join(name);
        let _ = std::fs::remove_file(&png);
        chromium(
            &env,
            &url(&p),
            &[
                format!("--screenshot={}", png.display()),
                "--window-size=1280,900".into(),
            ],
            &env.path().join("shot.log"),
        );
        let bytes = std::fs::read(&png).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"), "{name} is a PNG");
    }
}
