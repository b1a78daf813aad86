//! 国民经济行业分类 (industrial classification for national economic
//! activities), GB/T 4754-2017: the 20 sections (门类, `A`–`T`) and 97
//! divisions (大类, `01`–`97`).
//!
//! The table is shipped as `data/industry-gb4754-2017.csv` (columns
//! `code,name,section`; sections have an empty `section` column) and
//! compiled into the binary. Groups and classes (中类, 小类) are not
//! included.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

const CSV: &str = include_str!("../../../../data/industry-gb4754-2017.csv");

/// Whether an entry is a section or a division.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndustryLevel {
    /// 门类, code `A`–`T`.
    Section,
    /// 大类, code `01`–`97`.
    Division,
}

/// One entry of the classification.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Industry {
    /// `"A"`–`"T"` for a section, `"01"`–`"97"` for a division.
    pub code: String,
    /// Official Simplified Chinese name, e.g. `农、林、牧、渔业`.
    pub name: String,
    /// The section letter: the entry's own code for a section, the parent
    /// section for a division.
    pub section: char,
    pub level: IndustryLevel,
}

impl Industry {
    pub fn is_section(&self) -> bool {
        self.level == IndustryLevel::Section
    }
}

struct Table {
    sections: Vec<Industry>,
    divisions: Vec<Industry>,
}

static TABLE: OnceLock<Table> = OnceLock::new();

fn table() -> &'static Table {
    TABLE.get_or_init(|| build_table(CSV))
}

/// Builds the table from the embedded CSV. The CSV is static data compiled
/// into the binary and fully checked by the tests below, so a malformed row
/// is a programming error and panics.
fn build_table(text: &str) -> Table {
    let mut rows = parse_csv(text).into_iter();
    let header = rows.next().unwrap_or_default();
    assert_eq!(header, ["code", "name", "section"], "industry CSV header");
    let mut table = Table {
        sections: Vec::new(),
        divisions: Vec::new(),
    };
    for row in rows {
        let [code, name, section] = <[String; 3]>::try_from(row)
            .unwrap_or_else(|row| panic!("industry CSV row must have 3 columns: {row:?}"));
        let section_letter = |s: &str| {
            let mut chars = s.chars();
            match (chars.next(), chars.next()) {
                (Some(c @ 'A'..='T'), None) => c,
                _ => panic!("industry CSV: bad section {s:?} in row {code:?}"),
            }
        };
        if section.is_empty() {
            let section = section_letter(&code);
            table.sections.push(Industry {
                code,
                name,
                section,
                level: IndustryLevel::Section,
            });
        } else {
            assert!(
                code.len() == 2 && code.bytes().all(|b| b.is_ascii_digit()),
                "industry CSV: bad division code {code:?}"
            );
            let section = section_letter(&section);
            table.divisions.push(Industry {
                code,
                name,
                section,
                level: IndustryLevel::Division,
            });
        }
    }
    table
}

/// Minimal RFC 4180 reader: comma-separated fields, optionally in double
/// quotes (which may contain commas, line breaks and `""` for a quote),
/// LF or CRLF line ends, blank lines skipped, leading BOM ignored.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let (mut chars, mut quoted) = (text.chars().peekable(), false);
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') if row.is_empty() && field.is_empty() => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !row.is_empty() || !field.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// Looks up a section (`"A"`) or a division (`"01"`, or `"A01"` with its
/// section letter, which must be the right one). Case and surrounding
/// whitespace are ignored.
pub fn industry(code: &str) -> Option<&'static Industry> {
    let code = code.trim().to_ascii_uppercase();
    let table = table();
    let mut chars = code.chars();
    match (chars.next(), chars.next(), chars.next(), chars.next()) {
        (Some(letter), None, None, None) => table.sections.iter().find(|s| s.section == letter),
        (Some(_), Some(_), None, None) => table.divisions.iter().find(|d| d.code == code),
        (Some(letter), Some(_), Some(_), None) => table
            .divisions
            .iter()
            .find(|d| d.section == letter && code.get(1..) == Some(d.code.as_str())),
        _ => None,
    }
}

/// The 20 sections, `A` to `T`.
pub fn sections() -> &'static [Industry] {
    &table().sections
}

/// The 97 divisions, `01` to `97`.
pub fn divisions() -> &'static [Industry] {
    &table().divisions
}

/// The divisions of a section (case-insensitive); empty for an unknown
/// letter.
pub fn divisions_of(section: char) -> Vec<&'static Industry> {
    let section = section.to_ascii_uppercase();
    divisions()
        .iter()
        .filter(|d| d.section == section)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_of(code: &str) -> Option<&'static str> {
        industry(code).map(|i| i.name.as_str())
    }

    #[test]
    fn there_are_exactly_20_sections_a_to_t() {
        let codes: Vec<&str> = sections().iter().map(|s| s.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P",
                "Q", "R", "S", "T"
            ]
        );
        assert!(sections().iter().all(Industry::is_section));
    }

    #[test]
    fn there_are_exactly_97_divisions_01_to_97_in_order() {
        let codes: Vec<&str> = divisions().iter().map(|d| d.code.as_str()).collect();
        let expected: Vec<String> = (1..=97).map(|n| format!("{n:02}")).collect();
        assert_eq!(codes, expected);
        assert!(divisions().iter().all(|d| !d.is_section()));
    }

    #[test]
    fn divisions_belong_to_the_right_sections() {
        for (code, section) in [
            ("01", 'A'),
            ("05", 'A'),
            ("06", 'B'),
            ("12", 'B'),
            ("13", 'C'),
            ("43", 'C'),
            ("44", 'D'),
            ("46", 'D'),
            ("47", 'E'),
            ("50", 'E'),
            ("51", 'F'),
            ("52", 'F'),
            ("53", 'G'),
            ("60", 'G'),
            ("61", 'H'),
            ("62", 'H'),
            ("63", 'I'),
            ("65", 'I'),
            ("66", 'J'),
            ("69", 'J'),
            ("70", 'K'),
            ("71", 'L'),
            ("72", 'L'),
            ("73", 'M'),
            ("75", 'M'),
            ("76", 'N'),
            ("79", 'N'),
            ("80", 'O'),
            ("82", 'O'),
            ("83", 'P'),
            ("84", 'Q'),
            ("85", 'Q'),
            ("86", 'R'),
            ("90", 'R'),
            ("91", 'S'),
            ("96", 'S'),
            ("97", 'T'),
        ] {
            assert_eq!(industry(code).map(|d| d.section), Some(section), "{code}");
        }
    }

    #[test]
    fn division_counts_per_section_match_the_standard() {
        let counts: Vec<usize> = ('A'..='T').map(|s| divisions_of(s).len()).collect();
        assert_eq!(
            counts,
            [5, 7, 31, 3, 4, 2, 8, 2, 3, 4, 1, 2, 3, 4, 3, 1, 2, 5, 6, 1]
        );
    }

    #[test]
    fn official_names_are_shipped() {
        assert_eq!(name_of("A"), Some("农、林、牧、渔业"));
        assert_eq!(name_of("D"), Some("电力、热力、燃气及水生产和供应业"));
        assert_eq!(name_of("I"), Some("信息传输、软件和信息技术服务业"));
        assert_eq!(name_of("S"), Some("公共管理、社会保障和社会组织"));
        assert_eq!(name_of("T"), Some("国际组织"));
        assert_eq!(name_of("01"), Some("农业"));
        assert_eq!(name_of("02"), Some("林业"));
        assert_eq!(name_of("05"), Some("农、林、牧、渔专业及辅助性活动"));
        assert_eq!(name_of("20"), Some("木材加工和木、竹、藤、棕、草制品业"));
        assert_eq!(name_of("65"), Some("软件和信息技术服务业"));
        assert_eq!(name_of("96"), Some("基层群众自治组织及其他组织"));
        assert_eq!(name_of("97"), Some("国际组织"));
    }

    #[test]
    fn letter_and_division_form_is_accepted_only_with_the_right_letter() {
        assert_eq!(name_of("A01"), Some("农业"));
        assert_eq!(name_of("i65"), Some("软件和信息技术服务业"));
        assert_eq!(name_of("T97"), Some("国际组织"));
        assert_eq!(industry("B01"), None);
        assert_eq!(industry("C51"), None);
    }

    #[test]
    fn lookups_ignore_case_and_whitespace() {
        assert_eq!(name_of(" c "), Some("制造业"));
        assert_eq!(name_of("13\n"), Some("农副食品加工业"));
        assert_eq!(divisions_of('f').len(), 2);
    }

    #[test]
    fn unknown_codes_are_not_found() {
        for code in [
            "", "U", "Z", "00", "98", "99", "1", "001", "AA1", "A011", "0111", "农业",
        ] {
            assert_eq!(industry(code), None, "{code}");
        }
        assert!(divisions_of('U').is_empty());
    }

    #[test]
    fn every_name_is_non_empty_and_unique_within_its_level() {
        for list in [sections(), divisions()] {
            let mut names: Vec<&str> = list.iter().map(|i| i.name.as_str()).collect();
            assert!(names.iter().all(|n| !n.is_empty() && !n.contains('"')));
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), list.len());
        }
    }

    #[test]
    fn csv_reader_handles_quotes_commas_and_line_ends() {
        let text = "\u{feff}code,name,section\r\n\
                    A,\"a, b\",\r\n\
                    \n\
                    01,\"say \"\"hi\"\"\",A\n\
                    02,\"two\nlines\",A\n\
                    03,plain,A";
        assert_eq!(
            parse_csv(text),
            vec![
                vec!["code", "name", "section"],
                vec!["A", "a, b", ""],
                vec!["01", "say \"hi\"", "A"],
                vec!["02", "two\nlines", "A"],
                vec!["03", "plain", "A"],
            ]
        );
    }

    #[test]
    fn table_builder_reads_quoted_names_with_commas() {
        let table = build_table("code,name,section\nA,\"x, y\",\n01,\"z\",A\n");
        assert_eq!(table.sections[0].name, "x, y");
        assert_eq!(table.divisions[0].section, 'A');
    }

    #[test]
    #[should_panic(expected = "3 columns")]
    fn table_builder_rejects_rows_with_missing_columns() {
        build_table("code,name,section\nA,x\n");
    }
}
