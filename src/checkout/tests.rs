//! Tests of checkouts: fresh, reused and their synchronisation.

use super::reuse::*;
use super::sync::*;
use super::*;
use std::os::unix::ffi::OsStrExt;

#[test]
fn remove_all_never_follows_links() {
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(outside.join("d")).unwrap();
    std::fs::write(outside.join("d/keep"), "x").unwrap();
    let inside = tmp.path().join("inside");
    std::fs::create_dir_all(inside.join("locked")).unwrap();
    std::os::unix::fs::symlink(&outside, inside.join("link")).unwrap();
    std::os::unix::fs::symlink(outside.join("d"), inside.join("locked/link")).unwrap();
    chmod_dir(&inside.join("locked"), 0).unwrap();
    remove_all(&inside).unwrap();
    assert!(!inside.exists());
    assert_eq!(
        std::fs::read_to_string(outside.join("d/keep")).unwrap(),
        "x"
    );
    // chmod_dir refuses a link.
    std::os::unix::fs::symlink(&outside, tmp.path().join("l")).unwrap();
    assert!(chmod_dir(&tmp.path().join("l"), 0o700).is_err());
}

#[test]
fn umask_is_read() {
    assert_eq!(process_umask() & !0o777, 0);
}

fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every entry under `dir`: path, kind, mode bits, content or link target.
fn snapshot(dir: &Path) -> Vec<(PathBuf, String, u32, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, String, u32, Vec<u8>)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            let m = std::fs::symlink_metadata(&p).unwrap();
            let rel = p.strip_prefix(root).unwrap().to_path_buf();
            if m.file_type().is_symlink() {
                let t = std::fs::read_link(&p).unwrap();
                out.push((rel, "link".into(), 0, t.as_os_str().as_bytes().to_vec()));
            } else if m.is_dir() {
                out.push((rel, "dir".into(), m.mode() & 0o7777, vec![]));
                walk(root, &p, out);
            } else {
                out.push((
                    rel,
                    "file".into(),
                    m.mode() & 0o7777,
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn sync_proves_the_tree_and_rewrites_only_what_differs() {
    use std::os::unix::fs::{symlink, PermissionsExt};
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    std::fs::create_dir_all(src.join("d/e")).unwrap();
    std::fs::create_dir_all(src.join("bin")).unwrap();
    std::fs::write(src.join("a.txt"), "alpha\n").unwrap();
    std::fs::write(src.join("d/e/f.txt"), "deep\n").unwrap();
    std::fs::write(src.join("bin/run.sh"), "#!/bin/sh\necho run\n").unwrap();
    std::fs::set_permissions(src.join("bin/run.sh"), PermissionsExt::from_mode(0o755)).unwrap();
    symlink("a.txt", src.join("link")).unwrap();
    std::fs::write(src.join(".gitattributes"), "*.crlf text eol=crlf\n").unwrap();
    std::fs::write(src.join("x.crlf"), "one\ntwo\n").unwrap();
    git(tmp.path(), &["init", "-q", "src"]);
    git(&src, &["add", "-A"]);
    git(&src, &["commit", "-q", "-m", "c"]);
    let repo = gix::open(&src).unwrap();
    let commit = repo.head_id().unwrap().detach();
    let fresh = checkout(&repo, commit).unwrap();
    let want = snapshot(fresh.path());
    assert!(want
        .iter()
        .any(|(p, _, _, c)| p.ends_with("x.crlf") && c == b"one\r\ntwo\r\n"));

    let reused = tmp.path().join("reused");
    std::fs::create_dir(&reused).unwrap();
    let first = sync(&repo, commit, &reused, false).unwrap();
    assert_eq!(first.kept, 0);
    assert_eq!(snapshot(&reused), want);
    // Unchanged: only the filtered file (its bytes are not its blob's) is rewritten.
    let again = sync(&repo, commit, &reused, false).unwrap();
    assert_eq!((again.written, again.removed), (1, 1), "{again:?}");
    assert_eq!(snapshot(&reused), want);

    // Tampered with in every way a test could, behind the stat data too.
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(outside.join("keep")).unwrap();
    std::fs::write(outside.join("keep/k"), "k").unwrap();
    let a = reused.join("a.txt");
    let before = std::fs::metadata(&a).unwrap();
    std::fs::write(&a, "ALPHA\n").unwrap();
    let mtime = std::fs::FileTimes::new().set_modified(before.modified().unwrap());
    std::fs::File::options()
        .write(true)
        .open(&a)
        .unwrap()
        .set_times(mtime)
        .unwrap();
    std::fs::set_permissions(reused.join("bin/run.sh"), PermissionsExt::from_mode(0o644)).unwrap();
    std::fs::remove_file(reused.join("link")).unwrap();
    std::fs::write(reused.join("link"), "a.txt").unwrap();
    std::fs::remove_dir_all(reused.join("d/e")).unwrap();
    symlink(outside.join("keep"), reused.join("d/e")).unwrap();
    symlink(&outside, reused.join("out")).unwrap();
    // A hard link lets a file change from outside after it was verified.
    std::fs::hard_link(reused.join(".gitattributes"), outside.join("hard")).unwrap();
    std::fs::create_dir_all(reused.join(".git/locked/deeper")).unwrap();
    std::fs::set_permissions(reused.join(".git/locked"), PermissionsExt::from_mode(0o000)).unwrap();
    std::fs::set_permissions(reused.join("d"), PermissionsExt::from_mode(0o500)).unwrap();
    sync(&repo, commit, &reused, false).unwrap();
    assert_eq!(snapshot(&reused), want);
    assert_eq!(
        std::fs::read_to_string(outside.join("keep/k")).unwrap(),
        "k"
    );
    assert_eq!(std::fs::read_dir(outside.join("keep")).unwrap().count(), 1);
    assert_eq!(
        std::fs::metadata(reused.join(".gitattributes"))
            .unwrap()
            .nlink(),
        1
    );
}

#[test]
fn the_reused_checkout_is_private_recorded_and_removable() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("a.txt"), "alpha\n").unwrap();
    git(tmp.path(), &["init", "-q", "src"]);
    git(&src, &["add", "-A"]);
    git(&src, &["commit", "-q", "-m", "c"]);
    let repo = gix::open(&src).unwrap();
    let commit = repo.head_id().unwrap().detach();
    let first = checkout_reused(&repo, commit, Keep::Nothing, &|_| false).unwrap();
    assert!(first.is_reused());
    let dir = first.path().to_path_buf();
    assert_eq!(recorded(&reuse_record(&repo)), Some(dir.clone()));
    // One run at a time: another gets a fresh checkout meanwhile.
    let second = checkout_reused(&repo, commit, Keep::Nothing, &|_| false).unwrap();
    assert!(!second.is_reused());
    assert!(remove_reused(&repo).is_err());
    drop((first, second));
    assert_eq!(
        checkout_reused(&repo, commit, Keep::Nothing, &|_| false)
            .unwrap()
            .path(),
        dir
    );
    assert_eq!(remove_reused(&repo).unwrap(), Some(dir.clone()));
    assert!(!dir.exists() && !reuse_record(&repo).exists());
    // A record naming a link: forgotten, nothing removed through it.
    let outside = tmp.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join("k"), "k").unwrap();
    symlink(&outside, &dir).unwrap();
    std::fs::write(reuse_record(&repo), dir.as_os_str().as_bytes()).unwrap();
    assert_eq!(remove_reused(&repo).unwrap(), None);
    assert!(outside.join("k").exists() && !reuse_record(&repo).exists());
    std::fs::remove_file(&dir).unwrap();
}
