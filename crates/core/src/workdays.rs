//! China's working-day calendar (工作日), for deadlines counted in working
//! days, e.g. "a need routed to a government unit is answered within 5
//! working days".
//!
//! A day is a working day if it is Monday to Friday and not a public
//! holiday, or if it is a Saturday or Sunday that the State Council made a
//! make-up working day (调休上班). The holidays and make-up days come from the
//! annual notices 国务院办公厅关于部分节假日安排的通知. They are shipped as
//! `data/holidays-cn.csv` (columns `date,kind,name`, see
//! `data/holidays-cn.README.md`), compiled into the binary and parsed once.
//!
//! Outside [`covered_years`] nothing is known about holidays, and the
//! functions count Saturdays and Sundays as the only days off. A deadline
//! that runs into a year not yet in the data therefore ignores that year's
//! holidays. Add each year's notice when it is published, usually in
//! October–November.
//!
//! Pure: no I/O and no clock (callers pass the dates). Depends only on
//! `time`.

use std::ops::RangeInclusive;
use std::sync::OnceLock;

use time::{Date, Month, Weekday};

const CSV: &str = include_str!("../../../data/holidays-cn.csv");

const HEADER: &str = "date,kind,name";

/// What a listed date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A day off that belongs to a holiday break (weekends inside the break
    /// are listed too).
    Holiday,
    /// A Saturday or Sunday that is a working day (调休上班).
    Workday,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    date: Date,
    kind: Kind,
    /// The holiday, e.g. `春节`; for a make-up day, the holiday it makes up for.
    name: &'static str,
}

struct Calendar {
    /// Sorted by date, one entry per date.
    entries: Vec<Entry>,
    years: RangeInclusive<i32>,
}

static CALENDAR: OnceLock<Calendar> = OnceLock::new();

fn calendar() -> &'static Calendar {
    CALENDAR.get_or_init(|| build_calendar(CSV))
}

/// Builds the calendar from the embedded CSV. The CSV is static data
/// compiled into the binary, and the tests below check it line by line. A
/// malformed row is a programming error, so it panics here.
fn build_calendar(text: &'static str) -> Calendar {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty());
    let header = lines.next().map(|(_, line)| line);
    assert_eq!(header, Some(HEADER), "holidays CSV header");
    let entries: Vec<Entry> = lines
        .map(|(index, line)| {
            parse_line(line).unwrap_or_else(|error| {
                panic!("holidays CSV line {}: {error}: {line:?}", index + 1)
            })
        })
        .collect();
    for pair in entries.windows(2) {
        assert!(
            pair[0].date < pair[1].date,
            "holidays CSV must be sorted by date without duplicates: {} then {}",
            pair[0].date,
            pair[1].date
        );
    }
    let (Some(first), Some(last)) = (entries.first(), entries.last()) else {
        panic!("holidays CSV has no rows");
    };
    let years = first.date.year()..=last.date.year();
    for year in years.clone() {
        assert!(
            entries.iter().any(|e| e.date.year() == year),
            "holidays CSV has no rows for {year}: covered years must be contiguous"
        );
    }
    Calendar { entries, years }
}

/// Parses one data row `date,kind,name`.
fn parse_line(line: &'static str) -> Result<Entry, &'static str> {
    let mut fields = line.split(',');
    let (Some(date), Some(kind), Some(name), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err("expected 3 columns date,kind,name");
    };
    let date = parse_date(date).ok_or("date is not a valid YYYY-MM-DD")?;
    let kind = match kind {
        "holiday" => Kind::Holiday,
        "workday" => Kind::Workday,
        _ => return Err("kind must be holiday or workday"),
    };
    if kind == Kind::Workday && !is_weekend(date) {
        return Err("a workday row must fall on a Saturday or Sunday");
    }
    if name.is_empty() || name.trim() != name || name.contains('"') {
        return Err("name must be non-empty, unquoted, without surrounding spaces");
    }
    Ok(Entry { date, kind, name })
}

/// Strict `YYYY-MM-DD`.
fn parse_date(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return None;
    }
    let year: i32 = text[0..4].parse().ok()?;
    let month: u8 = text[5..7].parse().ok()?;
    let day: u8 = text[8..10].parse().ok()?;
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

fn lookup(d: Date) -> Option<&'static Entry> {
    let entries = &calendar().entries;
    entries
        .binary_search_by_key(&d, |e| e.date)
        .ok()
        .map(|i| &entries[i])
}

fn next_day(d: Date) -> Date {
    d.next_day()
        .expect("working-day arithmetic ran past the last date time::Date can hold")
}

/// The years whose holidays and make-up days are known (2024 to 2026 in the
/// current data). Outside them only Saturdays and Sundays are days off.
pub fn covered_years() -> RangeInclusive<i32> {
    calendar().years.clone()
}

/// Whether `d` is a working day: Monday to Friday and not a public holiday,
/// or a make-up working day on a weekend. Outside [`covered_years`], this is
/// simply Monday to Friday.
pub fn is_working_day(d: Date) -> bool {
    match lookup(d).map(|e| e.kind) {
        Some(Kind::Holiday) => false,
        Some(Kind::Workday) => true,
        None => !is_weekend(d),
    }
}

/// The name of the holiday break that `d` belongs to, e.g. `Some("春节")`, or
/// `Some("国庆节、中秋节")` for a merged break. Weekends inside a break count.
/// `None` for any other day, including make-up working days and every day
/// outside [`covered_years`].
pub fn holiday_name(d: Date) -> Option<&'static str> {
    lookup(d)
        .filter(|e| e.kind == Kind::Holiday)
        .map(|e| e.name)
}

/// The `n`-th working day after `start`. `start` itself is not counted, so
/// a deadline of "5 working days" from a Friday is the fifth working day
/// after that Friday. For `n = 0`: `start` if it is a working day,
/// otherwise the next working day.
///
/// # Panics
///
/// If the result would be after the last date `time::Date` can hold (year
/// 9999).
pub fn add_working_days(start: Date, n: u32) -> Date {
    let mut day = start;
    if n == 0 {
        while !is_working_day(day) {
            day = next_day(day);
        }
        return day;
    }
    let mut remaining = n;
    while remaining > 0 {
        day = next_day(day);
        if is_working_day(day) {
            remaining -= 1;
        }
    }
    day
}

/// The number of working days in `(from, to]`: `from` is excluded and `to`
/// is included. The result is negative (minus the count in `(to, from]`) if
/// `to < from`. For any `n >= 1`,
/// `working_days_between(d, add_working_days(d, n)) == n`.
pub fn working_days_between(from: Date, to: Date) -> i64 {
    if to < from {
        return -working_days_between(to, from);
    }
    let days = i64::from(to.to_julian_day()) - i64::from(from.to_julian_day());
    // Monday–Friday in (from, to]: 5 per full week, then the last days one
    // by one, counted back from `to`.
    let to_weekday = i64::from(to.weekday().number_days_from_monday());
    let tail = (0..days % 7)
        .filter(|back| (to_weekday - back).rem_euclid(7) < 5)
        .count();
    let weekdays = days / 7 * 5 + tail as i64;
    // Listed dates in (from, to] differ from the Monday–Friday rule.
    let entries = &calendar().entries;
    let lo = entries.partition_point(|e| e.date <= from);
    let hi = entries.partition_point(|e| e.date <= to);
    let adjustment: i64 = entries[lo..hi]
        .iter()
        .map(|e| i64::from(is_working_day(e.date)) - i64::from(!is_weekend(e.date)))
        .sum();
    weekdays + adjustment
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn working(days: &[Date]) {
        for &d in days {
            assert!(is_working_day(d), "{d} should be a working day");
        }
    }

    fn off(from: Date, to: Date, name: &str) {
        let mut d = from;
        while d <= to {
            assert!(!is_working_day(d), "{d} should be a day off");
            assert_eq!(holiday_name(d), Some(name), "{d}");
            d = d.next_day().unwrap();
        }
    }

    /// Day-by-day count of working days in `(from, to]`, the reference for
    /// the arithmetic in `working_days_between`.
    fn naive_between(from: Date, to: Date) -> i64 {
        let (lo, hi, sign) = if from <= to {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let mut count = 0;
        let mut d = lo;
        while d < hi {
            d = d.next_day().unwrap();
            count += i64::from(is_working_day(d));
        }
        sign * count
    }

    #[test]
    fn every_line_of_the_shipped_csv_is_well_formed() {
        let mut lines = CSV.lines();
        assert_eq!(lines.next(), Some(HEADER));
        let mut rows = 0;
        for (index, line) in lines.enumerate() {
            assert!(
                parse_line(line).is_ok(),
                "line {}: {line:?}: {:?}",
                index + 2,
                parse_line(line)
            );
            rows += 1;
        }
        assert_eq!(rows, 110);
        assert!(CSV.ends_with('\n') && !CSV.contains('\r'));
    }

    #[test]
    fn the_shipped_csv_builds_a_sorted_contiguous_calendar() {
        let calendar = build_calendar(CSV);
        assert_eq!(calendar.entries.len(), 110);
        assert!(calendar.entries.windows(2).all(|p| p[0].date < p[1].date));
    }

    #[test]
    fn covered_years_are_2024_to_2026() {
        assert_eq!(covered_years(), 2024..=2026);
    }

    #[test]
    fn the_2024_calendar_matches_the_notice() {
        // 国办发明电〔2023〕7号.
        off(date!(2024 - 01 - 01), date!(2024 - 01 - 01), "元旦");
        off(date!(2024 - 02 - 10), date!(2024 - 02 - 17), "春节");
        off(date!(2024 - 04 - 04), date!(2024 - 04 - 06), "清明节");
        off(date!(2024 - 05 - 01), date!(2024 - 05 - 05), "劳动节");
        off(date!(2024 - 06 - 08), date!(2024 - 06 - 10), "端午节");
        off(date!(2024 - 09 - 15), date!(2024 - 09 - 17), "中秋节");
        off(date!(2024 - 10 - 01), date!(2024 - 10 - 07), "国庆节");
        working(&[
            date!(2024 - 02 - 04),
            date!(2024 - 02 - 18),
            date!(2024 - 04 - 07),
            date!(2024 - 04 - 28),
            date!(2024 - 05 - 11),
            date!(2024 - 09 - 14),
            date!(2024 - 09 - 29),
            date!(2024 - 10 - 12),
        ]);
        assert_eq!(date!(2024 - 02 - 12).weekday(), Weekday::Monday);
        assert_eq!(holiday_name(date!(2024 - 02 - 12)), Some("春节"));
    }

    #[test]
    fn new_years_eve_2024_was_not_an_official_day_off() {
        // The notice only encouraged employers to give 除夕 (2024-02-09) off.
        working(&[date!(2024 - 02 - 09)]);
        assert_eq!(holiday_name(date!(2024 - 02 - 09)), None);
    }

    #[test]
    fn the_2025_calendar_matches_the_notice() {
        // 国办发明电〔2024〕12号: 春节 and 劳动节 one day longer than before.
        off(date!(2025 - 01 - 01), date!(2025 - 01 - 01), "元旦");
        off(date!(2025 - 01 - 28), date!(2025 - 02 - 04), "春节");
        off(date!(2025 - 04 - 04), date!(2025 - 04 - 06), "清明节");
        off(date!(2025 - 05 - 01), date!(2025 - 05 - 05), "劳动节");
        off(date!(2025 - 05 - 31), date!(2025 - 06 - 02), "端午节");
        off(
            date!(2025 - 10 - 01),
            date!(2025 - 10 - 08),
            "国庆节、中秋节",
        );
        working(&[
            date!(2025 - 01 - 02),
            date!(2025 - 01 - 26),
            date!(2025 - 02 - 08),
            date!(2025 - 04 - 27),
            date!(2025 - 09 - 28),
            date!(2025 - 10 - 11),
        ]);
        assert_eq!(date!(2025 - 01 - 26).weekday(), Weekday::Sunday);
        assert_eq!(date!(2025 - 02 - 08).weekday(), Weekday::Saturday);
    }

    #[test]
    fn the_2026_calendar_matches_the_notice() {
        // Notice of 2025-11-04.
        off(date!(2026 - 01 - 01), date!(2026 - 01 - 03), "元旦");
        off(date!(2026 - 02 - 15), date!(2026 - 02 - 23), "春节");
        off(date!(2026 - 04 - 04), date!(2026 - 04 - 06), "清明节");
        off(date!(2026 - 05 - 01), date!(2026 - 05 - 05), "劳动节");
        off(date!(2026 - 06 - 19), date!(2026 - 06 - 21), "端午节");
        off(date!(2026 - 09 - 25), date!(2026 - 09 - 27), "中秋节");
        off(date!(2026 - 10 - 01), date!(2026 - 10 - 07), "国庆节");
        working(&[
            date!(2026 - 01 - 04),
            date!(2026 - 02 - 14),
            date!(2026 - 02 - 28),
            date!(2026 - 05 - 09),
            date!(2026 - 09 - 20),
            date!(2026 - 10 - 10),
        ]);
    }

    #[test]
    fn make_up_working_days_have_no_holiday_name() {
        for d in [
            date!(2024 - 02 - 04),
            date!(2025 - 10 - 11),
            date!(2026 - 02 - 28),
        ] {
            assert!(is_working_day(d));
            assert_eq!(holiday_name(d), None, "{d}");
        }
        assert_eq!(holiday_name(date!(2025 - 03 - 03)), None);
    }

    #[test]
    fn weekday_holidays_minus_make_up_days_equal_the_statutory_days() {
        // 全国年节及纪念日放假办法: 11 days in 2024, 13 from 2025 on. Every
        // statutory day that falls on a weekend is given back on a weekday,
        // and every extra weekday off is made up on a weekend.
        for (year, statutory) in [(2024, 11), (2025, 13), (2026, 13)] {
            let rows = calendar().entries.iter().filter(|e| e.date.year() == year);
            let weekday_off = rows
                .clone()
                .filter(|e| e.kind == Kind::Holiday && !is_weekend(e.date))
                .count();
            let make_up = rows.filter(|e| e.kind == Kind::Workday).count();
            assert_eq!(weekday_off - make_up, statutory, "{year}");
        }
    }

    #[test]
    fn working_days_per_year_match_the_notices() {
        for (year, expected) in [(2024, 251), (2025, 248), (2026, 248)] {
            let from = Date::from_calendar_date(year - 1, Month::December, 31).unwrap();
            let to = Date::from_calendar_date(year, Month::December, 31).unwrap();
            assert_eq!(working_days_between(from, to), expected, "{year}");
            assert_eq!(naive_between(from, to), expected, "{year}");
        }
    }

    #[test]
    fn a_weekend_make_up_day_counts_as_the_next_working_day() {
        assert_eq!(date!(2024 - 09 - 27).weekday(), Weekday::Friday);
        assert_eq!(
            add_working_days(date!(2024 - 09 - 27), 1),
            date!(2024 - 09 - 29)
        );
    }

    #[test]
    fn one_working_day_after_the_eve_of_national_day_2024_is_october_8() {
        assert_eq!(
            add_working_days(date!(2024 - 09 - 30), 1),
            date!(2024 - 10 - 08)
        );
    }

    #[test]
    fn five_working_days_from_the_friday_before_spring_festival_2025_end_on_february_7() {
        // 01-26 (Sun, make-up) 1, 01-27 (Mon) 2, 01-28..02-04 off,
        // 02-05 (Wed) 3, 02-06 (Thu) 4, 02-07 (Fri) 5.
        let start = date!(2025 - 01 - 24);
        assert_eq!(start.weekday(), Weekday::Friday);
        assert_eq!(add_working_days(start, 5), date!(2025 - 02 - 07));
        assert_eq!(working_days_between(start, date!(2025 - 02 - 07)), 5);
        assert_eq!(working_days_between(start, date!(2025 - 02 - 04)), 2);
    }

    #[test]
    fn five_working_days_across_the_2026_spring_festival_break() {
        // 02-13 (Fri) → 02-14 (Sat, make-up) 1, 02-15..02-23 off,
        // 02-24 2, 02-25 3, 02-26 4, 02-27 5.
        assert_eq!(
            add_working_days(date!(2026 - 02 - 13), 5),
            date!(2026 - 02 - 27)
        );
    }

    #[test]
    fn zero_working_days_is_the_start_or_the_next_working_day() {
        let friday = date!(2024 - 09 - 27);
        assert_eq!(add_working_days(friday, 0), friday);
        assert_eq!(
            add_working_days(date!(2024 - 09 - 28), 0),
            date!(2024 - 09 - 29)
        );
        assert_eq!(
            add_working_days(date!(2024 - 10 - 01), 0),
            date!(2024 - 10 - 08)
        );
        assert_eq!(
            add_working_days(date!(2025 - 01 - 04), 0),
            date!(2025 - 01 - 06)
        );
    }

    #[test]
    fn working_days_between_counts_the_half_open_interval() {
        let d = date!(2024 - 09 - 26);
        assert_eq!(working_days_between(d, d), 0);
        // (Thu, Fri] = 1; (Thu, Sun 09-29 make-up] = 2; (Thu, Mon 09-30] = 3.
        assert_eq!(working_days_between(d, date!(2024 - 09 - 27)), 1);
        assert_eq!(working_days_between(d, date!(2024 - 09 - 29)), 2);
        assert_eq!(working_days_between(d, date!(2024 - 09 - 30)), 3);
        // The whole National Day break adds nothing.
        assert_eq!(working_days_between(d, date!(2024 - 10 - 07)), 3);
        assert_eq!(
            working_days_between(date!(2024 - 09 - 30), date!(2024 - 10 - 07)),
            0
        );
    }

    #[test]
    fn working_days_between_is_negative_when_to_is_before_from() {
        let a = date!(2025 - 01 - 24);
        let b = date!(2025 - 02 - 07);
        assert_eq!(working_days_between(b, a), -5);
        assert_eq!(working_days_between(b, a), -working_days_between(a, b));
    }

    #[test]
    fn working_days_between_agrees_with_a_day_by_day_count() {
        let mut from = date!(2023 - 12 - 01);
        while from <= date!(2027 - 01 - 31) {
            for span in [0, 1, 2, 3, 5, 6, 7, 8, 13, 20, 29, 45, 100, 400] {
                let to = from + time::Duration::days(span);
                assert_eq!(working_days_between(from, to), naive_between(from, to));
                assert_eq!(working_days_between(to, from), naive_between(to, from));
            }
            from = from.next_day().unwrap();
        }
    }

    #[test]
    fn deadlines_are_working_days_exactly_n_working_days_away() {
        let mut d = date!(2024 - 01 - 01);
        while d <= date!(2026 - 12 - 31) {
            for n in 1..=20 {
                let deadline = add_working_days(d, n);
                assert!(is_working_day(deadline), "{d} + {n} = {deadline}");
                assert_eq!(working_days_between(d, deadline), i64::from(n), "{d} + {n}");
                // It is the first such day: the day before is one short.
                assert_eq!(
                    working_days_between(d, deadline.previous_day().unwrap()),
                    i64::from(n) - 1,
                    "{d} + {n}"
                );
            }
            d = d.next_day().unwrap();
        }
    }

    #[test]
    fn days_outside_the_covered_years_follow_the_weekend_rule_only() {
        // 2023-10-02 was a National Day holiday, and 2027-01-01 will be 元旦,
        // but neither year is in the data.
        for d in [date!(2023 - 10 - 02), date!(2027 - 01 - 01)] {
            assert!(is_working_day(d), "{d}");
            assert_eq!(holiday_name(d), None);
        }
        assert!(!is_working_day(date!(2027 - 01 - 02)));
        // 2023-10-07 was a make-up Saturday, but 2023 is not covered.
        assert!(!is_working_day(date!(2023 - 10 - 07)));
        // 2026-12-31 is a Thursday, so one working day later is Friday 2027-01-01.
        assert_eq!(
            add_working_days(date!(2026 - 12 - 31), 1),
            date!(2027 - 01 - 01)
        );
        assert_eq!(
            working_days_between(date!(2027 - 01 - 01), date!(2027 - 12 - 31)),
            260
        );
    }

    #[test]
    fn row_parser_accepts_a_well_formed_row() {
        assert_eq!(
            parse_line("2024-02-04,workday,春节"),
            Ok(Entry {
                date: date!(2024 - 02 - 04),
                kind: Kind::Workday,
                name: "春节",
            })
        );
    }

    #[test]
    fn row_parser_rejects_malformed_rows() {
        for line in [
            "",
            "2024-02-12,holiday",
            "2024-02-12,holiday,春节,extra",
            "2024-2-12,holiday,春节",
            "2024/02/12,holiday,春节",
            "2024-02-30,holiday,春节",
            "2024-13-01,holiday,春节",
            "+024-02-12,holiday,春节",
            "2024-02-12,Holiday,春节",
            "2024-02-12,off,春节",
            "2024-02-12,holiday,",
            "2024-02-12,holiday, 春节",
            "2024-02-12,holiday,\"春节\"",
            // Monday: a make-up working day must be on a weekend.
            "2024-02-12,workday,春节",
        ] {
            assert!(parse_line(line).is_err(), "{line:?}");
        }
    }

    #[test]
    #[should_panic(expected = "sorted by date without duplicates")]
    fn calendar_builder_rejects_unsorted_rows() {
        build_calendar("date,kind,name\n2024-02-12,holiday,春节\n2024-01-01,holiday,元旦\n");
    }

    #[test]
    #[should_panic(expected = "sorted by date without duplicates")]
    fn calendar_builder_rejects_duplicate_dates() {
        build_calendar("date,kind,name\n2024-01-01,holiday,元旦\n2024-01-01,holiday,元旦\n");
    }

    #[test]
    #[should_panic(expected = "contiguous")]
    fn calendar_builder_rejects_a_missing_year() {
        build_calendar("date,kind,name\n2024-01-01,holiday,元旦\n2026-01-01,holiday,元旦\n");
    }

    #[test]
    #[should_panic(expected = "header")]
    fn calendar_builder_rejects_a_wrong_header() {
        build_calendar("day,kind,name\n2024-01-01,holiday,元旦\n");
    }

    #[test]
    #[should_panic(expected = "line 3")]
    fn calendar_builder_names_the_bad_line() {
        build_calendar("date,kind,name\n2024-01-01,holiday,元旦\n2024-02-12,workday,春节\n");
    }

    #[test]
    fn calendar_builder_ignores_a_bom_crlf_and_blank_lines() {
        let calendar = build_calendar("\u{feff}date,kind,name\r\n\r\n2024-01-01,holiday,元旦\r\n");
        assert_eq!(calendar.entries.len(), 1);
        assert_eq!(calendar.years, 2024..=2024);
    }
}
