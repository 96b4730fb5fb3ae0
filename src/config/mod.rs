//! Configuration: profiles, keymap, theme.
