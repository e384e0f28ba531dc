//! Daily reports after reopening: filing, lateness (Asia/Shanghai), flags and compliance.
