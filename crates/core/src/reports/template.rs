//! The work summary's text template: plain text a campaign office edits, with placeholders for
//! figures. The first line is the title; a line starting with `#` is a section heading; other
//! lines are paragraphs; `{{表:指标,指标}}` and `{{图:指标}}` on a line of their own are a table
//! and a bar chart of the child regions. Placeholders are `{{地区}}`, `{{期间}}`, … and
//! `{{<indicator name or code>}}` with an optional `.目标`, `.完成率`, `.同比`, `.去年同期`.
//! A template with anything else between braces is refused, naming the placeholder and line.

use crate::indicators::Indicator;
use crate::{Error, FieldError, Result};

/// The form field the template text is edited in.
pub const FIELD: &str = "body";
/// The longest template accepted.
pub const MAX_CHARS: usize = 20_000;

/// What a placeholder stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Slot {
    Region,
    Period,
    Year,
    /// "截至" date: the end of the period, or today while it runs.
    AsOf,
    Today,
    ChildCount,
    ChildKind,
    Figure(String, Facet),
}

/// Which figure of an indicator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Facet {
    Value,
    Target,
    Completion,
    Change,
    LastYear,
}

/// Text with placeholders, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Slot(Slot),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line {
    Heading(Vec<Piece>),
    Paragraph(Vec<Piece>),
    /// Indicator codes, one column each.
    Table(Vec<String>),
    Chart(String),
    /// Entrepreneurs in the register by category (`{{图:人员类别}}`).
    Categories,
}

/// The name of the chart of entrepreneurs by category.
pub const CATEGORIES: &str = "人员类别";

/// A checked template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    pub title: Vec<Piece>,
    pub lines: Vec<Line>,
}

const FIXED: &[(&str, Slot)] = &[
    ("地区", Slot::Region),
    ("期间", Slot::Period),
    ("年份", Slot::Year),
    ("截止日期", Slot::AsOf),
    ("生成日期", Slot::Today),
    ("下级地区数", Slot::ChildCount),
    ("下级地区类别", Slot::ChildKind),
];

const FACETS: &[(&str, Facet)] = &[
    ("目标", Facet::Target),
    ("完成率", Facet::Completion),
    ("同比", Facet::Change),
    ("去年同期", Facet::LastYear),
];

/// The placeholders a template may use, as `(placeholder, meaning key or indicator name)`,
/// for the help beside the editor.
pub fn placeholders(catalogue: &[Indicator]) -> Vec<String> {
    let mut out: Vec<String> = FIXED.iter().map(|(n, _)| format!("{{{{{n}}}}}")).collect();
    out.push(format!("{{{{图:{CATEGORIES}}}}}"));
    for i in catalogue {
        out.push(format!("{{{{{}}}}}", i.name));
    }
    out
}

fn indicator<'a>(catalogue: &'a [Indicator], name: &str) -> Option<&'a Indicator> {
    catalogue.iter().find(|i| i.name == name || i.code == name)
}

fn slot(catalogue: &[Indicator], inner: &str) -> Option<Slot> {
    if let Some((_, s)) = FIXED.iter().find(|(n, _)| *n == inner) {
        return Some(s.clone());
    }
    let (name, facet) = match inner.rsplit_once(['.', '．']) {
        Some((n, f)) => (n, FACETS.iter().find(|(k, _)| *k == f)?.1),
        None => (inner, Facet::Value),
    };
    indicator(catalogue, name.trim()).map(|i| Slot::Figure(i.code.clone(), facet))
}

fn unknown(line: usize, what: &str) -> FieldError {
    FieldError::new(FIELD, "report.template_unknown")
        .arg("line", line)
        .arg("name", what)
}

/// The `{{…}}` of a line, or problems with it.
fn pieces(
    catalogue: &[Indicator],
    text: &str,
    line: usize,
    errors: &mut Vec<FieldError>,
) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        if open > 0 {
            out.push(Piece::Text(rest[..open].to_string()));
        }
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            errors.push(FieldError::new(FIELD, "report.template_unclosed").arg("line", line));
            return out;
        };
        let inner = after[..close].trim();
        match slot(catalogue, inner) {
            Some(s) => out.push(Piece::Slot(s)),
            None if block(inner).is_some() => errors.push(
                FieldError::new(FIELD, "report.template_block_alone")
                    .arg("line", line)
                    .arg("name", inner),
            ),
            None => errors.push(unknown(line, inner)),
        }
        rest = &after[close + 2..];
    }
    if rest.contains("}}") {
        errors.push(FieldError::new(FIELD, "report.template_unclosed").arg("line", line));
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest.to_string()));
    }
    out
}

/// `表:…` or `图:…` inside braces: (is table, the names).
fn block(inner: &str) -> Option<(bool, &str)> {
    let (kind, names) = inner.split_once([':', '：'])?;
    match kind.trim() {
        "表" => Some((true, names)),
        "图" => Some((false, names)),
        _ => None,
    }
}

/// Parses and checks a template against the catalogue; every problem is reported at once.
pub fn parse(body: &str, catalogue: &[Indicator]) -> Result<Template> {
    let mut errors = Vec::new();
    if body.chars().count() > MAX_CHARS {
        return Err(Error::Invalid(vec![
            FieldError::new(FIELD, "report.template_too_long").arg("max", MAX_CHARS),
        ]));
    }
    let mut title = None;
    let mut lines = Vec::new();
    for (i, raw) in body.lines().enumerate() {
        let n = i + 1;
        let text = raw.trim();
        if text.is_empty() {
            continue;
        }
        if title.is_none() {
            title = Some(pieces(catalogue, text, n, &mut errors));
            continue;
        }
        let whole = text
            .strip_prefix("{{")
            .and_then(|t| t.strip_suffix("}}"))
            .filter(|t| !t.contains("{{"))
            .and_then(block);
        if let Some((false, CATEGORIES)) = whole.map(|(t, n)| (t, n.trim())) {
            lines.push(Line::Categories);
        } else if let Some((is_table, names)) = whole {
            let mut codes = Vec::new();
            for name in names
                .split([',', '，', '、'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                match indicator(catalogue, name) {
                    Some(ind) => codes.push(ind.code.clone()),
                    None => errors.push(unknown(n, name)),
                }
            }
            if codes.is_empty() {
                errors.push(FieldError::new(FIELD, "report.template_block_empty").arg("line", n));
            } else if is_table {
                lines.push(Line::Table(codes));
            } else if codes.len() > 1 {
                errors.push(FieldError::new(FIELD, "report.template_chart_one").arg("line", n));
            } else {
                lines.push(Line::Chart(codes.remove(0)));
            }
        } else if let Some(h) = text.strip_prefix('#') {
            lines.push(Line::Heading(pieces(
                catalogue,
                h.trim_start_matches('#').trim(),
                n,
                &mut errors,
            )));
        } else {
            lines.push(Line::Paragraph(pieces(catalogue, text, n, &mut errors)));
        }
    }
    let Some(title) = title else {
        errors.push(FieldError::new(FIELD, "report.template_empty"));
        return Err(Error::Invalid(errors));
    };
    if errors.is_empty() {
        Ok(Template { title, lines })
    } else {
        Err(Error::Invalid(errors))
    }
}

/// The template used until a campaign office saves its own, in the shape of the seed's
/// district report (opening figures, then the five systems, then targets).
pub const DEFAULT: &str = "\
{{地区}}{{期间}}创建国家级创业型城市工作总结汇报

{{期间}}，{{地区}}围绕创建国家级创业型城市总体目标，以建立健全创业服务、创业示范、创业培训、创业融资、创业宣传\u{201c}五大体系\u{201d}为重点，全面推动国家级创业型城市创建步伐。截至{{截止日期}}，城镇新增就业{{城镇新增就业}}人，新增私营企业{{新增私营企业}}户，新注册个体工商户{{新注册个体工商户}}户，创业带动就业{{创业带动就业}}人，所辖{{下级地区数}}个{{下级地区类别}}全部纳入创业服务平台，一个群众共同参与、服务平台完善、工作载体新颖、创业带动就业的工作新格局正在形成。

{{表:城镇新增就业,新增私营企业,新注册个体工商户,创业带动就业}}

# 一、健全创业服务体系，夯实创建基础
依托街道（乡镇）、社区劳动保障工作平台，对创业人员实行\u{201c}三包五帮\u{201d}跟踪服务，建立创业人员台账，实行动态管理。本期新登记创业人员{{新登记创业人员}}人，开展上门、电话和来访服务{{走访服务}}次，办结创业人员各类需求{{需求办结数}}件、按期办结率{{需求按期办结率}}，新增农民专业合作社{{新增农民专业合作社}}个。

{{图:新增私营企业}}

{{图:人员类别}}

# 二、建设创业示范体系，发挥带动作用
加大创业孵化基地和创业示范基地建设力度，落实各项优惠政策和跟踪服务制度，提高基地承载能力。本期新入驻孵化基地和示范基地的创业实体{{孵化基地入驻创业实体}}户。

# 三、完善创业培训体系，提升创业能力
依托定点培训机构和创业服务中心，开展创业意识、创业能力和创业实训培训。本期参加创业培训{{创业培训人数}}人。

# 四、拓宽创业融资体系，破解资金难题
会同财政、人民银行和经办银行，落实创业担保贷款政策，简化审批流程。本期发放创业担保贷款{{创业担保贷款发放额}}万元。

# 五、强化创业宣传体系，营造创业氛围
通过广场文化活动、宣传日、媒体专栏和公益短信，宣传创业政策和创业典型。本期开展创业宣传活动{{创业宣传活动}}场。

# 六、目标任务完成情况
城镇新增就业年度目标{{城镇新增就业.目标}}人，完成{{城镇新增就业.完成率}}，同比{{城镇新增就业.同比}}；新增私营企业同比{{新增私营企业.同比}}，新注册个体工商户同比{{新注册个体工商户.同比}}。

{{图:城镇新增就业}}
";

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn catalogue() -> Vec<Indicator> {
        [
            ("new_private_enterprises", "新增私营企业"),
            ("new_individual_businesses", "新注册个体工商户"),
            ("new_cooperatives", "新增农民专业合作社"),
            ("jobs_driven", "创业带动就业"),
            ("new_entrepreneurs", "新登记创业人员"),
            ("visits_made", "走访服务"),
            ("new_urban_jobs", "城镇新增就业"),
            ("training_persons", "创业培训人数"),
            ("guaranteed_loans", "创业担保贷款发放额"),
            ("incubated_entities", "孵化基地入驻创业实体"),
            ("publicity_events", "创业宣传活动"),
            ("needs_closed", "需求办结数"),
            ("needs_on_time_rate", "需求按期办结率"),
        ]
        .into_iter()
        .map(|(code, name)| Indicator {
            code: code.into(),
            name: name.into(),
            unit: "户".into(),
            definition: String::new(),
            source: "ledger".into(),
            time_agg: "sum".into(),
            region_agg: "sum".into(),
            numerator: None,
            denominator: None,
            sort_order: 0,
        })
        .collect()
    }

    fn keys(e: Error) -> Vec<(String, Vec<(String, String)>)> {
        match e {
            Error::Invalid(v) => v.into_iter().map(|f| (f.key, f.args)).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_default_template_is_valid() {
        let t = parse(DEFAULT, &catalogue()).unwrap();
        assert!(
            t.lines
                .iter()
                .any(|l| matches!(l, Line::Table(c) if c.len() == 4))
        );
        assert_eq!(
            t.lines
                .iter()
                .filter(|l| matches!(l, Line::Heading(_)))
                .count(),
            6
        );
        assert_eq!(
            t.lines
                .iter()
                .filter(|l| matches!(l, Line::Chart(_)))
                .count(),
            2
        );
    }

    #[test]
    fn names_codes_and_facets_are_placeholders() {
        let t = parse(
            "{{地区}}总结\n新增{{新增私营企业}}户，{{new_urban_jobs.完成率}}，{{城镇新增就业．目标}}",
            &catalogue(),
        )
        .unwrap();
        assert_eq!(t.title[0], Piece::Slot(Slot::Region));
        let Line::Paragraph(p) = &t.lines[0] else {
            panic!()
        };
        assert!(p.contains(&Piece::Slot(Slot::Figure(
            "new_private_enterprises".into(),
            Facet::Value
        ))));
        assert!(p.contains(&Piece::Slot(Slot::Figure(
            "new_urban_jobs".into(),
            Facet::Completion
        ))));
        assert!(p.contains(&Piece::Slot(Slot::Figure(
            "new_urban_jobs".into(),
            Facet::Target
        ))));
    }

    #[test]
    fn an_unknown_placeholder_is_refused_with_its_name_and_line() {
        let e = parse(
            "标题\n\n正文{{新增私营企业}}和{{新增国有企业}}",
            &catalogue(),
        )
        .unwrap_err();
        let k = keys(e);
        assert_eq!(k.len(), 1);
        assert_eq!(k[0].0, "report.template_unknown");
        assert!(k[0].1.contains(&("line".into(), "3".into())));
        assert!(k[0].1.contains(&("name".into(), "新增国有企业".into())));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let e = parse(
            "标题{{地区\n{{表:新增私营企业,不存在}}\n{{图:新增私营企业,走访服务}}\n文字{{图:走访服务}}\n{{新增私营企业.排名}}",
            &catalogue(),
        )
        .unwrap_err();
        let k: Vec<String> = keys(e).into_iter().map(|x| x.0).collect();
        assert_eq!(
            k,
            [
                "report.template_unclosed",
                "report.template_unknown",
                "report.template_chart_one",
                "report.template_block_alone",
                "report.template_unknown"
            ]
        );
    }

    #[test]
    fn an_empty_template_is_refused() {
        assert_eq!(
            keys(parse(" \n\n", &catalogue()).unwrap_err())[0].0,
            "report.template_empty"
        );
    }
}
