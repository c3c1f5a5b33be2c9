//! The French/English catalogue of the pages. One table, one row per key with both
//! languages side by side, so a missing translation shows in review and in the tests.

use std::collections::HashMap;
use std::sync::LazyLock;

use kinga_domain::deadline::DeadlineKind;
use kinga_domain::outbox::{MessageKind, MessageStatus};
use kinga_domain::people::Role;
use kinga_domain::place::PlaceLevel;
use kinga_domain::registry::{ActorKind, ResponderKind};
use kinga_domain::{AlertState, Channel, Severity};

/// `(key, English, French)`.
#[rustfmt::skip]
const CATALOGUE: &[(&str, &str, &str)] = &[
    // Layout and navigation.
    ("skip_to_content", "Skip to content", "Aller au contenu"),
    ("nav_label", "Main menu", "Menu principal"),
    ("nav_queue", "Alert queue", "File des alertes"),
    ("nav_new", "New alert", "Nouvelle alerte"),
    ("nav_call", "Log a call", "Noter un appel"),
    ("nav_places", "Places", "Lieux"),
    ("nav_responders", "Responders", "Intervenants"),
    ("nav_actors", "Threat actors", "Acteurs de la menace"),
    ("nav_focal_points", "Focal points", "Points focaux"),
    ("nav_outbox", "Outbox", "Messages sortants"),
    ("nav_digest", "Daily digest", "Synthèse quotidienne"),
    ("nav_users", "Users", "Utilisateurs"),
    ("logout", "Sign out", "Se déconnecter"),
    ("language", "Language", "Langue"),
    ("back_to_queue", "Back to the alert queue", "Retour à la file des alertes"),
    // Sign-in.
    ("login_title", "Sign in", "Connexion"),
    ("login_name", "User name", "Nom d'utilisateur"),
    ("login_password", "Password", "Mot de passe"),
    ("login_submit", "Sign in", "Se connecter"),
    ("login_failed", "Wrong user name or password.", "Nom d'utilisateur ou mot de passe incorrect."),
    ("login_blocked", "Too many attempts. Wait {n} seconds and try again.", "Trop de tentatives. Attendez {n} secondes puis réessayez."),
    // Errors.
    ("err_forbidden", "Not allowed", "Action non autorisée"),
    ("err_forbidden_detail", "Your role does not allow this.", "Votre rôle ne permet pas cette action."),
    ("err_not_found", "Not found", "Introuvable"),
    ("err_invalid", "Request refused", "Demande refusée"),
    ("err_conflict", "Changed by someone else", "Modifié par quelqu'un d'autre"),
    ("err_too_many", "Too many attempts", "Trop de tentatives"),
    ("err_unavailable", "Service unavailable", "Service indisponible"),
    ("err_retry", "Kinga could not answer. Wait a moment and try again.", "Kinga n'a pas pu répondre. Patientez un instant puis réessayez."),
    ("err_csrf", "This form has expired or did not come from Kinga. Reload the page and try again.", "Ce formulaire a expiré ou ne vient pas de Kinga. Rechargez la page et réessayez."),
    ("err_missing", "“{f}” is required.", "« {f} » est obligatoire."),
    ("err_transition", "An alert that is “{from}” cannot become “{to}”. Reload the page to see what is possible now.", "Une alerte « {from} » ne peut pas passer à « {to} ». Rechargez la page pour voir ce qui est possible."),
    ("err_bad_threat", "Unknown threat type.", "Type de menace inconnu."),
    ("err_bad_severity", "Severity must be between 1 and 4.", "La gravité doit être entre 1 et 4."),
    ("err_bad_time", "The time is not in the form year-month-day hour:minute.", "L'heure n'est pas au format année-mois-jour heure:minute."),
    ("err_bad_kind", "Unknown kind.", "Type inconnu."),
    ("err_bad_hours", "Hours must be written HH:MM (00:00 to 23:59).", "Les heures s'écrivent HH:MM (00:00 à 23:59)."),
    ("err_unknown_place", "Unknown place “{p}”.", "Lieu inconnu « {p} »."),
    ("err_form_reused", "This form was already sent with other words. Check the queue first: sending it again creates a new alert.", "Ce formulaire a déjà été envoyé avec d'autres mots. Vérifiez d'abord la file : le renvoyer crée une nouvelle alerte."),
    ("did_you_mean", "Did you mean:", "Vouliez-vous dire :"),
    ("err_disable_self", "You cannot disable your own account.", "Vous ne pouvez pas désactiver votre propre compte."),
    // Notices after a redirect.
    ("notice_saved", "Saved.", "Enregistré."),
    ("notice_registered", "Focal point registered.", "Point focal enregistré."),
    ("notice_user_added", "User added.", "Utilisateur ajouté."),
    ("notice_user_disabled", "User disabled: their sessions and API tokens have ended.", "Utilisateur désactivé : ses sessions et ses jetons d'API ont pris fin."),
    ("notice_user_enabled", "User enabled: they can sign in again (old sessions and tokens stay ended).", "Utilisateur réactivé : il peut se reconnecter (les anciennes sessions et les anciens jetons restent clos)."),
    ("notice_password_reset", "Password changed; the user's other sessions have ended.", "Mot de passe modifié ; les autres sessions de l'utilisateur ont pris fin."),
    ("notice_digest_issued", "Digest issued and queued to coordinators.", "Synthèse émise et envoyée aux coordinateurs."),
    // Queue.
    ("queue_title", "Alert queue", "File des alertes"),
    ("queue_caption", "Alerts, most severe and most urgent first", "Alertes, les plus graves et les plus urgentes d'abord"),
    ("alerts_count", "alerts", "alertes"),
    ("uncovered", "UNCOVERED", "NON COUVERTE"),
    ("uncovered_help", "No responder covers this place and threat type.", "Aucun intervenant ne couvre ce lieu et ce type de menace."),
    ("f_place", "P-code starts with", "P-code commençant par"),
    ("f_area", "Province or territory", "Province ou territoire"),
    ("f_threat", "Threat", "Menace"),
    ("f_state", "State", "État"),
    ("f_uncovered", "Uncovered only", "Non couvertes seulement"),
    ("f_overdue", "Overdue only", "En retard seulement"),
    ("filter", "Filter", "Filtrer"),
    ("reset", "Reset", "Effacer"),
    ("all", "All", "Toutes"),
    ("state_open", "Open (to handle)", "Ouvertes (à traiter)"),
    ("col_ref", "Ref.", "Réf."),
    ("col_sev", "Severity", "Gravité"),
    ("col_threat", "Threat type", "Type de menace"),
    ("col_place", "Place", "Lieu"),
    ("col_state", "State", "État"),
    ("col_deadline", "Deadline", "Échéance"),
    ("col_flags", "Flags", "Signaux"),
    ("place_to_confirm", "place to confirm", "lieu à confirmer"),
    ("overdue", "OVERDUE", "EN RETARD"),
    ("escalated", "escalated", "escaladée"),
    ("dup_short", "possible duplicate(s)", "doublon(s) possible(s)"),
    ("no_alerts", "No alert matches.", "Aucune alerte ne correspond."),
    ("pages", "Pages", "Pages"),
    ("page", "Page", "Page"),
    ("prev", "Previous", "Précédente"),
    ("next", "Next", "Suivante"),
    ("queue_live_hint", "With JavaScript on, this list refreshes every 15 seconds. Shown at", "Avec JavaScript, cette liste se met à jour toutes les 15 secondes. Affichée à"),
    ("rel_in", "in", "dans"),
    ("rel_late", "late", "de retard"),
    ("threat_unknown", "Threat not known yet", "Menace pas encore connue"),
    // New alert.
    ("new_title", "New alert", "Nouvelle alerte"),
    ("new_call_title", "Log a phone call", "Noter un appel téléphonique"),
    ("channel", "Channel", "Canal"),
    ("field_text", "What was reported", "Ce qui a été signalé"),
    ("field_place_name", "Place, as said", "Lieu, tel que dit"),
    ("place_hint", "Village, locality, site or territory, in any spelling. Kinga proposes matching places to confirm.", "Village, localité, site ou territoire, quelle que soit l'orthographe. Kinga propose les lieux correspondants à confirmer."),
    ("severity_from_threat", "From the threat type", "Selon le type de menace"),
    ("field_reporter_phone", "Reporter's phone number", "Numéro de la personne qui signale"),
    ("phone_hint", "Optional. Stored encrypted; used only to send the reporter the outcome.", "Facultatif. Conservé chiffré ; sert seulement à informer la personne du résultat."),
    ("field_reported_at", "When it happened or was reported", "Quand c'est arrivé ou a été signalé"),
    ("time_hint", "Your device's time (UTC if JavaScript is off). Empty means now.", "Heure de votre appareil (UTC sans JavaScript). Vide : maintenant."),
    ("create_alert", "Create the alert", "Créer l'alerte"),
    // Alert page.
    ("as_said", "as said:", "tel que dit :"),
    ("reporter", "Reporter", "Source"),
    ("reporter_hidden", "Not shown to your role", "Non affiché pour votre rôle"),
    ("reporter_unknown", "unknown number", "numéro inconnu"),
    ("reporter_none", "no number given", "aucun numéro"),
    ("reported_at", "Reported", "Signalée"),
    ("received_at", "Received", "Reçue"),
    ("assigned_to", "Assigned to", "Assignée à"),
    ("merged_into", "Merged into", "Fusionnée dans"),
    ("absorbed", "Duplicates merged into it", "Doublons fusionnés"),
    ("actions", "Actions", "Actions"),
    ("act_acknowledge", "Acknowledge", "Accuser réception"),
    ("act_verify", "Mark verified", "Marquer vérifiée"),
    ("act_unverifiable", "Unverifiable", "Invérifiable"),
    ("act_false_alarm", "False alarm", "Fausse alerte"),
    ("act_assign", "Assign", "Assigner"),
    ("act_responding", "Responder is acting", "L'intervenant agit"),
    ("act_close", "Close and tell the reporter", "Clôturer et informer la source"),
    ("act_merge", "Merge as duplicate", "Fusionner comme doublon"),
    ("field_reason", "Reason", "Motif"),
    ("field_outcome", "Outcome", "Résultat"),
    ("outcome_hint", "Plain words: this is sent to the reporter.", "En mots simples : ce texte est envoyé à la source."),
    ("field_responders", "Responders", "Intervenants"),
    ("field_merged_into", "Alert to merge into", "Alerte où fusionner"),
    ("field_name", "Name", "Nom"),
    ("assign_legend", "Responders proposed for this place and threat", "Intervenants proposés pour ce lieu et cette menace"),
    ("no_proposed", "No responder covers this alert.", "Aucun intervenant ne couvre cette alerte."),
    ("other_responders", "Other responders", "Autres intervenants"),
    ("confirm_place", "Place", "Lieu"),
    ("place_candidates", "Possible places", "Lieux possibles"),
    ("confirm_place_btn", "Confirm this place", "Confirmer ce lieu"),
    ("no_place_found", "No place found for this name.", "Aucun lieu trouvé pour ce nom."),
    ("search_place", "Look up a place name", "Chercher un nom de lieu"),
    ("search", "Search", "Chercher"),
    ("correct_title", "Correct threat type or severity", "Corriger le type de menace ou la gravité"),
    ("save_correction", "Save correction", "Enregistrer la correction"),
    ("deadlines", "Deadlines", "Échéances"),
    ("deadline", "Deadline", "Échéance"),
    ("due_at", "Due", "Pour le"),
    ("duplicates", "Possible duplicates", "Doublons possibles"),
    ("merge_summary", "Merge as a duplicate of another alert", "Fusionner comme doublon d'une autre alerte"),
    ("merge_legend", "The alert this one repeats", "L'alerte que celle-ci répète"),
    ("merge_other", "or type a reference", "ou saisir une référence"),
    ("merge_reference", "Its reference", "Sa référence"),
    ("timeline", "History", "Historique"),
    ("when", "When", "Quand"),
    ("who", "Who", "Qui"),
    ("what", "What", "Quoi"),
    ("why", "Why", "Pourquoi"),
    ("messages", "Messages about this alert", "Messages sur cette alerte"),
    ("msg_kind", "Kind", "Type"),
    ("msg_to", "To", "Destinataire"),
    ("msg_status", "Status", "Statut"),
    ("msg_body", "Message", "Message"),
    ("no_messages", "No message.", "Aucun message."),
    ("to_reporter", "Reporter", "Source"),
    ("alert", "Alert", "Alerte"),
    ("ev_received", "Received", "Reçue"),
    ("ev_triaged", "Corrected", "Corrigée"),
    ("ev_escalated", "Deadline missed, coordinators told", "Échéance dépassée, coordinateurs avertis"),
    ("ev_feedback_queued", "Message to the reporter queued", "Message à la source mis en file"),
    ("ev_message_attached", "New message from the reporter", "Nouveau message de la source"),
    ("ev_reporter_linked", "Reporter linked to focal point", "Source reliée au point focal"),
    ("ask_reporter", "Ask the reporter (SMS; the answer is attached here)", "Poser une question à la source (SMS ; la réponse s'attache ici)"),
    ("act_ask", "Send the question", "Envoyer la question"),
    ("ev_duplicate_absorbed", "Duplicate merged into this alert", "Doublon fusionné dans cette alerte"),
    // Registries.
    ("settlements", "settlements", "localités"),
    ("place_search_hint", "Any spelling, with or without accents.", "Toute orthographe, avec ou sans accents."),
    ("place_context", "Where", "Où"),
    ("place_level", "Level", "Niveau"),
    ("score", "Match", "Correspondance"),
    ("provinces_territories", "Provinces and territories", "Provinces et territoires"),
    ("kind", "Kind", "Type"),
    ("coverage_places", "Places covered", "Lieux couverts"),
    ("coverage_threats", "Threats covered", "Menaces couvertes"),
    ("all_threats", "all", "toutes"),
    ("hours", "Hours", "Heures"),
    ("all_day", "24 h", "24 h"),
    ("consent", "Community consent", "Consentement communautaire"),
    ("consent_label", "Communities consent to alerts being passed to this responder", "Les communautés acceptent que les alertes soient transmises à cet intervenant"),
    ("active", "Active", "Actif"),
    ("yes", "yes", "oui"),
    ("no", "no", "non"),
    ("edit", "Edit", "Modifier"),
    ("no_responders", "No responder registered: every alert is uncovered.", "Aucun intervenant enregistré : toutes les alertes sont non couvertes."),
    ("add_responder", "Add a responder", "Ajouter un intervenant"),
    ("field_id", "Identifier", "Identifiant"),
    ("id_hint", "Leave empty to make one from the name.", "Laisser vide pour le tirer du nom."),
    ("field_places", "Places", "Lieux"),
    ("places_hint", "P-codes or place names, separated by commas; an area covers every place inside it.", "P-codes ou noms de lieux, séparés par des virgules ; une zone couvre tous les lieux qu'elle contient."),
    ("none_means_all", "none ticked means all", "aucune cochée : toutes"),
    ("hours_start", "Cover starts (UTC)", "Début de couverture (UTC)"),
    ("hours_end", "Cover ends (UTC)", "Fin de couverture (UTC)"),
    ("hours_hint", "Both empty: round the clock.", "Les deux vides : 24 h sur 24."),
    ("phone", "Phone", "Téléphone"),
    ("email", "E-mail", "Courriel"),
    ("prefers", "Tell assignments by", "Prévenir des assignations par"),
    ("save", "Save", "Enregistrer"),
    ("required", "required", "obligatoire"),
    ("add_place", "Add a village or site", "Ajouter un village ou un site"),
    ("place_alt_names", "Other names and spellings (separated by ;)", "Autres noms et graphies (séparés par ;)"),
    ("place_parent", "In (territory or province)", "Dans (territoire ou province)"),
    ("place_lat", "Latitude", "Latitude"),
    ("place_lon", "Longitude", "Longitude"),
    ("place_parent_unknown", "Choose the territory or province the place lies in", "Choisissez le territoire ou la province où se trouve le lieu"),
    ("place_bad_coordinates", "Coordinates are decimal degrees: latitude within ±90, longitude within ±180", "Les coordonnées sont en degrés décimaux : latitude entre ±90, longitude entre ±180"),
    ("aliases", "Aliases", "Autres noms"),
    ("areas", "Areas of operation", "Zones d'opération"),
    ("notes", "Notes", "Notes"),
    ("none_yet", "None yet.", "Aucun pour l'instant."),
    ("add_actor", "Add a threat actor", "Ajouter un acteur de la menace"),
    ("list_hint", "Separated by commas.", "Séparés par des virgules."),
    ("fp_privacy", "Focal points are at risk of reprisals: lists show pseudonyms only.", "Les points focaux sont exposés aux représailles : les listes n'affichent que des pseudonymes."),
    ("pseudonym", "Pseudonym", "Pseudonyme"),
    ("pseudonym_hint", "Leave empty to make one from the place.", "Laisser vide pour le tirer du lieu."),
    ("identity", "Identity", "Identité"),
    ("reveal", "Show identity", "Voir l'identité"),
    ("reveal_reason", "Why (kept in the audit trail)", "Pourquoi (gardé dans le journal d'audit)"),
    ("reveal_warning", "Every identity shown is recorded in the audit log with your name.", "Chaque identité affichée est inscrite au journal d'audit avec votre nom."),
    ("audit_note", "This reading was recorded in the audit log with your name and the time.", "Cette consultation a été inscrite au journal d'audit avec votre nom et l'heure."),
    ("register_fp", "Register a focal point", "Enregistrer un point focal"),
    ("full_name", "Full name", "Nom complet"),
    ("place_code_hint", "P-code or place name.", "P-code ou nom du lieu."),
    ("register", "Register", "Enregistrer"),
    ("audit_log", "Audit log", "Journal d'audit"),
    ("record", "Record", "Fiche"),
    ("from_where", "From", "Depuis"),
    // Users.
    ("display_name", "Name shown", "Nom affiché"),
    ("role", "Role", "Rôle"),
    ("status", "Status", "Statut"),
    ("disabled", "disabled", "désactivé"),
    ("disable", "Disable", "Désactiver"),
    ("enable", "Enable", "Réactiver"),
    ("new_password", "New password", "Nouveau mot de passe"),
    ("reset_password", "Set password", "Changer le mot de passe"),
    ("add_user", "Add a user", "Ajouter un utilisateur"),
    ("user_name_hint", "Letters, digits, dot, dash, underscore.", "Lettres, chiffres, point, tiret, tiret bas."),
    ("initial_password", "Initial password", "Mot de passe initial"),
    ("password_hint", "At least this many characters:", "Nombre minimal de caractères :"),
    // Digest.
    ("issue_digest", "Issue yesterday's digest now", "Émettre la synthèse d'hier maintenant"),
    ("no_digests", "No digest issued yet.", "Aucune synthèse émise pour l'instant."),
    ("dg_received", "Alerts received", "Alertes reçues"),
    ("dg_acknowledged", "Acknowledged", "Accusés de réception"),
    ("dg_acknowledged_in_time", "Acknowledged in time", "Accusés dans les délais"),
    ("dg_median_ack", "Median minutes to acknowledge", "Minutes médianes avant accusé"),
    ("dg_answered", "Answered (responding or closed)", "Traitées (intervention ou clôture)"),
    ("dg_closed", "Closed", "Clôturées"),
    ("dg_overdue", "Overdue", "En retard"),
    ("dg_escalated", "Escalated", "Escaladées"),
    ("dg_unknown_threat", "Threat not known", "Menace inconnue"),
    ("dg_uncovered_open", "Open and uncovered", "Ouvertes et non couvertes"),
    ("dg_by_threat", "By threat type", "Par type de menace"),
    ("dg_by_state", "By state", "Par état"),
    // Alert states.
    ("state_received", "Received", "Reçue"),
    ("state_acknowledged", "Acknowledged", "Accusée"),
    ("state_verified", "Verified", "Vérifiée"),
    ("state_unverifiable", "Unverifiable", "Invérifiable"),
    ("state_false_alarm", "False alarm", "Fausse alerte"),
    ("state_assigned", "Assigned", "Assignée"),
    ("state_responding", "Responding", "Intervention en cours"),
    ("state_closed", "Closed", "Clôturée"),
    ("state_merged", "Merged", "Fusionnée"),
    // Deadlines.
    ("dl_acknowledge", "Acknowledge", "Accuser réception"),
    ("dl_verify", "Verify", "Vérifier"),
    ("dl_respond", "Respond", "Intervenir"),
    // Channels.
    ("ch_sms", "SMS", "SMS"),
    ("ch_call", "Phone call", "Appel téléphonique"),
    ("ch_web", "Web form", "Formulaire web"),
    ("ch_api", "API", "API"),
    ("ch_form", "Survey form", "Formulaire d'enquête"),
    // Severities.
    ("sev_1", "low", "faible"),
    ("sev_2", "medium", "moyenne"),
    ("sev_3", "high", "élevée"),
    ("sev_4", "imminent threat to life", "menace imminente pour la vie"),
    // Roles.
    ("role_administrator", "administrator", "administrateur"),
    ("role_coordinator", "coordinator", "coordinateur"),
    ("role_triage_officer", "community liaison assistant", "assistant de liaison communautaire"),
    ("role_monitor", "protection monitor", "moniteur de protection"),
    ("role_analyst", "analyst", "analyste"),
    ("role_responder", "responder", "intervenant"),
    ("role_viewer", "viewer", "lecteur"),
    // Responder kinds.
    ("rk_mission_military", "Mission military", "Militaires de la mission"),
    ("rk_mission_police", "Mission police", "Police de la mission"),
    ("rk_community_liaison", "Community liaison", "Liaison communautaire"),
    ("rk_state_police", "National police", "Police nationale"),
    ("rk_civil_protection", "Civil protection", "Protection civile"),
    ("rk_un_agency", "UN agency", "Agence des Nations unies"),
    ("rk_ngo", "NGO", "ONG"),
    ("rk_local_protection_committee", "Local protection committee", "Comité local de protection"),
    ("rk_community_network", "Community protection network", "Réseau communautaire de protection"),
    // Actor kinds.
    ("ak_state_forces", "State forces", "Forces de l'État"),
    ("ak_non_state_armed_group", "Non-state armed group", "Groupe armé non étatique"),
    ("ak_militia", "Militia or self-defence group", "Milice ou groupe d'autodéfense"),
    ("ak_parallel_forces", "Parallel or bilateral forces", "Forces parallèles ou bilatérales"),
    ("ak_private_security", "Private military or security company", "Société militaire ou de sécurité privée"),
    ("ak_criminal_group", "Criminal group", "Groupe criminel"),
    // Outbox.
    ("mk_acknowledgement", "Acknowledgement", "Accusé de réception"),
    ("mk_feedback", "Feedback to reporter", "Retour à la source"),
    ("mk_question", "Question", "Question"),
    ("mk_assignment", "Assignment", "Assignation"),
    ("mk_escalation", "Escalation", "Escalade"),
    ("mk_digest", "Digest", "Synthèse"),
    ("ms_queued", "queued", "en file"),
    ("ms_sent", "sent", "envoyé"),
    ("ms_delivered", "delivered", "remis"),
    ("ms_failed", "failed", "échec"),
    // Place levels.
    ("lvl_country", "country", "pays"),
    ("lvl_admin1", "province", "province"),
    ("lvl_admin2", "territory", "territoire"),
    ("lvl_admin3", "chiefdom or sector", "chefferie ou secteur"),
    ("lvl_settlement", "settlement", "localité"),
];

static INDEX: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> = LazyLock::new(|| {
    CATALOGUE
        .iter()
        .map(|(k, en, fr)| (*k, (*en, *fr)))
        .collect()
});

/// The string for `key` in `lang` (`fr`, else English); the key itself when unknown, so a
/// gap shows on the page instead of failing it (the tests make sure there is none).
pub fn tr<'a>(lang: &str, key: &'a str) -> &'a str {
    match INDEX.get(key) {
        Some((en, fr)) => {
            if lang == "fr" {
                fr
            } else {
                en
            }
        }
        None => key,
    }
}

/// Whether the catalogue has `key`.
pub fn has(key: &str) -> bool {
    INDEX.contains_key(key)
}

/// Key of an alert state.
pub fn state_key(s: AlertState) -> &'static str {
    match s {
        AlertState::Received => "state_received",
        AlertState::Acknowledged => "state_acknowledged",
        AlertState::Verified => "state_verified",
        AlertState::Unverifiable => "state_unverifiable",
        AlertState::FalseAlarm => "state_false_alarm",
        AlertState::Assigned => "state_assigned",
        AlertState::Responding => "state_responding",
        AlertState::Closed => "state_closed",
        AlertState::Merged => "state_merged",
    }
}

/// Key of a deadline.
pub fn deadline_key(k: DeadlineKind) -> &'static str {
    match k {
        DeadlineKind::Acknowledge => "dl_acknowledge",
        DeadlineKind::Verify => "dl_verify",
        DeadlineKind::Respond => "dl_respond",
    }
}

/// Key of a channel.
pub fn channel_key(c: Channel) -> &'static str {
    match c {
        Channel::Sms => "ch_sms",
        Channel::Call => "ch_call",
        Channel::Web => "ch_web",
        Channel::Api => "ch_api",
        Channel::Form => "ch_form",
    }
}

/// Key of a severity.
pub fn severity_key(s: Severity) -> &'static str {
    match s.level() {
        1 => "sev_1",
        2 => "sev_2",
        3 => "sev_3",
        _ => "sev_4",
    }
}

/// Key of a role.
pub fn role_key(r: Role) -> &'static str {
    match r {
        Role::Administrator => "role_administrator",
        Role::Coordinator => "role_coordinator",
        Role::TriageOfficer => "role_triage_officer",
        Role::Monitor => "role_monitor",
        Role::Analyst => "role_analyst",
        Role::Responder => "role_responder",
        Role::Viewer => "role_viewer",
    }
}

/// Key of a responder kind (`rk_` + its identifier).
pub fn responder_kind_key(k: ResponderKind) -> &'static str {
    match k {
        ResponderKind::MissionMilitary => "rk_mission_military",
        ResponderKind::MissionPolice => "rk_mission_police",
        ResponderKind::CommunityLiaison => "rk_community_liaison",
        ResponderKind::StatePolice => "rk_state_police",
        ResponderKind::CivilProtection => "rk_civil_protection",
        ResponderKind::UnAgency => "rk_un_agency",
        ResponderKind::Ngo => "rk_ngo",
        ResponderKind::LocalProtectionCommittee => "rk_local_protection_committee",
        ResponderKind::CommunityNetwork => "rk_community_network",
    }
}

/// Key of an actor kind (`ak_` + its identifier).
pub fn actor_kind_key(k: ActorKind) -> &'static str {
    match k {
        ActorKind::StateForces => "ak_state_forces",
        ActorKind::NonStateArmedGroup => "ak_non_state_armed_group",
        ActorKind::Militia => "ak_militia",
        ActorKind::ParallelForces => "ak_parallel_forces",
        ActorKind::PrivateSecurity => "ak_private_security",
        ActorKind::CriminalGroup => "ak_criminal_group",
    }
}

/// Key of a message kind (`mk_` + its identifier).
pub fn message_kind_key(k: MessageKind) -> &'static str {
    match k {
        MessageKind::Acknowledgement => "mk_acknowledgement",
        MessageKind::Feedback => "mk_feedback",
        MessageKind::Question => "mk_question",
        MessageKind::Assignment => "mk_assignment",
        MessageKind::Escalation => "mk_escalation",
        MessageKind::Digest => "mk_digest",
    }
}

/// Key of a message status (`ms_` + its identifier).
pub fn message_status_key(s: MessageStatus) -> &'static str {
    match s {
        MessageStatus::Queued => "ms_queued",
        MessageStatus::Sent => "ms_sent",
        MessageStatus::Delivered => "ms_delivered",
        MessageStatus::Failed => "ms_failed",
    }
}

/// Key of a place level.
pub fn level_key(l: PlaceLevel) -> &'static str {
    match l {
        PlaceLevel::Country => "lvl_country",
        PlaceLevel::Admin1 => "lvl_admin1",
        PlaceLevel::Admin2 => "lvl_admin2",
        PlaceLevel::Admin3 => "lvl_admin3",
        PlaceLevel::Settlement => "lvl_settlement",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    use crate::ui::registry::{ACTOR_KINDS, RESPONDER_KINDS};

    /// Every source that asks the catalogue for strings.
    const SOURCES: &[&str] = &[
        include_str!("mod.rs"),
        include_str!("login.rs"),
        include_str!("alerts.rs"),
        include_str!("alert.rs"),
        include_str!("registry.rs"),
        include_str!("admin.rs"),
    ];

    /// Literal keys after each `marker` in `src`, up to the closing quote, with `prefix`
    /// put back when the marker ends inside the key.
    fn keys_after(src: &str, marker: &str, prefix: &str, out: &mut HashSet<String>) {
        let mut rest = src;
        while let Some(i) = rest.find(marker) {
            rest = &rest[i + marker.len()..];
            if let Some(end) = rest.find(['"', '\'', '&']) {
                let key = &rest[..end];
                if !key.is_empty()
                    && key
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                {
                    out.insert(format!("{prefix}{key}"));
                }
            }
        }
    }

    #[test]
    fn every_key_has_both_languages_and_is_unique() {
        let mut seen = HashSet::new();
        for (k, en, fr) in CATALOGUE {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(!en.trim().is_empty(), "{k} has no English");
            assert!(!fr.trim().is_empty(), "{k} has no French");
            assert_eq!(
                en.matches('{').count(),
                fr.matches('{').count(),
                "{k}: placeholders differ"
            );
        }
    }

    #[test]
    fn every_key_used_by_templates_and_code_exists() {
        let mut used = HashSet::new();
        for (_, src) in crate::ui::TEMPLATES {
            keys_after(src, "t(\"", "", &mut used);
            keys_after(src, "t('", "", &mut used);
        }
        for src in SOURCES {
            for m in [
                "tr(lang, \"",
                "tr(cx.lang, \"",
                "tr(self.lang, \"",
                "cx.t(\"",
                "self.t(\"",
                "notice=",
            ] {
                keys_after(src, m, "", &mut used);
            }
            keys_after(src, "(\"dg_", "dg_", &mut used);
        }
        assert!(used.len() > 150, "the scan found only {} keys", used.len());
        let missing: Vec<_> = used.iter().filter(|k| !has(k.as_str())).collect();
        assert!(
            missing.is_empty(),
            "keys missing from the catalogue: {missing:?}"
        );
    }

    #[test]
    fn every_domain_value_has_a_label() {
        let mut keys: Vec<&str> = vec![];
        keys.extend(AlertState::ALL.iter().map(|s| state_key(*s)));
        keys.extend(Role::ALL.iter().map(|r| role_key(*r)));
        keys.extend(RESPONDER_KINDS.iter().map(|k| responder_kind_key(*k)));
        keys.extend(ACTOR_KINDS.iter().map(|k| actor_kind_key(*k)));
        keys.extend(
            [
                DeadlineKind::Acknowledge,
                DeadlineKind::Verify,
                DeadlineKind::Respond,
            ]
            .map(deadline_key),
        );
        keys.extend(
            [
                Channel::Sms,
                Channel::Call,
                Channel::Web,
                Channel::Api,
                Channel::Form,
            ]
            .map(channel_key),
        );
        keys.extend(
            (1..=4)
                .filter_map(|s| Severity::new(s).ok())
                .map(severity_key),
        );
        keys.extend(
            [
                MessageKind::Acknowledgement,
                MessageKind::Feedback,
                MessageKind::Question,
                MessageKind::Assignment,
                MessageKind::Escalation,
                MessageKind::Digest,
            ]
            .map(message_kind_key),
        );
        keys.extend(
            [
                MessageStatus::Queued,
                MessageStatus::Sent,
                MessageStatus::Delivered,
                MessageStatus::Failed,
            ]
            .map(message_status_key),
        );
        keys.extend(
            [
                PlaceLevel::Country,
                PlaceLevel::Admin1,
                PlaceLevel::Admin2,
                PlaceLevel::Admin3,
                PlaceLevel::Settlement,
            ]
            .map(level_key),
        );
        for k in keys {
            assert!(has(k), "no label for {k}");
        }
        // Identifiers in forms are derived from keys; they must match the serde names.
        for k in RESPONDER_KINDS {
            assert_eq!(
                serde_json::to_value(k)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .as_deref(),
                Some(responder_kind_key(k).trim_start_matches("rk_"))
            );
        }
        for k in ACTOR_KINDS {
            assert_eq!(
                serde_json::to_value(k)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .as_deref(),
                Some(actor_kind_key(k).trim_start_matches("ak_"))
            );
        }
    }

    #[test]
    fn strings_follow_the_language() {
        assert_eq!(tr("fr", "uncovered"), "NON COUVERTE");
        assert_eq!(tr("en", "uncovered"), "UNCOVERED");
        assert_eq!(tr("sw", "uncovered"), "UNCOVERED");
        assert_eq!(tr("fr", "no_such_key"), "no_such_key");
    }
}
