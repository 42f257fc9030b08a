//! Image uploads from the newsroom. `broadsheet-media` checks and re-encodes them (type from
//! the bytes, pixel limits, EXIF stripped, resized copies); this adds the role check, the
//! file name and the library record with alt text, caption and credit.

use super::auth::{random_token, Editor};
use super::NewsroomError;
use crate::App;
use broadsheet_domain::{Action, Media, NewMedia};
use broadsheet_media::MediaError;
use std::path::Path;

pub use broadsheet_media::MAX_UPLOAD_BYTES;

/// What is said about a picture: shown with it wherever it appears.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ImageText {
    #[serde(default)]
    pub alt: String,
    #[serde(default)]
    pub caption: String,
    #[serde(default)]
    pub credit: String,
    #[serde(default)]
    pub file_photo: bool,
}

pub async fn upload(
    app: &App,
    editor: &Editor,
    bytes: Vec<u8>,
    original_name: &str,
    text: &ImageText,
) -> Result<Media, NewsroomError> {
    editor.require(Action::UploadMedia, true)?;
    if bytes.is_empty() {
        return Err(NewsroomError::invalid("file", "choose an image to upload"));
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(NewsroomError::TooLarge(format!(
            "The image is larger than {} MB.",
            MAX_UPLOAD_BYTES / 1024 / 1024
        )));
    }
    let stem_hint = Path::new(original_name)
        .file_stem()
        .and_then(|s| s.to_str())
        .and_then(broadsheet_domain::slugify)
        .map(|s| s.as_str().chars().take(60).collect::<String>())
        .unwrap_or_else(|| "image".into());
    let suffix: String = random_token()?
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect::<String>()
        .to_lowercase();
    let stem = format!("{stem_hint}-{suffix}");
    let media_dir = app.media_dir.clone();
    let processed =
        tokio::task::spawn_blocking(move || broadsheet_media::process(&bytes, &media_dir, &stem))
            .await
            .map_err(|e| NewsroomError::Internal(format!("image task: {e}")))?
            .map_err(|e| match e {
                MediaError::Unsupported(m) => NewsroomError::UnsupportedMedia(m),
                MediaError::TooLarge(m) => NewsroomError::TooLarge(m),
                MediaError::Io(m) => NewsroomError::Internal(m),
            })?;
    let media = app
        .store
        .create_media(&NewMedia {
            file_name: processed.file_name,
            mime: processed.served.mime().into(),
            width: processed.width,
            height: processed.height,
            alt: text.alt.trim().into(),
            caption: text.caption.trim().into(),
            credit: text.credit.trim().into(),
            file_photo: text.file_photo,
        })
        .await?;
    app.store
        .set_media_variants(media.id, &processed.variants, processed.webp)
        .await?;
    app.store
        .media(media.id)
        .await?
        .ok_or(NewsroomError::NotFound("The image"))
}

/// Changes what is said about a picture; every page showing it shows the new text.
pub async fn update_text(
    app: &App,
    editor: &Editor,
    id: broadsheet_domain::Id,
    text: &ImageText,
) -> Result<Media, NewsroomError> {
    editor.require(Action::UploadMedia, true)?;
    let media = app
        .store
        .update_media_text(id, &text.alt, &text.caption, &text.credit, text.file_photo)
        .await?;
    app.cache.clear();
    Ok(media)
}
