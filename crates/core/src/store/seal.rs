//! Optional at-rest encryption of the roster's personal numbers (ID number, phone), with a key
//! kept outside the database file.
//!
//! The store seals and unseals in Rust at its boundary, on either engine: the functions that
//! write or read those columns (`store::roster`, and the frozen copy inside each submission in
//! `store::submissions`) take the core's [`Sealer`], so the key never enters the database, not
//! even as a statement's argument. A sealed value is `enc1:` + base64(nonce ‖ ChaCha20-Poly1305
//! ciphertext); a plain value reads back unchanged. Once a database has been sealed (its key's
//! fingerprint is in `settings`), writing without the key is refused and reading a sealed value
//! without it is a clear error, never garbage.

use crate::args;
use crate::domain::roster::RosterRecord;
use crate::error::{Error, Result};
use crate::store::Db;

/// The settings key holding the fingerprint of the key that sealed this database.
pub const SETTING: &str = "roster_key";

pub use crate::keys::roster::{is_sealed, RosterKey, SealError};

/// The fingerprint of the key this database was sealed with, if it was.
pub fn sealed_with<'a>(db: impl Into<Db<'a>>) -> Result<Option<String>> {
    db.into()
        .first("SELECT value FROM settings WHERE key = ?1", args![SETTING])
}

/// Records that this database is sealed with the key of `fingerprint`.
pub(crate) fn record_sealed(db: Db<'_>, fingerprint: &str) -> Result<()> {
    db.exec(
        "INSERT INTO settings(key, value) VALUES (?1, ?2)",
        args![SETTING, fingerprint],
    )?;
    Ok(())
}

/// What the store seals the roster's numbers with: the key given to the core, if any, and
/// whether this database is sealed (then the key is required to write or read them).
#[derive(Debug, Clone, Default)]
pub struct Sealer {
    key: Option<RosterKey>,
    required: bool,
}

impl Sealer {
    pub fn new(key: Option<RosterKey>, required: bool) -> Sealer {
        Sealer { key, required }
    }

    /// The sealer of a database as it was opened: no key yet; required if it was sealed.
    pub fn for_database(db: Db<'_>) -> Result<Sealer> {
        Ok(Sealer::new(None, sealed_with(db)?.is_some()))
    }

    /// `plain` as it is to be stored: sealed when there is a key; unchanged when there is none
    /// and the database is not sealed (or when it is sealed already); refused when the database
    /// is sealed and there is no key.
    pub fn seal(&self, plain: &str) -> Result<String> {
        match &self.key {
            _ if is_sealed(plain) => Ok(plain.to_string()),
            Some(k) => Ok(k.seal(plain)),
            None if self.required => Err(SealError::NoKey.to_error()),
            None => Ok(plain.to_string()),
        }
    }

    /// A stored value in clear: a plain value unchanged, a sealed one opened with the key.
    pub fn unseal(&self, stored: &str) -> Result<String> {
        if !is_sealed(stored) {
            return Ok(stored.to_string());
        }
        match &self.key {
            Some(k) => k.unseal(stored).map_err(SealError::to_error),
            None => Err(SealError::NoKey.to_error()),
        }
    }

    /// A roster record with its ID and phone numbers as they are to be stored.
    pub fn seal_record(&self, r: &RosterRecord) -> Result<RosterRecord> {
        Ok(RosterRecord {
            id_number: self.seal(&r.id_number)?,
            phone: self.seal(&r.phone)?,
            ..r.clone()
        })
    }

    /// A stored roster record with its ID and phone numbers in clear.
    pub fn unseal_record(&self, mut r: RosterRecord) -> Result<RosterRecord> {
        r.id_number = self.unseal(&r.id_number)?;
        r.phone = self.unseal(&r.phone)?;
        Ok(r)
    }
}

/// A frozen roster (a JSON array of records) with the ID and phone number of each entry sealed
/// by `key`; every other field, known or not, kept as it is.
pub fn seal_roster_json(key: &RosterKey, json: &str) -> Result<String> {
    let mut rows: Vec<serde_json::Value> = serde_json::from_str(json)
        .map_err(|e| Error::internal(format!("a frozen roster is not a JSON array: {e}")))?;
    for row in &mut rows {
        for field in ["id_number", "phone"] {
            if let Some(v) = row.get_mut(field) {
                if let Some(s) = v.as_str().filter(|s| !is_sealed(s)) {
                    *v = serde_json::Value::String(key.seal(s));
                }
            }
        }
    }
    Ok(serde_json::to_string(&rows)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealing_round_trips_and_never_repeats() {
        let k = RosterKey::generate();
        let a = k.seal("11010519491231002X");
        let b = k.seal("11010519491231002X");
        assert!(
            a.starts_with(crate::keys::roster::PREFIX) && a != b,
            "a fresh nonce each time"
        );
        assert_eq!(k.unseal(&a).expect("opens"), "11010519491231002X");
        assert_eq!(k.unseal("13800000000").expect("plain"), "13800000000");
        let other = RosterKey::generate();
        assert_eq!(other.unseal(&a), Err(SealError::Damaged));
        let mut tampered = a.clone();
        tampered.pop();
        tampered.push(if a.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(k.unseal(&tampered), Err(SealError::Damaged));
        assert_eq!(
            RosterKey::from_hex(&k.to_hex()).expect("hex").fingerprint(),
            k.fingerprint()
        );
        assert!(RosterKey::from_hex("abc").is_err());
    }

    #[test]
    fn the_sealer_seals_only_with_a_key_and_refuses_a_sealed_database_without_one() {
        let k = RosterKey::generate();
        let sealed = k.seal("13800000000");
        let plain = Sealer::default();
        assert_eq!(plain.seal("13800000000").expect("plain"), "13800000000");
        assert_eq!(
            plain.unseal(&sealed).unwrap_err().kind,
            crate::error::ErrorKind::Forbidden
        );
        let bare = Sealer::new(None, true);
        assert_eq!(
            bare.seal("13800000000").unwrap_err().kind,
            crate::error::ErrorKind::Forbidden
        );
        assert_eq!(
            bare.unseal("13800000000").expect("plain reads"),
            "13800000000"
        );
        let keyed = Sealer::new(Some(k.clone()), true);
        let s = keyed.seal("13800000000").expect("sealed");
        assert!(is_sealed(&s));
        assert_eq!(keyed.seal(&s).expect("kept"), s, "never sealed twice");
        assert_eq!(keyed.unseal(&s).expect("opens"), "13800000000");
        let other = Sealer::new(Some(RosterKey::generate()), true);
        assert_eq!(
            other.unseal(&s).unwrap_err().kind,
            crate::error::ErrorKind::Conflict
        );
    }

    #[test]
    fn a_frozen_roster_is_sealed_entry_by_entry() {
        let k = RosterKey::generate();
        let json = r#"[{"name":"张三","id_number":"11010519491231002X","phone":"13800000000","extra":1},{"name":"李四"}]"#;
        let sealed = seal_roster_json(&k, json).expect("seals");
        assert!(!sealed.contains("11010519491231002X") && !sealed.contains("13800000000"));
        let again = seal_roster_json(&k, &sealed).expect("idempotent");
        assert_eq!(again, sealed);
        let rows: Vec<serde_json::Value> = serde_json::from_str(&sealed).expect("json");
        assert_eq!(rows[0]["extra"], 1);
        assert_eq!(rows[1]["name"], "李四");
        let keyed = Sealer::new(Some(k), true);
        let id = rows[0]["id_number"].as_str().expect("text");
        assert_eq!(keyed.unseal(id).expect("opens"), "11010519491231002X");
        assert_eq!(
            seal_roster_json(&RosterKey::generate(), "[]").expect("empty"),
            "[]"
        );
    }
}
