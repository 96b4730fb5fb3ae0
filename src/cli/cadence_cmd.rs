//! `sltui cadence export ID` and `sltui cadence import FILE --name NAME`: a
//! cadence's definition as JSON (`GET /v2/cadence_exports/{id}`), and a new
//! cadence made from one (`POST /v2/cadence_imports`).
//!
//! The exported file is the import's request body: `settings` and
//! `sharing_settings` read from the cadence, `cadence_content` as the export
//! gives it. Importing sets `settings.name` to `--name`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand};
use reqwest::Method;
use serde_json::{Value, json};

use super::opts::{GlobalOpts, TargetOpts};
use super::script::{Session, USAGE};
use crate::api::models::{CadenceImport, Single};
use crate::api::{ApiClient, ApiError, Query};

#[derive(Debug, Clone, Args)]
pub struct CadenceArgs {
    #[command(subcommand)]
    pub command: CadenceCommand,
}

#[derive(Debug, Clone, Subcommand)]
pub enum CadenceCommand {
    /// Write a cadence's definition (settings and steps) as JSON.
    Export {
        /// The cadence's id.
        id: u64,
        /// Write to FILE instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        target: TargetOpts,
    },
    /// Create a new cadence from a file `cadence export` wrote.
    Import {
        /// The JSON file.
        file: PathBuf,
        /// The new cadence's name.
        #[arg(long, value_name = "NAME")]
        name: String,
        /// Import nothing: say so and exit 1 (as the profile's read_only does).
        #[arg(long)]
        read_only: bool,
        #[command(flatten)]
        target: TargetOpts,
    },
}

impl CadenceArgs {
    /// Which SalesLoft the command talks to (its options after `export`/`import`).
    pub fn target(&self) -> &TargetOpts {
        match &self.command {
            CadenceCommand::Export { target, .. } | CadenceCommand::Import { target, .. } => target,
        }
    }

    /// `cadence import --read-only`.
    pub fn read_only(&self) -> bool {
        matches!(
            self.command,
            CadenceCommand::Import {
                read_only: true,
                ..
            }
        )
    }
}

/// Largest import file read: a cadence definition is a few hundred KB at most.
const MAX_FILE_BYTES: u64 = 8 << 20;

pub async fn run(global: &GlobalOpts, args: CadenceArgs) -> anyhow::Result<i32> {
    // Check what can be checked before connecting.
    let body = match &args.command {
        CadenceCommand::Import { file, name, .. } => match import_body(file, name) {
            Ok(body) => Some(body),
            Err(message) => {
                eprintln!("sltui: {message}");
                return Ok(USAGE);
            }
        },
        CadenceCommand::Export { .. } => None,
    };
    // The session says what it spent when it is dropped, on every way out.
    let session = Session::connect(global, "cadence").await?;
    let client = match session.api("cadence export and import") {
        Ok(c) => c,
        Err(e) => {
            eprintln!("sltui: {e}");
            return Ok(2);
        }
    };
    match (args.command, body) {
        (CadenceCommand::Export { id, output, .. }, _) => {
            export(&client, id, output.as_deref()).await
        }
        (CadenceCommand::Import { name, .. }, Some(body)) => {
            if session.read_only {
                eprintln!(
                    "sltui: not imported: --read-only (or the profile's read_only) forbids changes"
                );
                Ok(1)
            } else {
                import(&client, &body, &name).await
            }
        }
        (CadenceCommand::Import { .. }, None) => Ok(USAGE),
    }
}

async fn export(client: &ApiClient, id: u64, output: Option<&Path>) -> anyhow::Result<i32> {
    let cadence: Result<Single<Value>, ApiError> = client
        .get_json(&format!("cadences/{id}"), &Query::new())
        .await;
    let cadence = match cadence {
        Ok(c) => c.data,
        Err(e) if e.status() == Some(404) => {
            eprintln!("sltui: no cadence with id {id} on this team");
            return Ok(USAGE);
        }
        Err(e) => {
            eprintln!("sltui: could not read cadence {id}: {e}");
            return Ok(1);
        }
    };
    let content: Single<Value> = match client
        .get_json(&format!("cadence_exports/{id}"), &Query::new())
        .await
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("sltui: could not export cadence {id}: {e}");
            return Ok(1);
        }
    };
    let Some(content) = content.data.get("cadence_content").cloned() else {
        eprintln!("sltui: the export of cadence {id} has no cadence_content");
        return Ok(1);
    };
    let flag = |k: &str| cadence.get(k).cloned().unwrap_or(Value::Null);
    let file = json!({
        "settings": {
            "name": flag("name"),
            "target_daily_people": cadence["counts"]["target_daily_people"],
            "remove_replied": flag("remove_replies_enabled"),
            "remove_bounced": flag("remove_bounces_enabled"),
            "cadence_function": flag("cadence_function"),
        },
        "sharing_settings": {
            "team_cadence": flag("team_cadence"),
            "shared": flag("shared"),
        },
        "cadence_content": content,
    });
    let mut text = serde_json::to_string_pretty(&file)?;
    text.push('\n');
    match output {
        None => print!("{text}"),
        Some(path) => {
            std::fs::write(path, &text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("exported cadence {id} to {}", path.display());
        }
    }
    Ok(0)
}

/// The request body from the file, named `name`; the problem in words.
fn import_body(file: &Path, name: &str) -> Result<Value, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("--name is empty; give the new cadence a name".into());
    }
    let meta =
        std::fs::metadata(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    if !meta.is_file() || meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "{} is not a cadence file (a JSON file `sltui cadence export` wrote)",
            file.display()
        ));
    }
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let mut body: Value = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{} is not valid JSON (line {}, column {}): {e}; use a file `sltui cadence export` wrote",
            file.display(),
            e.line(),
            e.column()
        )
    })?;
    let Some(obj) = body.as_object_mut() else {
        return Err(format!("{} must hold a JSON object", file.display()));
    };
    if !obj
        .get("cadence_content")
        .and_then(|c| c.get("step_groups"))
        .is_some_and(Value::is_array)
    {
        return Err(format!(
            "{} has no cadence_content.step_groups; use a file `sltui cadence export` wrote",
            file.display()
        ));
    }
    let settings = obj.entry("settings").or_insert_with(|| json!({}));
    if !settings.is_object() {
        *settings = json!({});
    }
    settings["name"] = json!(name);
    Ok(body)
}

async fn import(client: &ApiClient, body: &Value, name: &str) -> anyhow::Result<i32> {
    let made: Result<Single<CadenceImport>, ApiError> = client
        .send_json(Method::POST, "cadence_imports", body)
        .await;
    match made {
        Ok(made) => match made.data.cadence.id_u64() {
            Some(id) => {
                println!("imported cadence {id} ({})", name.trim());
                Ok(0)
            }
            None => {
                println!(
                    "imported cadence {} ({})",
                    made.data.cadence.id,
                    name.trim()
                );
                Ok(0)
            }
        },
        Err(e) => {
            eprintln!("sltui: not imported: {e}");
            Ok(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `text` to a new file in `dir`.
    fn file(dir: &tempfile::TempDir, text: &str) -> PathBuf {
        let n = std::fs::read_dir(dir.path()).unwrap().count();
        let p = dir.path().join(format!("cadence-{n}.json"));
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn the_body_takes_the_new_name_and_bad_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = |text: &str| file(&dir, text);
        let good = file(r#"{"settings": {"name": "Old"}, "cadence_content": {"step_groups": []}}"#);
        let body = import_body(&good, " New ").unwrap();
        assert_eq!(body["settings"]["name"], json!("New"));
        let bare = file(r#"{"cadence_content": {"step_groups": []}}"#);
        assert_eq!(
            import_body(&bare, "N").unwrap()["settings"]["name"],
            json!("N")
        );
        assert!(import_body(&good, "  ").unwrap_err().contains("--name"));
        let e = import_body(&file("{ nope"), "N").unwrap_err();
        assert!(e.contains("not valid JSON") && e.contains("line 1"), "{e}");
        let e = import_body(&file(r#"{"settings": {}}"#), "N").unwrap_err();
        assert!(e.contains("step_groups"), "{e}");
        let e = import_body(Path::new("/nonexistent/x.json"), "N").unwrap_err();
        assert!(e.contains("cannot read"), "{e}");
    }
}
