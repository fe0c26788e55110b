//! The whole KOOS as the patient fills it in: 42 items in the form's own order, Symptoms (S1–S7,
//! the two stiffness questions S6–S7 among them), Pain (P1–P9), Function in daily living
//! (A1–A17), Sport and recreation (SP1–SP5) and Quality of life (Q1–Q4). Each subscale is scored
//! on its own with its rule (`scoring`, KOOS Scoring 2012) and stored as its own series; a
//! subscale with too many items missing gets no score while the others keep theirs, as the
//! scoring instructions allow ("subscale scores are independent").

use super::scoring::{Scored, item_rule, parse_items, score_items};

/// The code the form is chosen by (`record --measure KOOS`, the record form's list).
pub const FORM_CODE: &str = "KOOS";

/// One subscale's block of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    /// The series it is stored as.
    pub code: &'static str,
    /// What the form calls it.
    pub title: &'static str,
    /// The items' short labels, in order (S1, S2, …).
    pub items: &'static [(&'static str, &'static str)],
}

/// The form, block by block, in the order it is printed and answered.
pub const BLOCKS: &[Block] = &[
    Block {
        code: "KOOS-Symptoms",
        title: "Symptoms and stiffness",
        items: &[
            ("S1", "swelling"),
            ("S2", "grinding, clicking or noise"),
            ("S3", "catching or hanging up"),
            ("S4", "straightening fully"),
            ("S5", "bending fully"),
            ("S6", "stiffness on first wakening"),
            ("S7", "stiffness later in the day"),
        ],
    },
    Block {
        code: "KOOS-Pain",
        title: "Pain",
        items: &[
            ("P1", "how often knee pain"),
            ("P2", "twisting/pivoting"),
            ("P3", "straightening fully"),
            ("P4", "bending fully"),
            ("P5", "walking on a flat surface"),
            ("P6", "going up or down stairs"),
            ("P7", "at night in bed"),
            ("P8", "sitting or lying"),
            ("P9", "standing upright"),
        ],
    },
    Block {
        code: "KOOS-ADL",
        title: "Function in daily living",
        items: &[
            ("A1", "descending stairs"),
            ("A2", "ascending stairs"),
            ("A3", "rising from sitting"),
            ("A4", "standing"),
            ("A5", "bending to the floor"),
            ("A6", "walking on a flat surface"),
            ("A7", "getting in/out of a car"),
            ("A8", "going shopping"),
            ("A9", "putting on socks"),
            ("A10", "rising from bed"),
            ("A11", "taking off socks"),
            ("A12", "lying in bed"),
            ("A13", "getting in/out of the bath"),
            ("A14", "sitting"),
            ("A15", "getting on/off the toilet"),
            ("A16", "heavy domestic duties"),
            ("A17", "light domestic duties"),
        ],
    },
    Block {
        code: "KOOS-Sport",
        title: "Sport and recreation",
        items: &[
            ("SP1", "squatting"),
            ("SP2", "running"),
            ("SP3", "jumping"),
            ("SP4", "twisting/pivoting"),
            ("SP5", "kneeling"),
        ],
    },
    Block {
        code: "KOOS-QOL",
        title: "Quality of life",
        items: &[
            ("Q1", "how often aware of the knee"),
            ("Q2", "life style modified"),
            ("Q3", "lack of confidence"),
            ("Q4", "difficulty in general"),
        ],
    },
];

/// The number of items on the whole form.
pub fn item_count() -> usize {
    BLOCKS.iter().map(|b| b.items.len()).sum()
}

/// The item at a 0-based position on the form: its block and label ("P3 straightening fully").
pub fn item_at(index: usize) -> Option<(&'static Block, &'static str, &'static str)> {
    let mut at = index;
    for block in BLOCKS {
        if at < block.items.len() {
            let (id, label) = block.items[at];
            return Some((block, id, label));
        }
        at -= block.items.len();
    }
    None
}

/// The form scored: one result per subscale, in the form's order.
#[derive(Debug, Clone, PartialEq)]
pub struct FormScores {
    pub subscales: Vec<(&'static Block, Result<Scored, String>)>,
}

impl FormScores {
    /// The subscales that have a score, ready to store.
    pub fn scored(&self) -> Vec<Scored> {
        self.subscales
            .iter()
            .filter_map(|(_, r)| r.as_ref().ok().cloned())
            .collect()
    }

    /// The subscales left without a score, each with the reason.
    pub fn unscored(&self) -> Vec<(&'static str, &str)> {
        self.subscales
            .iter()
            .filter_map(|(b, r)| r.as_ref().err().map(|e| (b.code, e.as_str())))
            .collect()
    }
}

/// Scores the 42 answers (`None` = skipped). Refused as a whole when the count is wrong, an
/// answer is out of 0–4, or no subscale can be scored; nothing is then stored.
pub fn score_form(items: &[Option<u8>]) -> Result<FormScores, String> {
    let n = item_count();
    if items.len() != n {
        return Err(format!(
            "the KOOS has {n} items in the form's order ({}), each 0 to 4; {} given",
            BLOCKS
                .iter()
                .map(|b| format!("{} {}", b.title, b.items.len()))
                .collect::<Vec<_>>()
                .join(", "),
            items.len()
        ));
    }
    if let Some((i, v)) = items
        .iter()
        .enumerate()
        .find_map(|(i, v)| v.filter(|v| *v > 4).map(|v| (i, v)))
    {
        let (_, id, label) = item_at(i).expect("the count was checked");
        return Err(format!(
            "KOOS item {} ({id} {label}) is {v}: each is a whole number from 0 to 4",
            i + 1
        ));
    }
    let mut start = 0;
    let mut subscales = Vec::with_capacity(BLOCKS.len());
    for block in BLOCKS {
        let answers = &items[start..start + block.items.len()];
        start += block.items.len();
        let rule = item_rule(block.code).expect("each block has its subscale's rule");
        let def = super::measures::measure(block.code).expect("each block is a measure");
        let result = score_items(rule, answers).map(|value| Scored {
            def,
            value,
            items: Some(answers.to_vec()),
            detail: None,
        });
        subscales.push((block, result));
    }
    let scores = FormScores { subscales };
    if scores.scored().is_empty() {
        return Err(format!(
            "no KOOS subscale can be scored: {}",
            scores
                .unscored()
                .iter()
                .map(|(_, why)| *why)
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    Ok(scores)
}

/// How many answers the text holds so far (the hint asks the next one).
pub fn parse_count(text: &str) -> usize {
    if text.contains(',') {
        text.split(',').count() - 1 + usize::from(!text.trim_end().ends_with(','))
    } else {
        text.split_whitespace().count()
    }
}

/// The 42 answers as typed (comma- or space-separated, `-` for a skipped one), scored.
pub fn score_form_text(text: &str) -> Result<FormScores, String> {
    score_form(&parse_items(text)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(v: u8) -> Vec<Option<u8>> {
        vec![Some(v); 42]
    }

    #[test]
    fn the_form_has_42_items_in_five_subscales_symptoms_first() {
        assert_eq!(item_count(), 42);
        let sizes: Vec<(&str, usize)> = BLOCKS.iter().map(|b| (b.code, b.items.len())).collect();
        assert_eq!(
            sizes,
            [
                ("KOOS-Symptoms", 7),
                ("KOOS-Pain", 9),
                ("KOOS-ADL", 17),
                ("KOOS-Sport", 5),
                ("KOOS-QOL", 4)
            ]
        );
        assert_eq!(item_at(0).map(|(_, id, _)| id), Some("S1"));
        assert_eq!(item_at(6).map(|(_, id, _)| id), Some("S7"));
        assert_eq!(item_at(7).map(|(_, id, _)| id), Some("P1"));
        assert_eq!(item_at(41).map(|(_, id, _)| id), Some("Q4"));
        assert_eq!(item_at(42), None);
        for b in BLOCKS {
            assert_eq!(
                item_rule(b.code).unwrap().items_max,
                b.items.len(),
                "{}",
                b.code
            );
        }
    }

    #[test]
    fn one_form_scores_five_subscales_each_with_its_own_answers() {
        let mut items = form(0);
        // Pain (items 8–16) all 2: 100 − 2 × 25 = 50; two of them skipped keep 50.
        for v in &mut items[7..16] {
            *v = Some(2);
        }
        items[8] = None;
        items[9] = None;
        // QOL all 4: 0.
        for v in &mut items[38..42] {
            *v = Some(4);
        }
        let s = score_form(&items).unwrap();
        assert!(s.unscored().is_empty());
        let scored = s.scored();
        let by = |c: &str| scored.iter().find(|x| x.def.code == c).unwrap().clone();
        assert_eq!(scored.len(), 5);
        assert_eq!(by("KOOS-Pain").value, 50.0);
        assert_eq!(by("KOOS-Pain").items.unwrap().len(), 9);
        assert_eq!(by("KOOS-Pain").items.unwrap()[1], None);
        assert_eq!(by("KOOS-Symptoms").value, 100.0);
        assert_eq!(by("KOOS-ADL").value, 100.0);
        assert_eq!(by("KOOS-Sport").value, 100.0);
        assert_eq!(by("KOOS-QOL").value, 0.0);
    }

    #[test]
    fn a_subscale_with_too_many_missing_has_no_score_and_the_others_keep_theirs() {
        let mut items = form(1);
        // Sport/Rec (items 34–38): 3 of 5 skipped, only 2 answered, under half.
        items[33] = None;
        items[34] = None;
        items[35] = None;
        let s = score_form(&items).unwrap();
        assert_eq!(s.scored().len(), 4);
        let unscored = s.unscored();
        assert_eq!(unscored.len(), 1);
        assert_eq!(unscored[0].0, "KOOS-Sport");
        assert!(
            unscored[0].1.contains("at most 2 of 5"),
            "{}",
            unscored[0].1
        );
        assert!(score_form(&[None; 42]).is_err());
    }

    #[test]
    fn a_wrong_count_or_answer_is_refused_naming_the_item() {
        let e = score_form(&form(1)[..41]).unwrap_err();
        assert!(e.contains("42 items") && e.contains("41 given"), "{e}");
        let mut items = form(1);
        items[7] = Some(5);
        let e = score_form(&items).unwrap_err();
        assert!(e.contains("item 8 (P1"), "{e}");
        assert!(score_form_text("1,2,x").is_err());
    }
}
