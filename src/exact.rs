//! [`ExactSet`]: the exact origins of a policy, packed for a million entries.
//!
//! A `HashSet<Origin>` costs about 90 bytes per entry at a million entries: each 48-byte
//! [`Origin`] sits in a bucket of a table kept at most 7/8 full (and, after a doubling, half
//! empty), and the policy kept a second copy of every entry to remember their order. Here
//! the canonical serializations are packed one after another into 64 KiB chunks of bytes,
//! in the order given, each with the five bytes of scheme, host end and port a
//! [`MatchedRule`](crate::MatchedRule) needs; the hash table holds only a `u32` position per
//! entry. At a million browser-length origins that is about 45 bytes per entry, the chunks
//! are never copied as they fill, and a lookup is still one hash and one probe.
//!
//! A serialization longer than [`INLINE`] bytes (whose [`Origin`] shares its text behind a
//! reference count anyway) is kept as an [`Origin`] on the side, with a marker in the chunks
//! so that the order is kept.

use std::fmt;
use std::hash::BuildHasher;

use hashbrown::hash_table::Entry;
use hashbrown::{DefaultHashBuilder, HashTable};

use crate::origin::{Origin, Scheme, TupleOrigin};
use crate::text::INLINE;

/// Bytes per chunk; a record never straddles two.
const CHUNK: usize = 1 << 16;

/// The header of a record in a chunk: length, flags, host end, port (little-endian).
const HEADER: usize = 5;

/// The length byte of a marker record: the origin is in `long`, at the `u32` that follows.
const LONG: u8 = u8::MAX;

/// Flag bits of a record.
const HTTPS: u8 = 1;
const HAS_PORT: u8 = 2;

/// A record's position: chunk number times [`CHUNK`] plus the offset in the chunk.
type Position = u32;

/// Exact origins in the order given, without duplicates, looked up by their serialization.
#[derive(Clone)]
pub(crate) struct ExactSet {
    chunks: Vec<Vec<u8>>,
    long: Vec<Origin>,
    index: HashTable<Position>,
    hasher: DefaultHashBuilder,
    /// How many chunks the positions can address (`u32` positions: 65 536).
    max_chunks: usize,
}

/// More entries than one table of a policy holds (about 4 GiB of exact origins'
/// serializations, or 2^32 - 1 patterns of one kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Full;

impl ExactSet {
    /// An empty set with room in its index for `entries` origins.
    pub(crate) fn with_capacity(entries: usize) -> ExactSet {
        ExactSet {
            chunks: Vec::new(),
            long: Vec::new(),
            index: HashTable::with_capacity(entries),
            hasher: DefaultHashBuilder::default(),
            max_chunks: (Position::MAX as usize + 1) / CHUNK,
        }
    }

    /// A set whose positions address only `max_chunks` chunks, to test the limit.
    #[cfg(test)]
    pub(crate) fn with_max_chunks(max_chunks: usize) -> ExactSet {
        ExactSet {
            max_chunks,
            ..ExactSet::with_capacity(0)
        }
    }

    /// How many origins the set holds.
    pub(crate) fn len(&self) -> usize {
        self.index.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The origin whose canonical serialization is `serialized`.
    #[inline]
    pub(crate) fn get(&self, serialized: &[u8]) -> Option<Origin> {
        let position = self.position(serialized)?;
        Some(self.record(position).to_origin())
    }

    /// [`get`](Self::get) for a caller that already holds the first [`INLINE`] bytes of
    /// `serialized` in a zero-padded array (the request's
    /// [`OriginExcerpt`](crate::OriginExcerpt)): a hit copies that array whole instead of
    /// the record's bytes, one fixed-size move and no length-dependent copy.
    pub(crate) fn get_with_window(
        &self,
        serialized: &[u8],
        window: &[u8; INLINE],
    ) -> Option<Origin> {
        let position = self.position(serialized)?;
        Some(self.record(position).to_origin_with(window))
    }

    pub(crate) fn contains(&self, serialized: &[u8]) -> bool {
        self.position(serialized).is_some()
    }

    /// Where the record of `serialized` starts, if the set holds it.
    #[inline]
    fn position(&self, serialized: &[u8]) -> Option<Position> {
        let hash = self.hasher.hash_one(serialized);
        self.index
            .find(hash, |&position| {
                self.record(position).bytes() == serialized
            })
            .copied()
    }

    /// Adds `origin` unless the set holds it; whether it was added.
    pub(crate) fn insert(&mut self, origin: &Origin) -> Result<bool, Full> {
        let parts = Parts {
            serialized: origin.as_str().as_bytes(),
            scheme: origin.scheme(),
            host_end: origin.host_end(),
            port: origin.port(),
        };
        self.insert_parts(&parts, || origin.clone())
    }

    /// Adds the canonical origin the strict parser (or its fast pass) found, without making
    /// an `Origin` unless it is too long to pack.
    pub(crate) fn insert_tuple(&mut self, origin: &TupleOrigin<'_>) -> Result<bool, Full> {
        let parts = Parts {
            serialized: &origin.serialized,
            scheme: origin.scheme,
            host_end: origin.host_end,
            port: origin.port,
        };
        self.insert_parts(&parts, || Origin::from_canonical(origin))
    }

    /// One probe of the index: found, or the record appended and its position taken.
    fn insert_parts(
        &mut self,
        parts: &Parts<'_>,
        origin: impl FnOnce() -> Origin,
    ) -> Result<bool, Full> {
        let ExactSet {
            chunks,
            long,
            index,
            hasher,
            max_chunks,
        } = self;
        let hash = hasher.hash_one(parts.serialized);
        let entry = index.entry(
            hash,
            |&position| Record::at(chunks, long, position).bytes() == parts.serialized,
            |&position| hasher.hash_one(Record::at(chunks, long, position).bytes()),
        );
        match entry {
            Entry::Occupied(_) => Ok(false),
            Entry::Vacant(vacant) => {
                vacant.insert(push(chunks, long, *max_chunks, parts, origin)?);
                Ok(true)
            }
        }
    }

    fn record(&self, position: Position) -> Record<'_> {
        Record::at(&self.chunks, &self.long, position)
    }

    /// The origins in the order they were added.
    pub(crate) fn iter(&self) -> Iter<'_> {
        Iter {
            set: self,
            chunk: 0,
            offset: 0,
        }
    }

    /// Heap bytes held (chunks, side origins and index), for the memory tests.
    #[cfg(test)]
    pub(crate) fn heap_bytes(&self) -> usize {
        self.chunks.iter().map(Vec::capacity).sum::<usize>()
            + self.long.capacity() * std::mem::size_of::<Origin>()
            + self.index.allocation_size()
    }
}

/// What a record holds of an origin.
struct Parts<'a> {
    serialized: &'a [u8],
    scheme: Scheme,
    host_end: usize,
    port: Option<u16>,
}

/// Appends the record of an origin to `chunks` (a long one to `long`, made by `origin`); its
/// position.
fn push(
    chunks: &mut Vec<Vec<u8>>,
    long: &mut Vec<Origin>,
    max_chunks: usize,
    parts: &Parts<'_>,
    origin: impl FnOnce() -> Origin,
) -> Result<Position, Full> {
    let serialized = parts.serialized;
    let size = if serialized.len() <= INLINE {
        HEADER + serialized.len()
    } else {
        HEADER
    };
    if chunks.last().is_none_or(|chunk| chunk.len() + size > CHUNK) {
        if chunks.len() == max_chunks {
            return Err(Full);
        }
        chunks.push(Vec::with_capacity(CHUNK));
    }
    let number = chunks.len() - 1;
    let index = long.len();
    let chunk = &mut chunks[number];
    // Both fit: `number < max_chunks <= 65 536` and the offset is below `CHUNK`.
    let position = (number * CHUNK + chunk.len()) as Position;
    if serialized.len() <= INLINE {
        let mut flags = 0;
        if parts.scheme == Scheme::Https {
            flags |= HTTPS;
        }
        if parts.port.is_some() {
            flags |= HAS_PORT;
        }
        // The host ends within the serialization, at most `INLINE` (38) bytes.
        let host_end = parts.host_end as u8;
        let port = parts.port.unwrap_or(0).to_le_bytes();
        chunk.extend_from_slice(&[serialized.len() as u8, flags, host_end, port[0], port[1]]);
        chunk.extend_from_slice(serialized);
    } else {
        // A long origin: a marker with its index in `long`, which a policy's entry count
        // (itself below 2^32 positions) bounds.
        let index = (index as u32).to_le_bytes();
        chunk.extend_from_slice(&[LONG, index[0], index[1], index[2], index[3]]);
        long.push(origin());
    }
    Ok(position)
}

impl Default for ExactSet {
    fn default() -> ExactSet {
        ExactSet::with_capacity(0)
    }
}

impl fmt::Debug for ExactSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// One record: an origin packed in a chunk, or one kept whole on the side.
#[derive(Clone, Copy)]
enum Record<'a> {
    Packed { header: &'a [u8], bytes: &'a [u8] },
    Long(&'a Origin),
}

impl<'a> Record<'a> {
    /// The record at `position`, which `push` returned. A position from elsewhere reads
    /// as an empty record (it never is one).
    fn at(chunks: &'a [Vec<u8>], long: &'a [Origin], position: Position) -> Record<'a> {
        let position = position as usize;
        let chunk = chunks
            .get(position / CHUNK)
            .map_or(&[][..], |chunk| &chunk[..]);
        let record = chunk.get(position % CHUNK..).unwrap_or_default();
        let Some((header, rest)) = record.split_at_checked(HEADER) else {
            return Record::Packed {
                header: &[0; HEADER],
                bytes: &[],
            };
        };
        if header[0] == LONG {
            let index = u32::from_le_bytes([header[1], header[2], header[3], header[4]]);
            if let Some(origin) = long.get(index as usize) {
                return Record::Long(origin);
            }
        }
        let len = usize::from(header[0]).min(rest.len());
        Record::Packed {
            header,
            bytes: &rest[..len],
        }
    }

    /// The canonical serialization.
    fn bytes(self) -> &'a [u8] {
        match self {
            Record::Packed { bytes, .. } => bytes,
            Record::Long(origin) => origin.as_str().as_bytes(),
        }
    }

    /// The size of the record in its chunk.
    fn size(self) -> usize {
        match self {
            Record::Packed { bytes, .. } => HEADER + bytes.len(),
            Record::Long(_) => HEADER,
        }
    }

    /// [`to_origin`](Self::to_origin), the bytes taken from `window`, which holds the same
    /// bytes as this record (the lookup compared them) padded with zeros.
    fn to_origin_with(self, window: &[u8; INLINE]) -> Origin {
        match self {
            Record::Packed { header, bytes } => {
                let (scheme, host_end, port) = decode(header);
                Origin::from_window(window, bytes.len(), scheme, host_end, port)
            }
            Record::Long(origin) => origin.clone(),
        }
    }

    fn to_origin(self) -> Origin {
        match self {
            Record::Packed { header, bytes } => {
                let (scheme, host_end, port) = decode(header);
                Origin::from_parts(bytes, scheme, host_end, port)
            }
            Record::Long(origin) => origin.clone(),
        }
    }
}

/// The scheme, host end and port a packed record's header holds.
fn decode(header: &[u8]) -> (Scheme, usize, Option<u16>) {
    let flags = header.get(1).copied().unwrap_or(0);
    let scheme = if flags & HTTPS != 0 {
        Scheme::Https
    } else {
        Scheme::Http
    };
    let port = match header {
        [_, _, _, low, high, ..] if flags & HAS_PORT != 0 => {
            Some(u16::from_le_bytes([*low, *high]))
        }
        _ => None,
    };
    (
        scheme,
        header.get(2).map_or(0, |&end| usize::from(end)),
        port,
    )
}

/// The origins of an [`ExactSet`] in the order they were added.
pub(crate) struct Iter<'a> {
    set: &'a ExactSet,
    chunk: usize,
    offset: usize,
}

impl Iterator for Iter<'_> {
    type Item = Origin;

    fn next(&mut self) -> Option<Origin> {
        loop {
            let chunk = self.set.chunks.get(self.chunk)?;
            if self.offset < chunk.len() {
                let position = (self.chunk * CHUNK + self.offset) as Position;
                let record = self.set.record(position);
                self.offset += record.size();
                return Some(record.to_origin());
            }
            self.chunk += 1;
            self.offset = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(text: &str) -> Origin {
        text.parse().unwrap()
    }

    #[test]
    fn a_hit_through_the_window_is_the_stored_origin() {
        let long = format!("https://{}.example.com:8443", "a".repeat(40));
        let given = [
            "https://app.example.com",
            "http://localhost:5173",
            "https://[::1]:8443",
            "http://10.0.0.1",
            long.as_str(),
        ];
        let mut set = ExactSet::default();
        for text in given {
            set.insert(&origin(text)).unwrap();
        }
        for text in given {
            let excerpt = crate::excerpt::OriginExcerpt::new(text.as_bytes());
            let window = excerpt.window::<INLINE>().unwrap();
            let through_window = set.get_with_window(text.as_bytes(), window).unwrap();
            let stored = set.get(text.as_bytes()).unwrap();
            assert_eq!(through_window.as_str(), text);
            assert_eq!(through_window.as_str(), stored.as_str());
            assert_eq!(through_window.scheme(), stored.scheme());
            assert_eq!(through_window.host(), stored.host());
            assert_eq!(through_window.port(), stored.port());
        }
        let window = [0; INLINE];
        assert!(set
            .get_with_window(b"https://evil.example", &window)
            .is_none());
    }

    #[test]
    fn keeps_order_drops_duplicates_and_finds_by_serialization() {
        let long = format!("https://{}.example.com:8443", "a".repeat(40));
        let given = [
            "https://app.example.com",
            "http://localhost:5173",
            long.as_str(),
            "https://app.example.com",
            "http://[::1]:8080",
            "http://10.0.0.1",
            long.as_str(),
        ];
        let mut set = ExactSet::with_capacity(0);
        let added: Vec<bool> = given
            .iter()
            .map(|text| set.insert(&origin(text)).unwrap())
            .collect();
        assert_eq!(added, [true, true, true, false, true, true, false]);
        assert_eq!(set.len(), 5);
        let kept: Vec<String> = set.iter().map(|o| o.to_string()).collect();
        assert_eq!(
            kept,
            [
                "https://app.example.com",
                "http://localhost:5173",
                long.as_str(),
                "http://[::1]:8080",
                "http://10.0.0.1"
            ]
        );
        for text in &kept {
            let found = set.get(text.as_bytes()).unwrap();
            let parsed = origin(text);
            // Every part survives the packing, not only the text.
            assert_eq!(found.as_str(), parsed.as_str());
            assert_eq!(found.scheme(), parsed.scheme());
            assert_eq!(found.host(), parsed.host());
            assert_eq!(found.port(), parsed.port());
            assert_eq!(found.is_inline(), parsed.is_inline());
        }
        for absent in [
            &b"https://app.example.co"[..],
            b"https://app.example.com:443",
            b"",
            b"http://localhost:5174",
        ] {
            assert!(set.get(absent).is_none());
        }
    }

    #[test]
    fn many_entries_across_chunks() {
        let texts: Vec<String> = (0..20_000)
            .map(|i| format!("https://app{i}.example{}.com:{}", i % 97, 1000 + i % 60_000))
            .collect();
        let mut set = ExactSet::with_capacity(texts.len());
        for text in &texts {
            assert!(set.insert(&origin(text)).unwrap());
        }
        assert!(set.chunks.len() > 5, "{} chunks", set.chunks.len());
        assert_eq!(set.len(), texts.len());
        assert!(set.iter().map(|o| o.to_string()).eq(texts.iter().cloned()));
        for text in texts.iter().step_by(97) {
            assert_eq!(set.get(text.as_bytes()).unwrap().as_str(), text);
        }
        // About 45 bytes of record and index per entry here, nowhere near an `Origin` a bucket.
        let per_entry = set.heap_bytes() / texts.len();
        assert!(per_entry < 60, "{per_entry} bytes per entry");
    }

    #[test]
    fn a_full_set_refuses_more() {
        let mut set = ExactSet::with_max_chunks(1);
        let mut added = 0;
        let error = loop {
            match set.insert(&origin(&format!("https://app{added}.example.com"))) {
                Ok(true) => added += 1,
                Ok(false) => unreachable!("distinct origins"),
                Err(full) => break full,
            }
        };
        assert_eq!(error, Full);
        // One chunk holds 64 KiB of records of 5 + 24 to 28 bytes.
        assert!((2_000..=CHUNK / 29).contains(&added), "{added}");
        assert_eq!(set.len(), added);
        assert!(set.get(b"https://app0.example.com").is_some());
    }

    #[test]
    fn a_stray_position_reads_as_an_empty_record() {
        let set = ExactSet::with_capacity(0);
        let record = set.record(12345);
        assert_eq!(record.bytes(), b"");
    }
}
