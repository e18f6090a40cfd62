//! The service's clock: the one place it reads the time, which the role crates are handed.

/// Now, Unix seconds.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
