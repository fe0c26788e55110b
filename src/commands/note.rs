//! `ptclinic note sign|cosign|addendum --appointment ID`: a visit note's signature, an
//! assistant's note's co-signature, and the addenda under a signed note. Each is the acting
//! user's, checked against their role in the change's own transaction.

use crate::cli::NoteCommand;
use crate::config::Settings;
use crate::db::Who;
use crate::domain::signing::shown_time;
use crate::error::{AppError, AppResult};
use crate::sanitize::clean_line;

pub fn run(settings: &Settings, cmd: NoteCommand) -> AppResult<()> {
    // An empty addendum is refused before the record is opened.
    if let NoteCommand::Addendum { text, .. } = &cmd
        && text.trim().is_empty()
    {
        return Err(AppError::input(crate::db::note_signing::ADDENDUM_EMPTY));
    }
    let mut db = super::open_clinic(settings)?;
    let at = crate::clock::stamp(settings.clock.now());
    let who = || Who {
        user: &settings.user,
        at: &at,
    };
    let line = match cmd {
        NoteCommand::Sign { appointment } => {
            let signed = db
                .sign_visit_note(appointment, None, None, who())
                .map_err(|e| offer_addendum(e, appointment))?;
            let mut line = format!(
                "Signed the note of appointment {appointment} as {}, at {}",
                clean_line(&signed.signature.written_as),
                shown_time(&signed.signature.at)
            );
            if signed.completed_visit {
                line.push_str("; the visit is completed");
            }
            if signed.awaiting_cosign {
                line.push_str(
                    "; it awaits a therapist's co-signature (ptclinic note cosign --appointment ID)",
                );
            }
            line
        }
        NoteCommand::Cosign { appointment } => {
            let c = db.cosign_visit_note(appointment, who())?;
            format!(
                "Co-signed the note of appointment {appointment} as {}, at {}",
                clean_line(&c.written_as),
                shown_time(&c.at)
            )
        }
        NoteCommand::Addendum { appointment, text } => {
            let a = db.add_note_addendum(appointment, &text, who())?;
            format!(
                "Added an addendum to the note of appointment {appointment} as {}, at {}",
                clean_line(&a.written_as),
                shown_time(&a.written_at)
            )
        }
    };
    super::emit_after_change(&format!("{line}\n"));
    Ok(())
}

/// A signed note's refusal names the command that adds to it.
fn offer_addendum(e: AppError, appointment: i64) -> AppError {
    if e.message.contains("only added to with an addendum") {
        AppError::of(
            e.kind,
            format!(
                "{}: ptclinic note addendum --appointment {appointment} --text \"...\"",
                e.message
            ),
        )
    } else {
        e
    }
}
