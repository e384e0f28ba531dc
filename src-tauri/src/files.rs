//! Files the user chose in a dialog. The webview only names a path, so nothing about it is
//! trusted: a file to read must be a regular file under the limit for its use (never a device,
//! a FIFO or a folder, which could block or never end), and a file is written through a fresh
//! temporary file in the target folder, synced and renamed over the destination, which must
//! carry one of the extensions the command writes and, if it exists, be a regular file.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use reopen_core::domain::package;
use reopen_core::error::Error;
use reopen_core::t;

/// The largest roster file accepted, as the core's roster limit (20 MiB): a firm's roster is
/// thousands of rows, a few megabytes at most.
pub const ROSTER_MAX_BYTES: u64 = 20 * 1024 * 1024;

/// How large a chosen file may be for one use, and what the user is asked to choose.
pub struct Limit {
    pub max: u64,
    zh: &'static str,
    en: &'static str,
}

pub const ROSTER: Limit = Limit {
    max: ROSTER_MAX_BYTES,
    zh: "花名册文件",
    en: "roster file",
};
pub const ATTACHMENT: Limit = Limit {
    max: package::MAX_ATTACHMENT_BYTES as u64,
    zh: "附件",
    en: "attachment",
};
pub const PACKAGE: Limit = Limit {
    max: package::MAX_PACKAGE_BYTES as u64,
    zh: "申报包",
    en: "application package",
};

/// A chosen file's name (the core picks a roster's format by it) and its bytes.
pub struct Chosen {
    pub name: String,
    pub bytes: Vec<u8>,
}

const MIB: u64 = 1024 * 1024;

/// A size in MB, rounded up to a tenth, so that a file just over a limit never reads as equal.
fn megabytes(n: u64) -> String {
    let tenths = n.saturating_mul(10).div_ceil(MIB);
    format!("{}.{} MB", tenths / 10, tenths % 10)
}

fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| path.display().to_string())
}

/// Opens without blocking: a FIFO with no writer would otherwise hang the open itself. The flag
/// does not change how a regular file reads.
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NONBLOCK);
    }
    o.open(path)
}

/// Reads the file at `path` for a use bounded by `limit`: the type and size come from the opened
/// handle (a symlink counts as what it points to), and the read stops one byte past the limit,
/// so a file that grows while it is read is still refused.
pub fn read_chosen(path: &Path, limit: &Limit) -> reopen_core::Result<Chosen> {
    let name = display_name(path);
    let io = |e: std::io::Error| {
        Error::field(
            "file",
            t!(
                format!("无法读取文件 {}：{e}", path.display()),
                format!("cannot read {}: {e}", path.display())
            ),
        )
    };
    let too_big = |n: u64| {
        Error::field(
            "file",
            t!(
                format!(
                    "“{name}”有 {}，超过{}的上限 {} MB",
                    megabytes(n),
                    limit.zh,
                    limit.max / MIB
                ),
                format!(
                    "“{name}” is {}, over the {} limit of {} MB",
                    megabytes(n),
                    limit.en,
                    limit.max / MIB
                )
            ),
        )
    };
    let file = open_nonblocking(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(Error::field(
            "file",
            t!(
                format!(
                    "“{name}”不是普通文件（是文件夹、设备或管道），请选择{}",
                    limit.zh
                ),
                format!(
                    "“{name}” is not a regular file (a folder, device or pipe): choose a {}",
                    limit.en
                )
            ),
        ));
    }
    if meta.len() > limit.max {
        return Err(too_big(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit.max + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit.max {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(Chosen { name, bytes })
}

/// What the commands write, by extension (lower case, without the dot).
pub const PDF: &[&str] = &["pdf"];
pub const XLSX: &[&str] = &["xlsx"];
pub const PDF_OR_XLSX: &[&str] = &["pdf", "xlsx"];
pub const PACKAGE_FILE: &[&str] = &[package::EXTENSION];

/// A file to write, chosen in the save dialog (which already asked about replacing it).
pub struct Target {
    path: PathBuf,
    extension: String,
}

impl Target {
    /// Checks the name before any work is done: one of the `allowed` extensions, and nothing in
    /// the way that is not a regular file.
    pub fn new(path: impl Into<PathBuf>, allowed: &[&str]) -> reopen_core::Result<Target> {
        let path = path.into();
        let extension = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if path.file_name().is_none() || !allowed.contains(&extension.as_str()) {
            let list: Vec<String> = allowed.iter().map(|e| format!(".{e}")).collect();
            let name = display_name(&path);
            return Err(Error::field(
                "path",
                t!(
                    format!("“{name}”须以 {} 结尾", list.join(" 或 ")),
                    format!("“{name}” must end in {}", list.join(" or "))
                ),
            ));
        }
        let target = Target { path, extension };
        target.existing()?;
        Ok(target)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The extension, lower case (a command that writes either of two formats picks by it).
    pub fn extension(&self) -> &str {
        &self.extension
    }

    fn io(&self, e: std::io::Error) -> Error {
        Error::field(
            "path",
            t!(
                format!("无法写入 {}：{e}", self.path.display()),
                format!("cannot write {}: {e}", self.path.display())
            ),
        )
    }

    /// The destination's permissions if it is a regular file; none if it does not exist; an
    /// error if it is a symlink or anything else.
    fn existing(&self) -> reopen_core::Result<Option<std::fs::Permissions>> {
        let name = display_name(&self.path);
        match std::fs::symlink_metadata(&self.path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(self.io(e)),
            Ok(m) if m.file_type().is_symlink() => Err(Error::field(
                "path",
                t!(
                    format!("“{name}”是符号链接，不能覆盖；请另选文件名"),
                    format!("“{name}” is a symbolic link and is not replaced: choose another name")
                ),
            )),
            Ok(m) if !m.is_file() => Err(Error::field(
                "path",
                t!(
                    format!("“{name}”已存在且不是普通文件，不能覆盖；请另选文件名"),
                    format!("“{name}” exists and is not a regular file: choose another name")
                ),
            )),
            Ok(m) => Ok(Some(m.permissions())),
        }
    }

    /// Writes `bytes` whole or not at all: into a new temporary file (created exclusively under
    /// a random name in the same folder, so nothing planted there is followed), synced to disk,
    /// renamed over the destination (which replaces a link rather than following it), then the
    /// folder is synced so the rename itself survives a power cut.
    pub fn write(&self, bytes: &[u8]) -> reopen_core::Result<()> {
        let permissions = self.existing()?;
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let mut b = tempfile::Builder::new();
        b.prefix(".reopen-").suffix(".part");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // As a newly created file would be (the umask applies), or as the file replaced.
            b.permissions(permissions.unwrap_or_else(|| std::fs::Permissions::from_mode(0o666)));
        }
        #[cfg(not(unix))]
        let _ = permissions;
        let mut tmp = b.tempfile_in(dir).map_err(|e| self.io(e))?;
        tmp.write_all(bytes).map_err(|e| self.io(e))?;
        tmp.as_file().sync_all().map_err(|e| self.io(e))?;
        tmp.persist(&self.path).map_err(|e| self.io(e.error))?;
        sync_dir(dir).map_err(|e| self.io(e))
    }
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    match File::open(dir).and_then(|d| d.sync_all()) {
        // Some file systems cannot sync a folder; the file itself is already on disk.
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::InvalidInput | std::io::ErrorKind::Unsupported
            ) =>
        {
            Ok(())
        }
        r => r,
    }
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn sizes_round_up_so_a_file_over_the_limit_never_reads_as_equal() {
        assert_eq!(megabytes(ROSTER_MAX_BYTES), "20.0 MB");
        assert_eq!(megabytes(ROSTER_MAX_BYTES + 1), "20.1 MB");
        assert_eq!(megabytes(0), "0.0 MB");
    }

    #[test]
    fn a_file_growing_past_the_limit_is_refused_and_a_small_one_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.csv");
        std::fs::write(&p, "姓名\n张三\n").unwrap();
        let tiny = Limit {
            max: 8,
            zh: "花名册文件",
            en: "roster file",
        };
        let e = read_chosen(&p, &tiny).err().unwrap();
        assert!(e.fields[0].message.zh.contains("超过"), "{e:?}");
        let ok = read_chosen(&p, &ROSTER).unwrap();
        assert_eq!(ok.name, "r.csv");
        assert_eq!(ok.bytes, "姓名\n张三\n".as_bytes());
    }

    #[test]
    fn extensions_are_checked_case_blind_and_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Target::new(dir.path().join("a.PDF"), PDF).is_ok());
        let e = Target::new(dir.path().join("a"), PDF_OR_XLSX)
            .err()
            .unwrap();
        assert_eq!(e.fields[0].field, "path");
        assert!(e.fields[0].message.zh.contains(".pdf 或 .xlsx"), "{e:?}");
        assert!(e.fields[0].message.en.contains(".pdf or .xlsx"), "{e:?}");
        let t = Target::new(dir.path().join("b.xlsx"), XLSX).unwrap();
        t.write(b"PK1").unwrap();
        t.write(b"PK2").unwrap();
        assert_eq!(std::fs::read(t.path()).unwrap(), b"PK2");
        // Only the file itself: no temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
