// tauri-build: embeds the configuration and the access-control list. Every app command gets an
// `allow-<name>` permission; capabilities/ grants exactly these to the main window.
const COMMANDS: &[&str] = &[
    "app_info",
    "ui_ready",
    "set_language",
    "first_run",
    "login",
    "logout",
    "whoami",
    "change_password",
    "firm_register",
    "firm_update",
    "firm_show",
    "my_firm",
    "firm_list",
    "app_create",
    "app_update",
    "app_roster_import",
    "roster_template",
    "roster_error_report",
    "app_submit",
    "app_withdraw",
    "app_show",
    "app_list",
    "app_roster",
    "app_roster_reveal",
    "app_versions",
    "app_diff",
    "review_queue",
    "review_decide",
    "cert_issue",
    "cert_list",
    "cert_print",
    "cert_print_batch",
    "cert_void",
    "cert_revoke",
    "verify",
    "form_print",
    "dashboard",
    "user_add",
    "user_list",
    "user_disable",
    "user_unlock",
    "user_reset_password",
    "department_list",
    "department_set",
    "routing_list",
    "routing_set",
    "workflow_get",
    "workflow_set",
    "policy_get",
    "policy_set",
    "audit_log",
    "audit_verify",
    "reference",
];

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    let attrs = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attrs) {
        eprintln!("tauri-build failed: {e:#}");
        std::process::exit(1);
    }
}
