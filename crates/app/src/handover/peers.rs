//! Pairing: the instances this one exchanges records with, each known by a name, a URL and a
//! public key exchanged out of band. A pairing is a ledger event like any other change.

use kinga_domain::peer::{Peer, check_name, check_url};
use kinga_domain::people::Permission;
use kinga_handover::PublicKey;
use kinga_ledger::Payload;
use kinga_store::{Commit, Write};

use crate::{App, AppError, AppResult, Caller};

impl App {
    /// Pair this instance with another: refuses a malformed name, URL or key, and a name
    /// already paired with another key (a key is changed only by a deliberate new pairing
    /// under a new name). Pairing the same name again with the same key updates its URL.
    pub async fn add_peer(
        &self,
        caller: &Caller,
        name: &str,
        url: &str,
        key: &str,
    ) -> AppResult<Peer> {
        caller.require(Permission::Handover)?;
        let name = check_name(name)?;
        let url = check_url(url)?;
        let key: PublicKey = key
            .trim()
            .parse()
            .map_err(|e| AppError::Invalid(format!("{e}")))?;
        let key = key.to_string();
        if let Some(known) = self
            .store
            .peers()
            .await?
            .into_iter()
            .find(|p| p.name == name)
        {
            if known.key != key {
                return Err(AppError::Invalid(format!(
                    "peer {name} is already paired with another key ({}); pair the new key \
                     under another name",
                    known.key
                )));
            }
        }
        let peer = Peer {
            name,
            url,
            key,
            added_by: caller.name.clone(),
            added_at: self.now(),
        };
        let event = self.draft(&caller.name, Payload::PeerSaved { peer: peer.clone() });
        self.commit(Commit {
            events: vec![event],
            writes: vec![Write::Peer(peer.clone())],
        })
        .await?;
        Ok(peer)
    }

    /// Every paired instance, by name.
    pub async fn peers(&self, caller: &Caller) -> AppResult<Vec<Peer>> {
        caller.require(Permission::Handover)?;
        Ok(self.store.peers().await?)
    }
}
