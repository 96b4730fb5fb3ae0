//! Engagement arithmetic.
