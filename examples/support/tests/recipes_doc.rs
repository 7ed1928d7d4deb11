//! `docs/RECIPES.md` tells the truth: each row's line count is the count of glue lines
//! between the `// recipe: glue` and `// recipe: end` markers of that recipe's `src/lib.rs`,
//! and the test it names exists.

use std::path::Path;

/// Non-blank, non-comment lines inside the markers.
fn glue_lines(source: &str) -> usize {
    let mut inside = false;
    let mut count = 0;
    for line in source.lines().map(str::trim) {
        match line {
            "// recipe: glue" => {
                assert!(!inside, "nested glue markers");
                inside = true;
            }
            "// recipe: end" => {
                assert!(inside, "an end marker without a start");
                inside = false;
            }
            _ if inside && !line.is_empty() && !line.starts_with("//") => count += 1,
            _ => {}
        }
    }
    assert!(!inside, "a glue marker without an end");
    count
}

#[test]
fn every_row_counts_the_real_glue_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let doc = std::fs::read_to_string(root.join("docs/RECIPES.md")).unwrap();
    let mut rows = 0;
    for line in doc
        .lines()
        .filter(|line| line.contains("/tests/socket.rs)"))
    {
        let cells: Vec<&str> = line.split(" | ").collect();
        let lines: usize = cells[cells.len() - 2].trim().parse().unwrap();
        let test = line.split("](../").nth(1).unwrap().trim_end_matches(") |");
        let test = root.join(test);
        assert!(test.is_file(), "{}", test.display());
        let lib = test.parent().unwrap().join("../src/lib.rs");
        let source = std::fs::read_to_string(&lib).unwrap();
        assert_eq!(glue_lines(&source), lines, "{}", lib.display());
        rows += 1;
    }
    assert_eq!(rows, 8, "one row per recipe");
}
