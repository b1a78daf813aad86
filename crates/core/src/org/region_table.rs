//! The official region table: China's statistical division codes, 2023 edition.
//!
//! Source: National Bureau of Statistics of China (国家统计局), table
//! 《2023年统计用区划代码和城乡划分代码》 (standard time 2023-06-30), www.stats.gov.cn.
//! Any screen or export that shows this data must carry [`ATTRIBUTION`].
//! `data/regions/README.md` says how the embedded files were derived.
//!
//! The two gzip files under `data/regions/` are embedded in the binary:
//! levels 1–4 (`code,name,level,parent_code`) and level 5 (`code,name,parent_code`).
//! Every code is the full 12-digit 统计用区划代码, padded with zeros on the right.
//!
//! # Tree rule for the odd shapes
//!
//! The tree follows the official table. Every row keeps its official parent. Nothing is
//! invented, merged or dropped:
//!
//! - The townships of 东莞市 (441900), 中山市 (442000) and 儋州市 (460400) sit directly under
//!   their city. No synthetic county is invented. The city's 12-digit range still covers them,
//!   so a subtree rooted at the city contains them.
//! - Placeholder rows (level 2: `市辖区`, `县`, `省直辖县级行政区划`, `自治区直辖县级行政区划`;
//!   level 3: `市辖区`) are kept as grouping nodes with kind [`RegionKind::Placeholder`].
//! - Functional zones (level 3 with code digits 5–6 in 71..=79; level 4 with type digit 4 or 5)
//!   are kept with kind [`RegionKind::FunctionalZone`].
//! - A county with no townships (350527 金门县) is simply a leaf.
//!
//! # Subtree membership
//!
//! [`load_subtree`] finds the root row, takes its significant digits by level
//! (2/4/6/9/12 for levels 1–5), and includes every row whose code starts with them. It then
//! checks that every included row other than the root has its parent included before it, and
//! returns [`RegionTableError::Inconsistent`] otherwise. That check is a guard: the embedded
//! table always passes it.
//!
//! # Performance
//!
//! Both files are sorted by code (a test checks this, and every read re-checks the order of
//! the rows it reads). A load streams the gzip data, compares the raw bytes of the code field
//! against the prefix before allocating anything, and stops as soon as the codes pass the
//! prefix's range.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use csv::{ByteRecord, ReaderBuilder};
use flate2::read::GzDecoder;
use serde::{Deserialize, Serialize};

/// The attribution line to ship with any display or export of this data.
pub const ATTRIBUTION: &str =
    "数据来源：国家统计局《2023年统计用区划代码和城乡划分代码》(www.stats.gov.cn)";

/// Provinces, prefecture-level, county-level and township-level rows.
const L1_L4_GZ: &[u8] = include_bytes!("../../../../data/regions/divisions-l1-l4.csv.gz");
/// Village/community rows.
const L5_GZ: &[u8] = include_bytes!("../../../../data/regions/divisions-l5.csv.gz");

const L1_L4_HEADER: [&[u8]; 4] = [b"code", b"name", b"level", b"parent_code"];
const L5_HEADER: [&[u8]; 3] = [b"code", b"name", b"parent_code"];

/// Level-2 names that NBS uses for grouping rows rather than real prefecture-level units.
const LEVEL2_PLACEHOLDER_NAMES: [&str; 4] = [
    "市辖区",
    "县",
    "省直辖县级行政区划",
    "自治区直辖县级行政区划",
];

/// Level-3 name that NBS uses for a grouping row.
const LEVEL3_PLACEHOLDER_NAME: &str = "市辖区";

/// Errors from this module.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionTableError {
    /// The input is not 2, 4, 6, 9 or 12 ASCII digits.
    #[error("bad region code {0:?}: expected 2, 4, 6, 9 or 12 ASCII digits")]
    BadCode(String),
    /// The (12-digit) code is not in the table.
    #[error("region code {0} is not in the NBS 2023 table")]
    UnknownCode(String),
    /// An included row's parent is not included before it (a guard, never expected).
    #[error("region table is inconsistent at code {0}: its parent is not in the subtree before it")]
    Inconsistent(String),
    /// The string is not the `as_str()` form of a [`RegionKind`].
    #[error("unknown region kind {0:?}")]
    BadKind(String),
    /// The embedded data could not be read or holds a malformed row (never expected).
    #[error("embedded region data is unreadable: {0}")]
    Data(String),
}

/// What a row is, derived from its level, code and (for placeholders) name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionKind {
    /// Level 1 (省级).
    Province,
    /// Level 2, a real prefecture-level unit.
    City,
    /// Grouping row: level 2 named `市辖区`, `县`, `省直辖县级行政区划` or
    /// `自治区直辖县级行政区划`, or level 3 named `市辖区`.
    Placeholder,
    /// Level 3, a real county-level unit.
    County,
    /// Level 3 with code digits 5–6 in 71..=79, or level 4 with type digit (7th) 4 or 5.
    FunctionalZone,
    /// Level 4, type digit 0 (街道).
    SubDistrict,
    /// Level 4, type digit 1 (镇).
    Town,
    /// Level 4, type digit 2 or 3 (乡).
    Township,
    /// Level 5, last three digits 001–199 (mostly 居委会/社区).
    Community,
    /// Level 5, last three digits 200–399 (mostly 村委会).
    Village,
    /// Level 5, last three digits 400–999 (生活区, 虚拟社区 and similar units).
    OtherUnit,
}

impl RegionKind {
    /// Every kind, in tree order.
    pub const ALL: [RegionKind; 11] = [
        RegionKind::Province,
        RegionKind::City,
        RegionKind::Placeholder,
        RegionKind::County,
        RegionKind::FunctionalZone,
        RegionKind::SubDistrict,
        RegionKind::Town,
        RegionKind::Township,
        RegionKind::Community,
        RegionKind::Village,
        RegionKind::OtherUnit,
    ];

    /// The snake_case name, as stored and as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            RegionKind::Province => "province",
            RegionKind::City => "city",
            RegionKind::Placeholder => "placeholder",
            RegionKind::County => "county",
            RegionKind::FunctionalZone => "functional_zone",
            RegionKind::SubDistrict => "sub_district",
            RegionKind::Town => "town",
            RegionKind::Township => "township",
            RegionKind::Community => "community",
            RegionKind::Village => "village",
            RegionKind::OtherUnit => "other_unit",
        }
    }
}

impl fmt::Display for RegionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RegionKind {
    type Err = RegionTableError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegionKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| RegionTableError::BadKind(s.to_owned()))
    }
}

/// One row of the official table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionRow {
    /// Full 12-digit code.
    pub code: String,
    /// Name as NBS publishes it.
    pub name: String,
    /// 1 province, 2 prefecture, 3 county, 4 township, 5 village/community.
    pub level: u8,
    /// 12-digit code of the official parent; `None` for provinces.
    pub parent_code: Option<String>,
    /// What the row is; see [`RegionKind`].
    pub kind: RegionKind,
}

/// Checks a code of 2, 4, 6, 9 or 12 ASCII digits and pads it with zeros to 12 digits.
pub fn normalize_root(input: &str) -> Result<String, RegionTableError> {
    let ok_len = matches!(input.len(), 2 | 4 | 6 | 9 | 12);
    if !ok_len || !input.bytes().all(|b| b.is_ascii_digit()) {
        return Err(RegionTableError::BadCode(input.to_owned()));
    }
    let mut code = String::with_capacity(12);
    code.push_str(input);
    while code.len() < 12 {
        code.push('0');
    }
    Ok(code)
}

/// The root row and every row below it, sorted by code; every row comes after its parent.
///
/// `root` is a 2/4/6/9/12-digit code (see [`normalize_root`]) of a row at any level.
/// See the module docs for the membership rule and the odd shapes.
pub fn load_subtree(root: &str) -> Result<Vec<RegionRow>, RegionTableError> {
    let code = normalize_root(root)?;
    let mut rows = Vec::new();

    // Levels 1-4. The root's level is not known yet, so read with the shortest prefix its
    // code allows (a code at level L has only zeros after its significant digits, so this
    // prefix is never longer than the level-based one) and narrow down afterwards.
    scan(L1_L4_GZ, Layout::L1L4, coarse_prefix(&code), &mut rows)?;
    let root_level = rows.iter().find(|r| r.code == code).map(|r| r.level);

    match root_level {
        Some(level) => {
            let prefix = &code[..significant_len(level)];
            rows.retain(|r| r.code.starts_with(prefix));
            scan(L5_GZ, Layout::L5, prefix, &mut rows)?;
        }
        // Level-5 codes never end in 000 (their last three digits are 001-999).
        None if code.ends_with("000") => return Err(RegionTableError::UnknownCode(code)),
        None => {
            rows.clear();
            scan(L5_GZ, Layout::L5, &code, &mut rows)?;
            if rows.is_empty() {
                return Err(RegionTableError::UnknownCode(code));
            }
        }
    }

    // Both runs are sorted; a stable sort merges them in linear time.
    rows.sort_by(|a, b| a.code.cmp(&b.code));
    check_subtree(&code, &rows)?;
    Ok(rows)
}

/// Guard: the root comes first, codes are unique, and every other row's parent is included
/// and comes before it.
fn check_subtree(root: &str, rows: &[RegionRow]) -> Result<(), RegionTableError> {
    match rows.first() {
        Some(first) if first.code == root => {}
        _ => return Err(RegionTableError::Inconsistent(root.to_owned())),
    }
    let mut seen: HashSet<&str> = HashSet::with_capacity(rows.len());
    seen.insert(root);
    for row in &rows[1..] {
        let parent_ok = row.parent_code.as_deref().is_some_and(|p| seen.contains(p));
        if !parent_ok || !seen.insert(row.code.as_str()) {
            return Err(RegionTableError::Inconsistent(row.code.clone()));
        }
    }
    Ok(())
}

/// Number of significant digits of a code at `level`.
fn significant_len(level: u8) -> usize {
    match level {
        1 => 2,
        2 => 4,
        3 => 6,
        4 => 9,
        _ => 12,
    }
}

/// The shortest of the 2/4/6/9/12-digit prefixes of `code` after which only zeros follow.
fn coarse_prefix(code: &str) -> &str {
    [2, 4, 6, 9]
        .into_iter()
        .find(|&n| code.as_bytes()[n..].iter().all(|&b| b == b'0'))
        .map_or(code, |n| &code[..n])
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// `code,name,level,parent_code`
    L1L4,
    /// `code,name,parent_code`
    L5,
}

fn data_err(what: impl fmt::Display) -> RegionTableError {
    RegionTableError::Data(what.to_string())
}

/// Streams one embedded gzip CSV and appends the rows whose code starts with `prefix`.
///
/// Rows outside the prefix cost a byte comparison and no allocation. The file must be sorted
/// by code (checked for every row read), so reading stops once the codes pass the prefix.
fn scan(
    gz: &'static [u8],
    layout: Layout,
    prefix: &str,
    out: &mut Vec<RegionRow>,
) -> Result<(), RegionTableError> {
    let prefix = prefix.as_bytes();
    let mut reader = ReaderBuilder::new()
        .has_headers(true)
        .buffer_capacity(64 * 1024)
        .from_reader(GzDecoder::new(gz));

    let header = reader.byte_headers().map_err(data_err)?;
    let header_ok = match layout {
        Layout::L1L4 => header.iter().eq(L1_L4_HEADER),
        Layout::L5 => header.iter().eq(L5_HEADER),
    };
    if !header_ok {
        return Err(data_err("unexpected CSV header"));
    }

    let mut record = ByteRecord::new();
    let mut prev_code: Vec<u8> = Vec::with_capacity(12);
    while reader.read_byte_record(&mut record).map_err(data_err)? {
        let code = record.get(0).unwrap_or_default();
        if code <= prev_code.as_slice() {
            return Err(data_err(format_args!(
                "rows not sorted by code at {}",
                String::from_utf8_lossy(code)
            )));
        }
        prev_code.clear();
        prev_code.extend_from_slice(code);

        if !code.starts_with(prefix) {
            if code[..code.len().min(prefix.len())] > *prefix {
                break;
            }
            continue;
        }
        out.push(parse_row(&record, layout)?);
    }
    Ok(())
}

fn parse_row(record: &ByteRecord, layout: Layout) -> Result<RegionRow, RegionTableError> {
    let field = |i: usize| record.get(i).unwrap_or_default();
    let bad = |what: &str| {
        data_err(format_args!(
            "{what} in row {:?}",
            String::from_utf8_lossy(record.as_slice())
        ))
    };
    let expected_fields = if layout == Layout::L1L4 { 4 } else { 3 };
    if record.len() != expected_fields {
        return Err(bad("wrong field count"));
    }

    let code = code_field(field(0)).ok_or_else(|| bad("bad code"))?;
    let name = std::str::from_utf8(field(1)).map_err(|_| bad("bad name"))?;
    if name.is_empty() {
        return Err(bad("empty name"));
    }
    let (level, parent_raw) = match layout {
        Layout::L1L4 => match field(2) {
            [d @ b'1'..=b'4'] => (d - b'0', field(3)),
            _ => return Err(bad("bad level")),
        },
        Layout::L5 => (5, field(2)),
    };
    let parent_code = match (level, parent_raw) {
        (1, []) => None,
        (1, _) => return Err(bad("province with a parent")),
        (_, raw) => Some(code_field(raw).ok_or_else(|| bad("bad parent_code"))?),
    };
    let kind = classify(code, name, level).ok_or_else(|| bad("unclassifiable code"))?;
    Ok(RegionRow {
        code: code.to_owned(),
        name: name.to_owned(),
        level,
        parent_code: parent_code.map(str::to_owned),
        kind,
    })
}

/// A 12-ASCII-digit code field as `&str`.
fn code_field(raw: &[u8]) -> Option<&str> {
    if raw.len() == 12 && raw.iter().all(u8::is_ascii_digit) {
        std::str::from_utf8(raw).ok()
    } else {
        None
    }
}

/// Kind of a row from its 12-digit code, name and level; `None` if the code does not fit.
fn classify(code: &str, name: &str, level: u8) -> Option<RegionKind> {
    let digits = |range: std::ops::Range<usize>| code.get(range)?.parse::<u16>().ok();
    let kind = match level {
        1 => RegionKind::Province,
        2 if LEVEL2_PLACEHOLDER_NAMES.contains(&name) => RegionKind::Placeholder,
        2 => RegionKind::City,
        3 if name == LEVEL3_PLACEHOLDER_NAME => RegionKind::Placeholder,
        3 if (71..=79).contains(&digits(4..6)?) => RegionKind::FunctionalZone,
        3 => RegionKind::County,
        4 => match digits(6..7)? {
            0 => RegionKind::SubDistrict,
            1 => RegionKind::Town,
            2 | 3 => RegionKind::Township,
            4 | 5 => RegionKind::FunctionalZone,
            _ => return None,
        },
        5 => match digits(9..12)? {
            1..=199 => RegionKind::Community,
            200..=399 => RegionKind::Village,
            400..=999 => RegionKind::OtherUnit,
            _ => return None,
        },
        _ => return None,
    };
    Some(kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(root: &str) -> Vec<RegionRow> {
        load_subtree(root).unwrap_or_else(|e| panic!("load_subtree({root}) failed: {e}"))
    }

    fn count_level(rows: &[RegionRow], level: u8) -> usize {
        rows.iter().filter(|r| r.level == level).count()
    }

    fn count_kind(rows: &[RegionRow], kind: RegionKind) -> usize {
        rows.iter().filter(|r| r.kind == kind).count()
    }

    fn children<'a>(rows: &'a [RegionRow], parent: &str) -> Vec<&'a RegionRow> {
        rows.iter()
            .filter(|r| r.parent_code.as_deref() == Some(parent))
            .collect()
    }

    fn row<'a>(rows: &'a [RegionRow], code: &str) -> &'a RegionRow {
        rows.iter()
            .find(|r| r.code == code)
            .unwrap_or_else(|| panic!("{code} missing"))
    }

    /// Number of level-5 rows whose code starts with `prefix`.
    fn level5_below(rows: &[RegionRow], prefix: &str) -> usize {
        rows.iter()
            .filter(|r| r.level == 5 && r.code.starts_with(prefix))
            .count()
    }

    fn assert_parents_precede(rows: &[RegionRow]) {
        let mut seen = HashSet::new();
        for (i, r) in rows.iter().enumerate() {
            if i > 0 {
                let parent = r.parent_code.as_deref().expect("non-root row has a parent");
                assert!(seen.contains(parent), "{} comes before its parent", r.code);
                assert!(
                    rows[i - 1].code < r.code,
                    "not strictly sorted at {}",
                    r.code
                );
            }
            seen.insert(r.code.as_str());
        }
    }

    #[test]
    fn attribution_is_the_nbs_line() {
        assert_eq!(
            ATTRIBUTION,
            "数据来源：国家统计局《2023年统计用区划代码和城乡划分代码》(www.stats.gov.cn)"
        );
    }

    #[test]
    fn normalize_root_pads_2_4_6_9_and_12_digit_codes_to_12() {
        assert_eq!(normalize_root("44").unwrap(), "440000000000");
        assert_eq!(normalize_root("3609").unwrap(), "360900000000");
        assert_eq!(normalize_root("411002").unwrap(), "411002000000");
        assert_eq!(normalize_root("411002570").unwrap(), "411002570000");
        assert_eq!(normalize_root("411002570001").unwrap(), "411002570001");
    }

    #[test]
    fn normalize_root_rejects_other_lengths_and_non_digits() {
        for bad in [
            "",
            "4",
            "41100",
            "4110020",
            "4110025700010",
            "41100a",
            "４４",
            " 44",
        ] {
            assert_eq!(
                normalize_root(bad),
                Err(RegionTableError::BadCode(bad.to_owned())),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn five_digit_code_is_a_bad_code() {
        assert_eq!(
            load_subtree("41100"),
            Err(RegionTableError::BadCode("41100".to_owned()))
        );
    }

    #[test]
    fn unknown_code_999999_is_unknown() {
        assert_eq!(
            load_subtree("999999"),
            Err(RegionTableError::UnknownCode("999999000000".to_owned()))
        );
    }

    #[test]
    fn unknown_level5_shaped_code_is_unknown() {
        assert_eq!(
            load_subtree("411002001999"),
            Err(RegionTableError::UnknownCode("411002001999".to_owned()))
        );
    }

    #[test]
    fn kind_as_str_round_trips_through_from_str_and_display() {
        for kind in RegionKind::ALL {
            assert_eq!(kind.as_str().parse::<RegionKind>(), Ok(kind));
            assert_eq!(kind.to_string(), kind.as_str());
        }
        assert_eq!(RegionKind::FunctionalZone.as_str(), "functional_zone");
        assert_eq!(RegionKind::SubDistrict.as_str(), "sub_district");
        assert_eq!(RegionKind::OtherUnit.as_str(), "other_unit");
        assert_eq!(
            "FunctionalZone".parse::<RegionKind>(),
            Err(RegionTableError::BadKind("FunctionalZone".to_owned()))
        );
    }

    #[test]
    fn weidu_district_has_one_county_15_township_level_units_and_104_level5_units() {
        let rows = load("411002");
        assert_eq!(rows[0].code, "411002000000");
        assert_eq!(rows[0].name, "魏都区");
        assert_eq!(rows[0].kind, RegionKind::County);
        assert_eq!(rows[0].parent_code.as_deref(), Some("411000000000"));
        assert_eq!(count_level(&rows, 3), 1);
        assert_eq!(count_level(&rows, 4), 15);
        assert_eq!(count_level(&rows, 5), 104);
        assert_eq!(rows.len(), 1 + 15 + 104);
        assert_eq!(count_kind(&rows, RegionKind::SubDistrict), 14);
        assert_eq!(count_kind(&rows, RegionKind::Village), 0);
        assert_eq!(count_kind(&rows, RegionKind::OtherUnit), 1);
        assert_eq!(count_kind(&rows, RegionKind::Community), 103);
    }

    #[test]
    fn weidu_township_level_units_hold_the_readme_community_counts() {
        let rows = load("411002");
        let expected = [
            ("411002001000", "西大街道", 6),
            ("411002002000", "东大街道", 4),
            ("411002003000", "西关街道", 8),
            ("411002004000", "南关街道", 5),
            ("411002005000", "北大街道", 6),
            ("411002006000", "五一路街道", 6),
            ("411002007000", "高桥营街道", 6),
            ("411002008000", "丁庄街道", 8),
            ("411002009000", "颍昌街道", 7),
            ("411002010000", "文峰街道", 8),
            ("411002011000", "新兴街道", 12),
            ("411002013000", "灞陵街道", 7),
            ("411002015000", "魏北街道", 6),
            ("411002016000", "产业集聚区街道", 1),
            ("411002570000", "东城区", 14),
        ];
        let township_level: Vec<&RegionRow> = children(&rows, "411002000000");
        assert_eq!(township_level.len(), expected.len());
        for ((code, name, n), r) in expected.into_iter().zip(township_level) {
            assert_eq!((r.code.as_str(), r.name.as_str()), (code, name));
            assert_eq!(children(&rows, code).len(), n, "{code} {name}");
        }
    }

    #[test]
    fn dongcheng_zone_411002570000_is_a_functional_zone_with_14_children() {
        let rows = load("411002");
        let zone = row(&rows, "411002570000");
        assert_eq!(zone.name, "东城区");
        assert_eq!(zone.level, 4);
        assert_eq!(zone.kind, RegionKind::FunctionalZone);
        assert_eq!(children(&rows, "411002570000").len(), 14);
    }

    #[test]
    fn chanye_jijuqu_subdistrict_only_child_is_the_virtual_community() {
        let rows = load("411002016");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].name, "产业集聚区街道");
        assert_eq!(rows[0].kind, RegionKind::SubDistrict);
        assert_eq!(rows[1].name, "产业集聚区虚拟社区");
        assert_eq!(rows[1].level, 5);
        assert_eq!(rows[1].parent_code.as_deref(), Some("411002016000"));
    }

    #[test]
    fn yichun_city_has_10_county_level_219_township_level_and_2794_level5_units() {
        let rows = load("360900");
        assert_eq!(rows[0].name, "宜春市");
        assert_eq!(rows[0].kind, RegionKind::City);
        assert_eq!(count_level(&rows, 3), 10);
        assert_eq!(count_level(&rows, 4), 219);
        assert_eq!(count_level(&rows, 5), 2794);
        assert_eq!(rows.len(), 1 + 10 + 219 + 2794);
    }

    #[test]
    fn yichun_counties_hold_the_readme_township_and_level5_counts() {
        let rows = load("360900");
        let expected = [
            ("360902000000", "袁州区", 37, 397),
            ("360921000000", "奉新县", 19, 201),
            ("360922000000", "万载县", 18, 208),
            ("360923000000", "上高县", 18, 228),
            ("360924000000", "宜丰县", 17, 245),
            ("360925000000", "靖安县", 12, 109),
            ("360926000000", "铜鼓县", 14, 113),
            ("360981000000", "丰城市", 34, 609),
            ("360982000000", "樟树市", 22, 310),
            ("360983000000", "高安市", 28, 374),
        ];
        let counties = children(&rows, "360900000000");
        assert_eq!(counties.len(), expected.len());
        for ((code, name, towns, l5), c) in expected.into_iter().zip(counties) {
            assert_eq!((c.code.as_str(), c.name.as_str()), (code, name));
            assert_eq!(c.kind, RegionKind::County);
            assert_eq!(children(&rows, code).len(), towns, "{name}");
            assert_eq!(level5_below(&rows, &code[..6]), l5, "{name}");
        }
    }

    #[test]
    fn suiyang_county_has_15_township_level_and_119_level5_units() {
        let rows = load("520323");
        assert_eq!(rows[0].name, "绥阳县");
        assert_eq!(count_level(&rows, 4), 15);
        assert_eq!(count_level(&rows, 5), 119);
        assert_eq!(count_kind(&rows, RegionKind::SubDistrict), 1);
        assert_eq!(count_kind(&rows, RegionKind::Town), 12);
        assert_eq!(count_kind(&rows, RegionKind::Township), 2);
        let by_name: HashMap<&str, usize> = children(&rows, "520323000000")
            .into_iter()
            .map(|t| (t.name.as_str(), children(&rows, &t.code).len()))
            .collect();
        let expected = [
            ("洋川街道", 14),
            ("郑场镇", 9),
            ("旺草镇", 14),
            ("蒲场镇", 9),
            ("风华镇", 10),
            ("茅垭镇", 7),
            ("枧坝镇", 7),
            ("宽阔镇", 6),
            ("黄杨镇", 7),
            ("青杠塘镇", 6),
            ("太白镇", 7),
            ("温泉镇", 7),
            ("坪乐镇", 5),
            ("大路槽乡", 5),
            ("小关乡", 6),
        ];
        assert_eq!(by_name, HashMap::from(expected));
    }

    #[test]
    fn dongguan_townships_sit_directly_under_the_city_with_no_level3_rows() {
        let rows = load("441900");
        assert_eq!(rows[0].name, "东莞市");
        assert_eq!(rows[0].level, 2);
        assert_eq!(count_level(&rows, 3), 0);
        let townships: Vec<&RegionRow> = rows.iter().filter(|r| r.level == 4).collect();
        assert_eq!(townships.len(), 36);
        assert!(
            townships
                .iter()
                .all(|t| t.parent_code.as_deref() == Some("441900000000"))
        );
        assert_parents_precede(&rows);
    }

    #[test]
    fn zhongshan_and_danzhou_townships_sit_directly_under_the_city() {
        for (root, city, n) in [
            ("442000", "442000000000", 23),
            ("460400", "460400000000", 18),
        ] {
            let rows = load(root);
            assert_eq!(count_level(&rows, 3), 0, "{root}");
            assert_eq!(children(&rows, city).len(), n, "{root}");
            assert!(children(&rows, city).iter().all(|t| t.level == 4));
        }
    }

    #[test]
    fn beijing_includes_110100000000_as_a_placeholder() {
        let rows = load("110000");
        assert_eq!(rows[0].kind, RegionKind::Province);
        let group = row(&rows, "110100000000");
        assert_eq!(group.name, "市辖区");
        assert_eq!(group.kind, RegionKind::Placeholder);
        assert_eq!(children(&rows, "110100000000").len(), 16);
        assert_eq!(
            (count_level(&rows, 2), count_level(&rows, 3)),
            (1, 16),
            "README per-province figures"
        );
        assert_eq!((count_level(&rows, 4), count_level(&rows, 5)), (349, 7535));
    }

    #[test]
    fn jiayuguan_level3_shixiaqu_is_a_placeholder_with_townships() {
        let rows = load("620201");
        assert_eq!(rows[0].kind, RegionKind::Placeholder);
        assert_eq!(rows[0].level, 3);
        assert!(count_level(&rows, 4) > 0);
    }

    #[test]
    fn jinmen_county_is_exactly_one_row() {
        let rows = load("350527");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].name, "金门县");
        assert_eq!(rows[0].kind, RegionKind::County);
    }

    #[test]
    fn functional_zone_at_level3_is_classified_by_digits_5_and_6() {
        let rows = load("130171");
        assert_eq!(rows[0].name, "石家庄高新技术产业开发区");
        assert_eq!(rows[0].kind, RegionKind::FunctionalZone);
    }

    #[test]
    fn level5_root_is_a_single_row() {
        let rows = load("411002016");
        let leaf = load(&rows[1].code);
        assert_eq!(leaf, vec![rows[1].clone()]);
    }

    #[test]
    fn guangdong_and_hainan_match_the_readme_per_province_figures() {
        for (root, l2, l3, l4, l5) in [("44", 21, 122, 1757, 26842), ("46", 5, 26, 243, 3296)] {
            let rows = load(root);
            assert_eq!(count_level(&rows, 1), 1);
            let got = (
                count_level(&rows, 2),
                count_level(&rows, 3),
                count_level(&rows, 4),
                count_level(&rows, 5),
            );
            assert_eq!(got, (l2, l3, l4, l5), "province {root}");
            assert_parents_precede(&rows);
        }
    }

    #[test]
    fn every_returned_row_comes_after_its_parent() {
        for root in [
            "110000", "360900", "411002", "441900", "460400", "500000", "65",
        ] {
            assert_parents_precede(&load(root));
        }
    }

    #[test]
    fn whole_table_is_sorted_consistent_and_matches_the_readme_counts() {
        let mut rows = Vec::new();
        scan(L1_L4_GZ, Layout::L1L4, "", &mut rows).unwrap();
        scan(L5_GZ, Layout::L5, "", &mut rows).unwrap();
        rows.sort_by(|a, b| a.code.cmp(&b.code));

        let levels: Vec<usize> = (1..=5).map(|l| count_level(&rows, l)).collect();
        assert_eq!(levels, [31, 342, 2975, 41351, 620572]);

        let kinds: HashMap<RegionKind, usize> = RegionKind::ALL
            .into_iter()
            .map(|k| (k, count_kind(&rows, k)))
            .collect();
        assert_eq!(kinds[&RegionKind::Province], 31);
        assert_eq!(kinds[&RegionKind::City], 333);
        assert_eq!(kinds[&RegionKind::Placeholder], 9 + 1);
        assert_eq!(kinds[&RegionKind::County], 2975 - 124 - 1);
        assert_eq!(kinds[&RegionKind::FunctionalZone], 124 + 2128 + 582);
        assert_eq!(kinds[&RegionKind::SubDistrict], 9066);
        assert_eq!(kinds[&RegionKind::Town], 21377);
        assert_eq!(kinds[&RegionKind::Township], 8147 + 51);
        assert_eq!(kinds[&RegionKind::Community], 124_649);
        assert_eq!(kinds[&RegionKind::Village], 487_144);
        assert_eq!(kinds[&RegionKind::OtherUnit], 8779);

        let codes: HashSet<&str> = rows.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes.len(), rows.len(), "codes are unique");
        for r in &rows {
            match &r.parent_code {
                None => assert_eq!(r.level, 1),
                Some(p) => {
                    assert!(codes.contains(p.as_str()), "{} has no parent", r.code);
                    assert!(p < &r.code);
                }
            }
        }
    }
}
