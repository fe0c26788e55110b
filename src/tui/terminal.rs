//! Entering and leaving the full-screen terminal. Leaving always restores it: on quit, on an
//! error, on a panic (the hook), and on SIGTERM/SIGHUP (the event loop).

use std::io::{self, BufWriter, Stdout, Write};

use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::terminal::{
    BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen, LeaveAlternateScreen,
    disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// Frames go through a buffer and reach the terminal in one write each.
pub type Term = Terminal<CrosstermBackend<BufWriter<Stdout>>>;

pub fn enter() -> io::Result<Term> {
    enable_raw_mode()?;
    let mut out = BufWriter::with_capacity(64 * 1024, io::stdout());
    // Bracketed paste: a paste arrives as one piece of text, not as keys (a pasted "\rjjc"
    // would otherwise press Enter and check a patient in).
    if let Err(e) = execute!(
        out,
        EnterAlternateScreen,
        EnableBracketedPaste,
        cursor::Hide
    ) {
        restore();
        return Err(e);
    }
    Terminal::new(CrosstermBackend::new(out))
}

/// Puts the terminal back as it was. Safe to call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    let mut out = io::stdout();
    let _ = execute!(
        out,
        EndSynchronizedUpdate,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = out.flush();
}

/// One frame, bracketed by synchronized-update markers so the terminal shows it whole.
pub fn draw(term: &mut Term, render: impl FnOnce(&mut ratatui::Frame)) -> io::Result<()> {
    execute!(term.backend_mut(), BeginSynchronizedUpdate)?;
    term.draw(render)?;
    execute!(term.backend_mut(), EndSynchronizedUpdate)?;
    term.backend_mut().flush()
}

/// A panic shows one plain sentence, never a backtrace, and leaves the terminal usable.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        restore();
        // The location only: a panic message could carry record data.
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "ptclinic: an internal error stopped the app{at}. Changes already saved are safe; please report this."
        );
    }));
}
