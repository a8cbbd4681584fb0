//! When digests are due: the latest slot at or before now, at `mail.digest_time` in
//! `mail.timezone`, named by its local date so a run is recorded once per day (or week).
//!
//! Daylight saving: a local time that does not exist that day (clocks jump forward over it)
//! becomes the first minute that does; a local time that happens twice (clocks go back) is
//! the first of the two. Either way each local day has exactly one slot.

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// One digest slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// `daily:2026-12-07` or `weekly:2026-12-07` (the local date of the slot).
    pub period: String,
    /// The instant.
    pub at: DateTime<Utc>,
}

/// The instant of `time` on local date `day` in `tz`.
pub fn slot_on(tz: Tz, day: NaiveDate, (h, m): (u32, u32)) -> DateTime<Utc> {
    let wanted = day.and_hms_opt(h, m, 0).expect("hour < 24, minute < 60");
    let mut local = wanted;
    // A gap is at most a few hours (usually one): walk forward to the first minute that exists.
    for _ in 0..(6 * 60) {
        match tz.from_local_datetime(&local) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            LocalResult::Ambiguous(first, _) => return first.with_timezone(&Utc),
            LocalResult::None => local += Duration::minutes(1),
        }
    }
    // No zone has a gap this long; fall back to reading the wall time as UTC.
    Utc.from_utc_datetime(&wanted)
}

/// The latest slot at or before `now` for `frequency` (`daily`, `weekly` on `weekday`).
pub fn latest(
    now: DateTime<Utc>,
    tz: Tz,
    time: (u32, u32),
    frequency: &str,
    weekday: Weekday,
) -> Slot {
    let today = now.with_timezone(&tz).date_naive();
    // Today's slot may still be ahead; the one before it is at most 7 (or 1) days back.
    let mut day = today;
    for _ in 0..15 {
        let fits = frequency != "weekly" || day.weekday() == weekday;
        if fits {
            let at = slot_on(tz, day, time);
            if at <= now {
                return Slot {
                    period: format!("{frequency}:{day}"),
                    at,
                };
            }
        }
        day = day.pred_opt().expect("a date after year -262144");
    }
    unreachable!("a slot within 15 days always exists")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_daily_slot_is_the_last_local_digest_time_passed() {
        let tz: Tz = "Europe/Madrid".parse().unwrap();
        // 07:00 in Madrid is 06:00 UTC in winter.
        let s = latest(
            utc("2026-12-07T06:30:00Z"),
            tz,
            (7, 0),
            "daily",
            Weekday::Mon,
        );
        assert_eq!(s.period, "daily:2026-12-07");
        assert_eq!(s.at, utc("2026-12-07T06:00:00Z"));
        // A minute before it, the slot is yesterday's.
        let s = latest(
            utc("2026-12-07T05:59:00Z"),
            tz,
            (7, 0),
            "daily",
            Weekday::Mon,
        );
        assert_eq!(s.period, "daily:2026-12-06");
    }

    #[test]
    fn daylight_saving_never_skips_or_doubles_a_day() {
        let tz: Tz = "Europe/Madrid".parse().unwrap();
        // 2026-03-29: clocks jump from 02:00 to 03:00; a 02:30 digest goes out at 03:00 local.
        assert_eq!(
            slot_on(tz, NaiveDate::from_ymd_opt(2026, 3, 29).unwrap(), (2, 30)),
            utc("2026-03-29T01:00:00Z")
        );
        // 2026-10-25: 02:30 happens twice; the first (CEST, 00:30 UTC) is the slot.
        assert_eq!(
            slot_on(tz, NaiveDate::from_ymd_opt(2026, 10, 25).unwrap(), (2, 30)),
            utc("2026-10-25T00:30:00Z")
        );
        // Every local day around both changes has one slot, and they are in order.
        for (from, to) in [("2026-03-27", "2026-03-31"), ("2026-10-23", "2026-10-27")] {
            let mut d = NaiveDate::parse_from_str(from, "%Y-%m-%d").unwrap();
            let end = NaiveDate::parse_from_str(to, "%Y-%m-%d").unwrap();
            let mut prev = slot_on(tz, d, (2, 30));
            while d < end {
                d = d.succ_opt().unwrap();
                let next = slot_on(tz, d, (2, 30));
                let gap = next - prev;
                assert!(
                    gap >= Duration::hours(23) && gap <= Duration::hours(25),
                    "{d}: {gap}"
                );
                prev = next;
            }
        }
    }

    #[test]
    fn a_weekly_slot_falls_on_its_day() {
        let s = latest(
            utc("2026-12-09T12:00:00Z"),
            chrono_tz::UTC,
            (7, 0),
            "weekly",
            Weekday::Mon,
        );
        assert_eq!(s.period, "weekly:2026-12-07");
        assert_eq!(s.at, utc("2026-12-07T07:00:00Z"));
    }
}
