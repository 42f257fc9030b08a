//! Everything around the articles: sections, tags, authors, media, pages, collections.

use crate::{to_time, ChangeEvent, Result, Store, StoreError};
use broadsheet_domain::{
    Author, Collection, Id, Language, Media, NewAuthor, NewMedia, NewPage, NewSection, Page,
    Section, SectionTree, Slug, Tag,
};
use chrono::Utc;
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

fn slug_of(raw: String) -> Result<Slug> {
    Slug::parse(&raw).map_err(|e| StoreError::Corrupt(format!("stored slug {raw:?}: {e}")))
}

fn language_of(raw: String) -> Result<Language> {
    Language::parse(&raw).map_err(|e| StoreError::Corrupt(format!("stored language {raw:?}: {e}")))
}

fn section_from(row: &AnyRow) -> Result<Section> {
    Ok(Section {
        id: row.try_get("id")?,
        parent_id: row.try_get("parent_id")?,
        slug: slug_of(row.try_get("slug")?)?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        position: row.try_get("position")?,
        language: row
            .try_get::<Option<String>, _>("language")?
            .map(language_of)
            .transpose()?,
    })
}

fn author_from(row: &AnyRow) -> Result<Author> {
    Ok(Author {
        id: row.try_get("id")?,
        slug: slug_of(row.try_get("slug")?)?,
        name: row.try_get("name")?,
        bio: row.try_get("bio")?,
        photo_media_id: row.try_get("photo_media_id")?,
    })
}

fn tag_from(row: &AnyRow) -> Result<Tag> {
    Ok(Tag {
        id: row.try_get("id")?,
        slug: slug_of(row.try_get("slug")?)?,
        name: row.try_get("name")?,
    })
}

/// Media columns, optionally read under a prefix (`m_id`...) when joined to articles.
#[derive(FromRow)]
pub(crate) struct MediaRow {
    id: i64,
    file_name: String,
    mime: String,
    width: i64,
    height: i64,
    alt: String,
    caption: String,
    credit: String,
    file_photo: i64,
    variants: String,
    webp: i64,
}

pub(crate) const MEDIA_COLUMNS: &str =
    "m.id AS m_id, m.file_name AS m_file_name, m.mime AS m_mime, m.width AS m_width, \
     m.height AS m_height, m.alt AS m_alt, m.caption AS m_caption, m.credit AS m_credit, \
     m.file_photo AS m_file_photo, m.variants AS m_variants, m.webp AS m_webp";

const MEDIA_SELECT: &str =
    "SELECT id, file_name, mime, width, height, alt, caption, credit, file_photo, variants, webp FROM media";

impl MediaRow {
    pub(crate) fn from_prefixed(row: &AnyRow) -> Result<Option<Media>> {
        let Some(id) = row.try_get::<Option<i64>, _>("m_id")? else {
            return Ok(None);
        };
        let media = MediaRow {
            id,
            file_name: row.try_get("m_file_name")?,
            mime: row.try_get("m_mime")?,
            width: row.try_get("m_width")?,
            height: row.try_get("m_height")?,
            alt: row.try_get("m_alt")?,
            caption: row.try_get("m_caption")?,
            credit: row.try_get("m_credit")?,
            file_photo: row.try_get("m_file_photo")?,
            variants: row.try_get("m_variants")?,
            webp: row.try_get("m_webp")?,
        };
        Ok(Some(media.into()))
    }
}

impl From<MediaRow> for Media {
    fn from(r: MediaRow) -> Self {
        Media {
            id: r.id,
            file_name: r.file_name,
            mime: r.mime,
            width: u32::try_from(r.width).unwrap_or(0),
            height: u32::try_from(r.height).unwrap_or(0),
            alt: r.alt,
            caption: r.caption,
            credit: r.credit,
            file_photo: r.file_photo != 0,
            variants: r
                .variants
                .split(',')
                .filter_map(|w| w.trim().parse().ok())
                .collect(),
            webp: r.webp != 0,
        }
    }
}

impl Store {
    // ---- sections ----

    pub async fn create_section(&self, new: &NewSection) -> Result<Section> {
        new.validate()?;
        let _turn = self.write_turn().await;
        if let Some(parent) = new.parent_id {
            let exists = sqlx::query("SELECT id FROM sections WHERE id = $1")
                .bind(parent)
                .fetch_optional(&self.pool)
                .await?;
            if exists.is_none() {
                return Err(StoreError::NotFound("the parent section"));
            }
        }
        let row = sqlx::query(
            "INSERT INTO sections (parent_id, slug, name, description, position, language)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(new.parent_id)
        .bind(new.slug.as_str())
        .bind(new.name.trim())
        .bind(&new.description)
        .bind(new.position)
        .bind(new.language.as_ref().map(Language::as_str))
        .fetch_one(&self.pool)
        .await?;
        self.announce(ChangeEvent::Catalogue);
        Ok(Section {
            id: row.try_get("id")?,
            parent_id: new.parent_id,
            slug: new.slug.clone(),
            name: new.name.trim().to_owned(),
            description: new.description.clone(),
            position: new.position,
            language: new.language.clone(),
        })
    }

    /// Renames, moves or reorders a section. When its address changes, the articles in it
    /// and below it move too, and their old addresses redirect to the new ones.
    pub async fn update_section(&self, id: Id, changed: &NewSection) -> Result<Section> {
        changed.validate()?;
        let mut tree = self.section_tree().await?;
        if tree.get(id).is_none() {
            return Err(StoreError::NotFound("the section"));
        }
        if let Some(parent) = changed.parent_id {
            if tree.get(parent).is_none() {
                return Err(StoreError::NotFound("the parent section"));
            }
            if tree.with_descendants(id).contains(&parent) {
                return Err(broadsheet_domain::ValidationError::new(
                    "parent",
                    "a section cannot be placed inside itself",
                )
                .into());
            }
        }
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE sections SET parent_id = $1, slug = $2, name = $3, description = $4, position = $5,
                language = $6 WHERE id = $7",
        )
        .bind(changed.parent_id)
        .bind(changed.slug.as_str())
        .bind(changed.name.trim())
        .bind(&changed.description)
        .bind(changed.position)
        .bind(changed.language.as_ref().map(Language::as_str))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let moved = tree.with_descendants(id);
        let old_paths: Vec<(Id, String)> = moved
            .iter()
            .filter_map(|s| tree.path(*s).map(|p| (*s, p.to_owned())))
            .collect();
        let mut sections: Vec<Section> = tree.all().cloned().collect();
        for section in &mut sections {
            if section.id == id {
                section.parent_id = changed.parent_id;
                section.slug = changed.slug.clone();
            }
        }
        tree = broadsheet_domain::SectionTree::new(sections);
        for (section_id, old) in old_paths {
            let Some(new) = tree.path(section_id) else {
                continue;
            };
            if new == old {
                continue;
            }
            let rows = sqlx::query("SELECT id, path, status FROM articles WHERE section_id = $1")
                .bind(section_id)
                .fetch_all(&mut *tx)
                .await?;
            for row in rows {
                let article_id: Id = row.try_get("id")?;
                let path: String = row.try_get("path")?;
                let status: String = row.try_get("status")?;
                let new_path = format!("{new}{}", &path[old.len().min(path.len())..]);
                sqlx::query("UPDATE articles SET path = $1 WHERE id = $2")
                    .bind(&new_path)
                    .bind(article_id)
                    .execute(&mut *tx)
                    .await?;
                if status == "published" {
                    sqlx::query(
                        "INSERT INTO redirects (old_path, article_id) VALUES ($1, $2)
                         ON CONFLICT (old_path) DO UPDATE SET article_id = excluded.article_id",
                    )
                    .bind(&path)
                    .bind(article_id)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        tx.commit().await?;
        self.announce(ChangeEvent::Catalogue);
        Ok(Section {
            id,
            parent_id: changed.parent_id,
            slug: changed.slug.clone(),
            name: changed.name.trim().to_owned(),
            description: changed.description.clone(),
            position: changed.position,
            language: changed.language.clone(),
        })
    }

    pub async fn sections(&self) -> Result<Vec<Section>> {
        let rows = sqlx::query("SELECT id, parent_id, slug, name, description, position, language FROM sections ORDER BY position, name")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(section_from).collect()
    }

    pub async fn section_tree(&self) -> Result<SectionTree> {
        Ok(SectionTree::new(self.sections().await?))
    }

    // ---- tags ----

    pub async fn tag_by_slug(&self, slug: &Slug) -> Result<Option<Tag>> {
        let row = sqlx::query("SELECT id, slug, name FROM tags WHERE slug = $1")
            .bind(slug.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(tag_from).transpose()
    }

    /// Tags with at least one published article, by name.
    pub async fn tags_in_use(&self) -> Result<Vec<Tag>> {
        let rows = sqlx::query(
            "SELECT t.id, t.slug, t.name FROM tags t WHERE EXISTS (
                SELECT 1 FROM article_tags at JOIN articles a ON a.id = at.article_id
                WHERE at.tag_id = t.id AND a.status = 'published' AND a.published_at <= $1)
             ORDER BY t.name",
        )
        .bind(Utc::now().timestamp())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(tag_from).collect()
    }

    pub(crate) async fn tags_of(&self, article_id: Id) -> Result<Vec<Tag>> {
        let rows = sqlx::query(
            "SELECT t.id, t.slug, t.name FROM tags t JOIN article_tags at ON at.tag_id = t.id
             WHERE at.article_id = $1 ORDER BY at.position",
        )
        .bind(article_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(tag_from).collect()
    }

    // ---- authors ----

    pub async fn create_author(&self, new: &NewAuthor) -> Result<Author> {
        if new.name.trim().is_empty() {
            return Err(
                broadsheet_domain::ValidationError::new("name", "must not be empty").into(),
            );
        }
        let _turn = self.write_turn().await;
        let row = sqlx::query(
            "INSERT INTO authors (slug, name, bio, photo_media_id) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(new.slug.as_str())
        .bind(new.name.trim())
        .bind(&new.bio)
        .bind(new.photo_media_id)
        .fetch_one(&self.pool)
        .await?;
        self.announce(ChangeEvent::Catalogue);
        Ok(Author {
            id: row.try_get("id")?,
            slug: new.slug.clone(),
            name: new.name.trim().to_owned(),
            bio: new.bio.clone(),
            photo_media_id: new.photo_media_id,
        })
    }

    pub async fn author_by_slug(&self, slug: &Slug) -> Result<Option<Author>> {
        let row =
            sqlx::query("SELECT id, slug, name, bio, photo_media_id FROM authors WHERE slug = $1")
                .bind(slug.as_str())
                .fetch_optional(&self.pool)
                .await?;
        row.as_ref().map(author_from).transpose()
    }

    pub async fn authors(&self) -> Result<Vec<Author>> {
        let rows =
            sqlx::query("SELECT id, slug, name, bio, photo_media_id FROM authors ORDER BY name")
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(author_from).collect()
    }

    // ---- media ----

    pub async fn create_media(&self, new: &NewMedia) -> Result<Media> {
        new.validate()?;
        let _turn = self.write_turn().await;
        let row = sqlx::query(
            "INSERT INTO media (file_name, mime, width, height, alt, caption, credit, file_photo, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(&new.file_name)
        .bind(&new.mime)
        .bind(i64::from(new.width))
        .bind(i64::from(new.height))
        .bind(&new.alt)
        .bind(&new.caption)
        .bind(&new.credit)
        .bind(i64::from(new.file_photo))
        .bind(Utc::now().timestamp())
        .fetch_one(&self.pool)
        .await?;
        self.announce(ChangeEvent::Catalogue);
        Ok(Media {
            id: row.try_get("id")?,
            file_name: new.file_name.clone(),
            mime: new.mime.clone(),
            width: new.width,
            height: new.height,
            alt: new.alt.clone(),
            caption: new.caption.clone(),
            credit: new.credit.clone(),
            file_photo: new.file_photo,
            variants: Vec::new(),
            webp: false,
        })
    }

    pub async fn media(&self, id: Id) -> Result<Option<Media>> {
        let row = sqlx::query_as::<_, MediaRow>(&format!("{MEDIA_SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(Media::from))
    }

    /// The media library, newest first; `query` narrows it to captions, credits or alt
    /// texts holding those words.
    pub async fn media_library(&self, query: &str, limit: u32) -> Result<Vec<Media>> {
        let like = format!("%{}%", query.trim().to_lowercase());
        let rows = sqlx::query_as::<_, MediaRow>(&format!(
            "{MEDIA_SELECT} WHERE LOWER(caption) LIKE $1 OR LOWER(credit) LIKE $1 OR LOWER(alt) LIKE $1
             ORDER BY id DESC LIMIT $2"
        ))
        .bind(like)
        .bind(i64::from(limit.clamp(1, 500)))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Media::from).collect())
    }

    /// Every picture with its text, oldest first: what a static export compares.
    pub async fn all_media(&self) -> Result<Vec<Media>> {
        let rows = sqlx::query_as::<_, MediaRow>(&format!("{MEDIA_SELECT} ORDER BY id"))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(Media::from).collect())
    }

    /// Records the resized copies made of an image.
    pub async fn set_media_variants(&self, id: Id, widths: &[u32], webp: bool) -> Result<()> {
        let _turn = self.write_turn().await;
        let list = widths
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        sqlx::query("UPDATE media SET variants = $1, webp = $2 WHERE id = $3")
            .bind(list)
            .bind(i64::from(webp))
            .bind(id)
            .execute(&self.pool)
            .await?;
        self.announce(ChangeEvent::Catalogue);
        Ok(())
    }

    /// Changes what is said about an image: its alt text, caption, credit and file-photo flag.
    pub async fn update_media_text(
        &self,
        id: Id,
        alt: &str,
        caption: &str,
        credit: &str,
        file_photo: bool,
    ) -> Result<Media> {
        let _turn = self.write_turn().await;
        let done = sqlx::query(
            "UPDATE media SET alt = $1, caption = $2, credit = $3, file_photo = $4 WHERE id = $5",
        )
        .bind(alt.trim())
        .bind(caption.trim())
        .bind(credit.trim())
        .bind(i64::from(file_photo))
        .bind(id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("the image"));
        }
        drop(_turn);
        self.announce(ChangeEvent::Catalogue);
        self.media(id)
            .await?
            .ok_or(StoreError::NotFound("the image"))
    }

    // ---- pages ----

    /// Creates the page, or replaces the one with the same slug.
    pub async fn put_page(&self, new: &NewPage) -> Result<Page> {
        if new.title.trim().is_empty() {
            return Err(
                broadsheet_domain::ValidationError::new("title", "must not be empty").into(),
            );
        }
        let _turn = self.write_turn().await;
        let now = Utc::now().timestamp();
        let row = sqlx::query(
            "INSERT INTO pages (slug, title, body, language, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (slug) DO UPDATE SET title = excluded.title, body = excluded.body,
               language = excluded.language, updated_at = excluded.updated_at
             RETURNING id",
        )
        .bind(new.slug.as_str())
        .bind(new.title.trim())
        .bind(&new.body)
        .bind(new.language.as_str())
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        self.announce(ChangeEvent::Catalogue);
        Ok(Page {
            id: row.try_get("id")?,
            slug: new.slug.clone(),
            title: new.title.trim().to_owned(),
            body: new.body.clone(),
            language: new.language.clone(),
            updated_at: to_time(now),
        })
    }

    pub async fn page_by_slug(&self, slug: &Slug) -> Result<Option<Page>> {
        let row = sqlx::query(
            "SELECT id, slug, title, body, language, updated_at FROM pages WHERE slug = $1",
        )
        .bind(slug.as_str())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(Page {
            id: row.try_get("id")?,
            slug: slug_of(row.try_get("slug")?)?,
            title: row.try_get("title")?,
            body: row.try_get("body")?,
            language: language_of(row.try_get("language")?)?,
            updated_at: to_time(row.try_get("updated_at")?),
        }))
    }

    /// Static pages for navigation: (slug, title) in title order.
    pub async fn page_links(&self) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query("SELECT slug, title FROM pages ORDER BY title")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("slug")?, r.try_get("title")?)))
            .collect()
    }

    // ---- collections ----

    /// Sets a collection's articles in the given order, creating the collection if needed.
    pub async fn set_collection(
        &self,
        slug: &Slug,
        name: &str,
        article_ids: &[Id],
    ) -> Result<Collection> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "INSERT INTO collections (slug, name) VALUES ($1, $2)
             ON CONFLICT (slug) DO UPDATE SET name = excluded.name RETURNING id",
        )
        .bind(slug.as_str())
        .bind(name)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        sqlx::query("DELETE FROM collection_items WHERE collection_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for (position, article_id) in article_ids.iter().enumerate() {
            sqlx::query(
                "INSERT INTO collection_items (collection_id, article_id, position) VALUES ($1, $2, $3)
                 ON CONFLICT (collection_id, article_id) DO NOTHING",
            )
            .bind(id)
            .bind(*article_id)
            .bind(position as i64)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.announce(ChangeEvent::Catalogue);
        Ok(Collection {
            id,
            slug: slug.clone(),
            name: name.to_owned(),
        })
    }

    pub async fn collections(&self) -> Result<Vec<Collection>> {
        let rows = sqlx::query("SELECT id, slug, name FROM collections ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(Collection {
                    id: row.try_get("id")?,
                    slug: slug_of(row.try_get("slug")?)?,
                    name: row.try_get("name")?,
                })
            })
            .collect()
    }

    /// The ids of a collection's articles in the editors' order, whatever their status.
    pub async fn collection_item_ids(&self, slug: &Slug) -> Result<Vec<Id>> {
        let rows = sqlx::query(
            "SELECT ci.article_id FROM collection_items ci JOIN collections c ON c.id = ci.collection_id
             WHERE c.slug = $1 ORDER BY ci.position",
        )
        .bind(slug.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(r.try_get("article_id")?)).collect()
    }

    pub async fn collection(&self, slug: &Slug) -> Result<Option<Collection>> {
        let row = sqlx::query("SELECT id, slug, name FROM collections WHERE slug = $1")
            .bind(slug.as_str())
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(Collection {
            id: row.try_get("id")?,
            slug: slug_of(row.try_get("slug")?)?,
            name: row.try_get("name")?,
        }))
    }
}
