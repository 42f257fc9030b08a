//! Dates as readers and API clients type them in filters.

use chrono::{DateTime, NaiveDate, Utc};

/// `2026-11-28` or an RFC 3339 time. A bare date means its first second, or with
/// `end_of_day` its last, so `from=D&to=D` covers the whole day D.
pub fn parse_filter_time(raw: &str, end_of_day: bool) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(raw) {
        return Some(time.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok()?;
    let time = if end_of_day {
        day.and_hms_opt(23, 59, 59)?
    } else {
        day.and_hms_opt(0, 0, 0)?
    };
    Some(time.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_times() {
        let start = parse_filter_time("2026-11-28", false).expect("date");
        let end = parse_filter_time("2026-11-28", true).expect("date");
        assert_eq!((end - start).num_seconds(), 86_399);
        assert!(parse_filter_time("2026-11-28T09:00:00+03:30", false).is_some());
        for bad in ["", "yesterday", "2026-13-01", "28/11/2026"] {
            assert!(parse_filter_time(bad, false).is_none(), "{bad:?}");
        }
    }
}
