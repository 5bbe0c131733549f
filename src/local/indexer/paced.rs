//! Backpressure on tantivy's indexing queue, counted in paragraphs.
//!
//! tantivy queues up to 10,000 messages for its indexing threads, and blocks the sender when
//! the queue is full. Paragraphs sent one per message woke the blocked sync thread (a futex
//! call) for every paragraph the indexing thread took, a tenth of its time; sent in groups,
//! the same bound let the whole 100 MB corpus wait in memory (RSS 330 → 460 MB). So groups
//! are sent, and the sync thread itself waits while more than [`MOST_IN_FLIGHT`] paragraphs
//! are queued: each document carries a ticket, given back when tantivy takes the document
//! off the queue.

use std::sync::{Arc, Condvar, Mutex};

use tantivy::schema::document::CompactDocValue;
use tantivy::schema::{Document, Field};
use tantivy::{IndexWriter, TantivyDocument};

/// Paragraphs queued for the indexing threads before the sync thread waits: about a second
/// of one thread's work, and 10–20 MB of documents.
const MOST_IN_FLIGHT: usize = 20_000;
/// A waiting sync thread resumes once the queue is down to this.
const RESUME_AT: usize = MOST_IN_FLIGHT / 2;

/// The writer of a sync, whose documents carry their tickets.
pub type Writer = IndexWriter<PacedDocument>;

/// The documents the writer is given: a paragraph and its place in the queue.
pub struct PacedDocument {
    document: TantivyDocument,
    _ticket: Ticket,
}

/// The paragraphs sent and not yet taken by an indexing thread.
#[derive(Clone, Default)]
pub struct InFlight(Arc<Counter>);

#[derive(Default)]
struct Counter {
    queued: Mutex<usize>,
    drained: Condvar,
    /// Senders waiting for room, for a test to know the sender is blocked before it drains.
    #[cfg(test)]
    waiting: std::sync::atomic::AtomicUsize,
}

impl InFlight {
    /// `document`, counted as queued until tantivy takes it.
    pub fn send(&self, document: TantivyDocument) -> PacedDocument {
        *self.lock() += 1;
        PacedDocument {
            document,
            _ticket: Ticket(self.clone()),
        }
    }

    /// Waits while more than [`MOST_IN_FLIGHT`] paragraphs are queued, until at most
    /// [`RESUME_AT`] are.
    pub fn wait_for_room(&self) {
        let mut queued = self.lock();
        if *queued <= MOST_IN_FLIGHT {
            return;
        }
        #[cfg(test)]
        self.0
            .waiting
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        while *queued > RESUME_AT {
            queued = self
                .0
                .drained
                .wait(queued)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, usize> {
        // A count is sound whatever panicked while holding it.
        self.0
            .queued
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

struct Ticket(InFlight);

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut queued = self.0.lock();
        *queued -= 1;
        if *queued == RESUME_AT {
            self.0 .0.drained.notify_all();
        }
    }
}

impl Document for PacedDocument {
    type Value<'a> = CompactDocValue<'a>;
    type FieldsValuesIter<'a> = Box<dyn Iterator<Item = (Field, CompactDocValue<'a>)> + 'a>;

    fn iter_fields_and_values(&self) -> Self::FieldsValuesIter<'_> {
        Box::new(self.document.iter_fields_and_values())
    }

    /// What tantivy calls as it takes the document off the queue: the ticket goes back.
    fn into_tantivy_document(self) -> TantivyDocument {
        self.document
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_count_until_tantivy_takes_them() {
        let in_flight = InFlight::default();
        let documents: Vec<PacedDocument> = (0..3)
            .map(|_| in_flight.send(TantivyDocument::default()))
            .collect();
        assert_eq!(*in_flight.lock(), 3);
        let mut taken = documents.into_iter();
        let _doc: TantivyDocument = taken.next().unwrap().into_tantivy_document();
        assert_eq!(*in_flight.lock(), 2);
        drop(taken);
        assert_eq!(*in_flight.lock(), 0);
        in_flight.wait_for_room();
    }

    #[test]
    fn a_full_queue_waits_until_half_is_taken() {
        let in_flight = InFlight::default();
        let mut documents: Vec<PacedDocument> = (0..=MOST_IN_FLIGHT)
            .map(|_| in_flight.send(TantivyDocument::default()))
            .collect();
        let sender = {
            let in_flight = in_flight.clone();
            std::thread::spawn(move || {
                in_flight.wait_for_room();
                // Nothing is taken once the queue is down to the resume point, so this is
                // where the sender resumed.
                let resumed_at = *in_flight.lock();
                resumed_at
            })
        };
        // It counts itself as waiting under the lock, which it holds until it waits on the
        // condvar: no document taken below can be counted before it waits.
        while in_flight
            .0
            .waiting
            .load(std::sync::atomic::Ordering::SeqCst)
            == 0
        {
            std::thread::yield_now();
        }
        while documents.len() > RESUME_AT {
            documents.pop().unwrap().into_tantivy_document();
        }
        assert_eq!(sender.join().unwrap(), RESUME_AT);
        drop(documents);
        assert_eq!(*in_flight.lock(), 0);
    }
}
