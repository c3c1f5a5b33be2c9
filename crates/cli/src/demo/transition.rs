//! The demo's transition: the mission withdrawing base by base over 2026–2027 (as written;
//! `calendar` moves it with the date the demo is loaded) from South Kivu
//! (Bukavu already closed), North Kivu and Ituri; successors named for some capacities, late
//! milestones for others, and none at all for the rest, so that the cliff of a date after the
//! last closure shows real gaps.

use kinga_app::{App, Caller};
use kinga_domain::transition::{
    Capacity, ClosureInput, MilestoneInput, MilestoneKind, MilestoneStatus, PlanInput,
    WithdrawalInput,
};

use super::calendar::Calendar;
use Capacity::*;
use MilestoneKind::*;
use MilestoneStatus::*;

/// A base closure: (base, where it stands, first day without it, areas served, capacities).
type Closure = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [Capacity],
);

const CLOSURES: &[Closure] = &[
    (
        "Bukavu",
        "CD6201",
        "2026-06-30",
        &["CD62"],
        &[
            PhysicalProtection,
            EarlyWarning,
            CommunityEngagement,
            Ddr,
            SecurityLogistics,
        ],
    ),
    (
        "Goma",
        "CD6101",
        "2027-03-31",
        &["CD6101", "CD6102", "CD6103", "CD6104", "CD6111"],
        &[
            PhysicalProtection,
            EarlyWarning,
            CommunityEngagement,
            HumanRights,
            MineAction,
            SecurityLogistics,
        ],
    ),
    (
        "Beni",
        "CD6109",
        "2027-06-30",
        &["CD6109", "CD6107", "CD6105", "CD6110"],
        &[
            PhysicalProtection,
            EarlyWarning,
            CommunityEngagement,
            Ddr,
            SecurityLogistics,
        ],
    ),
    (
        "Bunia",
        "CD5401",
        "2027-09-30",
        &["CD54"],
        &[
            PhysicalProtection,
            EarlyWarning,
            CommunityEngagement,
            HumanRights,
            Ddr,
            RuleOfLaw,
            MineAction,
            SecurityLogistics,
        ],
    ),
    (
        "Goma (quartier général)",
        "CD6101",
        "2027-12-31",
        &["CD61", "CD62", "CD54"],
        &[PoliticalEngagement, ProtectionStrategy],
    ),
];

/// A milestone: (kind, label, owner, due, status).
type Step = (
    MilestoneKind,
    &'static str,
    &'static str,
    &'static str,
    MilestoneStatus,
);

/// Capacity plans: (place, capacity, providers, successors, handover, milestones).
type Plan = (
    &'static str,
    Capacity,
    &'static [&'static str],
    &'static [&'static str],
    Option<&'static str>,
    &'static [Step],
);

const PLANS: &[Plan] = &[
    // South Kivu: early warning handed over, but the training is late and the data still due.
    (
        "CD62",
        EarlyWarning,
        &["MONUSCO — assistants de liaison communautaire (Bukavu)"],
        &[
            // A registered responder: from the handover, South Kivu's alerts go to it.
            "Protection civile Sud-Kivu",
            // Not registered yet: the routing page flags it for the planners.
            "Réseau des comités locaux de protection",
        ],
        Some("2026-06-30"),
        &[
            (
                AlertNumbersMoved,
                "",
                "Protection civile Sud-Kivu",
                "2026-06-15",
                Done,
            ),
            (
                StaffHired,
                "",
                "Protection civile Sud-Kivu",
                "2026-06-30",
                Done,
            ),
            (
                TrainingDone,
                "",
                "HCR — cluster protection",
                "2026-09-30",
                InProgress,
            ),
            (
                DataHandedOver,
                "",
                "MONUSCO — section des affaires civiles",
                "2026-12-31",
                Pending,
            ),
        ],
    ),
    // Uvira overrides the province: the army and police took physical protection over.
    (
        "CD6208",
        PhysicalProtection,
        &["MONUSCO — bataillon (base de Bukavu)"],
        &["FARDC — 33e région militaire", "PNC Uvira"],
        Some("2026-06-30"),
        &[
            (
                EquipmentTransferred,
                "",
                "MONUSCO — section de l'appui",
                "2026-06-15",
                Done,
            ),
            (
                TrainingDone,
                "Formation en protection des civils",
                "FARDC — 33e région militaire",
                "2026-06-25",
                Done,
            ),
        ],
    ),
    // Human rights stay: the joint office is not part of the withdrawal.
    (
        "CD62",
        HumanRights,
        &["BCNUDH — bureau de Bukavu"],
        &[],
        None,
        &[],
    ),
    // North Kivu: early warning to be handed over the day Goma closes, milestones ahead.
    (
        "CD61",
        EarlyWarning,
        &["MONUSCO — assistants de liaison communautaire (Goma, Beni)"],
        &["HCR — cluster protection", "Protection civile Nord-Kivu"],
        Some("2027-04-01"),
        &[
            (
                StaffHired,
                "",
                "Protection civile Nord-Kivu",
                "2027-01-31",
                Pending,
            ),
            (
                EquipmentTransferred,
                "Téléphones et radios HF",
                "MONUSCO — section de l'appui",
                "2027-02-28",
                Pending,
            ),
            (
                TrainingDone,
                "",
                "HCR — cluster protection",
                "2027-03-01",
                Pending,
            ),
            (
                AlertNumbersMoved,
                "",
                "Protection civile Nord-Kivu",
                "2027-03-15",
                Pending,
            ),
            (
                DataHandedOver,
                "",
                "MONUSCO — section des affaires civiles",
                "2027-03-31",
                Pending,
            ),
        ],
    ),
    // Rutshuru: the successor comes two months after the Goma base closes.
    (
        "CD6111",
        CommunityEngagement,
        &["MONUSCO — assistants de liaison communautaire (Rutshuru)"],
        &["Conseil norvégien pour les réfugiés"],
        Some("2027-06-01"),
        &[(
            StaffHired,
            "",
            "Conseil norvégien pour les réfugiés",
            "2027-05-01",
            Pending,
        )],
    ),
    // Ituri: a successor is named for early warning, but nobody has set a date.
    (
        "CD54",
        EarlyWarning,
        &["MONUSCO — assistants de liaison communautaire (Bunia)"],
        &["Réseau provincial d'alerte précoce de l'Ituri"],
        None,
        &[],
    ),
    (
        "CD54",
        MineAction,
        &["UNMAS"],
        &["Centre congolais de lutte antimines (CCLAM)"],
        Some("2027-10-01"),
        &[
            (StaffHired, "", "CCLAM", "2026-10-31", Done),
            (
                TrainingDone,
                "Déminage humanitaire, niveau 2",
                "UNMAS",
                "2026-11-15",
                Blocked,
            ),
            (EquipmentTransferred, "", "UNMAS", "2027-08-31", Pending),
        ],
    ),
];

/// Load the withdrawal plan and the capacity plans; returns (closures, plans).
pub async fn load(app: &App) -> anyhow::Result<(usize, usize)> {
    let system = Caller::acting("coord", kinga_domain::people::Role::Coordinator);
    let cal = Calendar::of(app.local_today());
    let w = app
        .save_withdrawal(
            &system,
            WithdrawalInput {
                id: None,
                mission: "MONUSCO".into(),
                note:
                    "Désengagement progressif, base par base (résolution du Conseil de sécurité)."
                        .into(),
                version: None,
            },
        )
        .await?;
    for (base, place, on, areas, caps) in CLOSURES {
        app.save_closure(
            &system,
            &w.id,
            ClosureInput {
                id: None,
                base: (*base).into(),
                place: Some((*place).into()),
                closes_on: cal.day(on)?,
                places: areas.iter().map(|s| s.to_string()).collect(),
                capacities: caps.to_vec(),
            },
        )
        .await?;
    }
    for (place, capacity, providers, successors, handover, steps) in PLANS {
        let milestones = steps
            .iter()
            .map(|(kind, label, owner, due, status)| {
                Ok(MilestoneInput {
                    id: None,
                    kind: *kind,
                    label: (*label).into(),
                    owner: (*owner).into(),
                    due_on: cal.day(due)?,
                    status: *status,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        app.save_capacity_plan(
            &system,
            PlanInput {
                place: (*place).into(),
                capacity: *capacity,
                providers: providers.iter().map(|s| s.to_string()).collect(),
                successors: successors.iter().map(|s| s.to_string()).collect(),
                handover_on: handover.map(|h| cal.day(h)).transpose()?,
                milestones: Some(milestones),
                note: String::new(),
                version: None,
            },
        )
        .await?;
    }
    Ok((CLOSURES.len(), PLANS.len()))
}
