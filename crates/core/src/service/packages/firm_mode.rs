//! The firm mode: a database on a firm's own PC, where the firm prepares its application and
//! exports it as a package for the counter.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{FirmModeReport, Mode};
use crate::audit as chain;
use crate::domain::auth::Role;
use crate::domain::firm::FirmInput;
use crate::domain::policy::Policy;
use crate::error::{Error, Result};
use crate::service::firms::{printable_fields, register_tx};
use crate::service::users::{insert_user, load_actor, NewUserRow};
use crate::service::{system, Reopen};
use crate::store;
use crate::t;

impl Reopen {
    /// Sets up a new database on a firm's own PC: reference data, policy, the firm (checked as
    /// `firm_register` checks it) and its one user, in one transaction. Nothing is submitted from
    /// such a database; the firm exports an application package for the counter.
    pub fn init_firm_mode(
        &mut self,
        firm: &Value,
        user: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<FirmModeReport> {
        let f = FirmInput::from_json(firm).map_err(Error::validation)?;
        self.check_printable(&printable_fields(&f))?;
        self.write(|tx| {
            if store::settings::has_policy(tx)? {
                return Err(Error::conflict(t!(
                    "该数据库已初始化，企业自用模式只能在新数据库上设置",
                    "the database is already initialised; firm mode is set up on a new database only"
                )));
            }
            let (d, dep, ind) = crate::reference::load_defaults(tx)?;
            store::settings::insert_policy(tx, &Policy::default_policy())?;
            store::settings::put(tx, store::settings::MODE, Mode::Firm.as_str())?;
            chain::append(
                tx,
                &system(),
                "init",
                "database",
                None,
                Some(&serde_json::json!({"divisions": d, "departments": dep, "industries": ind, "mode": Mode::Firm.as_str()})),
                now,
            )?;
            let id = insert_user(
                tx,
                &NewUserRow {
                    name: user,
                    role: Role::Firm,
                    department_id: None,
                    firm_id: None,
                    division: None,
                    password,
                    must_change: false,
                },
                now,
            )
            .map_err(|mut e| {
                // The firm has a `name` too: the user's problems are under `user`.
                for f in &mut e.fields {
                    if f.field == "name" {
                        f.field = "user".into();
                    }
                }
                e
            })?;
            chain::append(
                tx,
                &system(),
                "user.add",
                &format!("user:{id}"),
                None,
                Some(&serde_json::json!({"name": user, "role": "firm"})),
                now,
            )?;
            let actor = load_actor(tx, id)?;
            let firm = register_tx(tx, &actor, &f, now)?;
            Ok(FirmModeReport { firm, user: user.to_string() })
        })
    }
}
