//! Replays every seed and every input a fuzzer once crashed on through its target, so the
//! fuzzers' finds are regression tests that run with `cargo test`.

use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.is_file());
    files.sort();
    files
}

#[test]
fn every_target_has_a_fuzz_target_file_and_seeds() {
    for (name, _) in broadsheet_fuzz_targets::TARGETS {
        let target = fuzz_dir().join(format!("fuzz_targets/{name}.rs"));
        let source = std::fs::read_to_string(&target)
            .unwrap_or_else(|e| panic!("{}: {e}", target.display()));
        assert!(
            source.contains(&format!("broadsheet_fuzz_targets::{name}(")),
            "{} does not call broadsheet_fuzz_targets::{name}",
            target.display()
        );
        assert!(
            !inputs(&fuzz_dir().join("seeds").join(name)).is_empty(),
            "no seeds for {name}"
        );
    }
}

#[test]
fn seeds_and_regressions_pass_every_target() {
    let mut failures = Vec::new();
    let mut replayed = 0;
    for (name, target) in broadsheet_fuzz_targets::TARGETS {
        for folder in ["seeds", "regressions"] {
            for file in inputs(&fuzz_dir().join(folder).join(name)) {
                let data = std::fs::read(&file).expect("readable input");
                replayed += 1;
                if std::panic::catch_unwind(|| target(&data)).is_err() {
                    failures.push(file.display().to_string());
                }
            }
        }
    }
    assert!(replayed > 0);
    assert!(failures.is_empty(), "inputs that fail: {failures:#?}");
}

#[test]
fn the_sanitiser_check_catches_script() {
    for bad in [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href=\" java\nscript:alert(1)\">x</a>",
        "<iframe src=/></iframe>",
        "<a href=\"DATA:text/html,x\">x</a>",
        "<a href=\"\u{1}\u{20}javascript:alert(1)\">x</a>",
    ] {
        let caught = std::panic::catch_unwind(|| {
            broadsheet_fuzz_targets::assert_runs_no_script(bad);
        });
        assert!(caught.is_err(), "not caught: {bad}");
    }
    broadsheet_fuzz_targets::assert_runs_no_script(
        "<p title=\"javascript: is a word\"><a href=\"/x\">fine</a></p>",
    );
    // Found by the fuzzers: a control character inside the scheme makes the address
    // relative (`/j%03avascript:...`), so it runs nothing and must not count as script.
    broadsheet_fuzz_targets::assert_runs_no_script("<a href=\"j\u{3}avascript:alert(1)\">x</a>");
}
