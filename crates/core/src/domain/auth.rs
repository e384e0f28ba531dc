//! Roles, the acting user, and password rules. Authorization decisions that need no database
//! live here; the use cases call them before they touch anything.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, Text};
use crate::t;

pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCK_MINUTES: i64 = 15;
pub const MIN_PASSWORD_CHARS: usize = 8;
pub const CITY: &str = "511800";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Firm,
    Reviewer,
    Clerk,
    Leader,
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Firm,
        Role::Reviewer,
        Role::Clerk,
        Role::Leader,
        Role::Admin,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Firm => "firm",
            Role::Reviewer => "reviewer",
            Role::Clerk => "clerk",
            Role::Leader => "leader",
            Role::Admin => "admin",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Role::Firm => "企业填报人",
            Role::Reviewer => "审核员",
            Role::Clerk => "窗口工作人员",
            Role::Leader => "领导小组",
            Role::Admin => "系统管理员",
        }
    }
    pub fn parse(s: &str) -> Result<Role, Text> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                t!(
                    format!("未知角色“{s}”,应为 firm、reviewer、clerk、leader 或 admin"),
                    format!("unknown role '{s}': use firm, reviewer, clerk, leader or admin")
                )
            })
    }
}

/// The logged-in user on whose behalf a use case runs. Only `login` makes one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Actor {
    pub user_id: i64,
    pub name: String,
    pub role: Role,
    /// Reviewer: the department.
    pub department_id: Option<i64>,
    /// Firm user: the firm (None until the firm is registered).
    pub firm_id: Option<i64>,
    /// Clerk and leader: the jurisdiction; a reviewer's is their department's.
    pub division: Option<String>,
    pub must_change_password: bool,
}

impl Actor {
    pub fn require(&self, roles: &[Role], what: &Text) -> Result<()> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(Error::forbidden(t!(
                format!("{}无权{}", self.role.zh(), what.zh),
                format!("a {} may not {}", self.role.as_str(), what.en)
            )))
        }
    }
    /// Whether a user bound to a jurisdiction sees records of `division` (the city's see all).
    pub fn covers(&self, division: &str) -> bool {
        match self.division.as_deref() {
            Some(CITY) => true,
            Some(d) => d == division,
            None => false,
        }
    }
    pub fn who(&self) -> crate::audit::Who {
        crate::audit::Who {
            id: Some(self.user_id),
            name: self.name.clone(),
            role: self.role.as_str().to_string(),
        }
    }
}

pub fn check_password_strength(pw: &str) -> Result<(), Text> {
    let n = pw.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(t!(
            format!("密码至少 {MIN_PASSWORD_CHARS} 位"),
            format!("the password needs at least {MIN_PASSWORD_CHARS} characters")
        ));
    }
    if n > 128 {
        return Err(t!(
            "密码过长(不超过 128 位)",
            "the password is too long (128 at most)"
        ));
    }
    let classes = [
        pw.chars().any(|c| c.is_ascii_lowercase()),
        pw.chars().any(|c| c.is_ascii_uppercase()),
        pw.chars().any(|c| c.is_ascii_digit()),
        pw.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if classes < 2 {
        return Err(t!(
            "密码须包含字母、数字、符号中的至少两类",
            "the password must mix at least two of letters, digits and symbols"
        ));
    }
    Ok(())
}

/// argon2id with the crate's default (OWASP-recommended) parameters and a random salt.
pub fn hash_password(pw: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pw.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(Error::internal)
}

pub fn verify_password(pw: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| Argon2::default().verify_password(pw.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// A random initial password that passes `check_password_strength`.
pub fn generate_password() -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let body: String = (0..10)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect();
    format!("{body}-{}", rng.gen_range(10..100))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_by_salt() {
        let a = hash_password("Secret-123").unwrap();
        let b = hash_password("Secret-123").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(verify_password("Secret-123", &a));
        assert!(!verify_password("secret-123", &a));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn weak_passwords_are_refused() {
        assert!(check_password_strength("short1").is_err());
        assert!(check_password_strength("onlyletters").is_err());
        assert!(check_password_strength("letters123").is_ok());
    }

    #[test]
    fn generated_passwords_are_strong_and_distinct() {
        let a = generate_password();
        assert!(check_password_strength(&a).is_ok());
        assert_ne!(a, generate_password());
    }

    #[test]
    fn city_users_cover_every_county() {
        let mut a = Actor {
            user_id: 1,
            name: "c".into(),
            role: Role::Clerk,
            department_id: None,
            firm_id: None,
            division: Some(CITY.into()),
            must_change_password: false,
        };
        assert!(a.covers("511802"));
        a.division = Some("511803".into());
        assert!(!a.covers("511802"));
        assert!(a.covers("511803"));
    }

    #[test]
    fn roles_parse() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()).unwrap(), r);
        }
        assert!(Role::parse("root").is_err());
    }
}
