//! Pictures for the demo, drawn by code so that every image the site ships is the
//! project's own: skies, water, hills, streets and rooms in simple shapes.

use crate::DemoError;
use image::{ImageBuffer, Rgb, RgbImage};
use std::path::Path;

const WIDTH: u32 = 1200;
const HEIGHT: u32 = 675;

#[derive(Clone, Copy)]
pub enum Scene {
    /// Sky, sun and water with ripples.
    Water,
    /// Sky, sun and layered hills or dunes.
    Hills,
    /// A street or skyline at night with lit windows.
    City,
    /// Rows of shelves or racks indoors.
    Shelves,
    /// A row of arches.
    Arches,
    /// Floodlights over a pitch.
    Stadium,
}

pub struct Picture {
    pub name: &'static str,
    pub scene: Scene,
    pub sky: ([u8; 3], [u8; 3]),
    pub ground: [u8; 3],
    pub alt: &'static str,
    pub caption: &'static str,
    pub file_photo: bool,
}

pub const PICTURES: &[Picture] = &[
    Picture {
        name: "river-dawn",
        scene: Scene::Water,
        sky: ([250, 196, 140], [120, 150, 200]),
        ground: [60, 90, 130],
        alt: "A wide river at dawn under an orange sky",
        caption: "Morning light over the river.",
        file_photo: false,
    },
    Picture {
        name: "harbour-cranes",
        scene: Scene::City,
        sky: ([170, 200, 230], [90, 120, 170]),
        ground: [40, 60, 80],
        alt: "Cranes and warehouses along a harbour",
        caption: "Cranes along the container terminal.",
        file_photo: false,
    },
    Picture {
        name: "desert-road",
        scene: Scene::Hills,
        sky: ([255, 220, 170], [130, 180, 230]),
        ground: [200, 150, 90],
        alt: "Sand dunes under a pale sky",
        caption: "Dunes beside the highway.",
        file_photo: false,
    },
    Picture {
        name: "souk-arches",
        scene: Scene::Arches,
        sky: ([230, 200, 150], [200, 160, 110]),
        ground: [120, 80, 50],
        alt: "A row of stone arches in a covered market",
        caption: "The restored arches of the old market.",
        file_photo: false,
    },
    Picture {
        name: "storm-sea",
        scene: Scene::Water,
        sky: ([90, 100, 115], [40, 45, 60]),
        ground: [30, 50, 65],
        alt: "Dark waves under a stormy sky",
        caption: "Heavy seas off the coast.",
        file_photo: true,
    },
    Picture {
        name: "glacier-valley",
        scene: Scene::Hills,
        sky: ([220, 235, 250], [140, 180, 220]),
        ground: [235, 240, 245],
        alt: "Snow-covered mountains above a valley",
        caption: "Snow on the mountain range.",
        file_photo: true,
    },
    Picture {
        name: "night-street",
        scene: Scene::City,
        sky: ([40, 40, 80], [10, 10, 30]),
        ground: [25, 25, 35],
        alt: "A city street at night with lit windows",
        caption: "The harbour district after midnight.",
        file_photo: false,
    },
    Picture {
        name: "library-shelves",
        scene: Scene::Shelves,
        sky: ([120, 80, 50], [90, 60, 40]),
        ground: [70, 45, 30],
        alt: "Shelves of books in a reading room",
        caption: "The central library's reading room.",
        file_photo: false,
    },
    Picture {
        name: "server-room",
        scene: Scene::Shelves,
        sky: ([40, 50, 60], [20, 25, 30]),
        ground: [15, 20, 25],
        alt: "Racks of computer servers with small lights",
        caption: "Servers in a data centre.",
        file_photo: false,
    },
    Picture {
        name: "stadium-lights",
        scene: Scene::Stadium,
        sky: ([30, 40, 80], [10, 15, 40]),
        ground: [40, 120, 60],
        alt: "Floodlights above a football pitch at night",
        caption: "Under the floodlights.",
        file_photo: false,
    },
];

/// Draws the picture and writes it as `{name}.jpg` in `dir`; returns its size.
pub fn write(picture: &Picture, dir: &Path) -> Result<(u32, u32), DemoError> {
    let path = dir.join(format!("{}.jpg", picture.name));
    let fail = |message: String| DemoError::Image {
        path: path.display().to_string(),
        message,
    };
    std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
    let img = draw(picture);
    // Write to a temporary name and rename, so a crash never leaves half a picture.
    let partial = dir.join(format!(".{}.jpg.partial", picture.name));
    img.save_with_format(&partial, image::ImageFormat::Jpeg)
        .map_err(|e| fail(e.to_string()))?;
    std::fs::rename(&partial, &path).map_err(|e| fail(e.to_string()))?;
    Ok((WIDTH, HEIGHT))
}

fn mix(a: [u8; 3], b: [u8; 3], t: f32) -> Rgb<u8> {
    let t = t.clamp(0.0, 1.0);
    Rgb([0, 1, 2].map(|i| (f32::from(a[i]) * (1.0 - t) + f32::from(b[i]) * t) as u8))
}

fn shade(c: [u8; 3], f: f32) -> [u8; 3] {
    c.map(|v| (f32::from(v) * f).clamp(0.0, 255.0) as u8)
}

/// A small deterministic generator, so the same picture is drawn every time.
struct Noise(u32);

impl Noise {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        (self.0 % 10_000) as f32 / 10_000.0
    }
}

fn draw(p: &Picture) -> RgbImage {
    let seed = p.name.bytes().fold(2_166_136_261u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(16_777_619)
    });
    let mut noise = Noise(seed | 1);
    let horizon = HEIGHT as f32 * 0.62;
    let mut img: RgbImage = ImageBuffer::from_fn(WIDTH, HEIGHT, |_, y| {
        mix(p.sky.0, p.sky.1, y as f32 / horizon)
    });
    let (w, h) = (WIDTH as f32, HEIGHT as f32);
    match p.scene {
        Scene::Water | Scene::Hills => {
            let sun = (
                w * (0.2 + 0.6 * noise.next()),
                horizon * 0.55,
                60.0 + 30.0 * noise.next(),
            );
            let ridges: Vec<(f32, f32, f32)> = (0..3)
                .map(|_| {
                    (
                        0.004 + 0.01 * noise.next(),
                        40.0 + 60.0 * noise.next(),
                        noise.next() * 6.0,
                    )
                })
                .collect();
            for (x, y, px) in img.enumerate_pixels_mut() {
                let (fx, fy) = (x as f32, y as f32);
                let d = ((fx - sun.0).powi(2) + (fy - sun.1).powi(2)).sqrt();
                if d < sun.2 {
                    *px = mix([255, 240, 200], p.sky.0, d / sun.2 * 0.3);
                }
                for (i, (freq, amp, phase)) in ridges.iter().enumerate() {
                    let line =
                        horizon - amp + (fx * freq + phase).sin() * amp * 0.6 + i as f32 * 35.0;
                    if matches!(p.scene, Scene::Hills) && fy > line {
                        *px = Rgb(shade(p.ground, 0.75 + 0.12 * i as f32));
                    }
                }
                if matches!(p.scene, Scene::Water) && fy > horizon {
                    let depth = (fy - horizon) / (h - horizon);
                    let ripple = ((fy * 0.35).sin() * (fx * 0.02 + fy * 0.05).cos()).abs();
                    let base = mix(p.ground, shade(p.ground, 0.6), depth);
                    *px = mix(base.0, shade(p.sky.0, 0.9), ripple * 0.25 * (1.0 - depth));
                }
            }
        }
        Scene::City => {
            let mut x = 0.0;
            while x < w {
                let bw = 60.0 + 110.0 * noise.next();
                let bh = h * (0.25 + 0.45 * noise.next());
                let lit = noise.next();
                fill(
                    &mut img,
                    x,
                    h - bh,
                    bw - 6.0,
                    bh,
                    shade(p.ground, 0.8 + 0.4 * noise.next()),
                );
                let mut wy = h - bh + 14.0;
                while wy < h - 20.0 {
                    let mut wx = x + 10.0;
                    while wx < x + bw - 20.0 {
                        if noise.next() < lit {
                            fill(&mut img, wx, wy, 10.0, 14.0, [250, 215, 120]);
                        }
                        wx += 22.0;
                    }
                    wy += 28.0;
                }
                x += bw;
            }
        }
        Scene::Shelves => {
            for row in 0..5 {
                let y0 = 40.0 + row as f32 * 125.0;
                fill(&mut img, 0.0, y0 + 100.0, w, 14.0, shade(p.ground, 0.7));
                let mut x = 20.0;
                while x < w - 20.0 {
                    let bw = 14.0 + 20.0 * noise.next();
                    let bh = 60.0 + 38.0 * noise.next();
                    let hue = [
                        (noise.next() * 200.0) as u8 + 40,
                        (noise.next() * 160.0) as u8 + 40,
                        (noise.next() * 120.0) as u8 + 40,
                    ];
                    fill(&mut img, x, y0 + 100.0 - bh, bw - 2.0, bh, hue);
                    x += bw;
                }
            }
        }
        Scene::Arches => {
            fill(&mut img, 0.0, 0.0, w, h, shade(p.ground, 1.4));
            let span = w / 5.0;
            for i in 0..5 {
                let cx = span * (i as f32 + 0.5);
                for (x, y, px) in img.enumerate_pixels_mut() {
                    let (fx, fy) = (x as f32, y as f32);
                    let inside = (fx - cx).abs() < span * 0.35
                        && (fy > h * 0.35
                            || ((fx - cx).powi(2) + (fy - h * 0.35).powi(2)).sqrt() < span * 0.35);
                    if inside && fy > h * 0.12 {
                        *px = mix(p.sky.0, shade(p.ground, 0.5), (fy - h * 0.12) / h);
                    }
                }
            }
        }
        Scene::Stadium => {
            fill(&mut img, 0.0, horizon, w, h - horizon, p.ground);
            for stripe in 0..8 {
                fill(
                    &mut img,
                    stripe as f32 * w / 8.0,
                    horizon,
                    w / 16.0,
                    h - horizon,
                    shade(p.ground, 1.15),
                );
            }
            for i in 0..4 {
                let cx = w * (0.12 + 0.25 * i as f32);
                fill(&mut img, cx - 3.0, 90.0, 6.0, horizon - 90.0, [70, 70, 80]);
                for (x, y, px) in img.enumerate_pixels_mut() {
                    let d = ((x as f32 - cx).powi(2) + (y as f32 - 80.0).powi(2)).sqrt();
                    if d < 110.0 {
                        let glow = 1.0 - d / 110.0;
                        *px = mix(px.0, [255, 255, 230], glow * glow);
                    }
                }
            }
        }
    }
    img
}

fn fill(img: &mut RgbImage, x: f32, y: f32, w: f32, h: f32, color: [u8; 3]) {
    let (x0, y0) = (x.max(0.0) as u32, y.max(0.0) as u32);
    let x1 = ((x + w).max(0.0) as u32).min(img.width());
    let y1 = ((y + h).max(0.0) as u32).min(img.height());
    for yy in y0..y1 {
        for xx in x0..x1 {
            img.put_pixel(xx, yy, Rgb(color));
        }
    }
}
