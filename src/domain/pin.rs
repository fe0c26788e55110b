//! Staff PINs for the idle lock: the rule, and argon2id hashes with a random salt (PHC
//! strings, which carry their own parameters, so they can be raised later without breaking
//! the PINs already set). A PIN is never printed: its `Debug` hides it and its memory is
//! wiped when it is dropped.

use std::fmt;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroize;

pub const MIN_DIGITS: usize = 4;
pub const MAX_DIGITS: usize = 12;

/// The rule, as the CLI and the lock screen say it.
pub const RULE: &str = "a PIN is 4 to 12 digits";

/// Memory (KiB), passes and lanes of a new hash: OWASP's first argon2id choice (19 MiB, 2
/// passes, 1 lane), tens of milliseconds on a clinic PC, so a stolen copy of the record makes
/// guessing slow while unlocking stays instant.
pub const MEMORY_KIB: u32 = 19 * 1024;
pub const PASSES: u32 = 2;
pub const LANES: u32 = 1;

/// What unlocking the idle lock takes for the app's user.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PinNeed {
    /// Their PIN (also what is assumed until the record has said otherwise).
    #[default]
    Pin,
    /// They have no PIN yet: Enter unlocks, with a warning.
    NoPin,
    /// They are not on the staff list, so cannot have a PIN: Enter unlocks, with a warning.
    NotStaff,
}

/// A PIN being typed or checked.
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(String);

impl Default for Pin {
    fn default() -> Self {
        Pin::empty()
    }
}

impl Pin {
    /// An empty PIN with room for the longest, so that typing never moves it in memory
    /// (a move would leave a copy behind that is not wiped).
    pub fn empty() -> Self {
        Pin(String::with_capacity(MAX_DIGITS + 1))
    }

    pub fn new(text: &str) -> Self {
        let mut pin = Pin::empty();
        pin.0.push_str(text);
        pin
    }

    /// Adds a typed digit; anything else, or a digit past the longest PIN, is refused.
    pub fn push(&mut self, c: char) -> bool {
        if c.is_ascii_digit() && self.0.len() < MAX_DIGITS {
            self.0.push(c);
            true
        } else {
            false
        }
    }

    pub fn pop(&mut self) {
        self.0.pop();
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Wipes the digits, keeping the room.
    pub fn clear(&mut self) {
        self.0.zeroize();
    }

    /// Whether the PIN follows the rule; the error is `RULE`, never the PIN.
    pub fn check_rule(&self) -> Result<(), &'static str> {
        let n = self.0.len();
        if (MIN_DIGITS..=MAX_DIGITS).contains(&n) && self.0.bytes().all(|b| b.is_ascii_digit()) {
            Ok(())
        } else {
            Err(RULE)
        }
    }

    /// A new hash with a fresh random salt, as a PHC string.
    pub fn hash(&self) -> Result<String, String> {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        let params = Params::new(MEMORY_KIB, PASSES, LANES, None)
            .map_err(|e| format!("cannot hash the PIN: {e}"))?;
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(self.0.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| format!("cannot hash the PIN: {e}"))
    }

    /// Whether the PIN matches a stored PHC string (one that cannot be read matches nothing).
    pub fn verify(&self, stored: &str) -> bool {
        PasswordHash::new(stored).is_ok_and(|h| {
            // The parameters are those stored with the hash, not today's defaults.
            Argon2::default()
                .verify_password(self.0.as_bytes(), &h)
                .is_ok()
        })
    }
}

impl Drop for Pin {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(hidden)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_is_four_to_twelve_digits() {
        assert!(Pin::new("1234").check_rule().is_ok());
        assert!(Pin::new("123456789012").check_rule().is_ok());
        for bad in ["", "123", "1234567890123", "12a4", "12 34", "١٢٣٤"] {
            assert_eq!(Pin::new(bad).check_rule(), Err(RULE), "{bad}");
        }
        let mut typed = Pin::empty();
        for c in "12x3456789012345".chars() {
            typed.push(c);
        }
        assert_eq!(
            typed.len(),
            MAX_DIGITS,
            "letters and extra digits are not taken"
        );
    }

    #[test]
    fn a_hash_is_salted_argon2id_and_verifies_only_its_pin() {
        let pin = Pin::new("4821");
        let a = pin.hash().unwrap();
        let b = pin.hash().unwrap();
        assert_ne!(a, b, "a fresh salt each time");
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert!(!a.contains("4821"));
        assert!(pin.verify(&a) && pin.verify(&b));
        assert!(!Pin::new("4822").verify(&a));
        assert!(!pin.verify("not a hash"));
    }

    #[test]
    fn a_pin_never_shows_in_debug_output() {
        let pin = Pin::new("4821");
        assert_eq!(format!("{pin:?}"), "Pin(hidden)");
        let mut pin = pin;
        pin.clear();
        assert!(pin.is_empty());
    }
}
