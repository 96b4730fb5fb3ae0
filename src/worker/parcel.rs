//! A large value handed over by move inside a message that has to be `Clone`
//! and `PartialEq` (a [`Request`](super::Request), an effect of the UI): clones
//! share the one value, and the first [`Parcel::take`] gets it.

use std::sync::{Arc, Mutex};

pub struct Parcel<T>(Arc<Mutex<Option<T>>>);

impl<T> Parcel<T> {
    pub fn new(value: T) -> Self {
        Parcel(Arc::new(Mutex::new(Some(value))))
    }

    /// The value, once: `None` when a clone of this parcel took it already.
    pub fn take(&self) -> Option<T> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

impl<T> Clone for Parcel<T> {
    fn clone(&self) -> Self {
        Parcel(self.0.clone())
    }
}

/// The same parcel (its clones), not equal contents.
impl<T> PartialEq for Parcel<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// Never the contents (a hundred thousand people do not go into a log line).
impl<T> std::fmt::Debug for Parcel<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Parcel(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::Parcel;

    #[test]
    fn the_value_is_taken_once_through_any_clone() {
        let a = Parcel::new(vec![1, 2, 3]);
        let b = a.clone();
        assert_eq!(a, b);
        assert_ne!(a, Parcel::new(vec![1, 2, 3]));
        assert_eq!(b.take(), Some(vec![1, 2, 3]));
        assert_eq!(a.take(), None);
        assert_eq!(format!("{a:?}"), "Parcel(..)");
    }
}
