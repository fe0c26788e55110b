//! `r`: today's outcome measure, as a total or item by item, checked before anything is sent.
//! After the measures comes the whole KOOS: its 42 answers typed in the form's order, the hint
//! naming the next item, and the five subscale scores shown before saving.

use crossterm::event::KeyEvent;

use crate::domain::koos_form;
use crate::domain::measures::{MEASURES, MeasureDef};
use crate::domain::scoring::{Scored, item_rule, range_text, score};
use crate::tui::forms::FormOutcome;
use crate::tui::input::LineInput;
use crate::tui::keymap::{Action, Keymap, Scope};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Measure,
    Value,
    Items,
    Detail,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordForm {
    pub measure: usize,
    pub value: LineInput,
    pub items: LineInput,
    pub detail: LineInput,
    pub focus: Field,
    pub error: Option<String>,
    pub saving: bool,
    pub touched: bool,
    pub discard_armed: bool,
}

impl RecordForm {
    /// Starts on the given measure (the one selected in the pane), else NPRS.
    pub fn new(code: Option<&str>) -> Self {
        let measure = code
            .and_then(|c| MEASURES.iter().position(|m| m.code == c))
            .unwrap_or(0);
        Self {
            measure,
            value: LineInput::default(),
            items: LineInput::default(),
            detail: LineInput::default(),
            focus: Field::Value,
            error: None,
            saving: false,
            touched: false,
            discard_armed: false,
        }
    }

    /// The choice after the last measure: the whole KOOS.
    pub fn is_koos_form(&self) -> bool {
        self.measure == MEASURES.len()
    }

    /// What the Measure line shows.
    pub fn code(&self) -> &'static str {
        if self.is_koos_form() {
            koos_form::FORM_CODE
        } else {
            self.def().code
        }
    }

    /// The measure chosen; for the whole KOOS, its first subscale (its items' range).
    pub fn def(&self) -> &'static MeasureDef {
        MEASURES.get(self.measure).unwrap_or_else(|| {
            crate::domain::measures::measure(koos_form::BLOCKS[0].code)
                .expect("the KOOS's subscales are measures")
        })
    }

    /// The fields this measure uses, in order.
    pub fn fields(&self) -> Vec<Field> {
        if self.is_koos_form() {
            return vec![Field::Measure, Field::Items];
        }
        let mut f = vec![Field::Measure, Field::Value];
        if item_rule(self.def().code).is_some() {
            f.push(Field::Items);
        }
        if matches!(self.def().code, "ROM" | "PSFS") {
            f.push(Field::Detail);
        }
        f
    }

    /// The whole KOOS as typed so far: the next item to ask, or once all 42 are in, the five
    /// subscale scores (or why the answers are refused).
    fn koos_hint(&self) -> String {
        let text = self.items.text();
        let given = if text.trim().is_empty() {
            0
        } else {
            koos_form::parse_count(text)
        };
        match koos_form::item_at(given) {
            Some((block, id, label)) => format!(
                "{}/{}: {} {id} {label} (0-4, - skips)",
                given + 1,
                koos_form::item_count(),
                block.title
            ),
            None => match koos_form::score_form_text(text) {
                Ok(form) => form
                    .subscales
                    .iter()
                    .map(|(b, r)| match r {
                        Ok(s) => format!("{} {}", short(b.code), s.value),
                        Err(_) => format!("{} no score", short(b.code)),
                    })
                    .collect::<Vec<_>>()
                    .join(" · "),
                Err(e) => e,
            },
        }
    }

    pub fn hint(&self, field: Field) -> String {
        if self.is_koos_form() {
            return match field {
                Field::Measure => "the whole KOOS, 42 items: five subscales".into(),
                _ => self.koos_hint(),
            };
        }
        match field {
            Field::Measure => self.def().name.to_string(),
            Field::Value => format!("total: {}", range_text(self.def())),
            Field::Items => item_rule(self.def().code)
                .map(|r| {
                    format!(
                        "or {} {} scored {}-{}, e.g. 3,2,-,1 (- skips)",
                        r.items_max, r.what, r.item_min, r.item_max
                    )
                })
                .unwrap_or_default(),
            Field::Detail if self.def().code == "ROM" => {
                "joint motion side, e.g. knee flexion right".into()
            }
            Field::Detail => "the activities, optional".into(),
        }
    }

    fn input_mut(&mut self, field: Field) -> Option<&mut LineInput> {
        match field {
            Field::Measure => None,
            Field::Value => Some(&mut self.value),
            Field::Items => Some(&mut self.items),
            Field::Detail => Some(&mut self.detail),
        }
    }

    /// Checks what was typed with the measure's scoring rules.
    pub fn scored(&self) -> Result<Scored, String> {
        let items = Some(self.items.text().trim())
            .filter(|t| !t.is_empty() && self.fields().contains(&Field::Items));
        let value = Some(self.value.text().trim()).filter(|t| !t.is_empty());
        if items.is_none() && value.is_none() {
            return Err(format!("type the total ({})", range_text(self.def())));
        }
        let detail = Some(self.detail.text()).filter(|_| self.fields().contains(&Field::Detail));
        score(
            self.def().code,
            if items.is_some() { None } else { value },
            items,
            detail,
        )
    }

    /// What saving stores: the one measurement, or the KOOS's scored subscales.
    pub fn submission(&self) -> Result<Vec<Scored>, String> {
        if self.is_koos_form() {
            return koos_form::score_form_text(self.items.text()).map(|f| f.scored());
        }
        self.scored().map(|s| vec![s])
    }

    pub fn handle_key(&mut self, ev: &KeyEvent, keymap: &Keymap) -> FormOutcome {
        let action = keymap.resolve(ev, Scope::Form);
        if action != Some(Action::FormClose) {
            self.discard_armed = false;
        }
        let fields = self.fields();
        let at = fields.iter().position(|f| *f == self.focus).unwrap_or(0);
        match action {
            Some(Action::FormClose) => {
                if !self.touched || self.discard_armed {
                    return FormOutcome::Close;
                }
                self.discard_armed = true;
            }
            Some(Action::FormSave) => return FormOutcome::Submit,
            Some(Action::FormNext) => self.focus = fields[(at + 1).min(fields.len() - 1)],
            Some(Action::FormPrev) => self.focus = fields[at.saturating_sub(1)],
            Some(choice @ (Action::FormChoicePrev | Action::FormChoiceNext))
                if self.focus == Field::Measure =>
            {
                // The measures, then the whole KOOS.
                let n = MEASURES.len() + 1;
                self.measure = if choice == Action::FormChoicePrev {
                    (self.measure + n - 1) % n
                } else {
                    (self.measure + 1) % n
                };
                self.error = None;
            }
            _ => {
                let focus = self.focus;
                if let Some(input) = self.input_mut(focus) {
                    if input.handle(ev).changed() {
                        self.touched = true;
                        self.error = None;
                    }
                }
            }
        }
        FormOutcome::Stay
    }
}

/// "KOOS-Pain" → "Pain": the hint names the subscales in the form's few columns.
fn short(code: &str) -> &str {
    code.strip_prefix("KOOS-").unwrap_or(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn typ(f: &mut RecordForm, text: &str) {
        for c in text.chars() {
            f.handle_key(
                &KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
                &Keymap::default(),
            );
        }
    }

    #[test]
    fn an_out_of_range_pain_score_names_the_range_and_keeps_the_text() {
        let mut f = RecordForm::new(Some("NPRS"));
        typ(&mut f, "12");
        let e = f.scored().unwrap_err();
        assert!(e.contains("0") && e.contains("10"), "{e}");
        assert_eq!(f.value.text(), "12");
    }

    #[test]
    fn items_win_over_a_total_and_are_scored_by_the_instrument() {
        let mut f = RecordForm::new(Some("ODI"));
        f.focus = Field::Items;
        typ(&mut f, "3,2,2,2,2,2,1,1,1,-");
        let s = f.scored().unwrap();
        assert_eq!(s.value, 35.6);
    }

    #[test]
    fn rom_needs_its_joint_motion_and_side() {
        let mut f = RecordForm::new(Some("ROM"));
        typ(&mut f, "95");
        assert!(f.scored().is_err());
        f.focus = Field::Detail;
        typ(&mut f, "knee flexion right");
        assert_eq!(f.scored().unwrap().value, 95.0);
    }

    #[test]
    fn arrows_on_the_measure_line_change_the_measure() {
        let mut f = RecordForm::new(Some("NPRS"));
        f.focus = Field::Measure;
        f.handle_key(
            &KeyEvent::new(KeyCode::Right, KeyModifiers::NONE),
            &Keymap::default(),
        );
        assert_eq!(f.def().code, MEASURES[1].code);
        f.handle_key(
            &KeyEvent::new(KeyCode::Left, KeyModifiers::NONE),
            &Keymap::default(),
        );
        f.handle_key(
            &KeyEvent::new(KeyCode::Left, KeyModifiers::NONE),
            &Keymap::default(),
        );
        assert!(
            f.is_koos_form(),
            "the whole KOOS comes after the last measure"
        );
        f.handle_key(
            &KeyEvent::new(KeyCode::Left, KeyModifiers::NONE),
            &Keymap::default(),
        );
        assert_eq!(f.def().code, MEASURES[MEASURES.len() - 1].code);
    }

    #[test]
    fn the_whole_koos_asks_its_items_in_order_and_shows_the_five_scores() {
        let mut f = RecordForm::new(None);
        f.measure = MEASURES.len();
        assert_eq!(f.code(), "KOOS");
        assert_eq!(f.fields(), vec![Field::Measure, Field::Items]);
        assert!(
            f.hint(Field::Items).starts_with("1/42: Symptoms"),
            "{}",
            f.hint(Field::Items)
        );
        f.focus = Field::Items;
        typ(&mut f, "1,1,1,1,1,1,1,");
        let hint = f.hint(Field::Items);
        assert!(hint.starts_with("8/42: Pain P1"), "{hint}");
        assert!(f.submission().unwrap_err().contains("42 items"));
        // Pain with two skipped; Sport/Rec with three, under half answered.
        typ(&mut f, "2,-,-,2,2,2,2,2,2,");
        typ(&mut f, "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,");
        typ(&mut f, "3,-,-,-,3,4,4,4,4");
        let hint = f.hint(Field::Items);
        assert_eq!(
            hint,
            "Symptoms 75 · Pain 50 · ADL 100 · Sport no score · QOL 0"
        );
        let stored = f.submission().unwrap();
        let codes: Vec<&str> = stored.iter().map(|s| s.def.code).collect();
        assert_eq!(
            codes,
            ["KOOS-Symptoms", "KOOS-Pain", "KOOS-ADL", "KOOS-QOL"]
        );
    }
}
