//! `xsd:dateTime` validation (XML Schema 1.1 Part 2 §3.3.7), for `proof.created`.
//!
//! bbs-2023 §3.4.4 step 3: "If proofConfig.created is set and if the value is not a valid
//! [XMLSCHEMA11-2] datetime, an error MUST be raised". VC Data Integrity asks issuers for a
//! `dateTimeStamp` (with a time zone) and lets processors accept one without; both forms are accepted
//! here, and everything else refused: `2023-08-15`, `2023-8-15T23:36:38Z`, `2023-02-30T00:00:00Z`,
//! `2023-08-15 23:36:38Z`, a time zone of `+15:00`.

/// Whether `value` is in the lexical space of `xsd:dateTime`, with valid field values: month 1-12, a
/// day that exists in that month (proleptic Gregorian, year 0 a leap year), `24:00:00` only as the end
/// of a day, no second 60, and a time zone offset within ±14:00.
pub(crate) fn is_xsd_date_time(value: &str) -> bool {
    parse(value.as_bytes()).is_some()
}

/// The instant an `xsd:dateTimeStamp` (an `xsd:dateTime` with a time zone, the form VC Data Model 2.0
/// §4.9 requires of `validFrom` and `validUntil`) names, in whole seconds since 1970-01-01T00:00:00Z
/// (a fraction is dropped: the instant compared is the start of the second). `None` for anything else,
/// a time without a time zone included: its instant is not determined.
pub(crate) fn date_time_stamp_seconds(value: &str) -> Option<i64> {
    let fields = parse(value.as_bytes())?;
    let offset = fields.offset_minutes?;
    let days = days_from_civil(fields.year, fields.month, fields.day);
    Some(
        days * 86_400
            + i64::from(fields.hour) * 3600
            + i64::from(fields.minute) * 60
            + i64::from(fields.second)
            - i64::from(offset) * 60,
    )
}

/// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month = i64::from(month);
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The fields of a valid `xsd:dateTime`.
struct Fields {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    /// The time zone offset, minutes east of UTC; `None` without a time zone.
    offset_minutes: Option<i32>,
}

fn digits(input: &[u8], n: usize) -> Option<(u32, &[u8])> {
    if input.len() < n || !input[..n].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value = input[..n]
        .iter()
        .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
    Some((value, &input[n..]))
}

fn literal(input: &[u8], byte: u8) -> Option<&[u8]> {
    match input.split_first() {
        Some((&b, rest)) if b == byte => Some(rest),
        _ => None,
    }
}

fn parse(input: &[u8]) -> Option<Fields> {
    // yearFrag: '-'? (([1-9] digit digit digit+) | ('0' digit digit digit))
    let negative = input.first() == Some(&b'-');
    let input = input.strip_prefix(b"-").unwrap_or(input);
    let year_len = input.iter().take_while(|b| b.is_ascii_digit()).count();
    if year_len < 4 || (year_len > 4 && input[0] == b'0') {
        return None;
    }
    // Only the year's remainder mod 400 matters for leap years; keep the last four digits.
    let (year_tail, _) = digits(&input[year_len - 4..], 4)?;
    let leap = year_tail % 4 == 0 && (year_tail % 100 != 0 || year_tail % 400 == 0);
    // Years beyond i64 seconds are valid lexically but name no instant this crate compares.
    let year: i64 = std::str::from_utf8(&input[..year_len])
        .ok()?
        .parse::<i64>()
        .ok()
        .filter(|y| *y < 100_000_000_000)?;
    let year = if negative { -year } else { year };
    let input = literal(&input[year_len..], b'-')?;
    let (month, input) = digits(input, 2)?;
    let input = literal(input, b'-')?;
    let (day, input) = digits(input, 2)?;
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day == 0 || day > days_in_month {
        return None;
    }
    let input = literal(input, b'T')?;
    let (hour, input) = digits(input, 2)?;
    let input = literal(input, b':')?;
    let (minute, input) = digits(input, 2)?;
    let input = literal(input, b':')?;
    let (second, mut input) = digits(input, 2)?;
    let mut fraction_is_zero = true;
    if let Some(rest) = literal(input, b'.') {
        let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        fraction_is_zero = rest[..n].iter().all(|&d| d == b'0');
        input = &rest[n..];
    }
    let end_of_day = hour == 24 && minute == 0 && second == 0 && fraction_is_zero;
    if !(hour < 24 || end_of_day) || minute > 59 || second > 59 {
        return None;
    }
    // timezoneFrag: 'Z' | ('+' | '-') (('0' digit | '1' [0-3]) ':' minuteFrag | '14:00')
    let offset_minutes = match input {
        [] => None,
        [b'Z'] => Some(0),
        [sign, rest @ ..] if *sign == b'+' || *sign == b'-' => {
            let (tz_hour, rest) = digits(rest, 2)?;
            let rest = literal(rest, b':')?;
            let (tz_minute, rest) = digits(rest, 2)?;
            let valid =
                rest.is_empty() && tz_minute <= 59 && (tz_hour < 14 || (tz_hour == 14 && tz_minute == 0));
            if !valid {
                return None;
            }
            let minutes = i32::try_from(tz_hour * 60 + tz_minute).ok()?;
            Some(if *sign == b'-' { -minutes } else { minutes })
        }
        _ => return None,
    };
    Some(Fields {
        year,
        month,
        day,
        hour,
        minute,
        second,
        offset_minutes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_date_times() {
        for value in [
            "2023-08-15T23:36:38Z",
            "2023-08-15T23:36:38",
            "2023-08-15T23:36:38.123456Z",
            "2023-11-15T10:00:00-07:00",
            "2024-02-29T00:00:00+14:00",
            "2000-02-29T12:00:00Z",
            "0000-02-29T12:00:00Z",
            "-0044-03-15T12:00:00Z",
            "12023-01-01T00:00:00Z",
            "2023-12-31T24:00:00Z",
            "2023-12-31T24:00:00.000Z",
        ] {
            assert!(is_xsd_date_time(value), "{value}");
        }
    }

    #[test]
    fn date_time_stamps_name_instants() {
        for (value, seconds) in [
            ("1970-01-01T00:00:00Z", 0),
            ("2023-08-15T23:36:38Z", 1_692_142_598),
            ("2023-08-15T23:36:38.999Z", 1_692_142_598),
            ("2023-08-16T01:36:38+02:00", 1_692_142_598),
            ("2023-08-15T16:36:38-07:00", 1_692_142_598),
            ("2000-02-29T00:00:00Z", 951_782_400),
            ("1969-12-31T23:59:59Z", -1),
            ("2023-12-31T24:00:00Z", 1_704_067_200),
        ] {
            assert_eq!(date_time_stamp_seconds(value), Some(seconds), "{value}");
        }
        // No time zone: a dateTime, but no instant.
        assert_eq!(date_time_stamp_seconds("2023-08-15T23:36:38"), None);
        assert_eq!(date_time_stamp_seconds("2023-08-15"), None);
    }

    #[test]
    fn invalid_date_times() {
        for value in [
            "",
            "2023-08-15",
            "2023-08-15T23:36Z",
            "2023-8-15T23:36:38Z",
            "23-08-15T23:36:38Z",
            "02023-08-15T23:36:38Z",
            "2023-08-15 23:36:38Z",
            "2023-08-15t23:36:38Z",
            "2023-13-01T00:00:00Z",
            "2023-00-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2023-04-31T00:00:00Z",
            "2023-08-00T00:00:00Z",
            "2023-08-15T25:00:00Z",
            "2023-08-15T24:00:01Z",
            "2023-08-15T24:00:00.5Z",
            "2023-08-15T23:60:00Z",
            "2023-08-15T23:59:60Z",
            "2023-08-15T23:59:59.Z",
            "2023-08-15T23:59:59+15:00",
            "2023-08-15T23:59:59+14:30",
            "2023-08-15T23:59:59+0100",
            "2023-08-15T23:59:59ZZ",
            "2023-08-15T23:59:59 ",
            "Tue Aug 15 2023",
            "2023-08-15T23:36:38.١Z",
        ] {
            assert!(!is_xsd_date_time(value), "{value}");
        }
    }
}
