//! `x` writes the table in focus as it is on screen (filter, sort, time range)
//! to a CSV file: the cadences, the people found, a cadence's steps (the funnel)
//! or its people, a person's cadences, the Activity ranking, the alert rules;
//! `X` the template table of the step under the detail's cursor. Every row keeps
//! its ids so they can be typed into the CLI (`sltui report --cadence ID`,
//! `--step ID`, `sltui enroll --person ID`). Building the text reads the state
//! only; the loop writes the file (in the directory sltui was started from) and
//! says where.

mod cadences;
mod csv;
mod detail;
mod lists;

use super::state::{AppState, Level, View};

pub use cadences::cadences_csv;
pub use csv::Csv;

/// The table in focus as CSV, or why there is none (a line for the status bar).
pub fn current(state: &AppState) -> Result<Csv, String> {
    match state.view {
        View::Cadences => cadences::table(state, state.clock.wall),
        View::People => lists::people(state),
        View::Person => lists::person(state),
        View::Activity => lists::activity(state),
        View::Alerts => lists::alerts(state),
        View::CadenceDetail => detail::focused(state),
    }
}

/// The template table of the step under the detail's cursor, or why not.
pub fn templates(state: &AppState) -> Result<Csv, String> {
    detail::templates(state)
}

/// Writes an export into `dir`; the message to show.
pub fn save(dir: &std::path::Path, file_name: &str, contents: &str, what: &str) -> (Level, String) {
    let path = dir.join(file_name);
    match std::fs::write(&path, contents) {
        Ok(()) => (
            Level::Info,
            format!("exported {what} to {}", path.display()),
        ),
        Err(e) => (
            Level::Error,
            format!(
                "could not write {} ({e}); start sltui from a directory you can write to",
                path.display()
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_that_fails_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let (level, text) = save(dir.path(), "a.csv", "x\n", "2 cadences");
        assert_eq!(level, Level::Info);
        assert!(text.starts_with("exported 2 cadences to "), "{text}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.csv")).unwrap(),
            "x\n"
        );
        let (level, text) = save(&dir.path().join("missing"), "a.csv", "x\n", "2 cadences");
        assert_eq!(level, Level::Error);
        assert!(
            text.contains("start sltui from a directory you can write to"),
            "{text}"
        );
    }
}
