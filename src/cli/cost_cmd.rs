//! `sltui cost`: what reading N records costs by page walk versus cursor walk.

use super::args::CostArgs;
use crate::budget::{cursor_walk, page_walk};

pub fn run(args: &CostArgs) -> i32 {
    print!("{}", render(args));
    0
}

fn render(args: &CostArgs) -> String {
    let page = page_walk(args.records, args.per_page);
    let cursor = cursor_walk(args.records);
    let budget = args.budget;
    let mut out = format!(
        "Reading {} records with a budget of {} points a minute:\n\n",
        args.records, budget
    );
    out.push_str(&format!(
        "  {:<34} {:>9} {:>9} {:>12}\n",
        "strategy", "requests", "points", "budget min"
    ));
    let rows = [
        (
            format!("page walk ({} per page)", args.per_page.clamp(1, 100)),
            page,
        ),
        ("cursor walk (updated_at, 100/page)".to_string(), cursor),
    ];
    for (name, cost) in rows {
        out.push_str(&format!(
            "  {:<34} {:>9} {:>9} {:>12.1}\n",
            name,
            cost.requests,
            cost.points,
            cost.minutes(budget)
        ));
    }
    let ratio = page.points as f64 / cursor.points.max(1) as f64;
    out.push_str(&format!(
        "\nThe cursor walk costs {:.1}x fewer points ({} saved, {:.1} minutes of the team's budget).\n",
        ratio,
        page.points.saturating_sub(cursor.points),
        page.minutes(budget) - cursor.minutes(budget)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_shows_the_documented_figures() {
        let text = render(&CostArgs {
            records: 50_000,
            per_page: 100,
            budget: 600,
        });
        assert!(text.contains("3550"), "{text}");
        assert!(text.contains("500"), "{text}");
        assert!(text.contains("5.9"), "{text}");
        assert!(text.contains("7.1x fewer"), "{text}");
    }
}
