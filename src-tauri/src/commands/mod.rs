//! Every command the webview may call; `build.rs` lists the same names for the capabilities.

pub mod admin;
pub mod apps;
pub mod audit_log;
pub mod certs;
pub mod connection;
pub mod firms;
pub mod help;
pub mod leader;
pub mod lists;
pub mod messages;
pub mod notices;
pub mod packages;
pub mod reports;
pub mod reviewing;
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
        connection::server_probe,
        connection::connect_server,
        connection::connect_local,
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
        reviewing::review_phrases,
        reviewing::review_roster,
        reviewing::app_attachment_content,
        reviewing::app_attachment_open,
        packages::app_mode,
        packages::first_run_firm,
        packages::app_export,
        packages::app_import,
        packages::app_attach,
        packages::app_attachments,
        packages::app_detach,
        certs::cert_issue,
        certs::cert_list,
        certs::cert_print,
        certs::cert_print_batch,
        certs::cert_void,
        certs::cert_revoke,
        certs::verify,
        certs::form_print,
        admin::dashboard,
        leader::dashboard_xlsx,
        help::guide,
        help::guide_roster_template,
        help::guide_commitment_template,
        reports::daily_file,
        reports::daily_list,
        reports::daily_due,
        reports::daily_status,
        reports::daily_compliance,
        reports::daily_flags,
        reports::daily_flag_handle,
        reports::daily_status_xlsx,
        reports::stats,
        reports::stats_xlsx,
        reports::bulletin_export,
        reports::app_list_xlsx,
        reports::roster_xlsx,
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
        messages::messages,
        messages::messages_read,
        messages::app_path,
        messages::app_certificate_copy,
        notices::notice_print,
        audit_log::audit_page,
        audit_log::audit_xlsx,
        lists::app_count,
        lists::cert_count,
        lists::firm_count,
        lists::daily_count,
        lists::review_queue_count,
    ]
}
