//! Publication dates from metadata in the forms feeds and pages use.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime};

/// Parses a publication date to `YYYY-MM-DD`: RFC 3339/ISO 8601 (with or without time or
/// zone), RFC 2822 ("Fri, 04 May 2018 16:20:52 +0000"), "2015-07-21 02:46:01", "2024/03/12",
/// "12/03/2024" (day first, as Arabic outlets write). Years outside 1900–2100 are refused.
pub fn parse_published(s: &str) -> Option<String> {
    let s = s.trim();
    let date = DateTime::parse_from_rfc3339(s)
        .map(|d| d.date_naive())
        .or_else(|_| DateTime::parse_from_rfc2822(s).map(|d| d.date_naive()))
        .ok()
        .or_else(|| {
            ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M"]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok().map(|d| d.date()))
        })
        .or_else(|| {
            ["%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y", "%d-%m-%Y", "%Y%m%d"]
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
        })
        .or_else(|| s.get(..10).and_then(|p| NaiveDate::parse_from_str(p, "%Y-%m-%d").ok()))?;
    (1900..=2100).contains(&date.year()).then(|| date.format("%Y-%m-%d").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        for (s, d) in [
            ("Fri, 04 May 2018 16:20:52 +0000", "2018-05-04"),
            ("2015-07-21 02:46:01", "2015-07-21"),
            ("2024-03-12", "2024-03-12"),
            ("2024-03-12T09:00:00Z", "2024-03-12"),
            ("2024-03-12T09:00:00+03:00", "2024-03-12"),
            ("12/03/2024", "2024-03-12"),
            ("2024/03/12", "2024-03-12"),
        ] {
            assert_eq!(parse_published(s).as_deref(), Some(d), "{s}");
        }
        for bad in ["", "yesterday", "0000-01-01", "9999-12-31", "2024-13-45"] {
            assert_eq!(parse_published(bad), None, "{bad}");
        }
    }
}
