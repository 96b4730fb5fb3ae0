//! The simulator's one way to take a mutex: a handler that panicked while holding
//! it leaves the data as it was, and the next request goes on with it (a poisoned
//! lock must not turn every later request into a 500). A leaf every state holder
//! and handler imports.

use std::sync::{Mutex, MutexGuard};

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
