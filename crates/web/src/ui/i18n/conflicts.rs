//! The catalogue's table for records saved on two instances while cut off.

/// `(key, English, French)`.
#[rustfmt::skip]
pub(super) const CATALOGUE: &[(&str, &str, &str)] = &[
    ("cf_title", "Records saved on two instances", "Fiches enregistrées sur deux instances"),
    ("cf_link", "Records saved on two instances while cut off", "Fiches enregistrées sur deux instances coupées l'une de l'autre"),
    ("cf_hint", "These records were changed on two Kinga instances that could not reach each other. Every instance shows the same version in force; the other one is kept here, field by field. To merge them, open the record and save it with what both should keep.", "Ces fiches ont été modifiées sur deux instances de Kinga qui ne pouvaient pas se joindre. Toutes les instances montrent la même version en vigueur ; l'autre est gardée ici, champ par champ. Pour les réunir, ouvrez la fiche et enregistrez-la avec ce que les deux doivent garder."),
    ("cf_met", "Met on", "Rencontre le"),
    ("cf_from", "version from", "version venue de"),
    ("cf_field", "Field", "Champ"),
    ("cf_in_force", "In force", "En vigueur"),
    ("cf_other", "Other version", "Autre version"),
    ("cf_none", "No record was saved on two instances at once.", "Aucune fiche n'a été enregistrée sur deux instances à la fois."),
    ("cf_kind_incident", "Incident", "Incident"),
    ("cf_kind_capacity_plan", "Capacity plan", "Plan de capacité"),
    ("cf_kind_withdrawal_plan", "Withdrawal plan", "Plan de retrait"),
    ("cf_kind_transition_record", "Transition record", "Fiche de transition"),
];
