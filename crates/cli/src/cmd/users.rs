//! `reopen user …`: users and passwords.

use clap::Subcommand;
use reopen_core::api;
use reopen_core::error::Error;
use reopen_core::service::NewUser;
use serde_json::json;

use crate::ctx::Ctx;
use crate::env_password;
use crate::output::Out;

#[derive(Subcommand)]
pub enum UserCmd {
    /// Add a user; initial password from REOPEN_NEW_PASSWORD, else generated and printed once
    Add {
        name: String,
        #[arg(long, value_parser = ["firm", "reviewer", "clerk", "leader", "admin"])]
        role: String,
        #[arg(long)]
        department: Option<String>,
        #[arg(long)]
        firm: Option<String>,
        #[arg(long)]
        division: Option<String>,
    },
    List,
    Disable {
        name: String,
    },
    /// Change your own password (new one from REOPEN_NEW_PASSWORD) or reset another's (admin)
    Password {
        name: String,
    },
    /// Lift a lockout (admin)
    Unlock {
        name: String,
    },
}

pub fn run(cx: &mut Ctx, c: UserCmd, out: &mut Out) -> Result<(), Error> {
    match c {
        UserCmd::Add {
            name,
            role,
            department,
            firm,
            division,
        } => {
            let user = NewUser {
                name,
                role,
                department,
                firm,
                division,
                password: env_password("REOPEN_NEW_PASSWORD"),
            };
            let r = cx.call(api::UserAdd { user })?;
            out.value(&r, |r| match &r.initial_password {
                Some(p) => format!(
                    "已创建用户 {}（{}），初始密码（只显示这一次）：{p}",
                    r.name,
                    r.role.zh()
                ),
                None => format!(
                    "已创建用户 {}（{}），首次登录须修改密码",
                    r.name,
                    r.role.zh()
                ),
            })
        }
        UserCmd::List => {
            let r = cx.call(api::UserList {})?;
            out.table(
                &r,
                &[
                    "id",
                    "name",
                    "role",
                    "department",
                    "firm",
                    "division",
                    "disabled",
                    "locked_until",
                ],
            )
        }
        UserCmd::Disable { name } => {
            cx.call(api::UserDisable { name: name.clone() })?;
            out.value(&json!({"name": name, "disabled": true}), |_| {
                format!("已停用用户 {name}")
            })
        }
        UserCmd::Unlock { name } => {
            cx.call(api::UserUnlock { name: name.clone() })?;
            out.value(&json!({"name": name, "unlocked": true}), |_| {
                format!("已解锁用户 {name}")
            })
        }
        UserCmd::Password { name } => {
            let new = env_password("REOPEN_NEW_PASSWORD");
            let generated = cx.call(api::UserPassword {
                name: name.clone(),
                new,
            })?;
            out.value(
                &json!({"name": name, "generated_password": generated}),
                |_| match &generated {
                    Some(p) => format!("已重置 {name} 的密码，新初始密码（只显示这一次）：{p}"),
                    None => format!("已修改 {name} 的密码"),
                },
            )
        }
    }
}
