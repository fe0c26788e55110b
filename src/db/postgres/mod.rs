//! The PostgreSQL record of a clinic group: the connection (`target`, `tls`), the schema
//! (`schema`, derived from the SQLite record's so the two cannot drift), the move of a SQLite
//! record onto a server (`migrate`) and the server's checks (`doctor`). The synchronous
//! `postgres` client fits the store's model: one connection owned by the database thread,
//! each call a blocking request, as rusqlite is.

pub mod doctor;
pub mod migrate;
pub mod schema;
pub mod session;
pub(in crate::db) mod sql_text;
pub mod target;
mod tls;

use crate::error::{AppError, AppResult, ErrorKind};

pub use target::{SslMode, Target, is_server_address};

/// An open connection, with the address it was opened by (for messages).
pub struct Server {
    pub client: postgres::Client,
    pub target: Target,
}

/// Opens a connection with `target`'s TLS settings.
pub fn connect(target: &Target) -> AppResult<Server> {
    let connected = match tls::client_config(target)? {
        None => target.config.connect(postgres::NoTls),
        Some(tls) => target
            .config
            .connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls)),
    };
    let client = connected.map_err(|e| failure(target.shown(), &e))?;
    Ok(Server {
        client,
        target: target.clone(),
    })
}

/// Turns a PostgreSQL error into a sentence naming the server (never the password).
pub fn failure(shown: &str, e: &postgres::Error) -> AppError {
    use postgres::error::SqlState;
    if let Some(db) = e.as_db_error() {
        let code = db.code();
        let message = crate::sanitize::clean_echo(db.message());
        return if *code == SqlState::INVALID_PASSWORD
            || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
        {
            AppError::input(format!(
                "the server at {shown} refused the login ({message}): check the user and the password in PGPASSWORD or ~/.pgpass"
            ))
        } else if *code == SqlState::INVALID_CATALOG_NAME {
            AppError::input(format!(
                "{message} on {shown}: IT creates it first (createdb), then ptclinic init --db {shown}"
            ))
        } else if *code == SqlState::T_R_SERIALIZATION_FAILURE
            || *code == SqlState::T_R_DEADLOCK_DETECTED
            || *code == SqlState::LOCK_NOT_AVAILABLE
        {
            AppError::of(ErrorKind::Busy, crate::db::BUSY_MESSAGE)
        } else if *code == SqlState::INSUFFICIENT_PRIVILEGE {
            AppError::failure(format!(
                "the server at {shown} refused: {message} (ask IT for the privileges ptclinic needs)"
            ))
        } else {
            AppError::failure(format!("database error at {shown}: {message}"))
        };
    }
    if let Some(why) = tls_failure(e) {
        return AppError::of(
            ErrorKind::Offline,
            format!("TLS to {shown} failed: {why}; nothing was read or written"),
        );
    }
    if innermost(e).contains("password missing") {
        return AppError::input(format!(
            "the server at {shown} refused the login: it asks for a password and none was found (PGPASSWORD, or a line in ~/.pgpass that only its owner may read)"
        ));
    }
    AppError::of(
        ErrorKind::Offline,
        format!(
            "cannot reach the PostgreSQL server at {shown}: {}",
            crate::sanitize::clean_echo(&innermost(e))
        ),
    )
}

/// What a TLS failure was, in words, when the error was one.
fn tls_failure(e: &postgres::Error) -> Option<String> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(tls) = s.downcast_ref::<rustls::Error>() {
            return Some(tls_words(tls));
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
            && let Some(tls) = inner.downcast_ref::<rustls::Error>()
        {
            return Some(tls_words(tls));
        }
        source = s.source();
    }
    let text = e.to_string();
    text.contains("TLS")
        .then(|| crate::sanitize::clean_echo(&innermost(e)))
}

fn tls_words(e: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    match e {
        rustls::Error::InvalidCertificate(C::UnknownIssuer) => {
            "the server's certificate is not signed by a CA this terminal trusts (check sslrootcert)"
                .to_string()
        }
        rustls::Error::InvalidCertificate(C::NotValidForName | C::NotValidForNameContext { .. }) => {
            "the server's certificate does not name this host (sslmode=verify-full)".to_string()
        }
        rustls::Error::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => {
            "the server's certificate has expired".to_string()
        }
        other => crate::sanitize::clean_echo(&other.to_string()),
    }
}

/// The deepest cause's words: "Connection refused (os error 111)" rather than the driver's
/// "error connecting to server".
fn innermost(e: &postgres::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = s.to_string();
        source = s.source();
    }
    text
}
