/*!
Who appears with whom: co-occurrence of entities in the paragraphs a query matches.

A store hands over [`Observations`]: every paragraph the query and its filters match, with its
text hash, article, date and the entities it names. The counting here is the same for every
store, so the index folder and a cluster cannot disagree: copies of a paragraph (the same text
in several articles) count once, as search counts them, through the copy that search shows
first among equals (the smallest article key, then paragraph); a paragraph counts once however
often it names a pair.

- [`ties`]: the entities that share paragraphs with one entity (`sitrep entities --with`).
- [`network`]: the top entities of a query and the ties between them (`sitrep network`), with
  counts per year or month on request ([`Period`]); `export` writes GEXF and GraphML.
- [`strength`](strength::log_likelihood): Dunning's log-likelihood ratio, signed.
*/

mod center;
mod counting;
mod export;
mod observations;
pub mod strength;

pub use center::resolve_entity;
pub use counting::{network, ties, Edge, Network, NetworkOptions, Node, Tie, TieSort};
pub use export::{to_gexf, to_graphml};
pub use observations::{Observations, ParagraphEntities};

use crate::error::{Error, Result};

/// How ties are counted over time (`--by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Year,
    Month,
}

impl Period {
    pub fn parse(text: &str) -> Result<Period> {
        match text {
            "year" => Ok(Period::Year),
            "month" => Ok(Period::Month),
            other => Err(Error::InvalidArgument {
                what: "--by".to_string(),
                message: format!("'{other}' is not a period (year, month)"),
            }),
        }
    }

    /// The period a day (since 1970-01-01) falls in: `2023` or `2023-11`.
    pub fn of_day(self, day: i64) -> String {
        let date = time::Date::from_julian_day(UNIX_EPOCH_JULIAN_DAY + day as i32)
            .unwrap_or(time::Date::MIN);
        match self {
            Period::Year => format!("{:04}", date.year()),
            Period::Month => format!("{:04}-{:02}", date.year(), u8::from(date.month())),
        }
    }

    /// The first and the last day of a period this type wrote (`YYYY-MM-DD`).
    pub fn span(self, period: &str) -> (String, String) {
        let (year, month) = match self {
            Period::Year => (period.parse::<i32>().unwrap_or(1970), 1),
            Period::Month => {
                let (year, month) = period.split_once('-').unwrap_or((period, "1"));
                (year.parse().unwrap_or(1970), month.parse().unwrap_or(1))
            }
        };
        let next = match self {
            Period::Year => (year + 1, 1),
            Period::Month if month == 12 => (year + 1, 1),
            Period::Month => (year, month + 1),
        };
        let last = time::Date::from_calendar_date(
            next.0,
            time::Month::try_from(next.1).unwrap_or(time::Month::January),
            1,
        )
        .ok()
        .and_then(time::Date::previous_day)
        .unwrap_or(time::Date::MIN);
        (
            format!("{year:04}-{month:02}-01"),
            format!(
                "{:04}-{:02}-{:02}",
                last.year(),
                u8::from(last.month()),
                last.day()
            ),
        )
    }
}

/// 1970-01-01 as a Julian day number.
const UNIX_EPOCH_JULIAN_DAY: i32 = 2_440_588;

/// A day since 1970-01-01 as `YYYY-MM-DD`.
pub fn format_day(day: i64) -> String {
    let date =
        time::Date::from_julian_day(UNIX_EPOCH_JULIAN_DAY + day as i32).unwrap_or(time::Date::MIN);
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_name_their_year_or_month_and_span_to_the_next() {
        // 2023-11-30 and 2023-12-01.
        let (nov30, dec1) = (19_691, 19_692);
        assert_eq!(format_day(nov30), "2023-11-30");
        assert_eq!(Period::Month.of_day(nov30), "2023-11");
        assert_eq!(Period::Month.of_day(dec1), "2023-12");
        assert_eq!(Period::Year.of_day(dec1), "2023");
        assert_eq!(
            Period::Month.span("2023-12"),
            ("2023-12-01".to_string(), "2023-12-31".to_string())
        );
        assert_eq!(
            Period::Year.span("2023"),
            ("2023-01-01".to_string(), "2023-12-31".to_string())
        );
        assert_eq!(
            Period::Month.span("2024-02"),
            ("2024-02-01".to_string(), "2024-02-29".to_string())
        );
        assert!(Period::parse("week").is_err_and(|e| e.is_usage()));
    }
}
