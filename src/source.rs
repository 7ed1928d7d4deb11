//! [`PolicySource`]: where every pipeline (guard, CORS, layer) reads its policy from.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use crate::OriginPolicy;

/// Where a [`HandshakeGuard`](crate::HandshakeGuard), a [`Cors`](crate::cors::Cors) or an
/// `OriginLayer` reads its [`OriginPolicy`]: a fixed policy or, with the `reload` feature, a
/// [`SharedPolicy`](crate::SharedPolicy) that can be swapped while requests are checked.
///
/// Cloning is one reference count whatever the policy's size, so guards, CORS
/// configurations and layers are cheap to clone too. Every place that takes a policy takes
/// `impl Into<PolicySource>`: an `OriginPolicy`, an `Arc<OriginPolicy>`, a `SharedPolicy`
/// or a `PolicySource`. Give the *same* source to the guard and the CORS configuration and
/// they can never drift apart.
///
/// ```
/// use origin_policy::{cors::Cors, HandshakeGuard, OriginPolicy, PolicySource};
///
/// let source = PolicySource::from("https://app.example.com".parse::<OriginPolicy>()?);
/// let guard = HandshakeGuard::builder_on(source.clone()).build()?;
/// let cors = Cors::builder_on(source).allow_credentials().build()?;
/// assert!(guard.policy().check_value(b"https://app.example.com").is_allowed());
/// assert!(cors.policy().check_value(b"https://app.example.com").is_allowed());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct PolicySource(Inner);

#[derive(Clone)]
enum Inner {
    Fixed(Arc<OriginPolicy>),
    #[cfg(feature = "reload")]
    Shared(crate::SharedPolicy),
}

impl PolicySource {
    /// The current policy. For a fixed policy this is a plain reference; for a
    /// [`SharedPolicy`](crate::SharedPolicy) it is the policy stored last, held for as long as
    /// the returned value lives, so several checks on it see one policy even if another
    /// thread swaps it meanwhile. Lock-free, and no reference count is changed.
    pub fn load(&self) -> LoadedPolicy<'_> {
        match &self.0 {
            Inner::Fixed(policy) => LoadedPolicy(Loaded::Fixed(policy)),
            #[cfg(feature = "reload")]
            Inner::Shared(shared) => LoadedPolicy(Loaded::Shared(shared.load())),
        }
    }

    /// Whether the policy can change after this source was made (a `SharedPolicy`).
    pub fn is_reloadable(&self) -> bool {
        !matches!(self.0, Inner::Fixed(_))
    }

    /// Whether `self` and `other` read the same policy (clones of one source, or of one
    /// `SharedPolicy`), not merely equal ones.
    pub fn same_as(&self, other: &PolicySource) -> bool {
        match (&self.0, &other.0) {
            (Inner::Fixed(a), Inner::Fixed(b)) => Arc::ptr_eq(a, b),
            #[cfg(feature = "reload")]
            (Inner::Shared(a), Inner::Shared(b)) => a.same_as(b),
            #[cfg(feature = "reload")]
            _ => false,
        }
    }
}

impl fmt::Debug for PolicySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.is_reloadable() {
            "PolicySource::Shared"
        } else {
            "PolicySource::Fixed"
        };
        f.debug_tuple(kind).field(&*self.load()).finish()
    }
}

impl From<OriginPolicy> for PolicySource {
    fn from(policy: OriginPolicy) -> PolicySource {
        PolicySource(Inner::Fixed(Arc::new(policy)))
    }
}

impl From<Arc<OriginPolicy>> for PolicySource {
    fn from(policy: Arc<OriginPolicy>) -> PolicySource {
        PolicySource(Inner::Fixed(policy))
    }
}

#[cfg(feature = "reload")]
impl From<crate::SharedPolicy> for PolicySource {
    fn from(shared: crate::SharedPolicy) -> PolicySource {
        PolicySource(Inner::Shared(shared))
    }
}

#[cfg(feature = "reload")]
impl From<&crate::SharedPolicy> for PolicySource {
    fn from(shared: &crate::SharedPolicy) -> PolicySource {
        PolicySource(Inner::Shared(shared.clone()))
    }
}

/// The policy a [`PolicySource`] holds right now; dereferences to [`OriginPolicy`].
pub struct LoadedPolicy<'a>(Loaded<'a>);

enum Loaded<'a> {
    Fixed(&'a OriginPolicy),
    #[cfg(feature = "reload")]
    Shared(arc_swap::Guard<Arc<OriginPolicy>>),
}

impl Deref for LoadedPolicy<'_> {
    type Target = OriginPolicy;

    fn deref(&self) -> &OriginPolicy {
        match &self.0 {
            Loaded::Fixed(policy) => policy,
            #[cfg(feature = "reload")]
            Loaded::Shared(guard) => guard,
        }
    }
}

impl fmt::Display for LoadedPolicy<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

impl fmt::Debug for LoadedPolicy<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_one_policy() {
        let source = PolicySource::from("https://app.example.com".parse::<OriginPolicy>().unwrap());
        let clone = source.clone();
        assert!(source.same_as(&clone));
        assert!(std::ptr::eq(&*source.load(), &*clone.load()));
        let other = PolicySource::from("https://app.example.com".parse::<OriginPolicy>().unwrap());
        assert!(!source.same_as(&other));
        assert!(!source.is_reloadable());
    }

    #[cfg(feature = "reload")]
    #[test]
    fn a_shared_source_sees_every_store() {
        let shared = crate::SharedPolicy::new("https://a.example".parse().unwrap());
        let source = PolicySource::from(&shared);
        assert!(source.is_reloadable());
        assert!(source.same_as(&PolicySource::from(shared.clone())));
        assert!(source.load().check_value(b"https://a.example").is_allowed());
        // A loaded policy stays the one it was while the source is swapped.
        let held = source.load();
        shared.store("https://b.example".parse().unwrap());
        assert!(held.check_value(b"https://a.example").is_allowed());
        assert!(source.load().check_value(b"https://b.example").is_allowed());
        assert!(!source.load().check_value(b"https://a.example").is_allowed());
    }
}
