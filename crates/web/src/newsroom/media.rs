//! Image uploads. The type comes from the bytes, never from the client; the size and the
//! pixel count are checked before decoding (decompression bombs are refused); what is
//! served is re-encoded from the pixels, so EXIF metadata such as GPS positions never
//! leaves the server. The original is kept, unserved, in `media/originals/`.

use super::auth::{random_token, Editor};
use super::NewsroomError;
use crate::App;
use broadsheet_domain::{Action, Media, NewMedia};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use std::io::Cursor;
use std::path::Path;

pub const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;
const MAX_PIXELS: u64 = 50_000_000;
const MAX_SIDE: u32 = 16_000;
/// The widths of the resized copies; only those narrower than the picture are made.
pub const WIDTHS: [u32; 4] = [320, 640, 1024, 1600];
/// The full-size copy served is at most this wide.
const MAX_SERVED_WIDTH: u32 = 2400;
const JPEG_QUALITY: u8 = 82;

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

/// The served format: PNG stays PNG (sharp graphics, transparency), the rest is JPEG.
#[derive(Clone, Copy)]
enum Served {
    Jpeg,
    Png,
}

impl Served {
    fn ext(self) -> &'static str {
        match self {
            Served::Jpeg => "jpg",
            Served::Png => "png",
        }
    }

    fn mime(self) -> &'static str {
        match self {
            Served::Jpeg => "image/jpeg",
            Served::Png => "image/png",
        }
    }
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
    let processed = tokio::task::spawn_blocking(move || process(&bytes, &media_dir, &stem))
        .await
        .map_err(|e| NewsroomError::Internal(format!("image task: {e}")))??;
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

struct Processed {
    file_name: String,
    served: Served,
    width: u32,
    height: u32,
    variants: Vec<u32>,
    webp: bool,
}

fn process(bytes: &[u8], media_dir: &Path, stem: &str) -> Result<Processed, NewsroomError> {
    let not_an_image =
        || NewsroomError::UnsupportedMedia("The file is not a JPEG, PNG or WebP image.".into());
    let format = image::guess_format(bytes).map_err(|_| not_an_image())?;
    let served = match format {
        ImageFormat::Jpeg | ImageFormat::WebP => Served::Jpeg,
        ImageFormat::Png => Served::Png,
        _ => return Err(not_an_image()),
    };
    let damaged = |e: image::ImageError| {
        NewsroomError::UnsupportedMedia(format!("The image could not be read: {e}."))
    };
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(damaged)?;
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(NewsroomError::TooLarge(format!(
            "The image is {width}×{height} pixels; the limit is {MAX_SIDE} pixels a side and {} megapixels.",
            MAX_PIXELS / 1_000_000
        )));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(1024 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(damaged)?;
    let orientation = decoder.orientation().map_err(damaged)?;
    let mut picture = DynamicImage::from_decoder(decoder).map_err(damaged)?;
    // Turn the pixels upright, since the EXIF tag that said how is not kept.
    picture.apply_orientation(orientation);
    let served = if format == ImageFormat::WebP && picture.color().has_alpha() {
        Served::Png
    } else {
        served
    };

    let originals = media_dir.join("originals");
    std::fs::create_dir_all(&originals).map_err(io_error)?;
    let original_ext = format.extensions_str().first().copied().unwrap_or("bin");
    std::fs::write(originals.join(format!("{stem}.{original_ext}")), bytes).map_err(io_error)?;

    let full = if picture.width() > MAX_SERVED_WIDTH {
        picture.resize(
            MAX_SERVED_WIDTH,
            u32::MAX,
            image::imageops::FilterType::Lanczos3,
        )
    } else {
        picture.clone()
    };
    let file_name = format!("{stem}.{}", served.ext());
    std::fs::write(media_dir.join(&file_name), encode(&full, served)?).map_err(io_error)?;

    let mut variants = Vec::new();
    let mut encoded = Vec::new();
    for width in WIDTHS.into_iter().filter(|w| *w < full.width()) {
        let copy = full.resize(width, u32::MAX, image::imageops::FilterType::Lanczos3);
        let bytes = encode(&copy, served)?;
        std::fs::write(
            media_dir.join(format!("{stem}-{width}.{}", served.ext())),
            &bytes,
        )
        .map_err(io_error)?;
        variants.push(width);
        encoded.push((width, copy, bytes.len()));
    }
    // WebP copies where they save bytes: the encoder here is lossless, which beats PNG for
    // graphics but not JPEG for photographs, so only PNG pictures get them.
    let mut webp = false;
    if matches!(served, Served::Png) && !encoded.is_empty() {
        let copies: Vec<(u32, Vec<u8>, usize)> = encoded
            .iter()
            .map(|(w, copy, size)| Ok((*w, encode_webp(copy)?, *size)))
            .collect::<Result<_, NewsroomError>>()?;
        if copies.iter().all(|(_, webp, png)| webp.len() < *png) {
            for (width, bytes, _) in copies {
                std::fs::write(media_dir.join(format!("{stem}-{width}.webp")), bytes)
                    .map_err(io_error)?;
            }
            webp = true;
        }
    }
    Ok(Processed {
        file_name,
        served,
        width: full.width(),
        height: full.height(),
        variants,
        webp,
    })
}

fn encode(picture: &DynamicImage, served: Served) -> Result<Vec<u8>, NewsroomError> {
    let mut out = Vec::new();
    let result = match served {
        Served::Jpeg => image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
            .encode_image(&picture.to_rgb8()),
        Served::Png => picture.write_to(&mut Cursor::new(&mut out), ImageFormat::Png),
    };
    result.map_err(|e| NewsroomError::Internal(format!("encoding an image: {e}")))?;
    Ok(out)
}

fn encode_webp(picture: &DynamicImage) -> Result<Vec<u8>, NewsroomError> {
    let mut out = Vec::new();
    picture
        .to_rgba8()
        .write_to(&mut Cursor::new(&mut out), ImageFormat::WebP)
        .map_err(|e| NewsroomError::Internal(format!("encoding WebP: {e}")))?;
    Ok(out)
}

fn io_error(e: std::io::Error) -> NewsroomError {
    NewsroomError::Internal(format!("writing an image: {e}"))
}
