//! Timestamps: RFC 3339 formatting and parsing, durations like `14d`, and
//! relative ages ("2h ago"). Kept dependency-free on purpose: the formats we
//! read and write are narrow and documented in `docs/FORMAT.md`.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, now.
pub fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Days since 1970-01-01 to a civil (year, month, day), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The earliest time we format: 0000-01-01T00:00:00Z.
pub const MIN_UNIX: i64 = -62_167_219_200;
/// The latest time we format: 9999-12-31T23:59:59Z.
pub const MAX_UNIX: i64 = 253_402_300_799;

/// Format Unix seconds as RFC 3339 in UTC, e.g. `2026-11-25T20:10:00Z`.
/// Times outside years 0000-9999 (a hostile commit date can say anything)
/// are clamped to that range, so the result is always 20 ASCII characters.
pub fn rfc3339(secs: i64) -> String {
    let secs = secs.clamp(MIN_UNIX, MAX_UNIX);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, mo, d) = civil_from_days(days);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Parse the RFC 3339 subset we write (and common variants with an offset).
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || (b[10] != b'T' && b[10] != b't') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(r)?;
        if !s.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.as_bytes()[3] != b':' {
                return None;
            }
            let oh: i64 = rest[1..3].parse().ok()?;
            let om: i64 = rest[4..6].parse().ok()?;
            sign * (oh * 3600 + om * 60)
        }
    };
    Some(days_from_civil(y, mo as u32, d as u32) * 86_400 + h * 3600 + mi * 60 + s - offset)
}

/// The longest duration a policy may give: 100 years of 365 days (`36500d`),
/// 3,153,600,000 seconds. Every parsed duration is at most this, so adding it to
/// an `Instant` or comparing it with an `i64` age can never overflow.
pub const MAX_DURATION_SECS: u64 = 36_500 * 86_400;

/// Why a duration did not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DurationError {
    /// Not of the form `30m`, `1h30m`, `14d`, `90`.
    Invalid,
    /// Longer than [`MAX_DURATION_SECS`].
    TooLong,
}

impl std::fmt::Display for DurationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DurationError::Invalid => f.write_str("is not a duration (use e.g. 30m, 24h, 14d)"),
            DurationError::TooLong => {
                f.write_str("is longer than the maximum of 100 years (36500d)")
            }
        }
    }
}

/// Parse a duration such as `30m`, `24h`, `14d`, `90s`, `2w` or `1h30m` into
/// seconds, at most [`MAX_DURATION_SECS`]. A bare number means seconds, as
/// `timeout(1)` does. All arithmetic is checked: a value too large for the
/// maximum is [`DurationError::TooLong`], never a wrapped number.
pub fn parse_duration(text: &str) -> Result<u64, DurationError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DurationError::Invalid);
    }
    let mut total: u64 = 0;
    let mut number: Option<u64> = None;
    fn add(n: u64, unit: u64, total: &mut u64) -> Result<(), DurationError> {
        *total = n
            .checked_mul(unit)
            .and_then(|s| total.checked_add(s))
            .filter(|&t| t <= MAX_DURATION_SECS)
            .ok_or(DurationError::TooLong)?;
        Ok(())
    }
    for c in text.chars() {
        if let Some(d) = c.to_digit(10) {
            // Saturate: any number past u64 is far past the maximum anyway.
            let n = number.unwrap_or(0);
            number = Some(n.saturating_mul(10).saturating_add(u64::from(d)));
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(DurationError::Invalid),
        };
        let n = number.take().ok_or(DurationError::Invalid)?;
        add(n, unit, &mut total)?;
    }
    if let Some(n) = number {
        add(n, 1, &mut total)?;
    }
    Ok(total)
}

/// "just now", "5m ago", "2h ago", "3d ago", or a date for old times.
pub fn relative(then: i64, now: i64) -> String {
    let delta = now.saturating_sub(then);
    if delta < 0 {
        return "in the future".into();
    }
    match delta {
        0..=59 => "just now".into(),
        60..=3599 => format!("{}m ago", delta / 60),
        3600..=86_399 => format!("{}h ago", delta / 3600),
        86_400..=2_591_999 => format!("{}d ago", delta / 86_400),
        _ => rfc3339(then)[..10].to_string(),
    }
}

/// A short human duration for elapsed times: `850ms`, `12.3s`, `4m05s`.
pub fn short_duration_ms(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        format!("{:.1}s", ms as f64 / 1000.0)
    } else {
        format!("{}m{:02}s", ms / 60_000, (ms / 1000) % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trips() {
        for secs in [0, 1_764_100_000, 951_782_400, -86_400, 4_102_444_800] {
            assert_eq!(
                parse_rfc3339(&rfc3339(secs)),
                Some(secs),
                "{}",
                rfc3339(secs)
            );
        }
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(
            parse_rfc3339("2000-02-29T12:00:00+01:00"),
            Some(951_822_000)
        );
        assert_eq!(parse_rfc3339("2000-02-29 12:00:00Z"), None);
        assert_eq!(parse_rfc3339("garbage"), None);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30m"), Ok(1800));
        assert_eq!(parse_duration("1h30m"), Ok(5400));
        assert_eq!(parse_duration("14d"), Ok(14 * 86_400));
        assert_eq!(parse_duration("90"), Ok(90));
        assert_eq!(parse_duration("5x"), Err(DurationError::Invalid));
        assert_eq!(parse_duration(""), Err(DurationError::Invalid));
        assert_eq!(parse_duration("m"), Err(DurationError::Invalid));
        assert_eq!(parse_duration("1hm"), Err(DurationError::Invalid));
    }

    #[test]
    fn durations_are_bounded_without_wrapping() {
        assert_eq!(parse_duration("36500d"), Ok(MAX_DURATION_SECS));
        assert_eq!(parse_duration("3153600000"), Ok(MAX_DURATION_SECS));
        for text in [
            "36500d1s",
            "3153600001",
            "10000000000000000000s",
            "9223372036854775807",
            "18446744073709551615",
            "99999999999999999999999999d",
            "30500000000w",
            "36499d86400s1s",
        ] {
            assert_eq!(parse_duration(text), Err(DurationError::TooLong), "{text}");
        }
        // The maximum fits i64 and an Instant with room to spare.
        assert!(i64::try_from(MAX_DURATION_SECS).is_ok());
        let _ = std::time::Instant::now() + std::time::Duration::from_secs(MAX_DURATION_SECS);
    }

    #[test]
    fn extreme_times_format_without_overflow() {
        assert_eq!(rfc3339(i64::MAX), "9999-12-31T23:59:59Z");
        assert_eq!(rfc3339(i64::MIN), "0000-01-01T00:00:00Z");
        assert_eq!(parse_rfc3339(&rfc3339(MAX_UNIX)), Some(MAX_UNIX));
        assert_eq!(parse_rfc3339(&rfc3339(MIN_UNIX)), Some(MIN_UNIX));
        assert_eq!(relative(i64::MIN, i64::MAX), "0000-01-01");
        assert_eq!(relative(i64::MAX, i64::MIN), "in the future");
    }

    #[test]
    fn relative_times() {
        assert_eq!(relative(100, 100), "just now");
        assert_eq!(relative(0, 7200), "2h ago");
        assert_eq!(relative(0, 3 * 86_400), "3d ago");
    }
}
