//! Printing a [`Query`] back as search text: a normal form that parses to a
//! query printing the same way (the property tests check it), used to show
//! a search as Rehearse understood it.

use std::fmt;

use super::*;

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_expr(&self.expr, Parent::Top, f)
    }
}

/// What an expression is printed inside, which decides whether it needs
/// brackets to keep its shape.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Parent {
    Top,
    And,
    Or,
    Not,
}

impl Query {
    fn write_expr(&self, expr: &Expr, parent: Parent, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match expr {
            Expr::All => Ok(()),
            Expr::Leaf(i) => match self.terms.get(*i) {
                Some(term) => write_term(term, f),
                None => Ok(()),
            },
            Expr::And(parts) => {
                // `and` binds tighter than `or`, so only a nested and (or a
                // negated one) needs brackets to stay one group.
                let bracket = matches!(parent, Parent::And | Parent::Not);
                self.write_list(parts, " ", Parent::And, bracket, f)
            }
            Expr::Or(parts) => {
                let bracket = parent != Parent::Top;
                self.write_list(parts, " or ", Parent::Or, bracket, f)
            }
            Expr::Not(inner) => {
                f.write_str("-")?;
                match inner.as_ref() {
                    Expr::And(_) | Expr::Or(_) => self.write_expr(inner, Parent::Not, f),
                    other => {
                        f.write_str("(")?;
                        self.write_expr(other, Parent::Not, f)?;
                        f.write_str(")")
                    }
                }
            }
        }
    }

    fn write_list(
        &self,
        parts: &[Expr],
        separator: &str,
        parent: Parent,
        bracket: bool,
        f: &mut fmt::Formatter<'_>,
    ) -> fmt::Result {
        if bracket {
            f.write_str("(")?;
        }
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                f.write_str(separator)?;
            }
            self.write_expr(part, parent, f)?;
        }
        if bracket {
            f.write_str(")")?;
        }
        Ok(())
    }
}

fn write_term(term: &Term, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    if term.negated {
        f.write_str("-")?;
    }
    match &term.test {
        Test::Text(text) => f.write_str(&quote(text)),
        Test::Find(Re(re)) => write!(f, "re:{}", quote(&re.as_str().replace('"', "\\x22"))),
        Test::Field(Side::Front, raw, _) => write!(f, "front:{}", quote(raw)),
        Test::Field(Side::Back, raw, _) => write!(f, "back:{}", quote(raw)),
        Test::NoCombining(text, _) => write!(f, "nc:{}", quote(text)),
        Test::CardNumber(n) => write!(f, "card:{n}"),
        Test::Deck(p) => write!(f, "deck:{}", quote(&p.raw)),
        Test::Tag(p) => write!(f, "tag:{}", quote(&p.raw)),
        Test::Topic(p) => write!(f, "topic:{}", quote(&p.raw)),
        Test::Is(status) => write!(f, "is:{}", status_name(*status)),
        Test::Prop(property, cmp, value) => write!(
            f,
            "prop:{}{}{value}",
            property_name(*property),
            operator(*cmp)
        ),
        Test::DueIn(cmp, days) => write!(f, "prop:due{}{days}", operator(*cmp)),
        Test::Rated(days) => write!(f, "rated:{days}"),
        Test::RatedAs(days, rating) => write!(f, "rated:{days}:{}", rating.number()),
        Test::Added(days) => write!(f, "added:{days}"),
        Test::Edited(days) => write!(f, "edited:{days}"),
        Test::Introduced(days) => write!(f, "introduced:{days}"),
    }
}

/// `"text"`; text holding a quote cannot be quoted (quotes have no
/// escapes), but then it was written bare, without spaces, and prints so.
fn quote(text: &str) -> String {
    if text.contains('"') {
        text.to_string()
    } else {
        format!("\"{text}\"")
    }
}

fn status_name(status: Status) -> &'static str {
    match status {
        Status::Buried => "buried",
        Status::New => "new",
        Status::Learning => "learning",
        Status::Due => "due",
        Status::Review => "review",
        Status::Suspended => "suspended",
        Status::Leech => "leech",
    }
}

fn property_name(property: Property) -> &'static str {
    match property {
        Property::Retrievability => "r",
        Property::Stability => "s",
        Property::Difficulty => "d",
        Property::Interval => "ivl",
        Property::Reps => "reps",
        Property::Lapses => "lapses",
    }
}

fn operator(cmp: Cmp) -> &'static str {
    match cmp {
        Cmp::Lt => "<",
        Cmp::Le => "<=",
        Cmp::Gt => ">",
        Cmp::Ge => ">=",
        Cmp::Eq => "=",
        Cmp::Ne => "!=",
    }
}
