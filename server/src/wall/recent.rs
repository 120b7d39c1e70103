//! The operation ids a board task remembers, so a resend is answered without asking the
//! database.

use std::collections::{HashMap, VecDeque};

use app::wall::protocol::OpId;

/// How many of its latest operation ids a board task keeps in memory, so that a resend is
/// answered without asking the database. An older one is still applied once: the rules refuse
/// or the log's unique index turns it away, and either way the log says what it became.
pub(crate) const REMEMBERED_OPS: usize = 1_024;

/// The latest operations a board applied, by id, oldest forgotten first.
pub(crate) struct RecentOps {
    seqs: HashMap<OpId, u64>,
    order: VecDeque<OpId>,
    limit: usize,
}

impl RecentOps {
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            seqs: HashMap::with_capacity(limit.min(REMEMBERED_OPS) + 1),
            order: VecDeque::with_capacity(limit.min(REMEMBERED_OPS) + 1),
            limit: limit.max(1),
        }
    }

    pub(crate) fn get(&self, op: OpId) -> Option<u64> {
        self.seqs.get(&op).copied()
    }

    pub(crate) fn insert(&mut self, op: OpId, seq: u64) {
        if self.seqs.insert(op, seq).is_none() {
            self.order.push_back(op);
        }
        while self.order.len() > self.limit {
            if let Some(oldest) = self.order.pop_front() {
                self.seqs.remove(&oldest);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(n: u128) -> OpId {
        OpId(uuid::Uuid::from_u128(n))
    }

    #[test]
    fn recent_ops_forget_the_oldest_beyond_their_limit() {
        let mut ops = RecentOps::new(3);
        for n in 1..=5 {
            ops.insert(op(n), n as u64 * 10);
        }
        assert_eq!(ops.get(op(1)), None);
        assert_eq!(ops.get(op(2)), None);
        assert_eq!(
            (ops.get(op(3)), ops.get(op(4)), ops.get(op(5))),
            (Some(30), Some(40), Some(50))
        );
        // Seen again, an operation is not counted twice.
        ops.insert(op(5), 50);
        ops.insert(op(6), 60);
        assert_eq!((ops.get(op(3)), ops.get(op(5))), (None, Some(50)));
        assert_eq!((ops.seqs.len(), ops.order.len()), (3, 3));
    }
}
