//! Types and pure rules of indicators: the catalogue row, periods as month ranges.

use serde::Serialize;

/// One indicator of the catalogue.
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct Indicator {
    pub code: String,
    /// Official Chinese name (the UI translates `indicator.name.<code>` where it can).
    pub name: String,
    pub unit: String,
    pub definition: String,
    /// `ledger` (derived at write time), `entered` (monthly forms), `survey`.
    pub source: String,
    /// Over months: `sum`, `last`, `avg`.
    pub time_agg: String,
    /// Over regions: `sum`, or `ratio` of two summed indicators.
    pub region_agg: String,
    /// The parts of a `ratio`: both are summed over months and regions, then divided.
    pub numerator: Option<String>,
    pub denominator: Option<String>,
    pub sort_order: i64,
}

/// A figure, or a reference to one at any depth (as templates pass them).
pub trait FigureRef {
    fn figure(&self) -> i64;
}

impl FigureRef for i64 {
    fn figure(&self) -> i64 {
        *self
    }
}

impl<T: FigureRef + ?Sized> FigureRef for &T {
    fn figure(&self) -> i64 {
        (**self).figure()
    }
}

/// A rate whose denominator is zero (nothing to divide): shown as "—", never as 0 %.
pub const NO_RATE: i64 = -1;

/// A rate in tenths of a per cent (875 is 87.5 %), rounded half up; [`NO_RATE`] over nothing.
pub fn rate(numerator: i64, denominator: i64) -> i64 {
    if denominator <= 0 {
        return NO_RATE;
    }
    (numerator.max(0) * 2000 + denominator) / (2 * denominator)
}

impl Indicator {
    /// Counted by the system from its own records (the ledger, the portal's consultations),
    /// not entered by staff.
    pub fn is_derived(&self) -> bool {
        matches!(self.source.as_str(), "ledger" | "portal")
    }

    /// A rate recomputed from two summed indicators, kept in tenths of a per cent.
    pub fn is_rate(&self) -> bool {
        self.region_agg == "ratio" && self.numerator.is_some() && self.denominator.is_some()
    }

    /// The figure in the indicator's unit (a rate as per cent), none for a rate over nothing.
    pub fn number(&self, v: i64) -> Option<f64> {
        match self.is_rate() {
            true if v < 0 => None,
            true => Some(v as f64 / 10.0),
            false => Some(v as f64),
        }
    }

    /// The figure as shown in tables and cards: a rate with one decimal, "—" for no rate.
    /// Takes the figure or a reference to it (templates hold references).
    pub fn show(&self, v: impl FigureRef) -> String {
        let v = v.figure();
        match (self.is_rate(), self.number(v)) {
            (_, None) => "—".into(),
            (true, Some(n)) => format!("{n:.1}"),
            (false, _) => v.to_string(),
        }
    }

    /// The change on last year: per cent for counts, percentage points for rates.
    pub fn change(&self, now: i64, before: i64) -> Option<f64> {
        if !self.is_rate() {
            return change_percent(now, before);
        }
        (now >= 0 && before >= 0).then(|| (now - before) as f64 / 10.0)
    }
}

/// A span of whole months, `YYYY-MM` to `YYYY-MM` inclusive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: String,
    pub to: String,
}

impl Period {
    /// A year, `2025`; a quarter, `2025-Q2`; or a month, `2025-04`.
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim();
        let year = |y: &str| y.parse::<i32>().ok().filter(|y| (2000..=2100).contains(y));
        if let Some(y) = year(s).filter(|_| s.len() == 4) {
            return Some(Period::months(y, 1, 12));
        }
        let (y, rest) = s.split_once('-')?;
        let y = year(y).filter(|_| y.len() == 4)?;
        if let Some(q) = rest.strip_prefix('Q').or_else(|| rest.strip_prefix('q')) {
            let q: u8 = q.parse().ok().filter(|q| (1..=4).contains(q))?;
            return Some(Period::months(y, q * 3 - 2, q * 3));
        }
        let m: u8 = rest.parse().ok().filter(|m| (1..=12).contains(m))?;
        (rest.len() == 2).then(|| Period::months(y, m, m))
    }

    pub fn year(y: i32) -> Period {
        Period::months(y, 1, 12)
    }

    fn months(y: i32, from: u8, to: u8) -> Period {
        Period {
            from: format!("{y:04}-{from:02}"),
            to: format!("{y:04}-{to:02}"),
        }
    }

    /// The same months a year earlier.
    pub fn year_before(&self) -> Period {
        let back = |m: &str| {
            let (y, rest) = m.split_at(4);
            format!("{:04}{rest}", y.parse::<i32>().unwrap_or(2000) - 1)
        };
        Period {
            from: back(&self.from),
            to: back(&self.to),
        }
    }
}

/// The change from `before` to `now` in per cent, one decimal; none when there was nothing.
pub fn change_percent(now: i64, before: i64) -> Option<f64> {
    (before != 0).then(|| ((now - before) as f64 * 1000.0 / before as f64).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_years_quarters_or_months() {
        assert_eq!(Period::parse("2025"), Some(Period::year(2025)));
        let q2 = Period::parse("2025-Q2").unwrap();
        assert_eq!((q2.from.as_str(), q2.to.as_str()), ("2025-04", "2025-06"));
        let m = Period::parse("2025-11").unwrap();
        assert_eq!((m.from.as_str(), m.to.as_str()), ("2025-11", "2025-11"));
        for bad in [
            "",
            "25",
            "2025-13",
            "2025-Q5",
            "1999",
            "2025-1",
            "abcd",
            "2025-11-01",
        ] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
        assert_eq!(q2.year_before().from, "2024-04");
    }

    fn rate_indicator() -> Indicator {
        Indicator {
            code: "r".into(),
            name: "r".into(),
            unit: "%".into(),
            definition: String::new(),
            source: "ledger".into(),
            time_agg: "sum".into(),
            region_agg: "ratio".into(),
            numerator: Some("a".into()),
            denominator: Some("b".into()),
            sort_order: 0,
        }
    }

    #[test]
    fn a_rate_is_kept_in_tenths_of_a_per_cent_and_rounds_half_up() {
        assert_eq!(rate(7, 8), 875);
        assert_eq!(rate(2, 3), 667);
        assert_eq!(rate(1, 3), 333);
        assert_eq!(rate(0, 5), 0);
        assert_eq!(rate(5, 0), NO_RATE);
        let r = rate_indicator();
        assert_eq!(r.show(875), "87.5");
        assert_eq!(r.show(NO_RATE), "—");
        assert_eq!(r.change(900, 875), Some(2.5), "points, not per cent");
        assert_eq!(r.change(900, NO_RATE), None);
    }

    #[test]
    fn change_is_a_rounded_percentage() {
        assert_eq!(change_percent(110, 100), Some(10.0));
        assert_eq!(change_percent(2, 3), Some(-33.3));
        assert_eq!(change_percent(5, 0), None);
    }
}
