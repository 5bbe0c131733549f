//! Index settings for sending a whole corpus: no replicas, no periodic refresh and an
//! asynchronous translog while the paragraphs arrive, then the index's own settings back and
//! the replicas copied. A replica that indexes every document again doubles the cluster's work
//! during a build; copying the finished segments to it costs a fraction of that.

use serde_json::{json, Value};

use super::client::{Client, Method};
use crate::error::Result;

/// Indices switched to build settings, and the replica count they get back.
pub struct BulkLoad<'a> {
    client: &'a Client,
    indices: String,
    replicas: u32,
    restored: bool,
}

impl<'a> BulkLoad<'a> {
    /// Switches `indices` to build settings; [`BulkLoad::finish`] gives them `replicas`
    /// replicas and the default refresh and translog settings again (and dropping an
    /// unfinished one does too, without waiting for the replicas).
    pub fn start(client: &'a Client, indices: &[&str], replicas: u32) -> Result<BulkLoad<'a>> {
        let indices = indices.join(",");
        put_settings(
            client,
            &indices,
            &json!({"index": {
                "number_of_replicas": 0,
                "refresh_interval": "-1",
                "translog.durability": "async"
            }}),
        )?;
        Ok(BulkLoad {
            client,
            indices,
            replicas,
            restored: false,
        })
    }

    /// Restores each index's settings and waits until its replicas hold a copy again.
    pub fn finish(mut self) -> Result<()> {
        self.restore()?;
        self.client.get(&format!(
            "/_cluster/health/{}?wait_for_no_initializing_shards=true\
             &wait_for_no_relocating_shards=true&timeout=600s",
            self.indices
        ))?;
        Ok(())
    }

    fn restore(&mut self) -> Result<()> {
        self.restored = true;
        put_settings(
            self.client,
            &self.indices,
            &json!({"index": {
                "number_of_replicas": self.replicas,
                "refresh_interval": null,
                "translog.durability": null
            }}),
        )
    }
}

impl Drop for BulkLoad<'_> {
    fn drop(&mut self) {
        if !self.restored {
            let _ = self.restore();
        }
    }
}

fn put_settings(client: &Client, indices: &str, settings: &Value) -> Result<()> {
    client.expect(
        Method::Put,
        &format!("/{indices}/_settings"),
        Some(&settings.to_string()),
    )?;
    Ok(())
}
