//! `reopen app export` / `app import`: application packages (a firm's own PC -> the counter).

use std::path::Path;

use reopen_core::error::Error;
use reopen_core::t;

use crate::output::Out;
use crate::Ctx;

pub fn export(_cx: &mut Ctx, _id: i64, _file: &Path, _out: &mut Out) -> Result<(), Error> {
    Err(Error::internal(t!("尚未实现", "not implemented yet")))
}

pub fn import(_cx: &mut Ctx, _file: &Path, _out: &mut Out) -> Result<(), Error> {
    Err(Error::internal(t!("尚未实现", "not implemented yet")))
}
