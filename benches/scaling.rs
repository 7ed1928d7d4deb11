//! One policy shared by every thread against one policy per thread (issue 13: "no atomic
//! read-modify-write per check"). An allowed check clones the matched rule's `Arc`, so
//! threads sharing a policy write the same reference count; a policy per thread has its own.
//! Prints checks per second for 1, 2 and all cores, for an exact hit (an `Arc` clone) and a
//! miss (none). Run with `cargo bench --bench scaling`; nothing is asserted.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use origin_policy::OriginPolicy;

const CHECKS: u32 = 1_000_000;

/// Checks per second over all threads, each checking `value` `CHECKS` times.
fn run(policies: Vec<Arc<OriginPolicy>>, value: &'static [u8]) -> f64 {
    let threads = policies.len();
    let start = Instant::now();
    let handles: Vec<_> = policies
        .into_iter()
        .map(|policy| {
            std::thread::spawn(move || {
                for _ in 0..CHECKS {
                    black_box(policy.check_value(black_box(value)).is_allowed());
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("a bench thread");
    }
    f64::from(CHECKS) * threads as f64 / start.elapsed().as_secs_f64()
}

/// A policy built from text, so that it shares no reference count with another (a clone
/// of a policy shares its entries' `Arc`s).
fn policy() -> Arc<OriginPolicy> {
    let list = (1..=100)
        .map(|i| format!("https://app{i}.example{}.com", i % 7))
        .collect::<Vec<_>>()
        .join(" ");
    Arc::new(list.parse().expect("a policy"))
}

fn main() {
    let all = std::thread::available_parallelism().map_or(2, usize::from);
    let mut counts = vec![1, 2, all];
    counts.dedup();
    println!("| input | threads | shared policy (checks/s) | policy per thread (checks/s) | shared / own |");
    println!("|---|---|---|---|---|");
    for (name, value) in [
        ("exact hit", &b"https://app1.example1.com"[..]),
        ("miss", b"https://evil.example"),
    ] {
        for &threads in &counts {
            // Interleaved, best of five of each: the machine is shared.
            let (mut shared, mut own) = (0f64, 0f64);
            for _ in 0..5 {
                shared = shared.max(run(vec![policy(); threads], value));
                own = own.max(run((0..threads).map(|_| policy()).collect(), value));
            }
            println!(
                "| {name} | {threads} | {shared:.3e} | {own:.3e} | {:.2} |",
                shared / own
            );
        }
    }
}
