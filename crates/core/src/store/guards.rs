//! The guard triggers of the audit log on PostgreSQL, checked by `audit verify`: exactly those the
//! migrations create (same names, same definitions, enabled), the function they call unchanged,
//! and no other trigger on the table. A rewritten log needs its guards gone or changed first; the
//! hash chain and the signed head find the rewrite, this finds the open door.

use super::db::Db;
use crate::error::Result;

const MIGRATION: &str = include_str!("migrations/postgres/001_schema.sql");

/// Whitespace-insensitive form of a statement, without a final `;` and the `public.` schema.
fn normalise(sql: &str) -> String {
    sql.replace("public.", "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches(';')
        .trim_end()
        .to_string()
}

/// The audit table's triggers as the migration creates them: (name, normalised definition).
fn expected_triggers() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = MIGRATION;
    while let Some(at) = rest.find("CREATE TRIGGER audit_") {
        let stmt = &rest[at..];
        let end = stmt.find(';').map_or(stmt.len(), |e| e + 1);
        let text = &stmt[..end];
        let name = text
            .split_whitespace()
            .nth(2)
            .unwrap_or_default()
            .to_string();
        out.push((name, normalise(text)));
        rest = &stmt[end..];
    }
    out.sort();
    out
}

/// The body of the function `name` as the migration writes it (between its `$$`s).
fn expected_body(name: &str) -> Option<&'static str> {
    let at = MIGRATION.find(&format!("CREATE FUNCTION {name}("))?;
    let from = MIGRATION[at..].find("$$")? + at + 2;
    let to = MIGRATION[from..].find("$$")? + from;
    Some(&MIGRATION[from..to])
}

/// What is wrong with the audit table's guards, if anything.
pub(crate) fn audit_trigger_problem(db: Db<'_>) -> Result<Option<String>> {
    let found: Vec<(String, String, String)> = db.rows(
        "SELECT t.tgname::text, CAST(t.tgenabled AS TEXT), pg_get_triggerdef(t.oid)
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         WHERE c.relname = 'audit_events' AND c.relnamespace = 'public'::regnamespace
           AND NOT t.tgisinternal
         ORDER BY 1",
        crate::args![],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let expected = expected_triggers();
    for (name, text) in &expected {
        match found.iter().find(|(n, _, _)| n == name) {
            None => {
                return Ok(Some(
                    "the append-only triggers of the audit log were removed".into(),
                ))
            }
            Some((_, _, def)) if normalise(def) != *text => {
                return Ok(Some(format!(
                    "the append-only trigger {name} of the audit log was replaced by another definition"
                )))
            }
            Some((_, enabled, _)) if enabled != "O" => {
                return Ok(Some(format!(
                    "the append-only trigger {name} of the audit log is disabled"
                )))
            }
            Some(_) => {}
        }
    }
    if let Some((extra, _, _)) = found
        .iter()
        .find(|(n, _, _)| !expected.iter().any(|(e, _)| e == n))
    {
        return Ok(Some(format!(
            "an unexpected trigger {extra} sits on the audit log"
        )));
    }
    let body: Option<String> = db.first(
        "SELECT p.prosrc FROM pg_proc p
         WHERE p.proname = 'reopen_refuse' AND p.pronamespace = 'public'::regnamespace",
        crate::args![],
    )?;
    if body.as_deref() != expected_body("reopen_refuse") {
        return Ok(Some(
            "the function the audit log's guards call (reopen_refuse) was changed".into(),
        ));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_migration_names_three_guards_and_their_function() {
        let names: Vec<String> = expected_triggers().into_iter().map(|t| t.0).collect();
        assert_eq!(
            names,
            ["audit_no_delete", "audit_no_truncate", "audit_no_update"]
        );
        assert!(expected_body("reopen_refuse").is_some_and(|b| b.contains("RAISE EXCEPTION")));
    }

    #[test]
    fn definitions_compare_without_layout_and_schema() {
        assert_eq!(
            normalise("CREATE TRIGGER a BEFORE UPDATE ON public.audit_events\n    FOR EACH ROW EXECUTE FUNCTION f('x');"),
            "CREATE TRIGGER a BEFORE UPDATE ON audit_events FOR EACH ROW EXECUTE FUNCTION f('x')"
        );
    }
}
