//! "Your 10:30 has arrived": a desktop notification where a session bus exists, else the
//! terminal's own (OSC 777 or OSC 9 where the terminal is known to show them, otherwise the
//! bell). Texts never carry a patient's name.

use std::io::Write;

use crate::config::Notify;

/// What the terminal understands, from what it says about itself.
fn terminal_sequence(text: &str, term_program: Option<&str>, term: Option<&str>) -> String {
    let text = crate::sanitize::clean_line(text).replace(['\u{7}', ';'], " ");
    match (term_program, term) {
        (Some("iTerm.app"), _) => format!("\u{1b}]9;{text}\u{7}"),
        (Some("WezTerm"), _) => format!("\u{1b}]777;notify;ptclinic;{text}\u{7}"),
        (_, Some(t)) if t.starts_with("foot") || t.starts_with("rxvt") => {
            format!("\u{1b}]777;notify;ptclinic;{text}\u{7}")
        }
        _ => "\u{7}".to_string(),
    }
}

fn has_session_bus() -> bool {
    std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty())
}

/// Sends one notification. Desktop notifications run on their own thread so a slow or absent
/// bus never holds up the screen; the terminal fallback writes straight to the terminal.
pub fn send(how: Notify, text: &str, terminal: &mut impl Write) {
    match how {
        Notify::Off => {}
        Notify::Desktop if has_session_bus() => {
            let text = text.to_string();
            let _ = std::thread::Builder::new()
                .name("ptclinic-notify".into())
                .spawn(move || {
                    let _ = notify_rust::Notification::new()
                        .appname("ptclinic")
                        .summary("ptclinic")
                        .body(&text)
                        .show();
                });
        }
        Notify::Desktop | Notify::Terminal => {
            let seq = terminal_sequence(
                text,
                std::env::var("TERM_PROGRAM").ok().as_deref(),
                std::env::var("TERM").ok().as_deref(),
            );
            let _ = terminal.write_all(seq.as_bytes());
            let _ = terminal.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_terminal_gets_what_it_understands() {
        assert_eq!(
            terminal_sequence("Your 10:30 has arrived", Some("iTerm.app"), None),
            "\u{1b}]9;Your 10:30 has arrived\u{7}"
        );
        assert!(
            terminal_sequence("x", None, Some("foot")).starts_with("\u{1b}]777;notify;ptclinic;")
        );
        assert_eq!(
            terminal_sequence("x", None, Some("xterm-256color")),
            "\u{7}"
        );
    }

    #[test]
    fn text_cannot_break_out_of_the_sequence() {
        let seq = terminal_sequence("a\u{7}b;c\u{1b}]0;pwned", Some("WezTerm"), None);
        assert_eq!(seq.matches('\u{7}').count(), 1);
        assert_eq!(seq.matches('\u{1b}').count(), 1);
    }
}
