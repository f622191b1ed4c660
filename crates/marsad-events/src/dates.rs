//! Event dates from the publication date and the sentence's time words: أمس, اليوم, a weekday
//! (the latest such day on or before publication), an explicit day and month ("19 تموز"), a
//! Hijri date ("15 رمضان 1439").

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
            TimeWord::HijriMonth(m) => {
                let day =
                    numbers.iter().find(|n| n.1 + 1 == h.words.start).map(|n| n.2).filter(|d| (1..=30).contains(d));
                let year = numbers.iter().find(|n| n.1 == h.words.end && (1300..=1600).contains(&n.2)).map(|n| n.2);
                if let Some(day) = day {
                    // Without a year: the latest such date on or before publication.
                    let d = match year {
                        Some(y) => from_hijri(i64::from(y), m, day),
                        None => {
                            let y = hijri_year_of(published);
                            from_hijri(y, m, day).filter(|d| *d <= published).or_else(|| from_hijri(y - 1, m, day))
                        }
                    };
                    if let Some(d) = d {
                        return (d, DatePrecision::Day);
                    }
                }
            }
        }
    }
    (published, DatePrecision::Day)
}

/// The Julian day number of a date in the tabular Islamic calendar (civil epoch, 16 July 622).
fn hijri_jdn(year: i64, month: u32, day: u32) -> i64 {
    let m = i64::from(month);
    i64::from(day) + (59 * (m - 1) + 1) / 2 + 354 * (year - 1) + (3 + 11 * year) / 30 + 1_948_438
}

/// A Hijri date as a Gregorian date.
pub fn from_hijri(year: i64, month: u32, day: u32) -> Option<NaiveDate> {
    // 1 January 1 CE is Julian day 1,721,426.
    let days = hijri_jdn(year, month, day) - 1_721_426;
    NaiveDate::from_num_days_from_ce_opt(i32::try_from(days + 1).ok()?)
}

/// The Hijri year a Gregorian date falls in.
fn hijri_year_of(date: NaiveDate) -> i64 {
    let jdn = i64::from(date.num_days_from_ce()) - 1 + 1_721_426;
    (30 * (jdn - 1_948_439) + 10_646) / 10_631
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hijri_dates_convert() {
        // 1 Muharram 1440 = 11 September 2018; 1439 is a leap year of the 30-year cycle, so
        // Ramadan 1439 began 119 days before: 15 Ramadan = 29 May 2018.
        assert_eq!(from_hijri(1440, 1, 1), NaiveDate::from_ymd_opt(2018, 9, 11));
        assert_eq!(from_hijri(1439, 9, 15), NaiveDate::from_ymd_opt(2018, 5, 29));
        assert_eq!(hijri_year_of(NaiveDate::from_ymd_opt(2018, 6, 9).expect("date")), 1439);
    }
}
