use crate::config::Settings;
use crate::db::audit::AuditQuery;
use crate::error::AppResult;
use crate::sanitize::clean_line;

pub fn run(
    settings: &Settings,
    since: Option<&str>,
    user: Option<String>,
    patient: Option<&str>,
    json: bool,
) -> AppResult<()> {
    let since = since
        .map(|d| crate::config::parse_typed_day(d, "--since", settings.clock.today()))
        .transpose()?;
    let db = super::open_clinic(settings)?;
    let patient_id = match patient {
        Some(mrn) => Some(super::patient_with_mrn(&db, mrn)?.id),
        None => None,
    };
    let rows = db.audit_log(&AuditQuery {
        since: since.map(|d| d.format("%Y-%m-%d").to_string()),
        user,
        patient_id,
        limit: None,
    })?;
    if json {
        return super::emit(&format!(
            "{}\n",
            serde_json::to_value(
                rows.iter()
                    .map(|r| crate::db::audit::AuditRow {
                        at: clean_line(&r.at),
                        user: clean_line(&r.user),
                        host: clean_line(&r.host),
                        action: clean_line(&r.action),
                        entity: clean_line(&r.entity),
                        summary: clean_line(&r.summary),
                        ..r.clone()
                    })
                    .collect::<Vec<_>>()
            )
            .unwrap_or_default()
        ));
    }
    let mut text = String::new();
    for r in &rows {
        text.push_str(&format!(
            "{}  {}@{}  {}  {} {}  {}\n",
            clean_line(&r.at),
            clean_line(&r.user),
            clean_line(&r.host),
            clean_line(&r.action),
            clean_line(&r.entity),
            r.entity_id.map(|i| i.to_string()).unwrap_or_default(),
            clean_line(&r.summary)
        ));
    }
    super::emit(&text)
}
