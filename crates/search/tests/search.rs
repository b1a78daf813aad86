//! The index as the portal uses it: words in either script, policy terms, filters, fallbacks,
//! escaping, writes, and the on-disk life cycle.

use chuangye_search::{Doc, Hit, Index, Query, Results, SearchError};

/// A document with the fields the tests care about.
fn doc(id: &str, kind: &str, region: &str, title: &str, body: &str, at: i64) -> Doc {
    Doc {
        id: id.into(),
        kind: kind.into(),
        region_code: region.into(),
        title: title.into(),
        body: body.into(),
        published_at: at,
        url: format!("/portal/{kind}/{id}"),
    }
}

fn index(docs: &[Doc]) -> Index {
    let index = Index::in_memory().expect("index");
    index.upsert(docs).expect("upsert");
    index
}

fn words(text: &str) -> Query {
    Query {
        text: text.into(),
        ..Query::default()
    }
}

fn search(index: &Index, q: &Query) -> Results {
    index.search(q).expect("search")
}

fn ids(r: &Results) -> Vec<&str> {
    r.hits.iter().map(|h| h.id.as_str()).collect()
}

fn hit<'a>(r: &'a Results, id: &str) -> &'a Hit {
    r.hits.iter().find(|h| h.id == id).expect("hit present")
}

const VILLAGE: &str = "411002001001";

#[test]
fn a_traditional_query_finds_a_simplified_document() {
    let ix = index(&[
        doc(
            "s",
            "policy",
            VILLAGE,
            "创业担保贷款申请指南",
            "办理流程",
            1,
        ),
        doc("t", "policy", VILLAGE, "高校畢業生就業見習", "補貼標準", 2),
        doc("x", "news", VILLAGE, "天气预报", "明天晴", 3),
    ]);
    let r = search(&ix, &words("創業擔保貸款"));
    assert_eq!(ids(&r), ["s"]);
    assert!(!r.relaxed);
    assert_eq!(hit(&r, "s").title_html, "<mark>创业担保贷款</mark>申请指南");
    let r = search(&ix, &words("高校毕业生 补贴"));
    assert_eq!(ids(&r), ["t"]);
    assert!(hit(&r, "t").title_html.contains("<mark>高校畢業生</mark>"));
    assert!(hit(&r, "t").snippet_html.contains("<mark>補貼</mark>"));
}

#[test]
fn a_policy_term_is_found_whole_and_by_its_parts() {
    let ix = index(&[
        doc("whole", "policy", VILLAGE, "关于创业担保贷款的通知", "", 1),
        doc(
            "apart",
            "news",
            VILLAGE,
            "创业故事",
            "他为朋友担保，后来贷款开店。",
            2,
        ),
        doc(
            "other",
            "news",
            VILLAGE,
            "创业孵化基地开园",
            "入驻企业二十家",
            3,
        ),
    ]);
    assert_eq!(ids(&search(&ix, &words("担保贷款"))), ["whole", "apart"]);
    assert_eq!(ids(&search(&ix, &words("贷款"))), ["whole", "apart"]);
    let r = search(&ix, &words("创业担保贷款"));
    assert_eq!(r.hits.first().map(|h| h.id.as_str()), Some("whole"));
    assert!(!r.relaxed);
    assert_eq!(ids(&search(&ix, &words("孵化基地"))), ["other"]);
    assert_eq!(ids(&search(&ix, &words("三包五帮"))), Vec::<&str>::new());
}

#[test]
fn markup_in_a_query_or_document_is_escaped_never_executed() {
    let ix = index(&[doc(
        "x",
        "qa",
        VILLAGE,
        "<script>alert('创业')</script>",
        "问：<img src=x onerror=alert(1)> 创业 & 就业\"？",
        1,
    )]);
    let r = search(&ix, &words("<script>创业</script>"));
    let h = hit(&r, "x");
    assert_eq!(
        h.title_html,
        "&lt;<mark>script</mark>&gt;alert(&#39;<mark>创业</mark>&#39;)&lt;/<mark>script</mark>&gt;"
    );
    for html in [&h.title_html, &h.snippet_html] {
        let stripped = html.replace("<mark>", "").replace("</mark>", "");
        assert!(!stripped.contains('<') && !stripped.contains('>'), "{html}");
        assert!(
            !stripped.contains('"') && !stripped.contains('\''),
            "{html}"
        );
    }
    assert!(
        h.snippet_html
            .contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{}",
        h.snippet_html
    );
    assert!(
        h.snippet_html
            .contains("<mark>创业</mark> &amp; 就业&quot;")
    );
}

#[test]
fn no_match_of_all_words_falls_back_to_any_word() {
    let ix = index(&[
        doc("a", "policy", VILLAGE, "小微企业贴息", "", 1),
        doc("b", "policy", VILLAGE, "灵活就业社保补贴", "", 2),
        doc("c", "news", VILLAGE, "秋收", "", 3),
    ]);
    let r = search(&ix, &words("贴息 灵活就业"));
    assert!(r.relaxed);
    assert_eq!(r.total, 2);
    let mut found = ids(&r);
    found.sort_unstable();
    assert_eq!(found, ["a", "b"]);
    let r = search(&ix, &words("小微企业 贴息"));
    assert!(!r.relaxed);
    assert_eq!(ids(&r), ["a"]);
    let r = search(&ix, &words("不存在的词语组合"));
    assert_eq!((r.total, r.relaxed), (0, true));
}

#[test]
fn filters_by_kind_region_subtree_and_date() {
    let ix = index(&[
        doc("v1", "policy", "411002001001", "创业培训", "", 100),
        doc("v2", "news", "411002001002", "创业培训", "", 200),
        doc("t2", "policy", "411002002001", "创业培训", "", 300),
        doc("c2", "notice", "411003001001", "创业培训", "", 400),
        doc("county", "notice", "411002000000", "创业培训", "", 500),
    ]);
    let sorted = |q: Query| {
        let mut v: Vec<String> = search(&ix, &q).hits.into_iter().map(|h| h.id).collect();
        v.sort_unstable();
        v
    };
    let q = |kinds: &[&str], region: Option<&str>, from, to| Query {
        text: "创业培训".into(),
        kinds: kinds.iter().map(|k| (*k).to_owned()).collect(),
        region_prefix: region.map(str::to_owned),
        from,
        to,
        ..Query::default()
    };
    assert_eq!(
        sorted(q(&["policy", "notice"], None, None, None)),
        ["c2", "county", "t2", "v1"]
    );
    assert_eq!(sorted(q(&[], Some("411002001"), None, None)), ["v1", "v2"]);
    assert_eq!(
        sorted(q(&[], Some("411002001000"), None, None)),
        ["v1", "v2"]
    );
    assert_eq!(
        sorted(q(&[], Some("411002"), None, None)),
        ["county", "t2", "v1", "v2"]
    );
    assert_eq!(
        sorted(q(&[], Some("411002000000"), None, None)),
        ["county", "t2", "v1", "v2"]
    );
    assert_eq!(
        sorted(q(&[], Some("4110020"), None, None)),
        ["county", "t2", "v1", "v2"]
    );
    assert_eq!(
        sorted(q(&[], Some("41100200100"), None, None)),
        ["v1", "v2"]
    );
    assert_eq!(sorted(q(&[], Some("4110"), None, None)).len(), 5);
    assert_eq!(sorted(q(&[], Some("42"), None, None)).len(), 0);
    assert_eq!(sorted(q(&[], Some("41'OR'1"), None, None)).len(), 0);
    assert_eq!(sorted(q(&[], None, Some(200), Some(300))), ["t2", "v2"]);
    assert_eq!(sorted(q(&[], None, Some(450), None)), ["county"]);
    assert_eq!(sorted(q(&[], None, None, Some(100))), ["v1"]);
    assert_eq!(
        sorted(q(&["policy"], Some("411002"), Some(150), None)),
        ["t2"]
    );
    assert_eq!(sorted(q(&[], None, Some(300), Some(200))).len(), 0);
}

#[test]
fn upsert_replaces_and_delete_removes() {
    let ix = index(&[
        doc("a", "news", VILLAGE, "返乡农民工创业", "", 1),
        doc("b", "news", VILLAGE, "返乡农民工就业", "", 2),
    ]);
    assert_eq!(ix.len().expect("len"), 2);
    ix.upsert(&[doc("a", "news", VILLAGE, "个体工商户登记", "", 3)])
        .expect("upsert");
    assert_eq!(ix.len().expect("len"), 2);
    assert_eq!(ids(&search(&ix, &words("返乡农民工"))), ["b"]);
    assert_eq!(ids(&search(&ix, &words("个体工商户"))), ["a"]);
    ix.upsert(&[
        doc("c", "news", VILLAGE, "第一版", "", 4),
        doc("c", "news", VILLAGE, "第二版", "", 5),
    ])
    .expect("upsert");
    assert_eq!(ix.len().expect("len"), 3);
    assert_eq!(ids(&search(&ix, &words("第二版"))), ["c"]);
    ix.delete(&["b".to_owned(), "nope".to_owned()])
        .expect("delete");
    assert_eq!(ix.len().expect("len"), 2);
    assert_eq!(search(&ix, &words("返乡农民工")).total, 0);
    ix.clear().expect("clear");
    assert!(ix.is_empty().expect("len"));
    assert_eq!(search(&ix, &Query::default()).total, 0);
}

#[test]
fn an_empty_query_lists_newest_first() {
    let ix = index(&[
        doc("old", "news", VILLAGE, "甲", "", 10),
        doc("new", "news", VILLAGE, "乙", "", 30),
        doc("mid", "news", VILLAGE, "丙", "", 20),
        doc("job", "job", VILLAGE, "丁", "", 40),
    ]);
    let q = Query {
        text: "  \n ".into(),
        kinds: vec!["news".into()],
        ..Query::default()
    };
    let r = search(&ix, &q);
    assert_eq!((r.total, r.relaxed), (3, false));
    assert_eq!(ids(&r), ["new", "mid", "old"]);
    assert_eq!(r.hits[0].title_html, "乙");
    assert_eq!(r.hits[0].score, 0.0);
    let page = Query {
        offset: 1,
        limit: 1,
        ..q.clone()
    };
    assert_eq!(ids(&search(&ix, &page)), ["mid"]);
    let count = Query { limit: 0, ..q };
    let r = search(&ix, &count);
    assert_eq!((r.total, r.hits.len()), (3, 0));
}

#[test]
fn syntax_characters_are_plain_words() {
    let ix = index(&[
        doc("a", "qa", VILLAGE, "title AND body", "创业 政策 问答", 1),
        doc("b", "qa", VILLAGE, "其他", "就业", 2),
    ]);
    let nasty = [
        "title:创业",
        "\"创业",
        "(创业",
        "创业)",
        "创业 AND",
        "OR 创业",
        "NOT 创业",
        "创业*",
        "+创业 -政策",
        "创业~2",
        "创业^3",
        "[创业 TO 政策]",
        "{创业}",
        "创业\\",
        "/创业/",
        "创业!",
        "*",
        ":",
        "\"",
        "((",
        "AND",
        "创业 &&",
        "|| 创业",
        "\u{0}创业",
        "创业\u{202e}",
    ];
    for text in nasty {
        let r = ix.search(&words(text));
        assert!(r.is_ok(), "{text:?}: {r:?}");
    }
    assert_eq!(ids(&search(&ix, &words("title:创业"))), ["a"]);
    assert_eq!(ids(&search(&ix, &words("创业 AND 政策"))), ["a"]);
    assert_eq!(ids(&search(&ix, &words("(创业*)"))), ["a"]);
    let r = search(&ix, &words("*** :: \"\""));
    assert_eq!((r.total, r.hits.len(), r.relaxed), (0, 0, false));
}

#[test]
fn equal_scores_list_newest_first_and_titles_outrank_bodies() {
    let ix = index(&[
        doc("body", "news", VILLAGE, "通知", "灵活就业人员社保补贴", 50),
        doc("older", "news", VILLAGE, "灵活就业", "", 10),
        doc("newer", "news", VILLAGE, "灵活就业", "", 20),
    ]);
    assert_eq!(
        ids(&search(&ix, &words("灵活就业"))),
        ["newer", "older", "body"]
    );
}

#[test]
fn pages_are_cut_and_counted() {
    let docs: Vec<Doc> = (0..150)
        .map(|i| doc(&format!("d{i}"), "news", VILLAGE, "创业", "", i))
        .collect();
    let ix = index(&docs);
    let q = Query {
        limit: 1000,
        ..words("创业")
    };
    let r = search(&ix, &q);
    assert_eq!((r.total, r.hits.len()), (150, chuangye_search::MAX_LIMIT));
    assert_eq!(r.hits[0].id, "d149");
    let deep = Query {
        offset: chuangye_search::MAX_OFFSET + 1,
        ..q
    };
    let r = search(&ix, &deep);
    assert_eq!((r.total, r.hits.len()), (150, 0));
}

#[test]
fn an_index_on_disk_survives_reopening_and_refuses_another_version() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let ix = Index::open(dir.path()).expect("open");
        ix.upsert(&[doc("a", "news", VILLAGE, "劳动保障监察", "", 1)])
            .expect("upsert");
    }
    let ix = Index::open(dir.path()).expect("reopen");
    assert_eq!(ids(&search(&ix, &words("劳动保障"))), ["a"]);
    drop(ix);
    std::fs::write(dir.path().join("chuangye-search.version"), "0").expect("write");
    assert!(matches!(
        Index::open(dir.path()),
        Err(SearchError::Incompatible { .. })
    ));
}

#[test]
fn an_index_is_shared_across_threads_while_written() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Index>();
    let ix = std::sync::Arc::new(index(&[]));
    let writer = {
        let ix = ix.clone();
        std::thread::spawn(move || {
            for i in 0..20 {
                let d = doc(&format!("d{i}"), "news", VILLAGE, "创业型城市", "", i);
                ix.upsert(&[d]).expect("upsert");
            }
        })
    };
    for _ in 0..20 {
        ix.search(&words("创业型城市")).expect("search");
    }
    writer.join().expect("writer thread");
    assert_eq!(search(&ix, &words("创业型城市")).total, 20);
}
