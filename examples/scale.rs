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
/// The most live heap bytes since the last [`reset_peak`].
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn reset_peak() {
    PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
}

// SAFETY: forwards to the system allocator unchanged and only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Counted as the allocator sees it: the old and the new block are both live while
        // the bytes are copied.
        let live = LIVE.fetch_add(new_size, Ordering::Relaxed) + new_size;
        PEAK.fetch_max(live, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if new.is_null() {
            LIVE.fetch_sub(new_size, Ordering::Relaxed);
        } else {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        new
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
    let n = exacts + wildcards;
    let per_entry = |bytes: usize| bytes as f64 / n as f64;
    let before = LIVE.load(Ordering::Relaxed);
    reset_peak();
    let start = Instant::now();
    // The builder copies the entries; `entries` stays alive and is not counted.
    let builder = OriginPolicy::builder().allow_all(entries.iter().map(String::as_str));
    let large = builder.build()?;
    let build = start.elapsed();
    let peak = PEAK.load(Ordering::Relaxed) - before;
    let with_builder = LIVE.load(Ordering::Relaxed) - before;
    drop(builder);
    let held = LIVE.load(Ordering::Relaxed) - before;
    // The consuming build (`TryFrom`) frees each entry's text as it is read.
    reset_peak();
    let start = Instant::now();
    let consumed = OriginPolicy::try_from(
        OriginPolicy::builder().allow_all(entries.iter().map(String::as_str)),
    )?;
    let consuming_build = start.elapsed();
    let consuming_peak = PEAK.load(Ordering::Relaxed) - before - held;
    drop(consumed);
    println!("built {exacts} exact origins + {wildcards} wildcard patterns in {build:?} (consuming: {consuming_build:?})");
    println!(
        "heap held by the policy: {:.1} MiB, {:.1} bytes per entry",
        held as f64 / (1 << 20) as f64,
        per_entry(held),
    );
    println!(
        "peak from filling the builder to the end of build: {:.1} bytes per entry ({:.2}x held; \
         the builder's own copies: {:.1}); consuming build: {:.1} ({:.2}x)",
        per_entry(peak),
        peak as f64 / held as f64,
        per_entry(with_builder - held),
        per_entry(consuming_peak),
        consuming_peak as f64 / held as f64,
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
