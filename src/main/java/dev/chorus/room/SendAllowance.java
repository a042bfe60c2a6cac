package dev.chorus.room;

/**
 * A token bucket that paces one client's messages: {@code burst} tokens at most, refilled at
 * {@code perSecond}. It also counts refusals in a row ({@link #strikes}), so a client that keeps
 * sending after being told to slow down can be disconnected. Called only from the container's
 * message callback, which is never concurrent for one session, but synchronized anyway so a
 * container that breaks that rule cannot corrupt the bucket.
 */
public final class SendAllowance {

    private final double perNano;
    private final double burst;
    private double tokens;
    private long refilledAt;
    private int strikes;

    public SendAllowance(double perSecond, int burst, long nowNanos) {
        this.perNano = perSecond / 1_000_000_000d;
        this.burst = burst;
        this.tokens = burst;
        this.refilledAt = nowNanos;
    }

    /** Takes a token if there is one; a refusal adds a strike, a success clears them. */
    public synchronized boolean tryTake(long nowNanos) {
        tokens = Math.min(burst, tokens + (nowNanos - refilledAt) * perNano);
        refilledAt = nowNanos;
        if (tokens >= 1) {
            tokens -= 1;
            strikes = 0;
            return true;
        }
        strikes++;
        return false;
    }

    /** Whether the bucket would be full at {@code nowNanos}: nothing taken lately, so forgetting it changes nothing. */
    public synchronized boolean isFull(long nowNanos) {
        return tokens + (nowNanos - refilledAt) * perNano >= burst;
    }

    public synchronized int strikes() {
        return strikes;
    }
}
