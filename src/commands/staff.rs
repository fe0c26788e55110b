use crate::cli::{RoleArg, StaffCommand};
use crate::config::Settings;
use crate::db::staff::NewStaff;
use crate::domain::Role;
use crate::error::AppResult;
use crate::sanitize::clean_line;

pub fn run(settings: &Settings, cmd: StaffCommand) -> AppResult<()> {
    let mut db = super::open_clinic(settings)?;
    match cmd {
        StaffCommand::Add {
            name,
            initials,
            role,
            username,
        } => {
            let role = match role {
                RoleArg::Therapist => Role::Therapist,
                RoleArg::FrontDesk => Role::FrontDesk,
            };
            let at = crate::clock::stamp(settings.clock.now());
            let id = db.add_staff(
                NewStaff {
                    name,
                    initials,
                    role,
                    username,
                },
                &settings.user,
                &at,
            )?;
            super::note(&format!("Added staff member {id}."));
        }
        StaffCommand::List { json } => {
            let staff = db.staff()?;
            if json {
                let rows: Vec<_> = staff
                    .iter()
                    .map(|s| {
                        serde_json::json!({
                            "id": s.id,
                            "name": clean_line(&s.name),
                            "initials": clean_line(&s.initials),
                            "role": s.role.as_str(),
                            "username": s.username.as_deref().map(clean_line),
                        })
                    })
                    .collect();
                super::emit(&format!("{}\n", serde_json::Value::Array(rows)))?;
            } else {
                for s in &staff {
                    super::emit(&format!(
                        "{:<4} {:<28} {:<10} {}\n",
                        clean_line(&s.initials),
                        clean_line(&s.name),
                        s.role.label(),
                        s.username.as_deref().map(clean_line).unwrap_or_default()
                    ))?;
                }
            }
        }
    }
    Ok(())
}
