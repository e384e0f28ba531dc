//! The database handle: one API over the two engines, SQLite (rusqlite, the embedded default) and
//! PostgreSQL (the `postgres` crate, the shared engine), so that each statement of the store is
//! written once.
//!
//! The shape is Vaultwarden's: an enum over the engines' connections, not a trait object and not
//! a query builder. A statement is portable SQL with `?N` (or `?`) placeholders; on PostgreSQL it
//! is rewritten to `$N` once and prepared once per connection. Arguments go in as [`Arg`]s and
//! cells come out as [`Value`]s, converted the same way on both engines, so that an integer, a
//! text or a missing value reads identically whichever engine stored it.
//!
//! The portable dialect (what every statement of the store keeps to):
//! - integers are 64-bit (`INTEGER` on SQLite, `BIGINT` on PostgreSQL); flags are 0/1 integers;
//!   times are UTC RFC 3339 text and dates `YYYY-MM-DD` text, compared as text on both;
//! - new keys come back with `INSERT … RETURNING id`; upserts are `ON CONFLICT … DO …`;
//! - no engine-specific functions (`json_*`, `date()`, two-argument `max()`, `IFNULL`,
//!   `GROUP_CONCAT`, `instr`); where the engines differ the store asks [`Db::engine`];
//! - `NULLS FIRST`/`NULLS LAST` written out wherever a sorted column can be NULL;
//! - a parameter whose type PostgreSQL cannot infer is written `CAST(? AS TEXT)` (or `BIGINT`).

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::error::{Error, Result};

/// Which engine a database runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A PostgreSQL connection with its prepared statements.
pub struct Pg {
    client: RefCell<postgres::Client>,
    statements: RefCell<HashMap<String, postgres::Statement>>,
    /// When on, every statement run, arguments written in (benchmarks replay them raw).
    trace: RefCell<Option<Vec<String>>>,
    /// When on, a write transaction's commit rolls back instead and fails (as SQLite's commit
    /// hook does for the benchmarks' capture of a write: it replays against the same database).
    refuse_commits: std::cell::Cell<bool>,
}

/// At most this many prepared statements are kept per PostgreSQL connection: the store's
/// statements are a few hundred fixed texts; a statement built with a variable number of
/// arguments must not grow the cache without end.
const STATEMENT_CACHE: usize = 1024;

impl Pg {
    pub fn new(client: postgres::Client) -> Pg {
        Pg {
            client: RefCell::new(client),
            statements: RefCell::new(HashMap::new()),
            trace: RefCell::new(None),
            refuse_commits: std::cell::Cell::new(false),
        }
    }

    /// Makes every commit on this connection a rollback that fails, or stops doing so.
    pub fn refuse_commits(&self, on: bool) {
        self.refuse_commits.set(on);
    }

    /// Starts recording every statement run on this connection, arguments written in.
    pub fn trace_start(&self) {
        *self.trace.borrow_mut() = Some(Vec::new());
    }

    /// Stops recording; the statements recorded since `trace_start`.
    pub fn trace_take(&self) -> Vec<String> {
        self.trace.borrow_mut().take().unwrap_or_default()
    }

    /// Runs `op` with this connection's prepared statement for `sql` and the arguments as
    /// PostgreSQL takes them (traced when tracing is on); the client is released when it returns.
    fn run<R>(
        &self,
        sql: &str,
        args: &[&dyn ToArg],
        op: impl FnOnce(
            &mut postgres::Client,
            &postgres::Statement,
            &[&(dyn postgres::types::ToSql + Sync)],
        ) -> std::result::Result<R, postgres::Error>,
    ) -> Result<R> {
        self.traced(sql, args);
        let mut client = self.client()?;
        let stmt = self.statement(&mut client, sql)?;
        let owned = pg_args(args);
        let params: Vec<&(dyn postgres::types::ToSql + Sync)> =
            owned.iter().map(|a| a as _).collect();
        op(&mut client, &stmt, &params).map_err(pg_error)
    }

    fn traced(&self, sql: &str, args: &[&dyn ToArg]) {
        if let Some(t) = self.trace.borrow_mut().as_mut() {
            t.push(inline_args(sql, args));
        }
    }

    fn client(&self) -> Result<std::cell::RefMut<'_, postgres::Client>> {
        self.client.try_borrow_mut().map_err(|_| {
            Error::internal("a PostgreSQL statement was started while another one was still read")
        })
    }

    fn statement(&self, client: &mut postgres::Client, sql: &str) -> Result<postgres::Statement> {
        if let Some(s) = self.statements.borrow().get(sql) {
            return Ok(s.clone());
        }
        let stmt = client.prepare(&to_dollar(sql)).map_err(pg_error)?;
        let mut cache = self.statements.borrow_mut();
        if cache.len() >= STATEMENT_CACHE {
            cache.clear();
        }
        cache.insert(sql.to_string(), stmt.clone());
        Ok(stmt)
    }
}

/// A handle on one database, inside a transaction or not: what every store function takes.
#[derive(Clone, Copy)]
pub enum Db<'a> {
    Sqlite(&'a rusqlite::Connection),
    Postgres(&'a Pg),
}

impl<'a> From<&'a rusqlite::Connection> for Db<'a> {
    fn from(c: &'a rusqlite::Connection) -> Db<'a> {
        Db::Sqlite(c)
    }
}

impl<'a> From<&'a Pg> for Db<'a> {
    fn from(p: &'a Pg) -> Db<'a> {
        Db::Postgres(p)
    }
}

/// An open database: what the core owns.
pub enum Conn {
    Sqlite(rusqlite::Connection),
    /// Boxed: the client and its statement cache are much larger than a SQLite connection.
    Postgres(Box<Pg>),
}

/// The key of the transaction-scoped advisory lock every write takes first on PostgreSQL: writes
/// are serialised as SQLite's `BEGIN IMMEDIATE` serialises them, so that every check-then-write
/// rule holds with several processes on one database.
pub const WRITE_LOCK: i64 = 0x5245_4f50_454e; // "REOPEN"

impl Conn {
    pub fn db(&self) -> Db<'_> {
        match self {
            Conn::Sqlite(c) => Db::Sqlite(c),
            Conn::Postgres(p) => Db::Postgres(p.as_ref()),
        }
    }

    pub fn engine(&self) -> Engine {
        self.db().engine()
    }

    /// Whether the connection is lost for good (PostgreSQL's server closed it, or it was
    /// restarted): a pool opens a new one instead of using it again.
    pub fn is_closed(&self) -> bool {
        match self {
            Conn::Sqlite(_) => false,
            Conn::Postgres(p) => p
                .client
                .try_borrow()
                .map(|c| c.is_closed())
                .unwrap_or(false),
        }
    }

    /// A write transaction: SQLite's `BEGIN IMMEDIATE`; on PostgreSQL READ COMMITTED with the
    /// write lock taken as its first statement. Rolled back unless committed.
    pub fn begin_write(&self) -> Result<Tx<'_>> {
        let db = self.db();
        match db {
            Db::Sqlite(c) => c.execute_batch("BEGIN IMMEDIATE")?,
            Db::Postgres(_) => {
                db.batch("BEGIN ISOLATION LEVEL READ COMMITTED")?;
                let tx = Tx { db, open: true };
                db.batch(&format!("SELECT pg_advisory_xact_lock({WRITE_LOCK})"))?;
                return Ok(tx);
            }
        }
        Ok(Tx { db, open: true })
    }

    /// A read transaction: one consistent view of the database for several statements.
    pub fn begin_read(&self) -> Result<Tx<'_>> {
        let db = self.db();
        match db {
            Db::Sqlite(c) => c.execute_batch("BEGIN DEFERRED")?,
            Db::Postgres(_) => db.batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?,
        }
        Ok(Tx { db, open: true })
    }
}

/// An open transaction; rolled back when dropped uncommitted (an error, a panic).
pub struct Tx<'a> {
    db: Db<'a>,
    open: bool,
}

impl<'a> Tx<'a> {
    pub fn db(&self) -> Db<'a> {
        self.db
    }

    pub fn commit(mut self) -> Result<()> {
        self.open = false;
        if let Db::Postgres(p) = self.db {
            if p.refuse_commits.get() {
                self.db.batch("ROLLBACK")?;
                return Err(Error::internal(
                    "the commit was refused (a benchmark's capture)",
                ));
            }
        }
        self.db.batch("COMMIT")
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open {
            if let Err(e) = self.db.batch("ROLLBACK") {
                tracing::error!("rollback failed: {e}");
            }
        }
    }
}

/// An argument of a statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(Cow<'a, str>),
    Blob(Cow<'a, [u8]>),
}

/// A cell read from a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Value {
    fn kind(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Int(_) => "integer",
            Value::Real(_) => "real",
            Value::Text(_) => "text",
            Value::Blob(_) => "blob",
        }
    }
}

/// What can be an argument of a statement.
pub trait ToArg {
    fn to_arg(&self) -> Arg<'_>;
}

/// The arguments of a statement: `args![a, b, c]`.
#[macro_export]
macro_rules! args {
    () => { &[] as &[&dyn $crate::store::db::ToArg] };
    ($($x:expr),+ $(,)?) => { &[$(&$x as &dyn $crate::store::db::ToArg),+] as &[&dyn $crate::store::db::ToArg] };
}

macro_rules! int_arg {
    ($($t:ty),*) => {$(
        impl ToArg for $t {
            fn to_arg(&self) -> Arg<'_> {
                Arg::Int(*self as i64)
            }
        }
    )*};
}
int_arg!(i64, i32, u32, u16, u8, usize);

impl ToArg for bool {
    fn to_arg(&self) -> Arg<'_> {
        Arg::Int(*self as i64)
    }
}
impl ToArg for f64 {
    fn to_arg(&self) -> Arg<'_> {
        Arg::Real(*self)
    }
}
impl ToArg for str {
    fn to_arg(&self) -> Arg<'_> {
        Arg::Text(Cow::Borrowed(self))
    }
}
impl ToArg for String {
    fn to_arg(&self) -> Arg<'_> {
        Arg::Text(Cow::Borrowed(self))
    }
}
impl ToArg for [u8] {
    fn to_arg(&self) -> Arg<'_> {
        Arg::Blob(Cow::Borrowed(self))
    }
}
impl ToArg for Vec<u8> {
    fn to_arg(&self) -> Arg<'_> {
        Arg::Blob(Cow::Borrowed(self))
    }
}
/// An instant is stored as UTC RFC 3339 text to the second (`2020-02-10T01:00:00Z`).
impl ToArg for DateTime<Utc> {
    fn to_arg(&self) -> Arg<'_> {
        Arg::Text(Cow::Owned(
            self.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ))
    }
}
impl ToArg for NaiveDate {
    fn to_arg(&self) -> Arg<'_> {
        Arg::Text(Cow::Owned(self.format("%Y-%m-%d").to_string()))
    }
}
impl ToArg for Value {
    fn to_arg(&self) -> Arg<'_> {
        match self {
            Value::Null => Arg::Null,
            Value::Int(i) => Arg::Int(*i),
            Value::Real(r) => Arg::Real(*r),
            Value::Text(t) => Arg::Text(Cow::Borrowed(t)),
            Value::Blob(b) => Arg::Blob(Cow::Borrowed(b)),
        }
    }
}
impl ToArg for Arg<'_> {
    fn to_arg(&self) -> Arg<'_> {
        match self {
            Arg::Null => Arg::Null,
            Arg::Int(i) => Arg::Int(*i),
            Arg::Real(r) => Arg::Real(*r),
            Arg::Text(t) => Arg::Text(Cow::Borrowed(t)),
            Arg::Blob(b) => Arg::Blob(Cow::Borrowed(b)),
        }
    }
}
impl<T: ToArg + ?Sized> ToArg for &T {
    fn to_arg(&self) -> Arg<'_> {
        (**self).to_arg()
    }
}
impl<T: ToArg> ToArg for Option<T> {
    fn to_arg(&self) -> Arg<'_> {
        match self {
            Some(v) => v.to_arg(),
            None => Arg::Null,
        }
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(v)
    }
}
impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(v.to_string())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

/// What a cell can be read as. Conversions are the same on both engines.
pub trait FromValue: Sized {
    fn from_value(v: Value) -> std::result::Result<Self, String>;
}

fn wrong(want: &str, v: &Value) -> String {
    format!("expected {want}, found {} {v:?}", v.kind())
}

impl FromValue for Value {
    fn from_value(v: Value) -> std::result::Result<Self, String> {
        Ok(v)
    }
}
impl FromValue for i64 {
    fn from_value(v: Value) -> std::result::Result<Self, String> {
        match v {
            Value::Int(i) => Ok(i),
            v => Err(wrong("an integer", &v)),
        }
    }
}
macro_rules! int_from {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(v: Value) -> std::result::Result<Self, String> {
                let i = i64::from_value(v)?;
                <$t>::try_from(i).map_err(|_| format!("{i} is out of range for {}", stringify!($t)))
            }
        }
    )*};
}
int_from!(i32, u32, u16, u8, u64, usize);

impl FromValue for bool {
    fn from_value(v: Value) -> std::result::Result<Self, String> {
        match v {
            Value::Int(0) => Ok(false),
            Value::Int(1) => Ok(true),
            v => Err(wrong("0 or 1", &v)),
        }
    }
}
impl FromValue for f64 {
    fn from_value(v: Value) -> std::result::Result<Self, String> {
        match v {
            Value::Real(r) => Ok(r),
            Value::Int(i) => Ok(i as f64),
            v => Err(wrong("a number", &v)),
        }
    }
}
impl FromValue for String {
    fn from_value(v: Value) -> std::result::Result<Self, String> {
        match v {
            Value::Text(t) => Ok(t),
            v => Err(wrong("text", &v)),
        }
    }
}
impl FromValue for Vec<u8> {
    fn from_value(v: Value) -> std::result::Result<Self, String> {
        match v {
            Value::Blob(b) => Ok(b),
            v => Err(wrong("bytes", &v)),
        }
    }
}
impl FromValue for DateTime<Utc> {
    fn from_value(v: Value) -> std::result::Result<Self, String> {
        let t = String::from_value(v)?;
        DateTime::parse_from_rfc3339(&t)
            .map(|d| d.with_timezone(&Utc))
            .map_err(|e| format!("bad timestamp {t}: {e}"))
    }
}
impl FromValue for NaiveDate {
    fn from_value(v: Value) -> std::result::Result<Self, String> {
        let t = String::from_value(v)?;
        NaiveDate::parse_from_str(&t, "%Y-%m-%d").map_err(|e| format!("bad date {t}: {e}"))
    }
}
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: Value) -> std::result::Result<Self, String> {
        match v {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

/// One row of a result.
pub struct Row<'r> {
    inner: RowRef<'r>,
}

enum RowRef<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Postgres(&'r postgres::Row),
}

impl Row<'_> {
    /// The cell at `idx` (from 0) as a `T`; a cell of another type is an error naming the column.
    pub fn get<T: FromValue>(&self, idx: usize) -> Result<T> {
        let v = self.value(idx)?;
        T::from_value(v).map_err(|e| Error::internal(format!("column {idx}: {e}")))
    }

    /// The cell at `idx` decoded by `parse` (a state, a role): a value the enum does not know is
    /// an error naming the column and the value, never a default.
    pub fn decode<T>(&self, idx: usize, parse: impl FnOnce(&str) -> Option<T>) -> Result<T> {
        let code: String = self.get(idx)?;
        parse(&code)
            .ok_or_else(|| Error::internal(format!("unknown code '{code}' in column {idx}")))
    }

    pub fn value(&self, idx: usize) -> Result<Value> {
        match &self.inner {
            RowRef::Sqlite(r) => {
                use rusqlite::types::ValueRef;
                Ok(match r.get_ref(idx)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(i) => Value::Int(i),
                    ValueRef::Real(f) => Value::Real(f),
                    ValueRef::Text(t) => Value::Text(
                        std::str::from_utf8(t)
                            .map_err(|e| Error::internal(format!("column {idx}: {e}")))?
                            .to_string(),
                    ),
                    ValueRef::Blob(b) => Value::Blob(b.to_vec()),
                })
            }
            RowRef::Postgres(r) => {
                if idx >= r.len() {
                    return Err(Error::internal(format!("no column {idx}")));
                }
                r.try_get::<_, PgCell>(idx)
                    .map(|c| c.0)
                    .map_err(|e| Error::internal(format!("column {idx}: {e}")))
            }
        }
    }

    pub fn len(&self) -> usize {
        match &self.inner {
            RowRef::Sqlite(r) => r.as_ref().column_count(),
            RowRef::Postgres(r) => r.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<'a> Db<'a> {
    pub fn engine(self) -> Engine {
        match self {
            Db::Sqlite(_) => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    /// The SQLite connection, for what only SQLite has (its backup API, its PRAGMAs, its SQL
    /// functions); None on PostgreSQL.
    pub fn sqlite(self) -> Option<&'a rusqlite::Connection> {
        match self {
            Db::Sqlite(c) => Some(c),
            Db::Postgres(_) => None,
        }
    }

    /// Runs a statement; the number of rows it changed.
    pub fn exec(self, sql: &str, args: &[&dyn ToArg]) -> Result<usize> {
        match self {
            Db::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                Ok(stmt.execute(rusqlite::params_from_iter(sqlite_args(args)))?)
            }
            Db::Postgres(p) => {
                let n = p.run(sql, args, |c, stmt, params| c.execute(stmt, params))?;
                Ok(n as usize)
            }
        }
    }

    /// Runs several statements without arguments (a migration, a schema).
    pub fn batch(self, sql: &str) -> Result<()> {
        match self {
            Db::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Db::Postgres(p) => {
                p.traced(sql, &[]);
                p.client()?.batch_execute(sql).map_err(pg_error)
            }
        }
    }

    /// Every row, each mapped by `f`.
    pub fn rows<T>(
        self,
        sql: &str,
        args: &[&dyn ToArg],
        mut f: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.each(sql, args, |r| {
            out.push(f(r)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Every row passed to `f` in turn, without collecting them (a large export).
    pub fn each(
        self,
        sql: &str,
        args: &[&dyn ToArg],
        mut f: impl FnMut(&Row<'_>) -> Result<()>,
    ) -> Result<()> {
        match self {
            Db::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                let mut rows = stmt.query(rusqlite::params_from_iter(sqlite_args(args)))?;
                while let Some(r) = rows.next()? {
                    f(&Row {
                        inner: RowRef::Sqlite(r),
                    })?;
                }
                Ok(())
            }
            Db::Postgres(p) => {
                let rows = p.run(sql, args, |c, stmt, params| c.query(stmt, params))?;
                for r in &rows {
                    f(&Row {
                        inner: RowRef::Postgres(r),
                    })?;
                }
                Ok(())
            }
        }
    }

    /// The first row mapped by `f`, or None when there is none.
    pub fn row_opt<T>(
        self,
        sql: &str,
        args: &[&dyn ToArg],
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<Option<T>> {
        match self {
            Db::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                let mut rows = stmt.query(rusqlite::params_from_iter(sqlite_args(args)))?;
                match rows.next()? {
                    Some(r) => f(&Row {
                        inner: RowRef::Sqlite(r),
                    })
                    .map(Some),
                    None => Ok(None),
                }
            }
            Db::Postgres(p) => {
                let row = p.run(sql, args, |c, stmt, params| c.query_opt(stmt, params))?;
                match row {
                    Some(r) => f(&Row {
                        inner: RowRef::Postgres(&r),
                    })
                    .map(Some),
                    None => Ok(None),
                }
            }
        }
    }

    /// The first row mapped by `f`; no row is an internal error (the statement promised one).
    pub fn row<T>(
        self,
        sql: &str,
        args: &[&dyn ToArg],
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        self.row_opt(sql, args, f)?
            .ok_or_else(|| Error::internal(format!("no row from: {}", first_line(sql))))
    }

    /// The first column of the first row (a count, a returned id).
    pub fn one<T: FromValue>(self, sql: &str, args: &[&dyn ToArg]) -> Result<T> {
        self.row(sql, args, |r| r.get(0))
    }

    /// The first column of the first row, or None when there is no row.
    pub fn first<T: FromValue>(self, sql: &str, args: &[&dyn ToArg]) -> Result<Option<T>> {
        self.row_opt(sql, args, |r| r.get(0))
    }
}

fn first_line(sql: &str) -> &str {
    sql.trim().lines().next().unwrap_or_default()
}

fn sqlite_args<'b>(args: &'b [&dyn ToArg]) -> impl Iterator<Item = SqliteArg<'b>> + 'b {
    args.iter().map(|a| SqliteArg(a.to_arg()))
}

struct SqliteArg<'a>(Arg<'a>);

impl rusqlite::ToSql for SqliteArg<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match &self.0 {
            Arg::Null => ValueRef::Null,
            Arg::Int(i) => ValueRef::Integer(*i),
            Arg::Real(r) => ValueRef::Real(*r),
            Arg::Text(t) => ValueRef::Text(t.as_bytes()),
            Arg::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

fn pg_args<'b>(args: &'b [&dyn ToArg]) -> Vec<PgArg<'b>> {
    args.iter().map(|a| PgArg(a.to_arg())).collect()
}

/// An argument encoded for the type PostgreSQL inferred for its placeholder: an integer goes
/// into an `int4`, `int8` or `float8` parameter alike, as SQLite would take it.
#[derive(Debug)]
struct PgArg<'a>(Arg<'a>);

impl postgres::types::ToSql for PgArg<'_> {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>>
    {
        use postgres::types::{IsNull, Type};
        let mismatch = |what: &str| -> Box<dyn std::error::Error + Sync + Send> {
            format!("cannot pass {what} as {ty}").into()
        };
        match &self.0 {
            Arg::Null => Ok(IsNull::Yes),
            Arg::Int(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(*i)
                    .map_err(|_| mismatch("a large integer"))?
                    .to_sql(ty, out),
                Type::INT2 => i16::try_from(*i)
                    .map_err(|_| mismatch("a large integer"))?
                    .to_sql(ty, out),
                Type::FLOAT8 => (*i as f64).to_sql(ty, out),
                Type::FLOAT4 => (*i as f32).to_sql(ty, out),
                Type::BOOL => (*i != 0).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR | Type::BPCHAR => i.to_string().to_sql(ty, out),
                Type::NUMERIC => {
                    encode_numeric(*i, out);
                    Ok(IsNull::No)
                }
                _ => Err(mismatch("an integer")),
            },
            Arg::Real(r) => match *ty {
                Type::FLOAT8 => r.to_sql(ty, out),
                Type::FLOAT4 => (*r as f32).to_sql(ty, out),
                _ => Err(mismatch("a number")),
            },
            Arg::Text(t) => match *ty {
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                    t.as_ref().to_sql(&Type::TEXT, out)
                }
                Type::JSON | Type::JSONB => {
                    if *ty == Type::JSONB {
                        out.extend_from_slice(&[1]);
                    }
                    out.extend_from_slice(t.as_bytes());
                    Ok(IsNull::No)
                }
                _ => Err(mismatch("text")),
            },
            Arg::Blob(b) => match *ty {
                Type::BYTEA => b.as_ref().to_sql(ty, out),
                _ => Err(mismatch("bytes")),
            },
        }
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// An integer in PostgreSQL's binary NUMERIC form (base 10000 digits).
fn encode_numeric(i: i64, out: &mut bytes::BytesMut) {
    use bytes::BufMut;
    let neg = i < 0;
    let mut n = i.unsigned_abs();
    let mut digits = Vec::new();
    while n > 0 {
        digits.push((n % 10000) as i16);
        n /= 10000;
    }
    digits.reverse();
    out.put_i16(digits.len() as i16);
    out.put_i16(digits.len().saturating_sub(1) as i16);
    out.put_u16(if neg { 0x4000 } else { 0 });
    out.put_i16(0);
    for d in digits {
        out.put_i16(d);
    }
}

/// A cell of any type PostgreSQL returns, as a [`Value`].
struct PgCell(Value);

impl<'a> postgres::types::FromSql<'a> for PgCell {
    fn from_sql(
        ty: &postgres::types::Type,
        raw: &'a [u8],
    ) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        use postgres::types::Type;
        Ok(PgCell(match *ty {
            Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Int(i32::from_sql(ty, raw)?.into()),
            Type::INT2 => Value::Int(i16::from_sql(ty, raw)?.into()),
            Type::OID => Value::Int(u32::from_sql(ty, raw)?.into()),
            Type::BOOL => Value::Int(bool::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f32::from_sql(ty, raw)?.into()),
            Type::NUMERIC => decode_numeric(raw)?,
            Type::BYTEA => Value::Blob(raw.to_vec()),
            Type::JSONB => {
                Value::Text(std::str::from_utf8(raw.get(1..).unwrap_or_default())?.to_string())
            }
            _ => match <&str>::from_sql(&Type::TEXT, raw) {
                Ok(s)
                    if matches!(
                        *ty,
                        Type::TEXT
                            | Type::VARCHAR
                            | Type::BPCHAR
                            | Type::NAME
                            | Type::JSON
                            | Type::UNKNOWN
                    ) =>
                {
                    Value::Text(s.to_string())
                }
                _ => {
                    return Err(format!(
                        "cells of type {ty} are not read; cast them to TEXT or BIGINT"
                    )
                    .into())
                }
            },
        }))
    }

    fn from_sql_null(
        _: &postgres::types::Type,
    ) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(PgCell(Value::Null))
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }
}

/// PostgreSQL's binary NUMERIC (what `SUM` and `AVG` of integers return): an integer when it has
/// no fraction and fits, else a float.
fn decode_numeric(
    raw: &[u8],
) -> std::result::Result<Value, Box<dyn std::error::Error + Sync + Send>> {
    let word = |i: usize| -> std::result::Result<i16, Box<dyn std::error::Error + Sync + Send>> {
        raw.get(i * 2..i * 2 + 2)
            .map(|b| i16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "a short NUMERIC".into())
    };
    let ndigits = word(0)? as usize;
    let weight = word(1)? as i32;
    let sign = word(2)? as u16;
    let dscale = word(3)?;
    if sign == 0xC000 {
        return Err("NaN is not a number the product stores".into());
    }
    let mut int: i128 = 0;
    let mut real: f64 = 0.0;
    let mut integral = dscale == 0;
    for i in 0..ndigits {
        let d = word(4 + i)? as i128;
        let power = weight - i as i32;
        real += d as f64 * 10000f64.powi(power);
        if power >= 0 {
            int = int.saturating_add(d.saturating_mul(10000i128.saturating_pow(power as u32)));
        } else if d != 0 {
            integral = false;
        }
    }
    let neg = sign == 0x4000;
    if integral {
        let v = if neg { -int } else { int };
        if let Ok(v) = i64::try_from(v) {
            return Ok(Value::Int(v));
        }
    }
    Ok(Value::Real(if neg { -real } else { real }))
}

/// `?N` and `?` placeholders as PostgreSQL's `$N`, outside quotes and comments.
pub fn to_dollar(sql: &str) -> String {
    rewrite_placeholders(sql, |n| format!("${n}"))
}

/// The statement with its arguments written in as SQL literals (a trace for replaying it raw).
pub fn inline_args(sql: &str, args: &[&dyn ToArg]) -> String {
    rewrite_placeholders(sql, |n| match args.get(n - 1).map(|a| a.to_arg()) {
        None | Some(Arg::Null) => "NULL".into(),
        Some(Arg::Int(i)) => i.to_string(),
        Some(Arg::Real(r)) => format!("{r:?}"),
        Some(Arg::Text(t)) => format!("'{}'", t.replace('\'', "''")),
        Some(Arg::Blob(b)) => format!("'\\x{}'::bytea", hex::encode(b.as_ref())),
    })
}

/// Each placeholder (`?N`, or `?` numbered in order) replaced by `with(N)`, outside quotes and
/// comments.
fn rewrite_placeholders(sql: &str, with: impl Fn(usize) -> String) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut next = 1usize;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                out.push(c);
                for d in chars.by_ref() {
                    out.push(d);
                    if d == c {
                        break;
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                out.push(c);
                for d in chars.by_ref() {
                    out.push(d);
                    if d == '\n' {
                        break;
                    }
                }
            }
            '?' => {
                let mut n = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    n.push(*d);
                    chars.next();
                }
                let k = match n.parse::<usize>() {
                    Ok(k) => k,
                    Err(_) => {
                        next += 1;
                        next - 1
                    }
                };
                out.push_str(&with(k));
            }
            _ => out.push(c),
        }
    }
    out
}

/// A PostgreSQL error as the product's: a lost or refused connection is "unavailable", a
/// serialization failure or deadlock a conflict to retry, anything else internal with its text.
pub fn pg_error(e: postgres::Error) -> Error {
    use postgres::error::SqlState;
    if let Some(db) = e.as_db_error() {
        let code = db.code();
        if *code == SqlState::T_R_SERIALIZATION_FAILURE || *code == SqlState::T_R_DEADLOCK_DETECTED
        {
            return Error::conflict(crate::t!(
                "数据库正被其他操作占用，请稍后重试",
                "the database is busy with another operation; try again"
            ));
        }
        // The server is shutting down, restarting or not yet accepting: nothing was done.
        if code.code().starts_with("57P") || code.code().starts_with("08") {
            return unavailable(&e);
        }
        return Error::internal(format!(
            "PostgreSQL {}: {}{}",
            code.code(),
            db.message(),
            db.detail().map(|d| format!(" ({d})")).unwrap_or_default()
        ));
    }
    let io = std::error::Error::source(&e).is_some_and(|s| s.is::<std::io::Error>());
    if e.is_closed() || io {
        return unavailable(&e);
    }
    Error::internal(format!("PostgreSQL: {e}"))
}

/// The connection to PostgreSQL was lost (a restart, a network cut): what the statement was
/// doing was not done (an open transaction is rolled back by the server); trying again later may
/// work.
fn unavailable(e: &postgres::Error) -> Error {
    Error::unavailable(crate::t!(
        format!("数据库暂时无法连接，本次操作未执行，请稍后重试（{e}）"),
        format!("the database cannot be reached: nothing was done, try again later ({e})")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_dollars_outside_quotes() {
        assert_eq!(
            to_dollar("SELECT ?1, ?, '?2', \"a?\" -- ?3\n FROM t WHERE x = ?2 AND y = ?"),
            "SELECT $1, $1, '?2', \"a?\" -- ?3\n FROM t WHERE x = $2 AND y = $2"
        );
    }

    #[test]
    fn arguments_are_written_in_as_literals() {
        assert_eq!(
            inline_args(
                "SELECT ?2, ?1, '?' FROM t WHERE a = ?3 AND b IS ?4",
                crate::args!["O'Brien", 7, 1.5, None::<i64>]
            ),
            "SELECT 7, 'O''Brien', '?' FROM t WHERE a = 1.5 AND b IS NULL"
        );
    }

    #[test]
    fn numerics_decode_to_integers_or_floats() {
        let mut b = bytes::BytesMut::new();
        encode_numeric(-123_456_789, &mut b);
        assert_eq!(decode_numeric(&b).unwrap(), Value::Int(-123_456_789));
        let mut b = bytes::BytesMut::new();
        encode_numeric(0, &mut b);
        assert_eq!(decode_numeric(&b).unwrap(), Value::Int(0));
        // 1.5: one digit of weight 0 (1) and one of weight -1 (5000), scale 1.
        let raw: Vec<u8> = [2i16, 0, 0, 1, 1, 5000]
            .iter()
            .flat_map(|w| w.to_be_bytes())
            .collect();
        assert_eq!(decode_numeric(&raw).unwrap(), Value::Real(1.5));
    }

    #[test]
    fn sqlite_rows_read_through_values() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        let db = Db::from(&c);
        db.batch("CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT, f INTEGER)")
            .unwrap();
        let id: i64 = db
            .one(
                "INSERT INTO t(s, f) VALUES (?1, ?2) RETURNING id",
                args!["雅安", true],
            )
            .unwrap();
        let none: Option<String> = None;
        db.exec("INSERT INTO t(s, f) VALUES (?, ?)", args![none, 0])
            .unwrap();
        let rows = db
            .rows("SELECT s, f FROM t ORDER BY id", args![], |r| {
                Ok((r.get::<Option<String>>(0)?, r.get::<bool>(1)?))
            })
            .unwrap();
        assert_eq!(id, 1);
        assert_eq!(rows, vec![(Some("雅安".into()), true), (None, false)]);
        assert!(db
            .row("SELECT s FROM t WHERE id = 9", args![], |r| r
                .get::<String>(0))
            .is_err());
        let err = db
            .one::<i64>("SELECT s FROM t WHERE id = 1", args![])
            .unwrap_err();
        assert!(err.to_string().contains("expected an integer"), "{err}");
    }
}
