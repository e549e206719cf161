//! Interview practice that is not recall: rubric prompts answered aloud and
//! marked against the key points an interviewer listens for.

use std::time::Duration;

use crate::schedule::Rating;

/// What the learner marked on a rubric answer: the key points covered (by
/// index), how many there were, and the scratch notes typed while answering.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RubricMarks {
    /// Indices (0-based) of the key points covered.
    pub covered: Vec<u16>,
    /// How many key points the rubric had.
    pub total: u16,
    /// Scratch notes, possibly empty.
    pub notes: String,
}

/// The rating a rubric answer earns: the share of key points covered, one
/// step lower when the answer ran over its time box (an interview is timed).
///
/// | covered | rating |
/// |---|---|
/// | 90% or more | Easy |
/// | 65% or more | Good |
/// | 35% or more | Hard |
/// | less | Again |
pub fn propose_rating(
    covered: usize,
    total: usize,
    took: Duration,
    time_box: Option<Duration>,
) -> Rating {
    if total == 0 {
        return Rating::Again;
    }
    let share = covered.min(total) as f64 / total as f64;
    let rating = if share >= 0.9 {
        Rating::Easy
    } else if share >= 0.65 {
        Rating::Good
    } else if share >= 0.35 {
        Rating::Hard
    } else {
        Rating::Again
    };
    match time_box {
        Some(limit) if took > limit => lower(rating),
        _ => rating,
    }
}

/// One step down, Again staying Again.
fn lower(rating: Rating) -> Rating {
    match rating {
        Rating::Easy => Rating::Good,
        Rating::Good => Rating::Hard,
        Rating::Hard | Rating::Again => Rating::Again,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);

    #[test]
    fn rating_follows_the_share_of_points_covered() {
        let rate = |covered, total| propose_rating(covered, total, MIN, None);
        assert_eq!(rate(8, 8), Rating::Easy);
        assert_eq!(rate(9, 10), Rating::Easy);
        assert_eq!(rate(8, 10), Rating::Good);
        assert_eq!(rate(13, 20), Rating::Good);
        assert_eq!(rate(6, 10), Rating::Hard);
        assert_eq!(rate(4, 10), Rating::Hard);
        assert_eq!(rate(3, 10), Rating::Again);
        assert_eq!(rate(0, 6), Rating::Again);
        assert_eq!(rate(0, 0), Rating::Again);
        assert_eq!(
            rate(12, 10),
            Rating::Easy,
            "more ticks than points count as all"
        );
    }

    #[test]
    fn running_over_the_time_box_costs_one_step() {
        let ten = Some(10 * MIN);
        assert_eq!(propose_rating(10, 10, 9 * MIN, ten), Rating::Easy);
        assert_eq!(propose_rating(10, 10, 10 * MIN, ten), Rating::Easy);
        assert_eq!(propose_rating(10, 10, 11 * MIN, ten), Rating::Good);
        assert_eq!(propose_rating(7, 10, 11 * MIN, ten), Rating::Hard);
        assert_eq!(propose_rating(5, 10, 11 * MIN, ten), Rating::Again);
        assert_eq!(propose_rating(1, 10, 11 * MIN, ten), Rating::Again);
    }
}
