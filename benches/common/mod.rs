//! Helpers shared by the bench targets: env parameters, percentiles, and the
//! two output forms (JSON lines and a small table).
#![allow(dead_code)]

use std::time::Duration;

/// A number from the environment, or `default`.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse().ok())
        .unwrap_or(default)
}

pub fn env_f64(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// A comma-separated list of numbers from the environment, or `default`.
pub fn env_list(name: &str, default: &[usize]) -> Vec<usize> {
    std::env::var(name)
        .ok()
        .map(|v| {
            v.split(',')
                .filter_map(|s| s.trim().replace('_', "").parse().ok())
                .collect::<Vec<usize>>()
        })
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_vec())
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Latency figures over a set of samples, in milliseconds.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub n: usize,
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
    pub mean: f64,
}

/// Nearest-rank percentile of sorted samples (`q` in 0..=1).
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn summarize(samples_ms: &[f64]) -> Summary {
    let mut s = samples_ms.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let mean = if s.is_empty() {
        f64::NAN
    } else {
        s.iter().sum::<f64>() / s.len() as f64
    };
    Summary {
        n: s.len(),
        p50: percentile(&s, 0.50),
        p99: percentile(&s, 0.99),
        max: s.last().copied().unwrap_or(f64::NAN),
        mean,
    }
}

/// Prints a table: a header row and rows of cells, columns right-aligned
/// except the first.
pub fn table(header: &[&str], rows: &[Vec<String>]) {
    table_left(header, rows, 1);
}

/// Like [`table`], with the first `left` columns left-aligned.
pub fn table_left(header: &[&str], rows: &[Vec<String>], left: usize) {
    let cols = header.len();
    let mut width: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(cols) {
            width[i] = width[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let out: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i < left {
                    format!("{c:<w$}", w = width[i])
                } else {
                    format!("{c:>w$}", w = width[i])
                }
            })
            .collect();
        println!("| {} |", out.join(" | "));
    };
    line(header.iter().map(|h| h.to_string()).collect());
    let sep: Vec<String> = width.iter().map(|w| "-".repeat(*w)).collect();
    println!("|-{}-|", sep.join("-|-"));
    for r in rows {
        line(r.clone());
    }
}

pub fn f2(x: f64) -> String {
    format!("{x:.2}")
}

pub fn f3(x: f64) -> String {
    format!("{x:.3}")
}

/// A small deterministic generator (xorshift64*), so runs compare.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

pub const FIRST: &[&str] = &[
    "Maria",
    "Mario",
    "Marianne",
    "Mark",
    "Martha",
    "Marco",
    "Ada",
    "Grace",
    "Alan",
    "John",
    "Jane",
    "James",
    "Linda",
    "Robert",
    "Patricia",
    "Michael",
    "Barbara",
    "William",
    "Elizabeth",
    "David",
    "Jennifer",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Carlos",
    "Ana",
    "Sofia",
    "Lucas",
    "Emma",
    "Noah",
    "Olivia",
    "Liam",
    "Mia",
    "Ethan",
    "Chloe",
    "Omar",
    "Fatima",
    "Wei",
    "Yuki",
    "Priya",
    "Ravi",
    "Ingrid",
    "Lars",
    "Greta",
    "Pierre",
    "Amelie",
];

pub const LAST: &[&str] = &[
    "Garcia",
    "Gonzalez",
    "Martinez",
    "Marin",
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Rodriguez",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Jackson",
    "Lee",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Hall",
    "Young",
    "King",
    "Wright",
    "Lopez",
    "Hill",
    "Scott",
    "Green",
    "Adams",
    "Baker",
    "Nelson",
    "Carter",
    "Mitchell",
    "Perez",
    "Roberts",
    "Turner",
    "Phillips",
    "Campbell",
    "Parker",
    "Evans",
    "Edwards",
    "Collins",
    "Lovelace",
    "Hopper",
    "Turing",
    "Nakamura",
    "Singh",
];

pub const COMPANY: &[&str] = &[
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark Industries",
    "Wayne Enterprises",
    "Hooli",
    "Pied Piper",
    "Soylent",
    "Tyrell",
    "Cyberdyne",
    "Wonka",
    "Vandelay",
    "Dunder Mifflin",
    "Gringotts",
    "Monarch",
    "Oscorp",
    "Massive Dynamic",
    "Aperture",
    "Black Mesa",
];

pub const TITLE: &[&str] = &[
    "CEO",
    "CTO",
    "VP Sales",
    "Sales Manager",
    "Account Executive",
    "SDR",
    "Engineer",
    "Marketing Director",
    "Head of Growth",
    "Operations Lead",
    "Product Manager",
    "CFO",
];

/// The process's peak resident set size in MB (Linux `VmHWM`), if known.
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// CPU seconds (user + system) this process has used so far, from
/// `/proc/self/stat` (Linux; clock ticks of 10 ms), if known.
pub fn process_cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start at `state`.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// First names with accents or letters outside ASCII, beside [`FIRST`].
pub const FIRST_ACCENTED: &[&str] = &[
    "José",
    "Zoë",
    "Søren",
    "Łukasz",
    "Renée",
    "Björn",
    "Jürgen",
    "Ángel",
    "François",
    "Íñigo",
    "Małgorzata",
    "Çağla",
];

/// Family names with accents or letters outside ASCII, beside [`LAST`].
pub const LAST_ACCENTED: &[&str] = &[
    "Müller",
    "Núñez",
    "Ødegaard",
    "Dvořák",
    "Łęcki",
    "Şahin",
    "Nguyễn",
    "Trần",
    "Gonçalves",
    "Böhm",
    "Åberg",
    "Öztürk",
];

/// Han family names (Chinese and Japanese), written first, then a given name of
/// two characters from [`HAN_GIVEN`].
const HAN_FAMILY: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "佐藤", "鈴木", "高橋", "田中",
    "伊藤", "渡辺", "山本", "中村", "小林", "加藤",
];
const HAN_GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超",
    "秀", "霞", "平", "刚", "花", "子", "美", "翔",
];
/// Korean family names, then a given name of two syllables from [`HANGUL_GIVEN`].
const HANGUL_FAMILY: &[&str] = &["김", "이", "박", "최", "정", "강", "조", "윤", "장", "임"];
const HANGUL_GIVEN: &[&str] = &[
    "민", "서", "지", "현", "준", "우", "영", "수", "하", "은", "도", "윤", "연", "진", "예", "성",
    "재", "유", "아", "혜",
];

/// `n` people's names, every one different, in a shuffled order fixed by `seed`:
/// Latin names ("First [M.] Last", a third or so with accents or letters outside
/// ASCII: 31 % of the space) and about one in eight (13 %) written in Han
/// characters or Hangul. Panics when `n` is more than the names there are (117,634).
pub fn distinct_names(n: usize, seed: u64) -> Vec<String> {
    let first: Vec<&str> = FIRST.iter().chain(FIRST_ACCENTED).copied().collect();
    let last: Vec<&str> = LAST.iter().chain(LAST_ACCENTED).copied().collect();
    let latin = first.len() * last.len() * 27;
    let han = HAN_FAMILY.len() * HAN_GIVEN.len() * HAN_GIVEN.len();
    let hangul = HANGUL_FAMILY.len() * HANGUL_GIVEN.len() * HANGUL_GIVEN.len();
    let space = latin + han + hangul;
    assert!(
        n <= space,
        "only {space} distinct names can be made, {n} asked"
    );
    // A seeded Fisher-Yates shuffle of the whole name space, cut at n.
    let mut order: Vec<u32> = (0..space as u32).collect();
    let mut rng = Rng::new(seed);
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let two = |given: &[&str], k: usize| {
        let g = given.len();
        format!("{}{}", given[k / g], given[k % g])
    };
    order[..n]
        .iter()
        .map(|&k| {
            let k = k as usize;
            if k < latin {
                let (f, rest) = (k % first.len(), k / first.len());
                let (l, m) = (rest % last.len(), rest / last.len());
                match m {
                    0 => format!("{} {}", first[f], last[l]),
                    _ => format!("{} {}. {}", first[f], (b'A' + m as u8 - 1) as char, last[l]),
                }
            } else if k < latin + han {
                let k = k - latin;
                let g = HAN_GIVEN.len() * HAN_GIVEN.len();
                format!("{}{}", HAN_FAMILY[k / g], two(HAN_GIVEN, k % g))
            } else {
                let k = k - latin - han;
                let g = HANGUL_GIVEN.len() * HANGUL_GIVEN.len();
                format!("{}{}", HANGUL_FAMILY[k / g], two(HANGUL_GIVEN, k % g))
            }
        })
        .collect()
}
