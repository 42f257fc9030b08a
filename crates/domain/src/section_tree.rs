//! The section hierarchy (News > Middle East > Iraq) held in memory: paths, breadcrumbs,
//! children and descendants. Sections are few, so the whole tree is loaded at once.

use crate::{Id, Section};
use std::collections::HashMap;

#[derive(Debug, Clone, Default)]
pub struct SectionTree {
    sections: Vec<Section>,
    by_id: HashMap<Id, usize>,
    paths: HashMap<Id, String>,
}

impl SectionTree {
    /// Builds the tree. Sections whose parent is missing, or that sit in a cycle, are dropped
    /// so that a damaged table can never make a page loop.
    pub fn new(mut sections: Vec<Section>) -> Self {
        sections.sort_by(|a, b| a.position.cmp(&b.position).then(a.name.cmp(&b.name)));
        let by_id: HashMap<Id, usize> = sections
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id, i))
            .collect();
        let mut paths = HashMap::new();
        for section in &sections {
            let mut segments = Vec::new();
            let mut current = Some(section);
            let mut ok = true;
            while let Some(s) = current {
                if segments.len() > sections.len() {
                    ok = false;
                    break;
                }
                segments.push(s.slug.as_str());
                current = match s.parent_id {
                    None => None,
                    Some(parent) => match by_id.get(&parent) {
                        Some(&i) => Some(&sections[i]),
                        None => {
                            ok = false;
                            None
                        }
                    },
                };
            }
            if ok {
                segments.reverse();
                paths.insert(section.id, format!("/{}", segments.join("/")));
            }
        }
        Self {
            sections,
            by_id,
            paths,
        }
    }

    pub fn get(&self, id: Id) -> Option<&Section> {
        self.by_id
            .get(&id)
            .map(|&i| &self.sections[i])
            .filter(|s| self.paths.contains_key(&s.id))
    }

    /// Root-relative path of a section, e.g. `/news/middle-east`.
    pub fn path(&self, id: Id) -> Option<&str> {
        self.paths.get(&id).map(String::as_str)
    }

    /// The section at a path given as slugs, e.g. `["news", "middle-east"]`.
    pub fn find_by_slugs(&self, slugs: &[&str]) -> Option<&Section> {
        let path = format!("/{}", slugs.join("/"));
        self.paths
            .iter()
            .find(|(_, p)| **p == path)
            .and_then(|(id, _)| self.get(*id))
    }

    /// The section at a path as editors and importers write it (`news/middle-east`, with or
    /// without slashes around it).
    pub fn find_by_path(&self, path: &str) -> Option<&Section> {
        let segments: Vec<&str> = path
            .split('/')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if segments.is_empty() {
            return None;
        }
        self.find_by_slugs(&segments)
    }

    /// The section and its ancestors, outermost first: the breadcrumb trail.
    pub fn trail(&self, id: Id) -> Vec<&Section> {
        let mut trail = Vec::new();
        let mut current = self.get(id);
        while let Some(s) = current {
            trail.push(s);
            current = s.parent_id.and_then(|p| self.get(p));
        }
        trail.reverse();
        trail
    }

    /// Direct children in their editorial order.
    pub fn children(&self, parent: Option<Id>) -> Vec<&Section> {
        self.sections
            .iter()
            .filter(|s| s.parent_id == parent && self.paths.contains_key(&s.id))
            .collect()
    }

    /// The section and every section below it, for listings that include subsections.
    pub fn with_descendants(&self, id: Id) -> Vec<Id> {
        let mut out = vec![id];
        let mut i = 0;
        while i < out.len() {
            let parent = out[i];
            out.extend(self.children(Some(parent)).iter().map(|s| s.id));
            i += 1;
        }
        out
    }

    pub fn all(&self) -> impl Iterator<Item = &Section> {
        self.sections
            .iter()
            .filter(|s| self.paths.contains_key(&s.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Slug;

    fn section(id: Id, parent: Option<Id>, slug: &str, position: i64) -> Section {
        Section {
            id,
            parent_id: parent,
            slug: Slug::parse(slug).expect("valid"),
            name: slug.to_uppercase(),
            description: String::new(),
            position,
            language: None,
        }
    }

    #[test]
    fn paths_trails_and_descendants() {
        let tree = SectionTree::new(vec![
            section(3, Some(2), "iraq", 0),
            section(1, None, "news", 0),
            section(2, Some(1), "middle-east", 1),
            section(4, Some(1), "world", 0),
            section(5, None, "sport", 1),
        ]);
        assert_eq!(tree.path(3), Some("/news/middle-east/iraq"));
        let trail: Vec<_> = tree.trail(3).iter().map(|s| s.id).collect();
        assert_eq!(trail, vec![1, 2, 3]);
        let children: Vec<_> = tree.children(Some(1)).iter().map(|s| s.id).collect();
        assert_eq!(children, vec![4, 2], "children keep editorial order");
        let mut all = tree.with_descendants(1);
        all.sort();
        assert_eq!(all, vec![1, 2, 3, 4]);
        assert_eq!(
            tree.find_by_slugs(&["news", "middle-east"]).map(|s| s.id),
            Some(2)
        );
        assert!(tree.find_by_slugs(&["middle-east"]).is_none());
        for written in [
            "news/middle-east",
            "/news/middle-east/",
            " news / middle-east ",
        ] {
            assert_eq!(
                tree.find_by_path(written).map(|s| s.id),
                Some(2),
                "{written:?}"
            );
        }
        assert!(tree.find_by_path("").is_none());
        assert!(tree.find_by_path("/").is_none());
    }

    #[test]
    fn broken_parents_and_cycles_are_dropped() {
        let tree = SectionTree::new(vec![
            section(1, Some(2), "a", 0),
            section(2, Some(1), "b", 0),
            section(3, Some(99), "orphan", 0),
            section(4, None, "ok", 0),
        ]);
        assert_eq!(tree.all().count(), 1);
        assert!(tree.trail(1).is_empty());
    }
}
