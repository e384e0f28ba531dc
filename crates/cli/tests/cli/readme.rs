//! The README's command blocks run as written, top to bottom.
//!
//! Every ```sh block from the heading "## Using `reopen`" up to "## Benchmarks" is joined into one
//! script, in order, as a new user pastes them into one terminal, and run with bash (`set -e`, so
//! the first failing line stops it and is named). Run from the repository's root, with this
//! build's `reopen` on PATH: the one line the script does not run is the README's
//! `cargo build -p reopen-cli`, which made that binary (cargo cannot build while its own tests
//! hold the build directory). The two commands at the top (the app, every test) and the blocks
//! from "## Benchmarks" on (benchmarks, the installer) are run by CI and by `scripts/test.sh`
//! themselves, not here.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The ```sh blocks between the two headings, in order.
fn walkthrough(readme: &str) -> Vec<String> {
    let start = readme
        .find("\n## Using `reopen`")
        .expect("README has a section '## Using `reopen`'");
    let end = readme[start..]
        .find("\n## Benchmarks")
        .map(|i| start + i)
        .expect("README has a section '## Benchmarks' after it");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme[start..end].lines() {
        match (&mut current, line.trim_start()) {
            (None, l) if l == "```sh" => current = Some(String::new()),
            (Some(_), l) if l == "```" => blocks.extend(current.take()),
            (Some(b), _) => {
                b.push_str(line);
                b.push('\n');
            }
            _ => {}
        }
    }
    assert!(current.is_none(), "a ```sh block is not closed");
    blocks
}

#[test]
fn the_readme_blocks_run_as_written() {
    let root = repo_root();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let blocks = walkthrough(&readme);
    assert!(blocks.len() >= 4, "found {} blocks", blocks.len());
    let mut script = String::from("set -euo pipefail\nset -x\n");
    let mut built = false;
    for b in &blocks {
        for line in b.lines() {
            if line.trim_start().starts_with("cargo build -p reopen-cli") {
                built = true;
                continue;
            }
            script.push_str(line);
            script.push('\n');
        }
    }
    assert!(
        built,
        "the README says how to build `reopen` before using it"
    );
    script.push_str("echo README-BLOCKS-DONE\n");
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_reopen"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let home = tempfile::tempdir().unwrap();
    let mut cmd = Command::new("bash");
    cmd.arg("-c").arg(&script).current_dir(&root);
    for (k, _) in std::env::vars() {
        if k.starts_with("REOPEN_") {
            cmd.env_remove(k);
        }
    }
    let out = cmd
        .env("PATH", path)
        .env("HOME", home.path())
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LANGUAGE")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the README's blocks stopped ({}):\n--- stdout\n{stdout}\n--- stderr (each line as run, +)\n{stderr}",
        out.status
    );
    assert!(stdout.contains("README-BLOCKS-DONE"), "{stdout}");
}

#[test]
fn the_block_reader_takes_only_the_walkthrough() {
    let md = "# x\n```sh\nbash scripts/test.sh\n```\n## Using `reopen`\n```sh\na\n```\ntext\n```json\n{}\n```\n### More\n```sh\nb\nc\n```\n## Benchmarks\n```sh\ncargo bench\n```\n";
    assert_eq!(walkthrough(md), ["a\n", "b\nc\n"]);
}
