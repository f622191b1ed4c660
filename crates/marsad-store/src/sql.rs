//! One way to read both databases, so that every query the API and the exports make is
//! written once: SQL in the dialect the two share (parameters written `?N` or `?`, as SQLite
//! takes them, numbered `$N` for PostgreSQL), rows as plain values.
//!
//! Hand-written because the two client crates (rusqlite, postgres) share no row or parameter
//! type; the queries avoid what the dialects do differently (a parameter whose type only
//! context gives is cast, `IS DISTINCT FROM` rather than `IS NOT`, JSON through
//! [`Db::json_text`]).

use crate::Error;
use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};
use std::sync::Mutex;

/// A database to read.
#[derive(Clone, Copy)]
pub(crate) enum Db<'a> {
    Sqlite(&'a rusqlite::Connection),
    Postgres(&'a Mutex<crate::pg::Connection>),
}

/// A value of a row or a parameter.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Val {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl From<&str> for Val {
    fn from(s: &str) -> Val {
        Val::Text(s.to_owned())
    }
}

impl From<String> for Val {
    fn from(s: String) -> Val {
        Val::Text(s)
    }
}

impl From<i64> for Val {
    fn from(n: i64) -> Val {
        Val::Int(n)
    }
}

impl From<u64> for Val {
    fn from(n: u64) -> Val {
        Val::Int(n as i64)
    }
}

impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(v: Option<T>) -> Val {
        v.map_or(Val::Null, Into::into)
    }
}

/// A row's values.
pub(crate) struct Row(Vec<Val>);

/// A Rust value from a row's value.
pub(crate) trait FromVal: Sized {
    fn from_val(v: &Val) -> Option<Self>;
}

impl FromVal for i64 {
    fn from_val(v: &Val) -> Option<i64> {
        match v {
            Val::Int(n) => Some(*n),
            _ => None,
        }
    }
}

impl FromVal for u64 {
    fn from_val(v: &Val) -> Option<u64> {
        i64::from_val(v).and_then(|n| u64::try_from(n).ok())
    }
}

impl FromVal for u32 {
    fn from_val(v: &Val) -> Option<u32> {
        i64::from_val(v).and_then(|n| u32::try_from(n).ok())
    }
}

impl FromVal for f64 {
    fn from_val(v: &Val) -> Option<f64> {
        match v {
            Val::Real(f) => Some(*f),
            Val::Int(n) => Some(*n as f64),
            _ => None,
        }
    }
}

impl FromVal for f32 {
    fn from_val(v: &Val) -> Option<f32> {
        f64::from_val(v).map(|f| f as f32)
    }
}

impl FromVal for String {
    fn from_val(v: &Val) -> Option<String> {
        match v {
            Val::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}

impl FromVal for Vec<u8> {
    fn from_val(v: &Val) -> Option<Vec<u8>> {
        match v {
            Val::Blob(b) => Some(b.clone()),
            _ => None,
        }
    }
}

impl<T: FromVal> FromVal for Option<T> {
    fn from_val(v: &Val) -> Option<Option<T>> {
        match v {
            Val::Null => Some(None),
            other => T::from_val(other).map(Some),
        }
    }
}

impl Row {
    /// The `i`-th value as a `T`.
    pub(crate) fn get<T: FromVal>(&self, i: usize) -> Result<T, Error> {
        let v = self.0.get(i).ok_or_else(|| Error::Query(format!("internal: no column {i} in a row")))?;
        T::from_val(v)
            .ok_or_else(|| Error::Query(format!("internal: column {i} is {v:?}, not a {}", std::any::type_name::<T>())))
    }
}

impl<'a> Db<'a> {
    /// Calls `f` with each row of a query, as the database gives them (not all held at once).
    pub(crate) fn for_each(
        &self,
        sql: &str,
        params: &[Val],
        mut f: impl FnMut(Row) -> Result<(), Error>,
    ) -> Result<(), Error> {
        match self {
            Db::Sqlite(conn) => {
                let mut stmt = conn.prepare_cached(sql)?;
                let n = stmt.column_count();
                let mut rows = stmt.query(rusqlite::params_from_iter(params.iter().map(sqlite_value)))?;
                while let Some(r) = rows.next()? {
                    let mut values = Vec::with_capacity(n);
                    for i in 0..n {
                        values.push(match r.get_ref(i)? {
                            rusqlite::types::ValueRef::Null => Val::Null,
                            rusqlite::types::ValueRef::Integer(n) => Val::Int(n),
                            rusqlite::types::ValueRef::Real(f) => Val::Real(f),
                            rusqlite::types::ValueRef::Text(t) => Val::Text(String::from_utf8_lossy(t).into_owned()),
                            rusqlite::types::ValueRef::Blob(b) => Val::Blob(b.to_vec()),
                        });
                    }
                    f(Row(values))?;
                }
                Ok(())
            }
            Db::Postgres(client) => {
                use postgres::fallible_iterator::FallibleIterator;
                let mut client =
                    client.lock().map_err(|_| Error::Query("the database connection's lock is poisoned".into()))?;
                let stmt = client.prepare(&numbered(sql))?;
                let mut rows = client.query_raw(&stmt, params.iter())?;
                while let Some(r) = rows.next()? {
                    let values = (0..r.len()).map(|i| r.try_get::<_, Val>(i)).collect::<Result<Vec<_>, _>>()?;
                    f(Row(values))?;
                }
                Ok(())
            }
        }
    }

    /// Every row of a query.
    pub(crate) fn rows(&self, sql: &str, params: &[Val]) -> Result<Vec<Row>, Error> {
        let mut out = Vec::new();
        self.for_each(sql, params, |r| {
            out.push(r);
            Ok(())
        })?;
        Ok(out)
    }

    /// The first row of a query, if any.
    pub(crate) fn row(&self, sql: &str, params: &[Val]) -> Result<Option<Row>, Error> {
        Ok(self.rows(sql, params)?.into_iter().next())
    }

    /// The text at `key` of a JSON object stored as text in `column` (an SQL expression).
    pub(crate) fn json_text(&self, column: &str, key: &str) -> String {
        match self {
            Db::Sqlite(_) => format!("json_extract({column}, '$.{key}')"),
            Db::Postgres(_) => format!("({column}::json ->> '{key}')"),
        }
    }
}

fn sqlite_value(v: &Val) -> rusqlite::types::Value {
    match v {
        Val::Null => rusqlite::types::Value::Null,
        Val::Int(n) => rusqlite::types::Value::Integer(*n),
        Val::Real(f) => rusqlite::types::Value::Real(*f),
        Val::Text(s) => rusqlite::types::Value::Text(s.clone()),
        Val::Blob(b) => rusqlite::types::Value::Blob(b.clone()),
    }
}

/// SQLite's `?N` and `?` parameters as PostgreSQL's `$N` (a bare `?` takes the next number),
/// outside quoted text.
pub(crate) fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut next = 1;
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => {
                let mut digits = String::new();
                while let Some(d) = chars.next_if(char::is_ascii_digit) {
                    digits.push(d);
                }
                if digits.is_empty() {
                    digits = next.to_string();
                }
                next = digits.parse::<usize>().unwrap_or(next) + 1;
                out.push('$');
                out.push_str(&digits);
            }
            _ => out.push(c),
        }
    }
    out
}

impl ToSql for Val {
    /// A value as the parameter's type wants it (the queries are written for SQLite, which
    /// takes any value anywhere).
    fn to_sql(&self, ty: &Type, out: &mut bytes::BytesMut) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Val::Null => Ok(IsNull::Yes),
            Val::Int(n) => match *ty {
                Type::INT2 => i16::try_from(*n)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*n)?.to_sql(ty, out),
                Type::FLOAT4 => (*n as f32).to_sql(ty, out),
                Type::FLOAT8 => (*n as f64).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => n.to_string().to_sql(ty, out),
                _ => n.to_sql(ty, out),
            },
            Val::Real(f) => match *ty {
                Type::FLOAT4 => (*f as f32).to_sql(ty, out),
                _ => f.to_sql(ty, out),
            },
            Val::Text(s) => s.as_str().to_sql(ty, out),
            Val::Blob(b) => b.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

impl<'a> FromSql<'a> for Val {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Val, Box<dyn std::error::Error + Sync + Send>> {
        Ok(match *ty {
            Type::INT2 => Val::Int(i16::from_sql(ty, raw)?.into()),
            Type::INT4 => Val::Int(i32::from_sql(ty, raw)?.into()),
            Type::INT8 => Val::Int(i64::from_sql(ty, raw)?),
            Type::FLOAT4 => Val::Real(f32::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => Val::Real(f64::from_sql(ty, raw)?),
            Type::BOOL => Val::Int(bool::from_sql(ty, raw)?.into()),
            Type::BYTEA => Val::Blob(<Vec<u8>>::from_sql(ty, raw)?),
            _ => Val::Text(String::from_sql(ty, raw)?),
        })
    }

    fn from_sql_null(_: &Type) -> Result<Val, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Val::Null)
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::numbered;

    #[test]
    fn parameters_are_numbered_outside_quotes() {
        assert_eq!(numbered("a = ?1 AND b = ?2 OR c = ?1"), "a = $1 AND b = $2 OR c = $1");
        assert_eq!(numbered("a = ? AND b LIKE '?x' AND c = ?"), "a = $1 AND b LIKE '?x' AND c = $2");
    }
}
