//! Interval fuzz, as Anki applies it: cards learnt on the same day should not
//! stay clumped together forever.

/// The range a review interval of `interval` days may be fuzzed into, clamped to
/// `[minimum, maximum]`. No fuzz under 2.5 days.
pub fn fuzz_range(interval: f32, minimum: u32, maximum: u32) -> (u32, u32) {
    let maximum = maximum.max(1);
    let minimum = minimum.clamp(1, maximum);
    if interval < 2.5 {
        let i = (interval.round() as u32).clamp(minimum, maximum);
        return (i, i);
    }
    let delta = 1.0
        + 0.15 * (interval - 2.5).clamp(0.0, 4.5)
        + 0.10 * (interval - 7.0).clamp(0.0, 13.0)
        + 0.05 * (interval - 20.0).max(0.0);
    let lower = ((interval - delta).round().max(1.0) as u32).clamp(minimum, maximum);
    let upper = ((interval + delta).round() as u32).clamp(minimum, maximum);
    (lower, upper.max(lower))
}

/// Picks an interval from [`fuzz_range`] with `factor` in `[0, 1)`.
pub fn fuzzed(interval: f32, factor: f64, minimum: u32, maximum: u32) -> u32 {
    let (lower, upper) = fuzz_range(interval, minimum, maximum);
    let span = f64::from(upper - lower + 1);
    (lower + (factor.clamp(0.0, 1.0) * span).floor() as u32).min(upper)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng, rngs::StdRng};

    #[test]
    fn reference_bounds() {
        for (i, lo, hi) in [
            (3.0, 2, 4),
            (7.0, 5, 9),
            (10.0, 8, 12),
            (20.0, 17, 23),
            (50.0, 46, 54),
            (100.0, 93, 107),
            (365.0, 345, 385),
        ] {
            assert_eq!(fuzz_range(i, 1, 36_500), (lo, hi), "interval {i}");
        }
        assert_eq!(fuzz_range(2.4, 1, 36_500), (2, 2));
        assert_eq!(fuzz_range(1.0, 1, 36_500), (1, 1));
        assert_eq!(fuzz_range(100.0, 1, 100), (93, 100));
        assert_eq!(fuzz_range(10.0, 11, 36_500), (11, 12));
    }

    #[test]
    fn spread_covers_the_range_evenly() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut counts = [0u32; 15];
        for _ in 0..15_000 {
            let i = fuzzed(100.0, rng.random(), 1, 36_500);
            assert!((93..=107).contains(&i), "{i}");
            counts[(i - 93) as usize] += 1;
        }
        // Each of the 15 values is expected 1000 times; allow generous noise.
        for (k, c) in counts.iter().enumerate() {
            assert!((850..1150).contains(c), "value {} drawn {c} times", 93 + k);
        }
        assert_eq!(fuzzed(100.0, 0.0, 1, 36_500), 93);
        assert_eq!(fuzzed(100.0, 0.999_999, 1, 36_500), 107);
    }
}
