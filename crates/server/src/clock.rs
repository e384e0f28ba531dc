//! The server's clock: the system's, or in training (REOPEN_NOW) a fixed start moved on by the
//! real time elapsed, so deadlines and idle sessions behave as in real use.

use std::time::Instant;

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy)]
pub struct Clock {
    start: Option<(DateTime<Utc>, Instant)>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock { start: None }
    }

    pub fn training(start: DateTime<Utc>) -> Clock {
        Clock {
            start: Some((start, Instant::now())),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self.start {
            None => Utc::now(),
            Some((start, origin)) => chrono::Duration::from_std(origin.elapsed())
                .ok()
                .and_then(|d| start.checked_add_signed(d))
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_training_clock_starts_at_its_start_and_runs_on() {
        let start = DateTime::parse_from_rfc3339("2020-02-05T09:00:00+08:00")
            .unwrap()
            .with_timezone(&Utc);
        let c = Clock::training(start);
        let a = c.now();
        std::thread::sleep(std::time::Duration::from_millis(5));
        let b = c.now();
        assert!(a >= start && b > a && b - start < chrono::Duration::minutes(1));
        assert!(Clock::system().now() > start);
    }
}
