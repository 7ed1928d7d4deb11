//! [`EntryOrder`]: which table each entry of a policy went to, in the order given, as runs.
//!
//! The policy keeps each kind of entry in its own table, each in the order given; to list the
//! entries in the order they were given (`Display`, `to_builder`, lint) it is enough to know
//! how the tables alternate. A list of a million exact origins and a few patterns is a handful
//! of runs, not a million records.

use crate::entry::EntryOptions;

/// The table an entry is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Table {
    Exact,
    SameOrigin,
    HostPatterns,
    Wildcards,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    table: Table,
    options: EntryOptions,
    len: u32,
}

/// The tables of the entries, in the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct EntryOrder {
    runs: Vec<Run>,
    len: usize,
}

impl EntryOrder {
    /// Records that the next entry went to `table`, accepted with `options`.
    pub(crate) fn push(&mut self, table: Table, options: EntryOptions) {
        self.len += 1;
        if let Some(run) = self.runs.last_mut() {
            if run.table == table && run.options == options && run.len < u32::MAX {
                run.len += 1;
                return;
            }
        }
        self.runs.push(Run {
            table,
            options,
            len: 1,
        });
    }

    /// How many entries there are.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The table and options of each entry, in the order given.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (Table, EntryOptions)> + '_ {
        self.runs
            .iter()
            .flat_map(|run| std::iter::repeat_n((run.table, run.options), run.len as usize))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_replay_the_order() {
        let any_port = EntryOptions {
            any_port_off_loopback: true,
            ..EntryOptions::default()
        };
        let given = [
            (Table::Exact, EntryOptions::default()),
            (Table::Exact, EntryOptions::default()),
            (Table::Wildcards, EntryOptions::default()),
            (Table::Exact, EntryOptions::default()),
            (Table::HostPatterns, EntryOptions::default()),
            (Table::HostPatterns, any_port),
            (Table::SameOrigin, EntryOptions::default()),
        ];
        let mut order = EntryOrder::default();
        for (table, options) in given {
            order.push(table, options);
        }
        assert_eq!(order.len(), given.len());
        assert_eq!(order.runs.len(), 6);
        assert!(order.iter().eq(given));
        assert!(EntryOrder::default().is_empty());
    }
}
