//! `src/db/` is the only module that speaks to the database: a second backend then stands
//! behind the same `Db` API as one module, and the shared-drive rules stay in one place. This
//! fails when any other file under `src/` names `rusqlite` (a `use`, a path, a type).

use std::path::{Path, PathBuf};

/// Files under `root` outside `root/db/` that name `rusqlite`, with the first such line.
fn outside_the_store(root: &Path) -> Vec<(PathBuf, usize, String)> {
    let mut found = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                if path != root.join("db") {
                    dirs.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                if let Some((n, line)) = text
                    .lines()
                    .enumerate()
                    .find(|(_, l)| l.contains("rusqlite"))
                {
                    found.push((path.clone(), n + 1, line.trim().to_string()));
                }
            }
        }
    }
    found
}

#[test]
fn only_the_store_uses_rusqlite() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = outside_the_store(&src);
    let listed: Vec<String> = found
        .iter()
        .map(|(p, n, l)| format!("{}:{n}: {l}", p.display()))
        .collect();
    assert!(
        found.is_empty(),
        "only src/db/ may speak SQL; ask Db for domain values instead:\n{}",
        listed.join("\n")
    );
}

#[test]
fn the_check_finds_rusqlite_anywhere_but_in_db() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("db")).unwrap();
    std::fs::create_dir_all(root.join("tui/schedule")).unwrap();
    std::fs::write(root.join("db/mod.rs"), "use rusqlite::Connection;\n").unwrap();
    std::fs::write(root.join("lib.rs"), "pub mod db;\n").unwrap();
    std::fs::write(
        root.join("tui/schedule/view.rs"),
        "fn f(c: &rusqlite::Connection) {}\n",
    )
    .unwrap();
    let found = outside_the_store(root);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, root.join("tui/schedule/view.rs"));
    assert_eq!(found[0].1, 1);
}
