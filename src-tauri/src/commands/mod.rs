//! Every command the webview may call; `build.rs` lists the same names for the capabilities.

pub mod admin;
pub mod apps;
pub mod certs;
pub mod firms;
pub mod session;

pub fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static
{
    tauri::generate_handler![
        session::app_info,
        session::ui_ready,
        session::set_language,
        session::first_run,
        session::login,
        session::logout,
        session::whoami,
        session::change_password,
        firms::firm_register,
        firms::firm_update,
        firms::firm_show,
        firms::my_firm,
        firms::firm_list,
        apps::app_create,
        apps::app_update,
        apps::app_roster_import,
        apps::roster_template,
        apps::roster_error_report,
        apps::app_submit,
        apps::app_withdraw,
        apps::app_show,
        apps::app_list,
        apps::app_roster,
        apps::app_roster_reveal,
        apps::app_versions,
        apps::app_diff,
        apps::review_queue,
        apps::review_decide,
        certs::cert_issue,
        certs::cert_list,
        certs::cert_print,
        certs::cert_print_batch,
        certs::cert_void,
        certs::cert_revoke,
        certs::verify,
        certs::form_print,
        admin::dashboard,
        admin::user_add,
        admin::user_list,
        admin::user_disable,
        admin::user_unlock,
        admin::user_reset_password,
        admin::department_list,
        admin::department_set,
        admin::routing_list,
        admin::routing_set,
        admin::workflow_get,
        admin::workflow_set,
        admin::policy_get,
        admin::policy_set,
        admin::audit_log,
        admin::audit_verify,
        admin::reference,
    ]
}
