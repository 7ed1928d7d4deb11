//! CPU amplification (issue 15, item 1): the time per byte of adversarial `Origin` values
//! against plain values of the same length, measured interleaved in one run and printed as a
//! ratio.
//!
//! The adversarial values are hosts of valid punycode A-labels (`xn--...`): decoding and
//! re-encoding punycode is quadratic in a label's length, so before the DNS length limits a
//! 59 KB value of 1005-byte A-labels cost about 200 times the CPU of plain labels. The plain
//! values are the same length in `a` labels. A ratio near 1 means the check is linear in the
//! header with the same constant whatever it holds.
//!
//! Run with `cargo bench --bench amplification`. Nothing is asserted: timings belong in
//! benchmarks, and the numbers go in `benches/RESULTS.md`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use origin_policy::OriginPolicy;

/// A valid A-label of about `len` bytes (at most `len`): the punycode of a run of `ü`s.
fn a_label(len: usize) -> String {
    let mut best = String::new();
    for n in 1.. {
        let label = idna::domain_to_ascii(&"\u{fc}".repeat(n)).expect("a valid label");
        if label.len() > len {
            break;
        }
        best = label;
    }
    best
}

/// `https://` and labels joined by dots, cut to whole labels of `label` each.
fn value(label: &str, count: usize) -> String {
    format!("https://{}", vec![label; count].join("."))
}

/// The mean time of one check of `value` over a batch of `batch` checks.
fn time_one(policy: &OriginPolicy, value: &[u8], batch: u32) -> Duration {
    let start = Instant::now();
    for _ in 0..batch {
        black_box(policy.check_value(black_box(value)).is_allowed());
    }
    start.elapsed() / batch
}

fn main() {
    let policy: OriginPolicy = "https://app.example.com https://*.tenant.example.com"
        .parse()
        .expect("a valid policy");
    // (name, adversarial label length, labels)
    let shapes: &[(&str, usize, usize)] = &[
        // Under every limit: three A-labels of up to 63 bytes, the most IDNA work a check can
        // still be asked to do (a fourth label would take the host over 253 bytes).
        ("bounded (3 labels of <= 63 bytes)", 63, 3),
        // Issue 15's measurement: 59 and 398 labels of 1005 bytes (59 KB, 400 KB).
        ("59 KB (59 labels of 1005 bytes)", 1005, 59),
        ("400 KB (398 labels of 1005 bytes)", 1005, 398),
    ];
    println!("| values | bytes | adversarial ns/byte | plain ns/byte | ratio |");
    println!("|---|---|---|---|---|");
    for &(name, label_len, count) in shapes {
        let adversarial_label = a_label(label_len);
        let plain_label = "a".repeat(adversarial_label.len());
        let adversarial = value(&adversarial_label, count);
        let plain = value(&plain_label, count);
        assert_eq!(adversarial.len(), plain.len());
        // Both are denied (refused as malformed or, at the bounded size, not allowed).
        assert!(!policy.check_value(adversarial.as_bytes()).is_allowed());
        assert!(!policy.check_value(plain.as_bytes()).is_allowed());
        // About 50 ms per batch pair whatever the size; interleaved so that load on the
        // machine hits both alike; the median of each.
        let batch = (2_000_000 / adversarial.len()).clamp(2, 200_000) as u32;
        let mut adversarial_times = Vec::new();
        let mut plain_times = Vec::new();
        for _ in 0..31 {
            adversarial_times.push(time_one(&policy, adversarial.as_bytes(), batch));
            plain_times.push(time_one(&policy, plain.as_bytes(), batch));
        }
        adversarial_times.sort();
        plain_times.sort();
        let per_byte = |d: Duration| d.as_secs_f64() * 1e9 / adversarial.len() as f64;
        let a = per_byte(adversarial_times[15]);
        let p = per_byte(plain_times[15]);
        println!(
            "| {name} | {} | {a:.3} | {p:.3} | {:.2} |",
            adversarial.len(),
            a / p
        );
    }
}
