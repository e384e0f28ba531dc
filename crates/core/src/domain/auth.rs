//! Roles, the acting user, and password rules. Authorization decisions that need no database
//! live here; the use cases call them before they touch anything.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, Text};
use crate::t;

/// Failed logins (by user name, and by source) that cost nothing; each one after them doubles the
/// wait before the next attempt, from one second up to [`MAX_LOGIN_DELAY_SECS`].
pub const FREE_LOGIN_FAILURES: i64 = 3;
/// The longest wait: a guesser gets at most one try a minute per name, and nobody can keep an
/// account from its owner for longer than this (there is no hard lock).
pub const MAX_LOGIN_DELAY_SECS: i64 = 60;
/// Failures older than this are forgotten.
pub const LOGIN_FAILURE_MEMORY_HOURS: i64 = 24;
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
                    format!("未知角色“{s}”，应为 firm、reviewer、clerk、leader 或 admin"),
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
    /// The client's address when the user acts through `reopen serve` (set by the server for
    /// each request, recorded in the audit log; never sent back).
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub client: Option<String>,
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
    /// What this actor may see, derived once: the store translates it into SQL in one place.
    pub fn scope(&self) -> Scope {
        match self.role {
            Role::Admin => Scope::All,
            Role::Firm => self.firm_id.map_or(Scope::Nothing, Scope::Firm),
            Role::Clerk | Role::Leader => match self.division.as_deref() {
                Some(CITY) => Scope::All,
                Some(d) => Scope::Division(d.to_string()),
                None => Scope::Nothing,
            },
            Role::Reviewer => self.department_id.map_or(Scope::Nothing, Scope::Department),
        }
    }

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
            client: self.client.clone(),
        }
    }
}

/// The applications (and what hangs on them: firms, certificates, reports) an actor may see:
/// the firm its own, reviewers their department's, clerks and leaders their jurisdiction's (the
/// city's all), the administrator all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    /// A county's or district's: applications in its jurisdiction or from its firms.
    Division(String),
    /// A department's: applications with a review task for it.
    Department(i64),
    Firm(i64),
    /// Nothing (a firm user before the firm is registered).
    Nothing,
}

/// The wait after `failures` recent failed logins before the next attempt is heard.
pub fn login_delay(failures: i64) -> chrono::Duration {
    let over = failures - FREE_LOGIN_FAILURES;
    if over < 0 {
        return chrono::Duration::zero();
    }
    let secs = 1i64
        .checked_shl(over.min(32) as u32)
        .unwrap_or(MAX_LOGIN_DELAY_SECS)
        .min(MAX_LOGIN_DELAY_SECS);
    chrono::Duration::seconds(secs)
}

/// When the next login attempt is heard, after `failures` failures the last of which was at
/// `last`; None when at once. Failures older than a day are forgotten.
pub fn login_retry_at(
    failures: i64,
    last: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    if now - last > chrono::Duration::hours(LOGIN_FAILURE_MEMORY_HOURS) {
        return None;
    }
    let at = last + login_delay(failures);
    (at > now).then_some(at)
}

/// The refusal of an attempt made before its wait is over. It is the same for every name, known
/// or not, and says nothing of the password.
pub fn login_throttled(wait: chrono::Duration) -> Error {
    let secs = wait.num_seconds().max(1);
    Error::forbidden(t!(
        format!("登录尝试过于频繁，请 {secs} 秒后再试"),
        format!("too many login attempts: try again in {secs} s")
    ))
}

/// The one answer to every failed login: a wrong password, an unknown or a disabled account.
pub fn bad_login() -> Error {
    Error::forbidden(t!("用户名或密码错误", "wrong user name or password"))
}

/// A user's new password: strong enough ([`check_password_strength`]), not the user name nor
/// containing it, and not one of the most common passwords — zxcvbn's list of the 30,000 most
/// used (from leaked password sets), in any case, reversed or with l33t substitutions.
pub fn check_password(pw: &str, user_name: &str) -> Result<(), Text> {
    check_password_strength(pw)?;
    let name = user_name.trim().to_lowercase();
    if name.chars().count() >= 2 && pw.to_lowercase().contains(&name) {
        return Err(t!(
            "密码不能与用户名相同，也不能包含用户名",
            "the password may not be or contain the user name"
        ));
    }
    if is_common_password(pw) {
        return Err(t!(
            "该密码属于最常用的密码，极易被猜中，请换一个",
            "this is one of the most common passwords and easily guessed: choose another"
        ));
    }
    Ok(())
}

/// Whether the whole password is one entry of zxcvbn's common-password list (any case, reversed,
/// l33t), or so predictable that zxcvbn rates it at the lowest score.
pub fn is_common_password(pw: &str) -> bool {
    let entropy = zxcvbn::zxcvbn(pw, &[]);
    if entropy.score() == zxcvbn::Score::Zero {
        return true;
    }
    let n = pw.chars().count();
    entropy.sequence().iter().any(|m| {
        m.i == 0
            && m.j + 1 == n
            && matches!(&m.pattern, zxcvbn::matching::patterns::MatchPattern::Dictionary(d)
                // zxcvbn does not export its dictionary type; its default is the password list.
                if d.dictionary_name == Default::default())
    })
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
            "密码过长（不超过 128 位）",
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
    fn common_passwords_and_the_user_name_are_refused() {
        for pw in [
            "password1",
            "Password1",
            "P@ssw0rd",
            "qwerty123",
            "1qaz2wsx",
            "iloveyou1",
        ] {
            assert!(check_password(pw, "yc_swj").is_err(), "{pw} accepted");
        }
        assert!(check_password("yc_swj-2020", "yc_swj").is_err());
        assert!(check_password("YC_SWJ2020", "yc_swj").is_err());
        assert!(check_password("Reviewer-2020", "yc_swj").is_ok());
        assert!(check_password("choose-a-good-1", "admin").is_ok());
    }

    #[test]
    fn the_login_delay_grows_to_a_minute_and_is_forgotten() {
        use chrono::{Duration, TimeZone, Utc};
        let d = |n| login_delay(n).num_seconds();
        assert_eq!(
            (d(0), d(2), d(3), d(4), d(5), d(8), d(9), d(1000)),
            (0, 0, 1, 2, 4, 32, 60, 60)
        );
        let t = Utc.with_ymd_and_hms(2020, 2, 5, 1, 0, 0).unwrap();
        assert_eq!(login_retry_at(2, t, t), None);
        assert_eq!(login_retry_at(5, t, t), Some(t + Duration::seconds(4)));
        assert_eq!(login_retry_at(5, t, t + Duration::seconds(4)), None);
        assert_eq!(login_retry_at(50, t, t + Duration::hours(25)), None);
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
            client: None,
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
