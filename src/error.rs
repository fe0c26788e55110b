//! User-facing errors: one plain sentence and the exit code scripts rely on.

use std::fmt;

/// What went wrong, for the front ends to act on (a conflict reloads, busy and offline are
/// worth a retry) without reading the sentence, and for scripts: 2 for bad usage or input, 1
/// for everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The caller asked for something impossible or malformed (exit 2).
    Input,
    /// Another terminal changed the record first; nothing was overwritten (exit 1).
    Conflict,
    /// Another terminal held the lock for longer than a change waits (exit 1).
    Busy,
    /// The file cannot be reached (exit 1).
    Offline,
    /// What was asked for is not in the record: no patient with that MRN, no such visit
    /// (exit 2, as for any input naming something that is not there).
    NotFound,
    /// The user's role may not make this change (exit 2: asking again as the same user will not
    /// help; the message names the role needed).
    Forbidden,
    /// The request was fine but could not be carried out (exit 1).
    Failure,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppError {
    pub kind: ErrorKind,
    pub message: String,
}

impl AppError {
    pub fn input(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Input,
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::of(ErrorKind::NotFound, message)
    }

    pub fn failure(message: impl Into<String>) -> Self {
        Self::of(ErrorKind::Failure, message)
    }

    pub fn of(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    pub fn exit_code(&self) -> i32 {
        match self.kind {
            ErrorKind::Input | ErrorKind::NotFound | ErrorKind::Forbidden => 2,
            ErrorKind::Conflict | ErrorKind::Busy | ErrorKind::Offline | ErrorKind::Failure => 1,
        }
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AppError {}

pub type AppResult<T> = Result<T, AppError>;
