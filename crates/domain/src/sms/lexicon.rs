//! The words of the SMS grammar, in folded form (lower case, no accents, see
//! [`crate::text::fold`]): keywords, threat vocabulary per type and language, severity words,
//! and the common words that tell the three languages apart.
//!
//! A threat entry is a `|`-separated list of phrases; a word ending in `*` matches any word
//! starting with it. Words of seven letters or more also match with one typo (a letter
//! missing, added, changed or two swapped), so shorter words whose typos collide with
//! ordinary words ("voles"/"votes", "looted"/"looked") list their misspellings explicitly.
//! Stems are chosen so as not to swallow ordinary words ("pill*" would take English "pills",
//! "deplac*" would take "se déplacer", a movement of armed men rather than displacement).

use crate::ThreatType;
use crate::ThreatType as T;

mod words;
pub use words::{function_word, is_movement_word, is_place_joiner, is_place_preposition};

/// A language the grammar knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// French.
    Fr,
    /// English.
    En,
    /// Swahili.
    Sw,
}

impl Lang {
    /// ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
            Lang::Sw => "sw",
        }
    }

    /// Position in vote arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Every language, in vote-array order.
    pub const ALL: [Lang; 3] = [Lang::Fr, Lang::En, Lang::Sw];
}

/// A message keyword: its folded spellings, the canonical form reported, its language
/// (none for words shared by several), and the severity it implies.
pub struct Keyword {
    /// Folded spellings.
    pub spellings: &'static [&'static str],
    /// Canonical form, reported in `keyword`.
    pub canonical: &'static str,
    /// Language it tells, if any.
    pub lang: Option<Lang>,
    /// Severity it implies ("URGENCE" is a cry of imminent danger).
    pub severity: Option<u8>,
}

/// Keywords that open a message, checked against its first words.
pub const KEYWORDS: &[Keyword] = &[
    Keyword {
        spellings: &["alerte", "alertes", "alerter", "alarme"],
        canonical: "ALERTE",
        lang: Some(Lang::Fr),
        severity: None,
    },
    Keyword {
        spellings: &["alert", "alerts", "alarm"],
        canonical: "ALERT",
        lang: Some(Lang::En),
        severity: None,
    },
    Keyword {
        spellings: &["tahadhari"],
        canonical: "TAHADHARI",
        lang: Some(Lang::Sw),
        severity: None,
    },
    Keyword {
        spellings: &["hatari"],
        canonical: "HATARI",
        lang: Some(Lang::Sw),
        severity: None,
    },
    Keyword {
        spellings: &["taarifa", "ripoti"],
        canonical: "TAARIFA",
        lang: Some(Lang::Sw),
        severity: None,
    },
    Keyword {
        spellings: &["urgence", "urgences"],
        canonical: "URGENCE",
        lang: Some(Lang::Fr),
        severity: Some(4),
    },
    Keyword {
        spellings: &["emergency"],
        canonical: "EMERGENCY",
        lang: Some(Lang::En),
        severity: Some(4),
    },
    Keyword {
        spellings: &["dharura"],
        canonical: "DHARURA",
        lang: Some(Lang::Sw),
        severity: Some(4),
    },
    Keyword {
        spellings: &["urgent", "urgente"],
        canonical: "URGENT",
        lang: None,
        severity: Some(4),
    },
    Keyword {
        spellings: &["sos"],
        canonical: "SOS",
        lang: None,
        severity: Some(4),
    },
    Keyword {
        spellings: &["attention"],
        canonical: "ATTENTION",
        lang: None,
        severity: None,
    },
    Keyword {
        spellings: &["reponse", "rep", "suivi"],
        canonical: "REPONSE",
        lang: Some(Lang::Fr),
        severity: None,
    },
    Keyword {
        spellings: &["reply", "update"],
        canonical: "REPLY",
        lang: Some(Lang::En),
        severity: None,
    },
    Keyword {
        spellings: &["jibu"],
        canonical: "JIBU",
        lang: Some(Lang::Sw),
        severity: None,
    },
];

/// Threat vocabulary. Codes `A1`…`A14` name the types in [`ThreatType::ALL`] order.
pub const THREATS: &[(ThreatType, Lang, &str)] = &[
    // A1 attack on civilians
    (
        T::AttackOnCivilians,
        Lang::Fr,
        "attaqu*|atak*|ataque*|incursion*|assaut*|agression*|agresse|agresses|raid|raids|incendi*|brul*|blesse|blesses|blessee|blessees|blessure*|machette*|tabass*|tortur*|fouett*|attaque contre des civils",
    ),
    (
        T::AttackOnCivilians,
        Lang::En,
        "attack*|atack*|raided|raiding|assault*|ambush*|burn*|burnt|injured|injuries|wounded|torched|set on fire|beat|beating|beaten|tortur*|whipped",
    ),
    (
        T::AttackOnCivilians,
        Lang::Sw,
        "shambulio|mashambulizi|shambulizi|wameshambulia|walishambulia|wanashambulia|kushambulia|shambulia|wamevamia|walivamia|wanavamia|uvamizi|kuvamia|vamia|wamechoma|walichoma|wanachoma|kuchoma|zimechomwa|zinachomwa|imechomwa|inachomwa|kuchomwa|wamechomwa|majeruhi|wamejeruhiwa|walijeruhiwa|kujeruhiwa|mapanga|wamepigwa|walipigwa|kupigwa|mateso",
    ),
    // A2 armed presence
    (
        T::ArmedPresence,
        Lang::Fr,
        "hommes armes|hms armes|hmes armes|hom armes|homme arme|hommes en armes|hommes en arme|home arme|homes armes|hommes armer|personnes armees|gens armes|individus armes|elements armes|inconnus armes|groupe arme|groupes armes|arme*|armee|militaires|miliciens|milicien|milice*|rebelle|rebelles|combattant|combattants|assaillant*|presence|mouvement des hommes|bandes armees|hommes en uniforme|encercl*",
    ),
    (
        T::ArmedPresence,
        Lang::En,
        "armed men|armed man|armed people|armed group*|armed elements|armed|gunmen|gunman|militia*|rebel|rebels|soldiers|fighters|surrounded",
    ),
    (
        T::ArmedPresence,
        Lang::Sw,
        "watu wenye silaha|wenye silaha|silaha|wanamgambo|mgambo|askari|waasi|mwasi|wapiganaji|jeshi|majeshi|wanajeshi",
    ),
    // A3 clashes
    (
        T::Clashes,
        Lang::Fr,
        "affront*|afront*|combat|combats|combattre|combattent|accrochage*|tirs|tir|tire|coups de feu|coup de feu|fusillade*|echange de tirs|crepit*|detonation*|balles|armes lourdes|bombard*|obus|guerre",
    ),
    (
        T::Clashes,
        Lang::En,
        "clash*|fighting|fight|fights|battle*|gunfire|gunshot*|gun shots|shooting*|shots|shot|heavy weapons|exchange of fire|crossfire|shelling",
    ),
    (
        T::Clashes,
        Lang::Sw,
        "mapigano|mapiganoo|mapambano|vita|risasi|milio ya risasi|mlio wa risasi|wanapigana|walipigana|wamepigana|kupigana|wanarushiana risasi|kurushiana",
    ),
    // A4 abduction
    (
        T::Abduction,
        Lang::Fr,
        "enlev*|anlev*|kidnap*|rapt|rapts|otage*|pris en otage|sequestr*|ravisseur*|emmene|emmenes|emmenee|emmenees|porte disparu|portes disparus|disparu|disparus|disparue|disparues",
    ),
    (
        T::Abduction,
        Lang::En,
        "abduct*|kidnap*|hostage*|taken away|missing",
    ),
    (
        T::Abduction,
        Lang::Sw,
        "utekaji|utekaji nyara|utekeji|wametekwa|walitekwa|ametekwa|alitekwa|wameteka|waliteka|ameteka|aliteka|kuteka|kutekwa|tekwa|teka|mateka|nyara|wamepotea|wametoweka|wamechukua watu|walichukua watu|wanachukua watu|wamechukua wasichana|wamechukua wanawake|wamechukua watoto",
    ),
    // A5 sexual violence
    (
        T::SexualViolence,
        Lang::Fr,
        "viol|viols|viole|violes|violee|violees|violer|violences sexuelles|violence sexuelle|abus sexuel*|agression sexuelle|agressions sexuelles|vbg|vsbg|esclavage sexuel",
    ),
    (
        T::SexualViolence,
        Lang::En,
        "rape|raped|rapes|raping|rapped|sexual violence|sexual assault|sexually assaulted|gbv|sgbv|crsv",
    ),
    (
        T::SexualViolence,
        Lang::Sw,
        "ubakaji|ubakaj|kubaka|wamebakwa|walibakwa|amebakwa|alibakwa|wamebaka|walibaka|amebaka|alibaka|bakwa|ukatili wa kijinsia|unyanyasaji wa kijinsia",
    ),
    // A6 killing
    (
        T::Killing,
        Lang::Fr,
        "tue|tues|tuee|tuees|tuer|tuent|tuerie*|mort|morts|morte|mortes|deces|decede*|massacr*|assassin*|egorg*|decapit*|abattu|abattus|meurtre*|homicide*|cadavre*|corps sans vie|corps retrouv*|corps decouvert*|execute|executes|executee",
    ),
    (
        T::Killing,
        Lang::En,
        "killed|kill|kills|killing*|dead|death|deaths|murder*|massacr*|bodies|body found|shot dead|executed|beheaded|slaughter*",
    ),
    (
        T::Killing,
        Lang::Sw,
        "wameuawa|waliuawa|ameuawa|aliuawa|wameuwa|wameuliwa|kuuawa|mauaji|kuua|wameua|waliua|ameua|aliua|wanaua|wamemuua|walimuua|amemuua|alimuua|wamewaua|waliwaua|wanawaua|kuwaua|maiti|vifo|kifo|wamekufa|walikufa|amekufa|alikufa|wafu",
    ),
    // A7 looting, extortion
    (
        T::LootingExtortion,
        Lang::Fr,
        "pillage|pillages|pilage|pille|pilles|pillee|pillees|piller|pillent|pillard|pillards|vol|vols|vole|voles|volee|volees|voler|volent|voleur*|racket*|rancon*|extorsion*|extorqu*|taxe illegale|taxes illegales|barriere*|coupeur de route|coupeurs de route|coupeur de routes|coupeurs de routes|braquage*|braqu*|bandit*|cambriol*|vol de betail|emporte*|pirate|pirates|font payer|fait payer|faire payer|reclament de l argent|reclame de l argent|exigent de l argent|demandent de l argent",
    ),
    (
        T::LootingExtortion,
        Lang::En,
        "loot*|lootings|robbed|robbing|robs|robbery|robberies|robbers|rob|pirate|pirates|stole|stolen|steal*|theft|extort*|ransom|illegal tax*|checkpoint*|roadblock*|cattle raid*|bandit*|highway robbers",
    ),
    (
        T::LootingExtortion,
        Lang::Sw,
        "uporaji|uporaj|kupora|wamepora|zimeporwa|imeporwa|kuporwa|wameporwa|walipora|wanapora|waporaji|mporaji|wizi|wameiba|waliiba|wanaiba|kuiba|majambazi|jambazi|kodi haramu|vizuizi|wanyang anyi|maharamia|wanadai pesa|wamedai pesa|kudai pesa|wanakusanya pesa|kuchukua pesa|wanachukua pesa|wamechukua pesa|kulipa kodi|wamechukua ng ombe|walichukua ng ombe|wameiba ng ombe|wizi wa mifugo",
    ),
    // A8 displacement
    (
        T::Displacement,
        Lang::Fr,
        "deplaces|deplacees|deplacement massif|deplacement de la population|deplacement des populations|deplacement de population|deplacement des civils|fuient|fuit|fuite|fui|fuyant|fuyard*|exode|refugie*|sinistre*|ont quitte le village|ont abandonne le village|site de deplaces|idp|idps|menages deplaces",
    ),
    (
        T::Displacement,
        Lang::En,
        "displaced|displacement|fleeing|fled|flee|flees|idp|idps|refugee*|exodus|evacuat*|left their homes",
    ),
    (
        T::Displacement,
        Lang::Sw,
        "wakimbizi|wakimbizi wa ndani|mkimbizi|wamekimbia|walikimbia|wanakimbia|kukimbia|wamehama|walihama|wanahama|kuhama|wamehamia|kambi",
    ),
    // A9 arrest, detention
    (
        T::ArrestDetention,
        Lang::Fr,
        "arrete|arretes|arretee|arretees|arrestation*|detenu*|detention*|emprison*|prison|cachot|garde a vue|enferme*|ligote*",
    ),
    (
        T::ArrestDetention,
        Lang::En,
        "arrest*|detain*|detention|jailed|imprisoned|prison|locked up",
    ),
    (
        T::ArrestDetention,
        Lang::Sw,
        "wamekamatwa|walikamatwa|wamewakamata|waliwakamata|amewakamata|amekamatwa|alikamatwa|kukamatwa|kamatwa|kukamata|wamekamata|walikamata|wanakamata|anakamata|wanawakamata|mahabusu|jela|gerezani|kizuizini|wamefungwa",
    ),
    // A10 child recruitment
    (
        T::ChildRecruitment,
        Lang::Fr,
        "recrut*|recrout*|enfants soldats|enfant soldat|enfants associes|enrol*|enrole*|devenir soldat*|devenir des soldats|devenir militaire*",
    ),
    (
        T::ChildRecruitment,
        Lang::En,
        "recruit*|child soldier*|conscript*|forced to join",
    ),
    (
        T::ChildRecruitment,
        Lang::Sw,
        "watoto askari|askari watoto|kuajiri watoto|wanaajiri|wameajiri|kuandikisha|wameandikisha|wanaandikisha|kusajili|wanasajili|wamesajili|wanasajiliwa|wamesajiliwa|wanaandikishwa|kuwa askari|kuwa wanajeshi|kuwa wapiganaji|kambi ya mafunzo|mafunzo ya kijeshi",
    ),
    // A11 intercommunal tension
    (
        T::IntercommunalTension,
        Lang::Fr,
        "tension*|intercommunaut*|conflit communautaire|conflits communautaires|conflit foncier|conflits fonciers|conflit*|entre communautes|entre les communautes|ethni*|tribal*|eleveurs|transhumance|bagarre*|rixe*|discours de haine|haine",
    ),
    (
        T::IntercommunalTension,
        Lang::En,
        "tension*|intercommunal|ethnic|tribal|land dispute*|dispute*|herders|cattle keepers|hate speech|conflict*|feud*",
    ),
    (
        T::IntercommunalTension,
        Lang::Sw,
        "mvutano|migogoro|mgogoro|ugomvi|kikabila|ukabila|chuki|wafugaji|mzozo|mizozo|wanatishiana",
    ),
    // A12 explosive ordnance
    (
        T::ExplosiveOrdnance,
        Lang::Fr,
        "mine|mines|mine antipersonnel|engin explosif|engins explosifs|engin non explose|engins non explose*|explos*|bombe|bombes|grenade*|munition*|eei|uxo|roquette*|mortier*|obus non explose*",
    ),
    (
        T::ExplosiveOrdnance,
        Lang::En,
        "landmine*|land mine|explosive*|explosion*|ied|ieds|uxo|bomb|bombs|unexploded|ordnance|mortar*|rocket*",
    ),
    (
        T::ExplosiveOrdnance,
        Lang::Sw,
        "bomu|mabomu|mlipuko|milipuko|kulipuka|imelipuka|ililipuka|vilipuzi|kilipuzi|guruneti|mabomu ya ardhini",
    ),
    // A13 threats, intimidation
    (
        T::ThreatIntimidation,
        Lang::Fr,
        "menac*|menaces de mort|menace de mort|intimid*|lettre de menace|lettres de menace|tract|tracts|ultimatum|harcel*|represaille*|chantage|terroris*",
    ),
    (
        T::ThreatIntimidation,
        Lang::En,
        "threat*|death threat*|intimidat*|harass*|reprisal*|warning letter|blackmail*",
    ),
    (
        T::ThreatIntimidation,
        Lang::Sw,
        "vitisho|vitisho vya kifo|tishio|wametishia|walitishia|wanatishia|kutishia|tishia|kutisha|wanatisha",
    ),
    // A14 other
    (T::Other, Lang::Fr, "autre"),
    (T::Other, Lang::En, "other"),
    (T::Other, Lang::Sw, "nyingine"),
];

/// Names of a type that are read only where the grammar puts the type, right before the
/// severity code ("ALERTE Drodro deplacement S3"): elsewhere they say something else ("se
/// déplacer" is a movement of armed men, not a displacement of people).
pub fn type_name(w: &str) -> Option<ThreatType> {
    match w {
        "deplacement" | "deplacements" => Some(T::Displacement),
        _ => None,
    }
}

/// Names of armed groups and forces, read as armed presence. They are names, the same in
/// every language, so they say nothing of the language a message is written in.
pub const ARMED_GROUPS: &str = "mai mai|maimai|mayi mayi|wazalendo|adf|m23|codeco|nyatura|fdlr|raia mutomboki|twirwaneho|red tabara|lra|anti balaka|antibalaka|seleka|3r|upc|fprc|mpc|cpc|wagner|fardc|spla|splm|ssppf|nas|white army|arrow boys|janjaweed|rsf|mathiang anyoor";

/// When several types are named, the one reported: threats to life first, the broad
/// "armed presence" (often just the context of something worse) and "other" last.
pub const PRIORITY: [ThreatType; 14] = [
    T::Killing,
    T::SexualViolence,
    T::Abduction,
    T::ChildRecruitment,
    T::AttackOnCivilians,
    T::Clashes,
    T::ExplosiveOrdnance,
    T::LootingExtortion,
    T::ArrestDetention,
    T::ThreatIntimidation,
    T::Displacement,
    T::IntercommunalTension,
    T::ArmedPresence,
    T::Other,
];

/// Words meaning "no", "none", "without", which cancel a threat word right after them
/// ("pas de morts", "no one killed", "hakuna vifo").
pub fn is_negator(w: &str) -> bool {
    matches!(
        w,
        "pas"
            | "aucun"
            | "aucune"
            | "sans"
            | "no"
            | "not"
            | "without"
            | "zero"
            | "hakuna"
            | "bila"
            | "none"
            | "never"
            | "jamais"
    )
}

/// Words of fear, risk or rumour ("par peur des attaques", "risque d'affrontement", "on
/// craint une attaque", "wanaogopa"): a threat right after them has not happened.
pub fn is_hedge(w: &str) -> bool {
    matches!(
        w,
        "peur"
            | "crainte"
            | "craint"
            | "craignent"
            | "risque"
            | "risques"
            | "rumeur"
            | "rumeurs"
            | "fear"
            | "fears"
            | "feared"
            | "afraid"
            | "risk"
            | "rumour"
            | "rumours"
            | "rumor"
            | "rumors"
            | "hofu"
            | "wanaogopa"
            | "anaogopa"
            | "tunaogopa"
            | "uvumi"
    )
}

/// Severity words: urgency is an imminent threat to life (4), gravity a serious one (3).
pub fn severity_word(w: &str) -> Option<u8> {
    match w {
        "urgent" | "urgente" | "urgents" | "urgentes" | "urgence" | "urgency" | "emergency"
        | "haraka" | "dharura" | "imminent" | "imminente" | "sos" | "immediatement"
        | "immediately" | "secours" | "tusaidie" | "tusaidieni" => Some(4),
        "grave" | "graves" | "serious" | "severe" | "mbaya" => Some(3),
        _ => None,
    }
}

/// Words saying all is calm, alone or in a phrase.
const CALM: &[&[&str]] = &[
    &["calme"],
    &["tranquille"],
    &["ras"],
    &["rien", "a", "signaler"],
    &["sains", "et", "saufs"],
    &["calm"],
    &["quiet"],
    &["no", "problem"],
    &["shwari"],
    &["tulivu"],
    &["salama"],
    &["hakuna", "shida"],
];

/// The number of words of a phrase saying all is calm ("RAS", "rien à signaler", "hakuna
/// shida") at the start of `words`, if one is there.
pub fn calm_phrase(words: &[&str]) -> Option<usize> {
    CALM.iter()
        .filter(|p| words.starts_with(p))
        .map(|p| p.len())
        .max()
}

/// Words announcing a severity number ("niveau 4", "level 3", "kiwango 2").
pub fn is_level_word(w: &str) -> bool {
    matches!(
        w,
        "niveau"
            | "level"
            | "kiwango"
            | "sev"
            | "severite"
            | "severity"
            | "gravite"
            | "priorite"
            | "priority"
            | "daraja"
    )
}
