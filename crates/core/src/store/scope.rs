//! The one translation of an actor's [`Scope`] into SQL.

use crate::domain::auth::Scope;
use crate::store::Value;

/// The applications `scope` may see, as a condition over `a` (applications) and `f` (firms) with
/// its arguments, in `?` placeholders to be appended after the statement's others.
pub(crate) fn applications(scope: &Scope) -> (String, Vec<Value>) {
    match scope {
        Scope::All => ("1=1".into(), vec![]),
        Scope::Nothing => ("1=0".into(), vec![]),
        Scope::Firm(id) => ("a.firm_id = ?".into(), vec![Value::Int(*id)]),
        Scope::Division(d) => (
            "(a.jurisdiction = ? OR f.division = ?)".into(),
            vec![Value::Text(d.clone()), Value::Text(d.clone())],
        ),
        Scope::Department(id) => (
            "a.id IN (SELECT application_id FROM review_tasks WHERE department_id = ?)".into(),
            vec![Value::Int(*id)],
        ),
    }
}

/// The firms `scope` may see, as a condition over `f` (firms) with its arguments, in `?`
/// placeholders to be appended after the statement's others: the firm its own, a division's the
/// firms registered there, a department's the firms with an application routed to it.
pub(crate) fn firms(scope: &Scope) -> (String, Vec<Value>) {
    match scope {
        Scope::All => ("1=1".into(), vec![]),
        Scope::Nothing => ("1=0".into(), vec![]),
        Scope::Firm(id) => ("f.id = ?".into(), vec![Value::Int(*id)]),
        Scope::Division(d) => ("f.division = ?".into(), vec![Value::Text(d.clone())]),
        Scope::Department(id) => (
            "f.id IN (SELECT a.firm_id FROM applications a JOIN review_tasks t ON t.application_id = a.id
             WHERE t.department_id = ?)"
                .into(),
            vec![Value::Int(*id)],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scope_has_one_condition() {
        assert_eq!(applications(&Scope::All).0, "1=1");
        assert_eq!(applications(&Scope::Nothing).0, "1=0");
        let (sql, args) = applications(&Scope::Division("511802".into()));
        assert_eq!(sql.matches('?').count(), args.len());
        for s in [
            Scope::All,
            Scope::Nothing,
            Scope::Firm(7),
            Scope::Division("511802".into()),
            Scope::Department(3),
        ] {
            let (sql, args) = firms(&s);
            assert_eq!(sql.matches('?').count(), args.len(), "{sql}");
        }
    }
}
