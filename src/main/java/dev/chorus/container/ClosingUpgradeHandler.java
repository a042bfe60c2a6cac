package dev.chorus.container;

import jakarta.servlet.http.WebConnection;
import java.io.EOFException;
import org.glassfish.tyrus.servlet.TyrusHttpUpgradeHandler;

/**
 * Tyrus's upgrade handler, but a peer that closes while the connection is being set up still
 * closes the session. Tyrus registers its read listener before it creates the connection (which
 * runs {@code @OnOpen} and its first send); an end of stream or a failed write reported in that
 * window finds no connection, and the close is lost (logged at CONFIG, then never repeated): the
 * session stays open, its sends vanish and no {@code @OnClose} ever comes. Here that report is
 * remembered, and replayed once the connection exists, which closes the session (1006) as it
 * should have been. A replay after a close that did go through is ignored by Tyrus.
 */
public class ClosingUpgradeHandler extends TyrusHttpUpgradeHandler {

    /** Set by the container's thread that reports the peer gone; read by the one running init. */
    private volatile boolean peerGone;
    /** Written after the connection exists: reading it first makes the connection visible. */
    private volatile boolean connected;

    @Override
    public void init(WebConnection webConnection) {
        super.init(webConnection);
        connected = true;
        if (peerGone) {
            super.onError(new EOFException("the client closed while the connection was set up"));
        }
    }

    @Override
    public void onError(Throwable failure) {
        peerGone = true;
        if (connected) {
            super.onError(failure);
        }
    }

    @Override
    public void onAllDataRead() {
        peerGone = true;
        if (connected) {
            super.onAllDataRead();
        }
    }

    @Override
    public void destroy() {
        peerGone = true;
        if (connected) {
            super.destroy();
        }
    }
}
