//! The words of place names: kind words ("territoire", "village"), compass words and
//! qualifiers in the languages alerts come in, and the common words of messages that never
//! begin or end a place name.

use crate::place::PlaceLevel;

pub(super) const LEVEL_ADMIN1: u8 = 1 << 1;
pub(super) const LEVEL_ADMIN2: u8 = 1 << 2;
pub(super) const LEVEL_ADMIN3: u8 = 1 << 3;
pub(super) const LEVEL_SETTLEMENT: u8 = 1 << 4;

pub(super) fn level_bit(level: PlaceLevel) -> u8 {
    match level {
        PlaceLevel::Country => 1,
        PlaceLevel::Admin1 => LEVEL_ADMIN1,
        PlaceLevel::Admin2 => LEVEL_ADMIN2,
        PlaceLevel::Admin3 => LEVEL_ADMIN3,
        PlaceLevel::Settlement => LEVEL_SETTLEMENT,
    }
}

/// One spelling of words for compass points and qualifiers, so "North Kivu", "Nord-Kivu" and
/// "Kivu Kaskazini" compare equal.
pub(super) fn canonical(word: &str) -> &str {
    match word {
        "north" | "northern" | "nord" | "kaskazini" => "nord",
        "south" | "southern" | "sud" | "kusini" => "sud",
        "east" | "eastern" | "est" | "oriental" | "orientale" | "mashariki" => "est",
        "west" | "western" | "ouest" | "occidental" | "occidentale" | "magharibi" => "ouest",
        "upper" | "haut" | "haute" => "haut",
        "lower" | "bas" | "basse" => "bas",
        "central" | "centrale" | "centre" | "center" => "central",
        "saint" | "sainte" | "st" | "ste" => "saint",
        "mount" | "mont" | "mt" => "mont",
        other => other,
    }
}

/// True for the canonical qualifiers above: alone they name no place.
pub(super) fn is_qualifier(word: &str) -> bool {
    matches!(
        word,
        "nord" | "sud" | "est" | "ouest" | "haut" | "bas" | "central" | "saint" | "mont"
    )
}

/// Words that say what kind of place is meant, or join words, in the languages alerts come
/// in; `Some(levels)` gives the levels a kind word points to (0 when it points to none, as
/// "ville": a town may be a province, a territory or a settlement).
pub(super) fn filler(word: &str) -> Option<u8> {
    Some(match word {
        "de" | "du" | "des" | "la" | "le" | "les" | "l" | "d" | "of" | "the" | "a" | "au"
        | "aux" | "en" | "in" | "at" | "near" | "pres" | "vers" | "dans" | "sur" | "kwa"
        | "katika" | "ya" | "wa" | "cha" | "za" | "el" | "al" | "ed" | "ad" | "ville" | "city"
        | "town" | "cite" | "mji" | "mjini" | "district" | "sous" | "sub" => 0,
        "province" | "region" | "state" | "etat" | "mkoa" => LEVEL_ADMIN1,
        // A prefecture is a province in the Central African Republic, a territory elsewhere.
        "prefecture" => LEVEL_ADMIN1 | LEVEL_ADMIN2,
        "territoire" | "territory" | "cercle" | "county" => LEVEL_ADMIN2,
        "chefferie" | "chiefdom" | "secteur" | "sector" | "groupement" | "commune" | "payam"
        | "collectivite" => LEVEL_ADMIN3,
        // Sudan's localities are its second level.
        "locality" => LEVEL_ADMIN2 | LEVEL_SETTLEMENT,
        "village" | "villages" | "localite" | "kijiji" | "quartier" | "camp" | "site" | "idp" => {
            LEVEL_SETTLEMENT
        }
        _ => return None,
    })
}

/// Common words of alert messages (French, English, Swahili) that never start or end a place
/// name found in running text.
pub(super) fn is_stop_word(word: &str) -> bool {
    if word.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    matches!(
        word,
        "il" | "ils"
            | "elle"
            | "elles"
            | "on"
            | "nous"
            | "vous"
            | "je"
            | "tu"
            | "ce"
            | "cet"
            | "cette"
            | "ces"
            | "se"
            | "sa"
            | "son"
            | "ses"
            | "leur"
            | "leurs"
            | "qui"
            | "que"
            | "quoi"
            | "dont"
            | "ou"
            | "et"
            | "mais"
            | "donc"
            | "or"
            | "ni"
            | "car"
            | "pas"
            | "plus"
            | "tres"
            | "avec"
            | "sans"
            | "pour"
            | "par"
            | "chez"
            | "entre"
            | "apres"
            | "avant"
            | "depuis"
            | "pendant"
            | "contre"
            | "est"
            | "sont"
            | "ont"
            | "etait"
            | "etaient"
            | "sera"
            | "ete"
            | "fait"
            | "font"
            | "hier"
            | "aujourd"
            | "hui"
            | "demain"
            | "matin"
            | "soir"
            | "nuit"
            | "jour"
            | "jours"
            | "heure"
            | "heures"
            | "ici"
            | "hommes"
            | "homme"
            | "armes"
            | "arme"
            | "armee"
            | "militaires"
            | "militaire"
            | "soldats"
            | "rebelles"
            | "attaque"
            | "attaques"
            | "attaquent"
            | "tue"
            | "tues"
            | "tuee"
            | "morts"
            | "mort"
            | "blesses"
            | "enleve"
            | "enleves"
            | "enlevement"
            | "pillage"
            | "pille"
            | "maisons"
            | "maison"
            | "brule"
            | "brulees"
            | "personnes"
            | "femmes"
            | "femme"
            | "enfants"
            | "enfant"
            | "gens"
            | "population"
            | "civils"
            | "urgence"
            | "alerte"
            | "signale"
            | "presence"
            | "beaucoup"
            | "plusieurs"
            | "deux"
            | "trois"
            | "quatre"
            | "cinq"
            | "groupe"
            | "route"
            | "marche"
            | "ecole"
            | "eglise"
            | "champ"
            | "champs"
            | "and"
            | "but"
            | "with"
            | "without"
            | "for"
            | "by"
            | "from"
            | "to"
            | "into"
            | "is"
            | "are"
            | "was"
            | "were"
            | "has"
            | "have"
            | "had"
            | "this"
            | "that"
            | "these"
            | "those"
            | "there"
            | "here"
            | "today"
            | "yesterday"
            | "tonight"
            | "morning"
            | "evening"
            | "night"
            | "men"
            | "man"
            | "armed"
            | "arms"
            | "attack"
            | "attacked"
            | "killed"
            | "dead"
            | "people"
            | "women"
            | "children"
            | "houses"
            | "burned"
            | "please"
            | "help"
            | "urgent"
            | "many"
            | "group"
            | "road"
            | "market"
            | "school"
            | "church"
            | "field"
            | "watu"
            | "mtu"
            | "wenye"
            | "silaha"
            | "askari"
            | "leo"
            | "jana"
            | "kesho"
            | "asubuhi"
            | "jioni"
            | "usiku"
            | "karibu"
            | "sana"
            | "wengi"
            | "hapa"
            | "huko"
            | "nyumba"
            | "wanawake"
            | "watoto"
            | "wameuawa"
            | "wamevamia"
            | "shambulio"
            | "msaada"
            | "haraka"
            | "barabara"
            | "soko"
            | "shule"
    )
}

/// The words that identify a name, and the levels its kind words point to. A name made only
/// of kind words ("Camp") keeps them, so it can still be found.
pub(super) fn core_tokens<'a>(words: impl IntoIterator<Item = &'a str>) -> (Vec<String>, u8) {
    let mut core = Vec::new();
    let mut all = Vec::new();
    let mut hint = 0;
    for w in words {
        let c = canonical(w);
        all.push(c.to_string());
        match filler(c) {
            Some(levels) => hint |= levels,
            None => core.push(c.to_string()),
        }
    }
    if core.is_empty() {
        (all, hint)
    } else {
        (core, hint)
    }
}
