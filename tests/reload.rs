//! `SharedPolicy`: swapping the policy under concurrent checks never shows a torn or
//! half-built policy.
#![cfg(feature = "reload")]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;

use origin_policy::{OriginPolicy, SharedPolicy};

/// Policy A allows `a{i}` for every i, policy B allows `b{i}`; each is large enough that
/// building and swapping it takes a while.
fn policy(prefix: char) -> OriginPolicy {
    let entries = (0..2_000).map(|i| format!("https://{prefix}{i}.example.com"));
    OriginPolicy::builder().allow_all(entries).build().unwrap()
}

#[test]
fn swaps_are_atomic_under_concurrent_checks() {
    let a = policy('a');
    let b = policy('b');
    let shared = SharedPolicy::new(a.clone());
    let stop = Arc::new(AtomicBool::new(false));
    let checks = Arc::new(AtomicUsize::new(0));
    let readers: Vec<_> = (0..4)
        .map(|t| {
            let shared = shared.clone();
            let stop = stop.clone();
            let checks = checks.clone();
            thread::spawn(move || {
                let mut seen = [false; 2];
                let mut i = t;
                while !(stop.load(Ordering::Relaxed) && seen[0] && seen[1]) {
                    // One loaded policy must answer every question the same way: all of A's
                    // origins and none of B's, or the reverse.
                    let current = shared.load();
                    let first_a = current
                        .check_value(format!("https://a{}.example.com", i % 2_000).as_bytes());
                    let last_a = current.check_value(b"https://a1999.example.com");
                    let first_b = current
                        .check_value(format!("https://b{}.example.com", i % 2_000).as_bytes());
                    let last_b = current.check_value(b"https://b1999.example.com");
                    let is_a = first_a.is_allowed();
                    assert_eq!(last_a.is_allowed(), is_a, "torn policy");
                    assert_eq!(first_b.is_allowed(), !is_a, "torn policy");
                    assert_eq!(last_b.is_allowed(), !is_a, "torn policy");
                    seen[usize::from(is_a)] = true;
                    checks.fetch_add(1, Ordering::Relaxed);
                    i += 7;
                    assert!(i < 50_000_000, "the readers never saw both policies");
                }
            })
        })
        .collect();
    for round in 0..200 {
        shared.store(if round % 2 == 0 { b.clone() } else { a.clone() });
        thread::yield_now();
    }
    stop.store(true, Ordering::Relaxed);
    // Keep swapping until every reader has seen both policies, then let them finish.
    let mut round = 0;
    while readers.iter().any(|r| !r.is_finished()) {
        shared.store(if round % 2 == 0 { b.clone() } else { a.clone() });
        round += 1;
        thread::yield_now();
    }
    for reader in readers {
        reader.join().expect("reader saw a consistent policy");
    }
    assert!(checks.load(Ordering::Relaxed) > 0);
}

#[test]
fn every_clone_sees_a_store() {
    let shared = SharedPolicy::new("https://app.example.com".parse().unwrap());
    let clone = shared.clone();
    let previous = clone.store("https://customer.example".parse().unwrap());
    assert!(previous
        .check_value(b"https://app.example.com")
        .is_allowed());
    assert!(shared.check_value(b"https://customer.example").is_allowed());
    assert!(!shared.check_value(b"https://app.example.com").is_allowed());
    let request = http::Request::get("/")
        .header("origin", "https://customer.example")
        .body(())
        .unwrap();
    assert!(shared.check(&request).is_allowed());
    assert!(shared.check_headers(request.headers()).is_allowed());
}
