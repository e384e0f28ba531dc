//! Application packages: a firm prepares its application on its own PC and brings one file to the
//! counter, where it is imported and validated exactly like an application filed in the office.
