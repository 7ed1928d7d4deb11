//! One policy shared by every thread against one policy per thread (issue 13: "no atomic
//! read-modify-write per check"). An allowed check hands out an owned `MatchedRule`; if
//! cloning it wrote a reference count, threads sharing a policy would fight over that cache
//! line while a policy per thread has its own, and "shared / own" would fall below 1 as
//! threads are added.
//!
//! So that a ratio near 1 means something on a shared machine, the same harness first runs a
//! positive control: an `Arc` cloned and dropped per iteration, shared against one per
//! thread, which is exactly the contention the checks must not have. "2 / 1 threads" says
//! whether the second core was free at all (near 2: yes; near 1: another job had it, and
//! the run shows nothing either way). Runs are interleaved, best of seven.
//! Run with `cargo bench --bench scaling`; nothing is asserted.

use std::hint::black_box;
use std::sync::{Arc, Barrier};
use std::time::Instant;

use origin_policy::OriginPolicy;

const ITERATIONS: u32 = 2_000_000;
const ROUNDS: usize = 7;

/// Operations per second over all threads, each calling `work` on its own item
/// `ITERATIONS` times; the clock starts when every thread is ready.
fn run<T: Send + Sync + 'static>(items: Vec<Arc<T>>, work: fn(&T)) -> f64 {
    let threads = items.len();
    let barrier = Arc::new(Barrier::new(threads + 1));
    let handles: Vec<_> = items
        .into_iter()
        .map(|item| {
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                for _ in 0..ITERATIONS {
                    work(black_box(&item));
                }
            })
        })
        .collect();
    barrier.wait();
    let start = Instant::now();
    for handle in handles {
        handle.join().expect("a bench thread");
    }
    f64::from(ITERATIONS) * threads as f64 / start.elapsed().as_secs_f64()
}

/// Best of `ROUNDS` of the shared and the per-thread variant, interleaved.
fn compare<T: Send + Sync + 'static>(threads: usize, make: fn() -> T, work: fn(&T)) -> (f64, f64) {
    let (mut shared, mut own) = (0f64, 0f64);
    for _ in 0..ROUNDS {
        let one = Arc::new(make());
        shared = shared.max(run(vec![one; threads], work));
        own = own.max(run((0..threads).map(|_| Arc::new(make())).collect(), work));
    }
    (shared, own)
}

/// The control's reference count on a cache line of its own, so that the counters of two
/// threads never share one (false sharing would slow "one per thread" as well).
#[repr(align(128))]
struct Padded(#[allow(dead_code)] u8);

/// A policy built from text, so that it shares nothing with another.
fn policy() -> OriginPolicy {
    let list = (1..=100)
        .map(|i| format!("https://app{i}.example{}.com", i % 7))
        .chain(["https://*.tenant.example.com".to_owned()])
        .collect::<Vec<_>>()
        .join(" ");
    list.parse().expect("a policy")
}

fn check(policy: &OriginPolicy, value: &[u8]) {
    // The whole decision is kept alive and dropped, as a caller storing the rule would.
    let decision = policy.check_value(black_box(value));
    black_box(&decision);
}

fn main() {
    let all = std::thread::available_parallelism().map_or(2, usize::from);
    let mut counts = vec![1, 2, all];
    counts.dedup();
    type Case = (&'static str, fn(&OriginPolicy));
    let cases: [Case; 3] = [
        ("exact hit", |p| check(p, b"https://app1.example1.com")),
        ("wildcard hit", |p| {
            check(p, b"https://acme.tenant.example.com")
        }),
        ("miss", |p| check(p, b"https://evil.example")),
    ];
    println!("available cores: {all}");
    println!("| work | threads | shared (ops/s) | one per thread (ops/s) | shared / own | own: n / 1 thread |");
    println!("|---|---|---|---|---|---|");
    type Control = (&'static str, fn() -> Arc<Padded>, fn(&Arc<Padded>));
    let control: Control = (
        "control: `Arc` clone + drop",
        || Arc::new(Padded(0)),
        |arc| drop(black_box(Arc::clone(arc))),
    );
    let mut rows: Vec<(String, usize, f64, f64)> = Vec::new();
    for &threads in &counts {
        let (shared, own) = compare(threads, control.1, control.2);
        rows.push((control.0.to_owned(), threads, shared, own));
    }
    for (name, work) in cases {
        for &threads in &counts {
            let (shared, own) = compare(threads, policy, work);
            rows.push((name.to_owned(), threads, shared, own));
        }
    }
    for (name, threads, shared, own) in &rows {
        let single = rows
            .iter()
            .find(|(n, t, _, _)| n == name && *t == 1)
            .map_or(f64::NAN, |row| row.3);
        println!(
            "| {name} | {threads} | {shared:.3e} | {own:.3e} | {:.2} | {:.2} |",
            shared / own,
            own / single
        );
    }
}
