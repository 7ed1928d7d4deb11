//! How a policy scales: build time, heap per entry and check time for 10 entries versus
//! 1 000 000 exact origins plus 100 000 wildcard patterns.
//!
//! ```text
//! cargo run --release --example scale
//! ```
//!
//! Timings here are a quick report; `cargo bench --bench check` measures checks properly.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use origin_policy::OriginPolicy;

/// Counts live heap bytes, to report memory per entry.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged and only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn exact(i: usize) -> String {
    format!("https://app{i}.example{}.com", i % 997)
}

fn wildcard(i: usize) -> String {
    format!("https://*.tenant{i}.example.com")
}

fn per_check(policy: &OriginPolicy, value: &[u8]) -> Duration {
    const ROUNDS: u32 = 2_000_000;
    let start = Instant::now();
    for _ in 0..ROUNDS {
        let _ = black_box(policy.check_value(black_box(value)));
    }
    start.elapsed() / ROUNDS
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let small: OriginPolicy = (0..9)
        .map(exact)
        .chain([wildcard(0)])
        .collect::<Vec<_>>()
        .join(",")
        .parse()?;

    let (exacts, wildcards) = (1_000_000, 100_000);
    let entries: Vec<String> = (0..exacts)
        .map(exact)
        .chain((0..wildcards).map(wildcard))
        .collect();
    let before = LIVE.load(Ordering::Relaxed);
    let start = Instant::now();
    // The builder copies the entries and drops its copies when the statement ends, while
    // `entries` stays alive: what is left is the policy alone.
    let large = OriginPolicy::builder()
        .allow_all(entries.iter().map(String::as_str))
        .build()?;
    let build = start.elapsed();
    let heap = LIVE.load(Ordering::Relaxed) - before;
    println!("built {exacts} exact origins + {wildcards} wildcard patterns in {build:?}");
    println!(
        "heap held by the policy: {:.1} MiB, {} bytes per entry",
        heap as f64 / (1 << 20) as f64,
        heap / (exacts + wildcards)
    );
    drop(entries);

    let hit = exact(123_456);
    let wildcard_hit = "https://acme.tenant99999.example.com";
    for (name, value) in [
        ("exact hit", hit.as_str()),
        ("wildcard hit", wildcard_hit),
        ("miss", "https://evil.example"),
    ] {
        let small_value = match name {
            "exact hit" => exact(3),
            "wildcard hit" => "https://acme.tenant0.example.com".to_owned(),
            _ => value.to_owned(),
        };
        println!(
            "{name:>12}: {:>5} ns with 10 entries, {:>5} ns with 1.1M entries",
            per_check(&small, small_value.as_bytes()).as_nanos(),
            per_check(&large, value.as_bytes()).as_nanos(),
        );
        assert_eq!(
            small.check_value(small_value.as_bytes()).is_allowed(),
            name != "miss"
        );
        assert_eq!(
            large.check_value(value.as_bytes()).is_allowed(),
            name != "miss"
        );
    }
    Ok(())
}
