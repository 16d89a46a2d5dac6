//! The command line as an operator meets it: a mistake is refused with
//! exit code 2 and a message, before any request is made.

#![allow(clippy::expect_used)]

use std::process::{Command, Output};

/// `predastore-import` with a source and keys, and `extra` options.
fn run(extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_predastore-import"))
        .args([
            "--url",
            "http://127.0.0.1:9",
            "--source-url",
            "http://127.0.0.1:9",
        ])
        .args(["--source-access-key", "a", "--source-secret-key", "b"])
        .args(["--access-key", "c", "--secret-key", "d"])
        .args(extra)
        .output()
        .expect("predastore-import runs")
}

#[test]
fn no_parallelism_is_refused() {
    let out = run(&["--parallel", "0"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--parallel must be at least 1"), "{stderr}");
}

#[test]
fn an_unknown_rate_unit_is_refused() {
    let out = run(&["--bwlimit", "3T"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown unit T"), "{stderr}");
}
