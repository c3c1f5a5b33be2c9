//! Need-to-know grants of compartments, and what a caller may see because of them.
//!
//! The rule, decided once here: `general` holds no identities and is seen by every role that
//! reads incidents; each sensitive compartment (human_rights, crsv, children) is seen only by
//! users granted it, whatever their role: an administrator holds none by role.

use kinga_domain::compartment::{Compartment, UserGrant};
use kinga_domain::people::Permission;
use kinga_ledger::Payload;
use kinga_store::{Commit, Write};

use crate::{App, AppError, AppResult, Caller};

impl App {
    /// The compartments `caller` may see (none without the permission to read incidents).
    /// Grants are read from the store on every call, so a revocation takes effect at once.
    pub async fn visible_compartments(&self, caller: &Caller) -> AppResult<Vec<Compartment>> {
        if !caller.role.can(Permission::ReadIncidents) || caller.gateway {
            return Ok(Vec::new());
        }
        let mut out = vec![Compartment::General];
        if let Some(user) = self.store.user_by_name(&caller.name).await? {
            if user.disabled {
                return Ok(Vec::new());
            }
            for g in self.store.grants_of(&user.id).await? {
                if !out.contains(&g.compartment) {
                    out.push(g.compartment);
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Whether `caller` may see records of compartment `c`.
    pub(crate) async fn may_see(&self, caller: &Caller, c: Compartment) -> AppResult<bool> {
        Ok(self.visible_compartments(caller).await?.contains(&c))
    }

    /// Grant user `name` the compartment (audited; granting twice changes nothing). A grant
    /// of `general` is recorded but adds nothing: every role that reads incidents sees it.
    pub async fn grant(&self, caller: &Caller, name: &str, c: Compartment) -> AppResult<UserGrant> {
        caller.require(Permission::ManageUsers)?;
        let user = self
            .store
            .user_by_name(name)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("user '{name}'")))?;
        if let Some(g) = self
            .store
            .grants_of(&user.id)
            .await?
            .into_iter()
            .find(|g| g.compartment == c)
        {
            return Ok(g);
        }
        let grant = UserGrant {
            user: user.id.clone(),
            compartment: c,
            granted_by: caller.name.clone(),
            granted_at: self.now(),
        };
        let (audit_event, audit) =
            self.audit_parts(caller, "grant", &format!("user:{name}"), c.as_str());
        self.commit(Commit {
            events: vec![
                self.draft(
                    &caller.name,
                    Payload::GrantSaved {
                        grant: grant.clone(),
                    },
                ),
                audit_event,
            ],
            writes: vec![Write::Grant(grant.clone()), audit],
        })
        .await?;
        Ok(grant)
    }

    /// Take the compartment back from user `name` (audited); true when there was a grant.
    pub async fn revoke_grant(
        &self,
        caller: &Caller,
        name: &str,
        c: Compartment,
    ) -> AppResult<bool> {
        caller.require(Permission::ManageUsers)?;
        let user = self
            .store
            .user_by_name(name)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("user '{name}'")))?;
        let held = self
            .store
            .grants_of(&user.id)
            .await?
            .iter()
            .any(|g| g.compartment == c);
        if !held {
            return Ok(false);
        }
        let (audit_event, audit) =
            self.audit_parts(caller, "revoke_grant", &format!("user:{name}"), c.as_str());
        self.commit(Commit {
            events: vec![
                self.draft(
                    &caller.name,
                    Payload::GrantRevoked {
                        user: user.id.clone(),
                        compartment: c,
                    },
                ),
                audit_event,
            ],
            writes: vec![
                Write::RevokeGrant {
                    user: user.id,
                    compartment: c,
                },
                audit,
            ],
        })
        .await?;
        Ok(true)
    }

    /// The grants of user `name`, for those who manage users.
    pub async fn grants_of(&self, caller: &Caller, name: &str) -> AppResult<Vec<UserGrant>> {
        caller.require(Permission::ManageUsers)?;
        let user = self
            .store
            .user_by_name(name)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("user '{name}'")))?;
        Ok(self.store.grants_of(&user.id).await?)
    }
}
