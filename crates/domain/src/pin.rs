//! Location pins (a WhatsApp location message): a point read as the settlement it is in or
//! beside, never farther than a village's reach, so a pin names a place the way a person
//! would, and a pin in the bush names none.

use crate::dedup::haversine_km;
use crate::place::{Gazetteer, Place, PlaceLevel};

/// Farthest a pin may be from a settlement's point to be read as that settlement, in km.
pub const PIN_MAX_KM: f64 = 5.0;

/// A latitude and longitude as a gateway sends them (`-1.289`, `29.012`), when both are
/// numbers on the globe.
pub fn read(lat: &str, lon: &str) -> Option<(f64, f64)> {
    let (lat, lon): (f64, f64) = (lat.trim().parse().ok()?, lon.trim().parse().ok()?);
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon))
}

/// The settlement nearest to `point`, within [`PIN_MAX_KM`].
pub fn nearest_settlement(gaz: &Gazetteer, point: (f64, f64)) -> Option<&Place> {
    gaz.places()
        .iter()
        .filter(|p| p.level == PlaceLevel::Settlement)
        .filter_map(|p| Some((p, haversine_km(point, (p.lat?, p.lon?)))))
        .filter(|(_, d)| *d <= PIN_MAX_KM)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(p, _)| p)
}

/// The words a pin adds to a message's text, so the coordinates stay with the alert.
pub fn text(point: (f64, f64)) -> String {
    format!("[location {:.5},{:.5}]", point.0, point.1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::place::testdata;

    #[test]
    fn pins() {
        assert_eq!(read(" -1.16 ", "29.46"), Some((-1.16, 29.46)));
        assert_eq!(read("91", "0"), None);
        assert_eq!(read("x", "0"), None);
        let gaz = testdata::gazetteer();
        // Beside Kiwanja in Rutshuru (not the Kiwanja of Masisi).
        let p = nearest_settlement(gaz, (-1.161, 29.459)).expect("a settlement");
        assert_eq!(p.name, "Kiwanja");
        assert!(p.pcode.starts_with("CD6111"), "{}", p.pcode);
        // In the middle of Lake Kivu: nothing.
        assert!(nearest_settlement(gaz, (-2.0, 29.15)).is_none());
        assert_eq!(text((-1.16, 29.46)), "[location -1.16000,29.46000]");
    }
}
