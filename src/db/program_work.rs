//! The database work pane 3 asks the database thread for.

use super::Db;
use super::schedule::Who;
use crate::error::AppResult;

#[derive(Debug, Clone, PartialEq)]
pub enum ProgramRequest {}

#[derive(Debug, Clone)]
pub enum ProgramReply {}

impl ProgramRequest {
    pub fn is_write(&self) -> bool {
        match *self {}
    }

    pub fn handle(self, _db: &mut Db, _who: Who) -> AppResult<ProgramReply> {
        match self {}
    }
}
