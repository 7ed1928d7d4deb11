//! [`PatternTable`]: patterns of one kind (on an exact host, or wildcards on a base), looked
//! up by host in one probe, kept in the order given.
//!
//! A `HashMap<Box<[u8]>, Vec<OriginPattern>>` spends a boxed key and a vector of at least four
//! patterns on every host, which at 100 000 wildcard bases is most of the table's memory.
//! Here the patterns are one vector in the order given, chained per host through `next`, and
//! the hash table holds the first and last position of each host's chain.

use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashTable};

use crate::exact::Full;
use crate::pattern::OriginPattern;

/// The end of a chain.
const NONE: u32 = u32::MAX;

/// Patterns keyed by their host (or wildcard base), in the order given, without duplicates.
#[derive(Debug, Clone, Default)]
pub(crate) struct PatternTable {
    patterns: Vec<OriginPattern>,
    /// The position of the next pattern on the same host, or [`NONE`].
    next: Vec<u32>,
    /// The first and last position of each host's chain.
    index: HashTable<(u32, u32)>,
    hasher: DefaultHashBuilder,
}

impl PatternTable {
    pub(crate) fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.patterns.len()
    }

    /// The patterns in the order given.
    pub(crate) fn iter(&self) -> std::slice::Iter<'_, OriginPattern> {
        self.patterns.iter()
    }

    /// The first and last position of `host`'s chain.
    fn chain(&self, host: &[u8]) -> Option<(u32, u32)> {
        let hash = self.hasher.hash_one(host);
        self.index
            .find(hash, |&(first, _)| self.host_at(first) == host)
            .copied()
    }

    fn host_at(&self, position: u32) -> &[u8] {
        self.patterns
            .get(position as usize)
            .map_or(&[][..], |pattern| pattern.host().as_bytes())
    }

    /// The patterns on `host`, in the order given.
    pub(crate) fn on_host<'a>(&'a self, host: &[u8]) -> impl Iterator<Item = &'a OriginPattern> {
        let mut position = self.chain(host).map_or(NONE, |(first, _)| first);
        std::iter::from_fn(move || {
            let pattern = self.patterns.get(position as usize)?;
            position = self.next.get(position as usize).copied().unwrap_or(NONE);
            Some(pattern)
        })
    }

    pub(crate) fn contains(&self, pattern: &OriginPattern) -> bool {
        self.on_host(pattern.host().as_bytes())
            .any(|held| held == pattern)
    }

    /// Adds `pattern` unless the table holds it; whether it was added.
    pub(crate) fn insert(&mut self, pattern: OriginPattern) -> Result<bool, Full> {
        if self.contains(&pattern) {
            return Ok(false);
        }
        let position = u32::try_from(self.patterns.len())
            .ok()
            .filter(|&position| position != NONE)
            .ok_or(Full)?;
        let hash = self.hasher.hash_one(pattern.host().as_bytes());
        let host = pattern.host().as_bytes();
        let patterns = &self.patterns;
        let found = self.index.find_mut(hash, |&(first, _)| {
            patterns
                .get(first as usize)
                .is_some_and(|held| held.host().as_bytes() == host)
        });
        match found {
            Some((_, last)) => {
                let previous = std::mem::replace(last, position);
                if let Some(next) = self.next.get_mut(previous as usize) {
                    *next = position;
                }
            }
            None => {
                let hasher = &self.hasher;
                self.index
                    .insert_unique(hash, (position, position), |&(first, _)| {
                        hasher.hash_one(
                            patterns
                                .get(first as usize)
                                .map_or(&[][..], |held| held.host().as_bytes()),
                        )
                    });
            }
        }
        self.patterns.push(pattern);
        self.next.push(NONE);
        Ok(true)
    }

    /// Gives back the room the vectors grew beyond their contents.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.patterns.shrink_to_fit();
        self.next.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::{parse_entry, Entry, EntryOptions};

    fn pattern(text: &str) -> OriginPattern {
        match parse_entry(text, EntryOptions::default()).unwrap() {
            Entry::Pattern(pattern) => pattern,
            Entry::Exact(origin) => panic!("{origin} is exact"),
        }
    }

    #[test]
    fn chains_per_host_in_order_without_duplicates() {
        let mut table = PatternTable::default();
        let given = [
            "https://*.a.example",
            "http://*.b.example",
            "http://*.a.example",
            "https://*.a.example",
            "https://*.a.example:8443",
            "https://*.c.example",
            "http://*.b.example",
        ];
        let added: Vec<bool> = given
            .iter()
            .map(|text| table.insert(pattern(text)).unwrap())
            .collect();
        assert_eq!(added, [true, true, true, false, true, true, false]);
        assert_eq!(table.len(), 5);
        let on = |host: &str| -> Vec<String> {
            table
                .on_host(host.as_bytes())
                .map(ToString::to_string)
                .collect()
        };
        assert_eq!(
            on("a.example"),
            [
                "https://*.a.example",
                "http://*.a.example",
                "https://*.a.example:8443"
            ]
        );
        assert_eq!(on("b.example"), ["http://*.b.example"]);
        assert_eq!(on("c.example"), ["https://*.c.example"]);
        assert!(on("d.example").is_empty());
        assert!(on("").is_empty());
        let all: Vec<String> = table.iter().map(ToString::to_string).collect();
        assert_eq!(
            all,
            [
                "https://*.a.example",
                "http://*.b.example",
                "http://*.a.example",
                "https://*.a.example:8443",
                "https://*.c.example"
            ]
        );
        assert!(table.contains(&pattern("http://*.a.example")));
        assert!(!table.contains(&pattern("http://*.c.example")));
    }

    #[test]
    fn many_hosts_share_one_vector() {
        let mut table = PatternTable::default();
        for i in 0..10_000 {
            assert!(table
                .insert(pattern(&format!("https://*.tenant{i}.example.com")))
                .unwrap());
        }
        table.shrink_to_fit();
        for i in (0..10_000).step_by(37) {
            let host = format!("tenant{i}.example.com");
            let found: Vec<_> = table.on_host(host.as_bytes()).collect();
            assert_eq!(found.len(), 1);
            assert_eq!(found[0].host(), host);
        }
    }
}
