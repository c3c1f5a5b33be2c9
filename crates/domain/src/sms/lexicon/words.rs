//! Common words: those that tell the three languages apart, and those around place names
//! (joiners, prepositions, words of movement).

use super::Lang;

/// Common words of each language, for telling which one a message is in.
pub fn function_word(w: &str) -> Option<Lang> {
    Some(match w {
        "le" | "les" | "des" | "du" | "de" | "et" | "est" | "sont" | "ont" | "un" | "une"
        | "dans" | "pres" | "au" | "aux" | "avec" | "sur" | "ce" | "cette" | "ces" | "ils"
        | "il" | "elle" | "elles" | "nous" | "y" | "pour" | "par" | "qui" | "que" | "hier"
        | "soir" | "matin" | "nuit" | "aujourd" | "hui" | "depuis" | "vers" | "chez" | "entre"
        | "personnes" | "hommes" | "femmes" | "enfants" | "gens" | "signale" | "signalent"
        | "beaucoup" | "plusieurs" | "tres" | "ete" | "etait" | "etaient" | "mais" | "deux"
        | "trois" | "quatre" | "cinq" | "environ" | "notre" | "nos" | "leur" | "leurs" | "se"
        | "sa" | "son" | "ses" | "quartier" | "veuillez" | "merci" | "bonjour" | "svp" | "ici"
        | "encore" | "toujours" | "maisons" | "marche" | "route" | "champs" | "actuellement"
        | "maintenant" | "pas" | "ne" | "tout" | "tous" | "toute" | "toutes" | "aussi" | "je"
        | "vous" | "sommes" | "avons" | "suis" | "jeunes" | "bjr" | "bsr" | "slt" | "ds" => {
            Lang::Fr
        }
        "the" | "and" | "of" | "in" | "at" | "is" | "are" | "was" | "were" | "have" | "has"
        | "had" | "been" | "near" | "people" | "men" | "women" | "children" | "from" | "to"
        | "with" | "by" | "this" | "that" | "there" | "these" | "today" | "yesterday"
        | "tonight" | "morning" | "night" | "evening" | "many" | "several" | "some" | "our"
        | "their" | "they" | "we" | "he" | "she" | "it" | "two" | "three" | "four" | "five"
        | "about" | "after" | "before" | "please" | "houses" | "market" | "road" | "now"
        | "still" | "hello" | "thanks" | "who" | "found" | "school" | "us" | "here" | "my"
        | "his" | "her" | "them" | "not" | "all" | "since" | "around" | "help" | "pls" | "plz"
        | "sir" => Lang::En,
        "na" | "ya" | "wa" | "za" | "kwa" | "katika" | "kijiji" | "watu" | "wanaume"
        | "wanawake" | "watoto" | "leo" | "jana" | "usiku" | "asubuhi" | "jioni" | "sana"
        | "wengi" | "hapa" | "huko" | "karibu" | "sasa" | "kuna" | "wako" | "ni" | "hii"
        | "hiyo" | "bado" | "tafadhali" | "msaada" | "mtu" | "wawili" | "watatu" | "wanne"
        | "kwenye" | "mji" | "eneo" | "hali" | "kutoka" | "mpaka" | "baada" | "kabla" | "zaidi"
        | "wote" | "wetu" | "yetu" | "habari" | "nyumba" | "soko" | "barabara" | "shamba"
        | "mashamba" | "vijiji" | "wamefika" | "wameingia" | "asante" | "jambo" | "mama"
        | "kijijini" | "tangu" | "kati" | "hivi" | "lakini" | "kule" | "sababu" | "kila"
        | "nani" | "ndani" | "tena" | "moja" | "mbili" | "tatu" | "nne" | "tano" | "sita"
        | "saba" | "kumi" | "kuwa" | "walikuwa" | "wamekuwa" | "alikuwa" | "sisi" | "wao"
        | "yake" | "zao" | "tuko" | "iko" | "kitu" | "mzee" | "bwana" | "ndiyo" | "pia" | "juu"
        | "kwenda" | "kuja" | "haraka" | "tusaidie" | "shida" | "mbaya" | "shwari" | "salama"
        | "wananchi" | "vijana" | "wasichana" | "mtoto" | "hakuna" | "ilikuwa" | "nyumbani" => {
            Lang::Sw
        }
        _ => return None,
    })
}

/// Words that may sit inside a place name or before it ("ville de Zongo", "territoire de
/// Rutshuru") and so do not end the place slot.
pub fn is_place_joiner(w: &str) -> bool {
    matches!(
        w,
        "de" | "du"
            | "des"
            | "la"
            | "le"
            | "les"
            | "d"
            | "l"
            | "wa"
            | "ya"
            | "za"
            | "of"
            | "the"
            | "el"
            | "al"
    )
}

/// Prepositions before a place ("à Beni", "huko Yei"), skipped when the slot starts.
pub fn is_place_preposition(w: &str) -> bool {
    matches!(
        w,
        "a" | "au"
            | "aux"
            | "en"
            | "in"
            | "at"
            | "huko"
            | "kwenye"
            | "katika"
            | "near"
            | "pres"
            | "dans"
            | "sur"
            | "vers"
            | "on"
            | "from"
            | "de"
            | "du"
    )
}

/// Words saying where people go or come from ("fuient vers Goma", "wanatoka Sake", "arrived
/// from Kibumba"): a place right after them is not where something happened.
pub fn is_movement_word(w: &str) -> bool {
    matches!(
        w,
        "vers"
            | "direction"
            | "venant"
            | "provenant"
            | "provenance"
            | "towards"
            | "toward"
            | "from"
            | "kwenda"
            | "kuelekea"
            | "wakielekea"
            | "wanaelekea"
            | "kutoka"
            | "wanatoka"
            | "wametoka"
            | "walitoka"
            | "wanakuja"
            | "wanaenda"
            | "wanakwenda"
    )
}
