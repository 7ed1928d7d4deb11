//! [`PortRule`]: which ports an allowlist pattern accepts.

use std::fmt;

use crate::origin::Scheme;

/// The ports an [`OriginPattern`](crate::OriginPattern) accepts.
///
/// Ports are held as numbers with the scheme's default filled in, so `https://app.example.com`
/// and `https://app.example.com:443` are the same rule, and `:[443,8443]` accepts an origin with
/// no port (the default) as well as `:8443`.
///
/// ```
/// use origin_policy::{OriginPolicy, PortRule};
/// let policy: OriginPolicy = "https://app.example.com:[8443,9443] http://localhost:*".parse()?;
/// let ports: Vec<_> = policy.patterns().map(|p| p.ports().clone()).collect();
/// assert_eq!(ports, [PortRule::OneOf(vec![8443, 9443]), PortRule::Any]);
/// assert!(policy.check_value(b"https://app.example.com:9443").is_allowed());
/// assert!(!policy.check_value(b"https://app.example.com").is_allowed());
/// assert!(policy.check_value(b"http://localhost:5173").is_allowed());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum PortRule {
    /// Exactly this port (the scheme's default when none is written).
    Is(u16),
    /// Any of these ports: sorted, without duplicates, at least two.
    OneOf(Vec<u16>),
    /// Any port (`:*`).
    Any,
}

impl PortRule {
    /// Whether `port` (the scheme's default filled in) is accepted.
    pub fn accepts(&self, port: u16) -> bool {
        match self {
            PortRule::Is(p) => *p == port,
            // Lists are short; a linear search also stays right for a list a caller built
            // unsorted.
            PortRule::OneOf(ports) => ports.contains(&port),
            PortRule::Any => true,
        }
    }

    /// Builds the rule for a list of ports: `Is` for one, `OneOf` for several.
    pub(crate) fn from_list(mut ports: Vec<u16>) -> Option<PortRule> {
        ports.sort_unstable();
        ports.dedup();
        match ports.as_slice() {
            [] => None,
            [one] => Some(PortRule::Is(*one)),
            _ => Some(PortRule::OneOf(ports)),
        }
    }

    /// Writes the rule as it appears after the host: nothing for the default port, `:8443`,
    /// `:[443,8443]` or `:*`.
    pub(crate) fn write_suffix(&self, scheme: Scheme, out: &mut String) {
        use std::fmt::Write as _;
        // Writing to a String cannot fail.
        let _ = match self {
            PortRule::Is(port) if *port == scheme.default_port() => Ok(()),
            PortRule::Is(port) => write!(out, ":{port}"),
            PortRule::OneOf(ports) => {
                out.push_str(":[");
                for (i, port) in ports.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    let _ = write!(out, "{port}");
                }
                out.push(']');
                Ok(())
            }
            PortRule::Any => write!(out, ":*"),
        };
    }
}

impl fmt::Display for PortRule {
    /// `443`, `[443,8443]` or `*`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PortRule::Is(port) => write!(f, "{port}"),
            PortRule::OneOf(ports) => {
                f.write_str("[")?;
                for (i, port) in ports.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{port}")?;
                }
                f.write_str("]")
            }
            PortRule::Any => f.write_str("*"),
        }
    }
}

/// Parses the text of a port list between `[` and `]`: decimal ports from 1 to 65535
/// separated by commas.
pub(crate) fn parse_list(text: &str) -> Option<Vec<u16>> {
    text.split(',').map(parse_config_port).collect()
}

/// A port number as written in configuration: 1 to 65535, plain decimal digits.
fn parse_config_port(text: &str) -> Option<u16> {
    if text.is_empty() || text.len() > 5 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match text.parse::<u16>() {
        Ok(0) | Err(_) => None,
        Ok(port) => Some(port),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists() {
        assert_eq!(parse_list("8443,9443"), Some(vec![8443, 9443]));
        assert_eq!(parse_list("1,65535"), Some(vec![1, 65535]));
        for bad in [
            "", ",", "8443,", "0", "65536", "+1", "1 ,2", "0x10", "123456",
        ] {
            assert_eq!(parse_list(bad), None, "list {bad:?}");
        }
        // More than five digits is refused even when the value fits: kills `||` replaced
        // with `&&` in `text.is_empty() || text.len() > 5` (`parse_config_port`).
        for bad in ["000001", "0008443", "1,000443"] {
            assert_eq!(parse_list(bad), None, "list {bad:?}");
        }
        assert_eq!(
            PortRule::from_list(vec![9443, 8443, 9443]),
            Some(PortRule::OneOf(vec![8443, 9443]))
        );
        assert_eq!(
            PortRule::from_list(vec![8443, 8443]),
            Some(PortRule::Is(8443))
        );
        assert_eq!(PortRule::from_list(vec![]), None);
    }

    #[test]
    fn accepts() {
        assert!(PortRule::Is(443).accepts(443));
        assert!(!PortRule::Is(443).accepts(8443));
        let list = PortRule::OneOf(vec![443, 8443]);
        assert!(list.accepts(443) && list.accepts(8443) && !list.accepts(9443));
        assert!(PortRule::Any.accepts(1) && PortRule::Any.accepts(65535));
    }

    #[test]
    fn suffixes() {
        let suffix = |rule: PortRule, scheme| {
            let mut s = String::new();
            rule.write_suffix(scheme, &mut s);
            s
        };
        assert_eq!(suffix(PortRule::Is(443), Scheme::Https), "");
        assert_eq!(suffix(PortRule::Is(443), Scheme::Http), ":443");
        assert_eq!(
            suffix(PortRule::OneOf(vec![443, 8443]), Scheme::Https),
            ":[443,8443]"
        );
        assert_eq!(suffix(PortRule::Any, Scheme::Http), ":*");
        assert_eq!(PortRule::OneOf(vec![1, 2]).to_string(), "[1,2]");
    }
}
