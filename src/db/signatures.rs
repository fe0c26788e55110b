//! A note's signatures as stored, read by the note's own reads and the signing writes alike,
//! and the refusal to change a signed note.

use super::sql::{Conn, OptionalExtension, SqlResult, args};
use crate::domain::Role;
use crate::domain::billing::BillingRule;
use crate::domain::signing::{Addendum, NoteSigning, Signature, needs_cosign};
use crate::error::AppError;
use crate::sanitize::clean_line;

/// The signatures, the co-signature awaited (under the patient's payer's rules now) and the
/// addenda of the note `note_id`.
pub(crate) fn signing(conn: &Conn, note_id: i64) -> SqlResult<NoteSigning> {
    type Row = (
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let row: Option<Row> = conn
        .prepare_cached(
            "SELECT n.signed_by, n.signed_as, n.signed_at, n.signed_role,
                    n.cosigned_by, n.cosigned_as, n.cosigned_at, p.payer
             FROM visit_notes n
             JOIN appointments a ON a.id = n.appointment_id
             JOIN patients p ON p.id = a.patient_id
             WHERE n.id = ?1",
        )?
        .query_row(args![note_id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })
        .optional()?;
    let Some((by, as_, at, role, co_by, co_as, co_at, payer)) = row else {
        return Ok(NoteSigning::default());
    };
    let signature = |by: Option<i64>, written_as: Option<String>, at: Option<String>| {
        Some(Signature {
            staff_id: by?,
            written_as: written_as.unwrap_or_default(),
            at: at?,
        })
    };
    let signed = signature(by, as_, at);
    let cosigned = signature(co_by, co_as, co_at);
    let awaiting_cosign = signed.is_some()
        && cosigned.is_none()
        && role.as_deref().and_then(Role::parse).is_some_and(|role| {
            super::payers::rules(conn, payer.as_deref(), BillingRule::default())
                .map(|rules| needs_cosign(role, &rules))
                .unwrap_or(true)
        });
    let addenda = conn
        .prepare_cached(
            "SELECT staff_id, written_as, written_at, text FROM note_addenda
             WHERE note_id = ?1 ORDER BY written_at, id",
        )?
        .query_map(args![note_id], |r| {
            Ok(Addendum {
                staff_id: r.get(0)?,
                written_as: r.get(1)?,
                written_at: r.get(2)?,
                text: r.get(3)?,
            })
        })?
        .collect::<SqlResult<Vec<_>>>()?;
    Ok(NoteSigning {
        signed,
        cosigned,
        awaiting_cosign,
        addenda,
    })
}

/// The refusal to change a signed note, as the store words it: the front ends add how to
/// write an addendum with their own key or command.
pub(crate) fn signed_refusal(written_as: &str, at: &str) -> AppError {
    AppError::input(format!(
        "this note was signed by {} at {} and can no longer be changed, only added to with an addendum",
        clean_line(written_as),
        crate::domain::signing::shown_time(at)
    ))
}
