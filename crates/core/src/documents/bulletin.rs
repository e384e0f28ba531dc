//! The daily bulletin 复工复产日报 as a PDF for the leading group.

use super::DocFonts;
use crate::error::{Error, Result};
use crate::service::Bulletin;

pub fn render_bulletin(_b: &Bulletin, _fonts: &DocFonts) -> Result<Vec<u8>> {
    Err(Error::internal("the bulletin PDF is being written"))
}
