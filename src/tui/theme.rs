//! Themes: `themes/*.toml`, compiled in, each mapping semantic roles to styles.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

use crate::error::{AppError, AppResult};

const BUILT_IN: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
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
            $(pub $role: Style),+
        }

        fn build(name: String, r: RoleSpecs) -> Result<Theme, String> {
            Ok(Theme { name, $($role: to_style(&r.$role).map_err(|e| format!("{}: {e}", stringify!($role)))?),+ })
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

pub fn names() -> Vec<&'static str> {
    BUILT_IN.iter().map(|(n, _)| *n).collect()
}

impl Theme {
    /// The named theme; `NO_COLOR` (any value) always means `mono`.
    pub fn load(name: &str, no_color: bool) -> AppResult<Theme> {
        let name = if no_color { "mono" } else { name };
        let (_, text) = BUILT_IN.iter().find(|(n, _)| *n == name).ok_or_else(|| {
            AppError::input(format!(
                "unknown theme \"{name}\"; available: {}",
                names().join(", ")
            ))
        })?;
        let file: ThemeFile = toml::from_str(text)
            .map_err(|e| AppError::failure(format!("theme {name}: {}", e.message())))?;
        build(file.name, file.roles).map_err(|e| AppError::failure(format!("theme {name}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
