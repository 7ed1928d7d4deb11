//! [`SharedPolicy`]: a policy that can be replaced while handshakes are being checked.

use std::sync::Arc;

use arc_swap::{ArcSwap, Guard};
use http::HeaderMap;

use crate::{Decision, OriginPolicy, RequestHead};

/// A cheap-to-clone handle to an [`OriginPolicy`] that can be swapped atomically while other
/// threads check requests with it (feature `reload`).
///
/// A SaaS adds a customer's domain by building a new policy and [`store`](Self::store)-ing
/// it: checks already running finish with the policy they started with, later ones see the
/// new one, and no check ever sees a half-built policy. Reading is lock-free and allocates
/// nothing (it is [`arc_swap::ArcSwap`]).
///
/// ```
/// use origin_policy::{OriginPolicy, SharedPolicy};
///
/// let shared = SharedPolicy::new("https://app.example.com".parse()?);
/// let for_the_server = shared.clone();
/// assert!(!for_the_server.check_value(b"https://customer.example").is_allowed());
///
/// shared.store("https://app.example.com, https://customer.example".parse()?);
/// assert!(for_the_server.check_value(b"https://customer.example").is_allowed());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// With tungstenite, `&SharedPolicy` is an `accept_hdr` callback like `&OriginPolicy`.
#[derive(Debug, Clone)]
pub struct SharedPolicy {
    current: Arc<ArcSwap<OriginPolicy>>,
}

impl SharedPolicy {
    /// Starts with `policy`.
    pub fn new(policy: OriginPolicy) -> SharedPolicy {
        SharedPolicy {
            current: Arc::new(ArcSwap::from_pointee(policy)),
        }
    }

    /// Replaces the policy for every clone of this handle; returns the previous one.
    pub fn store(&self, policy: OriginPolicy) -> Arc<OriginPolicy> {
        self.current.swap(Arc::new(policy))
    }

    /// The current policy, for several checks that must see the same one.
    pub fn load(&self) -> Guard<Arc<OriginPolicy>> {
        self.current.load()
    }

    /// [`OriginPolicy::check`] with the current policy.
    pub fn check<R: RequestHead + ?Sized>(&self, request: &R) -> Decision {
        self.current.load().check(request)
    }

    /// Whether `self` and `other` are handles to one policy (clones of each other).
    pub fn same_as(&self, other: &SharedPolicy) -> bool {
        Arc::ptr_eq(&self.current, &other.current)
    }

    /// [`OriginPolicy::check_headers`] with the current policy.
    pub fn check_headers(&self, headers: &HeaderMap) -> Decision {
        self.current.load().check_headers(headers)
    }

    /// [`OriginPolicy::check_value`] with the current policy.
    pub fn check_value(&self, value: &[u8]) -> Decision {
        self.current.load().check_value(value)
    }
}

impl From<OriginPolicy> for SharedPolicy {
    fn from(policy: OriginPolicy) -> SharedPolicy {
        SharedPolicy::new(policy)
    }
}
