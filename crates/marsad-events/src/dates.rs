//! Event dates from the publication date and the sentence's time words: أمس, اليوم, a weekday
//! (the latest such day on or before publication), an explicit day and month ("19 تموز").

use crate::Hit;
use crate::lexicon::{Lexicons, TimeWord};
use chrono::{Datelike, Days, NaiveDate};
use marsad_core::{DatePrecision, Span};

/// The date a sentence's time words point to, with its precision; the publication date itself
/// when they point nowhere.
pub(crate) fn resolve(
    published: NaiveDate,
    hits: &[&Hit],
    lex: &Lexicons,
    numbers: &[(Span, usize, u32)],
) -> (NaiveDate, DatePrecision) {
    for h in hits {
        match lex.times[h.value as usize] {
            TimeWord::Day(n) => {
                let d = if n < 0 {
                    published.checked_sub_days(Days::new(n.unsigned_abs()))
                } else {
                    published.checked_add_days(Days::new(n as u64))
                };
                if let Some(d) = d {
                    return (d, DatePrecision::Day);
                }
            }
            TimeWord::Weekday(w) => {
                let back = (published.weekday().num_days_from_monday() + 7 - w) % 7;
                if let Some(d) = published.checked_sub_days(Days::new(u64::from(back))) {
                    return (d, DatePrecision::Day);
                }
            }
            TimeWord::Month(m) => {
                // "19 تموز" / "19 يوليو/تموز": the day just before the month name.
                let day = numbers.iter().find(|n| n.1 + 1 == h.words.start || n.1 + 3 == h.words.start).map(|n| n.2);
                if let Some(day) = day.filter(|d| (1..=31).contains(d))
                    && let Some(d) = NaiveDate::from_ymd_opt(published.year(), m, day)
                {
                    let d = if d > published { NaiveDate::from_ymd_opt(d.year() - 1, m, day).unwrap_or(d) } else { d };
                    return (d, DatePrecision::Day);
                }
            }
        }
    }
    (published, DatePrecision::Day)
}
