//! `x` exports the table in focus, `X` the detail's template table: each file's
//! header and rows are the table's as shown, ids included, numbers as drawn.

mod tui_support;

use sltui::config::keymap::Action;
use sltui::tui::msg::Effect;
use sltui::tui::state::AppState;
use tui_support::*;

/// The one file an export key asked the loop to write: name, lines, what.
fn export(s: &mut AppState, action: Action) -> (String, Vec<String>, String) {
    let fx = act(s, action);
    let [
        Effect::Save {
            file_name,
            contents,
            what,
        },
    ] = fx.as_slice()
    else {
        panic!("one file to write: {fx:?} ({:?})", s.message())
    };
    let lines = contents.lines().map(str::to_string).collect();
    (file_name.clone(), lines, what.clone())
}

fn cells(line: &str) -> Vec<&str> {
    line.split(',').collect()
}

#[test]
fn people_results_export_in_the_order_shown_with_ids_and_marks() {
    let mut s = people_search();
    let (file, lines, what) = export(&mut s, Action::Export);
    assert!(
        file.starts_with("sltui-people-") && file.ends_with(".csv"),
        "{file}"
    );
    assert_eq!(lines[0], "person_id,name,email,company,title,marked");
    assert_eq!(what, "3 people");
    // As drawn: Ada (marked), Alan, Grace.
    let ids: Vec<&str> = lines[1..].iter().map(|l| cells(l)[0]).collect();
    let shown: Vec<String> = s
        .people
        .search
        .hits
        .hits
        .iter()
        .map(|&i| s.people.search.index.get(i).unwrap().id.to_string())
        .collect();
    assert_eq!(ids, shown);
    assert_eq!(
        cells(&lines[1]),
        [
            "501",
            "Ada Lovelace",
            "ada@analytical.io",
            "Analytical Engines",
            "CTO",
            "true"
        ]
    );
    assert_eq!(cells(&lines[2])[5], "false");
}

#[test]
fn the_detail_exports_the_pane_in_focus_steps_then_people() {
    let mut s = detail_funnel();
    let (file, lines, what) = export(&mut s, Action::Export);
    assert!(file.starts_with("sltui-steps-"), "{file}");
    assert_eq!(what, "4 steps");
    assert_eq!(
        lines[0],
        "cadence_id,step_id,step_number,day,type,name,disabled,range,people_reached,drop_off,\
         sent,delivered,opened,clicked,replied,bounced,open_rate,click_rate,reply_rate,bounce_rate"
    );
    let rows: Vec<Vec<&str>> = lines[1..].iter().map(|l| cells(l)).collect();
    // Cadence order, the disabled step listed and marked.
    let ids: Vec<&str> = rows.iter().map(|r| r[1]).collect();
    assert_eq!(ids, ["11", "12", "13", "14"]);
    assert_eq!(
        &rows[0][..9],
        [
            "1",
            "11",
            "1",
            "1",
            "email",
            "Intro email",
            "false",
            "last 30 days",
            "832"
        ]
    );
    assert_eq!(rows[3][6], "true");
    // Reached and drop-off as the bars show them: 832 → 701 is a 15.7% loss.
    assert_eq!(rows[0][9], "");
    assert_eq!(rows[1][9], format!("{:.4}", 1.0 - 701.0 / 832.0));
    // The step's emails are the aggregator's, as the table's Sent column.
    let e = s.metrics.agg.by_step(11);
    assert_eq!(rows[0][10], e.sent.to_string());
    assert_eq!(rows[0][10], "2");
    // A phone step sends no emails: no counts, not zeros.
    assert_eq!(rows[2][4], "phone");
    assert!(rows[2][10..].iter().all(|c| c.is_empty()), "{:?}", rows[2]);

    // The people pane in focus: its people.
    act(&mut s, Action::SwitchPane);
    let (file, lines, what) = export(&mut s, Action::Export);
    assert!(file.starts_with("sltui-cadence-people-"), "{file}");
    assert_eq!(what, "2 people");
    assert_eq!(
        lines[0],
        "cadence_id,person_id,name,email,state,currently_on_cadence,sent"
    );
    assert_eq!(
        cells(&lines[1]),
        [
            "1",
            "501",
            "Ada Lovelace",
            "ada@analytical.io",
            "active",
            "true",
            "2"
        ]
    );
    assert_eq!(cells(&lines[2])[..2], ["1", "502"]);
    assert_eq!(cells(&lines[2])[4..], ["removed_no_action", "false", "2"]);
}

#[test]
fn the_template_table_of_the_step_under_the_cursor_exports_with_its_statistics() {
    let mut s = detail_funnel();
    let (file, lines, what) = export(&mut s, Action::ExportTemplates);
    assert!(file.starts_with("sltui-templates-"), "{file}");
    assert_eq!(what, "3 templates");
    assert_eq!(
        lines[0],
        "cadence_id,step_id,range,template_id,template_name,sent,delivered,replied,reply_rate,\
         reply_rate_ci_low,reply_rate_ci_high,leader,p_value,p_better,verdict"
    );
    let rows: Vec<Vec<&str>> = lines[1..].iter().map(|l| cells(l)).collect();
    let d = s.cadences.detail.as_ref().unwrap();
    let stats = &d.funnel.data.as_ref().unwrap().templates[&11];
    for (row, t) in rows.iter().zip(stats) {
        assert_eq!(row[..2], ["1", "11"]);
        assert_eq!(
            row[3],
            t.template_id.map_or(String::new(), |id| id.to_string())
        );
        assert_eq!(row[6], t.engagement.delivered.to_string());
        assert_eq!(row[11], t.leader.to_string());
        assert_eq!(row[14], t.verdict.as_str());
    }
    // The leader: 41 of 410 replied, no p-value against itself.
    let leader = rows.iter().find(|r| r[11] == "true").unwrap();
    assert_eq!(
        leader[3..9],
        ["901", "Intro: short", "420", "410", "41", "0.1000"]
    );
    assert_eq!(leader[12], "");
    let other = rows.iter().find(|r| r[3] == "902").unwrap();
    let p: f64 = other[12].parse().unwrap();
    assert!(p > 0.0 && p < 0.01, "{other:?}");
    let (lo, hi): (f64, f64) = (other[9].parse().unwrap(), other[10].parse().unwrap());
    assert!(lo < 14.0 / 392.0 && 14.0 / 392.0 < hi, "{other:?}");

    // A step without emails says so and writes nothing.
    act(&mut s, Action::Down);
    act(&mut s, Action::Down); // the phone step
    assert!(act(&mut s, Action::ExportTemplates).is_empty());
    assert!(
        s.message().unwrap().text.contains("no templates"),
        "{:?}",
        s.message()
    );
    // Outside the detail it says where the table is.
    act(&mut s, Action::Back);
    assert!(act(&mut s, Action::ExportTemplates).is_empty());
    assert!(s.message().unwrap().text.contains("cadence's detail"));
}

#[test]
fn a_person_exports_their_cadences() {
    let mut s = person_page();
    let (file, lines, what) = export(&mut s, Action::Export);
    assert!(file.starts_with("sltui-person-cadences-"), "{file}");
    assert_eq!(what, "1 cadence");
    assert_eq!(
        lines[0],
        "person_id,cadence_id,cadence_name,state,currently_on_cadence,added_at,sent,opens,replies"
    );
    let row = cells(&lines[1]);
    assert_eq!(row[..5], ["502", "1", "Q3 Outbound", "active", "true"]);
    assert!(row[5].starts_with("2024-05-01"), "{row:?}");
}

#[test]
fn the_activity_ranking_exports_busiest_first() {
    let mut s = loaded();
    act(&mut s, Action::View3);
    let (file, lines, what) = export(&mut s, Action::Export);
    assert!(file.starts_with("sltui-activity-"), "{file}");
    assert_eq!(what, "4 cadences");
    assert_eq!(
        lines[0],
        "rank,cadence_id,name,opens_10min,clicks_10min,replies_10min,range,open_rate"
    );
    let ranked = s.ranked_cadences();
    let mut rated = 0;
    for (i, (line, (id, counts))) in lines[1..].iter().zip(&ranked).enumerate() {
        let row = cells(line);
        assert_eq!(row[0], (i + 1).to_string());
        assert_eq!(row[1], id.to_string());
        assert_eq!(row[3..6], counts.map(|n| n.to_string()));
        assert_eq!(row[6], "last 30 days");
        // The open rate over the range, as the screen's Open rate column.
        let open = s.metrics.agg.by_cadence(*id).rates().open;
        assert_eq!(row[7], open.map_or(String::new(), |r| format!("{r:.4}")));
        rated += usize::from(open.is_some());
    }
    assert!(rated > 0, "some cadence has an open rate: {lines:?}");
}

#[test]
fn the_alert_rules_export_with_what_each_says_now() {
    let mut s = alerting();
    act(&mut s, Action::View4);
    let (file, lines, what) = export(&mut s, Action::Export);
    assert!(file.starts_with("sltui-alerts-"), "{file}");
    assert_eq!(what, "4 rules");
    assert_eq!(
        lines[0],
        "name,metric,direction,threshold,days,min_sent,drop_vs_days,cadence_id,scope,condition,\
         state,sent,value,rate,baseline_rate,note"
    );
    // "Q3 replies low": cadence 1's reply rate 1/3 is below 50%.
    let q3 = &lines[1];
    assert!(
        q3.starts_with("Q3 replies low,reply_rate,below,0.5000,7,2,,1,Q3 Outbound,"),
        "{q3}"
    );
    assert!(q3.contains(",firing,4,0.3333,0.3333,,"), "{q3}");
    assert!(lines[2].contains(",every cadence,"), "{}", lines[2]);
    assert!(lines[2].contains(",quiet,"), "{}", lines[2]);
    assert!(lines[3].contains(",too_few,"), "{}", lines[3]);
    assert!(lines[4].contains(",not_evaluated,"), "{}", lines[4]);
}

#[test]
fn an_empty_table_says_so_and_writes_nothing() {
    let mut s = loaded();
    act(&mut s, Action::View2);
    act(&mut s, Action::Filter);
    typ(&mut s, "zzzz");
    assert!(act(&mut s, Action::Export).is_empty());
    assert!(s.message().unwrap().text.contains("no people on screen"));
    act(&mut s, Action::View4);
    assert!(act(&mut s, Action::Export).is_empty());
    assert!(s.message().unwrap().text.contains("[[alerts]]"));
}

/// What the screen shows of one table: the header line holding the first two
/// titles of `map` (the pane's part of it, between its borders) at
/// `width`x`height`. Every title on that header must be one of `map`'s
/// (nothing else may be left on it; a narrow pane may leave some out), and
/// every column `map` names must be in the CSV `action` writes.
fn csv_has_the_screens_columns(
    s: &mut AppState,
    (width, height): (u16, u16),
    action: Action,
    map: &[(&str, &str)],
) {
    let text = screen_text(s, width, height);
    let header = text
        .lines()
        .flat_map(|l| l.split('│'))
        .find(|seg| map[..2].iter().all(|(t, _)| seg.contains(t)))
        .unwrap_or_else(|| panic!("no header with {:?}:\n{text}", &map[..2]))
        .to_string();
    let mut rest = header.clone();
    let mut titles: Vec<&str> = map.iter().map(|(t, _)| *t).collect();
    titles.sort_by_key(|t| std::cmp::Reverse(t.len()));
    for t in titles {
        if let Some(at) = rest.find(t) {
            rest.replace_range(at..at + t.len(), " ");
        }
    }
    assert!(
        !rest.chars().any(char::is_alphanumeric),
        "a column on screen that the CSV check does not know: {rest:?} of {header:?}"
    );
    let (_, lines, _) = export(s, action);
    let csv = cells(&lines[0]);
    for (title, column) in map {
        assert!(
            csv.contains(column),
            "{title:?} on screen, no {column:?} in the CSV: {}",
            lines[0]
        );
    }
}

#[test]
fn every_table_exports_at_least_the_columns_its_screen_shows() {
    let mut s = loaded();
    act(&mut s, Action::ToggleIds);
    let cadences = [
        ("Name", "name"),
        ("Bounce", "bounce_rate"),
        ("ID", "cadence_id"),
        ("State", "state"),
        ("Team", "team_or_personal"),
        ("People", "people"),
        ("Sent", "sent"),
        ("Open", "open_rate"),
        ("Click", "click_rate"),
        ("Reply", "reply_rate"),
    ];
    csv_has_the_screens_columns(&mut s, (120, 40), Action::Export, &cadences);

    let mut s = people_search();
    act(&mut s, Action::ToggleIds);
    let people = [
        ("Name", "name"),
        ("Company", "company"),
        ("ID", "person_id"),
        ("Email", "email"),
        ("Title", "title"),
    ];
    csv_has_the_screens_columns(&mut s, (120, 40), Action::Export, &people);

    let mut s = person_page();
    let person = [
        ("Cadence", "cadence_name"),
        ("Added", "added_at"),
        ("State", "state"),
        ("Sent", "sent"),
        ("Opens", "opens"),
        ("Replies", "replies"),
    ];
    csv_has_the_screens_columns(&mut s, (120, 40), Action::Export, &person);

    let mut s = detail_funnel();
    let steps = [
        ("Day", "day"),
        ("Reached", "people_reached"),
        ("ID", "step_id"),
        ("Type", "type"),
        ("Name", "name"),
        ("Drop", "drop_off"),
        ("Sent", "sent"),
        ("Open", "open_rate"),
        ("Click", "click_rate"),
        ("Reply", "reply_rate"),
    ];
    csv_has_the_screens_columns(&mut s, (120, 40), Action::Export, &steps);
    let templates = [
        ("Template", "template_name"),
        ("Deliv", "delivered"),
        ("Sent", "sent"),
        ("Repl", "replied"),
        ("Reply", "reply_rate"),
        ("95% CI", "reply_rate_ci_low"),
        ("P(better)", "p_better"),
        ("p", "p_value"),
        ("Verdict", "verdict"),
    ];
    csv_has_the_screens_columns(&mut s, (120, 40), Action::ExportTemplates, &templates);
    act(&mut s, Action::SwitchPane);
    let members = [
        ("Name", "name"),
        ("State", "state"),
        ("Email", "email"),
        ("Sent", "sent"),
    ];
    csv_has_the_screens_columns(&mut s, (120, 40), Action::Export, &members);

    let mut s = loaded();
    act(&mut s, Action::View3);
    let activity = [
        ("Cadence", "name"),
        ("Open rate", "open_rate"),
        ("Opens", "opens_10min"),
        ("Clicks", "clicks_10min"),
        ("Replies", "replies_10min"),
    ];
    csv_has_the_screens_columns(&mut s, (100, 30), Action::Export, &activity);

    let mut s = alerting();
    act(&mut s, Action::View4);
    let alerts = [
        ("Rule", "name"),
        ("Watches", "condition"),
        ("State", "state"),
        ("Now", "value"),
        ("Scope", "scope"),
    ];
    csv_has_the_screens_columns(&mut s, (120, 40), Action::Export, &alerts);
}

#[test]
fn activity_says_so_when_a_cadences_range_was_not_read() {
    let mut s = loaded();
    // Cadence 1's range not read (the cost question cancelled, say): its
    // numbers are the live minutes only.
    s.metrics.loaded.remove(&1);
    assert!(!s.engagement_known(1));
    act(&mut s, Action::View3);
    let text = screen_text(&s, 100, 30);
    let q3 = text.lines().find(|l| l.contains("Q3 Outbound")).unwrap();
    assert!(q3.trim_end_matches('│').trim_end().ends_with('?'), "{q3}");
    let (_, lines, _) = export(&mut s, Action::Export);
    let row = lines.iter().find(|l| l.contains("Q3 Outbound")).unwrap();
    assert!(
        row.ends_with(",last 30 days,"),
        "no open rate, not a made-up one: {row}"
    );
    let other = lines.iter().find(|l| l.contains("Webinar")).unwrap();
    assert!(!other.ends_with(','), "{other}");
}

#[test]
fn the_cadences_csv_ends_with_the_screens_totals_row() {
    let mut s = loaded();
    let (_, lines, what) = export(&mut s, Action::Export);
    assert_eq!(what, "4 cadences", "the totals row is not a cadence");
    assert_eq!(lines.len(), 1 + 4 + 1, "header, 4 cadences, total");
    let header = cells(&lines[0]);
    let total = cells(lines.last().unwrap());
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    assert_eq!(total[col("cadence_id")], "total");
    assert_eq!(total[col("name")], "Total (4 shown)");
    assert_eq!(total[col("people")], "155");
    // The counts are the rows' sums...
    for name in [
        "sent",
        "delivered",
        "opened",
        "clicked",
        "replied",
        "bounced",
    ] {
        let sum: u64 = lines[1..5]
            .iter()
            .map(|l| cells(l)[col(name)].parse::<u64>().unwrap())
            .sum();
        assert_eq!(total[col(name)], sum.to_string(), "{name}");
    }
    // ...and the rates over them, as the screen's 80.0% 40.0% 20.0% 16.7%.
    let rates: Vec<&str> = ["open_rate", "click_rate", "reply_rate", "bounce_rate"]
        .iter()
        .map(|n| total[col(n)])
        .collect();
    assert_eq!(rates, ["0.8000", "0.4000", "0.2000", "0.1667"]);
    assert_eq!(total[col("counted")], "true");
    // One shown cadence not read for the range: no total stands for it.
    s.metrics.loaded.remove(&2);
    let (_, lines, _) = export(&mut s, Action::Export);
    let total = cells(lines.last().unwrap());
    assert_eq!(total[col("cadence_id")], "total");
    assert_eq!(total[col("sent")], "");
    assert_eq!(total[col("open_rate")], "");
    assert_eq!(total[col("counted")], "false");
    // Filtered: the total covers what is shown.
    s.metrics.loaded.insert(2);
    act(&mut s, Action::Filter);
    typ(&mut s, "q3");
    let (_, lines, _) = export(&mut s, Action::Export);
    assert_eq!(lines.len(), 3);
    let total = cells(&lines[2]);
    assert_eq!(total[col("name")], "Total (1 shown)");
    assert_eq!(total[col("sent")], "4");
}

#[test]
fn the_steps_say_so_when_the_cadences_range_was_not_read() {
    let mut s = q3_detail();
    let (_, lines, _) = export(&mut s, Action::Export);
    let sent = cells(&lines[0]).iter().position(|h| *h == "sent").unwrap();
    let intro = lines.iter().find(|l| l.contains("Intro email")).unwrap();
    assert_eq!(cells(intro)[sent], "2", "{intro}");
    // The range not read (the cost question cancelled, say): the live minutes
    // alone would pass for the step's numbers.
    s.metrics.loaded.remove(&1);
    let text = screen_text(&s, 120, 40);
    let row = text.lines().find(|l| l.contains("Intro email")).unwrap();
    assert!(row.contains("?") && !row.contains('%'), "{row}");
    let (_, lines, _) = export(&mut s, Action::Export);
    let intro = lines.iter().find(|l| l.contains("Intro email")).unwrap();
    assert_eq!(cells(intro)[sent], "", "{intro}");
}
