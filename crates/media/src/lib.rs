//! Images as Broadsheet serves them. The type comes from the bytes, never from a file name
//! or a client; the size and pixel count are checked before decoding (decompression bombs
//! are refused); what is served is re-encoded from the pixels, so EXIF metadata such as GPS
//! positions never leaves the server. The original is kept, unserved, in `originals/`.

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

/// Why an image was refused or could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("{0}")]
    Unsupported(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    Io(String),
}

/// The served format: PNG stays PNG (sharp graphics, transparency), the rest is JPEG.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Served {
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

    pub fn mime(self) -> &'static str {
        match self {
            Served::Jpeg => "image/jpeg",
            Served::Png => "image/png",
        }
    }
}

/// What was written for one image.
#[derive(Debug)]
pub struct Processed {
    /// The full-size served file, in the media folder.
    pub file_name: String,
    pub served: Served,
    pub width: u32,
    pub height: u32,
    /// Widths of the resized copies written as `{stem}-{width}.{ext}`.
    pub variants: Vec<u32>,
    /// Whether `{stem}-{width}.webp` copies were written too.
    pub webp: bool,
}

/// Checks `bytes`, then writes the served copies into `media_dir` under names starting
/// with `stem`, and the untouched original into `media_dir/originals/`.
pub fn process(bytes: &[u8], media_dir: &Path, stem: &str) -> Result<Processed, MediaError> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(MediaError::TooLarge(format!(
            "The image is larger than {} MB.",
            MAX_UPLOAD_BYTES / 1024 / 1024
        )));
    }
    let not_an_image =
        || MediaError::Unsupported("The file is not a JPEG, PNG or WebP image.".into());
    let format = image::guess_format(bytes).map_err(|_| not_an_image())?;
    let served = match format {
        ImageFormat::Jpeg | ImageFormat::WebP => Served::Jpeg,
        ImageFormat::Png => Served::Png,
        _ => return Err(not_an_image()),
    };
    let damaged = |e: image::ImageError| {
        MediaError::Unsupported(format!("The image could not be read: {e}."))
    };
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(damaged)?;
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(MediaError::TooLarge(format!(
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
    write_atomic(&originals.join(format!("{stem}.{original_ext}")), bytes)?;

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
    write_atomic(&media_dir.join(&file_name), &encode(&full, served)?)?;

    let mut variants = Vec::new();
    let mut encoded = Vec::new();
    for width in WIDTHS.into_iter().filter(|w| *w < full.width()) {
        let copy = full.resize(width, u32::MAX, image::imageops::FilterType::Lanczos3);
        let bytes = encode(&copy, served)?;
        write_atomic(
            &media_dir.join(format!("{stem}-{width}.{}", served.ext())),
            &bytes,
        )?;
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
            .collect::<Result<_, MediaError>>()?;
        if copies.iter().all(|(_, webp, png)| webp.len() < *png) {
            for (width, bytes, _) in copies {
                write_atomic(&media_dir.join(format!("{stem}-{width}.webp")), &bytes)?;
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

fn encode(picture: &DynamicImage, served: Served) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::new();
    let result = match served {
        Served::Jpeg => image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
            .encode_image(&picture.to_rgb8()),
        Served::Png => picture.write_to(&mut Cursor::new(&mut out), ImageFormat::Png),
    };
    result.map_err(|e| MediaError::Io(format!("encoding an image: {e}")))?;
    Ok(out)
}

fn encode_webp(picture: &DynamicImage) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::new();
    picture
        .to_rgba8()
        .write_to(&mut Cursor::new(&mut out), ImageFormat::WebP)
        .map_err(|e| MediaError::Io(format!("encoding WebP: {e}")))?;
    Ok(out)
}

/// Writes under a temporary name, flushes, then renames: readers (and a restart after a
/// crash) see the whole file or none of it.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), MediaError> {
    use std::io::Write;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let temporary = path.with_file_name(format!(".{name}.partial"));
    let mut file = std::fs::File::create(&temporary).map_err(io_error)?;
    file.write_all(bytes).map_err(io_error)?;
    file.sync_all().map_err(io_error)?;
    std::fs::rename(&temporary, path).map_err(io_error)
}

fn io_error(e: std::io::Error) -> MediaError {
    MediaError::Io(format!("writing an image: {e}"))
}
