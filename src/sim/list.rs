//! The list engine shared by every list endpoint: candidate rows, filtering,
//! sorting with ties broken by id, paging, and the `metadata` envelope (§2.1).
//!
//! Lists sorted by `updated_at` walk `Table::range_updated`, so a cursor poll over
//! a million emails touches only the rows it returns (plus what it filters out).

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use super::model::{Record, Table};
use super::query::{Paging, Sorting, TimeRange};

/// A sort key. `Null` orders first, so ASC is "NULLS FIRST" and DESC "NULLS LAST".
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortVal {
    Null,
    Int(i64),
    Text(String),
}

impl SortVal {
    pub fn opt_int(v: Option<i64>) -> Self {
        v.map_or(SortVal::Null, SortVal::Int)
    }

    /// Case-insensitive text.
    pub fn text(v: Option<&str>) -> Self {
        v.map_or(SortVal::Null, |s| SortVal::Text(s.to_lowercase()))
    }
}

/// How rows are ordered: by the `updated_at` index, or by a computed key.
pub enum Order<'k, T> {
    Updated,
    By(&'k dyn Fn(&T) -> SortVal),
}

/// One page of matching rows.
#[derive(Debug)]
pub struct Page<'a, T> {
    pub rows: Vec<&'a T>,
    pub has_next: bool,
    /// Number of matching rows, when counts were asked for.
    pub total: Option<usize>,
}

/// What to select from a table.
pub struct Select<'k, T> {
    pub ids: Option<HashSet<u64>>,
    pub updated: TimeRange,
    pub order: Order<'k, T>,
    pub desc: bool,
    pub paging: Paging,
}

/// A row filter; `None` keeps every row.
pub type Keep<'k, T> = Option<&'k dyn Fn(&T) -> bool>;

/// Picks one page of `table`'s rows that pass `keep` (every row when `None`).
pub fn select<'a, T: Record>(
    table: &'a Table<T>,
    sel: &Select<'_, T>,
    keep: Keep<'_, T>,
) -> Page<'a, T> {
    let updated = sel.updated;
    let pass = |r: &T| updated.contains(r.updated_at()) && keep.is_none_or(|k| k(r));
    match (&sel.ids, &sel.order, keep) {
        (None, Order::Updated, None) => {
            // Only the index: rows are read for the page alone, never to count.
            let (lo, hi) = updated.bounds();
            let walk = table.range_ids(lo, hi);
            let (ids, has_next, total) = if sel.desc {
                paginate(walk.rev(), &sel.paging)
            } else {
                paginate(walk, &sel.paging)
            };
            Page {
                rows: ids.into_iter().filter_map(|id| table.get(id)).collect(),
                has_next,
                total,
            }
        }
        (None, Order::Updated, Some(keep)) => {
            let (lo, hi) = updated.bounds();
            let walk = table.range_updated(lo, hi).filter(|r| keep(r));
            let (rows, has_next, total) = if sel.desc {
                paginate(walk.rev(), &sel.paging)
            } else {
                paginate(walk, &sel.paging)
            };
            Page {
                rows,
                has_next,
                total,
            }
        }
        (ids, order, _) => {
            let rows: Vec<&T> = match ids {
                Some(ids) => {
                    let mut ids: Vec<u64> = ids.iter().copied().collect();
                    ids.sort_unstable();
                    ids.into_iter()
                        .filter_map(|id| table.get(id))
                        .filter(|r| pass(r))
                        .collect()
                }
                None => table.iter().filter(|r| pass(r)).collect(),
            };
            let keyed: Vec<(SortVal, u64, &T)> = rows
                .into_iter()
                .map(|r| {
                    let k = match order {
                        Order::Updated => SortVal::Int(r.updated_at()),
                        Order::By(key) => key(r),
                    };
                    (k, r.id(), r)
                })
                .collect();
            sorted_page(keyed, sel.desc, &sel.paging)
        }
    }
}

/// One page of `keyed` rows ordered by `(key, id)`, without sorting rows past
/// the page: a selection puts the first `offset + limit` in front, then only
/// those are sorted.
fn sorted_page<'a, T>(
    mut keyed: Vec<(SortVal, u64, &'a T)>,
    desc: bool,
    paging: &Paging,
) -> Page<'a, T> {
    let cmp = |a: &(SortVal, u64, &T), b: &(SortVal, u64, &T)| {
        let ord = (&a.0, a.1).cmp(&(&b.0, b.1));
        if desc { ord.reverse() } else { ord }
    };
    let total = keyed.len();
    let end = paging.offset().saturating_add(paging.limit()).min(total);
    if end < total {
        keyed.select_nth_unstable_by(end, cmp);
        keyed.truncate(end);
    }
    keyed.sort_unstable_by(cmp);
    let rows = keyed
        .into_iter()
        .skip(paging.offset())
        .map(|(_, _, r)| r)
        .collect();
    Page {
        rows,
        has_next: end < total,
        total: paging.counts.then_some(total),
    }
}

/// The page's items, whether more follow, and the count of all (when asked).
fn paginate<X>(
    mut rows: impl Iterator<Item = X>,
    paging: &Paging,
) -> (Vec<X>, bool, Option<usize>) {
    let offset = paging.offset();
    let limit = paging.limit();
    let skipped = rows.by_ref().take(offset).count();
    let out: Vec<X> = rows.by_ref().take(limit).collect();
    let mut seen = skipped + out.len();
    let has_next = if paging.counts {
        let rest = rows.count();
        seen += rest;
        rest > 0
    } else {
        rows.next().is_some()
    };
    (out, has_next, paging.counts.then_some(seen))
}

/// The response body of a list: `meta` is [`envelope`] built with no data, and
/// `render` writes each row. The result equals `envelope` with the rendered rows
/// as `data`, serialized (keys sorted, `data` first), without the value tree.
pub fn envelope_text<T>(meta: &Value, rows: &[&T], render: impl Fn(&T, &mut Vec<u8>)) -> String {
    let mut out: Vec<u8> = Vec::with_capacity(256 + rows.len() * 2048);
    out.extend_from_slice(b"{\"data\":[");
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        render(row, &mut out);
    }
    out.extend_from_slice(b"],\"metadata\":");
    // Writing a value into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut out, &meta["metadata"]);
    out.push(b'}');
    String::from_utf8(out).unwrap_or_default()
}

/// Builds the list envelope. `paging` is `None` for the un-paginated users list.
pub fn envelope<T>(
    filtering: Map<String, Value>,
    paging: &Paging,
    sorting: &Sorting,
    page: &Page<'_, T>,
    data: Vec<Value>,
) -> Value {
    let mut meta = Map::new();
    meta.insert("filtering".into(), Value::Object(filtering));
    if paging.paginate {
        let mut p = Map::new();
        p.insert("per_page".into(), json!(paging.per_page));
        p.insert("current_page".into(), json!(paging.page));
        p.insert(
            "next_page".into(),
            if page.has_next {
                json!(paging.page.saturating_add(1))
            } else {
                Value::Null
            },
        );
        p.insert(
            "prev_page".into(),
            if paging.page > 1 {
                json!(paging.page - 1)
            } else {
                Value::Null
            },
        );
        if let Some(total) = page.total {
            let total = if paging.limit_counts {
                total.min(10_000)
            } else {
                total
            };
            let per = usize::try_from(paging.per_page).unwrap_or(1).max(1);
            p.insert("total_pages".into(), json!(total.div_ceil(per)));
            p.insert("total_count".into(), json!(total));
        }
        meta.insert("paging".into(), Value::Object(p));
    }
    meta.insert("sorting".into(), sorting.echo());
    json!({"metadata": meta, "data": data})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::model::Micros;

    #[derive(Debug, Clone)]
    struct Row {
        id: u64,
        at: Micros,
        score: Option<i64>,
    }

    impl Record for Row {
        fn id(&self) -> u64 {
            self.id
        }
        fn updated_at(&self) -> Micros {
            self.at
        }
    }

    fn table() -> Table<Row> {
        // Plenty of ties in both `at` and `score`, some null scores.
        let rows = (0..57u64)
            .map(|i| Row {
                id: 100 + i,
                at: ((i * 7) % 5) as Micros,
                score: (i % 4 != 0).then_some(((i * 3) % 6) as i64),
            })
            .collect();
        Table::from_rows(100, rows)
    }

    fn paging(page: u64, per_page: u64) -> Paging {
        Paging {
            per_page,
            page,
            counts: true,
            limit_counts: false,
            paginate: true,
        }
    }

    /// Walks every page and returns the ids in order.
    fn walk(
        t: &Table<Row>,
        order: impl Fn() -> Order<'static, Row>,
        desc: bool,
        ids: Option<HashSet<u64>>,
    ) -> Vec<u64> {
        let mut out = Vec::new();
        for page in 1..=20 {
            let sel = Select {
                ids: ids.clone(),
                updated: TimeRange::default(),
                order: order(),
                desc,
                paging: paging(page, 4),
            };
            let p = select(t, &sel, Some(&|r: &Row| r.id != 101));
            out.extend(p.rows.iter().map(|r| r.id));
            assert_eq!(p.has_next, out.len() < p.total.unwrap_or(0), "page {page}");
        }
        out
    }

    fn score(r: &Row) -> SortVal {
        SortVal::opt_int(r.score)
    }

    #[test]
    fn every_path_pages_in_key_then_id_order() {
        let t = table();
        let keep: Vec<&Row> = t.iter().filter(|r| r.id != 101).collect();
        for desc in [false, true] {
            let mut by_at: Vec<(Micros, u64)> = keep.iter().map(|r| (r.at, r.id)).collect();
            by_at.sort();
            let mut by_score: Vec<(SortVal, u64)> = keep.iter().map(|r| (score(r), r.id)).collect();
            by_score.sort();
            if desc {
                by_at.reverse();
                by_score.reverse();
            }
            let at_ids: Vec<u64> = by_at.iter().map(|x| x.1).collect();
            let score_ids: Vec<u64> = by_score.iter().map(|x| x.1).collect();
            assert_eq!(walk(&t, || Order::Updated, desc, None), at_ids);
            let all: HashSet<u64> = t.iter().map(|r| r.id).collect();
            assert_eq!(walk(&t, || Order::Updated, desc, Some(all.clone())), at_ids);
            assert_eq!(walk(&t, || Order::By(&score), desc, None), score_ids);
            assert_eq!(walk(&t, || Order::By(&score), desc, Some(all)), score_ids);
        }
        // Nulls first ascending, last descending.
        let asc = walk(&t, || Order::By(&score), false, None);
        assert!(t.get(asc[0]).is_some_and(|r| r.score.is_none()));
        let desc = walk(&t, || Order::By(&score), true, None);
        assert!(
            t.get(desc[desc.len() - 1])
                .is_some_and(|r| r.score.is_none())
        );
    }

    #[test]
    fn unfiltered_pages_come_from_the_index_alone_and_match_a_filtered_walk() {
        let t = table();
        let lo = 1 as Micros;
        for desc in [false, true] {
            for counts in [false, true] {
                for per_page in [1, 4, 7, 100] {
                    for page in 1..=60 {
                        let paging = Paging {
                            counts,
                            ..paging(page, per_page)
                        };
                        let sel = Select {
                            ids: None,
                            updated: TimeRange {
                                gte: Some(lo),
                                ..TimeRange::default()
                            },
                            order: Order::Updated,
                            desc,
                            paging,
                        };
                        let fast = select(&t, &sel, None);
                        let slow = select(&t, &sel, Some(&|_: &Row| true));
                        let ids =
                            |p: &Page<'_, Row>| p.rows.iter().map(|r| r.id).collect::<Vec<_>>();
                        assert_eq!(ids(&fast), ids(&slow), "{desc} {counts} {per_page} {page}");
                        assert_eq!(fast.has_next, slow.has_next);
                        assert_eq!(fast.total, slow.total);
                        let in_range = t.iter().filter(|r| r.at >= lo).count();
                        if counts {
                            assert_eq!(fast.total, Some(in_range));
                        }
                        let before = ((page - 1) * per_page) as usize;
                        assert_eq!(fast.has_next, before + fast.rows.len() < in_range);
                    }
                }
            }
        }
    }

    #[test]
    fn envelope_paging_keys() {
        let t = table();
        let sel = Select {
            ids: None,
            updated: TimeRange::default(),
            order: Order::Updated,
            desc: true,
            paging: Paging {
                counts: false,
                ..paging(2, 10)
            },
        };
        let p = select(&t, &sel, None);
        let sorting = Sorting {
            by: "updated_at".into(),
            desc: true,
        };
        let v = envelope(Map::new(), &sel.paging, &sorting, &p, vec![]);
        assert_eq!(
            v["metadata"]["paging"],
            json!({"per_page": 10, "current_page": 2, "next_page": 3, "prev_page": 1})
        );
        // The text body equals the envelope with the rows as `data`, serialized.
        let render = |r: &Row, out: &mut Vec<u8>| {
            serde_json::to_writer(out, &json!({"id": r.id, "at": r.at, "s": r.score})).unwrap()
        };
        let rows: Vec<Value> = p
            .rows
            .iter()
            .map(|r| json!({"id": r.id, "at": r.at, "s": r.score}))
            .collect();
        let whole = envelope(Map::new(), &sel.paging, &sorting, &p, rows);
        let meta = envelope(Map::new(), &sel.paging, &sorting, &p, Vec::new());
        assert_eq!(envelope_text(&meta, &p.rows, render), whole.to_string());
        let unpaged = Paging {
            paginate: false,
            ..sel.paging
        };
        let v = envelope(Map::new(), &unpaged, &sorting, &p, vec![]);
        assert!(v["metadata"].get("paging").is_none());
    }
}
