//! Themes: `themes/*.toml`, compiled in, each mapping semantic roles to styles.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

use crate::error::{AppError, AppResult};

const BUILT_IN: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("mono", include_str!("../../themes/mono.toml")),
];

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct StyleSpec {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    reversed: bool,
    #[serde(default)]
    underlined: bool,
}

macro_rules! roles {
    ($($role:ident),+ $(,)?) => {
        #[derive(Debug, Clone, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RoleSpecs { $($role: StyleSpec),+ }

        /// Styles by meaning, not by colour.
        #[derive(Debug, Clone, PartialEq)]
        pub struct Theme {
            pub name: String,
            pub symbols: Symbols,
            /// `--ascii`: every frame is folded to plain ASCII before it is written.
            pub ascii: bool,
            $(pub $role: Style),+
        }

        fn build(name: String, r: RoleSpecs) -> Result<Theme, String> {
            Ok(Theme {
                name,
                symbols: Symbols::UNICODE,
                ascii: false,
                $($role: to_style(&r.$role).map_err(|e| format!("{}: {e}", stringify!($role)))?),+
            })
        }
    };
}

roles!(
    title,
    header,
    column_header,
    selected,
    muted,
    scheduled,
    arrived,
    completed,
    no_show,
    cancelled,
    flag,
    info,
    warning,
    error,
    tab,
    tab_active,
    status_bar,
    badge,
    matched,
    field_label,
    field_focus,
    border,
);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: String,
    roles: RoleSpecs,
}

fn color(name: &str) -> Result<Color, String> {
    name.parse::<Color>()
        .map_err(|_| format!("unknown colour \"{name}\""))
}

fn to_style(s: &StyleSpec) -> Result<Style, String> {
    let mut style = Style::default();
    if let Some(fg) = &s.fg {
        style = style.fg(color(fg)?);
    }
    if let Some(bg) = &s.bg {
        style = style.bg(color(bg)?);
    }
    for (on, m) in [
        (s.bold, Modifier::BOLD),
        (s.reversed, Modifier::REVERSED),
        (s.underlined, Modifier::UNDERLINED),
    ] {
        if on {
            style = style.add_modifier(m);
        }
    }
    Ok(style)
}

/// The few non-ASCII symbols the app draws, so fonts without them can have ASCII instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Symbols {
    /// Marks the selected row (also visible without colour).
    pub marker: &'static str,
    pub left: &'static str,
    pub right: &'static str,
    /// Sparkline levels, lowest first.
    pub bars: [&'static str; 8],
    /// Stands for each digit of a PIN being typed.
    pub secret: &'static str,
    /// "At most" and "at least" in a goal's target: in ASCII two characters, since the cell
    /// fold could only make them "<" and ">", which say "less" and "more" than the target.
    pub at_most: &'static str,
    pub at_least: &'static str,
    pub border: ratatui::symbols::border::Set<'static>,
}

impl Symbols {
    pub const UNICODE: Symbols = Symbols {
        marker: "▶ ",
        left: "◀",
        right: "▶",
        bars: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"],
        secret: "•",
        at_most: "≤",
        at_least: "≥",
        border: ratatui::symbols::border::PLAIN,
    };
    pub const ASCII: Symbols = Symbols {
        marker: "> ",
        left: "<",
        right: ">",
        bars: ["_", ".", "-", "~", "=", "+", "*", "#"],
        secret: "*",
        at_most: "<=",
        at_least: ">=",
        border: ratatui::symbols::border::Set {
            top_left: "+",
            top_right: "+",
            bottom_left: "+",
            bottom_right: "+",
            vertical_left: "|",
            vertical_right: "|",
            horizontal_top: "-",
            horizontal_bottom: "-",
        },
    };
}

pub fn names() -> Vec<&'static str> {
    BUILT_IN.iter().map(|(n, _)| *n).collect()
}

impl Theme {
    /// The named theme; `NO_COLOR` (any value) always means `mono`.
    pub fn load(name: &str, no_color: bool) -> AppResult<Theme> {
        Self::load_with(name, no_color, &toml::Table::new(), false)
    }

    /// The named theme with the config's `[colors]` roles laid over it (not under NO_COLOR,
    /// which means no colour whatever the config says) and ASCII symbols when asked.
    pub fn load_with(
        name: &str,
        no_color: bool,
        colors: &toml::Table,
        ascii: bool,
    ) -> AppResult<Theme> {
        let name = if no_color { "mono" } else { name };
        let (_, text) = BUILT_IN.iter().find(|(n, _)| *n == name).ok_or_else(|| {
            AppError::input(format!(
                "unknown theme \"{name}\"; available: {}",
                names().join(", ")
            ))
        })?;
        let mut table: toml::Table = toml::from_str(text)
            .map_err(|e| AppError::failure(format!("theme {name}: {}", e.message())))?;
        if !no_color {
            if let Some(toml::Value::Table(roles)) = table.get_mut("roles") {
                for (role, spec) in colors {
                    if !roles.contains_key(role) {
                        return Err(AppError::input(format!(
                            "[colors]: there is no theme role called \"{role}\""
                        )));
                    }
                    roles.insert(role.clone(), spec.clone());
                }
            }
        }
        let file: ThemeFile = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| AppError::input(format!("[colors]: {}", e.message())))?;
        let mut theme = build(file.name, file.roles)
            .map_err(|e| AppError::input(format!("theme {name}: {e}")))?;
        if ascii {
            theme.symbols = Symbols::ASCII;
            theme.ascii = true;
        }
        Ok(theme)
    }
}

impl Theme {
    /// How a visit's "are they coming?" badge is drawn: a reminder gone out quietly, one
    /// that failed as an error, the answers as an arrival and as a warning.
    pub fn notice(&self, n: crate::tui::schedule::badges::Notice) -> Style {
        use crate::tui::schedule::badges::Notice as N;
        match n {
            N::ReminderSent => self.info,
            N::ReminderFailed => self.error,
            N::Confirmed => self.arrived,
            N::Declined => self.warning,
            N::HighRisk => self.warning,
        }
    }

    /// How a visit's status is drawn, in the day and in the week.
    pub fn visit_status(&self, s: crate::domain::AppointmentStatus) -> Style {
        use crate::domain::AppointmentStatus as S;
        match s {
            S::Scheduled => self.scheduled,
            S::CheckedIn => self.arrived,
            S::Completed => self.completed,
            S::NoShow => self.no_show,
            S::Cancelled => self.cancelled,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xterm's default palette for the sixteen ANSI colours: what "readable" is measured in
    /// (a terminal with its own palette shifts every role alike).
    fn xterm_rgb(c: Color) -> Option<(u8, u8, u8)> {
        Some(match c {
            Color::Black => (0, 0, 0),
            Color::Red => (205, 0, 0),
            Color::Green => (0, 205, 0),
            Color::Yellow => (205, 205, 0),
            Color::Blue => (0, 0, 238),
            Color::Magenta => (205, 0, 205),
            Color::Cyan => (0, 205, 205),
            Color::Gray => (229, 229, 229),
            Color::DarkGray => (127, 127, 127),
            Color::White => (255, 255, 255),
            Color::Rgb(r, g, b) => (r, g, b),
            _ => return None,
        })
    }

    /// WCAG's contrast ratio of two colours (1 to 21).
    fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
        let luminance = |(r, g, b): (u8, u8, u8)| {
            let lin = |v: u8| {
                let c = f64::from(v) / 255.0;
                if c <= 0.03928 {
                    c / 12.92
                } else {
                    ((c + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
        };
        let (x, y) = (luminance(a), luminance(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    #[test]
    fn the_light_themes_quiet_roles_are_readable_on_white() {
        let t = Theme::load("light", false).unwrap();
        let white = (255, 255, 255);
        // WCAG's 3:1, the least for text a user must still read; ANSI 7 grey is about 1.3:1.
        for (role, style) in [
            ("muted", t.muted),
            ("completed", t.completed),
            ("cancelled", t.cancelled),
            ("tab", t.tab),
            ("scheduled", t.scheduled),
        ] {
            let fg = style
                .fg
                .and_then(xterm_rgb)
                .expect("a colour of the palette");
            let ratio = contrast(fg, white);
            assert!(ratio >= 3.0, "{role}: {ratio:.1}:1 on white");
        }
        assert!(
            contrast(xterm_rgb(Color::Gray).unwrap(), white) < 3.0,
            "the rule can fail"
        );
    }

    #[test]
    fn every_built_in_theme_loads() {
        for name in names() {
            assert_eq!(Theme::load(name, false).unwrap().name, name);
        }
    }

    #[test]
    fn no_color_selects_mono_which_has_no_colour() {
        let t = Theme::load("default", true).unwrap();
        assert_eq!(t.name, "mono");
        for style in [t.selected, t.arrived, t.error, t.status_bar, t.tab_active] {
            assert_eq!((style.fg, style.bg), (None, None));
        }
        assert!(t.selected.add_modifier.contains(Modifier::REVERSED));
    }

    #[test]
    fn the_config_can_override_some_roles_but_not_under_no_color() {
        let colors: toml::Table =
            toml::from_str("selected = { fg = \"black\", bg = \"yellow\" }").unwrap();
        let t = Theme::load_with("default", false, &colors, false).unwrap();
        assert_eq!(t.selected.bg, Some(Color::Yellow));
        assert_eq!(
            t.arrived,
            Theme::load("default", false).unwrap().arrived,
            "other roles stay"
        );
        let mono = Theme::load_with("default", true, &colors, false).unwrap();
        assert_eq!(mono.selected.bg, None);
        let bad: toml::Table = toml::from_str("selcted = { fg = \"red\" }").unwrap();
        assert!(
            Theme::load_with("default", false, &bad, false)
                .unwrap_err()
                .message
                .contains("selcted")
        );
        let bad: toml::Table = toml::from_str("selected = { fg = \"ultraviolet\" }").unwrap();
        assert!(
            Theme::load_with("default", false, &bad, false)
                .unwrap_err()
                .message
                .contains("ultraviolet")
        );
    }

    #[test]
    fn ascii_symbols_are_ascii() {
        let t = Theme::load_with("default", false, &toml::Table::new(), true).unwrap();
        let s = t.symbols;
        let all = [s.marker, s.left, s.right]
            .into_iter()
            .chain(s.bars)
            .chain([
                s.border.top_left,
                s.border.horizontal_top,
                s.border.vertical_left,
            ]);
        assert!(all.into_iter().all(|x| x.is_ascii()));
    }

    #[test]
    fn an_unknown_theme_lists_the_available_ones() {
        let e = Theme::load("solarized", false).unwrap_err();
        assert!(
            e.message.contains("default") && e.message.contains("mono"),
            "{}",
            e.message
        );
        assert_eq!(e.exit_code(), 2);
    }
}
