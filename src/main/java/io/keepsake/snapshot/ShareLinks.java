package io.keepsake.snapshot;

import jakarta.enterprise.context.ApplicationScoped;

import io.keepsake.KeepsakeConfig;
import io.keepsake.config.SnapshotsConfig;

/**
 * The links a snapshot is shared by, from configured templates in which {@code {id}} stands for
 * the snapshot id (ids are URL-safe, so they go in as they are): the share URL handed out with it,
 * and the workbench page a browser opening that URL is sent to.
 */
@ApplicationScoped
class ShareLinks {

    private static final String ID = "{id}";

    private final String shareUrl;
    private final String workbenchLink;

    ShareLinks(KeepsakeConfig config) {
        SnapshotsConfig snapshots = config.snapshots();
        String base = snapshots.publicBaseUrl();
        this.shareUrl = snapshots.shareUrl()
                .orElse((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/s/" + ID);
        String workbench = snapshots.workbenchUrl();
        this.workbenchLink = snapshots.workbenchLink()
                .orElse(workbench + (workbench.contains("?") ? "&" : "?") + "snapshot=" + ID);
    }

    String shareUrl(String id) {
        return shareUrl.replace(ID, id);
    }

    String workbenchLink(String id) {
        return workbenchLink.replace(ID, id);
    }
}
