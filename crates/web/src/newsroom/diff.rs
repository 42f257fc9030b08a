//! What changed between two revisions, field by field, line by line.

use broadsheet_domain::ArticleDraft;
use serde::Serialize;
use similar::{ChangeTag, TextDiff};

#[derive(Debug, Serialize)]
pub struct FieldDiff {
    pub name: &'static str,
    pub lines: Vec<Line>,
}

#[derive(Debug, Serialize)]
pub struct Line {
    /// `added`, `removed` or `same`.
    pub kind: &'static str,
    pub sign: &'static str,
    pub text: String,
}

/// The fields that differ, each as a line diff; unchanged fields are left out.
pub fn drafts(old: &ArticleDraft, new: &ArticleDraft) -> Vec<FieldDiff> {
    let fields: [(&'static str, String, String); 8] = [
        ("Headline", old.headline.clone(), new.headline.clone()),
        ("Standfirst", old.standfirst.clone(), new.standfirst.clone()),
        ("Body", old.body.clone(), new.body.clone()),
        ("Address slug", old.slug.to_string(), new.slug.to_string()),
        (
            "Section",
            old.section_id.to_string(),
            new.section_id.to_string(),
        ),
        ("Tags", old.tags.join(", "), new.tags.join(", ")),
        (
            "Dateline",
            old.dateline.clone().unwrap_or_default(),
            new.dateline.clone().unwrap_or_default(),
        ),
        (
            "Status",
            old.status.as_str().into(),
            new.status.as_str().into(),
        ),
    ];
    fields
        .into_iter()
        .filter(|(_, a, b)| a != b)
        .map(|(name, a, b)| FieldDiff {
            name,
            lines: TextDiff::from_lines(&a, &b)
                .iter_all_changes()
                .map(|change| {
                    let (kind, sign) = match change.tag() {
                        ChangeTag::Insert => ("added", "+"),
                        ChangeTag::Delete => ("removed", "-"),
                        ChangeTag::Equal => ("same", " "),
                    };
                    Line {
                        kind,
                        sign,
                        text: change.value().trim_end_matches('\n').to_owned(),
                    }
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use broadsheet_domain::{ArticleStatus, Byline, Language, Slug};

    #[test]
    fn only_changed_lines_are_marked() {
        let old = ArticleDraft {
            slug: Slug::parse("s").expect("slug"),
            section_id: 1,
            language: Language::parse("en").expect("language"),
            headline: "Same".into(),
            standfirst: String::new(),
            body: "one\ntwo\nthree".into(),
            dateline: None,
            lead_media_id: None,
            bylines: vec![Byline::Guest { name: "A".into() }],
            tags: vec![],
            status: ArticleStatus::Draft,
            published_at: None,
            translation_group: None,
        };
        let new = ArticleDraft {
            body: "one\n2\nthree".into(),
            ..old.clone()
        };
        let diff = drafts(&old, &new);
        assert_eq!(diff.len(), 1);
        assert_eq!(diff[0].name, "Body");
        let marked: Vec<(&str, &str)> = diff[0]
            .lines
            .iter()
            .map(|l| (l.kind, l.text.as_str()))
            .collect();
        assert_eq!(
            marked,
            vec![
                ("same", "one"),
                ("removed", "two"),
                ("added", "2"),
                ("same", "three")
            ]
        );
    }
}
